#include <cmath>

#include "gtest/gtest.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {
namespace {
int next_id = 0;
}

schema::CareEvent Ev(const std::string& at) {
  schema::CareEvent e;
  e.set_event_id("ev-" + std::to_string(++next_id));
  e.set_occurred_at(at);
  return e;
}

schema::CareEvent Registered(const std::string& at, const std::string& birth,
                             const std::string& area, bool verified) {
  auto e = Ev(at);
  auto* p = e.mutable_person_registered();
  p->set_birth_date(birth);
  p->set_area_code(area);
  p->set_gp_practice("F82001");
  p->set_nhs_number_status(verified ? schema::NhsNumberStatus::VERIFIED
                                    : schema::NhsNumberStatus::UNVERIFIED);
  return e;
}

schema::CareEvent Moved(const std::string& at, const std::string& area) {
  auto e = Ev(at);
  e.mutable_person_moved()->set_area_code(area);
  return e;
}

schema::CareEvent Verified(const std::string& at) {
  auto e = Ev(at);
  e.mutable_nhs_number_verified();
  return e;
}

schema::CareEvent Died(const std::string& at) {
  auto e = Ev(at);
  e.mutable_person_died();
  return e;
}

schema::CareEvent Admitted(const std::string& at, const std::string& spell,
                           schema::AdmissionMethod::Value method) {
  auto e = Ev(at);
  auto* a = e.mutable_hospital_admitted();
  a->set_spell_id(spell);
  a->set_provider("RF4");
  a->set_site("Queen's");
  a->set_method(method);
  return e;
}

schema::CareEvent Ready(const std::string& at, const std::string& spell) {
  auto e = Ev(at);
  e.mutable_ready_for_discharge()->set_spell_id(spell);
  return e;
}

schema::CareEvent Withdrawn(const std::string& at, const std::string& spell) {
  auto e = Ev(at);
  e.mutable_ready_for_discharge_withdrawn()->set_spell_id(spell);
  e.mutable_ready_for_discharge_withdrawn()->set_reason("infection");
  return e;
}

schema::CareEvent Delay(const std::string& at, const std::string& spell,
                        schema::DelayReason::Value reason,
                        schema::Agency::Value agency) {
  auto e = Ev(at);
  auto* d = e.mutable_discharge_delay_recorded();
  d->set_spell_id(spell);
  d->set_reason(reason);
  d->set_agency(agency);
  return e;
}

schema::CareEvent Discharged(const std::string& at, const std::string& spell,
                             schema::Destination::Value destination) {
  auto e = Ev(at);
  e.mutable_discharged()->set_spell_id(spell);
  e.mutable_discharged()->set_destination(destination);
  return e;
}

schema::CareEvent FollowUp(const std::string& at, const std::string& spell,
                           schema::FollowUpStatus::Value status) {
  auto e = Ev(at);
  e.mutable_follow_up_recorded()->set_spell_id(spell);
  e.mutable_follow_up_recorded()->set_status(status);
  return e;
}

schema::CareEvent CareHome(const std::string& at, const std::string& placement,
                           schema::CareHomeType::Value type, bool permanent,
                           bool council_supported) {
  auto e = Ev(at);
  auto* c = e.mutable_care_home_admitted();
  c->set_placement_id(placement);
  c->set_type(type);
  c->set_permanent(permanent);
  c->set_council_supported(council_supported);
  return e;
}

schema::CareEvent CareHomeLeft(const std::string& at,
                               const std::string& placement) {
  auto e = Ev(at);
  e.mutable_care_home_left()->set_placement_id(placement);
  return e;
}

schema::CareEvent Ae(const std::string& at) {
  auto e = Ev(at);
  e.mutable_ae_attended()->set_attendance_id(e.event_id());
  e.mutable_ae_attended()->set_site("Queen's");
  return e;
}

schema::CareEvent Survey(const std::string& at, bool positive) {
  auto e = Ev(at);
  e.mutable_experience_survey_completed()->set_survey_id(e.event_id());
  e.mutable_experience_survey_completed()->set_positive(positive);
  return e;
}

schema::CareEvent Referral(const std::string& at, const std::string& id,
                           schema::Urgency::Value urgency) {
  auto e = Ev(at);
  auto* r = e.mutable_referral_received();
  r->set_referral_id(id);
  r->set_from_sector(schema::Sector::HEALTH);
  r->set_to_service("reablement");
  r->set_urgency(urgency);
  return e;
}

schema::CareEvent Accepted(const std::string& at, const std::string& id) {
  auto e = Ev(at);
  e.mutable_referral_accepted()->set_referral_id(id);
  return e;
}

schema::CareEvent Declined(const std::string& at, const std::string& id) {
  auto e = Ev(at);
  e.mutable_referral_declined()->set_referral_id(id);
  return e;
}

schema::CareEvent AssessmentStarted(const std::string& at,
                                    const std::string& id) {
  auto e = Ev(at);
  auto* a = e.mutable_joint_assessment_started();
  a->set_assessment_id(id);
  auto* h = a->add_participants();
  h->set_sector(schema::Sector::HEALTH);
  auto* s = a->add_participants();
  s->set_sector(schema::Sector::SOCIAL_CARE);
  return e;
}

schema::CareEvent AssessmentCompleted(const std::string& at,
                                      const std::string& id) {
  auto e = Ev(at);
  e.mutable_joint_assessment_completed()->set_assessment_id(id);
  e.mutable_joint_assessment_completed()->set_outcome(
      schema::AssessmentOutcome::PACKAGE_NEEDED);
  return e;
}

schema::CareEvent PackageStarted(const std::string& at, const std::string& id,
                                 bool integrated,
                                 const std::string& assessment) {
  auto e = Ev(at);
  auto* p = e.mutable_care_package_started();
  p->set_package_id(id);
  p->set_integrated(integrated);
  p->set_assessment_id(assessment);
  p->set_scheme("ITF08");
  return e;
}

schema::CareEvent Professional(const std::string& at,
                               const std::string& package) {
  auto e = Ev(at);
  auto* a = e.mutable_accountable_professional_assigned();
  a->set_package_id(package);
  a->set_professional_id("P1");
  a->set_name("Dr A");
  return e;
}

schema::CareEvent PackageEnded(const std::string& at,
                               const std::string& package) {
  auto e = Ev(at);
  e.mutable_care_package_ended()->set_package_id(package);
  return e;
}

schema::CareEvent Retract(const std::string& at, const std::string& event_id) {
  auto e = Ev(at);
  e.mutable_event_retracted()->set_event_id(event_id);
  e.mutable_event_retracted()->set_reason("entered in error");
  return e;
}

MetricsHarness::MetricsHarness() {
  clock.Set(At("2016-06-01T12:00:00Z"));
  log.SetNow(clock.NowMicros());
  runner = std::make_unique<ProjectionRunner>(
      log, std::vector<Projection*>{&cells, &plans});
  EXPECT_TRUE(runner->Open().ok());
  service = std::make_unique<metrics::MetricsService>(log, cells, plans, clock);
}

MetricsHarness::~MetricsHarness() = default;

uint64_t MetricsHarness::Record(const std::string& nhs,
                                const schema::CareEvent& event) {
  log.SetNow(clock.NowMicros());
  uint64_t p = log.AppendCare(nhs, event);
  clock.Advance(1'000'000);
  return p;
}

uint64_t MetricsHarness::RecordTogether(
    const std::string& nhs, const std::vector<schema::CareEvent>& events) {
  log.SetNow(clock.NowMicros());
  storage::AppendRequest r;
  r.stream = "person-" + nhs;
  for (const auto& e : events) {
    r.events.push_back(
        {e.event_id(), "carelog.schema.CareEvent", e.SerializeAsString()});
  }
  auto result = log.Append(std::move(r));
  clock.Advance(1'000'000);
  return result.ok() ? result->last_position : 0;
}

namespace {
uint64_t AppendAdmin(MemoryEventLog& log, const std::string& stream,
                     const schema::AdminEvent& e) {
  storage::AppendRequest r;
  r.stream = stream;
  r.events.push_back({"admin-" + std::to_string(++next_id),
                      metrics::kAdminEventType, e.SerializeAsString()});
  auto result = log.Append(std::move(r));
  return result.ok() ? result->last_position : 0;
}
}  // namespace

uint64_t MetricsHarness::DefineArea(const std::string& area, int64_t age0to17,
                                    int64_t age18to64, int64_t age65plus) {
  schema::AdminEvent e;
  e.mutable_area_defined()->set_area_code(area);
  e.mutable_area_defined()->mutable_area()->set_name(area);
  for (int year = 2014; year <= 2016; ++year) {
    auto* p = e.mutable_area_defined()->mutable_area()->add_population();
    p->set_year(year);
    p->set_age0to17(age0to17);
    p->set_age18to64(age18to64);
    p->set_age65plus(age65plus);
  }
  log.SetNow(clock.NowMicros());
  uint64_t pos = AppendAdmin(log, "area-" + area, e);
  clock.Advance(1'000'000);
  return pos;
}

uint64_t MetricsHarness::RecordPlan(const std::string& area,
                                    const std::string& year,
                                    const schema::Plan& plan) {
  schema::AdminEvent e;
  e.mutable_plan_recorded()->set_area_code(area);
  e.mutable_plan_recorded()->set_year(year);
  *e.mutable_plan_recorded()->mutable_plan() = plan;
  log.SetNow(clock.NowMicros());
  uint64_t pos = AppendAdmin(log, "plan-" + area + "-" + year, e);
  clock.Advance(1'000'000);
  return pos;
}

metrics::MetricValue MetricsHarness::Metric(const std::string& area,
                                            const std::string& period,
                                            metrics::MetricId id,
                                            std::optional<Instant> as_of) {
  EXPECT_TRUE(runner->CatchUp().ok());
  auto p = ParsePeriod(period);
  EXPECT_TRUE(p.ok()) << period;
  auto m = service->Metrics(area, {*p}, as_of);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  for (const auto& v : m->periods.front().values) {
    if (v.metric == id) return v;
  }
  return {};
}

double MetricsHarness::Value(const std::string& area, const std::string& period,
                             metrics::MetricId id,
                             std::optional<Instant> as_of) {
  auto v = Metric(area, period, id, as_of);
  return v.value ? v.value->ToDouble() : std::nan("");
}

}  // namespace carelog::testing
