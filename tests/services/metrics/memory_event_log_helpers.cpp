#include "tests/services/metrics/memory_event_log.h"

namespace carelog::testing {

uint64_t MemoryEventLog::AppendCare(const std::string& nhs,
                                    const schema::CareEvent& event) {
  storage::AppendRequest r;
  r.stream = "person-" + nhs;
  r.events.push_back({event.event_id(), "carelog.schema.CareEvent",
                      event.SerializeAsString()});
  r.recorded_by = "test";
  auto result = Append(std::move(r));
  return result.ok() ? result->last_position : 0;
}

Result<storage::AppendResult> MemoryEventLog::Append(
    storage::AppendRequest request) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& stream = streams_[request.stream];
  storage::AppendResult result;
  result.first_version = stream.size() + 1;
  result.first_position = log_.size() + 1;
  result.recorded_at_micros = now_;
  for (auto& e : request.events) {
    storage::RecordedEvent r;
    r.position = log_.size() + 1;
    r.stream = request.stream;
    r.version = stream.size() + 1;
    r.event_id = e.event_id;
    r.type = e.type;
    r.body = e.body;
    r.recorded_at_micros = now_;
    r.recorded_by = request.recorded_by;
    stream.push_back(r.position);
    log_.push_back(std::move(r));
  }
  result.last_version = stream.size();
  result.last_position = log_.size();
  return result;
}

void MemoryEventLog::AppendAsync(
    storage::AppendRequest request,
    std::function<void(Result<storage::AppendResult>)> done) {
  done(Append(std::move(request)));
}

Result<std::vector<storage::RecordedEvent>> MemoryEventLog::ReadStream(
    std::string_view stream, uint64_t from_version, size_t max_count) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<storage::RecordedEvent> out;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return out;
  for (uint64_t v = std::max<uint64_t>(from_version, 1);
       v <= it->second.size() && out.size() < max_count; ++v) {
    out.push_back(log_[it->second[v - 1] - 1]);
  }
  return out;
}

Result<uint64_t> MemoryEventLog::StreamVersion(std::string_view stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(stream);
  return it == streams_.end() ? uint64_t{0} : uint64_t{it->second.size()};
}

Result<std::vector<storage::RecordedEvent>> MemoryEventLog::ReadAll(
    uint64_t from_position, size_t max_count) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<storage::RecordedEvent> out;
  for (uint64_t p = std::max<uint64_t>(from_position, 1);
       p <= log_.size() && out.size() < max_count; ++p) {
    out.push_back(log_[p - 1]);
  }
  return out;
}

Result<std::optional<storage::RecordedEvent>> MemoryEventLog::FindEvent(
    std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& r : log_) {
    if (r.event_id == id) return std::optional<storage::RecordedEvent>(r);
  }
  return std::optional<storage::RecordedEvent>();
}

uint64_t MemoryEventLog::LastPosition() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_.size();
}

Result<uint64_t> MemoryEventLog::PositionAtOrBefore(int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t p = 0;
  for (const auto& r : log_) {
    if (r.recorded_at_micros > micros) break;
    p = r.position;
  }
  return p;
}

Status MemoryEventLog::WriteProjections(const storage::ProjectionWrite& write) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_next_write_) {
    fail_next_write_ = false;
    return Status(Code::kIOError, "injected failure");
  }
  for (const auto& row : write.rows) {
    std::string k = row.projection + '\0' + row.key;
    if (row.value) {
      rows_[k] = *row.value;
    } else {
      rows_.erase(k);
    }
  }
  for (const auto& [name, pos] : write.checkpoints) checkpoints_[name] = pos;
  return Status::Ok();
}

Result<std::optional<std::string>> MemoryEventLog::GetProjectionRow(
    std::string_view projection, std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rows_.find(std::string(projection) + '\0' + std::string(key));
  if (it == rows_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryEventLog::ScanProjection(
    std::string_view projection, std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::vector<std::pair<std::string, std::string>> hits;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string p = std::string(projection) + '\0' + std::string(prefix);
    for (auto it = rows_.lower_bound(p); it != rows_.end(); ++it) {
      if (it->first.compare(0, p.size(), p) != 0) break;
      hits.emplace_back(it->first.substr(projection.size() + 1), it->second);
    }
  }
  for (const auto& [k, v] : hits) {
    if (!fn(k, v)) break;
  }
  return Status::Ok();
}

Result<uint64_t> MemoryEventLog::ProjectionCheckpoint(
    std::string_view projection) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = checkpoints_.find(projection);
  return it == checkpoints_.end() ? uint64_t{0} : it->second;
}

Status MemoryEventLog::DropProjection(std::string_view projection) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = std::string(projection) + '\0';
  for (auto it = rows_.lower_bound(p);
       it != rows_.end() && it->first.compare(0, p.size(), p) == 0;) {
    it = rows_.erase(it);
  }
  checkpoints_.erase(std::string(projection));
  return Status::Ok();
}

Result<uint64_t> MemoryEventLog::AppendAudit(std::string_view, std::string) {
  return uint64_t{0};
}

Result<std::vector<std::pair<uint64_t, std::string>>> MemoryEventLog::ReadAudit(
    std::string_view, uint64_t, size_t) {
  return std::vector<std::pair<uint64_t, std::string>>{};
}

size_t MemoryEventLog::ProjectionRowCount(std::string_view projection) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  std::string p = std::string(projection) + '\0';
  for (auto it = rows_.lower_bound(p);
       it != rows_.end() && it->first.compare(0, p.size(), p) == 0; ++it) {
    ++n;
  }
  return n;
}

}  // namespace carelog::testing
