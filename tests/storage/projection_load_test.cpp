// EventLog::LoadProjection on the RocksDB store: rows written as table files
// and added at once, in key order only, landing below everything else of the
// projection's key range so that no compaction rewrites them.
#include <gtest/gtest.h>
#include <rocksdb/metadata.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "storage/keys.h"
#include "storage/rocksdb_event_log.h"
#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::Options;
using testing::TempDir;
namespace fs = std::filesystem;

std::unique_ptr<RocksDbEventLog> OpenLog(const std::string& path,
                                         uint64_t load_file_bytes = 0) {
  OpenOptions options = Options(path);
  options.load_file_bytes = load_file_bytes;
  auto log = RocksDbEventLog::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().message();
  return log.ok() ? std::move(*log) : nullptr;
}

std::map<std::string, std::string> Rows(EventLog& log,
                                        std::string_view projection) {
  std::map<std::string, std::string> rows;
  Status s = log.ScanProjection(projection, "",
                                [&](std::string_view k, std::string_view v) {
                                  rows.emplace(k, v);
                                  return true;
                                });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return rows;
}

std::string Key(int i) { return "d|" + std::to_string(100000 + i); }

// Table files of the proj family holding keys of `projection`, by level.
std::map<int, int> FilesByLevel(RocksDbEventLog& log,
                                std::string_view projection) {
  rocksdb::ColumnFamilyMetaData meta;
  log.store().db()->GetColumnFamilyMetaData(log.store().proj(), &meta);
  const std::string from = keys::StreamPrefix(projection);
  const std::string to = keys::StreamEnd(projection);
  std::map<int, int> files;
  for (const auto& level : meta.levels) {
    for (const auto& file : level.files) {
      if (file.largestkey < from || file.smallestkey >= to) continue;
      ++files[level.level];
    }
  }
  return files;
}

int BottomLevel(RocksDbEventLog& log) {
  rocksdb::ColumnFamilyMetaData meta;
  log.store().db()->GetColumnFamilyMetaData(log.store().proj(), &meta);
  return static_cast<int>(meta.levels.size()) - 1;
}

// A dropped projection loaded again: every row readable, in several files
// (files of ~4 KB here), all of them in the bottom level although the drop's
// range tombstone and the old rows were still above; other projections keep
// their rows; the rows stay after reopening; the load's directory is gone.
TEST(ProjectionLoad, RowsLandInTheBottomLevelOfADroppedProjection) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  std::map<std::string, std::string> want;
  {
    auto log = OpenLog(path, 4096);
    ProjectionWrite old;
    for (int i = 0; i < 500; i += 3)
      old.rows.push_back({"metrics", Key(i), std::string("old")});
    old.rows.push_back({"metrics", "z|stale", std::string("gone")});
    old.rows.push_back({"plans", "a|1", std::string("kept")});
    old.checkpoints = {{"metrics", 9}};
    ASSERT_TRUE(log->WriteProjections(old).ok());
    ASSERT_TRUE(log->DropProjection("metrics").ok());

    auto load = log->LoadProjection("metrics");
    ASSERT_TRUE(load.ok()) << load.status().message();
    for (int i = 0; i < 2000; ++i) {
      want[Key(i)] = std::string(100, static_cast<char>('a' + i % 26));
      ASSERT_TRUE((*load)->Add(Key(i), want[Key(i)]).ok());
    }
    // Nothing is added before Finish.
    EXPECT_TRUE(Rows(*log, "metrics").empty());
    ASSERT_TRUE((*load)->Finish().ok());
    EXPECT_EQ(Rows(*log, "metrics"), want);
    EXPECT_EQ(**log->GetProjectionRow("metrics", Key(1234)), want[Key(1234)]);
    EXPECT_EQ(**log->GetProjectionRow("plans", "a|1"), "kept");
    EXPECT_EQ(*log->ProjectionCheckpoint("metrics"), 0u);  // the caller's

    const auto files = FilesByLevel(*log, "metrics");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files.begin()->first, BottomLevel(*log));
    EXPECT_GT(files.begin()->second, 5);  // 2000 rows of ~110 bytes, 4 KB each
    EXPECT_FALSE(fs::exists(path + "/projection-load/metrics"));
    // A compaction of the projection leaves them where they are.
    ASSERT_TRUE(log->CompactProjection("metrics").ok());
    EXPECT_EQ(FilesByLevel(*log, "metrics"), files);
  }
  auto reopened = OpenLog(path);
  EXPECT_EQ(Rows(*reopened, "metrics"), want);
}

// Keys out of order are refused, within a file and across files, and a load
// never finished adds nothing and leaves no file behind.
TEST(ProjectionLoad, OutOfOrderIsRefusedAndAnUnfinishedLoadAddsNothing) {
  TempDir dir;
  auto log = OpenLog(dir.path() + "/store", 1024);
  {
    auto load = log->LoadProjection("metrics");
    ASSERT_TRUE(load.ok());
    ASSERT_TRUE((*load)->Add("b", "1").ok());
    Status same = (*load)->Add("b", "2");
    EXPECT_EQ(same.code(), Code::kInvalidArgument);
    EXPECT_NE(same.message().find("out of key order"), std::string::npos);
    EXPECT_EQ((*load)->Add("a", "2").code(), Code::kInvalidArgument);
  }
  {
    auto load = log->LoadProjection("metrics");
    ASSERT_TRUE(load.ok());
    // Rows of 300 bytes: a file closes after every few; the next file's first
    // key is checked against the last file's last.
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE((*load)->Add(Key(i * 2), std::string(300, 'x')).ok());
    EXPECT_EQ((*load)->Add(Key(1), "late").code(), Code::kInvalidArgument);
    EXPECT_TRUE(fs::exists(dir.path() + "/store/projection-load/metrics"));
  }
  EXPECT_FALSE(fs::exists(dir.path() + "/store/projection-load/metrics"));
  EXPECT_TRUE(Rows(*log, "metrics").empty());
  EXPECT_EQ(
      log->LoadProjection(std::string_view("bad\0name", 8)).status().code(),
      Code::kInvalidArgument);
}

// A load over rows the projection still holds: loaded keys replace theirs,
// the others stay.
TEST(ProjectionLoad, LoadedRowsReplaceRowsOfTheSameKey) {
  TempDir dir;
  auto log = OpenLog(dir.path() + "/store");
  ProjectionWrite before;
  before.rows = {{"metrics", "a", std::string("old a")},
                 {"metrics", "c", std::string("old c")}};
  ASSERT_TRUE(log->WriteProjections(before).ok());
  auto load = log->LoadProjection("metrics");
  ASSERT_TRUE(load.ok());
  ASSERT_TRUE((*load)->Add("a", "new a").ok());
  ASSERT_TRUE((*load)->Add("b", "new b").ok());
  ASSERT_TRUE((*load)->Finish().ok());
  EXPECT_EQ((*load)->Add("d", "after").code(), Code::kInternal);
  EXPECT_EQ(Rows(*log, "metrics"),
            (std::map<std::string, std::string>{
                {"a", "new a"}, {"b", "new b"}, {"c", "old c"}}));
}

// What a load cut short by a crash leaves in its directory is removed when
// the store opens.
TEST(ProjectionLoad, OpeningRemovesFilesOfALoadCutShort) {
  TempDir dir;
  const std::string path = dir.path() + "/store";
  OpenLog(path).reset();
  fs::create_directories(path + "/projection-load/metrics");
  { std::ofstream(path + "/projection-load/metrics/0.sst") << "partial"; }
  auto log = OpenLog(path);
  EXPECT_FALSE(fs::exists(path + "/projection-load"));
}

}  // namespace
}  // namespace carelog::storage
