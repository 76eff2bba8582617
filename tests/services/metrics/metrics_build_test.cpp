// The fast build of empty projections (ProjectionRunner's build_empty: the
// metrics, plans and worklists built stream by stream, services/stream_build.h)
// writes exactly the rows that applying the log in order writes -- every
// projection, every row, byte for byte -- on two synthetic boroughs with late
// and retracted events and residents moving between them; also when the log was
// partly applied before, and after a build that was interrupted.
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>

#include "gtest/gtest.h"
#include "services/metrics/contribution.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/plan_history.h"
#include "services/synthetic_area.h"
#include "services/worklists.h"
#include "tests/services/instants.h"
#include "tests/services/memory_event_log.h"
#include "tests/services/metrics/metrics_harness.h"
#include "tests/services/projection_rows.h"
#include "tests/storage/test_log.h"

namespace carelog::testing {
namespace {

using Rows = ProjectionRows;

constexpr uint64_t kBucket = 64;  // small buckets: many snapshots

struct Step {
  std::string nhs;
  Instant recorded_at;
  schema::CareEvent event;
};

// People of the first borough whose spell's admission or package's start is
// retracted under what stood on it (held by the worklists for it), some with
// the start recorded again before it (brought back) or after it (not).
void AddOrphans(std::vector<Step>& steps) {
  using schema::Destination;
  const char* area = "E09000002";
  for (int p = 0; p < 4; ++p) {
    const std::string nhs = "99950000" + std::to_string(10 + p);
    Instant recorded = At("2015-01-01T10:00:00Z") + p * metrics::kMicrosPerDay;
    auto add = [&](const schema::CareEvent& e) {
      recorded += 7 * metrics::kMicrosPerDay;
      steps.push_back({nhs, recorded, e});
    };
    add(Registered("2014-12-01T10:00:00Z", "1940-01-01", area));
    const schema::CareEvent admitted = Admitted("2015-01-05T10:00:00Z", "S1");
    add(admitted);
    if (p == 3) {
      add(Discharged("2015-01-08T10:00:00Z", "S1", Destination::REABLEMENT));
    } else {
      add(Ready("2015-01-06T10:00:00Z", "S1"));
    }
    const schema::CareEvent package =
        PackageStarted("2015-01-02T10:00:00Z", "P1", p == 2);
    add(package);
    add(Professional("2015-01-03T10:00:00Z", "P1"));
    add(Retract("2015-01-09T10:00:00Z", admitted.event_id()));
    add(Retract("2015-01-09T11:00:00Z", package.event_id()));
    if (p == 0) continue;  // left standing on nothing
    add(Admitted("2015-01-04T10:00:00Z", "S1"));
    add(PackageStarted(p == 2 ? "2015-01-04T10:00:00Z" : "2015-01-01T10:00:00Z",
                       "P1", p == 2));
  }
}

// Two boroughs in one recording order; every fifth resident of the first
// moves to the second in June 2015 (recorded a day later).
std::vector<Step> Workload() {
  std::vector<Step> steps;
  AddOrphans(steps);
  const char* codes[] = {"E09000002", "E09000003"};
  for (int a = 0; a < 2; ++a) {
    SyntheticAreaOptions options;
    options.scale = 0.006;
    options.seed = 7 + a;
    options.area_code = codes[a];
    options.first_nhs_index = 100000 * static_cast<uint64_t>(a);
    SyntheticArea area = GenerateSyntheticArea(options);
    for (size_t i = 0; i < area.people.size(); ++i) {
      const SyntheticPerson& person = area.people[i];
      for (const SyntheticEvent& e : person.events) {
        Step step{person.nhs_number, e.recorded_at, {}};
        EXPECT_TRUE(step.event.ParseFromString(e.body));
        steps.push_back(std::move(step));
      }
      if (a == 0 && i % 5 == 0) {
        schema::CareEvent moved = Moved("2015-06-01T10:00:00Z", codes[1]);
        moved.set_event_id("move-" + person.nhs_number);
        steps.push_back({person.nhs_number,
                         At("2015-06-01T10:00:00Z") + metrics::kMicrosPerDay,
                         std::move(moved)});
      }
    }
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& x, const Step& y) {
                     return x.recorded_at < y.recorded_at;
                   });
  return steps;
}

const std::vector<Step>& Steps() {
  static const std::vector<Step> steps = Workload();
  return steps;
}

// An area defined again, or a plan recorded again, in its own stream (the
// plans projection's events), between the care events.
void AppendAdmin(storage::EventLog& log, size_t i) {
  const std::string code = (i / 500) % 2 ? "E09000002" : "E09000003";
  schema::AdminEvent admin;
  std::string stream;
  if ((i / 1000) % 2) {
    auto* defined = admin.mutable_area_defined();
    defined->set_area_code(code);
    defined->mutable_area()->set_name("Borough " + std::to_string(i));
    stream = "area-" + code;
  } else {
    auto* recorded = admin.mutable_plan_recorded();
    recorded->set_area_code(code);
    recorded->set_year("2015-16");
    recorded->mutable_plan()->set_allocation_gbp(static_cast<double>(i));
    stream = "plan-" + code + "-2015-16";
  }
  storage::AppendRequest request{
      stream,
      storage::ExpectedVersion::Any(),
      {{"admin-" + std::to_string(i), metrics::kAdminEventType,
        admin.SerializeAsString()}},
      "test"};
  ASSERT_TRUE(log.Append(std::move(request)).ok());
}

// Appends steps [from, to), each recorded at its instant (`set_now` first).
void AppendSteps(storage::EventLog& log, size_t from, size_t to,
                 const std::function<void(Instant)>& set_now) {
  for (size_t i = from; i < to; ++i) {
    const Step& step = Steps()[i];
    set_now(step.recorded_at);
    storage::AppendRequest request{
        "person-" + step.nhs,
        storage::ExpectedVersion::Any(),
        {{step.event.event_id(), "carelog.schema.CareEvent",
          step.event.SerializeAsString()}},
        "test"};
    ASSERT_TRUE(log.Append(std::move(request)).ok());
    if (i % 500 == 0) AppendAdmin(log, i);
  }
}

void Append(MemoryEventLog& log, size_t from, size_t to) {
  AppendSteps(log, from, to, [&](Instant at) { log.SetNow(at); });
}

Rows AllRows(storage::EventLog& log) {
  return RowsOf(log, {"metrics", "plans", "worklists"});
}

// The three projections of the read side and their runner.
struct ThreeProjections {
  ThreeProjections(storage::EventLog& log, bool build_empty, size_t batch = 700)
      : metrics(kBucket, 50),
        runner(log, {&metrics, &plans, &worklists},
               {.batch_events = batch,
                .rebuild_batch_events = batch,
                .build_empty = build_empty}) {
    EXPECT_TRUE(runner.Open().ok());
  }
  metrics::MetricsProjection metrics;
  metrics::PlanHistory plans;
  ManualClock clock{testing::kAfterEveryEvent};
  WorklistProjection worklists{clock};
  ProjectionRunner runner;
};

// The rows of applying the whole log in order, in batches.
const Rows& LogOrderRows() {
  static const Rows rows = [] {
    MemoryEventLog log;
    Append(log, 0, Steps().size());
    ThreeProjections side(log, false);
    EXPECT_TRUE(side.runner.CatchUp().ok());
    return AllRows(log);
  }();
  return rows;
}

TEST(MetricsBuildTest, RebuildWritesTheRowsOfLogOrder) {
  const Rows& want = LogOrderRows();
  ASSERT_GT(Steps().size(), 2000u);
  ASSERT_GT(want.size(), 1000u);
  // Every projection has rows to compare.
  // A person held by the worklists only for what stands on nothing, and one
  // whose readiness an admission recorded again brought back.
  for (const char* prefix : {"metrics/d|", "plans/a|", "plans/l|",
                             "worklists/9995000010", "worklists/9995000011"}) {
    EXPECT_TRUE(std::any_of(want.begin(), want.end(), [&](const auto& row) {
      return row.first.starts_with(prefix);
    })) << prefix;
  }
  MemoryEventLog log;
  Append(log, 0, Steps().size());
  ThreeProjections side(log, true);
  ASSERT_TRUE(side.runner.Rebuild(nullptr).ok());
  EXPECT_GT(log.unchecked_writes, 0);  // built person by person
  EXPECT_EQ(FirstDifference(AllRows(log), want), "");
  EXPECT_EQ(side.runner.AppliedPosition(), log.LastPosition());
}

TEST(MetricsBuildTest, FirstCatchUpBuildsFastAndRowsMatch) {
  MemoryEventLog log;
  Append(log, 0, Steps().size());
  ThreeProjections side(log, true);
  ASSERT_TRUE(side.runner.CatchUp().ok());
  EXPECT_GT(log.unchecked_writes, 0);
  EXPECT_EQ(FirstDifference(AllRows(log), LogOrderRows()), "");
}

// Built fast on part of the log, then followed in log order: the in-memory
// state the build leaves (totals, snapshots) is what log order would leave.
TEST(MetricsBuildTest, FollowsTheLogAfterAFastBuild) {
  MemoryEventLog log;
  const size_t part = Steps().size() * 2 / 5;
  Append(log, 0, part);
  ThreeProjections side(log, true);
  ASSERT_TRUE(side.runner.CatchUp().ok());
  Append(log, part, Steps().size());
  ASSERT_TRUE(side.runner.CatchUp().ok());
  EXPECT_EQ(FirstDifference(AllRows(log), LogOrderRows()), "");
  // The metrics read the same as after log order.
  MemoryEventLog order;
  Append(order, 0, Steps().size());
  ThreeProjections log_order(order, false);
  ASSERT_TRUE(log_order.runner.CatchUp().ok());
  EXPECT_EQ(side.metrics.AreaCells("E09000003"),
            log_order.metrics.AreaCells("E09000003"));
  auto as_of = side.metrics.AreaCellsAsOf("E09000002", part / 2);
  auto want = log_order.metrics.AreaCellsAsOf("E09000002", part / 2);
  ASSERT_TRUE(as_of.ok() && want.ok());
  EXPECT_EQ(*as_of, *want);
  // So do the worklists and the plans.
  EXPECT_GT(side.worklists.PeopleHeld(), 0u);
  EXPECT_EQ(side.worklists.PeopleHeld(), log_order.worklists.PeopleHeld());
  const Instant now = At("2016-01-01T00:00:00Z");
  for (const char* area : {"E09000002", "E09000003"}) {
    EXPECT_EQ(side.worklists.Discharge(area, std::nullopt, now).size(),
              log_order.worklists.Discharge(area, std::nullopt, now).size());
    EXPECT_EQ(side.worklists.UnassignedPackages(area, now).size(),
              log_order.worklists.UnassignedPackages(area, now).size());
    for (uint64_t at : {part / 3, part, log.LastPosition()}) {
      auto plan = side.plans.PlanAsOf(area, "2015-16", at);
      auto plan_want = log_order.plans.PlanAsOf(area, "2015-16", at);
      ASSERT_EQ(plan.has_value(), plan_want.has_value());
      if (plan) {
        EXPECT_EQ(plan->allocation_gbp(), plan_want->allocation_gbp());
      }
      EXPECT_EQ(side.plans.AreaAsOf(area, at).has_value(),
                log_order.plans.AreaAsOf(area, at).has_value());
    }
  }
}

// A store caught up in log order part of the way, then rebuilt.
TEST(MetricsBuildTest, PartlyCaughtUpThenRebuilt) {
  MemoryEventLog log;
  const size_t part = Steps().size() / 3;
  Append(log, 0, part);
  {
    ThreeProjections side(log, false);
    ASSERT_TRUE(side.runner.CatchUp().ok());
  }
  Append(log, part, Steps().size());
  ThreeProjections side(log, true);
  ASSERT_TRUE(side.runner.Rebuild(nullptr).ok());
  EXPECT_EQ(FirstDifference(AllRows(log), LogOrderRows()), "");
}

// Rows without a checkpoint (what a build interrupted by a crash leaves) are
// dropped when the runner opens, and the build runs again.
TEST(MetricsBuildTest, RowsOfAnInterruptedBuildAreDropped) {
  MemoryEventLog log;
  Append(log, 0, Steps().size());
  storage::ProjectionWrite partial;
  partial.rows.push_back({"metrics", "d|E09000002|00000000|0000000000000001",
                          std::string("junk")});
  partial.rows.push_back({"metrics", "c|E09000002|nea|2014-04", "12345"});
  ASSERT_TRUE(log.WriteProjections(partial).ok());
  ThreeProjections side(log, true);
  ASSERT_TRUE(side.runner.CatchUp().ok());
  EXPECT_EQ(FirstDifference(AllRows(log), LogOrderRows()), "");
}

// A small RocksDB store in a temporary directory (a small block cache, loads
// written in table files of 64 KB), its clock following the steps appended.
class StepsStore {
 public:
  // The store opened, with every step appended first when `append_steps`.
  std::unique_ptr<storage::EventLog> Open(bool append_steps) {
    storage::OpenOptions options;
    options.path = dir_.path() + "/store";
    options.block_cache_bytes = 8u << 20;
    options.load_file_bytes = 64u << 10;
    options.now_micros = [now = now_] { return now->load(); };
    auto log = storage::OpenRocksDbEventLog(options);
    EXPECT_TRUE(log.ok()) << log.status().message();
    if (!log.ok()) return nullptr;
    if (append_steps) {
      AppendSteps(**log, 0, Steps().size(),
                  [this](Instant at) { now_->store(at); });
    }
    return std::move(*log);
  }

 private:
  storage::testing::TempDir dir_;
  std::shared_ptr<std::atomic<int64_t>> now_ =
      std::make_shared<std::atomic<int64_t>>(0);
};

// On the RocksDB store, whose loads write the metrics' rows as table files
// (EventLog::LoadProjection, files of 64 KB here): the rows of log order, also
// when rebuilt over the rows of a first rebuild, and after reopening.
TEST(MetricsBuildTest, RebuildOnTheStoreLoadsTheRowsOfLogOrder) {
  StepsStore store;
  {
    auto log = store.Open(true);
    ASSERT_NE(log, nullptr);
    ThreeProjections side(*log, true);
    ASSERT_TRUE(side.runner.Rebuild(nullptr).ok());
    EXPECT_EQ(FirstDifference(AllRows(*log), LogOrderRows()), "");
    ASSERT_TRUE(side.runner.Rebuild(nullptr).ok());
    EXPECT_EQ(FirstDifference(AllRows(*log), LogOrderRows()), "");
  }
  auto log = store.Open(false);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(FirstDifference(AllRows(*log), LogOrderRows()), "");
}

// On the store, rows loaded as table files without a checkpoint (a build
// that crashed after its load and before its checkpoint) are dropped when the
// runner opens after a restart, and the build runs again.
TEST(MetricsBuildTest, RowsLoadedWithoutACheckpointAreDroppedAfterAReopen) {
  StepsStore store;
  {
    auto log = store.Open(true);
    ASSERT_NE(log, nullptr);
    auto load = log->LoadProjection("metrics");
    ASSERT_TRUE(load.ok()) << load.status().message();
    // Keys of an area the log never names, so no row of the build replaces
    // them.
    ASSERT_TRUE((*load)->Add("c|Z99999999|nea|2014-04", "12345").ok());
    ASSERT_TRUE(
        (*load)->Add("d|Z99999999|00000000|0000000000000001", "junk").ok());
    ASSERT_TRUE((*load)->Finish().ok());
  }
  auto log = store.Open(false);
  ASSERT_NE(log, nullptr);
  size_t loaded = 0;
  ASSERT_TRUE(log->ScanProjection("metrics", "",
                                  [&](std::string_view, std::string_view) {
                                    ++loaded;
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(loaded, 2u);  // the load reached the store
  EXPECT_EQ(*log->ProjectionCheckpoint("metrics"), 0u);
  ThreeProjections side(*log, true);
  ASSERT_TRUE(side.runner.CatchUp().ok());
  EXPECT_EQ(FirstDifference(AllRows(*log), LogOrderRows()), "");
}

// A build whose write fails leaves the projection dropped (no rows, no
// checkpoint), and the next catch-up completes it.
TEST(MetricsBuildTest, AFailedBuildLeavesTheProjectionDropped) {
  MemoryEventLog log;
  Append(log, 0, Steps().size());
  {
    metrics::MetricsProjection metrics(kBucket);
    ProjectionRunner runner(log, {&metrics});
    ASSERT_TRUE(runner.Open().ok());
    log.FailNextProjectionWrite();
    EXPECT_FALSE(runner.CatchUp().ok());
    EXPECT_EQ(log.ProjectionRowCount("metrics"), 0u);
    EXPECT_EQ(*log.ProjectionCheckpoint("metrics"), 0u);
    EXPECT_EQ(runner.AppliedPosition(), 0u);
  }
  ThreeProjections side(log, true);
  ASSERT_TRUE(side.runner.CatchUp().ok());
  EXPECT_EQ(FirstDifference(AllRows(log), LogOrderRows()), "");
}

}  // namespace
}  // namespace carelog::testing
