// Each I/O thread runs its own io_context: a connection is served by one I/O
// thread for its whole life, and connections are spread over the threads.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/server.h"

namespace carelog::gateway {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

// Sends `count` GETs of `path` one after the other on one keep-alive
// connection, each after the answer to the last; true if all were 200.
bool OneAtATime(uint16_t port, const std::string& path, int count) {
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  boost::beast::flat_buffer buffer;
  for (int i = 0; i < count; ++i) {
    http::request<http::empty_body> req{http::verb::get, path, 11};
    req.set(http::field::host, "x");
    http::write(s, req);
    http::response<http::string_body> res;
    http::read(s, buffer, res);
    if (res.result_int() != 200) return false;
  }
  return true;
}

TEST(ServerThreadsTest, EachConnectionStaysOnOneIoThreadAndTheyAreSpread) {
  std::mutex mu;
  std::map<std::string, std::set<std::thread::id>> threads_of;  // by path
  ServerOptions options;
  options.port = 0;
  options.io_threads = 2;
  options.try_inline = [&](const Request& request, Respond& respond) {
    {
      std::lock_guard lock(mu);
      threads_of[request.path].insert(std::this_thread::get_id());
    }
    Response ok;
    ok.body = "{}";
    respond(std::move(ok));
    return true;
  };
  Server server(
      options, [](const Request&) { return Response(); }, nullptr);
  ASSERT_TRUE(server.Start().ok());
  constexpr int kConnections = 4;
  std::vector<std::thread> clients;
  std::vector<char> ok(kConnections, 0);
  for (int c = 0; c < kConnections; ++c) {
    clients.emplace_back([&, c] {
      ok[static_cast<size_t>(c)] =
          OneAtATime(server.port(), "/c" + std::to_string(c), 50);
    });
  }
  for (auto& t : clients) t.join();
  server.Shutdown();
  server.Wait();
  std::set<std::thread::id> all;
  ASSERT_EQ(threads_of.size(), static_cast<size_t>(kConnections));
  for (const auto& [path, threads] : threads_of) {
    EXPECT_EQ(threads.size(), 1u) << path << " was served by several threads";
    all.insert(threads.begin(), threads.end());
  }
  EXPECT_EQ(all.size(), 2u) << "the connections were not spread";
  for (char answered : ok) EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace carelog::gateway
