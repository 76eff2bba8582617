#include "storage/keys.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "storage/content_hash.h"

namespace carelog::storage::keys {
namespace {

TEST(Keys, U64OrderIsByteOrder) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values = {
      0, 1, 255, 256, 65535, 1ull << 32, std::numeric_limits<uint64_t>::max()};
  for (int i = 0; i < 1000; ++i) values.push_back(rng() >> (rng() % 64));
  for (uint64_t a : values) {
    for (uint64_t b :
         {values[0], values[3], values[5], values[values.size() - 1]}) {
      EXPECT_EQ(a < b, EncodeU64(a) < EncodeU64(b)) << a << " vs " << b;
    }
    EXPECT_EQ(EncodeU64(a).size(), 8u);
    EXPECT_EQ(DecodeU64(EncodeU64(a)), a);
  }
  EXPECT_EQ(EncodeU64(0x0102030405060708ull),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_FALSE(DecodeU64("short").has_value());
}

TEST(Keys, I64OrderIsByteOrderAcrossZero) {
  const std::vector<int64_t> ordered = {std::numeric_limits<int64_t>::min(),
                                        -1'000'000,
                                        -1,
                                        0,
                                        1,
                                        1'700'000'000'000'000,
                                        std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(EncodeI64(ordered[i]), EncodeI64(ordered[i + 1]));
    EXPECT_EQ(DecodeI64(EncodeI64(ordered[i])), ordered[i]);
  }
}

TEST(Keys, StreamKeysGroupByStreamThenVersion) {
  EXPECT_LT(StreamKey("person-1", 2), StreamKey("person-1", 10));
  EXPECT_LT(StreamKey("person-1", 0xffffffffffull), StreamKey("person-10", 1));
  EXPECT_LT(StreamKey("person-1", 0xffffffffffull), StreamEnd("person-1"));
  EXPECT_LE(StreamPrefix("person-1"), StreamKey("person-1", 0));
  // Another stream whose name extends this one lies outside [prefix, end).
  EXPECT_GT(StreamKey("person-1x", 1), StreamEnd("person-1"));
  const std::string key = StreamKey("area-E09000002", 42);
  auto parts = ParseStreamKey(key);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->stream, "area-E09000002");
  EXPECT_EQ(parts->version, 42u);
  EXPECT_FALSE(ParseStreamKey("no separator here").has_value());
}

TEST(Keys, TimeKeysOrderByInstantThenPosition) {
  EXPECT_LT(TimeKey(5, 100), TimeKey(6, 1));
  EXPECT_LT(TimeKey(5, 1), TimeKey(5, 2));
  EXPECT_LT(TimeKey(-5, 9), TimeKey(0, 1));
}

TEST(Keys, ProjectionKeysDoNotLeakAcrossProjections) {
  const std::string end = *PrefixEnd(StreamPrefix("worklist"));
  EXPECT_LT(ProjectionKey("worklist", "\xff\xff"), end);
  EXPECT_GE(ProjectionKey("worklist2", ""), end);
}

TEST(Keys, PrefixEnd) {
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd(std::string("a\xff\xff", 3)), "b");
  EXPECT_FALSE(PrefixEnd(std::string("\xff\xff", 2)).has_value());
  EXPECT_FALSE(PrefixEnd("").has_value());
}

TEST(Keys, DedupEntryIsThePosition) {
  EXPECT_EQ(DecodeDedup(EncodeDedup(12)), 12u);
  EXPECT_EQ(EncodeDedup(12).size(), 8u);
  EXPECT_FALSE(DecodeDedup("too short").has_value());
  EXPECT_FALSE(DecodeDedup(EncodeDedup(12) + "x").has_value());
}

TEST(Keys, StreamRunRoundTrips) {
  EXPECT_EQ(DecodeStreamRun(7, EncodeStreamRun(1000, 100)),
            (StreamRun{7, 1000, 100}));
  EXPECT_FALSE(DecodeStreamRun(7, EncodeU64(1000)).has_value());
  EXPECT_FALSE(DecodeStreamRun(7, EncodeStreamRun(1000, 0)).has_value())
      << "a run holds at least one version";
  const StreamRun run{7, 1000, 3};
  EXPECT_EQ(run.last_version(), 9u);
  EXPECT_FALSE(run.Holds(6));
  EXPECT_TRUE(run.Holds(7));
  EXPECT_TRUE(run.Holds(9));
  EXPECT_FALSE(run.Holds(10));
  EXPECT_EQ(run.PositionOf(9), 1002u);
}

TEST(Keys, StreamEntryDecodesKeyAndValueTogether) {
  const std::string key = StreamKey("person-1", 7);  // the entry views it
  auto entry = DecodeStreamEntry(key, EncodeStreamRun(1000, 3));
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->stream, "person-1");
  EXPECT_EQ(entry->run, (StreamRun{7, 1000, 3}));
  EXPECT_FALSE(DecodeStreamEntry("no separator", EncodeStreamRun(1, 1)));
  EXPECT_FALSE(DecodeStreamEntry(StreamKey("s", 1), EncodeU64(1)));
}

TEST(Keys, CheckUtf8AcceptsWellFormedTextOnly) {
  for (const std::string& good :
       {std::string(), std::string("plain"), std::string("caf\xc3\xa9"),
        std::string("\xe2\x82\xac"), std::string("\xf0\x9f\x8f\xa5"),
        std::string("\xf4\x8f\xbf\xbf"), std::string("a\0b", 3)}) {
    EXPECT_TRUE(CheckUtf8("text", good).ok()) << good;
  }
  for (const std::string& bad :
       {std::string("\x80"), std::string("caf\xc3"), std::string("\xc0\xaf"),
        std::string("\xc1\xbf"), std::string("\xe0\x80\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf0\x80\x80\xaf"),
        std::string("\xf4\x90\x80\x80"), std::string("\xf5\x80\x80\x80"),
        std::string("\xe2\x82"), std::string("\xe2\x28\xa1"),
        std::string("\xff")}) {
    Status s = CheckUtf8("stream", bad);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << Hex(bad);
    EXPECT_NE(s.message().find("stream"), std::string::npos);
  }
}

TEST(Keys, CheckNameRefusesEmptyAndNul) {
  EXPECT_TRUE(CheckName("stream", "person-9434765919").ok());
  EXPECT_EQ(CheckName("stream", "").code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckName("stream", std::string("a\0b", 3)).code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace carelog::storage::keys
