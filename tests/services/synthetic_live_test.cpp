#include "services/synthetic_live.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "services/worklists.h"

namespace carelog {
namespace {

TEST(SyntheticLiveTest, FillsEachWorklistWithPastEventsOnly) {
  const Instant now = ParseRfc3339("2026-11-22T09:30:00Z").value();
  LiveCohortOptions options;
  const auto people = GenerateLiveCohort(options, now);
  ASSERT_EQ(people.size(), 40u);
  std::map<std::string, std::vector<schema::CareEvent>, std::less<>> streams;
  ManualClock clock(now);
  WorklistProjection worklists(
      clock,
      [&streams](std::string_view nhs,
                 uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        const auto& stream = streams.find(nhs)->second;
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      });
  for (const SyntheticPerson& person : people) {
    auto& stream = streams[person.nhs_number];
    for (const SyntheticEvent& e : person.events) {
      schema::CareEvent event;
      ASSERT_TRUE(event.ParseFromString(e.body));
      EXPECT_LE(ParseRfc3339(event.occurred_at()).value(), now);
      EXPECT_EQ(e.recorded_at, now);
      stream.push_back(event);
      ASSERT_TRUE(
          worklists.ApplyCareEvent(person.nhs_number, stream.size(), event)
              .ok());
    }
    EXPECT_TRUE(people.front().events.size() >= 2);
  }
  const auto discharge =
      worklists.Discharge(options.area_code, std::nullopt, now);
  EXPECT_EQ(discharge.size(),
            24u);  // three people in five are in hospital, ready
  EXPECT_GE(discharge.front().days_delayed, discharge.back().days_delayed);
  int unrecorded = 0, with_professional = 0;
  for (const auto& item : discharge) {
    unrecorded += item.reason == "UNRECORDED";
    with_professional += item.accountable_professional.has_value();
  }
  EXPECT_GT(unrecorded, 0);
  EXPECT_LT(unrecorded, 24);
  EXPECT_GT(with_professional, 0);
  EXPECT_EQ(worklists.FollowUpsDue(options.area_code, now).size(), 8u);
  EXPECT_EQ(worklists.UnassignedPackages(options.area_code, now).size(), 8u);
  // The same day gives the same people.
  EXPECT_EQ(
      GenerateLiveCohort(options, now + 3'600'000'000LL)[7].events[1].body,
      people[7].events[1].body);
}

}  // namespace
}  // namespace carelog
