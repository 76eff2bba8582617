// Every rule of SPEC.md "Rules" and "Identity", the accepted and the refused
// side, through the recorder over an in-memory log.
#include "services/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/services/recorder_harness.h"

namespace carelog::testing {
namespace {

using ::testing::HasSubstr;

class RulesTest : public BothLogsHarness {};

// --- The first event of a person is personRegistered; a second one is refused.

TEST_P(RulesTest, FirstEventMustBeRegistration) {
  Status s = Refuse({Ev("a1", "2014-06-01T10:00:00+01:00", Admitted("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted");
  EXPECT_THAT(MessageOf(s),
              HasSubstr("first event of a person is personRegistered"));
  Register();
  EXPECT_EQ(Version(), 1u);
}

TEST_P(RulesTest, SecondRegistrationRefused) {
  Register();
  Status s = Refuse({Ev("r2", "2014-07-01T10:00:00+01:00", Registered())});
  EXPECT_EQ(FieldOf(s), "events[0].personRegistered");
  EXPECT_THAT(MessageOf(s), HasSubstr("already registered"));
  // Also when it claims to have happened earlier than the first one.
  s = Refuse({Ev("r3", "2014-05-01T10:00:00+01:00", Registered())});
  EXPECT_EQ(FieldOf(s), "events[0].personRegistered");
}

// The registration is the stream's first event; an event may occur before it
// (recorded late, or typed in after it in one request) and is judged against
// it (docs/READINGS.md "Before the registration").
TEST_P(RulesTest, EventBeforeRegistrationAccepted) {
  Register();  // 2014-06-01 09:00
  Accept({Ev("a1", "2014-05-30T10:00:00+01:00", Admitted("S1"))});
  // And its spell's events after it, still before the registration.
  Accept({Ev("rd1", "2014-05-31T10:00:00+01:00",
             R"("readyForDischarge": {"spellId": "S1"})")});
  EXPECT_EQ(Version(), 3u);
  ASSERT_EQ(State()->facts().spells().size(), 1u);
}

// The request's events are checked in the order sent: the registration must
// come first in it, though the event after it may occur earlier.
TEST_P(RulesTest, EventBeforeRegistrationInTheSameRequest) {
  Status s = Refuse({Ev("a1", "2014-05-30T10:00:00+01:00", Admitted("S1")),
                     Ev("r1", "2014-06-01T09:00:00+01:00", Registered())});
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted");
  EXPECT_THAT(MessageOf(s), HasSubstr("the person is not registered"));
  Accept({Ev("r1", "2014-06-01T09:00:00+01:00", Registered()),
          Ev("a1", "2014-05-30T10:00:00+01:00", Admitted("S1"))});
  EXPECT_EQ(Version(), 2u);
  EXPECT_EQ(State()->facts().area_code(), "E09000002");
}

// SPEC.md "Rules": a request's events are checked in order against the
// history they build. A readiness sent before the admission of its spell is
// refused even when the admission, later in the request, occurs before it.
TEST_P(RulesTest, RequestCheckedInTheOrderSent) {
  Register();
  Status s = Refuse({Ev("rd1", "2014-06-03T10:00:00+01:00", Ready("S1")),
                     Ev("a1", "2014-06-02T10:00:00+01:00", Admitted("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].readyForDischarge.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("spell S1"));
  // Sent the other way round, the readiness lands after the admission; and
  // a late discharge sent after them lands between.
  Accept({Ev("a1", "2014-06-02T10:00:00+01:00", Admitted("S1")),
          Ev("rd1", "2014-06-03T10:00:00+01:00", Ready("S1"))});
  Accept({Ev("a0", "2014-06-01T10:00:00+01:00", Admitted("S0")),
          Ev("d0", "2014-06-01T20:00:00+01:00", Discharged("S0"))});
  EXPECT_EQ(Version(), 5u);
}

TEST_P(RulesTest, EventWithoutAnyRegistrationRefused) {
  Status s = Refuse({Ev("a1", "2014-05-30T10:00:00+01:00", Admitted("S1")),
                     Ev("a2", "2014-06-30T10:00:00+01:00", Admitted("S2"))});
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted");
  EXPECT_THAT(MessageOf(s), HasSubstr("the person is not registered"));
}

TEST_P(RulesTest, EventBeforeRegistrationStillAfterTheBirthDate) {
  Register();  // born 1938-02-11
  Status s = Refuse({Ev("a1", "1938-02-10T23:30:00Z", Admitted("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s), HasSubstr("before the birth date 1938-02-11"));
  // 23:30 UTC on the 10th is 23:30 GMT: still the 10th in London. At
  // midnight it is the birth date.
  Accept({Ev("a1", "1938-02-11T00:00:00Z", Admitted("S1"))});
}

TEST_P(RulesTest, MoveBeforeRegistrationRefused) {
  Register();
  Status s = Refuse({Ev("m1", "2014-05-01T10:00:00+01:00",
                        R"("personMoved": {"areaCode": "E09000003"})")});
  EXPECT_EQ(FieldOf(s), "events[0].personMoved");
  EXPECT_THAT(MessageOf(s), HasSubstr("before the person's registration"));
}

TEST_P(RulesTest, DeathBeforeRegistrationLeavesTheRegistrationAfterIt) {
  Register();  // 2014-06-01
  // A death on 2014-05-20 would put the registration after the death.
  Status s =
      Refuse({Ev("d1", "2014-05-20T10:00:00+01:00", R"("personDied": {})")});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s), HasSubstr("personRegistered"));
  EXPECT_THAT(MessageOf(s), HasSubstr("after the person's death"));
  // On the day of the registration it is fine.
  Accept({Ev("d1", "2014-06-01T08:00:00+01:00", R"("personDied": {})")});
}

TEST_P(RulesTest, RegistrationAndEventsInOneRequest) {
  Accept({Ev("r1", "2014-06-07T10:15:00+01:00", Registered()),
          Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  EXPECT_EQ(Version(), 2u);
}

// --- occurredAt: not over 5 minutes in the future, not before 1900, not before
// the birth date.

TEST_P(RulesTest, FutureLimitIsFiveMinutes) {
  Register();
  Accept({Ev("ae1", "2016-06-01T12:05:00Z",
             R"("aeAttended": {"attendanceId": "A1"})")});
  Status s = Refuse({Ev("ae2", "2016-06-01T12:05:00.000001Z",
                        R"("aeAttended": {"attendanceId": "A2"})")});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s), HasSubstr("more than 5 minutes in the future"));
  clock_.Advance(1);
  Accept({Ev("ae2", "2016-06-01T12:05:00.000001Z",
             R"("aeAttended": {"attendanceId": "A2"})")});
}

TEST_P(RulesTest, NotBefore1900) {
  Status s =
      Refuse({Ev("r1", "1899-12-31T23:59:59Z", Registered("1850-01-01"))});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s), HasSubstr("before 1900-01-01"));
  Accept({Ev("r1", "1900-01-01T00:00:00Z", Registered("1850-01-01"))});
}

TEST_P(RulesTest, NotBeforeBirthDate) {
  Status s =
      Refuse({Ev("r1", "1938-02-10T12:00:00Z", Registered("1938-02-11"))});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s), HasSubstr("birth date 1938-02-11"));
  // On the birth date itself (a London date: 23:30 UTC in summer is the next
  // day).
  Accept({Ev("r1", "2014-06-01T23:30:00Z", Registered("2014-06-02"))});
}

// --- Death: nothing but followUpRecorded and eventRetracted after the date of
// death.

TEST_P(RulesTest, EventsAfterDeathRefusedExceptFollowUpAndRetraction) {
  Register();
  Accept({Ev("a1", "2014-07-01T10:00:00+01:00", Admitted("S1")),
          Ev("d1", "2014-07-05T10:00:00+01:00", Discharged("S1", "REABLEMENT")),
          Ev("ae1", "2014-07-06T10:00:00+01:00",
             R"("aeAttended": {"attendanceId": "A1"})"),
          Ev("x1", "2014-07-10T08:00:00+01:00", R"("personDied": {})")});
  // Later the same day is still the date of death.
  Accept({Ev("ae2", "2014-07-10T20:00:00+01:00",
             R"("aeAttended": {"attendanceId": "A2"})")});
  Status s = Refuse({Ev("ae3", "2014-07-11T00:30:00+01:00",
                        R"("aeAttended": {"attendanceId": "A3"})")});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s),
              HasSubstr("after the person's death on 2014-07-10"));
  s = Refuse({Ev("m1", "2014-08-01T10:00:00+01:00",
                 R"("personMoved": {"areaCode": "E09000003"})")});
  EXPECT_THAT(MessageOf(s), HasSubstr("death"));
  Accept({Ev("f1", "2014-10-04T10:00:00+01:00", FollowUp("S1", "DIED"))});
  Accept({Ev("t1", "2014-10-05T10:00:00+01:00", Retract("ae1"))});
  s = Refuse({Ev("x2", "2014-07-12T10:00:00+01:00", R"("personDied": {})")});
  EXPECT_THAT(MessageOf(s), HasSubstr("already recorded"));
}

// --- Ids are unique within the person; events naming one need it to exist and
// follow its start.

TEST_P(RulesTest, IdsUniqueWithinPersonPerKind) {
  Register();
  Accept(
      {Ev("a1", "2014-07-01T10:00:00+01:00", Admitted("X")),
       Ev("d1", "2014-07-02T10:00:00+01:00", Discharged("X")),
       Ev("rr1", "2014-07-03T10:00:00+01:00",
          R"("referralReceived": {"referralId": "X", "fromSector": "HEALTH", "urgency": "ROUTINE"})"),
       Ev("p1", "2014-07-03T11:00:00+01:00",
          R"("carePackageStarted": {"packageId": "X", "integrated": true})"),
       Ev("h1", "2014-07-03T12:00:00+01:00",
          R"("careHomeAdmitted": {"placementId": "X", "type": "NURSING", "permanent": true, "councilSupported": true})"),
       Ev("ae1", "2014-07-03T13:00:00+01:00",
          R"("aeAttended": {"attendanceId": "X"})"),
       Ev("sv1", "2014-07-03T14:00:00+01:00",
          R"("experienceSurveyCompleted": {"surveyId": "X", "positive": true})")});
  struct Case {
    std::string payload;
    std::string field;
  } cases[] = {
      {Admitted("X"), "events[0].hospitalAdmitted.spellId"},
      {R"("referralReceived": {"referralId": "X", "fromSector": "SELF", "urgency": "URGENT"})",
       "events[0].referralReceived.referralId"},
      {R"("carePackageStarted": {"packageId": "X", "integrated": false})",
       "events[0].carePackageStarted.packageId"},
      {R"("careHomeAdmitted": {"placementId": "X", "type": "RESIDENTIAL", "permanent": false, "councilSupported": false})",
       "events[0].careHomeAdmitted.placementId"},
      {R"("aeAttended": {"attendanceId": "X"})",
       "events[0].aeAttended.attendanceId"},
      {R"("experienceSurveyCompleted": {"surveyId": "X", "positive": false})",
       "events[0].experienceSurveyCompleted.surveyId"},
  };
  int n = 0;
  for (const auto& c : cases) {
    Status s = Refuse({Ev("dup" + std::to_string(n++),
                          "2014-08-01T10:00:00+01:00", c.payload)});
    EXPECT_EQ(FieldOf(s), c.field);
    EXPECT_THAT(MessageOf(s), HasSubstr("already exists"));
  }
}

TEST_P(RulesTest, NamedIdMustExist) {
  Register();
  Status s = Refuse({Ev("r1", "2014-07-01T10:00:00+01:00", Ready("S9"))});
  EXPECT_EQ(FieldOf(s), "events[0].readyForDischarge.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("does not have"));
  s = Refuse({Ev("c1", "2014-07-01T10:00:00+01:00",
                 R"("careHomeLeft": {"placementId": "P9"})")});
  EXPECT_EQ(FieldOf(s), "events[0].careHomeLeft.placementId");
  s = Refuse({Ev(
      "c2", "2014-07-01T10:00:00+01:00",
      R"("carePackageStarted": {"packageId": "K1", "integrated": true, "assessmentId": "JA9"})")});
  EXPECT_EQ(FieldOf(s), "events[0].carePackageStarted.assessmentId");
}

TEST_P(RulesTest, ReadinessBeforeAdmissionNamesBothTimes) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1"))});
  Status s = Refuse({Ev("r1", "2014-06-03T09:00:00+01:00", Ready("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].readyForDischarge.spellId");
  EXPECT_EQ(MessageOf(s),
            "readyForDischarge at 2014-06-03T09:00:00+01:00 is before the "
            "admission of spell S1 "
            "at 2014-06-04T10:00:00+01:00: it must occur at or after that");
}

// --- Referral responses need an open referral; one response each.

TEST_P(RulesTest, ReferralGetsOneResponse) {
  Register();
  Accept(
      {Ev("rr1", "2014-07-01T10:00:00+01:00",
          R"("referralReceived": {"referralId": "R1", "fromSector": "HEALTH", "urgency": "URGENT"})"),
       Ev("ra1", "2014-07-01T15:00:00+01:00",
          R"("referralAccepted": {"referralId": "R1"})")});
  Status s = Refuse({Ev(
      "rd1", "2014-07-02T10:00:00+01:00",
      R"("referralDeclined": {"referralId": "R1", "reason": "no capacity"})")});
  EXPECT_EQ(FieldOf(s), "events[0].referralDeclined.referralId");
  EXPECT_THAT(MessageOf(s), HasSubstr("one response"));
  s = Refuse({Ev("ra2", "2014-07-02T10:00:00+01:00",
                 R"("referralAccepted": {"referralId": "R2"})")});
  EXPECT_EQ(FieldOf(s), "events[0].referralAccepted.referralId");
  // A response before the referral was received is refused too.
  Accept({Ev(
      "rr2", "2014-07-05T10:00:00+01:00",
      R"("referralReceived": {"referralId": "R2", "fromSector": "SELF", "urgency": "ROUTINE"})")});
  s = Refuse({Ev("rd2", "2014-07-04T10:00:00+01:00",
                 R"("referralDeclined": {"referralId": "R2"})")});
  EXPECT_THAT(MessageOf(s),
              HasSubstr("before the referralReceived of referral R2"));
  Accept({Ev("rd3", "2014-07-05T10:00:00+01:00",
             R"("referralDeclined": {"referralId": "R2"})")});
}

// --- Joint assessments: HEALTH and SOCIAL_CARE participants; completion needs
// and follows start.

std::string AssessmentStarted(const std::string& id,
                              const std::string& sectors) {
  std::string parts;
  int n = 0;
  for (const std::string& sector :
       {std::string("HEALTH"), std::string("SOCIAL_CARE")}) {
    if (sectors.find(sector) == std::string::npos) continue;
    if (!parts.empty()) parts += ", ";
    parts += R"({"professionalId": "P)" + std::to_string(++n) +
             R"(", "name": "A N Other", "sector": ")" + sector +
             R"(", "role": "nurse"})";
  }
  return R"("jointAssessmentStarted": {"assessmentId": ")" + id +
         R"(", "participants": [)" + parts + "]}";
}

TEST_P(RulesTest, JointAssessmentNeedsHealthAndSocialCare) {
  Register();
  Status s = Refuse({Ev("j1", "2014-07-01T10:00:00+01:00",
                        AssessmentStarted("JA1", "HEALTH"))});
  EXPECT_EQ(FieldOf(s), "events[0].jointAssessmentStarted.participants");
  EXPECT_THAT(MessageOf(s), HasSubstr("no SOCIAL_CARE participant"));
  s = Refuse({Ev("j1", "2014-07-01T10:00:00+01:00",
                 AssessmentStarted("JA1", "SOCIAL_CARE"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("no HEALTH participant"));
  Accept({Ev("j1", "2014-07-01T10:00:00+01:00",
             AssessmentStarted("JA1", "HEALTH SOCIAL_CARE"))});
}

TEST_P(RulesTest, AssessmentCompletionNeedsAndFollowsStart) {
  Register();
  const std::string done =
      R"("jointAssessmentCompleted": {"assessmentId": "JA1", "outcome": "PACKAGE_NEEDED"})";
  Status s = Refuse({Ev("jc1", "2014-07-01T10:00:00+01:00", done)});
  EXPECT_EQ(FieldOf(s), "events[0].jointAssessmentCompleted.assessmentId");
  Accept({Ev("j1", "2014-07-02T10:00:00+01:00",
             AssessmentStarted("JA1", "HEALTH SOCIAL_CARE"))});
  s = Refuse({Ev("jc1", "2014-07-01T10:00:00+01:00", done)});
  EXPECT_THAT(MessageOf(s), HasSubstr("before the jointAssessmentStarted"));
  Accept({Ev("jc1", "2014-07-03T10:00:00+01:00", done)});
  s = Refuse({Ev("jc2", "2014-07-04T10:00:00+01:00", done)});
  EXPECT_THAT(MessageOf(s), HasSubstr("already completed"));
}

// --- Packages: professionals are assigned to open packages; an open package is
// ended once.

TEST_P(RulesTest, AccountableProfessionalNeedsOpenPackage) {
  Register();
  const std::string assign =
      R"("accountableProfessionalAssigned": {"packageId": "K1", "professionalId": "GP1", "name": "Dr Patel", "role": "GP", "organisation": "F82001", "sector": "HEALTH", "phone": "020 7946 0000"})";
  Status s = Refuse({Ev("ap0", "2014-07-01T10:00:00+01:00", assign)});
  EXPECT_EQ(FieldOf(s), "events[0].accountableProfessionalAssigned.packageId");
  Accept(
      {Ev("k1", "2014-07-01T10:00:00+01:00",
          R"("carePackageStarted": {"packageId": "K1", "integrated": true, "scheme": "ITF08", "pooledBudget": true})"),
       Ev("ap1", "2014-07-02T10:00:00+01:00", assign),
       Ev("ke1", "2014-08-01T10:00:00+01:00",
          R"("carePackageEnded": {"packageId": "K1", "reason": "needs met"})")});
  s = Refuse({Ev("ap2", "2014-08-02T10:00:00+01:00", assign)});
  EXPECT_THAT(MessageOf(s), HasSubstr("needs an open package"));
  s = Refuse({Ev("ke2", "2014-08-03T10:00:00+01:00",
                 R"("carePackageEnded": {"packageId": "K1"})")});
  EXPECT_EQ(FieldOf(s), "events[0].carePackageEnded.packageId");
  // Assigned late, while it was still open: fine.
  Accept({Ev("ap3", "2014-07-20T10:00:00+01:00", assign)});
}

// --- Spells: no overlap; readiness, withdrawal, delay and discharge within the
// spell; a delay reason needs readiness at that moment.

TEST_P(RulesTest, OverlappingSpellsRefused) {
  Register();
  Accept({Ev("a1", "2014-07-01T10:00:00+01:00", Admitted("S1"))});
  Status s = Refuse({Ev("a2", "2014-07-02T10:00:00+01:00", Admitted("S2"))});
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("overlaps spell S1"));
  Accept({Ev("d1", "2014-07-05T10:00:00+01:00",
             Discharged("S1", "OTHER_HOSPITAL")),
          Ev("a2", "2014-07-05T10:00:00+01:00", Admitted("S2", "TRANSFER"))});
  // A late admission inside a closed spell is refused, as is one before it that
  // would still be open when S1 starts.
  s = Refuse({Ev("a3", "2014-07-03T10:00:00+01:00", Admitted("S3"))});
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted.spellId");
  s = Refuse({Ev("a4", "2014-06-20T10:00:00+01:00", Admitted("S4"))});
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("overlaps spell S4"));
  // A whole earlier spell recorded late fits.
  Accept({Ev("a5", "2014-06-20T10:00:00+01:00", Admitted("S5")),
          Ev("d5", "2014-06-25T10:00:00+01:00", Discharged("S5"))});
}

TEST_P(RulesTest, ReadinessRecordedLateButFittingAccepted) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("d1", "2014-06-20T10:00:00+01:00", Discharged("S1"))});
  Accept({Ev("r1", "2014-06-10T09:00:00+01:00", Ready("S1")),
          Ev("dl1", "2014-06-11T09:00:00+01:00",
             Delay("S1", "D2", "SOCIAL_CARE"))});
  auto state = State();
  const Spell* spell = state->facts().FindSpell("S1");
  ASSERT_NE(spell, nullptr);
  ASSERT_EQ(spell->readiness.size(), 1u);
  EXPECT_EQ(spell->readiness[0].ready_at,
            *ParseRfc3339("2014-06-10T09:00:00+01:00"));
  EXPECT_EQ(spell->readiness[0].end, Readiness::End::kDischarged);
  ASSERT_EQ(spell->readiness[0].delays.size(), 1u);
  EXPECT_EQ(spell->readiness[0].delays[0].reason, schema::DelayReason::D2);
}

TEST_P(RulesTest, SpellEventsOutsideTheSpellRefused) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("d1", "2014-06-20T10:00:00+01:00", Discharged("S1"))});
  for (const std::string& payload :
       {Ready("S1"), Withdrawn("S1"), Delay("S1"), Discharged("S1")}) {
    Status s = Refuse({Ev("late", "2014-06-21T09:00:00+01:00", payload)});
    EXPECT_THAT(FieldOf(s), HasSubstr(".spellId")) << payload;
  }
  Status s = Refuse({Ev("r0", "2014-06-21T09:00:00+01:00", Ready("S1"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("after the discharge of spell S1"));
  // A discharge placed before readiness already recorded is refused, naming the
  // discharge.
  Accept({Ev("a2", "2014-07-01T10:00:00+01:00", Admitted("S2")),
          Ev("r2", "2014-07-05T10:00:00+01:00", Ready("S2"))});
  s = Refuse({Ev("d2", "2014-07-03T10:00:00+01:00", Discharged("S2"))});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s),
              HasSubstr("readyForDischarge at 2014-07-05T10:00:00+01:00"));
}

TEST_P(RulesTest, ReadinessWithdrawnAndGivenAgain) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("r1", "2014-06-10T09:00:00+01:00", Ready("S1")),
          Ev("dl1", "2014-06-10T10:00:00+01:00", Delay("S1", "A", "NHS"))});
  // Re-confirmed while ready: accepted, the clock runs on from the first and
  // the reason holds.
  Accept({Ev("r1b", "2014-06-11T09:00:00+01:00", Ready("S1"))});
  const Spell* ready = State()->facts().FindSpell("S1");
  ASSERT_NE(ready, nullptr);
  ASSERT_EQ(ready->readiness.size(), 1u);
  EXPECT_EQ(ready->readiness[0].ready_at,
            *ParseRfc3339("2014-06-10T09:00:00+01:00"));
  EXPECT_EQ(ready->readiness[0].delays.size(), 1u);
  Accept({Ev("w1", "2014-06-12T09:00:00+01:00", Withdrawn("S1"))});
  Status s = Refuse({Ev("w2", "2014-06-12T10:00:00+01:00", Withdrawn("S1"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("no readiness to withdraw"));
  Accept({Ev("r2", "2014-06-15T09:00:00+01:00", Ready("S1")),
          Ev("dl2", "2014-06-15T10:00:00+01:00", Delay("S1", "G", "BOTH"))});
  const Spell* spell = State()->facts().FindSpell("S1");
  ASSERT_NE(spell, nullptr);
  ASSERT_EQ(spell->readiness.size(), 2u);
  EXPECT_EQ(spell->readiness[0].end, Readiness::End::kWithdrawn);
  EXPECT_EQ(spell->readiness[0].withdrawal_reason, "chest infection");
  EXPECT_EQ(spell->readiness[1].end, Readiness::End::kOpen);
  EXPECT_EQ(spell->readiness[1].delays.at(0).agency, schema::Agency::BOTH);
  EXPECT_NE(spell->CurrentReadiness(), nullptr);
}

TEST_P(RulesTest, DelayReasonWhileNotReadyRefused) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1"))});
  Status s = Refuse({Ev("dl0", "2014-06-05T10:00:00+01:00", Delay("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].dischargeDelayRecorded.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("needs the person to be ready"));
  Accept({Ev("r1", "2014-06-10T09:00:00+01:00", Ready("S1")),
          Ev("w1", "2014-06-12T09:00:00+01:00", Withdrawn("S1"))});
  // Before readiness, and after its withdrawal: refused; within it: accepted
  // (recorded late).
  EXPECT_THAT(
      MessageOf(Refuse({Ev("dl1", "2014-06-09T10:00:00+01:00", Delay("S1"))})),
      HasSubstr("no readyForDischarge"));
  s = Refuse({Ev("dl2", "2014-06-13T10:00:00+01:00", Delay("S1"))});
  EXPECT_THAT(MessageOf(s),
              HasSubstr("withdrawn at 2014-06-12T09:00:00+01:00"));
  Accept({Ev("dl3", "2014-06-11T10:00:00+01:00", Delay("S1"))});
  // Withdrawal recorded late before an existing delay reason would strand it:
  // refused.
  s = Refuse({Ev("w0", "2014-06-10T12:00:00+01:00", Withdrawn("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
}

TEST_P(RulesTest, DischargeOnce) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("d1", "2014-06-05T10:00:00+01:00", Discharged("S1"))});
  Status s = Refuse({Ev("d2", "2014-06-06T10:00:00+01:00", Discharged("S1"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("already discharged"));
}

// --- followUpRecorded needs a discharge to REABLEMENT or REHABILITATION_BED.

TEST_P(RulesTest, FollowUpNeedsReablementDischarge) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("d1", "2014-06-05T10:00:00+01:00",
             Discharged("S1", "USUAL_RESIDENCE")),
          Ev("a2", "2014-07-04T10:00:00+01:00", Admitted("S2")),
          Ev("d2", "2014-07-05T10:00:00+01:00",
             Discharged("S2", "REHABILITATION_BED")),
          Ev("a3", "2014-08-04T10:00:00+01:00", Admitted("S3"))});
  Status s = Refuse({Ev("f1", "2014-09-04T10:00:00+01:00", FollowUp("S1"))});
  EXPECT_EQ(FieldOf(s), "events[0].followUpRecorded.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("discharged to USUAL_RESIDENCE"));
  s = Refuse({Ev("f3", "2014-09-04T10:00:00+01:00", FollowUp("S3"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("no discharge"));
  s = Refuse({Ev("f2", "2014-07-04T11:00:00+01:00",
                 FollowUp("S2"))});  // before the discharge
  Accept({Ev("f2", "2014-10-04T10:00:00+01:00", FollowUp("S2", "AT_HOME"))});
}

// --- Retractions.

TEST_P(RulesTest, RetractionNamesAnEarlierUnretractedEventOfThePerson) {
  Register();
  Register(kOtherNhs);
  Accept({Ev("ae1", "2014-07-01T10:00:00+01:00",
             R"("aeAttended": {"attendanceId": "A1"})")});
  Status s = Refuse({Ev("t0", "2014-07-02T10:00:00+01:00", Retract("nope"))});
  EXPECT_EQ(FieldOf(s), "events[0].eventRetracted.eventId");
  EXPECT_THAT(MessageOf(s), HasSubstr("has no event nope"));
  s = Refuse({Ev("t0", "2014-07-02T10:00:00+01:00",
                 Retract(std::string("reg-") + kOtherNhs))});
  EXPECT_THAT(MessageOf(s), HasSubstr("has no event"));
  s = Refuse({Ev("t0", "2014-07-02T10:00:00+01:00", Retract("t1")),
              Ev("t1", "2014-07-02T10:00:00+01:00", Retract("ae1"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("earlier event"));
  Accept({Ev("t1", "2014-07-02T10:00:00+01:00", Retract("ae1"))});
  EXPECT_TRUE(State()->facts().ae_attendances().empty());
  // Twice.
  s = Refuse({Ev("t2", "2014-07-03T10:00:00+01:00", Retract("ae1"))});
  EXPECT_EQ(FieldOf(s), "events[0].eventRetracted.eventId");
  EXPECT_THAT(MessageOf(s), HasSubstr("already retracted"));
  s = Refuse({Ev("t3", "2014-07-03T10:00:00+01:00", Retract("t1"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("itself a retraction"));
  // Twice within one request.
  Accept({Ev("ae2", "2014-07-04T10:00:00+01:00",
             R"("aeAttended": {"attendanceId": "A2"})")});
  s = Refuse({Ev("t4", "2014-07-05T10:00:00+01:00", Retract("ae2")),
              Ev("t5", "2014-07-05T10:00:00+01:00", Retract("ae2"))});
  EXPECT_EQ(FieldOf(s), "events[1].eventRetracted.eventId");
  // The attendance id is free again once retracted.
  Accept({Ev("ae3", "2014-07-06T10:00:00+01:00",
             R"("aeAttended": {"attendanceId": "A1"})")});
  // "Earlier" in time too: a retraction occurring before the event it names
  // is refused; at the same instant it is fine.
  s = Refuse({Ev("t6", "2014-07-06T09:59:59+01:00", Retract("ae3"))});
  EXPECT_EQ(FieldOf(s), "events[0].eventRetracted.eventId");
  EXPECT_THAT(MessageOf(s), HasSubstr("after this retraction"));
  Accept({Ev("t6", "2014-07-06T10:00:00+01:00", Retract("ae3"))});
}

// SPEC.md: every derived view behaves as if the retracted event had never
// been recorded. Retracting an admission takes its spell's readiness with it
// (the readiness stays recorded, standing on nothing; the fold passes over it).
TEST_P(RulesTest, RetractionTakesWhatStoodOnIt) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("r1", "2014-06-10T09:00:00+01:00", Ready("S1")),
          Ev("d1", "2014-06-10T12:00:00+01:00", Delay("S1", "A", "NHS"))});
  // The readiness alone: the delay record stood on it.
  Accept({Ev("t0", "2014-06-11T09:00:00+01:00", Retract("r1"))});
  ASSERT_EQ(State()->facts().spells().size(), 1u);
  EXPECT_TRUE(State()->facts().spells()[0].readiness.empty());
  // Then the admission.
  Accept({Ev("t1", "2014-06-11T09:00:00+01:00", Retract("a1"))});
  EXPECT_TRUE(State()->facts().spells().empty());
  // The spell's id is free again; the orphaned delay record, before the new
  // admission, stays without effect.
  Accept({Ev("a2", "2014-06-12T10:00:00+01:00", Admitted("S1"))});
  ASSERT_EQ(State()->facts().spells().size(), 1u);
  EXPECT_TRUE(State()->facts().spells()[0].readiness.empty());
  // Later writes are judged as usual, orphans and all: a late event inside
  // the history is fine.
  Accept({Ev("ae1", "2014-06-05T10:00:00+01:00",
             R"("aeAttended": {"attendanceId": "A1"})")});
  // A wrongly dated registration is corrected by retracting it and registering
  // again at once.
  Accept({Ev("t4", "2014-06-12T09:00:00+01:00",
             Retract(std::string("reg-") + kNhs)),
          Ev("reg2", "2014-05-01T09:00:00+01:00",
             Registered("1938-02-11", "E09000003"))});
  EXPECT_EQ(State()->facts().area_code(), "E09000003");
}

// What a retraction takes away is only what stood on the retracted event: a
// retracted discharge that would leave the spell overlapping a later one is
// still refused, naming the later admission.
TEST_P(RulesTest, RetractionThatBreaksAnotherEventRefused) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
          Ev("x1", "2014-06-05T10:00:00+01:00", Discharged("S1")),
          Ev("a2", "2014-06-08T10:00:00+01:00", Admitted("S2"))});
  Status s = Refuse({Ev("t1", "2014-06-09T09:00:00+01:00", Retract("x1"))});
  EXPECT_EQ(FieldOf(s), "events[0].eventRetracted.eventId");
  EXPECT_THAT(MessageOf(s), HasSubstr("no longer fits"));
  EXPECT_THAT(MessageOf(s), HasSubstr("the recorded event a2"));
}

// Retracting the registration of a person with events leaves them
// unregistered: they count nowhere, and a new event needs a registration
// first.
TEST_P(RulesTest, RetractedRegistrationLeavesThePersonUnregistered) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1"))});
  Accept({Ev("t1", "2014-06-05T09:00:00+01:00",
             Retract(std::string("reg-") + kNhs))});
  EXPECT_FALSE(State()->facts().registered());
  EXPECT_EQ(State()->facts().area_code(), "");
  Status s = Refuse({Ev("x1", "2014-06-06T10:00:00+01:00", Discharged("S1"))});
  EXPECT_THAT(MessageOf(s), HasSubstr("the person is not registered"));
  Accept({Ev("reg2", "2014-06-01T09:00:00+01:00", Registered()),
          Ev("x1", "2014-06-06T10:00:00+01:00", Discharged("S1"))});
  EXPECT_EQ(State()->facts().area_code(), "E09000002");
  ASSERT_EQ(State()->facts().spells().size(), 1u);
  EXPECT_TRUE(State()->facts().spells()[0].discharged_at.has_value());
}

// --- Format: malformed requests are 400 and name the field.

TEST_P(RulesTest, MalformedEventsAreInvalidArgument) {
  Register();
  Status s = Refuse(
      {Ev("x1", "2014-07-01T10:00:00+01:00", R"("readyForDischarge": {})")},
      Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].readyForDischarge.spellId");
  s = Refuse({Ev("x1", "2014-07-01T10:00:00", Ready("S1"))},
             Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  s = Refuse({Ev("x1", "2014-07-01T10:00:00Z", "")}, Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0]");
  s = Refuse({Ev("", "2014-07-01T10:00:00Z", Ready("S1"))},
             Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].eventId");
  s = Refuse({Ev("x1", "2014-07-01T10:00:00Z",
                 Admitted("S1", "ADMISSION_METHOD_UNSPECIFIED"))},
             Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].hospitalAdmitted.method");
  s = Refuse({Ev("x1", "2014-07-01T10:00:00Z",
                 R"("carePackageStarted": {"packageId": "K1"})")},
             Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].carePackageStarted.integrated");
  s = Refuse({Ev("x1", "2014-07-01T10:00:00Z",
                 R"("personMoved": {"areaCode": "Barking"})")},
             Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].personMoved.areaCode");
  s = Refuse({Ev("x1", "2014-07-01T10:00:00Z", Ready("S1")),
              Ev("x1", "2014-07-01T11:00:00Z", Ready("S1"))},
             Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[1].eventId");
  s = Refuse(
      {Ev("x1", "2014-07-01T10:00:00Z",
          R"("personRegistered": {"areaCode": "E09000002", "birthDate": "1938-02-30"})")},
      Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events[0].personRegistered.birthDate");
  s = Refuse(
      {Ev("x1", "2014-07-01T10:00:00Z",
          R"("jointAssessmentStarted": {"assessmentId": "J", "participants": [{"professionalId": "p"}]})")},
      Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s),
            "events[0].jointAssessmentStarted.participants[0].sector");
  EXPECT_EQ(Refuse({}, Code::kInvalidArgument).errors().front().field,
            "events");
}

// Every problem of a request is listed, each under its full name (the event's
// index, the payload, a list item), in request order.
TEST_P(RulesTest, FormatProblemsListedUnderTheirFullNames) {
  std::vector<schema::CareEvent> events;
  for (int i = 0; i < 12; ++i) {
    events.push_back(
        Ev("ae" + std::to_string(i), "2014-07-01T10:00:00Z",
           R"("aeAttended": {"attendanceId": "A)" + std::to_string(i) + "\"}"));
  }
  events.push_back(Ev(
      "reg", "2014-04-01T09:00:00+01:00",
      R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "localIds": [{"system": "PAS", "value": "H1"}, {"system": "", "value": "H2"}]})"));
  events.push_back(Ev("ae3", "2014-07-01T11:00:00Z",
                      R"("aeAttended": {"attendanceId": "B"})"));
  events.push_back(
      Ev("x", "2014-07-01T11:00:00Z", R"("readyForDischarge": {})"));
  Status s = Refuse(events, Code::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& e : s.errors()) fields.push_back(e.field);
  EXPECT_EQ(fields,
            (std::vector<std::string>{
                "events[12].personRegistered.localIds[1].system",
                "events[13].eventId", "events[14].readyForDischarge.spellId"}));
  EXPECT_NE(s.message().find("3 problems in the request: "
                             "events[12].personRegistered.localIds[1].system"),
            std::string::npos)
      << s.message();
}

// --- Atomicity and size.

TEST_P(RulesTest, ThousandEventsRefusedAtomicallyByTheLast) {
  std::vector<schema::CareEvent> events;
  events.push_back(Ev("reg", "2014-04-01T09:00:00+01:00", Registered()));
  Instant t = *ParseRfc3339("2014-04-02T00:00:00Z");
  for (int i = 1; i < 999; ++i) {
    events.push_back(
        Ev("ae" + std::to_string(i), FormatRfc3339Utc(t + i * 60'000'000LL),
           R"("aeAttended": {"attendanceId": "A)" + std::to_string(i) + "\"}"));
  }
  events.push_back(Ev("bad", "2015-01-01T00:00:00Z", Delay("S1")));
  ASSERT_EQ(events.size(), kMaxEventsPerRequest);
  Status s = Refuse(events);
  EXPECT_EQ(FieldOf(s), "events[999].dischargeDelayRecorded.spellId");
  EXPECT_EQ(log().LastPosition(), 0u);
  events.pop_back();
  events.push_back(Ev("ok", "2015-01-01T00:00:00Z", R"("personDied": {})"));
  EXPECT_EQ(Accept(events).last_version, 1000u);
  events.push_back(
      Ev("one-too-many", "2015-01-01T00:00:00Z", R"("personDied": {})"));
  s = Refuse(events, Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "events");
  EXPECT_EQ(Version(), 1000u);
}

TEST_P(RulesTest, LateThousandEventRequestBlamesItsLastEvent) {
  Register();
  Accept({Ev("a0", "2015-06-01T10:00:00+01:00", Admitted("S0"))});
  std::vector<schema::CareEvent> events;
  Instant t = *ParseRfc3339("2014-07-01T00:00:00Z");
  for (int i = 0; i < 999; ++i) {
    events.push_back(
        Ev("ae" + std::to_string(i), FormatRfc3339Utc(t + i * 60'000'000LL),
           R"("aeAttended": {"attendanceId": "A)" + std::to_string(i) + "\"}"));
  }
  // Admitted before S0 and never discharged: S0 would start inside it.
  events.push_back(Ev("a1", "2014-06-15T10:00:00+01:00", Admitted("S1")));
  Status s = Refuse(events);
  EXPECT_EQ(FieldOf(s), "events[999].hospitalAdmitted.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("the recorded event a0 (version 2)"));
  EXPECT_EQ(Version(), 2u);
}

TEST_P(RulesTest, PlacementsAndIdentityEvents) {
  Register();
  const std::string admit =
      R"("careHomeAdmitted": {"placementId": "P1", "type": "RESIDENTIAL", "permanent": true, "councilSupported": true})";
  Accept({Ev("h1", "2014-07-01T10:00:00+01:00", admit),
          Ev("v1", "2014-07-01T11:00:00+01:00", R"("nhsNumberVerified": {})"),
          Ev("l1", "2014-07-01T12:00:00+01:00",
             R"("localIdLinked": {"system": "CouncilSC", "value": "SC42"})"),
          Ev("m1", "2014-07-02T12:00:00+01:00",
             R"("personMoved": {"areaCode": "E09000003"})")});
  Status s = Refuse({Ev("hl0", "2014-06-30T10:00:00+01:00",
                        R"("careHomeLeft": {"placementId": "P1"})")});
  EXPECT_THAT(MessageOf(s),
              HasSubstr("before the careHomeAdmitted of placement P1"));
  Accept({Ev("hl1", "2014-08-01T10:00:00+01:00",
             R"("careHomeLeft": {"placementId": "P1"})")});
  s = Refuse({Ev("hl2", "2014-08-02T10:00:00+01:00",
                 R"("careHomeLeft": {"placementId": "P1"})")});
  EXPECT_EQ(FieldOf(s), "events[0].careHomeLeft.placementId");
  EXPECT_THAT(MessageOf(s), HasSubstr("already left"));
  s = Refuse({Ev(
      "j1", "2014-08-02T10:00:00+01:00",
      R"("jointAssessmentStarted": {"assessmentId": "JA1", "referralId": "R404", "participants": [{"professionalId": "N", "sector": "HEALTH"}, {"professionalId": "S", "sector": "SOCIAL_CARE"}]})")});
  EXPECT_EQ(FieldOf(s), "events[0].jointAssessmentStarted.referralId");
  auto state = State();
  EXPECT_EQ(state->facts().nhs_number_status(),
            schema::NhsNumberStatus::VERIFIED);
  EXPECT_EQ(state->facts().local_ids().size(), 1u);
  EXPECT_EQ(state->facts().area_code(), "E09000003");
  EXPECT_EQ(state->facts().area_history().size(), 2u);
}

TEST_P(RulesTest, OutOfOrderRequestBlamesTheEventThatCannotFit) {
  // The registration, then 999 events in reverse time order; the first of
  // them names a spell nobody admitted.
  std::vector<schema::CareEvent> events;
  events.push_back(Ev("reg", "2014-06-01T09:00:00+01:00", Registered()));
  Instant t = *ParseRfc3339("2014-07-01T00:00:00Z");
  events.push_back(
      Ev("bad", FormatRfc3339Utc(t + 2000 * 60'000'000LL), Ready("S9")));
  for (int i = 997; i >= 0; --i) {
    events.push_back(
        Ev("ae" + std::to_string(i), FormatRfc3339Utc(t + i * 60'000'000LL),
           R"("aeAttended": {"attendanceId": "A)" + std::to_string(i) + "\"}"));
  }
  ASSERT_EQ(events.size(), kMaxEventsPerRequest);
  Status s = Refuse(events);
  EXPECT_EQ(FieldOf(s), "events[1].readyForDischarge.spellId");
  EXPECT_THAT(MessageOf(s), HasSubstr("S9"));
  events.erase(events.begin() + 1);
  EXPECT_EQ(Accept(events).last_version, 999u);
}

INSTANTIATE_TEST_SUITE_P(Logs, RulesTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "RocksDb" : "InMemory";
                         });

}  // namespace
}  // namespace carelog::testing
