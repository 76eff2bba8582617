#include "services/metrics/metric_view.h"

#include "gtest/gtest.h"

namespace carelog::metrics {
namespace {

MetricValue Percent(int64_t num, int64_t den) {
  MetricValue v;
  v.metric = MetricId::kUrgentResponse24h;
  v.numerator = num;
  v.denominator = den;
  v.counts = {num, den};
  if (den > 0) v.value = Fraction(num * 100, den);
  return v;
}

// 23 of 100 -> shown 25 of 100 with the value from exact counts, 23%.
TEST(MetricView, PercentFromExactCounts) {
  ShownMetric s = Show(Percent(23, 100));
  EXPECT_EQ(s.numerator, 25);
  EXPECT_EQ(s.denominator, 100);
  EXPECT_DOUBLE_EQ(*s.value, 23.0);
  EXPECT_FALSE(s.suppressed);
}

// 3 of 100: the numerator is withheld and so is the percentage computed from
// it.
TEST(MetricView, PercentFromAWithheldCountIsWithheld) {
  ShownMetric s = Show(Percent(3, 100));
  EXPECT_EQ(s.numerator, std::nullopt);
  EXPECT_EQ(s.value, std::nullopt);
  EXPECT_TRUE(s.suppressed);
  ShownMetric d = Show(Percent(0, 5));
  EXPECT_EQ(d.numerator, 0);
  EXPECT_EQ(d.denominator, std::nullopt);
  EXPECT_EQ(d.value, std::nullopt);
  EXPECT_TRUE(d.suppressed);
}

// A count-valued metric: 12 admissions shown as 10, value 10; 0 stays 0; 7
// withheld.
TEST(MetricView, CountValuedMetricIsRounded) {
  for (auto [count, shown] :
       std::vector<std::pair<int64_t, std::optional<double>>>{{0, 0.0},
                                                              {1, std::nullopt},
                                                              {7, std::nullopt},
                                                              {8, 10.0},
                                                              {12, 10.0},
                                                              {23, 25.0}}) {
    MetricValue v;
    v.metric = MetricId::kNonElectiveAdmissions;
    v.numerator = count;
    v.denominator = 198000;
    v.denominator_is_population = true;
    v.counts = {count};
    v.value = Fraction::Of(count);
    v.rate_per_100k = Fraction(count * 100000, 198000);
    ShownMetric s = Show(v);
    EXPECT_EQ(s.value, shown) << count;
    EXPECT_EQ(s.suppressed, !shown.has_value()) << count;
    EXPECT_EQ(s.denominator,
              198000);  // a population, not disclosure-controlled
    EXPECT_EQ(s.rate_per_100k.has_value(), shown.has_value()) << count;
  }
}

// Breakdown entries are counts too.
TEST(MetricView, BreakdownIsDisclosureControlled) {
  MetricValue v;
  v.metric = MetricId::kDelayedDays;
  v.numerator = 30;
  v.counts = {30};
  v.breakdown = DelayBreakdown{{{"NHS", 23}, {"SOCIAL_CARE", 7}, {"BOTH", 0}},
                               {{"A", 30}}};
  ShownMetric s = Show(v);
  EXPECT_EQ(s.by_agency["NHS"], 25);
  EXPECT_EQ(s.by_agency["SOCIAL_CARE"], std::nullopt);
  EXPECT_EQ(s.by_agency["BOTH"], 0);
  EXPECT_EQ(s.by_reason["A"], 30);
  EXPECT_EQ(s.numerator, 30);
}

}  // namespace
}  // namespace carelog::metrics
