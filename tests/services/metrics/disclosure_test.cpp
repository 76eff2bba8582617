#include "services/metrics/disclosure.h"

#include "gtest/gtest.h"

namespace carelog::metrics {
namespace {

// SPEC.md: counts 0, 1, 7, 8, 12, 23 appear as 0, withheld, withheld, 10,
// 10, 25.
TEST(Disclosure, SpecExampleCounts) {
  EXPECT_EQ(DiscloseCount(0), 0);
  EXPECT_EQ(DiscloseCount(1), std::nullopt);
  EXPECT_EQ(DiscloseCount(7), std::nullopt);
  EXPECT_EQ(DiscloseCount(8), 10);
  EXPECT_EQ(DiscloseCount(12), 10);
  EXPECT_EQ(DiscloseCount(23), 25);
}

TEST(Disclosure, RoundsToNearestFive) {
  EXPECT_EQ(DiscloseCount(10), 10);
  EXPECT_EQ(DiscloseCount(13), 15);
  EXPECT_EQ(DiscloseCount(6102), 6100);
  EXPECT_EQ(DiscloseCount(6103), 6105);
}

TEST(Disclosure, ValueFromAWithheldCountIsWithheld) {
  EXPECT_TRUE(AnyWithheld({50, 3}));
  EXPECT_TRUE(AnyWithheld({1}));
  EXPECT_FALSE(AnyWithheld({0, 8}));
  EXPECT_FALSE(AnyWithheld({}));
}

}  // namespace
}  // namespace carelog::metrics
