#include "gateway/json.h"

#include <gtest/gtest.h>

#include <string>

#include "carelog/admin.pb.h"
#include "carelog/events.pb.h"

namespace carelog::gateway {
namespace {

std::string Package(const std::string& integrated) {
  return R"({"events": [{"eventId": "e1", "occurredAt": "2015-01-02T10:00:00Z",
    "experienceSurveyCompleted": {"surveyId": "Q", "question": "\"integrated\": yes?"}},
    {"eventId": "e2", "occurredAt": "2015-01-02T10:00:00Z",
    "carePackageStarted": {"packageId": "P1", "integrated": )" +
         integrated + R"(, "scheme": "ITF08"}}]})";
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

}  // namespace
}  // namespace carelog::gateway
