// End-to-end test support: the real carelog binary started on port 0 with a
// temporary data directory (its clock optionally set through CARELOG_NOW), a
// small blocking HTTP/1.1 client over loopback, tokens made with `carelog token
// add`.
#pragma once

#include <google/protobuf/struct.pb.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace carelog::e2e {

// A fresh directory under the system's temporary directory, removed with its
// content.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the carelog binary with `args` to completion.
CliRun RunCarelog(const std::vector<std::string>& args);

// `carelog ARGS...` of a command that prints "listening on URL" once it
// listens (serve, demo), its clock starting at `now` (CARELOG_NOW) unless that
// is empty. Start() waits for that line.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> args, std::string now);
  // `carelog serve --data DATA_DIR --listen 127.0.0.1:0 EXTRA_ARGS...`.
  explicit ServerProcess(const std::string& data_dir,
                         std::vector<std::string> extra_args = {},
                         std::string now = "");
  ~ServerProcess();  // SIGKILLs it if still running

  // Starts the server; false (with the reason in error()) if it did not come up
  // in 120 s.
  bool Start();
  // Starts the process without waiting for it to listen.
  void Launch();
  // Waits up to `seconds` for `text` to appear on its stderr.
  bool WaitForStderr(const std::string& text, int seconds);
  uint16_t port() const { return port_; }
  const std::string& listening_line() const { return line_; }
  // The value of a "key: value" line printed before listening, or "".
  std::string Line(const std::string& key) const;
  const std::string& error() const { return error_; }
  // Sends `signal` and waits for the exit; returns the exit code (128+n if
  // killed by signal n).
  int Stop(int signal);
  // What the process wrote on stderr so far (after Stop: all of it).
  std::string Stderr();

 private:
  std::vector<std::string> args_;
  std::string now_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string err_path_;
  uint16_t port_ = 0;
  std::string line_;
  std::map<std::string, std::string> lines_;
  std::string error_;
};

// A token made by `carelog token add` (fails the test if that fails).
std::string MakeToken(const std::string& tokens_file, const std::string& name,
                      const std::string& role,
                      const std::vector<std::string>& areas = {});

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool ok =
      false;  // false when the connection failed or closed before an answer

  std::string Header(const std::string& name) const;
  // The body as JSON (a failed parse gives an empty struct and a test failure).
  google::protobuf::Struct Json() const;
};

// A blocking HTTP/1.1 client on one keep-alive connection (reconnects when
// closed). A HEAD answer has headers only.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::string token = "");
  HttpAnswer Send(const std::string& method, const std::string& target,
                  const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {});
  HttpAnswer Get(const std::string& target) { return Send("GET", target); }
  void set_token(std::string token) { token_ = std::move(token); }

 private:
  bool Connect();
  uint16_t port_;
  std::string token_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
};

// A valid NHS number in the never-issued test range 999 000 0000 - 999 999
// 9999, the n-th one.
std::string TestNhsNumber(int n);

// Helpers for request bodies.
std::string NewEventId();
std::string RegisterEvent(
    const std::string& area, const std::string& event_id = "",
    const std::string& occurred_at = "2014-06-07T10:15:00+01:00");
std::string AdmitEvent(
    const std::string& spell, const std::string& event_id = "",
    const std::string& occurred_at = "2014-06-07T11:00:00+01:00");
std::string EventsBody(const std::vector<std::string>& events);
// POSTs the events to the person's log through `client`, expecting 201; the
// answer's lastPosition (0 if it failed).
uint64_t PostEvents(HttpClient& client, const std::string& nhs,
                    const std::vector<std::string>& events);
// GETs `target` through `client`, expecting 200; the objects of the answer's
// `items` list.
std::vector<google::protobuf::Struct> ListItems(HttpClient& client,
                                                const std::string& target);

// Field access on parsed JSON.
double Number(const google::protobuf::Struct& s, const std::string& field);
std::string Text(const google::protobuf::Struct& s, const std::string& field);
bool IsNull(const google::protobuf::Struct& s, const std::string& field);

// A server on a fresh data directory with tokens of every role, started at
// once, its clock at `now` (CARELOG_NOW) unless that is empty. Area A is
// E09000002, area B E09000003.
class LiveServer {
 public:
  static constexpr const char* kAreaA = "E09000002";
  static constexpr const char* kAreaB = "E09000003";

  explicit LiveServer(std::vector<std::string> extra_args = {},
                      std::string now = "");
  ~LiveServer();
  // Starts a new server on the same data (the old one SIGKILLed if still
  // running), its clock at `now`; whether it came up.
  bool Restart(const std::string& now = "");
  bool started() const { return started_; }
  uint16_t port() const { return process_->port(); }
  ServerProcess& process() { return *process_; }
  const std::string& data_dir() const { return dir_->path(); }

  std::string admin;           // every area
  std::string admin_a;         // area A only
  std::string commissioner_a;  // area A
  std::string practitioner_a;  // area A
  std::string coordinator_a;   // area A
  std::string practitioner_b;  // area B
  std::string coordinator_b;   // area B
  std::string auditor;

 private:
  std::unique_ptr<TempDir> dir_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<ServerProcess> process_;
  bool started_ = false;
};

// A test suite whose tests share one LiveServer (server_), started before its
// first test and stopped after its last; each Suite (CRTP) has its own.
template <typename Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new LiveServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()); }
  static inline LiveServer* server_ = nullptr;
};

// A test with a LiveServer of its own (server_), started before the test with
// its clock at the instant the derived fixture's constructor passes.
class ClockedServerTest : public ::testing::Test {
 protected:
  explicit ClockedServerTest(std::string now) : now_(std::move(now)) {}
  void SetUp() override {
    server_ = std::make_unique<LiveServer>(std::vector<std::string>{}, now_);
    ASSERT_TRUE(server_->started());
  }
  std::string now_;
  std::unique_ptr<LiveServer> server_;
};

}  // namespace carelog::e2e
