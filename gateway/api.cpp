#include "gateway/api.h"

#include <cctype>
#include <chrono>
#include <exception>
#include <future>

#include "gateway/audit.h"
#include "gateway/http_metrics.h"
#include "gateway/json.h"
#include "gateway/problem.h"
#include "gateway/rate_limiter.h"
#include "gateway/routes.h"

namespace carelog::gateway {

Api::Api(TokenStore& tokens, ApiContext context)
    : tokens_(tokens), context_(std::move(context)) {
  AddOpsRoutes(router_, context_);
  AddAreaRoutes(router_, context_);
  AddPeopleRoutes(router_, context_);
  AddFeedRoutes(router_, context_);
  AddMetricsRoutes(router_, context_);
  AddWorklistRoutes(router_, context_);
  AddPageRoutes(router_, context_);
}

namespace {

// A request without a body, or one whose body may be JSON: application/json
// (parameters such as charset allowed), no type at all, or the form type that
// `curl -d` sends by default (docs/READINGS.md); the body is parsed as JSON
// either way.
bool IsJsonOrEmpty(const Request& request) {
  if (request.body.empty()) return true;
  std::string type(request.Header("content-type"));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type.empty() || type == "application/json" ||
         type == "application/x-www-form-urlencoded";
}

}  // namespace

Response Api::Dispatch(const Request& request, const RouteMatch& match,
                       Principal* principal, AuditHook* audit) {
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
    if (context_.rate_limiter != nullptr) {
      const int64_t wait = context_.rate_limiter->Take(principal->name);
      if (wait > 0) {
        Response response = ProblemResponse(
            Status(Code::kRateLimited, "the token '" + principal->name +
                                           "' is over its request rate; retry "
                                           "after " +
                                           std::to_string(wait) + " s"));
        response.headers.emplace_back("Retry-After", std::to_string(wait));
        return response;
      }
    }
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
  if (!IsJsonOrEmpty(request)) {
    api::Problem problem =
        ProblemFor(Status(Code::kInvalidArgument,
                          "the body must be application/json, not '" +
                              std::string(request.Header("content-type")) + "'",
                          {{"Content-Type", "application/json"}}));
    problem.set_status(415);
    problem.set_title("Unsupported media type");
    Response response = JsonResponse(415, problem);
    response.content_type = "application/problem+json";
    return response;
  }
  RouteContext ctx{request, match.params,
                   route.authenticated ? principal : nullptr, audit};
  try {
    return route.handler(ctx);
  } catch (const std::exception& e) {
    return ProblemResponse(Status(
        Code::kInternal, std::string("unexpected failure: ") + e.what()));
  }
}

Response Api::Handle(const Request& request) {
  std::promise<Response> answer;
  auto future = answer.get_future();
  HandleAsync(request, [&answer](Response response) {
    answer.set_value(std::move(response));
  });
  return future.get();
}

void Api::HandleAsync(const Request& request,
                      std::function<void(Response)> respond) {
  const auto start = std::chrono::steady_clock::now();
  const RouteMatch match = router_.Match(request.method, request.path);
  Response response;
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
    Finish("unmatched", request.method, start, response, respond);
    return;
  }
  const Route& route = *match.route;
  Principal principal;
  if (route.audit_person.empty() || context_.audit == nullptr) {
    response = Dispatch(request, match, &principal, nullptr);
    Finish(route.pattern, request.method, start, response, respond);
    return;
  }
  // A person route: every answer is audited, durably, before it leaves.
  auto it = match.params.find(route.audit_person);
  const std::string person =
      NormalizeNhsNumber(it == match.params.end() ? std::string() : it->second);
  const auto entry_for = [&](int status) {
    api::AuditEntry entry;
    entry.set_who(principal.name);
    if (!principal.name.empty()) entry.set_role(RoleName(principal.role));
    entry.set_method(request.method);
    entry.set_route(route.pattern);
    entry.set_target(request.target);
    entry.set_outcome(status);
    return entry;
  };
  AuditHook hook;
  hook.entry_for = [&](int status) {
    return context_.audit->Note(person, entry_for(status));
  };
  response = Dispatch(request, match, &principal, &hook);
  if (hook.written) {
    Finish(route.pattern, request.method, start, response, respond);
    return;
  }
  const int status = response.status;
  context_.audit->RecordAsync(
      person, entry_for(status),
      [this, route = route.pattern, method = request.method, start,
       response = std::move(response),
       respond = std::move(respond)](Status audited) mutable {
        if (!audited.ok() && response.status < 300) {
          // A person's data never leaves unaudited.
          response = ProblemResponse(Status(
              Code::kUnavailable,
              "the audit trail cannot be written: " + audited.message()));
        }
        Finish(route, method, start, response, respond);
      });
}

void Api::Finish(const std::string& route, const std::string& method,
                 std::chrono::steady_clock::time_point start,
                 Response& response,
                 const std::function<void(Response)>& respond) {
  if (context_.metrics != nullptr) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    context_.metrics->RecordRequest(route, method, response.status, seconds);
  }
  respond(std::move(response));
}

}  // namespace carelog::gateway
