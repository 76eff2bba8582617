#include "tests/e2e/carelog_process_helpers.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <random>

namespace carelog::e2e_demo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpAnswer Http(int port, const std::string& method, const std::string& target,
                const std::string& token, const std::string& body) {
  HttpAnswer answer;
  try {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"),
                    static_cast<unsigned short>(port)});
    http::request<http::string_body> request(http::string_to_verb(method),
                                             target, 11);
    request.set(http::field::host, "127.0.0.1");
    if (!token.empty())
      request.set(http::field::authorization, "Bearer " + token);
    if (!body.empty())
      request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    parser.skip(method == "HEAD");  // a HEAD answer has no body
    http::read(socket, buffer, parser);
    const auto& response = parser.get();
    answer.status = static_cast<int>(response.result_int());
    answer.body = response.body();
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      answer.headers[name] = std::string(field.value());
    }
    beast::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  } catch (const std::exception&) {
    answer.status = 0;
  }
  return answer;
}

TempDir::TempDir() {
  std::random_device random;
  path_ = (std::filesystem::temp_directory_path() /
           ("carelog-e2e-" + std::to_string(::getpid()) + "-" +
            std::to_string(random())))
              .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

CarelogProcess::CarelogProcess(std::vector<std::string> args,
                               std::map<std::string, std::string> env)
    : args_(std::move(args)), env_(std::move(env)) {}

CarelogProcess::~CarelogProcess() { Stop(); }

bool CarelogProcess::Start() {
  int fds[2];
  if (::pipe(fds) != 0) return false;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    for (const auto& [name, value] : env_)
      ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    std::string binary = CARELOG_BINARY;
    argv.push_back(binary.data());
    for (auto& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  std::string pending;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.starts_with("listening on http://")) {
        port_ = std::stoi(line.substr(line.rfind(':') + 1));
        return true;
      }
      const size_t colon = line.find(": ");
      if (colon != std::string::npos)
        lines_[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
}

std::string CarelogProcess::Line(const std::string& key) const {
  auto it = lines_.find(key);
  return it == lines_.end() ? "" : it->second;
}

int CarelogProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (out_fd_ >= 0) ::close(out_fd_);
  out_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string RunCarelog(const std::vector<std::string>& args) {
  std::string command = CARELOG_BINARY;
  for (const auto& a : args) command += " '" + a + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buf[1024];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

}  // namespace carelog::e2e_demo
