// Key encoding of the RocksDB event log (storage/FORMAT.md): fixed-width
// big-endian numbers, so that the byte order of keys is the numeric order, and
// names joined to numbers by a 0x00 separator (names therefore must not contain
// 0x00; CheckName refuses them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace carelog::storage::keys {

// 8 bytes, most significant first.
std::string EncodeU64(uint64_t v);
void AppendU64(std::string* out, uint64_t v);
// The number in the first 8 bytes; nullopt unless `in` is at least 8 bytes
// long.
std::optional<uint64_t> DecodeU64(std::string_view in);

// Signed microseconds mapped order-preservingly onto 8 bytes (sign bit
// flipped).
std::string EncodeI64(int64_t v);
void AppendI64(std::string* out, int64_t v);
std::optional<int64_t> DecodeI64(std::string_view in);

// kInvalidArgument if `name` (what = "stream", "projection", ...) is empty or
// contains 0x00.
Status CheckName(std::string_view what, std::string_view name);

// kInvalidArgument unless `text` is well-formed UTF-8 (RFC 3629: no overlong
// forms, surrogates or code points above U+10FFFF). Protobuf refuses to parse
// a `string` field that is not, so nothing stored in one may be otherwise.
Status CheckUtf8(std::string_view what, std::string_view text);
// The offset of the first byte of `text` that is not valid UTF-8; nullopt when
// all of it is (what CheckUtf8 checks, without building a message).
std::optional<size_t> FirstInvalidUtf8(std::string_view text);
// The length of the valid UTF-8 sequence starting at text[i], or 0 if there is
// none (Unicode 3.2 and later: table 3-7 of the standard).
size_t Utf8SequenceLength(std::string_view text, size_t i);

// log: position.
std::string LogKey(uint64_t position);
// stream: name 0x00 version. StreamPrefix(name) is name 0x00, StreamEnd(name)
// is name 0x01: every key of the stream lies in [StreamPrefix, StreamEnd).
std::string StreamKey(std::string_view stream, uint64_t version);
// StreamKey written into `out` (replacing it), for callers reusing a buffer.
void StreamKeyInto(std::string* out, std::string_view stream, uint64_t version);
std::string StreamPrefix(std::string_view stream);
std::string StreamEnd(std::string_view stream);
// Splits a stream key into name and version; nullopt if it is not one.
struct StreamKeyParts {
  std::string_view stream;
  uint64_t version;
};
std::optional<StreamKeyParts> ParseStreamKey(std::string_view key);

// time: recorded_at (EncodeI64) then the last position committed at that
// instant.
std::string TimeKey(int64_t recorded_at_micros, uint64_t position);

// proj: projection 0x00 key. The rows of a projection lie in [StreamPrefix(p),
// StreamEnd(p)).
std::string ProjectionKey(std::string_view projection, std::string_view key);

// audit_subject: subject 0x00 audit id.
std::string AuditSubjectKey(std::string_view subject, uint64_t id);

// The smallest string greater than every string starting with `prefix`; nullopt
// if none exists (prefix empty or all 0xff).
std::optional<std::string> PrefixEnd(std::string_view prefix);

// stream value: the run of versions one append wrote, which lie at
// consecutive positions: the key's version (first_version) is at
// `first_position`, the next `count - 1` versions at the positions after it
// (8 + 8 bytes).
struct StreamRun {
  uint64_t first_version = 0;  // from the entry's key
  uint64_t first_position = 0;
  uint64_t count = 0;
  uint64_t last_version() const { return first_version + count - 1; }
  bool Holds(uint64_t version) const {
    return version >= first_version && version - first_version < count;
  }
  // The position of `version`, which the run holds.
  uint64_t PositionOf(uint64_t version) const {
    return first_position + (version - first_version);
  }
  bool operator==(const StreamRun&) const = default;
};
std::string EncodeStreamRun(uint64_t first_position, uint64_t count);
// The run of the entry whose key has version `first_version`; nullopt unless
// `value` is 16 bytes with a count of at least 1.
std::optional<StreamRun> DecodeStreamRun(uint64_t first_version,
                                         std::string_view value);
// A whole stream index entry: the key's stream (a view of `key`) and the run.
struct StreamEntry {
  std::string_view stream;
  StreamRun run;
};
// nullopt unless `key` is a stream key and `value` a run.
std::optional<StreamEntry> DecodeStreamEntry(std::string_view key,
                                             std::string_view value);

// dedup value: the position of the event with that id (EncodeU64). Its
// version, recorded_at and content hash are read from its record.
std::string EncodeDedup(uint64_t position);
// nullopt unless `in` is 8 bytes.
std::optional<uint64_t> DecodeDedup(std::string_view in);

}  // namespace carelog::storage::keys
