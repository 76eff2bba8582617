// A Recorder over an event log (the in-memory fake, or RocksDB in a temporary
// directory) with a hand-set clock, for rule and recorder tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "services/recorder.h"
#include "tests/services/care_events.h"
#include "tests/services/memory_event_log.h"

namespace carelog::testing {

inline constexpr const char* kNhs = "9434765919";
inline constexpr const char* kOtherNhs = "9990000018";

// A fresh directory under the system's temporary directory, removed with its
// contents.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "carelog-services-XXXXXX")
            .string();
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Harness {
 public:
  explicit Harness(bool rocksdb)
      : clock_(*ParseRfc3339("2016-06-01T12:00:00Z")) {
    if (rocksdb) {
      dir_.emplace();
      storage::OpenOptions options;
      options.path = dir_->path() + "/store";
      auto opened = storage::OpenRocksDbEventLog(options);
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      if (opened.ok()) log_ = std::move(*opened);
    }
    if (!log_) {
      auto fake = std::make_unique<MemoryEventLog>();
      fake_ = fake.get();
      log_ = std::move(fake);
    }
    recorder_ = std::make_unique<Recorder>(*log_, clock_);
  }
  virtual ~Harness() = default;

  storage::EventLog& log() { return *log_; }
  MemoryEventLog& fake() { return *fake_; }  // only without RocksDB
  Recorder& recorder() { return *recorder_; }

  Result<RecordOutcome> Post(const std::vector<schema::CareEvent>& events,
                             std::optional<uint64_t> if_match = std::nullopt,
                             const char* nhs = kNhs) {
    return recorder_->Record(nhs, events, if_match, "tester");
  }

  // Posts and expects success.
  RecordOutcome Accept(const std::vector<schema::CareEvent>& events,
                       const char* nhs = kNhs) {
    auto r = Post(events, std::nullopt, nhs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RecordOutcome{};
  }

  // Posts, expects a refusal with this code that appends nothing, and returns
  // it.
  Status Refuse(const std::vector<schema::CareEvent>& events,
                Code code = Code::kRuleViolation, const char* nhs = kNhs) {
    uint64_t before = Version(nhs);
    uint64_t last_position = log_->LastPosition();
    auto r = Post(events, std::nullopt, nhs);
    EXPECT_FALSE(r.ok()) << "accepted, expected " << CodeName(code);
    if (r.ok()) return Status::Ok();
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_FALSE(r.status().errors().empty()) << r.status().ToString();
    EXPECT_EQ(Version(nhs), before) << "a refused request must append nothing";
    EXPECT_EQ(log_->LastPosition(), last_position)
        << "a refused request must append nothing";
    return r.status();
  }

  uint64_t Version(const char* nhs = kNhs) {
    auto v = log_->StreamVersion(PersonStream(nhs));
    return v.ok() ? *v : 0;
  }

  std::shared_ptr<const PersonState> State(const char* nhs = kNhs) {
    auto s = recorder_->Load(nhs);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->state : std::make_shared<const PersonState>();
  }

  // Registers the person (born 1938-02-11) at 2014-06-01T09:00:00+01:00.
  void Register(const char* nhs = kNhs) {
    Accept({Ev(std::string("reg-") + nhs, "2014-06-01T09:00:00+01:00",
               Registered())},
           nhs);
  }

  // The person registered here, then admitted to S1 (version 2) by another
  // recorder over the same log: this recorder's cached person is one event
  // behind.
  void AdmittedElsewhere() {
    Register();
    ASSERT_EQ(State()->version(), 1u);
    Recorder other(*log_, clock_);
    ASSERT_TRUE(
        other
            .Record(kNhs,
                    {Ev("a1", "2014-06-07T11:00:00+01:00", Admitted("S1"))},
                    std::nullopt, "other")
            .ok());
  }

 protected:
  std::optional<ScratchDir> dir_;
  std::unique_ptr<storage::EventLog> log_;
  MemoryEventLog* fake_ = nullptr;
  ManualClock clock_;
  std::unique_ptr<Recorder> recorder_;
};

// A fixture over the in-memory log.
class RecorderHarness : public ::testing::Test, public Harness {
 protected:
  RecorderHarness() : Harness(false) {}
};

// A fixture run twice: over the in-memory log (false) and over RocksDB (true).
class BothLogsHarness : public ::testing::TestWithParam<bool>, public Harness {
 protected:
  BothLogsHarness() : Harness(GetParam()) {}
};

// The first error's field, or "" if none.
inline std::string FieldOf(const Status& s) {
  return s.errors().empty() ? "" : s.errors().front().field;
}
inline std::string MessageOf(const Status& s) {
  return s.errors().empty() ? "" : s.errors().front().message;
}

}  // namespace carelog::testing
