// GET /readyz as an operator's load balancer reads it.
#include <gtest/gtest.h>

#include "gateway/api.h"
#include "gateway/api_context.h"
#include "gateway/token_store.h"

namespace carelog::gateway {
namespace {

Response GetReadyz(const ApiContext& context) {
  TokenStore tokens("/nonexistent/carelog-tokens.json");
  Api api(tokens, context);
  Request request;
  request.method = "GET";
  request.target = request.path = "/readyz";
  return api.Handle(request);
}

// A projection that stopped on an error makes the server unready, and the
// answer says why (not "starting", which would have it waited for).
TEST(ReadyzTest, AFailedProjectionIsReportedWithItsReason) {
  ApiContext context;
  context.projections_ready = [] { return true; };
  context.projections_failure = [] {
    return Status(Code::kCorruption, "metrics: row m|x cannot be read");
  };
  const Response failed = GetReadyz(context);
  EXPECT_EQ(failed.status, 503);
  EXPECT_NE(failed.body.find("\"status\":\"failed\""), std::string::npos)
      << failed.body;
  EXPECT_NE(failed.body.find("metrics: row m|x cannot be read"),
            std::string::npos)
      << failed.body;

  context.projections_failure = [] { return Status::Ok(); };
  const Response starting = GetReadyz(context);  // no store open here
  EXPECT_EQ(starting.status, 503);
  EXPECT_NE(starting.body.find("\"status\":\"starting\""), std::string::npos)
      << starting.body;
  EXPECT_EQ(starting.body.find("detail"), std::string::npos) << starting.body;
}

}  // namespace
}  // namespace carelog::gateway
