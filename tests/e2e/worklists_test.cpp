// The worklist endpoints end to end: the real server on a free port, its clock
// set through CARELOG_NOW (docs/READINGS.md), restarted at later instants to
// watch days pass across a weekend and the October clock change.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "tests/e2e/carelog_process_helpers.h"

namespace carelog::e2e_demo {
namespace {

constexpr char kArea[] = "E09000002";
constexpr char kP1[] = "9990000018";
constexpr char kP2[] = "9990000026";

google::protobuf::Struct Json(const std::string& body) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &s).ok())
      << body;
  return s;
}

const google::protobuf::ListValue& Items(const google::protobuf::Struct& s) {
  return s.fields().at("items").list_value();
}

std::string Field(const google::protobuf::Value& item,
                  const std::string& name) {
  return item.struct_value().fields().at(name).string_value();
}
double Number(const google::protobuf::Value& item, const std::string& name) {
  return item.struct_value().fields().at(name).number_value();
}

class WorklistsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_ = dir_.path() + "/tokens.json";
    coordinator_ =
        RunCarelog({"token", "add", "--tokens", tokens_, "--name", "dc",
                    "--role", "dischargeCoordinator", "--area", kArea});
    elsewhere_ =
        RunCarelog({"token", "add", "--tokens", tokens_, "--name", "dc2",
                    "--role", "dischargeCoordinator", "--area", "E09000003"});
    commissioner_ =
        RunCarelog({"token", "add", "--tokens", tokens_, "--name", "cm",
                    "--role", "commissioner", "--area", kArea});
    auditor_ = RunCarelog({"token", "add", "--tokens", tokens_, "--name", "aud",
                           "--role", "auditor"});
    ASSERT_EQ(coordinator_.size(), 64u) << coordinator_;
  }

  // Starts the server with its clock at `now`.
  std::unique_ptr<CarelogProcess> Serve(const std::string& now) {
    auto server = std::make_unique<CarelogProcess>(
        std::vector<std::string>{"serve", "--data", dir_.path() + "/data",
                                 "--listen", "127.0.0.1:0", "--tokens",
                                 tokens_},
        std::map<std::string, std::string>{{"CARELOG_NOW", now}});
    EXPECT_TRUE(server->Start());
    return server;
  }

  uint64_t Post(int port, const std::string& nhs, const std::string& events) {
    auto answer = Http(port, "POST", "/v1/people/" + nhs + "/events",
                       coordinator_, "{\"events\": [" + events + "]}");
    EXPECT_EQ(answer.status, 201) << answer.body;
    const auto body = Json(answer.body);
    return static_cast<uint64_t>(
        body.fields().at("lastPosition").number_value());
  }

  google::protobuf::Struct Get(int port, const std::string& target,
                               int status = 200) {
    auto answer = Http(port, "GET", target, coordinator_);
    EXPECT_EQ(answer.status, status) << target << ": " << answer.body;
    return Json(answer.body);
  }

  TempDir dir_;
  std::string tokens_, coordinator_, elsewhere_, commissioner_, auditor_;
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
  auto server = Serve("2015-10-23T15:00:00+01:00");
  const int port = server->port();
  Post(
      port, kP1,
      Event("8d7c0a52-3c1e-4d55-9a41-000000000101", "2015-10-01T10:00:00+01:00",
            "\"personRegistered\": {\"birthDate\": \"1938-02-11\", "
            "\"areaCode\": \"E09000002\", \"gpPractice\": \"F82001\"}") +
          "," +
          Event("8d7c0a52-3c1e-4d55-9a41-000000000102",
                "2015-10-20T11:00:00+01:00",
                "\"hospitalAdmitted\": {\"spellId\": \"S1\", "
                "\"provider\": \"RF4\", \"site\": \"Queen's\", "
                "\"method\": \"EMERGENCY\"}") +
          "," +
          Event("8d7c0a52-3c1e-4d55-9a41-000000000103",
                "2015-10-23T14:00:00+01:00",
                "\"readyForDischarge\": {\"spellId\": \"S1\"}"));
  const uint64_t last = Post(
      port, kP2,
      Event("8d7c0a52-3c1e-4d55-9a41-000000000111", "2015-10-01T10:00:00+01:00",
            "\"personRegistered\": {\"birthDate\": \"1940-05-01\", "
            "\"areaCode\": \"E09000002\", \"gpPractice\": "
            "\"F82001\"}"));
  const std::string target = std::string("/v1/worklists/discharge?area=") +
                             kArea + "&minPosition=" + std::to_string(last);
  ASSERT_EQ(Items(Get(port, target)).values_size(), 1);

  auto audit = Json(
      Http(port, "GET", std::string("/v1/audit?nhsNumber=") + kP1, auditor_)
          .body);
  const google::protobuf::Value* seen = nullptr;
  for (const auto& entry : audit.fields().at("entries").list_value().values())
    if (Field(entry, "route") == "/v1/worklists/discharge") seen = &entry;
  ASSERT_NE(seen, nullptr) << "no worklist entry for " << kP1;
  EXPECT_EQ(Field(*seen, "who"), "dc");
  EXPECT_EQ(Field(*seen, "role"), "dischargeCoordinator");
  EXPECT_EQ(Field(*seen, "method"), "GET");
  EXPECT_EQ(Field(*seen, "target"), target);
  EXPECT_EQ(Number(*seen, "outcome"), 200);

  audit = Json(
      Http(port, "GET", std::string("/v1/audit?nhsNumber=") + kP2, auditor_)
          .body);
  for (const auto& entry : audit.fields().at("entries").list_value().values())
    EXPECT_NE(Field(entry, "route"), "/v1/worklists/discharge");
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(WorklistsE2eTest, DaysDelayedAcrossAWeekendAndTheClockChange) {
  {
    // Friday 23 October 2015, 15:00 BST.
    auto server = Serve("2015-10-23T15:00:00+01:00");
    const int port = server->port();
    Post(
        port, kP1,
        Event(
            "8d7c0a52-3c1e-4d55-9a41-000000000001", "2015-10-01T10:00:00+01:00",
            "\"personRegistered\": {\"birthDate\": \"1938-02-11\", "
            "\"areaCode\": \"E09000002\", "
            "\"gpPractice\": \"F82001\", \"nhsNumberStatus\": \"VERIFIED\"}") +
            "," +
            Event("8d7c0a52-3c1e-4d55-9a41-000000000002",
                  "2015-10-20T11:00:00+01:00",
                  "\"hospitalAdmitted\": {\"spellId\": \"S1\", \"provider\": "
                  "\"RF4\", \"site\": "
                  "\"Queen's\", \"method\": \"EMERGENCY\"}") +
            "," +
            Event("8d7c0a52-3c1e-4d55-9a41-000000000003",
                  "2015-10-20T12:00:00+01:00",
                  "\"carePackageStarted\": {\"packageId\": \"P1\", "
                  "\"integrated\": true, "
                  "\"scheme\": \"ITF08\", \"pooledBudget\": true}") +
            "," +
            Event("8d7c0a52-3c1e-4d55-9a41-000000000004",
                  "2015-10-23T14:00:00+01:00",
                  "\"readyForDischarge\": {\"spellId\": \"S1\"}"));
    const uint64_t position =
        Post(port, kP1,
             Event("8d7c0a52-3c1e-4d55-9a41-000000000005",
                   "2015-10-23T14:30:00+01:00",
                   "\"dischargeDelayRecorded\": {\"spellId\": \"S1\", "
                   "\"reason\": \"D1\", \"agency\": "
                   "\"SOCIAL_CARE\"}"));
    const auto list =
        Get(port, std::string("/v1/worklists/discharge?area=") + kArea +
                      "&minPosition=" + std::to_string(position));
    ASSERT_EQ(Items(list).values_size(), 1);
    const auto& item = Items(list).values(0);
    EXPECT_EQ(Field(item, "nhsNumber"), kP1);
    EXPECT_EQ(Field(item, "spellId"), "S1");
    EXPECT_EQ(Field(item, "site"), "Queen's");
    EXPECT_EQ(Field(item, "reason"), "D1");
    EXPECT_EQ(Field(item, "agency"), "SOCIAL_CARE");
    EXPECT_EQ(Number(item, "daysDelayed"), 0);
    EXPECT_FALSE(
        item.struct_value().fields().at("readyOnWeekend").bool_value());
    EXPECT_TRUE(item.struct_value()
                    .fields()
                    .at("accountableProfessional")
                    .has_null_value());
    EXPECT_EQ(Field(item, "readySince").substr(0, 19), "2015-10-23T14:00:00");
    // The item's fields come in API.md's order.
    const std::string text =
        Http(port, "GET", std::string("/v1/worklists/discharge?area=") + kArea,
             coordinator_)
            .body;
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
    Get(port, "/v1/worklists/discharge", 400);
    Get(port, "/v1/worklists/discharge?area=nonsense", 400);
    EXPECT_EQ(
        Http(port, "GET", std::string("/v1/worklists/discharge?area=") + kArea,
             elsewhere_)
            .status,
        403);
    EXPECT_EQ(
        Http(port, "GET", std::string("/v1/worklists/discharge?area=") + kArea,
             commissioner_)
            .status,
        403);
    EXPECT_EQ(
        Http(port, "GET", std::string("/v1/worklists/discharge?area=") + kArea)
            .status,
        401);
    EXPECT_EQ(server->Stop(), 0);
  }
  {
    // Monday 26 October, 09:00 GMT: the clocks went back on Sunday; three
    // midnights have passed.
    auto server = Serve("2015-10-26T09:00:00Z");
    const int port = server->port();
    // Another person, ready on Saturday, recorded late.
    const uint64_t position = Post(
        port, kP2,
        Event(
            "8d7c0a52-3c1e-4d55-9a41-000000000011", "2015-10-01T10:00:00+01:00",
            "\"personRegistered\": {\"birthDate\": \"1940-05-01\", "
            "\"areaCode\": \"E09000002\", "
            "\"gpPractice\": \"F82001\", \"nhsNumberStatus\": \"VERIFIED\"}") +
            "," +
            Event("8d7c0a52-3c1e-4d55-9a41-000000000012",
                  "2015-10-22T09:00:00+01:00",
                  "\"hospitalAdmitted\": {\"spellId\": \"S7\", \"provider\": "
                  "\"RF4\", \"site\": "
                  "\"King George\", \"method\": \"EMERGENCY\"}") +
            "," +
            Event("8d7c0a52-3c1e-4d55-9a41-000000000013",
                  "2015-10-24T10:00:00+01:00",
                  "\"readyForDischarge\": {\"spellId\": \"S7\"}"));
    auto list = Get(port, std::string("/v1/worklists/discharge?area=") + kArea +
                              "&minPosition=" + std::to_string(position));
    ASSERT_EQ(Items(list).values_size(), 2);
    EXPECT_EQ(Field(Items(list).values(0), "nhsNumber"), kP1);  // longest first
    EXPECT_EQ(Number(Items(list).values(0), "daysDelayed"), 3);
    EXPECT_EQ(Field(Items(list).values(1), "nhsNumber"), kP2);
    EXPECT_EQ(Number(Items(list).values(1), "daysDelayed"), 2);
    EXPECT_TRUE(Items(list)
                    .values(1)
                    .struct_value()
                    .fields()
                    .at("readyOnWeekend")
                    .bool_value());
    EXPECT_EQ(Field(Items(list).values(1), "reason"), "UNRECORDED");
    list = Get(port, std::string("/v1/worklists/discharge?area=") + kArea +
                         "&site=King%20George");
    ASSERT_EQ(Items(list).values_size(), 1);
    EXPECT_EQ(Field(Items(list).values(0), "spellId"), "S7");

    // The package, started on Tuesday 20 October, has gone six days without a
    // professional.
    auto packages = Get(
        port, std::string("/v1/worklists/unassigned-packages?area=") + kArea);
    ASSERT_EQ(Items(packages).values_size(), 1);
    EXPECT_EQ(Field(Items(packages).values(0), "packageId"), "P1");
    EXPECT_EQ(Number(Items(packages).values(0), "daysWithout"), 6);
    // Assigning one removes it and shows on the discharge worklist; discharging
    // P2 removes the row.
    Post(port, kP1,
         Event("8d7c0a52-3c1e-4d55-9a41-000000000006", "2015-10-26T08:00:00Z",
               "\"accountableProfessionalAssigned\": {\"packageId\": \"P1\", "
               "\"professionalId\": "
               "\"PRO1\", \"name\": \"Ann Patel\", \"role\": \"Care "
               "coordinator\", "
               "\"organisation\": \"LBBD\", \"sector\": \"SOCIAL_CARE\", "
               "\"phone\": \"020 8227 "
               "1234\"}"));
    const uint64_t last = Post(
        port, kP2,
        Event("8d7c0a52-3c1e-4d55-9a41-000000000014", "2015-10-26T08:30:00Z",
              "\"discharged\": {\"spellId\": \"S7\", \"destination\": "
              "\"REABLEMENT\"}"));
    const std::string wait = "&minPosition=" + std::to_string(last);
    packages =
        Get(port, std::string("/v1/worklists/unassigned-packages?area=") +
                      kArea + wait);
    EXPECT_EQ(Items(packages).values_size(), 0);
    list =
        Get(port, std::string("/v1/worklists/discharge?area=") + kArea + wait);
    ASSERT_EQ(Items(list).values_size(), 1);
    const auto& ap = Items(list)
                         .values(0)
                         .struct_value()
                         .fields()
                         .at("accountableProfessional")
                         .struct_value();
    EXPECT_EQ(ap.fields().at("name").string_value(), "Ann Patel");
    EXPECT_EQ(ap.fields().at("phone").string_value(), "020 8227 1234");
    // Day 91 after a discharge on 26 October is 25 January.
    EXPECT_EQ(Items(Get(port, std::string("/v1/worklists/follow-ups?area=") +
                                  kArea + wait))
                  .values_size(),
              0);
    EXPECT_EQ(server->Stop(), 0);
  }
  {
    auto server = Serve("2016-01-25T12:00:00Z");
    const auto due = Get(server->port(),
                         std::string("/v1/worklists/follow-ups?area=") + kArea);
    ASSERT_EQ(Items(due).values_size(), 1);
    EXPECT_EQ(Field(Items(due).values(0), "nhsNumber"), kP2);
    EXPECT_EQ(Field(Items(due).values(0), "dischargedOn"), "2015-10-26");
    EXPECT_EQ(Field(Items(due).values(0), "dueOn"), "2016-01-25");
    // After the restart the worklist still counts P1: ready Friday, 94
    // midnights by 25 January.
    const auto list = Get(server->port(),
                          std::string("/v1/worklists/discharge?area=") + kArea);
    ASSERT_EQ(Items(list).values_size(), 1);
    EXPECT_EQ(Number(Items(list).values(0), "daysDelayed"), 94);
    // minPosition beyond the log: 503 with Retry-After after the 5 s wait;
    // not a position: 400 naming it.
    const std::string target =
        std::string("/v1/worklists/follow-ups?area=") + kArea;
    auto late = Http(server->port(), "GET", target + "&minPosition=999999999",
                     coordinator_);
    EXPECT_EQ(late.status, 503) << late.body;
    EXPECT_EQ(late.headers["retry-after"], "1");
    auto bad =
        Http(server->port(), "GET", target + "&minPosition=-1", coordinator_);
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("minPosition"), std::string::npos) << bad.body;
    // HEAD answers GET's headers, Content-Length included, without the body.
    auto get = Http(server->port(), "GET", target, coordinator_);
    auto head = Http(server->port(), "HEAD", target, coordinator_);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.headers["content-length"], std::to_string(get.body.size()));
    EXPECT_EQ(head.headers["content-type"], get.headers["content-type"]);
    EXPECT_EQ(Http(server->port(), "HEAD", target).status, 401);
  }
}

}  // namespace
}  // namespace carelog::e2e_demo
