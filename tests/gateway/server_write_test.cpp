// An answer is handed to the socket at once when it takes it whole; what the
// socket does not take is written later, before any answer after it.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "gateway/server.h"

namespace carelog::gateway {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

TEST(ServerWriteTest, AnAnswerLargerThanTheSocketTakesIsWrittenWholeInOrder) {
  // Far more than a loopback socket buffers while its client does not read.
  const std::string big(32 << 20, 'x');
  ServerOptions options;
  options.port = 0;
  options.try_inline = [&](const Request& request, Respond& respond) {
    Response answer;
    answer.content_type = "text/plain";
    answer.body = request.path == "/big" ? big : "small";
    respond(std::move(answer));
    return true;
  };
  Server server(
      options, [](const Request&) { return Response(); }, nullptr);
  ASSERT_TRUE(server.Start().ok());

  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), server.port()});
  // Both requests pipelined, and nothing read until the server is stuck on
  // the first answer.
  const std::string requests =
      "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /small HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(s, net::buffer(requests));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> first;
  first.body_limit(big.size() + 1);
  http::read(s, buffer, first);
  EXPECT_EQ(first.get().result_int(), 200);
  EXPECT_EQ(first.get().body().size(), big.size());
  EXPECT_TRUE(first.get().body() == big);
  http::response<http::string_body> second;
  http::read(s, buffer, second);
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(second.body(), "small");

  s.close();
  server.Shutdown();
  server.Wait();
}

}  // namespace
}  // namespace carelog::gateway
