// Access tokens: `carelog token add` creates them, the server checks bearer
// tokens against the tokens file. Only SHA-256 hashes of tokens are ever
// written down.
#pragma once

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

// The tokens of a tokens file, re-read when the file changes so tokens added
// while the server runs work at once. Thread-safe.
class TokenStore {
 public:
  explicit TokenStore(std::string path);

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
  std::mutex mu_;
  FileStamp loaded_;
  std::map<std::string, std::shared_ptr<const Principal>> by_hash_;
};

}  // namespace carelog::gateway
