// CheckAndExtend: the request's events checked and folded into the person in
// place, the same person as With would give; a refusal leaves the person as it
// was.
#include <gtest/gtest.h>

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

TEST(RulesFoldedTest, InOrderEventsAreFoldedInPlaceAsWithWould) {
  const PersonState before = History();
  const auto fresh = AsNextEvents(
      before, {Ev("n1", "2014-06-05T10:00:00+01:00", Ready("S1")),
               Ev("n2", "2014-06-06T10:00:00+01:00", Delay("S1")),
               Ev("n3", "2014-06-09T10:00:00+01:00", Discharged("S1"))});
  PersonState state = History();
  ASSERT_TRUE(CheckAndExtend(state, fresh, kNow).ok());
  const PersonState with = before.With(fresh);
  EXPECT_EQ(state.version(), 5u);
  EXPECT_EQ(state.timeline().size(), with.timeline().size());
  ASSERT_NE(state.FindEvent("n2"), nullptr);
  EXPECT_EQ(state.FindEvent("n2")->version, 4u);
  EXPECT_EQ(View(state), View(with));
  EXPECT_NE(View(state), View(before)) << "the discharge shows";
}

TEST(RulesFoldedTest, LateEventsAreRecheckedWholeAndFoldedInTimelineOrder) {
  // Before the admission in time: the timeline is re-checked whole.
  const PersonState before = History();
  const auto late = AsNextEvents(
      before, {Ev("l1", "2014-06-01T12:00:00+01:00",
                  R"("aeAttended": {"attendanceId": "A1", "site": "Q"})")});
  PersonState state = History();
  ASSERT_TRUE(CheckAndExtend(state, late, kNow).ok());
  EXPECT_EQ(state.version(), 3u);
  ASSERT_EQ(state.timeline().size(), 3u);
  EXPECT_EQ(state.timeline()[1]->event.event_id(), "l1");
  EXPECT_EQ(View(state), View(before.With(late)));
}

TEST(RulesFoldedTest, ARefusalPartWayLeavesThePersonAsItWas) {
  const PersonState before = History();
  // The first event fits and is folded before the second is refused.
  const auto bad = AsNextEvents(
      before, {Ev("b1", "2014-06-05T10:00:00+01:00", Ready("S1")),
               Ev("b2", "2014-06-06T10:00:00+01:00", Ready("S9"))});
  PersonState state = History();
  Status refused = CheckAndExtend(state, bad, kNow);
  ASSERT_EQ(refused.code(), Code::kRuleViolation);
  EXPECT_EQ(refused.errors().at(0).field,
            "events[1].readyForDischarge.spellId");
  EXPECT_EQ(refused.message(), CheckRules(before, bad, kNow).message());
  EXPECT_EQ(state.version(), 2u);
  EXPECT_EQ(state.FindEvent("b1"), nullptr);
  EXPECT_EQ(View(state), View(before));
}

TEST(RulesFoldedTest, TruncateToUndoesExtend) {
  PersonState state = History();
  const std::string view = View(state);
  state.Extend(AsNextEvents(
      state, {Ev("t1", "2014-06-05T10:00:00+01:00", Ready("S1"))}));
  ASSERT_EQ(state.version(), 3u);
  state.TruncateTo(2);
  EXPECT_EQ(state.version(), 2u);
  EXPECT_EQ(state.FindEvent("t1"), nullptr);
  EXPECT_EQ(View(state), view);
}

}  // namespace
}  // namespace carelog::testing
