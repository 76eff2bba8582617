#include "services/event_rules.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "services/event_format.h"

namespace carelog {
namespace {

using Case = schema::CareEvent::PayloadCase;
using Violation = RuleViolation;

std::string When(Instant t) { return FormatRfc3339London(t); }

// Where an id of the whole timeline first starts, for messages that say "S1
// is admitted later". Only a refusal's message asks, so the timeline is
// searched then, not indexed for every event checked.
class StartIndex {
 public:
  explicit StartIndex(const std::vector<StoredCareEventPtr>* timeline)
      : timeline_(timeline) {}
  std::optional<Instant> Find(Case start, const std::string& id) const {
    if (timeline_ == nullptr) return std::nullopt;
    for (const auto& e : *timeline_) {
      if (e->event.payload_case() != start) continue;
      const std::string* started = StartedId(e->event);
      if (started != nullptr && *started == id) return e->occurred_at;
    }
    return std::nullopt;
  }

 private:
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
  const std::vector<StoredCareEventPtr>* timeline_;
};

struct Checker {
  const PersonFacts& f;
  const StoredCareEvent& s;
  const StartIndex& starts;
  // The first registration of the whole timeline, when known: the one an
  // event occurring before any registration is judged against.
  const StoredCareEvent* registration;
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

  // occurredAt before the birth date that `r` gives.
  std::optional<Violation> BeforeBirth(
      const schema::PersonRegistered& r) const {
    auto birth = ParseDate(r.birth_date());
    if (!birth.ok() || LondonDate(t) >= *birth) return std::nullopt;
    return Violation{&s, "occurredAt",
                     payload + " at " + When(t) + " is before the birth date " +
                         FormatDate(*birth) +
                         ": events occur on or after the birth date"};
  }
  std::optional<Violation> AfterDeath() const;
  // The rules of an event occurring before `registration`: no move, not
  // before its birth date.
  std::optional<Violation> BeforeRegistration() const {
    if (s.event.payload_case() == Case::kPersonMoved) {
      return Fail("", "personMoved at " + When(t) +
                          " is before the person's registration at " +
                          When(registration->occurred_at) +
                          ": a move changes the area the person was "
                          "registered in; give the registration the area "
                          "they lived in first");
    }
    return BeforeBirth(registration->event.person_registered());
  }

  std::optional<Violation> Run() const;
  std::optional<Violation> Payload() const;
};

std::optional<Violation> Checker::Run() const {
  const Case kind = s.event.payload_case();
  if (kind == Case::kPersonRegistered) {
    if (f.registered()) {
      return Fail("", "the person is already registered (personRegistered at " +
                          When(*f.registered_at()) +
                          "): a second personRegistered is refused; use "
                          "personMoved for a change of area");
    }
    if (auto v = BeforeBirth(s.event.person_registered())) return v;
    return AfterDeath();
  }
  if (!f.registered()) {
    // Before the registration in time (recorded after it, or later in the
    // same request): judged against the registration the timeline holds.
    if (registration == nullptr) {
      return Fail("", payload + " at " + When(t) +
                          ": the person is not registered; the first event "
                          "of a person is personRegistered");
    }
    if (auto v = BeforeRegistration()) return v;
  }
  if (f.birth_date() && LondonDate(t) < *f.birth_date()) {
    return Violation{
        &s, "occurredAt",
        payload + " at " + When(t) + " is before the person's birth date " +
            FormatDate(*f.birth_date()) + ": events occur on or after it"};
  }
  if (auto v = AfterDeath()) return v;
  return Payload();
}

std::optional<Violation> Checker::AfterDeath() const {
  if (!f.died_at()) return std::nullopt;
  const Case kind = s.event.payload_case();
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
  return std::nullopt;
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
      // Given again while ready (readiness re-confirmed) breaks no rule of
      // SPEC.md: accepted, and the clock keeps running from the first.
      return InSpell(sp, id);
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

}  // namespace

namespace {

const StoredCareEvent* FirstRegistration(
    const std::vector<StoredCareEventPtr>& timeline) {
  for (const auto& e : timeline) {
    if (e->event.has_person_registered()) return e.get();
  }
  return nullptr;
}

// The ids an event names or starts, each with the kind of event that starts
// it: a readiness names its spell, an assessment its own id and its referral.
std::vector<std::pair<Case, std::string>> IdsNamed(const schema::CareEvent& e) {
  std::vector<std::pair<Case, std::string>> ids;
  auto add = [&ids](Case start, const std::string& id) {
    if (!id.empty()) ids.emplace_back(start, id);
  };
  switch (e.payload_case()) {
    case Case::kReferralReceived:
      add(Case::kReferralReceived, e.referral_received().referral_id());
      break;
    case Case::kReferralAccepted:
      add(Case::kReferralReceived, e.referral_accepted().referral_id());
      break;
    case Case::kReferralDeclined:
      add(Case::kReferralReceived, e.referral_declined().referral_id());
      break;
    case Case::kJointAssessmentStarted:
      add(Case::kJointAssessmentStarted,
          e.joint_assessment_started().assessment_id());
      add(Case::kReferralReceived, e.joint_assessment_started().referral_id());
      break;
    case Case::kJointAssessmentCompleted:
      add(Case::kJointAssessmentStarted,
          e.joint_assessment_completed().assessment_id());
      break;
    case Case::kCarePackageStarted:
      add(Case::kCarePackageStarted, e.care_package_started().package_id());
      add(Case::kJointAssessmentStarted,
          e.care_package_started().assessment_id());
      break;
    case Case::kAccountableProfessionalAssigned:
      add(Case::kCarePackageStarted,
          e.accountable_professional_assigned().package_id());
      break;
    case Case::kCarePackageEnded:
      add(Case::kCarePackageStarted, e.care_package_ended().package_id());
      break;
    case Case::kHospitalAdmitted:
      add(Case::kHospitalAdmitted, e.hospital_admitted().spell_id());
      break;
    case Case::kReadyForDischarge:
      add(Case::kHospitalAdmitted, e.ready_for_discharge().spell_id());
      break;
    case Case::kReadyForDischargeWithdrawn:
      add(Case::kHospitalAdmitted,
          e.ready_for_discharge_withdrawn().spell_id());
      break;
    case Case::kDischargeDelayRecorded:
      add(Case::kHospitalAdmitted, e.discharge_delay_recorded().spell_id());
      break;
    case Case::kDischarged:
      add(Case::kHospitalAdmitted, e.discharged().spell_id());
      break;
    case Case::kFollowUpRecorded:
      add(Case::kHospitalAdmitted, e.follow_up_recorded().spell_id());
      break;
    case Case::kCareHomeAdmitted:
      add(Case::kCareHomeAdmitted, e.care_home_admitted().placement_id());
      break;
    case Case::kCareHomeLeft:
      add(Case::kCareHomeAdmitted, e.care_home_left().placement_id());
      break;
    default:
      break;
  }
  return ids;
}

}  // namespace

std::optional<RuleViolation> CheckEvent(
    const PersonFacts& before, const StoredCareEvent& event,
    const std::vector<StoredCareEventPtr>* timeline) {
  const StartIndex starts(timeline);
  return Checker{before, event, starts,
                 timeline != nullptr ? FirstRegistration(*timeline) : nullptr}
      .Run();
}

std::optional<Violation> ViolationAt(
    const std::vector<StoredCareEventPtr>& timeline,
    const StoredCareEvent& target) {
  PersonFacts facts;
  for (const auto& e : timeline) {
    if (e.get() == &target) return CheckEvent(facts, target, &timeline);
    facts.Apply(*e);
  }
  return std::nullopt;
}

std::vector<const StoredCareEvent*> Misfits(
    const std::vector<StoredCareEventPtr>& timeline) {
  const StartIndex no_starts(nullptr);
  const StoredCareEvent* registration = FirstRegistration(timeline);
  std::vector<const StoredCareEvent*> out;
  PersonFacts facts;
  for (const auto& e : timeline) {
    if (Checker{facts, *e, no_starts, registration}.Run())
      out.push_back(e.get());
    facts.Apply(*e);
  }
  return out;
}

std::optional<RuleViolation> RegistrationMisfit(
    const StoredCareEvent& event, const StoredCareEvent& registration) {
  const StartIndex no_starts(nullptr);
  const PersonFacts none;
  const Checker check{none, event, no_starts, &registration};
  if (TimelineBefore(event, registration)) return check.BeforeRegistration();
  return check.BeforeBirth(registration.event.person_registered());
}

bool DependsOn(const StoredCareEvent& event, const StoredCareEvent& retracted) {
  if (retracted.event.has_person_registered()) return true;
  const auto named = IdsNamed(event.event);
  for (const auto& id : IdsNamed(retracted.event)) {
    if (std::find(named.begin(), named.end(), id) != named.end()) return true;
  }
  return false;
}

}  // namespace carelog
