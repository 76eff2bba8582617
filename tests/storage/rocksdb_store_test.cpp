// The database's column families as the store hands them out.
#include "storage/rocksdb_store.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace carelog::storage
