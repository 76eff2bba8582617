// The HTTP API as one function from request to response: routing, bearer-token
// authentication, role checks, the audit of person routes and request metrics
// happen here, once, for every route. Handle may block (storage); the server
// calls HandleAsync on a worker thread, or TryHandleWithoutBlocking on an I/O
// thread for the routes that never block. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

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

  // As HandleAsync when `request` can be answered without blocking (a route
  // that never blocks and has nothing to read from disk first, see
  // Route::inline_if, or no route at all): then takes `respond` and returns
  // true. Otherwise returns false with `respond` untouched: the request may
  // block, and goes to HandleAsync on a worker. For the server's I/O threads
  // (ServerOptions::try_inline); the route is looked up once.
  bool TryHandleWithoutBlocking(const Request& request,
                                std::function<void(Response)>& respond);

  const Router& router() const { return router_; }

 private:
  struct Answering;
  // HandleAsync once the route is known.
  void HandleMatched(const Request& request, RouteMatch match,
                     std::chrono::steady_clock::time_point start,
                     std::function<void(Response)> respond);
  // The refusal of a request before its route runs (token, rate, role, media
  // type), or nullopt; sets `principal` once authenticated.
  std::optional<Response> Admit(const Request& request, const Route& route,
                                std::shared_ptr<const Principal>* principal);
  // Audits the answer (unless `audited` says the route did), then finishes.
  void Conclude(const std::shared_ptr<Answering>& answering, Response response,
                bool audited);

  void Finish(const std::string& route, const std::string& method,
              std::chrono::steady_clock::time_point start, Response& response,
              const std::function<void(Response)>& respond);

  TokenStore& tokens_;
  ApiContext context_;
  Router router_;
};

}  // namespace carelog::gateway
