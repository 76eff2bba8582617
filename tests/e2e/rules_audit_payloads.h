// Payload bodies of SPEC.md's events table in its JSON names, for the rules
// audit (tests/e2e/rules_audit_test.cpp and siblings).
#pragma once

#include <string>

namespace carelog::e2e::rules {

// "2015-06-DDTHH:MM:00+01:00" (London summer time).
std::string At(int day, int hour, int minute = 0);

std::string Referral(const std::string& id,
                     const std::string& urgency = "URGENT");
std::string Accept(const std::string& referral);
std::string Decline(const std::string& referral);
// jointAssessmentStarted with one participant per sector in `sectors`
// (comma-separated, e.g. "HEALTH,SOCIAL_CARE"); referralId when given.
std::string JaStart(const std::string& id,
                    const std::string& sectors = "HEALTH,SOCIAL_CARE",
                    const std::string& referral = "");
std::string JaDone(const std::string& id,
                   const std::string& outcome = "PACKAGE_NEEDED");
std::string PkgStart(const std::string& id, const std::string& assessment = "",
                     bool integrated = true);
std::string Prof(const std::string& package);
std::string PkgEnd(const std::string& package);
std::string Admit(const std::string& spell,
                  const std::string& method = "EMERGENCY");
std::string Ready(const std::string& spell);
std::string Withdraw(const std::string& spell);
std::string Delay(const std::string& spell, const std::string& reason = "E",
                  const std::string& agency = "SOCIAL_CARE");
std::string Discharge(const std::string& spell,
                      const std::string& destination = "USUAL_RESIDENCE");
std::string FollowUp(const std::string& spell,
                     const std::string& status = "AT_HOME");
std::string HomeIn(const std::string& placement);
std::string HomeOut(const std::string& placement);
std::string Ae(const std::string& attendance);
std::string Survey(const std::string& survey);
std::string Died();
std::string Moved(const std::string& area);
std::string Verified();
std::string Retract(const std::string& event_id);

}  // namespace carelog::e2e::rules
