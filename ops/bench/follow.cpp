// bench_follow: the projector's work per event while it follows writes, in
// one process. P2's workload (new people of workload.h, each person's events
// in order on one of 64 "connections", the connections interleaved one event
// each) is appended to a fresh store in groups of --batch events, and after
// each group the read side's runner applies them (CatchUp: the follower's
// batch) on a thread named "projector" (for perf's --comm). Prints the
// thread's CPU per event and a digest of every projection row: rows must not
// change with the projector's code. On a shared machine the CPU time moves
// with the load; under valgrind --tool=callgrind
// --toggle-collect='carelog::ProjectionRunner::CatchUp()' the instruction
// count does not (docs/PERFORMANCE.md, "Projector, session 13"). With
// --appended, every event is appended first and then applied in batches of
// --batch (quicker).
//   bench_follow --dir D [--scale 0.5] [--batch 200] [--events N]
//                [--connections 64] [--first-area 455] [--appended]
#include <pthread.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <span>

#include "ops/bench/bench.h"
#include "ops/bench/workload.h"
#include "services/calendar.h"
#include "services/clock.h"
#include "services/read_side.h"
#include "storage/content_hash.h"
#include "storage/rocksdb_event_log.h"

namespace carelog::bench {
namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// The order P2's closed loop sends (ByConnection), connections taking turns.
std::vector<const BenchEvent*> SendOrder(const Population& pop,
                                         int connections) {
  const auto queues = ByConnection(pop, connections);
  std::vector<const BenchEvent*> out;
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (const auto& q : queues) {
      if (i < q.size()) {
        out.push_back(q[i]);
        any = true;
      }
    }
    if (!any) return out;
  }
}

std::string RowsDigest(storage::EventLog& log) {
  std::string all;
  for (const char* name : {"metrics", "plans", "worklists"}) {
    Status s = log.ScanProjection(
        name, "", [&](std::string_view k, std::string_view v) {
          all.append(name).append("\n").append(k).append("\n");
          all.append(v).append("\n");
          return true;
        });
    if (!s.ok()) Fail("scan: " + s.ToString());
  }
  std::string hash = storage::ContentHash("rows", "", all);
  return storage::Hex(std::string_view(hash).substr(0, 8)) + " (" +
         std::to_string(all.size()) + " bytes)";
}

int Main(const Flags& flags) {
  flags.Allow({"dir", "scale", "batch", "events", "connections", "first-area",
               "appended"});
  const std::string dir = flags.Get("dir");
  if (dir.empty()) Fail("--dir is required");
  std::filesystem::remove_all(dir);
  PopulationOptions po;
  po.first_area = static_cast<int>(flags.Int("first-area", 455));
  po.scale = flags.Double("scale", 0.5);
  Population pop = GeneratePopulation(po);
  std::vector<const BenchEvent*> order =
      SendOrder(pop, static_cast<int>(flags.Int("connections", 64)));
  const size_t limit = static_cast<size_t>(
      flags.Int("events", static_cast<int64_t>(order.size())));
  if (order.size() > limit) order.resize(limit);
  const size_t batch = static_cast<size_t>(flags.Int("batch", 200));

  storage::OpenOptions options;
  options.path = dir;
  auto log = storage::OpenRocksDbEventLog(options);
  if (!log.ok()) Fail("open: " + log.status().ToString());
  ManualClock clock(*ParseRfc3339("2016-04-01T09:00:00+01:00"));
  ProjectorOptions runner_options;
  runner_options.build_empty = false;
  runner_options.batch_events = batch;
  ReadSide side(**log, clock, runner_options);
  if (!side.Open().ok()) Fail("cannot open the read side");

  // Named as serve's follower, so that a profile can take this part alone.
  pthread_setname_np(pthread_self(), "projector");
  double cpu = 0;
  auto apply = [&] {
    const double t0 = ThreadCpuSeconds();
    Status s = side.runner().CatchUp();
    cpu += ThreadCpuSeconds() - t0;
    if (!s.ok()) Fail("apply: " + s.ToString());
  };
  if (flags.Has("appended")) {
    // Everything appended first, then applied in batches of --batch.
    AppendAll(**log, pop, order, "bench");
    apply();
  } else {
    for (size_t from = 0; from < order.size(); from += batch) {
      const size_t to = std::min(order.size(), from + batch);
      AppendAll(**log, pop, std::span(order).subspan(from, to - from), "bench");
      apply();
    }
  }
  std::printf("events %zu in batches of %zu: projector %.2f us an event\n",
              order.size(), batch, cpu * 1e6 / order.size());
  pthread_setname_np(pthread_self(), "digest");
  std::printf("rows digest %s\n", RowsDigest(**log).c_str());
  return 0;
}

}  // namespace
}  // namespace carelog::bench

int main(int argc, char** argv) {
  return carelog::bench::Main(carelog::bench::Flags(argc, argv));
}
