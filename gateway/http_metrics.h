// The server's own figures in Prometheus text format (GET /metrics): requests
// by route and status, a latency histogram per route, appended events, open
// connections, and whatever other parts add through collectors. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace carelog::gateway {

class HttpMetrics {
 public:
  HttpMetrics();

  // One answered request: its route pattern ("unmatched" if none), method,
  // status and latency.
  void RecordRequest(const std::string& route, const std::string& method,
                     int status, double seconds);
  void AddEventsAppended(uint64_t events) { events_appended_ += events; }
  void ConnectionOpened() {
    ++connections_open_;
    ++connections_total_;
  }
  void ConnectionClosed() { --connections_open_; }
  void ConnectionRefused() { ++connections_refused_; }

  // A collector returns more metric families in Prometheus text format (with #
  // TYPE lines).
  void AddCollector(std::function<std::string()> collector);

  // The whole exposition.
  std::string Render() const;

  uint64_t events_appended() const { return events_appended_.load(); }

 private:
  struct Histogram {
    std::vector<uint64_t>
        buckets;  // cumulative at render time; counts per bucket here
    double sum = 0;
    uint64_t count = 0;
  };
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::vector<std::function<std::string()>> collectors_;
  std::atomic<uint64_t> events_appended_{0};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_total_{0};
  std::atomic<uint64_t> connections_refused_{0};
};

}  // namespace carelog::gateway
