// A person's history as the metrics judge it: a view of the person's one fold
// (services/person_state.h, the same the rules and worklists use): the
// effective events (no retracted events, no retractions) in timeline order, and
// the facts every metric needs: birth date, area at an instant, death, NHS
// number verification.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "services/calendar.h"
#include "services/person_state.h"

namespace carelog::metrics {

struct HistoryEvent {
  Instant at = 0;
  uint64_t version = 0;
  const schema::CareEvent* event = nullptr;  // owned by the PersonState
};

// The facts behind PersonHistory::AreaAt and VerifiedAt, for callers that have
// the fold's facts but no history view.
const std::string& AreaOfResidenceAt(const PersonFacts& facts, Instant t);
bool NhsNumberVerifiedAt(const PersonFacts& facts, Instant t);

class PersonHistory {
 public:
  // The view of `state`, which must outlive it.
  explicit PersonHistory(const PersonState& state);
  // Folds the events (version i + 1 at index i) first; the history owns the
  // fold (for tests).
  static PersonHistory Build(const std::vector<schema::CareEvent>& stream);

  // The effective events in timeline order, without those that stand on
  // nothing (about a spell, package, placement, referral or assessment whose
  // start was retracted; docs/READINGS.md "Retractions").
  const std::vector<HistoryEvent>& events() const { return events_; }
  // From the personRegistered; nullopt when there is none.
  std::optional<Date> birth_date() const { return facts_->birth_date(); }
  std::optional<Instant> died_at() const { return facts_->died_at(); }
  // The area of the latest personRegistered/personMoved at or before t; before
  // the registration, the registration's area (the rules refuse such events).
  // Empty when the person has no registration.
  const std::string& AreaAt(Instant t) const;
  // Instants at which the area of residence changes (after the registration).
  std::vector<Instant> MovesIn(Instant from, std::optional<Instant> to) const;
  // VERIFIED at registration, or an nhsNumberVerified at or before t.
  bool VerifiedAt(Instant t) const;
  int AgeOnDate(Date d) const;  // 0 when the birth date is unknown

 private:
  std::shared_ptr<const PersonState> owned_;  // only when built from events
  const PersonFacts* facts_ = nullptr;
  std::vector<HistoryEvent> events_;
};

}  // namespace carelog::metrics
