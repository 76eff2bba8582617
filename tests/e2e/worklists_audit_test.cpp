// An acceptance audit of the coordinators' worklists (SPEC.md "Worklists",
// API.md "Worklists"), worked by hand with the server's clock at 10:00 on
// Monday 28 December 2015, the substitute bank holiday for Boxing Day: the
// edges tests/e2e/worked_worklists_test.cpp leaves out (site filter, a move
// of area, a withdrawn readiness, retractions and corrections, a replaced
// professional).
#include <gtest/gtest.h>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

using google::protobuf::Struct;

constexpr char kA[] = "E09000002";
constexpr char kB[] = "E09000003";
constexpr char kNow[] = "2015-12-28T10:00:00Z";

std::string Person(int n) { return TestNhsNumber(900 + n); }

int counter = 0;
std::string Ev(const std::string& at, const std::string& payload,
               std::string id = "") {
  if (id.empty()) id = "wa-" + std::to_string(++counter);
  return "{\"eventId\":\"" + id + "\",\"occurredAt\":\"" + at + "\"," +
         payload + "}";
}
std::string Register(const std::string& birth) {
  return Ev("2015-01-01T10:00:00Z", "\"personRegistered\":{\"birthDate\":\"" +
                                        birth + "\",\"areaCode\":\"" + kA +
                                        "\"}");
}
std::string Admit(const std::string& at, const std::string& site = "Queen's") {
  return Ev(at, "\"hospitalAdmitted\":{\"spellId\":\"S1\",\"site\":\"" + site +
                    "\",\"method\":\"EMERGENCY\"}");
}
std::string Ready(const std::string& at, const std::string& id = "") {
  return Ev(at, "\"readyForDischarge\":{\"spellId\":\"S1\"}", id);
}
std::string Discharge(const std::string& at, const std::string& destination) {
  return Ev(at, "\"discharged\":{\"spellId\":\"S1\",\"destination\":\"" +
                    destination + "\"}");
}
std::string Delay(const std::string& at, const std::string& reason,
                  const std::string& agency, const std::string& id = "") {
  return Ev(at,
            "\"dischargeDelayRecorded\":{\"spellId\":\"S1\",\"reason\":\"" +
                reason + "\",\"agency\":\"" + agency + "\"}",
            id);
}
std::string FollowUp(const std::string& at, const std::string& id = "") {
  return Ev(at,
            "\"followUpRecorded\":{\"spellId\":\"S1\",\"status\":\"AT_HOME\"}",
            id);
}
std::string Package(const std::string& at, const std::string& package,
                    bool integrated) {
  return Ev(at, "\"carePackageStarted\":{\"packageId\":\"" + package +
                    "\",\"integrated\":" + (integrated ? "true" : "false") +
                    "}");
}
std::string Assign(const std::string& at, const std::string& package,
                   const std::string& name, const std::string& id = "") {
  return Ev(at,
            "\"accountableProfessionalAssigned\":{\"packageId\":\"" + package +
                "\",\"professionalId\":\"" + name + "\",\"name\":\"" + name +
                "\",\"role\":\"social worker\",\"organisation\":\"LBBD\","
                "\"sector\":\"SOCIAL_CARE\",\"phone\":\"020 1234\"}",
            id);
}
std::string Retract(const std::string& at, const std::string& id) {
  return Ev(at, "\"eventRetracted\":{\"eventId\":\"" + id +
                    "\",\"reason\":\"entered in error\"}");
}

class WorklistsAuditTest : public ClockedServerTest {
 protected:
  WorklistsAuditTest() : ClockedServerTest(kNow) {}
  void Post(int person, const std::vector<std::string>& events) {
    HttpClient coordinator(server_->port(), server_->coordinator_a);
    PostEvents(coordinator, Person(person), events);
  }
  std::vector<Struct> Items(const std::string& query,
                            const std::string& token = "") {
    HttpClient coordinator(server_->port(),
                           token.empty() ? server_->coordinator_a : token);
    return ListItems(coordinator, "/v1/worklists/" + query);
  }
  static bool Flag(const Struct& s, const std::string& name) {
    return s.fields().at(name).bool_value();
  }
};

TEST_F(WorklistsAuditTest, DischargeWorklistAtTheEdges) {
  // P1: ready Thursday 24 December: 24-27, 4 days; reason E (social care)
  // on the 25th, then D2 on the 26th entered in error and retracted: E.
  Post(1, {Register("1950-01-01"), Admit("2015-12-20T10:00:00Z"),
           Ready("2015-12-24T10:00:00Z"),
           Delay("2015-12-25T10:00:00Z", "E", "SOCIAL_CARE"),
           Delay("2015-12-26T10:00:00Z", "D2", "BOTH", "wa-p1-d2")});
  Post(1, {Retract("2015-12-27T10:00:00Z", "wa-p1-d2")});
  // P2: ready at 09:00 this morning, the substitute bank holiday: 0 days, a
  // weekend readiness.
  Post(2, {Register("1950-01-01"), Admit("2015-12-20T10:00:00Z"),
           Ready("2015-12-28T09:00:00Z")});
  // P3 at another site, ready Sunday 20 December: 8 days; the professional of
  // their package replaced on the 10th: Olu.
  Post(3, {Register("1950-01-01"), Package("2015-12-01T10:00:00Z", "K1", true),
           Assign("2015-12-02T10:00:00Z", "K1", "Nora"),
           Assign("2015-12-10T10:00:00Z", "K1", "Olu"),
           Admit("2015-12-15T10:00:00Z", "King George"),
           Ready("2015-12-20T10:00:00Z")});
  // P4: ready Monday 21 December, moved to B on the 27th: B's item now.
  Post(4, {Register("1950-01-01"), Admit("2015-12-15T10:00:00Z"),
           Ready("2015-12-21T10:00:00Z"),
           Ev("2015-12-27T10:00:00Z",
              std::string("\"personMoved\":{\"areaCode\":\"") + kB + "\"}")});
  // P5: ready 12 December with reason G, withdrawn on the 15th, ready again
  // Tuesday 22 December: 6 days (22-27), no reason yet.
  Post(5, {Register("1950-01-01"), Admit("2015-12-10T10:00:00Z"),
           Ready("2015-12-12T10:00:00Z"),
           Delay("2015-12-13T10:00:00Z", "G", "BOTH"),
           Ev("2015-12-15T10:00:00Z",
              "\"readyForDischargeWithdrawn\":{\"spellId\":\"S1\","
              "\"reason\":\"infection\"}"),
           Ready("2015-12-22T10:00:00Z")});
  // P6: ready, then discharged. P7: readiness entered in error, retracted.
  // P8: ready, died (off the list).
  Post(6, {Register("1950-01-01"), Admit("2015-12-10T10:00:00Z"),
           Ready("2015-12-12T10:00:00Z"),
           Discharge("2015-12-27T10:00:00Z", "USUAL_RESIDENCE")});
  Post(7, {Register("1950-01-01"), Admit("2015-12-10T10:00:00Z"),
           Ready("2015-12-12T10:00:00Z", "wa-p7-ready")});
  Post(7, {Retract("2015-12-13T10:00:00Z", "wa-p7-ready")});
  Post(8, {Register("1950-01-01"), Admit("2015-12-10T10:00:00Z"),
           Ready("2015-12-12T10:00:00Z"),
           Ev("2015-12-26T10:00:00Z", "\"personDied\":{}")});

  // P9: the professional of a package that ended on 1 December is nobody's
  // now; ready Sunday 27 December: 1 day.
  Post(9, {Register("1950-01-01"), Package("2015-11-01T10:00:00Z", "K1", true),
           Assign("2015-11-02T10:00:00Z", "K1", "Zed"),
           Ev("2015-12-01T10:00:00Z",
              "\"carePackageEnded\":{\"packageId\":\"K1\"}"),
           Admit("2015-12-20T10:00:00Z"), Ready("2015-12-27T10:00:00Z")});

  const auto items = Items(std::string("discharge?area=") + kA);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(Text(items[0], "nhsNumber"), Person(3));
  EXPECT_EQ(Number(items[0], "daysDelayed"), 8);
  EXPECT_EQ(Text(items[0], "site"), "King George");
  EXPECT_TRUE(Flag(items[0], "readyOnWeekend"));
  const Struct& pro =
      items[0].fields().at("accountableProfessional").struct_value();
  EXPECT_EQ(Text(pro, "name"), "Olu");
  EXPECT_EQ(Text(pro, "packageId"), "K1");
  EXPECT_EQ(Text(pro, "phone"), "020 1234");

  EXPECT_EQ(Text(items[1], "nhsNumber"), Person(5));
  EXPECT_EQ(Number(items[1], "daysDelayed"), 6);
  EXPECT_EQ(Text(items[1], "readySince"), "2015-12-22T10:00:00+00:00");
  EXPECT_EQ(Text(items[1], "reason"), "UNRECORDED");
  EXPECT_EQ(Text(items[1], "agency"), "UNRECORDED");
  EXPECT_FALSE(Flag(items[1], "readyOnWeekend"));

  EXPECT_EQ(Text(items[2], "nhsNumber"), Person(1));
  EXPECT_EQ(Number(items[2], "daysDelayed"), 4);
  EXPECT_EQ(Text(items[2], "spellId"), "S1");
  EXPECT_EQ(Text(items[2], "reason"), "E");
  EXPECT_EQ(Text(items[2], "agency"), "SOCIAL_CARE");
  EXPECT_FALSE(Flag(items[2], "readyOnWeekend"));
  EXPECT_TRUE(items[2].fields().at("accountableProfessional").has_null_value());

  EXPECT_EQ(Text(items[3], "nhsNumber"), Person(9));
  EXPECT_EQ(Number(items[3], "daysDelayed"), 1);
  EXPECT_TRUE(items[3].fields().at("accountableProfessional").has_null_value());
  EXPECT_TRUE(Flag(items[3], "readyOnWeekend"));

  EXPECT_EQ(Text(items[4], "nhsNumber"), Person(2));
  EXPECT_EQ(Number(items[4], "daysDelayed"), 0);
  EXPECT_TRUE(Flag(items[4], "readyOnWeekend"));

  const auto queens =
      Items(std::string("discharge?area=") + kA + "&site=Queen%27s");
  ASSERT_EQ(queens.size(), 4u);
  for (const Struct& item : queens) EXPECT_EQ(Text(item, "site"), "Queen's");

  const auto b =
      Items(std::string("discharge?area=") + kB, server_->coordinator_b);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(Text(b[0], "nhsNumber"), Person(4));
  EXPECT_EQ(Number(b[0], "daysDelayed"), 7);
}

TEST_F(WorklistsAuditTest, FollowUpsAndPackagesAfterRetractions) {
  // F1: discharged to reablement 10:00 BST on 28 September: due today. F2:
  // 23:30 UTC that day = 00:30 BST on the 29th: due tomorrow. F3: followed
  // up. F4: discharged 20 September, its follow-up retracted: due since the
  // 20th December, first.
  Post(11, {Register("1940-01-01"), Admit("2015-09-20T10:00:00+01:00"),
            Discharge("2015-09-28T10:00:00+01:00", "REABLEMENT")});
  Post(12, {Register("1940-01-01"), Admit("2015-09-20T10:00:00+01:00"),
            Discharge("2015-09-28T23:30:00Z", "REHABILITATION_BED")});
  Post(13, {Register("1940-01-01"), Admit("2015-08-20T10:00:00+01:00"),
            Discharge("2015-09-01T10:00:00+01:00", "REABLEMENT"),
            FollowUp("2015-12-01T10:00:00Z")});
  Post(14, {Register("1940-01-01"), Admit("2015-09-10T10:00:00+01:00"),
            Discharge("2015-09-20T10:00:00+01:00", "REABLEMENT"),
            FollowUp("2015-12-21T10:00:00Z", "wa-f4-follow")});
  Post(14, {Retract("2015-12-22T10:00:00Z", "wa-f4-follow")});

  const auto due = Items(std::string("follow-ups?area=") + kA);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(Text(due[0], "nhsNumber"), Person(14));
  EXPECT_EQ(Text(due[0], "spellId"), "S1");
  EXPECT_EQ(Text(due[0], "dischargedOn"), "2015-09-20");
  EXPECT_EQ(Text(due[0], "dueOn"), "2015-12-20");
  EXPECT_EQ(Text(due[1], "nhsNumber"), Person(11));
  EXPECT_EQ(Text(due[1], "dischargedOn"), "2015-09-28");
  EXPECT_EQ(Text(due[1], "dueOn"), "2015-12-28");

  // U1: integrated, started 1 December: 27 days. U2: started 1 November, its
  // professional entered in error and retracted: 57 days, first. U3 not
  // integrated, U4 ended: not listed.
  Post(21,
       {Register("1940-01-01"), Package("2015-12-01T10:00:00Z", "K1", true)});
  Post(22, {Register("1940-01-01"), Package("2015-11-01T10:00:00Z", "K1", true),
            Assign("2015-11-02T10:00:00Z", "K1", "Pat", "wa-u2-assign")});
  Post(22, {Retract("2015-11-03T10:00:00Z", "wa-u2-assign")});
  Post(23,
       {Register("1940-01-01"), Package("2015-11-01T10:00:00Z", "K1", false)});
  Post(24, {Register("1940-01-01"), Package("2015-11-01T10:00:00Z", "K1", true),
            Ev("2015-11-20T10:00:00Z",
               "\"carePackageEnded\":{\"packageId\":\"K1\"}")});
  const auto packages = Items(std::string("unassigned-packages?area=") + kA);
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(Text(packages[0], "nhsNumber"), Person(22));
  EXPECT_EQ(Text(packages[0], "packageId"), "K1");
  EXPECT_EQ(Text(packages[0], "startedAt"), "2015-11-01T10:00:00+00:00");
  EXPECT_EQ(Number(packages[0], "daysWithout"), 57);
  EXPECT_EQ(Text(packages[1], "nhsNumber"), Person(21));
  EXPECT_EQ(Number(packages[1], "daysWithout"), 27);
}

}  // namespace
}  // namespace carelog::e2e
