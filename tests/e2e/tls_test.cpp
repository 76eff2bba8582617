// TLS (docs/RELIABILITY.md): `carelog serve --tls-cert --tls-key` with a
// self-signed certificate made at test time by the openssl command; TLS 1.2+
// is served, older versions and plain HTTP are not.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    cert_ = dir_->path() + "/cert.pem";
    key_ = dir_->path() + "/key.pem";
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
        "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    made_ = std::system(command.c_str()) == 0;
    if (!made_) return;
    server_ = new LiveServer({"--tls-cert", cert_, "--tls-key", key_});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(made_) << "openssl could not make a certificate";
    ASSERT_TRUE(server_->started());
  }

  // One HTTPS request with a client limited to `version` (0: any from 1.2).
  static int Get(const std::string& target, const std::string& token,
                 int max_version = 0, std::string* error = nullptr) {
    net::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(cert_);
    ctx.set_verify_mode(ssl::verify_peer);
    if (max_version != 0) {
      SSL_CTX_set_min_proto_version(ctx.native_handle(), max_version);
      SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
      // Let the client offer old versions, so that a refusal is the server's.
      if (max_version < TLS1_2_VERSION) {
        SSL_CTX_set_security_level(ctx.native_handle(), 0);
      }
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) {
      if (error) *error = ec.message();
      return -1;
    }
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    http::write(stream, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(stream, buffer, res, ec);
    if (ec) {
      if (error) *error = ec.message();
      return -1;
    }
    return static_cast<int>(res.result_int());
  }

  static TempDir* dir_;
  static LiveServer* server_;
  static std::string cert_, key_;
  static bool made_;
};
TempDir* TlsTest::dir_ = nullptr;
LiveServer* TlsTest::server_ = nullptr;
std::string TlsTest::cert_, TlsTest::key_;
bool TlsTest::made_ = false;

TEST_F(TlsTest, AnnouncesHttpsAndServesOverTls12And13) {
  EXPECT_EQ(
      server_->process().listening_line().rfind("listening on https://", 0), 0u)
      << server_->process().listening_line();
  std::string error;
  EXPECT_EQ(Get("/healthz", "", 0, &error), 200) << error;
  EXPECT_EQ(Get("/healthz", "", TLS1_2_VERSION, &error), 200) << error;
  EXPECT_EQ(Get("/healthz", "", TLS1_3_VERSION, &error), 200) << error;
  EXPECT_EQ(Get("/v1/areas", server_->admin), 200);
  EXPECT_EQ(Get("/v1/areas", ""), 401);
}

TEST_F(TlsTest, PipelinedAnswersComeBackInOrder) {
  net::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(cert_);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  stream.handshake(ssl::stream_base::client);
  // Three requests in one write, answered 200 (areas), 200 (health), 401.
  const std::string requests =
      "GET /v1/areas HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      server_->admin +
      "\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/areas HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(stream, net::buffer(requests));
  beast::flat_buffer buffer;
  http::response<http::string_body> areas, health, refused;
  http::read(stream, buffer, areas);
  http::read(stream, buffer, health);
  http::read(stream, buffer, refused);
  EXPECT_EQ(areas.result_int(), 200);
  EXPECT_NE(areas.body().find("\"areas\""), std::string::npos) << areas.body();
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_EQ(refused.result_int(), 401);
}

TEST_F(TlsTest, RefusesTls11) {
  std::string error;
  EXPECT_EQ(Get("/healthz", "", TLS1_1_VERSION, &error), -1);
}

TEST_F(TlsTest, PlainHttpGetsNoAnswer) {
  HttpClient plain(server_->port());
  auto answer = plain.Get("/healthz");
  EXPECT_FALSE(answer.ok && answer.status == 200);
  std::string error;
  EXPECT_EQ(Get("/healthz", "", 0, &error), 200) << error;
}

TEST_F(TlsTest, ACertificateThatCannotBeLoadedStopsStartUp) {
  auto run = RunCarelog({"serve", "--data", dir_->path() + "/data-x",
                         "--listen", "127.0.0.1:0", "--tls-cert",
                         key_ + ".missing", "--tls-key", key_});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("TLS certificate"), std::string::npos) << run.err;
  auto half = RunCarelog(
      {"serve", "--data", dir_->path() + "/data-y", "--tls-cert", cert_});
  EXPECT_EQ(half.exit_code, 2);
}

}  // namespace
}  // namespace carelog::e2e
