// Resource limits of the server (docs/RELIABILITY.md): a trickling slowloris
// client is cut off at the read deadline while others are served; connections
// are capped; a connection serves a bounded number of requests; each token has
// a request rate (429 with Retry-After).
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new LiveServer({"--idle-timeout", "0.5", "--max-connections", "4",
                              "--max-requests-per-connection", "3",
                              "--rate-limit", "0.5", "--rate-burst", "3"});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()); }
  static tcp::socket Connect(net::io_context& io) {
    tcp::socket s(io);
    s.connect({net::ip::make_address("127.0.0.1"), server_->port()});
    return s;
  }
  // Reads until EOF or the error; what arrived.
  static std::string ReadAll(tcp::socket& s, boost::system::error_code& ec) {
    std::string got;
    char buf[4096];
    while (!ec) got.append(buf, s.read_some(net::buffer(buf), ec));
    return got;
  }
  static LiveServer* server_;
};
LiveServer* LimitsTest::server_ = nullptr;

TEST_F(LimitsTest, ATricklingClientIsCutOffAtTheReadDeadline) {
  net::io_context io;
  tcp::socket slow = Connect(io);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  net::write(slow, net::buffer(request));
  const auto start = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  // A byte every 50 ms keeps the socket busy but never finishes the request.
  for (int i = 0; i < 60 && !ec; ++i) {
    net::write(slow, net::buffer("a", 1), ec);
    if (i == 5) {
      EXPECT_EQ(HttpClient(server_->port()).Get("/healthz").status, 200);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string got = ReadAll(slow, ec);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.find("200 OK"), std::string::npos) << got;
  EXPECT_LT(waited, std::chrono::milliseconds(2900))
      << "the trickle kept the connection open past the 0.5 s deadline";
  EXPECT_EQ(HttpClient(server_->port()).Get("/healthz").status, 200);
}

TEST_F(LimitsTest, AConnectionServesABoundedNumberOfRequests) {
  net::io_context io;
  tcp::socket s = Connect(io);
  std::string requests;
  for (int i = 0; i < 4; ++i)
    requests += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(s, net::buffer(requests));
  boost::system::error_code ec;
  const std::string got = ReadAll(s, ec);
  size_t answers = 0;
  for (size_t at = got.find("HTTP/1.1 200"); at != std::string::npos;
       at = got.find("HTTP/1.1 200", at + 1)) {
    ++answers;
  }
  EXPECT_EQ(answers, 3u) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
}

TEST_F(LimitsTest, ConnectionsBeyondTheCapAreRefusedAndOthersGoOn) {
  net::io_context io;
  std::vector<tcp::socket> held;
  // Keep four connections busy with unfinished requests.
  for (int i = 0; i < 4; ++i) {
    held.push_back(Connect(io));
    net::write(held.back(),
               net::buffer(std::string("GET /healthz HTTP/1.1\r\n")));
  }
  tcp::socket extra = Connect(io);
  boost::system::error_code ec;
  net::write(
      extra,
      net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), ec);
  const std::string got = ReadAll(extra, ec);
  EXPECT_EQ(got.find("200 OK"), std::string::npos)
      << "a fifth connection was served: " << got;
  // Once the held ones are gone (closed here, or timed out), new clients are
  // served again.
  held.clear();
  int status = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = HttpClient(server_->port()).Get("/healthz").status;
  }
  EXPECT_EQ(status, 200);
}

TEST_F(LimitsTest, ATokenOverItsRateIsAnswered429WithRetryAfter) {
  HttpClient admin(server_->port(), server_->admin_a);
  int ok = 0;
  HttpAnswer limited;
  for (int i = 0; i < 10; ++i) {
    auto a = admin.Get("/v1/areas");
    if (a.status == 200) {
      ++ok;
    } else {
      limited = a;
      break;
    }
  }
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);  // the burst, and at most one refilled at 0.5/s
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Header("content-type"), "application/problem+json");
  EXPECT_GE(std::stoi(limited.Header("retry-after")), 1);
  EXPECT_NE(limited.body.find("retry after"), std::string::npos);
  // Another token is not held back by this one.
  EXPECT_EQ(HttpClient(server_->port(), server_->auditor)
                    .Get("/v1/audit?nhsNumber=9990000018")
                    .status == 429,
            false);
}

}  // namespace
}  // namespace carelog::e2e
