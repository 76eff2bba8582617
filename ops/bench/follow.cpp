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

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>

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

// The order P2's closed loop sends: person p on connection p % connections,
// a connection's people one after the other, connections taking turns.
std::vector<const BenchEvent*> SendOrder(const Population& pop,
                                         int connections) {
  std::vector<std::vector<const BenchEvent*>> by_person(pop.people.size());
  for (const auto& e : pop.events) by_person[e.person].push_back(&e);
  std::vector<std::vector<const BenchEvent*>> queues(
      static_cast<size_t>(connections));
  for (size_t p = 0; p < by_person.size(); ++p)
    for (const BenchEvent* e : by_person[p])
      queues[p % queues.size()].push_back(e);
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

// Appends the events as one request each, all in flight together, and waits
// until every one is durable.
void AppendAll(storage::EventLog& log, const Population& pop,
               const std::vector<const BenchEvent*>& events) {
  std::mutex mu;
  std::condition_variable cv;
  size_t left = events.size();
  for (const BenchEvent* e : events) {
    storage::AppendRequest request;
    request.stream = PersonStreamOf(pop.people[e->person]);
    request.events.push_back(AsNewEvent(*e));
    request.recorded_by = "bench";
    log.AppendAsync(std::move(request), [&](Result<storage::AppendResult> r) {
      if (!r.ok()) Fail("append: " + r.status().ToString());
      std::lock_guard<std::mutex> lock(mu);
      if (--left == 0) cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return left == 0; });
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
    AppendAll(**log, pop, order);
    apply();
  } else {
    for (size_t from = 0; from < order.size(); from += batch) {
      const size_t to = std::min(order.size(), from + batch);
      AppendAll(**log, pop, {order.begin() + from, order.begin() + to});
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
