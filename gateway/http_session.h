// One client connection (internal to server.cpp): reads requests on its strand,
// hands them to the worker pool, writes the answers back in request order.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "gateway/server.h"

namespace carelog::gateway {

// What sessions share with the server: options, handler, worker pool, and a
// hook run when a session ends.
struct SessionShared {
  ServerOptions options;
  RequestHandler handler;
  HttpMetrics* metrics = nullptr;
  boost::asio::thread_pool* workers = nullptr;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket,
              std::shared_ptr<const SessionShared> shared,
              std::function<void(HttpSession*)> on_end);
  ~HttpSession();

  void Start();
  // Stop reading new requests; answer those in flight, then close. Thread-safe.
  void BeginShutdown();

 private:
  using HttpResponse =
      boost::beast::http::response<boost::beast::http::string_body>;
  struct Slot {
    bool ready = false;
    bool close_after = false;
    HttpResponse response;
  };

  void MaybeRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void Dispatch();
  void Complete(uint64_t seq, Response response, unsigned version,
                bool keep_alive);
  void Answer(uint64_t seq, HttpResponse response, bool close_after);
  void MaybeWrite();
  void OnWrite(boost::beast::error_code ec, size_t bytes);
  void Close();
  void LingeringClose();
  void Drain();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<
      boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  std::shared_ptr<const SessionShared> shared_;
  std::function<void(HttpSession*)> on_end_;
  std::deque<Slot> slots_;  // answers in request order; front is the oldest
  uint64_t front_seq_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool stop_reading_ = false;  // EOF, Connection: close, an error, or shutdown
  bool closed_ = false;
  char drain_buffer_[4096];
};

// Builds the beast response of a route's Response.
boost::beast::http::response<boost::beast::http::string_body> ToBeast(
    const Response& response, unsigned version, bool keep_alive);

}  // namespace carelog::gateway
