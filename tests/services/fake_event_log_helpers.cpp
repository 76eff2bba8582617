#include "tests/services/fake_event_log.h"

namespace carelog::testing {
namespace {

Status NotHere() {
  return Status(Code::kUnimplemented, "not in the fake event log");
}

}  // namespace

Result<storage::AppendResult> FakeEventLog::Append(
    storage::AppendRequest request) {
  if (before_append) {
    auto hook = std::move(before_append);
    before_append = nullptr;
    hook();
  }
  std::lock_guard<std::mutex> lock(mu_);
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
  r.recorded_at_micros = ++now_;
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

void FakeEventLog::AppendAsync(
    storage::AppendRequest request,
    std::function<void(Result<storage::AppendResult>)> done) {
  done(Append(std::move(request)));
}

Result<std::vector<storage::RecordedEvent>> FakeEventLog::ReadStream(
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

Result<uint64_t> FakeEventLog::StreamVersion(std::string_view stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(stream);
  return it == streams_.end() ? uint64_t{0} : uint64_t{it->second.size()};
}

Result<std::vector<storage::RecordedEvent>> FakeEventLog::ReadAll(
    uint64_t from_position, size_t max_count) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<storage::RecordedEvent> out;
  for (uint64_t p = std::max<uint64_t>(from_position, 1);
       p <= log_.size() && out.size() < max_count; ++p) {
    out.push_back(log_[p - 1]);
  }
  return out;
}

Result<std::optional<storage::RecordedEvent>> FakeEventLog::FindEvent(
    std::string_view event_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(event_id);
  if (it == by_id_.end()) return std::optional<storage::RecordedEvent>();
  return std::optional<storage::RecordedEvent>(log_[it->second - 1]);
}

uint64_t FakeEventLog::LastPosition() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_.size();
}

Result<uint64_t> FakeEventLog::PositionAtOrBefore(int64_t) { return NotHere(); }
Status FakeEventLog::WriteProjections(const storage::ProjectionWrite&) {
  return NotHere();
}
Result<std::optional<std::string>> FakeEventLog::GetProjectionRow(
    std::string_view, std::string_view) {
  return NotHere();
}
Status FakeEventLog::ScanProjection(
    std::string_view, std::string_view,
    const std::function<bool(std::string_view, std::string_view)>&) {
  return NotHere();
}
Result<uint64_t> FakeEventLog::ProjectionCheckpoint(std::string_view) {
  return NotHere();
}
Status FakeEventLog::DropProjection(std::string_view) { return NotHere(); }
Result<uint64_t> FakeEventLog::AppendAudit(std::string_view, std::string) {
  return NotHere();
}
Result<std::vector<std::pair<uint64_t, std::string>>> FakeEventLog::ReadAudit(
    std::string_view, uint64_t, size_t) {
  return NotHere();
}

}  // namespace carelog::testing
