#include "gateway/json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

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
  // As MessageToJsonString, with the cached type descriptions.
  const auto status =
      pb::util::BinaryToJsonString(&Resolver(), TypeUrl(message),
                                   message.SerializeAsString(), &out, options);
  if (!status.ok()) {
    // Only an invalid message (e.g. a Value holding NaN) fails to print: a bug
    // of ours.
    return "{}";
  }
  return out;
}

}  // namespace carelog::gateway
