// bench_growth (P6): the append rate through the recorder (rules checked,
// durable) into the big store against the same into an empty store, in the
// same run, alternating rounds so that noise of the machine falls on both.
// The big store's owed compactions are done first (Settle).
// The people appended are new each run (their numbers come from a run counter
// kept beside the store), so the big store only ever gains fresh streams.
//   bench_growth --dir D --events N [--threads 64]
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ops/bench/bench.h"
#include "ops/bench/settle.h"
#include "ops/bench/workload.h"
#include "services/clock.h"
#include "services/recorder.h"
#include "storage/rocksdb_event_log.h"

namespace carelog::bench {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<storage::EventLog> OpenLog(const std::string& path) {
  storage::OpenOptions o;
  o.path = path;
  auto log = storage::OpenRocksDbEventLog(o);
  if (!log.ok()) Fail("opening " + path + ": " + log.status().message());
  return std::move(*log);
}

// Waits until the big store's flushes and compactions are done. A store just
// built may owe compactions (the kept store opens with eight level-0 files of
// its stream index): they would run during the first rounds and be timed as
// the cost of appending beside 10 M events. The appends' own flushes and
// compactions stay in the measurement.
void Settle(storage::EventLog& log) {
  const auto& store = dynamic_cast<storage::RocksDbEventLog&>(log).store();
  const double seconds = WaitForBackgroundWork(store);
  // What each new event id and stream is looked up in: the figure depends on
  // where the kept store stands in its compaction cycle.
  Note("big store settled in %.1f s; level-0 files: dedup %s, head %s", seconds,
       LevelZeroFiles(store, store.dedup()).c_str(),
       LevelZeroFiles(store, store.head()).c_str());
}

struct Person {
  std::string nhs_number;
  std::vector<schema::CareEvent> events;
};

// Records the people's events, one event per request, from `threads` threads
// (each person's events in order on one thread). Returns events per second.
double Record(storage::EventLog& log, const std::vector<Person>& people,
              int threads) {
  SystemClock clock;
  Recorder recorder(log, clock);
  std::atomic<size_t> next{0};
  std::atomic<size_t> events{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < people.size(); i = next++) {
        for (const auto& e : people[i].events) {
          auto r =
              recorder.Record(people[i].nhs_number, {e}, std::nullopt, "bench");
          if (!r.ok()) Fail("record: " + r.status().message());
          ++events;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return static_cast<double>(events.load()) / SecondsSince(start);
}

int Main(const Flags& flags) {
  const fs::path dir = flags.Get("dir");
  const size_t wanted = static_cast<size_t>(flags.Int("events", 20000));
  const int threads = static_cast<int>(flags.Int("threads", 64));
  const int rounds = static_cast<int>(flags.Int("rounds", 2));
  if (!fs::exists(dir / "store")) Fail("no store in " + dir.string());

  // A fresh population each run: area numbers 100 + run counter.
  int run = 0;
  std::ifstream(dir / "growth-runs") >> run;
  std::ofstream(dir / "growth-runs") << run + 1 << "\n";
  PopulationOptions options;
  options.first_area = 100 + run % 350;
  options.scale = flags.Double("scale", 0.05);
  Population pop = GeneratePopulation(options);
  // Whole people, in order, until 2 * rounds * `wanted / (2 * rounds)` events.
  std::vector<std::vector<Person>> sets(static_cast<size_t>(2 * rounds));
  {
    std::vector<Person> people(pop.people.size());
    for (size_t i = 0; i < pop.people.size(); ++i)
      people[i].nhs_number = pop.people[i].nhs_number;
    for (const auto& e : pop.events) {
      schema::CareEvent parsed;
      if (!parsed.ParseFromString(e.body)) Fail("bad synthetic event");
      people[e.person].events.push_back(std::move(parsed));
    }
    const size_t per_set = wanted / sets.size();
    size_t s = 0, in_set = 0;
    for (auto& p : people) {
      if (s == sets.size()) break;
      in_set += p.events.size();
      sets[s].push_back(std::move(p));
      if (in_set >= per_set) {
        ++s;
        in_set = 0;
      }
    }
    if (s < sets.size()) Fail("the workload has too few events; raise --scale");
  }

  const fs::path empty_dir =
      dir.parent_path() / ("empty-store-" + std::to_string(::getpid()));
  fs::remove_all(empty_dir);
  auto big = OpenLog(dir / "store");
  auto empty = OpenLog(empty_dir);
  Settle(*big);
  Note("big store at position %llu; empty store at %llu",
       static_cast<unsigned long long>(big->LastPosition()),
       static_cast<unsigned long long>(empty->LastPosition()));
  double full_events = 0, full_time = 0, empty_events = 0, empty_time = 0;
  for (int r = 0; r < rounds; ++r) {
    for (int side = 0; side < 2; ++side) {
      const auto& set = sets[static_cast<size_t>(2 * r + side)];
      size_t n = 0;
      for (const auto& p : set) n += p.events.size();
      const bool into_big = (r + side) % 2 == 1;
      // CPU of the whole process (background flushes and compactions
      // included) an event: steadier than the rate on a shared machine.
      const Usage before = ProcessUsage();
      const double eps = Record(into_big ? *big : *empty, set, threads);
      const Usage after = ProcessUsage();
      Note(
          "round %d: %s store %.0f events/s, %.1f us CPU an event, %.1f MB "
          "read from the disk",
          r, into_big ? "big" : "empty", eps,
          1e6 * (after.cpu_seconds - before.cpu_seconds) /
              static_cast<double>(n),
          (after.disk_reads - before.disk_reads) * 512 / 1e6);
      (into_big ? full_events : empty_events) += static_cast<double>(n);
      (into_big ? full_time : empty_time) += static_cast<double>(n) / eps;
    }
  }
  empty.reset();
  fs::remove_all(empty_dir);
  Emit("p6.full_eps", full_events / full_time);
  Emit("p6.empty_eps", empty_events / empty_time);
  return 0;
}

}  // namespace
}  // namespace carelog::bench

int main(int argc, char** argv) {
  const carelog::bench::Flags flags(argc, argv);
  flags.Allow({"dir", "events", "rounds", "scale", "threads"});
  return carelog::bench::Main(flags);
}
