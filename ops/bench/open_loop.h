// An evented HTTP load generator for bench_latency: every connection on one
// thread (Asio), so the generator takes one core at most and wakes once per
// batch of answers instead of once per request per thread. Each connection
// sends its own requests in order, one at a time, on a keep-alive connection
// (reconnecting when the server closes it). Request i of connection c is due at
// schedule(c, i, start): a request is sent at its due time, or as soon as the
// connection's previous answer arrives if that is later, and its latency runs
// from the due time (open loop: a stall is not hidden by the load waiting
// behind it). A schedule that returns `start` for every request is a closed
// loop (each request sent as the last answer arrives, timed from its sending).
#pragma once

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ops/bench/bench.h"

namespace carelog::bench {

struct Post {
  std::string target;
  std::string body;
};

// The answers whose requests fell due in one second of the run.
struct SecondOfRun {
  size_t counted = 0;    // answers counted in the latencies
  size_t over_10ms = 0;  // of which slower than P8's 10 ms
  // of which answered more than 10 ms after being sent: the rest of those
  // over 10 ms waited to be sent (their connection's previous answer, or
  // this generator's thread)
  size_t over_10ms_after_sending = 0;
  double slowest_ms = 0;
};

// What a run of the loop answered.
struct LoopOutcome {
  Latencies latencies;  // of the answers counted (201), and
                        // of the unsent (below)
  size_t unsent = 0;    // open loop: due before the end but still waiting
                        // behind their connection's previous request when it
                        // came; each counted as late by its wait until then
  size_t answered = 0;  // every answer with a status
  size_t already = 0;   // 200: the event was already stored
  size_t failures = 0;  // anything else, or no answer
  // By the second of the run each request fell due in: where a tail comes
  // from (a stall, a flush) shows as a few bad seconds.
  std::vector<SecondOfRun> by_second;
  // Counts a latency of `micros` for a request due `due_seconds` into the run
  // (`slow_after_sending`: answered over 10 ms after it was sent).
  void Count(double due_seconds, double micros, bool slow_after_sending) {
    latencies.Add(micros);
    const size_t s = due_seconds > 0 ? static_cast<size_t>(due_seconds) : 0;
    if (by_second.size() <= s) by_second.resize(s + 1);
    SecondOfRun& second = by_second[s];
    ++second.counted;
    if (micros > 10'000) ++second.over_10ms;
    if (slow_after_sending) ++second.over_10ms_after_sending;
    second.slowest_ms = std::max(second.slowest_ms, micros / 1000);
  }
  std::vector<std::string> notes;  // the first few failures, for the human
  double cpu_seconds = 0;          // of this process while the loop ran
};

// Request i of connection c is due at schedule(c, i, start).
using Schedule = std::function<std::chrono::steady_clock::time_point(
    size_t c, size_t i, std::chrono::steady_clock::time_point start)>;

namespace open_loop_detail {

namespace net = boost::asio;
namespace http = boost::beast::http;
using SteadyClock = std::chrono::steady_clock;

inline double Seconds(SteadyClock::duration d) {
  return std::chrono::duration<double>(d).count();
}
inline double Micros(SteadyClock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

struct Run {
  net::io_context io;
  net::ip::tcp::endpoint server;
  std::string host;
  std::string token;
  const std::vector<std::vector<Post>>* requests = nullptr;
  Schedule schedule;
  SteadyClock::time_point start, end;
  bool closed_loop = false;
  unsigned counted = 201;  // the answer that counts as done
  LoopOutcome out;
  // Connections with work left; when the last is done the deadline (a
  // server that stops answering must fail the run, not hang it) is cancelled.
  size_t active = 0;
  std::unique_ptr<net::steady_timer> deadline;

  void Note(std::string line) {
    if (out.notes.size() < 5) out.notes.push_back(std::move(line));
  }
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Run& run, size_t c)
      : run_(run), c_(c), socket_(run.io), timer_(run.io) {}

  // Connects (blocking: before the clock starts), then waits for the start.
  void Open() {
    boost::system::error_code ec;
    Connect(ec);
    if (ec) Fail("connect: " + ec.message());
  }

  void Begin() { Next(); }

 private:
  void Connect(boost::system::error_code& ec) {
    socket_ = net::ip::tcp::socket(run_.io);
    socket_.connect(run_.server, ec);
    if (!ec) socket_.set_option(net::ip::tcp::no_delay(true), ec);
    buffer_.clear();
  }

  // The server closed the connection: connect again without holding up the
  // other connections of the loop, then send the request that was due (its
  // latency counts from its due time, the reconnection included).
  void Reconnect() {
    socket_ = net::ip::tcp::socket(run_.io);
    buffer_.clear();
    socket_.async_connect(
        run_.server, [self = shared_from_this()](boost::system::error_code ec) {
          if (!ec) self->socket_.set_option(net::ip::tcp::no_delay(true), ec);
          if (ec) return self->Failed("connect: " + ec.message());
          self->Send();
        });
  }

  // Schedules request i_ at its due time, or stops past the run's end.
  void Next() {
    const auto& mine = (*run_.requests)[c_];
    if (i_ >= mine.size()) return Done();
    const auto now = SteadyClock::now();
    if (now > run_.end) {
      CountUnsent(now);
      return Done();
    }
    due_ = run_.closed_loop ? now : run_.schedule(c_, i_, run_.start);
    if (due_ > run_.end) return Done();
    if (due_ <= now) return Send();
    timer_.expires_at(due_);
    timer_.async_wait(
        [self = shared_from_this()](const boost::system::error_code& ec) {
          if (!ec) self->Send();
        });
  }

  void Done() {
    if (--run_.active == 0) run_.deadline->cancel();
  }

  // The requests of this connection due by the run's end that were never
  // sent because it fell behind: an open loop must not drop its slowest
  // requests from the figures, so each counts as late by at least its wait.
  void CountUnsent(SteadyClock::time_point now) {
    if (run_.closed_loop) return;
    const auto& mine = (*run_.requests)[c_];
    for (size_t j = i_; j < mine.size(); ++j) {
      const auto due = run_.schedule(c_, j, run_.start);
      if (due > run_.end) break;
      ++run_.out.unsent;
      run_.out.Count(Seconds(due - run_.start), Micros(now - due), false);
    }
  }

  void Send() {
    if (!socket_.is_open()) return Reconnect();
    const Post& post = (*run_.requests)[c_][i_];
    sent_ = SteadyClock::now();
    text_.clear();
    text_ += "POST ";
    text_ += post.target;
    text_ += " HTTP/1.1\r\nHost: ";
    text_ += run_.host;
    text_ += "\r\nAuthorization: Bearer ";
    text_ += run_.token;
    text_ += "\r\nContent-Type: application/json\r\nContent-Length: ";
    text_ += std::to_string(post.body.size());
    text_ += "\r\n\r\n";
    text_ += post.body;
    net::async_write(socket_, net::buffer(text_),
                     [self = shared_from_this()](
                         const boost::system::error_code& ec, size_t) {
                       if (ec) return self->Failed("write: " + ec.message());
                       self->Read();
                     });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(1u << 20);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](
                         const boost::system::error_code& ec, size_t) {
                       if (ec) return self->Failed("read: " + ec.message());
                       self->Answered();
                     });
  }

  void Answered() {
    const auto& res = parser_->get();
    const unsigned status = res.result_int();
    LoopOutcome& out = run_.out;
    ++out.answered;
    if (status == run_.counted) {
      const auto now = SteadyClock::now();
      out.Count(Seconds(due_ - run_.start), Micros(now - due_),
                Seconds(now - sent_) > 0.010);
    } else if (status == 200 && run_.counted == 201) {
      if (out.already++ == 0)
        run_.Note("POST " + (*run_.requests)[c_][i_].target +
                  ": 200, its event was already stored");
    } else {
      ++out.failures;
      run_.Note("POST " + (*run_.requests)[c_][i_].target + ": " +
                std::to_string(status) + " " + res.body());
    }
    if (!res.keep_alive()) {
      boost::system::error_code ignored;
      socket_.close(ignored);
    }
    ++i_;
    Next();
  }

  // A request without an answer: counted, then the connection goes on with
  // its next request on a new connection.
  void Failed(const std::string& why) {
    ++run_.out.failures;
    run_.Note("POST " + (*run_.requests)[c_][i_].target + ": " + why);
    boost::system::error_code ignored;
    socket_.close(ignored);
    ++i_;
    Next();
  }

  Run& run_;
  const size_t c_;
  net::ip::tcp::socket socket_;
  net::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string text_;
  size_t i_ = 0;
  SteadyClock::time_point due_;
  SteadyClock::time_point sent_;  // when the request went out
};

}  // namespace open_loop_detail

// Sends `requests[c]` on connection c (one connection each) to `url`
// (http://HOST:PORT) with a bearer `token`, on this thread, for `seconds`
// from 50 ms after the connections are open. `schedule` empty: closed loop.
// Answers of status `counted` are timed; 200 (with 201 counted) means the
// event was already stored; any other status is a failure.
inline LoopOutcome DriveEvented(const std::string& url,
                                const std::string& token,
                                const std::vector<std::vector<Post>>& requests,
                                double seconds, Schedule schedule,
                                unsigned counted = 201) {
  namespace d = open_loop_detail;
  d::Run run;
  std::string rest = url.substr(url.find("//") + 2);
  if (const size_t slash = rest.find('/'); slash != std::string::npos)
    rest = rest.substr(0, slash);
  const size_t colon = rest.rfind(':');
  run.host = rest;
  boost::system::error_code ec;
  const auto address = d::net::ip::make_address(
      rest.substr(0, colon) == "localhost" ? "127.0.0.1"
                                           : rest.substr(0, colon),
      ec);
  if (ec || colon == std::string::npos)
    Fail("the evented generator needs http://ADDRESS:PORT, not " + url);
  run.server = {address,
                static_cast<unsigned short>(std::stoi(rest.substr(colon + 1)))};
  run.token = token;
  run.requests = &requests;
  run.closed_loop = !schedule;
  run.counted = counted;
  run.schedule = std::move(schedule);
  std::vector<std::shared_ptr<d::Connection>> connections;
  for (size_t c = 0; c < requests.size(); ++c) {
    connections.push_back(std::make_shared<d::Connection>(run, c));
    connections.back()->Open();
  }
  run.start = d::SteadyClock::now() + std::chrono::milliseconds(50);
  run.end = run.start + std::chrono::duration_cast<d::SteadyClock::duration>(
                            std::chrono::duration<double>(seconds));
  const Usage before = ProcessUsage();
  // Every answer is due within 30 s of the end: past that the run fails
  // (its unanswered requests counted) instead of waiting for ever.
  run.active = connections.size();
  if (run.active == 0) return std::move(run.out);
  run.deadline = std::make_unique<d::net::steady_timer>(
      run.io, run.end + std::chrono::seconds(30));
  run.deadline->async_wait([&run](const boost::system::error_code& waited) {
    if (waited) return;
    run.out.failures += run.active;
    run.Note(std::to_string(run.active) +
             " connections still waited for an answer 30 s after the end");
    run.io.stop();
  });
  d::net::steady_timer begin(run.io, run.start);
  // Once begun, each connection keeps itself alive while it has work.
  begin.async_wait(
      [connections = std::move(connections)](const boost::system::error_code&) {
        for (const auto& c : connections) c->Begin();
      });
  run.io.run();
  run.out.cpu_seconds = ProcessUsage().cpu_seconds - before.cpu_seconds;
  return std::move(run.out);
}

}  // namespace carelog::bench
