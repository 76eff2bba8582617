#include "storage/rocksdb_event_log.h"

#include <gtest/gtest.h>

#include <future>
#include <tuple>

#include "storage/content_hash.h"
#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::Event;
using testing::FakeClock;
using testing::MustOpen;
using testing::Options;
using testing::Request;
using testing::TempDir;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = MustOpen(Options(dir_.path(), &clock_)); }
  void Reopen() {
    log_.reset();
    log_ = MustOpen(Options(dir_.path(), &clock_));
  }
  AppendResult MustAppend(AppendRequest r) {
    auto result = log_->Append(std::move(r));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : AppendResult{};
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, EmptyLog) {
  EXPECT_EQ(log_->LastPosition(), 0u);
  EXPECT_EQ(*log_->StreamVersion("person-1"), 0u);
  EXPECT_TRUE(log_->ReadAll(1, 10)->empty());
  EXPECT_TRUE(log_->ReadStream("person-1", 1, 10)->empty());
  EXPECT_FALSE(log_->FindEvent("nope")->has_value());
  EXPECT_EQ(*log_->PositionAtOrBefore(5'000'000), 0u);
  EXPECT_TRUE(log_->VerifyFull().ok());
}

TEST_F(EventLogTest, StreamVersionInMemoryAnswersOnlyWithoutTheDisk) {
  using Version = std::optional<uint64_t>;
  MustAppend(Request("person-0000", ExpectedVersion::NoStream(),
                     {Event("e1"), Event("e2")}));
  // In the memtable.
  EXPECT_EQ(*log_->StreamVersionInMemory("person-0000"), Version(2));
  EXPECT_EQ(*log_->StreamVersionInMemory("person-x"), Version(0));
  // Enough streams after it that its head lands in a table block of its own
  // once flushed (opening reads the last stream's head, not this one's).
  std::vector<std::future<Result<AppendResult>>> answers;
  for (int i = 1; i < 3000; ++i) {
    auto answer = std::make_shared<std::promise<Result<AppendResult>>>();
    answers.push_back(answer->get_future());
    log_->AppendAsync(
        Request("person-" + std::to_string(10000 + i),
                ExpectedVersion::NoStream(), {Event("f" + std::to_string(i))}),
        [answer](Result<AppendResult> r) { answer->set_value(std::move(r)); });
  }
  for (auto& answer : answers) ASSERT_TRUE(answer.get().ok());
  // Reopened, the head is in a table file whose block is not cached: telling
  // would read the disk. A stream after every key of the file is told at once.
  Reopen();
  EXPECT_EQ(*log_->StreamVersionInMemory("person-0000"), std::nullopt);
  EXPECT_EQ(*log_->StreamVersionInMemory("person-x"), Version(0));
  EXPECT_EQ(*log_->StreamVersion("person-0000"), 2u);  // now cached
  EXPECT_EQ(*log_->StreamVersionInMemory("person-0000"), Version(2));
  EXPECT_FALSE(log_->StreamVersionInMemory("").ok());
}

TEST_F(EventLogTest, AppendsAndReadsBack) {
  clock_.Set(10);
  AppendResult a = MustAppend(Request("person-1", ExpectedVersion::NoStream(),
                                      {Event("e1"), Event("e2")}));
  EXPECT_EQ(a.first_version, 1u);
  EXPECT_EQ(a.last_version, 2u);
  EXPECT_EQ(a.first_position, 1u);
  EXPECT_EQ(a.last_position, 2u);
  EXPECT_EQ(a.recorded_at_micros, 10);
  EXPECT_FALSE(a.duplicate);
  AppendResult b =
      MustAppend(Request("person-2", ExpectedVersion::Any(), {Event("e3")}));
  EXPECT_EQ(b.first_version, 1u);
  EXPECT_EQ(b.first_position, 3u);
  AppendResult c =
      MustAppend(Request("person-1", ExpectedVersion::Exact(2), {Event("e4")}));
  EXPECT_EQ(c.first_version, 3u);
  EXPECT_EQ(c.first_position, 4u);

  EXPECT_EQ(log_->LastPosition(), 4u);
  EXPECT_EQ(*log_->StreamVersion("person-1"), 3u);
  auto stream = log_->ReadStream("person-1", 1, 100);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 3u);
  EXPECT_EQ((*stream)[0].event_id, "e1");
  EXPECT_EQ((*stream)[2].event_id, "e4");
  EXPECT_EQ((*stream)[2].position, 4u);
  EXPECT_EQ((*stream)[2].version, 3u);
  const RecordedEvent& first = (*stream)[0];
  EXPECT_EQ(first.stream, "person-1");
  EXPECT_EQ(first.type, "carelog.test.Event");
  EXPECT_EQ(first.body, "body of e1");
  EXPECT_EQ(first.recorded_by, "tester");
  EXPECT_EQ(first.recorded_at_micros, 10);
  EXPECT_EQ(first.content_hash,
            ContentHash("person-1", "carelog.test.Event", "body of e1"));

  auto from2 = log_->ReadStream("person-1", 2, 1);
  ASSERT_EQ(from2->size(), 1u);
  EXPECT_EQ((*from2)[0].event_id, "e2");

  auto all = log_->ReadAll(2, 2);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].event_id, "e2");
  EXPECT_EQ((*all)[1].event_id, "e3");
  EXPECT_EQ(log_->ReadAll(0, 100)->size(), 4u);
  EXPECT_TRUE(log_->ReadAll(5, 100)->empty());

  // ScanLog: the same events as ReadAll, field for field, from and to
  // capped at the log's ends, stopped when asked.
  std::vector<RecordedEvent> scanned;
  ASSERT_TRUE(log_->ScanLog(0, 100,
                            [&](const RecordedEventView& e) {
                              scanned.push_back(
                                  {e.position, std::string(e.stream), e.version,
                                   std::string(e.event_id), std::string(e.type),
                                   std::string(e.body), e.recorded_at_micros,
                                   std::string(e.recorded_by),
                                   std::string(e.content_hash)});
                              return true;
                            })
                  .ok());
  auto read = log_->ReadAll(1, 100);
  ASSERT_EQ(scanned.size(), read->size());
  for (size_t i = 0; i < scanned.size(); ++i) {
    const RecordedEvent &got = scanned[i], &want = (*read)[i];
    EXPECT_EQ(std::tie(got.position, got.stream, got.version, got.event_id,
                       got.type, got.body, got.recorded_at_micros,
                       got.recorded_by, got.content_hash),
              std::tie(want.position, want.stream, want.version, want.event_id,
                       want.type, want.body, want.recorded_at_micros,
                       want.recorded_by, want.content_hash));
  }
  std::vector<uint64_t> positions;
  ASSERT_TRUE(log_->ScanLog(2, 3,
                            [&](const RecordedEventView& e) {
                              positions.push_back(e.position);
                              return true;
                            })
                  .ok());
  EXPECT_EQ(positions, (std::vector<uint64_t>{2, 3}));
  positions.clear();
  ASSERT_TRUE(log_->ScanLog(1, 4,
                            [&](const RecordedEventView& e) {
                              positions.push_back(e.position);
                              return e.position < 2;
                            })
                  .ok());
  EXPECT_EQ(positions, (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(log_->ScanLog(5, 9,
                            [](const RecordedEventView&) {
                              ADD_FAILURE()
                                  << "nothing lies after the last position";
                              return true;
                            })
                  .ok());

  auto found = log_->FindEvent("e3");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->position, 3u);
  EXPECT_EQ((*found)->stream, "person-2");
  EXPECT_TRUE(log_->VerifyFull().ok());
}

TEST_F(EventLogTest, ExpectedVersionConflicts) {
  MustAppend(Request("s", ExpectedVersion::NoStream(), {Event("a")}));
  auto none =
      log_->Append(Request("s", ExpectedVersion::NoStream(), {Event("b")}));
  EXPECT_EQ(none.status().code(), Code::kWrongVersion);
  EXPECT_NE(none.status().message().find("version 1"), std::string::npos);
  EXPECT_EQ(log_->Append(Request("s", ExpectedVersion::Exact(0), {Event("b")}))
                .status()
                .code(),
            Code::kWrongVersion);
  EXPECT_EQ(log_->Append(Request("s", ExpectedVersion::Exact(2), {Event("b")}))
                .status()
                .code(),
            Code::kWrongVersion);
  EXPECT_EQ(log_->Append(Request("t", ExpectedVersion::Exact(1), {Event("b")}))
                .status()
                .code(),
            Code::kWrongVersion);
  // Nothing of the refused appends was written: "b" is still free.
  EXPECT_EQ(log_->LastPosition(), 1u);
  EXPECT_FALSE(log_->FindEvent("b")->has_value());
  EXPECT_EQ(MustAppend(Request("s", ExpectedVersion::Exact(1), {Event("b")}))
                .last_version,
            2u);
  EXPECT_EQ(MustAppend(Request("s", ExpectedVersion::Any(), {Event("c")}))
                .last_version,
            3u);
}

TEST_F(EventLogTest, InvalidRequestsAreRefused) {
  EXPECT_EQ(
      log_->Append(Request("s", ExpectedVersion::Any(), {})).status().code(),
      Code::kInvalidArgument);
  EXPECT_EQ(log_->Append(Request("s", ExpectedVersion::Any(), {Event("")}))
                .status()
                .code(),
            Code::kInvalidArgument);
  auto twice = log_->Append(
      Request("s", ExpectedVersion::Any(), {Event("x"), Event("x")}));
  EXPECT_EQ(twice.status().code(), Code::kInvalidArgument);
  EXPECT_NE(twice.status().message().find("'x'"), std::string::npos);
  EXPECT_EQ(log_->Append(Request("", ExpectedVersion::Any(), {Event("y")}))
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(log_->LastPosition(), 0u);
}

// Stream, event id, type and recorded_by are protobuf strings: a record
// holding invalid UTF-8 could be written but never read back.
TEST_F(EventLogTest, TextThatIsNotUtf8IsRefused) {
  const std::string bad = "caf\xc3";  // a truncated two-byte sequence
  EXPECT_EQ(log_->Append(Request("person-" + bad, ExpectedVersion::Any(),
                                 {Event("a")}))
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      log_->Append(Request("s", ExpectedVersion::Any(), {Event("id-" + bad)}))
          .status()
          .code(),
      Code::kInvalidArgument);
  auto bad_type = log_->Append(Request(
      "s", ExpectedVersion::Any(), {NewEvent{"b", "type\xed\xa0\x80", "x"}}));
  EXPECT_EQ(bad_type.status().code(), Code::kInvalidArgument);
  AppendRequest bad_by = Request("s", ExpectedVersion::Any(), {Event("c")});
  bad_by.recorded_by = "\xc0\xafroot";  // an overlong encoding of '/'
  EXPECT_EQ(log_->Append(std::move(bad_by)).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(log_->LastPosition(), 0u);
  // Valid multi-byte text, and a body that is not text at all, are kept.
  MustAppend(Request(
      "person-caf\xc3\xa9", ExpectedVersion::Any(),
      {NewEvent{"\xe2\x82\xac-1", "t", std::string("\xff\x00\xfe", 3)}}));
  auto all = log_->ReadAll(1, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].stream, "person-caf\xc3\xa9");
  EXPECT_EQ((*all)[0].body, std::string("\xff\x00\xfe", 3));
}

TEST_F(EventLogTest, RetryWithSameContentReturnsOriginalFigures) {
  clock_.Set(100);
  MustAppend(Request("s", ExpectedVersion::Any(), {Event("a")}));
  AppendResult original = MustAppend(
      Request("s", ExpectedVersion::Exact(1), {Event("b"), Event("c")}));
  clock_.Set(200);
  MustAppend(Request("s", ExpectedVersion::Exact(3), {Event("d")}));
  // The expected version no longer matches, but a retry after success must
  // still succeed.
  AppendResult retry = MustAppend(
      Request("s", ExpectedVersion::Exact(1), {Event("b"), Event("c")}));
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.first_version, original.first_version);
  EXPECT_EQ(retry.last_version, original.last_version);
  EXPECT_EQ(retry.first_position, original.first_position);
  EXPECT_EQ(retry.last_position, original.last_position);
  EXPECT_EQ(retry.recorded_at_micros, 100);
  EXPECT_EQ(log_->LastPosition(), 4u);
  // A retry of part of an earlier append is also idempotent.
  EXPECT_TRUE(
      MustAppend(Request("s", ExpectedVersion::Any(), {Event("c")})).duplicate);
  Reopen();
  AppendResult after_reopen = MustAppend(
      Request("s", ExpectedVersion::Exact(1), {Event("b"), Event("c")}));
  EXPECT_TRUE(after_reopen.duplicate);
  EXPECT_EQ(after_reopen.first_position, 2u);
  EXPECT_EQ(log_->LastPosition(), 4u);
}

TEST_F(EventLogTest, RetryWithDifferentContentConflicts) {
  MustAppend(Request("s", ExpectedVersion::Any(), {Event("a"), Event("b")}));
  auto other_body = log_->Append(
      Request("s", ExpectedVersion::Any(), {Event("a", "changed")}));
  EXPECT_EQ(other_body.status().code(), Code::kConflict);
  EXPECT_NE(other_body.status().message().find("'a'"), std::string::npos);
  auto other_stream =
      log_->Append(Request("t", ExpectedVersion::Any(), {Event("a")}));
  EXPECT_EQ(other_stream.status().code(), Code::kConflict);
  auto partial = log_->Append(
      Request("s", ExpectedVersion::Any(), {Event("b"), Event("new")}));
  EXPECT_EQ(partial.status().code(), Code::kConflict);
  EXPECT_NE(partial.status().message().find("'new'"), std::string::npos);
  auto reordered = log_->Append(
      Request("s", ExpectedVersion::Any(), {Event("b"), Event("a")}));
  EXPECT_EQ(reordered.status().code(), Code::kConflict);
  EXPECT_EQ(log_->LastPosition(), 2u);
  EXPECT_FALSE(log_->FindEvent("new")->has_value());
}

TEST_F(EventLogTest, ReopenKeepsEverythingAndContinues) {
  for (int i = 0; i < 10; ++i) {
    MustAppend(Request("s" + std::to_string(i % 3), ExpectedVersion::Any(),
                       {Event("e" + std::to_string(i))}));
  }
  Reopen();
  EXPECT_EQ(log_->LastPosition(), 10u);
  EXPECT_EQ(*log_->StreamVersion("s0"), 4u);
  AppendResult next =
      MustAppend(Request("s0", ExpectedVersion::Exact(4), {Event("e10")}));
  EXPECT_EQ(next.first_position, 11u);
  EXPECT_EQ(next.first_version, 5u);
  EXPECT_EQ(log_->ReadAll(1, 100)->size(), 11u);
  EXPECT_TRUE(log_->VerifyFull().ok());
}

TEST_F(EventLogTest, RecordedAtNeverGoesBackwards) {
  clock_.Set(5'000);
  MustAppend(Request("s", ExpectedVersion::Any(), {Event("a")}));
  clock_.Set(1'000);  // the clock steps back
  EXPECT_EQ(MustAppend(Request("s", ExpectedVersion::Any(), {Event("b")}))
                .recorded_at_micros,
            5'000);
  Reopen();
  EXPECT_EQ(MustAppend(Request("s", ExpectedVersion::Any(), {Event("c")}))
                .recorded_at_micros,
            5'000);
}

TEST_F(EventLogTest, PositionAtOrBefore) {
  clock_.Set(100);
  MustAppend(Request("s", ExpectedVersion::Any(),
                     {Event("a"), Event("b")}));  // 1, 2 at 100
  clock_.Set(200);
  MustAppend(Request("s", ExpectedVersion::Any(), {Event("c")}));  // 3 at 200
  MustAppend(Request("t", ExpectedVersion::Any(), {Event("d")}));  // 4 at 200
  clock_.Set(300);
  MustAppend(Request("t", ExpectedVersion::Any(), {Event("e")}));  // 5 at 300
  EXPECT_EQ(*log_->PositionAtOrBefore(99), 0u);
  EXPECT_EQ(*log_->PositionAtOrBefore(100), 2u);
  EXPECT_EQ(*log_->PositionAtOrBefore(199), 2u);
  EXPECT_EQ(*log_->PositionAtOrBefore(200), 4u);
  EXPECT_EQ(*log_->PositionAtOrBefore(299), 4u);
  EXPECT_EQ(*log_->PositionAtOrBefore(300), 5u);
  EXPECT_EQ(*log_->PositionAtOrBefore(1'000'000), 5u);
  EXPECT_EQ(*log_->PositionAtOrBefore(-5), 0u);
}

TEST_F(EventLogTest, AppendAsyncAnswersOnceDurable) {
  std::promise<Result<AppendResult>> done;
  log_->AppendAsync(
      Request("s", ExpectedVersion::Any(), {Event("a")}),
      [&done](Result<AppendResult> r) { done.set_value(std::move(r)); });
  auto result = done.get_future().get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first_position, 1u);
  EXPECT_EQ(log_->LastPosition(), 1u);
  std::promise<Result<AppendResult>> refused;
  log_->AppendAsync(
      Request("s", ExpectedVersion::Any(), {}),
      [&refused](Result<AppendResult> r) { refused.set_value(std::move(r)); });
  EXPECT_EQ(refused.get_future().get().status().code(), Code::kInvalidArgument);
}

// An append of several events is one stream index entry (a run of versions at
// consecutive positions): reads may start, end and be cut anywhere in a run.
TEST_F(EventLogTest, ReadsStartAndStopInsideRunsOfVersions) {
  auto events = [](std::string prefix, int n) {
    std::vector<NewEvent> v;
    for (int i = 0; i < n; ++i) v.push_back(Event(prefix + std::to_string(i)));
    return v;
  };
  MustAppend(Request("person-1", ExpectedVersion::Any(), events("a", 3)));
  MustAppend(Request("person-2", ExpectedVersion::Any(), events("x", 2)));
  MustAppend(Request("person-1", ExpectedVersion::Any(), events("b", 1)));
  MustAppend(Request("person-1", ExpectedVersion::Any(), events("c", 4)));
  // person-1: versions 1-3 at 1-3, 4 at 6, 5-8 at 7-10.
  const std::vector<uint64_t> want = {1, 2, 3, 6, 7, 8, 9, 10};
  for (uint64_t from = 0; from <= 9; ++from) {
    for (size_t max = 0; max <= 9; ++max) {
      auto read = log_->ReadStream("person-1", from, max);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      std::vector<uint64_t> positions, versions, expected, expected_versions;
      for (const auto& e : *read) {
        positions.push_back(e.position);
        versions.push_back(e.version);
      }
      for (uint64_t v = std::max<uint64_t>(from, 1);
           v <= want.size() && expected.size() < max; ++v) {
        expected.push_back(want[v - 1]);
        expected_versions.push_back(v);
      }
      EXPECT_EQ(positions, expected) << "from " << from << " max " << max;
      EXPECT_EQ(versions, expected_versions);
    }
  }
  EXPECT_TRUE(log_->ReadStream("person-0", 1, 10)->empty());
  EXPECT_TRUE(log_->ReadStream("person-10", 1, 10)->empty());
  EXPECT_EQ(log_->ReadStream("person-2", 2, 10)->front().event_id, "x1");
  EXPECT_TRUE(log_->VerifyFull().ok()) << log_->VerifyFull().ToString();
  Reopen();
  EXPECT_EQ(log_->ReadStream("person-1", 5, 2)->front().position, 7u);
}

TEST(EventLogOpen, UnusableDirectoryIsAnIoError) {
  TempDir dir;
  const std::string file = dir.path() + "/plain-file";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  auto log = OpenRocksDbEventLog(Options(file + "/store"));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), Code::kIOError);
}

}  // namespace
}  // namespace carelog::storage
