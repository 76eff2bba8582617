#include "services/metrics/payment_calculator.h"

#include "gtest/gtest.h"

namespace carelog::metrics {
namespace {

TrancheMetricInput Metric(MetricId id, int64_t weight, int64_t baseline,
                          int64_t target, int64_t actual) {
  return TrancheMetricInput{id, Fraction::Of(weight), Fraction::Of(baseline),
                            Fraction::Of(target), Fraction::Of(actual)};
}

TrancheInput UnitCost(int64_t baseline, int64_t target, int64_t actual) {
  TrancheInput t;
  t.id = "2015-16-Q1";
  t.period = "2015-16-Q1";
  t.unit_cost_pence = 149000;
  t.metrics = {
      Metric(MetricId::kNonElectiveAdmissions, 1, baseline, target, actual)};
  return t;
}

TrancheInput Fixed(int64_t pence, std::vector<TrancheMetricInput> metrics) {
  TrancheInput t;
  t.id = "oct-2015";
  t.period = "2015-16";
  t.amount_pence = pence;
  t.metrics = std::move(metrics);
  return t;
}

// SPEC.md: baseline 6,200, target 5,983, actual 6,100 -> pot 217 x £1,490 =
// £323,330, achievement (6200 - 6100) / (6200 - 5983) = 100/217, earned
// 32,333,000p x 100/217 = 14,900,000p = £149,000.00 exactly, withheld
// £174,330.00, 100/217 = 0.46 < 0.70.
TEST(PaymentCalculator, SpecExampleToThePenny) {
  auto r = PaymentCalculator::Calculate(UnitCost(6200, 5983, 6100));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pot_pence, 32333000);
  EXPECT_EQ(r->achievement, Exact(100, 217));
  EXPECT_EQ(r->earned_pence, 14900000);
  EXPECT_EQ(r->withheld_pence, 17433000);
  EXPECT_TRUE(r->recovery_plan_required);
  EXPECT_EQ(PenceToPounds(r->earned_pence), "149000.00");
  EXPECT_EQ(PenceToPounds(r->withheld_pence), "174330.00");
  EXPECT_EQ(PenceToPounds(r->pot_pence), "323330.00");
}

// Lower is better, actual better than target: (6200 - 5900) / 217 > 1, clamped
// to 1: all earned. Worse than baseline: (6200 - 6300) / 217 < 0, clamped to 0:
// nothing earned.
TEST(PaymentCalculator, AchievementIsClamped) {
  auto best = PaymentCalculator::Calculate(UnitCost(6200, 5983, 5900));
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->achievement, Exact(1));
  EXPECT_EQ(best->earned_pence, 32333000);
  EXPECT_EQ(best->withheld_pence, 0);
  EXPECT_FALSE(best->recovery_plan_required);
  auto worst = PaymentCalculator::Calculate(UnitCost(6200, 5983, 6300));
  ASSERT_TRUE(worst.ok());
  EXPECT_EQ(worst->earned_pence, 0);
  EXPECT_EQ(worst->withheld_pence, 32333000);
}

// Fixed £1,850,000 on delayedDays (lower: baseline 300, target 250, actual 275
// -> 25/50 = 1/2) and reablement91 (higher: baseline 80, target 85, actual 90
// -> 10/5 = 2, clamped to 1). Weights 1 and 1: (1/2 + 1) / 2 = 3/4 -> earned
// £1,387,500.00, withheld £462,500.00, no plan. Weights 2 and 1: (2 x 1/2 + 1)
// / 3 = 2/3 -> 185,000,000p x 2/3 = 123,333,333.33p, rounded half up
// 123,333,333p = £1,233,333.33, withheld £616,666.67, 2/3 < 0.70: plan
// required.
TEST(PaymentCalculator, WeightedFixedAmountTranche) {
  auto even = PaymentCalculator::Calculate(
      Fixed(185000000, {Metric(MetricId::kDelayedDays, 1, 300, 250, 275),
                        Metric(MetricId::kReablement91, 1, 80, 85, 90)}));
  ASSERT_TRUE(even.ok()) << even.status().ToString();
  EXPECT_EQ(even->metrics[0].achievement, Exact(1, 2));
  EXPECT_EQ(even->metrics[1].achievement, Exact(1));
  EXPECT_EQ(even->achievement, Exact(3, 4));
  EXPECT_EQ(PenceToPounds(even->earned_pence), "1387500.00");
  EXPECT_EQ(PenceToPounds(even->withheld_pence), "462500.00");
  EXPECT_FALSE(even->recovery_plan_required);

  auto weighted = PaymentCalculator::Calculate(
      Fixed(185000000, {Metric(MetricId::kDelayedDays, 2, 300, 250, 275),
                        Metric(MetricId::kReablement91, 1, 80, 85, 90)}));
  ASSERT_TRUE(weighted.ok());
  EXPECT_EQ(weighted->achievement, Exact(2, 3));
  EXPECT_EQ(PenceToPounds(weighted->earned_pence), "1233333.33");
  EXPECT_EQ(PenceToPounds(weighted->withheld_pence), "616666.67");
  EXPECT_TRUE(weighted->recovery_plan_required);
}

// target = baseline: 1 when the actual is at least as good, else 0 (both
// directions).
TEST(PaymentCalculator, TargetEqualToBaseline) {
  Fraction b = Fraction::Of(100);
  EXPECT_EQ(MetricAchievement(Direction::kLower, b, b, Fraction::Of(100)),
            Exact(1));
  EXPECT_EQ(MetricAchievement(Direction::kLower, b, b, Fraction::Of(99)),
            Exact(1));
  EXPECT_EQ(MetricAchievement(Direction::kLower, b, b, Fraction::Of(101)),
            Exact(0));
  EXPECT_EQ(MetricAchievement(Direction::kHigher, b, b, Fraction::Of(100)),
            Exact(1));
  EXPECT_EQ(MetricAchievement(Direction::kHigher, b, b, Fraction::Of(99)),
            Exact(0));
  auto r = PaymentCalculator::Calculate(
      Fixed(100000, {Metric(MetricId::kAeAttendances, 1, 500, 500, 500)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->earned_pence, 100000);
}

// Baseline 200, target 100 (lower): actual 130 -> 70/100 = 0.70, not below: no
// recovery plan; actual 131 -> 69/100 = 0.69: recovery plan required. Earned on
// £1,000: £700.00 and £690.00.
TEST(PaymentCalculator, RecoveryThresholdOnBothSides) {
  auto at = PaymentCalculator::Calculate(Fixed(
      100000, {Metric(MetricId::kNonElectiveAdmissions, 1, 200, 100, 130)}));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->achievement, Exact(7, 10));
  EXPECT_FALSE(at->recovery_plan_required);
  EXPECT_EQ(at->earned_pence, 70000);
  auto below = PaymentCalculator::Calculate(Fixed(
      100000, {Metric(MetricId::kNonElectiveAdmissions, 1, 200, 100, 131)}));
  ASSERT_TRUE(below.ok());
  EXPECT_EQ(below->achievement, Exact(69, 100));
  EXPECT_TRUE(below->recovery_plan_required);
  EXPECT_EQ(below->earned_pence, 69000);
}

// £1.00 with achievement (8 - 7) / (8 - 0) = 1/8 -> 12.5p, rounded half up to
// 13p.
TEST(PaymentCalculator, EarnedRoundsHalfUpToThePenny) {
  auto r = PaymentCalculator::Calculate(
      Fixed(100, {Metric(MetricId::kNonElectiveAdmissions, 1, 8, 0, 7)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->earned_pence, 13);
  EXPECT_EQ(r->withheld_pence, 87);
}

// Three metrics whose actuals have large, pairwise coprime denominators (as
// rates over populations and days do): their weighted sum's denominator is
// ~10^48, past 128 bits, where the calculator once gave up ("weights too
// precise"). Lower is better, baseline 1, target 0, weight 1 each, actual
// 1/2 + 1/p for p = 10^16 + 1, + 3, + 7: each achievement is 1/2 - 1/p, the
// weighted achievement 1/2 - (1/p1 + 1/p2 + 1/p3) / 3, just under 1/2. On a
// pot of 1,000,001p (£10,000.01) that is 500,000.5p - 1,000,001 x ~10^-16p =
// 500,000.4999999999p: under the half penny, so rounded half up 500,000p =
// £5,000.00 earned,
// £5,000.01 withheld, and below 0.70: a recovery plan. (Rounded through any
// 15-digit decimal, the achievement would read exactly 1/2 and earn a penny
// more.)
TEST(PaymentCalculator, ExactBeyond128BitsToThePenny) {
  auto metric = [](MetricId id, int64_t offset) {
    const Int128 p = Int128{10'000'000'000'000'000} + offset;
    return TrancheMetricInput{id, Fraction::Of(1), Fraction::Of(1),
                              Fraction::Of(0), Fraction(p + 2, 2 * p)};
  };
  auto r = PaymentCalculator::Calculate(
      Fixed(1000001, {metric(MetricId::kNonElectiveAdmissions, 1),
                      metric(MetricId::kDelayedDays, 3),
                      metric(MetricId::kPermanentAdmissions65, 7)}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Exact p1 = Exact(10'000'000'000'000'001);
  EXPECT_EQ(r->metrics[0].achievement, Exact(1, 2) - 1 / p1);
  const Exact p2 = p1 + 2, p3 = p1 + 6;
  EXPECT_EQ(r->achievement, Exact(1, 2) - (1 / p1 + 1 / p2 + 1 / p3) / 3);
  EXPECT_LT(r->achievement, Exact(1, 2));
  EXPECT_EQ(PenceToPounds(r->earned_pence), "5000.00");
  EXPECT_EQ(PenceToPounds(r->withheld_pence), "5000.01");
  EXPECT_TRUE(r->recovery_plan_required);
}

// No data for the period: achievement 0.
TEST(PaymentCalculator, MissingActualEarnsNothing) {
  TrancheInput t =
      Fixed(100000, {Metric(MetricId::kReablement91, 1, 80, 85, 0)});
  t.metrics[0].actual.reset();
  auto r = PaymentCalculator::Calculate(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->earned_pence, 0);
  EXPECT_TRUE(r->recovery_plan_required);
}

TEST(PaymentCalculator, RefusesMalformedTranches) {
  TrancheInput both = UnitCost(6200, 5983, 6100);
  both.amount_pence = 100;
  EXPECT_EQ(PaymentCalculator::Calculate(both).status().code(),
            Code::kInvalidArgument);
  TrancheInput two = UnitCost(6200, 5983, 6100);
  two.metrics.push_back(two.metrics.front());
  EXPECT_EQ(PaymentCalculator::Calculate(two).status().code(),
            Code::kInvalidArgument);
  TrancheInput none = Fixed(100, {});
  EXPECT_EQ(PaymentCalculator::Calculate(none).status().code(),
            Code::kInvalidArgument);
}

// Plan figures and actuals enter the exact arithmetic unchanged, negative and
// past 64 bits too.
TEST(PaymentCalculator, FractionsBecomeExactUnchanged) {
  EXPECT_EQ(ToExact(Fraction(-7, 3)), Exact(-7, 3));
  const Int128 big = Int128{1} << 100;
  EXPECT_EQ(ToExact(Fraction(-big - 1, 3)),
            -(Exact(boost::multiprecision::cpp_int(1) << 100) + 1) / 3);
  EXPECT_EQ(RoundHalfUp(Exact(-5, 2)), -3);
  EXPECT_EQ(RoundHalfUp(Exact(5, 2)), 3);
  EXPECT_EQ(RoundHalfUp(Exact(249999, 100000)), 2);
}

TEST(PaymentCalculator, PoundsAndPence) {
  EXPECT_EQ(PoundsToPence(1490), 149000);
  EXPECT_EQ(PoundsToPence(0.29), 29);
  EXPECT_EQ(PenceToPounds(5), "0.05");
}

}  // namespace
}  // namespace carelog::metrics
