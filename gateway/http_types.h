// The gateway's own view of an HTTP exchange: a request as parsed by the server
// and the response a route answers. Routes are plain functions from one to the
// other; the server owns the sockets.
#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace carelog::gateway {

struct Request {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // path and query as received
  std::string path;    // percent-decoded, without the query
  std::map<std::string, std::string>
      query;  // percent-decoded; the last value of a name wins
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or "" when absent (name in lower case).
  std::string_view Header(std::string_view name) const;
  // The query parameter, or nullptr when absent.
  const std::string* Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Splits a request target into a decoded path and query parameters;
// kInvalidArgument for a bad percent escape.
Status ParseTarget(std::string_view target, std::string& path,
                   std::map<std::string, std::string>& query);

// The bearer token of an Authorization header, or "" when there is none.
std::string_view BearerToken(std::string_view authorization);

// The digits of an NHS number as written in a path or body ("943 476 5919" ->
// "9434765919"), unchanged if it is not 10 digits once spaces are removed.
std::string NormalizeNhsNumber(std::string_view text);

// A JSON answer rendered through protobuf's JSON mapping (fields with default
// values included).
Response JsonResponse(int status, const google::protobuf::Message& message);

}  // namespace carelog::gateway
