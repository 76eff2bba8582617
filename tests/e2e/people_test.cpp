// Person events over HTTP: every answer of API.md's table, the person view,
// paging and audit.
#include <gtest/gtest.h>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

class PeopleTest : public SharedServerTest<PeopleTest> {
 protected:
  HttpClient As(const std::string& token) {
    return HttpClient(server_->port(), token);
  }
  static std::string EventsOf(const std::string& nhs) {
    return "/v1/people/" + nhs + "/events";
  }
};

void ExpectProblem(const HttpAnswer& a, int status) {
  EXPECT_EQ(a.status, status) << a.body;
  EXPECT_EQ(a.Header("content-type"), "application/problem+json");
  auto doc = a.Json();
  EXPECT_EQ(Number(doc, "status"), status);
  EXPECT_FALSE(Text(doc, "title").empty());
  EXPECT_FALSE(Text(doc, "detail").empty());
  EXPECT_TRUE(doc.fields().count("errors"));
}

TEST_F(PeopleTest, AppendRetryAndConflict) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(1);
  const std::string reg = RegisterEvent(LiveServer::kAreaA);
  const std::string admit_id = NewEventId();
  const std::string body = EventsBody({reg, AdmitEvent("S1", admit_id)});

  auto created = client.Send("POST", EventsOf(nhs), body);
  ASSERT_EQ(created.status, 201) << created.body;
  auto doc = created.Json();
  EXPECT_EQ(Text(doc, "nhsNumber"), nhs);
  EXPECT_EQ(Number(doc, "firstVersion"), 1);
  EXPECT_EQ(Number(doc, "lastVersion"), 2);
  const double position = Number(doc, "lastPosition");
  EXPECT_GT(position, 0);

  auto retry = client.Send("POST", EventsOf(nhs), body);
  ASSERT_EQ(retry.status, 200) << retry.body;
  auto again = retry.Json();
  EXPECT_EQ(Number(again, "firstVersion"), 1);
  EXPECT_EQ(Number(again, "lastVersion"), 2);
  EXPECT_EQ(Number(again, "lastPosition"), position);

  // The same event id with other content.
  auto conflict = client.Send(
      "POST", EventsOf(nhs),
      EventsBody({AdmitEvent("S2", admit_id, "2014-06-08T11:00:00+01:00")}));
  ExpectProblem(conflict, 409);

  auto person = client.Get("/v1/people/" + nhs);
  ASSERT_EQ(person.status, 200);
  EXPECT_EQ(person.Header("etag"), "\"2\"");
}

TEST_F(PeopleTest, IfMatchMustBeTheCurrentVersion) {
  auto client = As(server_->coordinator_a);
  const std::string nhs = TestNhsNumber(2);
  // `*` matches any current version: not a person without events.
  auto nobody = client.Send("POST", EventsOf(nhs),
                            EventsBody({RegisterEvent(LiveServer::kAreaA)}),
                            {{"If-Match", "*"}});
  ExpectProblem(nobody, 412);
  auto first = client.Send("POST", EventsOf(nhs),
                           EventsBody({RegisterEvent(LiveServer::kAreaA)}),
                           {{"If-Match", "\"0\""}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto stale =
      client.Send("POST", EventsOf(nhs), EventsBody({AdmitEvent("S1")}),
                  {{"If-Match", "\"0\""}});
  ExpectProblem(stale, 412);
  auto current =
      client.Send("POST", EventsOf(nhs), EventsBody({AdmitEvent("S1")}),
                  {{"If-Match", "\"1\""}});
  EXPECT_EQ(current.status, 201) << current.body;
  const std::string verified =
      "{\"eventId\":\"" + NewEventId() +
      "\",\"occurredAt\":\"2014-06-09T09:00:00+01:00\","
      "\"nhsNumberVerified\":{}}";
  auto any = client.Send("POST", EventsOf(nhs), EventsBody({verified}),
                         {{"If-Match", "*"}});
  EXPECT_EQ(any.status, 201) << any.body;
  auto person = client.Get("/v1/people/" + nhs);
  EXPECT_EQ(person.Header("etag"), "\"3\"");
  auto junk = client.Send("POST", EventsOf(nhs), EventsBody({AdmitEvent("S9")}),
                          {{"If-Match", "soon"}});
  ExpectProblem(junk, 400);
}

TEST_F(PeopleTest, MalformedRequestsAre400AndAppendNothing) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(3);
  const std::string reg = RegisterEvent(LiveServer::kAreaA);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad JSON", "{\"events\": ["},
      {"unknown field", "{\"events\": [], \"extra\": true}"},
      {"unknown event field",
       EventsBody(
           {"{\"eventId\":\"x1\",\"occurredAt\":\"2014-06-07T10:15:00+01:00\","
            "\"colour\":"
            "\"red\",\"personRegistered\":{\"areaCode\":\"E09000002\"}}"})},
      {"bad enum",
       EventsBody(
           {"{\"eventId\":\"x2\",\"occurredAt\":\"2014-06-07T10:15:00+01:00\","
            "\"personRegistered\":{\"birthDate\":\"1938-02-11\",\"areaCode\":"
            "\"E09000002\",\"nhsNumberStatus\":\"MAYBE\"}}"})},
      {"bad time",
       EventsBody({RegisterEvent(LiveServer::kAreaA, "", "yesterday")})},
      {"no payload", EventsBody({"{\"eventId\":\"x3\",\"occurredAt\":\"2014-06-"
                                 "07T10:15:00+01:00\"}"})},
      {"two payloads",
       EventsBody(
           {"{\"eventId\":\"x4\",\"occurredAt\":\"2014-06-07T10:15:00+01:00\","
            "\"personDied\":{},\"nhsNumberVerified\":{}}"})},
      {"no events", "{\"events\": []}"},
      {"missing eventId",
       EventsBody({"{\"occurredAt\":\"2014-06-07T10:15:00+01:00\","
                   "\"personRegistered\":{"
                   "\"birthDate\":\"1938-02-11\",\"areaCode\":\"E09000002\","
                   "\"gpPractice\":"
                   "\"F82001\",\"nhsNumberStatus\":\"VERIFIED\"}}"})},
  };
  for (const auto& [what, body] : cases) {
    SCOPED_TRACE(what);
    ExpectProblem(client.Send("POST", EventsOf(nhs), body), 400);
  }
  std::vector<std::string> many = {reg};
  for (int i = 0; i < 1000; ++i) {
    many.push_back(
        "{\"eventId\":\"" + NewEventId() +
        "\",\"occurredAt\":\"2014-06-08T10:00:00+01:00\",\"aeAttended\":{"
        "\"attendanceId\":\"A" +
        std::to_string(i) + "\",\"site\":\"Queen's\"}}");
  }
  ExpectProblem(client.Send("POST", EventsOf(nhs), EventsBody(many)), 400);
  // Invalid NHS numbers in the path (check digit; letters).
  ExpectProblem(client.Send("POST", EventsOf("9434765918"), EventsBody({reg})),
                400);
  ExpectProblem(client.Send("POST", EventsOf("94347659AB"), EventsBody({reg})),
                400);
  ExpectProblem(client.Get("/v1/people/123"), 400);

  auto person = client.Get("/v1/people/" + nhs);
  ExpectProblem(person, 404);
}

TEST_F(PeopleTest, BrokenRulesAre422WithTheEventNamed) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(4);
  ASSERT_EQ(client
                .Send("POST", EventsOf(nhs),
                      EventsBody({RegisterEvent(LiveServer::kAreaA)}))
                .status,
            201);
  // A second registration, after a valid event in the same request: all or
  // nothing.
  auto broken =
      client.Send("POST", EventsOf(nhs),
                  EventsBody({AdmitEvent("S1"),
                              RegisterEvent(LiveServer::kAreaA, "",
                                            "2014-06-09T10:15:00+01:00")}));
  ExpectProblem(broken, 422);
  auto doc = broken.Json();
  const auto& errors = doc.fields().at("errors").list_value().values();
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].struct_value().fields().at("field").string_value().rfind(
                "events[1]", 0),
            0u)
      << broken.body;
  EXPECT_EQ(client.Get("/v1/people/" + nhs).Header("etag"), "\"1\"");
}

TEST_F(PeopleTest, PersonViewHasTheFieldsOfApiMd) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(5);
  ASSERT_EQ(client
                .Send("POST", EventsOf(nhs),
                      EventsBody({RegisterEvent(LiveServer::kAreaA),
                                  AdmitEvent("S1")}))
                .status,
            201);
  // Spaces in the path are taken.
  auto answer = client.Get("/v1/people/" + nhs.substr(0, 3) + "%20" +
                           nhs.substr(3, 3) + "%20" + nhs.substr(6));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.Header("etag"), "\"2\"");
  auto doc = answer.Json();
  EXPECT_EQ(Text(doc, "nhsNumber"), nhs);
  EXPECT_EQ(Number(doc, "version"), 2);
  EXPECT_EQ(Text(doc, "birthDate"), "1938-02-11");
  EXPECT_EQ(Text(doc, "areaCode"), LiveServer::kAreaA);
  EXPECT_EQ(Text(doc, "nhsNumberStatus"), "VERIFIED");
  EXPECT_TRUE(IsNull(doc, "diedOn"));
  for (const char* list : {"localIds", "referrals", "assessments", "packages",
                           "spells", "placements"}) {
    EXPECT_TRUE(doc.fields().count(list)) << list;
  }
  const auto& spells = doc.fields().at("spells").list_value().values();
  ASSERT_EQ(spells.size(), 1);
  EXPECT_EQ(spells[0].struct_value().fields().at("spellId").string_value(),
            "S1");
}

TEST_F(PeopleTest, EventHistoryPages) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(6);
  std::vector<std::string> events = {RegisterEvent(LiveServer::kAreaA)};
  for (int i = 0; i < 4; ++i) {
    events.push_back(
        "{\"eventId\":\"" + NewEventId() +
        "\",\"occurredAt\":\"2014-06-08T10:00:00+01:00\",\"aeAttended\":{"
        "\"attendanceId\":\"A" +
        std::to_string(i) + "\",\"site\":\"Queen's\"}}");
  }
  ASSERT_EQ(client.Send("POST", EventsOf(nhs), EventsBody(events)).status, 201);
  auto page = client.Get(EventsOf(nhs) + "?fromVersion=1&limit=2");
  ASSERT_EQ(page.status, 200) << page.body;
  auto doc = page.Json();
  const auto& first = doc.fields().at("events").list_value().values();
  ASSERT_EQ(first.size(), 2);
  const auto& e1 = first[0].struct_value().fields();
  EXPECT_EQ(e1.at("version").number_value(), 1);
  EXPECT_GT(e1.at("position").number_value(), 0);
  EXPECT_FALSE(e1.at("eventId").string_value().empty());
  EXPECT_EQ(e1.at("occurredAt").string_value(), "2014-06-07T10:15:00+01:00");
  EXPECT_FALSE(e1.at("recordedAt").string_value().empty());
  EXPECT_EQ(e1.at("recordedBy").string_value(), "pat");
  EXPECT_TRUE(e1.count("personRegistered"));
  EXPECT_EQ(Number(doc, "nextFromVersion"), 3);

  auto last = client.Get(EventsOf(nhs) + "?fromVersion=5&limit=2").Json();
  EXPECT_EQ(last.fields().at("events").list_value().values_size(), 1);
  EXPECT_TRUE(IsNull(last, "nextFromVersion"));
  ExpectProblem(client.Get(EventsOf(nhs) + "?fromVersion=0"), 400);
  ExpectProblem(client.Get(EventsOf(nhs) + "?limit=x"), 400);
  ExpectProblem(client.Get(EventsOf(TestNhsNumber(999)) + "?fromVersion=1"),
                404);
}

TEST_F(PeopleTest, ReadsWritesAndRefusalsAreAudited) {
  const std::string nhs = TestNhsNumber(7);
  auto pat = As(server_->practitioner_a);
  ASSERT_EQ(pat.Send("POST", EventsOf(nhs),
                     EventsBody({RegisterEvent(LiveServer::kAreaA)}))
                .status,
            201);
  ASSERT_EQ(pat.Get("/v1/people/" + nhs).status, 200);
  EXPECT_EQ(As(server_->practitioner_b).Get("/v1/people/" + nhs).status, 403);
  EXPECT_EQ(As(server_->commissioner_a).Get("/v1/people/" + nhs).status, 403);
  EXPECT_EQ(As("not-a-token").Get("/v1/people/" + nhs).status, 401);

  auto audit = As(server_->auditor).Get("/v1/audit?nhsNumber=" + nhs);
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto audit_doc = audit.Json();
  const auto& entries = audit_doc.fields().at("entries").list_value().values();
  ASSERT_EQ(entries.size(), 5) << audit.body;
  auto field = [&](int i, const char* name) {
    return entries[i].struct_value().fields().at(name);
  };
  EXPECT_EQ(field(0, "who").string_value(), "pat");
  EXPECT_EQ(field(0, "role").string_value(), "practitioner");
  EXPECT_EQ(field(0, "method").string_value(), "POST");
  EXPECT_EQ(field(0, "outcome").number_value(), 201);
  EXPECT_EQ(field(0, "nhsNumber").string_value(), nhs);
  EXPECT_FALSE(field(0, "at").string_value().empty());
  EXPECT_EQ(field(1, "outcome").number_value(), 200);
  EXPECT_EQ(field(1, "route").string_value(), "/v1/people/{nhsNumber}");
  EXPECT_EQ(field(2, "who").string_value(), "bea");
  EXPECT_EQ(field(2, "outcome").number_value(), 403);
  EXPECT_EQ(field(3, "role").string_value(), "commissioner");
  EXPECT_EQ(field(3, "outcome").number_value(), 403);
  EXPECT_EQ(field(4, "who").string_value(), "");
  EXPECT_EQ(field(4, "outcome").number_value(), 401);

  // Paging by id, and nobody else reads or changes the trail.
  const double first_id = field(0, "id").number_value();
  auto after = As(server_->auditor)
                   .Get("/v1/audit?nhsNumber=" + nhs + "&after=" +
                        std::to_string(static_cast<uint64_t>(first_id)));
  EXPECT_EQ(after.Json().fields().at("entries").list_value().values_size(), 4);
  EXPECT_EQ(As(server_->admin).Get("/v1/audit?nhsNumber=" + nhs).status, 403);
  EXPECT_EQ(As(server_->auditor)
                .Send("POST", "/v1/audit?nhsNumber=" + nhs, "{}")
                .status,
            405);
  EXPECT_EQ(As(server_->auditor).Get("/v1/audit?nhsNumber=123").status, 400);
  EXPECT_EQ(As(server_->auditor).Get("/v1/audit").status, 400);
}

// A screen that polls a person sends the ETag it holds: 304 and no body while
// the person is unchanged, the new version once they change; access first.
TEST_F(PeopleTest, IfNoneMatchAnswersNotModified) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(8);
  ASSERT_EQ(client
                .Send("POST", EventsOf(nhs),
                      EventsBody({RegisterEvent(LiveServer::kAreaA)}))
                .status,
            201);
  const std::string person = "/v1/people/" + nhs;
  for (const std::string tag : {"\"1\"", "W/\"1\"", "\"0\", \"1\"", "*"}) {
    auto same = client.Send("GET", person, "", {{"If-None-Match", tag}});
    EXPECT_EQ(same.status, 304) << tag;
    EXPECT_EQ(same.body, "") << tag;
    EXPECT_EQ(same.Header("etag"), "\"1\"") << tag;
  }
  auto other = client.Send("GET", person, "", {{"If-None-Match", "\"7\""}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.Json().fields().at("nhsNumber").string_value(), nhs);

  ASSERT_EQ(
      client.Send("POST", EventsOf(nhs), EventsBody({AdmitEvent("S1")})).status,
      201);
  auto changed = client.Send("GET", person, "", {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.Header("etag"), "\"2\"");
  auto history =
      client.Send("GET", EventsOf(nhs), "", {{"If-None-Match", "\"2\""}});
  EXPECT_EQ(history.status, 304);
  EXPECT_EQ(history.body, "");
  auto stale =
      client.Send("GET", EventsOf(nhs), "", {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 200);

  // Another area's practitioner learns nothing from a matching tag.
  auto outsider = As(server_->practitioner_b)
                      .Send("GET", person, "", {{"If-None-Match", "\"2\""}});
  ExpectProblem(outsider, 403);

  // A 304 is a read of the person: audited like any other answer.
  auto audit = As(server_->auditor).Get("/v1/audit?nhsNumber=" + nhs);
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto entries = audit.Json();
  int not_modified = 0;
  for (const auto& e : entries.fields().at("entries").list_value().values()) {
    not_modified +=
        e.struct_value().fields().at("outcome").number_value() == 304;
  }
  EXPECT_EQ(not_modified, 5);  // four of the person, one of the history
}

// A page of the history says the version it shows: its ETag, and whether a
// next page exists, are those of the events in it.
TEST_F(PeopleTest, HistoryPagesCarryTheirVersion) {
  auto client = As(server_->practitioner_a);
  const std::string nhs = TestNhsNumber(9);
  ASSERT_EQ(client
                .Send("POST", EventsOf(nhs),
                      EventsBody({RegisterEvent(LiveServer::kAreaA),
                                  AdmitEvent("S1")}))
                .status,
            201);
  auto first = client.Get(EventsOf(nhs) + "?limit=1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Header("etag"), "\"2\"");
  EXPECT_EQ(Number(first.Json(), "nextFromVersion"), 2);
  auto beyond = client.Get(EventsOf(nhs) + "?fromVersion=3");
  ASSERT_EQ(beyond.status, 200) << beyond.body;
  const auto page = beyond.Json();
  EXPECT_EQ(page.fields().at("events").list_value().values_size(), 0);
  EXPECT_TRUE(page.fields().at("nextFromVersion").has_null_value());
  EXPECT_EQ(beyond.Header("etag"), "\"2\"");
}

}  // namespace
}  // namespace carelog::e2e
