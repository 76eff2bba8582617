// Concurrency of the sequencer, through the EventLog it serves.
#include "storage/sequencer.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::Event;
using testing::MustOpen;
using testing::Options;
using testing::Request;
using testing::TempDir;

// Every position 1..last holds exactly one event, each stream's versions
// run 1..n in position order.
void ExpectConsistent(EventLog& log, size_t expected_events) {
  ASSERT_EQ(log.LastPosition(), expected_events);
  auto all = log.ReadAll(1, expected_events + 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), expected_events);
  std::set<std::string> ids;
  std::map<std::string, uint64_t> versions;
  for (size_t i = 0; i < all->size(); ++i) {
    const RecordedEvent& e = (*all)[i];
    EXPECT_EQ(e.position, i + 1);
    EXPECT_TRUE(ids.insert(e.event_id).second) << "duplicated " << e.event_id;
    EXPECT_EQ(e.version, ++versions[e.stream]) << "stream " << e.stream;
  }
  for (const auto& [stream, version] : versions)
    EXPECT_EQ(*log.StreamVersion(stream), version);
  Status full = log.VerifyFull();
  EXPECT_TRUE(full.ok()) << full.ToString();
}

TEST(Sequencer, ManyThreadsOnDifferentStreams) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  constexpr int kThreads = 16, kAppends = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        const std::string id =
            "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = log->Append(Request("person-" + std::to_string(t),
                                     ExpectedVersion::Exact(2 * i),
                                     {Event(id + "a"), Event(id + "b")}));
        if (!r.ok() || r->first_version != static_cast<uint64_t>(2 * i + 1))
          ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ExpectConsistent(*log, kThreads * kAppends * 2);
}

TEST(Sequencer, StatsCountFsyncBatchesAndTheirSizes) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  CommitStats stats = log->Stats();
  EXPECT_EQ(stats.fsync_batches, 0u);
  ASSERT_TRUE(log->Append(Request("person-1", ExpectedVersion::NoStream(),
                                  {Event("a"), Event("b"), Event("c")}))
                  .ok());
  ASSERT_TRUE(log->AppendAudit("person-1", "read").ok());
  stats = log->Stats();
  // Each call waited for its own fsync: two batches, of 3 events and of 0.
  EXPECT_EQ(stats.fsync_batches, 2u);
  EXPECT_EQ(stats.events_synced, 3u);
  EXPECT_EQ(stats.audit_entries_synced, 1u);
  EXPECT_GE(stats.fsync_seconds, 0.0);
  EXPECT_EQ(stats.batch_events[0], 1u);  // le 0
  EXPECT_EQ(stats.batch_events[3], 1u);  // le 4, above 2
  uint64_t total = 0;
  for (uint64_t n : stats.batch_events) total += n;
  EXPECT_EQ(total, stats.fsync_batches);

  // A refused append writes nothing and needs no fsync.
  EXPECT_FALSE(log->Append(Request("person-1", ExpectedVersion::NoStream(),
                                   {Event("d")}))
                   .ok());
  EXPECT_EQ(log->Stats().fsync_batches, 2u);

  // Many concurrent appends share fsyncs: fewer batches than appends, every
  // event counted once.
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        (void)log->Append(
            Request("s" + std::to_string(t), ExpectedVersion::Any(),
                    {Event(std::to_string(t) + "-" + std::to_string(i))}));
      }
    });
  }
  for (auto& th : threads) th.join();
  stats = log->Stats();
  EXPECT_EQ(stats.events_synced, 3u + kThreads * 10);
  EXPECT_LE(stats.fsync_batches, 2u + kThreads * 10);
  total = 0;
  for (uint64_t n : stats.batch_events) total += n;
  EXPECT_EQ(total, stats.fsync_batches);

  // Each fsync is counted once by how long it took, in the bucket its time
  // falls in: the buckets' bounds enclose the total time.
  total = 0;
  double at_least = 0, at_most = 0;
  for (size_t i = 0; i < CommitStats::kFsyncBuckets; ++i) {
    const auto n = static_cast<double>(stats.fsync_duration[i]);
    total += stats.fsync_duration[i];
    if (i > 0) at_least += n * CommitStats::kFsyncSecondsBounds[i - 1];
    at_most += n * (i + 1 < CommitStats::kFsyncBuckets
                        ? CommitStats::kFsyncSecondsBounds[i]
                        : 1e9);
  }
  EXPECT_EQ(total, stats.fsync_batches);
  EXPECT_LE(at_least, stats.fsync_seconds);
  EXPECT_GE(at_most, stats.fsync_seconds);
}

Result<AppendResult> AppendWithAudit(EventLog& log, AppendRequest request,
                                     const std::string& subject,
                                     const std::string& entry) {
  std::promise<Result<AppendResult>> promise;
  log.AppendAsyncWithAudit(
      std::move(request), subject, entry,
      [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return promise.get_future().get();
}

TEST(Sequencer, AnAuditEntryWithAnAppendShareOneFsync) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  auto first = AppendWithAudit(*log,
                               Request("person-1", ExpectedVersion::NoStream(),
                                       {Event("a"), Event("b")}),
                               "person-1", "wrote a and b");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->last_position, 2u);
  EXPECT_GT(first->audit_id, 0u);
  CommitStats stats = log->Stats();
  EXPECT_EQ(stats.fsync_batches, 1u);
  EXPECT_EQ(stats.events_synced, 2u);
  EXPECT_EQ(stats.audit_entries_synced, 1u);
  auto audit = log->ReadAudit("person-1", 0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].first, first->audit_id);
  EXPECT_EQ((*audit)[0].second, "wrote a and b");

  // A retry (duplicate) and a refusal write no entry: the caller records those.
  auto retry = AppendWithAudit(*log,
                               Request("person-1", ExpectedVersion::NoStream(),
                                       {Event("a"), Event("b")}),
                               "person-1", "retry");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->audit_id, 0u);
  auto stale = AppendWithAudit(
      *log, Request("person-1", ExpectedVersion::Exact(1), {Event("c")}),
      "person-1", "stale");
  EXPECT_EQ(stale.status().code(), Code::kWrongVersion);
  EXPECT_EQ(log->ReadAudit("person-1", 0, 10)->size(), 1u);
  auto bad_subject = AppendWithAudit(
      *log, Request("person-1", ExpectedVersion::Exact(2), {Event("c")}), "",
      "no subject");
  EXPECT_EQ(bad_subject.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(log->StreamVersion("person-1").value(), 2u);

  // Concurrent appends with entries and entries alone keep the hash chain.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "person-t" + std::to_string(t);
      for (int i = 0; i < 10; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(AppendWithAudit(
                        *log,
                        Request(stream, ExpectedVersion::Exact(i), {Event(id)}),
                        stream, "wrote " + id)
                        .ok());
        std::promise<Result<uint64_t>> read;
        log->AppendAuditAsync(
            stream, "read " + id,
            [&read](Result<uint64_t> r) { read.set_value(std::move(r)); });
        EXPECT_TRUE(read.get_future().get().ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(log->ReadAudit("person-t3", 0, 100)->size(), 20u);
  Status full = log->VerifyFull();
  EXPECT_TRUE(full.ok()) << full.ToString();
}

TEST(Sequencer, ManyThreadsOnOneStreamLoseNoVersion) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  constexpr int kThreads = 12, kAppends = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> versions_won;
  std::atomic<int> wrong_version{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        const std::string id =
            "t" + std::to_string(t) + "-" + std::to_string(i);
        // Read the version, append expecting it, re-read and retry when another
        // thread won.
        for (;;) {
          const uint64_t v = *log->StreamVersion("shared");
          auto r = log->Append(
              Request("shared", ExpectedVersion::Exact(v), {Event(id)}));
          if (r.ok()) {
            std::lock_guard lock(mu);
            EXPECT_TRUE(versions_won.insert(r->first_version).second);
            EXPECT_EQ(r->first_version, v + 1);
            break;
          }
          ASSERT_EQ(r.status().code(), Code::kWrongVersion)
              << r.status().ToString();
          ++wrong_version;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(versions_won.size(), static_cast<size_t>(kThreads * kAppends));
  EXPECT_EQ(*versions_won.rbegin(), static_cast<uint64_t>(kThreads * kAppends));
  ExpectConsistent(*log, kThreads * kAppends);
}

TEST(Sequencer, RequestsQueuedTogetherSeeEachOther) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  // Queued without waiting, so that most land in one group commit.
  constexpr int kRequests = 200;
  std::vector<std::promise<Result<AppendResult>>> done(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    AppendRequest r = i % 2 == 0 ? Request("s", ExpectedVersion::Exact(i),
                                           {Event(std::to_string(i))})
                                 : Request("s", ExpectedVersion::Any(),
                                           {Event(std::to_string(i))});
    log->AppendAsync(std::move(r), [&done, i](Result<AppendResult> res) {
      done[i].set_value(std::move(res));
    });
  }
  // The same event id twice in one burst: the second is a retry of the first.
  std::promise<Result<AppendResult>> first, again;
  log->AppendAsync(
      Request("u", ExpectedVersion::NoStream(), {Event("x")}),
      [&first](Result<AppendResult> r) { first.set_value(std::move(r)); });
  log->AppendAsync(
      Request("u", ExpectedVersion::NoStream(), {Event("x")}),
      [&again](Result<AppendResult> r) { again.set_value(std::move(r)); });
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto r = done[i].get_future().get();
    if (r.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(r.status().code(), Code::kWrongVersion);
    }
  }
  auto a = first.get_future().get();
  auto b = again.get_future().get();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->duplicate);
  EXPECT_TRUE(b->duplicate);
  EXPECT_EQ(a->first_position, b->first_position);
  // Requests expecting the version their predecessors produce all pass in
  // order.
  EXPECT_EQ(ok, kRequests);
  ExpectConsistent(*log, kRequests + 1);
}

// The dedup index is read with one MultiGet per commit: ids stored in table
// files, in the memtable and earlier in the same commit must all be found, and
// new ones beside them must not.
TEST(Sequencer, DedupFindsIdsWhereverTheyAreMixedWithNewOnes) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  ASSERT_TRUE(log->Append(Request("a", ExpectedVersion::NoStream(),
                                  {Event("a1"), Event("a2")}))
                  .ok());
  log.reset();  // closing flushes: a1 and a2 now lie in a table file
  log = MustOpen(Options(dir.path()));
  ASSERT_TRUE(
      log->Append(Request("b", ExpectedVersion::NoStream(), {Event("b1")}))
          .ok());  // in the memtable

  // Queued without waiting, so that they meet in one commit.
  std::vector<AppendRequest> burst = {
      Request("a", ExpectedVersion::Any(), {Event("a1"), Event("a2")}),
      Request("b", ExpectedVersion::Any(), {Event("b1")}),
      Request("c", ExpectedVersion::NoStream(), {Event("c1"), Event("c2")}),
      Request("c", ExpectedVersion::Any(), {Event("c2"), Event("c3")}),
      Request("a", ExpectedVersion::Any(), {Event("a2"), Event("n1")}),
      Request("c", ExpectedVersion::NoStream(), {Event("c1"), Event("c2")}),
      Request("b", ExpectedVersion::Any(), {Event("a1")}),
      Request("d", ExpectedVersion::NoStream(), {Event("d1")}),
  };
  std::vector<std::promise<Result<AppendResult>>> done(burst.size());
  for (size_t i = 0; i < burst.size(); ++i) {
    log->AppendAsync(std::move(burst[i]), [&done, i](Result<AppendResult> r) {
      done[i].set_value(std::move(r));
    });
  }
  std::vector<Result<AppendResult>> got;
  for (auto& d : done) got.push_back(d.get_future().get());
  // Retries of stored events, from a table file and from the memtable.
  ASSERT_TRUE(got[0].ok()) << got[0].status().ToString();
  EXPECT_TRUE(got[0]->duplicate);
  EXPECT_EQ(got[0]->first_position, 1u);
  EXPECT_EQ(got[0]->last_position, 2u);
  ASSERT_TRUE(got[1].ok());
  EXPECT_TRUE(got[1]->duplicate);
  EXPECT_EQ(got[1]->first_position, 3u);
  // New events, then a request repeating one of them with a new one.
  ASSERT_TRUE(got[2].ok());
  EXPECT_FALSE(got[2]->duplicate);
  EXPECT_EQ(got[2]->first_position, 4u);
  EXPECT_EQ(got[3].status().code(), Code::kConflict);
  EXPECT_NE(got[3].status().message().find("'c3'"), std::string::npos);
  // A stored id beside a new one.
  EXPECT_EQ(got[4].status().code(), Code::kConflict);
  EXPECT_NE(got[4].status().message().find("'n1'"), std::string::npos);
  // A retry within the same burst, despite its expected version.
  ASSERT_TRUE(got[5].ok());
  EXPECT_TRUE(got[5]->duplicate);
  EXPECT_EQ(got[5]->first_position, 4u);
  EXPECT_EQ(got[5]->last_version, 2u);
  // A stored id in another stream.
  EXPECT_EQ(got[6].status().code(), Code::kConflict);
  ASSERT_TRUE(got[7].ok());
  EXPECT_EQ(got[7]->first_position, 6u);
  ExpectConsistent(*log, 6);
  EXPECT_FALSE(log->FindEvent("n1")->has_value());
  EXPECT_FALSE(log->FindEvent("c3")->has_value());

  // And once everything lies in table files.
  log.reset();
  log = MustOpen(Options(dir.path()));
  auto retry = log->Append(
      Request("c", ExpectedVersion::Any(), {Event("c1"), Event("c2")}));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, 4u);
  EXPECT_EQ(log->Append(Request("d", ExpectedVersion::Any(),
                                {Event("d1"), Event("d2")}))
                .status()
                .code(),
            Code::kConflict);
  ExpectConsistent(*log, 6);
}

TEST(Sequencer, IdsOfOneCommitInAnyOrderEachIndexTheirOwnEvent) {
  // The commit writes its dedup entries sorted by id, not in event order:
  // each must still hold its own event's position.
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  const std::vector<std::vector<std::string>> ids = {
      {"m", "c", "x"}, {"a", "zz", "b"}, {"q"}, {"e", "d"}};
  std::vector<std::promise<Result<AppendResult>>> done(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    std::vector<NewEvent> events;
    for (const std::string& id : ids[i]) events.push_back(Event(id, "b-" + id));
    log->AppendAsync(Request("s" + std::to_string(i),
                             ExpectedVersion::NoStream(), std::move(events)),
                     [&done, i](Result<AppendResult> r) {
                       done[i].set_value(std::move(r));
                     });
  }
  std::vector<AppendResult> results;
  for (auto& d : done) {
    auto r = d.get_future().get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    results.push_back(*r);
  }
  auto check = [&](EventLog& l) {
    for (size_t i = 0; i < ids.size(); ++i) {
      for (size_t k = 0; k < ids[i].size(); ++k) {
        auto found = l.FindEvent(ids[i][k]);
        ASSERT_TRUE(found.ok() && found->has_value()) << ids[i][k];
        EXPECT_EQ((*found)->position, results[i].first_position + k);
        EXPECT_EQ((*found)->body, "b-" + ids[i][k]);
      }
      std::vector<NewEvent> events;
      for (const std::string& id : ids[i])
        events.push_back(Event(id, "b-" + id));
      auto retry = l.Append(Request("s" + std::to_string(i),
                                    ExpectedVersion::Any(), std::move(events)));
      ASSERT_TRUE(retry.ok()) << retry.status().ToString();
      EXPECT_TRUE(retry->duplicate);
      EXPECT_EQ(retry->first_position, results[i].first_position);
      EXPECT_EQ(retry->last_position, results[i].last_position);
    }
  };
  check(*log);
  ExpectConsistent(*log, 9);
  log.reset();  // and from table files
  log = MustOpen(Options(dir.path()));
  check(*log);
  ExpectConsistent(*log, 9);
}

TEST(Sequencer, ALoneAppendIsDurableWhenAnswered) {
  // With nothing queued behind it, the sequencer's own thread fsyncs and
  // answers: one fsync per append, each answered only after it.
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  for (uint64_t i = 1; i <= 20; ++i) {
    std::promise<uint64_t> durable_at_answer;
    log->AppendAsync(Request("person-1", ExpectedVersion::Exact(i - 1),
                             {Event("e" + std::to_string(i))}),
                     [&](Result<AppendResult> r) {
                       // Answered on every path: a failed append fails the
                       // test instead of leaving it waiting.
                       EXPECT_TRUE(r.ok()) << r.status().ToString();
                       if (r.ok()) {
                         EXPECT_EQ(r->last_position, i);
                       }
                       durable_at_answer.set_value(log->LastPosition());
                     });
    EXPECT_EQ(durable_at_answer.get_future().get(), i);
    EXPECT_EQ(log->Stats().fsync_batches, i);
  }
  // Interleaved with audit entries and a refused append, still in order.
  EXPECT_EQ(log->Append(Request("person-1", ExpectedVersion::NoStream(),
                                {Event("late")}))
                .status()
                .code(),
            Code::kWrongVersion);
  auto audit = log->AppendAudit("person-1", "read");
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(*audit, 1u);
  ExpectConsistent(*log, 20);
}

TEST(Sequencer, AWaitingCallerOnAnIdleLogCommitsOnItsOwnThread) {
  // EventLog::Append and AppendAudit wait for their answer: when nothing is
  // queued and no fsync is under way, the batch is committed, synced and
  // answered on the caller's thread (no hand-off to the sequencer's thread and
  // back). The server clock is read once per commit, on the committing thread.
  TempDir dir;
  auto options = Options(dir.path());
  std::mutex mu;
  std::vector<std::thread::id> committed_on;
  options.now_micros = [&] {
    std::lock_guard lock(mu);
    committed_on.push_back(std::this_thread::get_id());
    return int64_t{1'000'000};
  };
  auto log = MustOpen(options);
  const std::thread::id here = std::this_thread::get_id();
  for (uint64_t i = 1; i <= 5; ++i) {
    auto r = log->Append(Request("person-1", ExpectedVersion::Exact(i - 1),
                                 {Event("e" + std::to_string(i))}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(log->LastPosition(), i);  // durable when answered
  }
  auto audit = log->AppendAudit("person-1", "read");
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  // A refused append is decided here too, and changes nothing.
  EXPECT_EQ(log->Append(Request("person-1", ExpectedVersion::NoStream(),
                                {Event("x")}))
                .status()
                .code(),
            Code::kWrongVersion);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(committed_on.size(), 7u);
    for (const auto& id : committed_on) EXPECT_EQ(id, here);
    committed_on.clear();
  }
  EXPECT_EQ(log->Stats().fsync_batches, 6u);
  // An append that does not wait is the sequencer's.
  std::promise<void> answered;
  log->AppendAsync(
      Request("person-1", ExpectedVersion::Exact(5), {Event("e6")}),
      [&](Result<AppendResult> r) {
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        answered.set_value();
      });
  answered.get_future().get();
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(committed_on.size(), 1u);
    EXPECT_NE(committed_on[0], here);
  }
  ExpectConsistent(*log, 6);
}

TEST(Sequencer, WaitingAndQueuedCallersTogetherLoseNothing) {
  // Callers that wait (committing on their own thread when the log is idle)
  // and callers that queue, on the same streams at once: every version and
  // position once, every answer given, audit entries kept. Which thread
  // commits depends on timing; a lost wake-up would show as a hang.
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  constexpr int kThreads = 8, kAppends = 40;
  std::atomic<int> failures{0}, queued_answers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        const std::string id =
            "t" + std::to_string(t) + "-" + std::to_string(i);
        auto request = Request("person-" + std::to_string((t + i) % 3),
                               ExpectedVersion::Any(), {Event(id)});
        if ((t + i) % 2 == 0) {
          if (!log->Append(std::move(request)).ok()) ++failures;
        } else {
          log->AppendAsync(std::move(request), [&](Result<AppendResult> r) {
            if (!r.ok()) ++failures;
            ++queued_answers;
          });
        }
        if (i % 10 == 0 && !log->AppendAudit("person-0", id).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  // Every queued append is answered before a waiting caller behind it.
  ASSERT_TRUE(log->AppendAudit("person-0", "last").ok());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(queued_answers.load(), kThreads * kAppends / 2);
  EXPECT_EQ(log->ReadAudit("person-0", 0, 1000)->size(),
            static_cast<size_t>(kThreads * (kAppends / 10) + 1));
  ExpectConsistent(*log, kThreads * kAppends);
}

TEST(Sequencer, AuditEntriesQueuedTogetherShareOneFsync) {
  // A worklist read audits every person it shows: queued together, the
  // entries are one commit and one fsync, answered once when all are durable.
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < 50; ++i)
    entries.emplace_back("person-" + std::to_string(i % 25),
                         "seen " + std::to_string(i));
  std::promise<Status> written;
  int answers = 0;
  log->AppendAuditsAsync(entries, [&](Status s) {
    ++answers;
    written.set_value(std::move(s));
  });
  Status s = written.get_future().get();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(answers, 1);
  const CommitStats stats = log->Stats();
  EXPECT_EQ(stats.fsync_batches, 1u);
  EXPECT_EQ(stats.audit_entries_synced, 50u);
  auto seven = log->ReadAudit("person-7", 0, 10);
  ASSERT_TRUE(seven.ok());
  ASSERT_EQ(seven->size(), 2u);
  EXPECT_EQ((*seven)[0].second, "seen 7");
  EXPECT_EQ((*seven)[1].second, "seen 32");

  // A bad subject among them: the others are still written, and the one
  // answer carries the error.
  std::promise<Status> refused;
  log->AppendAuditsAsync({{"person-1", "again"}, {"", "no subject"}},
                         [&](Status e) { refused.set_value(std::move(e)); });
  EXPECT_EQ(refused.get_future().get().code(), Code::kInvalidArgument);
  auto one = log->ReadAudit("person-1", 0, 10);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 3u);  // "seen 1", "seen 26" and "again"
  EXPECT_EQ(one->back().second, "again");
  // Nothing to write: answered at once.
  std::promise<Status> none;
  log->AppendAuditsAsync({}, [&](Status e) { none.set_value(std::move(e)); });
  EXPECT_TRUE(none.get_future().get().ok());
}

TEST(Sequencer, SmallBatchesStillCommitEverything) {
  TempDir dir;
  auto options = Options(dir.path());
  options.max_batch_events = 3;
  options.stream_head_cache_entries = 2;  // forces head lookups in the store
  auto log = MustOpen(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto r = log->Append(
            Request("s" + std::to_string((t + i) % 5), ExpectedVersion::Any(),
                    {Event(std::to_string(t) + "." + std::to_string(i))}));
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  ExpectConsistent(*log, 120);
}

TEST(Sequencer, ClosingAnswersEverythingQueued) {
  TempDir dir;
  auto log = MustOpen(Options(dir.path()));
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    log->AppendAsync(
        Request("s", ExpectedVersion::Any(), {Event(std::to_string(i))}),
        [&answered](Result<AppendResult> r) {
          if (r.ok()) ++answered;
        });
  }
  log.reset();
  EXPECT_EQ(answered.load(), 50);
  auto reopened = MustOpen(Options(dir.path()));
  EXPECT_EQ(reopened->LastPosition(), 50u);
}

}  // namespace
}  // namespace carelog::storage
