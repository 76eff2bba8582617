#include "services/two_generations.h"

#include <string>

#include "gtest/gtest.h"

namespace carelog {
namespace {

// Entries weigh their text's length.
size_t Length(const std::string& s) { return s.size(); }

TEST(TwoGenerations, FindsWhatWasInsertedAndWeighsIt) {
  TwoGenerations<std::string> cache(100);
  EXPECT_EQ(cache.Find("a", Length), nullptr);
  cache.Insert("a", 3) = "abc";
  ASSERT_NE(cache.Find("a", Length), nullptr);
  EXPECT_EQ(*cache.Find("a", Length), "abc");
  EXPECT_EQ(cache.young_weight(), 3u);
  cache.AddWeight(2);
  cache.RemoveWeight(1);
  EXPECT_EQ(cache.young_weight(), 4u);
  cache.RemoveWeight(10);  // never below nothing
  EXPECT_EQ(cache.young_weight(), 0u);
}

// A full young generation becomes the old one at the next insertion; an old
// entry found again comes back young with its weight, one not found again is
// forgotten at the turnover after.
TEST(TwoGenerations, TurnsOverWhenTheYoungOneIsFull) {
  TwoGenerations<std::string> cache(4);
  cache.Insert("a", 2) = "aa";
  cache.Insert("b", 2) = "bb";  // young weighs 4: full
  cache.Insert("c", 1) = "c";   // turnover: old {a, b}, young {c}
  EXPECT_EQ(cache.young_weight(), 1u);
  std::string* a = cache.Find("a", Length);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, "aa");
  EXPECT_EQ(cache.young_weight(), 3u);
  cache.Insert("d", 1) = "d";  // young {c, a, d} weighs 4: full
  cache.Insert("e", 1) = "e";  // turnover: b, never found again, is gone
  EXPECT_EQ(cache.Find("b", Length), nullptr);
  ASSERT_NE(cache.Find("a", Length), nullptr);
  EXPECT_EQ(*cache.Find("c", Length), "c");
}

TEST(TwoGenerations, InsertingReplacesAndForgettingRemovesFromBoth) {
  TwoGenerations<std::string> cache(2);
  cache.Insert("a", 2) = "old";
  cache.Insert("b", 1) = "b";           // turnover: a is old
  EXPECT_EQ(cache.Insert("a", 1), "");  // a new, empty entry
  cache.Forget("a");
  cache.Forget("b");
  EXPECT_EQ(cache.Find("a", Length), nullptr);
  EXPECT_EQ(cache.Find("b", Length), nullptr);
  cache.Insert("c", 1) = "c";
  cache.Clear();
  EXPECT_EQ(cache.Find("c", Length), nullptr);
  EXPECT_EQ(cache.young_weight(), 0u);
}

}  // namespace
}  // namespace carelog
