// The read side's readiness (`/readyz`): caught up once the projections have
// applied the log as it stood when it was opened.
#include "services/read_side.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/services/care_events.h"
#include "tests/services/memory_event_log.h"

namespace carelog {
namespace {

using testing::Ev;
using testing::MemoryEventLog;
using testing::Registered;

// Readiness is about start-up: an operator's load balancer must not take a
// server out of service because writes arrived a moment before the
// projections applied them (reads that need them wait with minPosition).
TEST(ReadSideTest, ReadyOnceTheLogAsOpenedIsAppliedAndStaysReadyUnderWrites) {
  MemoryEventLog log;
  log.AppendCare("9434765919", Ev("e1", "2014-06-01T10:00:00Z", Registered()));
  log.AppendCare("9434765870", Ev("e2", "2014-06-01T11:00:00Z", Registered()));
  ManualClock clock(0);
  ReadSide side(log, clock);
  ASSERT_TRUE(side.Open().ok());
  EXPECT_FALSE(side.CaughtUp());
  ASSERT_TRUE(side.runner().CatchUp().ok());
  EXPECT_TRUE(side.CaughtUp());
  log.AppendCare("9434765919",
                 Ev("e3", "2014-06-02T10:00:00Z", testing::Admitted("S1")));
  EXPECT_TRUE(side.CaughtUp());
  // A start-up step's writes (the demo's load) are waited for when asked.
  side.RequireAppliedForReady(log.LastPosition());
  EXPECT_FALSE(side.CaughtUp());
  ASSERT_TRUE(side.runner().CatchUp().ok());
  EXPECT_TRUE(side.CaughtUp());
}

// A follower that stopped on an error no longer follows the log: the server
// is not ready, whatever it had applied.
TEST(ReadSideTest, NotReadyOnceTheFollowerStoppedOnAnError) {
  MemoryEventLog log;
  log.AppendCare("9434765919", Ev("e1", "2014-06-01T10:00:00Z", Registered()));
  ManualClock clock(0);
  ReadSide side(log, clock);
  ASSERT_TRUE(side.Open().ok());
  ASSERT_TRUE(side.runner().CatchUp().ok());
  ASSERT_TRUE(side.CaughtUp());
  log.FailNextProjectionWrite();
  log.AppendCare("9434765919",
                 Ev("e2", "2014-06-02T10:00:00Z", testing::Admitted("S1")));
  side.runner().Start();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (side.runner().LastError().ok() &&
         std::chrono::steady_clock::now() < deadline) {
    side.runner().WaitForPosition(log.LastPosition(),
                                  std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(side.runner().LastError().ok());
  EXPECT_FALSE(side.CaughtUp());
}

}  // namespace
}  // namespace carelog
