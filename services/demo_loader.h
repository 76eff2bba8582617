// Loads a synthetic area's people through the Recorder, exactly as real events
// arrive: one London day at a time in recording order, with the clock of the
// store and of the recorder set to that day, so that recordedAt (and every
// as-of view) follows the history. A person's events of one day go in one
// request; the requests of a day are in flight together (Recorder::RecordAsync)
// so group commit batches them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "services/calendar.h"
#include "services/clock.h"
#include "services/recorder.h"
#include "services/synthetic_area.h"
#include "storage/status.h"

namespace carelog {

// A clock that reads a set instant while loading and the system clock once
// released. Thread-safe.
class LoadClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  // Holds the clock at `now` (never moves it backwards).
  void Hold(int64_t now);
  // From now on the system clock is read.
  void Release() { held_.store(false); }

 private:
  std::atomic<bool> held_{false};
  std::atomic<int64_t> now_{0};
  SystemClock system_;
};

struct DemoLoadOptions {
  // Requests waiting to be durable at once (no thread waits for each).
  int in_flight = 1024;
  // Threads that parse, check and submit requests.
  int threads = 2;
  // Days recorded together, at the end of the last one (7: a week, Monday to
  // Sunday).
  int tick_days = 1;
  std::string recorded_by = "demo-loader";
  // Called on the loading thread after each day: (events done, events in all).
  std::function<void(uint64_t, uint64_t)> progress;
  // Asked after each day: true ends the load there (kUnavailable), every
  // event submitted so far durable.
  std::function<bool()> stop_requested;
};

// The id of the event the loader records last: if it is stored, the areas were
// loaded completely.
std::string LastLoadedEventId(const std::vector<const SyntheticArea*>& areas,
                              int tick_days);

// Records every event of the areas' people, their days interleaved. Events
// already recorded identically are accepted as retries, so an interrupted load
// can be run again. Stops at the first refusal, naming the person and the rule,
// or when asked to stop.
Status LoadSyntheticPeople(const std::vector<const SyntheticArea*>& areas,
                           Recorder& recorder, LoadClock& clock,
                           const DemoLoadOptions& options);

}  // namespace carelog
