#include "gateway/admin_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <istream>
#include <thread>

#include "storage/backup.h"

namespace carelog::gateway {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

constexpr size_t kMaxLine = 4096;

// True when the peer runs as this process's user.
bool SameUser(local::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred,
                   &len) != 0) {
    return false;
  }
  return cred.uid == ::geteuid();
}

std::string Handle(const std::string& line, storage::EventLog& log) {
  const std::string command = "backup ";
  if (line.rfind(command, 0) != 0) return "error unknown command";
  const std::string dir = line.substr(command.size());
  if (dir.empty() || dir.front() != '/') {
    return "error the backup directory must be an absolute path";
  }
  const uint64_t before = log.LastPosition();
  Status s = storage::CheckpointEventLog(log, dir);
  if (!s.ok()) return "error " + s.message();
  return "ok " + std::to_string(before);
}

}  // namespace

struct AdminSocket::Impl {
  asio::io_context io;
  local::acceptor acceptor{io};
  std::string path;
  storage::EventLog* log = nullptr;
  std::thread thread;

  void Accept() {
    acceptor.async_accept(
        [this](boost::system::error_code ec, local::socket socket) {
          if (ec) {
            if (ec != asio::error::operation_aborted) Accept();
            return;
          }
          // One request at a time: backups are rare and each holds RocksDB's
          // file deletions off while it runs.
          Serve(std::move(socket));
          Accept();
        });
  }

  void Serve(local::socket socket) {
    boost::system::error_code ec;
    std::string answer;
    // A client that connects and says nothing must not hold the socket.
    timeval timeout{10, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout,
                 sizeof timeout);
    if (!SameUser(socket)) {
      answer = "error only the server's own user may use this socket";
    } else {
      asio::streambuf buffer(kMaxLine);
      asio::read_until(socket, buffer, '\n', ec);
      if (ec) return;
      std::istream in(&buffer);
      std::string line;
      std::getline(in, line);
      answer = Handle(line, *log);
    }
    answer += "\n";
    asio::write(socket, asio::buffer(answer), ec);
  }
};

AdminSocket::AdminSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminSocket::~AdminSocket() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  std::error_code ec;
  std::filesystem::remove(impl_->path, ec);
}

Result<std::unique_ptr<AdminSocket>> AdminSocket::Start(
    const std::string& path, storage::EventLog& log) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->log = &log;
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Status(Code::kUnavailable,
                  "the admin socket path is too long: " + path);
  }
  std::error_code fs_ec;
  std::filesystem::remove(path, fs_ec);
  boost::system::error_code ec;
  const mode_t old_mask = ::umask(0077);
  impl->acceptor.open(local(), ec);
  if (!ec) impl->acceptor.bind(local::endpoint(path), ec);
  ::umask(old_mask);
  if (!ec) impl->acceptor.listen(4, ec);
  if (ec) {
    return Status(Code::kUnavailable,
                  "cannot listen on " + path + ": " + ec.message());
  }
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<AdminSocket>(new AdminSocket(std::move(impl)));
}

Result<uint64_t> RequestBackup(const std::string& socket_path,
                               const std::string& dir) {
  asio::io_context io;
  local::socket socket(io);
  boost::system::error_code ec;
  if (socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Status(Code::kUnavailable, "socket path too long");
  }
  socket.connect(local::endpoint(socket_path), ec);
  if (ec) {
    return Status(Code::kUnavailable,
                  "no server answers on " + socket_path + ": " + ec.message());
  }
  const std::string request = "backup " + dir + "\n";
  asio::write(socket, asio::buffer(request), ec);
  asio::streambuf buffer(kMaxLine);
  if (!ec) asio::read_until(socket, buffer, '\n', ec);
  if (ec) {
    return Status(Code::kUnavailable, "the server on " + socket_path +
                                          " did not answer: " + ec.message());
  }
  std::istream in(&buffer);
  std::string line;
  std::getline(in, line);
  if (line.rfind("ok ", 0) == 0) {
    return static_cast<uint64_t>(std::strtoull(line.c_str() + 3, nullptr, 10));
  }
  if (line.rfind("error ", 0) == 0) {
    return Status(Code::kIOError, "the server refused: " + line.substr(6));
  }
  return Status(Code::kIOError, "the server answered '" + line + "'");
}

}  // namespace carelog::gateway
