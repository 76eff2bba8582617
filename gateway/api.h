// The HTTP API as one function from request to response: routing, bearer-token
// authentication, role checks, the audit of person routes and request metrics
// happen here, once, for every route. Handle may block (storage); the server
// calls HandleAsync on a worker thread, or on an I/O thread for the routes that
// never block (AnswersWithoutBlocking). Thread-safe.
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

  // True when `request` goes to a route that never blocks (its answer comes
  // from the event log's thread once durable): the server may then call
  // HandleAsync for it on an I/O thread. The others may block.
  bool AnswersWithoutBlocking(const Request& request) const;

  const Router& router() const { return router_; }

 private:
  struct Answering;
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
