#include "gateway/http_types.h"

#include <gtest/gtest.h>

#include "gateway/http_types.h"

namespace carelog::gateway {
namespace {

TEST(ParseTargetTest, DecodesPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_TRUE(
      ParseTarget("/v1/people/943%20476%205919?fromVersion=2&limit=10&x=a+b",
                  path, query)
          .ok());
  EXPECT_EQ(path, "/v1/people/943 476 5919");
  EXPECT_EQ(query.at("fromVersion"), "2");
  EXPECT_EQ(query.at("limit"), "10");
  EXPECT_EQ(query.at("x"), "a b");
  EXPECT_FALSE(ParseTarget("/v1/%zz", path, query).ok());
  EXPECT_FALSE(ParseTarget("/v1/%2", path, query).ok());
}

TEST(BearerTokenTest, TakesTheTokenOfABearerHeaderOnly) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(NormalizeNhsNumberTest, RemovesSpacesOfTenDigits) {
  EXPECT_EQ(NormalizeNhsNumber("943 476 5919"), "9434765919");
  EXPECT_EQ(NormalizeNhsNumber("12345"), "12345");
}

}  // namespace
}  // namespace carelog::gateway
