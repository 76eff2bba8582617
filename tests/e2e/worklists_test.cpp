// The worklist endpoints end to end: the real server on a free port, its clock
// set through CARELOG_NOW (docs/READINGS.md), restarted at later instants to
// watch days pass across a weekend and the October clock change.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

using google::protobuf::Struct;

constexpr char kArea[] = "E09000002";
constexpr char kP1[] = "9990000018";
constexpr char kP2[] = "9990000026";

class WorklistsE2eTest : public ::testing::Test {
 protected:
  // Starts the server with its clock at `now`; after Stop(), again on the
  // same data.
  void Serve(const std::string& now) {
    if (server_ == nullptr)
      server_ = std::make_unique<LiveServer>(std::vector<std::string>{}, now);
    else
      server_->Restart(now);
    ASSERT_TRUE(server_->started());
    coordinator_ =
        std::make_unique<HttpClient>(server_->port(), server_->coordinator_a);
  }
  int Stop() { return server_->process().Stop(SIGTERM); }

  uint64_t Post(const std::string& nhs,
                const std::vector<std::string>& events) {
    return PostEvents(*coordinator_, nhs, events);
  }
  std::vector<Struct> Items(const std::string& target) {
    return ListItems(*coordinator_, target);
  }
  // The answer to `token` (none if empty).
  HttpAnswer Send(const std::string& method, const std::string& target,
                  const std::string& token) {
    return HttpClient(server_->port(), token).Send(method, target);
  }

  std::unique_ptr<LiveServer> server_;
  std::unique_ptr<HttpClient> coordinator_;
};

std::string Event(const std::string& id, const std::string& at,
                  const std::string& payload) {
  return "{\"eventId\": \"" + id + "\", \"occurredAt\": \"" + at + "\", " +
         payload + "}";
}

// SPEC.md "Access": every read of a person is audited, and auditors ask who saw
// whom. A worklist shows the people on it, so each of them gets an entry naming
// the reader and the worklist; a person who is not on it gets none.
TEST_F(WorklistsE2eTest, EveryPersonShownOnAWorklistIsAudited) {
  Serve("2015-10-23T15:00:00+01:00");
  Post(kP1, {Event("8d7c0a52-3c1e-4d55-9a41-000000000101",
                   "2015-10-01T10:00:00+01:00",
                   "\"personRegistered\": {\"birthDate\": \"1938-02-11\", "
                   "\"areaCode\": \"E09000002\", \"gpPractice\": \"F82001\"}"),
             Event("8d7c0a52-3c1e-4d55-9a41-000000000102",
                   "2015-10-20T11:00:00+01:00",
                   "\"hospitalAdmitted\": {\"spellId\": \"S1\", "
                   "\"provider\": \"RF4\", \"site\": \"Queen's\", "
                   "\"method\": \"EMERGENCY\"}"),
             Event("8d7c0a52-3c1e-4d55-9a41-000000000103",
                   "2015-10-23T14:00:00+01:00",
                   "\"readyForDischarge\": {\"spellId\": \"S1\"}")});
  const uint64_t last =
      Post(kP2, {Event("8d7c0a52-3c1e-4d55-9a41-000000000111",
                       "2015-10-01T10:00:00+01:00",
                       "\"personRegistered\": {\"birthDate\": \"1940-05-01\", "
                       "\"areaCode\": \"E09000002\", \"gpPractice\": "
                       "\"F82001\"}")});
  const std::string target = std::string("/v1/worklists/discharge?area=") +
                             kArea + "&minPosition=" + std::to_string(last);
  ASSERT_EQ(Items(target).size(), 1u);

  HttpClient auditor(server_->port(), server_->auditor);
  Struct audit = auditor.Get(std::string("/v1/audit?nhsNumber=") + kP1).Json();
  const Struct* seen = nullptr;
  for (const auto& entry : audit.fields().at("entries").list_value().values())
    if (Text(entry.struct_value(), "route") == "/v1/worklists/discharge")
      seen = &entry.struct_value();
  ASSERT_NE(seen, nullptr) << "no worklist entry for " << kP1;
  EXPECT_EQ(Text(*seen, "who"), "dee");
  EXPECT_EQ(Text(*seen, "role"), "dischargeCoordinator");
  EXPECT_EQ(Text(*seen, "method"), "GET");
  EXPECT_EQ(Text(*seen, "target"), target);
  EXPECT_EQ(Number(*seen, "outcome"), 200);

  audit = auditor.Get(std::string("/v1/audit?nhsNumber=") + kP2).Json();
  for (const auto& entry : audit.fields().at("entries").list_value().values())
    EXPECT_NE(Text(entry.struct_value(), "route"), "/v1/worklists/discharge");
  EXPECT_EQ(Stop(), 0);
}

TEST_F(WorklistsE2eTest, DaysDelayedAcrossAWeekendAndTheClockChange) {
  const std::string discharge =
      std::string("/v1/worklists/discharge?area=") + kArea;
  {
    // Friday 23 October 2015, 15:00 BST.
    Serve("2015-10-23T15:00:00+01:00");
    Post(kP1,
         {Event("8d7c0a52-3c1e-4d55-9a41-000000000001",
                "2015-10-01T10:00:00+01:00",
                "\"personRegistered\": {\"birthDate\": \"1938-02-11\", "
                "\"areaCode\": \"E09000002\", "
                "\"gpPractice\": \"F82001\", \"nhsNumberStatus\": "
                "\"VERIFIED\"}"),
          Event("8d7c0a52-3c1e-4d55-9a41-000000000002",
                "2015-10-20T11:00:00+01:00",
                "\"hospitalAdmitted\": {\"spellId\": \"S1\", \"provider\": "
                "\"RF4\", \"site\": "
                "\"Queen's\", \"method\": \"EMERGENCY\"}"),
          Event("8d7c0a52-3c1e-4d55-9a41-000000000003",
                "2015-10-20T12:00:00+01:00",
                "\"carePackageStarted\": {\"packageId\": \"P1\", "
                "\"integrated\": true, "
                "\"scheme\": \"ITF08\", \"pooledBudget\": true}"),
          Event("8d7c0a52-3c1e-4d55-9a41-000000000004",
                "2015-10-23T14:00:00+01:00",
                "\"readyForDischarge\": {\"spellId\": \"S1\"}")});
    const uint64_t position =
        Post(kP1, {Event("8d7c0a52-3c1e-4d55-9a41-000000000005",
                         "2015-10-23T14:30:00+01:00",
                         "\"dischargeDelayRecorded\": {\"spellId\": \"S1\", "
                         "\"reason\": \"D1\", \"agency\": "
                         "\"SOCIAL_CARE\"}")});
    const auto list =
        Items(discharge + "&minPosition=" + std::to_string(position));
    ASSERT_EQ(list.size(), 1u);
    const Struct& item = list[0];
    EXPECT_EQ(Text(item, "nhsNumber"), kP1);
    EXPECT_EQ(Text(item, "spellId"), "S1");
    EXPECT_EQ(Text(item, "site"), "Queen's");
    EXPECT_EQ(Text(item, "reason"), "D1");
    EXPECT_EQ(Text(item, "agency"), "SOCIAL_CARE");
    EXPECT_EQ(Number(item, "daysDelayed"), 0);
    EXPECT_FALSE(item.fields().at("readyOnWeekend").bool_value());
    EXPECT_TRUE(item.fields().at("accountableProfessional").has_null_value());
    EXPECT_EQ(Text(item, "readySince").substr(0, 19), "2015-10-23T14:00:00");
    // The item's fields come in API.md's order.
    const std::string text = coordinator_->Get(discharge).body;
    size_t at = 0;
    for (const char* key :
         {"nhsNumber", "spellId", "site", "readySince", "daysDelayed", "reason",
          "agency", "readyOnWeekend", "accountableProfessional"}) {
      const size_t next = text.find(std::string("\"") + key + "\":", at);
      ASSERT_NE(next, std::string::npos)
          << key << " after " << at << ": " << text;
      at = next;
    }

    // Who may ask: the area is required and must be theirs; commissioners never
    // see people.
    for (const char* target :
         {"/v1/worklists/discharge", "/v1/worklists/discharge?area=nonsense"}) {
      auto refused = coordinator_->Get(target);
      EXPECT_EQ(refused.status, 400) << target;
      refused.Json();  // a problem document
    }
    EXPECT_EQ(Send("GET", discharge, server_->coordinator_b).status, 403);
    EXPECT_EQ(Send("GET", discharge, server_->commissioner_a).status, 403);
    EXPECT_EQ(Send("GET", discharge, "").status, 401);
    EXPECT_EQ(Stop(), 0);
  }
  {
    // Monday 26 October, 09:00 GMT: the clocks went back on Sunday; three
    // midnights have passed.
    Serve("2015-10-26T09:00:00Z");
    // Another person, ready on Saturday, recorded late.
    const uint64_t position =
        Post(kP2, {Event("8d7c0a52-3c1e-4d55-9a41-000000000011",
                         "2015-10-01T10:00:00+01:00",
                         "\"personRegistered\": {\"birthDate\": "
                         "\"1940-05-01\", \"areaCode\": \"E09000002\", "
                         "\"gpPractice\": \"F82001\", \"nhsNumberStatus\": "
                         "\"VERIFIED\"}"),
                   Event("8d7c0a52-3c1e-4d55-9a41-000000000012",
                         "2015-10-22T09:00:00+01:00",
                         "\"hospitalAdmitted\": {\"spellId\": \"S7\", "
                         "\"provider\": \"RF4\", \"site\": "
                         "\"King George\", \"method\": \"EMERGENCY\"}"),
                   Event("8d7c0a52-3c1e-4d55-9a41-000000000013",
                         "2015-10-24T10:00:00+01:00",
                         "\"readyForDischarge\": {\"spellId\": \"S7\"}")});
    auto list = Items(discharge + "&minPosition=" + std::to_string(position));
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(Text(list[0], "nhsNumber"), kP1);  // longest first
    EXPECT_EQ(Number(list[0], "daysDelayed"), 3);
    EXPECT_EQ(Text(list[1], "nhsNumber"), kP2);
    EXPECT_EQ(Number(list[1], "daysDelayed"), 2);
    EXPECT_TRUE(list[1].fields().at("readyOnWeekend").bool_value());
    EXPECT_EQ(Text(list[1], "reason"), "UNRECORDED");
    list = Items(discharge + "&site=King%20George");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(Text(list[0], "spellId"), "S7");

    // The package, started on Tuesday 20 October, has gone six days without a
    // professional.
    const std::string unassigned =
        std::string("/v1/worklists/unassigned-packages?area=") + kArea;
    auto packages = Items(unassigned);
    ASSERT_EQ(packages.size(), 1u);
    EXPECT_EQ(Text(packages[0], "packageId"), "P1");
    EXPECT_EQ(Number(packages[0], "daysWithout"), 6);
    // Assigning one removes it and shows on the discharge worklist; discharging
    // P2 removes the row.
    Post(kP1,
         {Event("8d7c0a52-3c1e-4d55-9a41-000000000006", "2015-10-26T08:00:00Z",
                "\"accountableProfessionalAssigned\": {\"packageId\": \"P1\", "
                "\"professionalId\": "
                "\"PRO1\", \"name\": \"Ann Patel\", \"role\": \"Care "
                "coordinator\", "
                "\"organisation\": \"LBBD\", \"sector\": \"SOCIAL_CARE\", "
                "\"phone\": \"020 8227 "
                "1234\"}")});
    const uint64_t last = Post(
        kP2,
        {Event("8d7c0a52-3c1e-4d55-9a41-000000000014", "2015-10-26T08:30:00Z",
               "\"discharged\": {\"spellId\": \"S7\", \"destination\": "
               "\"REABLEMENT\"}")});
    const std::string wait = "&minPosition=" + std::to_string(last);
    EXPECT_EQ(Items(unassigned + wait).size(), 0u);
    list = Items(discharge + wait);
    ASSERT_EQ(list.size(), 1u);
    const Struct& ap =
        list[0].fields().at("accountableProfessional").struct_value();
    EXPECT_EQ(Text(ap, "name"), "Ann Patel");
    EXPECT_EQ(Text(ap, "phone"), "020 8227 1234");
    // Day 91 after a discharge on 26 October is 25 January.
    EXPECT_EQ(
        Items(std::string("/v1/worklists/follow-ups?area=") + kArea + wait)
            .size(),
        0u);
    EXPECT_EQ(Stop(), 0);
  }
  {
    Serve("2016-01-25T12:00:00Z");
    const std::string target =
        std::string("/v1/worklists/follow-ups?area=") + kArea;
    const auto due = Items(target);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(Text(due[0], "nhsNumber"), kP2);
    EXPECT_EQ(Text(due[0], "dischargedOn"), "2015-10-26");
    EXPECT_EQ(Text(due[0], "dueOn"), "2016-01-25");
    // After the restart the worklist still counts P1: ready Friday, 94
    // midnights by 25 January.
    const auto list = Items(discharge);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(Number(list[0], "daysDelayed"), 94);
    // minPosition beyond the log: 503 with Retry-After after the 5 s wait;
    // not a position: 400 naming it.
    auto late = coordinator_->Get(target + "&minPosition=999999999");
    EXPECT_EQ(late.status, 503) << late.body;
    EXPECT_EQ(late.Header("retry-after"), "1");
    auto bad = coordinator_->Get(target + "&minPosition=-1");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("minPosition"), std::string::npos) << bad.body;
    // HEAD answers GET's headers, Content-Length included, without the body.
    auto get = coordinator_->Get(target);
    auto head = coordinator_->Send("HEAD", target);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
    EXPECT_EQ(head.Header("content-type"), get.Header("content-type"));
    EXPECT_EQ(Send("HEAD", target, "").status, 401);
  }
}

}  // namespace
}  // namespace carelog::e2e
