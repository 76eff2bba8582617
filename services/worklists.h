// The three worklists of SPEC.md "Worklists" as one projection of the event
// log: the discharge worklist, follow-ups due and integrated packages without
// an accountable professional.
//
// Apply() folds recorded events (in log order) into the open items of each
// person, recomputed from the person's whole relevant history so that late and
// retracted events need no special case. Days are never written on a timer: the
// queries count them for the instant asked (midnights of Europe/London local
// dates). An item belongs to the area the person lives in now (their latest
// personRegistered/personMoved).
//
// An event recorded ahead of its occurredAt (the rules allow 5 minutes) counts
// from that instant on: a query before it answers from the person's facts
// that have occurred by the query's instant (docs/READINGS.md "Worklists").
// Such people are held until their latest event has occurred by the clock
// (checked as events are applied, at the end of each batch and on Load).
//
// Only people with an open item are held (in memory and as one row each of the
// facts it needs, schema/carelog/worklists.proto), and people with an event
// standing on nothing (its spell's admission or package's start retracted),
// whose every next event is then seen: an admission recorded before such an
// event brings it back (docs/READINGS.md "Retractions") though an admission
// opens no item of its own. A person with neither is dropped from both. An
// event that may open an item for someone not held reads their earlier events
// back from the log (or the reader given), unless they were seen recently (a
// bounded cache of their facts), so memory and start-up grow with the open
// items (and the few people a retraction left such events), not with the
// log. Queries are thread-safe; the runner calls the Projection methods from
// one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelog/events.pb.h"
#include "services/calendar.h"
#include "services/clock.h"
#include "services/projector.h"
#include "storage/event_log.h"

namespace carelog {

struct DischargeItem {
  std::string nhs_number;
  std::string spell_id;
  std::string site;
  Instant ready_since = 0;  // start of the current readiness
  int days_delayed =
      0;  // midnights passed in the spell while ready, up to the query instant
  std::string
      reason;  // of the latest delay record of this readiness, or "UNRECORDED"
  std::string agency;  // likewise
  bool ready_on_weekend =
      false;  // readiness began on a Saturday, Sunday or bank holiday
  // The most recently assigned accountable professional of an open package, if
  // any.
  std::optional<schema::AccountableProfessionalAssigned>
      accountable_professional;
};

struct FollowUpItem {
  std::string nhs_number;
  std::string spell_id;
  Date discharged_on;  // London date of the discharge to reablement or a
                       // rehabilitation bed
  Date due_on;         // day 91 after it
};

struct UnassignedPackageItem {
  std::string nhs_number;
  std::string package_id;
  Instant started_at = 0;
  int days_without =
      0;  // midnights since the package started, up to the query instant
};

// A person's care events with version 1..up_to_version, in version order
// (index i holds version i + 1).
using PersonEventsReader = std::function<Result<std::vector<schema::CareEvent>>(
    std::string_view nhs_number, uint64_t up_to_version)>;

class WorklistProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "worklists";

  // `clock` says which events have occurred (the server's clock). Without a
  // reader, earlier events are read from the log passed to Load. The facts of
  // people seen recently but not held are kept (about `recent_facts` of them,
  // at most twice that), so that an event that may open an item for such a
  // person needs no read of their stream.
  explicit WorklistProjection(const Clock& clock,
                              PersonEventsReader reader = {},
                              size_t recent_facts = 100'000);
  ~WorklistProjection() override;
  WorklistProjection(const WorklistProjection&) = delete;
  WorklistProjection& operator=(const WorklistProjection&) = delete;

  // Projection. Apply ignores events not of a person stream and skips an
  // undecodable body (the recorder only stores valid events); the rows of the
  // people changed go out in FinishBatch.
  std::string_view Name() const override { return kName; }
  // 2: people with an event standing on nothing are kept. 3: and people with
  // an event that has not occurred yet (whose rows 2 dropped at once).
  uint32_t Definition() const override { return 3; }
  Status Load(storage::EventLog& log) override;
  Status Apply(const LogEvent& event, storage::ProjectionWrite& write) override;
  Status FinishBatch(storage::ProjectionWrite& write) override;
  void Commit(uint64_t position) override;
  void Abort() override;
  void Reset() override;
  // Person by person (worklists_build.cpp), the rows of log order.
  StreamBuild* stream_build() override;

  // Applies one care event of a person directly (tests): `version` orders
  // events that occurred at the same instant; versions before it come from
  // the reader when needed. Errors of the reader are returned.
  Status ApplyCareEvent(std::string_view nhs_number, uint64_t version,
                        const schema::CareEvent& event);

  // Position of the last log event committed (0 if none).
  uint64_t position() const;
  // How many people are held (an open item, an event standing on nothing or
  // one not occurred yet).
  size_t PeopleHeld() const;

  // The queries answer for the events that have occurred by `now` (their
  // occurredAt at or before it).
  //
  // People of the area in a spell and ready for discharge at `now`, longest
  // delay first; only those at `site` when it is given.
  std::vector<DischargeItem> Discharge(std::string_view area,
                                       std::optional<std::string_view> site,
                                       Instant now) const;
  // Discharges to REABLEMENT or REHABILITATION_BED whose day 91 has come by
  // `now` and that have no follow-up yet, earliest due first.
  std::vector<FollowUpItem> FollowUpsDue(std::string_view area,
                                         Instant now) const;
  // Open integrated packages with no accountable professional, oldest first.
  std::vector<UnassignedPackageItem> UnassignedPackages(std::string_view area,
                                                        Instant now) const;

 private:
  Instant Now() const;  // the clock's

  struct Impl;
  class Build;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<StreamBuild> build_;
};

}  // namespace carelog
