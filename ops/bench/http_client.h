// A blocking HTTP/1.1 keep-alive client for the benchmarks (Beast): one
// connection, one request at a time, reconnecting when the server closed it.
// Not thread-safe: one client per thread.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace carelog::bench {

struct HttpAnswer {
  int status = 0;  // 0: no answer (the error says why)
  std::string body;
  std::string error;
};

class HttpClient {
 public:
  // `url` is http://HOST:PORT.
  explicit HttpClient(const std::string& url) {
    std::string rest = url.substr(url.find("//") + 2);
    const size_t colon = rest.rfind(':');
    host_ = rest.substr(0, colon);
    port_ = rest.substr(colon + 1);
    if (const size_t slash = port_.find('/'); slash != std::string::npos)
      port_ = port_.substr(0, slash);
  }

  HttpAnswer Send(boost::beast::http::verb method, const std::string& target,
                  const std::string& token, const std::string& body = "") {
    namespace http = boost::beast::http;
    HttpAnswer answer;
    for (int attempt = 0; attempt < 2; ++attempt) {
      boost::beast::error_code ec;
      if (!stream_.socket().is_open()) {
        auto endpoints = resolver_.resolve(host_, port_, ec);
        if (!ec) stream_.connect(endpoints, ec);
        if (ec) {
          answer.error = "connect: " + ec.message();
          return answer;
        }
        stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true));
      }
      http::request<http::string_body> req{method, target, 11};
      req.set(http::field::host, host_);
      if (!token.empty())
        req.set(http::field::authorization, "Bearer " + token);
      if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
      }
      req.prepare_payload();
      http::write(stream_, req, ec);
      http::response<http::string_body> res;
      if (!ec) http::read(stream_, buffer_, res, ec);
      if (ec) {
        // A kept-alive connection the server closed: reconnect once.
        stream_.socket().close(ec);
        buffer_.clear();
        answer.error = "exchange: " + ec.message();
        continue;
      }
      answer.status = static_cast<int>(res.result_int());
      answer.body = std::move(res.body());
      answer.error.clear();
      if (!res.keep_alive()) stream_.socket().close(ec);
      return answer;
    }
    return answer;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::resolver resolver_{io_};
  boost::beast::tcp_stream stream_{io_};
  boost::beast::flat_buffer buffer_;
  std::string host_, port_;
};

}  // namespace carelog::bench
