#include "services/stream_build.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>

#include "gtest/gtest.h"
#include "services/recorder.h"
#include "services/stream_spill.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog {
namespace {

using testing::MemoryEventLog;

// What one stream looked like when handed to a sink.
struct Seen {
  std::vector<uint64_t> positions;
  std::vector<uint64_t> versions;
  std::vector<std::string> event_ids;
  size_t care = 0;
  int times = 0;
};

// Records every stream handed to its sinks.
class RecordingBuild final : public StreamBuild {
 public:
  RecordingBuild(bool persons, bool others)
      : persons_(persons), others_(others) {}
  bool WantsPersonStreams() const override { return persons_; }
  bool WantsOtherStreams() const override { return others_; }
  std::unique_ptr<StreamBuildSink> NewSink(storage::EventLog&) override {
    return std::make_unique<Sink>(*this);
  }
  Status Finish(storage::EventLog&, uint64_t last) override {
    finished_at = last;
    return Status::Ok();
  }

  std::mutex mu;
  std::map<std::string, Seen> seen;
  uint64_t finished_at = 0;

 private:
  class Sink final : public StreamBuildSink {
   public:
    explicit Sink(RecordingBuild& b) : b_(b) {}
    Status Stream(const BuildStream& s) override {
      std::lock_guard lock(b_.mu);
      Seen& seen = b_.seen[std::string(s.stream)];
      ++seen.times;
      seen.care = s.care.size();
      for (const SpilledEvent& e : s.recorded) {
        seen.positions.push_back(e.position);
        seen.versions.push_back(e.version);
        seen.event_ids.emplace_back(e.event_id);
      }
      return Status::Ok();
    }
    Status ChunkDone() override { return Status::Ok(); }
    Status Flush() override { return Status::Ok(); }

   private:
    RecordingBuild& b_;
  };
  const bool persons_, others_;
};

// 40 people and 3 admin streams, their events interleaved in the log: what
// each stream holds, in version order.
std::map<std::string, std::vector<storage::RecordedEvent>> FillLog(
    MemoryEventLog& log) {
  for (int round = 0; round < 5; ++round) {
    for (int p = 0; p < 40; ++p) {
      if ((p + round) % 3 == 0) continue;  // not everyone every round
      log.AppendCare(std::to_string(9000000000LL + p),
                     testing::Registered("2014-04-01T09:00:00Z", "1938-02-11",
                                         "E09000002"));
    }
    for (int a = 0; a < 3; ++a) {
      storage::AppendRequest r{"area-" + std::to_string(a),
                               storage::ExpectedVersion::Any(),
                               {{"admin-" + std::to_string(round * 3 + a),
                                 "carelog.schema.AdminEvent", "x"}},
                               "test"};
      EXPECT_TRUE(log.Append(std::move(r)).ok());
    }
  }
  std::map<std::string, std::vector<storage::RecordedEvent>> streams;
  auto all = log.ReadAll(1, 100000);
  EXPECT_TRUE(all.ok());
  for (auto& e : *all) streams[e.stream].push_back(e);
  return streams;
}

void ExpectHandedOnce(
    const RecordingBuild& build,
    const std::map<std::string, std::vector<storage::RecordedEvent>>& streams,
    bool persons, bool others, uint64_t last) {
  size_t wanted = 0;
  for (const auto& [name, events] : streams) {
    const bool person = IsPersonStream(name);
    if (person ? !persons : !others) {
      EXPECT_EQ(build.seen.count(name), 0u) << name;
      continue;
    }
    std::vector<uint64_t> positions, versions;
    std::vector<std::string> ids;
    for (const auto& e : events) {
      if (e.position > last) break;
      positions.push_back(e.position);
      versions.push_back(e.version);
      ids.push_back(e.event_id);
    }
    if (positions.empty()) continue;
    ++wanted;
    auto it = build.seen.find(name);
    ASSERT_NE(it, build.seen.end()) << name;
    EXPECT_EQ(it->second.times, 1) << name;
    EXPECT_EQ(it->second.positions, positions) << name;
    EXPECT_EQ(it->second.versions, versions) << name;
    EXPECT_EQ(it->second.event_ids, ids) << name;
    EXPECT_EQ(it->second.care, person ? positions.size() : 0u) << name;
  }
  EXPECT_EQ(build.seen.size(), wanted);
}

TEST(StreamBuild, HandsEveryStreamOnceInVersionOrderWhateverTheFiles) {
  MemoryEventLog log;
  auto streams = FillLog(log);
  const uint64_t last = log.LastPosition();
  // One group of temporary files, a few, and one per event or so.
  for (uint64_t group_bytes :
       {uint64_t{1} << 30, uint64_t{37 * 200}, uint64_t{1}}) {
    for (int threads : {1, 2}) {
      RecordingBuild people(true, false), admin(false, true), both(true, true);
      ASSERT_TRUE(BuildStreamByStream(log, last, {&people, &admin, &both},
                                      threads, nullptr,
                                      {.group_bytes = group_bytes})
                      .ok());
      ExpectHandedOnce(people, streams, true, false, last);
      ExpectHandedOnce(admin, streams, false, true, last);
      ExpectHandedOnce(both, streams, true, true, last);
      EXPECT_EQ(both.finished_at, last);
    }
  }
}

TEST(StreamBuild, StopsAtTheLastPositionGiven) {
  MemoryEventLog log;
  auto streams = FillLog(log);
  const uint64_t last = log.LastPosition() / 2 + 1;
  RecordingBuild both(true, true);
  ASSERT_TRUE(
      BuildStreamByStream(log, last, {&both}, 2, nullptr, {.group_bytes = 2000})
          .ok());
  ExpectHandedOnce(both, streams, true, true, last);
}

// A sink that fails on one stream fails the whole build with its error, and
// no projection is finished.
class FailingBuild final : public StreamBuild {
 public:
  explicit FailingBuild(std::string stream) : stream_(std::move(stream)) {}
  bool WantsPersonStreams() const override { return true; }
  bool WantsOtherStreams() const override { return true; }
  std::unique_ptr<StreamBuildSink> NewSink(storage::EventLog&) override {
    return std::make_unique<Sink>(stream_);
  }
  Status Finish(storage::EventLog&, uint64_t) override {
    finished = true;
    return Status::Ok();
  }
  std::atomic<bool> finished{false};

 private:
  class Sink final : public StreamBuildSink {
   public:
    explicit Sink(const std::string& stream) : stream_(stream) {}
    Status Stream(const BuildStream& s) override {
      if (s.stream != stream_) return Status::Ok();
      return Status(Code::kCorruption, "cannot fold " + stream_);
    }
    Status ChunkDone() override { return Status::Ok(); }
    Status Flush() override { return Status::Ok(); }

   private:
    const std::string& stream_;
  };
  const std::string stream_;
};

TEST(StreamBuild, AWorkersFailureFailsTheBuild) {
  MemoryEventLog log;
  auto streams = FillLog(log);
  const std::string victim = std::next(streams.begin(), 5)->first;
  for (int threads : {1, 2}) {
    FailingBuild failing(victim);
    RecordingBuild other(true, true);
    Status s = BuildStreamByStream(log, log.LastPosition(), {&other, &failing},
                                   threads, nullptr, {.group_bytes = 3000});
    EXPECT_EQ(s.code(), Code::kCorruption) << threads;
    EXPECT_EQ(s.message(), "cannot fold " + victim);
    EXPECT_FALSE(failing.finished.load());
    EXPECT_EQ(other.finished_at, 0u);
  }
}

// A read of the log that fails part way fails the build with the read's
// error (not "cancelled"), whichever reader hit it; nothing is finished.
TEST(StreamBuild, AReadFailingMidLogFailsTheBuild) {
  MemoryEventLog log;
  FillLog(log);
  const uint64_t last = log.LastPosition();
  // The estimate reads 16 samples first; then each reader scans its part of
  // the log (this log's ScanLog: one ReadAll of up to 1,000 events a reader
  // here), whichever of them fails.
  for (int threads : {1, 2}) {
    for (int fail_in = 17; fail_in <= 16 + threads; ++fail_in) {
      log.fail_read_all_in = fail_in;
      RecordingBuild both(true, true);
      Status s = BuildStreamByStream(log, last, {&both}, threads, nullptr,
                                     {.group_bytes = 3000, .page_events = 7});
      EXPECT_EQ(s.code(), Code::kIOError) << fail_in << " " << threads;
      EXPECT_EQ(s.message().rfind("cannot read position ", 0), 0u)
          << s.message();
      if (threads == 1) {
        EXPECT_EQ(s.message(), "cannot read position 1");
      }
      EXPECT_EQ(both.finished_at, 0u);
    }
  }
  log.fail_read_all_in = 0;
}

// Progress moves while the log is read, before any stream is folded, and
// ends at the last position.
TEST(StreamBuild, ReportsProgressWhileReading) {
  MemoryEventLog log;
  FillLog(log);
  const uint64_t last = log.LastPosition();
  RecordingBuild both(true, true);
  std::vector<uint64_t> before_any_stream, all;
  ASSERT_TRUE(BuildStreamByStream(log, last, {&both}, 1,
                                  [&](uint64_t done) {
                                    all.push_back(done);
                                    std::lock_guard lock(both.mu);
                                    if (both.seen.empty())
                                      before_any_stream.push_back(done);
                                    return true;
                                  },
                                  {.page_events = 10})
                  .ok());
  ASSERT_FALSE(before_any_stream.empty());
  EXPECT_GT(before_any_stream.back(), 0u);
  EXPECT_EQ(before_any_stream.back(), last / 2);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(all.back(), last);
}

// Two readers, and a build that stops short of the log's end: each reader's
// page that crosses its share's end (or `last`) is counted too, so the read
// phase ends at exactly half.
TEST(StreamBuild, ReportsAllOfTheReadPhaseWithSeveralReaders) {
  MemoryEventLog log;
  FillLog(log);
  const uint64_t last = log.LastPosition() - 5;
  RecordingBuild both(true, true);
  std::vector<uint64_t> before_any_stream;
  ASSERT_TRUE(BuildStreamByStream(log, last, {&both}, 2,
                                  [&](uint64_t done) {
                                    std::lock_guard lock(both.mu);
                                    if (both.seen.empty())
                                      before_any_stream.push_back(done);
                                    return true;
                                  },
                                  {.page_events = 7})
                  .ok());
  ASSERT_FALSE(before_any_stream.empty());
  EXPECT_EQ(before_any_stream.back(), last / 2);
}

// The number of groups comes from the events' bytes: ~1 KB events make
// proportionally more groups than small ones.
TEST(StreamBuild, EstimatesTheSpilledBytes) {
  MemoryEventLog small, large;
  FillLog(small);
  for (int i = 0; i < 300; ++i) {
    storage::AppendRequest r{
        "area-" + std::to_string(i % 7),
        storage::ExpectedVersion::Any(),
        {{"big-" + std::to_string(i), "carelog.schema.AdminEvent",
          std::string(1000 + i % 50, 'x')}},
        "test"};
    ASSERT_TRUE(large.Append(std::move(r)).ok());
  }
  auto exact = [](MemoryEventLog& log) {
    uint64_t bytes = 0;
    auto all = log.ReadAll(1, 100000);
    for (const auto& e : *all) bytes += SpilledSize(storage::View(e));
    return static_cast<double>(bytes);
  };
  for (MemoryEventLog* log : {&small, &large}) {
    auto estimate = EstimateSpilledBytes(*log, log->LastPosition());
    ASSERT_TRUE(estimate.ok());
    EXPECT_NEAR(static_cast<double>(*estimate), exact(*log), exact(*log) * 0.1);
  }
  auto big = EstimateSpilledBytes(large, large.LastPosition());
  EXPECT_GT(*big, 300u * 1000);
  RecordingBuild admin(false, true);
  ASSERT_TRUE(BuildStreamByStream(large, large.LastPosition(), {&admin}, 2,
                                  nullptr, {.group_bytes = 20000})
                  .ok());
  size_t handed = 0;
  for (const auto& [name, seen] : admin.seen) handed += seen.positions.size();
  EXPECT_EQ(handed, 300u);
}

TEST(StreamBuild, ProgressFalseCancels) {
  MemoryEventLog log;
  FillLog(log);
  RecordingBuild both(true, true);
  Status s = BuildStreamByStream(log, log.LastPosition(), {&both}, 2,
                                 [](uint64_t) { return false; });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(both.finished_at, 0u);
}

TEST(StreamSpill, EventsRoundTrip) {
  storage::RecordedEvent a{
      7,    "person-9000000001", 3, "id-a", "t", "body", 123456789,
      "by", std::string(32, 'h')};
  storage::RecordedEvent b{8,  "area-1", 1, "", "", std::string(5000, 'x'),
                           -5, "",       ""};
  std::string bytes;
  AppendSpilled(storage::View(a), bytes);
  AppendSpilled(storage::View(b), bytes);
  auto h = PeekSpilled(bytes);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->stream, a.stream);
  EXPECT_EQ(h->position, 7u);
  SpilledEvent out{1, "old", 9, "old", "old", "old body", 1, "old", "old"};
  ASSERT_TRUE(ReadSpilled(bytes, out));
  EXPECT_EQ(out.position, a.position);
  EXPECT_EQ(out.stream, a.stream);
  EXPECT_EQ(out.version, a.version);
  EXPECT_EQ(out.event_id, a.event_id);
  EXPECT_EQ(out.type, a.type);
  EXPECT_EQ(out.body, a.body);
  EXPECT_EQ(out.recorded_at_micros, a.recorded_at_micros);
  EXPECT_EQ(out.recorded_by, a.recorded_by);
  EXPECT_EQ(out.content_hash, a.content_hash);
  std::string_view rest(bytes);
  rest.remove_prefix(h->size);
  ASSERT_TRUE(ReadSpilled(rest, out));
  EXPECT_EQ(out.position, 8u);
  EXPECT_EQ(out.body, b.body);
  EXPECT_EQ(out.recorded_at_micros, -5);
  EXPECT_EQ(out.event_id, "");
  // A cut-off event is refused, not read past its end.
  EXPECT_FALSE(PeekSpilled(rest.substr(0, rest.size() - 1)).has_value());
  EXPECT_FALSE(ReadSpilled(rest.substr(0, rest.size() - 1), out));
}

// Rows come out in key order, each with its own projection and value (a
// delete stays a delete), whatever order they went in.
TEST(StreamBuild, SortRowsByKeyKeepsEachRowWhole) {
  std::mt19937 random(11);
  for (size_t n : {0, 1, 2, 7, 500}) {
    std::vector<storage::ProjectionWrite::Row> rows;
    for (size_t i = 0; i < n; ++i) {
      std::string key =
          "k" + std::to_string(random() % 100000) + "-" + std::to_string(i);
      std::optional<std::string> value;
      if (i % 5 != 0) value = "v" + key;
      rows.push_back({"p" + key, key, value});
    }
    std::shuffle(rows.begin(), rows.end(), random);
    SortRowsByKey(rows);
    ASSERT_EQ(rows.size(), n);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) {
        EXPECT_LT(rows[i - 1].key, rows[i].key);
      }
      EXPECT_EQ(rows[i].projection, "p" + rows[i].key);
      const bool deleted =
          std::stoul(rows[i].key.substr(rows[i].key.find('-') + 1)) % 5 == 0;
      EXPECT_EQ(rows[i].value.has_value(), !deleted);
      if (rows[i].value) {
        EXPECT_EQ(*rows[i].value, "v" + rows[i].key);
      }
    }
  }
}

std::string Joined(const SpillData& data) {
  std::string all;
  for (std::string_view part : data.parts()) all += part;
  return all;
}

TEST(StreamSpill, FilesGiveBackWhatWasAppended) {
  auto files = SpillFiles::Create(3);
  ASSERT_TRUE(files.ok());
  std::string want[3];
  for (int i = 0; i < 3000; ++i) {
    const size_t f = static_cast<size_t>(i) % 3;
    std::string piece(static_cast<size_t>(i % 700), static_cast<char>('a' + f));
    files->buffer(f) += piece;
    want[f] += piece;
    ASSERT_TRUE(files->Written(f).ok());
  }
  auto first = files->ReadBack({0});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Joined(**first), want[0]);
  // Several files read back as one, in the order asked.
  auto rest = files->ReadBack({2, 1});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Joined(**rest), want[2] + want[1]);
  EXPECT_EQ((*rest)->parts().size(), 2u);
}

// Files added later and bytes written straight away (the metrics build's
// rows) read back as appended, after what the buffer held.
TEST(StreamSpill, AddedFilesAndDirectWrites) {
  auto files = SpillFiles::Create(0);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->count(), 0u);
  auto a = files->Add();
  auto b = files->Add();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, 0u);
  EXPECT_EQ(*b, 1u);
  files->buffer(*b) += "buffered ";
  ASSERT_TRUE(files->Write(*b, "then written").ok());
  ASSERT_TRUE(files->Write(*a, std::string(300000, 'q')).ok());
  auto back = files->ReadBack({*b, *a});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Joined(**back), "buffered then written" + std::string(300000, 'q'));
}

// A file nothing was appended to (a group of streams without events) reads
// back as nothing, alone or among others: it is left out of the parts.
TEST(StreamSpill, EmptyFilesReadBackAsNothing) {
  auto files = SpillFiles::Create(3);
  ASSERT_TRUE(files.ok());
  files->buffer(1) += "only this";
  ASSERT_TRUE(files->Written(1).ok());
  auto empty = files->ReadBack({0});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->parts().empty());
  auto mixed = files->ReadBack({2, 1});
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(Joined(**mixed), "only this");
  EXPECT_EQ((*mixed)->parts().size(), 1u);
}

// A build given a directory for its files puts them there: one that cannot
// take them fails the build, naming it.
TEST(StreamBuild, SpillsIntoTheDirectoryGiven) {
  MemoryEventLog log;
  auto streams = FillLog(log);
  const std::string missing =
      std::filesystem::temp_directory_path() / "carelog-no-such-spill-dir";
  std::filesystem::remove_all(missing);
  RecordingBuild refused(true, true);
  Status s = BuildStreamByStream(log, log.LastPosition(), {&refused}, 2,
                                 nullptr, {.directory = missing});
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_NE(s.message().find(missing), std::string::npos) << s.message();
  EXPECT_EQ(refused.finished_at, 0u);
  std::filesystem::create_directory(missing);
  RecordingBuild both(true, true);
  s = BuildStreamByStream(log, log.LastPosition(), {&both}, 2, nullptr,
                          {.directory = missing, .group_bytes = 10000});
  EXPECT_TRUE(s.ok()) << s.message();
  ExpectHandedOnce(both, streams, true, true, log.LastPosition());
  // Nothing is left behind.
  EXPECT_TRUE(std::filesystem::is_empty(missing));
  std::filesystem::remove_all(missing);
}

// The files go to the operator's temporary directory (TMPDIR): one that does
// not exist is an error that names it, not a silent fall back to /tmp.
TEST(StreamSpill, FilesGoToTmpdir) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  const std::string missing =
      std::filesystem::temp_directory_path() / "carelog-no-such-dir-spill";
  std::filesystem::remove_all(missing);
  ASSERT_EQ(::setenv("TMPDIR", missing.c_str(), 1), 0);
  auto refused = SpillFiles::Create(1);
  std::filesystem::create_directory(missing);
  auto created = SpillFiles::Create(2);
  std::filesystem::remove_all(missing);
  if (old) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kIOError);
  EXPECT_NE(refused.status().message().find("temporary directory"),
            std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(created.ok()) << created.status().message();
}

}  // namespace
}  // namespace carelog
