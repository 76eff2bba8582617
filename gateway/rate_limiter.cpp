#include "gateway/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace carelog::gateway {

namespace {
// Buckets of principals idle long enough to be full again are forgotten when
// the table grows past this.
constexpr size_t kMaxBuckets = 100000;
}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst,
                         const Clock& clock)
    : rate_(rate_per_second), burst_(std::max(burst, 1.0)), clock_(clock) {}

int64_t RateLimiter::Take(std::string_view principal) {
  if (rate_ <= 0) return 0;
  const int64_t now = clock_.NowMicros();
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.size() > kMaxBuckets) {
    std::erase_if(buckets_, [&](const auto& entry) {
      const double idle = (now - entry.second.at_micros) / 1e6;
      return entry.second.tokens + idle * rate_ >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(std::string(principal));
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = burst_;
  } else if (now > b.at_micros) {
    b.tokens = std::min(burst_, b.tokens + (now - b.at_micros) / 1e6 * rate_);
  }
  b.at_micros = std::max(b.at_micros, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((1 - b.tokens) / rate_)));
}

}  // namespace carelog::gateway
