// Property: random histories recorded in random order (late events,
// retractions, moves between areas), applied incrementally in batches of random
// size, give the same cells -- and so the same value of every metric -- as a
// recomputation from scratch; as-of reads at any position equal a recomputation
// from the events recorded up to it; a rebuild and a restart change nothing.
#include "gtest/gtest.h"
#include "services/metrics/contribution.h"
#include "tests/services/metrics/metrics_harness.h"
#include "tests/services/metrics/random_histories.h"

namespace carelog::testing {
namespace {

using metrics::Cells;

// Cells of every person from scratch, from the events at positions <= `upto`.
Cells FromScratch(MemoryEventLog& log, const std::vector<std::string>& people,
                  uint64_t upto) {
  Cells all;
  for (const std::string& nhs : people) {
    auto stored = log.ReadStream("person-" + nhs, 1, 1'000'000);
    EXPECT_TRUE(stored.ok());
    std::vector<schema::CareEvent> events;
    for (const auto& r : *stored) {
      if (r.position > upto) break;
      events.emplace_back();
      EXPECT_TRUE(events.back().ParseFromString(r.body));
    }
    metrics::ApplyDelta(all, metrics::ComputeContribution(
                                 metrics::PersonHistory::Build(events)));
  }
  return all;
}

class MetricsPropertyTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(MetricsPropertyTest, IncrementalEqualsFromScratch) {
  Generator gen(GetParam());
  MetricsHarness h;
  for (const std::string& area : kAreas)
    h.DefineArea(area, 58000, 120000, 20000);
  std::vector<std::string> people;
  std::vector<std::pair<std::string, schema::CareEvent>> pending;
  for (int i = 0; i < 25; ++i) {
    std::string nhs = std::to_string(9990000000LL + i);
    people.push_back(nhs);
    h.Record(nhs, Registered("2014-03-01T09:00:00Z", gen.Birth(),
                             kAreas[gen.Pick(3)], gen.Chance(0.5)));
    for (auto& e : gen.Person()) pending.emplace_back(nhs, std::move(e));
  }
  std::shuffle(pending.begin(), pending.end(), gen.rng());
  std::map<std::string, std::vector<std::string>> recorded_ids;
  std::vector<bool> done(pending.size(), false);
  for (size_t i = 0; i < pending.size(); ++i) {
    if (done[i]) continue;
    const std::string& nhs = pending[i].first;
    // Sometimes several events of the person in one commit (one request).
    std::vector<schema::CareEvent> together = {pending[i].second};
    for (size_t j = i + 1; j < pending.size() && gen.Chance(0.25); ++j) {
      if (pending[j].first == nhs && !done[j]) {
        together.push_back(pending[j].second);
        done[j] = true;
      }
    }
    h.RecordTogether(nhs, together);
    for (const auto& e : together) recorded_ids[nhs].push_back(e.event_id());
    if (gen.Chance(0.08)) {  // retract one of the person's earlier events
      const auto& ids = recorded_ids[nhs];
      h.Record(nhs, Retract("2015-05-02T10:00:00Z",
                            ids[gen.Pick(static_cast<int>(ids.size()))]));
    }
    if (gen.Chance(0.15)) {  // batches of random size
      ASSERT_TRUE(h.runner->CatchUp().ok());
    }
  }
  ASSERT_TRUE(h.runner->CatchUp().ok());
  uint64_t last = h.log.LastPosition();

  Cells expected = FromScratch(h.log, people, last);
  EXPECT_GT(expected.size(), 200u);  // the histories are not trivial
  for (const std::string& area : kAreas) {
    EXPECT_EQ(h.cells.AreaCells(area), metrics::CellsOfArea(expected, area))
        << area;
  }
  // Every metric for months, quarters and the year agrees with the scratch
  // cells.
  for (const char* label :
       {"2014-04", "2014-10", "2014-15-Q3", "2014-15", "2015-16-Q1"}) {
    auto period = ParsePeriod(label);
    ASSERT_TRUE(period.ok());
    for (const std::string& area : kAreas) {
      Cells scratch = metrics::CellsOfArea(expected, area);
      metrics::MetricContext c{&scratch, *period, std::nullopt,
                               h.clock.NowMicros()};
      for (metrics::MetricId id : metrics::kAllMetrics) {
        auto got = h.Metric(area, label, id);
        auto want = metrics::ComputeMetric(id, c);
        EXPECT_EQ(got.numerator, want.numerator)
            << area << " " << label << " " << metrics::MetricName(id);
        EXPECT_EQ(got.counts, want.counts)
            << area << " " << label << " " << metrics::MetricName(id);
      }
    }
  }
  // As of any instant: the events recorded by then (up to the end of a commit),
  // from scratch.
  auto all = h.log.ReadAll(1, last);
  ASSERT_TRUE(all.ok());
  for (int i = 0; i < 12; ++i) {
    uint64_t p = 1 + gen.Pick(static_cast<int>(last));
    while (p < last &&
           (*all)[p].recorded_at_micros == (*all)[p - 1].recorded_at_micros)
      ++p;
    Cells then = FromScratch(h.log, people, p);
    for (const std::string& area : kAreas) {
      auto got = h.cells.AreaCellsAsOf(area, p);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(*got, metrics::CellsOfArea(then, area)) << area << " at " << p;
    }
  }
  // A restart loads the same state; a rebuild recomputes it.
  metrics::MetricsProjection reopened(3);
  metrics::PlanHistory plans;
  ProjectionRunner runner(h.log, {&reopened, &plans});
  ASSERT_TRUE(runner.Open().ok());
  EXPECT_EQ(runner.AppliedPosition(), last);
  ASSERT_TRUE(runner.Rebuild(nullptr).ok());
  for (const std::string& area : kAreas) {
    EXPECT_EQ(reopened.AreaCells(area), metrics::CellsOfArea(expected, area))
        << area;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, MetricsPropertyTest,
                         ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u));

}  // namespace
}  // namespace carelog::testing
