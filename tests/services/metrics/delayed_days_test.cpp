// Worked examples of delayedDays (SPEC.md "Delayed days"), computed by hand.
// Area E09000002 with a population (every year) of 120,000 aged 18-64 and
// 20,000 aged 65+, so 140,000 adults; the value of a period is (days / months)
// / 140,000 x 100,000.
#include "gtest/gtest.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {
namespace {

using metrics::Fraction;
using metrics::MetricId;
using schema::Agency;
using schema::DelayReason;

constexpr char kArea[] = "E09000002";
constexpr char kOther[] = "E09000003";

class DelayedDaysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.DefineArea(kArea, 58000, 120000, 20000);
    h.DefineArea(kOther, 50000, 100000, 10000);
  }
  int64_t Days(const std::string& period, const std::string& area = kArea) {
    auto v = h.Metric(area, period, MetricId::kDelayedDays);
    return v.numerator.value_or(-1);
  }
  metrics::DelayBreakdown Breakdown(const std::string& period) {
    return *h.Metric(kArea, period, MetricId::kDelayedDays).breakdown;
  }
  MetricsHarness h;
};

// Ready 28 April, discharged 3 May: midnights ending 28, 29, 30 April and 1, 2
// May find the person ready in the spell -> April 3 days, May 2 days. April
// value: 3 / 1 month / 140,000 x 100,000 = 300,000 / 140,000 = 15/7. The year:
// 5 / 12 / 140,000 x 100,000 = 500,000 / 1,680,000 = 25/84.
TEST_F(DelayedDaysTest, AcrossAMonthEnd) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-04-20T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-04-28T09:00:00+01:00", "S1"));
  h.Record("1", Delay("2014-04-28T09:30:00+01:00", "S1", DelayReason::D1,
                      Agency::SOCIAL_CARE));
  h.Record("1", Discharged("2014-05-03T11:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-04"), 3);
  EXPECT_EQ(Days("2014-05"), 2);
  EXPECT_EQ(Days("2014-15-Q1"), 5);
  EXPECT_EQ(h.Metric(kArea, "2014-04", MetricId::kDelayedDays).value,
            Fraction(15, 7));
  EXPECT_EQ(h.Metric(kArea, "2014-15", MetricId::kDelayedDays).value,
            Fraction(25, 84));
  EXPECT_EQ(Breakdown("2014-04").by_agency["SOCIAL_CARE"], 3);
  EXPECT_EQ(Breakdown("2014-04").by_reason["D1"], 3);
  EXPECT_EQ(Breakdown("2014-04").by_agency["NHS"], 0);
}

// Ready and discharged the same day: no midnight passes -> 0.
TEST_F(DelayedDaysTest, SameDayIsZero) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-06-09T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-06-10T09:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-06-10T17:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-06"), 0);
}

// BST starts 29 March 2015 01:00 UTC. Ready 28 March 12:00 GMT, discharged 30
// March 00:30 BST (29 March 23:30 UTC). London midnights: ending 28 March = 29
// March 00:00 GMT (ready: counts), ending 29 March = 30 March 00:00 BST = 29
// March 23:00 UTC (still in: counts) -> 2 days. (UTC midnights would give 1.)
TEST_F(DelayedDaysTest, AcrossTheMarchClockChange) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2015-03-27T10:00:00Z", "S1"));
  h.Record("1", Ready("2015-03-28T12:00:00Z", "S1"));
  h.Record("1", Discharged("2015-03-30T00:30:00+01:00", "S1"));
  EXPECT_EQ(Days("2015-03"), 2);
}

// BST ends 25 October 2015 01:00 UTC. Ready 24 October 00:30 BST (23 October
// 23:30 UTC), discharged 25 October 12:00 GMT. London midnights: ending 23
// October = 24 October 00:00 BST, before the readiness: no; ending 24 October =
// 25 October 00:00 BST (24 October 23:00 UTC): counts; ending 25 October = 26
// October 00:00 GMT: discharged -> 1 day. (UTC midnights would give 2.)
TEST_F(DelayedDaysTest, AcrossTheOctoberClockChange) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2015-10-20T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2015-10-24T00:30:00+01:00", "S1"));
  h.Record("1", Discharged("2015-10-25T12:00:00Z", "S1"));
  EXPECT_EQ(Days("2015-10"), 1);
}

// Ready 2 July 10:00 with reason A (NHS) at 11:00; withdrawn 4 July 10:00;
// ready again 6 July 10:00 with no delay recorded for this readiness;
// discharged 8 July 10:00. Midnights ending 2, 3 July: ready, A/NHS (2 days);
// ending 4, 5 July: not ready; ending 6, 7 July: ready again, UNRECORDED (2
// days) -> 4 days: NHS 2, UNRECORDED 2; A 2, UNRECORDED 2.
TEST_F(DelayedDaysTest, ReadinessWithdrawnAndGivenAgain) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-07-01T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-07-02T10:00:00+01:00", "S1"));
  h.Record("1", Delay("2014-07-02T11:00:00+01:00", "S1", DelayReason::A,
                      Agency::NHS));
  h.Record("1", Withdrawn("2014-07-04T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-07-06T10:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-07-08T10:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-07"), 4);
  auto b = Breakdown("2014-07");
  EXPECT_EQ(b.by_agency["NHS"], 2);
  EXPECT_EQ(b.by_agency["UNRECORDED"], 2);
  EXPECT_EQ(b.by_reason["A"], 2);
  EXPECT_EQ(b.by_reason["UNRECORDED"], 2);
}

// Ready 1 August 10:00, B/SOCIAL_CARE at 12:00, C/NHS on 3 August 09:00,
// discharged 5 August. Midnights ending 1, 2 August: B/SOCIAL_CARE; ending 3, 4
// August: C/NHS.
TEST_F(DelayedDaysTest, AgencyChangingMidDelay) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-07-30T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-08-01T10:00:00+01:00", "S1"));
  h.Record("1", Delay("2014-08-01T12:00:00+01:00", "S1", DelayReason::B,
                      Agency::SOCIAL_CARE));
  h.Record("1", Delay("2014-08-03T09:00:00+01:00", "S1", DelayReason::C,
                      Agency::NHS));
  h.Record("1", Discharged("2014-08-05T10:00:00+01:00", "S1"));
  auto b = Breakdown("2014-08");
  EXPECT_EQ(b.by_agency["SOCIAL_CARE"], 2);
  EXPECT_EQ(b.by_agency["NHS"], 2);
  EXPECT_EQ(b.by_reason["B"], 2);
  EXPECT_EQ(b.by_reason["C"], 2);
  EXPECT_EQ(Days("2014-08"), 4);
}

// Born 10 September 1996: 18 on 10 September 2014. Ready 8 September,
// discharged 12 September: days 8 and 9 (aged 17) do not count, 10 and 11 (aged
// 18) do -> 2.
TEST_F(DelayedDaysTest, EighteenthBirthdayOnTheDay) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1996-09-10", kArea));
  h.Record("1", Admitted("2014-09-07T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-09-08T10:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-09-12T10:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-09"), 2);
}

// Ready 1 October 10:00 in E09000002; moves to E09000003 on 3 October 15:00;
// discharged 5 October. Midnights ending 1, 2 October: first area (2 days);
// ending 3, 4 October: the new area.
TEST_F(DelayedDaysTest, MovingAreaDuringADelay) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-09-30T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-10-01T10:00:00+01:00", "S1"));
  h.Record("1", Moved("2014-10-03T15:00:00+01:00", kOther));
  h.Record("1", Discharged("2014-10-05T10:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-10"), 2);
  EXPECT_EQ(Days("2014-10", kOther), 2);
}

// A discharge recorded late, after the open delay was already counted: the same
// days as if it had been recorded in time (ready 28 April, discharged 3 May ->
// April 3).
TEST_F(DelayedDaysTest, LateDischargeClosesTheOpenDelay) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-04-20T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-04-28T09:00:00+01:00", "S1"));
  // Open now (clock 1 June 2016): April 28-30 and every day of May 2014.
  EXPECT_EQ(Days("2014-04"), 3);
  EXPECT_EQ(Days("2014-05"), 31);
  h.Record("1", Discharged("2014-05-03T11:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-05"), 2);
}

// An open delay counts its midnights up to the instant asked, never by timer
// writes: ready 20 May 2016 10:00, not discharged. At 1 June 2016 12:00 UTC,
// May has days 20..31 = 12 and June none (the midnight ending 1 June has not
// come); three days later June has 1, 2, 3.
TEST_F(DelayedDaysTest, OpenDelayCountsUpToTheInstantAsked) {
  h.Record("1", Registered("2016-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2016-05-19T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2016-05-20T10:00:00+01:00", "S1"));
  h.Record("1", Delay("2016-05-21T10:00:00+01:00", "S1", DelayReason::E,
                      Agency::BOTH));
  EXPECT_EQ(Days("2016-05"), 12);
  EXPECT_EQ(Days("2016-06"), 0);
  h.clock.Advance(3 * 86'400'000'000LL);
  EXPECT_EQ(Days("2016-06"), 3);
  auto b = Breakdown("2016-05");
  EXPECT_EQ(b.by_agency["UNRECORDED"],
            1);  // the midnight ending 20 May, before the record
  EXPECT_EQ(b.by_agency["BOTH"], 11);
  EXPECT_EQ(b.by_reason["E"], 11);
}

// Death in hospital while ready ends the delay: ready 1 July 10:00, died 3 July
// 08:00 -> midnights ending 1 and 2 July -> 2 days, not more.
TEST_F(DelayedDaysTest, DeathEndsTheDelay) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-06-30T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-07-01T10:00:00+01:00", "S1"));
  h.Record("1", Died("2014-07-03T08:00:00+01:00"));
  EXPECT_EQ(Days("2014-07"), 2);
  EXPECT_EQ(Days("2014-08"), 0);
}

// SPEC.md's example counts days by their London dates: "Ready on 28 April,
// discharged 3 May: April gets 28, 29, 30 (3 days), May gets 1 and 2 (2 days);
// ready and discharged the same day: 0". Ready at exactly 00:00 BST on 28 April
// is ready on 28 April, not at the midnight that ends 27 April; discharged at
// exactly 00:00 BST on 3 May is discharged on 3 May, so the midnight ending 2
// May still finds the person ready -> April 3, May 2 (the same as at 09:00 and
// 11:00 above).
TEST_F(DelayedDaysTest, ReadyAndDischargedAtMidnightCountByTheirDates) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-04-20T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-04-28T00:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-05-03T00:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-04"), 3);
  EXPECT_EQ(Days("2014-05"), 2);
}

// Ready at 00:00 GMT on Christmas Day 2014 and discharged at 03:30 that day:
// ready and discharged the same day -> 0 (not 1 for 24 December).
TEST_F(DelayedDaysTest, ReadyAtMidnightAndDischargedThatDayIsZero) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-12-01T23:59:59Z", "S1"));
  h.Record("1", Ready("2014-12-25T00:00:00Z", "S1"));
  h.Record("1", Discharged("2014-12-25T03:30:00Z", "S1"));
  EXPECT_EQ(Days("2014-12"), 0);
}

// An open delay given at 00:00 BST on 20 May 2016, not discharged: at 1 June
// 2016 12:00 UTC May has days 20..31 = 12 (not 13 with 19 May).
TEST_F(DelayedDaysTest, OpenDelayReadyAtMidnightStartsThatDay) {
  h.Record("1", Registered("2016-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2016-05-18T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2016-05-20T00:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2016-05"), 12);
}

// Withdrawn at exactly 00:00 BST on 4 July: ready 2 and 3 July (the midnight
// ending 3 July is the withdrawal's instant; withdrawn on 4 July) -> 2 days.
TEST_F(DelayedDaysTest, WithdrawnAtMidnightCountsTheDayBefore) {
  h.Record("1", Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-07-01T10:00:00+01:00", "S1"));
  h.Record("1", Ready("2014-07-02T10:00:00+01:00", "S1"));
  h.Record("1", Withdrawn("2014-07-04T00:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-07-08T10:00:00+01:00", "S1"));
  EXPECT_EQ(Days("2014-07"), 2);
}

}  // namespace
}  // namespace carelog::testing
