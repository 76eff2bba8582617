// Recorder::RecordAsync: a person's requests take turns without holding a
// thread, in arrival order, each answered once durable or refused.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <new>
#include <vector>

#include "services/recorder.h"
#include "tests/services/recorder_harness.h"

namespace carelog::testing {
namespace {

class RecorderAsyncTest : public BothLogsHarness {
 protected:
  // Collects the outcomes of `n` requests, by index, and waits for them all.
  struct Outcomes {
    explicit Outcomes(size_t n) : results(n), answered(n, 0) {}
    RecordDone For(size_t i) {
      return [this, i](Result<RecordOutcome> r) {
        std::lock_guard lock(mu);
        results[i].emplace(std::move(r));
        ++answered[i];
        ++count;
        cv.notify_all();
      };
    }
    void Wait() {
      std::unique_lock lock(mu);
      cv.wait(lock, [this] { return count == results.size(); });
    }
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<Result<RecordOutcome>>> results;
    std::vector<int> answered;
    size_t count = 0;
  };

  RecordRequest Request(std::vector<schema::CareEvent> events) {
    RecordRequest r;
    r.nhs_number = kNhs;
    r.events = std::move(events);
    r.recorded_by = "tester";
    return r;
  }
};

TEST_P(RecorderAsyncTest, ManyRequestsForOnePersonAreAnsweredInArrivalOrder) {
  Register();
  Accept({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  constexpr size_t kRequests = 300;
  constexpr size_t kRefused = 137;  // names a spell that does not exist
  Outcomes outcomes(kRequests);
  for (size_t i = 0; i < kRequests; ++i) {
    const std::string id = "ae" + std::to_string(i);
    recorder().RecordAsync(
        Request({i == kRefused
                     ? Ev(id, "2014-06-08T11:00:00+01:00", Ready("S9"))
                     : Ev(id, "2014-06-08T11:00:00+01:00",
                          R"("aeAttended": {"attendanceId": ")" + id + "\"}")}),
        outcomes.For(i));
  }
  outcomes.Wait();
  uint64_t expected = 3;
  for (size_t i = 0; i < kRequests; ++i) {
    EXPECT_EQ(outcomes.answered[i], 1) << i;
    const Result<RecordOutcome>& r = *outcomes.results[i];
    if (i == kRefused) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Code::kRuleViolation);
      continue;
    }
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    EXPECT_EQ(r->first_version, expected) << i;
    EXPECT_FALSE(r->duplicate);
    ++expected;
  }
  EXPECT_EQ(Version(), 2 + kRequests - 1);
  Recorder fresh(log(), clock_);
  auto snap = fresh.Load(kNhs);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->state->facts().ae_attendances().size(), kRequests - 1);
  EXPECT_EQ(State()->version(), 2 + kRequests - 1);
}

TEST_P(RecorderAsyncTest, ARetryInTheQueueAnswersTheOriginalFigures) {
  Register();
  Outcomes outcomes(3);
  const auto ae = [](const std::string& id) {
    return Ev(id, "2014-06-08T11:00:00+01:00",
              R"("aeAttended": {"attendanceId": ")" + id + "\"}");
  };
  recorder().RecordAsync(Request({ae("x")}), outcomes.For(0));
  recorder().RecordAsync(Request({ae("y")}), outcomes.For(1));
  recorder().RecordAsync(Request({ae("x")}), outcomes.For(2));  // a retry
  outcomes.Wait();
  ASSERT_TRUE(outcomes.results[2]->ok());
  EXPECT_TRUE((*outcomes.results[2])->duplicate);
  EXPECT_EQ((*outcomes.results[2])->first_version,
            (*outcomes.results[0])->first_version);
  EXPECT_EQ(Version(), 3u);
}

TEST_P(RecorderAsyncTest, AdmitSeesThePersonAsStoredAndCanRefuse) {
  Register();
  Outcomes outcomes(2);
  RecordRequest refused =
      Request({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  uint64_t seen_version = 99;
  refused.admit = [&seen_version](const PersonState& person) {
    seen_version = person.version();
    return Status(Code::kPermissionDenied, "not in your area");
  };
  recorder().RecordAsync(std::move(refused), outcomes.For(0));
  RecordRequest admitted =
      Request({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  admitted.admit = [](const PersonState& person) {
    return person.facts().FindSpell("S1") == nullptr
               ? Status::Ok()
               : Status(Code::kInternal, "saw the refused request's event");
  };
  recorder().RecordAsync(std::move(admitted), outcomes.For(1));
  outcomes.Wait();
  EXPECT_EQ(seen_version, 1u);
  ASSERT_FALSE(outcomes.results[0]->ok());
  EXPECT_EQ(outcomes.results[0]->status().code(), Code::kPermissionDenied);
  ASSERT_TRUE(outcomes.results[1]->ok())
      << outcomes.results[1]->status().ToString();
  EXPECT_EQ((*outcomes.results[1])->first_version, 2u);
}

TEST_P(RecorderAsyncTest, AnExceptionWhileCheckingAnswersAndPassesTheTurn) {
  Register();
  Outcomes outcomes(1);
  RecordRequest failing =
      Request({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  failing.admit = [](const PersonState&) -> Status { throw std::bad_alloc(); };
  recorder().RecordAsync(std::move(failing), outcomes.For(0));
  outcomes.Wait();
  ASSERT_FALSE(outcomes.results[0]->ok());
  EXPECT_EQ(outcomes.results[0]->status().code(), Code::kInternal);
  // The person's turn was passed on: their next request is recorded.
  Outcomes next(1);
  recorder().RecordAsync(
      Request({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))}),
      next.For(0));
  next.Wait();
  ASSERT_TRUE(next.results[0]->ok()) << next.results[0]->status().ToString();
  EXPECT_EQ((*next.results[0])->first_version, 2u);
}

TEST_P(RecorderAsyncTest, HoldsThePeopleItHasFolded) {
  EXPECT_FALSE(recorder().Holds(kNhs));
  Register();
  EXPECT_TRUE(recorder().Holds(kNhs));
  EXPECT_FALSE(recorder().Holds(kOtherNhs));
}

// A person is recorded from memory when held, or when the log rules them out
// from memory alone (RocksDB can; the in-memory fake never says); a person
// stored but not held is not: their history would be read.
TEST_P(RecorderAsyncTest, RecordsFromMemoryThePeopleHeldAndTheNewOnes) {
  const bool rocksdb = GetParam();
  EXPECT_EQ(recorder().RecordsFromMemory(kNhs), rocksdb);
  Register();
  EXPECT_TRUE(recorder().RecordsFromMemory(kNhs));
  Recorder other(log(), clock_);
  EXPECT_FALSE(other.Holds(kNhs));
  EXPECT_FALSE(other.RecordsFromMemory(kNhs));
  EXPECT_EQ(other.RecordsFromMemory(kOtherNhs), rocksdb);
}

// A new person as the caller saw them (RecordsFromMemory) is taken without
// reading their history; a stale sight (another recorder registered them
// since) is not trusted for an answer: the request is checked again against
// the person as stored (after a refusal, or a failed expected version).
TEST_P(RecorderAsyncTest, ANewPersonSeenByTheCallerIsTakenButChecked) {
  bool known_new = false;
  recorder().RecordsFromMemory(kOtherNhs, &known_new);
  EXPECT_EQ(known_new, GetParam());
  RecordRequest fresh =
      Request({Ev("reg-new", "2014-06-01T09:00:00+01:00", Registered())});
  fresh.nhs_number = kOtherNhs;
  fresh.known_new = true;
  Outcomes first(1);
  recorder().RecordAsync(std::move(fresh), first.For(0));
  first.Wait();
  ASSERT_TRUE(first.results[0]->ok()) << first.results[0]->status().ToString();
  EXPECT_EQ((*first.results[0])->first_version, 1u);

  Recorder other(log(), clock_);
  ASSERT_TRUE(other
                  .Record(kNhs,
                          {Ev("reg-elsewhere", "2014-06-01T09:00:00+01:00",
                              Registered())},
                          std::nullopt, "other")
                  .ok());
  RecordRequest stale =
      Request({Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))});
  stale.known_new = true;
  Outcomes second(1);
  recorder().RecordAsync(std::move(stale), second.For(0));
  second.Wait();
  ASSERT_TRUE(second.results[0]->ok())
      << second.results[0]->status().ToString();
  EXPECT_EQ((*second.results[0])->first_version, 2u);
  EXPECT_EQ(Version(), 2u);
}

// RecordAsync moves a request's events into the person rather than copying
// them; an attempt that does not go through must give them back whole.
class RecorderAsyncRetryTest : public RecorderAsyncTest {
 protected:
  Result<RecordOutcome> PostAsync(std::vector<schema::CareEvent> events) {
    Outcomes outcomes(1);
    recorder().RecordAsync(Request(std::move(events)), outcomes.For(0));
    outcomes.Wait();
    return std::move(*outcomes.results[0]);
  }

  // The events stored from version `from` on, as recorded.
  std::vector<schema::CareEvent> StoredFrom(uint64_t from) {
    std::vector<schema::CareEvent> out;
    auto stored = log().ReadStream(PersonStream(kNhs), from, 100);
    EXPECT_TRUE(stored.ok());
    if (!stored.ok()) return out;
    for (const auto& r : *stored) {
      out.emplace_back();
      EXPECT_TRUE(out.back().ParseFromString(r.body));
    }
    return out;
  }
};

TEST_P(RecorderAsyncRetryTest, AnAppendThatLostARaceIsRetriedWithItsEvents) {
  AdmittedElsewhere();
  // Appended against the cached version 1: refused by the log, then checked
  // and appended again against the stored person.
  const std::vector<schema::CareEvent> events = {
      Ev("ae1", "2014-06-08T11:00:00+01:00",
         R"("aeAttended": {"attendanceId": "A", "site": "Romford"})"),
      Ev("ae2", "2014-06-08T12:00:00+01:00",
         R"("aeAttended": {"attendanceId": "B"})")};
  auto r = PostAsync(events);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->first_version, 3u);
  const auto stored = StoredFrom(3);
  ASSERT_EQ(stored.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(stored[i].SerializeAsString(), events[i].SerializeAsString())
        << stored[i].ShortDebugString();
  }
  EXPECT_NE(State()->facts().FindAttendance("A"), nullptr);
}

TEST_P(RecorderAsyncRetryTest,
       ARuleRefusedByTheCacheIsCheckedAgainWithItsEvents) {
  AdmittedElsewhere();
  // Against the cached person (no spell S1) this breaks a rule.
  const schema::CareEvent ready =
      Ev("r1", "2014-06-08T11:00:00+01:00", Ready("S1"));
  auto r = PostAsync({ready});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->first_version, 3u);
  const auto stored = StoredFrom(3);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].SerializeAsString(), ready.SerializeAsString());
}

TEST_P(RecorderAsyncRetryTest, AForeignIdIsNamedAfterARuleRefusal) {
  Register();
  Register(kOtherNhs);
  // The other person's event id, on an event that also breaks a rule here: a
  // conflict (409) before a rule (422), found from the request's event ids.
  auto r = PostAsync({Ev(std::string("reg-") + kOtherNhs,
                         "2014-06-08T11:00:00+01:00", Ready("S9"))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kConflict) << r.status().ToString();
  EXPECT_EQ(FieldOf(r.status()), "events[0].eventId");
}

INSTANTIATE_TEST_SUITE_P(Logs, RecorderAsyncRetryTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "RocksDb" : "InMemory";
                         });

INSTANTIATE_TEST_SUITE_P(Logs, RecorderAsyncTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "RocksDb" : "InMemory";
                         });

}  // namespace
}  // namespace carelog::testing
