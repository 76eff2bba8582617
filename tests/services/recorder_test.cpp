#include "services/recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "services/synthetic_area.h"
#include "tests/services/recorder_harness.h"

namespace carelog::testing {
namespace {

using ::testing::HasSubstr;

class RecorderTest : public BothLogsHarness {};
class RecorderRaceTest : public RecorderHarness {};

TEST_P(RecorderTest, StoresSerializedCareEventsInThePersonStream) {
  auto out = Accept({Ev("r1", "2014-06-07T10:15:00+01:00", Registered()),
                     Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  EXPECT_EQ(out.nhs_number, kNhs);
  EXPECT_EQ(out.first_version, 1u);
  EXPECT_EQ(out.last_version, 2u);
  EXPECT_EQ(out.last_position, 2u);
  EXPECT_FALSE(out.duplicate);
  auto stored = log().ReadStream("person-9434765919", 1, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[1].type, "carelog.schema.CareEvent");
  EXPECT_EQ((*stored)[1].event_id, "a1");
  EXPECT_EQ((*stored)[1].recorded_by, "tester");
  schema::CareEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString((*stored)[1].body));
  EXPECT_EQ(parsed.hospital_admitted().spell_id(), "S1");
  EXPECT_EQ(PersonStream("9434765919"), "person-9434765919");
}

TEST_P(RecorderTest, UnknownPersonLoadsEmpty) {
  auto snap = recorder().Load(kNhs);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->version, 0u);
  ASSERT_NE(snap->state, nullptr);
  EXPECT_FALSE(snap->state->known());
}

TEST_P(RecorderTest, RetryAnswersTheOriginalFiguresWithoutRerunningRules) {
  Register(kOtherNhs);  // positions differ from versions
  std::vector<schema::CareEvent> request = {
      Ev("r1", "2014-06-07T10:15:00+01:00", Registered()),
      Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))};
  auto first = Accept(request);
  Accept({Ev("d1", "2014-06-08T11:00:00+01:00", Discharged("S1"))});
  // Checked again, personRegistered would now be refused as a second
  // registration.
  auto retry = Post(request);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_version, first.first_version);
  EXPECT_EQ(retry->last_version, first.last_version);
  EXPECT_EQ(retry->last_position, first.last_position);
  EXPECT_EQ(Version(), 3u);
  // Even with a stale If-Match.
  auto retry2 = Post(request, uint64_t{0});
  ASSERT_TRUE(retry2.ok()) << retry2.status().ToString();
  EXPECT_TRUE(retry2->duplicate);
}

TEST_P(RecorderTest, SameEventIdWithOtherContentIsConflict) {
  Register();
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  Status s = Refuse({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S2"))},
                    Code::kConflict);
  EXPECT_EQ(FieldOf(s), "events[0].eventId");
  EXPECT_THAT(MessageOf(s), HasSubstr("different content"));
  // Part of a request already recorded, part new.
  s = Refuse({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1")),
              Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1"))},
             Code::kConflict);
  EXPECT_EQ(FieldOf(s), "events[0].eventId");
  // An id of another person's event.
  Register(kOtherNhs);
  s = Refuse({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
             Code::kConflict, kOtherNhs);
  EXPECT_EQ(FieldOf(s), "events[0].eventId");
  s = Refuse({Ev("a1", "2014-06-09T11:00:00+01:00", Admitted("S7"))},
             Code::kConflict, kOtherNhs);
  EXPECT_THAT(MessageOf(s), HasSubstr("another person"));
}

TEST_P(RecorderTest, IfMatchMustBeTheCurrentVersion) {
  Register();
  auto r = Post({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
                uint64_t{0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kWrongVersion);
  EXPECT_EQ(Version(), 1u);
  r = Post({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
           uint64_t{1});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->last_version, 2u);
}

TEST_F(RecorderRaceTest, LostRaceIsRecheckedAndRetried) {
  Register();
  Recorder rival(log(), clock_);
  fake().before_append = [&rival] {
    auto won = rival.Record(
        kNhs, {Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
        std::nullopt, "rival");
    ASSERT_TRUE(won.ok()) << won.status().ToString();
  };
  auto out = Accept({Ev("ae1", "2014-06-08T11:00:00+01:00",
                        R"("aeAttended": {"attendanceId": "A"})")});
  EXPECT_EQ(out.first_version, 3u);
  auto state = State();
  EXPECT_NE(state->facts().FindSpell("S1"), nullptr);
  EXPECT_EQ(state->facts().ae_attendances().size(), 1u);
}

TEST_F(RecorderRaceTest, LostRaceThatBreaksARuleIsRefused) {
  Register();
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  Recorder rival(log(), clock_);
  fake().before_append = [&rival] {
    ASSERT_TRUE(
        rival
            .Record(kNhs,
                    {Ev("d1", "2014-06-08T11:00:00+01:00", Discharged("S1"))},
                    std::nullopt, "rival")
            .ok());
  };
  auto r = Post({Ev("r1", "2014-06-09T11:00:00+01:00", Ready("S1"))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kRuleViolation);
  EXPECT_THAT(MessageOf(r.status()), HasSubstr("after the discharge"));
  EXPECT_EQ(Version(), 3u);
}

TEST_F(RecorderRaceTest, LostRaceWithIfMatchIsWrongVersion) {
  Register();
  Recorder rival(log(), clock_);
  fake().before_append = [&rival] {
    ASSERT_TRUE(
        rival
            .Record(kNhs,
                    {Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
                    std::nullopt, "rival")
            .ok());
  };
  auto r = Post({Ev("ae1", "2014-06-08T11:00:00+01:00",
                    R"("aeAttended": {"attendanceId": "A"})")},
                uint64_t{1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kWrongVersion);
}

TEST_F(RecorderRaceTest, AFailedAppendKeepsNothingOfTheRequest) {
  // The log cannot write (a full or failing disk): the request is answered
  // with the log's error, and the person - as stored and as cached - holds
  // none of its events, so later requests are checked without them.
  Register();
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  fake().fail_next_append =
      Status(Code::kIOError, "no space left on the device");
  auto failed = Post({Ev("d1", "2014-06-08T11:00:00+01:00", Discharged("S1"))});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kIOError);
  EXPECT_THAT(failed.status().message(), HasSubstr("no space left"));
  EXPECT_EQ(Version(), 2u);
  auto state = State();
  EXPECT_EQ(state->version(), 2u);
  EXPECT_EQ(state->FindEvent("d1"), nullptr);
  // Readiness after the failed discharge's time: a kept discharge would make
  // it break a rule ("after the discharge"); the spell is still open.
  auto ready = Accept({Ev("r1", "2014-06-09T11:00:00+01:00", Ready("S1"))});
  EXPECT_EQ(ready.first_version, 3u);
  // The discharge sent again (later than the readiness) lands as if first
  // sent.
  auto again =
      Accept({Ev("d1", "2014-06-10T11:00:00+01:00", Discharged("S1"))});
  EXPECT_EQ(again.first_version, 4u);
  EXPECT_EQ(State()->version(), 4u);
}

TEST_P(RecorderTest, CacheCatchesUpWithEventsAppendedElsewhere) {
  Register();
  ASSERT_EQ(State()->version(), 1u);
  Recorder other(log(), clock_);
  ASSERT_TRUE(
      other
          .Record(kNhs, {Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
                  std::nullopt, "other")
          .ok());
  auto state = State();
  EXPECT_EQ(state->version(), 2u);
  ASSERT_NE(state->facts().FindSpell("S1"), nullptr);
  EXPECT_EQ(state->recorded().back()->position, 2u);
  EXPECT_EQ(state->recorded().back()->recorded_by, "other");
}

// A write checks the person as this recorder has them cached, without reading
// the stream's version; what another writer appended meanwhile must still be
// seen before anything is recorded or refused.
class RecorderBehindAnotherWriterTest : public BothLogsHarness {};

TEST_P(RecorderBehindAnotherWriterTest, ANewEventLandsAfterTheirs) {
  AdmittedElsewhere();
  auto out = Accept({Ev("ae1", "2014-06-08T11:00:00+01:00",
                        R"("aeAttended": {"attendanceId": "A"})")});
  EXPECT_EQ(out.first_version, 3u);
  EXPECT_NE(State()->facts().FindSpell("S1"), nullptr);
}

TEST_P(RecorderBehindAnotherWriterTest, ARuleIsCheckedAgainstTheirEvents) {
  AdmittedElsewhere();
  // Against the cached person (no spell S1) this breaks a rule.
  auto out = Accept({Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1"))});
  EXPECT_EQ(out.first_version, 3u);
}

TEST_P(RecorderBehindAnotherWriterTest, IfMatchIsTheStoredVersion) {
  AdmittedElsewhere();
  auto r = Post({Ev("ae1", "2014-06-08T11:00:00+01:00",
                    R"("aeAttended": {"attendanceId": "A"})")},
                uint64_t{2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->first_version, 3u);
  auto stale = Post({Ev("ae2", "2014-06-08T12:00:00+01:00",
                        R"("aeAttended": {"attendanceId": "B"})")},
                    uint64_t{1});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kWrongVersion);
}

TEST_P(RecorderBehindAnotherWriterTest, TheirEventRepeatedIsARetry) {
  AdmittedElsewhere();
  auto r = Post({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->first_version, 2u);
}

TEST_P(RecorderBehindAnotherWriterTest, TheirEventIdWithOtherContentIsNamed) {
  AdmittedElsewhere();
  auto r = Post({Ev("a1", "2014-06-07T12:00:00+01:00", Admitted("S2"))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kConflict);
  EXPECT_EQ(FieldOf(r.status()), "events[0].eventId");
  EXPECT_THAT(MessageOf(r.status()),
              HasSubstr("already recorded (version 2) with different content"));
}

INSTANTIATE_TEST_SUITE_P(Logs, RecorderBehindAnotherWriterTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "RocksDb" : "InMemory";
                         });

TEST_P(RecorderTest, ASnapshotHeldByAReaderDoesNotChangeUnderLaterWrites) {
  Register();
  auto held = State();  // a reader still holds version 1
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  EXPECT_EQ(held->version(), 1u);
  EXPECT_EQ(held->facts().FindSpell("S1"), nullptr);
  EXPECT_EQ(held->FindEvent("a1"), nullptr);
  auto now = State();
  EXPECT_EQ(now->version(), 2u);
  ASSERT_NE(now->facts().FindSpell("S1"), nullptr);
  // Once no reader holds it, the next write extends the person kept.
  now.reset();
  held.reset();
  Accept({Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1"))});
  auto last = State();
  EXPECT_EQ(last->version(), 3u);
  EXPECT_EQ(last->recorded().back()->position, 3u);
  EXPECT_GT(last->recorded().back()->recorded_at_micros, 0);
  ASSERT_NE(last->facts().FindSpell("S1"), nullptr);
  EXPECT_NE(last->facts().FindSpell("S1")->CurrentReadiness(), nullptr);
}

TEST_P(RecorderTest, ARefusalPartWayThroughARequestLeavesThePersonAsItWas) {
  Register();
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  // The first event fits (and is folded while checking); the second does not.
  Status refused = Refuse({Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1")),
                           Ev("r2", "2014-06-08T12:00:00+01:00", Ready("S9"))});
  EXPECT_EQ(FieldOf(refused), "events[1].readyForDischarge.spellId");
  auto state = State();
  EXPECT_EQ(state->version(), 2u);
  EXPECT_EQ(state->FindEvent("r1"), nullptr);
  EXPECT_EQ(state->facts().FindSpell("S1")->CurrentReadiness(), nullptr);
  // The same first event alone is then accepted as version 3.
  auto out = Accept({Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1"))});
  EXPECT_EQ(out.first_version, 3u);
}

TEST_P(RecorderTest, InvalidNhsNumberRefused) {
  auto r = recorder().Record(
      "9434765918", {Ev("r1", "2014-06-07T10:15:00+01:00", Registered())},
      std::nullopt, "tester");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST_P(RecorderTest, FreshRecorderFoldsThePersonFromTheLog) {
  Register();
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1")),
          Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1")),
          Ev("t1", "2014-06-09T11:00:00+01:00", Retract("r1"))});
  Recorder fresh(log(), clock_);
  auto snap = fresh.Load(kNhs);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->version, 4u);
  EXPECT_EQ(snap->state->recorded().size(), 4u);
  EXPECT_EQ(snap->state->timeline().size(), 2u);
  EXPECT_TRUE(snap->state->IsRetracted("r1"));
  const Spell* spell = snap->state->facts().FindSpell("S1");
  ASSERT_NE(spell, nullptr);
  EXPECT_TRUE(spell->readiness.empty());
  EXPECT_EQ(snap->state->recorded()[3]->position, 4u);
  EXPECT_EQ(snap->state->recorded()[3]->recorded_by, "tester");
  EXPECT_GT(snap->state->recorded()[3]->recorded_at_micros, 0);
  // A retry through the fresh recorder is still recognised.
  auto retry =
      fresh.Record(kNhs,
                   {Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1")),
                    Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1")),
                    Ev("t1", "2014-06-09T11:00:00+01:00", Retract("r1"))},
                   std::nullopt, "tester");
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_version, 2u);
}

TEST_P(RecorderTest, ConcurrentRequestsForOnePersonAllLand) {
  Register();
  Register(kOtherNhs);
  constexpr int kThreads = 6;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  Recorder rival(
      log(),
      clock_);  // a second writer: its races are settled by expected versions
  for (int t = 0; t < kThreads; ++t) {
    Recorder& writer = t % 2 == 0 ? recorder() : rival;
    threads.emplace_back([&writer, t, &failures] {
      for (int i = 0; i < kEach; ++i) {
        std::string id = "ae-" + std::to_string(t) + "-" + std::to_string(i);
        const char* nhs = i % 2 == 0 ? kNhs : kOtherNhs;
        auto r = writer.Record(
            nhs,
            {Ev(id, "2014-07-01T10:00:00+01:00",
                R"("aeAttended": {"attendanceId": ")" + id + "\"}")},
            std::nullopt, "tester");
        if (!r.ok()) {
          ADD_FAILURE() << r.status().ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Version(kNhs), 1u + kThreads * kEach / 2);
  EXPECT_EQ(Version(kOtherNhs), 1u + kThreads * kEach / 2);
  EXPECT_EQ(State()->facts().ae_attendances().size(),
            size_t{kThreads * kEach / 2});
  Recorder fresh(log(), clock_);
  EXPECT_EQ(fresh.Load(kNhs)->state->facts().ae_attendances().size(),
            size_t{kThreads * kEach / 2});
}

// The recorder keeps 20,000 people folded: past that, the least recently
// written go, and are folded from the log again when next written.
TEST_F(RecorderRaceTest, EvictsTheLeastRecentPeopleAndRefoldsThemLater) {
  constexpr size_t kPeople = 20000 + 300;
  uint64_t cursor = 0;
  std::vector<std::string> people;
  for (size_t i = 0; i < kPeople; ++i) {
    people.push_back(NextTestNhsNumber(&cursor));
    Register(people.back().c_str());
  }
  EXPECT_FALSE(recorder().Holds(people.front()));
  EXPECT_FALSE(recorder().Holds(people[299]));
  EXPECT_TRUE(recorder().Holds(people[300]));
  EXPECT_TRUE(recorder().Holds(people.back()));
  auto again = Accept({Ev("ae1", "2014-06-08T11:00:00+01:00",
                          R"("aeAttended": {"attendanceId": "A"})")},
                      people.front().c_str());
  EXPECT_EQ(again.first_version, 2u);
  EXPECT_TRUE(recorder().Holds(people.front()));
  EXPECT_FALSE(recorder().Holds(people[300]));  // now the least recent
  EXPECT_EQ(State(people.front().c_str())->version(), 2u);
}

// Past its bound of events the recorder keeps fewer people: the least
// recently written go first, never the person just written; a person let go
// is folded from the log again when next written.
TEST_F(RecorderRaceTest, KeepsNoMoreEventsThanItsBoundButThePersonJustWritten) {
  Recorder bounded(log(), clock_, RecorderCache{.people = 100, .events = 10});
  uint64_t cursor = 0;
  std::vector<std::string> people;
  int attendances = 0;
  // Registers a new person with `n` A&E attendances after (1 + n events).
  auto add_person = [&](int n) {
    people.push_back(NextTestNhsNumber(&cursor));
    std::vector<schema::CareEvent> events = {
        Ev("reg-" + people.back(), "2014-06-01T09:00:00+01:00", Registered())};
    for (int i = 0; i < n; ++i) {
      const std::string id = "ae-" + std::to_string(++attendances);
      events.push_back(
          Ev(id, "2014-06-08T11:00:00+01:00",
             R"("aeAttended": {"attendanceId": ")" + id + R"("})"));
    }
    auto r = bounded.Record(people.back(), events, std::nullopt, "tester");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  };
  add_person(3);  // 4 events held
  add_person(3);  // 8
  EXPECT_TRUE(bounded.Holds(people[0]));
  EXPECT_TRUE(bounded.Holds(people[1]));
  add_person(3);  // 12 > 10: the first goes
  EXPECT_FALSE(bounded.Holds(people[0]));
  EXPECT_TRUE(bounded.Holds(people[1]));
  EXPECT_TRUE(bounded.Holds(people[2]));

  // Written again, the first is folded from the log (all 4 events before the
  // new one) and the least recent of the others goes.
  auto again =
      bounded.Record(people[0],
                     {Ev("ae-again", "2014-06-09T11:00:00+01:00",
                         R"("aeAttended": {"attendanceId": "again"})")},
                     std::nullopt, "tester");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->first_version, 5u);
  EXPECT_TRUE(bounded.Holds(people[0]));
  EXPECT_FALSE(bounded.Holds(people[1]));
  EXPECT_TRUE(bounded.Holds(people[2]));
  auto state = bounded.Load(people[0]);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->state->facts().ae_attendances().size(), 4u);

  // A person of more events than the bound alone is kept, alone.
  add_person(11);
  EXPECT_TRUE(bounded.Holds(people[3]));
  EXPECT_FALSE(bounded.Holds(people[0]));
  EXPECT_FALSE(bounded.Holds(people[2]));
}

INSTANTIATE_TEST_SUITE_P(Logs, RecorderTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "RocksDb" : "InMemory";
                         });

}  // namespace
}  // namespace carelog::testing
