// An acceptance audit of API.md's HTTP conventions read literally: the status
// of a method the server does not implement, the problem types of 405 and 415,
// and the order of the answers (docs/READINGS.md "Status order": 400 for a
// malformed request before 403 for an area not covered, and never a 5 s wait
// for minPosition before a malformed query is refused).
#include <gtest/gtest.h>

#include <chrono>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

class ContractAuditTest : public SharedServerTest<ContractAuditTest> {
 protected:
  static void SetUpTestSuite() {
    SharedServerTest<ContractAuditTest>::SetUpTestSuite();
    HttpClient admin(server_->port(), server_->admin);
    for (const char* area : {LiveServer::kAreaA, LiveServer::kAreaB}) {
      admin.Send("PUT", std::string("/v1/areas/") + area,
                 R"({"name": "An area", "population": []})");
    }
  }
};

// RFC 9110 15.6.2: a method the server does not recognise is 501 (not 405,
// which says the resource exists but takes other methods), on any path.
TEST_F(ContractAuditTest, AnUnrecognisedMethodIsNotImplemented) {
  HttpClient admin(server_->port(), server_->admin);
  for (const std::string& target :
       {std::string("/v1/areas/") + LiveServer::kAreaA, std::string("/v1/nope"),
        std::string("/healthz")}) {
    auto answer = admin.Send("BREW", target);
    ASSERT_TRUE(answer.ok) << target;
    EXPECT_EQ(answer.status, 501) << target << " " << answer.body;
    EXPECT_EQ(answer.Header("content-type"), "application/problem+json");
    EXPECT_EQ(Number(answer.Json(), "status"), 501) << answer.body;
  }
  // A method HTTP defines, on a path that does not take it, stays 405 with
  // Allow (HEAD listed beside GET: it is answered wherever GET is).
  auto del =
      admin.Send("DELETE", std::string("/v1/areas/") + LiveServer::kAreaA);
  EXPECT_EQ(del.status, 405) << del.body;
  EXPECT_EQ(del.Header("allow"), "PUT, GET, HEAD");
  EXPECT_EQ(Text(del.Json(), "type"),
            "https://carelog.example/problems/method-not-allowed");
}

// The problem type names the problem: a 415 is not a "malformed request".
TEST_F(ContractAuditTest, UnsupportedMediaTypeHasItsOwnProblemType) {
  HttpClient admin(server_->port(), server_->admin);
  auto answer =
      admin.Send("PUT", std::string("/v1/areas/") + LiveServer::kAreaA,
                 R"({"name": "An area", "population": []})",
                 {{"Content-Type", "text/plain"}});
  ASSERT_EQ(answer.status, 415) << answer.body;
  EXPECT_EQ(Text(answer.Json(), "type"),
            "https://carelog.example/problems/unsupported-media-type");
  EXPECT_EQ(Number(answer.Json(), "status"), 415);
}

// READINGS "Status order": 401, 403 for the role, 400 for malformed input, 403
// for an area not covered. Area A's commissioner asks about area B with a
// malformed query: the request is malformed, whoever's area it names.
TEST_F(ContractAuditTest, AMalformedQueryIs400BeforeAnAreaNotCovered) {
  HttpClient commissioner(server_->port(), server_->commissioner_a);
  const std::string b = std::string("/v1/areas/") + LiveServer::kAreaB;
  for (const std::string& target :
       {b + "/metrics?period=2015-17", b + "/metrics?period=2015-16&asOf=soon",
        b + "/metrics/delayedDays?from=2015-13",
        b + "/metrics.csv?from=2015-04&granularity=week", b + "/payments/2015",
        b + "/conditions?period=Q1", b + "/plans/2015",
        b + "/metrics?period=2015-16&minPosition=soon"}) {
    auto answer = commissioner.Get(target);
    EXPECT_EQ(answer.status, 400) << target << " " << answer.body;
    EXPECT_EQ(answer.Header("content-type"), "application/problem+json");
  }
  // A plan's year is read like a payment's: malformed in the commissioner's
  // own area too (it was "no plan for 2015", 404).
  auto own_plan = commissioner.Get(std::string("/v1/areas/") +
                                   LiveServer::kAreaA + "/plans/2015");
  EXPECT_EQ(own_plan.status, 400) << own_plan.body;
  // Well formed, the same requests are 403.
  EXPECT_EQ(commissioner.Get(b + "/metrics?period=2015-16").status, 403);
  EXPECT_EQ(commissioner.Get(b + "/payments/2015-16").status, 403);

  HttpClient coordinator(server_->port(), server_->coordinator_a);
  auto worklist = coordinator.Get(std::string("/v1/worklists/discharge?area=") +
                                  LiveServer::kAreaB + "&minPosition=soon");
  EXPECT_EQ(worklist.status, 400) << worklist.body;
  EXPECT_EQ(coordinator
                .Get(std::string("/v1/worklists/discharge?area=") +
                     LiveServer::kAreaB)
                .status,
            403);

  HttpClient admin_a(server_->port(), server_->admin_a);
  auto area = admin_a.Send("PUT", b, R"({"name": "B", "unknown": 1})");
  EXPECT_EQ(area.status, 400) << area.body;
  auto plan = admin_a.Send("PUT", b + "/plans/2015-16", "{not json");
  EXPECT_EQ(plan.status, 400) << plan.body;
  auto plan_year = admin_a.Send("PUT", b + "/plans/2015", "{}");
  EXPECT_EQ(plan_year.status, 400) << plan_year.body;
  EXPECT_EQ(admin_a.Send("PUT", b, R"({"name": "B"})").status, 403);
}

// A malformed query is refused at once, not after waiting 5 s for a
// minPosition the projections have not reached (and then 503).
TEST_F(ContractAuditTest, AMalformedQueryDoesNotWaitForMinPosition) {
  HttpClient commissioner(server_->port(), server_->commissioner_a);
  const auto start = std::chrono::steady_clock::now();
  auto answer =
      commissioner.Get(std::string("/v1/areas/") + LiveServer::kAreaA +
                       "/metrics?period=bogus&minPosition=999999999");
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_LT(waited, std::chrono::seconds(2));
}

// An asOf later than now is as malformed: 400 at once, on every route that
// takes one, whatever minPosition asks for.
TEST_F(ContractAuditTest, AFutureAsOfDoesNotWaitForMinPosition) {
  HttpClient commissioner(server_->port(), server_->commissioner_a);
  const std::string base = std::string("/v1/areas/") + LiveServer::kAreaA;
  for (const std::string& route :
       {base + "/metrics?period=2014-15&", base + "/payments/2014-15?",
        base + "/conditions?period=2014-15&",
        base + "/metrics/delayedDays?from=2014-15&"}) {
    const auto start = std::chrono::steady_clock::now();
    auto answer = commissioner.Get(
        route + "asOf=2999-01-01T00:00:00Z&minPosition=999999999");
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(answer.status, 400) << route << answer.body;
    EXPECT_NE(answer.body.find("asOf"), std::string::npos) << answer.body;
    EXPECT_LT(waited, std::chrono::seconds(2)) << route;
  }
}

// SPEC.md "Access": practitioners write the people of their own areas. The
// registration decides where a new person will live wherever it stands in
// the request: area B's practitioner may not create a person in area A with
// it second (refused for access before the rules would refuse the order),
// nor re-register in A a person whose registration was retracted.
TEST_F(ContractAuditTest, ANewPersonIsWrittenOnlyByTheAreaTheyAreRegisteredIn) {
  HttpClient practitioner_b(server_->port(), server_->practitioner_b);
  HttpClient practitioner_a(server_->port(), server_->practitioner_a);
  const std::string attended =
      R"({"eventId": ")" + NewEventId() +
      R"(", "occurredAt": "2014-06-08T10:00:00+01:00", "aeAttended": {"attendanceId": "A1"}})";

  const std::string newcomer = TestNhsNumber(901);
  auto created = practitioner_b.Send(
      "POST", "/v1/people/" + newcomer + "/events",
      EventsBody({attended, RegisterEvent(LiveServer::kAreaA)}));
  EXPECT_EQ(created.status, 403) << created.body;
  EXPECT_EQ(practitioner_a.Get("/v1/people/" + newcomer).status, 404);
  // A registration in an area that is not an area code is 400, wherever it is.
  auto malformed =
      practitioner_b.Send("POST", "/v1/people/" + newcomer + "/events",
                          EventsBody({attended, RegisterEvent("E0900")}));
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_NE(malformed.body.find("events[1].personRegistered.areaCode"),
            std::string::npos)
      << malformed.body;
  // Area A's own practitioner may, the registration first (SPEC.md "Rules":
  // checked in order; the first event of a person is personRegistered).
  EXPECT_EQ(practitioner_a
                .Send("POST", "/v1/people/" + newcomer + "/events",
                      EventsBody({attended, RegisterEvent(LiveServer::kAreaA)}))
                .status,
            422);
  EXPECT_EQ(practitioner_a
                .Send("POST", "/v1/people/" + newcomer + "/events",
                      EventsBody({RegisterEvent(LiveServer::kAreaA), attended}))
                .status,
            201);

  // A person whose registration was retracted lives nowhere: registering
  // them again needs a token of the new registration's area.
  const std::string retracted = TestNhsNumber(902);
  const std::string registration_id = NewEventId();
  ASSERT_EQ(practitioner_a
                .Send("POST", "/v1/people/" + retracted + "/events",
                      EventsBody(
                          {RegisterEvent(LiveServer::kAreaA, registration_id)}))
                .status,
            201);
  ASSERT_EQ(
      practitioner_a
          .Send("POST", "/v1/people/" + retracted + "/events",
                EventsBody({R"({"eventId": ")" + NewEventId() +
                            R"(", "occurredAt": "2014-06-08T10:00:00+01:00",
                 "eventRetracted": {"eventId": ")" +
                            registration_id +
                            R"(", "reason": "wrong person"}})"}))
          .status,
      201);
  auto taken = practitioner_b.Send(
      "POST", "/v1/people/" + retracted + "/events",
      EventsBody({RegisterEvent(LiveServer::kAreaA, "",
                                "2014-06-09T10:00:00+01:00")}));
  EXPECT_EQ(taken.status, 403) << taken.body;
  auto again = practitioner_a.Send(
      "POST", "/v1/people/" + retracted + "/events",
      EventsBody({RegisterEvent(LiveServer::kAreaA, "",
                                "2014-06-09T10:00:00+01:00")}));
  EXPECT_EQ(again.status, 201) << again.body;
}

}  // namespace
}  // namespace carelog::e2e
