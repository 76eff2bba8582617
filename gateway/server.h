// The HTTP/1.1 server (Boost.Beast on Asio): one session per connection on its
// own strand, a read deadline before every read, a fresh parser with body and
// header limits per request, keep-alive, bounded pipelining (answers in request
// order), a bounded number of connections and several I/O threads (each with an
// io_context of its own; a connection stays on one). Requests are
// handled on a separate worker pool (handlers may block on storage) and answers
// are posted back to the connection's strand, so no I/O thread ever waits for
// an fsync. A connection's requests reach the handler in the order they were
// read, whether handled on a worker or on the I/O thread (try_inline). Shutdown
// stops accepting, lets requests in flight finish and be answered, then closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/http_metrics.h"
#include "gateway/http_types.h"
#include "storage/status.h"

namespace carelog::gateway {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int io_threads = 2;
  int worker_threads =
      96;  // high, so that many blocking appends meet in one group commit
  std::chrono::milliseconds idle_timeout{
      30000};  // idle and read timeout per request
  size_t body_limit = 1u << 20;
  uint32_t header_limit = 16u << 10;
  size_t max_connections = 1024;
  // After this many requests a connection is answered with Connection: close
  // (one client cannot hold a connection forever).
  size_t max_requests_per_connection = 10000;
  size_t max_pipelined =
      16;  // requests read ahead of their answers per connection
  // TLS (TLS 1.2 and later only) when both are set: PEM files of the
  // certificate chain and its private key.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::chrono::milliseconds drain_timeout{
      30000};  // longest wait for requests in flight
  // Offered each request first, on the connection's I/O thread, when no
  // earlier request of the connection is still waiting for a worker: returns
  // true when it has taken the request (and will call `respond` exactly once,
  // never blocking the thread: e.g. a write answered from the event log's
  // thread once durable), false to leave it, `respond` untouched, to the
  // worker pool. Empty: every request goes to the worker pool.
  std::function<bool(const Request&, std::function<void(Response)>& respond)>
      try_inline;
};

// Handles one parsed request; may block; must be thread-safe.
using RequestHandler = std::function<Response(const Request&)>;
// Handles one parsed request and calls `respond` exactly once with its answer,
// on any thread, possibly after returning (e.g. from the event log's thread
// once a write is durable); must be thread-safe. `respond` must not be called
// with the request still needed: it may be gone by then.
using Respond = std::function<void(Response)>;
using AsyncRequestHandler = std::function<void(const Request&, Respond)>;

// kInvalidArgument unless `host` is an IP address (ServerOptions::host).
Status CheckListenHost(const std::string& host);

class Server {
 public:
  Server(ServerOptions options, RequestHandler handler, HttpMetrics* metrics);
  // The handler is called on a worker thread; it need not hold the thread
  // while waiting for storage.
  Server(ServerOptions options, AsyncRequestHandler handler,
         HttpMetrics* metrics);
  ~Server();  // shuts down and waits if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. kInvalidArgument for a bad address
  // or a TLS certificate or key that cannot be loaded,
  // kUnavailable when the address cannot be bound (e.g. the port is in use).
  Status Start();

  // "HOST:PORT" actually bound (the port is known after Start, also for port
  // 0).
  std::string Endpoint() const;
  uint16_t port() const;

  // Begins a graceful shutdown: stop accepting, finish and answer requests in
  // flight, close idle connections. Thread-safe, idempotent, returns at once.
  void Shutdown();

  // Calls `fn` (on an I/O thread) when SIGINT or SIGTERM arrives. Call after
  // Start.
  void OnSignal(std::function<void(int)> fn);

  // Blocks until a shutdown has completed and every thread has stopped.
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carelog::gateway
