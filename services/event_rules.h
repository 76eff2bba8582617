// The rules of SPEC.md for one event against the history before it in timeline
// order, and the first rule broken along a whole timeline. services/rules.h
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

// The first rule broken along a timeline, each event checked against the
// history before it.
std::optional<RuleViolation> FirstViolation(
    const std::vector<StoredCareEventPtr>& timeline);

}  // namespace carelog
