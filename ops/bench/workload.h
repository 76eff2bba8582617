// The benchmark workload of PERFORMANCE.md: synthetic boroughs of
// services/synthetic_area.h (the generator `carelog demo` uses), one after
// another, their people renumbered so that NHS numbers stay distinct across
// areas, and all their events merged into one recording order. Deterministic:
// the same options give the same events, byte for byte.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "carelog/events.pb.h"
#include "ops/bench/bench.h"
#include "services/synthetic_area.h"
#include "storage/event_log.h"

namespace carelog::bench {

inline constexpr const char* kCareEventType = "carelog.schema.CareEvent";

struct PopulationOptions {
  int areas = 1;
  double scale = 1.0;  // of each area; 1.0 is about 185,000 residents
  uint64_t seed = 20140401;
  int first_area = 0;  // areas first_area .. first_area + areas - 1
};

// The ONS-like code of benchmark area k: E0990 followed by four digits.
inline std::string BenchAreaCode(int k) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "E0990%04d", k % 10000);
  return buf;
}

// The next valid Modulus 11 NHS number from *cursor, counting through
// 999 000 000x (the test range, ~909,000 numbers) and past it on through
// 998..., 997... (never issued in England either); advances *cursor.
inline std::string NextBenchNhsNumber(uint64_t* cursor) {
  for (;;) {
    const uint64_t c = (*cursor)++;
    const uint64_t base =
        999'000'000 - (c / 1'000'000) * 1'000'000 + c % 1'000'000;
    int sum = 0;
    uint64_t v = base;
    for (int w = 2; w <= 10; ++w, v /= 10) sum += static_cast<int>(v % 10) * w;
    const int check = 11 - sum % 11;
    if (check == 10) continue;
    return std::to_string(base) + static_cast<char>('0' + check % 11);
  }
}

// One event in recording order.
struct BenchEvent {
  Instant recorded_at = 0;
  uint32_t person = 0;  // index into Population::people
  std::string event_id;
  std::string body;  // a serialized schema::CareEvent
};

struct BenchPerson {
  std::string nhs_number;
  uint32_t area = 0;  // index into Population::areas
  uint32_t events = 0;
};

struct Population {
  std::vector<SyntheticArea> areas;  // area, plans; their people are moved out
  std::vector<BenchPerson> people;
  std::vector<BenchEvent> events;  // by recorded_at, each person in order
};

// Generates the areas (on up to two threads) and merges their events.
inline Population GeneratePopulation(const PopulationOptions& options) {
  Population pop;
  pop.areas.resize(static_cast<size_t>(options.areas));
  auto generate = [&](int from, int step) {
    for (int k = from; k < options.areas; k += step) {
      SyntheticAreaOptions o;
      o.seed = options.seed + static_cast<uint64_t>(options.first_area + k);
      o.scale = options.scale;
      o.area_code = BenchAreaCode(options.first_area + k);
      o.name = "Benchmark Borough " + std::to_string(options.first_area + k);
      pop.areas[static_cast<size_t>(k)] = GenerateSyntheticArea(o);
    }
  };
  std::thread other(generate, 1, 2);
  generate(0, 2);
  other.join();

  // Area k's numbers start at cursor k * 200,000 (room for the ~185,000
  // people of one area at scale 1, when a population holds one area), so
  // populations with different first_area never share a number; first_area
  // must stay below 4,000 (the numbers keep ten digits).
  uint64_t cursor = static_cast<uint64_t>(options.first_area) * 200'000;
  size_t total = 0;
  for (const auto& a : pop.areas) total += a.event_count;
  pop.events.reserve(total);
  schema::CareEvent parsed;
  for (size_t k = 0; k < pop.areas.size(); ++k) {
    for (auto& p : pop.areas[k].people) {
      const auto person = static_cast<uint32_t>(pop.people.size());
      pop.people.push_back({NextBenchNhsNumber(&cursor),
                            static_cast<uint32_t>(k),
                            static_cast<uint32_t>(p.events.size())});
      for (auto& e : p.events) {
        if (!parsed.ParseFromString(e.body)) Fail("a synthetic event is bad");
        pop.events.push_back(
            {e.recorded_at, person, parsed.event_id(), std::move(e.body)});
      }
    }
    pop.areas[k].people.clear();
    pop.areas[k].people.shrink_to_fit();
  }
  std::stable_sort(pop.events.begin(), pop.events.end(),
                   [](const BenchEvent& a, const BenchEvent& b) {
                     return a.recorded_at < b.recorded_at;
                   });
  return pop;
}

inline std::string PersonStreamOf(const BenchPerson& p) {
  return "person-" + p.nhs_number;
}

inline storage::NewEvent AsNewEvent(const BenchEvent& e) {
  return {e.event_id, kCareEventType, e.body};
}

// What P2's closed loop sends on each of `connections` connections, in order:
// person p on connection p % connections, a connection's people one after the
// other, each person's events in recording order.
inline std::vector<std::vector<const BenchEvent*>> ByConnection(
    const Population& pop, int connections) {
  std::vector<std::vector<const BenchEvent*>> by_person(pop.people.size());
  for (const auto& e : pop.events) by_person[e.person].push_back(&e);
  std::vector<std::vector<const BenchEvent*>> out(
      static_cast<size_t>(connections));
  for (size_t p = 0; p < by_person.size(); ++p)
    for (const BenchEvent* e : by_person[p]) out[p % out.size()].push_back(e);
  return out;
}

// Appends `events` (BenchEvents, or pointers to them) in order, one request
// each, up to 50,000 in flight, and waits until every one is durable; fails
// on an append error. `clock`, when given, is moved on to each event's
// recording time before it is appended, so that positions grow with
// recordedAt as in real life (a group commit takes the latest recording time
// of what it holds). Notes progress every million events.
template <typename Events>
void AppendAll(storage::EventLog& log, const Population& pop,
               const Events& events, const std::string& recorded_by,
               std::atomic<int64_t>* clock = nullptr) {
  constexpr size_t kInFlight = 50000;
  std::mutex mu;
  std::condition_variable cv;
  size_t in_flight = 0;
  std::string error;
  std::vector<std::string> streams;
  streams.reserve(pop.people.size());
  for (const auto& p : pop.people) streams.push_back(PersonStreamOf(p));
  const auto start = std::chrono::steady_clock::now();
  size_t done_count = 0;
  for (const auto& item : events) {
    const BenchEvent& e = [&]() -> const BenchEvent& {
      if constexpr (std::is_pointer_v<std::decay_t<decltype(item)>>) {
        return *item;
      } else {
        return item;
      }
    }();
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    if (clock != nullptr && e.recorded_at > clock->load())
      clock->store(e.recorded_at);
    storage::AppendRequest r{streams[e.person],
                             storage::ExpectedVersion::Any(),
                             {AsNewEvent(e)},
                             recorded_by};
    log.AppendAsync(std::move(r), [&](Result<storage::AppendResult> result) {
      std::lock_guard lock(mu);
      if (!result.ok() && error.empty()) error = result.status().message();
      --in_flight;
      cv.notify_one();
    });
    if (++done_count % 1'000'000 == 0) {
      Note("  %zu events appended, %.0f/s", done_count,
           static_cast<double>(done_count) / SecondsSince(start));
    }
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  if (!error.empty()) Fail("append failed: " + error);
}

}  // namespace carelog::bench
