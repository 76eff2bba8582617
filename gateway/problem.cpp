#include "gateway/problem.h"

#include "gateway/json.h"
#include "gateway/json_text.h"

namespace carelog::gateway {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kWrongVersion:
      return 412;
    case Code::kTooLarge:
      return 413;
    case Code::kRuleViolation:
      return 422;
    case Code::kRateLimited:
      return 429;
    case Code::kUnimplemented:
      return 501;
    case Code::kUnavailable:
      return 503;
    case Code::kCorruption:
    case Code::kIOError:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

namespace {

struct Kind {
  const char* slug;
  const char* title;
};

Kind KindFor(Code code) {
  switch (code) {
    case Code::kOk:
      return {"ok", "OK"};
    case Code::kInvalidArgument:
      return {"malformed-request", "Malformed request"};
    case Code::kUnauthenticated:
      return {"unauthenticated", "No valid access token"};
    case Code::kPermissionDenied:
      return {"forbidden", "Not covered by the token's role or areas"};
    case Code::kNotFound:
      return {"not-found", "Not found"};
    case Code::kConflict:
      return {"conflict", "Event id already recorded with other content"};
    case Code::kWrongVersion:
      return {"version-mismatch", "If-Match is not the current version"};
    case Code::kTooLarge:
      return {"too-large", "Request too large"};
    case Code::kRuleViolation:
      return {"rule-violation", "The request breaks a rule"};
    case Code::kRateLimited:
      return {"rate-limited", "Too many requests"};
    case Code::kUnimplemented:
      return {"not-implemented", "Not implemented yet"};
    case Code::kUnavailable:
      return {"unavailable", "Service unavailable"};
    case Code::kCorruption:
      return {"corruption", "The store is damaged"};
    case Code::kIOError:
      return {"io-error", "Storage failure"};
    case Code::kInternal:
      return {"internal", "Internal error"};
  }
  return {"internal", "Internal error"};
}

}  // namespace

api::Problem ProblemFor(const Status& status) {
  const Kind kind = KindFor(status.code());
  api::Problem problem;
  problem.set_type(std::string("https://carelog.example/problems/") +
                   kind.slug);
  problem.set_title(kind.title);
  problem.set_status(HttpStatusFor(status.code()));
  // Details may quote the request: only valid UTF-8 goes into the answer.
  problem.set_detail(ValidUtf8(status.message()));
  for (const auto& e : status.errors()) {
    auto* field = problem.add_errors();
    field->set_field(ValidUtf8(e.field));
    field->set_message(ValidUtf8(e.message));
  }
  return problem;
}

std::string ProblemJson(const Status& status) {
  return ToJson(ProblemFor(status));
}

Response ProblemResponse(const Status& status) {
  Response response;
  response.status = HttpStatusFor(status.code());
  response.content_type = "application/problem+json";
  response.body = ProblemJson(status);
  // Everything answered 503 is worth retrying soon (API.md: minPosition).
  if (response.status == 503) response.headers.emplace_back("Retry-After", "1");
  return response;
}

Response ProblemAnswer(int status, const char* slug, const char* title,
                       const Status& what) {
  api::Problem problem = ProblemFor(what);
  problem.set_status(status);
  problem.set_type(std::string("https://carelog.example/problems/") + slug);
  problem.set_title(title);
  Response response = JsonResponse(status, problem);
  response.content_type = "application/problem+json";
  return response;
}

Response HeadersTooLargeResponse(size_t limit) {
  return ProblemAnswer(
      431, "headers-too-large", "Request header fields too large",
      Status(Code::kTooLarge, "the request headers are larger than " +
                                  std::to_string(limit) + " bytes"));
}

}  // namespace carelog::gateway
