// Acceptance audit of SPEC.md "Rules", the parts that need more than one
// answer to judge: occurredAt against the server's clock, what a retraction
// may name and how every view then behaves as if the retracted event had
// never been recorded, and "all or none" seen from the history, the feed and
// the audit trail.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/rules_audit.h"
#include "tests/e2e/rules_audit_payloads.h"

namespace carelog::e2e::rules {
namespace {

using google::protobuf::Struct;

class RetractionAuditTest : public SharedServerTest<RetractionAuditTest> {
 protected:
  HttpClient Practitioner() {
    return HttpClient(server_->port(), server_->practitioner_a);
  }
  // The person's item on area A's discharge worklist, or an empty one.
  Struct DischargeItem(const std::string& nhs) {
    HttpClient coordinator(server_->port(), server_->coordinator_a);
    auto answer = coordinator.Get(std::string("/v1/worklists/discharge?area=") +
                                  LiveServer::kAreaA);
    EXPECT_EQ(answer.status, 200) << answer.body;
    for (const Struct& item : List(answer.Json(), "items"))
      if (Text(item, "nhsNumber") == nhs) return item;
    return Struct();
  }
};

// SPEC.md: "not more than 5 minutes in the future". Exactly 5 minutes ahead
// (by the client's clock, which the server's has passed by the time it
// looks) is accepted; 5 minutes and 20 seconds is refused, naming occurredAt.
TEST_F(RetractionAuditTest, FiveMinutesInTheFutureAndNoMore) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1201);
  ASSERT_EQ(Post(client, nhs, {Reg(NowPlus(-3600))}).status, 201);
  auto late = Post(client, nhs, {Ev(NowPlus(320), Ae("AE2"))});
  EXPECT_EQ(late.status, 422) << late.body;
  EXPECT_EQ(FirstErrorField(late), "events[0].occurredAt");
  auto edge = Post(client, nhs, {Ev(NowPlus(300), Ae("AE1"))});
  EXPECT_EQ(edge.status, 201) << edge.body;
}

// A retraction names an earlier, unretracted event of the same person: not a
// retraction, not one already retracted, not another person's event.
TEST_F(RetractionAuditTest, WhatARetractionMayName) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1202), other = TestNhsNumber(1203);
  const std::string ae = NewEventId(), retraction = NewEventId(),
                    others = NewEventId();
  ASSERT_EQ(Post(client, other, {Reg(At(1, 9)), Ev(At(2, 9), Ae("X"), others)})
                .status,
            201);
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9)), Ev(At(2, 9), Ae("AE1"), ae),
                  Ev(At(3, 9), Retract(ae), retraction)})
                .status,
            201);
  for (const std::string& target : {retraction, ae, others}) {
    SCOPED_TRACE(target);
    auto answer = Post(client, nhs, {Ev(At(4, 9), Retract(target))});
    EXPECT_EQ(answer.status, 422) << answer.body;
    EXPECT_EQ(FirstErrorField(answer), "events[0].eventRetracted.eventId");
  }
  EXPECT_EQ(Version(client, nhs), 3);
  // The retracted attendance's id is free again; a retraction may follow a
  // death (SPEC.md: after a death only followUpRecorded and eventRetracted).
  const std::string died = NewEventId(), again = NewEventId();
  auto more = Post(client, nhs,
                   {Ev(At(4, 9), Ae("AE1"), again), Ev(At(5, 9), Died(), died),
                    Ev(At(9, 9), Retract(again))});
  EXPECT_EQ(more.status, 201) << more.body;
  // Retracting the death lets life go on.
  auto revived = Post(client, nhs,
                      {Ev(At(9, 10), Retract(died)), Ev(At(9, 11), Ae("A3"))});
  EXPECT_EQ(revived.status, 201) << revived.body;
  EXPECT_TRUE(IsNull(PersonView(client, nhs), "diedOn"));
}

// Retracting a discharge reopens the spell: the person view shows it open and
// ready, the discharge worklist lists the person again, and a new discharge
// is accepted.
TEST_F(RetractionAuditTest, RetractingADischargeReopensTheSpell) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1204);
  const std::string discharge = NewEventId();
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9)), Ev(At(2, 9), Admit("S1")),
                  Ev(At(3, 9), Ready("S1")), Ev(At(3, 10), Delay("S1", "D2")),
                  Ev(At(4, 9), Discharge("S1"), discharge)})
                .status,
            201);
  auto listed = [&] { return DischargeItem(nhs); };
  EXPECT_FALSE(Has(listed(), "spellId"));
  ASSERT_EQ(Post(client, nhs, {Ev(At(5, 9), Retract(discharge))}).status, 201);
  auto spells = List(PersonView(client, nhs), "spells");
  ASSERT_EQ(spells.size(), 1u);
  EXPECT_FALSE(Has(spells[0], "dischargedAt")) << "the spell is open again";
  EXPECT_FALSE(Has(spells[0], "destination"));
  const Struct item = listed();
  EXPECT_EQ(Text(item, "spellId"), "S1");
  EXPECT_EQ(Text(item, "reason"), "D2");
  auto rediscarge = Post(client, nhs, {Ev(At(6, 9), Discharge("S1"))});
  EXPECT_EQ(rediscarge.status, 201) << rediscarge.body;
}

// SPEC.md: every derived view behaves as if the retracted event had never
// been recorded. Retracting the admission of a spell in which the person is
// ready and delayed is accepted on its own: the readiness and the delay
// record stood on it and lose their effect with it. The spell leaves the
// person view and the discharge worklist, and its id is free again.
TEST_F(RetractionAuditTest, RetractingAnAdmissionTakesItsSpellAway) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1205);
  const std::string admit = NewEventId();
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9)), Ev(At(2, 9), Admit("S1"), admit),
                  Ev(At(3, 9), Ready("S1")), Ev(At(3, 10), Delay("S1", "D2"))})
                .status,
            201);
  auto listed = [&] { return Has(DischargeItem(nhs), "spellId"); };
  EXPECT_TRUE(listed());
  auto alone = Post(client, nhs, {Ev(At(4, 9), Retract(admit))});
  EXPECT_EQ(alone.status, 201) << alone.body;
  EXPECT_TRUE(List(PersonView(client, nhs), "spells").empty());
  EXPECT_FALSE(listed());
  // The spell's id is free again, and the old readiness does not come back
  // with the new spell.
  EXPECT_EQ(Post(client, nhs, {Ev(At(5, 9), Admit("S1"))}).status, 201);
  auto spells = List(PersonView(client, nhs), "spells");
  ASSERT_EQ(spells.size(), 1u);
  EXPECT_FALSE(listed());
}

// A discharge coordinator re-entering an admission whose date was wrong: the
// wrong one retracted leaves the readiness and delay record standing on
// nothing (off the list); the admission entered again, dated before them,
// gives them footing at once, in the person view and on the discharge
// worklist alike.
TEST_F(RetractionAuditTest, AnAdmissionEnteredAgainBeforeItsReadinessRelists) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1210);
  const std::string admit = NewEventId();
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9)), Ev(At(3, 9), Admit("S1"), admit),
                  Ev(At(4, 9), Ready("S1")), Ev(At(4, 10), Delay("S1", "D2"))})
                .status,
            201);
  ASSERT_TRUE(Has(DischargeItem(nhs), "spellId"));
  ASSERT_EQ(Post(client, nhs, {Ev(At(5, 9), Retract(admit))}).status, 201);
  EXPECT_FALSE(Has(DischargeItem(nhs), "spellId"));
  auto again = Post(client, nhs, {Ev(At(2, 9), Admit("S1"))});
  ASSERT_EQ(again.status, 201) << again.body;
  auto spells = List(PersonView(client, nhs), "spells");
  ASSERT_EQ(spells.size(), 1u);
  EXPECT_TRUE(spells[0].fields().at("readyForDischarge").bool_value());
  const Struct item = DischargeItem(nhs);
  EXPECT_EQ(Text(item, "spellId"), "S1");
  EXPECT_EQ(Text(item, "reason"), "D2");
}

// A registration entered after the person's was retracted gives footing
// again to everything that stood on the old one, so a birth date after one of
// those events is refused (422 naming the birth date and the event); with a
// birth date they fit, the person is back, on the list too.
TEST_F(RetractionAuditTest, RegisteringAgainBornAfterAnEventIsRefused) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1211);
  const std::string registration = NewEventId(), admit = NewEventId();
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9), "1940-05-05", LiveServer::kAreaA, registration),
                  Ev(At(2, 9), Admit("S1"), admit), Ev(At(3, 9), Ready("S1"))})
                .status,
            201);
  ASSERT_EQ(Post(client, nhs, {Ev(At(4, 9), Retract(registration))}).status,
            201);
  EXPECT_FALSE(Has(DischargeItem(nhs), "spellId"));
  auto refused = Post(client, nhs, {Reg(At(5, 9), "2015-06-03")});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(FirstErrorField(refused), "events[0].personRegistered.birthDate");
  EXPECT_NE(refused.body.find(admit), std::string::npos) << refused.body;
  // The refusal appended nothing: the registration that fits is version 5.
  auto accepted = Post(client, nhs, {Reg(At(5, 9), "1940-05-05")});
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(Number(accepted.Json(), "firstVersion"), 5);
  EXPECT_EQ(Text(DischargeItem(nhs), "spellId"), "S1");
}

// A retracted response leaves the referral open for its one response; a
// retracted package end lets a professional be assigned again.
TEST_F(RetractionAuditTest, RetractedResponsesAndEndsAreAsIfNeverRecorded) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1206);
  const std::string accept = NewEventId(), end = NewEventId();
  ASSERT_EQ(
      Post(client, nhs,
           {Reg(At(1, 9)), Ev(At(2, 9), Referral("R1")),
            Ev(At(2, 10), Accept("R1"), accept), Ev(At(2, 9), PkgStart("P1")),
            Ev(At(3, 9), PkgEnd("P1"), end)})
          .status,
      201);
  EXPECT_EQ(Post(client, nhs, {Ev(At(4, 9), Decline("R1"))}).status, 422);
  auto answer = Post(client, nhs,
                     {Ev(At(4, 9), Retract(accept)), Ev(At(4, 9), Retract(end)),
                      Ev(At(4, 10), Decline("R1")), Ev(At(4, 10), Prof("P1"))});
  ASSERT_EQ(answer.status, 201) << answer.body;
  const Struct view = PersonView(client, nhs);
  auto referrals = List(view, "referrals");
  ASSERT_EQ(referrals.size(), 1u);
  EXPECT_EQ(Text(referrals[0], "response"), "DECLINED");
  auto packages = List(view, "packages");
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_TRUE(IsNull(packages[0], "endedAt"));
  // The history still shows every event recorded, retractions included.
  auto history = client.Get("/v1/people/" + nhs + "/events");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(List(history.Json(), "events").size(), 9u);
}

// An accountable professional "replaces any earlier one for that package":
// retracting the later one brings the earlier back, retracting both leaves
// the package on the unassigned worklist; a retracted follow-up puts the
// discharge back on the follow-ups due; a retracted move gives the person
// back to the area they lived in.
TEST_F(RetractionAuditTest, RetractionsInTheViewsAndWorklists) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1208);
  const std::string nora = NewEventId(), omar = NewEventId(),
                    follow_up = NewEventId(), moved = NewEventId();
  std::string omar_event = Ev(At(4, 9), Prof("P1"), omar);
  const std::string nora_name = "\"name\":\"Nora\"";
  omar_event.replace(omar_event.find(nora_name), nora_name.size(),
                     "\"name\":\"Omar\"");
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9)), Ev(At(2, 9), PkgStart("P1")),
                  Ev(At(3, 9), Prof("P1"), nora), omar_event,
                  Ev(At(5, 9), Admit("S1")),
                  Ev(At(6, 9), Discharge("S1", "REABLEMENT")),
                  Ev("2015-09-06T10:00:00+01:00", FollowUp("S1"), follow_up)})
                .status,
            201);
  auto professional = [&] {
    auto packages = List(PersonView(client, nhs), "packages");
    EXPECT_EQ(packages.size(), 1u);
    if (packages.empty()) return std::string("?");
    if (IsNull(packages[0], "accountableProfessional")) return std::string();
    return Text(
        packages[0].fields().at("accountableProfessional").struct_value(),
        "name");
  };
  auto on = [&](const std::string& worklist) {
    auto answer = client.Get("/v1/worklists/" + worklist +
                             "?area=" + std::string(LiveServer::kAreaA));
    EXPECT_EQ(answer.status, 200) << answer.body;
    for (const Struct& item : List(answer.Json(), "items"))
      if (Text(item, "nhsNumber") == nhs) return true;
    return false;
  };
  EXPECT_EQ(professional(), "Omar");
  EXPECT_FALSE(on("follow-ups"));
  ASSERT_EQ(Post(client, nhs, {Ev(At(10, 9), Retract(omar))}).status, 201);
  EXPECT_EQ(professional(), "Nora");
  EXPECT_FALSE(on("unassigned-packages"));
  ASSERT_EQ(Post(client, nhs,
                 {Ev(At(10, 9), Retract(nora)),
                  Ev("2015-09-07T10:00:00+01:00", Retract(follow_up))})
                .status,
            201);
  EXPECT_EQ(professional(), "");
  EXPECT_TRUE(on("unassigned-packages"));
  EXPECT_TRUE(on("follow-ups"));
  // A move to B and its retraction: A's again.
  ASSERT_EQ(Post(client, nhs, {Ev(At(11, 9), Moved(LiveServer::kAreaB), moved)})
                .status,
            201);
  EXPECT_EQ(client.Get("/v1/people/" + nhs).status, 403);
  HttpClient b(server_->port(), server_->practitioner_b);
  ASSERT_EQ(Post(b, nhs, {Ev(At(12, 9), Retract(moved))}).status, 201);
  EXPECT_EQ(Text(PersonView(client, nhs), "areaCode"), LiveServer::kAreaA);
}

// A readiness re-confirmed while the person is ready breaks no rule of
// SPEC.md: accepted, and the delay clock keeps running from the first one
// (the worklist's readySince and the view's one readiness); retracting the
// first leaves the second as the start.
TEST_F(RetractionAuditTest, AReconfirmedReadinessKeepsTheClock) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1209);
  const std::string first = NewEventId(), reason = NewEventId();
  ASSERT_EQ(Post(client, nhs,
                 {Reg(At(1, 9)), Ev(At(2, 9), Admit("S1")),
                  Ev(At(3, 9), Ready("S1"), first),
                  Ev(At(3, 10), Delay("S1", "B", "SOCIAL_CARE"), reason),
                  Ev(At(5, 9), Ready("S1"))})
                .status,
            201);
  auto item = [&] { return DischargeItem(nhs); };
  Struct listed = item();
  EXPECT_EQ(Text(listed, "readySince"), At(3, 9));
  EXPECT_EQ(Text(listed, "reason"), "B");
  auto spells = List(PersonView(client, nhs), "spells");
  ASSERT_EQ(spells.size(), 1u);
  EXPECT_EQ(List(spells[0], "readiness").size(), 1u);
  // Retracting the first: the reason recorded while it ran stood on it and
  // goes with it; the second starts the clock, with no reason yet.
  ASSERT_EQ(Post(client, nhs, {Ev(At(6, 9), Retract(first))}).status, 201);
  listed = item();
  EXPECT_EQ(Text(listed, "readySince"), At(5, 9));
  EXPECT_EQ(Text(listed, "reason"), "UNRECORDED");
  // Retracting the reason too changes nothing more.
  ASSERT_EQ(Post(client, nhs, {Ev(At(6, 9), Retract(reason))}).status, 201);
  EXPECT_EQ(Text(item(), "readySince"), At(5, 9));
}

// A request is checked in order and appended all or none: a good event
// followed by a bad one appends nothing — not in the history, not in the
// feed — and the refusal itself is in the audit trail (SPEC.md "Access").
TEST_F(RetractionAuditTest, AllOrNoneSeenFromEveryView) {
  HttpClient client = Practitioner();
  const std::string nhs = TestNhsNumber(1207);
  auto first = Post(client, nhs, {Reg(At(1, 9))});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto last = static_cast<uint64_t>(Number(first.Json(), "lastPosition"));
  auto refused = Post(client, nhs,
                      {Ev(At(2, 9), Ae("AE1")), Ev(At(2, 10), Referral("R1")),
                       Ev(At(2, 11), Accept("R9"))});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(ErrorFields(refused),
            std::vector<std::string>{"events[2].referralAccepted.referralId"});
  EXPECT_EQ(Version(client, nhs), 1);
  HttpClient admin(server_->port(), server_->admin);
  auto feed = admin.Get("/v1/events?after=" + std::to_string(last));
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_TRUE(List(feed.Json(), "events").empty()) << feed.body;
  EXPECT_EQ(Number(feed.Json(), "lastPosition"), static_cast<double>(last));
  HttpClient auditor(server_->port(), server_->auditor);
  auto audit = auditor.Get("/v1/audit?nhsNumber=" + nhs);
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto entries = List(audit.Json(), "entries");
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(Text(entries[1], "method"), "POST");
  EXPECT_EQ(Number(entries[1], "outcome"), 422);
  EXPECT_EQ(Text(entries[1], "who"), "pat");
  // The same events, the bad one mended, in the same request: all appended.
  auto mended = Post(client, nhs,
                     {Ev(At(2, 9), Ae("AE1")), Ev(At(2, 10), Referral("R1")),
                      Ev(At(2, 11), Accept("R1"))});
  EXPECT_EQ(mended.status, 201) << mended.body;
  EXPECT_EQ(Version(client, nhs), 4);
}

}  // namespace
}  // namespace carelog::e2e::rules
