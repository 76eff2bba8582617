// An in-memory EventLog for service tests: streams, versions, positions and
// event-id dedup as storage/event_log.h specifies; projections and audit are
// not implemented. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>

#include "storage/event_log.h"

namespace carelog::testing {

class FakeEventLog final : public storage::EventLog {
 public:
  // Runs (unlocked) at the start of every Append, e.g. to let a rival writer
  // win a race.
  std::function<void()> before_append;
  int appends = 0;  // Append calls that wrote something

  Result<storage::AppendResult> Append(storage::AppendRequest request) override;
  void AppendAsync(
      storage::AppendRequest request,
      std::function<void(Result<storage::AppendResult>)> done) override;
  Result<std::vector<storage::RecordedEvent>> ReadStream(
      std::string_view stream, uint64_t from_version,
      size_t max_count) override;
  Result<uint64_t> StreamVersion(std::string_view stream) override;
  Result<std::vector<storage::RecordedEvent>> ReadAll(
      uint64_t from_position, size_t max_count) override;
  Result<std::optional<storage::RecordedEvent>> FindEvent(
      std::string_view event_id) override;
  uint64_t LastPosition() const override;
  Result<uint64_t> PositionAtOrBefore(int64_t recorded_at_micros) override;
  Status WriteProjections(const storage::ProjectionWrite& write) override;
  Result<std::optional<std::string>> GetProjectionRow(
      std::string_view projection, std::string_view key) override;
  Status ScanProjection(
      std::string_view projection, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>&
          fn) override;
  Result<uint64_t> ProjectionCheckpoint(std::string_view projection) override;
  Status DropProjection(std::string_view projection) override;
  Result<uint64_t> AppendAudit(std::string_view subject,
                               std::string entry) override;
  Result<std::vector<std::pair<uint64_t, std::string>>> ReadAudit(
      std::string_view subject, uint64_t after_id, size_t max_count) override;

  Status VerifyFull() override { return Status::Ok(); }

 private:
  mutable std::mutex mu_;
  std::vector<storage::RecordedEvent> log_;  // index = position - 1
  std::map<std::string, std::vector<uint64_t>, std::less<>>
      streams_;                                         // -> positions
  std::map<std::string, uint64_t, std::less<>> by_id_;  // event id -> position
  int64_t now_ = 1'400'000'000'000'000;
};

}  // namespace carelog::testing
