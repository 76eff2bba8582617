// A connection's requests reach the handler in the order they were read,
// whether a worker or the I/O thread (ServerOptions::try_inline) handles them:
// a later request never overtakes an earlier one of the same connection.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/server.h"

namespace carelog::gateway {
namespace {

namespace net = boost::asio;

// The paths the handler has seen, in the order it was handed them.
class Seen {
 public:
  void Add(const std::string& path) {
    std::lock_guard lock(mu_);
    paths_.push_back(path);
  }
  std::vector<std::string> paths() {
    std::lock_guard lock(mu_);
    return paths_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> paths_;
};

Response Ok() {
  Response r;
  r.body = "{}";
  return r;
}

// Sends `paths` as pipelined GETs in one write, the last asking to close, and
// returns everything answered until the server closes.
std::string Pipelined(uint16_t port, const std::vector<std::string>& paths) {
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  std::string requests;
  for (size_t i = 0; i < paths.size(); ++i) {
    requests += "GET " + paths[i] + " HTTP/1.1\r\nHost: x\r\n";
    if (i + 1 == paths.size()) requests += "Connection: close\r\n";
    requests += "\r\n";
  }
  net::write(s, net::buffer(requests));
  std::string got;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) got.append(buf, s.read_some(net::buffer(buf), ec));
  return got;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ServerOrderTest, AnInlineRequestWaitsForAnEarlierOneLeftToAWorker) {
  Seen seen;
  std::promise<void> blocking, release;
  std::shared_future<void> released = release.get_future().share();
  ServerOptions options;
  options.port = 0;
  options.worker_threads = 1;
  options.try_inline = [&seen](const Request& request, Respond& respond) {
    if (request.path != "/inline") return false;
    seen.Add(request.path);
    respond(Ok());
    return true;
  };
  Server server(
      options,
      [&](const Request& request) {
        if (request.path == "/block") {
          blocking.set_value();
          released.wait();
        } else {
          seen.Add(request.path);
        }
        return Ok();
      },
      nullptr);
  ASSERT_TRUE(server.Start().ok());
  // The only worker is held by another connection's request...
  std::thread other([&] { Pipelined(server.port(), {"/block"}); });
  blocking.get_future().wait();
  // ...so this connection's first request waits for it, and its second, which
  // could be handled at once on the I/O thread, must wait behind the first.
  std::string answers;
  std::thread client([&] {
    answers = Pipelined(server.port(), {"/worker", "/inline"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(seen.paths().empty()) << seen.paths().front();
  release.set_value();
  client.join();
  other.join();
  EXPECT_EQ(seen.paths(), (std::vector<std::string>{"/worker", "/inline"}));
  EXPECT_EQ(Count(answers, "HTTP/1.1 200"), 2u) << answers;
  server.Shutdown();
  server.Wait();
}

TEST(ServerOrderTest, PipelinedRequestsLeftToWorkersAreHandedOverInOrder) {
  Seen seen;
  ServerOptions options;
  options.port = 0;
  options.worker_threads = 4;
  Server server(
      options,
      [&seen](const Request& request) {
        // The first takes a while; a free worker must not start the second
        // before it is done.
        if (request.path == "/first") {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        seen.Add(request.path);
        return Ok();
      },
      nullptr);
  ASSERT_TRUE(server.Start().ok());
  const std::string answers =
      Pipelined(server.port(), {"/first", "/second", "/third"});
  EXPECT_EQ(seen.paths(),
            (std::vector<std::string>{"/first", "/second", "/third"}));
  EXPECT_EQ(Count(answers, "HTTP/1.1 200"), 3u) << answers;
  server.Shutdown();
  server.Wait();
}

}  // namespace
}  // namespace carelog::gateway
