#include "services/view_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace carelog {
namespace {

// A list of ids and its index, as PersonState and PersonFacts keep them.
struct Ids {
  std::vector<std::string> list;
  ViewIndex index;

  auto KeyOf() const {
    return [this](size_t i) { return std::string_view(list[i]); };
  }
  bool Add(std::string id) {
    list.push_back(std::move(id));
    if (index.Insert(list.back(), list.size() - 1, KeyOf())) return true;
    list.pop_back();
    return false;
  }
  std::optional<size_t> Find(std::string_view id) const {
    return index.Find(id, KeyOf());
  }
};

TEST(ViewIndexTest, FindsEveryIdAddedAndNoOther) {
  Ids ids;
  EXPECT_EQ(ids.Find("a"), std::nullopt);  // empty, never sized
  // Enough ids to grow the table many times over (8 slots at first).
  for (int i = 0; i < 20000; ++i)
    ASSERT_TRUE(ids.Add("att-" + std::to_string(i)));
  EXPECT_EQ(ids.index.size(), 20000u);
  for (int i = 0; i < 20000; ++i)
    ASSERT_EQ(ids.Find("att-" + std::to_string(i)), size_t(i)) << i;
  for (int i = 20000; i < 40000; ++i)
    ASSERT_EQ(ids.Find("att-" + std::to_string(i)), std::nullopt) << i;
  EXPECT_EQ(ids.Find(""), std::nullopt);
  EXPECT_EQ(ids.Find("att-1 "), std::nullopt);
}

TEST(ViewIndexTest, AnIdTakenKeepsItsFirstPosition) {
  Ids ids;
  ASSERT_TRUE(ids.Add("x"));
  ASSERT_TRUE(ids.Add("y"));
  EXPECT_FALSE(ids.Add("x"));
  EXPECT_FALSE(ids.Add("y"));
  EXPECT_EQ(ids.Find("x"), 0u);
  EXPECT_EQ(ids.Find("y"), 1u);
  EXPECT_EQ(ids.index.size(), 2u);
  ASSERT_TRUE(ids.Add(""));  // an empty id is an id like another
  EXPECT_EQ(ids.Find(""), 2u);
}

TEST(ViewIndexTest, ReservedTableHoldsAsManyAndGrowsPastThem) {
  Ids ids;
  ids.index.Reserve(1000);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(ids.Add("e" + std::to_string(i)));
  ids.index.Reserve(10);  // never shrinks
  for (int i = 1000; i < 3000; ++i)
    ASSERT_TRUE(ids.Add("e" + std::to_string(i)));
  for (int i = 0; i < 3000; ++i)
    ASSERT_EQ(ids.Find("e" + std::to_string(i)), size_t(i));
  EXPECT_FALSE(ids.Add("e2999"));
}

TEST(ViewIndexTest, ACopyIsIndependentAndFindsThroughItsOwnList) {
  Ids ids;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(ids.Add("s" + std::to_string(i)));
  Ids copy = ids;
  ASSERT_TRUE(copy.Add("new"));
  ids.list.clear();  // the original's list gone: the copy asks its own
  ids.index = ViewIndex();
  EXPECT_EQ(copy.Find("new"), 100u);
  EXPECT_EQ(copy.Find("s42"), 42u);
  EXPECT_EQ(ids.Find("s42"), std::nullopt);
}

TEST(ViewIndexTest, AMovedFromIndexIsEmptyAndUsable) {
  Ids ids;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(ids.Add("m" + std::to_string(i)));
  Ids moved;
  moved.list = ids.list;
  moved.index = std::move(ids.index);
  EXPECT_EQ(moved.index.size(), 50u);
  EXPECT_EQ(moved.Find("m7"), 7u);
  EXPECT_EQ(ids.index.size(), 0u);
  EXPECT_EQ(ids.Find("m7"), std::nullopt);
  ids.list.clear();
  ASSERT_TRUE(ids.Add("m7"));
  EXPECT_EQ(ids.Find("m7"), 0u);
  EXPECT_EQ(ids.index.size(), 1u);
}

}  // namespace
}  // namespace carelog
