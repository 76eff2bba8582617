// The bad-input battery (docs/RELIABILITY.md): malformed and rule-breaking
// requests, each answered with the right 4xx, a problem+json that says what is
// wrong, and nothing appended (the global log position is unchanged).
#include <gtest/gtest.h>

#include <ctime>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

struct BadInput {
  std::string name;
  std::string person;  // "" for the battery's registered person
  std::string body;
  int status;
  std::map<std::string, std::string> headers = {};
  std::string token = "";  // "" for the practitioner of area A
  bool problem_json = true;
  std::string mentions = "";  // the problem's detail must contain this
};

std::string Ev(const std::string &id, const std::string &at,
               const std::string &payload) {
  return R"({"eventId": ")" + id + R"(", "occurredAt": ")" + at + R"(", )" +
         payload + "}";
}
std::string One(const std::string &id, const std::string &at,
                const std::string &payload) {
  return EventsBody({Ev(id, at, payload)});
}

const char *kRegistered =
    R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "gpPractice": "F82001", "nhsNumberStatus": "VERIFIED"})";

// The battery's people: one with a history, one who died, one unknown.
std::string Person() { return TestNhsNumber(700); }
std::string Dead() { return TestNhsNumber(701); }
std::string Fresh() { return TestNhsNumber(702); }

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new LiveServer();
    if (!server_->started()) return;
    HttpClient client(server_->port(), server_->practitioner_a);
    // P1: a spell, a referral with its response, an ended package, an
    // assessment, a placement and a retracted attendance.
    auto p1 = client.Send(
        "POST", "/v1/people/" + Person() + "/events",
        EventsBody(
            {Ev("bi-1", "2014-06-07T10:15:00+01:00", kRegistered),
             Ev("bi-2", "2014-06-07T11:00:00+01:00",
                R"("hospitalAdmitted": {"spellId": "S1", "provider": "RF4", "site": "Queen's", "method": "EMERGENCY"})"),
             Ev("bi-3", "2014-06-08T09:00:00+01:00",
                R"("referralReceived": {"referralId": "R1", "fromSector": "HEALTH", "fromOrganisation": "GP", "toService": "reablement", "reason": "falls", "urgency": "URGENT"})"),
             Ev("bi-4", "2014-06-08T10:00:00+01:00",
                R"("referralAccepted": {"referralId": "R1"})"),
             Ev("bi-5", "2014-06-09T10:00:00+01:00",
                R"("jointAssessmentStarted": {"assessmentId": "J1", "participants": [{"professionalId": "P1", "name": "Ann", "sector": "HEALTH", "role": "nurse"}, {"professionalId": "P2", "name": "Bob", "sector": "SOCIAL_CARE", "role": "social worker"}]})"),
             Ev("bi-6", "2014-06-09T11:00:00+01:00",
                R"("carePackageStarted": {"packageId": "K1", "integrated": true, "scheme": "ITF08", "pooledBudget": true})"),
             Ev("bi-7", "2014-06-20T11:00:00+01:00",
                R"("carePackageEnded": {"packageId": "K1", "reason": "goals met"})"),
             Ev("bi-8", "2014-06-30T11:00:00+01:00",
                R"("discharged": {"spellId": "S1", "destination": "USUAL_RESIDENCE"})"),
             Ev("bi-9", "2014-07-01T11:00:00+01:00",
                R"("careHomeAdmitted": {"placementId": "CH1", "type": "NURSING", "permanent": true, "councilSupported": true})"),
             Ev("bi-10", "2014-07-02T11:00:00+01:00",
                R"("aeAttended": {"attendanceId": "AE1", "site": "Queen's"})"),
             Ev("bi-11", "2014-07-03T11:00:00+01:00",
                R"("eventRetracted": {"eventId": "bi-10", "reason": "entered in error"})")}));
    EXPECT_EQ(p1.status, 201) << p1.body;
    // P2: died on 2014-08-01.
    auto p2 = client.Send(
        "POST", "/v1/people/" + Dead() + "/events",
        EventsBody(
            {Ev("bi-d1", "2014-06-07T10:15:00+01:00", kRegistered),
             Ev("bi-d2", "2014-08-01T10:00:00+01:00", R"("personDied": {})")}));
    EXPECT_EQ(p2.status, 201) << p2.body;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()); }

  static double LastPosition() {
    auto feed = HttpClient(server_->port(), server_->admin)
                    .Get("/v1/events?after=0&limit=1");
    EXPECT_EQ(feed.status, 200) << feed.body;
    return Number(feed.Json(), "lastPosition");
  }

  static LiveServer *server_;
};
LiveServer *BadInputTest::server_ = nullptr;

// Now plus ten minutes, RFC 3339 in UTC (the server's clock is the system's).
std::string InTenMinutes() {
  const std::time_t t = std::time(nullptr) + 600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::vector<BadInput> Battery() {
  const std::string at = "2014-07-10T10:00:00+01:00";
  const std::string admit_s2 =
      R"("hospitalAdmitted": {"spellId": "S2", "provider": "RF4", "site": "Queen's", "method": "EMERGENCY"})";
  const std::string ae =
      R"("aeAttended": {"attendanceId": "AE9", "site": "Queen's"})";
  std::string deep(5000, '[');
  std::string many_events;
  for (int i = 0; i < 1001; ++i) {
    many_events += (i ? "," : "") + Ev("m" + std::to_string(i), at, ae);
  }
  std::vector<BadInput> b = {
      // Syntax and types: 400.
      {"truncated JSON", "", R"({"events": [)", 400},
      {"truncated inside a string", "", R"({"events": [{"eventId": "ab)", 400},
      {"empty body", "", "", 400},
      {"whitespace body", "", "   \n ", 400},
      {"array instead of object", "", "[]", 400},
      {"null document", "", "null", 400},
      {"number document", "", "42", 400},
      {"events is a string", "", R"({"events": "none"})", 400},
      {"events is an object", "", R"({"events": {"eventId": "x"}})", 400},
      {"eventId is a number", "",
       R"({"events": [{"eventId": 123, "occurredAt": "2014-07-10T10:00:00Z", "personDied": {}}]})",
       400},
      {"occurredAt is a number", "",
       R"({"events": [{"eventId": "x1", "occurredAt": 1402132500, "aeAttended": {"attendanceId": "A", "site": "Q"}}]})",
       400},
      {"payload is a string", "",
       R"({"events": [{"eventId": "x2", "occurredAt": "2014-07-10T10:00:00Z", "aeAttended": "yes"}]})",
       400},
      {"boolean field is a number", "",
       One("x3", at,
           R"("carePackageStarted": {"packageId": "K7", "integrated": 7, "scheme": "ITF08", "pooledBudget": true})"),
       400},
      {"huge number for a boolean", "",
       One("x4", at,
           R"("carePackageStarted": {"packageId": "K8", "integrated": 1e999, "scheme": "ITF08", "pooledBudget": true})"),
       400},
      {"huge number in If-Match",
       "",
       One("x4b", at, ae),
       400,
       {{"If-Match", "\"99999999999999999999999999\""}}},
      {"unknown top-level field", "", R"({"events": [], "extra": true})", 400},
      {"unknown event field", "",
       EventsBody(
           {R"({"eventId": "x5", "occurredAt": "2014-07-10T10:00:00Z", "colour": "red", "personDied": {}})"}),
       400},
      {"unknown payload field", "",
       One("x6", at,
           R"("aeAttended": {"attendanceId": "A6", "site": "Q", "ward": "7"})"),
       400},
      {"invalid UTF-8", "",
       One("x9", at,
           "\"aeAttended\": {\"attendanceId\": \"A\xff\xfe\", \"site\": "
           "\"Q\"}"),
       400},
      {"overlong UTF-8 encoding",
       "",
       One("x10", at,
           "\"aeAttended\": {\"attendanceId\": \"A\xc0\xaf\", \"site\": "
           "\"Q\"}"),
       400,
       {},
       "",
       true,
       "not valid UTF-8"},
      {"duplicated key",
       "",
       R"({"events": [{"eventId": "x7", "eventId": "x8", "occurredAt": "2014-07-10T10:00:00Z", "personDied": {}}]})",
       400,
       {},
       "",
       true,
       "events[0].eventId"},
      {"duplicated top-level key",
       "",
       R"({"events": [], "events": [{"eventId": "x7b", "occurredAt": "2014-07-10T10:00:00Z", "personDied": {}}]})",
       400,
       {},
       "",
       true,
       "\"events\" appears twice"},
      {"lone surrogate escape", "",
       One("x11", at,
           R"("aeAttended": {"attendanceId": "A\ud800", "site": "Q"})"),
       400},
      {"deep nesting", "", R"({"events": )" + deep, 400},
      {"trailing garbage", "", One("x12", at, ae) + "}}", 400},
      {"comment in JSON", "", "/* hi */" + One("x13", at, ae), 400},
      {"single quotes", "", "{'events': []}", 400},
      {"NaN literal", "",
       One("x14", at,
           R"("carePackageStarted": {"packageId": "K9", "integrated": NaN, "scheme": "ITF08", "pooledBudget": true})"),
       400},
      // HTTP framing.
      {"wrong content type",
       "",
       One("x15", at, ae),
       415,
       {{"Content-Type", "text/plain"}}},
      {"XML content type",
       "",
       One("x16", at, ae),
       415,
       {{"Content-Type", "application/xml"}}},
      {"oversized header",
       "",
       One("x17", at, ae),
       431,
       {{"X-Padding", std::string(20000, 'a')}},
       "",
       true,
       "headers are larger than"},
      {"body over 1 MiB",
       "",
       One("x18", at,
           R"("aeAttended": {"attendanceId": "A", "site": ")" +
               std::string(1100000, 's') + "\"}"),
       413,
       {},
       "",
       false},
      {"more than 1000 events", "", "{\"events\": [" + many_events + "]}", 400},
      // Identity.
      {"NHS number with a wrong check digit", "9434765918", One("x19", at, ae),
       400},
      {"NHS number of 9 digits", "943476591", One("x20", at, ae), 400},
      {"NHS number of 11 digits", "94347659190", One("x21", at, ae), 400},
      {"NHS number with letters", "94347659AB", One("x22", at, ae), 400},
      {"NHS number whose check digit would be 10", "1000000010",
       One("x23", at, ae), 400},
      {"If-Match that is not a version",
       "",
       One("x24", at, ae),
       400,
       {{"If-Match", "yesterday"}}},
      // Shape of events: 400.
      {"no events", "", R"({"events": []})", 400},
      {"no payload", "",
       EventsBody(
           {R"({"eventId": "x25", "occurredAt": "2014-07-10T10:00:00Z"})"}),
       400},
      {"two payloads", "",
       EventsBody(
           {R"({"eventId": "x26", "occurredAt": "2014-07-10T10:00:00Z", "personDied": {}, "nhsNumberVerified": {}})"}),
       400},
      {"missing eventId", "",
       EventsBody(
           {R"({"occurredAt": "2014-07-10T10:00:00Z", "personDied": {}})"}),
       400},
      {"empty eventId", "", One("", at, ae), 400},
      {"eventId repeated in the request", "",
       EventsBody(
           {Ev("x27", at, ae),
            Ev("x27", "2014-07-11T10:00:00+01:00",
               R"("aeAttended": {"attendanceId": "AE10", "site": "Q"})")}),
       400},
      {"eventId too long", "", One(std::string(300, 'e'), at, ae), 400},
      {"missing occurredAt", "",
       EventsBody(
           {R"({"eventId": "x28", "aeAttended": {"attendanceId": "A", "site": "Q"}})"}),
       400},
      {"time without offset", "", One("x29", "2014-07-10T10:00:00", ae), 400},
      {"time in words", "", One("x30", "yesterday", ae), 400},
      {"impossible date in a time", "", One("x31", "2014-02-30T10:00:00Z", ae),
       400},
      {"impossible birth date", Fresh(),
       One("x32", at,
           R"("personRegistered": {"birthDate": "1938-13-01", "areaCode": "E09000002", "gpPractice": "F82001", "nhsNumberStatus": "VERIFIED"})"),
       400},
      {"unknown enum value", Fresh(),
       One("x33", at,
           R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "gpPractice": "F82001", "nhsNumberStatus": "MAYBE"})"),
       400},
      {"lower-case enum value", "",
       One("x34", at,
           R"("hospitalAdmitted": {"spellId": "S3", "provider": "RF4", "site": "Q", "method": "emergency"})"),
       400},
      {"missing spellId", "", One("x35", at, R"("readyForDischarge": {})"),
       400},
      {"unknown delay reason", "",
       One("x36", at,
           R"("dischargeDelayRecorded": {"spellId": "S1", "reason": "Z", "agency": "NHS"})"),
       400},
      // Rules of SPEC.md: 422.
      {"first event is not personRegistered", Fresh(), One("x37", at, admit_s2),
       422},
      {"second personRegistered", "", One("x38", at, kRegistered), 422},
      {"occurredAt far in the future", "",
       One("x39", "2099-01-01T00:00:00Z", ae), 422},
      {"occurredAt ten minutes ahead", "", One("x39b", InTenMinutes(), ae),
       422},
      {"occurredAt before 1900", "", One("x40", "1899-12-31T23:00:00Z", ae),
       422},
      {"occurredAt before the birth date", "",
       One("x41", "1938-02-10T12:00:00Z", ae), 422},
      {"event after the date of death", Dead(),
       One("x42", "2014-09-01T10:00:00+01:00", ae), 422},
      {"spell id used twice", "",
       One("x43", at,
           R"("hospitalAdmitted": {"spellId": "S1", "provider": "RF4", "site": "Q", "method": "EMERGENCY"})"),
       422},
      {"readiness for an unknown spell", "",
       One("x44", at, R"("readyForDischarge": {"spellId": "S404"})"), 422},
      {"readiness before the admission", "",
       One("x45", "2014-06-07T10:30:00+01:00",
           R"("readyForDischarge": {"spellId": "S1"})"),
       422},
      {"readiness after the discharge", "",
       One("x46", "2014-07-05T10:00:00+01:00",
           R"("readyForDischarge": {"spellId": "S1"})"),
       422},
      {"delay reason without readiness", "",
       One("x47", "2014-06-12T10:00:00+01:00",
           R"("dischargeDelayRecorded": {"spellId": "S1", "reason": "E", "agency": "NHS"})"),
       422},
      {"withdrawal without readiness", "",
       One("x48", "2014-06-12T10:00:00+01:00",
           R"("readyForDischargeWithdrawn": {"spellId": "S1", "reason": "x"})"),
       422},
      {"overlapping hospital spells", "",
       One("x49", "2014-06-15T10:00:00+01:00", admit_s2), 422},
      {"discharge of an unknown spell", "",
       One("x50", at,
           R"("discharged": {"spellId": "S404", "destination": "USUAL_RESIDENCE"})"),
       422},
      {"follow-up without a reablement discharge", "",
       One("x51", "2014-09-30T10:00:00+01:00",
           R"("followUpRecorded": {"spellId": "S1", "status": "AT_HOME"})"),
       422},
      {"referral id used twice", "",
       One("x52", at,
           R"("referralReceived": {"referralId": "R1", "fromSector": "HEALTH", "fromOrganisation": "GP", "toService": "x", "reason": "y", "urgency": "ROUTINE"})"),
       422},
      {"response to an unknown referral", "",
       One("x53", at, R"("referralAccepted": {"referralId": "R404"})"), 422},
      {"second response to a referral", "",
       One("x54", at,
           R"("referralDeclined": {"referralId": "R1", "reason": "full"})"),
       422},
      {"joint assessment without social care", "",
       One("x55", at,
           R"("jointAssessmentStarted": {"assessmentId": "J2", "participants": [{"professionalId": "P1", "name": "Ann", "sector": "HEALTH", "role": "nurse"}]})"),
       422},
      {"assessment completed without a start", "",
       One("x56", at,
           R"("jointAssessmentCompleted": {"assessmentId": "J404", "outcome": "PACKAGE_NEEDED"})"),
       422},
      {"assessment completed before it started", "",
       One("x57", "2014-06-09T09:00:00+01:00",
           R"("jointAssessmentCompleted": {"assessmentId": "J1", "outcome": "PACKAGE_NEEDED"})"),
       422},
      {"package id used twice", "",
       One("x58", at,
           R"("carePackageStarted": {"packageId": "K1", "integrated": true, "scheme": "ITF08", "pooledBudget": true})"),
       422},
      {"accountable professional for an ended package", "",
       One("x59", at,
           R"("accountableProfessionalAssigned": {"packageId": "K1", "professionalId": "P9", "name": "C", "role": "r", "organisation": "o", "sector": "SOCIAL_CARE", "phone": "1"})"),
       422},
      {"ending an ended package", "",
       One("x60", at,
           R"("carePackageEnded": {"packageId": "K1", "reason": "again"})"),
       422},
      {"leaving an unknown care home placement", "",
       One("x61", at, R"("careHomeLeft": {"placementId": "CH404"})"), 422},
      {"retracting an unknown event", "",
       One("x62", at,
           R"("eventRetracted": {"eventId": "nope", "reason": "x"})"),
       422},
      {"retracting another person's event", "",
       One("x63", at,
           R"("eventRetracted": {"eventId": "bi-d2", "reason": "x"})"),
       422},
      {"retracting a retracted event", "",
       One("x64", at,
           R"("eventRetracted": {"eventId": "bi-10", "reason": "x"})"),
       422},
      // Conflicts, versions, access.
      {"event id reused with other content", "",
       One("bi-10", at,
           R"("aeAttended": {"attendanceId": "AE77", "site": "Q"})"),
       409},
      {"stale If-Match", "", One("x65", at, ae), 412, {{"If-Match", "\"1\""}}},
      {"no token", "", One("x66", at, ae), 401, {}, "-"},
      {"token of another area", "", One("x67", at, ae), 403, {}, "bea"},
      {"commissioner writing a person",
       "",
       One("x68", at, ae),
       403,
       {},
       "cora"},
  };
  return b;
}

TEST_F(BadInputTest, EveryBadRequestIsRefusedClearlyAndAppendsNothing) {
  const auto battery = Battery();
  EXPECT_GE(battery.size(), 60u);
  double position = LastPosition();
  ASSERT_GT(position, 0);
  int refused = 0;
  for (const auto &c : battery) {
    SCOPED_TRACE(c.name);
    std::string token = server_->practitioner_a;
    if (c.token == "-") token.clear();
    if (c.token == "bea") token = server_->practitioner_b;
    if (c.token == "cora") token = server_->commissioner_a;
    HttpClient client(server_->port(), token);
    const std::string person = c.person.empty() ? Person() : c.person;
    auto answer = client.Send("POST", "/v1/people/" + person + "/events",
                              c.body, c.headers);
    ASSERT_TRUE(answer.ok) << "no answer";
    EXPECT_EQ(answer.status, c.status) << answer.body.substr(0, 400);
    if (c.problem_json ||
        answer.Header("content-type") == "application/problem+json") {
      EXPECT_EQ(answer.Header("content-type"), "application/problem+json");
      auto doc = answer.Json();
      EXPECT_EQ(Number(doc, "status"), c.status);
      EXPECT_GE(Text(doc, "detail").size(), 10u) << answer.body;
      EXPECT_NE(Text(doc, "detail").find(c.mentions), std::string::npos)
          << answer.body;
      if (c.status == 422) {
        EXPECT_NE(answer.body.find("events["), std::string::npos)
            << "a rule violation names the event: " << answer.body;
      }
    }
    if (answer.status == c.status) ++refused;
    EXPECT_EQ(LastPosition(), position) << "something was appended";
    position = LastPosition();
  }
  RecordProperty("bad_inputs_tried", static_cast<int>(battery.size()));
  RecordProperty("bad_inputs_refused_as_expected", refused);
  std::cout << "bad-input battery: " << battery.size() << " tried, " << refused
            << " refused with the expected status, 0 appended" << std::endl;
}

TEST_F(BadInputTest, TheBatteryHasNoDuplicateCases) {
  std::set<std::string> names;
  for (const auto &c : Battery()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
  }
}

}  // namespace
}  // namespace carelog::e2e
