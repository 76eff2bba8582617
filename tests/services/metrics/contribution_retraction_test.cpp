// A retracted event and what stood on it (SPEC.md "eventRetracted": every
// derived view behaves as if it had never been recorded): a person's
// contribution with them equals the contribution of the history without them.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/metrics/contribution.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {
namespace {

using schema::Agency;
using schema::DelayReason;
using schema::Destination;
using schema::FollowUpStatus;
using schema::Urgency;

constexpr char kArea[] = "E09000002";

metrics::Cells Of(const std::vector<schema::CareEvent>& stream) {
  return metrics::ComputeContribution(metrics::PersonHistory::Build(stream));
}

// `recorded` with the retraction of `target` appended at `at`, against
// `survivors`, the same history never having had `target` or its dependants.
void ExpectAsIfNeverRecorded(std::vector<schema::CareEvent> recorded,
                             const schema::CareEvent& target,
                             const std::string& at,
                             const std::vector<schema::CareEvent>& survivors) {
  const metrics::Cells before = Of(recorded);
  recorded.push_back(Retract(at, target.event_id()));
  EXPECT_EQ(Of(recorded), Of(survivors));
  EXPECT_NE(before, Of(survivors)) << "the retracted event counted nothing";
}

// Aged 80, a Saturday discharge to reablement in November, followed up at
// home: the admission retracted takes with it the readiness and its delayed
// days, the delay record, the weekend discharge, the reablement cohort.
TEST(ContributionRetraction, AnAdmissionTakesItsSpellsEvents) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto ae = Ae("2014-10-02T09:00:00Z");
  auto admitted = Admitted("2014-11-01T10:00:00Z", "S1");
  std::vector<schema::CareEvent> recorded = {
      reg,
      ae,
      admitted,
      Ready("2014-11-03T09:00:00Z", "S1"),
      Delay("2014-11-04T09:00:00Z", "S1", DelayReason::D1, Agency::NHS),
      Discharged("2014-11-15T11:00:00Z", "S1", Destination::REABLEMENT),
      FollowUp("2015-02-01T10:00:00Z", "S1", FollowUpStatus::AT_HOME),
  };
  ExpectAsIfNeverRecorded(recorded, admitted, "2015-02-02T10:00:00Z",
                          {reg, ae});
}

// An open readiness of a retracted admission would count a delayed day for
// every midnight after it.
TEST(ContributionRetraction,
     AnOpenReadinessOfARetractedAdmissionCountsNothing) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto admitted = Admitted("2014-11-01T10:00:00Z", "S1");
  std::vector<schema::CareEvent> recorded = {
      reg, admitted, Ready("2014-11-03T09:00:00Z", "S1")};
  ExpectAsIfNeverRecorded(recorded, admitted, "2014-11-20T10:00:00Z", {reg});
}

// The admission retracted and recorded again (same spell id) after the
// follow-up of the first: that follow-up is not the new discharge's.
TEST(ContributionRetraction, AFollowUpOfARetractedSpellIsNotTheNewOnes) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto admitted = Admitted("2014-10-01T10:00:00Z", "S1");
  auto again = Admitted("2014-11-01T10:00:00Z", "S1");
  auto discharged =
      Discharged("2014-11-05T11:00:00Z", "S1", Destination::REABLEMENT);
  std::vector<schema::CareEvent> recorded = {
      reg,
      admitted,
      Discharged("2014-10-03T11:00:00Z", "S1", Destination::REABLEMENT),
      FollowUp("2014-10-20T10:00:00Z", "S1", FollowUpStatus::AT_HOME),
      Retract("2014-10-21T10:00:00Z", admitted.event_id()),
      again,
      discharged,
  };
  EXPECT_EQ(Of(recorded), Of({reg, again, discharged}));
}

// A joint assessment retracted: its completion goes with it, so a package
// naming it is not one whose joint assessment was completed.
TEST(ContributionRetraction, AnAssessmentTakesItsCompletion) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto started = AssessmentStarted("2014-05-01T10:00:00Z", "A1");
  auto package = PackageStarted("2014-05-10T10:00:00Z", "P1", true, "A1");
  std::vector<schema::CareEvent> recorded = {
      reg, started, AssessmentCompleted("2014-05-02T10:00:00Z", "A1"), package};
  ExpectAsIfNeverRecorded(recorded, started, "2014-05-20T10:00:00Z",
                          {reg, package});
}

// A referral retracted and received again with the same id: the response to
// the retracted one is not a response to the new one.
TEST(ContributionRetraction, AResponseToARetractedReferralIsNotTheNewOnes) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto first = Referral("2014-05-01T10:00:00Z", "R1", Urgency::URGENT);
  auto again = Referral("2014-05-03T10:00:00Z", "R1", Urgency::URGENT);
  std::vector<schema::CareEvent> recorded = {
      reg,
      first,
      Accepted("2014-05-01T12:00:00Z", "R1"),
      Retract("2014-05-02T10:00:00Z", first.event_id()),
      again,
  };
  EXPECT_EQ(Of(recorded), Of({reg, again}));
}

// A placement retracted: its careHomeLeft goes with it; a package retracted:
// its professional and its end.
TEST(ContributionRetraction, APlacementAndAPackageTakeTheirEvents) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto placement =
      CareHome("2014-05-01T10:00:00Z", "C1", schema::CareHomeType::NURSING);
  auto second =
      CareHome("2014-07-01T10:00:00Z", "C2", schema::CareHomeType::NURSING);
  std::vector<schema::CareEvent> recorded = {
      reg, placement, CareHomeLeft("2014-06-01T10:00:00Z", "C1"), second};
  ExpectAsIfNeverRecorded(recorded, placement, "2014-08-01T10:00:00Z",
                          {reg, second});

  auto package = PackageStarted("2014-05-10T10:00:00Z", "P1", true);
  recorded = {reg, package, Professional("2014-06-10T10:00:00Z", "P1"),
              PackageEnded("2014-09-10T10:00:00Z", "P1")};
  ExpectAsIfNeverRecorded(recorded, package, "2014-09-20T10:00:00Z", {reg});
}

// A retracted registration takes everything with it: the person counts
// nowhere, their verification (nhsNumberVerified) and death included.
TEST(ContributionRetraction, ARegistrationTakesEverything) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea,
                        /*verified=*/false);
  std::vector<schema::CareEvent> recorded = {
      reg,
      Ae("2014-10-02T09:00:00Z"),
      Verified("2014-10-03T09:00:00Z"),
      Admitted("2014-11-01T10:00:00Z", "S1"),
      Died("2014-11-02T10:00:00Z"),
  };
  ExpectAsIfNeverRecorded(recorded, reg, "2014-11-03T10:00:00Z", {});
}

// An admission recorded again, dated before the readiness and discharge that
// stood on the retracted one, gives them footing: the history counts as if
// only the new admission had ever been recorded.
TEST(ContributionRetraction, AnAdmissionRecordedAgainBeforeItsEvents) {
  auto reg = Registered("2014-04-01T09:00:00Z", "1934-02-11", kArea);
  auto admitted = Admitted("2014-11-05T10:00:00Z", "S1");
  auto again = Admitted("2014-11-01T10:00:00Z", "S1");
  auto ready = Ready("2014-11-06T09:00:00Z", "S1");
  auto discharged =
      Discharged("2014-11-15T11:00:00Z", "S1", Destination::REABLEMENT);
  const std::vector<schema::CareEvent> recorded = {
      reg,
      admitted,
      ready,
      discharged,
      Retract("2014-11-16T10:00:00Z", admitted.event_id()),
      again};
  EXPECT_EQ(Of(recorded), Of({reg, again, ready, discharged}));
  EXPECT_NE(Of(recorded), Of({reg, again}));
}

}  // namespace
}  // namespace carelog::testing
