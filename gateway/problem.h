// The one place where a Status becomes an HTTP answer
// (application/problem+json, RFC 9457).
#pragma once

#include <string>

#include "carelog/api.pb.h"
#include "gateway/http_types.h"
#include "storage/status.h"

namespace carelog::gateway {

// The HTTP status code for a Status code.
int HttpStatusFor(Code code);

// The problem document of a non-OK status: type, title, status, detail and
// errors[] per field.
api::Problem ProblemFor(const Status& status);

// {"type", "title", "status", "detail", "errors": [{"field", "message"}]} for a
// non-OK status.
std::string ProblemJson(const Status& status);

// The full answer: status code, application/problem+json and the document.
Response ProblemResponse(const Status& status);

// A problem answer with its own status, type (…/problems/`slug`) and title,
// for HTTP conditions no Status code stands for (405, 415, 431, 501).
Response ProblemAnswer(int status, const char* slug, const char* title,
                       const Status& what);

// 431: the request's header block is larger than `limit` bytes (a condition
// of the HTTP layer that no Status code stands for).
Response HeadersTooLargeResponse(size_t limit);

}  // namespace carelog::gateway
