#include "services/demo_loader.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace carelog {
namespace {

constexpr size_t kMaxEventsPerRequest = 1000;

// One request: events [first, last) of one person, recorded on one London day.
struct Request {
  uint32_t area = 0;
  uint32_t person = 0;
  uint32_t first = 0;
  uint32_t last = 0;
};

// The last date of the tick of `tick_days` days that holds the date (ticks
// start on Mondays).
int32_t TickOf(Date date, int tick_days) {
  if (tick_days <= 1) return date.days;
  const int32_t monday = date.days - DayOfWeek(date);
  const int32_t week = monday - ((monday / 7) % ((tick_days + 6) / 7)) * 7;
  return week + ((tick_days + 6) / 7) * 7 - 1;
}

struct Day {
  Date date;
  std::vector<Request> requests;
  Instant last_recorded = 0;  // the latest recorded_at of the tick's events
};

std::vector<Day> PlanDays(const std::vector<const SyntheticArea *> &areas,
                          int tick_days) {
  struct Entry {
    int32_t day;
    uint32_t area;
    uint32_t person;
    uint32_t event;
  };
  std::vector<Entry> entries;
  for (size_t a = 0; a < areas.size(); ++a) {
    for (size_t p = 0; p < areas[a]->people.size(); ++p) {
      const auto &events = areas[a]->people[p].events;
      for (size_t e = 0; e < events.size(); ++e) {
        entries.push_back({TickOf(LondonDate(events[e].recorded_at), tick_days),
                           static_cast<uint32_t>(a), static_cast<uint32_t>(p),
                           static_cast<uint32_t>(e)});
      }
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry &x, const Entry &y) {
    return std::tie(x.day, x.area, x.person, x.event) <
           std::tie(y.day, y.area, y.person, y.event);
  });
  std::vector<Day> days;
  for (const Entry &e : entries) {
    if (days.empty() || days.back().date.days != e.day)
      days.push_back({Date{e.day}, {}, 0});
    const Instant recorded =
        areas[e.area]->people[e.person].events[e.event].recorded_at;
    days.back().last_recorded = std::max(days.back().last_recorded, recorded);
    auto &requests = days.back().requests;
    if (!requests.empty() && requests.back().area == e.area &&
        requests.back().person == e.person && requests.back().last == e.event &&
        e.event - requests.back().first < kMaxEventsPerRequest) {
      requests.back().last = e.event + 1;
    } else {
      requests.push_back({e.area, e.person, e.event, e.event + 1});
    }
  }
  return days;
}

}  // namespace

int64_t LoadClock::NowMicros() const {
  return held_.load() ? now_.load() : system_.NowMicros();
}

void LoadClock::Hold(int64_t now) {
  int64_t current = now_.load();
  while (current < now && !now_.compare_exchange_weak(current, now)) {
  }
  held_.store(true);
}

std::string LastLoadedEventId(const std::vector<const SyntheticArea *> &areas,
                              int tick_days) {
  const auto days = PlanDays(areas, tick_days);
  if (days.empty()) return "";
  const Request &last = days.back().requests.back();
  schema::CareEvent event;
  if (!event.ParseFromString(
          areas[last.area]->people[last.person].events[last.last - 1].body)) {
    return "";
  }
  return event.event_id();
}

Status LoadSyntheticPeople(const std::vector<const SyntheticArea *> &areas,
                           Recorder &recorder, LoadClock &clock,
                           const DemoLoadOptions &options) {
  const std::vector<Day> days = PlanDays(areas, options.tick_days);
  uint64_t total = 0;
  for (const SyntheticArea *area : areas) total += area->event_count;
  uint64_t done = 0;
  const size_t window = static_cast<size_t>(std::max(1, options.in_flight));
  // `threads` threads parse and submit a day's requests (the rules run on
  // them); answers arrive on the event log's threads. Submitters wait for room
  // in the window, and the day ends when every answer is in.
  std::mutex mu;
  std::condition_variable cv;
  size_t waiting = 0;
  Status error;
  auto finished = [&](uint32_t count, const std::string &nhs,
                      Result<RecordOutcome> outcome) {
    std::lock_guard lock(mu);
    if (outcome.ok()) {
      done += count;
    } else if (error.ok()) {
      // ToString names the field errors too.
      error = Status(
          outcome.status().code(),
          "loading person " + nhs + " failed: " + outcome.status().ToString());
    }
    --waiting;
    cv.notify_all();
  };
  for (const Day &day : days) {
    // The whole tick is recorded at the latest instant its events were due to
    // be recorded.
    clock.Hold(day.last_recorded);
    std::atomic<size_t> next{0};
    auto submit = [&] {
      for (size_t i = next++; i < day.requests.size(); i = next++) {
        const Request &r = day.requests[i];
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return waiting < window || !error.ok(); });
          if (!error.ok()) return;
          ++waiting;
        }
        const SyntheticPerson &person = areas[r.area]->people[r.person];
        RecordRequest request;
        request.nhs_number = person.nhs_number;
        request.recorded_by = options.recorded_by;
        request.events.resize(r.last - r.first);
        for (uint32_t e = r.first; e < r.last; ++e) {
          request.events[e - r.first].ParseFromString(person.events[e].body);
        }
        recorder.RecordAsync(
            std::move(request),
            [&, count = r.last - r.first,
             nhs = person.nhs_number](Result<RecordOutcome> outcome) {
              finished(count, nhs, std::move(outcome));
            });
      }
    };
    std::vector<std::thread> others;
    const size_t threads = std::min<size_t>(
        static_cast<size_t>(options.threads), day.requests.size());
    for (size_t t = 1; t < threads; ++t) others.emplace_back(submit);
    submit();
    for (auto &t : others) t.join();
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return waiting == 0; });
    if (!error.ok()) return error;
    const uint64_t so_far = done;
    lock.unlock();
    if (options.progress) options.progress(so_far, total);
    if (options.stop_requested && options.stop_requested()) {
      return Status(Code::kUnavailable,
                    "the load was stopped after " + std::to_string(so_far) +
                        " of " + std::to_string(total) +
                        " events (all of them kept); run the same command "
                        "again to load the rest");
    }
  }
  return Status::Ok();
}

}  // namespace carelog
