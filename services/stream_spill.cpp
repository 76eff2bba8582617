#include "services/stream_spill.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace carelog {
namespace {

// Per file, before a write: a build holds one for each of its ~140 files
// while it reads the log (32 MiB groups at 10 M events).
constexpr size_t kBufferBytes = 128u << 10;

// [u32 size][u64 position][u64 version][i64 recorded_at], then the strings
// stream, event_id, type, body, recorded_by, content_hash as [u32 len][bytes].
constexpr size_t kFixed = 4 + 8 + 8 + 8;

// Writes `v` at `at`, returning the end.
template <typename T>
char* Put(char* at, T v) {
  std::memcpy(at, &v, sizeof(T));
  return at + sizeof(T);
}

template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

char* PutString(char* at, std::string_view s) {
  at = Put<uint32_t>(at, static_cast<uint32_t>(s.size()));
  std::memcpy(at, s.data(), s.size());
  return at + s.size();
}

// Reads a [u32 len][bytes] string at `at` of `bytes`, advancing `at`.
std::optional<std::string_view> GetString(std::string_view bytes, size_t& at) {
  if (bytes.size() - at < 4) return std::nullopt;
  const size_t len = Get<uint32_t>(bytes.data() + at);
  at += 4;
  if (bytes.size() - at < len) return std::nullopt;
  std::string_view s = bytes.substr(at, len);
  at += len;
  return s;
}

Status IoError(const char* what) {
  return Status(Code::kIOError, std::string("rebuild spill file: ") + what +
                                    ": " + std::strerror(errno));
}

}  // namespace

void AppendSpilled(const storage::RecordedEventView& e, std::string& out) {
  // Sized once and written in place: every event of a rebuild comes here.
  const size_t size = SpilledSize(e);
  const size_t start = out.size();
  out.resize(start + size);
  char* at = out.data() + start;
  at = Put<uint32_t>(at, static_cast<uint32_t>(size));
  at = Put<uint64_t>(at, e.position);
  at = Put<uint64_t>(at, e.version);
  at = Put<int64_t>(at, e.recorded_at_micros);
  for (const std::string_view* s : {&e.stream, &e.event_id, &e.type, &e.body,
                                    &e.recorded_by, &e.content_hash}) {
    at = PutString(at, *s);
  }
}

size_t SpilledSize(const storage::RecordedEventView& e) {
  return kFixed + 6 * 4 + e.stream.size() + e.event_id.size() + e.type.size() +
         e.body.size() + e.recorded_by.size() + e.content_hash.size();
}

std::optional<SpilledHeader> PeekSpilled(std::string_view bytes) {
  if (bytes.size() < kFixed) return std::nullopt;
  SpilledHeader h;
  h.size = Get<uint32_t>(bytes.data());
  if (h.size < kFixed || h.size > bytes.size()) return std::nullopt;
  h.position = Get<uint64_t>(bytes.data() + 4);
  size_t at = kFixed;
  auto stream = GetString(bytes.substr(0, h.size), at);
  if (!stream) return std::nullopt;
  h.stream = *stream;
  return h;
}

bool ReadSpilled(std::string_view bytes, SpilledEvent& e) {
  if (bytes.size() < kFixed) return false;
  const size_t size = Get<uint32_t>(bytes.data());
  if (size < kFixed || size > bytes.size()) return false;
  bytes = bytes.substr(0, size);
  e.position = Get<uint64_t>(bytes.data() + 4);
  e.version = Get<uint64_t>(bytes.data() + 12);
  e.recorded_at_micros = Get<int64_t>(bytes.data() + 20);
  size_t at = kFixed;
  for (std::string_view* s : {&e.stream, &e.event_id, &e.type, &e.body,
                              &e.recorded_by, &e.content_hash}) {
    auto v = GetString(bytes, at);
    if (!v) return false;
    *s = *v;
  }
  return at == size;
}

Result<SpillFiles> SpillFiles::Create(size_t count,
                                      const std::string& directory) {
  // At 10 M events the files hold about 2 GB at once.
  std::filesystem::path dir = directory;
  if (dir.empty()) {
    std::error_code error;
    dir = std::filesystem::temp_directory_path(error);
    if (error) {
      return Status(
          Code::kIOError,
          "rebuild spill file: no temporary directory: " + error.message());
    }
  }
  SpillFiles files;
  files.directory_ = dir.string();
  for (size_t i = 0; i < count; ++i) {
    auto added = files.Add();
    if (!added.ok()) return added.status();
  }
  return files;
}

Result<size_t> SpillFiles::Add() {
  std::string name =
      (std::filesystem::path(directory_) / "carelog-rebuild-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return IoError(("cannot create in " + directory_).c_str());
  ::unlink(name.c_str());  // gone when closed, also if the process dies
  std::FILE* f = ::fdopen(fd, "w+b");
  if (!f) {
    ::close(fd);
    return IoError("cannot open");
  }
  files_.emplace_back(f);
  buffers_.emplace_back();
  return files_.size() - 1;
}

SpillFiles::~SpillFiles() = default;

Status SpillFiles::WriteOut(size_t i) {
  std::string& b = buffers_[i];
  if (!b.empty() &&
      std::fwrite(b.data(), 1, b.size(), files_[i].get()) != b.size()) {
    return IoError("cannot write");
  }
  b.clear();
  return Status::Ok();
}

Status SpillFiles::Written(size_t i) {
  return buffers_[i].size() >= kBufferBytes ? WriteOut(i) : Status::Ok();
}

Status SpillFiles::Write(size_t i, std::string_view bytes) {
  CARELOG_RETURN_IF_ERROR(WriteOut(i));
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(),
                                    files_[i].get()) != bytes.size()) {
    return IoError("cannot write");
  }
  return Status::Ok();
}

SpillData::~SpillData() {
  for (std::string_view part : parts_) {
    ::munmap(const_cast<char*>(part.data()), part.size());
  }
}

Result<std::shared_ptr<const SpillData>> SpillFiles::ReadBack(
    const std::vector<size_t>& files) {
  auto data = std::make_shared<SpillData>();
  for (size_t i : files) {
    CARELOG_RETURN_IF_ERROR(WriteOut(i));
    std::FILE* f = files_[i].get();
    if (std::fflush(f) != 0) return IoError("cannot write");
    const long size = std::ftell(f);
    if (size < 0) return IoError("cannot seek");
    if (size > 0) {
      // A mapping, not a read into a buffer of our own: the bytes are read
      // once, from the page cache, without the kernel's copy.
      void* at = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ,
                        MAP_PRIVATE, ::fileno(f), 0);
      if (at == MAP_FAILED) return IoError("cannot map");
      ::madvise(at, static_cast<size_t>(size), MADV_SEQUENTIAL);
      data->parts_.emplace_back(static_cast<const char*>(at),
                                static_cast<size_t>(size));
    }
    files_[i].reset();  // the mapping keeps the unlinked file's pages
    std::string().swap(buffers_[i]);
  }
  return std::shared_ptr<const SpillData>(std::move(data));
}

}  // namespace carelog
