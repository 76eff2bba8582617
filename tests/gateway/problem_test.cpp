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

TEST(ProblemTest, OnlyServiceUnavailableSaysWhenToRetry) {
  auto retry_after = [](const Response& r) -> std::string {
    for (const auto& [name, value] : r.headers)
      if (name == "Retry-After") return value;
    return "";
  };
  EXPECT_EQ(retry_after(ProblemResponse(Status(Code::kUnavailable, "behind"))),
            "1");
  EXPECT_EQ(retry_after(ProblemResponse(Status(Code::kRuleViolation, "no"))),
            "");
  EXPECT_EQ(retry_after(ProblemResponse(Status(Code::kInternal, "bug"))), "");
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

// Found by fuzz_http_request (tests/fuzz/regressions/http_request/
// invalid_utf8_in_path_problem_json): GET /v1/events<C1 9E 99 83>er=0 was
// answered 404 with a detail quoting the path's bytes, and the problem was not
// JSON a client could parse.
TEST(ProblemTest, AProblemQuotingInvalidUtf8IsStillJsonWithItsStatus) {
  for (const std::string& detail :
       {std::string("no resource at /v1/events\xC1\x9E\x99\x83"
                    "er=0"),
        std::string("\xC0\xAF"), std::string("cut \xE2\x82")}) {
    SCOPED_TRACE(detail);
    Response response = ProblemResponse(
        Status(Code::kNotFound, detail, {{"path\xFF", "bad \xC1 byte"}}));
    google::protobuf::Struct doc;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(response.body, &doc).ok())
        << response.body;
    EXPECT_EQ(doc.fields().at("status").number_value(), 404);
    EXPECT_FALSE(doc.fields().at("detail").string_value().empty());
  }
}

}  // namespace
}  // namespace carelog::gateway
