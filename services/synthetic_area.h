// A deterministic synthetic area for the demo and the benchmarks: residents
// with test NHS numbers (999...), their care events from 2014-04 to 2016-03 at
// the rates of a real borough, the ONS-like mid-year populations they imply
// (2013-2016), and plans for 2014-15 and 2015-16 under both payment schemes.
// The same options always give the same area, byte for byte.
//
// Every person's events, taken in the order they are to be recorded, pass every
// rule of SPEC.md against the history they build. Some events are recorded late
// (their recorded_at well after occurredAt, and after events that occurred
// later) and a few are retracted.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "carelog/admin.pb.h"
#include "carelog/events.pb.h"
#include "services/calendar.h"

namespace carelog {

struct SyntheticAreaOptions {
  uint64_t seed = 20140401;
  double scale = 1.0;  // 1.0 is about 185,000 residents
  std::string area_code = "E09000099";
  std::string name = "Carelog Demo Borough";
  uint64_t first_nhs_index =
      0;  // cursor of its first test NHS number (ranges must not overlap)
  int64_t residents = 185000;  // at scale 1.0
};

// One event as the loader records it: `recorded_at` is the instant it is to be
// recorded, never before its occurredAt.
struct SyntheticEvent {
  Instant recorded_at = 0;
  std::string body;  // a serialized schema::CareEvent
};

struct SyntheticPerson {
  std::string nhs_number;
  std::vector<SyntheticEvent>
      events;  // in recording order; the first is personRegistered
};

struct SyntheticArea {
  std::string area_code;
  schema::Area area;  // name and mid-2013..2016 populations
  std::vector<std::pair<std::string, schema::Plan>>
      plans;  // ("2014-15", plan), ("2015-16", plan)
  std::vector<SyntheticPerson> people;
  uint64_t event_count = 0;
};

// The first and last instants of the generated care (2014-04-01 00:00 and
// 2016-03-31 23:59 London).
Instant SyntheticStart();
Instant SyntheticEnd();

SyntheticArea GenerateSyntheticArea(const SyntheticAreaOptions& options);

// The test NHS number 999 followed by the six digits of *cursor and its Modulus
// 11 check digit, skipping the bases that have no valid check digit; advances
// *cursor past the number returned.
std::string NextTestNhsNumber(uint64_t* cursor);

}  // namespace carelog
