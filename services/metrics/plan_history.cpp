#include "services/metrics/plan_history.h"

#include <climits>
#include <cstdio>

namespace carelog::metrics {
namespace {

std::string Pos(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t PosOfKey(std::string_view key) {
  return std::stoull(std::string(key.substr(key.rfind('|') + 1)), nullptr, 16);
}

template <typename T>
std::optional<T> LatestAtOrBefore(
    const std::vector<std::pair<uint64_t, T>>& versions, uint64_t position) {
  std::optional<T> out;
  for (const auto& [pos, value] : versions) {
    if (pos > position) break;
    out = value;
  }
  return out;
}

}  // namespace

void PlanHistory::Insert(
    uint64_t position, const schema::AdminEvent& event,
    std::map<std::string, AreaVersions>& areas,
    std::map<std::pair<std::string, std::string>, PlanVersions>& plans) {
  if (event.has_area_defined()) {
    areas[event.area_defined().area_code()].emplace_back(
        position, event.area_defined().area());
  } else if (event.has_plan_recorded()) {
    const auto& p = event.plan_recorded();
    plans[{p.area_code(), p.year()}].emplace_back(position, p.plan());
  }
}

Status PlanHistory::Load(storage::EventLog& log) {
  std::map<std::string, AreaVersions> areas;
  std::map<std::pair<std::string, std::string>, PlanVersions> plans;
  Status bad;
  auto collect = [&](std::string_view k, std::string_view v) {
    schema::AdminEvent e;
    if (!e.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = Status(Code::kCorruption, "undecodable plan row " + std::string(k));
      return false;
    }
    Insert(PosOfKey(k), e, areas, plans);
    return true;
  };
  CARELOG_RETURN_IF_ERROR(log.ScanProjection(Name(), "a|", collect));
  CARELOG_RETURN_IF_ERROR(log.ScanProjection(Name(), "l|", collect));
  CARELOG_RETURN_IF_ERROR(bad);
  // Keys sort by position within an area (or area and year), so versions are in
  // order.
  std::lock_guard<std::mutex> lock(mu_);
  areas_ = std::move(areas);
  plans_ = std::move(plans);
  return Status::Ok();
}

namespace {

// The row of an admin event at `position`: its key, or nullopt when the event
// gives none; kCorruption when its body does not parse.
template <class Record>  // storage::RecordedEvent or SpilledEvent
Result<std::optional<std::string>> RowKey(const Record& event,
                                          schema::AdminEvent& e) {
  if (event.type != kAdminEventType) return std::optional<std::string>();
  if (event.body.size() > INT_MAX ||
      !e.ParseFromArray(event.body.data(),
                        static_cast<int>(event.body.size()))) {
    return Status(Code::kCorruption, "undecodable admin event at position " +
                                         std::to_string(event.position));
  }
  if (e.has_area_defined()) {
    return std::optional<std::string>("a|" + e.area_defined().area_code() +
                                      "|" + Pos(event.position));
  }
  if (e.has_plan_recorded()) {
    return std::optional<std::string>("l|" + e.plan_recorded().area_code() +
                                      "|" + e.plan_recorded().year() + "|" +
                                      Pos(event.position));
  }
  return std::optional<std::string>();
}

class PlanSink final : public StreamBuildSink {
 public:
  PlanSink(storage::EventLog& log, std::string_view name)
      : log_(log), name_(name) {}
  Status Stream(const BuildStream& s) override {
    for (const SpilledEvent& event : s.recorded) {
      schema::AdminEvent e;
      auto key = RowKey(event, e);
      if (!key.ok()) return key.status();
      if (*key)
        write_.rows.push_back(
            {name_, std::move(**key), std::string(event.body)});
    }
    return Status::Ok();
  }
  Status ChunkDone() override { return Status::Ok(); }
  Status Flush() override { return WriteSortedRows(log_, write_); }

 private:
  storage::EventLog& log_;
  const std::string name_;
  storage::ProjectionWrite write_;  // rows not yet written (few: admin events)
};

}  // namespace

Status PlanHistory::Apply(const LogEvent& logged,
                          storage::ProjectionWrite& write) {
  const storage::RecordedEvent& event = logged.recorded();
  schema::AdminEvent e;
  auto key = RowKey(event, e);
  if (!key.ok()) return key.status();
  if (!*key) return Status::Ok();
  write.rows.push_back({std::string(Name()), std::move(**key), event.body});
  pending_.emplace_back(event.position, std::move(e));
  return Status::Ok();
}

std::unique_ptr<StreamBuildSink> PlanHistory::NewSink(storage::EventLog& log) {
  return std::make_unique<PlanSink>(log, Name());
}

// The checkpoint, then the versions read back from the rows (as Load).
Status PlanHistory::Finish(storage::EventLog& log, uint64_t last) {
  storage::ProjectionWrite write;
  write.checkpoints.emplace_back(std::string(Name()), last);
  CARELOG_RETURN_IF_ERROR(log.WriteProjections(write));
  pending_.clear();
  return Load(log);
}

void PlanHistory::Commit(uint64_t) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [pos, e] : pending_) Insert(pos, e, areas_, plans_);
  pending_.clear();
}

void PlanHistory::Abort() { pending_.clear(); }

void PlanHistory::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.clear();
  areas_.clear();
  plans_.clear();
}

void PlanHistory::Put(uint64_t position, const schema::AdminEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  Insert(position, event, areas_, plans_);
}

std::optional<schema::Area> PlanHistory::AreaAsOf(const std::string& area,
                                                  uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = areas_.find(area);
  if (it == areas_.end()) return std::nullopt;
  return LatestAtOrBefore(it->second, position);
}

std::optional<schema::Plan> PlanHistory::PlanAsOf(const std::string& area,
                                                  const std::string& year,
                                                  uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = plans_.find({area, year});
  if (it == plans_.end()) return std::nullopt;
  return LatestAtOrBefore(it->second, position);
}

}  // namespace carelog::metrics
