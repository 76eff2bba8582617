#include "gateway/metrics_json.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "services/calendar.h"

namespace carelog::gateway {
namespace {

using metrics::Fraction;
using metrics::MetricId;

metrics::AreaMetrics OnePeriod() {
  metrics::AreaMetrics m;
  m.area = "E09000002";
  metrics::AreaPeriodMetrics p;
  p.area = m.area;
  p.period = *ParsePeriod("2014-15-Q1");
  for (MetricId id : metrics::kAllMetrics) {
    metrics::MetricValue v;
    v.metric = id;
    p.values.push_back(v);
    p.planned.push_back({});
  }
  // 3 of 40 referrals answered in time: withheld; 6,100 admissions against
  // 6,200 -> 5,983.
  p.values[11].numerator = 3;
  p.values[11].denominator = 40;
  p.values[11].counts = {3, 40};
  p.values[11].value = Fraction(300, 40);
  p.values[0].numerator = 6102;
  p.values[0].counts = {6102};
  p.values[0].value = Fraction::Of(6102);
  p.planned[0] = {Fraction::Of(6200), Fraction::Of(5983)};
  m.periods.push_back(p);
  return m;
}

TEST(MetricsJson, NullsForWithheldAndMissingValues) {
  std::string json = MetricsJson(OnePeriod());
  EXPECT_NE(json.find("\"asOf\":null"), std::string::npos) << json;
  EXPECT_NE(
      json.find(
          "{\"metric\":\"urgentResponse24h\",\"value\":null,\"numerator\":null,"
          "\"denominator\":40,\"suppressed\":true"),
      std::string::npos)
      << json;
  EXPECT_NE(
      json.find(
          "{\"metric\":\"nonElectiveAdmissions\",\"value\":6100,\"numerator\":"
          "6100,"
          "\"denominator\":null,\"suppressed\":false,\"direction\":\"LOWER\","
          "\"baseline\":6200,\"target\":5983"),
      std::string::npos)
      << json;
}

// `asOf` is the client's spelling when they gave one, the instant in UTC
// otherwise.
TEST(MetricsJson, AsOfIsPrintedAsTheClientWroteIt) {
  metrics::AreaMetrics m = OnePeriod();
  m.as_of = *ParseRfc3339("2015-06-01T00:00:00+01:00");
  EXPECT_NE(MetricsJson(m).find("\"asOf\":\"2015-05-31T23:00:00Z\""),
            std::string::npos)
      << MetricsJson(m);
  const std::string given = "2015-06-01T00:00:00+01:00";
  for (const std::string& json :
       {MetricsJson(m, given),
        SeriesJson(m, MetricId::kNonElectiveAdmissions, "quarter", given)}) {
    EXPECT_NE(json.find("\"asOf\":\"2015-06-01T00:00:00+01:00\""),
              std::string::npos)
        << json;
  }
  metrics::Payments p;
  p.as_of = m.as_of;
  EXPECT_NE(PaymentsJson(p, given).find("\"asOf\":\"" + given + "\""),
            std::string::npos);
  metrics::ConditionsScorecard s;
  s.period = m.periods.front().period;
  s.as_of = m.as_of;
  EXPECT_NE(ConditionsJson(s, given).find("\"asOf\":\"" + given + "\""),
            std::string::npos);
}

TEST(MetricsJson, CsvHasTheFixedHeaderAndOneRowPerMetric) {
  std::string csv = MetricsCsv(OnePeriod());
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "area,period,metric,value,numerator,denominator,suppressed,"
            "baseline,target");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
  EXPECT_NE(csv.find("\nE09000002,2014-15-Q1,nonElectiveAdmissions,6100,6100,,"
                     "false,6200,5983\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nE09000002,2014-15-Q1,urgentResponse24h,,,40,true,,\n"),
            std::string::npos)
      << csv;
}

TEST(MetricsJson, MoneyHasTwoDecimals) {
  metrics::Payments p;
  p.area = "E09000002";
  p.year = "2015-16";
  metrics::TrancheResult t;
  t.id = "2015-16-Q1";
  t.period = "2015-16-Q1";
  t.pot_pence = 32333000;
  t.achievement = metrics::Exact(100, 217);
  t.earned_pence = 14900000;
  t.withheld_pence = 17433000;
  t.recovery_plan_required = true;
  p.tranches.push_back(t);
  p.total_earned_pence = 14900000;
  p.total_withheld_pence = 17433000;
  std::string json = PaymentsJson(p);
  EXPECT_NE(json.find("\"potGbp\":323330.00"), std::string::npos) << json;
  EXPECT_NE(json.find("\"earnedGbp\":149000.00"), std::string::npos) << json;
  EXPECT_NE(json.find("\"withheldGbp\":174330.00"), std::string::npos) << json;
  EXPECT_NE(json.find("\"recoveryPlanRequired\":true"), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"totalEarnedGbp\":149000.00"), std::string::npos)
      << json;
}

// Figures that are not money are written so that they read back exactly:
// SPEC.md's example achievement 100/217 is 0.4608294930875576, not a value cut
// to ten digits (0.4608294931), which a client comparing with its own 100/217
// would find different.
TEST(MetricsJson, FractionsReadBackExactly) {
  metrics::Payments p;
  p.area = "E09000002";
  p.year = "2015-16";
  metrics::TrancheResult t;
  t.id = "2015-16-Q1";
  t.period = "2015-16-Q1";
  t.achievement = metrics::Exact(100, 217);
  p.tranches.push_back(t);
  std::string json = PaymentsJson(p);
  const std::string key = "\"achievement\":";
  const size_t at = json.find(key);
  ASSERT_NE(at, std::string::npos) << json;
  EXPECT_EQ(std::strtod(json.c_str() + at + key.size(), nullptr), 100.0 / 217)
      << json;
  EXPECT_NE(json.find("\"achievement\":0.4608294930875576,"), std::string::npos)
      << json;
}

}  // namespace
}  // namespace carelog::gateway
