// The server's local control socket, DATA_DIR/admin.sock: how `carelog backup`
// asks a running server for a consistent checkpoint of its open store (RocksDB
// allows one process to open a store; only that process can checkpoint it
// consistently). The socket is a Unix-domain stream socket created 0600 and
// only peers of the server's own user are served, so access to it is the same
// authority as access to the data directory itself.
//
// Protocol: one line per connection, "backup ABSOLUTE_DIR\n", answered with
// "ok LAST_POSITION\n" or "error MESSAGE\n".
#pragma once

#include <memory>
#include <string>

#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::gateway {

class AdminSocket {
 public:
  // Listens on `path` (an existing stale socket file is replaced) and serves
  // on a thread of its own until destroyed. kUnavailable if the socket cannot
  // be created (path too long, directory not writable); serving goes on
  // without it then.
  static Result<std::unique_ptr<AdminSocket>> Start(const std::string& path,
                                                    storage::EventLog& log);
  ~AdminSocket();  // stops serving and removes the socket file

 private:
  struct Impl;
  explicit AdminSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Client side: asks the server behind `socket_path` to checkpoint its store
// into `dir` (absolute, not yet existing). Answers the log position the
// checkpoint holds at least; kUnavailable when no server answers on the
// socket, the server's error otherwise.
Result<uint64_t> RequestBackup(const std::string& socket_path,
                               const std::string& dir);

}  // namespace carelog::gateway
