// Acceptance audit of SPEC.md "National conditions scorecard" through
// `GET /v1/areas/{areaCode}/conditions?period=P`: the plan's statements and
// the evidence derived from the log, worked by hand for November 2015, as
// reported now and as reported before a late correction.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/rules_audit.h"
#include "tests/e2e/rules_audit_payloads.h"
#include "tests/e2e/worked_examples.h"

namespace carelog::e2e::rules {
namespace {

using google::protobuf::Struct;
using worked::Field;

std::string Nov(int day) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2015-11-%02dT10:00:00Z", day);
  return buf;
}

Struct Conditions(HttpClient& client, const std::string& query) {
  auto answer = client.Get(std::string("/v1/areas/") + LiveServer::kAreaA +
                           "/conditions?period=2015-11" + query);
  EXPECT_EQ(answer.status, 200) << answer.body;
  return Field(answer.Json(), "conditions").struct_value();
}

// November 2015 has 9 weekend days (Sundays 1, 8, 15, 22, 29; Saturdays 7,
// 14, 21, 28) and 21 other days, no bank holiday. Twenty people of area A,
// each with a November event:
// - NHS numbers: people 0-9 registered VERIFIED, 10-12 verified on 20
//   November, 13 on 2 December (after the period's end), 14-19 never; person
//   12's verification is later retracted. Verified at the end of November:
//   12 of 20 = 60 % (numerator shown 10, denominator 20); before the
//   retraction 13 of 20 = 65 % (shown 15 and 20).
// - Discharges (admitted 20 October): people 0-7 on the weekend days 1-28,
//   person 8 on Sunday 29 (later retracted and recorded again on Monday 30),
//   people 9-17 on weekdays 2-12, person 18 on Wednesday 18 with destination
//   DIED (not counted), person 19 attends A&E on the 25th, discharged in
//   December. Weekend ratio (8 / 9) / (10 / 21) = 168 / 90; before the
//   correction (9 / 9) / (9 / 21) = 21 / 9.
// The plan says plans jointly agreed, social care not protected, and nothing
// on the acute impact.
TEST(ConditionsAuditTest, TheScorecardOfNovember2015ByHand) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  HttpClient admin(server.port(), server.admin);
  const std::string area = std::string("/v1/areas/") + LiveServer::kAreaA;
  ASSERT_EQ(admin.Send("PUT", area, worked::kArea).status, 201);
  const std::string plan =
      R"({"conditions":{"plansJointlyAgreed":true,"socialCareProtected":false},)"
      R"("targets":[{"metric":"nhsNumberVerified","period":"2015-11","baseline":50,"target":70},)"
      R"({"metric":"weekendDischargeRatio","period":"2015-11","baseline":0.8,"target":1}],)"
      R"("tranches":[]})";
  auto planned = admin.Send("PUT", area + "/plans/2015-16", plan);
  ASSERT_EQ(planned.status, 201) << planned.body;

  HttpClient client(server.port(), server.practitioner_a);
  const int kWeekend[] = {1, 7, 8, 14, 15, 21, 22, 28};
  const int kWeekdays[] = {2, 3, 4, 5, 6, 9, 10, 11, 12};
  const std::string p8_discharge = NewEventId(), p12_verified = NewEventId();
  for (int p = 0; p < 20; ++p) {
    const std::string status = p < 10 ? "VERIFIED" : "UNVERIFIED";
    std::vector<std::string> events = {
        Ev("2015-01-10T10:00:00Z",
           R"("personRegistered":{"birthDate":"1940-05-05","areaCode":")" +
               std::string(LiveServer::kAreaA) + R"(","nhsNumberStatus":")" +
               status + "\"}"),
        Ev("2015-10-20T10:00:00Z", Admit("S1"))};
    if (p >= 10 && p <= 12)
      events.push_back(
          Ev(Nov(20), Verified(), p == 12 ? p12_verified : std::string()));
    if (p == 13) events.push_back(Ev("2015-12-02T10:00:00Z", Verified()));
    if (p < 8) events.push_back(Ev(Nov(kWeekend[p]), Discharge("S1")));
    if (p == 8) events.push_back(Ev(Nov(29), Discharge("S1"), p8_discharge));
    if (p >= 9 && p <= 17)
      events.push_back(Ev(Nov(kWeekdays[p - 9]), Discharge("S1")));
    if (p == 18) events.push_back(Ev(Nov(18), Discharge("S1", "DIED")));
    if (p == 19) {
      events.push_back(Ev(Nov(25), Ae("AE1")));
      events.push_back(Ev("2015-12-01T10:00:00Z", Discharge("S1")));
    }
    auto answer = Post(client, TestNhsNumber(1500 + p), events);
    ASSERT_EQ(answer.status, 201) << p << " " << answer.body;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string before = worked::NowRfc3339();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(
      Post(client, TestNhsNumber(1508),
           {Ev(Nov(30), Retract(p8_discharge)), Ev(Nov(30), Discharge("S1"))})
          .status,
      201);
  ASSERT_EQ(Post(client, TestNhsNumber(1512),
                 {Ev("2015-12-03T10:00:00Z", Retract(p12_verified))})
                .status,
            201);

  HttpClient commissioner(server.port(), server.commissioner_a);
  const Struct now = Conditions(commissioner, "");
  EXPECT_TRUE(Field(now, "plansJointlyAgreed").bool_value());
  EXPECT_EQ(Field(now, "socialCareProtected").kind_case(),
            google::protobuf::Value::kBoolValue);
  EXPECT_FALSE(Field(now, "socialCareProtected").bool_value());
  EXPECT_TRUE(IsNull(now, "acuteImpactAgreed"));
  const Struct verified = Field(now, "nhsNumberVerified").struct_value();
  EXPECT_DOUBLE_EQ(Number(verified, "value"), 60);
  EXPECT_EQ(Number(verified, "numerator"), 10);
  EXPECT_EQ(Number(verified, "denominator"), 20);
  EXPECT_EQ(Number(verified, "baseline"), 50);
  EXPECT_EQ(Number(verified, "target"), 70);
  const Struct ratio = Field(Field(now, "sevenDayServices").struct_value(),
                             "weekendDischargeRatio")
                           .struct_value();
  EXPECT_NEAR(Number(ratio, "value"), 168.0 / 90.0, 1e-12);
  EXPECT_EQ(Number(ratio, "numerator"), 10);
  EXPECT_EQ(Number(ratio, "denominator"), 10);
  EXPECT_FALSE(Field(ratio, "suppressed").bool_value());
  EXPECT_EQ(Number(ratio, "target"), 1);

  // As reported before the corrections: the retractions not yet applied.
  std::string as_of = before;
  const Struct then = Conditions(commissioner, "&asOf=" + as_of);
  const Struct verified_then = Field(then, "nhsNumberVerified").struct_value();
  EXPECT_DOUBLE_EQ(Number(verified_then, "value"), 65);
  EXPECT_EQ(Number(verified_then, "numerator"), 15);
  const Struct ratio_then =
      Field(Field(then, "sevenDayServices").struct_value(),
            "weekendDischargeRatio")
          .struct_value();
  EXPECT_NEAR(Number(ratio_then, "value"), 21.0 / 9.0, 1e-12);

  // Commissioners only: a practitioner may not see it.
  EXPECT_EQ(client.Get(area + "/conditions?period=2015-11").status, 403);
}

// Weekend days are Saturdays, Sundays and bank holidays (SPEC.md
// "Calendar"): of twenty joint assessments started in December 2015, eight
// fall on weekend days, two of them the bank holidays of Friday 25 and
// Monday 28 (substitute Boxing Day): 40 %, numerator shown 10 (counting
// Saturdays and Sundays only would give 6, withheld).
TEST(ConditionsAuditTest, BankHolidaysAreWeekendDaysForAssessments) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  HttpClient admin(server.port(), server.admin);
  ASSERT_EQ(admin
                .Send("PUT", std::string("/v1/areas/") + LiveServer::kAreaA,
                      worked::kArea)
                .status,
            201);
  std::vector<std::string> events = {Reg("2015-01-10T10:00:00Z")};
  const int kDays[] = {5, 6, 12, 13, 19, 20, 25, 28, 1,  2,
                       3, 4, 7,  8,  9,  10, 11, 14, 15, 16};
  for (int i = 0; i < 20; ++i) {
    char at[40];
    std::snprintf(at, sizeof at, "2015-12-%02dT11:00:00Z", kDays[i]);
    events.push_back(Ev(at, JaStart("J" + std::to_string(i))));
  }
  HttpClient client(server.port(), server.practitioner_a);
  auto posted = Post(client, TestNhsNumber(1600), events);
  ASSERT_EQ(posted.status, 201) << posted.body;
  HttpClient commissioner(server.port(), server.commissioner_a);
  auto answer =
      commissioner.Get(std::string("/v1/areas/") + LiveServer::kAreaA +
                       "/conditions?period=2015-12");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const Struct share =
      Field(Field(Field(answer.Json(), "conditions").struct_value(),
                  "sevenDayServices")
                .struct_value(),
            "weekendAssessmentShare")
          .struct_value();
  EXPECT_DOUBLE_EQ(Number(share, "value"), 40);
  EXPECT_EQ(Number(share, "numerator"), 10);
  EXPECT_EQ(Number(share, "denominator"), 20);
  // No plan for 2015-16: the plan's statements are null.
  const Struct conditions = Field(answer.Json(), "conditions").struct_value();
  EXPECT_TRUE(IsNull(conditions, "plansJointlyAgreed"));
  EXPECT_TRUE(IsNull(conditions, "socialCareProtected"));
}

// Retracted professionals are as if never assigned in the scorecard too:
// eight integrated packages started on 1 December 2015 at 10:00, each given
// a professional on the 2nd, all eight assignments retracted in January.
// Now: coverage 0 of 8 (0 %, denominator shown 10), eight packages without
// a professional (shown 10) for the 31 midnights of December each: 248 days
// (shown 250), 31 on average. As of before the retractions: 100 % and none.
TEST(ConditionsAuditTest, RetractedProfessionalsLeavePackagesUnassigned) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  HttpClient admin(server.port(), server.admin);
  const std::string area = std::string("/v1/areas/") + LiveServer::kAreaA;
  ASSERT_EQ(admin.Send("PUT", area, worked::kArea).status, 201);
  std::vector<std::string> events = {Reg("2015-01-10T10:00:00Z")};
  std::vector<std::string> assigned;
  for (int i = 0; i < 8; ++i) {
    const std::string package = "P" + std::to_string(i);
    assigned.push_back(NewEventId());
    events.push_back(Ev("2015-12-01T10:00:00Z", PkgStart(package)));
    events.push_back(Ev("2015-12-02T10:00:00Z", Prof(package), assigned[i]));
  }
  HttpClient client(server.port(), server.practitioner_a);
  const std::string nhs = TestNhsNumber(1601);
  auto posted = Post(client, nhs, events);
  ASSERT_EQ(posted.status, 201) << posted.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string before = worked::NowRfc3339();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::vector<std::string> retractions;
  for (const auto& id : assigned)
    retractions.push_back(Ev("2016-01-05T10:00:00Z", Retract(id)));
  ASSERT_EQ(Post(client, nhs, retractions).status, 201);

  HttpClient commissioner(server.port(), server.commissioner_a);
  auto read = [&](const std::string& query) {
    auto answer = commissioner.Get(area + "/conditions?period=2015-12" + query);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return Field(answer.Json(), "conditions").struct_value();
  };
  const Struct now = read("");
  const Struct coverage =
      Field(now, "accountableProfessionalCoverage").struct_value();
  EXPECT_EQ(Number(coverage, "value"), 0);
  EXPECT_EQ(Number(coverage, "numerator"), 0);
  EXPECT_EQ(Number(coverage, "denominator"), 10);
  const Struct without =
      Field(now, "packagesWithoutAccountableProfessional").struct_value();
  EXPECT_EQ(Number(without, "count"), 10);
  EXPECT_EQ(Number(without, "totalDays"), 250);
  EXPECT_DOUBLE_EQ(Number(without, "averageDays"), 31);
  const Struct then = read("&asOf=" + before);
  EXPECT_EQ(
      Number(Field(then, "accountableProfessionalCoverage").struct_value(),
             "value"),
      100);
  EXPECT_EQ(
      Number(
          Field(then, "packagesWithoutAccountableProfessional").struct_value(),
          "count"),
      0);
}

}  // namespace
}  // namespace carelog::e2e::rules
