// AppendedEventDelta: wherever it answers, its delta is exactly the difference
// of the contributions recomputed from the whole history before and after the
// event (random histories recorded in random order, with late events,
// retractions, moves, deaths and verifications), and it answers for the
// common kinds of event appended at the end.
#include "services/metrics/contribution.h"

#include <algorithm>

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
    std::vector<schema::CareEvent> events = gen.Person();
    // Extra events of the kinds it answers for, at random instants.
    for (int i = gen.Pick(6); i > 0; --i) {
      switch (gen.Pick(4)) {
        case 0:
          events.push_back(Ae(gen.Time()));
          break;
        case 1:
          events.push_back(Survey(gen.Time(), gen.Chance(0.5)));
          break;
        case 2:
          events.push_back(
              AssessmentStarted(gen.Time(), "X" + std::to_string(i)));
          break;
        default: {
          schema::CareEvent e = Ev(gen.Time());
          e.mutable_local_id_linked()->set_system("LAS-SOCIALCARE");
          e.mutable_local_id_linked()->set_value(std::to_string(i));
          events.push_back(e);
          break;
        }
      }
    }
    std::shuffle(events.begin(), events.end(), gen.rng());
    // Mostly in time order (as recorded in practice), with some late ones.
    std::stable_sort(
        events.begin(), events.end(),
        [&](const schema::CareEvent& a, const schema::CareEvent& b) {
          return a.occurred_at() < b.occurred_at();
        });
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      if (gen.Chance(0.15)) std::swap(events[i], events[i + 1]);
    }
    std::vector<schema::CareEvent> stream;
    // Sometimes the registration comes late, or not at all.
    const bool registered_first = !gen.Chance(0.1);
    schema::CareEvent registration =
        Registered("2014-03-01T09:00:00Z", gen.Birth(), kAreas[gen.Pick(3)],
                   gen.Chance(0.5));
    if (registered_first) stream.push_back(registration);
    for (schema::CareEvent& e : events) {
      stream.push_back(std::move(e));
      if (gen.Chance(0.06)) {
        const auto& victim = stream[gen.Pick(static_cast<int>(stream.size()))];
        stream.push_back(Retract("2015-05-02T10:00:00Z", victim.event_id()));
      }
    }
    if (!registered_first && gen.Chance(0.5)) stream.push_back(registration);
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
            (std::vector<bool>{false, true, false, false, false, true}));
  // The last A&E: its own count, and the cells of its month and quarter,
  // verified by then (its year's were written by the earlier events).
  Cells want = {{"E09000002|ae|2014-07", 1},
                {"E09000002|nv|2014-07|den", 1},
                {"E09000002|nv|2014-07|num", 1},
                {"E09000002|nv|2014-15-Q2|den", 1},
                {"E09000002|nv|2014-15-Q2|num", 1}};
  EXPECT_EQ(delta, want);
}

}  // namespace
}  // namespace carelog::testing
