#include "gateway/json.h"

#include <google/protobuf/util/json_util.h>

#include "gateway/json_text.h"

namespace carelog::gateway {

namespace {

// protobuf reports "(events[0].hospital_admitted.method): invalid value ...";
// the field in the request's own (JSON) names is
// events[0].hospitalAdmitted.method.
std::string JsonFieldOf(const std::string& why, std::string& rest) {
  rest = why;
  if (why.size() < 3 || why[0] != '(') return "body";
  const size_t close = why.find(')');
  if (close == std::string::npos || close == 1) return "body";
  std::string field;
  bool upper = false;
  for (size_t i = 1; i < close; ++i) {
    const char c = why[i];
    if (c == '_') {
      upper = true;
    } else {
      field +=
          upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  rest = why.substr(close + 1);
  while (!rest.empty() && (rest[0] == ':' || rest[0] == ' ')) rest.erase(0, 1);
  return field;
}

}  // namespace

Status ParseJson(std::string_view body, google::protobuf::Message& message) {
  if (body.empty()) {
    return Status(Code::kInvalidArgument, "the request needs a JSON body");
  }
  Status text = CheckJsonText(body);
  if (!text.ok()) return text;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), &message,
      options);
  if (!status.ok()) {
    // protobuf quotes the body around the error, possibly cutting a
    // character in two: keep the answer valid UTF-8.
    const std::string why = ValidUtf8(
        std::string_view(status.message().data(), status.message().size()));
    std::string detail;
    const std::string field = JsonFieldOf(why, detail);
    return Status(Code::kInvalidArgument,
                  "the JSON body does not fit the request: " +
                      (field == "body" ? detail : field + ": " + detail),
                  {{field, detail}});
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
