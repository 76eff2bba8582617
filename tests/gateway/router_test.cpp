#include "gateway/router.h"

#include <gtest/gtest.h>

namespace carelog::gateway {
namespace {

Route Make(std::string method, std::string pattern, int tag) {
  return {std::move(method),
          std::move(pattern),
          true,
          {},
          "",
          [tag](const RouteContext&) {
            Response r;
            r.status = tag;
            return r;
          }};
}

TEST(RouterTest, MatchesLiteralsAndCapturesParameters) {
  Router router;
  router.Add(Make("GET", "/v1/areas", 1));
  router.Add(Make("GET", "/v1/areas/{areaCode}", 2));
  router.Add(Make("GET", "/v1/areas/{areaCode}/plans/{year}", 3));
  router.Add(Make("GET", "/v1/areas/{areaCode}/metrics.csv", 4));

  auto m = router.Match("GET", "/v1/areas/E09000002/plans/2015-16");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/areas/{areaCode}/plans/{year}");
  EXPECT_EQ(m.params.at("areaCode"), "E09000002");
  EXPECT_EQ(m.params.at("year"), "2015-16");

  m = router.Match("GET", "/v1/areas/E09000002/metrics.csv");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/areas/{areaCode}/metrics.csv");

  m = router.Match("GET", "/v1/areas");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/areas");
}

TEST(RouterTest, UnknownPathsAndMethods) {
  Router router;
  router.Add(Make("GET", "/v1/areas/{areaCode}", 1));
  router.Add(Make("PUT", "/v1/areas/{areaCode}", 2));
  auto m = router.Match("DELETE", "/v1/areas/E09000002");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PUT"}));

  m = router.Match("GET", "/v1/areas/E09000002/x");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
  EXPECT_EQ(router.Match("GET", "/v1/areas/E09000002/").route, nullptr);
  EXPECT_EQ(router.Match("GET", "v1/areas/E09000002").route, nullptr);
  EXPECT_EQ(router.Match("GET", "/v1/areas//x").route, nullptr);
}

}  // namespace
}  // namespace carelog::gateway

namespace carelog::gateway {
namespace {

TEST(RouterTest, FindChoosesTheRouteMatchWouldWithoutParameters) {
  Router router;
  router.Add(Make("GET", "/v1/people/{nhsNumber}", 1));
  router.Add(Make("POST", "/v1/people/{nhsNumber}/events", 2));
  router.Add(Make("GET", "/v1/people/{nhsNumber}/events", 3));
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/people/9434765919/events"},
           {"GET", "/v1/people/9434765919/events"},
           {"GET", "/v1/people/9434765919"},
           {"PUT", "/v1/people/9434765919"},
           {"POST", "/v1/people/9434765919/events/"},
           {"POST", "/v1/people//events"},
           {"GET", "/v1/people"}}) {
    EXPECT_EQ(router.Find(method, path), router.Match(method, path).route)
        << method << " " << path;
  }
  EXPECT_EQ(router.Find("POST", "/v1/people/9434765919/events")->pattern,
            "/v1/people/{nhsNumber}/events");
}

}  // namespace
}  // namespace carelog::gateway
