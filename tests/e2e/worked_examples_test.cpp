// SPEC.md's metric definitions and payment rules worked by hand, end to end:
// a small borough whose every figure is computed in the comments below, put
// through the real server, read back over HTTP. Payments are not
// disclosure-controlled, so a tranche per metric and period is a probe of the
// exact value (`actual`); the metrics answer is checked for what a commissioner
// sees (suppression, zero, rounding, CSV).
//
// Area A (E09000002), mid-2014: 58,000 aged 0-17, 120,000 aged 18-64, 20,000
// aged 65+ (198,000 in all, 140,000 adults). Area B (E09000003): the same.
#include "tests/e2e/worked_examples.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

namespace carelog::e2e::worked {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

class WorkedExamplesTest : public SharedServerTest<WorkedExamplesTest> {
 protected:
  static void SetUpTestSuite() {
    SharedServerTest::SetUpTestSuite();
    ASSERT_TRUE(server_->started());
    HttpClient admin(server_->port(), server_->admin);
    for (const char* area : {LiveServer::kAreaA, LiveServer::kAreaB}) {
      ASSERT_EQ(
          admin.Send("PUT", std::string("/v1/areas/") + area, kArea).status,
          201);
    }
    const std::vector<Probe> a_probes = {
        // nonElectiveAdmissions, Q1: see "Admissions" below; unit cost tranche
        // added separately.
        {"dd-2014-06", "delayedDays", "2014-06", 2, 1, 700},
        {"dd-2015-03", "delayedDays", "2015-03", 4, 2, 700},
        {"pa65-q2", "permanentAdmissions65", "2014-15-Q2", 5, 5, 100},
        {"pa18-q2", "permanentAdmissions18to64", "2014-15-Q2", 1, 0.5, 100},
        {"pa18-q3", "permanentAdmissions18to64", "2014-15-Q3", 1, 0.5, 100},
        {"pa18-year", "permanentAdmissions18to64", "2014-15", 1, 0.5, 100},
        {"rb-q3", "reablement91", "2014-15-Q3", 40, 50, 100},
        {"rb-q4", "reablement91", "2014-15-Q4", 40, 50, 100},
        {"wdr-2014-08", "weekendDischargeRatio", "2014-08", 0.5, 1, 100},
        {"jac-2014-09", "jointAssessmentCoverage", "2014-09", 0, 100, 100},
        {"apc-2014-09", "accountableProfessionalCoverage", "2014-09", 0, 100,
         100},
        {"ur-2014-11", "urgentResponse24h", "2014-11", 0, 100, 100},
        {"ae-2015-01", "aeAttendances", "2015-01", 2, 0, 100},
        {"ae-2015-02", "aeAttendances", "2015-02", 20, 0, 100},
        {"nea-q2", "nonElectiveAdmissions", "2014-15-Q2", 2, 0, 100},
        {"dd-2014-10", "delayedDays", "2014-10", 10, 0, 100},
        {"nv-2014-11", "nhsNumberVerified", "2014-11", 0, 100, 100},
        {"dd-2014-12", "delayedDays", "2014-12", 10, 0, 100},
    };
    // The July 2014 scheme's tranche: baseline 4, target 2, £1,490 a unit:
    // pot 2 x £1,490 = £2,980. The December 2013 scheme's kind: £1,000 on
    // reablement91 (weight 1) and urgentResponse24h (weight 2) for the year.
    const std::string plan_a = PlanOf(
        a_probes,
        R"({"id":"nea-q1","period":"2014-15-Q1","unitCostGbp":1490,
            "metrics":[{"metric":"nonElectiveAdmissions","weight":1}]},
           {"id":"oct-2015","period":"2014-15","amountGbp":1000,
            "metrics":[{"metric":"reablement91","weight":1},
                       {"metric":"urgentResponse24h","weight":2}]})",
        R"({"metric":"nonElectiveAdmissions","period":"2014-15-Q1","baseline":4,"target":2},
           {"metric":"reablement91","period":"2014-15","baseline":40,"target":50},
           {"metric":"urgentResponse24h","period":"2014-15","baseline":20,"target":40})");
    auto put_a = admin.Send(
        "PUT",
        std::string("/v1/areas/") + LiveServer::kAreaA + "/plans/2014-15",
        plan_a);
    ASSERT_EQ(put_a.status, 201) << put_a.body;
    // The July 2014 scheme's first tranche, 2014-15 Q4, paid from the 2015-16
    // plan.
    auto put_next = admin.Send(
        "PUT",
        std::string("/v1/areas/") + LiveServer::kAreaA + "/plans/2015-16",
        R"({"targets":[{"metric":"nonElectiveAdmissions","period":"2014-15-Q4",
                        "baseline":6200,"target":5983}],
            "tranches":[{"id":"2014-15-Q4","period":"2014-15-Q4","unitCostGbp":1490,
                         "metrics":[{"metric":"nonElectiveAdmissions","weight":1}]}]})");
    ASSERT_EQ(put_next.status, 201) << put_next.body;
    const std::string plan_b =
        PlanOf({{"nv-2014-05", "nhsNumberVerified", "2014-05", 0, 100, 100},
                {"nv-2014-06", "nhsNumberVerified", "2014-06", 0, 100, 100},
                {"nv-q1", "nhsNumberVerified", "2014-15-Q1", 0, 100, 100},
                {"nea-b-q1", "nonElectiveAdmissions", "2014-15-Q1", 2, 0, 100},
                {"dd-b-2014-10", "delayedDays", "2014-10", 10, 0, 100},
                {"dd-b-2014-11", "delayedDays", "2014-11", 10, 0, 100}});
    auto put_b = admin.Send(
        "PUT",
        std::string("/v1/areas/") + LiveServer::kAreaB + "/plans/2014-15",
        plan_b);
    ASSERT_EQ(put_b.status, 201) << put_b.body;

    HttpClient pa(server_->port(), server_->practitioner_a);
    auto post = [&pa](int n, const std::vector<std::string>& events) {
      auto answer =
          pa.Send("POST", "/v1/people/" + TestNhsNumber(n) + "/events",
                  EventsBody(events));
      EXPECT_EQ(answer.status, 201) << n << ": " << answer.body;
      last_ = static_cast<uint64_t>(Number(answer.Json(), "lastPosition"));
    };

    // Admissions. P1: an emergency at 23:30 UTC on 31 March 2014 is 00:30 BST
    // on 1 April (2014-15-Q1, not 2013-14); a transfer at 23:30 UTC on 30 June
    // is 1 July (Q2), discharged Saturday 5 July.
    post(301,
         {Register("1940-01-01"),
          Admit("2014-03-31T23:30:00Z", "S1", "EMERGENCY"),
          Discharge("2014-04-02T10:00:00+01:00", "S1", "USUAL_RESIDENCE"),
          Admit("2014-06-30T23:30:00Z", "S2", "TRANSFER"),
          Discharge("2014-07-05T10:00:00+01:00", "S2", "USUAL_RESIDENCE")});
    // P2: an elective admission (not counted) and an emergency one in May that
    // is retracted later (counted only as of before the retraction).
    post(302,
         {Register("1950-05-05", false),
          Admit("2014-05-10T10:00:00+01:00", "S1", "ELECTIVE"),
          Discharge("2014-05-12T10:00:00+01:00", "S1", "USUAL_RESIDENCE"),
          Admit("2014-05-20T10:00:00+01:00", "S2", "EMERGENCY", retracted_id_),
          Ae("2014-11-10T10:00:00Z", "E1")});
    // P3 moves to B on 1 May and is admitted on 15 May: B's admission, not
    // A's. Verified at 23:30 UTC on 31 May = 00:30 BST on 1 June: not
    // verified at May's end, verified at June's and Q1's.
    post(303, {Register("1945-03-03", false),
               Ev("2014-05-01T10:00:00+01:00",
                  "\"personMoved\":{\"areaCode\":\"E09000003\"}"),
               Admit("2014-05-15T10:00:00+01:00", "S1", "EMERGENCY"),
               Ev("2014-05-31T23:30:00Z", "\"nhsNumberVerified\":{}")});
    // P4 turns 18 on 15 June 2014; ready 13 June, discharged 17 June: the
    // midnights ending 13, 14, 15 and 16 June, of which 15 and 16 at 18+: 2
    // days in June.
    post(304,
         {Register("1996-06-15"),
          Admit("2014-06-12T10:00:00+01:00", "S1", "ELECTIVE"),
          Ready("2014-06-13T10:00:00+01:00", "S1"),
          Discharge("2014-06-17T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    // P5 turns 65 on 10 August 2014, the day of a permanent council-supported
    // admission: 65+.
    post(305,
         {Register("1949-08-10"), CareHome("2014-08-10T10:00:00+01:00", "C1")});
    // P6, 54: admitted 1 September; leaves 1 October and enters another home
    // that afternoon: a move, not an admission.
    post(306,
         {Register("1960-01-01"), CareHome("2014-09-01T10:00:00+01:00", "C1"),
          Ev("2014-10-01T09:00:00+01:00",
             "\"careHomeLeft\":{\"placementId\":\"C1\"}"),
          CareHome("2014-10-01T15:00:00+01:00", "C2")});
    // Reablement. P7 (74): discharged at 23:30 UTC on 30 September = 1 October
    // BST, in the cohort, at home. P8 (74): 31 December, latest follow-up not
    // contacted. P9 (74): 00:30 on 1 January, not in the cohort. P10 (54): too
    // young.
    post(307, {Register("1940-02-02"),
               Admit("2014-09-20T10:00:00+01:00", "S1", "ELECTIVE"),
               Discharge("2014-09-30T23:30:00Z", "S1", "REABLEMENT"),
               FollowUp("2014-12-31T10:00:00Z", "S1", "AT_HOME")});
    post(308, {Register("1940-03-03"),
               Admit("2014-12-20T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2014-12-31T23:59:00Z", "S1", "REHABILITATION_BED"),
               FollowUp("2015-04-01T10:00:00+01:00", "S1", "AT_HOME"),
               FollowUp("2015-04-02T10:00:00+01:00", "S1", "NOT_CONTACTED")});
    post(309, {Register("1940-04-04"),
               Admit("2014-12-22T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2015-01-01T00:30:00Z", "S1", "REABLEMENT"),
               FollowUp("2015-04-02T10:00:00+01:00", "S1", "AT_HOME")});
    post(310, {Register("1960-01-01"),
               Admit("2014-11-01T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2014-11-05T10:00:00Z", "S1", "REABLEMENT"),
               FollowUp("2015-02-05T10:00:00Z", "S1", "AT_HOME")});
    // Weekend discharges in August 2014: Monday 25 August is a bank holiday;
    // Tuesday 26 is not; a discharge of someone who died does not count.
    post(311,
         {Register("1950-01-01"),
          Admit("2014-08-20T10:00:00+01:00", "S1", "ELECTIVE"),
          Discharge("2014-08-25T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    post(312,
         {Register("1950-01-01"),
          Admit("2014-08-20T10:00:00+01:00", "S1", "ELECTIVE"),
          Discharge("2014-08-26T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    post(313, {Register("1950-01-01"),
               Admit("2014-08-20T10:00:00+01:00", "S1", "ELECTIVE"),
               Discharge("2014-08-27T10:00:00+01:00", "S1", "DIED"),
               Ev("2014-08-27T10:05:00+01:00", "\"personDied\":{}")});
    // Urgent referrals in November 2014: answered in exactly 24 hours (in
    // time), in 24 hours and a second (late), never; a routine one is not
    // counted.
    post(314, {Register("1950-01-01"),
               Referral("2014-11-01T10:00:00Z", "R1", "URGENT"),
               Ev("2014-11-02T10:00:00Z",
                  "\"referralAccepted\":{\"referralId\":\"R1\"}"),
               Referral("2014-11-03T10:00:00Z", "R2", "CRISIS"),
               Ev("2014-11-04T10:00:01Z",
                  "\"referralDeclined\":{\"referralId\":\"R2\"}"),
               Referral("2014-11-05T10:00:00Z", "R3", "ROUTINE"),
               Referral("2014-11-06T10:00:00Z", "R4", "URGENT")});
    // Integrated packages in September 2014. P15: after a completed joint
    // assessment, a professional assigned at 00:00 BST on 1 October (the
    // instant September ends). P16: the assessment never completed, no
    // professional. P17: no assessment, ended on 30 September. P18: not
    // integrated.
    post(315, {Register("1950-01-01"),
               AssessmentStarted("2014-09-10T10:00:00+01:00", "A1"),
               Ev("2014-09-12T10:00:00+01:00",
                  "\"jointAssessmentCompleted\":{\"assessmentId\":\"A1\","
                  "\"outcome\":\"PACKAGE_NEEDED\"}"),
               PackageStarted("2014-09-15T10:00:00+01:00", "K1", true, "A1"),
               Ev("2014-10-01T00:00:00+01:00",
                  "\"accountableProfessionalAssigned\":{\"packageId\":\"K1\","
                  "\"professionalId\":\"N1\",\"name\":\"Nora\"}")});
    post(316, {Register("1950-01-01"),
               AssessmentStarted("2014-09-10T10:00:00+01:00", "A2"),
               PackageStarted("2014-09-20T10:00:00+01:00", "K1", true, "A2")});
    post(317, {Register("1950-01-01"),
               PackageStarted("2014-09-01T10:00:00+01:00", "K1", true, ""),
               Ev("2014-09-30T12:00:00+01:00",
                  "\"carePackageEnded\":{\"packageId\":\"K1\"}")});
    post(318, {Register("1950-01-01"),
               PackageStarted("2014-09-05T10:00:00+01:00", "K1", false, "")});
    // A&E: 23:59 UTC on 31 January is January (GMT); midnight starts
    // February, with twelve more attendances there (13: shown as 15).
    std::vector<std::string> ae = {Register("1950-01-01"),
                                   Ae("2015-01-31T23:59:00Z", "E1"),
                                   Ae("2015-02-01T00:00:00Z", "E2")};
    for (int i = 3; i <= 14; ++i)
      ae.push_back(Ae("2015-02-0" + std::to_string(2 + i % 7) + "T1" +
                          std::to_string(i % 10) + ":00:00Z",
                      "E" + std::to_string(i)));
    post(319, ae);
    // P20: ready Saturday 28 March 2015 at noon GMT, discharged 09:00 BST on
    // 1 April (the clocks went forward on Sunday 29): midnights ending 28,
    // 29, 30 and 31 March: 4 days in March, none in April.
    post(320,
         {Register("1950-01-01"),
          Admit("2015-03-20T10:00:00Z", "S1", "ELECTIVE"),
          Ready("2015-03-28T12:00:00Z", "S1"),
          Discharge("2015-04-01T09:00:00+01:00", "S1", "USUAL_RESIDENCE")});
    post(321, {Register("1950-01-01")});
    // P22: ready 10 October 2014 at noon and still in hospital; recorded later:
    // moved to B at noon on 20 October.
    post(322, {Register("1950-01-01"),
               Admit("2014-10-01T10:00:00+01:00", "S1", "ELECTIVE"),
               Ready("2014-10-10T12:00:00+01:00", "S1")});
    // P23: admitted and discharged in December; the readiness of 5 December
    // is recorded later.
    post(323, {Register("1950-01-01"),
               Admit("2014-12-01T10:00:00Z", "S1", "ELECTIVE"),
               Discharge("2014-12-10T10:00:00Z", "S1", "USUAL_RESIDENCE")});

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    before_late_ = NowRfc3339();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // Recorded later: P2's May emergency admission retracted; two late
    // emergency admissions of P21 in June (Q1).
    post(302, {Ev("2014-06-01T10:00:00+01:00",
                  "\"eventRetracted\":{\"eventId\":\"" + retracted_id_ +
                      "\",\"reason\":\"wrong person\"}")});
    post(321,
         {Admit("2014-06-01T10:00:00+01:00", "S1", "EMERGENCY"),
          Discharge("2014-06-02T10:00:00+01:00", "S1", "USUAL_RESIDENCE"),
          Admit("2014-06-10T10:00:00+01:00", "S2", "EMERGENCY"),
          Discharge("2014-06-11T10:00:00+01:00", "S2", "USUAL_RESIDENCE")});
    post(323, {Ready("2014-12-05T10:00:00Z", "S1")});
    post(322, {Ev("2014-10-20T12:00:00+01:00",
                  "\"personMoved\":{\"areaCode\":\"E09000003\"}")});
  }
  Struct Payments(const std::string& area, const std::string& as_of = "") {
    HttpClient admin(server_->port(), server_->admin);
    auto answer =
        admin.Get(std::string("/v1/areas/") + area + "/payments/2014-15?" +
                  (as_of.empty() ? "minPosition=" + std::to_string(last_)
                                 : "asOf=" + as_of));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.Json();
  }
  Struct Metrics(const std::string& period,
                 const std::string& area = LiveServer::kAreaA) {
    HttpClient admin(server_->port(), server_->admin);
    auto answer = admin.Get(std::string("/v1/areas/") + area +
                            "/metrics?period=" + period +
                            "&minPosition=" + std::to_string(last_));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.Json();
  }

  static uint64_t last_;
  static std::string before_late_;
  static const std::string retracted_id_;
};

uint64_t WorkedExamplesTest::last_ = 0;
std::string WorkedExamplesTest::before_late_;
const std::string WorkedExamplesTest::retracted_id_ = NewEventId();

// Q1 emergency/transfer admissions in A: P1's of 1 April 00:30 BST and P21's
// two late June ones = 3 (P2's retracted, P3's in B). Pot (4 - 2) x £1,490 =
// £2,980; achievement (4 - 3) / (4 - 2) = 1/2: earned £1,490.00, withheld
// £1,490.00, below 0.70. As reported before the late events: P1's and P2's =
// 2 = the target exactly: achievement 1, all £2,980.00 earned, no recovery
// plan.
TEST_F(WorkedExamplesTest, NonElectiveAdmissionsLateRetractedAndAsOf) {
  Struct now = Payments(LiveServer::kAreaA);
  Struct q1 = Tranche(now, "nea-q1");
  EXPECT_EQ(Actual(q1).number_value(), 3);
  EXPECT_EQ(Number(q1, "potGbp"), 2980);
  EXPECT_DOUBLE_EQ(Number(q1, "achievement"), 0.5);
  EXPECT_EQ(Number(q1, "earnedGbp"), 1490);
  EXPECT_EQ(Number(q1, "withheldGbp"), 1490);
  EXPECT_TRUE(Field(q1, "recoveryPlanRequired").bool_value());
  // Q2: P1's transfer of 1 July 00:30 BST.
  EXPECT_EQ(Actual(Tranche(now, "nea-q2")).number_value(), 1);
  // B: P3's admission after the move.
  EXPECT_EQ(
      Actual(Tranche(Payments(LiveServer::kAreaB), "nea-b-q1")).number_value(),
      1);

  Struct then = Payments(LiveServer::kAreaA, before_late_);
  Struct q1_then = Tranche(then, "nea-q1");
  EXPECT_EQ(Actual(q1_then).number_value(), 2);
  EXPECT_DOUBLE_EQ(Number(q1_then, "achievement"), 1);
  EXPECT_EQ(Number(q1_then, "earnedGbp"), 2980);
  EXPECT_EQ(Number(q1_then, "withheldGbp"), 0);
  EXPECT_FALSE(Field(q1_then, "recoveryPlanRequired").bool_value());
}

// Delayed days per 100,000 adults (140,000) per month.
// June 2014: 2 days (P4's 18th birthday): 2 / 1 / 140,000 x 100,000 = 10/7;
// achievement (2 - 10/7) / (2 - 1) = 4/7: £700 x 4/7 = £400.00.
// March 2015: 4 days across the clock change: 4 / 140,000 x 100,000 = 20/7;
// achievement (4 - 20/7) / (4 - 2) = 4/7: £400.00.
TEST_F(WorkedExamplesTest, DelayedDaysAcrossABirthdayAndTheClockChange) {
  Struct now = Payments(LiveServer::kAreaA);
  Struct june = Tranche(now, "dd-2014-06");
  EXPECT_DOUBLE_EQ(Actual(june).number_value(), 10.0 / 7);
  EXPECT_EQ(Number(june, "earnedGbp"), 400);
  EXPECT_EQ(Number(june, "withheldGbp"), 300);
  Struct march = Tranche(now, "dd-2015-03");
  EXPECT_DOUBLE_EQ(Actual(march).number_value(), 20.0 / 7);
  EXPECT_EQ(Number(march, "earnedGbp"), 400);
  EXPECT_TRUE(Field(march, "recoveryPlanRequired").bool_value());
}

// Permanent admissions per 100,000: P5 on their 65th birthday, 1 / 20,000 x
// 100,000 = 5 in Q2, baseline = target = 5 met exactly: achievement 1. P6
// (54) in September: 1 / 120,000 x 100,000 = 5/6 in Q2 and in the year; their
// second home on 1 October is a move: 0 in Q3.
TEST_F(WorkedExamplesTest, PermanentAdmissionsBirthdayAndMove) {
  Struct now = Payments(LiveServer::kAreaA);
  Struct pa65 = Tranche(now, "pa65-q2");
  EXPECT_DOUBLE_EQ(Actual(pa65).number_value(), 5);
  EXPECT_DOUBLE_EQ(Number(pa65, "achievement"), 1);
  EXPECT_EQ(Number(pa65, "earnedGbp"), 100);
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "pa18-q2")).number_value(), 5.0 / 6);
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "pa18-year")).number_value(), 5.0 / 6);
  Struct q3 = Tranche(now, "pa18-q3");
  EXPECT_EQ(Actual(q3).number_value(), 0);
  EXPECT_DOUBLE_EQ(Number(q3, "achievement"), 1);  // (1 - 0) / 0.5, clamped
}

// Reablement: the cohort of 2014-15 (and of Q3) is P7 (1 October BST, at
// home) and P8 (31 December, latest follow-up NOT_CONTACTED): 1 of 2 = 50 %.
// Q4 has no October-December days: no value, achievement 0. Urgent referrals
// in 2014-15: 1 of 3 in 24 hours = 100/3 %. The weighted tranche: reablement
// (40 -> 50, actual 50: 1, weight 1), urgent (20 -> 40, actual 100/3:
// (100/3 - 20) / 20 = 2/3, weight 2): (1 + 4/3) / 3 = 7/9; £1,000 x 7/9 =
// £777.777… -> £777.78, withheld £222.22, at least 0.70: no recovery plan.
TEST_F(WorkedExamplesTest, ReablementUrgentResponseAndAWeightedTranche) {
  Struct now = Payments(LiveServer::kAreaA);
  EXPECT_EQ(Actual(Tranche(now, "rb-q3")).number_value(), 50);
  Struct q4 = Tranche(now, "rb-q4");
  EXPECT_TRUE(Actual(q4).has_null_value());
  EXPECT_EQ(Number(q4, "earnedGbp"), 0);
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "ur-2014-11")).number_value(),
                   100.0 / 3);
  Struct year = Tranche(now, "oct-2015");
  EXPECT_EQ(Actual(year, 0).number_value(), 50);
  EXPECT_DOUBLE_EQ(Actual(year, 1).number_value(), 100.0 / 3);
  EXPECT_DOUBLE_EQ(Number(year, "achievement"), 7.0 / 9);
  const auto& metrics = Field(year, "metrics").list_value();
  EXPECT_EQ(Text(metrics.values(0).struct_value(), "metric"), "reablement91");
  EXPECT_DOUBLE_EQ(Number(metrics.values(0).struct_value(), "achievement"), 1);
  EXPECT_EQ(Number(metrics.values(0).struct_value(), "weight"), 1);
  EXPECT_EQ(Number(metrics.values(0).struct_value(), "baseline"), 40);
  EXPECT_EQ(Number(metrics.values(0).struct_value(), "target"), 50);
  EXPECT_DOUBLE_EQ(Number(metrics.values(1).struct_value(), "achievement"),
                   2.0 / 3);
  EXPECT_EQ(Number(metrics.values(1).struct_value(), "weight"), 2);
  EXPECT_EQ(Number(year, "potGbp"), 1000);
  EXPECT_EQ(Number(year, "earnedGbp"), 777.78);
  EXPECT_EQ(Number(year, "withheldGbp"), 222.22);
  EXPECT_FALSE(Field(year, "recoveryPlanRequired").bool_value());
}

// August 2014 has 11 weekend days (10 Saturdays and Sundays and the bank
// holiday of Monday 25) and 20 others. One discharge on the bank holiday, one
// on Tuesday 26 (the one to DIED not counted): (1/11) / (1/20) = 20/11.
// September's integrated packages: P15, P16 and P17 started (only P15's
// assessment completed): 1/3 joint-assessment coverage; open at September's
// end P15 (professional assigned at that very instant) and P16: 1/2.
// A&E: January 1 (23:59 GMT on the 31st), February 13.
TEST_F(WorkedExamplesTest, WeekendRatioCoverageAndAe) {
  Struct now = Payments(LiveServer::kAreaA);
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "wdr-2014-08")).number_value(),
                   20.0 / 11);
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "jac-2014-09")).number_value(),
                   100.0 / 3);
  EXPECT_EQ(Actual(Tranche(now, "apc-2014-09")).number_value(), 50);
  EXPECT_EQ(Actual(Tranche(now, "ae-2015-01")).number_value(), 1);
  EXPECT_EQ(Actual(Tranche(now, "ae-2015-02")).number_value(), 13);
}

// A's people with events in November 2014: P10 and P14 (registered
// VERIFIED) and P2 (never verified, an A&E attendance): 2 of 3.
TEST_F(WorkedExamplesTest, NhsNumberNeverVerified) {
  EXPECT_DOUBLE_EQ(Actual(Tranche(Payments(LiveServer::kAreaA), "nv-2014-11"))
                       .number_value(),
                   200.0 / 3);
}

// B's people: P3 only (moved in on 1 May). May: verified after May ended:
// 0 %. June and Q1: 100 %.
TEST_F(WorkedExamplesTest, NhsNumberVerifiedAtThePeriodsEnd) {
  Struct b = Payments(LiveServer::kAreaB);
  EXPECT_EQ(Actual(Tranche(b, "nv-2014-05")).number_value(), 0);
  EXPECT_EQ(Actual(Tranche(b, "nv-2014-06")).number_value(), 100);
  EXPECT_EQ(Actual(Tranche(b, "nv-q1")).number_value(), 100);
}

// What a commissioner sees. Q1 admissions: 3, withheld with its rate. Q3: 0
// stays 0 (rate 0). Reablement in Q1: no denominator, no value, nothing
// withheld; in Q3: 1 of 2, withheld. February's 13 attendances: 15.
TEST_F(WorkedExamplesTest, DisclosureControlOfTheseFigures) {
  Struct q1 = MetricEntry(Metrics("2014-15-Q1"), "nonElectiveAdmissions");
  EXPECT_TRUE(IsNull(q1, "value"));
  EXPECT_TRUE(IsNull(q1, "numerator"));
  EXPECT_TRUE(IsNull(q1, "ratePer100k"));
  EXPECT_EQ(Number(q1, "denominator"), 198000);
  EXPECT_TRUE(Field(q1, "suppressed").bool_value());
  EXPECT_EQ(Number(q1, "baseline"), 4);
  EXPECT_EQ(Number(q1, "target"), 2);

  Struct q3_answer = Metrics("2014-15-Q3");
  Struct q3 = MetricEntry(q3_answer, "nonElectiveAdmissions");
  EXPECT_EQ(Number(q3, "value"), 0);
  EXPECT_EQ(Number(q3, "numerator"), 0);
  EXPECT_EQ(Number(q3, "ratePer100k"), 0);
  EXPECT_FALSE(Field(q3, "suppressed").bool_value());

  Struct rb_q1 = MetricEntry(Metrics("2014-15-Q1"), "reablement91");
  EXPECT_TRUE(IsNull(rb_q1, "value"));
  EXPECT_EQ(Number(rb_q1, "numerator"), 0);
  EXPECT_EQ(Number(rb_q1, "denominator"), 0);
  EXPECT_FALSE(Field(rb_q1, "suppressed").bool_value());
  Struct rb_q3 = MetricEntry(q3_answer, "reablement91");
  EXPECT_TRUE(IsNull(rb_q3, "value"));
  EXPECT_TRUE(IsNull(rb_q3, "numerator"));
  EXPECT_TRUE(IsNull(rb_q3, "denominator"));
  EXPECT_TRUE(Field(rb_q3, "suppressed").bool_value());

  Struct feb = MetricEntry(Metrics("2015-02"), "aeAttendances");
  EXPECT_EQ(Number(feb, "value"), 15);
  EXPECT_EQ(Number(feb, "numerator"), 15);
  EXPECT_FALSE(Field(feb, "suppressed").bool_value());

  HttpClient admin(server_->port(), server_->admin);
  auto csv = admin.Get(std::string("/v1/areas/") + LiveServer::kAreaA +
                       "/metrics.csv?from=2014-15-Q3&to=2014-15-Q3");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("\nE09000002,2014-15-Q3,nonElectiveAdmissions,0,0,"
                          "198000,false,,\n"),
            std::string::npos)
      << csv.body;
  EXPECT_NE(
      csv.body.find("\nE09000002,2014-15-Q3,reablement91,,,,true,40,50\n"),
      std::string::npos)
      << csv.body;
}

// SPEC.md: a plan holds "per metric and period a baseline and a target", and
// the July 2014 scheme pays 2014-15 Q4 from the 2015-16 plan. The metrics of
// 2014-15 Q4 show that target, though the 2014-15 plan has none for it. No
// emergency admission in Q4 (January-March 2015): actual 0, achievement 1,
// the whole pot of 217 x £1,490 = £323,330.00 earned.
TEST_F(WorkedExamplesTest, ATargetSetInTheNextYearsPlanIsShown) {
  Struct q4 = MetricEntry(Metrics("2014-15-Q4"), "nonElectiveAdmissions");
  EXPECT_EQ(Number(q4, "baseline"), 6200);
  EXPECT_EQ(Number(q4, "target"), 5983);
  HttpClient admin(server_->port(), server_->admin);
  auto series = admin.Get(std::string("/v1/areas/") + LiveServer::kAreaA +
                          "/metrics/nonElectiveAdmissions?from=2014-15-Q4");
  ASSERT_EQ(series.status, 200) << series.body;
  const Struct point =
      Field(series.Json(), "points").list_value().values(0).struct_value();
  EXPECT_EQ(Number(point, "target"), 5983);

  auto payments = admin.Get(std::string("/v1/areas/") + LiveServer::kAreaA +
                            "/payments/2015-16");
  ASSERT_EQ(payments.status, 200) << payments.body;
  Struct tranche = Tranche(payments.Json(), "2014-15-Q4");
  EXPECT_EQ(Actual(tranche).number_value(), 0);
  EXPECT_EQ(Number(tranche, "potGbp"), 323330);
  EXPECT_EQ(Number(tranche, "earnedGbp"), 323330);
}

// P23's readiness, recorded after the discharge but occurring before it: the
// midnights ending 5 to 9 December, 5 days = 25/7 per 100,000 adults. As
// reported before it arrived, A's December had no P23 days but all 31 of P22's
// open delay (ready since 10 October, the move to B not yet recorded): 155/7.
TEST_F(WorkedExamplesTest, ALateReadinessRestatesDecember) {
  EXPECT_DOUBLE_EQ(Actual(Tranche(Payments(LiveServer::kAreaA), "dd-2014-12"))
                       .number_value(),
                   25.0 / 7);
  EXPECT_DOUBLE_EQ(
      Actual(Tranche(Payments(LiveServer::kAreaA, before_late_), "dd-2014-12"))
          .number_value(),
      155.0 / 7);
}

// P22's open delay, by the midnights that end each day: as reported before
// the move was recorded, A has the midnights ending 10 to 31 October: 22 days,
// 22 / 140,000 x 100,000 = 110/7. Now A keeps 10 to 19 October (the midnight
// ending the 19th is 00:00 on the 20th, before the move at noon): 10 days =
// 50/7; B has 20 to 31 October, 12 days = 60/7, and all 30 of November =
// 150/7, the delay still open.
TEST_F(WorkedExamplesTest, AnOpenDelayFollowsALateMove) {
  Struct then = Payments(LiveServer::kAreaA, before_late_);
  EXPECT_DOUBLE_EQ(Actual(Tranche(then, "dd-2014-10")).number_value(),
                   110.0 / 7);
  Struct a = Payments(LiveServer::kAreaA);
  EXPECT_DOUBLE_EQ(Actual(Tranche(a, "dd-2014-10")).number_value(), 50.0 / 7);
  Struct b = Payments(LiveServer::kAreaB);
  EXPECT_DOUBLE_EQ(Actual(Tranche(b, "dd-b-2014-10")).number_value(), 60.0 / 7);
  EXPECT_DOUBLE_EQ(Actual(Tranche(b, "dd-b-2014-11")).number_value(),
                   150.0 / 7);
  // What a commissioner sees of B's October: 12 days shown as 10, the value
  // from the exact 12 (60/7), the breakdown rounded entry by entry.
  Struct dd =
      MetricEntry(Metrics("2014-10", LiveServer::kAreaB), "delayedDays");
  EXPECT_EQ(Number(dd, "numerator"), 10);
  EXPECT_DOUBLE_EQ(Number(dd, "value"), 60.0 / 7);
  EXPECT_EQ(Number(dd, "denominator"), 140000);
  EXPECT_FALSE(Field(dd, "suppressed").bool_value());
  const Struct& breakdown = Field(dd, "breakdown").struct_value();
  const Struct& by_agency = Field(breakdown, "byAgency").struct_value();
  EXPECT_EQ(Number(by_agency, "UNRECORDED"), 10);
  EXPECT_EQ(Number(by_agency, "NHS"), 0);
  EXPECT_EQ(Number(by_agency, "SOCIAL_CARE"), 0);
  EXPECT_EQ(Number(by_agency, "BOTH"), 0);
  const Struct& by_reason = Field(breakdown, "byReason").struct_value();
  EXPECT_EQ(by_reason.fields_size(), 11);  // A to I and UNRECORDED
  EXPECT_EQ(Number(by_reason, "UNRECORDED"), 10);
  EXPECT_EQ(Number(by_reason, "D1"), 0);
}

// The figures above are the log's, not the running process's: the same
// payments after a restart (state loaded from the store) and after `carelog
// rebuild` (projections replayed from the log).
TEST_F(WorkedExamplesTest, SameFiguresAfterARestartAndARebuild) {
  const std::string a = Payments(LiveServer::kAreaA).DebugString();
  const std::string b = Payments(LiveServer::kAreaB).DebugString();
  const std::string a_then =
      Payments(LiveServer::kAreaA, before_late_).DebugString();
  ServerProcess& process = server_->process();
  ASSERT_EQ(process.Stop(SIGTERM), 0);
  ASSERT_TRUE(process.Start()) << process.error();
  EXPECT_EQ(Payments(LiveServer::kAreaA).DebugString(), a);
  EXPECT_EQ(Payments(LiveServer::kAreaB).DebugString(), b);
  EXPECT_EQ(Payments(LiveServer::kAreaA, before_late_).DebugString(), a_then);
  ASSERT_EQ(process.Stop(SIGTERM), 0);
  CliRun run = RunCarelog({"rebuild", "--data", server_->data_dir() + "/data"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(process.Start()) << process.error();
  EXPECT_EQ(Payments(LiveServer::kAreaA).DebugString(), a);
  EXPECT_EQ(Payments(LiveServer::kAreaB).DebugString(), b);
  EXPECT_EQ(Payments(LiveServer::kAreaA, before_late_).DebugString(), a_then);
}

}  // namespace
}  // namespace carelog::e2e::worked
