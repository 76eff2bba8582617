// SPEC.md "Access" as a matrix: every role (and no token) against every
// endpoint, inside and outside its areas; every cell is asserted.
#include <gtest/gtest.h>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

const char kArea[] = "{\"name\": \"An area\", \"population\": []}";
const char kPlan[] =
    R"({"targets": [{"metric": "aeAttendances", "period": "2015-16", "baseline": 10, "target": 9}],
        "tranches": [{"id": "t", "period": "2015-16", "amountGbp": 100,
                      "metrics": [{"metric": "aeAttendances", "weight": 1}]}]})";

struct Cell {
  std::string method;
  std::string target;
  std::string body;  // "@event" posts a fresh event for the person
  // Expected status per column: admin, adminA, commissionerA, practitionerA,
  // coordinatorA, practitionerB, auditor, no token.
  std::vector<int> expected;
};

TEST(AccessMatrixTest, EveryRoleAgainstEveryEndpoint) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  const std::string a = LiveServer::kAreaA, b = LiveServer::kAreaB;
  HttpClient admin(server.port(), server.admin);
  ASSERT_EQ(admin.Send("PUT", "/v1/areas/" + a, kArea).status, 201);
  ASSERT_EQ(admin.Send("PUT", "/v1/areas/" + b, kArea).status, 201);
  ASSERT_EQ(
      admin.Send("PUT", "/v1/areas/" + a + "/plans/2015-16", kPlan).status,
      201);
  ASSERT_EQ(
      admin.Send("PUT", "/v1/areas/" + b + "/plans/2015-16", kPlan).status,
      201);
  const std::string person = TestNhsNumber(100);  // lives in area A
  const std::string other = TestNhsNumber(101);   // lives in area B
  ASSERT_EQ(HttpClient(server.port(), server.practitioner_a)
                .Send("POST", "/v1/people/" + person + "/events",
                      EventsBody({RegisterEvent(a)}))
                .status,
            201);
  ASSERT_EQ(HttpClient(server.port(), server.practitioner_b)
                .Send("POST", "/v1/people/" + other + "/events",
                      EventsBody({RegisterEvent(b)}))
                .status,
            201);

  const std::vector<std::string> tokens = {
      server.admin,          server.admin_a,
      server.commissioner_a, server.practitioner_a,
      server.coordinator_a,  server.practitioner_b,
      server.auditor,        ""};
  const std::vector<std::string> names = {
      "admin",        "adminA",        "commissionerA", "practitionerA",
      "coordinatorA", "practitionerB", "auditor",       "none"};
  const std::vector<Cell> cells = {
      {"GET", "/v1/areas", "", {200, 200, 200, 403, 403, 403, 403, 401}},
      {"GET", "/v1/areas/" + a, "", {200, 200, 200, 403, 403, 403, 403, 401}},
      {"GET", "/v1/areas/" + b, "", {200, 403, 403, 403, 403, 403, 403, 401}},
      {"PUT",
       "/v1/areas/" + a,
       kArea,
       {200, 200, 403, 403, 403, 403, 403, 401}},
      {"PUT",
       "/v1/areas/" + b,
       kArea,
       {200, 403, 403, 403, 403, 403, 403, 401}},
      {"GET",
       "/v1/areas/" + a + "/plans/2015-16",
       "",
       {200, 200, 200, 403, 403, 403, 403, 401}},
      {"GET",
       "/v1/areas/" + b + "/plans/2015-16",
       "",
       {200, 403, 403, 403, 403, 403, 403, 401}},
      {"PUT",
       "/v1/areas/" + a + "/plans/2015-16",
       kPlan,
       {200, 200, 403, 403, 403, 403, 403, 401}},
      {"PUT",
       "/v1/areas/" + b + "/plans/2015-16",
       kPlan,
       {200, 403, 403, 403, 403, 403, 403, 401}},
      {"GET",
       "/v1/people/" + person,
       "",
       {403, 403, 403, 200, 200, 403, 403, 401}},
      {"GET",
       "/v1/people/" + other,
       "",
       {403, 403, 403, 403, 403, 200, 403, 401}},
      {"GET",
       "/v1/people/" + person + "/events",
       "",
       {403, 403, 403, 200, 200, 403, 403, 401}},
      {"POST",
       "/v1/people/" + person + "/events",
       "@event",
       {403, 403, 403, 201, 201, 403, 403, 401}},
      {"POST",
       "/v1/people/" + other + "/events",
       "@event",
       {403, 403, 403, 403, 403, 201, 403, 401}},
      {"GET", "/v1/events", "", {200, 200, 403, 403, 403, 403, 403, 401}},
      {"GET",
       "/v1/audit?nhsNumber=" + person,
       "",
       {403, 403, 403, 403, 403, 403, 200, 401}},
      {"GET",
       "/v1/areas/" + a + "/metrics?period=2015-16",
       "",
       {200, 200, 200, 403, 403, 403, 403, 401}},
      {"GET",
       "/v1/areas/" + a + "/payments/2015-16",
       "",
       {200, 200, 200, 403, 403, 403, 403, 401}},
      {"GET",
       "/v1/worklists/discharge?area=" + a,
       "",
       {403, 403, 403, 200, 200, 403, 403, 401}},
      {"GET", "/healthz", "", {200, 200, 200, 200, 200, 200, 200, 200}},
      {"GET", "/metrics", "", {200, 200, 200, 200, 200, 200, 200, 200}},
  };
  int event = 0;
  for (const auto& cell : cells) {
    for (size_t col = 0; col < tokens.size(); ++col) {
      std::string body = cell.body;
      if (body == "@event") {
        body = EventsBody(
            {"{\"eventId\":\"" + NewEventId() +
             "\",\"occurredAt\":\"2014-07-01T10:00:00+01:00\",\"aeAttended\":{"
             "\"attendanceId\":\"M" +
             std::to_string(++event) + "\",\"site\":\"Queen's\"}}"});
      }
      HttpClient client(server.port(), tokens[col]);
      auto answer = client.Send(cell.method, cell.target, body);
      EXPECT_EQ(answer.status, cell.expected[col])
          << names[col] << " " << cell.method << " " << cell.target << ": "
          << answer.body;
    }
  }

  // A new person registered outside the token's areas; a commissioner never
  // writes one.
  const std::string newcomer = TestNhsNumber(102);
  HttpClient pat(server.port(), server.practitioner_a);
  EXPECT_EQ(pat.Send("POST", "/v1/people/" + newcomer + "/events",
                     EventsBody({RegisterEvent(b)}))
                .status,
            403);
  HttpClient cora(server.port(), server.commissioner_a);
  EXPECT_EQ(cora.Send("POST", "/v1/people/" + newcomer + "/events",
                      EventsBody({RegisterEvent(a)}))
                .status,
            403);
  // Once the person moves to B, access follows their current area.
  ASSERT_EQ(pat.Send("POST", "/v1/people/" + person + "/events",
                     EventsBody({"{\"eventId\":\"" + NewEventId() +
                                 "\",\"occurredAt\":\"2014-08-01T10:00:00+01:"
                                 "00\",\"personMoved\":"
                                 "{\"areaCode\":\"" +
                                 b + "\"}}"}))
                .status,
            201);
  EXPECT_EQ(pat.Get("/v1/people/" + person).status, 403);
  EXPECT_EQ(HttpClient(server.port(), server.practitioner_b)
                .Get("/v1/people/" + person)
                .status,
            200);
}

}  // namespace
}  // namespace carelog::e2e
