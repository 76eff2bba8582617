#include "services/metrics/metric_rows.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace carelog::metrics::rows {
namespace {

// The hand-written hex is printf's "%0*llx": the keys of every row depend on
// it.
TEST(MetricRows, HexIsPrintfsZeroPaddedLowerCaseHex) {
  std::mt19937_64 random(7);
  std::vector<uint64_t> values = {
      0, 1, 15, 16, 255, 0xffffffffULL, 0x100000000ULL, ~uint64_t{0}};
  for (int i = 0; i < 2000; ++i) values.push_back(random() >> (i % 64));
  for (uint64_t v : values) {
    for (int width : {1, 8, 16}) {
      char want[32];
      std::snprintf(want, sizeof want, "%0*llx", width,
                    static_cast<unsigned long long>(v));
      EXPECT_EQ(Hex(v, width), want) << v << " width " << width;
    }
  }
  EXPECT_EQ(DeltaKey("E09000001", 3, 0x1e240),
            "d|E09000001|00000003|000000000001e240");
  EXPECT_EQ(DeltaPrefix("E09000001", 0xabc), "d|E09000001|00000abc|");
  EXPECT_EQ(DeltaKey("E1", 0x123456789ULL, ~uint64_t{0}),
            "d|E1|123456789|ffffffffffffffff");
  EXPECT_EQ(SnapshotKey("E09000001", 0x123456789ULL), "s|E09000001|123456789");
}

}  // namespace
}  // namespace carelog::metrics::rows
