// An acceptance audit of the figures that decide money: SPEC.md's metric
// definitions, payments and `asOf` worked by hand for 2015-16 (the edges the
// 2014-15 worked examples leave out) and read back over HTTP from the real
// server. Payments are exact (no disclosure control), so a tranche per metric
// and period probes the exact value; the metrics answer is checked for what a
// commissioner sees.
//
// Area A (E09000002): mid-2014 58,000 / 120,000 / 20,000 (0-17 / 18-64 / 65+,
// 198,000 in all); mid-2015 60,000 / 130,000 / 25,000 (215,000 in all,
// 155,000 adults). 2015-16 and its quarters and months use mid-2015.
#include "tests/e2e/metrics_audit.h"

#include <gtest/gtest.h>

namespace carelog::e2e::worked::audit {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

class MetricsAuditTest : public SharedServerTest<MetricsAuditTest> {
 protected:
  static std::string Path(const std::string& what) {
    return std::string("/v1/areas/") + LiveServer::kAreaA + what;
  }

  static void SetUpTestSuite() {
    SharedServerTest::SetUpTestSuite();
    ASSERT_TRUE(server_->started());
    HttpClient admin(server_->port(), server_->admin);
    ASSERT_EQ(admin.Send("PUT", Path(""), kTwoYears).status, 201);
    auto put = admin.Send("PUT", Path("/plans/2015-16"), Plan(1));
    ASSERT_EQ(put.status, 201) << put.body;
    before_late_ = RecordTheBorough(server_->port(), server_->practitioner_a);
    auto replan = admin.Send("PUT", Path("/plans/2015-16"), Plan(2));
    ASSERT_EQ(replan.status, 200) << replan.body;
    last_ = static_cast<uint64_t>(Number(replan.Json(), "lastPosition"));
  }

  Struct Payments(const std::string& as_of = "") {
    HttpClient admin(server_->port(), server_->admin);
    auto answer =
        admin.Get(Path("/payments/2015-16?") +
                  (as_of.empty() ? "minPosition=" + std::to_string(last_)
                                 : "asOf=" + as_of));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.Json();
  }
  Struct Metrics(const std::string& period) {
    HttpClient commissioner(server_->port(), server_->commissioner_a);
    auto answer = commissioner.Get(Path("/metrics?period=") + period +
                                   "&minPosition=" + std::to_string(last_));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.Json();
  }
  static double Exact(const Struct& payments, const std::string& tranche) {
    return Actual(Tranche(payments, tranche)).number_value();
  }

  static inline uint64_t last_ = 0;
  static inline std::string before_late_;
};

// Delayed days per 100,000 adults (155,000) per month of the period.
TEST_F(MetricsAuditTest, DelayedDaysBySpecsExampleDeathAndCorrections) {
  Struct now = Payments();
  EXPECT_DOUBLE_EQ(Exact(now, "dd-apr"), 3e5 / 155000);      // 3 days
  EXPECT_DOUBLE_EQ(Exact(now, "dd-may"), 2e5 / 155000);      // 2 days
  EXPECT_DOUBLE_EQ(Exact(now, "dd-jun"), 29e5 / 155000);     // 29 days
  EXPECT_DOUBLE_EQ(Exact(now, "dd-jul"), 4e5 / 155000);      // death
  EXPECT_DOUBLE_EQ(Exact(now, "dd-aug"), 7e5 / 155000);      // corrected
  EXPECT_DOUBLE_EQ(Exact(now, "dd-q1"), 34e5 / 3 / 155000);  // 3 months
  EXPECT_DOUBLE_EQ(Exact(now, "dd-oct"), 1e5 / 155000);      // clocks back
  EXPECT_DOUBLE_EQ(Exact(now, "dd-mar"), 2e5 / 155000);      // clocks forward
  // The year: 3 + 2 + 29 + 4 + 7 + 1 + 2 = 48 days over 12 months.
  EXPECT_DOUBLE_EQ(Exact(now, "dd-year"), 48e5 / 12 / 155000);
  // As reported before the corrections: P4's 2 days and P5's 18.
  Struct then = Payments(before_late_);
  EXPECT_DOUBLE_EQ(Exact(then, "dd-aug"), 20e5 / 155000);
  EXPECT_DOUBLE_EQ(Exact(then, "dd-year"), 61e5 / 12 / 155000);
}

// June as a commissioner sees it: 29 days shown as 30, the value from the
// exact 29; D1 and social care (7 days) withheld, A and NHS (22) shown as 20.
TEST_F(MetricsAuditTest, DelayedDaysBreakdownAtTheMidnight) {
  Struct dd = MetricEntry(Metrics("2015-06"), "delayedDays");
  EXPECT_DOUBLE_EQ(Number(dd, "value"), 29e5 / 155000);
  EXPECT_EQ(Number(dd, "numerator"), 30);
  EXPECT_EQ(Number(dd, "denominator"), 155000);
  EXPECT_FALSE(Field(dd, "suppressed").bool_value());
  EXPECT_EQ(Text(dd, "direction"), "LOWER");
  EXPECT_EQ(Number(dd, "baseline"), 20);
  EXPECT_EQ(Number(dd, "target"), 10);
  const Struct& breakdown = Field(dd, "breakdown").struct_value();
  const Struct& agency = Field(breakdown, "byAgency").struct_value();
  EXPECT_EQ(Number(agency, "NHS"), 20);
  EXPECT_TRUE(IsNull(agency, "SOCIAL_CARE"));
  EXPECT_EQ(Number(agency, "BOTH"), 0);
  EXPECT_EQ(Number(agency, "UNRECORDED"), 0);
  const Struct& reason = Field(breakdown, "byReason").struct_value();
  EXPECT_EQ(Number(reason, "A"), 20);
  EXPECT_TRUE(IsNull(reason, "D1"));
  EXPECT_EQ(Number(reason, "UNRECORDED"), 0);
  for (const char* r : {"B", "C", "D2", "E", "F", "G", "H", "I"})
    EXPECT_EQ(Number(reason, r), 0) << r;
}

// Q1 permanent admissions: 65+ P10 (on their birthday, London date) = 1 per
// 25,000 = 4 per 100,000, worse than baseline = target 3: achievement 0.
// 18-64: P12 and P14 = 2 per 130,000; P15's retracted. As reported before
// the retraction and the plan's change: 3, against target 1:
// (3 - 30/13) / (3 - 1) = 9/26. Now 20/13 against target 2: clamped to 1.
TEST_F(MetricsAuditTest, PermanentAdmissionsAgeBandsMovesAndRestatedPlan) {
  Struct now = Payments();
  Struct pa65 = Tranche(now, "pa65-q1");
  EXPECT_DOUBLE_EQ(Actual(pa65).number_value(), 4);
  EXPECT_EQ(Number(pa65, "achievement"), 0);
  EXPECT_EQ(Number(pa65, "earnedGbp"), 0);
  EXPECT_EQ(Number(pa65, "withheldGbp"), 100);
  Struct pa18 = Tranche(now, "pa18-q1");
  EXPECT_DOUBLE_EQ(Actual(pa18).number_value(), 2e5 / 130000);
  EXPECT_EQ(Number(pa18, "achievement"), 1);
  const Struct m = Field(pa18, "metrics").list_value().values(0).struct_value();
  EXPECT_EQ(Number(m, "target"), 2);
  Struct then = Tranche(Payments(before_late_), "pa18-q1");
  EXPECT_DOUBLE_EQ(Actual(then).number_value(), 3e5 / 130000);
  EXPECT_DOUBLE_EQ(Number(then, "achievement"), 9.0 / 26);
  EXPECT_EQ(Number(then, "earnedGbp"), 34.62);
  const Struct mt =
      Field(then, "metrics").list_value().values(0).struct_value();
  EXPECT_EQ(Number(mt, "target"), 1);
  // A commissioner sees one 65+ person withheld.
  Struct shown = MetricEntry(Metrics("2015-16-Q1"), "permanentAdmissions65");
  EXPECT_TRUE(IsNull(shown, "value"));
  EXPECT_TRUE(IsNull(shown, "numerator"));
  EXPECT_EQ(Number(shown, "denominator"), 25000);
  EXPECT_TRUE(Field(shown, "suppressed").bool_value());
}

TEST_F(MetricsAuditTest, ReablementCohortAtTheEdges) {
  Struct now = Payments();
  EXPECT_EQ(Exact(now, "rb-q3"), 50);
  EXPECT_EQ(Exact(now, "rb-year"), 50);
  Struct oct = Tranche(now, "rb-oct");
  EXPECT_EQ(Actual(oct).number_value(), 100);
  EXPECT_EQ(Number(oct, "achievement"), 1);  // target = baseline, met
}

// Experience: September 8 of 10 (after the retraction) = 80 %: exactly 0.70
// of the way from 66 to 86, so no recovery plan; £70.00 earned. A
// commissioner sees 80 with counts 10 and 10. October 7 of 9: withheld.
TEST_F(MetricsAuditTest, PatientExperienceAndTheRecoveryThreshold) {
  Struct now = Payments();
  Struct sep = Tranche(now, "pe-sep");
  EXPECT_EQ(Actual(sep).number_value(), 80);
  EXPECT_DOUBLE_EQ(Number(sep, "achievement"), 0.7);
  EXPECT_EQ(Number(sep, "earnedGbp"), 70);
  EXPECT_FALSE(Field(sep, "recoveryPlanRequired").bool_value());
  EXPECT_DOUBLE_EQ(Exact(now, "pe-oct"), 700.0 / 9);
  Struct shown = MetricEntry(Metrics("2015-09"), "patientExperience");
  EXPECT_EQ(Number(shown, "value"), 80);
  EXPECT_EQ(Number(shown, "numerator"), 10);
  EXPECT_EQ(Number(shown, "denominator"), 10);
  EXPECT_FALSE(Field(shown, "suppressed").bool_value());
  EXPECT_EQ(Text(shown, "direction"), "HIGHER");
  Struct withheld = MetricEntry(Metrics("2015-10"), "patientExperience");
  EXPECT_TRUE(IsNull(withheld, "value"));
  EXPECT_TRUE(Field(withheld, "suppressed").bool_value());
}

TEST_F(MetricsAuditTest, WeekendRatioWithASubstituteBankHoliday) {
  EXPECT_DOUBLE_EQ(Exact(Payments(), "wdr-dec"), 1.05);
}

TEST_F(MetricsAuditTest, UrgentResponseInElapsedHoursAcrossClockChanges) {
  EXPECT_EQ(Exact(Payments(), "ur-year"), 50);
}

// April's one emergency admission against baseline 2, target 0: achievement
// 1/2 of a 5p pot is 2.5p, rounded half up: 3p earned, 2p withheld. May's
// unit-cost pot: (2.5 - 1.25) x £100 = £125.00; actual 2 days = 40/31 per
// 100,000: achievement (2.5 - 40/31) / 1.25 = 30/31: £120.97. Q4: none (the
// transfer of 00:30 BST on 1 April 2016 is 2016-17): 0 = baseline = target,
// achievement 1.
TEST_F(MetricsAuditTest, PenniesPotsAndTotals) {
  Struct now = Payments();
  Struct apr = Tranche(now, "nea-apr");
  EXPECT_EQ(Actual(apr).number_value(), 1);
  EXPECT_EQ(Number(apr, "potGbp"), 0.05);
  EXPECT_EQ(Number(apr, "earnedGbp"), 0.03);
  EXPECT_EQ(Number(apr, "withheldGbp"), 0.02);
  EXPECT_TRUE(Field(apr, "recoveryPlanRequired").bool_value());
  Struct may = Tranche(now, "dd-may");
  EXPECT_EQ(Number(may, "potGbp"), 125);
  EXPECT_DOUBLE_EQ(Number(may, "achievement"), 30.0 / 31);
  EXPECT_EQ(Number(may, "earnedGbp"), 120.97);
  EXPECT_EQ(Number(may, "withheldGbp"), 4.03);
  Struct q4 = Tranche(now, "nea-q4");
  EXPECT_EQ(Actual(q4).number_value(), 0);
  EXPECT_EQ(Number(q4, "achievement"), 1);
  EXPECT_EQ(Number(q4, "earnedGbp"), 100);
  // Totals are the sums of the tranches, to the penny.
  long earned = 0, withheld = 0;
  for (const Value& t : Field(now, "tranches").list_value().values()) {
    earned += std::lround(Number(t.struct_value(), "earnedGbp") * 100);
    withheld += std::lround(Number(t.struct_value(), "withheldGbp") * 100);
    EXPECT_EQ(std::lround(Number(t.struct_value(), "earnedGbp") * 100) +
                  std::lround(Number(t.struct_value(), "withheldGbp") * 100),
              std::lround(Number(t.struct_value(), "potGbp") * 100))
        << Text(t.struct_value(), "id");
  }
  EXPECT_EQ(std::lround(Number(now, "totalEarnedGbp") * 100), earned);
  EXPECT_EQ(std::lround(Number(now, "totalWithheldGbp") * 100), withheld);
  EXPECT_EQ(Text(now, "area"), LiveServer::kAreaA);
  EXPECT_EQ(Text(now, "year"), "2015-16");
  EXPECT_TRUE(IsNull(now, "asOf"));
}

// Populations: a period uses the mid-year estimate of the calendar year its
// financial year starts in: February 2015 mid-2014, April 2015 and March 2016
// mid-2015.
TEST_F(MetricsAuditTest, PopulationOfThePeriodsFinancialYear) {
  EXPECT_EQ(Number(MetricEntry(Metrics("2015-02"), "nonElectiveAdmissions"),
                   "denominator"),
            198000);
  EXPECT_EQ(Number(MetricEntry(Metrics("2015-04"), "nonElectiveAdmissions"),
                   "denominator"),
            215000);
  Struct march = MetricEntry(Metrics("2016-03"), "nonElectiveAdmissions");
  EXPECT_EQ(Number(march, "denominator"), 215000);
  EXPECT_EQ(Number(march, "value"), 0);
  EXPECT_EQ(
      Number(MetricEntry(Metrics("2016-03"), "delayedDays"), "denominator"),
      155000);
}

// One entry per metric id of SPEC.md, each with API.md's fields and the
// direction of SPEC.md's table.
TEST_F(MetricsAuditTest, EveryMetricOfTheSpecWithItsDirection) {
  const std::vector<std::pair<std::string, std::string>> spec = {
      {"nonElectiveAdmissions", "LOWER"},
      {"permanentAdmissions65", "LOWER"},
      {"permanentAdmissions18to64", "LOWER"},
      {"reablement91", "HIGHER"},
      {"delayedDays", "LOWER"},
      {"aeAttendances", "LOWER"},
      {"patientExperience", "HIGHER"},
      {"nhsNumberVerified", "HIGHER"},
      {"accountableProfessionalCoverage", "HIGHER"},
      {"jointAssessmentCoverage", "HIGHER"},
      {"weekendDischargeRatio", "HIGHER"},
      {"urgentResponse24h", "HIGHER"}};
  Struct answer = Metrics("2015-16");
  EXPECT_EQ(Text(answer, "area"), LiveServer::kAreaA);
  EXPECT_EQ(Text(answer, "period"), "2015-16");
  EXPECT_TRUE(IsNull(answer, "asOf"));
  EXPECT_EQ(Field(answer, "metrics").list_value().values_size(), 12);
  for (const auto& [metric, direction] : spec) {
    Struct entry = MetricEntry(answer, metric);
    EXPECT_EQ(Text(entry, "direction"), direction) << metric;
    for (const char* key : {"value", "numerator", "denominator", "suppressed",
                            "baseline", "target", "breakdown"})
      EXPECT_TRUE(entry.fields().contains(key)) << metric << "." << key;
  }
}

// The series and the CSV carry the same figures: delayed days by quarter
// (Q1 34 days shown as 35, the value from 34), June's CSV line.
TEST_F(MetricsAuditTest, SeriesAndCsvAgreeWithTheMetrics) {
  HttpClient commissioner(server_->port(), server_->commissioner_a);
  auto series = commissioner.Get(
      Path("/metrics/delayedDays?from=2015-16&to=2015-16&granularity=quarter"));
  ASSERT_EQ(series.status, 200) << series.body;
  const Struct series_json = series.Json();
  const auto& points = Field(series_json, "points").list_value();
  ASSERT_EQ(points.values_size(), 4);
  const Struct q1 = points.values(0).struct_value();
  EXPECT_EQ(Text(q1, "period"), "2015-16-Q1");
  EXPECT_DOUBLE_EQ(Number(q1, "value"), 34e5 / 3 / 155000);
  EXPECT_EQ(Number(q1, "numerator"), 35);
  EXPECT_EQ(Number(q1, "target"), 5);
  EXPECT_EQ(Text(points.values(3).struct_value(), "period"), "2015-16-Q4");

  auto csv = commissioner.Get(Path("/metrics.csv?from=2015-06&to=2015-06"));
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("area,period,metric,value,numerator,denominator,"
                           "suppressed,baseline,target\n",
                           0),
            0u)
      << csv.body;
  const std::string row = "\nE09000002,2015-06,delayedDays,";
  const size_t at = csv.body.find(row);
  ASSERT_NE(at, std::string::npos) << csv.body;
  const std::string line =
      csv.body.substr(at + 1, csv.body.find('\n', at + 1) - at - 1);
  EXPECT_NE(line.find(",30,155000,false,20,10"), std::string::npos) << line;
  EXPECT_DOUBLE_EQ(std::stod(line.substr(row.size() - 1)), 29e5 / 155000)
      << line;
}

}  // namespace
}  // namespace carelog::e2e::worked::audit
