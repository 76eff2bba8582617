// The worklists projection against keeping everyone's facts: people are held
// only while they have an open item (or an event not occurred yet), and the
// facts of people seen recently are kept.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "services/person_state.h"
#include "services/synthetic_area.h"
#include "services/worklist_facts.h"
#include "services/worklists.h"
#include "tests/services/instants.h"
#include "tests/services/worklists_fixture.h"

namespace carelog {
namespace {

using testing::At;
using worklists_testing::Care;
using worklists_testing::kArea;
using worklists_testing::kNhs;
using worklists_testing::ReadyForDischarge;

// Holding only people with open items gives the lists that keeping everyone's
// facts gave, on a synthetic borough with late and retracted events, applied
// person by person or interleaved (round robin), with the recent people's
// facts cached for `recent_facts`, by a clock at `clock_at` (after it, events
// have not occurred yet), and asked at that instant and at the end of the
// history; returns how often the projection read a person's stream back.
size_t CheckHoldingOnlyOpenPeople(size_t recent_facts, bool interleaved,
                                  Instant clock_at = SyntheticEnd()) {
  SyntheticAreaOptions options;
  options.scale = 0.03;
  const SyntheticArea area = GenerateSyntheticArea(options);
  std::map<std::string, std::vector<schema::CareEvent>, std::less<>> streams;
  size_t reads = 0;
  ManualClock clock(clock_at);
  WorklistProjection projection(
      clock,
      [&streams, &reads](std::string_view nhs, uint64_t up_to)
          -> Result<std::vector<schema::CareEvent>> {
        ++reads;
        const auto& stream = streams.find(nhs)->second;
        EXPECT_LE(up_to, stream.size());
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      },
      recent_facts);
  std::vector<std::vector<worklist_facts::Fact>> facts(area.people.size());
  auto apply = [&](size_t p, size_t k) {
    const SyntheticPerson& person = area.people[p];
    auto& stream = streams[person.nhs_number];
    schema::CareEvent event;
    ASSERT_TRUE(event.ParseFromString(person.events[k].body));
    stream.push_back(event);
    ASSERT_TRUE(
        projection.ApplyCareEvent(person.nhs_number, stream.size(), event)
            .ok());
    if (auto f = worklist_facts::ToFact(event, stream.size()))
      facts[p].push_back(std::move(*f));
  };
  if (interleaved) {
    for (size_t k = 0, left = 1; left > 0; ++k) {
      left = 0;
      for (size_t p = 0; p < area.people.size(); ++p) {
        if (k < area.people[p].events.size()) {
          apply(p, k);
          ++left;
        }
      }
    }
  } else {
    for (size_t p = 0; p < area.people.size(); ++p) {
      for (size_t k = 0; k < area.people[p].events.size(); ++k) apply(p, k);
    }
  }
  // Held: everyone with an open item once all has occurred or an event
  // standing on nothing, and of the others only some with an event not
  // occurred by the clock (those it may show on a list before it occurs).
  size_t open = 0, ahead = 0;
  for (size_t p = 0; p < area.people.size(); ++p) {
    const bool worth =
        worklist_facts::Derive(area.people[p].nhs_number, facts[p])
            .worth_holding();
    open += worth;
    ahead += !worth && worklist_facts::Latest(facts[p]) > clock_at;
  }
  EXPECT_GE(projection.PeopleHeld(), open);
  EXPECT_LE(projection.PeopleHeld(), open + ahead);
  EXPECT_GT(open, 0u);
  if (clock_at >= SyntheticEnd()) {
    EXPECT_EQ(ahead, 0u);
    EXPECT_LT(open, area.people.size() / 4);
  }

  for (const Instant now : {clock_at, SyntheticEnd()}) {
    // Everyone's items as they stand at `now`.
    std::set<std::string> want, got;
    for (size_t p = 0; p < area.people.size(); ++p) {
      const auto items =
          worklist_facts::Derive(area.people[p].nhs_number, facts[p], now);
      if (items.area != area.area_code) continue;
      for (const auto& d : items.discharge)
        want.insert("D " + d.nhs_number + d.spell_id + d.reason + d.agency +
                    d.site);
      for (const auto& f : items.follow_ups) {
        if (f.due_on <= LondonDate(now))
          want.insert("F " + f.nhs_number + f.spell_id);
      }
      for (const auto& u : items.unassigned)
        want.insert("U " + u.nhs_number + u.package_id);
    }
    for (const auto& d :
         projection.Discharge(area.area_code, std::nullopt, now))
      got.insert("D " + d.nhs_number + d.spell_id + d.reason + d.agency +
                 d.site);
    for (const auto& f : projection.FollowUpsDue(area.area_code, now))
      got.insert("F " + f.nhs_number + f.spell_id);
    for (const auto& u : projection.UnassignedPackages(area.area_code, now))
      got.insert("U " + u.nhs_number + u.package_id);
    EXPECT_EQ(got, want);
    EXPECT_FALSE(got.empty());
  }
  return reads;
}

// A stored event's fact is the fact of its care event, at the occurredAt
// DecodeStoredCareEvent parsed: a real 1970 midnight (0) included, and none
// for an occurredAt it could not parse (which it leaves 0).
TEST(WorklistFactsTest, AStoredEventGivesItsCareEventsFact) {
  for (const std::string at :
       {"2015-06-01T09:00:00+01:00", "1970-01-01T00:00:00Z", "not a time"}) {
    schema::CareEvent event = Care("ready-1", at);
    event.mutable_ready_for_discharge()->set_spell_id("S1");
    storage::RecordedEvent recorded;
    recorded.stream = std::string("person-") + kNhs;
    recorded.version = 3;
    recorded.type = std::string(kCareEventType);
    recorded.body = event.SerializeAsString();
    auto stored = DecodeStoredCareEvent(recorded);
    ASSERT_TRUE(stored.ok());
    const auto want = worklist_facts::ToFact(event, 3);
    const auto got = worklist_facts::ToFact(**stored, 3);
    ASSERT_EQ(got.has_value(), want.has_value()) << at;
    ASSERT_EQ(got.has_value(), at != "not a time") << at;
    if (!got) continue;
    EXPECT_EQ(got->at, want->at) << at;
    EXPECT_EQ(got->kind, worklist_facts::Fact::Kind::kReady);
    EXPECT_EQ(got->ref, "S1");
    EXPECT_EQ(got->event_id, "ready-1");
    EXPECT_EQ(got->version, 3u);
  }
}

TEST(WorklistsEquivalenceTest, HoldingOnlyOpenPeopleGivesTheSameLists) {
  // Every person seen from their first event and kept among the recent: no
  // stream is read back.
  EXPECT_EQ(CheckHoldingOnlyOpenPeople(1'000'000, false), 0u);
  EXPECT_EQ(CheckHoldingOnlyOpenPeople(1'000'000, true), 0u);
}

TEST(WorklistsEquivalenceTest, EventsNotOccurredByTheClockWaitForTheirTime) {
  // Recorded in January 2015, when most of the history had not occurred: the
  // lists then are those of what had, and at the end those of everything.
  const Instant january = At("2015-01-15T12:00:00Z");
  CheckHoldingOnlyOpenPeople(1'000'000, true, january);
  CheckHoldingOnlyOpenPeople(8, true, january);
}

TEST(WorklistsEquivalenceTest, ForgottenRecentPeopleAreReadBack) {
  // A cache of a few facts: people interleaved are forgotten between their
  // events and read back, with the same lists.
  EXPECT_GT(CheckHoldingOnlyOpenPeople(8, true), 100u);
}

// A batch aborted and applied again, and an event of a person stream that is
// not a care event, leave the recent people's facts right.
TEST(WorklistsRecentTest, AnAbortedBatchAndAVersionWithoutAFactAreFollowed) {
  std::vector<schema::CareEvent> stream;
  size_t reads = 0;
  ManualClock clock(testing::kAfterEveryEvent);
  WorklistProjection projection(
      clock,
      [&](std::string_view,
          uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        ++reads;
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      });
  const auto events =
      ReadyForDischarge("2015-02-01T10:00:00Z", "2015-02-02T10:00:00Z");
  const schema::CareEvent &reg = events[0], &adm = events[1],
                          &ready = events[2];
  stream = {reg, adm};
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 1, reg).ok());
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 2, adm).ok());
  projection.Abort();
  // The runner applies the aborted batch again, then goes on.
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 2, adm).ok());
  // Version 3 is not a care event: it yields no fact.
  storage::RecordedEvent other;
  other.position = 3;
  other.stream = "person-" + std::string(kNhs);
  other.version = 3;
  other.event_id = "x";
  other.type = "not.a.CareEvent";
  storage::ProjectionWrite write;
  ASSERT_TRUE(projection.Apply(other, write).ok());
  stream.push_back(schema::CareEvent());
  stream.push_back(ready);
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 4, ready).ok());
  auto list =
      projection.Discharge(kArea, std::nullopt, At("2015-02-05T10:00:00Z"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].site, "Queen's");
  EXPECT_EQ(list[0].ready_since, At("2015-02-02T10:00:00Z"));
  EXPECT_EQ(reads, 1u);  // after the abort, version 2 came back unknown
}

// An admission of a person not held reads nothing back, even when their
// facts are not among the recent people's: only people with an event
// standing on nothing (held) can have one brought back by it.
TEST(WorklistsRecentTest, AnAdmissionReadsNoStreamBack) {
  std::map<std::string, std::vector<schema::CareEvent>, std::less<>> streams;
  size_t reads = 0;
  ManualClock clock(testing::kAfterEveryEvent);
  WorklistProjection projection(
      clock,
      [&](std::string_view nhs,
          uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        ++reads;
        const auto& stream = streams.find(nhs)->second;
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      },
      /*recent_facts=*/1);
  const std::vector<std::string> people = {"9990000018", "9990000026",
                                           "9990000034"};
  auto apply = [&](const std::string& nhs, const schema::CareEvent& e) {
    streams[nhs].push_back(e);
    ASSERT_TRUE(projection.ApplyCareEvent(nhs, streams[nhs].size(), e).ok());
  };
  for (const std::string& nhs : people) {
    schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
    reg.mutable_person_registered()->set_area_code(kArea);
    apply(nhs, reg);
  }
  for (const std::string& nhs : people) {
    schema::CareEvent adm = Care("adm", "2015-02-01T10:00:00Z");
    adm.mutable_hospital_admitted()->set_spell_id("S1");
    apply(nhs, adm);
  }
  EXPECT_EQ(reads, 0u);
  EXPECT_EQ(projection.PeopleHeld(), 0u);
}

}  // namespace
}  // namespace carelog
