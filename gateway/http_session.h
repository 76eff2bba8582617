// One client connection (internal to server.cpp): reads requests on its strand,
// hands them to the handler in the order read (on the I/O thread when
// try_inline takes them, else through the connection's strand of the worker
// pool), writes the answers back in request order.
// Plain TCP (HttpSession) or TLS (HttpsSession: handshake first, TLS 1.2+).
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/server.h"

namespace carelog::gateway {

// Requests handed to the handler and not yet answered (the server waits for
// them before its executors go away: an answer may come from the event log's
// thread after the connection's deadline).
struct InFlight {
  std::mutex mu;
  std::condition_variable cv;
  size_t count = 0;
};

// What sessions share with the server: options, handler, worker pool, and a
// hook run when a session ends.
struct SessionShared {
  ServerOptions options;
  AsyncRequestHandler handler;
  std::shared_ptr<InFlight> in_flight = std::make_shared<InFlight>();
  HttpMetrics* metrics = nullptr;
  boost::asio::thread_pool* workers = nullptr;
  boost::asio::ssl::context* tls = nullptr;  // set when serving TLS
};

// What the server keeps of a session, whatever its transport.
class Session {
 public:
  virtual ~Session() = default;
  virtual void Start() = 0;
  // Stop reading new requests; answer those in flight, then close.
  // Thread-safe.
  virtual void BeginShutdown() = 0;
};

template <class Stream>
class BasicHttpSession final
    : public Session,
      public std::enable_shared_from_this<BasicHttpSession<Stream>> {
 public:
  BasicHttpSession(boost::asio::ip::tcp::socket socket,
                   std::shared_ptr<const SessionShared> shared,
                   std::function<void(Session*)> on_end);
  ~BasicHttpSession() override;

  void Start() override;
  void BeginShutdown() override;

 private:
  static constexpr bool kTls =
      !std::is_same_v<Stream, boost::beast::tcp_stream>;
  using HttpResponse =
      boost::beast::http::response<boost::beast::http::string_body>;
  using HttpSerializer =
      boost::beast::http::response_serializer<boost::beast::http::string_body>;
  // An answer's place in the order; it stays where the deque made it (a
  // deque's elements do not move as its ends change): `serializer` refers to
  // `response` and keeps how much of it is sent.
  struct Slot {
    bool close_after = false;
    std::optional<HttpResponse> response;
    std::optional<HttpSerializer> serializer;  // set when the answer is ready
  };

  boost::beast::tcp_stream& Tcp() {
    return boost::beast::get_lowest_layer(stream_);
  }
  void OnHandshake(boost::beast::error_code ec);
  void MaybeRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void Dispatch();
  void Complete(uint64_t seq, Response response, unsigned version,
                bool keep_alive, bool head);
  void Answer(uint64_t seq, HttpResponse response, bool close_after);
  // `sent_any`: an answer was just sent (by OnWrite), so another request may
  // be read once MaybeWrite is done.
  void MaybeWrite(bool sent_any = false);
  void OnWrite(boost::beast::error_code ec, size_t bytes);
  // The front answer is sent: drops it; false when the connection closes.
  bool Sent();
  void Close();
  void LingeringClose();
  void Drain();

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<
      boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  std::shared_ptr<const SessionShared> shared_;
  // The connection's requests left to workers run one after the other, in
  // order; while any is posted and not yet handed over, later ones follow it
  // there rather than overtake it on the I/O thread.
  boost::asio::strand<boost::asio::thread_pool::executor_type> worker_strand_;
  std::atomic<size_t> on_workers_{0};
  std::function<void(Session*)> on_end_;
  std::deque<Slot> slots_;  // answers in request order; front is the oldest
  uint64_t front_seq_ = 0;
  bool handshaken_ = !kTls;
  bool send_at_once_ = false;  // the socket does not block: see MaybeWrite
  bool reading_ = false;
  bool writing_ = false;
  bool stop_reading_ = false;  // EOF, Connection: close, an error, or shutdown
  bool closed_ = false;
  size_t requests_read_ = 0;
  char drain_buffer_[4096];
};

using HttpSession = BasicHttpSession<boost::beast::tcp_stream>;
using HttpsSession =
    BasicHttpSession<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

// Builds the beast response of a route's Response; for a HEAD request (`head`)
// the headers of the GET answer, Content-Length included, without the body.
boost::beast::http::response<boost::beast::http::string_body> ToBeast(
    Response response, unsigned version, bool keep_alive, bool head = false);

}  // namespace carelog::gateway
