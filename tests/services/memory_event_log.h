// An in-memory EventLog for service and projection tests: streams, versions,
// positions, expected versions and event-id dedup as storage/event_log.h
// specifies; projection rows and checkpoints in a map; audit not kept.
// recorded_at advances by a microsecond per append unless set with SetNow.
// Thread-safe; not durable.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "carelog/events.pb.h"
#include "storage/event_log.h"

namespace carelog::testing {

class MemoryEventLog final : public storage::EventLog {
 public:
  // Runs (unlocked) at the start of the next Append, e.g. to let a rival
  // writer win a race.
  std::function<void()> before_append;
  int appends = 0;  // Append calls that wrote something
  // WriteProjections calls with rows and no checkpoint: only a stream build
  // (services/stream_build.h) writes those.
  std::atomic<int> unchecked_writes{0};

  // recorded_at of the next appends (all of them, until set again).
  void SetNow(int64_t micros) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = micros;
    fixed_now_ = true;
  }
  // Appends one care event to "person-<nhs>" (no rules checked). Returns its
  // position.
  uint64_t AppendCare(const std::string& nhs, const schema::CareEvent& event);
  // Set: the next Append answers this error and stores nothing (once), as a
  // log whose disk cannot be written.
  std::optional<Status> fail_next_append;
  // Makes the next WriteProjections fail (once).
  void FailNextProjectionWrite() { fail_next_write_ = true; }
  // Non-zero: counts ReadAll calls down; the one that takes it to 0 fails
  // (kIOError "cannot read position <from>"), as a disk that cannot be read.
  std::atomic<int> fail_read_all_in{0};

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
      const std::function<bool(std::string_view, std::string_view)>& fn)
      override;
  Result<uint64_t> ProjectionCheckpoint(std::string_view projection) override;
  Status DropProjection(std::string_view projection) override;
  Result<uint64_t> AppendAudit(std::string_view subject,
                               std::string entry) override;
  Result<std::vector<std::pair<uint64_t, std::string>>> ReadAudit(
      std::string_view subject, uint64_t after_id, size_t max_count) override;

  Status VerifyFull() override { return Status::Ok(); }

  size_t ProjectionRowCount(std::string_view projection) const;

 private:
  mutable std::mutex mu_;
  int64_t now_ = 1'400'000'000'000'000;
  bool fixed_now_ = false;  // SetNow was called: every append at now_
  bool fail_next_write_ = false;
  std::vector<storage::RecordedEvent> log_;  // position i + 1 at index i
  std::map<std::string, std::vector<uint64_t>, std::less<>>
      streams_;                                         // stream -> positions
  std::map<std::string, uint64_t, std::less<>> by_id_;  // event id -> position
  std::map<std::string, std::string, std::less<>>
      rows_;  // projection + '\0' + key -> value
  std::map<std::string, uint64_t, std::less<>> checkpoints_;
};

}  // namespace carelog::testing
