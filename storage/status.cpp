#include "storage/status.h"

namespace carelog {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kPermissionDenied:
      return "permission denied";
    case Code::kNotFound:
      return "not found";
    case Code::kConflict:
      return "conflict";
    case Code::kWrongVersion:
      return "wrong version";
    case Code::kTooLarge:
      return "too large";
    case Code::kRuleViolation:
      return "rule violation";
    case Code::kRateLimited:
      return "rate limited";
    case Code::kUnimplemented:
      return "unimplemented";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kCorruption:
      return "corruption";
    case Code::kIOError:
      return "I/O error";
    case Code::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s = std::string(CodeName(code_)) + ": " + message_;
  for (const auto& e : errors_) s += "; " + e.field + ": " + e.message;
  return s;
}

}  // namespace carelog
