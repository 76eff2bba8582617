#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "tests/services/care_events.h"

namespace carelog::testing {

schema::CareEvent Ev(const std::string& id, const std::string& at,
                     const std::string& payload_json) {
  std::string json =
      R"({"eventId": ")" + id + R"(", "occurredAt": ")" + at + "\"";
  if (!payload_json.empty()) json += ", " + payload_json;
  json += "}";
  schema::CareEvent e;
  auto status = google::protobuf::util::JsonStringToMessage(json, &e);
  EXPECT_TRUE(status.ok()) << json << ": " << status.ToString();
  return e;
}

std::string Registered(const std::string& birth, const std::string& area) {
  return R"("personRegistered": {"birthDate": ")" + birth +
         R"(", "areaCode": ")" + area +
         R"(", "gpPractice": "F82001", "nhsNumberStatus": "UNVERIFIED"})";
}
std::string Admitted(const std::string& spell, const std::string& method) {
  return R"("hospitalAdmitted": {"spellId": ")" + spell +
         R"(", "provider": "RF4", "site": "Queen's", "method": ")" + method +
         R"("})";
}
std::string Ready(const std::string& spell) {
  return R"("readyForDischarge": {"spellId": ")" + spell + R"("})";
}
std::string Withdrawn(const std::string& spell) {
  return R"("readyForDischargeWithdrawn": {"spellId": ")" + spell +
         R"(", "reason": "chest infection"})";
}
std::string Delay(const std::string& spell, const std::string& reason,
                  const std::string& agency) {
  return R"("dischargeDelayRecorded": {"spellId": ")" + spell +
         R"(", "reason": ")" + reason + R"(", "agency": ")" + agency + R"("})";
}
std::string Discharged(const std::string& spell,
                       const std::string& destination) {
  return R"("discharged": {"spellId": ")" + spell + R"(", "destination": ")" +
         destination + R"("})";
}
std::string FollowUp(const std::string& spell, const std::string& status) {
  return R"("followUpRecorded": {"spellId": ")" + spell + R"(", "status": ")" +
         status + R"("})";
}
std::string Retract(const std::string& event_id) {
  return R"("eventRetracted": {"eventId": ")" + event_id +
         R"(", "reason": "entered in error"})";
}

}  // namespace carelog::testing
