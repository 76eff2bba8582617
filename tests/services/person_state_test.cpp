#include "services/person_state.h"

#include <gtest/gtest.h>

#include "tests/services/care_events.h"
#include "tests/services/instants.h"

namespace carelog::testing {
namespace {

// A stream of events numbered in the order given.
std::vector<StoredCareEventPtr> Stream(
    const std::vector<schema::CareEvent>& events) {
  std::vector<StoredCareEventPtr> out;
  for (size_t i = 0; i < events.size(); ++i) {
    auto e = std::make_shared<StoredCareEvent>();
    e->version = i + 1;
    e->position = 100 + i;
    e->occurred_at = At(events[i].occurred_at());
    e->event = events[i];
    out.push_back(std::move(e));
  }
  return out;
}

const std::string kAssign =
    R"("accountableProfessionalAssigned": {"packageId": "K1", "professionalId": "SW1", "name": "Ann Social", "sector": "SOCIAL_CARE"})";
const std::string kReassign =
    R"("accountableProfessionalAssigned": {"packageId": "K1", "professionalId": "GP7", "name": "Dr Patel", "sector": "HEALTH"})";

std::vector<schema::CareEvent> StoryOfOnePerson() {
  return {
      Ev("reg", "2014-04-01T09:00:00+01:00",
         R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "nhsNumberStatus": "UNVERIFIED", "localIds": [{"system": "PAS", "value": "H123"}]})"),
      Ev("mv", "2014-09-01T09:00:00+01:00",
         R"("personMoved": {"areaCode": "E09000003"})"),
      Ev("ver", "2014-05-01T09:00:00+01:00", R"("nhsNumberVerified": {})"),
      Ev("lid", "2014-05-02T09:00:00+01:00",
         R"("localIdLinked": {"system": "CouncilSC", "value": "SC9"})"),
      Ev("rr", "2014-04-02T09:00:00+01:00",
         R"("referralReceived": {"referralId": "R1", "fromSector": "HEALTH", "fromOrganisation": "GP", "toService": "reablement", "reason": "falls", "urgency": "URGENT"})"),
      Ev("ra", "2014-04-02T20:00:00+01:00",
         R"("referralAccepted": {"referralId": "R1"})"),
      Ev("ja", "2014-04-03T09:00:00+01:00",
         R"("jointAssessmentStarted": {"assessmentId": "JA1", "referralId": "R1", "participants": [{"professionalId": "N1", "sector": "HEALTH"}, {"professionalId": "SW1", "sector": "SOCIAL_CARE"}]})"),
      Ev("jc", "2014-04-04T09:00:00+01:00",
         R"("jointAssessmentCompleted": {"assessmentId": "JA1", "outcome": "PACKAGE_NEEDED"})"),
      Ev("k1", "2014-04-05T09:00:00+01:00",
         R"("carePackageStarted": {"packageId": "K1", "assessmentId": "JA1", "integrated": true, "scheme": "ITF08", "pooledBudget": true})"),
      Ev("ap1", "2014-04-06T09:00:00+01:00", kAssign),
      Ev("ap2", "2014-04-20T09:00:00+01:00", kReassign),
      Ev("adm", "2014-06-01T10:00:00+01:00", Admitted("S1")),
      Ev("rdy", "2014-06-03T10:00:00+01:00", Ready("S1")),
      Ev("dl1", "2014-06-03T12:00:00+01:00", Delay("S1", "A", "NHS")),
      Ev("dl2", "2014-06-05T12:00:00+01:00", Delay("S1", "E", "SOCIAL_CARE")),
      Ev("dis", "2014-06-08T10:00:00+01:00", Discharged("S1", "REABLEMENT")),
      Ev("fu", "2014-09-07T10:00:00+01:00", FollowUp("S1", "AT_HOME")),
      Ev("ch", "2015-01-05T10:00:00Z",
         R"("careHomeAdmitted": {"placementId": "P1", "type": "NURSING", "permanent": true, "councilSupported": true})"),
      Ev("ae", "2014-12-25T03:00:00Z",
         R"("aeAttended": {"attendanceId": "A1", "site": "Queen's"})"),
      Ev("sv", "2014-12-26T03:00:00Z",
         R"("experienceSurveyCompleted": {"surveyId": "Q1", "positive": true, "question": "Were you involved?"})"),
      Ev("died", "2015-02-01T03:00:00Z", R"("personDied": {})"),
  };
}

TEST(PersonStateTest, FoldsEveryKindOfEvent) {
  PersonState state = PersonState::FromStream(Stream(StoryOfOnePerson()));
  const PersonFacts& f = state.facts();
  EXPECT_EQ(state.version(), 21u);
  EXPECT_EQ(FormatDate(*f.birth_date()), "1938-02-11");
  EXPECT_EQ(f.nhs_number_status(), schema::NhsNumberStatus::VERIFIED);
  EXPECT_EQ(*f.verified_at(), At("2014-05-01T09:00:00+01:00"));
  ASSERT_EQ(f.local_ids().size(), 2u);
  EXPECT_EQ(f.local_ids()[1].value, "SC9");
  EXPECT_EQ(FormatDate(*f.died_on()), "2015-02-01");

  // Area history: the area of the latest registration/move at or before an
  // instant.
  EXPECT_EQ(f.area_code(), "E09000003");
  EXPECT_EQ(f.AreaAt(At("2014-03-31T09:00:00+01:00")), nullptr);
  EXPECT_EQ(*f.AreaAt(At("2014-08-31T23:59:59+01:00")), "E09000002");
  EXPECT_EQ(*f.AreaAt(At("2014-09-01T09:00:00+01:00")), "E09000003");

  const Referral* r = f.FindReferral("R1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->response, Referral::Response::kAccepted);
  EXPECT_EQ(*r->responded_at - r->received_at, 11LL * 3600 * 1'000'000);
  EXPECT_EQ(r->urgency, schema::Urgency::URGENT);

  const Assessment* a = f.FindAssessment("JA1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->participants.size(), 2u);
  EXPECT_EQ(a->outcome, schema::AssessmentOutcome::PACKAGE_NEEDED);
  EXPECT_TRUE(a->completed_at.has_value());

  const CarePackage* k = f.FindPackage("K1");
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(k->integrated);
  EXPECT_EQ(k->scheme, "ITF08");
  EXPECT_EQ(k->CurrentProfessional()->professional.professional_id(), "GP7");
  EXPECT_EQ(
      k->ProfessionalAt(At("2014-04-10T09:00:00+01:00"))->professional.name(),
      "Ann Social");
  EXPECT_EQ(k->ProfessionalAt(At("2014-04-05T12:00:00+01:00")), nullptr);
  EXPECT_TRUE(k->OpenAt(At("2015-01-01T00:00:00Z")));

  const Spell* s = f.FindSpell("S1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->method, schema::AdmissionMethod::EMERGENCY);
  EXPECT_EQ(s->site, "Queen's");
  EXPECT_TRUE(s->DischargedToReablement());
  ASSERT_EQ(s->readiness.size(), 1u);
  const Readiness& ready = s->readiness[0];
  EXPECT_EQ(ready.end, Readiness::End::kDischarged);
  EXPECT_EQ(*ready.ended_at, At("2014-06-08T10:00:00+01:00"));
  EXPECT_EQ(ready.DelayAt(At("2014-06-03T11:00:00+01:00")), nullptr);
  EXPECT_EQ(ready.DelayAt(At("2014-06-04T00:00:00+01:00"))->reason,
            schema::DelayReason::A);
  EXPECT_EQ(ready.DelayAt(At("2014-06-06T00:00:00+01:00"))->agency,
            schema::Agency::SOCIAL_CARE);
  ASSERT_EQ(s->follow_ups.size(), 1u);
  EXPECT_EQ(s->follow_ups[0].status, schema::FollowUpStatus::AT_HOME);
  EXPECT_EQ(f.OpenSpell(), nullptr);

  ASSERT_EQ(f.placements().size(), 1u);
  EXPECT_TRUE(f.placements()[0].permanent);
  EXPECT_EQ(f.ae_attendances().at(0).site, "Queen's");
  EXPECT_TRUE(f.surveys().at(0).positive);
}

TEST(PersonStateTest, TimelineIsInOccurredAtOrderWithTiesInRecordingOrder) {
  PersonState state = PersonState::FromStream(
      Stream({Ev("reg", "2014-04-01T09:00:00+01:00", Registered()),
              Ev("b", "2014-05-01T09:00:00Z",
                 R"("aeAttended": {"attendanceId": "B"})"),
              Ev("a", "2014-05-01T09:00:00+01:00",
                 R"("aeAttended": {"attendanceId": "A"})"),
              Ev("c", "2014-05-01T10:00:00+01:00",
                 R"("aeAttended": {"attendanceId": "C"})")}));
  std::vector<std::string> order;
  for (const auto& e : state.timeline()) order.push_back(e->event.event_id());
  // 09:00+01:00 is 08:00Z, before b; c (09:00Z) ties with b and was recorded
  // after it.
  EXPECT_EQ(order, (std::vector<std::string>{"reg", "a", "b", "c"}));
  EXPECT_EQ(state.timeline()[1]->version, 3u);
  EXPECT_EQ(state.timeline()[1]->position, 102u);
  EXPECT_EQ(state.facts().ae_attendances()[0].attendance_id, "A");
}

TEST(PersonStateTest, RetractedEventsAndRetractionsHaveNoEffect) {
  PersonState state = PersonState::FromStream(
      Stream({Ev("reg", "2014-04-01T09:00:00+01:00", Registered()),
              Ev("adm", "2014-06-01T10:00:00+01:00", Admitted("S1")),
              Ev("rdy", "2014-06-03T10:00:00+01:00", Ready("S1")),
              Ev("dl", "2014-06-04T10:00:00+01:00", Delay("S1", "B", "BOTH")),
              Ev("x", "2014-06-05T10:00:00+01:00", Retract("dl")),
              Ev("mv", "2014-06-05T10:00:00+01:00",
                 R"("personMoved": {"areaCode": "E09000009"})"),
              Ev("y", "2014-06-06T10:00:00+01:00", Retract("mv"))}));
  EXPECT_EQ(state.version(), 7u);
  EXPECT_EQ(state.recorded().size(), 7u);
  EXPECT_EQ(state.timeline().size(), 3u);
  EXPECT_TRUE(state.IsRetracted("dl"));
  EXPECT_FALSE(state.IsRetracted("rdy"));
  EXPECT_TRUE(state.facts().FindSpell("S1")->readiness[0].delays.empty());
  EXPECT_EQ(state.facts().area_code(), "E09000002");
  EXPECT_EQ(state.FindEvent("dl")->version, 4u);
  EXPECT_EQ(state.FindEvent("nope"), nullptr);
}

TEST(PersonStateTest, WithMatchesAFullFold) {
  auto events = Stream(StoryOfOnePerson());
  std::vector<StoredCareEventPtr> head(events.begin(), events.begin() + 12);
  std::vector<StoredCareEventPtr> tail(events.begin() + 12, events.end());
  PersonState stepwise = PersonState::FromStream(head).With(tail);
  PersonState whole = PersonState::FromStream(events);
  EXPECT_EQ(stepwise.timeline().size(), whole.timeline().size());
  for (size_t i = 0; i < whole.timeline().size(); ++i) {
    EXPECT_EQ(stepwise.timeline()[i]->event.event_id(),
              whole.timeline()[i]->event.event_id());
  }
  EXPECT_EQ(stepwise.facts().FindSpell("S1")->readiness[0].delays.size(), 2u);
  EXPECT_EQ(stepwise.facts().area_code(), whole.facts().area_code());
}

// Whether `a` is the person `b` is: the same events recorded, the same
// timeline, the same ids found, the same facts of every kind.
void ExpectSamePerson(const PersonState& a, const PersonState& b) {
  ASSERT_EQ(a.version(), b.version());
  ASSERT_EQ(a.timeline().size(), b.timeline().size());
  for (size_t i = 0; i < b.timeline().size(); ++i)
    EXPECT_EQ(a.timeline()[i].get(), b.timeline()[i].get()) << "at " << i;
  for (const auto& e : b.recorded()) {
    const std::string& id = e->event.event_id();
    EXPECT_EQ(a.FindEvent(id), b.FindEvent(id)) << id;
    EXPECT_EQ(a.IsRetracted(id), b.IsRetracted(id)) << id;
  }
  const PersonFacts& x = a.facts();
  const PersonFacts& y = b.facts();
  EXPECT_EQ(x.area_code(), y.area_code());
  EXPECT_EQ(x.area_history().size(), y.area_history().size());
  EXPECT_EQ(x.verified_at(), y.verified_at());
  EXPECT_EQ(x.local_ids().size(), y.local_ids().size());
  EXPECT_EQ(x.referrals().size(), y.referrals().size());
  EXPECT_EQ(x.assessments().size(), y.assessments().size());
  EXPECT_EQ(x.packages().size(), y.packages().size());
  ASSERT_EQ(x.spells().size(), y.spells().size());
  for (size_t i = 0; i < y.spells().size(); ++i) {
    EXPECT_EQ(x.spells()[i].spell_id, y.spells()[i].spell_id);
    EXPECT_EQ(x.spells()[i].readiness.size(), y.spells()[i].readiness.size());
    EXPECT_EQ(x.spells()[i].discharged_at, y.spells()[i].discharged_at);
  }
  ASSERT_EQ(x.ae_attendances().size(), y.ae_attendances().size());
  for (size_t i = 0; i < y.ae_attendances().size(); ++i) {
    EXPECT_EQ(x.ae_attendances()[i].attendance_id,
              y.ae_attendances()[i].attendance_id);
  }
  EXPECT_EQ(x.surveys().size(), y.surveys().size());
}

// Events recorded late (before the end of the timeline, ties with an earlier
// instant, retractions) merge into the timeline of a person extended one by
// one or several at a time exactly as a fold of the whole stream orders them.
TEST(PersonStateTest, LateEventsExtendedMatchAFullFoldAtEveryStep) {
  auto story = StoryOfOnePerson();
  story.push_back(Ev("tie", "2014-05-01T09:00:00+01:00",
                     R"("aeAttended": {"attendanceId": "T1"})"));
  story.push_back(Ev("early", "2014-04-05T09:00:00+01:00",
                     R"("aeAttended": {"attendanceId": "T0"})"));
  story.push_back(Ev("tie2", "2014-05-01T09:00:00+01:00",
                     R"("aeAttended": {"attendanceId": "T2"})"));
  story.push_back(Ev("xe", "2014-12-01T09:00:00Z", Retract("early")));
  story.push_back(Ev("late", "2014-04-06T09:00:00+01:00",
                     R"("aeAttended": {"attendanceId": "T3"})"));
  const auto events = Stream(story);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}}) {
    PersonState stepwise;
    for (size_t at = 0; at < events.size(); at += chunk) {
      const size_t end = std::min(events.size(), at + chunk);
      const std::vector<StoredCareEventPtr> more(events.begin() + at,
                                                 events.begin() + end);
      if (more.size() == 1) {
        stepwise.Extend(more[0]);
      } else {
        stepwise.Extend(more);
      }
      const PersonState whole =
          PersonState::FromStream(std::vector<StoredCareEventPtr>(
              events.begin(), events.begin() + end));
      SCOPED_TRACE("chunk " + std::to_string(chunk) + ", " +
                   std::to_string(end) + " events");
      ExpectSamePerson(stepwise, whole);
    }
  }
  const PersonState whole = PersonState::FromStream(events);
  std::vector<std::string> attended;
  for (const auto& a : whole.facts().ae_attendances())
    attended.emplace_back(a.attendance_id);
  // T0 is retracted; T3 comes early; T1 and T2 share an instant and keep
  // their recording order; A1 was recorded before all of them.
  EXPECT_EQ(attended, (std::vector<std::string>{"T3", "T1", "T2", "A1"}));
}

TEST(PersonStateTest, AnswersQuestionsAboutAnInstant) {
  PersonState state = PersonState::FromStream(Stream(
      {Ev("reg", "2014-04-01T09:00:00+01:00", Registered("1949-06-30")),
       Ev("adm", "2014-06-01T10:00:00+01:00", Admitted("S1")),
       Ev("r1", "2014-06-03T10:00:00+01:00", Ready("S1")),
       Ev("w1", "2014-06-04T10:00:00+01:00", Withdrawn("S1")),
       Ev("r2", "2014-06-06T10:00:00+01:00", Ready("S1")),
       Ev("dis", "2014-06-08T10:00:00+01:00", Discharged("S1")),
       Ev("ch", "2014-07-01T10:00:00+01:00",
          R"("careHomeAdmitted": {"placementId": "P1", "type": "RESIDENTIAL", "permanent": true, "councilSupported": false})"),
       Ev("cl", "2014-08-01T10:00:00+01:00",
          R"("careHomeLeft": {"placementId": "P1"})")}));
  const PersonFacts& f = state.facts();
  const Spell& s = *f.FindSpell("S1");
  EXPECT_FALSE(s.InSpellAt(At("2014-06-01T09:59:59+01:00")));
  EXPECT_TRUE(s.InSpellAt(At("2014-06-01T10:00:00+01:00")));
  EXPECT_TRUE(s.InSpellAt(At("2014-06-08T09:59:59+01:00")));
  EXPECT_FALSE(s.InSpellAt(At("2014-06-08T10:00:00+01:00")));
  EXPECT_EQ(s.ReadinessAt(At("2014-06-03T09:00:00+01:00")), nullptr);
  EXPECT_EQ(s.ReadinessAt(At("2014-06-04T00:00:00+01:00")), &s.readiness[0]);
  EXPECT_EQ(s.ReadinessAt(At("2014-06-05T00:00:00+01:00")), nullptr);
  EXPECT_EQ(s.ReadinessAt(At("2014-06-07T00:00:00+01:00")), &s.readiness[1]);
  EXPECT_EQ(s.ReadinessAt(At("2014-06-09T00:00:00+01:00")), nullptr);
  EXPECT_EQ(s.CurrentReadiness(), nullptr);
  EXPECT_EQ(*f.AgeAt(At("2014-06-29T23:30:00Z")), 65);  // 30 June in London
  EXPECT_EQ(*f.AgeAt(At("2014-06-29T22:30:00Z")), 64);
  const Placement& p = f.placements()[0];
  EXPECT_TRUE(p.OpenAt(At("2014-07-15T00:00:00Z")));
  EXPECT_FALSE(p.OpenAt(At("2014-08-01T10:00:00+01:00")));
  EXPECT_FALSE(p.council_supported);
}

TEST(PersonStateTest, UnregisteredPersonHasNoArea) {
  PersonState empty;
  EXPECT_FALSE(empty.known());
  EXPECT_EQ(empty.version(), 0u);
  EXPECT_FALSE(empty.facts().registered());
  EXPECT_EQ(empty.facts().area_code(), "");
  EXPECT_EQ(empty.facts().nhs_number_status(),
            schema::NhsNumberStatus::NHS_NUMBER_STATUS_UNSPECIFIED);
}

// What is recorded as occurring before the registration stays when the
// registration folds: a verification keeps the number VERIFIED, a local id is
// linked once.
TEST(PersonStateTest, EventsBeforeTheRegistrationStay) {
  PersonState state = PersonState::FromStream(Stream(
      {Ev("reg", "2014-06-01T09:00:00+01:00",
          R"("personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "nhsNumberStatus": "UNVERIFIED", "localIds": [{"system": "PAS", "value": "H123"}]})"),
       Ev("ver", "2014-05-01T09:00:00+01:00", R"("nhsNumberVerified": {})"),
       Ev("lid", "2014-05-02T09:00:00+01:00",
          R"("localIdLinked": {"system": "PAS", "value": "H123"})"),
       Ev("adm", "2014-05-03T10:00:00+01:00", Admitted("S1"))}));
  const PersonFacts& f = state.facts();
  EXPECT_EQ(f.nhs_number_status(), schema::NhsNumberStatus::VERIFIED);
  EXPECT_EQ(*f.verified_at(), At("2014-05-01T09:00:00+01:00"));
  ASSERT_EQ(f.local_ids().size(), 1u);
  EXPECT_EQ(f.local_ids()[0].linked_at, At("2014-05-02T09:00:00+01:00"));
  ASSERT_EQ(f.spells().size(), 1u);
  EXPECT_EQ(*f.registered_at(), At("2014-06-01T09:00:00+01:00"));
}

// The facts view the strings of the events the state holds instead of copying
// them; a copy of the state holds the same events, so its facts stay valid
// when the original is gone.
TEST(PersonStateTest, FactsViewTheHeldEventsAndACopyOutlivesTheOriginal) {
  const std::string site = "Queen's Hospital, Romford - Emergency Department";
  auto original = std::make_unique<PersonState>(PersonState::FromStream(Stream(
      {Ev("reg", "2014-04-01T09:00:00+01:00", Registered()),
       Ev("adm", "2014-06-01T10:00:00+01:00", Admitted("S1")),
       Ev("ae", "2014-07-01T10:00:00+01:00",
          R"("aeAttended": {"attendanceId": "ATT-0000000000000001", "site": ")" +
              site + R"("})")})));
  const schema::AeAttended& held =
      original->recorded().back()->event.ae_attended();
  const AeAttendance& a = original->facts().ae_attendances().at(0);
  EXPECT_EQ(a.attendance_id.data(), held.attendance_id().data());
  EXPECT_EQ(a.site.data(), held.site().data());

  PersonState copy = *original;
  copy.Extend(
      Stream(
          {Ev("reg", "2014-04-01T09:00:00+01:00", Registered()),
           Ev("adm", "2014-06-01T10:00:00+01:00", Admitted("S1")),
           Ev("ae", "2014-07-01T10:00:00+01:00",
              R"("aeAttended": {"attendanceId": "A"})"),
           Ev("ae2", "2014-08-01T10:00:00+01:00",
              R"("aeAttended": {"attendanceId": "ATT-2", "site": "Other"})")})
          .back());
  original.reset();
  const PersonFacts& f = copy.facts();
  ASSERT_EQ(f.ae_attendances().size(), 2u);
  EXPECT_EQ(f.ae_attendances()[0].attendance_id, "ATT-0000000000000001");
  EXPECT_EQ(f.ae_attendances()[0].site, site);
  EXPECT_EQ(f.ae_attendances()[1].site, "Other");
  ASSERT_NE(f.FindAttendance("ATT-0000000000000001"), nullptr);
  EXPECT_EQ(f.FindAttendance("ATT-2")->attended_at,
            At("2014-08-01T10:00:00+01:00"));
  ASSERT_NE(f.FindSpell("S1"), nullptr);
  EXPECT_TRUE(f.FindSpell("S1")->Open());
  EXPECT_EQ(f.FindAttendance("A"), nullptr);
}

}  // namespace
}  // namespace carelog::testing
