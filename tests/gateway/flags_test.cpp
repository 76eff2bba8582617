#include "gateway/flags.h"

#include <gtest/gtest.h>

namespace carelog::gateway {
namespace {

TEST(FlagsTest, ValuesInBothForms) {
  auto flags = Flags::Parse(
      {"--data", "d", "--listen=127.0.0.1:0", "--area", "E1", "--area=E2"},
      {"data", "listen", "area"}, {"area"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->Get("data"), "d");
  EXPECT_EQ(flags->Get("listen"), "127.0.0.1:0");
  EXPECT_EQ(flags->All("area"), (std::vector<std::string>{"E1", "E2"}));
  EXPECT_EQ(flags->Get("tokens", "fallback"), "fallback");
}

TEST(FlagsTest, MistakesAreNamed) {
  auto unknown = Flags::Parse({"--dta", "d"}, {"data"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--dta"), std::string::npos);
  EXPECT_FALSE(Flags::Parse({"--data"}, {"data"}).ok());
  EXPECT_FALSE(Flags::Parse({"--data", "a", "--data", "b"}, {"data"}).ok());
  EXPECT_FALSE(Flags::Parse({"stray"}, {"data"}).ok());
}

// API.md: bad flags get "a one-line error": an unknown flag given last is
// called unknown, not said to need a value.
TEST(FlagsTest, AnUnknownFlagLastIsCalledUnknown) {
  auto last = Flags::Parse({"--data", "d", "--bogus"}, {"data"});
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.status().message(), "unknown flag --bogus");
  auto bare = Flags::Parse({"--data"}, {"data"});
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.status().message(), "--data needs a value");
}

}  // namespace
}  // namespace carelog::gateway
