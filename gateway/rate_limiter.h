// Per-token request rate limit: a token bucket per principal (refilled at
// `rate` requests per second, holding at most `burst`). A request over the
// limit is answered 429 with Retry-After (docs/RELIABILITY.md). Thread-safe;
// time comes from the injected clock.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "services/clock.h"

namespace carelog::gateway {

class RateLimiter {
 public:
  // rate <= 0 disables the limit (every request is allowed).
  RateLimiter(double rate_per_second, double burst, const Clock& clock);

  // Takes one request from the principal's bucket. 0 when allowed, else the
  // whole seconds (at least 1) until one would be.
  int64_t Take(std::string_view principal);

  bool enabled() const { return rate_ > 0; }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_micros = 0;
  };
  double rate_;
  double burst_;
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace carelog::gateway
