// Property: a random valid history, recorded in a shuffled order wherever the
// rules allow it, folds to the same person as the history recorded in time
// order.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "services/person_view.h"
#include "tests/services/recorder_harness.h"

namespace carelog::testing {
namespace {

// Generates a valid history in time order, one event a few hours after the
// previous one.
class HistoryGenerator {
 public:
  explicit HistoryGenerator(uint32_t seed) : rng_(seed) {}

  std::vector<schema::CareEvent> Generate(int steps) {
    Add(Registered("1940-03-03", "E09000002"));
    for (int i = 0; i < steps; ++i) Step();
    if (Chance(0.3)) {
      Add(R"("personDied": {})");
      for (const auto& spell : reablement_) {
        if (Chance(0.5)) Add(FollowUp(spell, "DIED"));
      }
    }
    return events_;
  }

 private:
  bool Chance(double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T>
  T PickOf(const std::vector<T>& v) {
    return v[static_cast<size_t>(Pick(static_cast<int>(v.size())))];
  }
  std::string NextId(const std::string& prefix) {
    return prefix + std::to_string(++counter_);
  }

  std::string Add(const std::string& payload) {
    t_ += (1 + Pick(30)) * 3600LL * 1'000'000;
    std::string id = NextId("e");
    events_.push_back(Ev(id, FormatRfc3339London(t_), payload));
    return id;
  }

  void Step() {
    switch (Pick(12)) {
      case 0:
      case 1:
        if (open_spell_.empty()) {
          open_spell_ = NextId("S");
          ready_ = false;
          Add(Admitted(
              open_spell_,
              PickOf<std::string>({"EMERGENCY", "ELECTIVE", "TRANSFER"})));
        } else if (!ready_) {
          ready_ = true;
          Add(Ready(open_spell_));
        } else if (Chance(0.3)) {
          ready_ = false;
          Add(Withdrawn(open_spell_));
        } else {
          Add(Delay(open_spell_,
                    PickOf<std::string>({"A", "B", "D1", "E", "G"}),
                    PickOf<std::string>({"NHS", "SOCIAL_CARE", "BOTH"})));
        }
        return;
      case 2:
        if (!open_spell_.empty()) {
          std::string destination = PickOf<std::string>(
              {"USUAL_RESIDENCE", "REABLEMENT", "REHABILITATION_BED"});
          Add(Discharged(open_spell_, destination));
          if (destination != "USUAL_RESIDENCE")
            reablement_.push_back(open_spell_);
          open_spell_.clear();
        }
        return;
      case 3:
        if (!reablement_.empty()) {
          Add(FollowUp(PickOf(reablement_),
                       PickOf<std::string>(
                           {"AT_HOME", "IN_HOSPITAL", "NOT_CONTACTED"})));
        }
        return;
      case 4: {
        std::string id = NextId("R");
        open_referrals_.push_back(id);
        Add(R"("referralReceived": {"referralId": ")" + id +
            R"(", "fromSector": "HEALTH", "urgency": "URGENT"})");
        return;
      }
      case 5:
        if (!open_referrals_.empty()) {
          std::string id = open_referrals_.back();
          open_referrals_.pop_back();
          Add(Chance(0.5)
                  ? R"("referralAccepted": {"referralId": ")" + id + "\"}"
                  : R"("referralDeclined": {"referralId": ")" + id + "\"}");
        }
        return;
      case 6: {
        std::string id = NextId("JA");
        open_assessments_.push_back(id);
        Add(R"("jointAssessmentStarted": {"assessmentId": ")" + id +
            R"(", "participants": [{"professionalId": "N", "sector": "HEALTH"}, {"professionalId": "S", "sector": "SOCIAL_CARE"}]})");
        return;
      }
      case 7:
        if (!open_assessments_.empty()) {
          std::string id = open_assessments_.back();
          open_assessments_.pop_back();
          assessments_.push_back(id);
          Add(R"("jointAssessmentCompleted": {"assessmentId": ")" + id +
              R"(", "outcome": "PACKAGE_NEEDED"})");
        }
        return;
      case 8: {
        std::string id = NextId("K");
        open_packages_.push_back(id);
        std::string assessment =
            assessments_.empty()
                ? ""
                : R"(, "assessmentId": ")" + PickOf(assessments_) + "\"";
        Add(R"("carePackageStarted": {"packageId": ")" + id +
            R"(", "integrated": )" + (Chance(0.7) ? "true" : "false") +
            assessment + "}");
        return;
      }
      case 9:
        if (!open_packages_.empty()) {
          std::string id = PickOf(open_packages_);
          if (Chance(0.3)) {
            open_packages_.erase(
                std::find(open_packages_.begin(), open_packages_.end(), id));
            Add(R"("carePackageEnded": {"packageId": ")" + id + "\"}");
          } else {
            Add(R"("accountableProfessionalAssigned": {"packageId": ")" + id +
                R"(", "professionalId": ")" + NextId("P") +
                R"(", "name": "N"})");
          }
        }
        return;
      case 10: {
        // A mistake, sometimes retracted later.
        std::string id = Add(R"("aeAttended": {"attendanceId": ")" +
                             NextId("A") + R"(", "site": "Queen's"})");
        if (Chance(0.4)) Add(Retract(id));
        return;
      }
      case 11:
        Add(Chance(0.5)
                ? R"("personMoved": {"areaCode": ")" +
                      PickOf<std::string>({"E09000002", "E09000003"}) + "\"}"
                : R"("experienceSurveyCompleted": {"surveyId": ")" +
                      NextId("Q") + R"(", "positive": true})");
        return;
    }
  }

  std::mt19937 rng_;
  Instant t_ = *ParseRfc3339("2014-04-01T00:00:00Z");
  int counter_ = 0;
  std::vector<schema::CareEvent> events_;
  std::string open_spell_;
  bool ready_ = false;
  std::vector<std::string> reablement_, open_referrals_, open_assessments_,
      assessments_, open_packages_;
};

// Everything the fold gives, in one canonical text.
std::string Canonical(const PersonState& state) {
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(
      RenderPerson(kNhs, state), &out);
  EXPECT_TRUE(status.ok());
  for (const auto& e : state.timeline()) out += "|" + e->event.event_id();
  return out;
}

class ShuffledHistoryTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ShuffledHistoryTest, ShuffledRecordingFoldsToTheSamePerson) {
  const uint32_t seed = GetParam();
  std::vector<schema::CareEvent> history = HistoryGenerator(seed).Generate(60);

  Harness in_order(false);
  in_order.Accept(history);
  const std::string expected = Canonical(*in_order.State());

  // Record one event at a time in a shuffled order, deferring those the rules
  // refuse for now; when nothing left fits on its own, the rest goes in one
  // request in time order.
  Harness shuffled(false);
  std::vector<schema::CareEvent> pending = history;
  std::mt19937 rng(seed * 7919u + 1);
  std::shuffle(pending.begin(), pending.end(), rng);
  int accepted_alone = 0;
  bool progress = true;
  while (!pending.empty() && progress) {
    progress = false;
    for (size_t i = 0; i < pending.size(); ++i) {
      auto r = shuffled.Post({pending[i]});
      if (r.ok()) {
        pending.erase(pending.begin() + static_cast<ptrdiff_t>(i));
        ++accepted_alone;
        progress = true;
        break;
      }
      ASSERT_EQ(r.status().code(), Code::kRuleViolation)
          << r.status().ToString();
    }
  }
  if (!pending.empty()) {
    std::stable_sort(pending.begin(), pending.end(),
                     [](const auto& a, const auto& b) {
                       return *ParseRfc3339(a.occurred_at()) <
                              *ParseRfc3339(b.occurred_at());
                     });
    shuffled.Accept(pending);
  }
  EXPECT_GT(accepted_alone, static_cast<int>(history.size()) / 3);
  auto state = shuffled.State();
  EXPECT_EQ(state->version(), history.size());
  EXPECT_EQ(Canonical(*state), expected) << "seed " << seed;

  // The fold alone does not depend on the recording order either.
  std::vector<StoredCareEventPtr> recorded = state->recorded();
  std::shuffle(recorded.begin(), recorded.end(), rng);
  std::vector<StoredCareEventPtr> renumbered;
  for (size_t i = 0; i < recorded.size(); ++i) {
    auto e = std::make_shared<StoredCareEvent>(*recorded[i]);
    e->version = i + 1;
    renumbered.push_back(std::move(e));
  }
  EXPECT_EQ(Canonical(PersonState::FromStream(renumbered)), expected)
      << "seed " << seed;
}

INSTANTIATE_TEST_SUITE_P(Seeds, ShuffledHistoryTest, ::testing::Range(1u, 41u));

}  // namespace
}  // namespace carelog::testing
