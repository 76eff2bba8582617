// End-to-end helpers: the real carelog binary as a child process on a free
// loopback port, and a plain HTTP/1.1 client to talk to it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace carelog::e2e_demo {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
};

// One request on a fresh connection to 127.0.0.1:port; status 0 if the
// connection failed.
HttpAnswer Http(int port, const std::string& method, const std::string& target,
                const std::string& token = "", const std::string& body = "");

// A temporary directory removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// `carelog ARGS...` with extra environment variables; Start() returns once it
// printed "listening on http://HOST:PORT" (or exited), collecting the lines
// printed before it.
class CarelogProcess {
 public:
  CarelogProcess(std::vector<std::string> args,
                 std::map<std::string, std::string> env = {});
  ~CarelogProcess();  // SIGTERM, then waits

  bool Start();
  int port() const { return port_; }
  // The value of a "key: value" line printed before listening, or "".
  std::string Line(const std::string& key) const;
  // Sends SIGTERM and returns the exit code.
  int Stop();

 private:
  std::vector<std::string> args_;
  std::map<std::string, std::string> env_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::map<std::string, std::string> lines_;
};

// Runs `carelog ARGS...` to the end; returns its stdout (trailing newline
// removed).
std::string RunCarelog(const std::vector<std::string>& args);

}  // namespace carelog::e2e_demo
