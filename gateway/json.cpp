#include "gateway/json.h"

#include <google/protobuf/util/json_util.h>

namespace carelog::gateway {

Status ParseJson(std::string_view body, google::protobuf::Message& message) {
  if (body.empty()) {
    return Status(Code::kInvalidArgument, "the request needs a JSON body");
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), &message,
      options);
  if (!status.ok()) {
    std::string why(status.message().data(), status.message().size());
    return Status(Code::kInvalidArgument,
                  "the JSON body does not fit the request: " + why,
                  {{"body", why}});
  }
  return Status::Ok();
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string out;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    // Only an invalid message (e.g. a Value holding NaN) fails to print: a bug
    // of ours.
    return "{}";
  }
  return out;
}

}  // namespace carelog::gateway
