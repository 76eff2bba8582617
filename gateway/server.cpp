#include "gateway/server.h"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/http_session.h"

namespace carelog::gateway {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl {
  Impl(ServerOptions options, AsyncRequestHandler handler, HttpMetrics* metrics)
      : workers(static_cast<size_t>(options.worker_threads)),
        ios(MakeContexts(options.io_threads)),
        acceptor(net::make_strand(*ios[0])),
        signals(*ios[0]) {
    for (auto& io : ios) work.push_back(net::make_work_guard(*io));
    auto s = std::make_shared<SessionShared>();
    s->options = std::move(options);
    s->handler = std::move(handler);
    s->metrics = metrics;
    s->workers = &workers;
    shared = std::move(s);
  }

  // One io_context per I/O thread, each run by its thread alone: a
  // connection stays on one thread, which sleeps only in its own epoll_wait.
  // (Two threads sharing one io_context handed work to each other through a
  // condition variable: about three sleeps and wake-ups a request on each.)
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i)
      out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  void Accept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket);
  void SessionEnded(Session* session);
  Status LoadTls();

  // Declared before ios, so destroyed after them: a connection left open
  // past the drain timeout is destroyed with their queued handlers, and then
  // still uses its strand on the workers, the TLS context and SessionEnded's
  // lock.
  net::thread_pool workers;
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::optional<net::ssl::context> tls;

  std::vector<std::unique_ptr<net::io_context>> ios;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  size_t next_io = 0;  // the context of the next connection (round robin)
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::shared_ptr<const SessionShared> shared;
  std::vector<std::thread> threads;
  tcp::endpoint bound;

  bool shutting_down = false;
  bool stopped = false;
};

void Server::Impl::Accept() {
  // Only the acceptor's strand touches next_io.
  net::io_context& io = *ios[next_io++ % ios.size()];
  acceptor.async_accept(
      net::make_strand(io),
      [this](boost::system::error_code ec, tcp::socket socket) {
        OnAccept(ec, std::move(socket));
      });
}

void Server::Impl::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec) {
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(mu);
      if (shutting_down) return;
      if (sessions.size() >= shared->options.max_connections) {
        if (shared->metrics) shared->metrics->ConnectionRefused();
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto on_end = [this](Session* ended) { SessionEnded(ended); };
        if (shared->tls != nullptr) {
          session = std::make_shared<HttpsSession>(std::move(socket), shared,
                                                   std::move(on_end));
        } else {
          session = std::make_shared<HttpSession>(std::move(socket), shared,
                                                  std::move(on_end));
        }
        sessions[session.get()] = session;
      }
    }
    if (session) session->Start();
  }
  Accept();
}

Status Server::Impl::LoadTls() {
  const ServerOptions& options = shared->options;
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) {
    return Status::Ok();
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return Status(Code::kInvalidArgument,
                  "TLS needs both a certificate and a key file");
  }
  tls.emplace(net::ssl::context::tls_server);
  boost::system::error_code ec;
  tls->set_options(
      net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
          net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
          net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
      ec);
  if (!ec && SSL_CTX_set_min_proto_version(tls->native_handle(),
                                           TLS1_2_VERSION) != 1) {
    ec = net::error::operation_not_supported;
  }
  if (ec) return Status(Code::kInternal, "TLS setup: " + ec.message());
  tls->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    return Status(Code::kInvalidArgument, "cannot load the TLS certificate " +
                                              options.tls_cert_file + ": " +
                                              ec.message());
  }
  tls->use_private_key_file(options.tls_key_file, net::ssl::context::pem, ec);
  if (ec) {
    return Status(Code::kInvalidArgument, "cannot load the TLS key " +
                                              options.tls_key_file + ": " +
                                              ec.message());
  }
  if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    return Status(Code::kInvalidArgument,
                  "the TLS key " + options.tls_key_file +
                      " does not match the certificate");
  }
  // Sessions read the context through `shared`, which is const once built.
  auto s = std::make_shared<SessionShared>(*shared);
  s->tls = &*tls;
  shared = std::move(s);
  return Status::Ok();
}

void Server::Impl::SessionEnded(Session* session) {
  std::lock_guard lock(mu);
  sessions.erase(session);
  if (sessions.empty()) cv.notify_all();
}

Server::Server(ServerOptions options, RequestHandler handler,
               HttpMetrics* metrics)
    : Server(std::move(options),
             AsyncRequestHandler([handler = std::move(handler)](
                                     const Request& request, Respond respond) {
               respond(handler(request));
             }),
             metrics) {}

Server::Server(ServerOptions options, AsyncRequestHandler handler,
               HttpMetrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler),
                                   metrics)) {}

Server::~Server() {
  if (!impl_->threads.empty()) {
    Shutdown();
    Wait();
  }
}

Status CheckListenHost(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  if (ec) {
    return Status(Code::kInvalidArgument,
                  "'" + host + "' is not an IP address to listen on");
  }
  return Status::Ok();
}

Status Server::Start() {
  Status tls = impl_->LoadTls();
  if (!tls.ok()) return tls;
  const ServerOptions& options = impl_->shared->options;
  if (Status host = CheckListenHost(options.host); !host.ok()) return host;
  boost::system::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address(options.host),
                               options.port);
  const std::string where = options.host + ":" + std::to_string(options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (ec)
    return Status(Code::kUnavailable,
                  "cannot listen on " + where + ": " + ec.message());
  impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return Status(Code::kUnavailable,
                  "cannot listen on " + where + ": " + ec.message());
  impl_->bound = impl_->acceptor.local_endpoint();
  impl_->Accept();
  for (auto& io : impl_->ios) {
    impl_->threads.emplace_back([context = io.get()] {
      pthread_setname_np(pthread_self(), "http-io");
      context->run();
    });
  }
  return Status::Ok();
}

std::string Server::Endpoint() const {
  return impl_->shared->options.host + ":" + std::to_string(port());
}

uint16_t Server::port() const { return impl_->bound.port(); }

void Server::OnSignal(std::function<void(int)> fn) {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait(
      [fn = std::move(fn)](boost::system::error_code ec, int signal) {
        if (!ec) fn(signal);
      });
}

void Server::Shutdown() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->shutting_down) return;
    impl_->shutting_down = true;
    impl_->cv.notify_all();
    for (auto& [raw, weak] : impl_->sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  net::post(impl_->acceptor.get_executor(), [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  for (auto& session : live) session->BeginShutdown();
}

void Server::Wait() {
  {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait(lock, [this] { return impl_->shutting_down; });
    impl_->cv.wait_for(lock, impl_->shared->options.drain_timeout,
                       [this] { return impl_->sessions.empty(); });
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->signals.cancel();
  for (auto& guard : impl_->work) guard.reset();
  for (auto& io : impl_->ios) io->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->workers.join();
  // Answers still to come (from the event log's thread) post to the stopped
  // executors; wait for them before those executors can be destroyed.
  InFlight& in_flight = *impl_->shared->in_flight;
  std::unique_lock lock(in_flight.mu);
  in_flight.cv.wait(lock, [&in_flight] { return in_flight.count == 0; });
}

}  // namespace carelog::gateway
