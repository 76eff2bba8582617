// The metrics projection's rows are a function of the log alone: applying the
// same log in batches of any size, with failed writes (abort mid-batch) and
// restarts that reload the projection from its rows, leaves every row --
// totals, as-of deltas, snapshots -- and the checkpoint byte for byte as one
// rebuild does. (`carelog verify` after a crash compares exactly this.)
#include <algorithm>
#include <random>

#include "gtest/gtest.h"
#include "services/metrics/metrics_projection.h"
#include "tests/services/memory_event_log.h"
#include "tests/services/metrics/random_histories.h"
#include "tests/services/projection_rows.h"

namespace carelog::testing {
namespace {

using Rows = ProjectionRows;

constexpr uint64_t kBucket = 5;  // small buckets: many snapshots
constexpr size_t kCache = 12;    // a small cache: people are often re-read

// One append: the person, the commit's recorded_at and the event.
struct Step {
  std::string nhs;
  int64_t recorded_at;
  schema::CareEvent event;
};

// Random histories recorded in random order; several events of a person, and
// events of different people, share a commit's recorded_at; some retractions.
std::vector<Step> Script(uint32_t seed) {
  Generator gen(seed);
  std::vector<Step> steps;
  int64_t now = At("2016-06-01T12:00:00Z");
  std::vector<std::pair<std::string, schema::CareEvent>> pending;
  for (int i = 0; i < 20; ++i) {
    std::string nhs = std::to_string(9990000000LL + i);
    steps.push_back({nhs, now,
                     Registered("2014-03-01T09:00:00Z", gen.Birth(),
                                kAreas[gen.Pick(3)], gen.Chance(0.5))});
    if (gen.Chance(0.5)) now += 1'000'000;
    for (auto& e : gen.Person()) pending.emplace_back(nhs, std::move(e));
  }
  std::shuffle(pending.begin(), pending.end(), gen.rng());
  std::map<std::string, std::vector<std::string>> ids;
  for (auto& [nhs, event] : pending) {
    if (gen.Chance(0.6)) now += 1'000'000;  // else: the same commit time
    ids[nhs].push_back(event.event_id());
    steps.push_back({nhs, now, std::move(event)});
    if (gen.Chance(0.07)) {
      const auto& mine = ids[nhs];
      steps.push_back({nhs, now,
                       Retract("2015-05-02T10:00:00Z",
                               mine[gen.Pick(static_cast<int>(mine.size()))])});
    }
  }
  return steps;
}

void Append(MemoryEventLog& log, const std::vector<Step>& steps, size_t from,
            size_t to) {
  for (size_t i = from; i < to; ++i) {
    log.SetNow(steps[i].recorded_at);
    log.AppendCare(steps[i].nhs, steps[i].event);
  }
}

Rows AllRows(MemoryEventLog& log) { return RowsOf(log, {"metrics"}); }

Rows Rebuilt(const std::vector<Step>& steps) {
  MemoryEventLog log;
  Append(log, steps, 0, steps.size());
  metrics::MetricsProjection projection(kBucket);
  ProjectionRunner runner(log, {&projection}, ProjectorOptions{1'000'000});
  EXPECT_TRUE(runner.Open().ok());
  EXPECT_TRUE(runner.Rebuild(nullptr).ok());
  return AllRows(log);
}

class MetricsBatchesTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(MetricsBatchesTest, RowsDoNotDependOnBatches) {
  std::vector<Step> steps = Script(GetParam());
  Rows want = Rebuilt(steps);
  ASSERT_GT(want.size(), 100u);  // the histories are not trivial
  for (size_t batch : {1, 2, 3, 7, 64}) {
    MemoryEventLog log;
    Append(log, steps, 0, steps.size());
    metrics::MetricsProjection projection(kBucket, kCache);
    ProjectionRunner runner(
        log, {&projection},
        ProjectorOptions{.batch_events = batch, .build_empty = false});
    ASSERT_TRUE(runner.Open().ok());
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(FirstDifference(AllRows(log), want), "")
        << "batches of " << batch;
  }
}

TEST_P(MetricsBatchesTest, RowsSurviveAbortsAndRestarts) {
  std::vector<Step> steps = Script(GetParam());
  Rows want = Rebuilt(steps);
  std::mt19937 rng(GetParam());
  auto pick = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  MemoryEventLog log;
  auto projection =
      std::make_unique<metrics::MetricsProjection>(kBucket, kCache);
  auto runner = std::make_unique<ProjectionRunner>(
      log, std::vector<Projection*>{projection.get()},
      ProjectorOptions{.batch_events = 4, .build_empty = false});
  ASSERT_TRUE(runner->Open().ok());
  int aborts = 0, restarts = 0;
  for (size_t done = 0; done < steps.size();) {
    size_t next = std::min(steps.size(), done + pick(1, 12));
    Append(log, steps, done, next);  // the server appends while projecting
    done = next;
    switch (pick(0, 3)) {
      case 0:  // the write fails mid-catch-up: the batch is aborted
        log.FailNextProjectionWrite();
        EXPECT_FALSE(runner->CatchUp().ok());
        ++aborts;
        break;
      case 1:  // a crash: the in-memory state is gone, reload from the rows
        runner.reset();
        projection =
            std::make_unique<metrics::MetricsProjection>(kBucket, kCache);
        runner = std::make_unique<ProjectionRunner>(
            log, std::vector<Projection*>{projection.get()},
            ProjectorOptions{pick(1, 9)});
        ASSERT_TRUE(runner->Open().ok());
        ++restarts;
        break;
      default:
        break;
    }
    ASSERT_TRUE(runner->CatchUp().ok());
  }
  EXPECT_GT(aborts, 0);
  EXPECT_GT(restarts, 0);
  EXPECT_EQ(FirstDifference(AllRows(log), want), "");
}

INSTANTIATE_TEST_SUITE_P(Seeds, MetricsBatchesTest,
                         ::testing::Values(11u, 12u, 13u, 14u));

}  // namespace
}  // namespace carelog::testing
