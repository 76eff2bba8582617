// The audit trail of people: who read or wrote whom, refusals included (SPEC.md
// "Access"). Entries are appended through EventLog::AppendAudit and can never
// be changed. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "carelog/api.pb.h"
#include "gateway/access.h"
#include "gateway/http_types.h"
#include "services/clock.h"
#include "services/recorder.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::gateway {

class AuditTrail {
 public:
  AuditTrail(storage::EventLog& log, const Clock& clock)
      : log_(log), clock_(clock) {}

  // Appends one entry (its id and time are set here) for the person
  // `nhs_number` and returns at once; `done` runs (on the log's thread) once
  // the entry is durable, or with the error. It must not block.
  void RecordAsync(std::string_view nhs_number, api::AuditEntry entry,
                   std::function<void(Status)> done);
  // Appends `entry` once for each of `people` (a list read that showed them),
  // queued together for one group commit, and returns at once; `done` runs (on
  // the log's thread) once all are durable, or with the first error. It must
  // not block.
  void RecordSeenAsync(const std::vector<std::string>& people,
                       const api::AuditEntry& entry,
                       std::function<void(Status)> done);
  // The entry as RecordAsync would append it (time and person set), for a write
  // that carries it into the log with its own events.
  AuditNote Note(std::string_view nhs_number, api::AuditEntry entry) const;

  // Entries about the person with id > after, at most limit (1..1000), oldest
  // first; next_after is the last id returned when more may follow, else null.
  Result<api::AuditPage> Read(std::string_view nhs_number, uint64_t after,
                              size_t limit);

 private:
  storage::EventLog& log_;
  const Clock& clock_;
};

// The entry of `request` on the route `pattern` by `principal` (null when no
// valid token came): who, role, method, route and target; the person,
// outcome, id and time are set later.
api::AuditEntry AuditEntryOf(const Principal* principal, const Request& request,
                             const std::string& pattern);

// The refusal (503) of an answer holding a person's data whose audit entry
// could not be written (`why`): a person's data never leaves unaudited.
Status AuditUnwritten(const Status& why);

// Lets a person route write its request's audit entry in the same commit as
// its own events (RecordRequest::audit) instead of a commit of its own.
struct AuditHook {
  // The entry of this request if answered `status`.
  std::function<AuditNote(int status)> entry_for;
};

}  // namespace carelog::gateway
