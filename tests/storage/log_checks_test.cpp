// Broken invariants are reported as corruption, on open (the tail) and by
// VerifyFull (everything).
#include "storage/log_checks.h"

#include <gtest/gtest.h>

#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/storage/test_log.h"

namespace carelog::storage {
namespace {

using testing::Event;
using testing::MustOpen;
using testing::Options;
using testing::Request;
using testing::TempDir;

class LogChecksTest : public ::testing::Test {
 protected:
  // n events over 3 streams.
  void Fill(int n) {
    auto log = MustOpen(Options(dir_.path()));
    for (int i = 0; i < n; ++i) {
      auto r = log->Append(Request("s" + std::to_string(i % 3),
                                   ExpectedVersion::Any(),
                                   {Event("e" + std::to_string(i))}));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  // Changes the store underneath the log with raw RocksDB.
  template <typename Fn>
  void Tamper(Fn fn) {
    auto store = RocksDbStore::Open(Options(dir_.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    fn(**store);
    ASSERT_TRUE((*store)->Close().ok());
  }
  Status OpenStatus() {
    return OpenRocksDbEventLog(Options(dir_.path())).status();
  }
  Status VerifyStatus() {
    auto store = RocksDbStore::Open(Options(dir_.path()));
    EXPECT_TRUE(store.ok());
    return VerifyFull(**store);
  }

  TempDir dir_;
};

void Delete(RocksDbStore& s, rocksdb::ColumnFamilyHandle* cf,
            const std::string& key) {
  ASSERT_TRUE(s.db()->Delete(rocksdb::WriteOptions(), cf, key).ok());
}
void Put(RocksDbStore& s, rocksdb::ColumnFamilyHandle* cf,
         const std::string& key, const std::string& value) {
  ASSERT_TRUE(s.db()->Put(rocksdb::WriteOptions(), cf, key, value).ok());
}

TEST_F(LogChecksTest, IntactLogPasses) {
  Fill(100);
  EXPECT_TRUE(OpenStatus().ok());
  EXPECT_TRUE(VerifyStatus().ok()) << VerifyStatus().ToString();
}

TEST_F(LogChecksTest, MissingLastEventIsCorruption) {
  Fill(10);
  Tamper([](RocksDbStore& s) { Delete(s, s.log(), keys::LogKey(10)); });
  Status open = OpenStatus();
  EXPECT_EQ(open.code(), Code::kCorruption) << open.ToString();
  EXPECT_NE(open.message().find("position 9"), std::string::npos)
      << open.ToString();
}

TEST_F(LogChecksTest, GapInTheTailIsCorruption) {
  Fill(10);
  Tamper([](RocksDbStore& s) { Delete(s, s.log(), keys::LogKey(5)); });
  Status open = OpenStatus();
  EXPECT_EQ(open.code(), Code::kCorruption) << open.ToString();
  EXPECT_NE(open.message().find("position 5 is missing"), std::string::npos)
      << open.ToString();
}

// A scan of the log (a rebuild's reading) stops at a gap with corruption,
// after handing over the events before it.
TEST_F(LogChecksTest, ScanLogStopsAtAGapWithCorruption) {
  Fill(150);
  Tamper([](RocksDbStore& s) { Delete(s, s.log(), keys::LogKey(20)); });
  auto log = MustOpen(Options(dir_.path()));
  uint64_t seen = 0;
  Status scan = log->ScanLog(1, 150, [&](const RecordedEventView& e) {
    EXPECT_EQ(e.position, seen + 1);
    seen = e.position;
    return true;
  });
  EXPECT_EQ(scan.code(), Code::kCorruption) << scan.ToString();
  EXPECT_NE(scan.message().find("position 20 is missing"), std::string::npos)
      << scan.ToString();
  EXPECT_EQ(seen, 19u);
}

TEST_F(LogChecksTest, GapDeepInTheLogIsFoundByVerifyFull) {
  Fill(150);  // longer than the tail that opening checks
  Tamper([](RocksDbStore& s) { Delete(s, s.log(), keys::LogKey(20)); });
  EXPECT_TRUE(OpenStatus().ok());
  Status full = VerifyStatus();
  EXPECT_EQ(full.code(), Code::kCorruption);
  EXPECT_NE(full.message().find("position 20 is missing"), std::string::npos)
      << full.ToString();
}

TEST_F(LogChecksTest, StreamHeadDisagreeingIsCorruption) {
  Fill(10);
  Tamper([](RocksDbStore& s) { Put(s, s.head(), "s0", keys::EncodeU64(7)); });
  Status open = OpenStatus();
  EXPECT_EQ(open.code(), Code::kCorruption) << open.ToString();
  EXPECT_NE(open.message().find("head of stream 's0'"), std::string::npos)
      << open.ToString();
  EXPECT_EQ(VerifyStatus().code(), Code::kCorruption);
}

// VerifyFull reads the heads alongside the stream index (both in stream
// order): a head out of place in that order must still be found, whether it
// disagrees, is missing, or belongs to no stream, before, between or after the
// real ones.
TEST_F(LogChecksTest, HeadsAreCheckedAgainstTheWholeStreamIndex) {
  Fill(150);  // streams s0, s1, s2, at 50 each
  EXPECT_TRUE(VerifyStatus().ok()) << VerifyStatus().ToString();
  // The tail that opening checks does not reach these.
  Tamper([](RocksDbStore& s) { Put(s, s.head(), "s1", keys::EncodeU64(49)); });
  Status wrong = VerifyStatus();
  EXPECT_EQ(wrong.code(), Code::kCorruption);
  EXPECT_NE(wrong.message().find("head of stream 's1'"), std::string::npos)
      << wrong.ToString();
  Tamper([](RocksDbStore& s) { Delete(s, s.head(), "s1"); });
  Status missing = VerifyStatus();
  EXPECT_NE(missing.message().find("head of stream 's1'"), std::string::npos)
      << missing.ToString();
  Tamper([](RocksDbStore& s) { Put(s, s.head(), "s1", keys::EncodeU64(50)); });
  EXPECT_TRUE(VerifyStatus().ok());
  for (const char* stray : {"a", "s0x", "s10", "t"}) {
    Tamper([stray](RocksDbStore& s) {
      Put(s, s.head(), stray, keys::EncodeU64(1));
    });
    Status extra = VerifyStatus();
    EXPECT_EQ(extra.code(), Code::kCorruption) << stray;
    EXPECT_NE(extra.message().find("4 stream heads for 3 streams"),
              std::string::npos)
        << stray << ": " << extra.ToString();
    Tamper([stray](RocksDbStore& s) { Delete(s, s.head(), stray); });
  }
  EXPECT_TRUE(VerifyStatus().ok());
}

TEST_F(LogChecksTest, DeepStreamIndexDamageIsFoundByVerifyFull) {
  Fill(150);
  Tamper(
      [](RocksDbStore& s) { Delete(s, s.stream(), keys::StreamKey("s1", 3)); });
  EXPECT_TRUE(OpenStatus().ok());
  EXPECT_EQ(VerifyStatus().code(), Code::kCorruption);
}

TEST_F(LogChecksTest, AStoreOfAnotherFormatIsRefusedOnOpen) {
  Fill(3);
  Tamper([](RocksDbStore& s) {
    Put(s, s.meta(), std::string(kMetaFormatKey), "carelog-event-log-1");
  });
  Status open = OpenStatus();
  EXPECT_EQ(open.code(), Code::kCorruption);
  EXPECT_NE(open.message().find("has format 'carelog-event-log-1' but this "
                                "build reads only 'carelog-event-log-2'"),
            std::string::npos)
      << open.ToString();
}

// Runs of several versions: a run may be split in two (two appends to one
// stream in one commit) and still be sound; a run that maps a version to the
// wrong position, or reaches past the head, is corruption.
TEST_F(LogChecksTest, RunsOfVersionsAreCheckedOnOpenAndByVerifyFull) {
  {
    auto log = MustOpen(Options(dir_.path()));
    ASSERT_TRUE(
        log->Append(Request("s", ExpectedVersion::Any(),
                            {Event("a"), Event("b"), Event("c"), Event("d")}))
            .ok());
  }
  EXPECT_TRUE(VerifyStatus().ok());
  Tamper([](RocksDbStore& s) {
    Put(s, s.stream(), keys::StreamKey("s", 1), keys::EncodeStreamRun(1, 2));
    Put(s, s.stream(), keys::StreamKey("s", 3), keys::EncodeStreamRun(3, 2));
  });
  EXPECT_TRUE(OpenStatus().ok()) << OpenStatus().ToString();
  EXPECT_TRUE(VerifyStatus().ok()) << VerifyStatus().ToString();
  Tamper([](RocksDbStore& s) {
    Put(s, s.stream(), keys::StreamKey("s", 3), keys::EncodeStreamRun(2, 2));
  });
  EXPECT_EQ(OpenStatus().code(), Code::kCorruption);
  Status moved = VerifyStatus();
  EXPECT_EQ(moved.code(), Code::kCorruption);
  EXPECT_NE(moved.message().find("version 3"), std::string::npos)
      << moved.ToString();
  Tamper([](RocksDbStore& s) {
    Put(s, s.stream(), keys::StreamKey("s", 3), keys::EncodeStreamRun(3, 3));
  });
  Status beyond = OpenStatus();
  EXPECT_NE(beyond.message().find("beyond its head"), std::string::npos)
      << beyond.ToString();
  EXPECT_EQ(VerifyStatus().code(), Code::kCorruption);
}

TEST_F(LogChecksTest, DeepRunDamageIsFoundByVerifyFull) {
  {
    auto log = MustOpen(Options(dir_.path()));
    ASSERT_TRUE(log->Append(Request("s", ExpectedVersion::Any(),
                                    {Event("a"), Event("b"), Event("c")}))
                    .ok());
  }
  Fill(150);  // the tail opening checks lies after the run
  Tamper([](RocksDbStore& s) {
    Put(s, s.stream(), keys::StreamKey("s", 1), keys::EncodeStreamRun(1, 2));
  });
  EXPECT_TRUE(OpenStatus().ok());
  EXPECT_EQ(VerifyStatus().code(), Code::kCorruption);
}

// A dedup entry is only a position: the record there must be the event.
TEST_F(LogChecksTest, DedupEntryPointingAtAnotherEventIsCorruption) {
  Fill(150);
  Tamper(
      [](RocksDbStore& s) { Put(s, s.dedup(), "e3", keys::EncodeDedup(5)); });
  EXPECT_TRUE(OpenStatus().ok());
  EXPECT_EQ(VerifyStatus().code(), Code::kCorruption);
  auto log = MustOpen(Options(dir_.path()));
  auto found = log->FindEvent("e3");
  EXPECT_EQ(found.status().code(), Code::kCorruption);
  auto retry =
      log->Append(Request("s0", ExpectedVersion::Any(), {Event("e3")}));
  EXPECT_EQ(retry.status().code(), Code::kCorruption);
  EXPECT_NE(retry.status().message().find("holds another event"),
            std::string::npos)
      << retry.status().ToString();
  // A retry of an intact event is still answered with its original figures.
  auto again =
      log->Append(Request("s1", ExpectedVersion::Any(), {Event("e4")}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->first_position, 5u);
}

TEST_F(LogChecksTest, AlteredBodyFailsItsContentHash) {
  Fill(10);
  Tamper([](RocksDbStore& s) {
    auto value = s.Get(s.log(), keys::LogKey(9));
    ASSERT_TRUE(value.ok() && value->has_value());
    auto record = DecodeEventRecord(9, **value);
    ASSERT_TRUE(record.ok());
    record->set_body("something else");
    Put(s, s.log(), keys::LogKey(9), record->SerializeAsString());
  });
  Status open = OpenStatus();
  EXPECT_EQ(open.code(), Code::kCorruption) << open.ToString();
  EXPECT_NE(open.message().find("content hash"), std::string::npos)
      << open.ToString();
}

TEST_F(LogChecksTest, MissingDedupEntryIsCorruption) {
  Fill(150);
  Tamper([](RocksDbStore& s) { Delete(s, s.dedup(), "e3"); });
  EXPECT_TRUE(OpenStatus().ok());
  Status full = VerifyStatus();
  EXPECT_EQ(full.code(), Code::kCorruption);
  EXPECT_NE(full.message().find("'e3'"), std::string::npos) << full.ToString();
}

TEST_F(LogChecksTest, ExtraEventBeyondTheLastCommitIsCorruption) {
  Fill(5);
  Tamper([](RocksDbStore& s) {
    auto value = s.Get(s.log(), keys::LogKey(5));
    ASSERT_TRUE(value.ok() && value->has_value());
    auto record = DecodeEventRecord(5, **value);
    ASSERT_TRUE(record.ok());
    record->set_position(6);
    Put(s, s.log(), keys::LogKey(6), record->SerializeAsString());
  });
  EXPECT_EQ(OpenStatus().code(), Code::kCorruption);
}

}  // namespace
}  // namespace carelog::storage
