// Acceptance audit of SPEC.md "The care events": every payload of the table
// with every field under its JSON name is accepted and read back as sent;
// an unknown field, an enum value not upper case or not in the list, and a
// required field left out are 400 naming the field (API.md: malformed), while
// fields SPEC.md calls optional may be left out.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/rules_audit.h"
#include "tests/e2e/rules_audit_payloads.h"

namespace carelog::e2e::rules {
namespace {

using google::protobuf::Struct;
using google::protobuf::util::MessageDifferencer;

class PayloadsAuditTest : public SharedServerTest<PayloadsAuditTest> {};

// One history with each payload of the table, every field given (the JSON
// names of SPEC.md), in a fitting order: {payload name, event}.
std::vector<std::pair<std::string, std::string>> EveryPayload(
    const std::string& ae_id) {
  const std::string b = LiveServer::kAreaB, a = LiveServer::kAreaA;
  return {
      {"personRegistered",
       Ev(At(1, 9),
          R"("personRegistered":{"birthDate":"1940-05-05","areaCode":")" + a +
              R"(","gpPractice":"F82001","nhsNumberStatus":"UNVERIFIED",)"
              R"("localIds":[{"system":"PAS","value":"H123"}]})")},
      {"nhsNumberVerified", Ev(At(1, 10), Verified())},
      {"localIdLinked",
       Ev(At(1, 11), R"("localIdLinked":{"system":"SSCS","value":"C77"})")},
      {"personMoved", Ev(At(1, 12), Moved(b))},
      {"personMoved", Ev(At(1, 13), Moved(a))},
      {"referralReceived", Ev(At(2, 9), Referral("R1", "CRISIS"))},
      {"referralAccepted", Ev(At(2, 10), Accept("R1"))},
      {"referralReceived", Ev(At(2, 9), Referral("R2", "ROUTINE"))},
      {"referralDeclined", Ev(At(2, 10), Decline("R2"))},
      {"jointAssessmentStarted",
       Ev(At(3, 9), JaStart("J1", "HEALTH,SOCIAL_CARE,HOUSING", "R1"))},
      {"jointAssessmentCompleted", Ev(At(3, 10), JaDone("J1", "REFERRED_ON"))},
      {"carePackageStarted", Ev(At(3, 11), PkgStart("P1", "J1"))},
      {"accountableProfessionalAssigned", Ev(At(3, 12), Prof("P1"))},
      {"carePackageEnded", Ev(At(3, 13), PkgEnd("P1"))},
      {"aeAttended", Ev(At(4, 8), Ae("AE1"), ae_id)},
      {"hospitalAdmitted", Ev(At(4, 9), Admit("S1", "TRANSFER"))},
      {"readyForDischarge", Ev(At(5, 9), Ready("S1"))},
      {"readyForDischargeWithdrawn", Ev(At(5, 10), Withdraw("S1"))},
      {"readyForDischarge", Ev(At(6, 9), Ready("S1"))},
      {"dischargeDelayRecorded", Ev(At(6, 10), Delay("S1", "D1", "BOTH"))},
      {"discharged", Ev(At(7, 9), Discharge("S1", "REABLEMENT"))},
      {"careHomeAdmitted", Ev(At(8, 9), HomeIn("C1"))},
      {"careHomeLeft", Ev(At(9, 9), HomeOut("C1"))},
      {"experienceSurveyCompleted", Ev(At(9, 10), Survey("X1"))},
      {"eventRetracted", Ev(At(9, 11), Retract(ae_id))},
      {"personDied", Ev(At(10, 9), Died())},
      {"followUpRecorded",
       Ev("2015-09-06T10:00:00+01:00", FollowUp("S1", "NOT_CONTACTED"))},
  };
}

Struct Parse(const std::string& json) {
  Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok())
      << json;
  return s;
}

TEST_F(PayloadsAuditTest, EveryPayloadWithEveryFieldIsReadBackAsSent) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(1301);
  const auto payloads = EveryPayload(NewEventId());
  std::vector<std::string> events;
  for (const auto& p : payloads) events.push_back(p.second);
  auto answer = Post(client, nhs, events);
  ASSERT_EQ(answer.status, 201) << answer.body;
  auto history = client.Get("/v1/people/" + nhs + "/events");
  ASSERT_EQ(history.status, 200) << history.body;
  auto recorded = List(history.Json(), "events");
  ASSERT_EQ(recorded.size(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    const std::string& name = payloads[i].first;
    SCOPED_TRACE(name);
    const Struct sent = Parse(payloads[i].second);
    ASSERT_TRUE(Has(recorded[i], name)) << history.body;
    EXPECT_EQ(Text(recorded[i], "eventId"), Text(sent, "eventId"));
    std::string diff;
    MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(sent.fields().at(name).struct_value(),
                               recorded[i].fields().at(name).struct_value()))
        << diff;
  }
}

// Inserts `member` as the first member of the event's payload object.
std::string WithMember(const std::string& event, const std::string& payload,
                       const std::string& member) {
  const size_t open = event.find('{', event.find("\"" + payload + "\""));
  const bool empty = event[open + 1] == '}';
  return event.substr(0, open + 1) + member + (empty ? "" : ",") +
         event.substr(open + 1);
}

TEST_F(PayloadsAuditTest, AnUnknownFieldInAnyPayloadIs400NamingIt) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(1302);
  ASSERT_EQ(Post(client, nhs, {Reg(At(1, 9))}).status, 201);
  for (const auto& [name, event] : EveryPayload(NewEventId())) {
    SCOPED_TRACE(name);
    auto answer = Post(client, nhs, {WithMember(event, name, "\"bogus\":1")});
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(FirstErrorField(answer), "events[0]." + name + ".bogus");
  }
  EXPECT_EQ(Version(client, nhs), 1);
}

// Every enum of the table, given in lower case or as a value not listed:
// 400 naming the field (`events[0].<payload>.<field>`).
TEST_F(PayloadsAuditTest, EnumValuesAreUpperCaseNamesOfTheList) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(1303);
  ASSERT_EQ(Post(client, nhs, {Reg(At(1, 9))}).status, 201);
  struct EnumField {
    std::string field;  // under events[0]
    std::string good;   // the payload with a listed value
    std::string value;  // that value
  };
  const std::vector<EnumField> fields = {
      {"personRegistered.nhsNumberStatus",
       R"("personRegistered":{"birthDate":"1940-05-05","areaCode":"E09000002","nhsNumberStatus":"VERIFIED"})",
       "VERIFIED"},
      {"referralReceived.fromSector",
       R"("referralReceived":{"referralId":"R1","fromSector":"VOLUNTARY","urgency":"URGENT"})",
       "VOLUNTARY"},
      {"referralReceived.urgency", Referral("R1", "CRISIS"), "CRISIS"},
      {"jointAssessmentStarted.participants[1].sector", JaStart("J1"),
       "SOCIAL_CARE"},
      {"jointAssessmentCompleted.outcome", JaDone("J1", "NO_ELIGIBLE_NEEDS"),
       "NO_ELIGIBLE_NEEDS"},
      {"accountableProfessionalAssigned.sector", Prof("P1"), "HEALTH"},
      {"hospitalAdmitted.method", Admit("S1", "MATERNITY"), "MATERNITY"},
      {"dischargeDelayRecorded.reason", Delay("S1", "D2", "NHS"), "D2"},
      {"dischargeDelayRecorded.agency", Delay("S1", "D2", "NHS"), "NHS"},
      {"discharged.destination", Discharge("S1", "NURSING_CARE"),
       "NURSING_CARE"},
      {"followUpRecorded.status", FollowUp("S1", "IN_HOSPITAL"), "IN_HOSPITAL"},
      {"careHomeAdmitted.type", HomeIn("C1"), "NURSING"},
  };
  for (const auto& f : fields) {
    std::string lower = f.value;
    std::transform(
        lower.begin(), lower.end(), lower.begin(),
        [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const std::string& bad :
         {"\"" + lower + "\"", std::string("\"BOGUS\"")}) {
      SCOPED_TRACE(f.field + " = " + bad);
      std::string payload = f.good;
      const size_t at = payload.find("\"" + f.value + "\"");
      ASSERT_NE(at, std::string::npos);
      payload.replace(at, f.value.size() + 2, bad);
      auto answer = Post(client, nhs, {Ev(At(2, 9), payload)});
      EXPECT_EQ(answer.status, 400) << answer.body;
      EXPECT_EQ(FirstErrorField(answer), "events[0]." + f.field);
    }
  }
  EXPECT_EQ(Version(client, nhs), 1);
}

// Required fields left out are 400 naming them; SPEC.md's optional ones
// (jointAssessmentStarted.referralId, carePackageStarted.assessmentId) and
// descriptive text may be left out.
TEST_F(PayloadsAuditTest, RequiredAndOptionalFields) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(1304);
  ASSERT_EQ(Post(client, nhs, {Reg(At(1, 9))}).status, 201);
  const std::vector<std::pair<std::string, std::string>> missing = {
      {"personRegistered.birthDate",
       R"("personRegistered":{"areaCode":"E09000002"})"},
      {"personRegistered.areaCode",
       R"("personRegistered":{"birthDate":"1940-05-05"})"},
      {"personMoved.areaCode", R"("personMoved":{})"},
      {"localIdLinked.value", R"("localIdLinked":{"system":"PAS"})"},
      {"referralReceived.urgency",
       R"("referralReceived":{"referralId":"R1","fromSector":"HEALTH"})"},
      {"referralAccepted.referralId", R"("referralAccepted":{})"},
      {"jointAssessmentStarted.assessmentId",
       R"("jointAssessmentStarted":{"participants":[]})"},
      {"jointAssessmentCompleted.outcome",
       R"("jointAssessmentCompleted":{"assessmentId":"J1"})"},
      {"carePackageStarted.integrated",
       R"("carePackageStarted":{"packageId":"P1"})"},
      {"accountableProfessionalAssigned.professionalId",
       R"("accountableProfessionalAssigned":{"packageId":"P1","name":"N"})"},
      {"hospitalAdmitted.method", R"("hospitalAdmitted":{"spellId":"S1"})"},
      {"dischargeDelayRecorded.agency",
       R"("dischargeDelayRecorded":{"spellId":"S1","reason":"A"})"},
      {"discharged.destination", R"("discharged":{"spellId":"S1"})"},
      {"followUpRecorded.status", R"("followUpRecorded":{"spellId":"S1"})"},
      {"careHomeAdmitted.councilSupported",
       R"("careHomeAdmitted":{"placementId":"C1","type":"RESIDENTIAL","permanent":true})"},
      {"experienceSurveyCompleted.positive",
       R"("experienceSurveyCompleted":{"surveyId":"X1"})"},
      {"eventRetracted.eventId", R"("eventRetracted":{"reason":"oops"})"},
  };
  for (const auto& [field, payload] : missing) {
    SCOPED_TRACE(field);
    auto answer = Post(client, nhs, {Ev(At(2, 9), payload)});
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(FirstErrorField(answer), "events[0]." + field);
  }
  EXPECT_EQ(Version(client, nhs), 1);
  auto optional = Post(
      client, nhs,
      {Ev(At(2, 9),
          R"("jointAssessmentStarted":{"assessmentId":"J1",)"
          R"("participants":[{"professionalId":"a","sector":"HEALTH"},)"
          R"({"professionalId":"b","sector":"SOCIAL_CARE"}]})"),
       Ev(At(2, 10),
          R"("carePackageStarted":{"packageId":"P1","integrated":false})"),
       Ev(At(2, 11),
          R"("referralReceived":{"referralId":"R1","fromSector":"SELF","urgency":"ROUTINE"})"),
       Ev(At(2, 12), R"("referralDeclined":{"referralId":"R1"})"),
       Ev(At(2, 13), R"("carePackageEnded":{"packageId":"P1"})")});
  EXPECT_EQ(optional.status, 201) << optional.body;
}

}  // namespace
}  // namespace carelog::e2e::rules
