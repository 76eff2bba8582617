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
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/worked_examples.h"

namespace carelog::e2e::worked {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kTwoYears[] =
    R"({"name": "Area", "population": [
        {"year": 2014, "age0to17": 58000, "age18to64": 120000, "age65plus": 20000},
        {"year": 2015, "age0to17": 60000, "age18to64": 130000, "age65plus": 25000}]})";

std::string Delay(const std::string& at, const std::string& reason,
                  const std::string& agency) {
  return Ev(at, "\"dischargeDelayRecorded\":{\"spellId\":\"S1\",\"reason\":\"" +
                    reason + "\",\"agency\":\"" + agency + "\"}");
}
std::string Placement(const std::string& at, const std::string& id,
                      bool permanent, bool council,
                      const std::string& event_id = "") {
  return Ev(at,
            "\"careHomeAdmitted\":{\"placementId\":\"" + id +
                "\",\"type\":\"NURSING\",\"permanent\":" +
                (permanent ? "true" : "false") +
                ",\"councilSupported\":" + (council ? "true" : "false") + "}",
            event_id);
}
std::string Survey(const std::string& at, bool positive,
                   const std::string& id) {
  return Ev(at,
            "\"experienceSurveyCompleted\":{\"surveyId\":\"" + id +
                "\",\"positive\":" + (positive ? "true" : "false") +
                ",\"question\":\"Q\"}",
            id);
}
std::string Retract(const std::string& at, const std::string& event_id) {
  return Ev(at, "\"eventRetracted\":{\"eventId\":\"" + event_id +
                    "\",\"reason\":\"entered in error\"}");
}
std::string WithId(const std::string& at, const std::string& payload,
                   const std::string& id) {
  return Ev(at, payload, id);
}

// The 2015-16 plan: one tranche per probe, plus a `unitCostGbp` tranche on
// May's delayed days (baseline 2.5, target 1.25, £100 a unit: pot £125.00).
// `pa18_target` is what the plan is later changed to restate.
std::string Plan(double pa18_target) {
  const std::vector<Probe> probes = {
      {"dd-apr", "delayedDays", "2015-04", 3, 1, 100},
      {"dd-jun", "delayedDays", "2015-06", 20, 10, 100},
      {"dd-jul", "delayedDays", "2015-07", 3, 1, 100},
      {"dd-aug", "delayedDays", "2015-08", 3, 1, 100},
      {"dd-oct", "delayedDays", "2015-10", 3, 1, 100},
      {"dd-mar", "delayedDays", "2016-03", 3, 1, 100},
      {"ur-year", "urgentResponse24h", "2015-16", 0, 100, 100},
      {"dd-q1", "delayedDays", "2015-16-Q1", 10, 5, 100},
      {"dd-year", "delayedDays", "2015-16", 10, 5, 100},
      {"nea-apr", "nonElectiveAdmissions", "2015-04", 2, 0, 0.05},
      {"nea-q4", "nonElectiveAdmissions", "2015-16-Q4", 0, 0, 100},
      {"pa65-q1", "permanentAdmissions65", "2015-16-Q1", 3, 3, 100},
      {"pa18-q1", "permanentAdmissions18to64", "2015-16-Q1", 3, pa18_target,
       100},
      {"rb-q3", "reablement91", "2015-16-Q3", 40, 60, 100},
      {"rb-oct", "reablement91", "2015-10", 100, 100, 100},
      {"rb-year", "reablement91", "2015-16", 40, 60, 100},
      {"pe-sep", "patientExperience", "2015-09", 66, 86, 100},
      {"pe-oct", "patientExperience", "2015-10", 0, 100, 100},
      {"wdr-dec", "weekendDischargeRatio", "2015-12", 0.5, 1, 100},
  };
  return PlanOf(
      probes,
      R"({"id":"dd-may","period":"2015-05","unitCostGbp":100,
          "metrics":[{"metric":"delayedDays","weight":1}]})",
      R"({"metric":"delayedDays","period":"2015-05","baseline":2.5,"target":1.25})");
}

const std::string kDischargeP4 = NewEventId();
const std::string kReadyP5 = NewEventId();
const std::string kPlacementP15 = NewEventId();

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

    HttpClient pa(server_->port(), server_->practitioner_a);
    auto post = [&pa](int n, const std::vector<std::string>& events) {
      auto answer =
          pa.Send("POST", "/v1/people/" + TestNhsNumber(n) + "/events",
                  EventsBody(events));
      EXPECT_EQ(answer.status, 201) << n << ": " << answer.body;
      last_ = static_cast<uint64_t>(Number(answer.Json(), "lastPosition"));
    };

    // Delayed days. P1, SPEC.md's own example: ready 28 April, discharged 3
    // May: April 3 days (28, 29, 30), May 2 (1, 2). April's only emergency
    // admission.
    post(401,
         {Register("1950-01-01"),
          Admit("2015-04-20T10:00:00+01:00", "S1", "EMERGENCY"),
          Ready("2015-04-28T10:00:00+01:00", "S1"),
          Discharge("2015-05-03T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    // P2: ready 1 June; D1 (social care) at 11:00; A (NHS) at 00:00 on 9 June,
    // the midnight that ends 8 June ("at or before" it: 8 June is A's);
    // discharged 30 June. 29 days: D1 on 1-7 June (7), A on 8-29 June (22).
    post(402,
         {Register("1950-01-01"),
          Admit("2015-05-25T10:00:00+01:00", "S1", "ELECTIVE"),
          Ready("2015-06-01T10:00:00+01:00", "S1"),
          Delay("2015-06-01T11:00:00+01:00", "D1", "SOCIAL_CARE"),
          Delay("2015-06-09T00:00:00+01:00", "A", "NHS"),
          Discharge("2015-06-30T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    // P3 dies in hospital while ready since 10 July, on 14 July at 15:00,
    // never discharged: the midnights ending 10-13 July, 4 days.
    post(403, {Register("1950-01-01"),
               Admit("2015-07-01T10:00:00+01:00", "S1", "ELECTIVE"),
               Ready("2015-07-10T10:00:00+01:00", "S1"),
               Ev("2015-07-14T15:00:00+01:00", "\"personDied\":{}")});
    // P4: ready 3 August, discharged on the 5th (corrected later to the
    // 10th): 2 days (3, 4), then 7 (3-9).
    post(404, {Register("1950-01-01"),
               Admit("2015-08-01T10:00:00+01:00", "S1", "ELECTIVE"),
               Ready("2015-08-03T10:00:00+01:00", "S1"),
               WithId("2015-08-05T10:00:00+01:00",
                      "\"discharged\":{\"spellId\":\"S1\",\"destination\":"
                      "\"USUAL_RESIDENCE\"}",
                      kDischargeP4)});
    // P5: ready 2 August, discharged the 20th: 18 days (2-19) until the
    // readiness is retracted.
    post(405,
         {Register("1950-01-01"),
          Admit("2015-08-01T10:00:00+01:00", "S1", "ELECTIVE"),
          WithId("2015-08-02T10:00:00+01:00",
                 "\"readyForDischarge\":{\"spellId\":\"S1\"}", kReadyP5),
          Discharge("2015-08-20T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});

    // The clocks go back at 02:00 BST on Sunday 25 October 2015: the midnight
    // ending the 24th is 23:00 UTC on the 24th, the one ending the 25th 00:00
    // UTC on the 26th. P6: ready 00:30 BST on the 25th, discharged 23:30 GMT
    // that day: 0 days. P7: ready 23:30 BST on the 24th, discharged with P6:
    // 1 day.
    post(406, {Register("1950-01-01"),
               Admit("2015-10-20T10:00:00+01:00", "S1", "ELECTIVE"),
               Ready("2015-10-24T23:30:00Z", "S1"),
               Discharge("2015-10-25T23:30:00Z", "S1", "USUAL_RESIDENCE")});
    post(407, {Register("1950-01-01"),
               Admit("2015-10-20T10:00:00+01:00", "S1", "ELECTIVE"),
               Ready("2015-10-24T22:30:00Z", "S1"),
               Discharge("2015-10-25T23:30:00Z", "S1", "USUAL_RESIDENCE")});
    // They go forward at 01:00 GMT on Sunday 27 March 2016: the midnight
    // ending the 26th is 00:00 UTC on the 27th, the one ending the 27th 23:00
    // UTC on the 27th. P8: ready 23:30 GMT on the 26th, discharged 00:30 BST
    // on the 28th: 2 days.
    post(408, {Register("1950-01-01"),
               Admit("2016-03-20T10:00:00Z", "S1", "ELECTIVE"),
               Ready("2016-03-26T23:30:00Z", "S1"),
               Discharge("2016-03-27T23:30:00Z", "S1", "USUAL_RESIDENCE")});
    // Urgent referrals across the clock changes: 24.5 hours elapsed over the
    // 25-hour day (late) though the clocks show 23.5; 23.5 hours over the
    // 23-hour day (in time) though the clocks show 24.5: 1 of 2 = 50 %.
    post(409, {Register("1950-01-01"),
               Referral("2015-10-24T10:00:00+01:00", "R1", "URGENT"),
               Ev("2015-10-25T09:30:00+00:00",
                  "\"referralAccepted\":{\"referralId\":\"R1\"}"),
               Referral("2016-03-26T10:00:00+00:00", "R2", "CRISIS"),
               Ev("2016-03-27T10:30:00+01:00",
                  "\"referralDeclined\":{\"referralId\":\"R2\"}")});

    // Permanent admissions in Q1. P10 turns 65 on 15 June; admitted at 23:30
    // UTC on 14 June = 00:30 BST on the 15th: 65+.
    post(410, {Register("1950-06-15"),
               Placement("2015-06-14T23:30:00Z", "C1", true, true)});
    // P11: not council-supported. P12: a permanent placement while a respite
    // (not permanent) one is open: an admission. P13: 17 the day before their
    // 18th birthday: neither age band. P14: admitted, left, admitted again:
    // once. P15: retracted later.
    post(411, {Register("1960-01-01"),
               Placement("2015-05-01T10:00:00+01:00", "C1", true, false)});
    post(412, {Register("1960-01-01"),
               Placement("2015-05-01T10:00:00+01:00", "R1", false, true),
               Placement("2015-05-10T10:00:00+01:00", "C1", true, true)});
    post(413, {Register("1997-05-20"),
               Placement("2015-05-19T10:00:00+01:00", "C1", true, true)});
    post(414, {Register("1960-01-01"),
               Placement("2015-04-10T10:00:00+01:00", "C1", true, true),
               Ev("2015-04-20T10:00:00+01:00",
                  "\"careHomeLeft\":{\"placementId\":\"C1\"}"),
               Placement("2015-05-15T10:00:00+01:00", "C2", true, true)});
    post(415,
         {Register("1960-01-01"), Placement("2015-06-01T10:00:00+01:00", "C1",
                                            true, true, kPlacementP15)});

    // Reablement, Q3. P20 turns 65 on the day of the discharge (5 October):
    // at home. P21 (rehabilitation bed, 1 November) died on 15 December: a
    // later AT_HOME follow-up does not make day 91 at home. P22 is 64. P23:
    // 23:30 GMT on 31 December, at home. P24: discharged home, not in the
    // cohort. P25: no follow-up. Cohort P20, P21, P23, P25: 2 of 4 = 50 %;
    // October: P20, 100 %.
    post(420, {Register("1950-10-05"),
               Admit("2015-09-28T10:00:00+01:00", "S1", "ELECTIVE"),
               Discharge("2015-10-05T10:00:00+01:00", "S1", "REABLEMENT"),
               FollowUp("2016-01-04T10:00:00Z", "S1", "AT_HOME")});
    post(421, {Register("1950-01-01"),
               Admit("2015-10-25T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-11-01T10:00:00Z", "S1", "REHABILITATION_BED"),
               Ev("2015-12-15T10:00:00Z", "\"personDied\":{}"),
               FollowUp("2016-01-31T10:00:00Z", "S1", "AT_HOME")});
    post(422, {Register("1951-01-01"),
               Admit("2015-10-25T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-11-02T10:00:00Z", "S1", "REABLEMENT"),
               FollowUp("2016-02-01T10:00:00Z", "S1", "AT_HOME")});
    post(423, {Register("1950-01-01"),
               Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-12-31T23:30:00Z", "S1", "REABLEMENT"),
               FollowUp("2016-03-31T10:00:00+01:00", "S1", "AT_HOME")});
    post(424, {Register("1950-01-01"),
               Admit("2015-11-01T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-11-05T10:00:00Z", "S1", "USUAL_RESIDENCE")});
    post(425, {Register("1950-01-01"),
               Admit("2015-11-01T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-11-10T10:00:00Z", "S1", "REABLEMENT")});

    // Weekend discharges in December 2015: Boxing Day is a Saturday, so
    // Monday 28 is its substitute bank holiday. Weekend days: 8 Saturdays and
    // Sundays, Friday 25 and Monday 28 = 10; other days 21. On weekend days
    // P30's (28th); on others P31's (29th) and P23's (31st): (1/10) / (2/21)
    // = 1.05.
    post(430, {Register("1950-01-01"),
               Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-12-28T10:00:00Z", "S1", "USUAL_RESIDENCE")});
    post(431, {Register("1950-01-01"),
               Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-12-29T10:00:00Z", "S1", "USUAL_RESIDENCE")});

    // Experience. September: 11 surveys, 8 positive, one negative retracted
    // later: 8 of 10 = 80 %. October: 7 of 9.
    std::vector<std::string> sep = {Register("1950-01-01")};
    for (int i = 1; i <= 11; ++i)
      sep.push_back(Survey("2015-09-" + std::to_string(10 + i) + "T10:00:00Z",
                           i <= 8, "pe-sep-" + std::to_string(i)));
    post(440, sep);
    std::vector<std::string> oct = {Register("1950-01-01")};
    for (int i = 1; i <= 9; ++i)
      oct.push_back(Survey("2015-10-" + std::to_string(10 + i) + "T10:00:00Z",
                           i <= 7, "pe-oct-" + std::to_string(i)));
    post(441, oct);

    // Q4 2015-16: a transfer at 23:30 UTC on 31 March 2016 is 00:30 BST on 1
    // April (2016-17); a maternity admission in February is not counted: 0.
    post(450,
         {Register("1950-01-01"),
          Admit("2016-03-31T23:30:00Z", "S1", "TRANSFER"),
          Discharge("2016-04-02T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    post(451, {Register("1990-01-01"),
               Admit("2016-02-10T10:00:00Z", "S1", "MATERNITY"),
               Discharge("2016-02-12T10:00:00Z", "S1", "USUAL_RESIDENCE")});

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    before_late_ = NowRfc3339();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));

    // Recorded later: P4's discharge corrected, P5's readiness and P15's
    // placement retracted, a September survey retracted, and the plan's
    // 18-64 target changed from 1 to 2.
    post(404,
         {Retract("2015-08-11T10:00:00+01:00", kDischargeP4),
          Discharge("2015-08-10T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    post(405, {Retract("2015-08-21T10:00:00+01:00", kReadyP5)});
    post(415, {Retract("2015-06-02T10:00:00+01:00", kPlacementP15)});
    post(440, {Retract("2015-09-30T10:00:00+01:00", "pe-sep-11")});
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
}  // namespace carelog::e2e::worked
