#include "tests/services/memory_event_log.h"

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
  if (before_append) {
    auto hook = std::move(before_append);
    before_append = nullptr;
    hook();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_next_append) {
    Status failed = std::move(*fail_next_append);
    fail_next_append.reset();
    return failed;
  }
  if (request.events.empty())
    return Status(Code::kInvalidArgument, "no events");
  // Idempotent retry or conflict.
  size_t known = 0;
  for (const auto& e : request.events) {
    auto it = by_id_.find(e.event_id);
    if (it == by_id_.end()) continue;
    const auto& stored = log_[it->second - 1];
    if (stored.stream != request.stream || stored.body != e.body ||
        stored.type != e.type) {
      return Status(Code::kConflict,
                    "event id " + e.event_id + " stored with other content");
    }
    ++known;
  }
  if (known == request.events.size()) {
    const auto& first = log_[by_id_.at(request.events.front().event_id) - 1];
    const auto& last = log_[by_id_.at(request.events.back().event_id) - 1];
    storage::AppendResult r;
    r.first_version = first.version;
    r.last_version = last.version;
    r.first_position = first.position;
    r.last_position = last.position;
    r.recorded_at_micros = first.recorded_at_micros;
    r.duplicate = true;
    return r;
  }
  if (known > 0)
    return Status(Code::kConflict, "some event ids are already stored");
  auto& positions = streams_[request.stream];
  uint64_t version = positions.size();
  bool ok =
      request.expected.kind == storage::ExpectedVersion::Kind::kAny ||
      (request.expected.kind == storage::ExpectedVersion::Kind::kNoStream &&
       version == 0) ||
      (request.expected.kind == storage::ExpectedVersion::Kind::kExact &&
       request.expected.version == version);
  if (!ok)
    return Status(Code::kWrongVersion,
                  "stream is at version " + std::to_string(version));
  storage::AppendResult r;
  r.first_version = version + 1;
  r.first_position = log_.size() + 1;
  r.recorded_at_micros = fixed_now_ ? now_ : ++now_;
  for (auto& e : request.events) {
    storage::RecordedEvent stored;
    stored.position = log_.size() + 1;
    stored.stream = request.stream;
    stored.version = ++version;
    stored.event_id = e.event_id;
    stored.type = e.type;
    stored.body = std::move(e.body);
    stored.recorded_at_micros = r.recorded_at_micros;
    stored.recorded_by = request.recorded_by;
    by_id_[stored.event_id] = stored.position;
    positions.push_back(stored.position);
    log_.push_back(std::move(stored));
  }
  r.last_version = version;
  r.last_position = log_.size();
  ++appends;
  return r;
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
  if (fail_read_all_in.load() > 0 && --fail_read_all_in == 0) {
    return Status(Code::kIOError,
                  "cannot read position " + std::to_string(from_position));
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<storage::RecordedEvent> out;
  for (uint64_t p = std::max<uint64_t>(from_position, 1);
       p <= log_.size() && out.size() < max_count; ++p) {
    out.push_back(log_[p - 1]);
  }
  return out;
}

Result<std::optional<storage::RecordedEvent>> MemoryEventLog::FindEvent(
    std::string_view event_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(event_id);
  if (it == by_id_.end()) return std::optional<storage::RecordedEvent>();
  return std::optional<storage::RecordedEvent>(log_[it->second - 1]);
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
  if (!write.rows.empty() && write.checkpoints.empty()) ++unchecked_writes;
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
