#include <chrono>
#include <thread>

#include "tests/e2e/metrics_audit.h"

namespace carelog::e2e::worked::audit {
namespace {

std::string Delay(const std::string& at, const std::string& reason,
                  const std::string& agency) {
  return Ev(at, "\"dischargeDelayRecorded\":{\"spellId\":\"S1\",\"reason\":\"" +
                    reason + "\",\"agency\":\"" + agency + "\"}");
}
std::string Placement(const std::string& at, const std::string& id,
                      bool permanent, bool council,
                      const std::string& event_id = "") {
  return Ev(at,
            "\"careHomeAdmitted\":{\"placementId\":\"" + id +
                "\",\"type\":\"NURSING\",\"permanent\":" +
                (permanent ? "true" : "false") +
                ",\"councilSupported\":" + (council ? "true" : "false") + "}",
            event_id);
}
std::string Survey(const std::string& at, bool positive,
                   const std::string& id) {
  return Ev(at,
            "\"experienceSurveyCompleted\":{\"surveyId\":\"" + id +
                "\",\"positive\":" + (positive ? "true" : "false") +
                ",\"question\":\"Q\"}",
            id);
}
std::string Retract(const std::string& at, const std::string& event_id) {
  return Ev(at, "\"eventRetracted\":{\"eventId\":\"" + event_id +
                    "\",\"reason\":\"entered in error\"}");
}
std::string WithId(const std::string& at, const std::string& payload,
                   const std::string& id) {
  return Ev(at, payload, id);
}

const std::string kDischargeP4 = NewEventId();
const std::string kReadyP5 = NewEventId();
const std::string kPlacementP15 = NewEventId();

}  // namespace

const char kTwoYears[] =
    R"({"name": "Area", "population": [
        {"year": 2014, "age0to17": 58000, "age18to64": 120000, "age65plus": 20000},
        {"year": 2015, "age0to17": 60000, "age18to64": 130000, "age65plus": 25000}]})";

// The 2015-16 plan: one tranche per probe, plus a `unitCostGbp` tranche on
// May's delayed days (baseline 2.5, target 1.25, £100 a unit: pot £125.00).
// `pa18_target` is what the plan is later changed to restate.
std::string Plan(double pa18_target) {
  const std::vector<Probe> probes = {
      {"dd-apr", "delayedDays", "2015-04", 3, 1, 100},
      {"dd-jun", "delayedDays", "2015-06", 20, 10, 100},
      {"dd-jul", "delayedDays", "2015-07", 3, 1, 100},
      {"dd-aug", "delayedDays", "2015-08", 3, 1, 100},
      {"dd-oct", "delayedDays", "2015-10", 3, 1, 100},
      {"dd-mar", "delayedDays", "2016-03", 3, 1, 100},
      {"ur-year", "urgentResponse24h", "2015-16", 0, 100, 100},
      {"dd-q1", "delayedDays", "2015-16-Q1", 10, 5, 100},
      {"dd-year", "delayedDays", "2015-16", 10, 5, 100},
      {"nea-apr", "nonElectiveAdmissions", "2015-04", 2, 0, 0.05},
      {"nea-q4", "nonElectiveAdmissions", "2015-16-Q4", 0, 0, 100},
      {"pa65-q1", "permanentAdmissions65", "2015-16-Q1", 3, 3, 100},
      {"pa18-q1", "permanentAdmissions18to64", "2015-16-Q1", 3, pa18_target,
       100},
      {"rb-q3", "reablement91", "2015-16-Q3", 40, 60, 100},
      {"rb-oct", "reablement91", "2015-10", 100, 100, 100},
      {"rb-year", "reablement91", "2015-16", 40, 60, 100},
      {"pe-sep", "patientExperience", "2015-09", 66, 86, 100},
      {"pe-oct", "patientExperience", "2015-10", 0, 100, 100},
      {"wdr-dec", "weekendDischargeRatio", "2015-12", 0.5, 1, 100},
  };
  return PlanOf(
      probes,
      R"({"id":"dd-may","period":"2015-05","unitCostGbp":100,
          "metrics":[{"metric":"delayedDays","weight":1}]})",
      R"({"metric":"delayedDays","period":"2015-05","baseline":2.5,"target":1.25})");
}

std::string RecordTheBorough(uint16_t port, const std::string& practitioner) {
  HttpClient pa(port, practitioner);
  auto post = [&pa](int n, const std::vector<std::string>& events) {
    PostEvents(pa, TestNhsNumber(n), events);
  };

  // Delayed days. P1, SPEC.md's own example: ready 28 April, discharged 3
  // May: April 3 days (28, 29, 30), May 2 (1, 2). April's only emergency
  // admission.
  post(401, {Register("1950-01-01"),
             Admit("2015-04-20T10:00:00+01:00", "S1", "EMERGENCY"),
             Ready("2015-04-28T10:00:00+01:00", "S1"),
             Discharge("2015-05-03T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
  // P2: ready 1 June; D1 (social care) at 11:00; A (NHS) at 00:00 on 9 June,
  // the midnight that ends 8 June ("at or before" it: 8 June is A's);
  // discharged 30 June. 29 days: D1 on 1-7 June (7), A on 8-29 June (22).
  post(402, {Register("1950-01-01"),
             Admit("2015-05-25T10:00:00+01:00", "S1", "ELECTIVE"),
             Ready("2015-06-01T10:00:00+01:00", "S1"),
             Delay("2015-06-01T11:00:00+01:00", "D1", "SOCIAL_CARE"),
             Delay("2015-06-09T00:00:00+01:00", "A", "NHS"),
             Discharge("2015-06-30T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
  // P3 dies in hospital while ready since 10 July, on 14 July at 15:00,
  // never discharged: the midnights ending 10-13 July, 4 days.
  post(403, {Register("1950-01-01"),
             Admit("2015-07-01T10:00:00+01:00", "S1", "ELECTIVE"),
             Ready("2015-07-10T10:00:00+01:00", "S1"),
             Ev("2015-07-14T15:00:00+01:00", "\"personDied\":{}")});
  // P4: ready 3 August, discharged on the 5th (corrected later to the
  // 10th): 2 days (3, 4), then 7 (3-9).
  post(404, {Register("1950-01-01"),
             Admit("2015-08-01T10:00:00+01:00", "S1", "ELECTIVE"),
             Ready("2015-08-03T10:00:00+01:00", "S1"),
             WithId("2015-08-05T10:00:00+01:00",
                    "\"discharged\":{\"spellId\":\"S1\",\"destination\":"
                    "\"USUAL_RESIDENCE\"}",
                    kDischargeP4)});
  // P5: ready 2 August, discharged the 20th: 18 days (2-19) until the
  // readiness is retracted.
  post(405, {Register("1950-01-01"),
             Admit("2015-08-01T10:00:00+01:00", "S1", "ELECTIVE"),
             WithId("2015-08-02T10:00:00+01:00",
                    "\"readyForDischarge\":{\"spellId\":\"S1\"}", kReadyP5),
             Discharge("2015-08-20T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});

  // The clocks go back at 02:00 BST on Sunday 25 October 2015: the midnight
  // ending the 24th is 23:00 UTC on the 24th, the one ending the 25th 00:00
  // UTC on the 26th. P6: ready 00:30 BST on the 25th, discharged 23:30 GMT
  // that day: 0 days. P7: ready 23:30 BST on the 24th, discharged with P6:
  // 1 day.
  post(406, {Register("1950-01-01"),
             Admit("2015-10-20T10:00:00+01:00", "S1", "ELECTIVE"),
             Ready("2015-10-24T23:30:00Z", "S1"),
             Discharge("2015-10-25T23:30:00Z", "S1", "USUAL_RESIDENCE")});
  post(407, {Register("1950-01-01"),
             Admit("2015-10-20T10:00:00+01:00", "S1", "ELECTIVE"),
             Ready("2015-10-24T22:30:00Z", "S1"),
             Discharge("2015-10-25T23:30:00Z", "S1", "USUAL_RESIDENCE")});
  // They go forward at 01:00 GMT on Sunday 27 March 2016: the midnight
  // ending the 26th is 00:00 UTC on the 27th, the one ending the 27th 23:00
  // UTC on the 27th. P8: ready 23:30 GMT on the 26th, discharged 00:30 BST
  // on the 28th: 2 days.
  post(408,
       {Register("1950-01-01"), Admit("2016-03-20T10:00:00Z", "S1", "ELECTIVE"),
        Ready("2016-03-26T23:30:00Z", "S1"),
        Discharge("2016-03-27T23:30:00Z", "S1", "USUAL_RESIDENCE")});
  // Urgent referrals across the clock changes: 24.5 hours elapsed over the
  // 25-hour day (late) though the clocks show 23.5; 23.5 hours over the
  // 23-hour day (in time) though the clocks show 24.5: 1 of 2 = 50 %.
  post(409, {Register("1950-01-01"),
             Referral("2015-10-24T10:00:00+01:00", "R1", "URGENT"),
             Ev("2015-10-25T09:30:00+00:00",
                "\"referralAccepted\":{\"referralId\":\"R1\"}"),
             Referral("2016-03-26T10:00:00+00:00", "R2", "CRISIS"),
             Ev("2016-03-27T10:30:00+01:00",
                "\"referralDeclined\":{\"referralId\":\"R2\"}")});

  // Permanent admissions in Q1. P10 turns 65 on 15 June; admitted at 23:30
  // UTC on 14 June = 00:30 BST on the 15th: 65+.
  post(410, {Register("1950-06-15"),
             Placement("2015-06-14T23:30:00Z", "C1", true, true)});
  // P11: not council-supported. P12: a permanent placement while a respite
  // (not permanent) one is open: an admission. P13: 17 the day before their
  // 18th birthday: neither age band. P14: admitted, left, admitted again:
  // once. P15: retracted later.
  post(411, {Register("1960-01-01"),
             Placement("2015-05-01T10:00:00+01:00", "C1", true, false)});
  post(412, {Register("1960-01-01"),
             Placement("2015-05-01T10:00:00+01:00", "R1", false, true),
             Placement("2015-05-10T10:00:00+01:00", "C1", true, true)});
  post(413, {Register("1997-05-20"),
             Placement("2015-05-19T10:00:00+01:00", "C1", true, true)});
  post(414, {Register("1960-01-01"),
             Placement("2015-04-10T10:00:00+01:00", "C1", true, true),
             Ev("2015-04-20T10:00:00+01:00",
                "\"careHomeLeft\":{\"placementId\":\"C1\"}"),
             Placement("2015-05-15T10:00:00+01:00", "C2", true, true)});
  post(415,
       {Register("1960-01-01"), Placement("2015-06-01T10:00:00+01:00", "C1",
                                          true, true, kPlacementP15)});

  // Reablement, Q3. P20 turns 65 on the day of the discharge (5 October):
  // at home. P21 (rehabilitation bed, 1 November) died on 15 December: a
  // later AT_HOME follow-up does not make day 91 at home. P22 is 64. P23:
  // 23:30 GMT on 31 December, at home. P24: discharged home, not in the
  // cohort. P25: no follow-up. Cohort P20, P21, P23, P25: 2 of 4 = 50 %;
  // October: P20, 100 %.
  post(420, {Register("1950-10-05"),
             Admit("2015-09-28T10:00:00+01:00", "S1", "ELECTIVE"),
             Discharge("2015-10-05T10:00:00+01:00", "S1", "REABLEMENT"),
             FollowUp("2016-01-04T10:00:00Z", "S1", "AT_HOME")});
  post(421,
       {Register("1950-01-01"), Admit("2015-10-25T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-11-01T10:00:00Z", "S1", "REHABILITATION_BED"),
        Ev("2015-12-15T10:00:00Z", "\"personDied\":{}"),
        FollowUp("2016-01-31T10:00:00Z", "S1", "AT_HOME")});
  post(422,
       {Register("1951-01-01"), Admit("2015-10-25T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-11-02T10:00:00Z", "S1", "REABLEMENT"),
        FollowUp("2016-02-01T10:00:00Z", "S1", "AT_HOME")});
  post(423,
       {Register("1950-01-01"), Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-12-31T23:30:00Z", "S1", "REABLEMENT"),
        FollowUp("2016-03-31T10:00:00+01:00", "S1", "AT_HOME")});
  post(424,
       {Register("1950-01-01"), Admit("2015-11-01T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-11-05T10:00:00Z", "S1", "USUAL_RESIDENCE")});
  post(425,
       {Register("1950-01-01"), Admit("2015-11-01T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-11-10T10:00:00Z", "S1", "REABLEMENT")});

  // Weekend discharges in December 2015: Boxing Day is a Saturday, so
  // Monday 28 is its substitute bank holiday. Weekend days: 8 Saturdays and
  // Sundays, Friday 25 and Monday 28 = 10; other days 21. On weekend days
  // P30's (28th); on others P31's (29th) and P23's (31st): (1/10) / (2/21)
  // = 1.05.
  post(430,
       {Register("1950-01-01"), Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-12-28T10:00:00Z", "S1", "USUAL_RESIDENCE")});
  post(431,
       {Register("1950-01-01"), Admit("2015-12-20T10:00:00Z", "S1", "ELECTIVE"),
        Discharge("2015-12-29T10:00:00Z", "S1", "USUAL_RESIDENCE")});

  // Experience. September: 11 surveys, 8 positive, one negative retracted
  // later: 8 of 10 = 80 %. October: 7 of 9.
  std::vector<std::string> sep = {Register("1950-01-01")};
  for (int i = 1; i <= 11; ++i)
    sep.push_back(Survey("2015-09-" + std::to_string(10 + i) + "T10:00:00Z",
                         i <= 8, "pe-sep-" + std::to_string(i)));
  post(440, sep);
  std::vector<std::string> oct = {Register("1950-01-01")};
  for (int i = 1; i <= 9; ++i)
    oct.push_back(Survey("2015-10-" + std::to_string(10 + i) + "T10:00:00Z",
                         i <= 7, "pe-oct-" + std::to_string(i)));
  post(441, oct);

  // Q4 2015-16: a transfer at 23:30 UTC on 31 March 2016 is 00:30 BST on 1
  // April (2016-17); a maternity admission in February is not counted: 0.
  post(450,
       {Register("1950-01-01"), Admit("2016-03-31T23:30:00Z", "S1", "TRANSFER"),
        Discharge("2016-04-02T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
  post(451, {Register("1990-01-01"),
             Admit("2016-02-10T10:00:00Z", "S1", "MATERNITY"),
             Discharge("2016-02-12T10:00:00Z", "S1", "USUAL_RESIDENCE")});

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string before_late = NowRfc3339();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  // Recorded later: P4's discharge corrected, P5's readiness and P15's
  // placement retracted, a September survey retracted, and the plan's
  // 18-64 target changed from 1 to 2.
  post(404, {Retract("2015-08-11T10:00:00+01:00", kDischargeP4),
             Discharge("2015-08-10T10:00:00+01:00", "S1", "USUAL_RESIDENCE")});
  post(405, {Retract("2015-08-21T10:00:00+01:00", kReadyP5)});
  post(415, {Retract("2015-06-02T10:00:00+01:00", kPlacementP15)});
  post(440, {Retract("2015-09-30T10:00:00+01:00", "pe-sep-11")});
  return before_late;
}

}  // namespace carelog::e2e::worked::audit
