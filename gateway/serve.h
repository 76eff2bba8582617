// `carelog serve`: opens the store under the data directory, wires services,
// API and server, prints "listening on http://HOST:PORT" once accepting, serves
// until SIGINT/SIGTERM, then drains requests in flight and closes the store.
// Other commands (demo) reuse it with a prepare hook.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

#include "services/clock.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {
class Recorder;
class AreaService;
}  // namespace carelog

namespace carelog::gateway {

struct ServeOptions {
  std::string command = "carelog serve";  // names the command in errors
  std::string data_dir = "carelog-data";
  std::string listen = "127.0.0.1:8080";
  std::string tokens_file;  // empty: DATA_DIR/tokens.json
  std::chrono::milliseconds idle_timeout{30000};
  int io_threads = 2;
  int worker_threads = 96;
  // The clock of the store (recordedAt), the recorder and the queries; null:
  // the system clock, or for tests the instant in the environment variable
  // CARELOG_NOW (RFC 3339), from which it then advances with real time
  // (docs/READINGS.md "Test clock").
  const Clock* clock = nullptr;
  size_t max_connections = 1024;
  size_t max_requests_per_connection = 10000;
  std::string tls_cert_file;  // both set: serve HTTPS (TLS 1.2+) only
  std::string tls_key_file;
  double rate_limit = 0;  // requests per second per token; 0 = no limit
  double rate_burst = 0;  // 0 = two seconds' worth of rate_limit
};

// What a prepare hook may use before the server accepts connections.
struct ServeServices {
  storage::EventLog& log;
  Recorder& recorder;
  AreaService& areas;
  const Clock& clock;
  std::string tokens_file;
  std::string url;  // http://HOST:PORT, known before listening starts
  // Starts the projections (a prepare that writes much calls it after: on a
  // fresh store they are then built stream by stream rather than followed event
  // by event) and waits until they have applied the whole log. Serve starts
  // them after prepare when it did not. Once they run, their thread may write
  // a line to Serve's `err` (under Serve's lock): prepare writes there before.
  std::function<Status()> start_projections;
};

// Splits "HOST:PORT" ("[::1]:8080" for IPv6); kInvalidArgument if malformed
// or HOST is not an IP address.
Status ParseListen(const std::string& listen, std::string& host,
                   uint16_t& port);

// Serves until a signal; returns the process exit code. Every failure to start
// (bad address, unusable data directory, port in use, bad tokens file, failing
// prepare) is one line on `err` and a non-zero code.
int Serve(const ServeOptions& options, std::ostream& out, std::ostream& err,
          const std::function<Status(ServeServices&)>& prepare = {});

}  // namespace carelog::gateway
