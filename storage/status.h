// Errors as values across module boundaries. A Status says what went wrong in
// words a user can act on; the gateway maps its Code to an HTTP status in one
// place (gateway/problem.cpp).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace carelog {

enum class Code {
  kOk,
  kInvalidArgument,   // malformed input (HTTP 400)
  kUnauthenticated,   // no valid credentials (401)
  kPermissionDenied,  // role or area not covered (403)
  kNotFound,          // (404)
  kConflict,          // an event id already stored with other content (409)
  kWrongVersion,      // expected version is not the stream's version (412)
  kTooLarge,          // (413)
  kRuleViolation,     // well formed but breaks a rule of SPEC.md (422)
  kRateLimited,       // (429)
  kUnimplemented,     // (501)
  kUnavailable,       // try again later (503)
  kCorruption,        // the store breaks an invariant of its own format (500)
  kIOError,           // the environment failed us (500)
  kInternal,          // a bug (500)
};

// One problem with one field of a request, e.g.
// {"events[1].readyForDischarge.spellId", "..."}.
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::vector<FieldError> errors = {})
      : code_(code), message_(std::move(message)), errors_(std::move(errors)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& errors() const { return errors_; }

  // "code: message" for logs and test failures.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldError> errors_;
};

const char* CodeName(Code code);

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() &&
           "a Result holds a value or an error, not an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace carelog

// Returns early with the error of a Status-returning expression.
#define CARELOG_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::carelog::Status carelog_status_ = (expr);        \
    if (!carelog_status_.ok()) return carelog_status_; \
  } while (0)
