// Routes: a method and a path pattern ("/v1/people/{nhsNumber}/events") mapped
// to a plain function from request (+ principal) to response, with who may call
// it. Route files (routes_*.cpp) add theirs; the router only matches.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/access.h"
#include "gateway/http_types.h"

namespace carelog::gateway {

struct AuditHook;
struct RouteMatch;

struct RouteContext {
  const Request& request;
  std::map<std::string, std::string> params;  // from the pattern's {names}
  // Null on public routes; shared, so a route may keep it after returning.
  std::shared_ptr<const Principal> principal;
  AuditHook* audit = nullptr;  // person routes: see gateway/audit.h
  bool known_new = false;      // RouteMatch::known_new

  const std::string& Param(const std::string& name) const;
};

using Handler = std::function<Response(const RouteContext&)>;
// The answer of a route that does not block: `audited` says the request's
// audit entry is already durable (written with the request's events).
using Reply = std::function<void(Response response, bool audited)>;
// A route handler that answers through `reply`, exactly once, possibly later
// on another thread (after `ctx` and its request are gone).
using AsyncHandler = std::function<void(const RouteContext&, Reply reply)>;

struct Route {
  std::string method;   // "GET", "PUT", "POST"
  std::string pattern;  // literal segments and {name} segments
  bool authenticated = true;
  std::vector<Role> roles;   // roles that may call it; empty = any valid token
  std::string audit_person;  // a person route: the pattern name of the NHS
                             // number, audited
  Handler handler;
  // Set instead of `handler` by a route that answers later (when its writes
  // are durable): unless it may block, the server runs it on an I/O thread
  // (Api::TryHandleWithoutBlocking).
  AsyncHandler async_handler = nullptr;
  // With async_handler: the handler may block (e.g. waits for the projections
  // to reach minPosition), so it always runs on a worker thread.
  bool may_block = false;
  // With async_handler and !may_block: whether this request (its route
  // matched, with its parameters) may run on an I/O thread now (e.g. nothing
  // of the person it writes has to be read from disk first); empty = always.
  // It may leave the handler what it saw (RouteMatch::known_new).
  std::function<bool(RouteMatch&)> inline_if = nullptr;
};

struct RouteMatch {
  const Route* route = nullptr;  // null when nothing matched
  std::map<std::string, std::string> params;
  bool path_known =
      false;  // some route has this path, with another method (405)
  std::vector<std::string> allowed_methods;
  // Set by the route's inline_if for its handler (RouteContext::known_new):
  // it saw from memory that the person the request writes has no stream yet
  // (a new person), so the handler need not read their history.
  bool known_new = false;
};

class Router {
 public:
  void Add(Route route);
  RouteMatch Match(std::string_view method, std::string_view path) const;
  // The route Match would choose, without its parameters (no allocation).
  const Route* Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a","b","c"}; an empty path gives {}.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace carelog::gateway
