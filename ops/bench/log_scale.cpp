// bench_log_scale: how the event log behaves with many events stored
// (docs/PERFORMANCE.md P6, P9, P10). Appends into an empty store, loads N
// events, appends again with N stored, reopens.
//
//   P6  append rate with N events stored / append rate into an empty store (16
//   threads x 10
//       events per append, the P1 shape), same run
//   P9  peak resident memory of the process (VmHWM) and resident memory after
//   reopening P10 time to open the store with N events (until
//   OpenRocksDbEventLog returns)
//
// Usage: bench_log_scale [--quick] [--events N] [--dir PATH] [--verify]
// [--keep]
//        bench_log_scale --open PATH [--times N] [--lookups L] [--append S]
//        [--verify]: opens an existing store N times (P10 alone: time to open,
//        resident memory after), times L stream-head and L event-id lookups
//        of absent keys, appends for S seconds (16 threads x 10 events), runs
//        EventLog::VerifyFull and closes. Opening writes to the store:
//        give it a copy.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ops/bench/bench.h"
#include "storage/event_log.h"

namespace {

using carelog::bench::StatusKb;
using carelog::storage::AppendRequest;
using carelog::storage::EventLog;
using carelog::storage::ExpectedVersion;
using carelog::storage::NewEvent;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_log_scale: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string Body(std::mt19937& rng) {
  static const char* kWords[] = {
      "referral", "discharge", "assessment", "reablement", "package",
      "ward",     "home",      "care",       "delay",      "awaiting"};
  const size_t size = 150 + rng() % 251;
  std::string b =
      "\x0a\x0c"
      "REF-" +
      std::to_string(100000 + rng() % 900000) + "\x2a";
  while (b.size() < size) {
    b += kWords[rng() % 10];
    b += ' ';
  }
  b.resize(size);
  return b;
}

std::string Person(std::mt19937& rng) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  return "person-" + std::to_string(9434765919ull + static_cast<uint64_t>(
                                                        std::pow(u, 3) * 1e6));
}

// Appends from `threads` threads, `per_append` events each time, until
// `stop_after_events` events or `seconds` have passed; returns events per
// second.
double Append(EventLog& log, int threads, int per_append,
              uint64_t stop_after_events, double seconds,
              const std::string& tag, bool progress) {
  std::atomic<uint64_t> done{0};
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t * 7919 + tag.size()));
      for (uint64_t i = 0;; ++i) {
        if (done.load() >= stop_after_events || Seconds(start) >= seconds)
          return;
        AppendRequest r;
        r.stream = Person(rng);
        r.expected = ExpectedVersion::Any();
        r.recorded_by = "bench";
        for (int k = 0; k < per_append; ++k) {
          r.events.push_back(NewEvent{tag + std::to_string(t) + "-" +
                                          std::to_string(i) + "." +
                                          std::to_string(k),
                                      "carelog.schema.CareEvent", Body(rng)});
        }
        auto result = log.Append(std::move(r));
        if (!result.ok()) Die("append: " + result.status().ToString());
        const uint64_t now = done += static_cast<uint64_t>(per_append);
        if (progress && t == 0 && i % 200 == 0) {
          std::fprintf(stderr, "  loaded %llu events (%.0f/s)\r",
                       static_cast<unsigned long long>(now),
                       static_cast<double>(now) / Seconds(start));
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return static_cast<double>(done.load()) / Seconds(start);
}

std::unique_ptr<EventLog> Open(const std::string& path, double* seconds) {
  carelog::storage::OpenOptions options;
  options.path = path;
  const auto start = Clock::now();
  auto log = carelog::storage::OpenRocksDbEventLog(options);
  if (seconds != nullptr) *seconds = Seconds(start);
  if (!log.ok()) Die(log.status().ToString());
  return std::move(*log);
}

// Opens the store at `path` `times` times in a row and reports each opening's
// time and the process's resident memory after it.
// Point lookups through the sequencer's lookup families (head, dedup) of
// names and ids that are mostly absent: microseconds per lookup.
double Lookups(EventLog& log, int n) {
  std::mt19937 rng(11);
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const std::string name = "person-" + std::to_string(9000000000ull + rng());
    if (!log.StreamVersion(name).ok()) Die("StreamVersion failed");
    if (!log.FindEvent("lookup-" + std::to_string(rng())).ok())
      Die("FindEvent failed");
  }
  return Seconds(start) * 1e6 / (2.0 * n);
}

int OpenOnly(const std::string& path, int times, double append_seconds,
             bool verify, int lookups) {
  std::unique_ptr<EventLog> log;
  for (int i = 0; i < times; ++i) {
    log.reset();
    double seconds = 0;
    const long before = StatusKb("VmRSS:");
    log = Open(path, &seconds);
    const long after = StatusKb("VmRSS:");
    std::printf(
        "open %d: %.3f s, %llu events, RSS %.0f MiB after (+%.0f MiB)\n", i + 1,
        seconds, static_cast<unsigned long long>(log->LastPosition()),
        after / 1024.0, (after - before) / 1024.0);
    std::fflush(stdout);
  }
  if (lookups > 0) {
    std::printf("%d head and dedup lookups: %.1f us each\n", 2 * lookups,
                Lookups(*log, lookups));
    std::fflush(stdout);
  }
  if (append_seconds > 0) {
    const double rate =
        Append(*log, 16, 10, UINT64_MAX, append_seconds, "open-", false);
    std::printf("appended %.0f events/s; now %llu events\n", rate,
                static_cast<unsigned long long>(log->LastPosition()));
  }
  if (verify) {
    const auto start = Clock::now();
    auto s = log->VerifyFull();
    if (!s.ok()) Die("verify: " + s.ToString());
    std::printf("VerifyFull passed in %.1f s\n", Seconds(start));
  }
  log.reset();
  std::printf("peak RSS %.0f MiB\n", StatusKb("VmHWM:") / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--open") {
    int times = 1;
    double append_seconds = 0;
    bool verify = false;
    int lookups = 0;
    for (int i = 3; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--verify") verify = true;
      if (a == "--times" && i + 1 < argc)
        times = std::max(1, std::atoi(argv[++i]));
      if (a == "--append" && i + 1 < argc)
        append_seconds = std::atof(argv[++i]);
      if (a == "--lookups" && i + 1 < argc) lookups = std::atoi(argv[++i]);
    }
    return OpenOnly(argv[2], times, append_seconds, verify, lookups);
  }
  uint64_t events = 10'000'000;
  double measure_seconds = 5;
  bool verify = false, keep = false;
  std::string dir = (std::filesystem::current_path() /
                     ("bench-scale-" + std::to_string(getpid())))
                        .string();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      events = 200'000;
      measure_seconds = 1;
    } else if (a == "--events" && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--keep") {
      keep = true;
    } else if (a == "--verify") {
      verify = true;
    } else {
      std::fprintf(stderr,
                   "usage: bench_log_scale [--quick] [--events N] [--dir PATH] "
                   "[--verify]\n");
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/eventlog";

  auto log = Open(path, nullptr);
  const auto load_start = Clock::now();
  const double load_rate = Append(*log, 4, 1000, events, 1e9, "load-", true);
  const double load_seconds = Seconds(load_start);
  std::fprintf(stderr, "\n");
  log.reset();

  // Reopen, as a restarted server would, and append with the store full.
  double open_seconds = 0;
  log = Open(path, &open_seconds);
  const long rss_after_open = StatusKb("VmRSS:");
  // P6: rounds alternate between the full store and a fresh empty one, so that
  // the noise of a shared machine falls on both alike; medians of 3.
  std::vector<double> full_rates, empty_rates;
  for (int round = 0; round < 3; ++round) {
    const std::string r = std::to_string(round);
    full_rates.push_back(Append(*log, 16, 10, UINT64_MAX, measure_seconds,
                                "full-" + r + "-", false));
    const std::string empty_path = dir + "/empty";
    std::filesystem::remove_all(empty_path);
    auto empty = Open(empty_path, nullptr);
    empty_rates.push_back(Append(*empty, 16, 10, UINT64_MAX, measure_seconds,
                                 "empty-" + r + "-", false));
    empty.reset();
    std::filesystem::remove_all(empty_path);
    std::fprintf(stderr, "round %d: full %.0f events/s, empty %.0f events/s\n",
                 round, full_rates.back(), empty_rates.back());
  }
  std::sort(full_rates.begin(), full_rates.end());
  std::sort(empty_rates.begin(), empty_rates.end());
  const double full_rate = full_rates[1], empty_rate = empty_rates[1];
  const uint64_t stored = log->LastPosition();
  double verify_seconds = -1;
  if (verify) {
    const auto start = Clock::now();
    auto s = log->VerifyFull();
    if (!s.ok()) Die("verify: " + s.ToString());
    verify_seconds = Seconds(start);
  }
  log.reset();
  const long peak = StatusKb("VmHWM:");

  std::printf(
      "| figure | value | reference | ratio | target "
      "|\n|---|---:|---:|---:|---:|\n");
  std::printf("| events stored | %llu | | | |\n",
              static_cast<unsigned long long>(stored));
  std::printf(
      "| load rate, 4 threads x 1000 events/append (events/s) | %.0f | | | |\n",
      load_rate);
  std::printf(
      "| P6 append rate with the store full vs empty (events/s) | %.0f | %.0f "
      "| %.2f | >= 0.80 |\n",
      full_rate, empty_rate, full_rate / empty_rate);
  std::printf("| P9 peak RSS of the whole run (MiB) | %.0f | | | <= 1024 |\n",
              peak / 1024.0);
  std::printf("| RSS after reopening (MiB) | %.0f | | | |\n",
              rss_after_open / 1024.0);
  std::printf("| P10 open with the store full (s) | %.2f | | | <= 5 |\n",
              open_seconds);
  if (verify) std::printf("| VerifyFull (s) | %.1f | | | |\n", verify_seconds);
  std::printf("\nloading took %.0f s\n", load_seconds);
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
