#include "gateway/json_reader.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/json_text.h"

namespace carelog::gateway {

namespace {

namespace pb = google::protobuf;
using pb::Descriptor;
using pb::FieldDescriptor;

// Nesting deeper than this is left to protobuf (our requests nest 4 deep).
constexpr int kMaxDepth = 32;

enum class Kind : uint8_t {
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

struct MessageTable;

struct EnumName {
  std::string_view name;  // the descriptor pool's, which lives for ever
  int number = 0;
};

struct FieldEntry {
  const FieldDescriptor* field = nullptr;
  Kind kind = Kind::kUnsupported;
  bool repeated = false;
  bool in_oneof = false;  // a real oneof or proto3 `optional`
  int oneof = -1;         // index of its real oneof, or -1
  const MessageTable* message = nullptr;
  std::vector<EnumName> enum_names;
};

// How to read one message type: its fields by JSON name and by proto name,
// as protobuf's parser takes both.
struct MessageTable {
  bool usable = true;  // proto3, at most 64 fields and oneofs, names distinct
  std::vector<FieldEntry> fields;
  std::unordered_map<std::string_view, int> names;
};

Kind KindOf(const FieldDescriptor* f) {
  switch (f->type()) {
    case FieldDescriptor::TYPE_STRING:
      return Kind::kString;
    case FieldDescriptor::TYPE_BOOL:
      return Kind::kBool;
    case FieldDescriptor::TYPE_ENUM:
      return f->enum_type()->full_name() == "google.protobuf.NullValue"
                 ? Kind::kUnsupported
                 : Kind::kEnum;
    case FieldDescriptor::TYPE_MESSAGE:
      return f->is_map() ||
                     f->message_type()->file()->package() == "google.protobuf"
                 ? Kind::kUnsupported
                 : Kind::kMessage;
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return Kind::kInt32;
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return Kind::kInt64;
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return Kind::kUInt32;
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return Kind::kUInt64;
    default:
      return Kind::kUnsupported;
  }
}

// Tables live for the life of the process, built once per message type.
std::mutex& TablesMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

MessageTable* BuildLocked(const Descriptor* d) {
  static auto* tables =
      new std::unordered_map<const Descriptor*, MessageTable*>;
  auto it = tables->find(d);
  if (it != tables->end()) return it->second;
  auto* table = new MessageTable();
  (*tables)[d] = table;  // before the fields: a type may contain itself
  if (d->file()->syntax() != pb::FileDescriptor::SYNTAX_PROTO3 ||
      d->field_count() > 64 || d->oneof_decl_count() > 64) {
    table->usable = false;
    return table;
  }
  std::vector<FieldEntry> fields(static_cast<size_t>(d->field_count()));
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    FieldEntry& e = fields[static_cast<size_t>(i)];
    e.field = f;
    e.kind = KindOf(f);
    e.repeated = f->is_repeated();
    e.in_oneof = f->containing_oneof() != nullptr;
    e.oneof = f->real_containing_oneof() != nullptr
                  ? f->real_containing_oneof()->index()
                  : -1;
    if (e.kind == Kind::kMessage) e.message = BuildLocked(f->message_type());
    if (e.kind == Kind::kEnum) {
      for (int v = 0; v < f->enum_type()->value_count(); ++v) {
        const pb::EnumValueDescriptor* value = f->enum_type()->value(v);
        e.enum_names.push_back({value->name(), value->number()});
      }
    }
    for (const std::string* name : {&f->json_name(), &f->name()}) {
      auto [at, added] = table->names.emplace(*name, i);
      if (!added && at->second != i) table->usable = false;
    }
  }
  table->fields = std::move(fields);
  return table;
}

const MessageTable& TableFor(const Descriptor* d) {
  thread_local std::unordered_map<const Descriptor*, const MessageTable*> mine;
  auto it = mine.find(d);
  if (it != mine.end()) return *it->second;
  std::lock_guard lock(TablesMutex());
  const MessageTable* table = BuildLocked(d);
  mine.emplace(d, table);
  return *table;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Strict JSON (RFC 8259) only; every method returns false to decline.
class Reader {
 public:
  explicit Reader(std::string_view body) : body_(body) {}

  bool Top(const MessageTable& table, pb::Message& message) {
    SkipSpace();
    if (!Object(table, message, 0)) return false;
    SkipSpace();
    return at_ == body_.size();
  }

 private:
  bool Object(const MessageTable& table, pb::Message& message, int depth) {
    if (!table.usable || depth > kMaxDepth || !Eat('{')) return false;
    const pb::Reflection* reflection = message.GetReflection();
    uint64_t seen = 0;
    uint64_t oneofs = 0;
    SkipSpace();
    if (Eat('}')) return true;
    for (;;) {
      SkipSpace();
      std::string_view key;
      if (!Plain(key)) return false;
      SkipSpace();
      if (!Eat(':')) return false;
      SkipSpace();
      const auto it = table.names.find(key);
      if (it == table.names.end()) return false;  // unknown: protobuf's error
      const FieldEntry& f = table.fields[static_cast<size_t>(it->second)];
      const uint64_t bit = uint64_t{1} << it->second;
      if ((seen & bit) != 0) return false;  // also when named both ways
      seen |= bit;
      if (Peek() == 'n') {
        if (f.repeated || f.in_oneof || !Word("null")) return false;
      } else {
        if (f.oneof >= 0) {
          const uint64_t one = uint64_t{1} << f.oneof;
          if ((oneofs & one) != 0) return false;
          oneofs |= one;
        }
        if (!(f.repeated ? List(f, message, *reflection, depth)
                         : Single(f, message, *reflection, depth)))
          return false;
      }
      SkipSpace();
      if (Eat(',')) continue;
      return Eat('}');
    }
  }

  bool List(const FieldEntry& f, pb::Message& message, const pb::Reflection& r,
            int depth) {
    if (!Eat('[')) return false;
    SkipSpace();
    if (Eat(']')) return true;
    for (;;) {
      SkipSpace();
      if (!Element(f, message, r, depth)) return false;
      SkipSpace();
      if (Eat(',')) continue;
      return Eat(']');
    }
  }

  bool Single(const FieldEntry& f, pb::Message& m, const pb::Reflection& r,
              int depth) {
    const FieldDescriptor* field = f.field;
    switch (f.kind) {
      case Kind::kString: {
        std::string text;
        if (!String(text)) return false;
        r.SetString(&m, field, std::move(text));
        return true;
      }
      case Kind::kBool: {
        bool value = false;
        if (!Bool(value)) return false;
        r.SetBool(&m, field, value);
        return true;
      }
      case Kind::kEnum: {
        int number = 0;
        if (!EnumNumber(f, number)) return false;
        r.SetEnumValue(&m, field, number);
        return true;
      }
      case Kind::kMessage:
        return Object(*f.message, *r.MutableMessage(&m, field), depth + 1);
      case Kind::kInt32:
      case Kind::kInt64:
      case Kind::kUInt32:
      case Kind::kUInt64:
        return Integer(f, [&](int64_t s, uint64_t u) {
          if (f.kind == Kind::kInt32)
            r.SetInt32(&m, field, static_cast<int32_t>(s));
          if (f.kind == Kind::kInt64) r.SetInt64(&m, field, s);
          if (f.kind == Kind::kUInt32)
            r.SetUInt32(&m, field, static_cast<uint32_t>(u));
          if (f.kind == Kind::kUInt64) r.SetUInt64(&m, field, u);
        });
      case Kind::kUnsupported:
        return false;
    }
    return false;
  }

  bool Element(const FieldEntry& f, pb::Message& m, const pb::Reflection& r,
               int depth) {
    const FieldDescriptor* field = f.field;
    switch (f.kind) {
      case Kind::kString: {
        std::string text;
        if (!String(text)) return false;
        r.AddString(&m, field, std::move(text));
        return true;
      }
      case Kind::kBool: {
        bool value = false;
        if (!Bool(value)) return false;
        r.AddBool(&m, field, value);
        return true;
      }
      case Kind::kEnum: {
        int number = 0;
        if (!EnumNumber(f, number)) return false;
        r.AddEnumValue(&m, field, number);
        return true;
      }
      case Kind::kMessage:
        if (Peek() != '{') return false;
        return Object(*f.message, *r.AddMessage(&m, field), depth + 1);
      case Kind::kInt32:
      case Kind::kInt64:
      case Kind::kUInt32:
      case Kind::kUInt64:
        return Integer(f, [&](int64_t s, uint64_t u) {
          if (f.kind == Kind::kInt32)
            r.AddInt32(&m, field, static_cast<int32_t>(s));
          if (f.kind == Kind::kInt64) r.AddInt64(&m, field, s);
          if (f.kind == Kind::kUInt32)
            r.AddUInt32(&m, field, static_cast<uint32_t>(u));
          if (f.kind == Kind::kUInt64) r.AddUInt64(&m, field, u);
        });
      case Kind::kUnsupported:
        return false;
    }
    return false;
  }

  // Our API's booleans are the literals only (json.cpp's CheckTypes).
  bool Bool(bool& value) {
    if (Word("true")) {
      value = true;
      return true;
    }
    if (Word("false")) {
      value = false;
      return true;
    }
    return false;
  }

  // An enum value by its exact name (never a number, json.cpp's CheckTypes).
  bool EnumNumber(const FieldEntry& f, int& number) {
    std::string_view name;
    if (!Plain(name)) return false;
    for (const EnumName& e : f.enum_names) {
      if (e.name == name) {
        number = e.number;
        return true;
      }
    }
    return false;
  }

  // An integer as a JSON number or in quotes: digits only, no sign on the
  // unsigned kinds, no leading zero, no fraction or exponent, in range.
  template <typename Set>
  bool Integer(const FieldEntry& f, Set set) {
    const bool quoted = Eat('"');
    const size_t from = at_;
    if (at_ < body_.size() && body_[at_] == '-') ++at_;
    const size_t digits = at_;
    while (at_ < body_.size() && body_[at_] >= '0' && body_[at_] <= '9') ++at_;
    const size_t n = at_ - digits;
    if (n == 0 || n > 20 || (n > 1 && body_[digits] == '0')) return false;
    if (digits > from && n == 1 && body_[digits] == '0') return false;  // -0
    if (quoted && !Eat('"')) return false;
    if (!quoted && at_ < body_.size() &&
        (body_[at_] == '.' || body_[at_] == 'e' || body_[at_] == 'E'))
      return false;
    const char* first = body_.data() + from;
    const char* last = body_.data() + at_ - (quoted ? 1 : 0);
    if (f.kind == Kind::kUInt32 || f.kind == Kind::kUInt64) {
      if (digits > from) return false;
      uint64_t u = 0;
      auto [end, ec] = std::from_chars(first, last, u);
      if (ec != std::errc() || end != last) return false;
      if (f.kind == Kind::kUInt32 && u > std::numeric_limits<uint32_t>::max())
        return false;
      set(0, u);
      return true;
    }
    int64_t s = 0;
    auto [end, ec] = std::from_chars(first, last, s);
    if (ec != std::errc() || end != last) return false;
    if (f.kind == Kind::kInt32 && (s < std::numeric_limits<int32_t>::min() ||
                                   s > std::numeric_limits<int32_t>::max()))
      return false;
    set(s, 0);
    return true;
  }

  // A string without escapes, of printable ASCII (keys and enum names).
  bool Plain(std::string_view& out) {
    if (!Eat('"')) return false;
    const size_t from = at_;
    while (at_ < body_.size()) {
      const auto c = static_cast<unsigned char>(body_[at_]);
      if (c == '"') {
        out = body_.substr(from, at_ - from);
        ++at_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++at_;
    }
    return false;
  }

  // A JSON string, decoded; valid UTF-8, no control characters, surrogates
  // only in pairs.
  bool String(std::string& out) {
    if (!Eat('"')) return false;
    size_t from = at_;
    while (at_ < body_.size()) {
      const auto c = static_cast<unsigned char>(body_[at_]);
      if (c == '"') {
        out.append(body_.data() + from, at_ - from);
        ++at_;
        return true;
      }
      if (c == '\\') {
        out.append(body_.data() + from, at_ - from);
        if (!Escape(out)) return false;
        from = at_;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        ++at_;
      } else {
        const size_t n = Utf8SequenceLength(body_, at_);
        if (n == 0) return false;
        at_ += n;
      }
    }
    return false;
  }

  bool Escape(std::string& out) {
    ++at_;  // the backslash
    if (at_ >= body_.size()) return false;
    const char e = body_[at_++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    uint32_t cp = 0;
    if (!Hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!Eat('\\') || !Eat('u') || !Hex4(low) || low < 0xDC00 || low > 0xDFFF)
        return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool Hex4(uint32_t& cp) {
    if (body_.size() - at_ < 4) return false;
    for (int k = 0; k < 4; ++k) {
      const int h = HexDigit(body_[at_++]);
      if (h < 0) return false;
      cp = cp * 16 + static_cast<uint32_t>(h);
    }
    return true;
  }

  bool Word(std::string_view word) {
    if (body_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  char Peek() const { return at_ < body_.size() ? body_[at_] : '\0'; }

  bool Eat(char c) {
    if (at_ < body_.size() && body_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void SkipSpace() {
    while (at_ < body_.size() && (body_[at_] == ' ' || body_[at_] == '\n' ||
                                  body_[at_] == '\r' || body_[at_] == '\t'))
      ++at_;
  }

  std::string_view body_;
  size_t at_ = 0;
};

}  // namespace

bool ReadJsonFast(std::string_view body, pb::Message& message) {
  message.Clear();
  Reader reader(body);
  if (reader.Top(TableFor(message.GetDescriptor()), message)) return true;
  message.Clear();
  return false;
}

}  // namespace carelog::gateway
