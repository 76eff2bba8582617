// The audit trail of people: who read or wrote whom, refusals included (SPEC.md
// "Access"). Entries are appended through EventLog::AppendAudit and can never
// be changed. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "carelog/api.pb.h"
#include "services/clock.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::gateway {

class AuditTrail {
 public:
  AuditTrail(storage::EventLog& log, const Clock& clock)
      : log_(log), clock_(clock) {}

  // Appends one entry (its id and time are set here) for the person
  // `nhs_number`. Durable on ok.
  Status Record(std::string_view nhs_number, api::AuditEntry entry);

  // Entries about the person with id > after, at most limit (1..1000), oldest
  // first; next_after is the last id returned when more may follow, else null.
  Result<api::AuditPage> Read(std::string_view nhs_number, uint64_t after,
                              size_t limit);

 private:
  storage::EventLog& log_;
  const Clock& clock_;
};

}  // namespace carelog::gateway
