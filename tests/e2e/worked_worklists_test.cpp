// SPEC.md's worklists worked by hand, end to end, with the server's clock at
// 00:30 BST on Saturday 24 October 2015 (23:30 UTC on Friday 23): London
// dates, not UTC ones, decide days delayed and follow-ups due.
#include <gtest/gtest.h>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

using google::protobuf::Struct;

constexpr char kArea[] = "E09000002";
constexpr char kNow[] = "2015-10-23T23:30:00Z";

// Valid NHS numbers of the test range.
constexpr const char* kPeople[] = {"9990000018", "9990000026", "9990000034",
                                   "9990000042", "9990000050", "9990000069",
                                   "9990000077", "9990000085"};

int counter = 0;
std::string Ev(const std::string& at, const std::string& payload) {
  return "{\"eventId\":\"ww-" + std::to_string(++counter) +
         "\",\"occurredAt\":\"" + at + "\"," + payload + "}";
}
std::string Register(const std::string& birth) {
  return Ev("2015-01-01T10:00:00Z", "\"personRegistered\":{\"birthDate\":\"" +
                                        birth +
                                        "\",\"areaCode\":\"E09000002\"}");
}
std::string Admit(const std::string& at, const std::string& spell) {
  return Ev(at, "\"hospitalAdmitted\":{\"spellId\":\"" + spell +
                    "\",\"site\":\"Queen's\",\"method\":\"EMERGENCY\"}");
}
std::string Discharge(const std::string& at, const std::string& spell,
                      const std::string& destination) {
  return Ev(at, "\"discharged\":{\"spellId\":\"" + spell +
                    "\",\"destination\":\"" + destination + "\"}");
}
std::string Delay(const std::string& at, const std::string& reason,
                  const std::string& agency) {
  return Ev(at, "\"dischargeDelayRecorded\":{\"spellId\":\"S1\",\"reason\":\"" +
                    reason + "\",\"agency\":\"" + agency + "\"}");
}
std::string Package(const std::string& at, const std::string& id,
                    bool integrated) {
  return Ev(at, "\"carePackageStarted\":{\"packageId\":\"" + id +
                    "\",\"integrated\":" + (integrated ? "true" : "false") +
                    "}");
}
std::string Assign(const std::string& at, const std::string& package,
                   const std::string& name) {
  return Ev(at, "\"accountableProfessionalAssigned\":{\"packageId\":\"" +
                    package + "\",\"professionalId\":\"" + name +
                    "\",\"name\":\"" + name + "\",\"sector\":\"HEALTH\"}");
}

class WorkedWorklistsTest : public ClockedServerTest {
 protected:
  WorkedWorklistsTest() : ClockedServerTest(kNow) {}
  void Post(int person, const std::vector<std::string>& events) {
    HttpClient coordinator(server_->port(), server_->coordinator_a);
    PostEvents(coordinator, kPeople[person], events);
  }
  std::vector<Struct> Items(const std::string& list) {
    HttpClient coordinator(server_->port(), server_->coordinator_a);
    return ListItems(coordinator, "/v1/worklists/" + list + "?area=" + kArea);
  }
};

TEST_F(WorkedWorklistsTest, DischargeFollowUpsAndUnassignedPackagesByHand) {
  // P0: ready at 00:00 BST on Friday 23 October: ready on Friday (SPEC.md
  // counts by dates: "ready and discharged the same day: 0"), so only the
  // midnight that ends Friday counts: 1 day; not a weekend readiness.
  Post(0, {Register("1940-01-01"), Admit("2015-10-20T09:00:00+01:00", "S1"),
           Ev("2015-10-23T00:00:00+01:00",
              "\"readyForDischarge\":{\"spellId\":\"S1\"}")});
  // P1, aged 17: ready on Saturday 17 October at 10:00: the midnights ending
  // 17 to 23 October: 7 days; reason and agency of the latest record (A, NHS);
  // the professional of their open (non-integrated) package.
  Post(1, {Register("1998-06-01"), Admit("2015-10-01T09:00:00+01:00", "S1"),
           Package("2015-10-02T09:00:00+01:00", "K1", false),
           Assign("2015-10-03T09:00:00+01:00", "K1", "Ann"),
           Ev("2015-10-17T10:00:00+01:00",
              "\"readyForDischarge\":{\"spellId\":\"S1\"}"),
           Delay("2015-10-18T10:00:00+01:00", "E", "SOCIAL_CARE"),
           Delay("2015-10-19T10:00:00+01:00", "A", "NHS")});
  // Follow-ups. P2: discharged to reablement at 23:30 UTC on 24 July = 00:30
  // BST on Saturday 25 July; day 91 is 24 October, which has come in London
  // (it is still 23 October in UTC). P3: discharged 00:30 BST on 26 July: due
  // 25 October, not yet. P4: discharged 10 July, died 1 August: due 9
  // October, still listed. P5: followed up: not listed.
  Post(2, {Register("1940-01-01"), Admit("2015-07-20T09:00:00+01:00", "S1"),
           Discharge("2015-07-24T23:30:00Z", "S1", "REABLEMENT")});
  Post(3, {Register("1940-01-01"), Admit("2015-07-20T09:00:00+01:00", "S1"),
           Discharge("2015-07-25T23:30:00Z", "S1", "REHABILITATION_BED")});
  Post(4, {Register("1940-01-01"), Admit("2015-07-01T09:00:00+01:00", "S1"),
           Discharge("2015-07-10T10:00:00+01:00", "S1", "REABLEMENT"),
           Ev("2015-08-01T10:00:00+01:00", "\"personDied\":{}")});
  Post(5, {Register("1940-01-01"), Admit("2015-07-01T09:00:00+01:00", "S1"),
           Discharge("2015-07-10T10:00:00+01:00", "S1", "REABLEMENT"),
           Ev("2015-10-09T10:00:00+01:00",
              "\"followUpRecorded\":{\"spellId\":\"S1\",\"status\":"
              "\"AT_HOME\"}")});
  // Packages. P6: integrated, started 10:00 on 21 October: midnights ending
  // 21, 22, 23: 3 days. P7: integrated, started 20 October at 12:00: 4 days,
  // oldest first; another integrated package of P7 with a professional and a
  // non-integrated one without: not listed.
  Post(6, {Register("1940-01-01"),
           Package("2015-10-21T10:00:00+01:00", "K1", true)});
  Post(7, {Register("1940-01-01"),
           Package("2015-10-20T12:00:00+01:00", "K1", true),
           Package("2015-10-20T12:00:00+01:00", "K2", true),
           Assign("2015-10-22T12:00:00+01:00", "K2", "Bo"),
           Package("2015-10-20T12:00:00+01:00", "K3", false)});

  const auto discharge = Items("discharge");
  ASSERT_EQ(discharge.size(), 2u);
  EXPECT_EQ(Text(discharge[0], "nhsNumber"), kPeople[1]);
  EXPECT_EQ(Number(discharge[0], "daysDelayed"), 7);
  EXPECT_TRUE(discharge[0].fields().at("readyOnWeekend").bool_value());
  EXPECT_EQ(Text(discharge[0], "reason"), "A");
  EXPECT_EQ(Text(discharge[0], "agency"), "NHS");
  EXPECT_EQ(Text(discharge[0], "readySince"), "2015-10-17T10:00:00+01:00");
  EXPECT_EQ(discharge[0]
                .fields()
                .at("accountableProfessional")
                .struct_value()
                .fields()
                .at("name")
                .string_value(),
            "Ann");
  EXPECT_EQ(Text(discharge[1], "nhsNumber"), kPeople[0]);
  EXPECT_EQ(Number(discharge[1], "daysDelayed"), 1);
  EXPECT_FALSE(discharge[1].fields().at("readyOnWeekend").bool_value());
  EXPECT_EQ(Text(discharge[1], "reason"), "UNRECORDED");
  EXPECT_TRUE(
      discharge[1].fields().at("accountableProfessional").has_null_value());

  const auto due = Items("follow-ups");
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(Text(due[0], "nhsNumber"), kPeople[4]);
  EXPECT_EQ(Text(due[0], "dischargedOn"), "2015-07-10");
  EXPECT_EQ(Text(due[0], "dueOn"), "2015-10-09");
  EXPECT_EQ(Text(due[1], "nhsNumber"), kPeople[2]);
  EXPECT_EQ(Text(due[1], "dischargedOn"), "2015-07-25");
  EXPECT_EQ(Text(due[1], "dueOn"), "2015-10-24");

  const auto packages = Items("unassigned-packages");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(Text(packages[0], "nhsNumber"), kPeople[7]);
  EXPECT_EQ(Text(packages[0], "packageId"), "K1");
  EXPECT_EQ(Number(packages[0], "daysWithout"), 4);
  EXPECT_EQ(Text(packages[1], "nhsNumber"), kPeople[6]);
  EXPECT_EQ(Number(packages[1], "daysWithout"), 3);
}

}  // namespace
}  // namespace carelog::e2e
