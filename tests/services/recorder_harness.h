// A Recorder over an in-memory event log with a hand-set clock, for rule and
// recorder tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "services/recorder.h"
#include "tests/services/care_events.h"
#include "tests/services/fake_event_log.h"

namespace carelog::testing {

inline constexpr const char* kNhs = "9434765919";
inline constexpr const char* kOtherNhs = "9990000018";

class RecorderHarness : public ::testing::Test {
 protected:
  RecorderHarness()
      : clock_(*ParseRfc3339("2016-06-01T12:00:00Z")),
        recorder_(log_, clock_) {}

  Result<RecordOutcome> Post(const std::vector<schema::CareEvent>& events,
                             std::optional<uint64_t> if_match = std::nullopt,
                             const char* nhs = kNhs) {
    return recorder_.Record(nhs, events, if_match, "tester");
  }

  // Posts and expects success.
  RecordOutcome Accept(const std::vector<schema::CareEvent>& events,
                       const char* nhs = kNhs) {
    auto r = Post(events, std::nullopt, nhs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RecordOutcome{};
  }

  // Posts, expects a refusal with this code and returns it.
  Status Refuse(const std::vector<schema::CareEvent>& events,
                Code code = Code::kRuleViolation, const char* nhs = kNhs) {
    uint64_t before = Version(nhs);
    auto r = Post(events, std::nullopt, nhs);
    EXPECT_FALSE(r.ok()) << "accepted, expected " << CodeName(code);
    if (r.ok()) return Status::Ok();
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_FALSE(r.status().errors().empty()) << r.status().ToString();
    EXPECT_EQ(Version(nhs), before) << "a refused request must append nothing";
    return r.status();
  }

  uint64_t Version(const char* nhs = kNhs) {
    auto v = log_.StreamVersion(PersonStream(nhs));
    return v.ok() ? *v : 0;
  }

  std::shared_ptr<const PersonState> State(const char* nhs = kNhs) {
    auto s = recorder_.Load(nhs);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->state : std::make_shared<const PersonState>();
  }

  // Registers the person (born 1938-02-11) at 2014-06-01T09:00:00+01:00.
  void Register(const char* nhs = kNhs) {
    Accept({Ev(std::string("reg-") + nhs, "2014-06-01T09:00:00+01:00",
               Registered())},
           nhs);
  }

  FakeEventLog log_;
  ManualClock clock_;
  Recorder recorder_;
};

// The first error's field, or "" if none.
inline std::string FieldOf(const Status& s) {
  return s.errors().empty() ? "" : s.errors().front().field;
}
inline std::string MessageOf(const Status& s) {
  return s.errors().empty() ? "" : s.errors().front().message;
}

}  // namespace carelog::testing
