#include "services/demo_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace carelog {
namespace {

class DemoLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "demo_loader_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    storage::OpenOptions options;
    options.path = dir_;
    options.now_micros = [this] { return clock_.NowMicros(); };
    auto log = storage::OpenRocksDbEventLog(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  LoadClock clock_;
  std::unique_ptr<storage::EventLog> log_;
};

TEST_F(DemoLoaderTest,
       EveryEventPassesTheRulesAndIsRecordedWhenItsHistorySays) {
  SyntheticAreaOptions options;
  options.scale = 0.004;  // 740 residents
  const SyntheticArea area = GenerateSyntheticArea(options);
  Recorder recorder(*log_, clock_);
  DemoLoadOptions load;
  load.tick_days = 28;
  uint64_t last_done = 0;
  int calls = 0;
  load.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    EXPECT_EQ(total, area.event_count);
    last_done = done;
    ++calls;
  };
  const Status status = LoadSyntheticPeople({&area}, recorder, clock_, load);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(last_done, area.event_count);
  EXPECT_GT(calls, 20);  // about one a tick
  EXPECT_EQ(log_->LastPosition(), area.event_count);

  // Recorded at the end of the 4-week tick of its history, not today.
  auto first = log_->ReadAll(1, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_LT(first.value()[0].recorded_at_micros,
            LondonStartOfDay(DateFromYmd(2014, 5, 1)));
  EXPECT_GE(first.value()[0].recorded_at_micros, SyntheticStart());
  auto last = log_->FindEvent(LastLoadedEventId({&area}, load.tick_days));
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->has_value());
  EXPECT_LE((*last)->recorded_at_micros, SyntheticEnd());
  EXPECT_GT((*last)->recorded_at_micros,
            LondonStartOfDay(DateFromYmd(2016, 3, 1)));

  // Loading again records nothing new: every request is a retry.
  last_done = 0;
  const Status again = LoadSyntheticPeople({&area}, recorder, clock_, load);
  ASSERT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(log_->LastPosition(), area.event_count);

  // Released, the clock is the system's again.
  clock_.Release();
  EXPECT_GT(clock_.NowMicros(), ParseRfc3339("2020-01-01T00:00:00Z").value());
}

}  // namespace
}  // namespace carelog
