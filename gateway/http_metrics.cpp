#include "gateway/http_metrics.h"

#include <sstream>

namespace carelog::gateway {

namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// The methods HTTP defines keep their name; any other (a client may send any
// token) is counted as OTHER, so that clients cannot add series without bound.
const std::string& MethodLabel(const std::string& method) {
  static const std::string kKnown[] = {"GET",     "HEAD",    "POST",
                                       "PUT",     "DELETE",  "PATCH",
                                       "OPTIONS", "CONNECT", "TRACE"};
  static const std::string kOther = "OTHER";
  for (const std::string& known : kKnown) {
    if (method == known) return known;
  }
  return kOther;
}

}  // namespace

HttpMetrics::HttpMetrics()
    : bounds_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
              0.1,    0.25,  0.5,    1,     2.5,  5,     10} {}

void HttpMetrics::RecordRequest(const std::string& route,
                                const std::string& method, int status,
                                double seconds) {
  const std::string& label = MethodLabel(method);
  std::lock_guard lock(mu_);
  ++requests_[{route, label, status}];
  Histogram& h = latency_[{route, label}];
  if (h.buckets.empty()) h.buckets.assign(bounds_.size(), 0);
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (seconds <= bounds_[i]) {
      ++h.buckets[i];
      break;
    }
  }
  h.sum += seconds;
  ++h.count;
}

void HttpMetrics::AddCollector(std::function<std::string()> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string HttpMetrics::Render() const {
  std::ostringstream out;
  std::vector<std::function<std::string()>> collectors;
  {
    std::lock_guard lock(mu_);
    out << "# HELP carelog_http_requests_total HTTP requests answered, by "
           "route, method and "
           "status.\n# TYPE carelog_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out << "carelog_http_requests_total{route=\"" << Escape(route)
          << "\",method=\"" << method << "\",status=\"" << status << "\"} " << n
          << "\n";
    }
    out << "# HELP carelog_http_request_duration_seconds Time from a parsed "
           "request to its "
           "answer.\n# TYPE carelog_http_request_duration_seconds histogram\n";
    for (const auto& [key, h] : latency_) {
      const std::string labels =
          "route=\"" + Escape(key.first) + "\",method=\"" + key.second + "\"";
      uint64_t cumulative = 0;
      for (size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += h.buckets[i];
        out << "carelog_http_request_duration_seconds_bucket{" << labels
            << ",le=\"" << bounds_[i] << "\"} " << cumulative << "\n";
      }
      out << "carelog_http_request_duration_seconds_bucket{" << labels
          << ",le=\"+Inf\"} " << h.count << "\n";
      out << "carelog_http_request_duration_seconds_sum{" << labels << "} "
          << h.sum << "\n";
      out << "carelog_http_request_duration_seconds_count{" << labels << "} "
          << h.count << "\n";
    }
    collectors = collectors_;
  }
  out << "# HELP carelog_events_appended_total Care events appended through "
         "the API.\n"
         "# TYPE carelog_events_appended_total counter\n"
      << "carelog_events_appended_total " << events_appended_.load() << "\n";
  out << "# HELP carelog_http_connections_open Open client connections.\n"
         "# TYPE carelog_http_connections_open gauge\n"
      << "carelog_http_connections_open " << connections_open_.load() << "\n";
  out << "# HELP carelog_http_connections_total Client connections accepted.\n"
         "# TYPE carelog_http_connections_total counter\n"
      << "carelog_http_connections_total " << connections_total_.load() << "\n";
  out << "# HELP carelog_http_connections_refused_total Connections closed at "
         "once because the "
         "server was full.\n# TYPE carelog_http_connections_refused_total "
         "counter\n"
      << "carelog_http_connections_refused_total "
      << connections_refused_.load() << "\n";
  for (const auto& collector : collectors) out << collector();
  return out.str();
}

}  // namespace carelog::gateway
