// The `log` value of an event (carelog.schema.EventRecord, storage/FORMAT.md)
// encoded by hand: the same bytes as protobuf's serialization of the message,
// without copying every field into a message first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace carelog::storage {

struct EventRecordFields {
  uint64_t position = 0;
  std::string_view stream;
  uint64_t version = 0;
  std::string_view event_id;
  std::string_view type;
  std::string_view body;
  int64_t recorded_at_micros = 0;
  std::string_view recorded_by;
  std::string_view content_hash;
};

// Replaces `out` with the record's wire bytes: fields in number order, those
// equal to their default left out (proto3).
void EncodeEventRecord(const EventRecordFields& r, std::string* out);

}  // namespace carelog::storage
