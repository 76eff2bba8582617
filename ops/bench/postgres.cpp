// bench_postgres (P4): the benchmark workload into PostgreSQL as an event
// store, the way a competent engineer would build one: a table with a global
// sequence (bigserial position), unique (stream, version) for optimistic
// concurrency and a unique event id; synchronous_commit = on; one connection
// per client thread; a prepared statement per request size; each request one
// multi-row INSERT (one transaction, one commit).
//   bench_postgres --conninfo "host=127.0.0.1 port=P user=postgres"
//                  --connections 64 --per-request 1 --events N [--key
//                  p4.single]
// Prints RESULT <key>.eps and <key>.p50/.p99/.p999 (request latency, ms).
#include <libpq-fe.h>

#include <atomic>
#include <thread>
#include <unordered_map>

#include "ops/bench/bench.h"
#include "ops/bench/workload.h"

namespace carelog::bench {
namespace {

constexpr int kColumns = 6;

PGconn* Connect(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK)
    Fail(std::string("libpq: ") + PQerrorMessage(c));
  return c;
}

void Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    Fail("libpq: " + sql + ": " + PQerrorMessage(c));
  PQclear(r);
}

// INSERT of `rows` events: one statement, one transaction.
std::string InsertSql(int rows) {
  std::string sql =
      "INSERT INTO events (stream, version, event_id, type, body, recorded_by) "
      "VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (int c = 1; c <= kColumns; ++c) {
      sql += "$" + std::to_string(r * kColumns + c);
      if (c == 3) sql += "::uuid";
      sql += c < kColumns ? "," : ")";
    }
  }
  return sql;
}

struct Row {
  std::string stream;
  std::string version;
  const BenchEvent* event;
};

int Main(const Flags& flags) {
  const std::string conninfo = flags.Get("conninfo");
  const int connections = static_cast<int>(flags.Int("connections", 64));
  const int per_request = static_cast<int>(flags.Int("per-request", 1));
  const size_t wanted = static_cast<size_t>(flags.Int("events", 20000));
  const std::string key = flags.Get("key", "p4");

  // The same events as the Carelog benchmarks: the workload in recording
  // order, each with the version it takes in its stream.
  PopulationOptions options;
  options.scale = flags.Double("scale", 0.05);
  Population pop = GeneratePopulation(options);
  if (pop.events.size() < wanted) Fail("the workload has too few events");
  std::vector<Row> rows;
  rows.reserve(wanted);
  std::vector<uint32_t> versions(pop.people.size(), 0);
  for (size_t i = 0; i < wanted; ++i) {
    const BenchEvent& e = pop.events[i];
    rows.push_back({PersonStreamOf(pop.people[e.person]),
                    std::to_string(++versions[e.person]), &e});
  }

  PGconn* admin = Connect(conninfo);
  Exec(admin, "DROP TABLE IF EXISTS events");
  Exec(admin,
       "CREATE TABLE events ("
       " position bigserial PRIMARY KEY,"
       " stream text NOT NULL,"
       " version bigint NOT NULL,"
       " event_id uuid NOT NULL UNIQUE,"
       " type text NOT NULL,"
       " body bytea NOT NULL,"
       " recorded_at timestamptz NOT NULL DEFAULT now(),"
       " recorded_by text NOT NULL,"
       " UNIQUE (stream, version))");
  PQfinish(admin);

  const size_t requests = (rows.size() + per_request - 1) / per_request;
  std::atomic<size_t> next{0};
  std::vector<Latencies> latencies(static_cast<size_t>(connections));
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      PGconn* c = Connect(conninfo);
      Exec(c, "SET synchronous_commit = on");
      const std::string full = InsertSql(per_request);
      PGresult* p = PQprepare(c, "full", full.c_str(), 0, nullptr);
      if (PQresultStatus(p) != PGRES_COMMAND_OK)
        Fail(std::string("prepare: ") + PQerrorMessage(c));
      PQclear(p);
      std::unordered_map<int, bool> prepared{{per_request, true}};
      std::vector<const char*> values;
      std::vector<int> lengths, formats;
      ++ready;
      while (!go.load()) std::this_thread::yield();
      for (;;) {
        const size_t req = next.fetch_add(1);
        if (req >= requests) break;
        const size_t begin = req * per_request;
        const size_t end = std::min(rows.size(), begin + per_request);
        const int n = static_cast<int>(end - begin);
        std::string name = n == per_request ? "full" : "part";
        if (n != per_request && !prepared.count(n)) {
          PGresult* q =
              PQprepare(c, name.c_str(), InsertSql(n).c_str(), 0, nullptr);
          PQclear(q);
          prepared[n] = true;
        }
        values.clear();
        lengths.clear();
        formats.clear();
        for (size_t i = begin; i < end; ++i) {
          const Row& r = rows[i];
          const std::string* text[] = {&r.stream, &r.version,
                                       &r.event->event_id};
          for (const std::string* s : text) {
            values.push_back(s->c_str());
            lengths.push_back(0);
            formats.push_back(0);
          }
          values.push_back(kCareEventType);
          lengths.push_back(0);
          formats.push_back(0);
          values.push_back(r.event->body.data());
          lengths.push_back(static_cast<int>(r.event->body.size()));
          formats.push_back(1);  // bytea, binary
          values.push_back("bench");
          lengths.push_back(0);
          formats.push_back(0);
        }
        const auto t0 = std::chrono::steady_clock::now();
        PGresult* r =
            PQexecPrepared(c, name.c_str(), static_cast<int>(values.size()),
                           values.data(), lengths.data(), formats.data(), 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
          Fail(std::string("insert: ") + PQerrorMessage(c));
        PQclear(r);
        latencies[static_cast<size_t>(t)].Add(SecondsSince(t0) * 1e6);
      }
      PQfinish(c);
    });
  }
  while (ready.load() < connections) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  go = true;
  for (auto& th : threads) th.join();
  const double seconds = SecondsSince(start);

  PGconn* check = Connect(conninfo);
  PGresult* count = PQexec(check, "SELECT count(*) FROM events");
  const long stored = std::atol(PQgetvalue(count, 0, 0));
  PQclear(count);
  PQfinish(check);
  if (static_cast<size_t>(stored) != rows.size())
    Fail("PostgreSQL holds " + std::to_string(stored) + " events, not " +
         std::to_string(rows.size()));

  Note(
      "PostgreSQL: %zu events, %d per request, %d connections: %.1f s, %.0f "
      "events/s",
      rows.size(), per_request, connections, seconds,
      static_cast<double>(rows.size()) / seconds);
  Emit(key + ".eps", static_cast<double>(rows.size()) / seconds);
  Latencies all;
  for (const auto& l : latencies) all.Merge(l);
  all.Report(key);
  return 0;
}

}  // namespace
}  // namespace carelog::bench

int main(int argc, char** argv) {
  const carelog::bench::Flags flags(argc, argv);
  flags.Allow(
      {"connections", "conninfo", "events", "key", "per-request", "scale"});
  return carelog::bench::Main(flags);
}
