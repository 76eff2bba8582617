// Property: random histories recorded in random order (late events,
// retractions, moves between areas), applied incrementally in batches of random
// size, give the same cells -- and so the same value of every metric -- as a
// recomputation from scratch; as-of reads at any position equal a recomputation
// from the events recorded up to it; a rebuild and a restart change nothing.
#include <random>

#include "gtest/gtest.h"
#include "services/metrics/contribution.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {
namespace {

using metrics::Cells;

const std::vector<std::string> kAreas = {"E09000002", "E09000003", "E09000004"};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // An instant between 15 March 2014 and 1 May 2015, as RFC 3339 with a
  // London-like offset.
  std::string Time() {
    Instant start = At("2014-03-15T00:00:00Z");
    Instant span = At("2015-05-01T00:00:00Z") - start;
    Instant t = start + std::uniform_int_distribution<Instant>(0, span)(rng_);
    t -= t % 60'000'000;  // whole minutes
    return FormatRfc3339London(t);
  }
  std::string Later(const std::string& after, int max_days) {
    Instant t =
        At(after) + std::uniform_int_distribution<Instant>(
                        60'000'000, max_days * metrics::kMicrosPerDay)(rng_);
    t -= t % 60'000'000;
    return FormatRfc3339London(t);
  }

  // Events of one person after registration, in no particular order.
  std::vector<schema::CareEvent> Person() {
    std::vector<schema::CareEvent> out;
    int items = 2 + Pick(6);
    for (int i = 0; i < items; ++i) {
      std::string id = std::to_string(i);
      std::string t = Time();
      switch (Pick(9)) {
        case 0: {  // a spell with readiness, delays and a discharge
          std::string spell = "S" + id;
          out.push_back(Admitted(t, spell,
                                 Chance(0.7)
                                     ? schema::AdmissionMethod::EMERGENCY
                                     : schema::AdmissionMethod::ELECTIVE));
          std::string ready = Later(t, 5);
          out.push_back(Ready(ready, spell));
          std::string last = ready;
          for (int d = Pick(3); d > 0; --d) {
            last = Later(last, 4);
            out.push_back(Delay(last, spell,
                                schema::DelayReason::Value(1 + Pick(10)),
                                schema::Agency::Value(1 + Pick(3))));
          }
          if (Chance(0.3)) {
            last = Later(last, 3);
            out.push_back(Withdrawn(last, spell));
            if (Chance(0.5)) out.push_back(Ready(last = Later(last, 3), spell));
          }
          if (Chance(0.8)) {
            std::string discharged = Later(last, 10);
            auto dest = schema::Destination::Value(1 + Pick(8));
            out.push_back(Discharged(discharged, spell, dest));
            if (Chance(0.7)) {
              out.push_back(
                  FollowUp(Later(discharged, 120), spell,
                           schema::FollowUpStatus::Value(1 + Pick(5))));
            }
          }
          break;
        }
        case 1:
          out.push_back(Moved(t, kAreas[Pick(3)]));
          break;
        case 2: {
          std::string p = "P" + id;
          out.push_back(CareHome(t, p, schema::CareHomeType::Value(1 + Pick(2)),
                                 Chance(0.8), Chance(0.8)));
          if (Chance(0.5)) out.push_back(CareHomeLeft(Later(t, 60), p));
          break;
        }
        case 3:
          out.push_back(Chance(0.5) ? Ae(t) : Survey(t, Chance(0.6)));
          break;
        case 4: {
          std::string r = "R" + id;
          out.push_back(Referral(t, r, schema::Urgency::Value(1 + Pick(3))));
          if (Chance(0.8)) {
            std::string answer = Later(t, 2);
            out.push_back(Chance(0.5) ? Accepted(answer, r)
                                      : Declined(answer, r));
          }
          break;
        }
        case 5: {
          std::string a = "A" + id;
          out.push_back(AssessmentStarted(t, a));
          if (Chance(0.6)) out.push_back(AssessmentCompleted(Later(t, 10), a));
          std::string g = "G" + id;
          std::string started = Later(t, 20);
          out.push_back(
              PackageStarted(started, g, Chance(0.8), Chance(0.7) ? a : ""));
          if (Chance(0.6)) out.push_back(Professional(Later(started, 40), g));
          if (Chance(0.4)) out.push_back(PackageEnded(Later(started, 90), g));
          break;
        }
        case 6:
          out.push_back(Verified(t));
          break;
        case 7:
          if (Chance(0.2)) out.push_back(Died(t));
          break;
        default:
          out.push_back(
              Admitted(t, "T" + id, schema::AdmissionMethod::TRANSFER));
          break;
      }
    }
    return out;
  }

  std::string Birth() {
    static const std::vector<std::string> kBirths = {
        "1996-09-10", "1949-05-15", "1938-02-11",
        "1970-07-01", "1950-01-20", "1997-01-01"};
    return kBirths[Pick(static_cast<int>(kBirths.size()))];
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

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
