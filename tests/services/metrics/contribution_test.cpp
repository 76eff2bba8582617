// AppendedEventDelta: wherever it answers, its delta is exactly the difference
// of the contributions recomputed from the whole history before and after the
// event (random histories recorded in random order, with late events,
// retractions, moves, deaths and verifications), and it answers for the
// common kinds of event appended at the end.
#include "services/metrics/contribution.h"

#include <algorithm>
#include <set>

#include "gtest/gtest.h"
#include "tests/services/metrics/metrics_harness.h"
#include "tests/services/metrics/random_histories.h"

namespace carelog::testing {
namespace {

using metrics::Cells;

StoredCareEventPtr Stored(const schema::CareEvent& event, uint64_t version) {
  auto e = std::make_shared<StoredCareEvent>();
  e->version = version;
  e->event = event;
  auto t = ParseRfc3339(event.occurred_at());
  e->occurred_at = t.ok() ? *t : 0;
  return e;
}

struct Steps {
  int appended = 0;    // answered by AppendedEventDelta
  int recomputed = 0;  // left to the full recomputation
};

// Folds `stream` version by version, checking every step AppendedEventDelta
// answers against the full recomputation.
void CheckStream(const std::vector<schema::CareEvent>& stream, Steps& steps) {
  PersonState state;
  Cells before;
  for (size_t k = 0; k < stream.size(); ++k) {
    state.Extend(Stored(stream[k], k + 1));
    Cells now = metrics::ComputeContribution(metrics::PersonHistory(state));
    Cells want = metrics::Diff(before, now);
    Cells got = {{"stale", 1}};
    if (metrics::AppendedEventDelta(state, before, got)) {
      ++steps.appended;
      EXPECT_EQ(got, want) << "version " << k + 1 << ": "
                           << stream[k].ShortDebugString();
    } else {
      ++steps.recomputed;
    }
    before = std::move(now);
  }
}

class AppendedEventDeltaTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(AppendedEventDeltaTest, EqualsTheRecomputedDifference) {
  Generator gen(GetParam());
  Steps steps;
  for (int person = 0; person < 60; ++person) {
    std::vector<schema::CareEvent> stream =
        RecordedStream(gen, 6, /*may_never_register=*/true);
    CheckStream(stream, steps);
  }
  // Both paths are exercised.
  EXPECT_GT(steps.appended, 60);
  EXPECT_GT(steps.recomputed, 60);
}

INSTANTIATE_TEST_SUITE_P(Seeds, AppendedEventDeltaTest,
                         ::testing::Values(11u, 12u, 13u, 14u));

TEST(AppendedEventDeltaTest, LeavesLateAndCountedElsewhereEventsToRecompute) {
  std::vector<schema::CareEvent> stream = {
      Registered("2014-03-01T09:00:00Z", "1950-01-20", "E09000002", false),
      Ae("2014-05-10T09:00:00Z"),
      Ae("2014-05-01T09:00:00Z"),  // late: before the last one
      Referral("2014-06-01T09:00:00Z", "R1", schema::Urgency::URGENT),
      Verified("2014-06-02T09:00:00Z"),
      Ae("2014-07-03T09:00:00Z"),
  };
  PersonState state;
  Cells before, delta;
  std::vector<bool> answered;
  for (size_t k = 0; k < stream.size(); ++k) {
    state.Extend(Stored(stream[k], k + 1));
    answered.push_back(metrics::AppendedEventDelta(state, before, delta));
    before = metrics::ComputeContribution(metrics::PersonHistory(state));
  }
  EXPECT_EQ(answered,
            (std::vector<bool>{true, true, false, false, false, true}));
  // The last A&E: its own count, and the cells of its month and quarter,
  // verified by then (its year's were written by the earlier events).
  Cells want = {{"E09000002|ae|2014-07", 1},
                {"E09000002|nv|2014-07|den", 1},
                {"E09000002|nv|2014-07|num", 1},
                {"E09000002|nv|2014-15-Q2|den", 1},
                {"E09000002|nv|2014-15-Q2|num", 1}};
  EXPECT_EQ(delta, want);
}

// A registration that is the only effective event counts its periods'
// nhsNumberVerified cells by itself; one that joins an existing history is
// left to the recomputation.
TEST(AppendedEventDeltaTest, AnswersAFirstRegistrationAlone) {
  PersonState state;
  Cells delta;
  state.Extend(Stored(
      Registered("2014-05-03T09:00:00Z", "1950-01-20", "E09000002", true), 1));
  ASSERT_TRUE(metrics::AppendedEventDelta(state, Cells{}, delta));
  Cells want = {
      {"E09000002|nv|2014-05|den", 1},    {"E09000002|nv|2014-05|num", 1},
      {"E09000002|nv|2014-15-Q1|den", 1}, {"E09000002|nv|2014-15-Q1|num", 1},
      {"E09000002|nv|2014-15|den", 1},    {"E09000002|nv|2014-15|num", 1}};
  EXPECT_EQ(delta, want);
  EXPECT_EQ(delta, metrics::ComputeContribution(metrics::PersonHistory(state)));

  // Unverified: the denominators only.
  PersonState unverified;
  unverified.Extend(Stored(
      Registered("2014-05-03T09:00:00Z", "1950-01-20", "E09000002", false), 1));
  ASSERT_TRUE(metrics::AppendedEventDelta(unverified, Cells{}, delta));
  EXPECT_EQ(delta,
            metrics::ComputeContribution(metrics::PersonHistory(unverified)));
  EXPECT_EQ(delta.size(), 3u);

  // A second registration after an event: not the only one.
  state.Extend(Stored(Ae("2014-05-10T09:00:00Z"), 2));
  Cells before = metrics::ComputeContribution(metrics::PersonHistory(state));
  state.Extend(Stored(
      Registered("2014-06-01T09:00:00Z", "1950-01-20", "E09000003", true), 3));
  EXPECT_FALSE(metrics::AppendedEventDelta(state, before, delta));
}

// Agency and reason codes the schema does not name (an event stored by a
// newer build, say) all print as "", so they are one cell each, as the cells
// keyed by strings always merged them: never two cells of one name.
TEST(ContributionCellsTest, UnnamedCodesAreOneCell) {
  PersonState state;
  uint64_t version = 0;
  auto add = [&](const schema::CareEvent& e) {
    state.Extend(Stored(e, ++version));
  };
  add(Registered("2014-04-01T09:00:00Z", "1950-01-20", "E09000002"));
  add(Admitted("2014-05-01T09:00:00Z", "s1"));
  add(Ready("2014-05-03T09:00:00Z", "s1"));
  add(Delay("2014-05-03T10:00:00Z", "s1",
            static_cast<schema::DelayReason::Value>(97),
            static_cast<schema::Agency::Value>(97)));
  add(Delay("2014-05-05T10:00:00Z", "s1",
            static_cast<schema::DelayReason::Value>(98),
            static_cast<schema::Agency::Value>(98)));
  add(Discharged("2014-05-08T09:00:00Z", "s1"));
  const metrics::CellList cells =
      metrics::ContributionCells(metrics::PersonHistory(state));
  std::set<std::string> names;
  for (const auto& [key, value] : cells) {
    EXPECT_TRUE(names.insert(metrics::CellName(key)).second)
        << metrics::CellName(key) << " twice";
  }
  // 3 to 7 May: 2 days under the first record, 3 under the second.
  const Cells by_name = metrics::ToCells(cells);
  ASSERT_TRUE(by_name.count("E09000002|dd|2014-05|ag|"));
  EXPECT_EQ(by_name.at("E09000002|dd|2014-05|ag|"), 5);
  EXPECT_EQ(by_name.at("E09000002|dd|2014-05|re|"), 5);
}

}  // namespace
}  // namespace carelog::testing
