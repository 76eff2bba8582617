// The cost of checking a full request (kMaxEventsPerRequest events) against a
// long history when its events land inside it: each event is checked in the
// order sent against the history the ones before it built (services/rules.h),
// and a refused one is blamed on the first new event after which the history
// no longer fits. Every case must stay well under a second.
#include <ctime>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/rules.h"
#include "tests/services/care_events.h"

namespace carelog::testing {
namespace {

const Instant kNow = *ParseRfc3339("2016-06-01T12:00:00Z");
const Instant kFrom = *ParseRfc3339("2015-01-01T00:00:00Z");
constexpr int64_t kMinute = 60'000'000LL;

std::string At(int64_t minutes) {
  return FormatRfc3339Utc(kFrom + minutes * kMinute);
}

schema::CareEvent Attended(const std::string& id, int64_t minutes) {
  return Ev(id, At(minutes),
            R"("aeAttended": {"attendanceId": ")" + id + "\"}");
}

// Registered, then 999 attendances one every two minutes (odd minutes free).
PersonState LongHistory() {
  std::vector<schema::CareEvent> events;
  events.push_back(Ev("reg", "2014-06-01T09:00:00+01:00", Registered()));
  for (int i = 0; i < 999; ++i)
    events.push_back(Attended("h" + std::to_string(i), 2 * i));
  auto stored = AsNextEvents(PersonState(), events);
  return PersonState::FromStream(stored);
}

// The processor time `f` takes (not the wall clock: the machine running the
// tests is shared).
template <typename F>
double Millis(F&& f) {
  const std::clock_t start = std::clock();
  f();
  return 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

// Measured on the shared 2-core machine (load 7-11): about 60, 280 and 130
// ms.
constexpr double kLimitMs = 1000;

// 1000 late events, in reverse time order, each between two recorded ones.
TEST(RulesCost, AThousandLateEventsInsideAThousandEvents) {
  const PersonState history = LongHistory();
  std::vector<schema::CareEvent> events;
  for (int i = 999; i >= 0; --i)
    events.push_back(Attended("n" + std::to_string(i), 2 * i + 1));
  Status s;
  const double ms = Millis([&] { s = CheckRules(history, events, kNow); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(ms, kLimitMs);
  RecordProperty("millis", std::to_string(ms));
}

// The same with a last event that leaves a recorded admission inside a spell
// that never ends: every first part of the request is checked for the blame.
// The history holds a readiness whose admission was retracted (standing on
// nothing: it fits neither before nor after the request).
TEST(RulesCost, AThousandLateEventsBlamedOnTheLast) {
  std::vector<schema::CareEvent> more = {
      Ev("a0", At(2000), Admitted("S0")), Ev("d0", At(2001), Discharged("S0")),
      Ev("a7", At(2002), Admitted("S7")), Ev("r7", At(2003), Ready("S7")),
      Ev("x7", At(2004), Retract("a7"))};
  PersonState history = LongHistory();
  history.Extend(AsNextEvents(history, more));
  std::vector<schema::CareEvent> events;
  for (int i = 998; i >= 0; --i)
    events.push_back(Attended("n" + std::to_string(i), 2 * i + 1));
  events.push_back(Ev("a1", At(1999), Admitted("S1")));
  Status s;
  const double ms = Millis([&] { s = CheckRules(history, events, kNow); });
  EXPECT_EQ(s.code(), Code::kRuleViolation);
  ASSERT_FALSE(s.errors().empty());
  EXPECT_EQ(s.errors()[0].field, "events[999].hospitalAdmitted.spellId");
  EXPECT_LT(ms, kLimitMs);
  RecordProperty("millis", std::to_string(ms));
}

// A retraction first: every event after it is judged on the recorded events.
TEST(RulesCost, ARetractionThenAThousandEventsAtTheEnd) {
  const PersonState history = LongHistory();
  std::vector<schema::CareEvent> events;
  events.push_back(Ev("x", At(3000), Retract("h5")));
  for (int i = 0; i < 999; ++i)
    events.push_back(Attended("n" + std::to_string(i), 3001 + i));
  Status s;
  const double ms = Millis([&] { s = CheckRules(history, events, kNow); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(ms, kLimitMs);
  RecordProperty("millis", std::to_string(ms));
}

}  // namespace
}  // namespace carelog::testing
