// Conformance of answers with the exact text of API.md and SPEC.md: enum
// values only from the documented sets, specific 400 messages per field.
#include <gtest/gtest.h>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

class ConformanceTest : public SharedServerTest<ConformanceTest> {
 protected:
  HttpClient Practitioner() {
    return HttpClient(server_->port(), server_->practitioner_a);
  }
  static std::string EventsOf(const std::string& nhs) {
    return "/v1/people/" + nhs + "/events";
  }
  static std::string Event(const std::string& occurred_at,
                           const std::string& payload) {
    return R"({"eventId": ")" + NewEventId() + R"(", "occurredAt": ")" +
           occurred_at + R"(", )" + payload + "}";
  }
};

// API.md: "Enum values are upper-case strings"; SPEC.md lists each enum's
// values. An assessment not yet completed has no outcome, a spell not yet
// ended no destination, a professional given without a sector no sector:
// none of them is protobuf's ..._UNSPECIFIED placeholder.
TEST_F(ConformanceTest, PersonViewShowsNoPlaceholderEnumValues) {
  auto client = Practitioner();
  const std::string nhs = TestNhsNumber(101);
  auto created = client.Send(
      "POST", EventsOf(nhs),
      EventsBody(
          {RegisterEvent(LiveServer::kAreaA), AdmitEvent("S1"),
           Event(
               "2014-06-07T12:00:00+01:00",
               R"("jointAssessmentStarted": {"assessmentId": "A1", "participants": [
                 {"professionalId": "p1", "name": "N", "sector": "HEALTH", "role": "GP"},
                 {"professionalId": "p2", "name": "M", "sector": "SOCIAL_CARE", "role": "SW"}]})"),
           Event(
               "2014-06-07T12:00:00+01:00",
               R"("carePackageStarted": {"packageId": "K1", "integrated": true})"),
           Event(
               "2014-06-07T12:30:00+01:00",
               R"("accountableProfessionalAssigned": {"packageId": "K1", "professionalId": "X", "name": "Dr A"})")}));
  ASSERT_EQ(created.status, 201) << created.body;

  auto person = client.Get("/v1/people/" + nhs);
  ASSERT_EQ(person.status, 200) << person.body;
  EXPECT_EQ(person.body.find("UNSPECIFIED"), std::string::npos) << person.body;
  auto doc = person.Json();
  const auto& assessment =
      doc.fields().at("assessments").list_value().values(0).struct_value();
  EXPECT_TRUE(!assessment.fields().count("outcome") ||
              IsNull(assessment, "outcome"))
      << person.body;
  const auto& spell =
      doc.fields().at("spells").list_value().values(0).struct_value();
  EXPECT_TRUE(!spell.fields().count("destination") ||
              IsNull(spell, "destination"))
      << person.body;
  const auto& package =
      doc.fields().at("packages").list_value().values(0).struct_value();
  const auto& professional =
      package.fields().at("accountableProfessional").struct_value();
  EXPECT_TRUE(!professional.fields().count("sector") ||
              IsNull(professional, "sector"))
      << person.body;

  // The history shows the professional's missing sector as null.
  auto history = client.Get(EventsOf(nhs));
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.body.find("UNSPECIFIED"), std::string::npos)
      << history.body;
  EXPECT_NE(history.body.find(R"("sector":null)"), std::string::npos)
      << history.body;
}

// SPEC.md: nhsNumberStatus is VERIFIED or UNVERIFIED (READINGS: missing means
// UNVERIFIED); the history and the feed show that, not a placeholder.
TEST_F(ConformanceTest, HistoryShowsAMissingNhsNumberStatusAsUnverified) {
  auto client = Practitioner();
  const std::string nhs = TestNhsNumber(102);
  auto created = client.Send(
      "POST", EventsOf(nhs),
      EventsBody({Event(
          "2014-06-07T10:15:00+01:00",
          R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002"})")}));
  ASSERT_EQ(created.status, 201) << created.body;
  auto history = client.Get(EventsOf(nhs));
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.body.find("UNSPECIFIED"), std::string::npos)
      << history.body;
  EXPECT_NE(history.body.find(R"("nhsNumberStatus":"UNVERIFIED")"),
            std::string::npos)
      << history.body;
  HttpClient admin(server_->port(), server_->admin);
  auto feed = admin.Get("/v1/events?after=0&limit=1000");
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_EQ(feed.body.find("UNSPECIFIED"), std::string::npos);
}

// API.md: errors[] says per field what is wrong. A missing eventId is the
// event's own id, not an id "this event refers to".
TEST_F(ConformanceTest, AMissingEventIdIsAskedForAsTheEventsOwnId) {
  auto client = Practitioner();
  auto answer =
      client.Send("POST", EventsOf(TestNhsNumber(103)),
                  R"({"events": [{"occurredAt": "2014-06-07T10:15:00+01:00",
          "personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002"}}]})");
  ASSERT_EQ(answer.status, 400) << answer.body;
  EXPECT_NE(answer.body.find(R"("field":"events[0].eventId")"),
            std::string::npos)
      << answer.body;
  EXPECT_NE(answer.body.find("its own id"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.body.find("refers to"), std::string::npos) << answer.body;
}

// API.md: the metrics answer echoes `asOf`; it is the time the client
// asked for, written as they wrote it (not converted to UTC), so that it
// compares equal to the question.
TEST_F(ConformanceTest, AsOfIsEchoedAsAsked) {
  HttpClient admin(server_->port(), server_->admin);
  auto area = admin.Send(
      "PUT", std::string("/v1/areas/") + LiveServer::kAreaA,
      R"({"name": "A", "population": [{"year": 2015, "age0to17": 1000,
          "age18to64": 1000, "age65plus": 1000}]})");
  ASSERT_TRUE(area.status == 200 || area.status == 201) << area.body;
  HttpClient commissioner(server_->port(), server_->commissioner_a);
  const std::string base = std::string("/v1/areas/") + LiveServer::kAreaA;
  for (const std::string& target :
       {base + "/metrics?period=2015-16&asOf=2015-06-01T00:00:00%2B01:00",
        base + "/metrics/"
               "delayedDays?from=2015-04&asOf=2015-06-01T00:00:00%2B01:00",
        base + "/conditions?period=2015-16&asOf=2015-06-01T00:00:00%2B01:00"}) {
    auto answer = commissioner.Get(target);
    ASSERT_EQ(answer.status, 200) << target << " " << answer.body;
    EXPECT_EQ(Text(answer.Json(), "asOf"), "2015-06-01T00:00:00+01:00")
        << target;
  }
  // API.md: "`text/csv`" (its content is ASCII: codes, ids and numbers).
  auto csv = commissioner.Get(base + "/metrics.csv?from=2015-04");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("content-type"), "text/csv");

  auto utc = commissioner.Get(
      base + "/metrics?period=2015-16&asOf=2015-05-31T23:00:00Z");
  ASSERT_EQ(utc.status, 200) << utc.body;
  EXPECT_EQ(Text(utc.Json(), "asOf"), "2015-05-31T23:00:00Z");
}

// API.md: /healthz says the process is up; it does not claim a lastPosition
// of 0 when the log holds events (/readyz gives the position).
TEST_F(ConformanceTest, HealthzClaimsNoPosition) {
  auto answer = HttpClient(server_->port()).Get("/healthz");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.Header("content-type"), "application/json");
  EXPECT_EQ(answer.body, R"({"status":"ok"})");
}

}  // namespace
}  // namespace carelog::e2e
