#include "gateway/http_session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <cctype>

#include "gateway/problem.h"

namespace carelog::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

http::response<http::string_body> ToBeast(Response response, unsigned version,
                                          bool keep_alive, bool head) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(response.status));
  res.set(http::field::server, "carelog");
  res.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) res.set(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  // The serializer writes the (now empty) body after the header as it is: the
  // client of a HEAD reads no body whatever Content-Length says.
  if (head) res.body().clear();
  return res;
}

namespace {

template <class Stream>
Stream MakeStream(net::ip::tcp::socket socket, const SessionShared& shared) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    return Stream(std::move(socket));
  } else {
    return Stream(beast::tcp_stream(std::move(socket)), *shared.tls);
  }
}

}  // namespace

template <class Stream>
BasicHttpSession<Stream>::BasicHttpSession(
    net::ip::tcp::socket socket, std::shared_ptr<const SessionShared> shared,
    std::function<void(Session*)> on_end)
    : stream_(MakeStream<Stream>(std::move(socket), *shared)),
      shared_(std::move(shared)),
      worker_strand_(
          boost::asio::make_strand(shared_->workers->get_executor())),
      on_end_(std::move(on_end)) {
  if (shared_->metrics) shared_->metrics->ConnectionOpened();
}

template <class Stream>
BasicHttpSession<Stream>::~BasicHttpSession() {
  if (shared_->metrics) shared_->metrics->ConnectionClosed();
  if (on_end_) on_end_(this);
}

template <class Stream>
void BasicHttpSession<Stream>::Start() {
  net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
    if constexpr (kTls) {
      // The handshake has the same deadline as reading a request.
      self->Tcp().expires_after(self->shared_->options.idle_timeout);
      self->stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&BasicHttpSession::OnHandshake, self));
    } else {
      // Answers are first offered to the socket as they are ready (see
      // MaybeWrite): it must not block then.
      beast::error_code ec;
      self->Tcp().socket().non_blocking(true, ec);
      self->send_at_once_ = !ec;
      self->MaybeRead();
    }
  });
}

template <class Stream>
void BasicHttpSession<Stream>::OnHandshake(beast::error_code ec) {
  if (ec || closed_) {
    Close();
    return;
  }
  handshaken_ = true;
  MaybeRead();
}

template <class Stream>
void BasicHttpSession<Stream>::BeginShutdown() {
  net::post(stream_.get_executor(), [self = this->shared_from_this()] {
    self->stop_reading_ = true;
    if (self->reading_) {
      // A request not yet read in full was never acknowledged: drop it.
      beast::error_code ignored;
      self->Tcp().socket().cancel(ignored);
    }
    if (self->slots_.empty() && !self->writing_ && !self->reading_)
      self->Close();
  });
}

template <class Stream>
void BasicHttpSession<Stream>::MaybeRead() {
  if (!handshaken_ || reading_ || stop_reading_ || closed_) return;
  if (slots_.size() >= shared_->options.max_pipelined) return;
  reading_ = true;
  parser_.emplace();
  parser_->body_limit(shared_->options.body_limit);
  parser_->header_limit(shared_->options.header_limit);
  Tcp().expires_after(shared_->options.idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&BasicHttpSession::OnRead,
                                             this->shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::OnRead(beast::error_code ec, size_t) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    stop_reading_ = true;
    const bool parse_error =
        ec.category() ==
            http::make_error_code(http::error::body_limit).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message;
    if (parse_error) {
      Response problem =
          ec == http::error::header_limit
              ? HeadersTooLargeResponse(shared_->options.header_limit)
          : ec == http::error::body_limit
              ? ProblemResponse(Status(
                    Code::kTooLarge,
                    "the request body is larger than " +
                        std::to_string(shared_->options.body_limit) + " bytes"))
              : ProblemResponse(
                    Status(Code::kInvalidArgument,
                           "malformed HTTP request: " + ec.message()));
      const uint64_t seq = front_seq_ + slots_.size();
      slots_.emplace_back();
      Answer(seq, ToBeast(problem, 11, false), true);
      return;
    }
    // EOF, a timeout, a reset or a cancel at shutdown: answer what is in
    // flight, then close.
    if (ec == beast::error::timeout) {
      Close();
      return;
    }
    if (slots_.empty() && !writing_) Close();
    return;
  }
  Dispatch();
  MaybeRead();
}

template <class Stream>
void BasicHttpSession<Stream>::Dispatch() {
  auto message = parser_->release();
  const unsigned version = message.version();
  const bool keep_alive =
      message.keep_alive() &&
      ++requests_read_ < shared_->options.max_requests_per_connection;
  if (!keep_alive) stop_reading_ = true;

  Request request;
  // HEAD is answered as GET without the body (RFC 9110).
  const bool head = message.method() == http::verb::head;
  request.method = head ? "GET" : std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = std::string(field.value());
  }
  request.body = std::move(message.body());

  const uint64_t seq = front_seq_ + slots_.size();
  slots_.emplace_back();
  Status target = ParseTarget(request.target, request.path, request.query);
  if (!target.ok()) {
    Answer(seq, ToBeast(ProblemResponse(target), version, keep_alive),
           !keep_alive);
    return;
  }
  {
    std::lock_guard lock(shared_->in_flight->mu);
    ++shared_->in_flight->count;
  }
  // The answer goes back to the connection's strand from whichever thread
  // has it: this one, a worker, or the event log's once a write is durable.
  // `respond` gives up its hold on the session when called: whoever keeps
  // the function afterwards (the event log) keeps nothing of the server.
  Respond respond = [self = this->shared_from_this(), seq, version, keep_alive,
                     head](Response response) mutable {
    const std::shared_ptr<InFlight> in_flight = self->shared_->in_flight;
    auto executor = self->stream_.get_executor();
    net::post(executor, [session = std::move(self), seq, version, keep_alive,
                         head, response = std::move(response)]() mutable {
      session->Complete(seq, std::move(response), version, keep_alive, head);
    });
    std::lock_guard lock(in_flight->mu);
    if (--in_flight->count == 0) in_flight->cv.notify_all();
  };
  const auto& try_inline = shared_->options.try_inline;
  if (try_inline && on_workers_.load(std::memory_order_acquire) == 0 &&
      try_inline(request, respond)) {
    return;
  }
  on_workers_.fetch_add(1, std::memory_order_relaxed);
  net::post(worker_strand_,
            [self = this->shared_from_this(), request = std::move(request),
             respond = std::move(respond)]() mutable {
              struct Handed {  // also when the handler throws
                std::atomic<size_t>& count;
                ~Handed() { count.fetch_sub(1, std::memory_order_release); }
              } handed{self->on_workers_};
              self->shared_->handler(request, std::move(respond));
            });
}

template <class Stream>
void BasicHttpSession<Stream>::Complete(uint64_t seq, Response response,
                                        unsigned version, bool keep_alive,
                                        bool head) {
  Answer(seq, ToBeast(std::move(response), version, keep_alive, head),
         !keep_alive);
}

template <class Stream>
void BasicHttpSession<Stream>::Answer(uint64_t seq, HttpResponse response,
                                      bool close_after) {
  if (closed_ || seq < front_seq_) return;
  Slot& slot = slots_[seq - front_seq_];
  slot.close_after = close_after;
  slot.serializer.emplace(slot.response.emplace(std::move(response)));
  MaybeWrite();
}

// An answer is handed to the socket at once when it takes it whole (a small
// answer to a client that reads: the usual case), without an asynchronous
// operation, its allocation and its timer; the rest of it, if any, is written
// asynchronously with the write timeout.
template <class Stream>
void BasicHttpSession<Stream>::MaybeWrite(bool sent_any) {
  while (!writing_ && !closed_ && !slots_.empty() &&
         slots_.front().serializer) {
    HttpSerializer& serializer = *slots_.front().serializer;
    if (send_at_once_) {
      beast::error_code ec;
      http::write_some(Tcp().socket(), serializer, ec);
      if (ec && ec != net::error::would_block && ec != net::error::try_again) {
        Close();
        return;
      }
      if (serializer.is_done()) {
        if (!Sent()) return;
        sent_any = true;
        continue;
      }
    }
    writing_ = true;
    Tcp().expires_after(shared_->options.idle_timeout);
    http::async_write(stream_, serializer,
                      beast::bind_front_handler(&BasicHttpSession::OnWrite,
                                                this->shared_from_this()));
    break;
  }
  // Fewer answers waiting may let the next request be read.
  if (sent_any) MaybeRead();
}

template <class Stream>
void BasicHttpSession<Stream>::OnWrite(beast::error_code ec, size_t) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  if (!Sent()) return;
  MaybeWrite(/*sent_any=*/true);
}

template <class Stream>
bool BasicHttpSession<Stream>::Sent() {
  const bool close_after = slots_.front().close_after;
  slots_.pop_front();
  ++front_seq_;
  if (close_after) {
    LingeringClose();
    return false;
  }
  if (slots_.empty() && stop_reading_ && !reading_) {
    Close();
    return false;
  }
  return true;
}

template <class Stream>
void BasicHttpSession<Stream>::Close() {
  if (closed_) return;
  closed_ = true;
  if constexpr (kTls) {
    if (handshaken_) {
      // close_notify, briefly, then the socket.
      Tcp().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](
                                 beast::error_code) { self->Tcp().close(); });
      return;
    }
  }
  beast::error_code ignored;
  Tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  Tcp().close();
}

// After an error answer the client may still be sending its body: read and
// discard it for a short while so that the answer is not lost to a connection
// reset, then close.
template <class Stream>
void BasicHttpSession<Stream>::LingeringClose() {
  stop_reading_ = true;
  if constexpr (kTls) {
    // Half-closing TCP under TLS would cut the answer's records: close
    // properly instead.
    Close();
    return;
  }
  beast::error_code ignored;
  Tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  Tcp().expires_after(std::chrono::seconds(2));
  Drain();
}

template <class Stream>
void BasicHttpSession<Stream>::Drain() {
  stream_.async_read_some(
      net::buffer(drain_buffer_),
      [self = this->shared_from_this()](beast::error_code ec, size_t) {
        if (ec) {
          self->Close();
          return;
        }
        self->Drain();
      });
}

template class BasicHttpSession<beast::tcp_stream>;
template class BasicHttpSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace carelog::gateway
