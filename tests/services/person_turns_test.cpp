#include "services/person_turns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace carelog {
namespace {

TEST(PersonTurnsTest, AFreeKeyRunsTheJobAtOnceABusyOneQueuesItInOrder) {
  PersonTurns turns;
  std::vector<std::string> ran;
  turns.Take("a", [&] { ran.push_back("a1"); });  // holds the turn of "a"
  ASSERT_EQ(ran, std::vector<std::string>{"a1"});
  EXPECT_TRUE(turns.Busy("a"));
  turns.Take("a", [&] { ran.push_back("a2"); });
  turns.Take("a", [&] { ran.push_back("a3"); });
  turns.Take("b", [&] { ran.push_back("b1"); });  // another key: not held up
  EXPECT_EQ(ran, (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(turns.busy(), 2u);

  // Take returned at once for the queued jobs: they wait without a thread.
  PersonTurns::Run(turns.Pass("a"));
  EXPECT_EQ(ran, (std::vector<std::string>{"a1", "b1", "a2"}));
  PersonTurns::Run(turns.Pass("a"));
  EXPECT_EQ(ran, (std::vector<std::string>{"a1", "b1", "a2", "a3"}));
  EXPECT_TRUE(turns.Busy("a"));  // a3 holds it until it passes
  EXPECT_EQ(turns.Pass("a"), nullptr);
  EXPECT_FALSE(turns.Busy("a"));
  EXPECT_EQ(turns.Pass("b"), nullptr);
  EXPECT_EQ(turns.busy(), 0u);
}

TEST(PersonTurnsTest, TurnsEndingAtOnceRunInALoopNotDeeperAndDeeper) {
  PersonTurns turns;
  constexpr int kJobs = 100000;
  int ran = 0;
  // Each job ends its own turn at once, as a refused request does; the next
  // then runs after it on the same thread, not inside it.
  std::function<void()> job = [&] {
    ++ran;
    PersonTurns::Run(turns.Pass("a"));
  };
  turns.Take("a", [] {});  // hold the turn while the others queue
  for (int i = 0; i < kJobs; ++i) turns.Take("a", job);
  EXPECT_EQ(ran, 0);
  PersonTurns::Run(turns.Pass("a"));
  EXPECT_EQ(ran, kJobs);
  EXPECT_FALSE(turns.Busy("a"));
}

}  // namespace
}  // namespace carelog
