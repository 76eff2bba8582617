// Fuzz target: the person-rule checker (services/rules.h) on arbitrary event
// sequences. The bytes choose events (any payload, ids from a small pool so
// that they collide, times that jump back and forth) and cut them into
// requests; each request is checked against the history the earlier accepted
// ones built. Properties: a refusal is a 400/422 with a message; the first
// accepted event registers the person; folding incrementally equals folding
// the whole stream from scratch.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "services/event_format.h"
#include "services/person_state.h"
#include "services/rules.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using carelog::Instant;

// One payload per template; %I is an id from the pool, %E an earlier event id,
// %V a pick from the enum values listed after the template.
struct Template {
  const char* json;
  std::vector<const char*> values;
};

const std::vector<Template>& Templates() {
  static const std::vector<Template> kTemplates = {
      {R"("personRegistered": {"birthDate": "%V", "areaCode": "E09000002", "gpPractice": "F82001", "nhsNumberStatus": "UNVERIFIED"})",
       {"1938-02-11", "2000-01-01", "2015-06-01", "1899-12-31"}},
      {R"("personMoved": {"areaCode": "%V"})", {"E09000003", "E09000002"}},
      {R"("nhsNumberVerified": {})", {}},
      {R"("localIdLinked": {"system": "PAS", "value": "%I"})", {}},
      {R"("personDied": {})", {}},
      {R"("referralReceived": {"referralId": "%I", "fromSector": "HEALTH", "fromOrganisation": "GP", "toService": "REABLEMENT", "reason": "falls", "urgency": "%V"})",
       {"ROUTINE", "URGENT", "CRISIS"}},
      {R"("referralAccepted": {"referralId": "%I"})", {}},
      {R"("referralDeclined": {"referralId": "%I", "reason": "no capacity"})",
       {}},
      {R"("jointAssessmentStarted": {"assessmentId": "%I", "participants": [{"professionalId": "P1", "name": "A", "sector": "HEALTH", "role": "nurse"}, {"professionalId": "P2", "name": "B", "sector": "%V", "role": "social worker"}]})",
       {"SOCIAL_CARE", "HEALTH"}},
      {R"("jointAssessmentCompleted": {"assessmentId": "%I", "outcome": "%V"})",
       {"PACKAGE_NEEDED", "NO_ELIGIBLE_NEEDS", "REFERRED_ON"}},
      {R"("carePackageStarted": {"packageId": "%I", "assessmentId": "%I", "integrated": true, "scheme": "ITF08", "pooledBudget": true})",
       {}},
      {R"("accountableProfessionalAssigned": {"packageId": "%I", "professionalId": "P9", "name": "C", "role": "case manager", "organisation": "LBBD", "sector": "SOCIAL_CARE", "phone": "020"})",
       {}},
      {R"("carePackageEnded": {"packageId": "%I", "reason": "goals met"})", {}},
      {R"("aeAttended": {"attendanceId": "%I", "site": "Queen's"})", {}},
      {R"("hospitalAdmitted": {"spellId": "%I", "provider": "RF4", "site": "Queen's", "method": "%V"})",
       {"EMERGENCY", "ELECTIVE", "TRANSFER"}},
      {R"("readyForDischarge": {"spellId": "%I"})", {}},
      {R"("readyForDischargeWithdrawn": {"spellId": "%I", "reason": "infection"})",
       {}},
      {R"("dischargeDelayRecorded": {"spellId": "%I", "reason": "%V", "agency": "NHS"})",
       {"A", "D1", "E", "I"}},
      {R"("discharged": {"spellId": "%I", "destination": "%V"})",
       {"REABLEMENT", "USUAL_RESIDENCE", "DIED", "REHABILITATION_BED"}},
      {R"("followUpRecorded": {"spellId": "%I", "status": "%V"})",
       {"AT_HOME", "IN_HOSPITAL", "DIED"}},
      {R"("careHomeAdmitted": {"placementId": "%I", "type": "NURSING", "permanent": true, "councilSupported": true})",
       {}},
      {R"("careHomeLeft": {"placementId": "%I"})", {}},
      {R"("experienceSurveyCompleted": {"surveyId": "%I", "positive": true, "question": "Q1"})",
       {}},
      {R"("eventRetracted": {"eventId": "%E", "reason": "entered in error"})",
       {}},
  };
  return kTemplates;
}

class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return at_ >= size_; }
  uint8_t Next() { return at_ < size_ ? data_[at_++] : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

std::string Expand(const Template& t, Bytes& in, int event_count) {
  std::string out;
  for (const char* p = t.json; *p != '\0'; ++p) {
    if (*p == '%' && p[1] == 'I') {
      out += std::string(1, static_cast<char>('A' + in.Next() % 3));
      ++p;
    } else if (*p == '%' && p[1] == 'V') {
      out += t.values.empty() ? "" : t.values[in.Next() % t.values.size()];
      ++p;
    } else if (*p == '%' && p[1] == 'E') {
      out +=
          "e" + std::to_string(event_count == 0 ? 0 : in.Next() % event_count);
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

// A summary of the facts two folds must agree on.
std::string Summary(const carelog::PersonState& s) {
  const auto& f = s.facts();
  std::string out = std::to_string(s.version()) + "/" +
                    std::to_string(s.timeline().size()) + "/" + f.area_code() +
                    "/" + std::to_string(f.died_at().value_or(-1));
  for (const auto& spell : f.spells()) {
    out += "|S" + spell.spell_id + ":" + std::to_string(spell.admitted_at) +
           "-" + std::to_string(spell.discharged_at.value_or(-1)) + "r" +
           std::to_string(spell.readiness.size());
  }
  for (const auto& r : f.referrals())
    out += "|R" + r.referral_id + std::to_string(static_cast<int>(r.response));
  for (const auto& p : f.packages())
    out += "|P" + p.package_id + std::to_string(p.professionals.size()) +
           std::to_string(p.ended_at.value_or(-1));
  for (const auto& a : f.assessments())
    out += "|A" + a.assessment_id + std::to_string(a.completed_at.value_or(-1));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace carelog;
  if (size > 4096) return 0;
  Bytes in(data, size);
  // 2015-06-01T12:00:00Z, then steps of hours back and forth.
  Instant at = 1433160000LL * 1000000;
  const Instant now = at + 400LL * 24 * 3600 * 1000000;
  PersonState state;
  int event_count = 0;
  while (!in.empty()) {
    std::vector<schema::CareEvent> request;
    const int length = 1 + in.Next() % 4;
    for (int i = 0; i < length && !in.empty(); ++i) {
      const auto& t = Templates()[in.Next() % Templates().size()];
      const int step = static_cast<int8_t>(in.Next());
      at += static_cast<Instant>(step) * 3600 * 1000000;
      const std::string json = R"({"eventId": "e)" +
                               std::to_string(event_count) +
                               R"(", "occurredAt": ")" + FormatRfc3339Utc(at) +
                               R"(", )" + Expand(t, in, event_count) + "}";
      ++event_count;
      schema::CareEvent event;
      FUZZ_REQUIRE(
          google::protobuf::util::JsonStringToMessage(json, &event).ok());
      request.push_back(std::move(event));
    }
    Status format = ValidateFormat(request);
    if (!format.ok()) {
      FUZZ_REQUIRE(format.code() == Code::kInvalidArgument);
      continue;
    }
    Status rules = CheckRules(state, request, now);
    if (!rules.ok()) {
      FUZZ_REQUIRE(rules.code() == Code::kRuleViolation ||
                   rules.code() == Code::kInvalidArgument);
      FUZZ_REQUIRE(!rules.message().empty());
      continue;
    }
    // Checked in order against the history they build: every first part of
    // an accepted request is accepted too.
    for (size_t k = 1; k < request.size(); ++k) {
      const std::vector<schema::CareEvent> prefix(
          request.begin(), request.begin() + static_cast<ptrdiff_t>(k));
      FUZZ_REQUIRE(CheckRules(state, prefix, now).ok());
    }
    state = state.With(AsNextEvents(state, request, now, "fuzz"));
    // The first event of every stream is personRegistered, and an accepted
    // history is that of a registered person, unless its registration was
    // retracted (what stood on it then stands on nothing).
    FUZZ_REQUIRE(state.recorded().empty() ||
                 state.recorded().front()->event.has_person_registered());
    const bool registration_retracted =
        std::any_of(state.recorded().begin(), state.recorded().end(),
                    [&state](const StoredCareEventPtr& e) {
                      return e->event.has_person_registered() &&
                             state.IsRetracted(e->event.event_id());
                    });
    FUZZ_REQUIRE(state.timeline().empty() || state.facts().registered() ||
                 registration_retracted);
  }
  const PersonState refolded = PersonState::FromStream(state.recorded());
  FUZZ_REQUIRE(Summary(refolded) == Summary(state));
  return 0;
}
