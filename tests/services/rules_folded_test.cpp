// CheckRules handing back the facts it folded, and PersonState::WithFolded
// taking them: the same person as With would give, without a second fold.
#include <gtest/gtest.h>

#include <optional>

#include "services/person_state.h"
#include "services/person_view.h"
#include "services/rules.h"
#include "tests/services/care_events.h"

namespace carelog::testing {
namespace {

constexpr Instant kNow = 1'700'000'000'000'000;  // 2023-11-14

std::string View(const PersonState& state) {
  return RenderPerson("9990000026", state).SerializeAsString();
}

PersonState History() {
  return PersonState::FromStream(AsNextEvents(
      PersonState(), {Ev("h1", "2014-06-01T10:00:00+01:00", Registered()),
                      Ev("h2", "2014-06-02T10:00:00+01:00", Admitted("S1"))}));
}

TEST(RulesFoldedTest, InOrderEventsComeBackFoldedAndMatchWith) {
  const PersonState before = History();
  const auto fresh = AsNextEvents(
      before, {Ev("n1", "2014-06-05T10:00:00+01:00", Ready("S1")),
               Ev("n2", "2014-06-06T10:00:00+01:00", Delay("S1")),
               Ev("n3", "2014-06-09T10:00:00+01:00", Discharged("S1"))});
  std::optional<PersonFacts> folded;
  ASSERT_TRUE(CheckRules(before, fresh, kNow, &folded).ok());
  ASSERT_TRUE(folded.has_value());
  const PersonState with = before.With(fresh);
  const PersonState with_folded = before.WithFolded(fresh, std::move(*folded));
  EXPECT_EQ(with_folded.version(), 5u);
  EXPECT_EQ(with_folded.timeline().size(), with.timeline().size());
  ASSERT_NE(with_folded.FindEvent("n2"), nullptr);
  EXPECT_EQ(with_folded.FindEvent("n2")->version, 4u);
  EXPECT_EQ(View(with_folded), View(with));
  EXPECT_NE(View(with_folded), View(before)) << "the discharge shows";
}

TEST(RulesFoldedTest, NothingFoldedForLateEventsOrRefusals) {
  const PersonState before = History();
  std::optional<PersonFacts> folded;
  // Before the admission in time: the timeline is re-checked whole instead.
  const auto late = AsNextEvents(
      before, {Ev("l1", "2014-06-01T12:00:00+01:00",
                  R"("aeAttended": {"attendanceId": "A1", "site": "Q"})")});
  ASSERT_TRUE(CheckRules(before, late, kNow, &folded).ok());
  EXPECT_FALSE(folded.has_value());
  // A refusal folds nothing either.
  const auto bad = AsNextEvents(
      before, {Ev("b1", "2014-06-05T10:00:00+01:00", Ready("S9"))});
  EXPECT_FALSE(CheckRules(before, bad, kNow, &folded).ok());
  EXPECT_FALSE(folded.has_value());
}

}  // namespace
}  // namespace carelog::testing
