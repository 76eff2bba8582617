#include "services/nhs_number.h"

#include <gtest/gtest.h>

#include <string>

namespace carelog {
namespace {

TEST(NhsNumberTest, KnownValidNumbers) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_TRUE(IsValidNhsNumber("9990000018"));
  auto parsed = ParseNhsNumber("943 476 5919");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, "9434765919");
  EXPECT_EQ(*ParseNhsNumber("9990000018"), "9990000018");
  EXPECT_EQ(*ParseNhsNumber(" 999 000 0018 "), "9990000018");
}

TEST(NhsNumberTest, CheckDigitElevenMeansZero) {
  // Prefixes whose weighted sum is a multiple of 11 take check digit 0.
  int found = 0;
  for (int n = 999000000; n < 999000200; ++n) {
    std::string nine = std::to_string(n);
    int sum = 0;
    for (int i = 0; i < 9; ++i)
      sum += (nine[static_cast<size_t>(i)] - '0') * (10 - i);
    if (sum % 11 == 0) {
      ASSERT_EQ(NhsCheckDigit(nine), 0) << nine;
      EXPECT_TRUE(IsValidNhsNumber(nine + "0"));
      ++found;
    }
  }
  EXPECT_GT(found, 0);
}

TEST(NhsNumberTest, NineDigitsWithNoValidCheckDigit) {
  EXPECT_FALSE(NhsCheckDigit("999000000").has_value());
  for (char last = '0'; last <= '9'; ++last) {
    EXPECT_FALSE(IsValidNhsNumber(std::string("999000000") + last)) << last;
    EXPECT_FALSE(ParseNhsNumber(std::string("999000000") + last).ok()) << last;
  }
}

TEST(NhsNumberTest, WrongCheckDigitRefused) {
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));
  auto parsed = ParseNhsNumber("943 476 5918");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("check digit"), std::string::npos);
}

TEST(NhsNumberTest, MalformedRefused) {
  for (const char* text :
       {"", "943476591", "94347659190", "943-476-5919", "94347659l9",
        "943 476 591X", "+9434765919", "9434765919\n"}) {
    auto parsed = ParseNhsNumber(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    }
  }
  EXPECT_FALSE(IsValidNhsNumber("943 476 5919"));  // data holds digits only
}

TEST(NhsNumberTest, ScreenFormatAndTestRange) {
  EXPECT_EQ(FormatNhsNumberForScreen("9434765919"), "943 476 5919");
  EXPECT_EQ(FormatNhsNumberForScreen("123"), "123");
  EXPECT_TRUE(IsTestNhsNumber("9990000018"));
  EXPECT_TRUE(IsTestNhsNumber("9990000000"));
  EXPECT_TRUE(IsTestNhsNumber("9999999999"));
  EXPECT_FALSE(IsTestNhsNumber("9989999999"));
  EXPECT_FALSE(IsTestNhsNumber("9434765919"));
  EXPECT_FALSE(IsTestNhsNumber("999000001"));
}

}  // namespace
}  // namespace carelog
