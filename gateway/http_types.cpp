#include "gateway/http_types.h"

#include "gateway/json.h"
#include "gateway/json_text.h"

namespace carelog::gateway {

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view()
                             : std::string_view(it->second);
}

const std::string* Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? nullptr : &it->second;
}

namespace {

// Percent-decodes `in`; '+' is a space only in query components.
bool Decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace

Status ParseTarget(std::string_view target, std::string& path,
                   std::map<std::string, std::string>& query) {
  query.clear();
  const size_t q = target.find('?');
  if (!Decode(target.substr(0, q), false, path)) {
    return Status(Code::kInvalidArgument, "bad percent escape in the path");
  }
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view()
                                         : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!Decode(pair.substr(0, eq), true, name) ||
        (eq != std::string_view::npos &&
         !Decode(pair.substr(eq + 1), true, value))) {
      return Status(Code::kInvalidArgument, "bad percent escape in the query");
    }
    query[name] = value;
  }
  return Status::Ok();
}

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::string NormalizeNhsNumber(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ') continue;
    digits += c;
  }
  if (digits.size() != 10) return std::string(text);
  for (char c : digits) {
    if (c < '0' || c > '9') return std::string(text);
  }
  return digits;
}

Response JsonResponse(int status, const google::protobuf::Message& message) {
  Response response;
  response.status = status;
  response.body = ToJson(message);
  return response;
}

}  // namespace carelog::gateway
