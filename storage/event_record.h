// The `log` value of an event (carelog.schema.EventRecord, storage/FORMAT.md)
// encoded by hand: the same bytes as protobuf's serialization of the message,
// without copying every field into a message first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/event_log.h"

namespace carelog::storage {

// Replaces `out` with the record's wire bytes: fields in number order, those
// equal to their default left out (proto3).
void EncodeEventRecord(const RecordedEventView& r, std::string* out);

}  // namespace carelog::storage
