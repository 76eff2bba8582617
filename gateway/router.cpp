#include "gateway/router.h"

namespace carelog::gateway {

const std::string& RouteContext::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end;
  }
  return parts;
}

namespace {

// The segments of a path or pattern, one at a time, without copies.
class Segments {
 public:
  explicit Segments(std::string_view text) : text_(text) {}
  bool Next(std::string_view& segment) {
    while (at_ < text_.size() && text_[at_] == '/') ++at_;
    if (at_ >= text_.size()) return false;
    size_t end = text_.find('/', at_);
    if (end == std::string_view::npos) end = text_.size();
    segment = text_.substr(at_, end - at_);
    at_ = end;
    return true;
  }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path` is a resource of `pattern`; with `params`, also the values of
// its {names}, found in the same walk.
bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string>* params) {
  if (path.empty() || path[0] != '/') return false;
  // A trailing slash names another resource, except for the root.
  if (path.size() > 1 && path.back() == '/') return false;
  if (path.find("//") != std::string_view::npos) return false;
  constexpr size_t kMaxParams = 8;
  std::string_view names[kMaxParams], values[kMaxParams];
  size_t found = 0;
  Segments want(pattern), have(path);
  std::string_view w, h;
  for (;;) {
    const bool more_want = want.Next(w);
    if (more_want != have.Next(h)) return false;
    if (!more_want) break;
    if (!IsParam(w)) {
      if (w != h) return false;
    } else if (found < kMaxParams) {
      names[found] = w.substr(1, w.size() - 2);
      values[found++] = h;
    }
  }
  if (params != nullptr) {
    params->clear();
    for (size_t i = 0; i < found; ++i) {
      (*params)[std::string(names[i])] = values[i];
    }
  }
  return true;
}

}  // namespace

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::Find(std::string_view method,
                          std::string_view path) const {
  for (const auto& route : routes_) {
    if (route.method == method && MatchPattern(route.pattern, path, nullptr)) {
      return &route;
    }
  }
  return nullptr;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  // The routes of the method first, each walked once; the others only to tell
  // 405 from 404.
  for (const auto& route : routes_) {
    if (route.method == method &&
        MatchPattern(route.pattern, path, &match.params)) {
      match.route = &route;
      return match;
    }
  }
  match.params.clear();
  for (const auto& route : routes_) {
    if (route.method != method && MatchPattern(route.pattern, path, nullptr)) {
      match.path_known = true;
      match.allowed_methods.push_back(route.method);
    }
  }
  return match;
}

}  // namespace carelog::gateway
