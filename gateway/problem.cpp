#include "gateway/problem.h"

#include <cstdio>

namespace carelog::gateway {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kConflict: return 409;
    case Code::kWrongVersion: return 412;
    case Code::kTooLarge: return 413;
    case Code::kRuleViolation: return 422;
    case Code::kRateLimited: return 429;
    case Code::kUnimplemented: return 501;
    case Code::kUnavailable: return 503;
    case Code::kCorruption:
    case Code::kIOError:
    case Code::kInternal: return 500;
  }
  return 500;
}

namespace {

void AppendJsonString(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

const char* TitleFor(int http_status) {
  switch (http_status) {
    case 400: return "Bad request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 409: return "Conflict";
    case 412: return "Precondition failed";
    case 413: return "Payload too large";
    case 422: return "Unprocessable entity";
    case 429: return "Too many requests";
    case 501: return "Not implemented";
    case 503: return "Service unavailable";
    default: return "Internal server error";
  }
}

}  // namespace

std::string ProblemJson(const Status& status) {
  const int http = HttpStatusFor(status.code());
  std::string out = "{\"type\":";
  AppendJsonString(out, "https://carelog.nhs.example/problems/" + std::to_string(http));
  out += ",\"title\":";
  AppendJsonString(out, TitleFor(http));
  out += ",\"status\":" + std::to_string(http) + ",\"detail\":";
  AppendJsonString(out, status.message());
  out += ",\"errors\":[";
  bool first = true;
  for (const auto& e : status.errors()) {
    if (!first) out += ',';
    first = false;
    out += "{\"field\":";
    AppendJsonString(out, e.field);
    out += ",\"message\":";
    AppendJsonString(out, e.message);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace carelog::gateway
