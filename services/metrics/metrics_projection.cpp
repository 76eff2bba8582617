#include "services/metrics/metrics_projection.h"

#include "services/metrics/contribution.h"
#include "services/metrics/metric_rows.h"
#include "services/metrics/person_history.h"
#include "services/recorder.h"

namespace carelog::metrics {
namespace {

using rows::DeltaPrefix;
using rows::EncodeTotal;
using rows::SnapshotKey;

// The cells whose strings the live projection keeps (~150 bytes each with
// their map entry: a few MB, the cells a server's recent events touch - months,
// areas - many times over). A soft bound: past it the strings are forgotten
// at the next event's rows or batch's end and built again as needed; one batch
// may add its own cells beyond it.
constexpr size_t kMaxCellNames = 1 << 16;

}  // namespace

Status MetricsProjection::Load(storage::EventLog& log) {
  log_ = &log;
  Cells totals;
  std::set<std::pair<std::string, uint64_t>> snapshots;
  Status bad;
  CARELOG_RETURN_IF_ERROR(log.ScanProjection(
      Name(), "c|", [&](std::string_view k, std::string_view v) {
        totals.emplace(std::string(k.substr(2)), std::stoll(std::string(v)));
        return true;
      }));
  CARELOG_RETURN_IF_ERROR(log.ScanProjection(
      Name(), "s|", [&](std::string_view k, std::string_view) {
        std::string key(k.substr(2));
        size_t bar = key.rfind('|');
        snapshots.emplace(key.substr(0, bar),
                          std::stoull(key.substr(bar + 1), nullptr, 16));
        return true;
      }));
  auto cp = log.ProjectionCheckpoint(Name());
  if (!cp.ok()) return cp.status();
  std::lock_guard<std::mutex> lock(mu_);
  totals_ = std::move(totals);
  snapshots_ = std::move(snapshots);
  applied_ = *cp;
  return Status::Ok();
}

Result<MetricsProjection::PersonEntry*> MetricsProjection::EntryBefore(
    const std::string& stream, uint64_t version) {
  PersonEntry* entry = people_.Find(stream);
  if (entry == nullptr) entry = &people_.Insert(stream);
  if (entry->state.version() + 1 == version) return entry;
  people_.RemoveWeight(entry->state.version());
  *entry = PersonEntry{};
  if (version > 1) {
    auto stored = log_->ReadStream(stream, 1, version - 1);
    if (!stored.ok()) return stored.status();
    std::vector<StoredCareEventPtr> events;
    for (const storage::RecordedEvent& r : *stored) {
      if (r.version >= version) break;
      auto e = DecodeStoredCareEvent(r);
      if (!e.ok()) return e.status();
      events.push_back(std::move(*e));
    }
    if (events.size() + 1 != version) {
      return Status(Code::kCorruption,
                    "stream " + stream + " is missing versions");
    }
    entry->state = PersonState::FromStream(std::move(events));
    people_.AddWeight(entry->state.version());
    entry->contribution = ContributionCells(PersonHistory(entry->state));
  }
  return entry;
}

Status MetricsProjection::Apply(const LogEvent& logged,
                                storage::ProjectionWrite& write) {
  const storage::RecordedEvent& event = logged.recorded();
  if (!IsPersonStream(event.stream)) return Status::Ok();
  auto entry = EntryBefore(event.stream, event.version);
  if (!entry.ok()) return entry.status();
  PersonEntry& person = **entry;
  const Result<StoredCareEventPtr>& e = logged.CareEvent();
  if (!e.ok()) {
    people_.Forget(event.stream);
    return e.status();
  }
  person.state.Extend(*e);
  people_.AddWeight(1);
  CellList delta;
  StepContribution(person.state, person.contribution, delta);
  if (!delta.empty()) WriteDelta(delta, event.position, write);
  return Status::Ok();
}

void MetricsProjection::WriteDelta(const CellList& delta, uint64_t position,
                                   storage::ProjectionWrite& write) {
  const uint64_t bucket = position / bucket_positions_;
  if (names_.size() > kMaxCellNames) names_.Clear();
  ForEachAreaRun(delta, [&](uint32_t area_id, CellList::const_iterator first,
                            CellList::const_iterator last) {
    const std::string& area = AreaName(area_id);
    auto id = std::make_pair(area, bucket);
    bool have;
    {
      std::lock_guard<std::mutex> lock(mu_);
      have = snapshots_.count(id) > 0;
    }
    if (!have && !pending_snapshots_.count(id)) {
      Cells area_totals = AreaCells(area);
      Cells area_pending;
      for (const auto& [key, value] : pending_delta_) {
        if (key.area == area_id) area_pending.emplace(names_.Rest(key), value);
      }
      ApplyDelta(area_totals, area_pending);
      write.rows.push_back({std::string(Name()), SnapshotKey(area, bucket),
                            EncodeCells(area_totals)});
      pending_snapshots_.insert(id);
    }
    write.rows.push_back({std::string(Name()),
                          rows::DeltaKey(area, bucket, position),
                          EncodeAreaCells(first, last, names_)});
  });
  for (const auto& [key, value] : delta) pending_delta_[key] += value;
}

Status MetricsProjection::FinishBatch(storage::ProjectionWrite& write) {
  pending_totals_.clear();
  for (const auto& [key, value] : pending_delta_) {
    if (value != 0) pending_totals_[names_.Full(key)] += value;
  }
  if (names_.size() > kMaxCellNames) names_.Clear();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, value] : pending_totals_) {
    auto it = totals_.find(key);
    int64_t total = (it == totals_.end() ? 0 : it->second) + value;
    std::optional<std::string> row;
    if (total != 0) row = EncodeTotal(total);
    write.rows.push_back({std::string(Name()), "c|" + key, std::move(row)});
  }
  return Status::Ok();
}

void MetricsProjection::Commit(uint64_t position) {
  std::lock_guard<std::mutex> lock(mu_);
  ApplyDelta(totals_, pending_totals_);
  snapshots_.insert(pending_snapshots_.begin(), pending_snapshots_.end());
  applied_ = position;
  pending_delta_.clear();
  pending_totals_.clear();
  pending_snapshots_.clear();
}

void MetricsProjection::Abort() {
  pending_delta_.clear();
  pending_totals_.clear();
  pending_snapshots_.clear();
  // The cached people hold events the runner will apply again: drop them.
  people_.Clear();
}

void MetricsProjection::Reset() {
  Abort();
  ResetBuild();
  std::lock_guard<std::mutex> lock(mu_);
  totals_.clear();
  snapshots_.clear();
  applied_ = 0;
}

Cells MetricsProjection::AreaCells(std::string_view area,
                                   uint64_t* position) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (position) *position = applied_;
  return CellsOfArea(totals_, area);
}

uint64_t MetricsProjection::AppliedPosition() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

Result<Cells> MetricsProjection::AreaCellsAsOf(std::string_view area,
                                               uint64_t position) const {
  uint64_t applied;
  Cells now = AreaCells(area, &applied);
  if (position >= applied) return now;
  uint64_t bucket = position / bucket_positions_;
  std::optional<uint64_t> from;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = snapshots_.upper_bound(std::make_pair(std::string(area), bucket));
    if (it != snapshots_.begin()) {
      --it;
      if (it->first == area) from = it->second;
    }
  }
  Cells cells;
  if (!from) return cells;  // no delta of this area up to that bucket
  auto snap = log_->GetProjectionRow(Name(), SnapshotKey(area, *from));
  if (!snap.ok()) return snap.status();
  if (!snap->has_value() || !DecodeCells(**snap, cells)) {
    return Status(Code::kCorruption,
                  "missing snapshot of " + std::string(area));
  }
  Status bad;
  std::string prefix = DeltaPrefix(area, *from);
  CARELOG_RETURN_IF_ERROR(log_->ScanProjection(
      Name(), prefix, [&](std::string_view k, std::string_view v) {
        uint64_t pos =
            std::stoull(std::string(k.substr(prefix.size())), nullptr, 16);
        if (pos > position) return false;
        Cells delta;
        if (!DecodeCells(v, delta)) {
          bad = Status(Code::kCorruption,
                       "undecodable delta at " + std::to_string(pos));
          return false;
        }
        ApplyDelta(cells, delta);
        return true;
      }));
  CARELOG_RETURN_IF_ERROR(bad);
  return cells;
}

}  // namespace carelog::metrics
