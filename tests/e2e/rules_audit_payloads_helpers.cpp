#include <cstdio>

#include "tests/e2e/rules_audit_payloads.h"

namespace carelog::e2e::rules {
namespace {

std::string Q(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

std::string At(int day, int hour, int minute) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2015-06-%02dT%02d:%02d:00+01:00", day, hour,
                minute);
  return buf;
}

std::string Referral(const std::string& id, const std::string& urgency) {
  return R"("referralReceived":{"referralId":)" + Q(id) +
         R"(,"fromSector":"HEALTH","fromOrganisation":"GP","toService":"Reablement","reason":"falls","urgency":)" +
         Q(urgency) + "}";
}
std::string Accept(const std::string& referral) {
  return R"("referralAccepted":{"referralId":)" + Q(referral) + "}";
}
std::string Decline(const std::string& referral) {
  return R"("referralDeclined":{"referralId":)" + Q(referral) +
         R"(,"reason":"not eligible"})";
}
std::string JaStart(const std::string& id, const std::string& sectors,
                    const std::string& referral) {
  std::string parts;
  size_t from = 0;
  int n = 0;
  while (from < sectors.size()) {
    size_t comma = sectors.find(',', from);
    if (comma == std::string::npos) comma = sectors.size();
    parts += std::string(parts.empty() ? "" : ",") + R"({"professionalId":"p)" +
             std::to_string(++n) + R"(","name":"Pro","sector":)" +
             Q(sectors.substr(from, comma - from)) + R"(,"role":"OT"})";
    from = comma + 1;
  }
  return R"("jointAssessmentStarted":{"assessmentId":)" + Q(id) +
         (referral.empty() ? "" : ",\"referralId\":" + Q(referral)) +
         ",\"participants\":[" + parts + "]}";
}
std::string JaDone(const std::string& id, const std::string& outcome) {
  return R"("jointAssessmentCompleted":{"assessmentId":)" + Q(id) +
         R"(,"outcome":)" + Q(outcome) + "}";
}
std::string PkgStart(const std::string& id, const std::string& assessment,
                     bool integrated) {
  return R"("carePackageStarted":{"packageId":)" + Q(id) +
         (assessment.empty() ? "" : ",\"assessmentId\":" + Q(assessment)) +
         R"(,"integrated":)" + (integrated ? "true" : "false") +
         R"(,"scheme":"ITF08","pooledBudget":true})";
}
std::string Prof(const std::string& package) {
  return R"("accountableProfessionalAssigned":{"packageId":)" + Q(package) +
         R"(,"professionalId":"N1","name":"Nora","role":"Nurse","organisation":"CCG","sector":"HEALTH","phone":"020 7000 0000"})";
}
std::string PkgEnd(const std::string& package) {
  return R"("carePackageEnded":{"packageId":)" + Q(package) +
         R"(,"reason":"done"})";
}
std::string Admit(const std::string& spell, const std::string& method) {
  return R"("hospitalAdmitted":{"spellId":)" + Q(spell) +
         R"(,"provider":"RF4","site":"Queen's","method":)" + Q(method) + "}";
}
std::string Ready(const std::string& spell) {
  return R"("readyForDischarge":{"spellId":)" + Q(spell) + "}";
}
std::string Withdraw(const std::string& spell) {
  return R"("readyForDischargeWithdrawn":{"spellId":)" + Q(spell) +
         R"(,"reason":"unwell"})";
}
std::string Delay(const std::string& spell, const std::string& reason,
                  const std::string& agency) {
  return R"("dischargeDelayRecorded":{"spellId":)" + Q(spell) +
         R"(,"reason":)" + Q(reason) + R"(,"agency":)" + Q(agency) + "}";
}
std::string Discharge(const std::string& spell,
                      const std::string& destination) {
  return R"("discharged":{"spellId":)" + Q(spell) + R"(,"destination":)" +
         Q(destination) + "}";
}
std::string FollowUp(const std::string& spell, const std::string& status) {
  return R"("followUpRecorded":{"spellId":)" + Q(spell) + R"(,"status":)" +
         Q(status) + "}";
}
std::string HomeIn(const std::string& placement) {
  return R"("careHomeAdmitted":{"placementId":)" + Q(placement) +
         R"(,"type":"NURSING","permanent":true,"councilSupported":true})";
}
std::string HomeOut(const std::string& placement) {
  return R"("careHomeLeft":{"placementId":)" + Q(placement) + "}";
}
std::string Ae(const std::string& attendance) {
  return R"("aeAttended":{"attendanceId":)" + Q(attendance) +
         R"(,"site":"Queen's"})";
}
std::string Survey(const std::string& survey) {
  return R"("experienceSurveyCompleted":{"surveyId":)" + Q(survey) +
         R"(,"positive":true,"question":"Q1"})";
}
std::string Died() { return R"("personDied":{})"; }
std::string Moved(const std::string& area) {
  return R"("personMoved":{"areaCode":)" + Q(area) + "}";
}
std::string Verified() { return R"("nhsNumberVerified":{})"; }
std::string Retract(const std::string& event_id) {
  return R"("eventRetracted":{"eventId":)" + Q(event_id) +
         R"(,"reason":"entered in error"})";
}

}  // namespace carelog::e2e::rules
