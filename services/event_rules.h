// The rules of SPEC.md for one event against the history before it in timeline
// order, and the events of a whole timeline that break one. services/rules.h
// builds requests' checks on these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "services/person_state.h"

namespace carelog {

// A rule an event breaks: which event, which field (relative to the event, e.g.
// "readyForDischarge.spellId") and why, in words that say what would be right.
struct RuleViolation {
  const StoredCareEvent* event = nullptr;
  std::string field;
  std::string message;
};

// Checks `event` against `before`, the facts of every event before it in
// timeline order. `timeline`, when given, is the whole timeline, so that a
// message can say when a named id starts later.
std::optional<RuleViolation> CheckEvent(
    const PersonFacts& before, const StoredCareEvent& event,
    const std::vector<StoredCareEventPtr>* timeline = nullptr);

// The rule `target` breaks where it lies in `timeline` (an effective
// timeline), against the events before it; nothing when `target` is not in it.
std::optional<RuleViolation> ViolationAt(
    const std::vector<StoredCareEventPtr>& timeline,
    const StoredCareEvent& target);

// Every event of `timeline` that breaks a rule against the history before it
// (each still folded, leniently, into the history of the events after it).
std::vector<const StoredCareEvent*> Misfits(
    const std::vector<StoredCareEventPtr>& timeline);

// The rule `event` breaks against `registration` alone, wherever each lies in
// the timeline: occurring before its birth date, or a personMoved before it.
// For a registration recorded after one retracted, which gives footing again
// to every event that stood on the retracted one.
std::optional<RuleViolation> RegistrationMisfit(
    const StoredCareEvent& event, const StoredCareEvent& registration);

// Whether retracting `retracted` may take away what `event` stands on: a
// registration (everything stands on it), or an event about an id `event`
// names too (a spell's admission or readiness for its delay records, a
// referral for its assessment...).
bool DependsOn(const StoredCareEvent& event, const StoredCareEvent& retracted);

}  // namespace carelog
