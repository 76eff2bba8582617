#include <chrono>
#include <ctime>

#include "tests/e2e/worked_examples.h"

namespace carelog::e2e::worked {

using google::protobuf::Struct;
using google::protobuf::Value;

const char kArea[] =
    R"({"name": "Area", "population": [{"year": 2014, "age0to17": 58000,
        "age18to64": 120000, "age65plus": 20000}]})";

std::string Ev(const std::string& at, const std::string& payload,
               const std::string& id) {
  return "{\"eventId\":\"" + (id.empty() ? NewEventId() : id) +
         "\",\"occurredAt\":\"" + at + "\"," + payload + "}";
}

std::string Register(const std::string& birth, bool verified,
                     const std::string& area) {
  return Ev("2014-01-01T10:00:00Z",
            "\"personRegistered\":{\"birthDate\":\"" + birth +
                "\",\"areaCode\":\"" + area + "\",\"nhsNumberStatus\":\"" +
                (verified ? "VERIFIED" : "UNVERIFIED") + "\"}");
}
std::string Admit(const std::string& at, const std::string& spell,
                  const std::string& method, const std::string& id) {
  return Ev(at,
            "\"hospitalAdmitted\":{\"spellId\":\"" + spell +
                "\",\"site\":\"Queen's\",\"method\":\"" + method + "\"}",
            id);
}
std::string Discharge(const std::string& at, const std::string& spell,
                      const std::string& destination) {
  return Ev(at, "\"discharged\":{\"spellId\":\"" + spell +
                    "\",\"destination\":\"" + destination + "\"}");
}
std::string Ready(const std::string& at, const std::string& spell) {
  return Ev(at, "\"readyForDischarge\":{\"spellId\":\"" + spell + "\"}");
}
std::string FollowUp(const std::string& at, const std::string& spell,
                     const std::string& status) {
  return Ev(at, "\"followUpRecorded\":{\"spellId\":\"" + spell +
                    "\",\"status\":\"" + status + "\"}");
}
std::string CareHome(const std::string& at, const std::string& placement) {
  return Ev(at, "\"careHomeAdmitted\":{\"placementId\":\"" + placement +
                    "\",\"type\":\"RESIDENTIAL\",\"permanent\":true,"
                    "\"councilSupported\":true}");
}
std::string Referral(const std::string& at, const std::string& id,
                     const std::string& urgency) {
  return Ev(at, "\"referralReceived\":{\"referralId\":\"" + id +
                    "\",\"fromSector\":\"HEALTH\",\"toService\":\"reablement\","
                    "\"urgency\":\"" +
                    urgency + "\"}");
}
std::string AssessmentStarted(const std::string& at, const std::string& id) {
  return Ev(at, "\"jointAssessmentStarted\":{\"assessmentId\":\"" + id +
                    "\",\"participants\":["
                    "{\"professionalId\":\"H1\",\"sector\":\"HEALTH\"},"
                    "{\"professionalId\":\"S1\",\"sector\":\"SOCIAL_CARE\"}]}");
}
std::string PackageStarted(const std::string& at, const std::string& id,
                           bool integrated, const std::string& assessment) {
  return Ev(at, "\"carePackageStarted\":{\"packageId\":\"" + id +
                    "\",\"integrated\":" + (integrated ? "true" : "false") +
                    (assessment.empty()
                         ? std::string()
                         : ",\"assessmentId\":\"" + assessment + "\"") +
                    "}");
}
std::string Ae(const std::string& at, const std::string& id) {
  return Ev(at, "\"aeAttended\":{\"attendanceId\":\"" + id + "\"}");
}

std::string PlanOf(const std::vector<Probe>& probes,
                   const std::string& extra_tranches,
                   const std::string& extra_targets) {
  std::string targets, tranches;
  for (const Probe& p : probes) {
    targets += (targets.empty() ? "" : ",") + std::string("{\"metric\":\"") +
               p.metric + "\",\"period\":\"" + p.period +
               "\",\"baseline\":" + std::to_string(p.baseline) +
               ",\"target\":" + std::to_string(p.target) + "}";
    tranches += (tranches.empty() ? "" : ",") + std::string("{\"id\":\"") +
                p.id + "\",\"period\":\"" + p.period +
                "\",\"amountGbp\":" + std::to_string(p.amount) +
                ",\"metrics\":[{\"metric\":\"" + p.metric +
                "\",\"weight\":1}]}";
  }
  if (!extra_targets.empty()) targets += "," + extra_targets;
  if (!extra_tranches.empty()) tranches += "," + extra_tranches;
  return "{\"targets\":[" + targets + "],\"tranches\":[" + tranches + "]}";
}

const Value& Field(const Struct& s, const std::string& name) {
  static const Value kMissing;
  auto it = s.fields().find(name);
  EXPECT_NE(it, s.fields().end()) << name;
  return it == s.fields().end() ? kMissing : it->second;
}

Struct Tranche(const Struct& payments, const std::string& id) {
  for (const Value& v : Field(payments, "tranches").list_value().values()) {
    if (Text(v.struct_value(), "id") == id) return v.struct_value();
  }
  ADD_FAILURE() << "no tranche " << id;
  return {};
}

// The exact `actual` of the tranche's only (or first) metric.
const Value& Actual(const Struct& tranche, int i) {
  return Field(Field(tranche, "metrics").list_value().values(i).struct_value(),
               "actual");
}

Struct MetricEntry(const Struct& answer, const std::string& metric) {
  for (const Value& v : Field(answer, "metrics").list_value().values()) {
    if (Text(v.struct_value(), "metric") == metric) return v.struct_value();
  }
  ADD_FAILURE() << "no entry for " << metric;
  return {};
}

std::string NowRfc3339() {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::time_t secs = micros / 1000000;
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::gmtime(&secs));
  return std::string(buf) + "." +
         std::to_string(1000000 + micros % 1000000).substr(1) + "Z";
}

}  // namespace carelog::e2e::worked
