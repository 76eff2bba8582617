// The worklists of SPEC.md "Worklists": days delayed, order, reason and
// agency, readiness withdrawn, follow-ups due, packages without a professional
// and moves.
#include "services/worklists.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/services/instants.h"
#include "tests/services/worklists_fixture.h"

namespace carelog {
namespace {

using testing::At;
using worklists_testing::kArea;
using worklists_testing::kOther;
using worklists_testing::WorklistsTest;

TEST_F(WorklistsTest,
       DaysDelayedCountMidnightsAcrossAWeekendAndTheClockChange) {
  Register();
  Admit("S1", "2015-10-20T09:00:00+01:00");
  // Friday 23 October 2015; the clocks went back at 02:00 BST on Sunday 25
  // October.
  Ready("r1", "S1", "2015-10-23T14:00:00+01:00");
  auto list = projection_.Discharge(kArea, std::nullopt,
                                    At("2015-10-23T23:30:00+01:00"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].days_delayed, 0);
  EXPECT_FALSE(list[0].ready_on_weekend);
  EXPECT_EQ(list[0].reason, "UNRECORDED");
  EXPECT_EQ(list[0].agency, "UNRECORDED");
  // Midnights ending Friday, Saturday and Sunday have passed by Monday morning.
  list = projection_.Discharge(kArea, std::nullopt, At("2015-10-26T00:30:00Z"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].days_delayed, 3);
  // 23:30 GMT on Sunday is still Sunday in London: two midnights.
  list = projection_.Discharge(kArea, std::nullopt, At("2015-10-25T23:30:00Z"));
  EXPECT_EQ(list[0].days_delayed, 2);
  // In summer time 23:30 UTC is already the next day in London.
  Admit("S2", "2015-06-01T09:00:00+01:00", "Queen's", "9990000026");
  Ready("r2", "S2", "2015-06-06T10:00:00+01:00", "9990000026");  // a Saturday
  Register("9990000026", kOther);
  list =
      projection_.Discharge(kOther, std::nullopt, At("2015-06-06T23:30:00Z"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].spell_id, "S2");
  EXPECT_EQ(list[0].days_delayed, 1);
  EXPECT_TRUE(list[0].ready_on_weekend);
}

// SPEC.md: days delayed are "midnights counted as above" (Delayed days), which
// counts by London dates: "ready and discharged the same day: 0". Ready at
// 00:00 BST on Friday 23 October 2015 is ready on Friday, not at the midnight
// that ends Thursday: 0 days on Friday, as the delayedDays metric counts it; 1
// after Friday's midnight.
TEST_F(WorklistsTest, ReadyAtMidnightIsReadyOnThatDay) {
  Register();
  Admit("S1", "2015-10-20T09:00:00+01:00");
  Ready("r1", "S1", "2015-10-23T00:00:00+01:00");
  auto list = projection_.Discharge(kArea, std::nullopt,
                                    At("2015-10-23T00:00:00+01:00"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].days_delayed, 0);
  EXPECT_FALSE(list[0].ready_on_weekend);  // Friday
  list = projection_.Discharge(kArea, std::nullopt,
                               At("2015-10-23T10:00:00+01:00"));
  EXPECT_EQ(list[0].days_delayed, 0);
  list = projection_.Discharge(kArea, std::nullopt,
                               At("2015-10-24T00:00:00+01:00"));
  EXPECT_EQ(list[0].days_delayed, 1);
  // A minute after midnight: the same day, the same count.
  Admit("S2", "2015-10-20T09:00:00+01:00", "Queen's", "9990000026");
  Register("9990000026");
  Ready("r2", "S2", "2015-10-23T00:01:00+01:00", "9990000026");
  list = projection_.Discharge(kArea, std::nullopt,
                               At("2015-10-23T10:00:00+01:00"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].spell_id, "S2");
  EXPECT_EQ(list[1].days_delayed, 0);
}

TEST_F(WorklistsTest, LongestDelayFirstWithLatestReasonAndSiteFilter) {
  Register();
  Register("9990000026");
  Admit("S1", "2015-03-01T09:00:00Z");
  Ready("r1", "S1", "2015-03-10T12:00:00Z");  // Tuesday
  Delay("d1", "S1", "2015-03-11T12:00:00Z", schema::DelayReason::A,
        schema::Agency::NHS);
  Delay("d2", "S1", "2015-03-12T12:00:00Z", schema::DelayReason::D2,
        schema::Agency::SOCIAL_CARE);
  Admit("S9", "2015-03-01T09:00:00Z", "King George", "9990000026");
  Ready("r9", "S9", "2015-03-04T12:00:00Z", "9990000026");
  const Instant now = At("2015-03-15T12:00:00Z");
  auto list = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].nhs_number, "9990000026");
  EXPECT_EQ(list[0].days_delayed, 11);
  EXPECT_EQ(list[1].days_delayed, 5);
  EXPECT_EQ(list[1].reason, "D2");
  EXPECT_EQ(list[1].agency, "SOCIAL_CARE");
  EXPECT_EQ(projection_.Discharge(kArea, "Queen's", now).size(), 1u);
  EXPECT_TRUE(projection_.Discharge(kOther, std::nullopt, now).empty());
  // Retracting the latest delay record brings back the one before it.
  Retract("x1", "d2", "2015-03-13T12:00:00Z");
  list = projection_.Discharge(kArea, "Queen's", now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "A");
  EXPECT_EQ(list[0].agency, "NHS");
}

TEST_F(WorklistsTest, WithdrawalStopsTheClockAndANewReadinessRestartsIt) {
  Register();
  Admit("S1", "2015-03-01T09:00:00Z");
  Ready("r1", "S1", "2015-03-02T12:00:00Z");
  Delay("d1", "S1", "2015-03-03T12:00:00Z", schema::DelayReason::E,
        schema::Agency::BOTH);
  auto e = Event("w1", "2015-03-05T12:00:00Z");
  e.mutable_ready_for_discharge_withdrawn()->set_spell_id("S1");
  Add(e);
  const Instant now = At("2015-03-10T12:00:00Z");
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  Ready("r2", "S1", "2015-03-08T12:00:00Z");
  auto list = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].days_delayed, 2);
  EXPECT_EQ(
      list[0].reason,
      "UNRECORDED");  // the earlier readiness's reason does not carry over
}

TEST_F(WorklistsTest, ALateDischargeRemovesTheRowAndStartsTheFollowUpClock) {
  Register();
  Admit("S1", "2015-03-01T09:00:00Z");
  Ready("r1", "S1", "2015-03-02T12:00:00Z");
  Discharge("x1", "S1", "2015-03-04T12:00:00Z",
            schema::Destination::REABLEMENT);
  // A readiness recorded after the discharge but occurring before it changes
  // nothing open.
  const Instant now = At("2015-03-10T12:00:00Z");
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  EXPECT_TRUE(projection_.FollowUpsDue(kArea, now).empty());
  // Day 91 after 4 March 2015 is 3 June 2015.
  EXPECT_TRUE(
      projection_.FollowUpsDue(kArea, At("2015-06-02T22:00:00Z")).empty());
  auto due = projection_.FollowUpsDue(
      kArea, At("2015-06-02T23:30:00Z"));  // 3 June, BST
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(FormatDate(due[0].discharged_on), "2015-03-04");
  EXPECT_EQ(FormatDate(due[0].due_on), "2015-06-03");
  auto f = Event("f1", "2015-06-03T10:00:00+01:00");
  f.mutable_follow_up_recorded()->set_spell_id("S1");
  f.mutable_follow_up_recorded()->set_status(schema::FollowUpStatus::AT_HOME);
  Add(f);
  EXPECT_TRUE(
      projection_.FollowUpsDue(kArea, At("2015-07-01T00:00:00Z")).empty());
}

TEST_F(WorklistsTest,
       UnassignedPackagesOldestFirstAndProfessionalShownOnTheWorklist) {
  Register();
  StartPackage("P1", "2015-02-01T10:00:00Z", true);
  StartPackage("P2", "2015-01-20T10:00:00Z", true);
  StartPackage("P3", "2015-01-10T10:00:00Z",
               false);  // not integrated: not listed
  const Instant now = At("2015-02-11T10:00:00Z");
  auto list = projection_.UnassignedPackages(kArea, now);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].package_id, "P2");
  EXPECT_EQ(list[0].days_without, 22);
  EXPECT_EQ(list[1].days_without, 10);
  Assign("a1", "P2", "2015-02-05T10:00:00Z", "Ann Smith");
  list = projection_.UnassignedPackages(kArea, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].package_id, "P1");

  Admit("S1", "2015-02-06T09:00:00Z");
  Ready("r1", "S1", "2015-02-07T12:00:00Z");
  auto discharge = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(discharge.size(), 1u);
  ASSERT_TRUE(discharge[0].accountable_professional.has_value());
  EXPECT_EQ(discharge[0].accountable_professional->name(), "Ann Smith");
  // Retracting the assignment puts the package back on the list and the
  // professional goes.
  Retract("x1", "a1", "2015-02-08T10:00:00Z");
  EXPECT_EQ(projection_.UnassignedPackages(kArea, now).size(), 2u);
  EXPECT_FALSE(projection_.Discharge(kArea, std::nullopt, now)[0]
                   .accountable_professional);
}

TEST_F(WorklistsTest, AMoveTakesTheItemsToTheNewArea) {
  Register();
  Admit("S1", "2015-02-06T09:00:00Z");
  Ready("r1", "S1", "2015-02-07T12:00:00Z");
  const Instant now = At("2015-02-11T10:00:00Z");
  EXPECT_EQ(projection_.Discharge(kArea, std::nullopt, now).size(), 1u);
  auto e = Event("m1", "2015-02-08T10:00:00Z");
  e.mutable_person_moved()->set_area_code(kOther);
  Add(e);
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  EXPECT_EQ(projection_.Discharge(kOther, std::nullopt, now).size(), 1u);
}

}  // namespace
}  // namespace carelog
