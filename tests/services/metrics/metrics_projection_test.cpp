// MetricsProjection's live Apply: the delta rows it writes for every event
// equal the difference of the person's contribution recomputed from their whole
// history before and after that event, whichever way Apply reached it (the
// appended-event step or the recomputation). Random people recorded mostly in
// time order, as in practice, with late events, retractions, several events in
// one commit and catch-ups at random; checked at every position through
// AreaCellsAsOf, which adds the delta rows up.
#include <algorithm>
#include <map>

#include "gtest/gtest.h"
#include "services/metrics/contribution.h"
#include "services/recorder.h"
#include "tests/services/metrics/metrics_harness.h"
#include "tests/services/metrics/random_histories.h"

namespace carelog::testing {
namespace {

using metrics::Cells;

class MetricsProjectionApplyTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(MetricsProjectionApplyTest, DeltaRowsEqualTheRecomputedDifference) {
  Generator gen(GetParam());
  MetricsHarness h;
  for (const std::string& area : kAreas)
    h.DefineArea(area, 58000, 120000, 20000);
  // The projection is not empty from here on: what follows goes through the
  // live Apply, not the rebuild of an empty projection.
  ASSERT_TRUE(h.runner->CatchUp().ok());
  const uint64_t first = h.log.LastPosition() + 1;

  // People's streams, recorded interleaved: each person's in order.
  std::vector<std::string> people;
  std::vector<std::vector<schema::CareEvent>> streams;
  for (int i = 0; i < 30; ++i) {
    people.push_back(std::to_string(9990000000LL + i));
    streams.push_back(RecordedStream(gen, 12, /*may_never_register=*/false));
  }
  std::vector<size_t> next(people.size(), 0);
  for (;;) {
    std::vector<size_t> open;
    for (size_t k = 0; k < people.size(); ++k) {
      if (next[k] < streams[k].size()) open.push_back(k);
    }
    if (open.empty()) break;
    const size_t k =
        open[static_cast<size_t>(gen.Pick(static_cast<int>(open.size())))];
    // Sometimes several of the person's events in one commit (one request).
    std::vector<schema::CareEvent> together = {streams[k][next[k]++]};
    while (next[k] < streams[k].size() && gen.Chance(0.3)) {
      together.push_back(streams[k][next[k]++]);
    }
    h.RecordTogether(people[k], together);
    if (gen.Chance(0.2)) {
      ASSERT_TRUE(h.runner->CatchUp().ok());
    }
  }
  ASSERT_TRUE(h.runner->CatchUp().ok());
  const uint64_t last = h.log.LastPosition();

  // The recomputation, event by event in log order.
  auto all = h.log.ReadAll(first, last);
  ASSERT_TRUE(all.ok());
  std::map<std::string, PersonState> states;
  std::map<std::string, Cells> before;
  Cells expected;
  size_t checked = 0;
  for (const storage::RecordedEvent& r : *all) {
    ASSERT_TRUE(IsPersonStream(r.stream));
    auto e = DecodeStoredCareEvent(r);
    ASSERT_TRUE(e.ok());
    PersonState& state = states[r.stream];
    state.Extend({std::move(*e)});
    Cells now = metrics::ComputeContribution(metrics::PersonHistory(state));
    metrics::ApplyDelta(expected, metrics::Diff(before[r.stream], now));
    before[r.stream] = std::move(now);
    for (const std::string& area : kAreas) {
      auto got = h.cells.AreaCellsAsOf(area, r.position);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, metrics::CellsOfArea(expected, area))
          << area << " at position " << r.position << " (version " << r.version
          << " of " << r.stream << ")";
    }
    ++checked;
  }
  EXPECT_GT(checked, 300u);
  EXPECT_GT(expected.size(), 200u);  // the histories are not trivial
  for (const std::string& area : kAreas) {
    EXPECT_EQ(h.cells.AreaCells(area), metrics::CellsOfArea(expected, area));
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, MetricsProjectionApplyTest,
                         ::testing::Values(21u, 22u, 23u));

}  // namespace
}  // namespace carelog::testing
