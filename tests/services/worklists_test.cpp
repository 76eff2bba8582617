#include "services/worklists.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/services/instants.h"

namespace carelog {
namespace {

constexpr char kArea[] = "E09000002";
constexpr char kOther[] = "E09000003";
constexpr char kNhs[] = "9990000018";

using testing::At;

class WorklistsTest : public ::testing::Test {
 protected:
  schema::CareEvent Event(const std::string& id, const std::string& at) {
    schema::CareEvent e;
    e.set_event_id(id);
    e.set_occurred_at(at);
    return e;
  }
  void Add(const schema::CareEvent& e, const std::string& nhs = kNhs) {
    auto& stream = history_[nhs];
    stream.push_back(e);
    ASSERT_TRUE(projection_.ApplyCareEvent(nhs, stream.size(), e).ok());
  }
  void Register(const std::string& nhs = kNhs,
                const std::string& area = kArea) {
    auto e = Event("reg-" + nhs, "2015-01-01T10:00:00Z");
    e.mutable_person_registered()->set_birth_date("1940-01-01");
    e.mutable_person_registered()->set_area_code(area);
    Add(e, nhs);
  }
  void Admit(const std::string& spell, const std::string& at,
             const std::string& site = "Queen's",
             const std::string& nhs = kNhs) {
    auto e = Event("adm-" + nhs + spell, at);
    e.mutable_hospital_admitted()->set_spell_id(spell);
    e.mutable_hospital_admitted()->set_site(site);
    e.mutable_hospital_admitted()->set_method(
        schema::AdmissionMethod::EMERGENCY);
    Add(e, nhs);
  }
  void Ready(const std::string& id, const std::string& spell,
             const std::string& at, const std::string& nhs = kNhs) {
    auto e = Event(id, at);
    e.mutable_ready_for_discharge()->set_spell_id(spell);
    Add(e, nhs);
  }
  void Delay(const std::string& id, const std::string& spell,
             const std::string& at, schema::DelayReason::Value reason,
             schema::Agency::Value agency) {
    auto e = Event(id, at);
    e.mutable_discharge_delay_recorded()->set_spell_id(spell);
    e.mutable_discharge_delay_recorded()->set_reason(reason);
    e.mutable_discharge_delay_recorded()->set_agency(agency);
    Add(e);
  }
  void Discharge(const std::string& id, const std::string& spell,
                 const std::string& at, schema::Destination::Value destination,
                 const std::string& nhs = kNhs) {
    auto e = Event(id, at);
    e.mutable_discharged()->set_spell_id(spell);
    e.mutable_discharged()->set_destination(destination);
    Add(e, nhs);
  }
  void StartPackage(const std::string& package, const std::string& at,
                    bool integrated) {
    auto e = Event("pkg-" + package, at);
    e.mutable_care_package_started()->set_package_id(package);
    e.mutable_care_package_started()->set_integrated(integrated);
    e.mutable_care_package_started()->set_scheme("ITF08");
    Add(e);
  }
  void Assign(const std::string& id, const std::string& package,
              const std::string& at, const std::string& name) {
    auto e = Event(id, at);
    auto* ap = e.mutable_accountable_professional_assigned();
    ap->set_package_id(package);
    ap->set_professional_id("P-" + name);
    ap->set_name(name);
    ap->set_sector(schema::Sector::SOCIAL_CARE);
    Add(e);
  }
  void Retract(const std::string& id, const std::string& target,
               const std::string& at) {
    auto e = Event(id, at);
    e.mutable_event_retracted()->set_event_id(target);
    e.mutable_event_retracted()->set_reason("entered in error");
    Add(e);
  }

  // Every event applied, per person: what the projection reads back when an
  // event may open an item for someone it does not hold.
  std::map<std::string, std::vector<schema::CareEvent>> history_;
  ManualClock clock_{testing::kAfterEveryEvent};
  WorklistProjection projection_{
      clock_,
      [this](std::string_view nhs,
             uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        auto it = history_.find(std::string(nhs));
        if (it == history_.end()) return std::vector<schema::CareEvent>{};
        const size_t n = std::min<size_t>(up_to, it->second.size());
        return std::vector<schema::CareEvent>(
            it->second.begin(),
            it->second.begin() + static_cast<std::ptrdiff_t>(n));
      }};
};

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
