// The worklists and retractions: what stood on a retracted event, and a start
// or registration recorded again (docs/READINGS.md "Retractions").
#include <gtest/gtest.h>

#include <string>

#include "services/worklists.h"
#include "tests/services/instants.h"
#include "tests/services/worklists_fixture.h"

namespace carelog {
namespace {

using testing::At;
using worklists_testing::kArea;
using worklists_testing::kNhs;
using worklists_testing::kOther;
using worklists_testing::WorklistsTest;

// A retracted admission takes its spell's readiness and delay with it (they
// stand on nothing): the list behaves as if they had never been recorded.
TEST_F(WorklistsTest, WhatStoodOnARetractedAdmissionIsPassedOver) {
  Register();
  Admit("S1", "2015-03-01T09:00:00Z");
  Ready("r1", "S1", "2015-03-02T12:00:00Z");
  Delay("d1", "S1", "2015-03-03T12:00:00Z", schema::DelayReason::E,
        schema::Agency::BOTH);
  const Instant now = At("2015-03-10T12:00:00Z");
  ASSERT_EQ(projection_.Discharge(kArea, std::nullopt, now).size(), 1u);
  Retract("x1", "adm-" + std::string(kNhs) + "S1", "2015-03-04T12:00:00Z");
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  // A new admission of S1 after the old readiness does not bring it back.
  auto again = Event("adm2", "2015-03-05T09:00:00Z");
  again.mutable_hospital_admitted()->set_spell_id("S1");
  again.mutable_hospital_admitted()->set_method(
      schema::AdmissionMethod::EMERGENCY);
  Add(again);
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  Ready("r2", "S1", "2015-03-06T12:00:00Z");
  auto list = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "UNRECORDED");
}

// A professional assigned to a package whose start is retracted is nobody's
// accountable professional.
TEST_F(WorklistsTest, AProfessionalOfARetractedPackageIsPassedOver) {
  Register();
  Admit("S1", "2015-03-01T09:00:00Z");
  Ready("r1", "S1", "2015-03-02T12:00:00Z");
  StartPackage("K1", "2015-03-01T09:00:00Z", true);
  Assign("a1", "K1", "2015-03-02T09:00:00Z", "Ann");
  const Instant now = At("2015-03-10T12:00:00Z");
  auto list = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  ASSERT_TRUE(list[0].accountable_professional.has_value());
  EXPECT_EQ(list[0].accountable_professional->name(), "Ann");
  Retract("x1", "pkg-K1", "2015-03-04T12:00:00Z");
  list = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].accountable_professional.has_value());
}

// A person whose registration is retracted is registered nowhere: their spell
// is on no area's list, even the area a move (standing on the registration)
// named, as the person's fold and the metrics count them nowhere.
TEST_F(WorklistsTest, APersonWhoseRegistrationIsRetractedIsOnNoList) {
  Register();
  Admit("S1", "2015-02-06T09:00:00Z");
  Ready("r1", "S1", "2015-02-07T12:00:00Z");
  auto e = Event("m1", "2015-02-08T10:00:00Z");
  e.mutable_person_moved()->set_area_code(kOther);
  Add(e);
  const Instant now = At("2015-02-11T10:00:00Z");
  ASSERT_EQ(projection_.Discharge(kOther, std::nullopt, now).size(), 1u);
  Retract("x1", "reg-" + std::string(kNhs), "2015-02-09T10:00:00Z");
  EXPECT_TRUE(projection_.Discharge(kOther, std::nullopt, now).empty());
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  // Registered again: the spell stands on the new registration.
  auto again = Event("reg2", "2015-02-10T10:00:00Z");
  again.mutable_person_registered()->set_birth_date("1940-01-01");
  again.mutable_person_registered()->set_area_code(kArea);
  Add(again);
  EXPECT_EQ(projection_.Discharge(kArea, std::nullopt, now).size(), 1u);
  EXPECT_TRUE(projection_.Discharge(kOther, std::nullopt, now).empty());
}

// The admission of S1 retracted leaves its readiness, delay record and (for
// S2) discharge to reablement standing on nothing. An admission recorded again
// dated before them (the date was wrong) brings them back at once, though an
// admission opens no item of its own: the projection holds the person for the
// events standing on nothing. One dated after them does not.
TEST_F(WorklistsTest, AnAdmissionRecordedAgainBeforeWhatStoodOnItBringsItBack) {
  Register();
  Admit("S1", "2015-02-06T09:00:00Z");
  Ready("r1", "S1", "2015-02-07T12:00:00Z");
  Delay("d1", "S1", "2015-02-08T12:00:00Z", schema::DelayReason::E,
        schema::Agency::SOCIAL_CARE);
  const Instant now = At("2015-02-11T10:00:00Z");
  ASSERT_EQ(projection_.Discharge(kArea, std::nullopt, now).size(), 1u);
  Retract("x1", "adm-" + std::string(kNhs) + "S1", "2015-02-09T10:00:00Z");
  EXPECT_TRUE(projection_.Discharge(kArea, std::nullopt, now).empty());
  EXPECT_EQ(projection_.PeopleHeld(), 1u);  // for what stands on nothing
  auto admit = [this](const std::string& id, const std::string& spell,
                      const std::string& at) {
    auto e = Event(id, at);
    e.mutable_hospital_admitted()->set_spell_id(spell);
    e.mutable_hospital_admitted()->set_site("St Mary's");
    Add(e);
  };
  admit("a2", "S1", "2015-02-06T08:00:00Z");
  auto list = projection_.Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].spell_id, "S1");
  EXPECT_EQ(list[0].site, "St Mary's");
  EXPECT_EQ(list[0].ready_since, At("2015-02-07T12:00:00Z"));
  EXPECT_EQ(list[0].reason, "E");
  EXPECT_EQ(list[0].days_delayed, 4);

  // Follow-ups due: S2 discharged to reablement, its admission retracted.
  Discharge("dis1", "S1", "2015-02-12T10:00:00Z",
            schema::Destination::USUAL_RESIDENCE);
  admit("a3", "S2", "2015-03-01T10:00:00Z");
  Discharge("dis2", "S2", "2015-03-05T10:00:00Z",
            schema::Destination::REABLEMENT);
  const Instant june = At("2015-06-20T10:00:00Z");
  ASSERT_EQ(projection_.FollowUpsDue(kArea, june).size(), 1u);
  Retract("x2", "a3", "2015-03-06T10:00:00Z");
  EXPECT_TRUE(projection_.FollowUpsDue(kArea, june).empty());
  admit("a4", "S2", "2015-03-06T11:00:00Z");  // after the discharge: no
  EXPECT_TRUE(projection_.FollowUpsDue(kArea, june).empty());
  Retract("x3", "a4", "2015-03-06T12:00:00Z");
  admit("a5", "S2", "2015-03-02T10:00:00Z");  // before it: back
  auto due = projection_.FollowUpsDue(kArea, june);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].spell_id, "S2");
  EXPECT_EQ(FormatDate(due[0].due_on), "2015-06-04");
  EXPECT_EQ(projection_.PeopleHeld(), 1u);
}

// A package's start retracted leaves its accountable professional standing on
// nothing; the start recorded again before the assignment gives it footing
// (the package is not unassigned, and the professional is the discharge
// item's again), one recorded after it does not.
TEST_F(WorklistsTest, APackageStartRecordedAgainBeforeItsProfessional) {
  Register();
  StartPackage("P1", "2015-01-05T10:00:00Z", true);
  Assign("ap1", "P1", "2015-01-06T10:00:00Z", "Ann");
  Admit("S1", "2015-02-06T09:00:00Z");
  Ready("r1", "S1", "2015-02-07T12:00:00Z");
  const Instant now = At("2015-02-11T10:00:00Z");
  auto professional = [&]() -> std::string {
    auto list = projection_.Discharge(kArea, std::nullopt, now);
    EXPECT_EQ(list.size(), 1u);
    return list.empty() || !list[0].accountable_professional
               ? ""
               : list[0].accountable_professional->name();
  };
  EXPECT_EQ(professional(), "Ann");
  Retract("x1", "pkg-P1", "2015-02-08T10:00:00Z");
  EXPECT_EQ(professional(), "");
  EXPECT_TRUE(projection_.UnassignedPackages(kArea, now).empty());
  auto start = [this](const std::string& id, const std::string& at) {
    auto e = Event(id, at);
    e.mutable_care_package_started()->set_package_id("P1");
    e.mutable_care_package_started()->set_integrated(true);
    Add(e);
  };
  start("p2", "2015-01-07T10:00:00Z");  // after the assignment
  EXPECT_EQ(projection_.UnassignedPackages(kArea, now).size(), 1u);
  EXPECT_EQ(professional(), "");
  Retract("x2", "p2", "2015-02-08T11:00:00Z");
  start("p3", "2015-01-05T09:00:00Z");  // before it
  EXPECT_TRUE(projection_.UnassignedPackages(kArea, now).empty());
  EXPECT_EQ(professional(), "Ann");
}

}  // namespace
}  // namespace carelog
