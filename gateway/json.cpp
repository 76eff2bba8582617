#include "gateway/json.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

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

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

bool IsBool(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ||
         (field->message_type() != nullptr &&
          field->message_type()->full_name() == "google.protobuf.BoolValue");
}

// JSON names of the bool fields reachable from `root` that no other field
// reachable from it shares.
std::vector<std::string> BoolKeysOf(const Descriptor* root) {
  std::set<std::string> bools, others;
  std::set<const Descriptor*> seen;
  std::vector<const Descriptor*> todo = {root};
  while (!todo.empty()) {
    const Descriptor* d = todo.back();
    todo.pop_back();
    if (!seen.insert(d).second) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      (IsBool(f) ? bools : others).insert(f->json_name());
      if (f->message_type() != nullptr && !IsBool(f))
        todo.push_back(f->message_type());
    }
  }
  std::vector<std::string> keys;
  for (const std::string& name : bools)
    if (!others.count(name)) keys.push_back("\"" + name + "\"");
  return keys;
}

// The path (events[0].carePackageStarted.integrated) of the first key of
// `keys` whose value is neither a bool nor null; empty if none.
std::string NonBoolPath(const google::protobuf::Value& value,
                        const std::vector<std::string>& keys,
                        const std::string& path) {
  if (value.has_struct_value()) {
    for (const auto& [key, child] : value.struct_value().fields()) {
      const std::string here = path.empty() ? key : path + "." + key;
      const bool bool_key =
          std::find(keys.begin(), keys.end(), "\"" + key + "\"") != keys.end();
      if (bool_key && !child.has_bool_value() && !child.has_null_value())
        return here;
      std::string found = NonBoolPath(child, keys, here);
      if (!found.empty()) return found;
    }
  } else if (value.has_list_value()) {
    for (int i = 0; i < value.list_value().values_size(); ++i) {
      std::string found = NonBoolPath(value.list_value().values(i), keys,
                                      path + "[" + std::to_string(i) + "]");
      if (!found.empty()) return found;
    }
  }
  return {};
}

// protobuf's JSON parser takes "yes", "t" or "1" in quotes for a bool (and
// "no" for false); API.md's booleans are the literals true and false. A quick
// scan finds a bool key followed by anything else; only then is the body
// parsed again to name the field.
Status CheckBooleans(std::string_view body, const Descriptor* descriptor) {
  thread_local std::map<const Descriptor*, std::vector<std::string>> cache;
  auto it = cache.find(descriptor);
  if (it == cache.end())
    it = cache.emplace(descriptor, BoolKeysOf(descriptor)).first;
  const std::vector<std::string>& keys = it->second;
  bool suspicious = false;
  for (const std::string& key : keys) {
    for (size_t at = body.find(key);
         at != std::string_view::npos && !suspicious;
         at = body.find(key, at + 1)) {
      if (at > 0 && body[at - 1] == '\\') continue;
      size_t i = at + key.size();
      while (i < body.size() &&
             std::isspace(static_cast<unsigned char>(body[i])))
        ++i;
      if (i >= body.size() || body[i] != ':') continue;
      ++i;
      while (i < body.size() &&
             std::isspace(static_cast<unsigned char>(body[i])))
        ++i;
      if (i < body.size() && body[i] != 't' && body[i] != 'f' && body[i] != 'n')
        suspicious = true;
    }
  }
  if (!suspicious) return Status::Ok();
  google::protobuf::Value value;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &value)
           .ok()) {
    return Status::Ok();  // the parser proper names the syntax error
  }
  const std::string path = NonBoolPath(value, keys, "");
  if (path.empty()) return Status::Ok();
  return Status(Code::kInvalidArgument,
                "the JSON body does not fit the request: " + path +
                    ": a boolean, true or false",
                {{path, "a boolean, true or false"}});
}

}  // namespace

Status ParseJson(std::string_view body, google::protobuf::Message& message) {
  if (body.empty()) {
    return Status(Code::kInvalidArgument, "the request needs a JSON body");
  }
  Status text = CheckJsonText(body);
  if (!text.ok()) return text;
  Status booleans = CheckBooleans(body, message.GetDescriptor());
  if (!booleans.ok()) return booleans;
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
