#include "services/event_format.h"

#include <string_view>

#include "services/calendar.h"
#include "services/view_index.h"

namespace carelog {
namespace {

using Case = schema::CareEvent::PayloadCase;

// Collects the problems of one part of a request under a field prefix such as
// "events[2].hospitalAdmitted": the event's index and the path below it
// (".hospitalAdmitted"), joined only when a problem is reported, so that a
// well-formed event builds only the short path strings below its index.
class FieldChecker {
 public:
  FieldChecker(std::vector<FieldError>* errors, size_t index, std::string path)
      : errors_(errors), index_(index), path_(std::move(path)) {}

  FieldChecker Sub(std::string_view name) const {
    std::string path = path_;
    path.append(".").append(name);
    return {errors_, index_, std::move(path)};
  }

  void Fail(const std::string& field, std::string message) const {
    std::string name = "events[" + std::to_string(index_) + "]" + path_;
    if (!field.empty()) name.append(".").append(field);
    errors_->push_back(FieldError{std::move(name), std::move(message)});
  }

  // A required identifier: present, at most kMaxIdLength characters, no control
  // characters.
  void Id(const std::string& field, const std::string& value) const {
    if (value.empty()) {
      Fail(field, "is missing: give the " + field + " this event refers to");
    } else if (value.size() > kMaxIdLength) {
      Fail(field, "is " + std::to_string(value.size()) +
                      " characters long; at most " +
                      std::to_string(kMaxIdLength) + " are allowed");
    } else if (HasControl(value)) {
      Fail(field, "contains control characters; use printable text");
    }
  }

  void RequiredText(const std::string& field, const std::string& value) const {
    if (value.empty()) {
      Fail(field, "is missing");
    } else {
      OptionalText(field, value);
    }
  }

  void OptionalText(const std::string& field, const std::string& value) const {
    if (value.size() > kMaxTextLength) {
      Fail(field, "is " + std::to_string(value.size()) +
                      " characters long; at most " +
                      std::to_string(kMaxTextLength) + " are allowed");
    }
  }

  // A required enum: value 0 means "not given".
  template <typename IsValid>
  void Enum(const std::string& field, int value, IsValid is_valid,
            const char* allowed) const {
    if (value == 0) {
      Fail(field, std::string("is missing: give one of ") + allowed);
    } else if (!is_valid(value)) {
      Fail(field, "has no value " + std::to_string(value) + ": give one of " +
                      allowed);
    }
  }

  // An optional enum: 0 is "not given", other unknown numbers are refused.
  template <typename IsValid>
  void OptionalEnum(const std::string& field, int value, IsValid is_valid,
                    const char* allowed) const {
    if (value != 0 && !is_valid(value)) {
      Fail(field, "has no value " + std::to_string(value) + ": give one of " +
                      allowed);
    }
  }

  void RequiredBool(const std::string& field, bool present) const {
    if (!present) Fail(field, "is missing: give true or false");
  }

  void AreaCode(const std::string& field, const std::string& value) const {
    bool ok = value.size() == 9 && value[0] >= 'A' && value[0] <= 'Z';
    for (size_t i = 1; ok && i < value.size(); ++i)
      ok = value[i] >= '0' && value[i] <= '9';
    if (value.empty()) {
      Fail(field,
           "is missing: give the ONS code of the area of residence, e.g. "
           "E09000002");
    } else if (!ok) {
      Fail(field,
           "'" + value +
               "' is not an ONS area code (a capital letter and 8 digits, e.g. "
               "E09000002)");
    }
  }

 private:
  static bool HasControl(const std::string& s) {
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
  }

  std::vector<FieldError>* errors_;
  size_t index_;
  std::string path_;
};

constexpr const char* kSectors =
    "HEALTH, SOCIAL_CARE, VOLUNTARY, HOUSING, SELF";

void CheckPayload(const schema::CareEvent& e, const FieldChecker& c) {
  switch (e.payload_case()) {
    case Case::kPersonRegistered: {
      const auto& p = e.person_registered();
      if (p.birth_date().empty()) {
        c.Fail("birthDate", "is missing: give the date of birth as YYYY-MM-DD");
      } else if (auto d = ParseDate(p.birth_date()); !d.ok()) {
        c.Fail("birthDate", d.status().message());
      }
      c.AreaCode("areaCode", p.area_code());
      c.OptionalText("gpPractice", p.gp_practice());
      c.OptionalEnum("nhsNumberStatus", p.nhs_number_status(),
                     schema::NhsNumberStatus::Value_IsValid,
                     "VERIFIED, UNVERIFIED");
      for (int i = 0; i < p.local_ids_size(); ++i) {
        FieldChecker local = c.Sub("localIds[" + std::to_string(i) + "]");
        local.Id("system", p.local_ids(i).system());
        local.Id("value", p.local_ids(i).value());
      }
      return;
    }
    case Case::kPersonMoved:
      c.AreaCode("areaCode", e.person_moved().area_code());
      return;
    case Case::kNhsNumberVerified:
    case Case::kPersonDied:
      return;
    case Case::kLocalIdLinked:
      c.Id("system", e.local_id_linked().system());
      c.Id("value", e.local_id_linked().value());
      return;
    case Case::kReferralReceived: {
      const auto& p = e.referral_received();
      c.Id("referralId", p.referral_id());
      c.Enum("fromSector", p.from_sector(), schema::Sector::Value_IsValid,
             kSectors);
      c.OptionalText("fromOrganisation", p.from_organisation());
      c.OptionalText("toService", p.to_service());
      c.OptionalText("reason", p.reason());
      c.Enum("urgency", p.urgency(), schema::Urgency::Value_IsValid,
             "ROUTINE, URGENT, CRISIS");
      return;
    }
    case Case::kReferralAccepted:
      c.Id("referralId", e.referral_accepted().referral_id());
      return;
    case Case::kReferralDeclined:
      c.Id("referralId", e.referral_declined().referral_id());
      c.OptionalText("reason", e.referral_declined().reason());
      return;
    case Case::kJointAssessmentStarted: {
      const auto& p = e.joint_assessment_started();
      c.Id("assessmentId", p.assessment_id());
      if (!p.referral_id().empty()) c.Id("referralId", p.referral_id());
      for (int i = 0; i < p.participants_size(); ++i) {
        FieldChecker part = c.Sub("participants[" + std::to_string(i) + "]");
        part.Id("professionalId", p.participants(i).professional_id());
        part.OptionalText("name", p.participants(i).name());
        part.Enum("sector", p.participants(i).sector(),
                  schema::Sector::Value_IsValid, kSectors);
        part.OptionalText("role", p.participants(i).role());
      }
      return;
    }
    case Case::kJointAssessmentCompleted:
      c.Id("assessmentId", e.joint_assessment_completed().assessment_id());
      c.Enum("outcome", e.joint_assessment_completed().outcome(),
             schema::AssessmentOutcome::Value_IsValid,
             "PACKAGE_NEEDED, NO_ELIGIBLE_NEEDS, REFERRED_ON");
      return;
    case Case::kCarePackageStarted: {
      const auto& p = e.care_package_started();
      c.Id("packageId", p.package_id());
      if (!p.assessment_id().empty()) c.Id("assessmentId", p.assessment_id());
      c.RequiredBool("integrated", p.has_integrated());
      c.OptionalText("scheme", p.scheme());
      return;
    }
    case Case::kAccountableProfessionalAssigned: {
      const auto& p = e.accountable_professional_assigned();
      c.Id("packageId", p.package_id());
      c.Id("professionalId", p.professional_id());
      c.RequiredText("name", p.name());
      c.OptionalText("role", p.role());
      c.OptionalText("organisation", p.organisation());
      c.OptionalEnum("sector", p.sector(), schema::Sector::Value_IsValid,
                     kSectors);
      c.OptionalText("phone", p.phone());
      return;
    }
    case Case::kCarePackageEnded:
      c.Id("packageId", e.care_package_ended().package_id());
      c.OptionalText("reason", e.care_package_ended().reason());
      return;
    case Case::kAeAttended:
      c.Id("attendanceId", e.ae_attended().attendance_id());
      c.OptionalText("site", e.ae_attended().site());
      return;
    case Case::kHospitalAdmitted: {
      const auto& p = e.hospital_admitted();
      c.Id("spellId", p.spell_id());
      c.OptionalText("provider", p.provider());
      c.OptionalText("site", p.site());
      c.Enum("method", p.method(), schema::AdmissionMethod::Value_IsValid,
             "EMERGENCY, ELECTIVE, MATERNITY, TRANSFER");
      return;
    }
    case Case::kReadyForDischarge:
      c.Id("spellId", e.ready_for_discharge().spell_id());
      return;
    case Case::kReadyForDischargeWithdrawn:
      c.Id("spellId", e.ready_for_discharge_withdrawn().spell_id());
      c.OptionalText("reason", e.ready_for_discharge_withdrawn().reason());
      return;
    case Case::kDischargeDelayRecorded: {
      const auto& p = e.discharge_delay_recorded();
      c.Id("spellId", p.spell_id());
      c.Enum("reason", p.reason(), schema::DelayReason::Value_IsValid,
             "A, B, C, D1, D2, E, F, G, H, I");
      c.Enum("agency", p.agency(), schema::Agency::Value_IsValid,
             "NHS, SOCIAL_CARE, BOTH");
      return;
    }
    case Case::kDischarged:
      c.Id("spellId", e.discharged().spell_id());
      c.Enum("destination", e.discharged().destination(),
             schema::Destination::Value_IsValid,
             "USUAL_RESIDENCE, REABLEMENT, REHABILITATION_BED, "
             "RESIDENTIAL_CARE, NURSING_CARE, "
             "OTHER_HOSPITAL, DIED, OTHER");
      return;
    case Case::kFollowUpRecorded:
      c.Id("spellId", e.follow_up_recorded().spell_id());
      c.Enum("status", e.follow_up_recorded().status(),
             schema::FollowUpStatus::Value_IsValid,
             "AT_HOME, IN_HOSPITAL, IN_CARE_HOME, DIED, NOT_CONTACTED");
      return;
    case Case::kCareHomeAdmitted: {
      const auto& p = e.care_home_admitted();
      c.Id("placementId", p.placement_id());
      c.Enum("type", p.type(), schema::CareHomeType::Value_IsValid,
             "RESIDENTIAL, NURSING");
      c.RequiredBool("permanent", p.has_permanent());
      c.RequiredBool("councilSupported", p.has_council_supported());
      return;
    }
    case Case::kCareHomeLeft:
      c.Id("placementId", e.care_home_left().placement_id());
      return;
    case Case::kExperienceSurveyCompleted: {
      const auto& p = e.experience_survey_completed();
      c.Id("surveyId", p.survey_id());
      c.RequiredBool("positive", p.has_positive());
      c.OptionalText("question", p.question());
      return;
    }
    case Case::kEventRetracted:
      c.Id("eventId", e.event_retracted().event_id());
      c.OptionalText("reason", e.event_retracted().reason());
      return;
    case Case::PAYLOAD_NOT_SET:
      return;
  }
}

// PayloadName without a copy: the descriptor's own string.
std::string_view PayloadJsonName(const schema::CareEvent& event) {
  if (event.payload_case() == Case::PAYLOAD_NOT_SET) return "";
  const auto* field =
      schema::CareEvent::descriptor()->FindFieldByNumber(event.payload_case());
  return field == nullptr ? std::string_view() : field->json_name();
}

}  // namespace

std::string PayloadName(const schema::CareEvent& event) {
  return std::string(PayloadJsonName(event));
}

Status ValidateFormat(const std::vector<schema::CareEvent>& events) {
  std::vector<FieldError> errors;
  if (events.empty()) {
    errors.push_back({"events", "is empty: send at least one event"});
  } else if (events.size() > kMaxEventsPerRequest) {
    errors.push_back({"events", "has " + std::to_string(events.size()) +
                                    " events; a request carries at most " +
                                    std::to_string(kMaxEventsPerRequest)});
    return Status(Code::kInvalidArgument, "too many events in one request",
                  std::move(errors));
  }
  // The request's ids: positions in `events`, which hold them.
  ViewIndex ids;
  ids.Reserve(events.size());
  const auto id_of = [&events](size_t j) {
    return std::string_view(events[j].event_id());
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const schema::CareEvent& e = events[i];
    FieldChecker event(&errors, i, std::string());
    if (e.event_id().empty()) {
      event.Fail("eventId",
                 "is missing: give the event its own id (its idempotency key, "
                 "e.g. a UUID)");
    } else {
      event.Id("eventId", e.event_id());
    }
    if (!e.event_id().empty() && !ids.Insert(e.event_id(), i, id_of)) {
      event.Fail(
          "eventId",
          "'" + e.event_id() +
              "' is used by an earlier event of this request; every event "
              "needs its own eventId");
    }
    if (e.occurred_at().empty()) {
      event.Fail(
          "occurredAt",
          "is missing: give when it happened, e.g. 2014-06-07T10:15:00+01:00");
    } else if (auto t = ParseRfc3339(e.occurred_at()); !t.ok()) {
      event.Fail("occurredAt", t.status().message());
    }
    if (e.payload_case() == Case::PAYLOAD_NOT_SET) {
      event.Fail("",
                 "has no payload: give exactly one of personRegistered, "
                 "hospitalAdmitted, "
                 "readyForDischarge, ... (SPEC.md, The care events)");
      continue;
    }
    CheckPayload(e, event.Sub(PayloadJsonName(e)));
  }
  if (errors.empty()) return Status::Ok();
  std::string message = errors.size() == 1 ? "1 problem in the request"
                                           : std::to_string(errors.size()) +
                                                 " problems in the request";
  message += ": " + errors.front().field + " " + errors.front().message;
  return Status(Code::kInvalidArgument, std::move(message), std::move(errors));
}

}  // namespace carelog
