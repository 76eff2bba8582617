// The recorder: the write path of person events. It validates a request's
// events, in order, against the person's history with every rule of SPEC.md,
// then appends them atomically through the event log with the expected version
// it checked against (retrying on a lost race).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelog/events.pb.h"
#include "services/clock.h"
#include "services/person_state.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

// The stream of a person: kPersonStreamPrefix followed by the 10 digits of
// the NHS number.
inline constexpr std::string_view kPersonStreamPrefix = "person-";
std::string PersonStream(std::string_view nhs_number);
inline bool IsPersonStream(std::string_view stream) {
  return stream.starts_with(kPersonStreamPrefix);
}
// The NHS number of a person stream; empty for any other stream.
inline std::string_view NhsNumberOfStream(std::string_view stream) {
  return IsPersonStream(stream) ? stream.substr(kPersonStreamPrefix.size())
                                : std::string_view();
}

struct RecordOutcome {
  std::string nhs_number;
  uint64_t first_version = 0;
  uint64_t last_version = 0;
  uint64_t last_position = 0;
  bool duplicate = false;  // every event was already recorded identically (a
                           // retry): nothing new
  uint64_t audit_id = 0;   // RecordAudited: the entry written with the events
};

// An audit entry (its subject and bytes, see EventLog::AppendAudit) to write
// together with a recording.
struct AuditNote {
  std::string subject;
  std::string entry;
};

// A person as stored now: their folded state and stream version (0 = unknown
// person).
struct PersonSnapshot {
  std::shared_ptr<const PersonState>
      state;  // never null; empty for an unknown person
  uint64_t version = 0;
};

// What RecordAsync records: as the arguments of RecordAudited, owned.
struct RecordRequest {
  std::string nhs_number;
  std::vector<schema::CareEvent> events;
  std::optional<uint64_t> if_match;
  std::string recorded_by;
  std::optional<AuditNote> audit;  // written with the events, as RecordAudited
  // The caller has just seen from memory (RecordsFromMemory) that the person
  // has no stream yet (a new person) while the recorder did not hold them:
  // their history is not read. Unverified, as a cached person is: an append
  // against a person registered since fails on its expected version and the
  // request is checked again.
  bool known_new = false;
  // When set, runs in the person's turn with the person as stored, before
  // anything else is checked; a non-ok Status refuses the request with it
  // (e.g. the principal may not write people of the person's area).
  std::function<Status(const PersonState& person)> admit;
};
using RecordDone = std::function<void(Result<RecordOutcome>)>;

// How much of the people recently written a Recorder keeps folded in memory.
// A person's fold holds every event of theirs (~600-700 bytes each), so a few
// people with long histories would hold gigabytes under a bound of people
// alone: past either bound, the least recently written or read go (never the
// person just written), and are folded from the log again when next written.
struct RecorderCache {
  size_t people = 20000;  // at least 1 kept
  size_t events = 500000;
};

class Recorder {
 public:
  Recorder(storage::EventLog& log, const Clock& clock,
           RecorderCache cache = {});
  ~Recorder();

  // Records events for the person (nhs_number: 10 digits, already validated).
  // if_match, when given, is the version the client expects (412 kWrongVersion
  // otherwise). Errors: kInvalidArgument for malformed events (missing field,
  // bad time, no payload, > 1000 events), kConflict for an event id stored with
  // other content, kWrongVersion, kRuleViolation for a broken rule; each names
  // the event index and the field in errors(). All or nothing. Blocks until
  // durable. Thread-safe.
  Result<RecordOutcome> Record(std::string_view nhs_number,
                               const std::vector<schema::CareEvent>& events,
                               std::optional<uint64_t> if_match,
                               std::string_view recorded_by);

  // As Record, and when the events are newly appended `audit` is written in
  // the same atomic commit (one fsync for both): RecordOutcome::audit_id is
  // its id. Otherwise (an error, a retry) nothing of `audit` is written and
  // audit_id is 0: the caller records that outcome itself.
  Result<RecordOutcome> RecordAudited(
      std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
      std::optional<uint64_t> if_match, std::string_view recorded_by,
      AuditNote audit);

  // As RecordAudited, without blocking: `done` runs exactly once with the
  // outcome, on the calling thread when the request is refused at once, on the
  // event log's thread once the events are durable, or on the thread that ends
  // the turn before this one. A person's requests take turns in arrival order:
  // each is checked only once the one before is durable or refused, and a
  // request waiting for its turn holds no thread. `done` must not block.
  // Record, RecordAudited and Load take the same turns (and wait for them).
  void RecordAsync(RecordRequest request, RecordDone done);

  // Whether the person is folded in memory now, or a request of theirs is
  // under way: recording for them then reads no history from storage. A hint,
  // true or false a moment later. Thread-safe.
  bool Holds(std::string_view nhs_number) const;

  // Whether recording for the person now reads nothing from the disk: Holds
  // them, or the event log tells from memory alone that they have no events
  // (a new person, EventLog::StreamVersionInMemory; then *known_new, if
  // given, is set for RecordRequest::known_new). A hint, as Holds; never reads
  // the disk itself. Thread-safe.
  bool RecordsFromMemory(std::string_view nhs_number,
                         bool* known_new = nullptr) const;

  // The person now (cached), once the writes before it are durable.
  // Thread-safe.
  Result<PersonSnapshot> Load(std::string_view nhs_number);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carelog
