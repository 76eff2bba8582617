// Acceptance audit of the person routes and the command line against API.md's
// wording: what an unset optional field of GET /v1/people/{n} looks like,
// and the CLI's answers for a command group typed alone and for a wildcard
// --listen (docs/READINGS.md, "Acceptance audit of the person view and CLI").
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

class PeopleAuditTest : public SharedServerTest<PeopleAuditTest> {};

std::string Event(const std::string& at, const std::string& payload) {
  return "{\"eventId\":\"" + NewEventId() + "\",\"occurredAt\":\"" + at +
         "\"," + payload + "}";
}

const Struct& Only(const Struct& doc, const std::string& list) {
  static const Struct kEmpty;
  auto it = doc.fields().find(list);
  if (it == doc.fields().end() || it->second.list_value().values_size() != 1) {
    ADD_FAILURE() << "no single entry in " << list;
    return kEmpty;
  }
  return it->second.list_value().values(0).struct_value();
}

bool Has(const Struct& s, const std::string& field) {
  return s.fields().count(field) > 0;
}

// Optional text left out of the events is absent from the view (not ""), as
// the view's other not-yet-valued fields are; `scheme`, which API.md lists
// among a package's fields, is null.
TEST_F(PeopleAuditTest, UnsetOptionalTextIsAbsentNotEmpty) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(401);
  const std::string day = "2014-06-07T1";
  const std::string body = EventsBody({
      Event(day + "0:00:00+01:00",
            R"("personRegistered":{"birthDate":"1938-02-11","areaCode":")" +
                std::string(LiveServer::kAreaA) + R"("})"),
      Event(day + "1:00:00+01:00",
            R"("hospitalAdmitted":{"spellId":"S1","method":"EMERGENCY"})"),
      Event(
          day + "1:00:00+01:00",
          R"("referralReceived":{"referralId":"R1","fromSector":"HEALTH","urgency":"URGENT"})"),
      Event(day + "1:00:00+01:00",
            R"("carePackageStarted":{"packageId":"P1","integrated":true})"),
      Event(day + "1:00:00+01:00",
            R"("jointAssessmentStarted":{"assessmentId":"J1","participants":[)"
            R"({"professionalId":"a","sector":"HEALTH"},)"
            R"({"professionalId":"b","sector":"SOCIAL_CARE"}]})"),
      Event(day + "2:00:00+01:00", R"("readyForDischarge":{"spellId":"S1"})"),
      Event(day + "2:00:00+01:00", R"("aeAttended":{"attendanceId":"AE1"})"),
      Event(day + "2:00:00+01:00",
            R"("experienceSurveyCompleted":{"surveyId":"X1","positive":true})"),
      Event(day + "2:00:00+01:00",
            R"("accountableProfessionalAssigned":{"packageId":"P1",)"
            R"("professionalId":"c","name":"Ann"})"),
  });
  auto created = client.Send("POST", "/v1/people/" + nhs + "/events", body);
  ASSERT_EQ(created.status, 201) << created.body;
  auto answer = client.Get("/v1/people/" + nhs);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body.find("\"\""), std::string::npos) << answer.body;
  const Struct doc = answer.Json();
  EXPECT_FALSE(Has(doc, "gpPractice"));
  const Struct& spell = Only(doc, "spells");
  EXPECT_FALSE(Has(spell, "site"));
  EXPECT_FALSE(Has(spell, "provider"));
  EXPECT_FALSE(Has(Only(spell, "readiness"), "withdrawalReason"));
  const Struct& referral = Only(doc, "referrals");
  for (const char* f :
       {"declineReason", "reason", "fromOrganisation", "toService"}) {
    EXPECT_FALSE(Has(referral, f)) << f;
  }
  EXPECT_FALSE(Has(Only(doc, "assessments"), "referralId"));
  const Struct& package = Only(doc, "packages");
  EXPECT_FALSE(Has(package, "assessmentId"));
  EXPECT_FALSE(Has(package, "endReason"));
  ASSERT_TRUE(Has(package, "scheme")) << answer.body;
  EXPECT_TRUE(IsNull(package, "scheme"));
  const Struct& professional =
      package.fields().at("accountableProfessional").struct_value();
  EXPECT_EQ(Text(professional, "name"), "Ann");
  for (const char* f : {"role", "organisation", "phone"}) {
    EXPECT_FALSE(Has(professional, f)) << f;
  }
  EXPECT_FALSE(Has(Only(doc, "aeAttendances"), "site"));
  EXPECT_FALSE(Has(Only(doc, "surveys"), "question"));
}

// The discharge worklist lists `site` and the accountable professional's
// fields: given none, they are null, not "".
TEST_F(PeopleAuditTest, WorklistTextNotGivenIsNull) {
  HttpClient client(server_->port(), server_->coordinator_a);
  const std::string nhs = TestNhsNumber(403);
  const std::string day = "2015-06-07T1";
  auto created = client.Send(
      "POST", "/v1/people/" + nhs + "/events",
      EventsBody({
          RegisterEvent(LiveServer::kAreaA, "", day + "0:00:00+01:00"),
          Event(day + "1:00:00+01:00",
                R"("hospitalAdmitted":{"spellId":"S1","method":"EMERGENCY"})"),
          Event(day + "1:00:00+01:00",
                R"("carePackageStarted":{"packageId":"P1","integrated":true})"),
          Event(day + "2:00:00+01:00",
                R"("accountableProfessionalAssigned":{"packageId":"P1",)"
                R"("professionalId":"c","name":"Ann"})"),
          Event(day + "2:00:00+01:00",
                R"("readyForDischarge":{"spellId":"S1"})"),
      }));
  ASSERT_EQ(created.status, 201) << created.body;
  auto answer = client.Get(std::string("/v1/worklists/discharge?area=") +
                           LiveServer::kAreaA);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body.find("\"\""), std::string::npos) << answer.body;
  const Struct doc = answer.Json();
  bool listed = false;
  for (const Value& v : doc.fields().at("items").list_value().values()) {
    const Struct& item = v.struct_value();
    if (Text(item, "nhsNumber") != nhs) continue;
    listed = true;
    EXPECT_TRUE(IsNull(item, "site"));
    const Struct& ap =
        item.fields().at("accountableProfessional").struct_value();
    EXPECT_EQ(Text(ap, "name"), "Ann");
    for (const char* f : {"role", "organisation", "sector", "phone"}) {
      EXPECT_TRUE(IsNull(ap, f)) << f;
    }
  }
  EXPECT_TRUE(listed) << answer.body;
}

// Given, the same fields read back as recorded; the reasons appear once the
// referral is declined, the readiness withdrawn, the package ended.
TEST_F(PeopleAuditTest, GivenOptionalTextReadsBack) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(402);
  const std::string day = "2014-06-07T1";
  auto created = client.Send(
      "POST", "/v1/people/" + nhs + "/events",
      EventsBody({
          RegisterEvent(LiveServer::kAreaA, "", day + "0:00:00+01:00"),
          AdmitEvent("S1", "", day + "1:00:00+01:00"),
          Event(
              day + "1:00:00+01:00",
              R"("referralReceived":{"referralId":"R1","fromSector":"HEALTH","urgency":"URGENT"})"),
          Event(day + "2:00:00+01:00",
                R"("referralDeclined":{"referralId":"R1","reason":"full"})"),
          Event(
              day + "1:00:00+01:00",
              R"("carePackageStarted":{"packageId":"P1","integrated":true,"scheme":"ITF08"})"),
          Event(day + "2:00:00+01:00",
                R"("carePackageEnded":{"packageId":"P1","reason":"done"})"),
          Event(day + "2:00:00+01:00",
                R"("readyForDischarge":{"spellId":"S1"})"),
          Event(
              day + "3:00:00+01:00",
              R"("readyForDischargeWithdrawn":{"spellId":"S1","reason":"fever"})"),
      }));
  ASSERT_EQ(created.status, 201) << created.body;
  auto answer = client.Get("/v1/people/" + nhs);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const Struct doc = answer.Json();
  EXPECT_EQ(Text(doc, "gpPractice"), "F82001");
  const Struct& spell = Only(doc, "spells");
  EXPECT_EQ(Text(spell, "site"), "Queen's");
  EXPECT_EQ(Text(Only(spell, "readiness"), "withdrawalReason"), "fever");
  EXPECT_EQ(Text(Only(doc, "referrals"), "declineReason"), "full");
  const Struct& package = Only(doc, "packages");
  EXPECT_EQ(Text(package, "scheme"), "ITF08");
  EXPECT_EQ(Text(package, "endReason"), "done");
}

// /metrics is Prometheus text: every family has # HELP and # TYPE before its
// samples, and a method HTTP does not define is counted as OTHER, so that
// clients cannot create series without bound by inventing methods.
TEST_F(PeopleAuditTest, MetricsNameOnlyKnownMethods) {
  HttpClient client(server_->port());
  for (const char* method : {"BREW", "XYZZY1", "XYZZY2"}) {
    EXPECT_EQ(client.Send(method, "/v1/areas").status, 501);
  }
  auto metrics = client.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(
      metrics.Header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = metrics.body;
  EXPECT_EQ(text.find("XYZZY"), std::string::npos);
  EXPECT_EQ(text.find("BREW"), std::string::npos);
  EXPECT_NE(text.find("method=\"OTHER\",status=\"501\"} 3"), std::string::npos)
      << text;
  // Each sample's family was introduced by # HELP and # TYPE.
  std::set<std::string> typed;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (!typed.count(name) && name.size() > s.size() &&
          name.compare(name.size() - s.size(), s.size(), s) == 0)
        name.resize(name.size() - s.size());
    }
    EXPECT_TRUE(typed.count(name)) << line;
  }
}

// `carelog token` alone (or with a subcommand that does not exist) names the
// token commands rather than calling "token" unknown.
TEST(CliAuditTest, ACommandGroupAloneListsItsCommands) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"token"},
        std::vector<std::string>{"token", "remove"}}) {
    CliRun run = RunCarelog(args);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err.find("unknown command"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("carelog token add --tokens FILE"),
              std::string::npos)
        << run.err;
  }
}

// A bad flag of `carelog demo` is reported by `carelog demo`, not `serve`.
TEST(CliAuditTest, DemoErrorsNameTheDemo) {
  CliRun run = RunCarelog({"demo", "--listen", "nowhere"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(run.err.rfind("carelog demo: --listen wants HOST:PORT", 0), 0u)
      << run.err;
}

// `carelog demo --listen 0.0.0.0:PORT` prints URLs a browser can open.
TEST(CliAuditTest, DemoOnAWildcardAddressPrintsAnOpenableUrl) {
  TempDir dir;
  ServerProcess demo({"demo", "--data", dir.path(), "--listen", "0.0.0.0:0",
                      "--scale", "0.01"},
                     "");
  ASSERT_TRUE(demo.Start()) << demo.error();
  const std::string expected =
      "http://127.0.0.1:" + std::to_string(demo.port()) + "/";
  EXPECT_EQ(demo.Line("dashboard").rfind(expected, 0), 0u)
      << demo.Line("dashboard");
  EXPECT_EQ(demo.Line("worklist").rfind(expected, 0), 0u)
      << demo.Line("worklist");
  EXPECT_EQ(demo.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace carelog::e2e
