#include "storage/keys.h"

namespace carelog::storage::keys {

void AppendU64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

std::string EncodeU64(uint64_t v) {
  std::string s;
  AppendU64(&s, v);
  return s;
}

std::optional<uint64_t> DecodeU64(std::string_view in) {
  if (in.size() < 8) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

namespace {
constexpr uint64_t kSignBit = uint64_t{1} << 63;
}

void AppendI64(std::string* out, int64_t v) {
  AppendU64(out, static_cast<uint64_t>(v) ^ kSignBit);
}

std::string EncodeI64(int64_t v) {
  std::string s;
  AppendI64(&s, v);
  return s;
}

std::optional<int64_t> DecodeI64(std::string_view in) {
  auto u = DecodeU64(in);
  if (!u) return std::nullopt;
  return static_cast<int64_t>(*u ^ kSignBit);
}

Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty())
    return {Code::kInvalidArgument, std::string(what) + " name is empty"};
  if (name.find('\0') != std::string_view::npos) {
    return {Code::kInvalidArgument,
            std::string(what) + " name contains a NUL byte"};
  }
  return Status::Ok();
}

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Length of the sequence and the range of its second byte.
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;  // overlong
      if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;  // overlong
      if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
    }
    bool ok = len != 0 && i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (size_t k = 2; ok && k < len; ++k)
      ok = p[i + k] >= 0x80 && p[i + k] <= 0xbf;
    if (!ok) return i;
    i += len;
  }
  return std::nullopt;
}

Status CheckUtf8(std::string_view what, std::string_view text) {
  const std::optional<size_t> bad = FirstInvalidUtf8(text);
  if (!bad) return Status::Ok();
  return {Code::kInvalidArgument, std::string(what) +
                                      " is not valid UTF-8 (at byte " +
                                      std::to_string(*bad) + ")"};
}

std::string LogKey(uint64_t position) { return EncodeU64(position); }

std::string StreamPrefix(std::string_view stream) {
  std::string s(stream);
  s.push_back('\0');
  return s;
}

std::string StreamEnd(std::string_view stream) {
  std::string s(stream);
  s.push_back('\x01');
  return s;
}

std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string s;
  StreamKeyInto(&s, stream, version);
  return s;
}

void StreamKeyInto(std::string* out, std::string_view stream,
                   uint64_t version) {
  out->clear();
  out->reserve(stream.size() + 9);
  out->append(stream);
  out->push_back('\0');
  AppendU64(out, version);
}

std::optional<StreamKeyParts> ParseStreamKey(std::string_view key) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') return std::nullopt;
  return StreamKeyParts{key.substr(0, key.size() - 9),
                        *DecodeU64(key.substr(key.size() - 8))};
}

std::string TimeKey(int64_t recorded_at_micros, uint64_t position) {
  std::string s = EncodeI64(recorded_at_micros);
  AppendU64(&s, position);
  return s;
}

std::string ProjectionKey(std::string_view projection, std::string_view key) {
  std::string s = StreamPrefix(projection);
  s.append(key);
  return s;
}

std::string AuditSubjectKey(std::string_view subject, uint64_t id) {
  return StreamKey(subject, id);
}

std::optional<std::string> PrefixEnd(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto& c = reinterpret_cast<unsigned char&>(s.back());
    if (c != 0xff) {
      ++c;
      return s;
    }
    s.pop_back();
  }
  return std::nullopt;
}

std::string EncodeStreamRun(uint64_t first_position, uint64_t count) {
  std::string s = EncodeU64(first_position);
  AppendU64(&s, count);
  return s;
}

std::optional<StreamRun> DecodeStreamRun(std::string_view in) {
  if (in.size() != 16) return std::nullopt;
  StreamRun run{*DecodeU64(in), *DecodeU64(in.substr(8))};
  if (run.count == 0) return std::nullopt;
  return run;
}

std::string EncodeDedup(uint64_t position) { return EncodeU64(position); }

std::optional<uint64_t> DecodeDedup(std::string_view in) {
  if (in.size() != 8) return std::nullopt;
  return DecodeU64(in);
}

}  // namespace carelog::storage::keys
