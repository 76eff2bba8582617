#include "services/rules.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace carelog {
namespace {

using Case = schema::CareEvent::PayloadCase;

// A rule an event breaks: which event, which field (relative to the event) and
// why.
struct Violation {
  const StoredCareEvent* event = nullptr;
  std::string field;
  std::string message;
};

std::string When(Instant t) { return FormatRfc3339London(t); }

// Where each id of the whole timeline first starts, for messages that say "S1
// is admitted later".
class StartIndex {
 public:
  explicit StartIndex(const std::vector<StoredCareEventPtr>& timeline) {
    for (const auto& e : timeline) {
      const std::string* id = StartedId(e->event);
      if (id != nullptr)
        starts_.emplace(Key(e->event.payload_case(), *id), e->occurred_at);
    }
  }
  std::optional<Instant> Find(Case start, const std::string& id) const {
    auto it = starts_.find(Key(start, id));
    if (it == starts_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static std::string Key(Case c, const std::string& id) {
    return std::to_string(static_cast<int>(c)) + "|" + id;
  }
  static const std::string* StartedId(const schema::CareEvent& e) {
    switch (e.payload_case()) {
      case Case::kReferralReceived:
        return &e.referral_received().referral_id();
      case Case::kJointAssessmentStarted:
        return &e.joint_assessment_started().assessment_id();
      case Case::kCarePackageStarted:
        return &e.care_package_started().package_id();
      case Case::kHospitalAdmitted:
        return &e.hospital_admitted().spell_id();
      case Case::kCareHomeAdmitted:
        return &e.care_home_admitted().placement_id();
      default:
        return nullptr;
    }
  }
  std::unordered_map<std::string, Instant> starts_;
};

struct Checker {
  const PersonFacts& f;
  const StoredCareEvent& s;
  const StartIndex& starts;
  std::string payload = PayloadName(s.event);
  Instant t = s.occurred_at;

  std::optional<Violation> Fail(const std::string& field,
                                std::string message) const {
    return Violation{&s, field.empty() ? payload : payload + "." + field,
                     std::move(message)};
  }

  // "no spell S1 ...": the id is not started at or before t; says when it
  // starts if it does.
  std::optional<Violation> Missing(const std::string& field, Case start,
                                   const std::string& what,
                                   const std::string& id,
                                   const std::string& start_name) const {
    std::optional<Instant> later = starts.Find(start, id);
    std::string head = payload + " at " + When(t);
    if (later) {
      return Fail(field, head + " is before the " + start_name + " of " + what +
                             " " + id + " at " + When(*later) +
                             ": it must occur at or after that");
    }
    return Fail(field, head + " names " + what + " " + id +
                           ", which this person does not have: "
                           "record its " +
                           start_name + " first");
  }

  std::optional<Violation> Duplicate(const std::string& field,
                                     const std::string& what,
                                     const std::string& id,
                                     Instant since) const {
    return Fail(field,
                what + " " + id + " already exists for this person (since " +
                    When(since) +
                    "): ids are unique within a person, choose a new " + field);
  }

  // A spell event must fall within the spell: after its admission, not after
  // its discharge.
  std::optional<Violation> InSpell(const Spell* spell,
                                   const std::string& id) const {
    if (spell == nullptr) {
      return Missing("spellId", Case::kHospitalAdmitted, "spell", id,
                     "admission");
    }
    if (spell->discharged_at) {
      return Fail(
          "spellId",
          payload + " at " + When(t) + " is after the discharge of spell " +
              id + " at " + When(*spell->discharged_at) +
              ": it must fall within the spell, from admission to discharge");
    }
    return std::nullopt;
  }

  std::optional<Violation> Run() const;
  std::optional<Violation> Payload() const;
};

std::optional<Violation> Checker::Run() const {
  const Case kind = s.event.payload_case();
  if (!f.registered()) {
    if (kind != Case::kPersonRegistered) {
      return Fail("", payload + " at " + When(t) +
                          " comes before the person is registered: the first "
                          "event of a person is "
                          "personRegistered, at or before every other event");
    }
    auto birth = ParseDate(s.event.person_registered().birth_date());
    if (birth.ok() && LondonDate(t) < *birth) {
      return Violation{&s, "occurredAt",
                       "personRegistered at " + When(t) +
                           " is before the birth date " + FormatDate(*birth) +
                           ": events occur on or after the birth date"};
    }
    return std::nullopt;
  }
  if (kind == Case::kPersonRegistered) {
    return Fail("", "the person is already registered (personRegistered at " +
                        When(*f.registered_at()) +
                        "): a second personRegistered is refused; use "
                        "personMoved for a change "
                        "of area");
  }
  if (f.birth_date() && LondonDate(t) < *f.birth_date()) {
    return Violation{
        &s, "occurredAt",
        payload + " at " + When(t) + " is before the person's birth date " +
            FormatDate(*f.birth_date()) + ": events occur on or after it"};
  }
  if (f.died_at()) {
    if (kind == Case::kPersonDied) {
      return Fail("", "the person's death is already recorded (on " +
                          FormatDate(*f.died_on()) + "): record it once");
    }
    if (kind != Case::kFollowUpRecorded && LondonDate(t) > *f.died_on()) {
      return Violation{
          &s, "occurredAt",
          payload + " at " + When(t) + " is after the person's death on " +
              FormatDate(*f.died_on()) +
              ": after a death only followUpRecorded and eventRetracted are "
              "accepted"};
    }
  }
  return Payload();
}

std::optional<Violation> Checker::Payload() const {
  const schema::CareEvent& e = s.event;
  switch (e.payload_case()) {
    case Case::kReferralReceived: {
      const std::string& id = e.referral_received().referral_id();
      if (const Referral* r = f.FindReferral(id)) {
        return Duplicate("referralId", "referral", id, r->received_at);
      }
      return std::nullopt;
    }
    case Case::kReferralAccepted:
    case Case::kReferralDeclined: {
      const std::string& id = e.has_referral_accepted()
                                  ? e.referral_accepted().referral_id()
                                  : e.referral_declined().referral_id();
      const Referral* r = f.FindReferral(id);
      if (r == nullptr) {
        return Missing("referralId", Case::kReferralReceived, "referral", id,
                       "referralReceived");
      }
      if (r->response != Referral::Response::kNone) {
        return Fail(
            "referralId",
            "referral " + id + " was already " +
                (r->response == Referral::Response::kAccepted ? "accepted"
                                                              : "declined") +
                " at " + When(*r->responded_at) +
                ": a referral gets one response (accepted or declined)");
      }
      return std::nullopt;
    }
    case Case::kJointAssessmentStarted: {
      const auto& p = e.joint_assessment_started();
      if (const Assessment* a = f.FindAssessment(p.assessment_id())) {
        return Duplicate("assessmentId", "joint assessment", p.assessment_id(),
                         a->started_at);
      }
      if (!p.referral_id().empty() &&
          f.FindReferral(p.referral_id()) == nullptr) {
        return Missing("referralId", Case::kReferralReceived, "referral",
                       p.referral_id(), "referralReceived");
      }
      bool health = false, social_care = false;
      for (const auto& part : p.participants()) {
        health = health || part.sector() == schema::Sector::HEALTH;
        social_care =
            social_care || part.sector() == schema::Sector::SOCIAL_CARE;
      }
      if (!health || !social_care) {
        return Fail(
            "participants",
            std::string("a joint assessment needs at least one HEALTH and one "
                        "SOCIAL_CARE participant; this one has no ") +
                (!health ? "HEALTH" : "SOCIAL_CARE") + " participant");
      }
      return std::nullopt;
    }
    case Case::kJointAssessmentCompleted: {
      const std::string& id = e.joint_assessment_completed().assessment_id();
      const Assessment* a = f.FindAssessment(id);
      if (a == nullptr) {
        return Missing("assessmentId", Case::kJointAssessmentStarted,
                       "joint assessment", id, "jointAssessmentStarted");
      }
      if (a->completed_at) {
        return Fail("assessmentId",
                    "joint assessment " + id + " was already completed at " +
                        When(*a->completed_at) + ": complete it once");
      }
      return std::nullopt;
    }
    case Case::kCarePackageStarted: {
      const auto& p = e.care_package_started();
      if (const CarePackage* c = f.FindPackage(p.package_id())) {
        return Duplicate("packageId", "care package", p.package_id(),
                         c->started_at);
      }
      if (!p.assessment_id().empty() &&
          f.FindAssessment(p.assessment_id()) == nullptr) {
        return Missing("assessmentId", Case::kJointAssessmentStarted,
                       "joint assessment", p.assessment_id(),
                       "jointAssessmentStarted");
      }
      return std::nullopt;
    }
    case Case::kAccountableProfessionalAssigned:
    case Case::kCarePackageEnded: {
      const std::string& id =
          e.has_care_package_ended()
              ? e.care_package_ended().package_id()
              : e.accountable_professional_assigned().package_id();
      const CarePackage* c = f.FindPackage(id);
      if (c == nullptr) {
        return Missing("packageId", Case::kCarePackageStarted, "care package",
                       id, "carePackageStarted");
      }
      if (c->ended_at) {
        return Fail("packageId", "care package " + id + " ended at " +
                                     When(*c->ended_at) + "; " + payload +
                                     " at " + When(t) +
                                     " needs an open package");
      }
      return std::nullopt;
    }
    case Case::kAeAttended: {
      const std::string& id = e.ae_attended().attendance_id();
      if (const AeAttendance* a = f.FindAttendance(id)) {
        return Duplicate("attendanceId", "A&E attendance", id, a->attended_at);
      }
      return std::nullopt;
    }
    case Case::kHospitalAdmitted: {
      const std::string& id = e.hospital_admitted().spell_id();
      if (const Spell* sp = f.FindSpell(id)) {
        return Duplicate("spellId", "spell", id, sp->admitted_at);
      }
      if (const Spell* open = f.OpenSpell()) {
        return Fail(
            "spellId",
            "hospitalAdmitted at " + When(t) + " overlaps spell " +
                open->spell_id + " (admitted at " + When(open->admitted_at) +
                ", not discharged by then): hospital spells do not overlap; "
                "record the discharge of " +
                open->spell_id + " at or before " + When(t) + " first");
      }
      return std::nullopt;
    }
    case Case::kReadyForDischarge: {
      const std::string& id = e.ready_for_discharge().spell_id();
      const Spell* sp = f.FindSpell(id);
      if (auto v = InSpell(sp, id)) return v;
      if (const Readiness* r = sp->CurrentReadiness()) {
        return Fail(
            "spellId",
            "the person is already ready for discharge in spell " + id +
                " since " + When(r->ready_at) +
                ": record readyForDischargeWithdrawn before giving it again");
      }
      return std::nullopt;
    }
    case Case::kReadyForDischargeWithdrawn:
    case Case::kDischargeDelayRecorded: {
      const bool delay = e.has_discharge_delay_recorded();
      const std::string& id =
          delay ? e.discharge_delay_recorded().spell_id()
                : e.ready_for_discharge_withdrawn().spell_id();
      const Spell* sp = f.FindSpell(id);
      if (auto v = InSpell(sp, id)) return v;
      if (sp->CurrentReadiness() == nullptr) {
        std::string since = sp->readiness.empty()
                                ? "no readyForDischarge at or before then"
                                : "its readiness was withdrawn at " +
                                      When(*sp->readiness.back().ended_at);
        return Fail(
            "spellId",
            std::string(delay
                            ? "a delay reason needs the person to be ready for "
                              "discharge at that moment"
                            : "there is no readiness to withdraw") +
                ": at " + When(t) + " the person is not ready in spell " + id +
                " (" + since + ")");
      }
      return std::nullopt;
    }
    case Case::kDischarged: {
      const std::string& id = e.discharged().spell_id();
      const Spell* sp = f.FindSpell(id);
      if (sp == nullptr) {
        return Missing("spellId", Case::kHospitalAdmitted, "spell", id,
                       "admission");
      }
      if (sp->discharged_at) {
        return Fail("spellId", "spell " + id + " was already discharged at " +
                                   When(*sp->discharged_at) +
                                   ": discharge a spell once");
      }
      return std::nullopt;
    }
    case Case::kFollowUpRecorded: {
      const std::string& id = e.follow_up_recorded().spell_id();
      const Spell* sp = f.FindSpell(id);
      if (sp == nullptr) {
        return Missing("spellId", Case::kHospitalAdmitted, "spell", id,
                       "admission");
      }
      if (!sp->discharged_at) {
        return Fail("spellId",
                    "followUpRecorded at " + When(t) +
                        " needs a discharge of spell " + id +
                        " to REABLEMENT or REHABILITATION_BED before it; the "
                        "spell has no discharge by then");
      }
      if (!sp->DischargedToReablement()) {
        return Fail("spellId",
                    "spell " + id + " was discharged to " +
                        schema::Destination::Value_Name(sp->destination) +
                        "; followUpRecorded needs a discharge to REABLEMENT or "
                        "REHABILITATION_BED");
      }
      return std::nullopt;
    }
    case Case::kCareHomeAdmitted: {
      const std::string& id = e.care_home_admitted().placement_id();
      if (const Placement* p = f.FindPlacement(id)) {
        return Duplicate("placementId", "placement", id, p->admitted_at);
      }
      return std::nullopt;
    }
    case Case::kCareHomeLeft: {
      const std::string& id = e.care_home_left().placement_id();
      const Placement* p = f.FindPlacement(id);
      if (p == nullptr) {
        return Missing("placementId", Case::kCareHomeAdmitted, "placement", id,
                       "careHomeAdmitted");
      }
      if (p->left_at) {
        return Fail("placementId", "placement " + id + " was already left at " +
                                       When(*p->left_at) +
                                       ": leave a placement once");
      }
      return std::nullopt;
    }
    case Case::kExperienceSurveyCompleted: {
      const std::string& id = e.experience_survey_completed().survey_id();
      if (const Survey* sv = f.FindSurvey(id)) {
        return Duplicate("surveyId", "survey", id, sv->completed_at);
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

// The first rule broken along a timeline, each event checked against the
// history before it.
std::optional<Violation> FirstViolation(
    const std::vector<StoredCareEventPtr>& timeline) {
  PersonFacts facts;
  std::optional<StartIndex> starts;
  static const std::vector<StoredCareEventPtr> kNone;
  const StartIndex no_lookahead(kNone);
  for (const auto& e : timeline) {
    if (Checker{facts, *e, no_lookahead}.Run()) {
      if (!starts) starts.emplace(timeline);
      return Checker{facts, *e, *starts}.Run();
    }
    facts.Apply(*e);
  }
  return std::nullopt;
}

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
  return std::nullopt;
}

std::vector<StoredCareEventPtr> Joined(
    const PersonState& before, const std::vector<StoredCareEventPtr>& fresh,
    size_t count) {
  std::vector<StoredCareEventPtr> all = before.recorded();
  all.insert(all.end(), fresh.begin(),
             fresh.begin() + static_cast<ptrdiff_t>(count));
  return all;
}

}  // namespace

std::vector<StoredCareEventPtr> AsNextEvents(
    const PersonState& before, const std::vector<schema::CareEvent>& events,
    int64_t recorded_at_micros, const std::string& recorded_by) {
  std::vector<StoredCareEventPtr> out;
  out.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    auto e = std::make_shared<StoredCareEvent>();
    e->version = before.version() + 1 + i;
    e->recorded_at_micros = recorded_at_micros;
    e->recorded_by = recorded_by;
    auto t = ParseRfc3339(events[i].occurred_at());
    e->occurred_at = t.ok() ? *t : 0;
    e->event = events[i];
    out.push_back(std::move(e));
  }
  return out;
}

Status CheckRules(const PersonState& before,
                  const std::vector<schema::CareEvent>& events, Instant now) {
  const std::vector<StoredCareEventPtr> fresh = AsNextEvents(before, events);
  const uint64_t first_new = before.version() + 1;
  bool in_order = true;
  Instant last = before.timeline().empty()
                     ? fresh.front()->occurred_at
                     : before.timeline().back()->occurred_at;
  for (size_t i = 0; i < fresh.size(); ++i) {
    if (auto problem = InstantProblem(*fresh[i], now))
      return RuleError(i, "occurredAt", *problem);
    if (fresh[i]->event.has_event_retracted()) {
      in_order = false;
      if (auto problem = RetractionProblem(before, fresh, i)) {
        return RuleError(i, "eventRetracted.eventId", *problem);
      }
    }
    if (fresh[i]->occurred_at < last) in_order = false;
    last = std::max(last, fresh[i]->occurred_at);
  }

  if (in_order) {
    // Everything new comes after the history: check each against the history
    // before it.
    PersonFacts facts = before.facts();
    static const std::vector<StoredCareEventPtr> kNone;
    StartIndex no_lookahead(kNone);
    for (size_t i = 0; i < fresh.size(); ++i) {
      if (auto v = Checker{facts, *fresh[i], no_lookahead}.Run()) {
        return RuleError(i, v->field, v->message);
      }
      facts.Apply(*fresh[i]);
    }
    return Status::Ok();
  }

  // Some event lands inside the history or retracts one: re-check the whole
  // timeline.
  auto v = FirstViolation(
      PersonState::EffectiveTimeline(Joined(before, fresh, fresh.size())));
  if (!v) return Status::Ok();
  // Blame the event after which no later event of the request could make the
  // history fit.
  size_t blame = 0;
  for (size_t k = fresh.size(); k-- > 0;) {
    if (!FirstViolation(
            PersonState::EffectiveTimeline(Joined(before, fresh, k)))) {
      blame = k;
      break;
    }
  }
  if (v->event->version == first_new + blame)
    return RuleError(blame, v->field, v->message);
  const bool retraction = fresh[blame]->event.has_event_retracted();
  std::string field = retraction ? "eventRetracted.eventId" : "occurredAt";
  if (v->event->event.payload_case() == fresh[blame]->event.payload_case()) {
    field = v->field;  // two events of one kind clash: point at the same field
                       // of the new one
  }
  return RuleError(
      blame, field,
      std::string(retraction ? "with this retraction" : "with this event") +
          ", " + Describe(*v->event, first_new) +
          " no longer fits the history: " + v->message);
}

}  // namespace carelog
