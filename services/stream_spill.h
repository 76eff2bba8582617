// The stream build's spill (services/stream_build.h): events read once in log
// order are sorted out by stream into a few unlinked temporary files, so that
// each file can then be read back whole and its streams handed out in version
// order — a sequential read of the log instead of a point read per event.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

// Appends `e` to `out` in the spill's own (native-endian) format.
void AppendSpilled(const storage::RecordedEventView& e, std::string& out);

// The bytes AppendSpilled appends for `e`.
size_t SpilledSize(const storage::RecordedEventView& e);

// The spilled event at the start of `bytes`: its stream, position and size in
// bytes; nullopt if `bytes` does not start with a whole spilled event.
struct SpilledHeader {
  std::string_view stream;
  uint64_t position = 0;
  size_t size = 0;
};
std::optional<SpilledHeader> PeekSpilled(std::string_view bytes);

// A spilled event read back: a RecordedEvent's fields, its strings viewing the
// spilled bytes (no copies).
using SpilledEvent = storage::RecordedEventView;

// Decodes the spilled event at the start of `bytes` into `e`, which views
// `bytes`; false if malformed.
bool ReadSpilled(std::string_view bytes, SpilledEvent& e);

// What was appended to some spill files, read back whole: each file mapped
// into memory (its pages are the page cache's, not copied), one part a file.
class SpillData {
 public:
  SpillData() = default;
  SpillData(const SpillData&) = delete;
  SpillData& operator=(const SpillData&) = delete;
  ~SpillData();
  // The files' bytes, in the order they were asked for (empty files left out).
  const std::vector<std::string_view>& parts() const { return parts_; }

 private:
  friend class SpillFiles;
  std::vector<std::string_view> parts_;  // each a mapping of its own
};

// `count` unlinked temporary files written through a buffer each; they vanish
// when closed, also when the process dies.
class SpillFiles {
 public:
  // In `directory`; empty: the temporary directory (TMPDIR, else /tmp).
  static Result<SpillFiles> Create(size_t count,
                                   const std::string& directory = {});
  SpillFiles(SpillFiles&&) = default;
  SpillFiles& operator=(SpillFiles&&) = default;
  ~SpillFiles();

  size_t count() const { return files_.size(); }
  // Creates one more file (in the same directory); its index.
  Result<size_t> Add();
  // The buffer of file `i`: append to it, then call Written(i).
  std::string& buffer(size_t i) { return buffers_[i]; }
  // Writes file i's buffer out when it has grown large.
  Status Written(size_t i);
  // Appends `bytes` to file i straight away (after its buffer).
  Status Write(size_t i, std::string_view bytes);
  // Everything appended to these files, one after the other; they are closed.
  Result<std::shared_ptr<const SpillData>> ReadBack(
      const std::vector<size_t>& files);

 private:
  SpillFiles() = default;
  Status WriteOut(size_t i);
  std::string directory_;
  struct Close {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::vector<std::unique_ptr<std::FILE, Close>> files_;
  std::vector<std::string> buffers_;
};

}  // namespace carelog
