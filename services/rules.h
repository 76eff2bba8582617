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

// Wraps well-formed events as versions first_version, first_version + 1, ...
// (position 0, occurred_at parsed), still mutable so that the caller can set
// their position and time once appended.
std::vector<std::shared_ptr<StoredCareEvent>> WrapEvents(
    uint64_t first_version, const std::vector<schema::CareEvent>& events,
    int64_t recorded_at_micros, const std::string& recorded_by);
// The same, moving each event into its wrapper instead of copying it (`events`
// keeps its size; its elements are left empty).
std::vector<std::shared_ptr<StoredCareEvent>> WrapEvents(
    uint64_t first_version, std::vector<schema::CareEvent>&& events,
    int64_t recorded_at_micros, const std::string& recorded_by);

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
Status CheckRules(const PersonState& before,
                  const std::vector<StoredCareEventPtr>& fresh, Instant now);
// As CheckRules, and when the events pass `state` is extended with them (as
// PersonState::Extend); when they do not, `state` is as it was. Events that
// come after the history in timeline order, retracting nothing, are folded
// once each as they are checked, without copying the person's facts: the
// cost is that of the request, not of the history (a refusal part-way through
// a request refolds the history to undo).
Status CheckAndExtend(PersonState& state,
                      const std::vector<StoredCareEventPtr>& fresh,
                      Instant now);

}  // namespace carelog
