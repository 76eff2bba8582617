// bench_latency: the HTTP side of the benchmarks against a running
// `carelog serve`.
//   setup  --url U --token ADMIN --areas DIR     PUTs the areas and plans
//                                                 bench_store wrote as JSON
//   p7     --url U --commissioner T --coordinator T --area CODE [--requests N]
//          [--delayed N]: records N people ready for discharge in the area,
//          then p50/p99/p99.9 of a year's metrics, the discharge worklist, asOf
//   ingest --url U --token T --seconds S [--connections 64]
//          closed loop, one event per request: the most the server takes
//   p8     --url U --token T --rate R --seconds S [--connections 64]
//          open loop at R requests/s; latency counted from each request's
//          scheduled start, so a stall is not hidden by the load waiting
//   p8ref  --rate R --seconds S [--what rocksdb|get|none] [--dir D | --url U]
//          the same open loop over RocksDB's own group commit (P8's floor)
// Events are new people of the workload (a run counter in --state FILE keeps
// them fresh between runs); each person's events go in order on one
// connection. ingest and p8 drive every connection from one thread
// (open_loop.h); --generator threads uses a blocking thread per connection
// instead (sessions 1-6), to compare.
#include <google/protobuf/util/json_util.h>
#include <rocksdb/db.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "ops/bench/bench.h"
#include "ops/bench/http_client.h"
#include "ops/bench/open_loop.h"
#include "ops/bench/workload.h"

namespace carelog::bench {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

std::string Slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Setup(const Flags& flags) {
  HttpClient client(flags.Get("url"));
  int count = 0;
  // Areas before plans: a plan names an area that must exist.
  for (int plans = 0; plans < 2; ++plans) {
    for (const auto& entry : fs::directory_iterator(flags.Get("areas"))) {
      const std::string name = entry.path().stem().string();
      const size_t at = name.find('@');
      if ((at != std::string::npos) != (plans == 1)) continue;
      const std::string target = at == std::string::npos
                                     ? "/v1/areas/" + name
                                     : "/v1/areas/" + name.substr(0, at) +
                                           "/plans/" + name.substr(at + 1);
      auto a = client.Send(http::verb::put, target, flags.Get("token"),
                           Slurp(entry.path()));
      if (a.status != 200 && a.status != 201)
        Fail("PUT " + target + ": " + std::to_string(a.status) + " " + a.body +
             a.error);
      ++count;
    }
  }
  Note("put %d areas and plans", count);
  return 0;
}

// One GET, timed; false (and a note) on anything but 200. `body`, if given,
// receives the answer's body.
bool Timed(HttpClient& client, const std::string& target,
           const std::string& token, Latencies& out,
           std::string* body = nullptr) {
  const auto t0 = std::chrono::steady_clock::now();
  auto a = client.Send(http::verb::get, target, token);
  out.Add(SecondsSince(t0) * 1e6);
  if (a.status != 200) {
    Note("GET %s: %d %s%s", target.c_str(), a.status,
         a.body.substr(0, 200).c_str(), a.error.c_str());
  }
  if (body != nullptr) *body = std::move(a.body);
  return a.status == 200;
}

// Records `count` people of `area` admitted in March 2016 and ready for
// discharge since before its end, still in hospital: the discharge worklist a
// coordinator would see the morning after the synthetic data (whose spells all
// end). Their numbers lie beyond the synthetic populations'; a second run finds
// them stored (200).
void RecordDelayedPeople(HttpClient& client, const std::string& token,
                         const std::string& area, int count) {
  uint64_t cursor = 8'000'000;
  for (int i = 0; i < count; ++i) {
    const std::string nhs = NextBenchNhsNumber(&cursor);
    char id[40];
    auto event = [&](int k, const std::string& day, const std::string& what) {
      std::snprintf(id, sizeof id, "b7e1c0de-0000-4000-8000-%06d%06d", i, k);
      return "{\"eventId\":\"" + std::string(id) +
             "\",\"occurredAt\":\"2016-03-" + day + "T10:00:00Z\"," + what +
             "}";
    };
    const std::string admitted = std::to_string(10 + i % 10);
    const std::string ready = std::to_string(20 + i % 8);
    const std::string body =
        "{\"events\":[" +
        event(1, "01",
              "\"personRegistered\":{\"birthDate\":\"1938-02-11\","
              "\"areaCode\":\"" +
                  area + "\"}") +
        "," +
        event(2, admitted,
              "\"hospitalAdmitted\":{\"spellId\":\"D1\",\"provider\":"
              "\"RF4\",\"site\":\"Bench General\",\"method\":"
              "\"EMERGENCY\"}") +
        "," + event(3, ready, "\"readyForDischarge\":{\"spellId\":\"D1\"}") +
        "]}";
    auto a = client.Send(http::verb::post, "/v1/people/" + nhs + "/events",
                         token, body);
    if (a.status != 201 && a.status != 200)
      Fail("POST delayed person " + nhs + ": " + std::to_string(a.status) +
           " " + a.body.substr(0, 300));
  }
}

int P7(const Flags& flags) {
  HttpClient client(flags.Get("url"));
  const std::string area = flags.Get("area");
  const int n = static_cast<int>(flags.Int("requests", 200));
  const std::string year =
      "/v1/areas/" + area + "/metrics?period=" + flags.Get("period", "2015-16");
  struct Query {
    std::string key, target, token;
    int every;  // asked on every n-th round
    Latencies latencies;
    bool works = true;
  };
  std::vector<Query> queries = {
      {"p7.metrics", year, flags.Get("commissioner"), 1, {}, true},
      {"p7.worklist",
       "/v1/worklists/discharge?area=" + area,
       flags.Get("coordinator"),
       1,
       {},
       true},
      {"p7.asof",
       year + "&asOf=" + flags.Get("as-of", "2015-10-01T00:00:00Z"),
       flags.Get("commissioner"),
       4,
       {},
       true}};
  RecordDelayedPeople(client, flags.Get("coordinator"), area,
                      static_cast<int>(flags.Int("delayed", 40)));
  // One warm-up of each (a query that fails is left out), then interleaved.
  // How many people the worklist shows is read off its warm-up: an empty one
  // would time the route without its items (nor their audit entries).
  std::string body;
  for (auto& q : queries) {
    Latencies warm;
    q.works = Timed(client, q.target, q.token, warm,
                    q.key == "p7.worklist" ? &body : nullptr);
  }
  {
    size_t items = 0;
    for (size_t at = body.find("\"nhsNumber\""); at != std::string::npos;
         at = body.find("\"nhsNumber\"", at + 1))
      ++items;
    Emit("p7.worklist.items", static_cast<double>(items));
  }
  for (int i = 0; i < n; ++i) {
    for (auto& q : queries) {
      if (q.works && i % q.every == 0)
        q.works = Timed(client, q.target, q.token, q.latencies);
    }
  }
  for (auto& q : queries) {
    if (q.works) q.latencies.Report(q.key);
  }
  return 0;
}

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
  std::vector<std::vector<const BenchEvent*>> by_person(pop.people.size());
  for (const auto& e : pop.events) by_person[e.person].push_back(&e);
  std::vector<std::vector<Post>> out(static_cast<size_t>(connections));
  google::protobuf::util::JsonPrintOptions json;
  schema::CareEvent parsed;
  for (size_t p = 0; p < by_person.size(); ++p) {
    auto& queue = out[p % out.size()];
    const std::string target =
        "/v1/people/" + pop.people[p].nhs_number + "/events";
    for (const BenchEvent* e : by_person[p]) {
      std::string text;
      if (!parsed.ParseFromString(e->body) ||
          !google::protobuf::util::MessageToJsonString(parsed, &text, json)
               .ok())
        Fail("cannot write an event as JSON");
      queue.push_back({target, "{\"events\":[" + text + "]}"});
    }
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

// Sends each connection's requests; `schedule` is when the connection's i-th
// request is due (empty: closed loop). One thread drives every connection
// (open_loop.h), unless --generator threads asks for a blocking thread per
// connection (the generator of sessions 1-6, kept to compare).
void Drive(const Flags& flags, const std::vector<std::vector<Post>>& requests,
           double seconds, Schedule schedule, Latencies& all, size_t* sent) {
  const std::string url = flags.Get("url"), token = flags.Get("token");
  LoopOutcome out;
  if (flags.Get("generator", "evented") == "threads") {
    std::atomic<size_t> already{0}, failures{0};
    const Usage before = ProcessUsage();
    auto threaded = schedule ? schedule : [](size_t, size_t, auto) {
      return std::chrono::steady_clock::now();
    };
    Loop(
        static_cast<int>(requests.size()), seconds, threaded,
        [&](size_t c) {
          return [&, c, client = std::make_shared<HttpClient>(url)](
                     size_t i, const auto& done) {
            if (i >= requests[c].size()) return false;
            const auto& r = requests[c][i];
            auto a = client->Send(http::verb::post, r.target, token, r.body);
            if (a.status == 200 && already++ == 0)
              Note("POST %s: 200, its event was already stored",
                   r.target.c_str());
            if (a.status == 201) {
              done();
            } else if (a.status != 200 && failures++ < 5) {
              Note("POST %s: %d %s%s", r.target.c_str(), a.status,
                   a.body.c_str(), a.error.c_str());
            }
            return true;
          };
        },
        out.latencies);
    out.cpu_seconds = ProcessUsage().cpu_seconds - before.cpu_seconds;
    out.already = already;
    out.failures = failures;
  } else {
    out = DriveEvented(url, token, requests, seconds, std::move(schedule));
    for (const auto& line : out.notes) Note("%s", line.c_str());
  }
  *sent = out.latencies.size() - out.unsent;
  if (out.unsent > 0)
    Note(
        "%zu requests due before the end were never sent (their connection "
        "was behind): counted as late by their wait until the end",
        out.unsent);
  Note("load generator: %.1f us of CPU a request",
       out.cpu_seconds * 1e6 / static_cast<double>(std::max<size_t>(1, *sent)));
  all.Merge(out.latencies);
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
  Drive(flags, requests, seconds, schedule, all, &sent);
  Note("open loop at %.0f/s: %zu requests in %.0f s", rate, sent, seconds);
  Emit("p8.rate", static_cast<double>(sent) / seconds);
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
  const std::string mode =
      flags.positional().empty() ? "" : flags.positional()[0];
  if (mode == "setup") return Setup(flags);
  if (mode == "p7") return P7(flags);
  if (mode == "ingest") return Ingest(flags);
  if (mode == "p8") return P8(flags);
  if (mode == "p8ref") return P8Ref(flags);
  Fail("usage: bench_latency setup|p7|ingest|p8|p8ref --url U ...");
}
