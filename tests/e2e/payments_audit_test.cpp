// An acceptance audit of the money figures, continued from
// metrics_audit_test.cpp: SPEC.md's own payment example through the server,
// and the weekend ratio of a period in progress (the server's clock set by
// CARELOG_NOW).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/e2e/metrics_audit.h"

namespace carelog::e2e::worked {
namespace {

using google::protobuf::Struct;

using audit::kTwoYears;

// SPEC.md's own payment example, end to end in area B: the July 2014 scheme's
// tranche for 2015-16 Q1 at £1,490 a unit, baseline 6,200, target 5,983, and
// 6,100 emergency admissions in the quarter (100 residents, 61 each, one a
// day from 1 April): pot 217 x £1,490 = £323,330.00, achievement 100/217,
// earned £149,000.00, withheld £174,330.00, a recovery plan required. The
// commissioner sees the count (a multiple of 5) and its rate per 100,000.
TEST(PaymentsAuditTest, TheSpecsPaymentExampleThroughTheServer) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  LiveServer* server_ = &server;
  HttpClient admin(server_->port(), server_->admin);
  const std::string area = std::string("/v1/areas/") + LiveServer::kAreaB;
  ASSERT_EQ(admin.Send("PUT", area, kTwoYears).status, 201);
  auto plan = admin.Send(
      "PUT", area + "/plans/2015-16",
      R"({"targets":[{"metric":"nonElectiveAdmissions","period":"2015-16-Q1",
                      "baseline":6200,"target":5983}],
          "tranches":[{"id":"2015-16-Q1","period":"2015-16-Q1","unitCostGbp":1490,
                       "metrics":[{"metric":"nonElectiveAdmissions","weight":1}]}]})");
  ASSERT_EQ(plan.status, 201) << plan.body;
  HttpClient pb(server_->port(), server_->practitioner_b);
  uint64_t last = 0;
  for (int person = 0; person < 100; ++person) {
    std::vector<std::string> events = {
        Register("1950-01-01", true, LiveServer::kAreaB)};
    for (int day = 0; day < 61; ++day) {
      const int month = day < 30 ? 4 : 5;
      const int dom = day < 30 ? day + 1 : day - 29;
      char date[16];
      std::snprintf(date, sizeof date, "2015-%02d-%02d", month, dom);
      const std::string spell = "S" + std::to_string(day);
      events.push_back(
          Admit(std::string(date) + "T10:00:00+01:00", spell, "EMERGENCY"));
      events.push_back(Discharge(std::string(date) + "T12:00:00+01:00", spell,
                                 "USUAL_RESIDENCE"));
    }
    auto answer =
        pb.Send("POST", "/v1/people/" + TestNhsNumber(500 + person) + "/events",
                EventsBody(events));
    ASSERT_EQ(answer.status, 201) << answer.body;
    last = static_cast<uint64_t>(Number(answer.Json(), "lastPosition"));
  }
  auto payments =
      admin.Get(area + "/payments/2015-16?minPosition=" + std::to_string(last));
  ASSERT_EQ(payments.status, 200) << payments.body;
  const Struct answer = payments.Json();
  const Struct tranche = Tranche(answer, "2015-16-Q1");
  EXPECT_EQ(Text(tranche, "period"), "2015-16-Q1");
  EXPECT_EQ(Actual(tranche).number_value(), 6100);
  EXPECT_EQ(Number(tranche, "potGbp"), 323330);
  EXPECT_DOUBLE_EQ(Number(tranche, "achievement"), 100.0 / 217);
  EXPECT_EQ(Number(tranche, "earnedGbp"), 149000);
  EXPECT_EQ(Number(tranche, "withheldGbp"), 174330);
  EXPECT_TRUE(Field(tranche, "recoveryPlanRequired").bool_value());
  EXPECT_EQ(Number(answer, "totalEarnedGbp"), 149000);
  EXPECT_EQ(Number(answer, "totalWithheldGbp"), 174330);
  const std::string body = payments.body;
  EXPECT_NE(body.find("\"earnedGbp\":149000.00"), std::string::npos) << body;
  EXPECT_NE(body.find("\"withheldGbp\":174330.00"), std::string::npos) << body;

  HttpClient commissioner(server_->port(), server_->admin);
  auto metrics = commissioner.Get(area + "/metrics?period=2015-16-Q1");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  const Struct entry = MetricEntry(metrics.Json(), "nonElectiveAdmissions");
  EXPECT_EQ(Number(entry, "value"), 6100);
  EXPECT_EQ(Number(entry, "numerator"), 6100);
  EXPECT_EQ(Number(entry, "denominator"), 215000);
  EXPECT_DOUBLE_EQ(Number(entry, "ratePer100k"), 6100e5 / 215000);
  EXPECT_EQ(Number(entry, "baseline"), 6200);
  EXPECT_EQ(Number(entry, "target"), 5983);
}

// Late events and retractions that change what another event means, as a
// commissioner's payments see them (area A, mid-2015 populations).
// Q1 (54): permanent placements C1 on 1 April and C2 on 10 May while C1 is
// open: a move, no admission in May; C1's leaving on 20 April recorded late
// makes C2 an admission: 1 per 130,000 aged 18-64.
// Q2: moved to B on 1 June, an emergency admission on 10 June in B; the move
// retracted: A's admission (1 in June; before, A had no data for June).
// Q3: ready 5 July, died on the 8th (3 days); the death retracted and a
// discharge on the 20th recorded instead: the midnights ending 5-19 July, 15
// days per 155,000 adults. Then the population estimate is revised.
TEST(PaymentsAuditTest, LateAndRetractedEventsChangeWhatOthersMean) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  HttpClient admin(server.port(), server.admin);
  const std::string area = std::string("/v1/areas/") + LiveServer::kAreaA;
  ASSERT_EQ(admin.Send("PUT", area, kTwoYears).status, 201);
  ASSERT_EQ(
      admin
          .Send("PUT", area + "/plans/2015-16",
                PlanOf(
                    {{"pa18-may", "permanentAdmissions18to64", "2015-05", 2, 0,
                      100},
                     {"nea-jun", "nonElectiveAdmissions", "2015-06", 2, 0, 100},
                     {"dd-jul", "delayedDays", "2015-07", 20, 0, 100}}))
          .status,
      201);
  HttpClient pa(server.port(), server.practitioner_a);
  uint64_t last = 0;
  auto post = [&](int n, const std::vector<std::string>& events) {
    last = PostEvents(pa, TestNhsNumber(n), events);
  };
  const std::string move = NewEventId(), death = NewEventId();
  post(601,
       {Register("1960-01-01"), CareHome("2015-04-01T10:00:00+01:00", "C1"),
        CareHome("2015-05-10T10:00:00+01:00", "C2")});
  post(602, {Register("1950-01-01"),
             Ev("2015-06-01T10:00:00+01:00",
                std::string("\"personMoved\":{\"areaCode\":\"") +
                    LiveServer::kAreaB + "\"}",
                move),
             Admit("2015-06-10T10:00:00+01:00", "S1", "EMERGENCY")});
  post(603, {Register("1950-01-01"),
             Admit("2015-07-01T10:00:00+01:00", "S1", "ELECTIVE"),
             Ready("2015-07-05T10:00:00+01:00", "S1"),
             Ev("2015-07-08T10:00:00+01:00", "\"personDied\":{}", death)});
  auto payments = [&](const std::string& as_of) {
    auto answer =
        admin.Get(area + "/payments/2015-16?" +
                  (as_of.empty() ? "minPosition=" + std::to_string(last)
                                 : "asOf=" + as_of));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.Json();
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string before = NowRfc3339();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  post(601, {Ev("2015-04-20T10:00:00+01:00",
                "\"careHomeLeft\":{\"placementId\":\"C1\"}")});
  post(603, {Ev("2015-07-09T10:00:00+01:00",
                "\"eventRetracted\":{\"eventId\":\"" + death +
                    "\",\"reason\":\"wrong person\"}"),
             Discharge("2015-07-20T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
  // Q2 lives in B until the move is retracted: B's practitioner retracts it.
  HttpClient pb(server.port(), server.practitioner_b);
  auto retract =
      pb.Send("POST", "/v1/people/" + TestNhsNumber(602) + "/events",
              EventsBody({Ev("2015-06-11T10:00:00+01:00",
                             "\"eventRetracted\":{\"eventId\":\"" + move +
                                 "\",\"reason\":\"never moved\"}")}));
  ASSERT_EQ(retract.status, 201) << retract.body;
  last = static_cast<uint64_t>(Number(retract.Json(), "lastPosition"));

  // The mid-2015 estimate of 18-64s revised from 130,000 to 100,000: rates
  // restated (adults 125,000); as reported before, the old estimate.
  auto revised = admin.Send("PUT", area,
                            R"({"name": "Area", "population": [
          {"year": 2015, "age0to17": 60000, "age18to64": 100000, "age65plus": 25000}]})");
  ASSERT_EQ(revised.status, 200) << revised.body;
  last = static_cast<uint64_t>(Number(revised.Json(), "lastPosition"));

  const Struct now = payments("");
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "pa18-may")).number_value(), 1);
  EXPECT_EQ(Actual(Tranche(now, "nea-jun")).number_value(), 1);
  EXPECT_DOUBLE_EQ(Actual(Tranche(now, "dd-jul")).number_value(),
                   15e5 / 125000);
  const Struct then = payments(before);
  EXPECT_EQ(Actual(Tranche(then, "pa18-may")).number_value(), 0);
  EXPECT_TRUE(Actual(Tranche(then, "nea-jun")).has_null_value());
  EXPECT_DOUBLE_EQ(Actual(Tranche(then, "dd-jul")).number_value(),
                   3e5 / 155000);
}

// The national conditions scorecard of September 2015 (no bank holiday; 8
// weekend days), one person's records: 20 joint assessments started, 8 on
// Saturdays and Sundays: 40 % (counts shown 10 and 20). 16 integrated
// packages started on 1 September, none after a completed assessment (0 %, 16
// shown as 15), 8 given a professional on the 2nd: 50 %. The other 8 open
// without one at September's end: 8 (shown as 10) x 30 midnights = 240 days,
// 30 on average.
TEST(PaymentsAuditTest, TheConditionsScorecardByHand) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  HttpClient admin(server.port(), server.admin);
  const std::string area = std::string("/v1/areas/") + LiveServer::kAreaA;
  ASSERT_EQ(admin.Send("PUT", area, kTwoYears).status, 201);
  std::vector<std::string> events = {Register("1950-01-01")};
  for (int i = 0; i < 20; ++i) {
    // Saturdays 5, 12, 19, 26 and Sundays 6, 13, 20, 27; then weekdays.
    static const int kWeekend[] = {5, 12, 19, 26, 6, 13, 20, 27};
    static const int kWeekdays[] = {1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16};
    const int day = i < 8 ? kWeekend[i] : kWeekdays[i - 8];
    char at[40];
    std::snprintf(at, sizeof at, "2015-09-%02dT10:00:00+01:00", day);
    events.push_back(AssessmentStarted(at, "A" + std::to_string(i)));
  }
  for (int i = 0; i < 16; ++i) {
    const std::string id = "K" + std::to_string(i);
    events.push_back(PackageStarted("2015-09-01T10:00:00+01:00", id, true, ""));
    if (i < 8)
      events.push_back(
          Ev("2015-09-02T10:00:00+01:00",
             "\"accountableProfessionalAssigned\":{\"packageId\":\"" + id +
                 "\",\"professionalId\":\"N1\",\"name\":\"Nora\"}"));
  }
  HttpClient pa(server.port(), server.practitioner_a);
  auto posted = pa.Send("POST", "/v1/people/" + TestNhsNumber(700) + "/events",
                        EventsBody(events));
  ASSERT_EQ(posted.status, 201) << posted.body;

  HttpClient commissioner(server.port(), server.commissioner_a);
  auto answer = commissioner.Get(area + "/conditions?period=2015-09");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const Struct body = answer.Json();
  const Struct conditions = Field(body, "conditions").struct_value();
  const Struct share =
      Field(Field(conditions, "sevenDayServices").struct_value(),
            "weekendAssessmentShare")
          .struct_value();
  EXPECT_EQ(Number(share, "value"), 40);
  EXPECT_EQ(Number(share, "numerator"), 10);
  EXPECT_EQ(Number(share, "denominator"), 20);
  EXPECT_FALSE(Field(share, "suppressed").bool_value());
  const Struct apc =
      Field(conditions, "accountableProfessionalCoverage").struct_value();
  EXPECT_EQ(Number(apc, "value"), 50);
  EXPECT_EQ(Number(apc, "numerator"), 10);
  EXPECT_EQ(Number(apc, "denominator"), 15);
  const Struct jac =
      Field(conditions, "jointAssessmentCoverage").struct_value();
  EXPECT_EQ(Number(jac, "value"), 0);
  EXPECT_EQ(Number(jac, "numerator"), 0);
  EXPECT_EQ(Number(jac, "denominator"), 15);
  const Struct without =
      Field(conditions, "packagesWithoutAccountableProfessional")
          .struct_value();
  EXPECT_EQ(Number(without, "count"), 10);
  EXPECT_EQ(Number(without, "totalDays"), 240);
  EXPECT_EQ(Number(without, "averageDays"), 30);
  EXPECT_FALSE(Field(without, "suppressed").bool_value());
}

// A period in progress (now, or as of an instant inside it): the weekend
// ratio compares discharges with the days that have come so far. With the
// clock at noon on Tuesday 29 December 2015, December's days so far are 1-29:
// 10 weekend days (8 Saturdays and Sundays, Christmas Day and the substitute
// Boxing Day of Monday 28) and 19 others. One discharge on the 28th, one on
// the 29th: (1/10) / (1/19) = 1.9 (not (1/10) / (1/21) = 2.1, which would
// count the 30th and 31st, on which nobody can have been discharged yet).
TEST(MetricsAuditClockTest, WeekendRatioOfAPeriodInProgressCountsItsDaysSoFar) {
  LiveServer server({}, "2015-12-29T12:00:00Z");
  ASSERT_TRUE(server.started());
  HttpClient admin(server.port(), server.admin);
  const std::string area = std::string("/v1/areas/") + LiveServer::kAreaA;
  ASSERT_EQ(admin.Send("PUT", area, kTwoYears).status, 201);
  ASSERT_EQ(admin
                .Send("PUT", area + "/plans/2015-16",
                      PlanOf({{"wdr-dec", "weekendDischargeRatio", "2015-12",
                               0.5, 1, 100}}))
                .status,
            201);
  HttpClient pa(server.port(), server.practitioner_a);
  for (const auto& [n, at] : std::vector<std::pair<int, std::string>>{
           {461, "2015-12-28T10:00:00Z"}, {462, "2015-12-29T10:00:00Z"}}) {
    auto answer =
        pa.Send("POST", "/v1/people/" + TestNhsNumber(n) + "/events",
                EventsBody({Register("1950-01-01"),
                            Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
                            Discharge(at, "S1", "USUAL_RESIDENCE")}));
    ASSERT_EQ(answer.status, 201) << answer.body;
  }
  auto payments = admin.Get(area + "/payments/2015-16");
  ASSERT_EQ(payments.status, 200) << payments.body;
  EXPECT_DOUBLE_EQ(Actual(Tranche(payments.Json(), "wdr-dec")).number_value(),
                   1.9);
}

}  // namespace
}  // namespace carelog::e2e::worked
