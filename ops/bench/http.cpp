// bench_http: durable ingest over HTTP (docs/PERFORMANCE.md P2 and P3) against
// raw RocksDB in the same run. The server is the real gateway (Api + Server
// over a RocksDB EventLog) in this process on a loopback port; the load
// generator is our own, on Asio, with closed-loop connections.
//
//   P2  one event per request over 64 connections  vs  64 threads each writing
//   one synced record
//       at a time into RocksDB (RocksDB's own group commit).
//   P3  100 events per request (16 connections)     vs  16 threads writing
//   WriteBatches of 100
//       synced records.
//
// Usage: bench_http [--quick] [--seconds S] [--dir PATH] [--cases p2,p3]
// (--cases: which of p2, p2ref, p3, p3ref to run; all by default)
// [--requests-per-person N] (50 by default: a P3 person then has 5,000 events)
// [--server PORT --token T]: drive the p2/p3 cases against a running
// `carelog serve` on 127.0.0.1:PORT (a practitioner token of E09000002) instead
// of the in-process server; --id-base N keeps people of repeated runs apart.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/api.h"
#include "gateway/audit.h"
#include "gateway/http_metrics.h"
#include "gateway/server.h"
#include "gateway/token_store.h"
#include "services/areas.h"
#include "services/clock.h"
#include "services/nhs_number.h"
#include "services/recorder.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

int g_requests_per_person = 50;

struct Figures {
  double events_per_second = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0;
  uint64_t requests = 0, errors = 0;  // requests: answered 201
  std::map<int, uint64_t> refused;    // other answers by status (0: none)
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(
      v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

std::string NhsNumber(uint64_t n) {
  for (uint64_t i = n * 20;; ++i) {
    char nine[16];
    std::snprintf(nine, sizeof nine, "9%08llu",
                  static_cast<unsigned long long>(i % 100000000));
    if (auto check = carelog::NhsCheckDigit(nine))
      return std::string(nine) + std::to_string(*check);
  }
}

// An event of 150-400 bytes of JSON, like a real one.
std::string Event(const std::string& id, int seq, bool registration) {
  char when[64];
  std::snprintf(when, sizeof when, "2014-%02d-%02dT%02d:%02d:00+01:00",
                5 + seq / 40000 % 6, 1 + seq / 1440 % 27, seq / 60 % 24,
                seq % 60);
  if (registration) {
    return "{\"eventId\":\"" + id +
           "\",\"occurredAt\":\"2014-04-01T08:00:00+01:00\","
           "\"personRegistered\":{\"birthDate\":\"1938-02-11\",\"areaCode\":"
           "\"E09000002\","
           "\"gpPractice\":\"F82001\",\"nhsNumberStatus\":\"VERIFIED\","
           "\"localIds\":[{\"system\":"
           "\"PAS\",\"value\":\"RF4-" +
           id.substr(0, 8) + "\"}]}}";
  }
  return "{\"eventId\":\"" + id + "\",\"occurredAt\":\"" + when +
         "\",\"aeAttended\":{\"attendanceId\":\"ATT-" + id +
         "\",\"site\":\"Queen's Hospital, Romford - Emergency Department\"}}";
}

// One closed-loop connection: POSTs a request, waits for the answer, records
// its latency.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::io_context& io, uint16_t port, std::string token, int id,
             int events_per_request, Clock::time_point stop,
             std::vector<double>& latencies, std::mutex& mu,
             std::atomic<uint64_t>& events, std::atomic<uint64_t>& errors,
             std::map<int, uint64_t>& refused)
      : socket_(io),
        port_(port),
        token_(std::move(token)),
        id_(id),
        per_request_(events_per_request),
        stop_(stop),
        latencies_(latencies),
        mu_(mu),
        events_(events),
        errors_(errors),
        refused_(refused) {}

  void Start() {
    socket_.connect({net::ip::make_address("127.0.0.1"), port_});
    socket_.set_option(net::ip::tcp::no_delay(true));
    Next();
  }

 private:
  void Next() {
    if (Clock::now() >= stop_) {
      std::lock_guard lock(mu_);
      latencies_.insert(latencies_.end(), mine_.begin(), mine_.end());
      return;
    }
    // Each connection has its own people; each person gets
    // g_requests_per_person requests (50 unless --requests-per-person).
    const int person = request_ / g_requests_per_person;
    const bool first = request_ % g_requests_per_person == 0;
    nhs_ = NhsNumber(static_cast<uint64_t>(id_) * 1000 +
                     static_cast<uint64_t>(person));
    std::string body = "{\"events\":[";
    for (int i = 0; i < per_request_; ++i) {
      const std::string event_id =
          std::to_string(id_) + "-" + std::to_string(request_) + "-" +
          std::to_string(i) + "-bench-0000-0000-000000000000";
      body += (i ? "," : "") +
              Event(event_id, request_ * per_request_ + i, first && i == 0);
    }
    body += "]}";
    req_ = {http::verb::post, "/v1/people/" + nhs_ + "/events", 11};
    req_.set(http::field::host, "127.0.0.1");
    req_.set(http::field::authorization, "Bearer " + token_);
    req_.set(http::field::content_type, "application/json");
    req_.body() = std::move(body);
    req_.prepare_payload();
    started_ = Clock::now();
    http::async_write(
        socket_, req_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Fail();
          self->res_ = {};
          http::async_read(self->socket_, self->buffer_, self->res_,
                           [self](beast::error_code ec2, size_t) {
                             if (ec2) return self->Fail();
                             self->Done();
                           });
        });
  }

  void Done() {
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - started_)
            .count();
    if (res_.result_int() == 201) {
      mine_.push_back(ms);
      events_ += static_cast<uint64_t>(per_request_);
    } else {
      if (errors_++ < 3)
        std::fprintf(stderr, "answer %u: %s\n", res_.result_int(),
                     res_.body().c_str());
      std::lock_guard lock(mu_);
      ++refused_[static_cast<int>(res_.result_int())];
    }
    ++request_;
    Next();
  }

  void Fail() {
    ++errors_;
    std::lock_guard lock(mu_);
    ++refused_[0];
  }

  net::ip::tcp::socket socket_;
  uint16_t port_;
  std::string token_;
  int id_;
  int per_request_;
  Clock::time_point stop_;
  std::vector<double>& latencies_;
  std::mutex& mu_;
  std::atomic<uint64_t>& events_;
  std::atomic<uint64_t>& errors_;
  std::map<int, uint64_t>& refused_;  // guarded by mu_
  std::vector<double> mine_;
  int request_ = 0;
  std::string nhs_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buffer_;
  Clock::time_point started_;
};

Figures RunHttp(uint16_t port, const std::string& token, int connections,
                int per_request, double seconds, int id_base) {
  net::io_context io;
  std::vector<double> latencies;
  std::mutex mu;
  std::atomic<uint64_t> events{0}, errors{0};
  std::map<int, uint64_t> refused;
  const auto start = Clock::now();
  const auto stop =
      start + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  for (int c = 0; c < connections; ++c) {
    std::make_shared<Connection>(io, port, token, id_base + c, per_request,
                                 stop, latencies, mu, events, errors, refused)
        ->Start();
  }
  io.run();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  Figures f;
  f.events_per_second = static_cast<double>(events.load()) / elapsed;
  f.requests = latencies.size();
  f.errors = errors.load();
  f.refused = refused;
  f.p50_ms = Percentile(latencies, 0.50);
  f.p99_ms = Percentile(latencies, 0.99);
  f.p999_ms = Percentile(latencies, 0.999);
  return f;
}

// Raw RocksDB: `threads` threads each writing batches of `per_batch` synced
// records of ~300 B.
Figures RunRocksDb(const std::string& path, int threads, int per_batch,
                   double seconds) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "rocksdb: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::atomic<uint64_t> records{0};
  std::vector<double> latencies;
  std::mutex mu;
  const auto start = Clock::now();
  const auto stop =
      start + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      std::vector<double> mine;
      const std::string value = Event("0000-" + std::to_string(t), t, false);
      for (uint64_t i = 0; Clock::now() < stop; ++i) {
        rocksdb::WriteBatch batch;
        for (int k = 0; k < per_batch; ++k) {
          char key[32];
          std::snprintf(key, sizeof key, "%04d%012llu%04d", t,
                        static_cast<unsigned long long>(i), k);
          batch.Put(key, value);
        }
        const auto begin = Clock::now();
        if (!db->Write(wo, &batch).ok()) std::exit(1);
        mine.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - begin)
                .count());
        records += static_cast<uint64_t>(per_batch);
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  Figures f;
  f.events_per_second = static_cast<double>(records.load()) / elapsed;
  f.requests = latencies.size();
  f.p50_ms = Percentile(latencies, 0.50);
  f.p99_ms = Percentile(latencies, 0.99);
  f.p999_ms = Percentile(latencies, 0.999);
  return f;
}

void Row(const char* name, const Figures& f) {
  std::printf("| %-44s | %10.0f | %8.2f | %8.2f | %8.2f | %8llu | %4llu |\n",
              name, f.events_per_second, f.p50_ms, f.p99_ms, f.p999_ms,
              static_cast<unsigned long long>(f.requests),
              static_cast<unsigned long long>(f.errors));
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 8;
  std::string dir;
  std::string cases = ",p2ref,p2,p3ref,p3,";
  int server_port = 0;
  std::string server_token;
  int id_base = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      seconds = 1.5;
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--requests-per-person" && i + 1 < argc) {
      g_requests_per_person = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--cases" && i + 1 < argc) {
      cases = std::string(",") + argv[++i] + ",";
    } else if (arg == "--server" && i + 1 < argc) {
      server_port = std::atoi(argv[++i]);
    } else if (arg == "--token" && i + 1 < argc) {
      server_token = argv[++i];
    } else if (arg == "--id-base" && i + 1 < argc) {
      id_base = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: bench_http [--quick] [--seconds S] [--dir PATH] "
                   "[--cases p2,p2ref,p3,p3ref] [--requests-per-person N] "
                   "[--server PORT --token T [--id-base N]]\n");
      return 2;
    }
  }
  if (server_port != 0) {
    // Someone else's server: only the HTTP cases, and the server's own CPU is
    // for the caller to read (e.g. /proc/<pid>/stat before and after).
    const auto run = [&](const char* name, const char* key, int connections,
                         int per_request, int base) {
      if (cases.find(std::string(",") + key + ",") == std::string::npos) return;
      Figures f = RunHttp(static_cast<uint16_t>(server_port), server_token,
                          connections, per_request, seconds, id_base + base);
      Row(name, f);
      std::printf("RESULT %s.carelog_eps %.0f\nRESULT %s.errors %llu\n", key,
                  f.events_per_second, key,
                  static_cast<unsigned long long>(f.errors));
    };
    run("P2: HTTP, 64 connections x 1 event/request", "p2", 64, 1, 0);
    run("P3: HTTP, 16 connections x 100 events/request", "p3", 16, 100, 1000);
    return 0;
  }
  if (dir.empty()) {
    dir = (std::filesystem::temp_directory_path() /
           ("bench-http-" + std::to_string(::getpid())))
              .string();
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  using namespace carelog;
  storage::OpenOptions open;
  open.path = dir + "/store";
  auto log = storage::OpenRocksDbEventLog(open);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    return 1;
  }
  SystemClock clock;
  gateway::HttpMetrics metrics;
  gateway::AuditTrail audit(**log, clock);
  Recorder recorder(**log, clock);
  AreaService areas(**log);
  const std::string tokens_file = dir + "/tokens.json";
  auto token = gateway::AddToken(tokens_file,
                                 {"bench", "practitioner", {"E09000002"}}, 0);
  if (!token.ok()) return 1;
  gateway::TokenStore tokens(tokens_file);
  if (!tokens.Load().ok()) return 1;
  gateway::ApiContext context;
  context.log = log->get();
  context.recorder = &recorder;
  context.areas = &areas;
  context.audit = &audit;
  context.metrics = &metrics;
  context.clock = &clock;
  gateway::Api api(tokens, context);
  gateway::ServerOptions server_options;
  server_options.port = 0;
  server_options.try_inline = [&api](const gateway::Request& r,
                                     gateway::Respond& respond) {
    return api.TryHandleWithoutBlocking(r, respond);
  };
  gateway::Server server(
      server_options,
      gateway::AsyncRequestHandler(
          [&api](const gateway::Request& r, gateway::Respond respond) {
            api.HandleAsync(r, std::move(respond));
          }),
      &metrics);
  if (!server.Start().ok()) return 1;

  std::printf("bench_http: %.1f s per case, nproc %u\n\n", seconds,
              std::thread::hardware_concurrency());
  std::printf("| %-44s | %10s | %8s | %8s | %8s | %8s | %4s |\n", "case",
              "events/s", "p50 ms", "p99 ms", "p99.9 ms", "requests", "errs");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(),
              std::string(12, '-').c_str(), std::string(10, '-').c_str(),
              std::string(10, '-').c_str(), std::string(10, '-').c_str(),
              std::string(10, '-').c_str(), std::string(6, '-').c_str());
  const auto want = [&](const char* name) {
    return cases.find(std::string(",") + name + ",") != std::string::npos;
  };
  // The lines ops/bench/run collects.
  const auto emit = [](const char* key, const Figures& f) {
    std::printf(
        "RESULT %s_eps %.0f\nRESULT %s.p50 %.3f\nRESULT %s.p99 %.3f\n"
        "RESULT %s.p999 %.3f\n",
        key, f.events_per_second, key, f.p50_ms, key, f.p99_ms, key, f.p999_ms);
  };
  Figures p2_ref, p2, p3_ref, p3;
  if (want("p2ref")) {
    p2_ref = RunRocksDb(dir + "/raw-p2", 64, 1, seconds);
    Row("P2 ref: RocksDB, 64 threads x 1 synced record", p2_ref);
  }
  if (want("p2")) {
    p2 = RunHttp(server.port(), *token, 64, 1, seconds, 0);
    Row("P2: HTTP, 64 connections x 1 event/request", p2);
  }
  if (want("p3ref")) {
    p3_ref = RunRocksDb(dir + "/raw-p3", 16, 100, seconds);
    Row("P3 ref: RocksDB, 16 threads x batches of 100", p3_ref);
  }
  if (want("p3")) {
    p3 = RunHttp(server.port(), *token, 16, 100, seconds, 1000);
    Row("P3: HTTP, 16 connections x 100 events/request", p3);
  }
  std::printf("\n");
  for (const auto& [name, f] : {std::pair{"P2", &p2}, std::pair{"P3", &p3}}) {
    if (f->requests + f->errors == 0) continue;
    std::printf("%s answers: %llu x 201", name,
                static_cast<unsigned long long>(f->requests));
    for (const auto& [code, count] : f->refused) {
      std::printf(", %llu x %d", static_cast<unsigned long long>(count), code);
    }
    std::printf("\n");
  }
  if (want("p2ref")) emit("p2.rocksdb", p2_ref);
  if (want("p2")) emit("p2.carelog", p2);
  if (want("p3ref")) emit("p3.rocksdb", p3_ref);
  if (want("p3")) emit("p3.carelog", p3);
  if (want("p2") && want("p2ref")) {
    std::printf(
        "\nP2 ratio (HTTP / RocksDB group commit): %.2f (target >= 1.2)\n",
        p2.events_per_second / p2_ref.events_per_second);
  }
  if (want("p3") && want("p3ref")) {
    std::printf(
        "P3 ratio (HTTP / RocksDB batches of 100): %.2f (target >= 0.5)\n",
        p3.events_per_second / p3_ref.events_per_second);
  }
  server.Shutdown();
  server.Wait();
  log->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
