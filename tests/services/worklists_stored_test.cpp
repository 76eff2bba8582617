// The worklists projection over a real store, as the server runs it: rows,
// checkpoint, restarts, aborted batches.
#include <gtest/gtest.h>

#include <string>

#include "carelog/worklists.pb.h"
#include "services/worklists.h"
#include "tests/services/instants.h"
#include "tests/services/worklists_fixture.h"

namespace carelog {
namespace {

using testing::At;
using worklists_testing::Care;
using worklists_testing::kArea;
using worklists_testing::kNhs;
using worklists_testing::ReadyForDischarge;
using worklists_testing::StoredWorklists;

TEST(StoredWorklistsTest, LoadsItsRowsAndForgetsAnAbortedBatch) {
  StoredWorklists store;
  const auto events =
      ReadyForDischarge("2015-02-01T10:00:00Z", "2015-02-02T10:00:00Z");
  for (const auto& e : events) store.Append(e);
  // Not a person stream: ignored.
  ASSERT_TRUE(store.log()
                  .Append({"area-E09000002",
                           storage::ExpectedVersion::Any(),
                           {{"area", "carelog.schema.CareEvent",
                             events[0].SerializeAsString()}},
                           "test"})
                  .ok());
  store.CatchUp();
  EXPECT_EQ(store.projection().position(), 4u);
  EXPECT_TRUE(store.RowStored());

  const Instant now = At("2015-02-05T10:00:00Z");
  store.Restart();
  EXPECT_EQ(store.projection().position(), 4u);
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  auto list = store.projection().Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].nhs_number, kNhs);
  EXPECT_EQ(list[0].site, "Queen's");
  EXPECT_EQ(list[0].days_delayed, 3);

  // An aborted batch is forgotten: the person goes back to the stored row.
  schema::CareEvent dis = Care("dis", "2015-02-03T10:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(
      schema::Destination::USUAL_RESIDENCE);
  store.Append(dis);
  auto recorded = store.log().ReadAll(5, 1);
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->size(), 1u);
  storage::ProjectionWrite next;
  ASSERT_TRUE(store.projection().Apply(recorded->front(), next).ok());
  EXPECT_TRUE(store.projection().Discharge(kArea, std::nullopt, now).empty());
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  store.projection().Abort();
  EXPECT_EQ(store.projection().Discharge(kArea, std::nullopt, now).size(), 1u);
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
}

TEST(StoredWorklistsTest, APersonWhoLeavesEveryWorklistIsDroppedAndComesBack) {
  StoredWorklists store;
  const std::string other = "9990000026";  // never on a worklist
  for (const std::string& nhs : {std::string(kNhs), other}) {
    schema::CareEvent reg = Care("reg-" + nhs, "2015-01-01T10:00:00Z");
    reg.mutable_person_registered()->set_birth_date("1940-01-01");
    reg.mutable_person_registered()->set_area_code(kArea);
    store.Append(reg, nhs);
  }
  schema::CareEvent ae = Care("ae", "2015-01-02T10:00:00Z");
  ae.mutable_ae_attended()->set_attendance_id("AE1");
  store.Append(ae, other);
  // An integrated package: held while it has no accountable professional.
  schema::CareEvent pkg = Care("pkg", "2015-01-05T10:00:00Z");
  pkg.mutable_care_package_started()->set_package_id("P1");
  pkg.mutable_care_package_started()->set_integrated(true);
  store.Append(pkg);
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  EXPECT_TRUE(store.RowStored());
  EXPECT_FALSE(store.RowStored(other));
  schema::CareEvent ap = Care("ap", "2015-01-06T10:00:00Z");
  ap.mutable_accountable_professional_assigned()->set_package_id("P1");
  ap.mutable_accountable_professional_assigned()->set_name("Ann Smith");
  store.Append(ap);
  // A spell: ready, delayed, discharged to reablement, followed up.
  schema::CareEvent adm = Care("adm", "2015-03-01T09:00:00Z");
  adm.mutable_hospital_admitted()->set_spell_id("S1");
  adm.mutable_hospital_admitted()->set_site("Queen's");
  store.Append(adm);
  store.CatchUp();
  // Nothing open: dropped from memory and from the rows.
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
  EXPECT_TRUE(store.projection()
                  .UnassignedPackages(kArea, At("2015-02-01T00:00:00Z"))
                  .empty());

  schema::CareEvent ready = Care("rdy", "2015-03-02T12:00:00Z");
  ready.mutable_ready_for_discharge()->set_spell_id("S1");
  store.Append(ready);
  schema::CareEvent delay = Care("dly", "2015-03-03T12:00:00Z");
  delay.mutable_discharge_delay_recorded()->set_spell_id("S1");
  delay.mutable_discharge_delay_recorded()->set_reason(schema::DelayReason::E);
  delay.mutable_discharge_delay_recorded()->set_agency(
      schema::Agency::SOCIAL_CARE);
  store.Append(delay);
  store.CatchUp();
  // Back, with the site, reason and professional of events applied while
  // it was not held.
  const Instant now = At("2015-03-05T12:00:00Z");
  for (int restart = 0; restart < 2; ++restart) {
    auto list = store.projection().Discharge(kArea, std::nullopt, now);
    ASSERT_EQ(list.size(), 1u) << restart;
    EXPECT_EQ(list[0].site, "Queen's");
    EXPECT_EQ(list[0].reason, "E");
    EXPECT_EQ(list[0].agency, "SOCIAL_CARE");
    EXPECT_EQ(list[0].days_delayed, 3);
    ASSERT_TRUE(list[0].accountable_professional.has_value());
    EXPECT_EQ(list[0].accountable_professional->name(), "Ann Smith");
    EXPECT_EQ(store.projection().PeopleHeld(), 1u);
    store.Restart();
  }

  schema::CareEvent dis = Care("dis", "2015-03-06T12:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(schema::Destination::REABLEMENT);
  store.Append(dis);
  schema::CareEvent follow = Care("fup", "2015-06-05T12:00:00Z");
  follow.mutable_follow_up_recorded()->set_spell_id("S1");
  follow.mutable_follow_up_recorded()->set_status(
      schema::FollowUpStatus::AT_HOME);
  store.Append(follow);
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());

  // After a restart, retracting the follow-up puts the spell back on the
  // follow-ups list, read from the log.
  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  schema::CareEvent retract = Care("x1", "2015-06-06T12:00:00Z");
  retract.mutable_event_retracted()->set_event_id("fup");
  store.Append(retract);
  store.CatchUp();
  auto due = store.projection().FollowUpsDue(kArea, At("2015-07-01T12:00:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].spell_id, "S1");
  EXPECT_EQ(FormatDate(due[0].due_on), "2015-06-05");
  EXPECT_TRUE(store.RowStored());
  store.Restart();
  EXPECT_EQ(
      store.projection().FollowUpsDue(kArea, At("2015-07-01T12:00:00Z")).size(),
      1u);
  EXPECT_FALSE(store.RowStored(other));
}

// A person whose admission was retracted under their readiness is held for
// it (a row), across a restart, so that an admission recorded again before the
// readiness brings them back onto the discharge worklist though nothing of
// theirs was in memory; once discharged they are dropped.
TEST(StoredWorklistsTest, APersonWithAnEventOnNothingIsHeldAcrossARestart) {
  StoredWorklists store;
  auto events =
      ReadyForDischarge("2015-02-01T10:00:00Z", "2015-02-02T10:00:00Z");
  schema::CareEvent retract = Care("x1", "2015-02-03T10:00:00Z");
  retract.mutable_event_retracted()->set_event_id("adm");
  events.push_back(retract);
  for (const auto& e : events) store.Append(e);
  store.CatchUp();
  const Instant now = At("2015-02-05T10:00:00Z");
  EXPECT_TRUE(store.projection().Discharge(kArea, std::nullopt, now).empty());
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  EXPECT_TRUE(store.RowStored());

  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  schema::CareEvent again = Care("adm2", "2015-02-01T09:00:00Z");
  again.mutable_hospital_admitted()->set_spell_id("S1");
  again.mutable_hospital_admitted()->set_site("St Mary's");
  store.Append(again);
  store.CatchUp();
  auto list = store.projection().Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].site, "St Mary's");  // not the retracted admission's
  EXPECT_EQ(list[0].ready_since, At("2015-02-02T10:00:00Z"));

  schema::CareEvent dis = Care("dis", "2015-02-06T10:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(
      schema::Destination::USUAL_RESIDENCE);
  store.Append(dis);
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
}

TEST(StoredWorklistsTest,
     ARowOfAnEarlierVersionWithoutOpenItemsIsDeletedOnLoad) {
  StoredWorklists store;
  schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
  reg.mutable_person_registered()->set_area_code(kArea);
  store.Append(reg);
  // Earlier versions kept a row for everyone.
  schema::WorklistPerson row;
  auto* fact = row.add_facts();
  fact->set_event_id("reg");
  fact->set_version(1);
  fact->set_ref(kArea);
  storage::ProjectionWrite write;
  write.rows.push_back(
      {std::string(WorklistProjection::kName), kNhs, row.SerializeAsString()});
  ASSERT_TRUE(store.log().WriteProjections(write).ok());
  ASSERT_TRUE(store.RowStored());
  // The next start drops it, before any event is applied.
  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
}

}  // namespace
}  // namespace carelog
