// Events recorded before they occur (the rules allow 5 minutes): every
// worklist answers for the events occurred by the read's instant, in memory,
// after a restart and after a rebuild (docs/READINGS.md "Worklists", "Events
// recorded before they occur"). The server's clock is at 10:56 on Thursday 24
// March 2016 when the events are recorded.
#include <gtest/gtest.h>

#include <string>

#include "services/worklists.h"
#include "tests/services/instants.h"
#include "tests/services/worklists_fixture.h"

namespace carelog {
namespace {

using testing::At;
using worklists_testing::Care;
using worklists_testing::kArea;
using worklists_testing::kNhs;
using worklists_testing::kOther;
using worklists_testing::ReadyForDischarge;
using worklists_testing::StoredWorklists;
using worklists_testing::WorklistsTest;

class WorklistsAheadTest : public WorklistsTest {
 protected:
  void SetUp() override { clock_.Set(At("2016-03-24T10:56:00Z")); }
  std::vector<DischargeItem> ListAt(const std::string& at) {
    return projection_.Discharge(kArea, std::nullopt, At(at));
  }
  // The end of a batch of the log at `at`: the rows it writes.
  storage::ProjectionWrite FinishBatchAt(const std::string& at) {
    clock_.Set(At(at));
    storage::ProjectionWrite write;
    EXPECT_TRUE(projection_.FinishBatch(write).ok());
    projection_.Commit(1);
    return write;
  }
};

// Ready since Tuesday 12:00; a discharge recorded at 10:56 for 11:00.
TEST_F(WorklistsAheadTest, ADischargeRecordedAheadLeavesTheListAtItsInstant) {
  Register();
  Admit("S1", "2016-03-20T09:00:00Z");
  Ready("r1", "S1", "2016-03-22T12:00:00Z");
  Discharge("d1", "S1", "2016-03-24T11:00:00Z",
            schema::Destination::USUAL_RESIDENCE);
  auto list = ListAt("2016-03-24T10:58:00Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].spell_id, "S1");
  EXPECT_EQ(list[0].days_delayed, 2);  // the midnights ending 22 and 23 March
  EXPECT_EQ(ListAt("2016-03-24T10:59:59Z").size(), 1u);  // 1 s before
  EXPECT_TRUE(ListAt("2016-03-24T11:00:00Z").empty());   // at the instant
  EXPECT_TRUE(ListAt("2016-03-24T11:00:01Z").empty());
  EXPECT_EQ(projection_.PeopleHeld(), 1u);
  // A batch ending before 11:00 keeps the person (and writes their row); the
  // first ending after it lets them go (deletes it), and the list stays right.
  auto write = FinishBatchAt("2016-03-24T10:59:59Z");
  ASSERT_EQ(write.rows.size(), 1u);
  EXPECT_TRUE(write.rows[0].value.has_value());
  EXPECT_EQ(projection_.PeopleHeld(), 1u);
  EXPECT_EQ(ListAt("2016-03-24T10:59:59Z").size(), 1u);
  write = FinishBatchAt("2016-03-24T11:00:00Z");
  ASSERT_EQ(write.rows.size(), 1u);
  EXPECT_EQ(write.rows[0].key, kNhs);
  EXPECT_FALSE(write.rows[0].value.has_value());
  EXPECT_EQ(projection_.PeopleHeld(), 0u);
  EXPECT_TRUE(ListAt("2016-03-24T11:05:00Z").empty());
}

// A readiness and a delay reason at 11:00 count from 11:00 exactly, not a
// second before.
TEST_F(WorklistsAheadTest, AReadinessAndADelayReasonCountFromTheirInstant) {
  Register();
  Admit("S1", "2016-03-20T09:00:00Z");
  Ready("r1", "S1", "2016-03-24T11:00:00Z");
  EXPECT_TRUE(ListAt("2016-03-24T10:59:59Z").empty());
  auto list = ListAt("2016-03-24T11:00:00Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].days_delayed, 0);
  EXPECT_EQ(list[0].reason, "UNRECORDED");
  Delay("e1", "S1", "2016-03-24T11:01:00Z", schema::DelayReason::D2,
        schema::Agency::SOCIAL_CARE);
  list = ListAt("2016-03-24T11:00:59Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "UNRECORDED");
  EXPECT_EQ(list[0].agency, "UNRECORDED");
  list = ListAt("2016-03-24T11:01:00Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "D2");
  EXPECT_EQ(list[0].agency, "SOCIAL_CARE");
}

// The discharge recorded first, ahead, when the person has no open item; the
// readiness (at 09:00, recorded late) then opens one until 11:00.
TEST_F(WorklistsAheadTest, AReadinessRecordedAfterADischargeAheadShowsUntilIt) {
  Register();
  Admit("S1", "2016-03-20T09:00:00Z");
  Discharge("d1", "S1", "2016-03-24T11:00:00Z",
            schema::Destination::USUAL_RESIDENCE);
  EXPECT_EQ(projection_.PeopleHeld(), 0u);
  Ready("r1", "S1", "2016-03-24T09:00:00Z");
  auto list = ListAt("2016-03-24T10:58:00Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].ready_since, At("2016-03-24T09:00:00Z"));
  EXPECT_EQ(list[0].days_delayed, 0);
  EXPECT_TRUE(ListAt("2016-03-24T11:00:00Z").empty());
}

// A move at 11:00 and a death at 11:02: the items stay in the old area until
// the move, and leave the lists at the death.
TEST_F(WorklistsAheadTest, AMoveAndADeathAheadCountFromTheirInstants) {
  Register();
  Admit("S1", "2016-03-20T09:00:00Z");
  Ready("r1", "S1", "2016-03-22T12:00:00Z");
  StartPackage("P1", "2016-03-21T10:00:00Z", true);
  auto move = Event("m1", "2016-03-24T11:00:00Z");
  move.mutable_person_moved()->set_area_code(kOther);
  Add(move);
  auto died = Event("died", "2016-03-24T11:02:00Z");
  died.mutable_person_died();
  Add(died);
  const Instant before = At("2016-03-24T10:59:59Z");
  const Instant moved = At("2016-03-24T11:00:00Z");
  const Instant dead = At("2016-03-24T11:02:00Z");
  EXPECT_EQ(projection_.Discharge(kArea, std::nullopt, before).size(), 1u);
  EXPECT_EQ(projection_.UnassignedPackages(kArea, before).size(), 1u);
  EXPECT_TRUE(projection_.Discharge(kOther, std::nullopt, before).empty());
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, moved).empty());
  EXPECT_EQ(projection_.Discharge(kOther, std::nullopt, moved).size(), 1u);
  auto unassigned = projection_.UnassignedPackages(kOther, moved);
  ASSERT_EQ(unassigned.size(), 1u);
  EXPECT_EQ(unassigned[0].days_without, 3);  // 21, 22 and 23 March
  EXPECT_TRUE(projection_.Discharge(kOther, std::nullopt, dead).empty());
  EXPECT_TRUE(projection_.UnassignedPackages(kOther, dead).empty());
}

// A retraction at 11:00 of a delay record: the record stands until then.
TEST_F(WorklistsAheadTest, ARetractionAheadLeavesWhatItNamesUntilItOccurs) {
  Register();
  Admit("S1", "2016-03-20T09:00:00Z");
  Ready("r1", "S1", "2016-03-22T12:00:00Z");
  Delay("e1", "S1", "2016-03-23T09:00:00Z", schema::DelayReason::A,
        schema::Agency::NHS);
  Retract("x1", "e1", "2016-03-24T11:00:00Z");
  auto list = ListAt("2016-03-24T10:59:59Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "A");
  list = ListAt("2016-03-24T11:00:00Z");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "UNRECORDED");
}

// A follow-up and an accountable professional recorded ahead: the follow-up
// due (discharged to reablement on 23 December 2015, due on 23 March 2016) and
// the package without a professional stay listed until 11:00.
TEST_F(WorklistsAheadTest,
       AFollowUpAndAProfessionalAheadCountFromTheirInstant) {
  Register();
  Admit("S1", "2015-12-20T09:00:00Z");
  Discharge("d1", "S1", "2015-12-23T10:00:00Z",
            schema::Destination::REABLEMENT);
  StartPackage("P1", "2016-03-23T10:00:00Z", true);
  auto follow_up = Event("f1", "2016-03-24T11:00:00Z");
  follow_up.mutable_follow_up_recorded()->set_spell_id("S1");
  follow_up.mutable_follow_up_recorded()->set_status(
      schema::FollowUpStatus::AT_HOME);
  Add(follow_up);
  Assign("a1", "P1", "2016-03-24T11:00:00Z", "Ann");
  const Instant before = At("2016-03-24T10:59:59Z");
  const Instant at = At("2016-03-24T11:00:00Z");
  auto due = projection_.FollowUpsDue(kArea, before);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(FormatDate(due[0].due_on), "2016-03-23");
  auto unassigned = projection_.UnassignedPackages(kArea, before);
  ASSERT_EQ(unassigned.size(), 1u);
  EXPECT_EQ(unassigned[0].days_without, 1);
  EXPECT_TRUE(projection_.FollowUpsDue(kArea, at).empty());
  EXPECT_TRUE(projection_.UnassignedPackages(kArea, at).empty());
}

// The events of a person ready since Tuesday, and their discharge at 11:00.
std::vector<schema::CareEvent> ReadyThenDischargedAt11() {
  std::vector<schema::CareEvent> events =
      ReadyForDischarge("2016-03-20T09:00:00Z", "2016-03-22T12:00:00Z");
  schema::CareEvent dis = Care("dis", "2016-03-24T11:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(
      schema::Destination::USUAL_RESIDENCE);
  events.push_back(dis);
  return events;
}

size_t ListedAt(StoredWorklists& store, const std::string& at) {
  return store.projection().Discharge(kArea, std::nullopt, At(at)).size();
}

// The discharge applied in log order at 10:56; the server restarted at 10:58
// still lists the person, restarted at 11:01 it has let them go.
TEST(StoredWorklistsAheadTest,
     AFutureDischargeIsKeptAcrossARestartUntilItsTime) {
  StoredWorklists store;
  store.clock().Set(At("2016-03-24T10:56:00Z"));
  const auto events = ReadyThenDischargedAt11();
  for (size_t i = 0; i < 3; ++i) store.Append(events[i]);
  store.CatchUp();
  store.Append(events[3]);
  store.CatchUp();
  EXPECT_EQ(ListedAt(store, "2016-03-24T10:56:00Z"), 1u);
  EXPECT_TRUE(store.RowStored());

  store.clock().Set(At("2016-03-24T10:58:00Z"));
  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  EXPECT_EQ(ListedAt(store, "2016-03-24T10:58:00Z"), 1u);
  EXPECT_EQ(ListedAt(store, "2016-03-24T11:00:00Z"), 0u);

  store.clock().Set(At("2016-03-24T11:01:00Z"));
  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
  EXPECT_EQ(ListedAt(store, "2016-03-24T11:01:00Z"), 0u);
}

// The projection built from the log stream by stream (a rebuild) at 10:56
// keeps the person; the first batch after 11:00 lets them go.
TEST(StoredWorklistsAheadTest, ARebuildKeepsAPersonWithAnEventNotOccurred) {
  StoredWorklists store;
  store.clock().Set(At("2016-03-24T10:56:00Z"));
  for (const auto& e : ReadyThenDischargedAt11()) store.Append(e);
  store.CatchUp();  // nothing applied yet: built stream by stream
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  EXPECT_TRUE(store.RowStored());
  EXPECT_EQ(ListedAt(store, "2016-03-24T10:59:59Z"), 1u);
  EXPECT_EQ(ListedAt(store, "2016-03-24T11:00:00Z"), 0u);

  store.clock().Set(At("2016-03-24T11:00:30Z"));
  schema::CareEvent other = Care("reg2", "2015-01-01T10:00:00Z");
  other.mutable_person_registered()->set_area_code(kArea);
  store.Append(other, "9990000026");
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
}

}  // namespace
}  // namespace carelog
