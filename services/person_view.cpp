#include "services/person_view.h"

namespace carelog {
namespace {

std::string Time(Instant t) { return FormatRfc3339London(t); }

void FillProfessional(const ProfessionalAssignment& a,
                      schema::AccountableProfessionalView* v) {
  const auto& p = a.professional;
  v->set_professional_id(p.professional_id());
  v->set_name(p.name());
  if (!p.role().empty()) v->set_role(p.role());
  if (!p.organisation().empty()) v->set_organisation(p.organisation());
  if (p.sector() != schema::Sector::SECTOR_UNSPECIFIED)
    v->set_sector(p.sector());
  if (!p.phone().empty()) v->set_phone(p.phone());
  v->set_assigned_at(Time(a.assigned_at));
}

void FillSpell(const Spell& s, schema::SpellView* v) {
  v->set_spell_id(s.spell_id);
  if (!s.provider.empty()) v->set_provider(s.provider);
  if (!s.site.empty()) v->set_site(s.site);
  v->set_method(s.method);
  v->set_admitted_at(Time(s.admitted_at));
  if (s.discharged_at) v->set_discharged_at(Time(*s.discharged_at));
  if (s.destination != schema::Destination::DESTINATION_UNSPECIFIED)
    v->set_destination(s.destination);
  v->set_ready_for_discharge(s.CurrentReadiness() != nullptr);
  for (const auto& r : s.readiness) {
    auto* rv = v->add_readiness();
    rv->set_ready_at(Time(r.ready_at));
    if (r.ended_at) rv->set_ended_at(Time(*r.ended_at));
    if (r.end == Readiness::End::kWithdrawn) rv->set_ended_by("WITHDRAWN");
    if (r.end == Readiness::End::kDischarged) rv->set_ended_by("DISCHARGED");
    if (!r.withdrawal_reason.empty())
      rv->set_withdrawal_reason(r.withdrawal_reason);
    for (const auto& d : r.delays) {
      auto* dv = rv->add_delays();
      dv->set_recorded_for(Time(d.recorded_for));
      dv->set_reason(d.reason);
      dv->set_agency(d.agency);
    }
  }
  for (const auto& f : s.follow_ups) {
    auto* fv = v->add_follow_ups();
    fv->set_recorded_for(Time(f.recorded_for));
    fv->set_status(f.status);
  }
}

}  // namespace

schema::PersonView RenderPerson(std::string_view nhs_number,
                                const PersonState& state) {
  const PersonFacts& f = state.facts();
  schema::PersonView v;
  v.set_nhs_number(std::string(nhs_number));
  v.set_version(static_cast<uint32_t>(state.version()));
  // Their registration retracted: everything stood on it (docs/READINGS.md
  // "Retractions"), a death or a verification recorded before the retraction
  // included, and the person counts nowhere until registered again.
  if (!f.registered()) return v;
  if (f.birth_date()) v.set_birth_date(FormatDate(*f.birth_date()));
  v.set_area_code(f.area_code());
  v.set_nhs_number_status(f.nhs_number_status());
  for (const auto& l : f.local_ids()) {
    auto* lv = v.add_local_ids();
    lv->set_system(l.system);
    lv->set_value(l.value);
  }
  if (f.died_on()) v.set_died_on(FormatDate(*f.died_on()));
  if (!f.gp_practice().empty()) v.set_gp_practice(f.gp_practice());
  for (const auto& a : f.area_history()) {
    auto* av = v.add_area_history();
    av->set_area_code(a.area_code);
    av->set_from(Time(a.from));
  }
  for (const auto& r : f.referrals()) {
    auto* rv = v.add_referrals();
    rv->set_referral_id(r.referral_id);
    rv->set_received_at(Time(r.received_at));
    rv->set_from_sector(r.from_sector);
    if (!r.from_organisation.empty())
      rv->set_from_organisation(r.from_organisation);
    if (!r.to_service.empty()) rv->set_to_service(r.to_service);
    if (!r.reason.empty()) rv->set_reason(r.reason);
    rv->set_urgency(r.urgency);
    if (r.response != Referral::Response::kNone) {
      rv->set_response(r.response == Referral::Response::kAccepted
                           ? "ACCEPTED"
                           : "DECLINED");
      rv->set_responded_at(Time(*r.responded_at));
    }
    if (!r.decline_reason.empty()) rv->set_decline_reason(r.decline_reason);
  }
  for (const auto& a : f.assessments()) {
    auto* av = v.add_assessments();
    av->set_assessment_id(a.assessment_id);
    if (!a.referral_id.empty()) av->set_referral_id(a.referral_id);
    av->set_started_at(Time(a.started_at));
    for (const auto& p : a.participants) {
      auto* part = av->add_participants();
      part->set_professional_id(p.professional_id());
      if (!p.name().empty()) part->set_name(p.name());
      part->set_sector(p.sector());
      if (!p.role().empty()) part->set_role(p.role());
    }
    if (a.completed_at) av->set_completed_at(Time(*a.completed_at));
    if (a.outcome != schema::AssessmentOutcome::ASSESSMENT_OUTCOME_UNSPECIFIED)
      av->set_outcome(a.outcome);
  }
  for (const auto& p : f.packages()) {
    auto* pv = v.add_packages();
    pv->set_package_id(p.package_id);
    pv->set_integrated(p.integrated);
    if (!p.scheme.empty()) pv->set_scheme(p.scheme);
    pv->set_started_at(Time(p.started_at));
    if (p.ended_at) pv->set_ended_at(Time(*p.ended_at));
    if (const auto* current = p.CurrentProfessional()) {
      FillProfessional(*current, pv->mutable_accountable_professional());
    }
    if (!p.assessment_id.empty()) pv->set_assessment_id(p.assessment_id);
    pv->set_pooled_budget(p.pooled_budget);
    if (!p.end_reason.empty()) pv->set_end_reason(p.end_reason);
  }
  for (const auto& s : f.spells()) FillSpell(s, v.add_spells());
  for (const auto& p : f.placements()) {
    auto* pv = v.add_placements();
    pv->set_placement_id(p.placement_id);
    pv->set_type(p.type);
    pv->set_permanent(p.permanent);
    pv->set_council_supported(p.council_supported);
    pv->set_admitted_at(Time(p.admitted_at));
    if (p.left_at) pv->set_left_at(Time(*p.left_at));
  }
  for (const auto& a : f.ae_attendances()) {
    auto* av = v.add_ae_attendances();
    av->set_attendance_id(std::string(a.attendance_id));
    if (!a.site.empty()) av->set_site(std::string(a.site));
    av->set_attended_at(Time(a.attended_at));
  }
  for (const auto& s : f.surveys()) {
    auto* sv = v.add_surveys();
    sv->set_survey_id(s.survey_id);
    sv->set_positive(s.positive);
    if (!s.question.empty()) sv->set_question(s.question);
    sv->set_completed_at(Time(s.completed_at));
  }
  return v;
}

}  // namespace carelog
