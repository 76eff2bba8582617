#include "storage/event_record.h"

namespace carelog::storage {

namespace {

// Field tags: field number << 3 | wire type (0 varint, 2 length-delimited).
enum Tag : unsigned char {
  kPosition = 1 << 3,
  kStream = 2 << 3 | 2,
  kVersion = 3 << 3,
  kEventId = 4 << 3 | 2,
  kType = 5 << 3 | 2,
  kBody = 6 << 3 | 2,
  kRecordedAt = 7 << 3,
  kRecordedBy = 8 << 3 | 2,
  kContentHash = 9 << 3 | 2,
};

void Varint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

void Number(std::string* out, Tag tag, uint64_t v) {
  if (v == 0) return;
  out->push_back(static_cast<char>(tag));
  Varint(out, v);
}

void Bytes(std::string* out, Tag tag, std::string_view v) {
  if (v.empty()) return;
  out->push_back(static_cast<char>(tag));
  Varint(out, v.size());
  out->append(v);
}

}  // namespace

void EncodeEventRecord(const RecordedEventView& r, std::string* out) {
  out->clear();
  out->reserve(r.stream.size() + r.event_id.size() + r.type.size() +
               r.body.size() + r.recorded_by.size() + r.content_hash.size() +
               64);
  Number(out, kPosition, r.position);
  Bytes(out, kStream, r.stream);
  Number(out, kVersion, r.version);
  Bytes(out, kEventId, r.event_id);
  Bytes(out, kType, r.type);
  Bytes(out, kBody, r.body);
  // int64 is a varint of its two's complement: negative values take 10 bytes.
  Number(out, kRecordedAt, static_cast<uint64_t>(r.recorded_at_micros));
  Bytes(out, kRecordedBy, r.recorded_by);
  Bytes(out, kContentHash, r.content_hash);
}

}  // namespace carelog::storage
