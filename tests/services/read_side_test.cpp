// The read side's readiness (`/readyz`): caught up once the projections have
// applied the log as it stood when it was opened.
#include "services/read_side.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace carelog
