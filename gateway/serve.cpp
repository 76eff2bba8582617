#include "gateway/serve.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>

#include "gateway/admin_socket.h"
#include "gateway/api.h"
#include "gateway/audit.h"
#include "gateway/http_metrics.h"
#include "gateway/rate_limiter.h"
#include "gateway/server.h"
#include "gateway/token_store.h"
#include "services/areas.h"
#include "services/calendar.h"
#include "services/read_side.h"
#include "services/recorder.h"

namespace carelog::gateway {
namespace {

// A clock started at a given instant that then advances with the system clock
// (CARELOG_NOW).
class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(int64_t start)
      : offset_(start - SystemClock().NowMicros()) {}
  int64_t NowMicros() const override { return system_.NowMicros() + offset_; }

 private:
  int64_t offset_;
  SystemClock system_;
};

}  // namespace

Status ParseListen(const std::string& listen, std::string& host,
                   uint16_t& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status(Code::kInvalidArgument,
                  "--listen wants HOST:PORT, not '" + listen + "'");
  }
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  // Checked here, before the data directory is made: a mistyped host must
  // leave nothing behind.
  if (Status checked = CheckListenHost(host); !checked.ok()) return checked;
  const std::string port_text = listen.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), value);
  if (port_text.empty() || ec != std::errc() ||
      ptr != port_text.data() + port_text.size() || value > 65535) {
    return Status(Code::kInvalidArgument,
                  "--listen has no valid port in '" + listen + "'");
  }
  port = static_cast<uint16_t>(value);
  return Status::Ok();
}

int Serve(const ServeOptions& options, std::ostream& out, std::ostream& err,
          const std::function<Status(ServeServices&)>& prepare) {
  // One line to err, named after the command; under a lock, since the
  // projection runner's thread writes there too.
  std::mutex err_mu;
  auto say = [&err, &options, &err_mu](const std::string& line) {
    std::lock_guard<std::mutex> lock(err_mu);
    err << options.command << ": " << line << std::endl;
  };
  auto fail = [&say](const std::string& line) {
    say(line);
    return 1;
  };
  ServerOptions server_options;
  Status listen =
      ParseListen(options.listen, server_options.host, server_options.port);
  if (!listen.ok()) return fail(listen.message());
  server_options.idle_timeout = options.idle_timeout;
  server_options.io_threads = options.io_threads;
  server_options.worker_threads = options.worker_threads;
  server_options.max_connections = options.max_connections;
  server_options.tls_cert_file = options.tls_cert_file;
  server_options.tls_key_file = options.tls_key_file;
  server_options.max_requests_per_connection =
      options.max_requests_per_connection;

  std::error_code fs_error;
  std::filesystem::create_directories(options.data_dir, fs_error);
  if (fs_error || !std::filesystem::is_directory(options.data_dir)) {
    return fail("cannot use data directory " + options.data_dir + ": " +
                (fs_error ? fs_error.message() : "not a directory"));
  }
  const std::string tokens_file = options.tokens_file.empty()
                                      ? options.data_dir + "/tokens.json"
                                      : options.tokens_file;
  TokenStore tokens(tokens_file);
  Status loaded = tokens.Load();
  if (!loaded.ok()) return fail(loaded.message());

  SystemClock system_clock;
  std::unique_ptr<Clock> shifted_clock;
  const Clock* clock_in_use = options.clock;
  if (clock_in_use == nullptr) {
    clock_in_use = &system_clock;
    if (const char* now = std::getenv("CARELOG_NOW");
        now != nullptr && *now != '\0') {
      auto start = ParseRfc3339(now);
      if (!start.ok())
        return fail("CARELOG_NOW is not an RFC 3339 instant: " +
                    std::string(now));
      shifted_clock = std::make_unique<ShiftedClock>(*start);
      clock_in_use = shifted_clock.get();
    }
  }
  const Clock& clock = *clock_in_use;

  storage::OpenOptions open_options;
  open_options.path = options.data_dir + "/store";
  open_options.now_micros = [&clock] { return clock.NowMicros(); };
  auto log = storage::OpenRocksDbEventLog(open_options);
  if (!log.ok()) {
    return fail("cannot open the store in " + options.data_dir + ": " +
                log.status().message());
  }
  HttpMetrics metrics;
  AuditTrail audit(**log, clock);
  auto recorder = std::make_unique<Recorder>(**log, clock);
  AreaService areas(**log);
  // Projections load their state and checkpoints (no replay) and follow the log
  // from there.
  ProjectorOptions projector_options;
  // Events gather for up to 20 ms between the follower's batches (a batch's
  // rows and costs are shared by its events: at 1,500 writes/s the runner's
  // CPU a write fell by a third from 5 ms to 50 ms); a read that needs them
  // (minPosition, or the durable position) wakes it at once.
  projector_options.idle_wait = std::chrono::milliseconds(20);
  // A first start's build of the projections puts its temporary files beside
  // the store, on the disk sized for it (not a small /tmp).
  projector_options.spill_directory = options.data_dir;
  // The operator learns at once, not only from /readyz, that the projections
  // stopped.
  projector_options.on_stopped = [&say](const Status& s, uint64_t applied) {
    say("the projections stopped after position " + std::to_string(applied) +
        ": " + s.message() +
        " (writes go on; metrics, worklists and payments answer as of that "
        "position and /readyz 503 until a restart applies the log again)");
  };
  // An upgrade that changed what a projection's rows mean rebuilds it.
  projector_options.on_redefined = [&say](std::string_view projection,
                                          const std::string& stored) {
    say("the " + std::string(projection) + " projection was written by " +
        (stored.empty() ? std::string("an earlier version")
                        : "definition " + stored) +
        " of its code: building it again from the log (/readyz 503 until it "
        "is done)");
  };
  auto read_side = std::make_unique<ReadSide>(**log, clock, projector_options);
  Status opened = read_side->Open();
  if (!opened.ok())
    return fail("cannot load the projections: " + opened.message());
  // A prepare that writes much starts the projections when it asks (then they
  // are built stream by stream); otherwise they start once it is done.
  auto start_projections = [&]() -> Status {
    read_side->RequireAppliedForReady((*log)->LastPosition());
    read_side->runner().Start();
    while (!read_side->CaughtUp()) {
      Status failed = read_side->runner().LastError();
      if (!failed.ok()) return failed;
      read_side->runner().WaitForPosition((*log)->LastPosition(),
                                          std::chrono::milliseconds(200));
    }
    return Status::Ok();
  };
  ApiContext context;
  context.log = log->get();
  context.recorder = recorder.get();
  context.areas = &areas;
  context.audit = &audit;
  context.metrics = &metrics;
  context.clock = &clock;
  context.outcomes = &read_side->metrics();
  context.projector = &read_side->runner();
  context.worklists = &read_side->worklists();
  context.projections_ready = [rs = read_side.get()] { return rs->CaughtUp(); };
  context.projections_failure = [rs = read_side.get()] {
    return rs->runner().LastError();
  };
  RateLimiter rate_limiter(
      options.rate_limit,
      options.rate_burst > 0 ? options.rate_burst : 2 * options.rate_limit,
      clock);
  if (rate_limiter.enabled()) context.rate_limiter = &rate_limiter;
  Api api(tokens, context);
  // Writes of person events never block (answered from the event log's thread
  // once durable): they are handled on the I/O threads, not the worker pool.
  server_options.try_inline = [&api](const Request& request, Respond& respond) {
    return api.TryHandleWithoutBlocking(request, respond);
  };

  // `carelog backup` reaches the open store through this socket.
  auto admin_socket = AdminSocket::Start(
      (std::filesystem::path(options.data_dir) / "admin.sock").string(), **log);
  if (!admin_socket.ok()) {
    say("online backups unavailable: " + admin_socket.status().message());
  }
  {
    Server server(
        server_options,
        AsyncRequestHandler([&api](const Request& request, Respond respond) {
          api.HandleAsync(request, std::move(respond));
        }),
        &metrics);
    Status started = server.Start();
    if (!started.ok()) return fail(started.message());
    server.OnSignal([&server](int) { server.Shutdown(); });
    const std::string url =
        std::string(options.tls_cert_file.empty() ? "http" : "https") + "://" +
        options.listen.substr(0, options.listen.rfind(':')) + ":" +
        std::to_string(server.port());
    if (prepare) {
      ServeServices services{**log, *recorder,        areas, clock, tokens_file,
                             url,   start_projections};
      Status prepared = prepare(services);
      if (!prepared.ok()) {
        server.Shutdown();
        server.Wait();
        return fail(prepared.message());
      }
    }
    read_side->runner().Start();  // harmless if prepare started it
    out << "listening on " << url << std::endl;
    server.Wait();
  }
  if (admin_socket.ok()) admin_socket->reset();
  read_side.reset();  // stops the projection runner
  recorder.reset();
  log->reset();  // flushes and closes the store
  return 0;
}

}  // namespace carelog::gateway
