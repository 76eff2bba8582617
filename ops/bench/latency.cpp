// bench_latency: the HTTP side of the benchmarks against a running
// `carelog serve`.
//   setup  --url U --token ADMIN --areas DIR     PUTs the areas and plans
//                                                 bench_store wrote as JSON
//   p7     --url U --commissioner T --coordinator T --area CODE [--requests N]
//          [--delayed N]: records N people ready for discharge in the area,
//          then p50/p99/p99.9 of a year's metrics, the discharge worklist, asOf
//   ingest --url U --token T --seconds S [--connections 64]
//          closed loop, one event per request: the most the server takes;
//          with --path P --expect STATUS [--repeat N] the same bodies (N
//          times over) go to P and answers of STATUS count (e.g. /healthz
//          405: the HTTP floor, no storage)
//   p8     --url U --token T --rate R --seconds S [--connections 64]
//          open loop at R requests/s; latency counted from each request's
//          scheduled start, so a stall is not hidden by the load waiting
//   p8ref  --rate R --seconds S [--what rocksdb|get|none] [--dir D | --url U]
//          the same open loop over RocksDB's own group commit (P8's floor)
// Events are new people of the workload (a run counter in --state FILE keeps
// them fresh between runs); each person's events go in order on one
// connection. ingest and p8 drive every connection from one thread
// (open_loop.h). setup and p7 are in latency_reads.h.
#include <google/protobuf/util/json_util.h>
#include <rocksdb/db.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "ops/bench/bench.h"
#include "ops/bench/http_client.h"
#include "ops/bench/latency_reads.h"
#include "ops/bench/open_loop.h"
#include "ops/bench/workload.h"

namespace carelog::bench {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

// Per connection, the requests it sends in order: whole people, one event a
// request.
std::vector<std::vector<Post>> Requests(const Flags& flags, int connections) {
  int run = 0;
  const std::string state = flags.Get("state");
  if (!state.empty()) {
    std::ifstream(state) >> run;
    std::ofstream(state) << run + 1 << "\n";
  }
  PopulationOptions options;
  options.first_area = 455 + run % 40;
  options.scale = flags.Double("scale", 0.05);
  Population pop = GeneratePopulation(options);
  const auto by_connection = ByConnection(pop, connections);
  std::vector<std::vector<Post>> out(by_connection.size());
  google::protobuf::util::JsonPrintOptions json;
  schema::CareEvent parsed;
  for (size_t c = 0; c < out.size(); ++c) {
    for (const BenchEvent* e : by_connection[c]) {
      const std::string target =
          flags.Has("path")
              ? flags.Get("path")
              : "/v1/people/" + pop.people[e->person].nhs_number + "/events";
      std::string text;
      if (!parsed.ParseFromString(e->body) ||
          !google::protobuf::util::MessageToJsonString(parsed, &text, json)
               .ok())
        Fail("cannot write an event as JSON");
      out[c].push_back({target, "{\"events\":[" + text + "]}"});
    }
  }
  // --repeat N sends each connection's requests N times over (only for
  // --path: a person's events stored once are not new again).
  const int repeat = static_cast<int>(flags.Int("repeat", 1));
  if (repeat > 1 && !flags.Has("path"))
    Fail("--repeat needs --path: events stored once are not new again");
  for (auto& queue : out) {
    const size_t once = queue.size();
    queue.reserve(once * static_cast<size_t>(std::max(repeat, 1)));
    for (int r = 1; r < repeat; ++r)
      for (size_t i = 0; i < once; ++i) queue.push_back(queue[i]);
  }
  return out;
}

// Runs one thread per connection; thread c makes actor `make(c)` and calls
// it with i = 0, 1, ... at `schedule(c, i, start)` until `seconds` are over or
// the actor returns false. The actor calls `done()` when a sample counts; its
// latency runs from the due time, so a stall is not hidden by the load
// waiting behind it. Returns the samples and their count.
template <typename ScheduleFn, typename MakeActor>
size_t Loop(int connections, double seconds, ScheduleFn schedule,
            MakeActor make, Latencies& all) {
  const size_t n = static_cast<size_t>(connections);
  std::vector<Latencies> lat(n);
  const auto start =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  const auto end =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  for (size_t c = 0; c < n; ++c) {
    pool.emplace_back([&, c] {
      auto actor = make(c);
      std::this_thread::sleep_until(start);
      for (size_t i = 0;; ++i) {
        const auto due = schedule(c, i, start);
        if (due > end) break;
        std::this_thread::sleep_until(due);
        const auto done = [&] {
          lat[c].Add(std::chrono::duration<double, std::micro>(
                         std::chrono::steady_clock::now() - due)
                         .count());
        };
        if (!actor(i, done)) break;
        if (std::chrono::steady_clock::now() > end) break;
      }
    });
  }
  for (auto& t : pool) t.join();
  for (auto& l : lat) all.Merge(l);
  return all.size();
}

// Sends each connection's requests, every connection driven from one thread
// (open_loop.h); `schedule` is when the connection's i-th request is due
// (empty: closed loop).
void Drive(const Flags& flags, const std::vector<std::vector<Post>>& requests,
           double seconds, Schedule schedule, Latencies& all, size_t* sent,
           std::vector<SecondOfRun>* by_second = nullptr) {
  LoopOutcome out = DriveEvented(
      flags.Get("url"), flags.Get("token"), requests, seconds,
      std::move(schedule), static_cast<unsigned>(flags.Int("expect", 201)));
  for (const auto& line : out.notes) Note("%s", line.c_str());
  *sent = out.latencies.size() - out.unsent;
  if (out.unsent > 0)
    Note(
        "%zu requests due before the end were never sent (their connection "
        "was behind): counted as late by their wait until the end",
        out.unsent);
  Note("load generator: %.1f us of CPU a request",
       out.cpu_seconds * 1e6 / static_cast<double>(std::max<size_t>(1, *sent)));
  all.Merge(out.latencies);
  if (by_second != nullptr) *by_second = std::move(out.by_second);
  if (out.failures > 0) Fail(std::to_string(out.failures) + " requests failed");
  // New people only: a store that already holds them (a kept store an earlier
  // run wrote into) would time answers without an fsync.
  if (out.already > 0)
    Fail(std::to_string(out.already) +
         " requests found their event already stored: the store holds this "
         "run's people; rebuild the kept store (remove it)");
}

// P8's schedule: request k of the whole run is due at k / rate; connection c
// sends k = c, c + connections, ...
Schedule OpenLoop(int connections, double rate) {
  // A rate of 0 (P2 gave no figure) would schedule requests infinitely apart.
  if (!(rate > 0)) Fail("the open loop needs --rate above 0");
  const double gap = 1.0 / rate;
  return [=](size_t c, size_t i, std::chrono::steady_clock::time_point start) {
    const double at =
        static_cast<double>(i * static_cast<size_t>(connections) + c) * gap;
    return start +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
               std::chrono::duration<double>(at));
  };
}

int Ingest(const Flags& flags) {
  const int connections = static_cast<int>(flags.Int("connections", 64));
  const double seconds = flags.Double("seconds", 5);
  auto requests = Requests(flags, connections);
  Latencies all;
  size_t sent = 0;
  const auto t0 = std::chrono::steady_clock::now();
  Drive(flags, requests, seconds, nullptr, all, &sent);
  const double elapsed = SecondsSince(t0) - 0.05;
  Note("closed loop: %zu requests in %.1f s", sent, elapsed);
  const std::string key = flags.Get("key", "ingest");
  Emit(key + ".carelog_eps", static_cast<double>(sent) / elapsed);
  all.Report(key);
  return 0;
}

int P8(const Flags& flags) {
  const int connections = static_cast<int>(flags.Int("connections", 64));
  const double rate = flags.Double("rate", 1000);
  const double seconds = flags.Double("seconds", 10);
  auto requests = Requests(flags, connections);
  auto schedule = OpenLoop(connections, rate);
  Latencies all;
  size_t sent = 0;
  std::vector<SecondOfRun> by_second;
  Drive(flags, requests, seconds, schedule, all, &sent, &by_second);
  Note("open loop at %.0f/s: %zu requests in %.0f s", rate, sent, seconds);
  Emit("p8.rate", static_cast<double>(sent) / seconds);
  // Where the tail lies: a few bad seconds (a stall, a flush) or all along;
  // in the answer's coming back, or in the request's waiting to be sent.
  SecondOfRun whole;
  for (size_t s = 0; s < by_second.size(); ++s) {
    const SecondOfRun& second = by_second[s];
    Note(
        "second %zu: %zu answered, %zu over 10 ms (%zu answered over 10 ms "
        "after being sent), the slowest %.1f ms",
        s, second.counted, second.over_10ms, second.over_10ms_after_sending,
        second.slowest_ms);
    whole.counted += second.counted;
    whole.over_10ms += second.over_10ms;
    whole.over_10ms_after_sending += second.over_10ms_after_sending;
  }
  const double counted =
      static_cast<double>(std::max<size_t>(1, whole.counted));
  Emit("p8.over_10ms_share", static_cast<double>(whole.over_10ms) / counted);
  Emit("p8.over_10ms_after_sending_share",
       static_cast<double>(whole.over_10ms_after_sending) / counted);
  all.Report("p8");
  return 0;
}

// P8's floor at the same open-loop rate and connections: `--what rocksdb`
// (the default) has each thread write one synced record of ~250 B into a
// fresh RocksDB at --dir (RocksDB's own group commit, P2's reference driven
// as P8 is); `--what get` GETs --path (default /healthz) from --url (HTTP and
// scheduling without storage); `--what none` does nothing (how late this
// process's threads wake). Emits p8.<what>.p50/.p99/.p999 and .rate.
int P8Ref(const Flags& flags) {
  const int connections = static_cast<int>(flags.Int("connections", 64));
  const double rate = flags.Double("rate", 1000);
  const double seconds = flags.Double("seconds", 10);
  const std::string what = flags.Get("what", "rocksdb");
  auto schedule = OpenLoop(connections, rate);
  Latencies all;
  size_t sent = 0;
  if (what == "rocksdb") {
    const std::string dir = flags.Get("dir");
    if (dir.empty()) Fail("p8ref --what rocksdb needs --dir");
    fs::remove_all(dir);
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (auto s = rocksdb::DB::Open(options, dir, &raw); !s.ok())
      Fail("rocksdb: " + s.ToString());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::atomic<int> failures{0};
    // The body of a one-event request's event, as P2's reference writes.
    const std::string value(250, 'e');
    sent = Loop(
        connections, seconds, schedule,
        [&](size_t c) {
          return [&, c](size_t i, const auto& done) {
            rocksdb::WriteOptions sync;
            sync.sync = true;
            char key[32];
            std::snprintf(key, sizeof key, "%04zu%012zu", c, i);
            if (db->Put(sync, key, value).ok()) {
              done();
            } else {
              ++failures;
            }
            return true;
          };
        },
        all);
    db.reset();
    fs::remove_all(dir);
    if (failures > 0) Fail(std::to_string(failures.load()) + " writes failed");
  } else if (what == "get") {
    const std::string url = flags.Get("url"),
                      path = flags.Get("path", "/healthz");
    sent = Loop(
        connections, seconds, schedule,
        [&](size_t) {
          return [client = std::make_shared<HttpClient>(url), &path](
                     size_t, const auto& done) {
            auto a = client->Send(http::verb::get, path, "");
            if (a.status != 200) Fail("GET " + path + ": " + a.error);
            done();
            return true;
          };
        },
        all);
  } else if (what == "none") {
    sent = Loop(
        connections, seconds, schedule,
        [](size_t) {
          return [](size_t, const auto& done) {
            done();
            return true;
          };
        },
        all);
  } else {
    Fail("p8ref --what rocksdb|get|none");
  }
  Note("open loop at %.0f/s, %s: %zu in %.0f s", rate, what.c_str(), sent,
       seconds);
  const std::string key =
      "p8." + (what == "none" ? std::string("sleep") : what);
  Emit(key + ".rate", static_cast<double>(sent) / seconds);
  all.Report(key);
  return 0;
}

}  // namespace
}  // namespace carelog::bench

int main(int argc, char** argv) {
  using namespace carelog::bench;
  Flags flags(argc, argv);
  flags.Allow({"area",        "areas",   "as-of", "commissioner", "connections",
               "coordinator", "delayed", "dir",   "expect",       "key",
               "path",        "period",  "rate",  "repeat",       "requests",
               "scale",       "seconds", "state", "token",        "url",
               "what"});
  const std::string mode =
      flags.positional().empty() ? "" : flags.positional()[0];
  if (mode == "setup") return Setup(flags);
  if (mode == "p7") return P7(flags);
  if (mode == "ingest") return Ingest(flags);
  if (mode == "p8") return P8(flags);
  if (mode == "p8ref") return P8Ref(flags);
  Fail("usage: bench_latency setup|p7|ingest|p8|p8ref --url U ...");
}
