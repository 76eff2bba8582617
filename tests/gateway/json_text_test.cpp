#include "gateway/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace carelog::gateway {
namespace {

TEST(CheckJsonTextTest, AcceptsValidJsonWithDistinctKeys) {
  EXPECT_TRUE(
      CheckJsonText(R"({"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]})")
          .ok());
  EXPECT_TRUE(
      CheckJsonText("{\"name\": \"Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x98\x80\"}")
          .ok());
  EXPECT_TRUE(CheckJsonText("").ok());
}

TEST(CheckJsonTextTest, LeavesSyntaxErrorsToTheParser) {
  EXPECT_TRUE(CheckJsonText(R"({"a": )").ok());
  EXPECT_TRUE(CheckJsonText(R"({"a)").ok());
  EXPECT_TRUE(CheckJsonText("}}]]").ok());
}

TEST(CheckJsonTextTest, RefusesInvalidUtf8NamingTheByte) {
  for (const std::string& bad :
       {std::string("\"\xC0\xAF\""), std::string("\"\xE0\x80\xAF\""),
        std::string("\"\xED\xA0\x80\""), std::string("\"\xF4\x90\x80\x80\""),
        std::string("\"\xFF\""), std::string("\"\xC3\""),
        std::string("\"\xE2\x82\"")}) {
    const Status status = CheckJsonText("{\"a\": " + bad + "}");
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.code(), Code::kInvalidArgument);
    EXPECT_NE(status.message().find("UTF-8"), std::string::npos);
    EXPECT_NE(status.message().find("byte 7"), std::string::npos)
        << status.message();
  }
}

TEST(CheckJsonTextTest, RefusesADuplicatedKeyNamingItsPath) {
  auto status = CheckJsonText(
      R"({"events": [{"x": 1}, {"eventId": "a", "eventId": "b"}]})");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"events[1].eventId\" appears twice"),
            std::string::npos)
      << status.message();
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.errors()[0].field, "events[1].eventId");

  status = CheckJsonText(R"({"events": [], "events": []})");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.errors()[0].field, "events");

  status = CheckJsonText(R"({"a": {"b": {"c": 1, "c": 2}}})");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.errors()[0].field, "a.b.c");
}

TEST(CheckJsonTextTest, AnEscapedKeyIsTheSameKey) {
  EXPECT_FALSE(CheckJsonText(R"({"eventId": 1, "\u0065ventId": 2})").ok());
  // Values that look like keys are not keys.
  EXPECT_TRUE(CheckJsonText(R"({"a": "a", "b": ["a", "a"]})").ok());
  // A comma inside a string does not start a key.
  EXPECT_TRUE(CheckJsonText(R"({"a": "x,\"a\"", "b": 1})").ok());
}

TEST(CheckJsonTextTest, DeepNestingIsScannedWithoutRecursion) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_TRUE(CheckJsonText(deep).ok());
}

TEST(ValidUtf8Test, ReplacesOnlyInvalidBytes) {
  EXPECT_EQ(ValidUtf8("ab\xC3\xA9"), "ab\xC3\xA9");
  EXPECT_EQ(ValidUtf8("a\xC0\xAF"
                      "b"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ValidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonQuote(""), R"("")");
  EXPECT_EQ(JsonQuote("Queen's"), R"("Queen's")");
  EXPECT_EQ(JsonQuote(R"(a "b" \c)"), R"("a \"b\" \\c")");
  EXPECT_EQ(JsonQuote(std::string("tab\tnl\n\x1f", 9)),
            R"("tab\u0009nl\u000a\u001f\u0000")");
  // UTF-8 passes through as it is.
  EXPECT_EQ(JsonQuote("Zo\xc3\xab"), "\"Zo\xc3\xab\"");
}

}  // namespace
}  // namespace carelog::gateway
