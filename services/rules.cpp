#include "services/rules.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_set>

#include "services/event_rules.h"

namespace carelog {
namespace {

std::string When(Instant t) { return FormatRfc3339London(t); }

std::string Describe(const StoredCareEvent& e, uint64_t first_new_version) {
  std::string which =
      e.version >= first_new_version
          ? "events[" + std::to_string(e.version - first_new_version) + "]"
          : "the recorded event " + e.event.event_id() + " (version " +
                std::to_string(e.version) + ")";
  return PayloadName(e.event) + " at " + When(e.occurred_at) + ", " + which;
}

Status RuleError(size_t index, const std::string& field,
                 const std::string& message) {
  std::string name = "events[" + std::to_string(index) + "]" +
                     (field.empty() ? "" : "." + field);
  return Status(Code::kRuleViolation, name + ": " + message,
                {FieldError{name, message}});
}

// Instant rules of one new event: not over 5 minutes in the future, not before
// 1900.
std::optional<std::string> InstantProblem(const StoredCareEvent& e,
                                          Instant now) {
  static const Instant k1900 = *ParseRfc3339("1900-01-01T00:00:00Z");
  if (e.occurred_at > now + kMaxFutureMicros) {
    return "occurredAt " + When(e.occurred_at) +
           " is more than 5 minutes in the future (now is " + When(now) + ")";
  }
  if (e.occurred_at < k1900)
    return "occurredAt " + When(e.occurred_at) + " is before 1900-01-01";
  return std::nullopt;
}

// eventRetracted names an earlier, unretracted event of the same person (not a
// retraction).
std::optional<std::string> RetractionProblem(
    const PersonState& before, const std::vector<StoredCareEventPtr>& fresh,
    size_t index) {
  const std::string& target = fresh[index]->event.event_retracted().event_id();
  const StoredCareEvent* found = before.FindEvent(target);
  for (size_t j = 0; found == nullptr && j < fresh.size(); ++j) {
    if (fresh[j]->event.event_id() != target) continue;
    if (j >= index) {
      return "event " + target +
             " is not recorded before this retraction (it is events[" +
             std::to_string(j) + "]): a retraction names an earlier event";
    }
    found = fresh[j].get();
  }
  if (found == nullptr) {
    return "this person has no event " + target +
           ": a retraction names an earlier event of the "
           "same person";
  }
  if (found->event.has_event_retracted()) {
    return "event " + target +
           " is itself a retraction and cannot be retracted; record the "
           "event again with a new eventId instead";
  }
  bool retracted = before.IsRetracted(target);
  for (size_t j = 0; !retracted && j < index; ++j) {
    retracted = fresh[j]->event.has_event_retracted() &&
                fresh[j]->event.event_retracted().event_id() == target;
  }
  if (retracted)
    return "event " + target + " is already retracted: retract an event once";
  // "Earlier" speaks of what happened, like every rule: the error is found
  // at or after the event it corrects.
  if (found->occurred_at > fresh[index]->occurred_at) {
    return "event " + target + " occurs at " + When(found->occurred_at) +
           ", after this retraction at " + When(fresh[index]->occurred_at) +
           ": a retraction names an earlier event; give it an occurredAt at "
           "or after " +
           When(found->occurred_at);
  }
  return std::nullopt;
}

// A registration of a person whose history holds none in effect (it was
// retracted) gives footing again to every event that stood on the retracted
// one (docs/READINGS.md "Retractions"): the first such event, of the first
// `history` versions and not retracted by then, that would not fit it.
std::optional<RuleViolation> FootingProblem(
    const PersonState& state, uint64_t history,
    const std::vector<StoredCareEventPtr>& fresh, size_t index) {
  const StoredCareEvent& registration = *fresh[index];
  // What the request retracts before the registration.
  std::unordered_set<std::string_view> retracted_here;
  for (size_t j = 0; j < index; ++j) {
    if (fresh[j]->event.has_event_retracted())
      retracted_here.insert(fresh[j]->event.event_retracted().event_id());
  }
  auto retracted = [&](const StoredCareEvent& e) {
    const std::string& id = e.event.event_id();
    return state.IsRetracted(id) || retracted_here.count(id) != 0;
  };
  std::optional<RuleViolation> first;
  for (uint64_t k = 0; k < history; ++k) {
    const StoredCareEvent& e = *state.recorded()[k];
    if (e.event.has_event_retracted() || retracted(e)) continue;
    // A registration in effect: the rules of a second one apply instead.
    if (e.event.has_person_registered()) return std::nullopt;
    if (first) continue;
    if (auto v = RegistrationMisfit(e, registration)) {
      const bool moved = e.event.has_person_moved();
      first = RuleViolation{
          &registration, moved ? "occurredAt" : "personRegistered.birthDate",
          "this registration gives footing again to what stood on the "
          "retracted one, and the recorded event " +
              e.event.event_id() + " (version " + std::to_string(e.version) +
              ") would not fit it: " + v->message +
              "; retract that event first (in this request, before the "
              "registration) or correct the registration"};
    }
  }
  return first;
}

// The rules of each new event alone: time bounds, what a retraction names.
Status CheckEachEvent(const PersonState& before,
                      const std::vector<StoredCareEventPtr>& fresh,
                      Instant now) {
  for (size_t i = 0; i < fresh.size(); ++i) {
    if (auto problem = InstantProblem(*fresh[i], now))
      return RuleError(i, "occurredAt", *problem);
    if (fresh[i]->event.has_event_retracted()) {
      if (auto problem = RetractionProblem(before, fresh, i)) {
        return RuleError(i, "eventRetracted.eventId", *problem);
      }
    }
  }
  return Status::Ok();
}

// The first event that no longer fits once fresh[0..count) are in, other
// than those that did not fit before (orphaned by an earlier retraction) and
// those that stood on what the request retracts: every derived view behaves
// as if the retracted event had never been recorded, and so as if what stood
// on it had not either (the fold passes over them).
// `known`, when given, is Misfits of the history's effective timeline.
// `effective`, when given, is the effective timeline of history and
// fresh[0..count).
std::optional<RuleViolation> NewMisfit(
    const std::vector<StoredCareEventPtr>& history,
    const std::vector<StoredCareEventPtr>& fresh, size_t count,
    const std::vector<const StoredCareEvent*>* known = nullptr,
    const std::vector<StoredCareEventPtr>* effective = nullptr) {
  std::vector<StoredCareEventPtr> computed;
  if (effective == nullptr) {
    std::vector<StoredCareEventPtr> all = history;
    all.insert(all.end(), fresh.begin(),
               fresh.begin() + static_cast<ptrdiff_t>(count));
    computed = PersonState::EffectiveTimeline(all);
    effective = &computed;
  }
  const auto& timeline = *effective;
  const auto after = Misfits(timeline);
  if (after.empty()) return std::nullopt;
  const auto before = known != nullptr
                          ? *known
                          : Misfits(PersonState::EffectiveTimeline(history));
  std::vector<const StoredCareEvent*> retracted;
  for (size_t i = 0; i < count; ++i) {
    if (!fresh[i]->event.has_event_retracted()) continue;
    const std::string& target = fresh[i]->event.event_retracted().event_id();
    const auto named = [&](const StoredCareEventPtr& e) {
      if (e->event.event_id() == target) retracted.push_back(e.get());
    };
    std::for_each(history.begin(), history.end(), named);
    std::for_each(fresh.begin(), fresh.begin() + static_cast<ptrdiff_t>(count),
                  named);
  }
  for (const StoredCareEvent* e : after) {
    if (std::find(before.begin(), before.end(), e) != before.end()) continue;
    if (std::any_of(
            retracted.begin(), retracted.end(),
            [e](const StoredCareEvent* r) { return DependsOn(*e, *r); }))
      continue;
    return ViolationAt(timeline, *e);
  }
  return std::nullopt;
}

// Puts fresh[index], an event that lands inside the history (or a
// retraction), into `timeline` (the effective timeline of the history and the
// request's events before it) and checks it against the events before it
// there. A retraction takes its target out (what a retraction names is
// checked by CheckEachEvent).
std::optional<RuleViolation> EnterTimeline(
    std::vector<StoredCareEventPtr>& timeline,
    const std::vector<StoredCareEventPtr>& fresh, size_t index) {
  const StoredCareEventPtr& e = fresh[index];
  if (e->event.has_event_retracted()) {
    const std::string& target = e->event.event_retracted().event_id();
    std::erase_if(timeline, [&target](const StoredCareEventPtr& t) {
      return t->event.event_id() == target;
    });
    return std::nullopt;
  }
  // Versions only grow, so among equal instants the new event goes last.
  timeline.insert(
      std::upper_bound(timeline.begin(), timeline.end(), e, TimelineBeforePtr),
      e);
  return ViolationAt(timeline, *e);
}

// The request's events each fit where they landed, but an event recorded
// before (or earlier in the request) no longer fits once they are in: names
// the first new event after which one does not, and the event it breaks.
Status BlameInside(const PersonState& before,
                   const std::vector<StoredCareEventPtr>& fresh) {
  const uint64_t first_new = before.version() + 1;
  // What did not fit before the request, once (the scan below folds the
  // history once per first part of the request).
  const auto misfits = Misfits(before.timeline());
  for (size_t count = 1; count <= fresh.size(); ++count) {
    auto v = NewMisfit(before.recorded(), fresh, count, &misfits);
    if (!v) continue;
    const size_t blame = count - 1;
    if (v->event->version == first_new + blame)
      return RuleError(blame, v->field, v->message);
    const bool retraction = fresh[blame]->event.has_event_retracted();
    std::string field = retraction ? "eventRetracted.eventId" : "occurredAt";
    if (v->event->event.payload_case() == fresh[blame]->event.payload_case()) {
      field = v->field;  // two events of one kind clash: point at the same
                         // field of the new one
    }
    return RuleError(
        blame, field,
        std::string(retraction ? "with this retraction" : "with this event") +
            ", " + Describe(*v->event, first_new) +
            " no longer fits the history: " + v->message);
  }
  return Status::Ok();
}

}  // namespace

namespace {

// WrapEvents for a const (copied) or an rvalue (moved) vector of events.
template <typename Events>
std::vector<std::shared_ptr<StoredCareEvent>> Wrap(
    uint64_t first_version, Events&& events, int64_t recorded_at_micros,
    const std::string& recorded_by) {
  std::vector<std::shared_ptr<StoredCareEvent>> out;
  out.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    auto e = std::make_shared<StoredCareEvent>();
    e->version = first_version + i;
    e->recorded_at_micros = recorded_at_micros;
    e->recorded_by = recorded_by;
    auto t = ParseRfc3339(events[i].occurred_at());
    e->occurred_at = t.ok() ? *t : 0;
    if constexpr (std::is_const_v<std::remove_reference_t<Events>>) {
      e->event = events[i];
    } else {
      e->event = std::move(events[i]);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::vector<std::shared_ptr<StoredCareEvent>> WrapEvents(
    uint64_t first_version, const std::vector<schema::CareEvent>& events,
    int64_t recorded_at_micros, const std::string& recorded_by) {
  return Wrap(first_version, events, recorded_at_micros, recorded_by);
}

std::vector<std::shared_ptr<StoredCareEvent>> WrapEvents(
    uint64_t first_version, std::vector<schema::CareEvent>&& events,
    int64_t recorded_at_micros, const std::string& recorded_by) {
  return Wrap(first_version, events, recorded_at_micros, recorded_by);
}

std::vector<StoredCareEventPtr> AsNextEvents(
    const PersonState& before, const std::vector<schema::CareEvent>& events,
    int64_t recorded_at_micros, const std::string& recorded_by) {
  auto wrapped =
      WrapEvents(before.version() + 1, events, recorded_at_micros, recorded_by);
  return std::vector<StoredCareEventPtr>(wrapped.begin(), wrapped.end());
}

Status CheckRules(const PersonState& before,
                  const std::vector<schema::CareEvent>& events, Instant now) {
  return CheckRules(before, AsNextEvents(before, events), now);
}

Status CheckRules(const PersonState& before,
                  const std::vector<StoredCareEventPtr>& fresh, Instant now) {
  // The recorder's own path, on a copy.
  PersonState copy = before;
  return CheckAndExtend(copy, fresh, now);
}

Status CheckAndExtend(PersonState& state,
                      const std::vector<StoredCareEventPtr>& fresh,
                      Instant now) {
  CARELOG_RETURN_IF_ERROR(CheckEachEvent(state, fresh, now));
  // Each event in the order sent, against what happened before it in the
  // history the events before it built (SPEC.md "Rules": "checked in order
  // against the history they build").
  const uint64_t before = state.version();
  // An event at the end of the timeline is checked against the state's facts;
  // one inside it (or a retraction) against the recorded events folded up to
  // it, and waits in `pending` until an event at the end needs the state.
  bool inside = false;
  std::vector<StoredCareEventPtr> pending;
  // Once an event lands inside: the effective timeline of the history and
  // the request's events so far (the state's, with `pending` merged in).
  std::vector<StoredCareEventPtr> timeline;
  std::optional<Instant> last;  // no effective event occurs later
  if (!state.timeline().empty()) last = state.timeline().back()->occurred_at;
  for (size_t i = 0; i < fresh.size(); ++i) {
    const StoredCareEvent& e = *fresh[i];
    const bool retraction = e.event.has_event_retracted();
    std::optional<RuleViolation> v;
    if (!retraction && (!last || e.occurred_at >= *last)) {
      if (!pending.empty()) {
        state.Extend(pending);
        pending.clear();
      }
      v = CheckEvent(state.facts(), e);
      if (!v) {
        state.Extend(fresh[i]);
        if (inside) timeline.push_back(fresh[i]);
      }
    } else {
      if (!inside) timeline = state.timeline();
      inside = true;
      v = EnterTimeline(timeline, fresh, i);
      if (!v) pending.push_back(fresh[i]);
    }
    if (!v && before > 0 && e.event.has_person_registered())
      v = FootingProblem(state, before, fresh, i);
    if (v) {
      state.TruncateTo(before);
      return RuleError(i, v->field, v->message);
    }
    if (!retraction)
      last = last ? std::max(*last, e.occurred_at) : e.occurred_at;
  }
  if (!pending.empty()) state.Extend(pending);
  if (!inside) return Status::Ok();
  // And every event after a new one inside the history still fits.
  const std::vector<StoredCareEventPtr> history(
      state.recorded().begin(),
      state.recorded().begin() + static_cast<ptrdiff_t>(before));
  if (NewMisfit(history, fresh, fresh.size(), nullptr, &state.timeline())) {
    state.TruncateTo(before);
    return BlameInside(state, fresh);
  }
  return Status::Ok();
}

}  // namespace carelog
