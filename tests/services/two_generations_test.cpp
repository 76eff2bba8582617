#include "services/two_generations.h"

#include <string>

#include "gtest/gtest.h"

namespace carelog {
namespace {

// Entries weigh their text's length.
TwoGenerations<std::string> Cache(size_t budget) {
  return TwoGenerations<std::string>(
      budget, [](const std::string& s) { return s.size(); });
}

TEST(TwoGenerations, FindsWhatWasInsertedAndWeighsIt) {
  auto cache = Cache(100);
  EXPECT_EQ(cache.Find("a"), nullptr);
  std::string& a = cache.Insert("a");
  EXPECT_EQ(cache.young_weight(), 0u);  // an empty text weighs nothing
  a = "abc";
  cache.AddWeight(3);
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("a"), "abc");
  cache.Find("a")->pop_back();
  cache.RemoveWeight(1);
  EXPECT_EQ(cache.young_weight(), 2u);
}

// A full young generation becomes the old one at the next insertion; an old
// entry found again comes back young with its weight, one not found again is
// forgotten at the turnover after.
TEST(TwoGenerations, TurnsOverWhenTheYoungOneIsFull) {
  auto cache = Cache(4);
  auto put = [&](const std::string& key, const std::string& text) {
    cache.Insert(key) = text;
    cache.AddWeight(text.size());
  };
  put("a", "aa");
  put("b", "bb");  // young weighs 4: full
  put("c", "c");   // turnover: old {a, b}, young {c}
  EXPECT_EQ(cache.young_weight(), 1u);
  std::string* a = cache.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, "aa");
  EXPECT_EQ(cache.young_weight(), 3u);
  put("d", "d");  // young {c, a, d} weighs 4: full
  put("e", "e");  // turnover: b, never found again, is gone
  EXPECT_EQ(cache.Find("b"), nullptr);
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("c"), "c");
}

// Forgetting, removing or replacing an entry takes its weight with it.
TEST(TwoGenerations, EntriesLeaveWithTheirWeight) {
  auto cache = Cache(100);
  cache.Insert("a") = "aaa";
  cache.AddWeight(3);
  cache.Insert("b") = "bb";
  cache.AddWeight(2);
  EXPECT_EQ(cache.Insert("a"), "");  // replaced by a new, empty entry
  EXPECT_EQ(cache.young_weight(), 2u);
  EXPECT_EQ(cache.Remove("b"), "bb");
  EXPECT_EQ(cache.young_weight(), 0u);
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_EQ(cache.Remove("b"), "");
  cache.Insert("c") = "c";
  cache.AddWeight(1);
  cache.Forget("c");
  EXPECT_EQ(cache.Find("c"), nullptr);
  EXPECT_EQ(cache.young_weight(), 0u);
  cache.Insert("d") = "dd";
  cache.AddWeight(2);
  cache.Clear();
  EXPECT_EQ(cache.Find("d"), nullptr);
  EXPECT_EQ(cache.young_weight(), 0u);
}

}  // namespace
}  // namespace carelog
