// A one-pass reader of request JSON straight into a protobuf message, driven
// by its descriptor: protobuf's proto3 JSON mapping with our strictness
// (json.h) for the inputs it is sure of, and nothing else.
#pragma once

#include <google/protobuf/message.h>

#include <string_view>

namespace carelog::gateway {

// True when `body` was read into `message` (cleared first), giving exactly the
// message protobuf's JsonStringToMessage with our checks would give. False when
// the reader declines — anything it is not sure protobuf would accept the same
// way (errors, floating-point and well-known-type fields, null in oneofs or
// lists, escaped keys, ...); the caller then takes protobuf's path, which
// answers errors. `message` is left cleared on false.
bool ReadJsonFast(std::string_view body, google::protobuf::Message& message);

}  // namespace carelog::gateway
