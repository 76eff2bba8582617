#include "gateway/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "carelog/admin.pb.h"
#include "carelog/events.pb.h"
#include "google/protobuf/struct.pb.h"

namespace carelog::gateway {
namespace {

std::string Package(const std::string& integrated) {
  return R"({"events": [{"eventId": "e1", "occurredAt": "2015-01-02T10:00:00Z",
    "experienceSurveyCompleted": {"surveyId": "Q", "question": "\"integrated\": yes?"}},
    {"eventId": "e2", "occurredAt": "2015-01-02T10:00:00Z",
    "carePackageStarted": {"packageId": "P1", "integrated": )" +
         integrated + R"(, "scheme": "ITF08"}}]})";
}

// API.md: "Unknown fields in a request are an error"; errors[] names the
// field itself, so that the client sees which key to remove.
TEST(ParseJsonTest, AnUnknownFieldIsNamedByItsPath) {
  schema::RecordEventsRequest request;
  Status nested = ParseJson(
      R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "foo": 1}}]})",
      request);
  EXPECT_EQ(nested.code(), Code::kInvalidArgument);
  ASSERT_EQ(nested.errors().size(), 1u);
  EXPECT_EQ(nested.errors()[0].field, "events[0].personRegistered.foo");
  EXPECT_EQ(nested.errors()[0].message,
            "unknown field: API.md has no such field here");
  Status top = ParseJson(R"({"events": [], "extra": 1})", request);
  ASSERT_EQ(top.errors().size(), 1u);
  EXPECT_EQ(top.errors()[0].field, "extra");
}

// SPEC.md lists each enum's values: a wrong one is answered with them.
TEST(ParseJsonTest, AnUnknownEnumValueIsAnsweredWithTheValuesAllowed) {
  schema::RecordEventsRequest request;
  Status status = ParseJson(
      R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "hospitalAdmitted": {"spellId": "S1", "method": "emergency"}}]})",
      request);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.errors()[0].field, "events[0].hospitalAdmitted.method");
  EXPECT_EQ(status.errors()[0].message,
            "'emergency' is not one of EMERGENCY, ELECTIVE, MATERNITY, "
            "TRANSFER");
}

// protobuf takes an enum's placeholder (SECTOR_UNSPECIFIED, ...) as "not
// given"; it is no value SPEC.md lists, so a client sending it is told the
// values allowed.
TEST(ParseJsonTest, AnEnumPlaceholderIsNoValue) {
  schema::RecordEventsRequest request;
  Status required = ParseJson(
      R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "hospitalAdmitted": {"spellId": "S1", "method": "ADMISSION_METHOD_UNSPECIFIED"}}]})",
      request);
  EXPECT_EQ(required.code(), Code::kInvalidArgument);
  ASSERT_EQ(required.errors().size(), 1u) << required.ToString();
  EXPECT_EQ(required.errors()[0].field, "events[0].hospitalAdmitted.method");
  EXPECT_EQ(required.errors()[0].message,
            "'ADMISSION_METHOD_UNSPECIFIED' is not one of EMERGENCY, "
            "ELECTIVE, MATERNITY, TRANSFER");
  Status optional = ParseJson(
      R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002",
          "nhsNumberStatus": "NHS_NUMBER_STATUS_UNSPECIFIED"}}]})",
      request);
  EXPECT_EQ(optional.code(), Code::kInvalidArgument);
  ASSERT_EQ(optional.errors().size(), 1u) << optional.ToString();
  EXPECT_EQ(optional.errors()[0].field,
            "events[0].personRegistered.nhsNumberStatus");
  EXPECT_EQ(request.events_size(), 0);
  // Left out, or a listed value, stays fine.
  EXPECT_TRUE(
      ParseJson(
          R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002",
          "nhsNumberStatus": "VERIFIED"}}]})",
          request)
          .ok());
}

// A count given as a fraction or text is named as such, in plain words.
TEST(ParseJsonTest, ANumberOfTheWrongKindIsNamedInPlainWords) {
  schema::Area area;
  Status whole = ParseJson(
      R"({"name": "x", "population": [{"year": 2014, "age0to17": 1.5}]})",
      area);
  ASSERT_EQ(whole.errors().size(), 1u);
  EXPECT_EQ(whole.errors()[0].field, "population[0].age0to17");
  EXPECT_EQ(whole.errors()[0].message, "'1.5' is not a whole number");
  schema::Plan plan;
  Status number = ParseJson(R"({"allocationGbp": "lots"})", plan);
  ASSERT_EQ(number.errors().size(), 1u);
  EXPECT_EQ(number.errors()[0].field, "allocationGbp");
  EXPECT_EQ(number.errors()[0].message, "'lots' is not a number");
  Status text = ParseJson(R"({"name": 5})", area);
  ASSERT_EQ(text.errors().size(), 1u);
  EXPECT_EQ(text.errors()[0].message, "'5' is not text: give it in quotes");
}

// A body that is not a JSON object, or a payload that is not one, is said so
// in plain words, with errors[] naming where.
TEST(ParseJsonTest, ABodyOrPayloadThatIsNoObjectIsSaidSo) {
  schema::RecordEventsRequest request;
  for (const char* body : {"[]", "null"}) {
    Status status = ParseJson(body, request);
    ASSERT_EQ(status.errors().size(), 1u) << body;
    EXPECT_EQ(status.errors()[0].field, "body");
    EXPECT_EQ(status.errors()[0].message,
              "the body must be a JSON object, e.g. {\"events\": [...]}");
  }
  Status empty = ParseJson("", request);
  ASSERT_EQ(empty.errors().size(), 1u);
  EXPECT_EQ(empty.errors()[0].field, "body");
  Status payload = ParseJson(
      R"({"events": [{"eventId": "x", "occurredAt": "2015-01-01T10:00:00Z", "personDied": 5}]})",
      request);
  ASSERT_EQ(payload.errors().size(), 1u);
  EXPECT_EQ(payload.errors()[0].field, "events[0].personDied");
  EXPECT_EQ(payload.errors()[0].message,
            "'5' is not a JSON object: give {...}");
  Status cut = ParseJson(R"({"events": [)", request);
  ASSERT_EQ(cut.errors().size(), 1u);
  EXPECT_EQ(cut.errors()[0].message.find('\n'), std::string::npos)
      << cut.errors()[0].message;
}

// API.md: "not exactly one payload" is malformed; two are named as such.
TEST(ParseJsonTest, TwoPayloadsInOneEventAreNamedAsSuch) {
  schema::RecordEventsRequest request;
  Status status = ParseJson(
      R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "personDied": {}, "nhsNumberVerified": {}}]})",
      request);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.errors()[0].field, "events[0]");
  EXPECT_EQ(status.errors()[0].message,
            "more than one payload (nhsNumberVerified is a second one): an "
            "event carries exactly one");
}

TEST(ParseJsonTest, BooleansAreTheLiteralsTrueAndFalse) {
  for (const char* literal : {"true", "false"}) {
    schema::RecordEventsRequest request;
    ASSERT_TRUE(ParseJson(Package(literal), request).ok()) << literal;
    EXPECT_EQ(request.events(1).care_package_started().integrated(),
              std::string(literal) == "true");
  }
}

TEST(ParseJsonTest, QuotedOrNumericBooleansAreRefusedNamingTheField) {
  // protobuf's own parser would take every one of these as a bool.
  for (const char* bad : {"\"yes\"", "\"true\"", "\"no\"", "\"t\"", "1"}) {
    schema::RecordEventsRequest request;
    Status status = ParseJson(Package(bad), request);
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << bad;
    ASSERT_EQ(status.errors().size(), 1u) << bad;
    EXPECT_EQ(status.errors()[0].field,
              "events[1].carePackageStarted.integrated")
        << bad;
  }
}

TEST(ParseJsonTest, EnumsAreNamesNotNumbers) {
  for (const char* bad : {"1", "\"1\"", "-1"}) {
    schema::RecordEventsRequest request;
    Status status = ParseJson(
        std::string(
            R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
          "hospitalAdmitted": {"spellId": "S1", "method": )") +
            bad + "}}]}",
        request);
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << bad;
    ASSERT_EQ(status.errors().size(), 1u) << bad;
    EXPECT_EQ(status.errors()[0].field, "events[0].hospitalAdmitted.method");
  }
  // A text field of the same name as an enum elsewhere may start with a digit.
  schema::RecordEventsRequest request;
  EXPECT_TRUE(
      ParseJson(
          R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
      "referralDeclined": {"referralId": "R", "reason": "1st visit missed"}},
      {"eventId": "f", "occurredAt": "2015-01-02T10:00:00Z",
      "hospitalAdmitted": {"spellId": "S1", "method": "EMERGENCY"}}]})",
          request)
          .ok());
  EXPECT_EQ(request.events(1).hospital_admitted().method(),
            schema::AdmissionMethod::EMERGENCY);
}

TEST(ParseJsonTest, ProtoFieldNamesAreCheckedToo) {
  schema::RecordEventsRequest request;
  Status status = ParseJson(
      R"({"events": [{"eventId": "e", "occurredAt": "2015-01-02T10:00:00Z",
        "carePackageStarted": {"packageId": "P", "integrated": true,
                               "pooled_budget": "yes"}}]})",
      request);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.errors()[0].field,
            "events[0].carePackageStarted.pooled_budget");
}

TEST(ParseJsonTest, APlanStatementIsABoolean) {
  schema::Plan plan;
  Status status =
      ParseJson(R"({"conditions": {"plansJointlyAgreed": "yes"}})", plan);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.errors()[0].field, "conditions.plansJointlyAgreed");
  EXPECT_TRUE(
      ParseJson(R"({"conditions": {"plansJointlyAgreed": true}})", plan).ok());
}

// protobuf's parser reads an object or a single value where a list belongs as a
// list of one; API.md's lists are arrays, so anything else is refused, naming
// the field.
TEST(ParseJsonTest, AListIsAnArray) {
  schema::RecordEventsRequest request;
  Status one = ParseJson(
      R"({"events": {"eventId": "e1", "occurredAt": "2015-01-02T10:00:00Z",
          "aeAttended": {"attendanceId": "A1"}}})",
      request);
  EXPECT_EQ(one.code(), Code::kInvalidArgument);
  ASSERT_EQ(one.errors().size(), 1u) << one.ToString();
  EXPECT_EQ(one.errors()[0].field, "events");
  EXPECT_NE(one.errors()[0].message.find("list"), std::string::npos);
  EXPECT_EQ(request.events_size(), 0);

  schema::Plan plan;
  Status nested = ParseJson(
      R"({"targets": {"metric": "nonElectiveAdmissions", "period": "2015-16-Q1",
          "baseline": 6200, "target": 5983}})",
      plan);
  EXPECT_EQ(nested.code(), Code::kInvalidArgument);
  ASSERT_EQ(nested.errors().size(), 1u) << nested.ToString();
  EXPECT_EQ(nested.errors()[0].field, "targets");

  // Arrays, empty ones and null stay fine.
  EXPECT_TRUE(ParseJson(R"({"events": []})", request).ok());
  EXPECT_TRUE(ParseJson(R"({"targets": null})", plan).ok());
  EXPECT_TRUE(
      ParseJson(
          R"({"events": [{"eventId": "e1", "occurredAt": "2015-01-02T10:00:00Z",
                      "aeAttended": {"attendanceId": "A1"}}]})",
          request)
          .ok());
  EXPECT_EQ(request.events_size(), 1);
}

}  // namespace
}  // namespace carelog::gateway

namespace carelog::gateway {
namespace {

TEST(ParseJsonTest, ABadBooleanIsFoundAfterManyEventsAndWithSpaceBeforeColon) {
  std::string body = R"({"events": [)";
  for (int i = 0; i < 100; ++i) {
    body += R"({"eventId": "e)" + std::to_string(i) +
            R"(", "occurredAt": "2015-01-02T10:00:00Z", "aeAttended": )"
            R"({"attendanceId": "A\\\"", "site": "S \"integrated\" : 1"}},)";
  }
  body += R"({"eventId": "p", "occurredAt": "2015-01-02T10:00:00Z",
    "carePackageStarted": {"packageId": "P1", "integrated" : "yes"}}]})";
  schema::RecordEventsRequest request;
  Status status = ParseJson(body, request);
  EXPECT_EQ(status.code(), Code::kInvalidArgument) << status.ToString();
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.errors()[0].field,
            "events[100].carePackageStarted.integrated");
  // The same body with true is taken: the texts inside strings are not keys.
  const size_t at = body.rfind("\"yes\"");
  body.replace(at, 5, "true");
  schema::RecordEventsRequest fine;
  ASSERT_TRUE(ParseJson(body, fine).ok());
  EXPECT_EQ(fine.events_size(), 101);
  EXPECT_EQ(fine.events(0).ae_attended().attendance_id(), "A\\\"");
}

TEST(ToJsonTest, StructKeysComeInKeyOrderWhateverTheInsertionOrder) {
  // A Struct's fields are a map whose own iteration order varies between
  // processes; the answer's text must not.
  google::protobuf::Struct body;
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i)
    keys.push_back("k" + std::to_string(i * 37 % 40));
  for (const auto& k : keys) (*body.mutable_fields())[k].set_number_value(1);
  const std::string text = ToJson(body);
  std::vector<size_t> at;
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& k : sorted) {
    const size_t pos = text.find("\"" + k + "\"");
    ASSERT_NE(pos, std::string::npos) << k;
    at.push_back(pos);
  }
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << text;
}

}  // namespace
}  // namespace carelog::gateway
