// The one place where a Status becomes an HTTP answer (application/problem+json, RFC 9457).
#pragma once

#include <string>

#include "storage/status.h"

namespace carelog::gateway {

// The HTTP status code for a Status code.
int HttpStatusFor(Code code);

// {"type", "title", "status", "detail", "errors": [{"field", "message"}]} for a non-OK status.
std::string ProblemJson(const Status& status);

}  // namespace carelog::gateway
