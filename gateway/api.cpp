#include "gateway/api.h"

#include <chrono>
#include <exception>

#include "gateway/audit.h"
#include "gateway/http_metrics.h"
#include "gateway/json.h"
#include "gateway/problem.h"
#include "gateway/routes.h"

namespace carelog::gateway {

Api::Api(TokenStore& tokens, ApiContext context)
    : tokens_(tokens), context_(std::move(context)) {
  AddOpsRoutes(router_, context_);
  AddAreaRoutes(router_, context_);
  AddPeopleRoutes(router_, context_);
  AddFeedRoutes(router_, context_);
  AddMetricsRoutes(router_, context_);
  AddPendingRoutes(router_, context_);
}

Response Api::Dispatch(const Request& request, const RouteMatch& match,
                       Principal* principal) {
  const Route& route = *match.route;
  if (route.authenticated) {
    auto who =
        tokens_.Authenticate(BearerToken(request.Header("authorization")));
    if (!who.ok()) {
      Response response = ProblemResponse(who.status());
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return response;
    }
    *principal = std::move(*who);
    if (!route.roles.empty()) {
      bool allowed = false;
      for (Role role : route.roles)
        allowed = allowed || role == principal->role;
      if (!allowed) {
        return ProblemResponse(
            Status(Code::kPermissionDenied,
                   std::string("the role ") + RoleName(principal->role) +
                       " may not use " + route.method + " " + route.pattern));
      }
    }
  }
  RouteContext ctx{request, match.params,
                   route.authenticated ? principal : nullptr};
  try {
    return route.handler(ctx);
  } catch (const std::exception& e) {
    return ProblemResponse(Status(
        Code::kInternal, std::string("unexpected failure: ") + e.what()));
  }
}

Response Api::Handle(const Request& request) {
  const auto start = std::chrono::steady_clock::now();
  const RouteMatch match = router_.Match(request.method, request.path);
  Response response;
  std::string route_name = "unmatched";
  if (match.route == nullptr) {
    if (match.path_known) {
      api::Problem problem = ProblemFor(
          Status(Code::kInvalidArgument,
                 request.method + " is not allowed on " + request.path));
      problem.set_status(405);
      problem.set_title("Method not allowed");
      response = JsonResponse(405, problem);
      response.content_type = "application/problem+json";
      std::string allow;
      for (const auto& m : match.allowed_methods)
        allow += (allow.empty() ? "" : ", ") + m;
      response.headers.emplace_back("Allow", allow);
    } else {
      response = ProblemResponse(
          Status(Code::kNotFound, "no resource at " + request.path));
    }
  } else {
    route_name = match.route->pattern;
    Principal principal;
    response = Dispatch(request, match, &principal);
    if (!match.route->audit_person.empty() && context_.audit != nullptr) {
      api::AuditEntry entry;
      entry.set_who(principal.name);
      if (!principal.name.empty()) entry.set_role(RoleName(principal.role));
      entry.set_method(request.method);
      entry.set_route(match.route->pattern);
      entry.set_target(request.target);
      entry.set_outcome(response.status);
      auto it = match.params.find(match.route->audit_person);
      const std::string person = NormalizeNhsNumber(
          it == match.params.end() ? std::string() : it->second);
      Status audited = context_.audit->Record(person, std::move(entry));
      if (!audited.ok() && response.status < 300) {
        // A person's data never leaves unaudited.
        response = ProblemResponse(
            Status(Code::kUnavailable,
                   "the audit trail cannot be written: " + audited.message()));
      }
    }
  }
  if (context_.metrics != nullptr) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    context_.metrics->RecordRequest(route_name, request.method, response.status,
                                    seconds);
  }
  return response;
}

}  // namespace carelog::gateway
