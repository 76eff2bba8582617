// "As reported on a date": metrics and payments as of a past instant use only
// the events recorded by then (late events and retractions recorded later are
// not yet applied) and the plan as it stood.
#include "gtest/gtest.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {
namespace {

using metrics::Fraction;
using metrics::MetricId;

constexpr char kArea[] = "E09000002";

schema::Plan NonElectivePlan(double baseline, double target) {
  schema::Plan plan;
  auto* t = plan.add_targets();
  t->set_metric("nonElectiveAdmissions");
  t->set_period("2014-15-Q1");
  t->set_baseline(baseline);
  t->set_target(target);
  auto* tranche = plan.add_tranches();
  tranche->set_id("2014-15-Q1");
  tranche->set_period("2014-15-Q1");
  tranche->set_unit_cost_gbp(1490);
  auto* m = tranche->add_metrics();
  m->set_metric("nonElectiveAdmissions");
  m->set_weight(1);
  return plan;
}

// Recorded: one April admission (before t1), a late April admission (between t1
// and t2), then a retraction of the first (between t2 and t3). As of t1: 1; as
// of t2: 2; as of t3 (now): 1.
TEST(MetricsAsOf, LateEventAndRetractionGiveDifferentAnswers) {
  MetricsHarness h;
  h.DefineArea(kArea, 58000, 120000, 20000);
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  auto first = Admitted("2014-04-05T10:00:00+01:00", "S1");
  h.Record("1", first);
  h.Record("1", Discharged("2014-04-06T10:00:00+01:00", "S1"));
  Instant t1 = h.clock.NowMicros();
  h.clock.Advance(60'000'000);
  h.Record("2", Registered("2014-04-01T09:00:00+01:00", "1950-02-11", kArea));
  h.Record("2", Admitted("2014-04-20T10:00:00+01:00",
                         "S1"));  // late: recorded after t1
  Instant t2 = h.clock.NowMicros();
  h.clock.Advance(60'000'000);
  h.Record("1", Retract("2014-04-07T10:00:00+01:00", first.event_id()));
  Instant t3 = h.clock.NowMicros();

  EXPECT_EQ(
      h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions, t1).value,
      Fraction::Of(1));
  EXPECT_EQ(
      h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions, t2).value,
      Fraction::Of(2));
  EXPECT_EQ(
      h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions, t3).value,
      Fraction::Of(1));
  EXPECT_EQ(h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions).value,
            Fraction::Of(1));
  // Before anything was recorded: no data.
  EXPECT_EQ(h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions,
                     At("2016-01-01T00:00:00Z"))
                .value,
            std::nullopt);
}

// An open delay as of a past instant counts its days up to that instant: ready
// 20 May 2016 10:00 BST; as of 25 May 2016 12:00 UTC the midnights ending 20-24
// May have passed -> 5 days.
TEST(MetricsAsOf, OpenDelayCountsUpToTheAsOfInstant) {
  MetricsHarness h;
  h.clock.Set(At("2016-05-20T09:00:00Z"));
  h.DefineArea(kArea, 58000, 120000, 20000);
  h.Record("1", Registered("2016-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2016-05-19T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2016-05-20T10:00:00+01:00", "S1"));
  h.clock.Set(At("2016-06-10T12:00:00Z"));
  EXPECT_EQ(h.Metric(kArea, "2016-05", MetricId::kDelayedDays,
                     At("2016-05-25T12:00:00Z"))
                .numerator,
            5);
  EXPECT_EQ(h.Metric(kArea, "2016-05", MetricId::kDelayedDays).numerator, 12);
}

// The payment as of a date uses the actual and the plan as they stood: plan
// (6,200 -> 5,983) recorded, 1 admission in Q1; as of then the achievement is
// (6200 - 1) / 217 -> clamped 1, all of the £323,330 earned. The plan is
// replaced later (baseline 10, target 0: pot £14,900); as of the first instant
// the old plan still applies.
TEST(MetricsAsOf, PaymentsUseThePlanAsItStood) {
  MetricsHarness h;
  h.DefineArea(kArea, 58000, 120000, 20000);
  h.RecordPlan(kArea, "2014-15", NonElectivePlan(6200, 5983));
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-04-05T10:00:00+01:00", "S1"));
  Instant t1 = h.clock.NowMicros();
  h.clock.Advance(60'000'000);
  h.RecordPlan(kArea, "2014-15", NonElectivePlan(10, 0));
  ASSERT_TRUE(h.runner->CatchUp().ok());
  auto then = h.service->PaymentsFor(kArea, "2014-15", t1);
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  ASSERT_EQ(then->tranches.size(), 1u);
  EXPECT_EQ(then->tranches[0].pot_pence, 32333000);
  EXPECT_EQ(then->tranches[0].earned_pence, 32333000);
  auto now = h.service->PaymentsFor(kArea, "2014-15", std::nullopt);
  ASSERT_TRUE(now.ok());
  // Baseline 10, target 0, actual 1: achievement 9/10; pot 10 x £1,490 =
  // £14,900; earned £13,410.00.
  EXPECT_EQ(now->tranches[0].pot_pence, 1490000);
  EXPECT_EQ(now->tranches[0].earned_pence, 1341000);
  EXPECT_EQ(now->total_withheld_pence, 149000);
}

// Events committed together (one request, interleaved with another person's
// commit in the same runner batch) are computed once per commit; the figures
// and the as-of answers are those of the events one by one: t1 sees person 1's
// two admissions, t2 also person 2's.
TEST(MetricsAsOf, EventsCommittedTogether) {
  MetricsHarness h;
  h.DefineArea(kArea, 58000, 120000, 20000);
  h.RecordTogether(
      "1", {Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea),
            Admitted("2014-04-05T10:00:00+01:00", "S1"),
            Discharged("2014-04-06T10:00:00+01:00", "S1"),
            Admitted("2014-04-07T10:00:00+01:00", "S2")});
  Instant t1 = h.clock.NowMicros();
  h.clock.Advance(1'000'000);
  h.RecordTogether(
      "2", {Registered("2014-04-01T09:00:00+01:00", "1950-02-11", kArea),
            Admitted("2014-04-20T10:00:00+01:00", "S1")});
  Instant t2 = h.clock.NowMicros();
  EXPECT_EQ(
      h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions, t1).value,
      Fraction::Of(2));
  EXPECT_EQ(
      h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions, t2).value,
      Fraction::Of(3));
  EXPECT_EQ(h.Metric(kArea, "2014-04", MetricId::kNonElectiveAdmissions).value,
            Fraction::Of(3));
}

TEST(MetricsAsOf, RefusesAnInstantInTheFuture) {
  MetricsHarness h;
  auto p = ParsePeriod("2014-15");
  ASSERT_TRUE(p.ok());
  auto r =
      h.service->Metrics(kArea, {*p}, h.clock.NowMicros() + 3'600'000'000LL);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace carelog::testing
