#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "services/nhs_number.h"
#include "tests/e2e/e2e.h"

namespace carelog::e2e {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

TempDir::TempDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "carelog-e2e-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `carelog ARGS...` with stdout and stderr on the given descriptors, its clock
// at `now` (CARELOG_NOW) unless that is empty.
pid_t Spawn(const std::vector<std::string>& args, int out_fd, int err_fd,
            const std::string& now = "") {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (!now.empty()) ::setenv("CARELOG_NOW", now.c_str(), 1);
    std::vector<char*> argv;
    std::string binary = CARELOG_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int ExitCode(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return -1;
}

}  // namespace

CliRun RunCarelog(const std::vector<std::string>& args) {
  TempDir dir;
  const std::string out_path = dir.path() + "/out",
                    err_path = dir.path() + "/err";
  const int out_fd =
      ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd =
      ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const pid_t pid = Spawn(args, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return {ExitCode(wstatus), Slurp(out_path), Slurp(err_path)};
}

ServerProcess::ServerProcess(std::vector<std::string> args, std::string now)
    : args_(std::move(args)), now_(std::move(now)) {
  err_path_ =
      (std::filesystem::temp_directory_path() / "carelog-e2e-stderr-XXXXXX")
          .string();
  const int fd = ::mkstemp(err_path_.data());
  if (fd < 0) ADD_FAILURE() << "mkstemp failed";
  if (fd >= 0) ::close(fd);
}

ServerProcess::ServerProcess(const std::string& data_dir,
                             std::vector<std::string> extra_args,
                             std::string now)
    : ServerProcess({"serve", "--data", data_dir, "--listen", "127.0.0.1:0"},
                    std::move(now)) {
  args_.insert(args_.end(), extra_args.begin(), extra_args.end());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  std::error_code ec;
  std::filesystem::remove(err_path_, ec);
}

void ServerProcess::Launch() {
  int fds[2];
  if (::pipe(fds) != 0) return;
  const int err_fd =
      ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_ = Spawn(args_, fds[1], err_fd, now_);
  ::close(fds[1]);
  ::close(err_fd);
  out_fd_ = fds[0];
}

bool ServerProcess::WaitForStderr(const std::string& text, int seconds) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Slurp(err_path_).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool ServerProcess::Start() {
  Launch();
  if (out_fd_ < 0) return false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::string text;
  size_t line_start = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = text.find('\n', line_start)) != std::string::npos;
         line_start = nl + 1) {
      line_ = text.substr(line_start, nl - line_start);
      if (line_.starts_with("listening on http://") ||
          line_.starts_with("listening on https://")) {
        port_ = static_cast<uint16_t>(
            std::stoi(line_.substr(line_.rfind(':') + 1)));
        return true;
      }
      if (const size_t colon = line_.find(": "); colon != std::string::npos)
        lines_[line_.substr(0, colon)] = line_.substr(colon + 2);
    }
  }
  error_ = "server did not start: stdout '" + text + "' stderr '" +
           Slurp(err_path_) + "'";
  return false;
}

std::string ServerProcess::Line(const std::string& key) const {
  auto it = lines_.find(key);
  return it == lines_.end() ? "" : it->second;
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int wstatus = 0;
  ::waitpid(pid_, &wstatus, 0);
  pid_ = -1;
  return ExitCode(wstatus);
}

std::string ServerProcess::Stderr() { return Slurp(err_path_); }

std::string MakeToken(const std::string& tokens_file, const std::string& name,
                      const std::string& role,
                      const std::vector<std::string>& areas) {
  std::vector<std::string> args = {"token",  "add", "--tokens", tokens_file,
                                   "--name", name,  "--role",   role};
  for (const auto& a : areas) {
    args.push_back("--area");
    args.push_back(a);
  }
  CliRun run = RunCarelog(args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::string token = run.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  return token;
}

std::string HttpAnswer::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

google::protobuf::Struct HttpAnswer::Json() const {
  google::protobuf::Struct s;
  auto parsed = google::protobuf::util::JsonStringToMessage(body, &s);
  EXPECT_TRUE(parsed.ok()) << "not a JSON object: " << body;
  return s;
}

HttpClient::HttpClient(uint16_t port, std::string token)
    : port_(port), token_(std::move(token)) {}

bool HttpClient::Connect() {
  socket_ = std::make_unique<net::ip::tcp::socket>(io_);
  beast::error_code ec;
  socket_->connect({net::ip::make_address("127.0.0.1"), port_}, ec);
  return !ec;
}

HttpAnswer HttpClient::Send(const std::string& method,
                            const std::string& target, const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  HttpAnswer answer;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!socket_ || !socket_->is_open()) {
      if (!Connect()) return answer;
    }
    http::request<http::string_body> req;
    req.version(11);
    req.target(target);
    // A method Beast does not know (e.g. BREW) is sent as written.
    if (const http::verb verb = http::string_to_verb(method);
        verb != http::verb::unknown) {
      req.method(verb);
    } else {
      req.method_string(method);
    }
    req.set(http::field::host, "127.0.0.1");
    if (!token_.empty())
      req.set(http::field::authorization, "Bearer " + token_);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    http::write(*socket_, req, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    parser.skip(method == "HEAD");
    if (!ec) http::read(*socket_, buffer, parser, ec);
    if (ec) {
      socket_.reset();
      continue;  // a keep-alive connection the server closed: once more on a
                 // new one
    }
    auto res = parser.release();
    answer.ok = true;
    answer.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      answer.headers[name] = std::string(f.value());
    }
    answer.body = res.body();
    if (!res.keep_alive()) socket_.reset();
    return answer;
  }
  return answer;
}

std::string TestNhsNumber(int n) {
  // Every 20th number from the start of the test range; the first valid one at
  // or after it.
  for (int i = n * 20;; ++i) {
    char nine[16];
    std::snprintf(nine, sizeof nine, "999%06d", i % 1000000);
    if (auto check = NhsCheckDigit(nine))
      return std::string(nine) + std::to_string(*check);
  }
}

std::string NewEventId() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  char buf[64];
  std::snprintf(buf, sizeof buf, "e2e-%016llx-%08llx",
                static_cast<unsigned long long>(salt),
                static_cast<unsigned long long>(++counter));
  return buf;
}

std::string RegisterEvent(const std::string& area, const std::string& event_id,
                          const std::string& occurred_at) {
  return "{\"eventId\":\"" + (event_id.empty() ? NewEventId() : event_id) +
         "\",\"occurredAt\":\"" + occurred_at +
         "\",\"personRegistered\":{\"birthDate\":\"1938-02-11\",\"areaCode\":"
         "\"" +
         area +
         "\",\"gpPractice\":\"F82001\",\"nhsNumberStatus\":\"VERIFIED\"}}";
}

std::string AdmitEvent(const std::string& spell, const std::string& event_id,
                       const std::string& occurred_at) {
  return "{\"eventId\":\"" + (event_id.empty() ? NewEventId() : event_id) +
         "\",\"occurredAt\":\"" + occurred_at +
         "\",\"hospitalAdmitted\":{\"spellId\":\"" + spell +
         "\",\"provider\":\"RF4\",\"site\":\"Queen's\",\"method\":"
         "\"EMERGENCY\"}}";
}

std::string EventsBody(const std::vector<std::string>& events) {
  std::string body = "{\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) body += (i ? "," : "") + events[i];
  return body + "]}";
}

uint64_t PostEvents(HttpClient& client, const std::string& nhs,
                    const std::vector<std::string>& events) {
  auto answer =
      client.Send("POST", "/v1/people/" + nhs + "/events", EventsBody(events));
  EXPECT_EQ(answer.status, 201) << nhs << ": " << answer.body;
  if (answer.status != 201) return 0;
  return static_cast<uint64_t>(Number(answer.Json(), "lastPosition"));
}

std::vector<google::protobuf::Struct> ListItems(HttpClient& client,
                                                const std::string& target) {
  auto answer = client.Get(target);
  EXPECT_EQ(answer.status, 200) << target << ": " << answer.body;
  std::vector<google::protobuf::Struct> items;
  const google::protobuf::Struct body = answer.Json();
  auto it = body.fields().find("items");
  EXPECT_TRUE(it != body.fields().end()) << "no items in " << answer.body;
  if (it == body.fields().end()) return items;
  for (const auto& item : it->second.list_value().values())
    items.push_back(item.struct_value());
  return items;
}

double Number(const google::protobuf::Struct& s, const std::string& field) {
  auto it = s.fields().find(field);
  EXPECT_TRUE(it != s.fields().end()) << "no field " << field;
  if (it == s.fields().end()) return -1;
  EXPECT_EQ(it->second.kind_case(), google::protobuf::Value::kNumberValue)
      << field;
  return it->second.number_value();
}

std::string Text(const google::protobuf::Struct& s, const std::string& field) {
  auto it = s.fields().find(field);
  EXPECT_TRUE(it != s.fields().end()) << "no field " << field;
  if (it == s.fields().end()) return {};
  return it->second.string_value();
}

bool IsNull(const google::protobuf::Struct& s, const std::string& field) {
  auto it = s.fields().find(field);
  return it != s.fields().end() &&
         it->second.kind_case() == google::protobuf::Value::kNullValue;
}

LiveServer::LiveServer(std::vector<std::string> extra_args, std::string now)
    : dir_(std::make_unique<TempDir>()), extra_args_(std::move(extra_args)) {
  const std::string tokens = dir_->path() + "/data/tokens.json";
  std::filesystem::create_directories(dir_->path() + "/data");
  admin = MakeToken(tokens, "ada", "admin");
  admin_a = MakeToken(tokens, "alan", "admin", {kAreaA});
  commissioner_a = MakeToken(tokens, "cora", "commissioner", {kAreaA});
  practitioner_a = MakeToken(tokens, "pat", "practitioner", {kAreaA});
  coordinator_a = MakeToken(tokens, "dee", "dischargeCoordinator", {kAreaA});
  practitioner_b = MakeToken(tokens, "bea", "practitioner", {kAreaB});
  coordinator_b = MakeToken(tokens, "bob", "dischargeCoordinator", {kAreaB});
  auditor = MakeToken(tokens, "aud", "auditor");
  Restart(now);
}

bool LiveServer::Restart(const std::string& now) {
  process_.reset();
  process_ =
      std::make_unique<ServerProcess>(dir_->path() + "/data", extra_args_, now);
  started_ = process_->Start();
  EXPECT_TRUE(started_) << process_->error();
  return started_;
}

LiveServer::~LiveServer() = default;

}  // namespace carelog::e2e
