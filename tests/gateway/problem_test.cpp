#include "gateway/problem.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

namespace carelog::gateway {
namespace {

TEST(ProblemTest, EveryCodeHasItsHttpStatus) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(Code::kWrongVersion), 412);
  EXPECT_EQ(HttpStatusFor(Code::kTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(Code::kRuleViolation), 422);
  EXPECT_EQ(HttpStatusFor(Code::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kIOError), 500);
}

TEST(ProblemTest, ProblemDocumentHasTheFieldsOfApiMd) {
  Status status(
      Code::kRuleViolation, "event 1 breaks a rule \"quoted\"",
      {{"events[1].referralAccepted.referralId", "no open referral R1"}});
  Response response = ProblemResponse(status);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.content_type, "application/problem+json");

  google::protobuf::Struct doc;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(response.body, &doc).ok())
      << response.body;
  const auto& f = doc.fields();
  EXPECT_FALSE(f.at("type").string_value().empty());
  EXPECT_FALSE(f.at("title").string_value().empty());
  EXPECT_EQ(f.at("status").number_value(), 422);
  EXPECT_EQ(f.at("detail").string_value(), "event 1 breaks a rule \"quoted\"");
  const auto& errors = f.at("errors").list_value().values();
  ASSERT_EQ(errors.size(), 1);
  EXPECT_EQ(errors[0].struct_value().fields().at("field").string_value(),
            "events[1].referralAccepted.referralId");
  EXPECT_EQ(errors[0].struct_value().fields().at("message").string_value(),
            "no open referral R1");
}

TEST(ProblemTest, ErrorsIsPresentEvenWhenEmpty) {
  const std::string json = ProblemJson(Status(Code::kNotFound, "nothing here"));
  EXPECT_NE(json.find("\"errors\":[]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\":404"), std::string::npos) << json;
}

}  // namespace
}  // namespace carelog::gateway
