// The audit trail of RocksDbEventLog: append-only, indexed by subject,
// hash-chained.
#include <gtest/gtest.h>

#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::MustOpen;
using testing::Options;
using testing::TempDir;

TEST(Audit, AppendAndReadBySubject) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  EXPECT_EQ(*log->AppendAudit("9434765919", "read by alice"), 1u);
  EXPECT_EQ(*log->AppendAudit("9434765870", "read by bob"), 2u);
  EXPECT_EQ(*log->AppendAudit("9434765919", "written by carol"), 3u);
  auto entries = log->ReadAudit("9434765919", 0, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0],
            (std::pair<uint64_t, std::string>{1, "read by alice"}));
  EXPECT_EQ((*entries)[1],
            (std::pair<uint64_t, std::string>{3, "written by carol"}));
  EXPECT_EQ(log->ReadAudit("9434765919", 1, 10)->size(), 1u);
  EXPECT_EQ(log->ReadAudit("9434765919", 0, 1)->size(), 1u);
  EXPECT_TRUE(log->ReadAudit("943476591", 0, 10)->empty());
  EXPECT_EQ(log->AppendAudit("", "x").status().code(), Code::kInvalidArgument);
  log.reset();
  log = MustOpen(Options(dir.path()));
  EXPECT_EQ(*log->AppendAudit("9434765919", "after reopen"), 4u);
  EXPECT_EQ(log->ReadAudit("9434765919", 0, 10)->size(), 3u);
  Status full = log->VerifyFull();
  EXPECT_TRUE(full.ok()) << full.ToString();
}

TEST(Audit, RewrittenEntryBreaksTheChain) {
  TempDir dir;
  {
    auto log = MustOpen(Options(dir.path()));
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(log->AppendAudit("s", "entry " + std::to_string(i)).ok());
  }
  {
    auto store = RocksDbStore::Open(Options(dir.path()));
    ASSERT_TRUE(store.ok());
    auto value = (*store)->Get((*store)->audit(), keys::EncodeU64(2));
    ASSERT_TRUE(value.ok() && value->has_value());
    std::string tampered = **value;
    tampered[tampered.size() / 2] ^= 1;
    ASSERT_TRUE((*store)
                    ->db()
                    ->Put(rocksdb::WriteOptions(), (*store)->audit(),
                          keys::EncodeU64(2), tampered)
                    .ok());
  }
  auto log = MustOpen(Options(dir.path()));  // the tail of the chain is intact
  Status full = log->VerifyFull();
  EXPECT_EQ(full.code(), Code::kCorruption) << full.ToString();
}

}  // namespace
}  // namespace carelog::storage
