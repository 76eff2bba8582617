// The HTTP API as one function from request to response: routing, bearer-token
// authentication, role checks, the audit of person routes and request metrics
// happen here, once, for every route. Handle may block (storage); the server
// calls it on a worker thread. Thread-safe.
#pragma once

#include <chrono>
#include <functional>

#include "gateway/api_context.h"
#include "gateway/http_types.h"
#include "gateway/router.h"
#include "gateway/token_store.h"

namespace carelog::gateway {

class Api {
 public:
  // Registers every route of routes.h with the services of `context`.
  Api(TokenStore& tokens, ApiContext context);

  // The answer to `request`; blocks until it is known (e.g. durable).
  Response Handle(const Request& request);
  // As Handle, without holding the calling thread while a write or an audit
  // entry becomes durable: `respond` gets the answer then, on the event log's
  // thread or on the caller's.
  void HandleAsync(const Request& request,
                   std::function<void(Response)> respond);

  const Router& router() const { return router_; }

 private:
  Response Dispatch(const Request& request, const RouteMatch& match,
                    Principal* principal, AuditHook* audit);
  void Finish(const std::string& route, const std::string& method,
              std::chrono::steady_clock::time_point start, Response& response,
              const std::function<void(Response)>& respond);

  TokenStore& tokens_;
  ApiContext context_;
  Router router_;
};

}  // namespace carelog::gateway
