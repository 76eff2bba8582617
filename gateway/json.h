// JSON at the edge, only through protobuf's JSON mapping: unknown fields
// refused, enums as names, lowerCamelCase names, fields with default values
// printed. Requests are read in one pass where json_reader.h can
// (docs/JSON.md).
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "storage/status.h"

namespace carelog::gateway {

// Parses a request body into `message`. kInvalidArgument with a readable detail
// (naming the field or position protobuf reports) for bad JSON, unknown fields,
// wrong types or bad enum names, invalid UTF-8 and a key repeated in an object.
// Read in one pass by ReadJsonFast (json_reader.h) when it can, else by
// ParseJsonByProtobuf: the same message, or the same error, either way.
Status ParseJson(std::string_view body, google::protobuf::Message& message);

// ParseJson through protobuf's JsonStringToMessage and our checks alone: the
// reference the fast reader is tested against, and the path of every error.
Status ParseJsonByProtobuf(std::string_view body,
                           google::protobuf::Message& message);

// Renders `message`; fields with default values are printed (API.md lists them
// as present).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace carelog::gateway
