// Care events for tests, written in the JSON of API.md and parsed with
// protobuf's JSON mapping.
#pragma once

#include <string>
#include <vector>

#include "carelog/events.pb.h"

namespace carelog::testing {

// {"eventId": id, "occurredAt": at, <payload_json>} parsed; payload_json is
// e.g. R"("readyForDischarge": {"spellId": "S1"})". Aborts the test on bad
// JSON.
schema::CareEvent Ev(const std::string& id, const std::string& at,
                     const std::string& payload_json);

// Common payloads.
std::string Registered(const std::string& birth = "1938-02-11",
                       const std::string& area = "E09000002");
std::string Admitted(const std::string& spell,
                     const std::string& method = "EMERGENCY");
std::string Ready(const std::string& spell);
std::string Withdrawn(const std::string& spell);
std::string Delay(const std::string& spell, const std::string& reason = "E",
                  const std::string& agency = "SOCIAL_CARE");
std::string Discharged(const std::string& spell,
                       const std::string& destination = "USUAL_RESIDENCE");
std::string FollowUp(const std::string& spell,
                     const std::string& status = "AT_HOME");
std::string Retract(const std::string& event_id);

}  // namespace carelog::testing
