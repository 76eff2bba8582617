// Access tokens: `carelog token add` creates them, the server checks bearer
// tokens against the tokens file. Only SHA-256 hashes of tokens are ever
// written down.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/access.h"
#include "storage/status.h"

namespace carelog::gateway {

// Lower-case hex of SHA-256(text).
std::string Sha256Hex(std::string_view text);

// A new token: 256 random bits from OpenSSL's CSPRNG, as 64 lower-case hex
// digits.
Result<std::string> NewToken();

struct TokenRequest {
  std::string name;
  std::string role;                // a role name of access.h
  std::vector<std::string> areas;  // area codes, E + 8 digits
};

// Validates the request, creates a token and adds its hash to the tokens file
// at `path` (JSON, created if missing with mode 0600, replaced atomically).
// Returns the token. kInvalidArgument for a bad name, role or area code;
// kIOError if the file cannot be read or written.
Result<std::string> AddToken(const std::string& path,
                             const TokenRequest& request, int64_t now_micros);

// The tokens of a tokens file, re-read when the file changes: a token added
// while the server runs works at once (an unknown token always looks at the
// file); a change to a known token (e.g. removed by editing the file) takes
// effect within `recheck_every`. Thread-safe.
class TokenStore {
 public:
  // A known token looks at the file for changes at most every
  // `recheck_every` (a stat each time).
  explicit TokenStore(std::string path,
                      std::chrono::milliseconds recheck_every =
                          std::chrono::milliseconds(1000));

  // Reads the file now: ok if it is valid or missing; kInvalidArgument/kIOError
  // otherwise.
  Status Load();

  // The principal of a bearer token (shared, not copied: it does not change),
  // or kUnauthenticated.
  Result<std::shared_ptr<const Principal>> Authenticate(std::string_view token);

 private:
  struct FileStamp {
    bool exists = false;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  FileStamp Stamp() const;
  Status LoadLocked(const FileStamp& stamp);

  const std::string path_;
  const std::chrono::milliseconds recheck_every_;
  std::mutex mu_;
  FileStamp loaded_;
  std::chrono::steady_clock::time_point checked_;
  std::map<std::string, std::shared_ptr<const Principal>> by_hash_;
  // Tokens presented lately with their principals, so that a known token is
  // not hashed again on every request: one slot per hash of the token, the
  // token compared in constant time; emptied whenever the file is reloaded.
  struct Remembered {
    std::string token;
    std::shared_ptr<const Principal> principal;
  };
  std::array<Remembered, 16> remembered_;
};

}  // namespace carelog::gateway
