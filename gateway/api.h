// The HTTP API as one function from request to response: routing, bearer-token
// authentication, role checks, the audit of person routes and request metrics
// happen here, once, for every route. Handle may block (storage); the server
// calls it on a worker thread. Thread-safe.
#pragma once

#include "gateway/api_context.h"
#include "gateway/http_types.h"
#include "gateway/router.h"
#include "gateway/token_store.h"

namespace carelog::gateway {

class Api {
 public:
  // Registers every route of routes.h with the services of `context`.
  Api(TokenStore& tokens, ApiContext context);

  Response Handle(const Request& request);

  const Router& router() const { return router_; }

 private:
  Response Dispatch(const Request& request, const RouteMatch& match,
                    Principal* principal);

  TokenStore& tokens_;
  ApiContext context_;
  Router router_;
};

}  // namespace carelog::gateway
