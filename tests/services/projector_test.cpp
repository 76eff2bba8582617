#include "services/projector.h"

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "gtest/gtest.h"
#include "services/metrics/metrics_projection.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog {
namespace {

using testing::Admitted;
using testing::MemoryEventLog;
using testing::Registered;

// A projection that counts the events it saw, in a row of its own.
class CountingProjection final : public Projection {
 public:
  explicit CountingProjection(uint32_t definition = 1)
      : definition_(definition) {}
  std::string_view Name() const override { return "counting"; }
  uint32_t Definition() const override { return definition_; }
  Status Load(storage::EventLog& log) override {
    auto row = log.GetProjectionRow(Name(), "n");
    if (!row.ok()) return row.status();
    committed = row->has_value() ? std::stoull(**row) : 0;
    return Status::Ok();
  }
  Status Apply(const LogEvent&, storage::ProjectionWrite&) override {
    ++pending;
    return Status::Ok();
  }
  Status FinishBatch(storage::ProjectionWrite& write) override {
    write.rows.push_back(
        {"counting", "n", std::to_string(committed + pending)});
    return Status::Ok();
  }
  void Commit(uint64_t) override {
    committed += pending;
    pending = 0;
  }
  void Abort() override { pending = 0; }
  void Reset() override { committed = pending = 0; }
  uint64_t committed = 0;
  uint64_t pending = 0;

 private:
  uint32_t definition_;
};

void AppendN(MemoryEventLog& log, int n, int first_person = 1000) {
  for (int i = 0; i < n; ++i) {
    log.AppendCare(
        std::to_string(first_person + i),
        Registered("2014-04-01T09:00:00Z", "1938-02-11", "E09000002"));
  }
}

TEST(ProjectionRunner, AppliesEachEventOnceAcrossRestarts) {
  MemoryEventLog log;
  AppendN(log, 5);
  {
    CountingProjection p;
    ProjectionRunner runner(log, {&p}, {.batch_events = 2});
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(runner.AppliedPosition(), 5u);
    EXPECT_EQ(p.committed, 5u);
  }
  AppendN(log, 3);
  CountingProjection p;
  ProjectionRunner runner(log, {&p});
  ASSERT_TRUE(runner.Open().ok());
  EXPECT_EQ(runner.AppliedPosition(), 5u);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(p.committed, 8u);
  auto row = log.GetProjectionRow("counting", "n");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ(**row, "8");
  EXPECT_EQ(*log.ProjectionCheckpoint("counting"), 8u);
}

// Rows written under another definition of the projection are dropped when the
// runner opens, and built again from the log; under the same one they stay.
TEST(ProjectionRunner, RowsOfAnotherDefinitionAreBuiltAgain) {
  MemoryEventLog log;
  AppendN(log, 4);
  std::vector<std::string> redefined;
  const ProjectorOptions options{
      .on_redefined = [&](std::string_view name, const std::string& stored) {
        redefined.push_back(std::string(name) + " " + stored);
      }};
  {
    CountingProjection p(1);
    ProjectionRunner runner(log, {&p}, options);
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
  }
  // A stale row the new definition would never write: it must go.
  ASSERT_TRUE(log.WriteProjections({{{"counting", "stale", "x"}}, {}}).ok());
  AppendN(log, 2, 2000);
  {
    CountingProjection same(1);
    ProjectionRunner runner(log, {&same}, options);
    ASSERT_TRUE(runner.Open().ok());
    EXPECT_EQ(runner.AppliedPosition(), 4u);
    EXPECT_EQ(same.committed, 4u);
    EXPECT_TRUE(redefined.empty());
    ASSERT_TRUE(runner.CatchUp().ok());
  }
  CountingProjection next(2);
  ProjectionRunner runner(log, {&next}, options);
  ASSERT_TRUE(runner.Open().ok());
  EXPECT_EQ(redefined, std::vector<std::string>{"counting 1"});
  EXPECT_EQ(runner.AppliedPosition(), 0u);
  EXPECT_EQ(next.committed, 0u);
  EXPECT_FALSE(log.GetProjectionRow("counting", "stale")->has_value());
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(next.committed, 6u);  // every event, once, under definition 2
  EXPECT_EQ(**log.GetProjectionRow("definitions", "counting"), "2");
}

// A store written before definitions were recorded: its projections are built
// again, once.
TEST(ProjectionRunner, RowsWithoutADefinitionAreBuiltAgainOnce) {
  MemoryEventLog log;
  AppendN(log, 3);
  storage::ProjectionWrite before;
  before.rows.push_back({"counting", "n", "3"});
  before.checkpoints.push_back({"counting", 3});
  ASSERT_TRUE(log.WriteProjections(before).ok());
  std::vector<std::string> redefined;
  const ProjectorOptions options{
      .on_redefined = [&](std::string_view name, const std::string& stored) {
        redefined.push_back(std::string(name) + " '" + stored + "'");
      }};
  for (int start = 0; start < 2; ++start) {
    CountingProjection p;
    ProjectionRunner runner(log, {&p}, options);
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(p.committed, 3u);
  }
  EXPECT_EQ(redefined, std::vector<std::string>{"counting ''"});
}

// A projection that writes the same key for every event of a batch, between
// rows of other keys.
class OverwritingProjection final : public Projection {
 public:
  std::string_view Name() const override { return "overwriting"; }
  Status Load(storage::EventLog&) override { return Status::Ok(); }
  Status Apply(const LogEvent& event,
               storage::ProjectionWrite& write) override {
    const std::string position = std::to_string(event.recorded().position);
    write.rows.push_back({"overwriting", "z" + position, position});
    write.rows.push_back({"overwriting", "last", position});
    return Status::Ok();
  }
  Status FinishBatch(storage::ProjectionWrite&) override {
    return Status::Ok();
  }
  void Commit(uint64_t) override {}
  void Abort() override {}
  void Reset() override {}
};

// The runner writes a batch's rows in key order; a key written twice in a
// batch keeps its last value.
TEST(ProjectionRunner, AKeyWrittenTwiceInABatchKeepsItsLastValue) {
  MemoryEventLog log;
  AppendN(log, 300);
  OverwritingProjection p;
  ProjectionRunner runner(log, {&p}, {.batch_events = 300});
  ASSERT_TRUE(runner.Open().ok());
  ASSERT_TRUE(runner.CatchUp().ok());
  auto row = log.GetProjectionRow("overwriting", "last");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ(**row, "300");
  row = log.GetProjectionRow("overwriting", "z7");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ(**row, "7");
}

// A failed write applies nothing: the checkpoint and the rows stay, and the
// events are applied on the next attempt.
TEST(ProjectionRunner, FailedWriteAppliesNothing) {
  MemoryEventLog log;
  AppendN(log, 4);
  CountingProjection p;
  ProjectionRunner runner(log, {&p});
  ASSERT_TRUE(runner.Open().ok());
  log.FailNextProjectionWrite();
  EXPECT_FALSE(runner.CatchUp().ok());
  EXPECT_EQ(runner.AppliedPosition(), 0u);
  EXPECT_EQ(p.committed, 0u);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(p.committed, 4u);
}

// The follower stops at a write it cannot make and says so once, with the
// position it had applied (serve prints it for the operator).
TEST(ProjectionRunner, FollowerReportsTheErrorThatStopsIt) {
  MemoryEventLog log;
  AppendN(log, 3);
  CountingProjection p;
  std::promise<std::pair<std::string, uint64_t>> reported;
  int calls = 0;
  ProjectorOptions options;
  options.on_stopped = [&](const Status& s, uint64_t applied) {
    if (calls++ == 0) reported.set_value({s.message(), applied});
  };
  {
    ProjectionRunner runner(log, {&p}, options);
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
    AppendN(log, 2, 2000);
    log.FailNextProjectionWrite();
    runner.Start();
    auto future = reported.get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(10)),
              std::future_status::ready);
    const auto [message, applied] = future.get();
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(applied, 3u);
    EXPECT_FALSE(runner.LastError().ok());
    EXPECT_EQ(runner.AppliedPosition(), 3u);
  }
  EXPECT_EQ(calls, 1);  // stopping it afterwards is no second report
}

// A projection added later catches up on its own while the others skip what
// they have seen.
TEST(ProjectionRunner, NewProjectionCatchesUp) {
  MemoryEventLog log;
  AppendN(log, 3);
  CountingProjection first;
  {
    ProjectionRunner runner(log, {&first});
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
  }
  CountingProjection again;
  metrics::MetricsProjection cells;
  ProjectionRunner runner(log, {&again, &cells});
  ASSERT_TRUE(runner.Open().ok());
  EXPECT_EQ(runner.AppliedPosition(), 0u);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(again.committed, 3u);  // loaded 3, applied nothing twice
  EXPECT_EQ(runner.AppliedPosition(), 3u);
}

// The follower applies appends promptly once notified; WaitForPosition returns
// when they are in, and times out for a position that does not exist.
TEST(ProjectionRunner, FollowerAndReadYourWrites) {
  MemoryEventLog log;
  CountingProjection p;
  ProjectionRunner runner(
      log, {&p}, {.batch_events = 100, .idle_wait = std::chrono::seconds(5)});
  ASSERT_TRUE(runner.Open().ok());
  runner.Start();
  AppendN(log, 3);
  runner.Notify();
  EXPECT_TRUE(runner.WaitForPosition(3, std::chrono::seconds(5)));
  EXPECT_FALSE(runner.WaitForPosition(10, std::chrono::milliseconds(50)));
  runner.Stop();
  EXPECT_EQ(p.committed, 3u);
}

// A projection whose first Apply waits until the test opens the gate.
class GatedProjection final : public Projection {
 public:
  std::string_view Name() const override { return "gated"; }
  Status Load(storage::EventLog&) override { return Status::Ok(); }
  Status Apply(const LogEvent&, storage::ProjectionWrite&) override {
    if (!gated_) {
      gated_ = true;
      entered.set_value();
      gate.get_future().wait();
    }
    return Status::Ok();
  }
  Status FinishBatch(storage::ProjectionWrite&) override {
    return Status::Ok();
  }
  void Commit(uint64_t) override {}
  void Abort() override {}
  void Reset() override {}
  std::promise<void> entered;  // set once the first Apply is under way
  std::promise<void> gate;     // the first Apply returns once this is set

 private:
  bool gated_ = false;
};

// After a batch that was not full the follower lets events gather for its
// idle wait instead of reading again at once (fewer, larger batches); a
// reader waiting for a position it has not applied wakes it.
TEST(ProjectionRunner, PartialBatchesGatherUntilAReaderWaits) {
  MemoryEventLog log;
  GatedProjection p;
  ProjectionRunner runner(
      log, {&p}, {.batch_events = 100, .idle_wait = std::chrono::seconds(30)});
  ASSERT_TRUE(runner.Open().ok());
  // Appended before the start, so the follower's first batch takes them with
  // no Notify: one arriving while that batch ran would wake it again at once.
  AppendN(log, 3);
  runner.Start();
  p.entered.get_future().wait();  // the follower is in its batch of 3
  AppendN(log, 2, 2000);
  p.gate.set_value();
  // The batch of 3 commits (however slow the machine), then 4 and 5 wait for
  // the next batch.
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       runner.AppliedPosition() < 3 &&
       std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(runner.AppliedPosition(), 3u);
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_TRUE(runner.WaitForPosition(5, std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(2));
  runner.Stop();
}

// Polls (without waking the follower, as WaitForPosition would) until it has
// applied `position` or `limit` has passed.
bool AppliedWithin(const ProjectionRunner& runner, uint64_t position,
                   std::chrono::milliseconds limit) {
  for (auto until = std::chrono::steady_clock::now() + limit;
       runner.AppliedPosition() < position;) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// While following, fewer than follow_batch_events waiting are left to gather
// (each look of the follower finds too few and waits again) until
// follow_delay after its last batch; as many as that are applied at its next
// look, and a reader waiting for a position wakes it at once.
TEST(ProjectionRunner, FollowerGathersAMinimumBatch) {
  MemoryEventLog log;
  CountingProjection p;
  ProjectionRunner runner(log, {&p},
                          {.batch_events = 100,
                           .idle_wait = std::chrono::milliseconds(10),
                           .follow_batch_events = 5,
                           .follow_delay = std::chrono::seconds(60)});
  ASSERT_TRUE(runner.Open().ok());
  AppendN(log,
          1);  // the first batch (see PartialBatchesGatherUntilAReaderWaits)
  runner.Start();
  ASSERT_TRUE(AppliedWithin(runner, 1, std::chrono::seconds(20)));
  AppendN(log, 4, 2000);
  // Dozens of looks, each finding 4 < 5 waiting.
  EXPECT_FALSE(AppliedWithin(runner, 2, std::chrono::milliseconds(500)));
  AppendN(log, 1, 3000);
  EXPECT_TRUE(AppliedWithin(runner, 6, std::chrono::seconds(20)));
  AppendN(log, 2, 4000);
  EXPECT_FALSE(AppliedWithin(runner, 7, std::chrono::milliseconds(300)));
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_TRUE(runner.WaitForPosition(8, std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(2));
  runner.Stop();
  EXPECT_EQ(p.committed, 8u);
}

// Fewer than follow_batch_events are applied follow_delay after the last
// batch: the projections' lag settles when writes stop.
TEST(ProjectionRunner, FollowerAppliesAPartialBatchAfterItsDelay) {
  MemoryEventLog log;
  CountingProjection p;
  ProjectionRunner runner(log, {&p},
                          {.batch_events = 100,
                           .idle_wait = std::chrono::milliseconds(10),
                           .follow_batch_events = 1000,
                           .follow_delay = std::chrono::milliseconds(400)});
  ASSERT_TRUE(runner.Open().ok());
  AppendN(log, 1);  // the first batch: the delay counts from its end
  runner.Start();
  ASSERT_TRUE(AppliedWithin(runner, 1, std::chrono::seconds(20)));
  // Seen up to a poll (5 ms) after the batch ended; the follower looks every
  // idle_wait (10 ms), far below the delay it must wait.
  const auto applied = std::chrono::steady_clock::now();
  AppendN(log, 3, 2000);
  EXPECT_TRUE(AppliedWithin(runner, 4, std::chrono::seconds(20)));
  EXPECT_GE(std::chrono::steady_clock::now() - applied,
            std::chrono::milliseconds(350));
  runner.Stop();
  EXPECT_EQ(p.committed, 4u);
}

TEST(ProjectionRunner, RebuildReportsProgress) {
  MemoryEventLog log;
  AppendN(log, 7);
  CountingProjection p;
  ProjectionRunner runner(log, {&p}, {.batch_events = 3});
  ASSERT_TRUE(runner.Open().ok());
  ASSERT_TRUE(runner.CatchUp().ok());
  std::vector<uint64_t> seen;
  ASSERT_TRUE(
      runner
          .Rebuild([&](uint64_t applied, uint64_t) { seen.push_back(applied); })
          .ok());
  EXPECT_EQ(p.committed, 7u);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 7u);
}

// A rebuild whose read of the log fails part way fails with the read's
// error, and leaves the metrics with no checkpoint and no rows (nothing
// half-built passes for complete); the next rebuild completes.
TEST(ProjectionRunner, RebuildFailingToReadLeavesNothingHalfBuilt) {
  MemoryEventLog log;
  for (int i = 0; i < 30; ++i) {
    log.AppendCare(std::to_string(9000000000LL + i % 11),
                   i % 11 == i ? Registered("2014-04-01T09:00:00Z",
                                            "1938-02-11", "E09000002")
                               : Admitted("2014-05-01T09:00:00Z", "S1"));
  }
  metrics::MetricsProjection metrics;
  ProjectionRunner runner(log, {&metrics}, {.build_threads = 1});
  ASSERT_TRUE(runner.Open().ok());
  ASSERT_TRUE(runner.CatchUp().ok());
  ASSERT_GT(log.ProjectionRowCount("metrics"), 0u);
  log.fail_read_all_in = 16 + 1;  // after the estimate's samples
  Status s = runner.Rebuild([](uint64_t, uint64_t) {});
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_EQ(s.message(), "cannot read position 1");
  EXPECT_EQ(*log.ProjectionCheckpoint("metrics"), 0u);
  EXPECT_EQ(log.ProjectionRowCount("metrics"), 0u);
  EXPECT_EQ(metrics.AppliedPosition(), 0u);
  ASSERT_TRUE(runner.Rebuild([](uint64_t, uint64_t) {}).ok());
  EXPECT_EQ(*log.ProjectionCheckpoint("metrics"), 30u);
  EXPECT_GT(log.ProjectionRowCount("metrics"), 0u);
}

// The metric projection over the real RocksDB log: applied, closed, reopened
// without replay.
TEST(ProjectionRunner, MetricsOverRocksDbSurviveReopen) {
  auto dir = std::filesystem::temp_directory_path() /
             ("carelog-projector-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  storage::OpenOptions options;
  options.path = dir.string();
  auto append = [](storage::EventLog& log, const schema::CareEvent& e) {
    storage::AppendRequest r;
    r.stream = "person-9434765919";
    r.events.push_back(
        {e.event_id(), "carelog.schema.CareEvent", e.SerializeAsString()});
    r.recorded_by = "test";
    ASSERT_TRUE(log.Append(std::move(r)).ok());
  };
  {
    auto log = storage::OpenRocksDbEventLog(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    append(**log,
           Registered("2014-04-01T09:00:00+01:00", "1938-02-11", "E09000002"));
    append(**log, Admitted("2014-04-05T10:00:00+01:00", "S1"));
    metrics::MetricsProjection cells;
    ProjectionRunner runner(**log, {&cells});
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(cells.AreaCells("E09000002").at("nea|2014-04"), 1);
  }
  {
    auto log = storage::OpenRocksDbEventLog(options);
    ASSERT_TRUE(log.ok());
    metrics::MetricsProjection cells;
    ProjectionRunner runner(**log, {&cells});
    ASSERT_TRUE(runner.Open().ok());
    EXPECT_EQ(runner.AppliedPosition(), 2u);
    EXPECT_EQ(cells.AreaCells("E09000002").at("nea|2014-04"), 1);
    auto as_of = cells.AreaCellsAsOf("E09000002", 1);
    ASSERT_TRUE(as_of.ok());
    EXPECT_EQ(as_of->count("nea|2014-04"), 0u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace carelog
