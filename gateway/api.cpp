#include "gateway/api.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <exception>
#include <future>
#include <optional>
#include <string_view>

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

// The methods of RFC 9110 (and PATCH, RFC 5789): any other is not recognised
// by this server at all (501), while one of these on a path that does not take
// it is 405.
bool IsKnownMethod(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE",
                                 "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
    if (method == known) return true;
  }
  return false;
}

}  // namespace

std::optional<Response> Api::Admit(
    const Request& request, const Route& route,
    std::shared_ptr<const Principal>* principal) {
  if (route.authenticated) {
    auto who =
        tokens_.Authenticate(BearerToken(request.Header("authorization")));
    if (!who.ok()) {
      Response response = ProblemResponse(who.status());
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return response;
    }
    *principal = std::move(*who);
    const Principal& holder = **principal;
    if (context_.rate_limiter != nullptr) {
      const int64_t wait = context_.rate_limiter->Take(holder.name);
      if (wait > 0) {
        Response response = ProblemResponse(
            Status(Code::kRateLimited, "the token '" + holder.name +
                                           "' is over its request rate; retry "
                                           "after " +
                                           std::to_string(wait) + " s"));
        response.headers.emplace_back("Retry-After", std::to_string(wait));
        return response;
      }
    }
    if (!route.roles.empty()) {
      bool allowed = false;
      for (Role role : route.roles) allowed = allowed || role == holder.role;
      if (!allowed) {
        return ProblemResponse(
            Status(Code::kPermissionDenied,
                   std::string("the role ") + RoleName(holder.role) +
                       " may not use " + route.method + " " + route.pattern));
      }
    }
  }
  if (!IsJsonOrEmpty(request)) {
    return ProblemAnswer(
        415, "unsupported-media-type", "Unsupported media type",
        Status(Code::kInvalidArgument,
               "the body must be application/json, not '" +
                   std::string(request.Header("content-type")) + "'",
               {{"Content-Type", "application/json"}}));
  }
  return std::nullopt;
}

Response Api::Handle(const Request& request) {
  std::promise<Response> answer;
  auto future = answer.get_future();
  HandleAsync(request, [&answer](Response response) {
    answer.set_value(std::move(response));
  });
  return future.get();
}

bool Api::TryHandleWithoutBlocking(const Request& request,
                                   std::function<void(Response)>& respond) {
  const auto start = std::chrono::steady_clock::now();
  RouteMatch match = router_.Match(request.method, request.path);
  if (match.route != nullptr &&
      (match.route->async_handler == nullptr || match.route->may_block ||
       (match.route->inline_if != nullptr && !match.route->inline_if(match)))) {
    return false;
  }
  HandleMatched(request, std::move(match), start, std::move(respond));
  return true;
}

// A request between its route and its answer: what is needed to audit and
// time the answer once it is known, possibly on another thread.
struct Api::Answering {
  const Route* route = nullptr;
  std::chrono::steady_clock::time_point start;
  std::function<void(Response)> respond;
  bool audited = false;  // a person route: every answer is audited
  std::string person;
  api::AuditEntry entry;  // the audit entry, but for its outcome
  std::atomic<bool> replied{false};
};

void Api::HandleAsync(const Request& request,
                      std::function<void(Response)> respond) {
  const auto start = std::chrono::steady_clock::now();
  HandleMatched(request, router_.Match(request.method, request.path), start,
                std::move(respond));
}

void Api::HandleMatched(const Request& request, RouteMatch match,
                        std::chrono::steady_clock::time_point start,
                        std::function<void(Response)> respond) {
  Response response;
  if (match.route == nullptr) {
    if (!IsKnownMethod(request.method)) {
      response = ProblemAnswer(
          501, "not-implemented", "Method not implemented",
          Status(Code::kUnimplemented,
                 "the method " + request.method +
                     " is not one this server implements (GET, HEAD, "
                     "POST, PUT)"));
    } else if (match.path_known) {
      response = ProblemAnswer(
          405, "method-not-allowed", "Method not allowed",
          Status(Code::kInvalidArgument,
                 request.method + " is not allowed on " + request.path));
      // HEAD is answered wherever GET is (docs/READINGS.md).
      std::string allow;
      for (const auto& m : match.allowed_methods) {
        allow += (allow.empty() ? "" : ", ") + m;
        if (m == "GET") allow += ", HEAD";
      }
      response.headers.emplace_back("Allow", allow);
    } else {
      response = ProblemResponse(
          Status(Code::kNotFound, "no resource at " + request.path));
    }
    Finish("unmatched", request.method, start, response, respond);
    return;
  }
  const Route& route = *match.route;
  auto answering = std::make_shared<Answering>();
  answering->route = &route;
  answering->start = start;
  answering->respond = std::move(respond);
  answering->audited = !route.audit_person.empty() && context_.audit != nullptr;
  std::shared_ptr<const Principal> principal;
  std::optional<Response> refused = Admit(request, route, &principal);
  AuditHook hook;
  if (answering->audited) {
    auto it = match.params.find(route.audit_person);
    answering->person = NormalizeNhsNumber(
        it == match.params.end() ? std::string() : it->second);
    answering->entry = AuditEntryOf(principal.get(), request, route.pattern);
    hook.entry_for = [this, &answering](int status) {
      api::AuditEntry with_outcome = answering->entry;
      with_outcome.set_outcome(status);
      return context_.audit->Note(answering->person, std::move(with_outcome));
    };
  }
  AuditHook* audit = answering->audited ? &hook : nullptr;
  if (refused) {
    Conclude(answering, std::move(*refused), false);
    return;
  }
  RouteContext ctx{request, std::move(match.params), principal, audit,
                   match.known_new};
  if (route.async_handler) {
    try {
      route.async_handler(ctx,
                          [this, answering](Response answer, bool audited) {
                            Conclude(answering, std::move(answer), audited);
                          });
    } catch (const std::exception& e) {
      Conclude(
          answering,
          ProblemResponse(Status(
              Code::kInternal, std::string("unexpected failure: ") + e.what())),
          false);
    }
    return;
  }
  try {
    response = route.handler(ctx);
  } catch (const std::exception& e) {
    response = ProblemResponse(Status(
        Code::kInternal, std::string("unexpected failure: ") + e.what()));
  }
  // A handler that answers at once has written no audit entry of its own.
  Conclude(answering, std::move(response), /*audited=*/false);
}

void Api::Conclude(const std::shared_ptr<Answering>& answering,
                   Response response, bool audited) {
  // A route that failed after replying has been answered already.
  if (answering->replied.exchange(true)) return;
  const Route& route = *answering->route;
  if (!answering->audited || audited) {
    Finish(route.pattern, route.method, answering->start, response,
           answering->respond);
    return;
  }
  // A person route: every answer is audited, durably, before it leaves.
  answering->entry.set_outcome(response.status);
  context_.audit->RecordAsync(
      answering->person, std::move(answering->entry),
      [this, answering,
       response = std::move(response)](Status written) mutable {
        // A success (2xx, and a 304: it confirms the person and their
        // version) never leaves unaudited.
        if (!written.ok() && response.status < 400) {
          response = ProblemResponse(AuditUnwritten(written));
        }
        Finish(answering->route->pattern, answering->route->method,
               answering->start, response, answering->respond);
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
