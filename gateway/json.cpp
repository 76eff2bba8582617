#include "gateway/json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "gateway/json_fields.h"
#include "gateway/json_reader.h"
#include "gateway/json_text.h"

namespace carelog::gateway {

namespace {

namespace pb = google::protobuf;

constexpr const char* kTypeUrlPrefix = "type.googleapis.com";

// protobuf's JSON mapping describes each message type it meets afresh on every
// call (a google.protobuf.Type built from the descriptor, for each request and
// each nested type): about half the cost of parsing a one-event request. This
// resolver builds each description once and hands out copies. Thread-safe.
class CachingTypeResolver : public pb::util::TypeResolver {
 public:
  CachingTypeResolver()
      : inner_(pb::util::NewTypeResolverForDescriptorPool(
            kTypeUrlPrefix, pb::DescriptorPool::generated_pool())) {}

  pb::util::Status ResolveMessageType(const std::string& url,
                                      pb::Type* type) override {
    return Resolve(messages_, url, type,
                   [this](const std::string& u, pb::Type* t) {
                     return inner_->ResolveMessageType(u, t);
                   });
  }
  pb::util::Status ResolveEnumType(const std::string& url,
                                   pb::Enum* type) override {
    return Resolve(enums_, url, type,
                   [this](const std::string& u, pb::Enum* t) {
                     return inner_->ResolveEnumType(u, t);
                   });
  }

 private:
  template <typename T, typename F>
  pb::util::Status Resolve(std::map<std::string, T, std::less<>>& cache,
                           const std::string& url, T* out, F resolve) {
    {
      std::shared_lock lock(mu_);
      auto it = cache.find(url);
      if (it != cache.end()) {
        out->CopyFrom(it->second);
        return pb::util::Status();
      }
    }
    T resolved;
    pb::util::Status status = resolve(url, &resolved);
    if (!status.ok()) return status;
    out->CopyFrom(resolved);
    std::unique_lock lock(mu_);
    cache.emplace(url, std::move(resolved));
    return status;
  }

  std::unique_ptr<pb::util::TypeResolver> inner_;
  std::shared_mutex mu_;
  std::map<std::string, pb::Type, std::less<>> messages_;
  std::map<std::string, pb::Enum, std::less<>> enums_;
};

CachingTypeResolver& Resolver() {
  static CachingTypeResolver* resolver = new CachingTypeResolver();
  return *resolver;
}

std::string TypeUrl(const pb::Message& message) {
  return std::string(kTypeUrlPrefix) + "/" +
         message.GetDescriptor()->full_name();
}

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

bool IsNumeral(const std::string& text) {
  size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  return true;
}

// protobuf's words for common mistakes, in the request's terms: an unknown
// field is named by its own path, a wrong enum value is answered with the
// values allowed, a value of the wrong kind is called that, a second payload
// is called that.
void Explain(std::string& field, std::string& detail) {
  // protobuf quotes the text around a syntax error on lines of its own.
  if (const size_t line = detail.find('\n'); line != std::string::npos)
    detail.erase(line);
  if (detail == ": Root element must be a message.") {
    field = "body";
    detail = "the body must be a JSON object, e.g. {\"events\": [...]}";
    return;
  }
  constexpr std::string_view kUnknown = ": Cannot find field.";
  if (detail.size() > kUnknown.size() &&
      detail.compare(detail.size() - kUnknown.size(), kUnknown.size(),
                     kUnknown) == 0) {
    const std::string name = detail.substr(0, detail.size() - kUnknown.size());
    field = field == "body" ? name : field + "." + name;
    detail = "unknown field: API.md has no such field here";
    return;
  }
  // "invalid value V for type T": T a type URL (an enum or a message) or a
  // scalar (TYPE_INT32, ...); V quoted when it was a JSON string.
  constexpr std::string_view kValue = "invalid value ";
  constexpr std::string_view kType = " for type ";
  const size_t type_at = detail.rfind(kType);
  if (detail.compare(0, kValue.size(), kValue) == 0 &&
      type_at != std::string::npos && type_at >= kValue.size()) {
    std::string value = detail.substr(kValue.size(), type_at - kValue.size());
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    std::string type = detail.substr(type_at + kType.size());
    if (const size_t slash = type.rfind('/'); slash != std::string::npos)
      type.erase(0, slash + 1);
    const auto& pool = *pb::DescriptorPool::generated_pool();
    if (const auto* e = pool.FindEnumTypeByName(type)) {
      detail = "'" + value + "' is not one of " + AllowedNames(*e);
    } else if (pool.FindMessageTypeByName(type) != nullptr) {
      detail = "'" + value + "' is not a JSON object: give {...}";
    } else if (type == "TYPE_STRING") {
      detail = "'" + value + "' is not text: give it in quotes";
    } else if (type == "TYPE_DOUBLE" || type == "TYPE_FLOAT") {
      detail = "'" + value + "' is not a number";
    } else if (type.find("INT") != std::string::npos ||
               type.find("FIXED") != std::string::npos) {
      detail = "'" + value + "' is not a whole number" +
               (IsNumeral(value) ? " of the size allowed" : "");
    }
  }
  constexpr std::string_view kOneof = "is already set. Cannot set '";
  const size_t oneof_at = detail.find(kOneof);
  if (oneof_at != std::string::npos) {
    const size_t name_at = oneof_at + kOneof.size();
    const size_t name_end = detail.find('\'', name_at);
    if (name_end != std::string::npos) {
      detail = "more than one payload (" +
               detail.substr(name_at, name_end - name_at) +
               " is a second one): an event carries exactly one";
    }
  }
}

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

bool IsBool(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ||
         (field->message_type() != nullptr &&
          field->message_type()->full_name() == "google.protobuf.BoolValue");
}

bool IsEnum(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM;
}

// Hashes and compares std::string and std::string_view alike (lookups without
// a copy).
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const {
    return std::hash<std::string_view>{}(key);
  }
};

// The quoted JSON names of the bool and of the enum fields reachable from a
// request message.
struct TypedKeys {
  std::unordered_set<std::string, KeyHash, std::equal_to<>> bools, enums, lists;
};

TypedKeys KeysOf(const Descriptor* root) {
  TypedKeys keys;
  std::set<const Descriptor*> seen;
  std::vector<const Descriptor*> todo = {root};
  while (!todo.empty()) {
    const Descriptor* d = todo.back();
    todo.pop_back();
    if (!seen.insert(d).second) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      // protobuf takes the proto name (pooled_budget) as well as the JSON one.
      if (f->is_repeated() && !f->is_map()) {
        keys.lists.insert("\"" + f->json_name() + "\"");
        keys.lists.insert("\"" + f->name() + "\"");
      }
      if (IsBool(f) || IsEnum(f)) {
        auto& set = IsBool(f) ? keys.bools : keys.enums;
        set.insert("\"" + f->json_name() + "\"");
        set.insert("\"" + f->name() + "\"");
      } else if (f->message_type() != nullptr) {
        todo.push_back(f->message_type());
      }
    }
  }
  return keys;
}

// The path (events[1].carePackageStarted.integrated) of the first bool field
// of `d` in `value` that is not true, false or null, enum field that is not a
// name (or null), or list field that is not a list (or null); empty if none.
std::string MistypedPath(const google::protobuf::Value& value,
                         const Descriptor* d, const std::string& path,
                         std::string* want) {
  if (!value.has_struct_value()) return {};
  // By key, not in the Struct's hash order (which differs between runs), so
  // that of several mistyped fields the same one is named every time.
  const std::map<std::string, const google::protobuf::Value*> members = [&] {
    std::map<std::string, const google::protobuf::Value*> sorted;
    for (const auto& [key, child] : value.struct_value().fields())
      sorted.emplace(key, &child);
    return sorted;
  }();
  for (const auto& [key, member] : members) {
    const google::protobuf::Value& child = *member;
    const FieldDescriptor* f = nullptr;
    for (int i = 0; i < d->field_count() && f == nullptr; ++i) {
      if (d->field(i)->json_name() == key || d->field(i)->name() == key)
        f = d->field(i);
    }
    if (f == nullptr) continue;  // the parser proper refuses unknown fields
    const std::string here = path.empty() ? key : path + "." + key;
    if (f->is_repeated() && !f->is_map() && !child.has_list_value() &&
        !child.has_null_value()) {
      *want = "a list: [...]";
      return here;
    }
    auto check = [&](const google::protobuf::Value& v,
                     const std::string& at) -> std::string {
      if (v.has_null_value()) return {};
      if (IsBool(f)) {
        *want = "a boolean: true or false";
        return v.has_bool_value() ? std::string() : at;
      }
      if (IsEnum(f)) {
        *want = "one of " + AllowedNames(*f->enum_type());
        if (!v.has_string_value() || IsNumeral(v.string_value())) return at;
        const auto* named = f->enum_type()->FindValueByName(v.string_value());
        if (named == nullptr || !IsPlaceholder(*named)) return {};
        *want = "'" + v.string_value() + "' is not " + *want;
        return at;
      }
      if (f->message_type() != nullptr)
        return MistypedPath(v, f->message_type(), at, want);
      return {};
    };
    if (f->is_repeated() && child.has_list_value()) {
      for (int i = 0; i < child.list_value().values_size(); ++i) {
        std::string bad = check(child.list_value().values(i),
                                here + "[" + std::to_string(i) + "]");
        if (!bad.empty()) return bad;
      }
    } else {
      std::string bad = check(child, here);
      if (!bad.empty()) return bad;
    }
  }
  return {};
}

// Where the value after the key `key` found at `at` starts; npos if `at` is
// not a key (inside a string, or not followed by ':').
size_t ValueAfterKey(std::string_view body, size_t at, size_t key_size) {
  if (at > 0 && body[at - 1] == '\\') return std::string_view::npos;
  size_t i = at + key_size;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i])))
    ++i;
  if (i >= body.size() || body[i] != ':') return std::string_view::npos;
  ++i;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i])))
    ++i;
  return i < body.size() ? i : std::string_view::npos;
}

// protobuf's JSON parser takes "yes", "t" or "1" in quotes for a bool, a number
// or the ..._UNSPECIFIED placeholder for an enum (as "not given"), and an
// object or a single value for a list (as a list of one); API.md's booleans are
// the literals true and false, its enum values the upper-case names SPEC.md
// lists and its lists arrays. A quick scan finds a bool, enum or list key
// followed by something else; only then is the body parsed again, with the
// message's descriptor, to name the field.
Status CheckTypes(std::string_view body, const Descriptor* descriptor) {
  thread_local std::map<const Descriptor*, TypedKeys> cache;
  auto it = cache.find(descriptor);
  if (it == cache.end())
    it = cache.emplace(descriptor, KeysOf(descriptor)).first;
  // One pass over the strings of the body (its syntax is already checked):
  // each one followed by ':' is a key, looked up among the bool and enum
  // fields' names.
  const TypedKeys& keys = it->second;
  bool suspicious = false;
  for (size_t at = body.find('"'); at != std::string_view::npos && !suspicious;
       at = body.find('"', at)) {
    size_t end = at + 1;
    while (end < body.size() && body[end] != '"')
      end += body[end] == '\\' ? 2 : 1;
    if (end >= body.size()) break;
    const std::string_view key = body.substr(at, end - at + 1);
    const size_t v = ValueAfterKey(body, at, key.size());
    at = end + 1;
    if (v == std::string_view::npos) continue;
    // (A name can be a bool in one message and an enum in another.)
    if (keys.bools.contains(key) && body[v] != 't' && body[v] != 'f' &&
        body[v] != 'n')
      suspicious = true;
    if (keys.lists.contains(key) && body[v] != '[' && body[v] != 'n')
      suspicious = true;
    if (keys.enums.contains(key) && body[v] != 'n' &&
        (body[v] != '"' || v + 1 >= body.size() ||
         std::isdigit(static_cast<unsigned char>(body[v + 1])) ||
         body[v + 1] == '-' ||
         body.substr(v + 1, body.find('"', v + 1) - v - 1)
             .ends_with(kPlaceholderSuffix)))
      suspicious = true;
  }
  if (!suspicious) return Status::Ok();
  google::protobuf::Value value;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &value)
           .ok()) {
    return Status::Ok();  // the parser proper names the syntax error
  }
  std::string want;
  const std::string path = MistypedPath(value, descriptor, "", &want);
  if (path.empty()) return Status::Ok();
  return Status(Code::kInvalidArgument,
                "the JSON body does not fit the request: " + path + ": " + want,
                {{path, want}});
}

}  // namespace

Status ParseJson(std::string_view body, google::protobuf::Message& message) {
  // The one-pass reader takes what it is sure of (tests/gateway/
  // json_reader_test.cpp checks it against protobuf); protobuf's path reads,
  // or answers the error for, everything else.
  if (ReadJsonFast(body, message)) return Status::Ok();
  return ParseJsonByProtobuf(body, message);
}

Status ParseJsonByProtobuf(std::string_view body,
                           google::protobuf::Message& message) {
  if (body.empty()) {
    return Status(Code::kInvalidArgument, "the request needs a JSON body",
                  {{"body", "missing: send a JSON object"}});
  }
  Status text = CheckJsonText(body);
  if (!text.ok()) return text;
  Status types = CheckTypes(body, message.GetDescriptor());
  if (!types.ok()) return types;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = false;
  // As JsonStringToMessage, with the cached type descriptions.
  std::string binary;
  auto status = pb::util::JsonToBinaryString(
      &Resolver(), TypeUrl(message),
      google::protobuf::StringPiece(body.data(), body.size()), &binary,
      options);
  if (status.ok() && !message.ParseFromString(binary)) {
    status = pb::util::Status(pb::util::StatusCode::kInvalidArgument,
                              "JSON transcoder produced invalid protobuf "
                              "output.");
  }
  if (!status.ok()) {
    // protobuf quotes the body around the error, possibly cutting a
    // character in two: keep the answer valid UTF-8.
    const std::string why = ValidUtf8(
        std::string_view(status.message().data(), status.message().size()));
    std::string detail;
    std::string field = JsonFieldOf(why, detail);
    Explain(field, detail);
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
  // Deterministic: map entries (a Struct's fields) in key order, so the same
  // answer is the same text in every process (a map's own order varies).
  std::string bytes;
  {
    pb::io::StringOutputStream stream(&bytes);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  std::string out;
  // As MessageToJsonString, with the cached type descriptions.
  const auto status = pb::util::BinaryToJsonString(
      &Resolver(), TypeUrl(message), bytes, &out, options);
  if (!status.ok()) {
    // Only an invalid message (e.g. a Value holding NaN) fails to print: a bug
    // of ours.
    return "{}";
  }
  return out;
}

}  // namespace carelog::gateway
