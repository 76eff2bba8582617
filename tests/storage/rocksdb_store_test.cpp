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

}  // namespace
}  // namespace carelog::storage
