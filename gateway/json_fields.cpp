#include "gateway/json_fields.h"

#include <mutex>
#include <string>

namespace carelog::gateway {

namespace {

namespace pb = google::protobuf;
using pb::Descriptor;
using pb::FieldDescriptor;

JsonKind KindOf(const FieldDescriptor* f) {
  switch (f->type()) {
    case FieldDescriptor::TYPE_STRING:
      return JsonKind::kString;
    case FieldDescriptor::TYPE_BOOL:
      return JsonKind::kBool;
    case FieldDescriptor::TYPE_ENUM:
      return f->enum_type()->full_name() == "google.protobuf.NullValue"
                 ? JsonKind::kUnsupported
                 : JsonKind::kEnum;
    case FieldDescriptor::TYPE_MESSAGE:
      return f->is_map() ||
                     f->message_type()->file()->package() == "google.protobuf"
                 ? JsonKind::kUnsupported
                 : JsonKind::kMessage;
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return JsonKind::kInt32;
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return JsonKind::kInt64;
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return JsonKind::kUInt32;
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return JsonKind::kUInt64;
    default:
      return JsonKind::kUnsupported;
  }
}

std::mutex& TablesMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

JsonMessageFields* BuildLocked(const Descriptor* d) {
  static auto* tables =
      new std::unordered_map<const Descriptor*, JsonMessageFields*>;
  auto it = tables->find(d);
  if (it != tables->end()) return it->second;
  auto* table = new JsonMessageFields();
  (*tables)[d] = table;  // before the fields: a type may contain itself
  if (d->file()->syntax() != pb::FileDescriptor::SYNTAX_PROTO3 ||
      d->field_count() > 64 || d->oneof_decl_count() > 64) {
    table->usable = false;
    return table;
  }
  std::vector<JsonField> fields(static_cast<size_t>(d->field_count()));
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    JsonField& e = fields[static_cast<size_t>(i)];
    e.field = f;
    e.kind = KindOf(f);
    e.repeated = f->is_repeated();
    e.in_oneof = f->containing_oneof() != nullptr;
    e.oneof = f->real_containing_oneof() != nullptr
                  ? f->real_containing_oneof()->index()
                  : -1;
    if (e.kind == JsonKind::kMessage)
      e.message = BuildLocked(f->message_type());
    if (e.kind == JsonKind::kEnum) {
      for (int v = 0; v < f->enum_type()->value_count(); ++v) {
        const pb::EnumValueDescriptor* value = f->enum_type()->value(v);
        if (!IsPlaceholder(*value))  // protobuf's path refuses it, by name
          e.enum_names.push_back({value->name(), value->number()});
      }
    }
    // protobuf takes both names; one meaning two fields would be ambiguous.
    for (const std::string* name : {&f->json_name(), &f->name()}) {
      auto [at, added] = table->names.emplace(*name, i);
      if (!added && at->second != i) table->usable = false;
    }
  }
  table->fields = std::move(fields);
  return table;
}

}  // namespace

bool IsPlaceholder(const google::protobuf::EnumValueDescriptor& value) {
  const std::string& name = value.name();
  return value.number() == 0 && name.size() > kPlaceholderSuffix.size() &&
         name.ends_with(kPlaceholderSuffix);
}

std::string AllowedNames(const google::protobuf::EnumDescriptor& e) {
  std::string allowed;
  for (int i = 0; i < e.value_count(); ++i) {
    if (IsPlaceholder(*e.value(i))) continue;
    if (!allowed.empty()) allowed += ", ";
    allowed += e.value(i)->name();
  }
  return allowed;
}

const JsonMessageFields& JsonFieldsOf(const Descriptor* d) {
  thread_local std::unordered_map<const Descriptor*, const JsonMessageFields*>
      mine;
  auto it = mine.find(d);
  if (it != mine.end()) return *it->second;
  std::lock_guard lock(TablesMutex());
  const JsonMessageFields* table = BuildLocked(d);
  mine.emplace(d, table);
  return *table;
}

}  // namespace carelog::gateway
