#include <gtest/gtest.h>

#include <map>

#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::MustOpen;
using testing::Options;
using testing::TempDir;

std::map<std::string, std::string> Scan(EventLog& log,
                                        std::string_view projection,
                                        std::string_view prefix) {
  std::map<std::string, std::string> rows;
  Status s = log.ScanProjection(projection, prefix,
                                [&](std::string_view k, std::string_view v) {
                                  rows.emplace(k, v);
                                  return true;
                                });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return rows;
}

ProjectionWrite::Row Row(std::string p, std::string k,
                         std::optional<std::string> v) {
  return {std::move(p), std::move(k), std::move(v)};
}

TEST(Projections, WriteScanCheckpoint) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  EXPECT_EQ(*log->ProjectionCheckpoint("worklist"), 0u);
  ProjectionWrite w;
  w.rows = {Row("worklist", "a|1", "one"), Row("worklist", "a|2", "two"),
            Row("worklist", "b|1", "three"),
            Row("worklist2", "a|9", "other projection"),
            Row("work", "a|0", "shorter name")};
  w.checkpoints = {{"worklist", 7}, {"worklist2", 3}};
  ASSERT_TRUE(log->WriteProjections(w).ok());
  EXPECT_EQ(*log->ProjectionCheckpoint("worklist"), 7u);
  EXPECT_EQ(*log->ProjectionCheckpoint("worklist2"), 3u);
  EXPECT_EQ(**log->GetProjectionRow("worklist", "a|2"), "two");
  EXPECT_FALSE(log->GetProjectionRow("worklist", "a|3")->has_value());

  auto a = Scan(*log, "worklist", "a|");
  EXPECT_EQ(
      a, (std::map<std::string, std::string>{{"a|1", "one"}, {"a|2", "two"}}));
  EXPECT_EQ(Scan(*log, "worklist", "").size(), 3u);
  EXPECT_EQ(Scan(*log, "work", "").size(), 1u);

  // Early stop.
  int calls = 0;
  ASSERT_TRUE(log->ScanProjection("worklist", "",
                                  [&](std::string_view, std::string_view) {
                                    ++calls;
                                    return false;
                                  })
                  .ok());
  EXPECT_EQ(calls, 1);

  // Deleting a row and moving the checkpoint in one write.
  ProjectionWrite del;
  del.rows = {Row("worklist", "a|1", std::nullopt)};
  del.checkpoints = {{"worklist", 8}};
  ASSERT_TRUE(log->WriteProjections(del).ok());
  EXPECT_FALSE(log->GetProjectionRow("worklist", "a|1")->has_value());
  EXPECT_EQ(*log->ProjectionCheckpoint("worklist"), 8u);

  log.reset();
  log = MustOpen(Options(dir.path()));
  EXPECT_EQ(*log->ProjectionCheckpoint("worklist"), 8u);
  EXPECT_EQ(Scan(*log, "worklist", "").size(), 2u);
}

TEST(Projections, RefusedWriteChangesNothing) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  ProjectionWrite w;
  w.rows = {Row("p", "k", "v"), Row(std::string("bad\0name", 8), "k", "v")};
  w.checkpoints = {{"p", 5}};
  EXPECT_EQ(log->WriteProjections(w).code(), Code::kInvalidArgument);
  EXPECT_FALSE(log->GetProjectionRow("p", "k")->has_value());
  EXPECT_EQ(*log->ProjectionCheckpoint("p"), 0u);
}

TEST(Projections, DropRemovesRowsAndCheckpointOfThatProjectionOnly) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  ProjectionWrite w;
  for (int i = 0; i < 100; ++i)
    w.rows.push_back(Row("metrics", std::to_string(i), "x"));
  w.rows.push_back(Row("metrics2", "k", "kept"));
  w.checkpoints = {{"metrics", 100}, {"metrics2", 4}};
  ASSERT_TRUE(log->WriteProjections(w).ok());
  ASSERT_TRUE(log->DropProjection("metrics").ok());
  EXPECT_TRUE(Scan(*log, "metrics", "").empty());
  EXPECT_EQ(*log->ProjectionCheckpoint("metrics"), 0u);
  EXPECT_EQ(Scan(*log, "metrics2", "").size(), 1u);
  EXPECT_EQ(*log->ProjectionCheckpoint("metrics2"), 4u);
  // Replaying after a drop writes afresh.
  ProjectionWrite again;
  again.rows = {Row("metrics", "1", "y")};
  again.checkpoints = {{"metrics", 1}};
  ASSERT_TRUE(log->WriteProjections(again).ok());
  EXPECT_EQ(Scan(*log, "metrics", ""),
            (std::map<std::string, std::string>{{"1", "y"}}));
}

// Compacting after a bulk build changes no row: not those of the projection,
// not those it dropped before, not another projection's; a bad name is refused.
TEST(Projections, CompactKeepsEveryRowAndCheckpoint) {
  TempDir dir;
  std::map<std::string, std::string> want;
  {
    auto log = MustOpen(Options(dir.path()));
    ProjectionWrite old;
    for (int i = 0; i < 500; ++i)
      old.rows.push_back(Row("metrics", "old" + std::to_string(i), "x"));
    old.checkpoints = {{"metrics", 500}};
    ASSERT_TRUE(log->WriteProjections(old).ok());
    ASSERT_TRUE(log->DropProjection("metrics").ok());
    for (int batch = 0; batch < 5; ++batch) {
      ProjectionWrite w;
      for (int i = 0; i < 1000; ++i) {
        std::string key = "d|" + std::to_string(batch * 1000 + i);
        std::string value(100, static_cast<char>('a' + batch));
        want[key] = value;
        w.rows.push_back(Row("metrics", key, value));
      }
      w.rows.push_back(Row("worklists", "k" + std::to_string(batch), "w"));
      w.checkpoints = {{"metrics", 0}, {"worklists", 10u + batch}};
      ASSERT_TRUE(log->WriteProjections(w).ok());
    }
    ProjectionWrite last;
    last.checkpoints = {{"metrics", 5000}};
    ASSERT_TRUE(log->WriteProjections(last).ok());
    ASSERT_TRUE(log->CompactProjection("metrics").ok());
    EXPECT_EQ(log->CompactProjection(std::string("bad\0name", 8)).code(),
              Code::kInvalidArgument);
    EXPECT_EQ(Scan(*log, "metrics", ""), want);
  }
  auto log = MustOpen(Options(dir.path()));
  EXPECT_EQ(Scan(*log, "metrics", ""), want);
  EXPECT_EQ(*log->ProjectionCheckpoint("metrics"), 5000u);
  EXPECT_EQ(Scan(*log, "worklists", "").size(), 5u);
  EXPECT_EQ(*log->ProjectionCheckpoint("worklists"), 14u);
}

}  // namespace
}  // namespace carelog::storage
