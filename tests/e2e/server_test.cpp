// The server itself: limits, timeouts, operations endpoints, authentication,
// unknown routes.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

namespace net = boost::asio;

class ServerTest : public ::testing::Test {
 protected:
  // A short idle timeout so that the slow-client test need not wait 30 s.
  static void SetUpTestSuite() {
    server_ = new LiveServer({"--idle-timeout", "0.5"});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()); }
  HttpClient As(const std::string& token) {
    return HttpClient(server_->port(), token);
  }
  static LiveServer* server_;
};
LiveServer* ServerTest::server_ = nullptr;

TEST_F(ServerTest, OperationsEndpointsNeedNoToken) {
  HttpClient anyone(server_->port());
  EXPECT_EQ(anyone.Get("/healthz").status, 200);
  auto ready = anyone.Get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto metrics = anyone.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.Header("content-type").rfind("text/plain", 0), 0u);
  EXPECT_NE(metrics.body.find(
                "carelog_http_requests_total{route=\"/healthz\",method=\"GET\","
                "status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("carelog_http_request_duration_seconds_bucket"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("carelog_events_appended_total"),
            std::string::npos);
  // API.md lists the projection lag among what /metrics shows.
  EXPECT_NE(metrics.body.find("# TYPE carelog_projection_lag_events gauge"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("carelog_projection_applied_position "),
            std::string::npos);
}

// The value of the sample `name` (with its labels, if any) in a Prometheus
// text exposition; -1 when absent.
double Sample(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

TEST_F(ServerTest, MetricsCountFsyncBatchesAndTheirSizes) {
  HttpClient anyone(server_->port());
  const std::string before = anyone.Get("/metrics").body;
  for (const char* family :
       {"# TYPE carelog_fsync_batches_total counter",
        "# TYPE carelog_fsync_batch_events histogram",
        "carelog_fsync_batch_events_bucket{le=\"1\"}",
        "carelog_fsync_batch_events_bucket{le=\"+Inf\"}",
        "# TYPE carelog_fsync_duration_seconds histogram",
        "carelog_fsync_duration_seconds_bucket{le=\"0.005\"}",
        "carelog_fsync_duration_seconds_bucket{le=\"+Inf\"}"}) {
    EXPECT_NE(before.find(family), std::string::npos) << family;
  }
  const double batches = Sample(before, "carelog_fsync_batches_total");
  const double events = Sample(before, "carelog_fsync_batch_events_sum");
  const double audits = Sample(before, "carelog_fsync_audit_entries_total");
  ASSERT_GE(batches, 0) << before;
  ASSERT_GE(events, 0);

  auto written =
      As(server_->practitioner_a)
          .Send("POST", "/v1/people/" + TestNhsNumber(900) + "/events",
                EventsBody(
                    {RegisterEvent(LiveServer::kAreaA), AdmitEvent("S1")}));
  ASSERT_EQ(written.status, 201) << written.body;

  const std::string after = anyone.Get("/metrics").body;
  // The two events and the write's audit entry were made durable by one fsync
  // (nothing else writes here meanwhile).
  EXPECT_EQ(Sample(after, "carelog_fsync_batches_total"), batches + 1);
  EXPECT_EQ(Sample(after, "carelog_fsync_duration_seconds_count"), batches + 1);
  EXPECT_EQ(Sample(after, "carelog_fsync_batch_events_sum"), events + 2);
  EXPECT_EQ(Sample(after, "carelog_fsync_audit_entries_total"), audits + 1);
  EXPECT_EQ(Sample(after, "carelog_fsync_batch_events_count"),
            Sample(after, "carelog_fsync_batches_total"));
  EXPECT_EQ(Sample(after, "carelog_fsync_batch_events_bucket{le=\"+Inf\"}"),
            Sample(after, "carelog_fsync_batches_total"));
  EXPECT_GT(Sample(after, "carelog_fsync_batch_events_bucket{le=\"2\"}"),
            Sample(before, "carelog_fsync_batch_events_bucket{le=\"2\"}"))
      << "the batch of two events falls in the bucket le=2";
}

TEST_F(ServerTest, TokensAreRequiredAndChecked) {
  auto none = HttpClient(server_->port()).Get("/v1/areas");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Header("content-type"), "application/problem+json");
  EXPECT_EQ(none.Header("www-authenticate"), "Bearer");
  EXPECT_EQ(As("0123").Get("/v1/areas").status, 401);
  EXPECT_EQ(HttpClient(server_->port())
                .Send("GET", "/v1/areas", "",
                      {{"Authorization", "Basic " + server_->admin}})
                .status,
            401);
  EXPECT_EQ(As(server_->admin).Get("/v1/areas").status, 200);
}

TEST_F(ServerTest, UnknownRoutesAndMethods) {
  auto admin = As(server_->admin);
  auto missing = admin.Get("/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/problem+json");
  auto method = admin.Send("DELETE", "/v1/areas/E09000002");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.Header("allow"), "PUT, GET, HEAD");
}

TEST_F(ServerTest, BodiesOverOneMebibyteAre413) {
  auto admin = As(server_->admin);
  std::string big = "{\"name\": \"" + std::string((1u << 20) + 10, 'x') + "\"}";
  auto answer = admin.Send("PUT", "/v1/areas/E09000002", big);
  ASSERT_TRUE(answer.ok);
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(answer.Header("content-type"), "application/problem+json");
  // The server is fine afterwards.
  EXPECT_EQ(As(server_->admin).Get("/healthz").status, 200);
}

TEST_F(ServerTest, ASlowClientIsTimedOutWithoutHarmingOthers) {
  net::io_context io;
  net::ip::tcp::socket slow(io);
  slow.connect({net::ip::make_address("127.0.0.1"), server_->port()});
  const std::string partial =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n";  // never finished
  net::write(slow, net::buffer(partial));

  // Others are served meanwhile.
  HttpClient other(server_->port());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(other.Get("/healthz").status, 200);

  // The slow one is closed once the (0.5 s) read timeout passes.
  const auto start = std::chrono::steady_clock::now();
  char buf[256];
  boost::system::error_code ec;
  slow.read_some(net::buffer(buf), ec);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset)
      << ec.message();
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(other.Get("/healthz").status, 200);
}

TEST_F(ServerTest, KeepAliveAndPipelinedRequestsAnswerInOrder) {
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), server_->port()});
  // Three requests in one write; the last asks to close, so the answers end
  // with EOF.
  std::string requests;
  for (const char* path : {"/healthz", "/nope", "/readyz"}) {
    requests += std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\n";
    if (std::string(path) == "/readyz") requests += "Connection: close\r\n";
    requests += "\r\n";
  }
  net::write(s, net::buffer(requests));
  std::string got;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) got.append(buf, s.read_some(net::buffer(buf), ec));
  const size_t a = got.find("HTTP/1.1 200");
  const size_t b = got.find("HTTP/1.1 404");
  const size_t c = got.find("HTTP/1.1 200", b);
  EXPECT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_NE(c, std::string::npos) << got;
}

}  // namespace
}  // namespace carelog::e2e
