#include "gateway/json_reader.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

#include "gateway/json_fields.h"
#include "gateway/json_text.h"
#include "storage/keys.h"

namespace carelog::gateway {

namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

// Nesting deeper than this is left to protobuf (our requests nest 4 deep).
constexpr int kMaxDepth = 32;

// Strict JSON (RFC 8259) only; every method returns false to decline.
class Reader {
 public:
  explicit Reader(std::string_view body) : body_(body) {}

  bool Top(const JsonMessageFields& table, pb::Message& message) {
    SkipSpace();
    if (!Object(table, message, 0)) return false;
    SkipSpace();
    return at_ == body_.size();
  }

 private:
  bool Object(const JsonMessageFields& table, pb::Message& message, int depth) {
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
      const JsonField& f = table.fields[static_cast<size_t>(it->second)];
      // Not even null or []: a map's [] or a Value's null is no absence.
      if (f.kind == JsonKind::kUnsupported) return false;
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
                         : Value(f, message, *reflection, depth)))
          return false;
      }
      SkipSpace();
      if (Eat(',')) continue;
      return Eat('}');
    }
  }

  bool List(const JsonField& f, pb::Message& message, const pb::Reflection& r,
            int depth) {
    if (!Eat('[')) return false;
    SkipSpace();
    if (Eat(']')) return true;
    for (;;) {
      SkipSpace();
      if (Peek() == 'n' || !Value(f, message, r, depth)) return false;
      SkipSpace();
      if (Eat(',')) continue;
      return Eat(']');
    }
  }

  // One value of `f`: set, or added to the list when `f` is repeated.
  bool Value(const JsonField& f, pb::Message& m, const pb::Reflection& r,
             int depth) {
    const FieldDescriptor* field = f.field;
    const bool add = f.repeated;
    switch (f.kind) {
      case JsonKind::kString: {
        std::string text;
        if (!String(text)) return false;
        add ? r.AddString(&m, field, std::move(text))
            : r.SetString(&m, field, std::move(text));
        return true;
      }
      case JsonKind::kBool: {
        bool value = false;
        if (!Bool(value)) return false;
        add ? r.AddBool(&m, field, value) : r.SetBool(&m, field, value);
        return true;
      }
      case JsonKind::kEnum: {
        int number = 0;
        if (!EnumNumber(f, number)) return false;
        add ? r.AddEnumValue(&m, field, number)
            : r.SetEnumValue(&m, field, number);
        return true;
      }
      case JsonKind::kMessage:
        if (Peek() != '{') return false;
        return Object(
            *f.message,
            add ? *r.AddMessage(&m, field) : *r.MutableMessage(&m, field),
            depth + 1);
      case JsonKind::kInt32:
      case JsonKind::kInt64:
      case JsonKind::kUInt32:
      case JsonKind::kUInt64: {
        int64_t s = 0;
        uint64_t u = 0;
        if (!Integer(f.kind, s, u)) return false;
        SetInteger(f, m, r, s, u);
        return true;
      }
      case JsonKind::kUnsupported:
        return false;
    }
    return false;
  }

  static void SetInteger(const JsonField& f, pb::Message& m,
                         const pb::Reflection& r, int64_t s, uint64_t u) {
    const FieldDescriptor* field = f.field;
    const bool add = f.repeated;
    switch (f.kind) {
      case JsonKind::kInt32:
        add ? r.AddInt32(&m, field, static_cast<int32_t>(s))
            : r.SetInt32(&m, field, static_cast<int32_t>(s));
        break;
      case JsonKind::kInt64:
        add ? r.AddInt64(&m, field, s) : r.SetInt64(&m, field, s);
        break;
      case JsonKind::kUInt32:
        add ? r.AddUInt32(&m, field, static_cast<uint32_t>(u))
            : r.SetUInt32(&m, field, static_cast<uint32_t>(u));
        break;
      default:
        add ? r.AddUInt64(&m, field, u) : r.SetUInt64(&m, field, u);
        break;
    }
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
  bool EnumNumber(const JsonField& f, int& number) {
    std::string_view name;
    if (!Plain(name)) return false;
    for (const JsonEnumName& e : f.enum_names) {
      if (e.name == name) {
        number = e.number;
        return true;
      }
    }
    return false;
  }

  // An integer as a JSON number or in quotes: digits only, no sign on the
  // unsigned kinds, no leading zero, no fraction or exponent, in range.
  bool Integer(JsonKind kind, int64_t& s, uint64_t& u) {
    const bool quoted = Eat('"');
    const size_t from = at_;
    if (at_ < body_.size() && body_[at_] == '-') ++at_;
    const size_t digits = at_;
    while (at_ < body_.size() && body_[at_] >= '0' && body_[at_] <= '9') ++at_;
    const size_t n = at_ - digits;
    if (n == 0 || n > 20 || (n > 1 && body_[digits] == '0')) return false;
    if (digits > from && n == 1 && body_[digits] == '0') return false;  // -0
    const char* first = body_.data() + from;
    const char* last = body_.data() + at_;
    if (quoted && !Eat('"')) return false;
    if (!quoted && at_ < body_.size() &&
        (body_[at_] == '.' || body_[at_] == 'e' || body_[at_] == 'E'))
      return false;
    if (kind == JsonKind::kUInt32 || kind == JsonKind::kUInt64) {
      if (digits > from) return false;
      auto [end, ec] = std::from_chars(first, last, u);
      if (ec != std::errc() || end != last) return false;
      return kind == JsonKind::kUInt64 ||
             u <= std::numeric_limits<uint32_t>::max();
    }
    auto [end, ec] = std::from_chars(first, last, s);
    if (ec != std::errc() || end != last) return false;
    return kind == JsonKind::kInt64 ||
           (s >= std::numeric_limits<int32_t>::min() &&
            s <= std::numeric_limits<int32_t>::max());
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
        const size_t n = storage::keys::Utf8SequenceLength(body_, at_);
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
    if (!ReadHex4(body_, at_, cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!Eat('\\') || !Eat('u') || !ReadHex4(body_, at_, low) ||
          low < 0xDC00 || low > 0xDFFF)
        return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
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
  if (reader.Top(JsonFieldsOf(message.GetDescriptor()), message)) return true;
  message.Clear();
  return false;
}

}  // namespace carelog::gateway
