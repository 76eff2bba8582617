// Online checkpoints of the event log and the offline verifier of
// storage/backup.h.
#include "storage/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::Event;
using testing::MustOpen;
using testing::Options;
using testing::Request;
using testing::TempDir;

bool HasProblemContaining(const StoreReport& report, const std::string& text) {
  for (const auto& p : report.problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Backup, CheckpointsTakenDuringAppendsAreConsistentPrefixes) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path() + "/store"));
  ASSERT_NE(log, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string id =
            "w" + std::to_string(w) + "-" + std::to_string(i);
        auto r = log->Append(Request("s" + std::to_string(w * 100 + i % 7),
                                     ExpectedVersion::Any(),
                                     {Event(id + "a"), Event(id + "b")}));
        if (!r.ok()) ++failures;
        if (i % 3 == 0 && !log->AppendAudit("s", "entry " + id).ok())
          ++failures;
      }
    });
  }
  std::vector<uint64_t> before;
  for (int c = 0; c < 3; ++c) {
    while (log->LastPosition() < 40u * (c + 1)) std::this_thread::yield();
    before.push_back(log->LastPosition());
    Status s =
        CheckpointEventLog(*log, dir.path() + "/backup" + std::to_string(c));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);

  for (int c = 0; c < 3; ++c) {
    const std::string backup = dir.path() + "/backup" + std::to_string(c);
    auto report = VerifyStoreAt(backup);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->problems.empty()) << report->problems.front();
    EXPECT_GE(report->last_position, before[c]);
    // Every event in the backup is the live log's event at that position.
    auto copy = MustOpen(Options(backup));
    ASSERT_NE(copy, nullptr);
    auto mine = copy->ReadAll(1, 100000);
    auto live = log->ReadAll(1, report->last_position);
    ASSERT_TRUE(mine.ok() && live.ok());
    ASSERT_EQ(mine->size(), report->last_position);
    for (size_t i = 0; i < mine->size(); ++i) {
      EXPECT_EQ((*mine)[i].event_id, (*live)[i].event_id);
      EXPECT_EQ((*mine)[i].content_hash, (*live)[i].content_hash);
    }
  }
}

TEST(Backup, RefusesAnExistingDirectory) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path() + "/store"));
  ASSERT_NE(log, nullptr);
  std::filesystem::create_directories(dir.path() + "/taken");
  EXPECT_EQ(CheckpointEventLog(*log, dir.path() + "/taken").code(),
            Code::kInvalidArgument);
}

TEST(VerifyStoreAt, NoStoreIsNotFound) {
  TempDir dir;
  EXPECT_EQ(VerifyStoreAt(dir.path()).status().code(), Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/CURRENT"));
}

TEST(VerifyStoreAt, ReportsEachDamagedPartOnItsOwnLine) {
  TempDir dir;
  std::string head_before;
  {
    auto log = MustOpen(Options(dir.path()));
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(log->Append(Request("p", ExpectedVersion::Any(),
                                      {Event("e" + std::to_string(i))}))
                      .ok());
      ASSERT_TRUE(log->AppendAudit("p", "read " + std::to_string(i)).ok());
    }
  }
  auto sound = VerifyStoreAt(dir.path());
  ASSERT_TRUE(sound.ok());
  EXPECT_TRUE(sound->problems.empty());
  EXPECT_EQ(sound->last_position, 5u);
  EXPECT_EQ(sound->audit_entries, 5u);
  EXPECT_EQ(sound->audit_head_hash.size(), 64u);
  {
    // Raw RocksDB: rewrite audit entry 2 and drop the dedup entry of e3.
    auto store = RocksDbStore::Open(Options(dir.path()));
    ASSERT_TRUE(store.ok());
    auto value = (*store)->Get((*store)->audit(), keys::EncodeU64(2));
    ASSERT_TRUE(value.ok() && value->has_value());
    std::string tampered = **value;
    const size_t at = tampered.find("read 1");
    ASSERT_NE(at, std::string::npos);
    tampered.replace(at, 6, "read X");
    auto* db = (*store)->db();
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), (*store)->audit(),
                        keys::EncodeU64(2), tampered)
                    .ok());
    ASSERT_TRUE(
        db->Delete(rocksdb::WriteOptions(), (*store)->dedup(), "e3").ok());
  }
  auto damaged = VerifyStoreAt(dir.path());
  ASSERT_TRUE(damaged.ok()) << damaged.status().ToString();
  EXPECT_GE(damaged->problems.size(), 2u);
  EXPECT_TRUE(
      HasProblemContaining(*damaged, "audit entry 3 breaks the hash chain"));
  EXPECT_TRUE(HasProblemContaining(*damaged, "dedup"));
}

TEST(VerifyStoreAt, RewrittenLastAuditEntryChangesTheReportedHead) {
  // The chain cannot see an edit of its newest entry; the head hash that
  // verify prints (and an operator records) does.
  TempDir dir;
  {
    auto log = MustOpen(Options(dir.path()));
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(log->AppendAudit("p", "read " + std::to_string(i)).ok());
  }
  auto before = VerifyStoreAt(dir.path());
  ASSERT_TRUE(before.ok());
  {
    auto store = RocksDbStore::Open(Options(dir.path()));
    ASSERT_TRUE(store.ok());
    auto value = (*store)->Get((*store)->audit(), keys::EncodeU64(3));
    ASSERT_TRUE(value.ok() && value->has_value());
    std::string tampered = **value;
    tampered.replace(tampered.find("read 2"), 6, "read Y");
    ASSERT_TRUE((*store)
                    ->db()
                    ->Put(rocksdb::WriteOptions(), (*store)->audit(),
                          keys::EncodeU64(3), tampered)
                    .ok());
  }
  auto after = VerifyStoreAt(dir.path());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->audit_entries, 3u);
  EXPECT_NE(after->audit_head_hash, before->audit_head_hash);
  auto anchored =
      VerifyStoreAt(dir.path(), AuditAnchor{3, before->audit_head_hash});
  ASSERT_TRUE(anchored.ok());
  EXPECT_TRUE(HasProblemContaining(*anchored, "audit entry 3 no longer has"));
  auto cut = VerifyStoreAt(dir.path(), AuditAnchor{4, before->audit_head_hash});
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(HasProblemContaining(*cut, "the trail was cut"));
}

}  // namespace
}  // namespace carelog::storage
