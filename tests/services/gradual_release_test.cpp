#include "services/gradual_release.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

namespace carelog {
namespace {

// Counts the values alive, so a test sees when they are destroyed.
struct Counted {
  explicit Counted(int* count) : alive(count) { ++*alive; }
  Counted(Counted&& other) noexcept
      : alive(std::exchange(other.alive, nullptr)) {}
  Counted& operator=(Counted&&) = delete;
  ~Counted() {
    if (alive != nullptr) --*alive;
  }
  int* alive;
};
using Map = std::unordered_map<std::string, Counted>;

Map Filled(int n, int* alive) {
  Map map;
  for (int i = 0; i < n; ++i) map.emplace(std::to_string(i), Counted(alive));
  return map;
}

TEST(GradualReleaseTest,
     TakenElementsAreDestroyedOnlyAsStepsAskAndTheSourceIsLeftEmpty) {
  int alive = 0;
  Map dropped = Filled(5, &alive);
  GradualRelease<Map> release;
  release.Take(std::move(dropped));
  EXPECT_TRUE(dropped.empty());  // reusable as a fresh generation
  EXPECT_EQ(alive, 5);           // nothing destroyed by the hand-over
  release.Step(2);
  EXPECT_EQ(alive, 3);
  EXPECT_EQ(release.pending(), 3u);
  release.Step(10);  // more than pending: stops when empty
  EXPECT_EQ(alive, 0);
  EXPECT_EQ(release.pending(), 0u);
  release.Step(1);  // nothing left: harmless
}

// A second generation handed over before the first is gone waits behind it:
// nothing is destroyed by a Take, however the generations' sizes compare.
TEST(GradualReleaseTest, ASecondTakeWaitsBehindWhatTheFirstLeft) {
  int first = 0, second = 0;
  GradualRelease<Map> release;
  release.Take(Filled(4, &first));
  release.Step(1);
  release.Take(Filled(3, &second));
  EXPECT_EQ(first, 3);
  EXPECT_EQ(second, 3);
  EXPECT_EQ(release.pending(), 6u);
  release.Step(4);  // the first's three, then one of the second
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 2);
  EXPECT_EQ(release.pending(), 2u);
  release.Clear();
  EXPECT_EQ(second, 0);
  EXPECT_EQ(release.pending(), 0u);
}

}  // namespace
}  // namespace carelog
