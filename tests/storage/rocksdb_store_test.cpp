// The database's column families as the store hands them out.
#include "storage/rocksdb_store.h"

#include <gtest/gtest.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <set>
#include <string>

#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::Options;
using testing::TempDir;

// families() is what tools that walk the whole database (e.g. waiting for
// compactions) rely on: every family once, the default one included, and
// each accessor's family among them.
TEST(RocksDbStore, FamiliesListsEveryColumnFamilyOnce) {
  TempDir dir;
  auto store = RocksDbStore::Open(Options(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().message();
  const RocksDbStore& s = **store;
  const auto families = s.families();
  std::set<std::string> names;
  for (auto* cf : families) names.insert(cf->GetName());
  EXPECT_EQ(names.size(), families.size());
  std::vector<std::string> listed;
  if (auto dbs = rocksdb::DB::ListColumnFamilies({}, dir.path(), &listed);
      !dbs.ok()) {
    FAIL() << dbs.ToString();
  }
  EXPECT_EQ(names, std::set<std::string>(listed.begin(), listed.end()));
  for (auto* cf : {s.meta(), s.log(), s.stream(), s.head(), s.dedup(), s.time(),
                   s.proj(), s.checkpoint(), s.audit(), s.audit_subject()}) {
    EXPECT_NE(std::find(families.begin(), families.end(), cf), families.end())
        << cf->GetName();
  }
}

// The background work's options that keep a write's latency (P8): table
// files are written back a megabyte at a time, and the families whose keys
// are spread over the whole key range compact level 0 half as often as the
// others (storage/rocksdb_store.cpp).
TEST(RocksDbStore, BackgroundWorkOptions) {
  TempDir dir;
  auto store = RocksDbStore::Open(Options(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().message();
  const RocksDbStore& s = **store;
  EXPECT_EQ(s.db()->GetDBOptions().bytes_per_sync, 1u << 20);
  for (auto* cf : s.families()) {
    const bool spread =
        cf == s.head() || cf == s.dedup() || cf == s.stream() || cf == s.proj();
    EXPECT_EQ(s.db()->GetOptions(cf).level0_file_num_compaction_trigger,
              spread ? 8 : 4)
        << cf->GetName();
    // Writes still slow down well after a compaction is due.
    EXPECT_GE(s.db()->GetOptions(cf).level0_slowdown_writes_trigger, 20)
        << cf->GetName();
  }
}

// The families the sequencer looks up for every new event id and stream (and
// which mostly miss, in every table file) have whole filters of 16 bits a key
// (one cache line a probe, ~0.1 % false positives) and keep every filter and
// index block pinned, not only level 0's; the others keep partitioned filters
// of 10 bits a key, or none, and RocksDB's fallback pinning (level 0 and the
// top levels).
TEST(RocksDbStore, LookedUpFamiliesHaveWholePinnedFilters) {
  TempDir dir;
  auto store = RocksDbStore::Open(Options(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().message();
  const RocksDbStore& s = **store;
  for (auto* cf : s.families()) {
    const auto* table =
        s.db()
            ->GetOptions(cf)
            .table_factory->GetOptions<rocksdb::BlockBasedTableOptions>();
    ASSERT_NE(table, nullptr) << cf->GetName();
    const bool looked_up = cf == s.head() || cf == s.dedup();
    const auto pinning = looked_up ? rocksdb::PinningTier::kAll
                                   : rocksdb::PinningTier::kFallback;
    EXPECT_EQ(table->metadata_cache_options.partition_pinning, pinning)
        << cf->GetName();
    EXPECT_EQ(table->metadata_cache_options.unpartitioned_pinning, pinning)
        << cf->GetName();
    EXPECT_TRUE(table->cache_index_and_filter_blocks) << cf->GetName();
    EXPECT_TRUE(table->pin_l0_filter_and_index_blocks_in_cache)
        << cf->GetName();
    const bool filtered =
        looked_up || cf == s.proj() || cf == s.checkpoint() || cf == s.meta();
    ASSERT_EQ(table->filter_policy != nullptr, filtered) << cf->GetName();
    if (!filtered) continue;
    EXPECT_EQ(table->partition_filters, !looked_up) << cf->GetName();
    // The policy's bits a key, as its options string spells them.
    const std::string policy = table->filter_policy->GetId();
    EXPECT_NE(policy.find(looked_up ? ":16" : ":10"), std::string::npos)
        << cf->GetName() << ": " << policy;
  }
}

}  // namespace
}  // namespace carelog::storage
