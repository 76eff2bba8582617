#include "gateway/person_view.h"

#include <google/protobuf/util/json_util.h>

#include "gateway/json.h"
#include "services/calendar.h"
#include "services/person_state.h"

namespace carelog::gateway {

namespace {

using google::protobuf::Value;

void SetNull(Value* v) { v->set_null_value(google::protobuf::NULL_VALUE); }

void SetInstant(Value* v, const std::optional<Instant>& t) {
  if (t) {
    v->set_string_value(FormatRfc3339London(*t));
  } else {
    SetNull(v);
  }
}

template <typename Enum>
void SetEnumName(Value* v, Enum value, bool present,
                 const google::protobuf::EnumDescriptor* descriptor) {
  const auto* named = descriptor->FindValueByNumber(static_cast<int>(value));
  if (present && named != nullptr && value != 0) {
    v->set_string_value(named->name());
  } else {
    SetNull(v);
  }
}

void SetProfessional(Value* v, const ProfessionalAssignment* assignment) {
  if (assignment == nullptr) {
    SetNull(v);
    return;
  }
  // The assigned professional's JSON, plus when they were assigned, as a JSON
  // object value.
  std::string json = ToJson(assignment->professional);
  json.pop_back();
  json += ",\"assignedAt\":\"" + FormatRfc3339London(assignment->assigned_at) +
          "\"}";
  if (!google::protobuf::util::JsonStringToMessage(json, v).ok()) SetNull(v);
}

}  // namespace

api::PersonView RenderPerson(const std::string& nhs_number,
                             const PersonSnapshot& person) {
  api::PersonView view;
  const PersonFacts& facts = person.state->facts();
  view.set_nhs_number(nhs_number);
  view.set_version(static_cast<uint32_t>(person.version));
  if (facts.birth_date()) view.set_birth_date(FormatDate(*facts.birth_date()));
  view.set_area_code(facts.area_code());
  view.set_gp_practice(facts.gp_practice());
  view.set_nhs_number_status(facts.nhs_number_status());
  for (const auto& link : facts.local_ids()) {
    auto* id = view.add_local_ids();
    id->set_system(link.system);
    id->set_value(link.value);
  }
  if (facts.died_on()) {
    view.mutable_died_on()->set_string_value(FormatDate(*facts.died_on()));
  } else {
    SetNull(view.mutable_died_on());
  }
  for (const auto& r : facts.referrals()) {
    auto* out = view.add_referrals();
    out->set_referral_id(r.referral_id);
    out->set_received_at(FormatRfc3339London(r.received_at));
    out->set_from_sector(r.from_sector);
    out->set_from_organisation(r.from_organisation);
    out->set_to_service(r.to_service);
    out->set_reason(r.reason);
    out->set_urgency(r.urgency);
    if (r.response == Referral::Response::kAccepted) {
      out->mutable_response()->set_string_value("ACCEPTED");
    } else if (r.response == Referral::Response::kDeclined) {
      out->mutable_response()->set_string_value("DECLINED");
    } else {
      SetNull(out->mutable_response());
    }
    SetInstant(out->mutable_responded_at(), r.responded_at);
    out->set_decline_reason(r.decline_reason);
  }
  for (const auto& a : facts.assessments()) {
    auto* out = view.add_assessments();
    out->set_assessment_id(a.assessment_id);
    out->set_referral_id(a.referral_id);
    out->set_started_at(FormatRfc3339London(a.started_at));
    for (const auto& p : a.participants) *out->add_participants() = p;
    SetInstant(out->mutable_completed_at(), a.completed_at);
    SetEnumName(out->mutable_outcome(), a.outcome, a.completed_at.has_value(),
                schema::AssessmentOutcome::Value_descriptor());
  }
  for (const auto& p : facts.packages()) {
    auto* out = view.add_packages();
    out->set_package_id(p.package_id);
    out->set_assessment_id(p.assessment_id);
    out->set_integrated(p.integrated);
    out->set_scheme(p.scheme);
    out->set_pooled_budget(p.pooled_budget);
    out->set_started_at(FormatRfc3339London(p.started_at));
    SetInstant(out->mutable_ended_at(), p.ended_at);
    out->set_end_reason(p.end_reason);
    SetProfessional(out->mutable_accountable_professional(),
                    p.CurrentProfessional());
  }
  for (const auto& s : facts.spells()) {
    auto* out = view.add_spells();
    out->set_spell_id(s.spell_id);
    out->set_provider(s.provider);
    out->set_site(s.site);
    out->set_method(s.method);
    out->set_admitted_at(FormatRfc3339London(s.admitted_at));
    const Readiness* ready = s.CurrentReadiness();
    SetInstant(out->mutable_ready_since(),
               ready ? std::optional<Instant>(ready->ready_at) : std::nullopt);
    const DelayRecord* delay =
        ready && !ready->delays.empty() ? &ready->delays.back() : nullptr;
    SetEnumName(out->mutable_delay_reason(),
                delay ? delay->reason : schema::DelayReason::Value(),
                delay != nullptr, schema::DelayReason::Value_descriptor());
    SetEnumName(out->mutable_agency(),
                delay ? delay->agency : schema::Agency::Value(),
                delay != nullptr, schema::Agency::Value_descriptor());
    SetInstant(out->mutable_discharged_at(), s.discharged_at);
    SetEnumName(out->mutable_destination(), s.destination,
                s.discharged_at.has_value(),
                schema::Destination::Value_descriptor());
    const bool followed = !s.follow_ups.empty();
    SetEnumName(
        out->mutable_follow_up(),
        followed ? s.follow_ups.back().status : schema::FollowUpStatus::Value(),
        followed, schema::FollowUpStatus::Value_descriptor());
  }
  for (const auto& p : facts.placements()) {
    auto* out = view.add_placements();
    out->set_placement_id(p.placement_id);
    out->set_type(p.type);
    out->set_permanent(p.permanent);
    out->set_council_supported(p.council_supported);
    out->set_admitted_at(FormatRfc3339London(p.admitted_at));
    SetInstant(out->mutable_left_at(), p.left_at);
  }
  return view;
}

}  // namespace carelog::gateway
