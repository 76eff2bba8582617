// The rules of SPEC.md ("Rules", "Identity") for a request of person events.
// Format problems are kInvalidArgument (400); a well-formed request that breaks
// a rule is kRuleViolation (422). Every error names the event by its index in
// the request and the field by its JSON name, e.g.
// events[1].readyForDischarge.spellId, and says what is wrong and what would be
// right.
//
// Rules speak of what happened: the person's effective events (existing and
// new, retractions applied) are checked in timeline order (occurredAt, then
// recording order), each against the history before it. A request passes when
// that whole timeline obeys the rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "services/calendar.h"
#include "services/event_format.h"
#include "services/person_state.h"
#include "storage/status.h"

namespace carelog {

// How far in the future occurredAt may be (SPEC.md: not more than 5 minutes).
inline constexpr int64_t kMaxFutureMicros = 5 * 60 * 1'000'000LL;

// Wraps well-formed events as the next versions of `before` (positions 0,
// occurred_at parsed).
std::vector<StoredCareEventPtr> AsNextEvents(
    const PersonState& before, const std::vector<schema::CareEvent>& events,
    int64_t recorded_at_micros = 0, const std::string& recorded_by = "");

// Checks well-formed events (ValidateFormat passed, none already recorded)
// against the person's history with every rule of SPEC.md; `now` bounds
// occurredAt. kRuleViolation naming the first event of the request that cannot
// fit, and why.
Status CheckRules(const PersonState& before,
                  const std::vector<schema::CareEvent>& events, Instant now);
// The same for events already wrapped by AsNextEvents (saves a copy of each).
// When they pass and come in timeline order after the history, retracting
// nothing, `folded` (if given) receives the facts with them applied (see
// PersonState::WithFolded); otherwise it is left empty.
Status CheckRules(const PersonState& before,
                  const std::vector<StoredCareEventPtr>& fresh, Instant now,
                  std::optional<PersonFacts>* folded = nullptr);

}  // namespace carelog
