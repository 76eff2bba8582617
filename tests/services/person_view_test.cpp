#include "services/person_view.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "tests/services/recorder_harness.h"

namespace carelog::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

class PersonViewTest : public RecorderHarness {};

TEST_F(PersonViewTest, PersonHasTheFieldsOfApiMd) {
  Accept(
      {Ev("reg", "2014-06-07T10:15:00+01:00",
          R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "gpPractice": "F82001", "nhsNumberStatus": "VERIFIED", "localIds": [{"system": "PAS", "value": "H1"}]})"),
       Ev("k1", "2014-06-08T09:00:00+01:00",
          R"("carePackageStarted": {"packageId": "K1", "integrated": false, "scheme": "ITF08"})"),
       Ev("k2", "2014-06-08T10:00:00+01:00",
          R"("carePackageStarted": {"packageId": "K2", "integrated": true, "scheme": "ITF09"})"),
       Ev("ap", "2014-06-09T10:00:00+01:00",
          R"("accountableProfessionalAssigned": {"packageId": "K2", "professionalId": "GP7", "name": "Dr Patel", "sector": "HEALTH"})"),
       Ev("ke", "2014-07-09T10:00:00+01:00",
          R"("carePackageEnded": {"packageId": "K2"})"),
       Ev("adm", "2014-07-10T10:00:00+01:00", Admitted("S1")),
       Ev("rdy", "2014-07-11T10:00:00+01:00", Ready("S1"))});
  auto state = State();
  std::string json = Json(RenderPerson(kNhs, *state));
  EXPECT_THAT(json, HasSubstr(R"("nhsNumber":"9434765919")"));
  EXPECT_THAT(json, HasSubstr(R"("version":7)"));
  EXPECT_THAT(json, HasSubstr(R"("birthDate":"1938-02-11")"));
  EXPECT_THAT(json, HasSubstr(R"("areaCode":"E09000002")"));
  EXPECT_THAT(json, HasSubstr(R"("nhsNumberStatus":"VERIFIED")"));
  EXPECT_THAT(json, HasSubstr(R"("localIds":[{"system":"PAS","value":"H1"}])"));
  EXPECT_THAT(json, Not(HasSubstr("diedOn")));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("packageId":"K1","integrated":false,"scheme":"ITF08","startedAt":"2014-06-08T09:00:00+01:00")"));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("endedAt":"2014-07-09T10:00:00+01:00","accountableProfessional":{"professionalId":"GP7","name":"Dr Patel")"));
  EXPECT_THAT(json, HasSubstr(R"("spells":[{"spellId":"S1")"));
  EXPECT_THAT(json, HasSubstr(R"("readyForDischarge":true)"));
}

TEST_F(PersonViewTest, DiedOnIsALondonDate) {
  Register();
  Accept({Ev("d", "2014-08-01T23:30:00Z", R"("personDied": {})")});
  EXPECT_THAT(Json(RenderPerson(kNhs, *State())),
              HasSubstr(R"("diedOn":"2014-08-02")"));
}

// A person whose registration is retracted counts nowhere (docs/READINGS.md
// "Retractions"): everything stood on the registration, a death, a
// verification and a local id recorded before the retraction included, so
// the view shows only who they are and their version. Registered again, what
// fits the new registration is back.
TEST_F(PersonViewTest, ARetractedRegistrationLeavesNothingStanding) {
  Accept(
      {Ev("reg", "2014-06-01T09:00:00+01:00",
          R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "nhsNumberStatus": "UNVERIFIED"})"),
       Ev("v", "2014-06-02T09:00:00+01:00", R"("nhsNumberVerified": {})"),
       Ev("l", "2014-06-02T10:00:00+01:00",
          R"("localIdLinked": {"system": "PAS", "value": "H1"})"),
       Ev("adm", "2014-06-03T10:00:00+01:00", Admitted("S1")),
       Ev("d", "2014-06-04T10:00:00+01:00", R"("personDied": {})"),
       Ev("t", "2014-06-05T10:00:00+01:00", Retract("reg"))});
  EXPECT_EQ(Json(RenderPerson(kNhs, *State())),
            R"({"nhsNumber":"9434765919","version":6})");
  Accept({Ev("reg2", "2014-06-01T12:00:00+01:00", Registered())});
  const std::string json = Json(RenderPerson(kNhs, *State()));
  EXPECT_THAT(json, HasSubstr(R"("nhsNumberStatus":"VERIFIED")"));
  EXPECT_THAT(json, HasSubstr(R"("diedOn":"2014-06-04")"));
  EXPECT_THAT(json, HasSubstr(R"("spells":[{"spellId":"S1")"));
}

}  // namespace
}  // namespace carelog::testing
