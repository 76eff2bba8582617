#include "services/flat_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>

namespace carelog {
namespace {

struct Key {
  uint32_t a = 0;
  uint64_t b = 0;
  bool operator==(const Key&) const = default;
};

// Hashes whose low bits never vary: the map must still spread them (it takes
// the top bits of the hash times 2^64/phi).
struct LowBitsEqualHash {
  size_t operator()(const Key& k) const {
    return static_cast<size_t>((uint64_t{k.a} << 40) ^ (k.b << 20));
  }
};

// Every key the same hash: each lookup probes the whole run, but still
// finds only its own key.
struct ConstantHash {
  size_t operator()(const Key&) const { return 7; }
};

TEST(FlatMapTest, MatchesAnOrderedMapThroughManyGrowths) {
  FlatMap<Key, int64_t, LowBitsEqualHash> flat;
  std::map<std::pair<uint32_t, uint64_t>, int64_t> expected;
  EXPECT_EQ(flat.Find({1, 1}), nullptr);  // empty, never sized
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000; ++i) {
    const Key k{static_cast<uint32_t>(rng() % 50), rng() % 3000};
    const int64_t v = static_cast<int64_t>(rng() % 100) - 50;
    flat[k] += v;
    expected[{k.a, k.b}] += v;
  }
  EXPECT_EQ(flat.size(), expected.size());
  for (const auto& [k, v] : expected) {
    const int64_t* found = flat.Find({k.first, k.second});
    ASSERT_NE(found, nullptr) << k.first << " " << k.second;
    EXPECT_EQ(*found, v);
  }
  EXPECT_EQ(flat.Find({50, 0}), nullptr);  // a key never added
  std::map<std::pair<uint32_t, uint64_t>, int64_t> visited;
  flat.ForEach([&](const Key& k, int64_t v) {
    EXPECT_TRUE(visited.emplace(std::pair{k.a, k.b}, v).second);
  });
  EXPECT_EQ(visited, expected);
}

TEST(FlatMapTest, KeysOfOneHashStayApart) {
  FlatMap<Key, int, ConstantHash> flat;
  for (int i = 0; i < 100; ++i) flat[{0, static_cast<uint64_t>(i)}] = i;
  for (int i = 0; i < 100; ++i) {
    const int* found = flat.Find({0, static_cast<uint64_t>(i)});
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, i);
  }
  EXPECT_EQ(flat.Find({1, 0}), nullptr);
  EXPECT_EQ(flat.size(), 100u);
}

TEST(FlatMapTest, ALookupOfAKeyPresentMovesNoEntry) {
  FlatMap<Key, int, LowBitsEqualHash> flat;
  for (uint64_t i = 0; i < 12; ++i) flat[{0, i}] = static_cast<int>(i);
  // 12 entries in 16 slots: the next key added grows the table, a lookup of
  // a key present must not.
  const int* five = flat.Find({0, 5});
  ASSERT_NE(five, nullptr);
  flat[{0, 7}] += 100;
  EXPECT_EQ(flat.Find({0, 5}), five);
  EXPECT_EQ(*flat.Find({0, 7}), 107);
  flat[{0, 12}] = 12;  // added: now the table grows
  EXPECT_EQ(flat.size(), 13u);
  EXPECT_EQ(*flat.Find({0, 5}), 5);
}

TEST(FlatMapTest, ClearForgetsEveryEntry) {
  FlatMap<Key, int, LowBitsEqualHash> flat;
  flat[{1, 2}] = 3;
  flat.Clear();
  EXPECT_TRUE(flat.empty());
  EXPECT_EQ(flat.Find({1, 2}), nullptr);
  EXPECT_EQ((flat[{1, 2}]), 0);  // value-initialised when added again
  EXPECT_EQ(flat.size(), 1u);
}

}  // namespace
}  // namespace carelog
