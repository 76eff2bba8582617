// How the one-pass JSON reader (json_reader.h) reads a message type: its
// fields by JSON name and by proto name, their kinds, enum value names and
// oneofs, built once per type from the descriptors.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carelog::gateway {

enum class JsonKind : uint8_t {
  kUnsupported,  // floating point, bytes, maps, well-known types: protobuf's
  kString,
  kBool,
  kEnum,
  kMessage,
  kInt32,
  kInt64,
  kUInt32,
  kUInt64,
};

struct JsonMessageFields;

struct JsonEnumName {
  std::string_view name;  // the descriptor pool's, which lives for ever
  int number = 0;
};

struct JsonField {
  const google::protobuf::FieldDescriptor* field = nullptr;
  JsonKind kind = JsonKind::kUnsupported;
  bool repeated = false;
  bool in_oneof = false;  // a real oneof or proto3 `optional`
  int oneof = -1;         // index of its real oneof, or -1
  const JsonMessageFields* message = nullptr;  // kMessage
  std::vector<JsonEnumName> enum_names;        // kEnum
};

struct JsonMessageFields {
  bool usable = true;  // proto3, at most 64 fields and oneofs, names distinct
  std::vector<JsonField> fields;                    // by field index
  std::unordered_map<std::string_view, int> names;  // JSON and proto names
};

// How an enum's placeholder's name ends.
inline constexpr std::string_view kPlaceholderSuffix = "_UNSPECIFIED";

// True for an enum's placeholder (number 0, named ..._UNSPECIFIED): protobuf's
// "not given", never a value a client may send (API.md's enum values are those
// SPEC.md lists).
bool IsPlaceholder(const google::protobuf::EnumValueDescriptor& value);

// The values a client may send for `e`, comma-separated.
std::string AllowedNames(const google::protobuf::EnumDescriptor& e);

// The table of `d` (and of the message types it contains), built on first use
// and kept for the life of the process. Thread-safe.
const JsonMessageFields& JsonFieldsOf(const google::protobuf::Descriptor* d);

}  // namespace carelog::gateway
