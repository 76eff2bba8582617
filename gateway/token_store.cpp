#include "gateway/token_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "carelog/api.pb.h"
#include "gateway/json.h"

namespace carelog::gateway {

namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

Status IoError(const std::string& what, const std::string& path) {
  return Status(Code::kIOError,
                what + " " + path + ": " + std::strerror(errno));
}

// Reads the tokens file; a missing file is an empty one, a directory is no
// tokens file (it opens, and read as empty it would refuse every token).
Result<api::TokenFile> ReadTokenFile(const std::string& path) {
  api::TokenFile file;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    errno = EISDIR;
    return IoError("cannot read tokens file", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return file;
    return IoError("cannot read tokens file", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return file;
  Status parsed = ParseJson(text.str(), file);
  if (!parsed.ok()) {
    return Status(Code::kInvalidArgument,
                  "tokens file " + path + " is not valid: " + parsed.message());
  }
  return file;
}

Status WriteFileAtomically(const std::string& path,
                           const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write tokens file", tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot write tokens file", tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    Status s = IoError("cannot sync tokens file", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return IoError("cannot replace tokens file", path);
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return Hex(digest, sizeof digest);
}

Result<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Status(Code::kInternal, "the random number generator failed");
  }
  return Hex(bytes, sizeof bytes);
}

Result<std::string> AddToken(const std::string& path,
                             const TokenRequest& request, int64_t now_micros) {
  std::vector<FieldError> errors;
  if (request.name.empty()) errors.push_back({"name", "a token needs a name"});
  for (unsigned char c : request.name) {
    if (c < 0x20) {
      errors.push_back({"name", "the name may not contain control characters"});
      break;
    }
  }
  if (!ParseRole(request.role)) {
    errors.push_back(
        {"role", "unknown role '" + request.role +
                     "' (practitioner, dischargeCoordinator, commissioner, "
                     "admin, auditor)"});
  }
  for (const auto& area : request.areas) {
    if (!IsAreaCode(area)) {
      errors.push_back(
          {"area", "'" + area + "' is not an area code (E and 8 digits)"});
    }
  }
  if (!errors.empty()) {
    std::string message = errors.front().message;
    return Status(Code::kInvalidArgument, message, std::move(errors));
  }
  if (path.empty())
    return Status(Code::kInvalidArgument, "--tokens FILE is required");

  auto file = ReadTokenFile(path);
  if (!file.ok()) return file.status();
  // `token add --tokens DATA/tokens.json` may come before the first `serve`
  // has made DATA (the default tokens file lives there): make the directory.
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  std::error_code made;
  if (!parent.empty()) std::filesystem::create_directories(parent, made);
  if (made) {
    return Status(Code::kIOError,
                  "cannot create the directory of tokens file " + path + ": " +
                      made.message());
  }
  auto token = NewToken();
  if (!token.ok()) return token.status();

  api::TokenEntry* entry = file->add_tokens();
  entry->set_name(request.name);
  entry->set_role(request.role);
  for (const auto& area : request.areas) entry->add_areas(area);
  entry->set_sha256(Sha256Hex(*token));
  entry->mutable_created_at()->set_seconds(now_micros / 1000000);
  entry->mutable_created_at()->set_nanos(
      static_cast<int32_t>(now_micros % 1000000) * 1000);
  CARELOG_RETURN_IF_ERROR(WriteFileAtomically(path, ToJson(*file) + "\n"));
  return token;
}

TokenStore::TokenStore(std::string path,
                       std::chrono::milliseconds recheck_every)
    : path_(std::move(path)), recheck_every_(recheck_every) {}

TokenStore::FileStamp TokenStore::Stamp() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return {};
  return {true, static_cast<uint64_t>(st.st_ino),
          static_cast<int64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
              st.st_mtim.tv_nsec};
}

Status TokenStore::Load() {
  std::lock_guard lock(mu_);
  return LoadLocked(Stamp());
}

Status TokenStore::LoadLocked(const FileStamp& stamp) {
  auto file = ReadTokenFile(path_);
  if (!file.ok()) return file.status();
  std::map<std::string, std::shared_ptr<const Principal>> by_hash;
  for (const auto& entry : file->tokens()) {
    auto role = ParseRole(entry.role());
    if (!role) {
      return Status(Code::kInvalidArgument, "tokens file " + path_ +
                                                " has an unknown role '" +
                                                entry.role() + "'");
    }
    by_hash[entry.sha256()] = std::make_shared<const Principal>(Principal{
        entry.name(), *role, {entry.areas().begin(), entry.areas().end()}});
  }
  by_hash_ = std::move(by_hash);
  remembered_.fill({});
  loaded_ = stamp;
  return Status::Ok();
}

Result<std::shared_ptr<const Principal>> TokenStore::Authenticate(
    std::string_view token) {
  if (token.empty()) {
    return Status(Code::kUnauthenticated,
                  "the request needs Authorization: Bearer TOKEN");
  }
  Remembered& remembered =
      remembered_[std::hash<std::string_view>{}(token) % remembered_.size()];
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  const bool looked_lately = now - checked_ < recheck_every_;
  // Only between two looks at the file: a look may reload it.
  if (looked_lately && remembered.principal != nullptr &&
      remembered.token.size() == token.size() &&
      CRYPTO_memcmp(remembered.token.data(), token.data(), token.size()) == 0) {
    return remembered.principal;
  }
  // A miss hashes the token under the lock: misses are rare (a token's first
  // use, or once a recheck interval), and a look at the file is made under the
  // lock too.
  const std::string hash = Sha256Hex(token);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || !looked_lately) {
    checked_ = now;
    const FileStamp stamp = Stamp();
    if (!(stamp == loaded_)) {
      // A file being rewritten may be unreadable for a moment: keep the tokens
      // we had.
      (void)LoadLocked(stamp);
      it = by_hash_.find(hash);
    }
  }
  if (it == by_hash_.end()) {
    return Status(Code::kUnauthenticated, "the access token is not valid");
  }
  remembered = {std::string(token), it->second};
  return it->second;
}

}  // namespace carelog::gateway
