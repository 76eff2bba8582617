// Worked examples of the metrics of SPEC.md "Outcome metrics" other than
// delayedDays, computed by hand. Area E09000002: 58,000 aged 0-17, 120,000 aged
// 18-64, 20,000 aged 65+ (198,000 in all).
#include "gtest/gtest.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {
namespace {

using metrics::Fraction;
using metrics::MetricId;
using schema::AdmissionMethod;
using schema::CareHomeType;
using schema::Destination;
using schema::FollowUpStatus;
using schema::Urgency;

constexpr char kArea[] = "E09000002";

class MetricDefinitionsTest : public ::testing::Test {
 protected:
  void SetUp() override { h.DefineArea(kArea, 58000, 120000, 20000); }
  void Register(const std::string& nhs,
                const std::string& birth = "1938-02-11") {
    h.Record(nhs, Registered("2014-04-01T09:00:00+01:00", birth, kArea));
  }
  metrics::MetricValue M(const std::string& period, MetricId id) {
    return h.Metric(kArea, period, id);
  }
  MetricsHarness h;
};

// EMERGENCY and TRANSFER admissions count, ELECTIVE does not: 2 in April 2014.
// ratePer100k = 2 x 100,000 / 198,000 = 100/99.
TEST_F(MetricDefinitionsTest, NonElectiveAdmissions) {
  Register("1");
  h.Record("1", Admitted("2014-04-05T10:00:00+01:00", "S1",
                         AdmissionMethod::EMERGENCY));
  h.Record("1", Discharged("2014-04-06T10:00:00+01:00", "S1"));
  h.Record("1", Admitted("2014-04-10T10:00:00+01:00", "S2",
                         AdmissionMethod::ELECTIVE));
  h.Record("1", Discharged("2014-04-11T10:00:00+01:00", "S2"));
  h.Record("1", Admitted("2014-04-20T10:00:00+01:00", "S3",
                         AdmissionMethod::TRANSFER));
  auto v = M("2014-04", MetricId::kNonElectiveAdmissions);
  EXPECT_EQ(v.value, Fraction::Of(2));
  EXPECT_EQ(v.rate_per_100k, Fraction(100, 99));
  EXPECT_EQ(M("2014-05", MetricId::kNonElectiveAdmissions).value,
            std::nullopt);  // no data
}

// An admission recorded as occurring before the person's registration (16
// April 2014; admitted 5 April) counts for the registration's area: the one
// area known for them then (docs/READINGS.md "Area, age, date").
TEST_F(MetricDefinitionsTest, AdmissionBeforeTheRegistrationCountsForItsArea) {
  h.Record("1", Registered("2014-04-16T09:00:00+01:00", "1938-02-11", kArea));
  h.Record("1", Admitted("2014-04-05T10:00:00+01:00", "S1",
                         AdmissionMethod::EMERGENCY));
  EXPECT_EQ(M("2014-04", MetricId::kNonElectiveAdmissions).value,
            Fraction::Of(1));
  EXPECT_EQ(M("2014-15-Q1", MetricId::kNonElectiveAdmissions).value,
            Fraction::Of(1));
}

// Born 15 May 1949: 65 on 15 May 2014, admitted that day ->
// permanentAdmissions65. Born 16 May 1949, admitted 15 May 2014 -> still 64 ->
// permanentAdmissions18to64. Rates for May 2014: 1 x 100,000 / 20,000 = 5; 1 x
// 100,000 / 120,000 = 5/6.
TEST_F(MetricDefinitionsTest, SixtyFifthBirthdayOnTheDay) {
  Register("1", "1949-05-15");
  Register("2", "1949-05-16");
  h.Record("1", CareHome("2014-05-15T10:00:00+01:00", "P1",
                         CareHomeType::RESIDENTIAL));
  h.Record("2", CareHome("2014-05-15T10:00:00+01:00", "P1",
                         CareHomeType::RESIDENTIAL));
  EXPECT_EQ(M("2014-05", MetricId::kPermanentAdmissions65).value,
            Fraction::Of(5));
  EXPECT_EQ(M("2014-05", MetricId::kPermanentAdmissions65).numerator, 1);
  EXPECT_EQ(M("2014-05", MetricId::kPermanentAdmissions18to64).value,
            Fraction(5, 6));
}

// Residential from 1 June; on 1 September leaves it for a nursing home the same
// day: a move, not an admission. Not permanent or not council-supported
// placements never count.
// -> June 1, September 0, the year 1.
TEST_F(MetricDefinitionsTest, CareHomeMoveIsNotAnAdmission) {
  Register("1");
  Register("2");
  h.Record("1", CareHome("2014-06-01T10:00:00+01:00", "P1",
                         CareHomeType::RESIDENTIAL));
  h.Record("1", CareHomeLeft("2014-09-01T09:00:00+01:00", "P1"));
  h.Record("1",
           CareHome("2014-09-01T11:00:00+01:00", "P2", CareHomeType::NURSING));
  h.Record("2", CareHome("2014-09-02T11:00:00+01:00", "P1",
                         CareHomeType::NURSING, false, true));
  h.Record("2", CareHome("2014-09-20T11:00:00+01:00", "P2",
                         CareHomeType::NURSING, true, false));
  EXPECT_EQ(M("2014-06", MetricId::kPermanentAdmissions65).numerator, 1);
  EXPECT_EQ(M("2014-09", MetricId::kPermanentAdmissions65).numerator, 0);
  EXPECT_EQ(M("2014-15", MetricId::kPermanentAdmissions65).numerator, 1);
}

// Admitted 1 June, went home 1 July, admitted again 1 November: two admissions,
// one person. June 1, November 1, Q1 1, Q3 1, and the year 1 (each person
// once), not 2.
TEST_F(MetricDefinitionsTest, AdmittedTwiceInAYearCountsOnce) {
  Register("1");
  h.Record("1", CareHome("2014-06-01T10:00:00+01:00", "P1",
                         CareHomeType::RESIDENTIAL));
  h.Record("1", CareHomeLeft("2014-07-01T10:00:00+01:00", "P1"));
  h.Record("1", CareHome("2014-11-01T10:00:00+00:00", "P2",
                         CareHomeType::RESIDENTIAL));
  EXPECT_EQ(M("2014-06", MetricId::kPermanentAdmissions65).numerator, 1);
  EXPECT_EQ(M("2014-11", MetricId::kPermanentAdmissions65).numerator, 1);
  EXPECT_EQ(M("2014-15-Q1", MetricId::kPermanentAdmissions65).numerator, 1);
  EXPECT_EQ(M("2014-15-Q3", MetricId::kPermanentAdmissions65).numerator, 1);
  EXPECT_EQ(M("2014-15", MetricId::kPermanentAdmissions65).numerator, 1);
  // 1 x 100,000 / 20,000 = 5 per 100,000 for the year.
  EXPECT_EQ(M("2014-15", MetricId::kPermanentAdmissions65).value,
            Fraction::Of(5));
}

// Four people aged 65+ discharged to reablement, each with a follow-up:
//  1: 30 September 15:00 BST, AT_HOME -> outside 1 Oct-31 Dec: not counted at
//  all; 2: 1 October, AT_HOME -> denominator and numerator; 3: 5 November to a
//  rehabilitation bed, AT_HOME recorded but died 20 December (before day 91 =
//     4 February) -> denominator only;
//  4: 1 December, AT_HOME recorded then retracted -> no follow-up: denominator
//  only.
// 2014-15: 1/3 = 33.3%; Q3 the same; Q2 (July-September) has no denominator:
// null.
TEST_F(MetricDefinitionsTest, Reablement91) {
  for (const char* nhs : {"1", "2", "3", "4"}) Register(nhs);
  h.Record("1", Admitted("2014-09-20T10:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-09-30T15:00:00+01:00", "S1",
                           Destination::REABLEMENT));
  h.Record("1",
           FollowUp("2014-12-30T10:00:00Z", "S1", FollowUpStatus::AT_HOME));
  h.Record("2", Admitted("2014-09-25T10:00:00+01:00", "S1"));
  h.Record("2", Discharged("2014-10-01T10:00:00+01:00", "S1",
                           Destination::REABLEMENT));
  h.Record("2",
           FollowUp("2014-12-31T10:00:00Z", "S1", FollowUpStatus::AT_HOME));
  h.Record("3", Admitted("2014-11-01T10:00:00Z", "S1"));
  h.Record("3", Discharged("2014-11-05T10:00:00Z", "S1",
                           Destination::REHABILITATION_BED));
  h.Record("3",
           FollowUp("2014-12-01T10:00:00Z", "S1", FollowUpStatus::AT_HOME));
  h.Record("3", Died("2014-12-20T10:00:00Z"));
  h.Record("4", Admitted("2014-11-20T10:00:00Z", "S1"));
  h.Record("4",
           Discharged("2014-12-01T10:00:00Z", "S1", Destination::REABLEMENT));
  auto follow_up =
      FollowUp("2015-03-02T10:00:00Z", "S1", FollowUpStatus::AT_HOME);
  h.Record("4", follow_up);
  EXPECT_EQ(M("2014-15", MetricId::kReablement91).numerator, 2);
  h.Record("4", Retract("2015-03-03T10:00:00Z", follow_up.event_id()));
  auto year = M("2014-15", MetricId::kReablement91);
  EXPECT_EQ(year.numerator, 1);
  EXPECT_EQ(year.denominator, 3);
  EXPECT_EQ(year.value, Fraction(100, 3));
  EXPECT_EQ(M("2014-15-Q3", MetricId::kReablement91).value, Fraction(100, 3));
  EXPECT_EQ(M("2014-15-Q2", MetricId::kReablement91).value, std::nullopt);
}

// A person aged 64 on the discharge date is not in the 65+ cohort.
TEST_F(MetricDefinitionsTest, ReablementIsForPeopleAged65) {
  Register("1", "1950-10-02");
  h.Record("1", Admitted("2014-09-25T10:00:00+01:00", "S1"));
  h.Record("1", Discharged("2014-10-01T10:00:00+01:00", "S1",
                           Destination::REABLEMENT));
  EXPECT_EQ(M("2014-15", MetricId::kReablement91).denominator, 0);
}

// April 2014: weekend days are 8 Saturdays/Sundays plus Good Friday (18th) and
// Easter Monday (21st) = 10; other days 20. Discharges: Saturday 5th and Good
// Friday 18th (weekend, 2); Tuesday 1st, Wednesday 2nd, Thursday 3rd, Tuesday
// 22nd (4 others) and a death on Wednesday 9th (not counted). Ratio (2/10) /
// (4/20) = 1.
TEST_F(MetricDefinitionsTest, WeekendDischargeRatio) {
  Register("1");
  int n = 0;
  for (const char* day : {"05", "18", "01", "02", "03", "22", "09"}) {
    std::string spell = "S" + std::to_string(++n);
    h.Record("1", Admitted(std::string("2014-04-") + day + "T08:00:00+01:00",
                           spell));
    h.Record("1", Discharged(
                      std::string("2014-04-") + day + "T15:00:00+01:00", spell,
                      std::string(day) == "09" ? Destination::DIED
                                               : Destination::USUAL_RESIDENCE));
  }
  auto v = M("2014-04", MetricId::kWeekendDischargeRatio);
  EXPECT_EQ(v.numerator, 2);
  EXPECT_EQ(v.denominator, 4);
  EXPECT_EQ(v.value, Fraction::Of(1));
}

// A month in progress compares with the days begun so far (the harness's
// clock starts on Wednesday 1 June 2016). Discharges on Thursday 2 and
// Saturday 4 June; as of noon on Sunday 5, days 1-5 hold 2 weekend days and 3
// others: (1/2) / (1/3) = 3/2. Another on Tuesday 7; at noon that day, days
// 1-7: 2 and 5: (1/2) / (2/5) = 5/4. (The whole month's 8 and 22 would give
// 11/4 and 11/8.)
TEST_F(MetricDefinitionsTest, WeekendDischargeRatioOfAMonthInProgress) {
  h.clock.Set(At("2016-06-05T12:00:00+01:00"));
  Register("1");
  h.Record("1", Admitted("2016-06-01T10:00:00+01:00", "S1"));
  h.Record("1", Discharged("2016-06-02T10:00:00+01:00", "S1"));
  h.Record("1", Admitted("2016-06-03T10:00:00+01:00", "S2"));
  h.Record("1", Discharged("2016-06-04T10:00:00+01:00", "S2"));
  const Instant sunday = h.clock.NowMicros();
  h.clock.Set(At("2016-06-07T12:00:00+01:00"));
  h.Record("1", Admitted("2016-06-07T08:00:00+01:00", "S3"));
  h.Record("1", Discharged("2016-06-07T10:00:00+01:00", "S3"));
  auto v = M("2016-06", MetricId::kWeekendDischargeRatio);
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
  EXPECT_EQ(v.value, Fraction(5, 4));
  EXPECT_EQ(h.Metric(kArea, "2016-06", MetricId::kWeekendDischargeRatio, sunday)
                .value,
            Fraction(3, 2));
}

// URGENT received 1 April 10:00, accepted exactly 24 hours later: within.
// CRISIS received, declined 25 hours later: not within. ROUTINE: not in the
// denominator. -> 1/2 = 50%.
TEST_F(MetricDefinitionsTest, UrgentResponse24h) {
  Register("1");
  h.Record("1", Referral("2014-04-01T10:00:00+01:00", "R1", Urgency::URGENT));
  h.Record("1", Accepted("2014-04-02T10:00:00+01:00", "R1"));
  h.Record("1", Referral("2014-04-03T10:00:00+01:00", "R2", Urgency::CRISIS));
  h.Record("1", Declined("2014-04-04T11:00:00+01:00", "R2"));
  h.Record("1", Referral("2014-04-05T10:00:00+01:00", "R3", Urgency::ROUTINE));
  h.Record("1", Accepted("2014-04-05T11:00:00+01:00", "R3"));
  auto v = M("2014-04", MetricId::kUrgentResponse24h);
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
  EXPECT_EQ(v.value, Fraction::Of(50));
}

// 3 surveys in May, 2 positive -> 200/3 %; 2 A&E attendances in May.
TEST_F(MetricDefinitionsTest, PatientExperienceAndAe) {
  Register("1");
  h.Record("1", Survey("2014-05-01T10:00:00+01:00", true));
  h.Record("1", Survey("2014-05-02T10:00:00+01:00", true));
  h.Record("1", Survey("2014-05-03T10:00:00+01:00", false));
  h.Record("1", Ae("2014-05-04T10:00:00+01:00"));
  h.Record("1", Ae("2014-05-31T23:30:00+01:00"));
  h.Record("1", Ae("2014-05-31T23:30:00Z"));  // 1 June 00:30 London: June
  EXPECT_EQ(M("2014-05", MetricId::kPatientExperience).value, Fraction(200, 3));
  EXPECT_EQ(M("2014-05", MetricId::kAeAttendances).value, Fraction::Of(2));
  EXPECT_EQ(M("2014-06", MetricId::kAeAttendances).value, Fraction::Of(1));
}

// Person 1 unverified with events in April, verified 10 May; person 2 verified
// at registration. April (ends 30 April): 1 of 2 verified = 50%; May: both had
// events... person 1 (verification), person 2 none in May -> 1/1; Q1 (ends 30
// June): both verified, both had events -> 100%.
TEST_F(MetricDefinitionsTest, NhsNumberVerified) {
  h.Record("1",
           Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea, false));
  h.Record("2",
           Registered("2014-04-01T09:00:00+01:00", "1938-02-11", kArea, true));
  h.Record("1", Ae("2014-04-20T10:00:00+01:00"));
  h.Record("1", Verified("2014-05-10T10:00:00+01:00"));
  auto april = M("2014-04", MetricId::kNhsNumberVerified);
  EXPECT_EQ(april.numerator, 1);
  EXPECT_EQ(april.denominator, 2);
  EXPECT_EQ(april.value, Fraction::Of(50));
  EXPECT_EQ(M("2014-05", MetricId::kNhsNumberVerified).value,
            Fraction::Of(100));
  EXPECT_EQ(M("2014-05", MetricId::kNhsNumberVerified).denominator, 1);
  EXPECT_EQ(M("2014-15-Q1", MetricId::kNhsNumberVerified).value,
            Fraction::Of(100));
  EXPECT_EQ(M("2014-15-Q1", MetricId::kNhsNumberVerified).denominator, 2);
}

// Integrated P1 from 10 April, accountable professional 5 May; P2 not
// integrated; integrated P3 from 15 to 20 April. End of April: P1 open without
// -> 0/1; end of May: 1/1; Q1 (end of June): 1/1. P1 ended 2 July: end of July
// 0/0 -> null.
TEST_F(MetricDefinitionsTest, AccountableProfessionalCoverage) {
  Register("1");
  h.Record("1", PackageStarted("2014-04-10T10:00:00+01:00", "P1", true));
  h.Record("1", PackageStarted("2014-04-11T10:00:00+01:00", "P2", false));
  h.Record("1", PackageStarted("2014-04-15T10:00:00+01:00", "P3", true));
  h.Record("1", PackageEnded("2014-04-20T10:00:00+01:00", "P3"));
  h.Record("1", Professional("2014-05-05T10:00:00+01:00", "P1"));
  auto april = M("2014-04", MetricId::kAccountableProfessionalCoverage);
  EXPECT_EQ(april.numerator, 0);
  EXPECT_EQ(april.denominator, 1);
  EXPECT_EQ(april.value, Fraction::Of(0));
  EXPECT_EQ(M("2014-05", MetricId::kAccountableProfessionalCoverage).value,
            Fraction::Of(100));
  EXPECT_EQ(M("2014-15-Q1", MetricId::kAccountableProfessionalCoverage).value,
            Fraction::Of(100));
  // Still open (no end recorded): counted at every later month end, e.g. March
  // 2015.
  EXPECT_EQ(
      M("2015-03", MetricId::kAccountableProfessionalCoverage).denominator, 1);
  h.Record("1", PackageEnded("2014-07-02T10:00:00+01:00", "P1"));
  EXPECT_EQ(M("2014-07", MetricId::kAccountableProfessionalCoverage).value,
            std::nullopt);
  EXPECT_EQ(
      M("2014-15", MetricId::kAccountableProfessionalCoverage).denominator, 0);
}

// "Integrated packages open at the end of the period": the end of July is the
// instant 00:00 BST on 1 August, and a package started at exactly that instant
// has started at or before it (docs/READINGS.md, as the NHS number's
// verification at that instant counts): open without a professional at the end
// of July -> 0/1 = 0%; the professional assigned at 00:00 on 1 September is
// there at the end of August -> 1/1 = 100%.
TEST_F(MetricDefinitionsTest, PackageStartedAtTheMidnightEndingTheMonth) {
  Register("1");
  h.Record("1", PackageStarted("2014-08-01T00:00:00+01:00", "P1", true));
  h.Record("1", Professional("2014-09-01T00:00:00+01:00", "P1"));
  auto july = M("2014-07", MetricId::kAccountableProfessionalCoverage);
  EXPECT_EQ(july.numerator, 0);
  EXPECT_EQ(july.denominator, 1);
  EXPECT_EQ(july.value, Fraction::Of(0));
  auto august = M("2014-08", MetricId::kAccountableProfessionalCoverage);
  EXPECT_EQ(august.denominator, 1);
  EXPECT_EQ(august.value, Fraction::Of(100));
}

// Integrated packages started in April: P1 names A1 (completed), P2 names A2
// (started, not completed), P3 names none -> 1/3.
TEST_F(MetricDefinitionsTest, JointAssessmentCoverage) {
  Register("1");
  h.Record("1", AssessmentStarted("2014-04-01T10:00:00+01:00", "A1"));
  h.Record("1", AssessmentCompleted("2014-04-02T10:00:00+01:00", "A1"));
  h.Record("1", AssessmentStarted("2014-04-03T10:00:00+01:00", "A2"));
  h.Record("1", PackageStarted("2014-04-04T10:00:00+01:00", "P1", true, "A1"));
  h.Record("1", PackageStarted("2014-04-05T10:00:00+01:00", "P2", true, "A2"));
  h.Record("1", PackageStarted("2014-04-06T10:00:00+01:00", "P3", true));
  h.Record("1", PackageStarted("2014-04-07T10:00:00+01:00", "P4", false, "A1"));
  auto v = M("2014-04", MetricId::kJointAssessmentCoverage);
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 3);
  EXPECT_EQ(v.value, Fraction(100, 3));
}

// A period that has not begun has no data: every value is null.
TEST_F(MetricDefinitionsTest, FuturePeriodHasNoData) {
  Register("1");
  h.Record("1", Ae("2014-05-04T10:00:00+01:00"));
  for (MetricId id : metrics::kAllMetrics) {
    EXPECT_EQ(M("2017-18", id).value, std::nullopt) << metrics::MetricName(id);
  }
}

}  // namespace
}  // namespace carelog::testing
