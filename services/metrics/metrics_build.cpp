// MetricsProjection's stream build (services/stream_build.h): the projection
// built person by person instead of in log order. A person's versions lie in
// position order, so folding one person's stream version by version and
// diffing the contribution after each event against the one before gives each
// event exactly the delta log-order Apply gives it. The deltas go out as the
// same d| rows; their sums are the c| totals, and an area's totals before a
// bucket's first delta (the s| snapshot) is the sum of its deltas in all
// earlier buckets. Every row before the last write carries no checkpoint; the
// last write holds the totals and the checkpoint, so an interrupted build
// leaves rows without a checkpoint, which the runner drops.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "services/metrics/contribution.h"
#include "services/metrics/metric_rows.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/person_history.h"

namespace carelog::metrics {

constexpr size_t kRowsPerWrite = 32768;     // delta rows per write
constexpr size_t kSnapshotsPerWrite = 256;  // an area's totals each

// The sums of deltas per (area, bucket): the area's cells (keys without the
// area). The totals are their sums over every bucket.
struct MetricsProjection::BuildSums {
  std::map<std::pair<std::string, uint64_t>, Cells> buckets;

  void MergeInto(BuildSums& all) {
    for (auto& [id, cells] : buckets) {
      auto [it, fresh] = all.buckets.try_emplace(id);
      if (fresh) {
        it->second = std::move(cells);
        continue;
      }
      for (const auto& [key, value] : cells) it->second[key] += value;
    }
    buckets.clear();
  }
};

MetricsProjection::MetricsProjection(uint64_t bucket_positions,
                                     size_t cached_events)
    : bucket_positions_(bucket_positions), max_cached_events_(cached_events) {}
MetricsProjection::~MetricsProjection() = default;

void MetricsProjection::ResetBuild() {
  std::lock_guard lock(build_mu_);
  build_sums_.reset();
}

// Folds the person streams handed to it, writing their delta rows; its sums
// go to the build's after each chunk.
class MetricsProjection::Sink final : public StreamBuildSink {
 public:
  Sink(MetricsProjection& p, storage::EventLog& log)
      : p_(p), log_(log), name_(p.Name()) {}

  Status Stream(const BuildStream& s) override {
    PersonState state;
    Cells before;
    Cells delta;
    for (size_t k = 0; k < s.care.size(); ++k) {
      state.Extend(s.care[k]);
      StepContribution(state, before, delta);
      if (!delta.empty()) Add(delta, s.recorded[k].position);
    }
    return Status::Ok();
  }

  Status ChunkDone() override {
    {
      std::lock_guard lock(p_.build_mu_);
      sums_.MergeInto(*p_.build_sums_);
    }
    return write_.rows.size() >= kRowsPerWrite ? Flush() : Status::Ok();
  }

  Status Flush() override { return WriteSortedRows(log_, write_); }

 private:
  // As MetricsProjection::WriteDelta, the sums in place of the snapshots.
  void Add(const Cells& delta, uint64_t position) {
    const uint64_t bucket = position / p_.bucket_positions_;
    ForEachArea(delta, [&](std::string_view area, Cells::const_iterator first,
                           Cells::const_iterator last) {
      const size_t strip = area.size() + 1;
      Cells& cells = sums_.buckets[{std::string(area), bucket}];
      for (auto it = first; it != last; ++it) {
        std::string_view key = std::string_view(it->first).substr(strip);
        auto found = cells.find(key);
        if (found == cells.end()) {
          cells.emplace(std::string(key), it->second);
        } else {
          found->second += it->second;
        }
      }
      write_.rows.push_back({name_, rows::DeltaKey(area, bucket, position),
                             EncodeCells(first, last, strip)});
    });
  }

  MetricsProjection& p_;
  storage::EventLog& log_;
  const std::string name_;
  BuildSums sums_;                  // of the chunk being folded
  storage::ProjectionWrite write_;  // rows not yet written
};

namespace {

// The s| rows: per area, the running sum of its earlier buckets; the sum of
// all of an area's buckets is its part of the totals (keys with the area).
void WriteSnapshots(
    const std::map<std::pair<std::string, uint64_t>, Cells>& buckets,
    const std::string& name, std::vector<storage::ProjectionWrite::Row>& out,
    Cells& totals) {
  const std::string* area = nullptr;
  Cells running;
  auto close_area = [&] {
    for (const auto& [key, value] : running)
      totals.emplace(*area + "|" + key, value);
  };
  for (const auto& [id, cells] : buckets) {
    if (!area || *area != id.first) {
      if (area) close_area();
      area = &id.first;
      running.clear();
    }
    out.push_back(
        {name, rows::SnapshotKey(id.first, id.second), EncodeCells(running)});
    ApplyDelta(running, cells);
  }
  if (area) close_area();
}

}  // namespace

std::unique_ptr<StreamBuildSink> MetricsProjection::NewSink(
    storage::EventLog& log) {
  std::lock_guard lock(build_mu_);
  if (!build_sums_) build_sums_ = std::make_unique<BuildSums>();
  return std::make_unique<Sink>(*this, log);
}

Status MetricsProjection::Finish(storage::EventLog& log, uint64_t last) {
  const std::string name(Name());
  std::unique_ptr<BuildSums> all;
  {
    std::lock_guard lock(build_mu_);
    all = std::move(build_sums_);
  }
  if (!all) all = std::make_unique<BuildSums>();
  // Snapshots first (no checkpoint), then the totals with the checkpoint.
  std::vector<storage::ProjectionWrite::Row> snapshot_rows;
  Cells totals;
  WriteSnapshots(all->buckets, name, snapshot_rows, totals);
  for (size_t i = 0; i < snapshot_rows.size(); i += kSnapshotsPerWrite) {
    storage::ProjectionWrite write;
    const size_t end = std::min(snapshot_rows.size(), i + kSnapshotsPerWrite);
    write.rows.assign(std::make_move_iterator(snapshot_rows.begin() + i),
                      std::make_move_iterator(snapshot_rows.begin() + end));
    CARELOG_RETURN_IF_ERROR(log.WriteProjections(write));
  }
  std::set<std::pair<std::string, uint64_t>> snapshots;
  for (auto& [id, cells] : all->buckets) snapshots.insert(id);
  all.reset();
  storage::ProjectionWrite write;
  for (const auto& [key, value] : totals) {
    write.rows.push_back({name, "c|" + key, rows::EncodeTotal(value)});
  }
  write.checkpoints.emplace_back(name, last);
  CARELOG_RETURN_IF_ERROR(log.WriteProjections(write));

  Abort();  // no pending batch, no cached people
  std::lock_guard<std::mutex> lock(mu_);
  totals_ = std::move(totals);
  snapshots_ = std::move(snapshots);
  applied_ = last;
  return Status::Ok();
}

}  // namespace carelog::metrics
