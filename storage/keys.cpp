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

size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  const unsigned b0 = byte(0);
  if (b0 < 0x80) return 1;
  const auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    const unsigned b = byte(k);  // 0 past the end, below every lo
    return b >= lo && b <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;  // overlong
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
    return cont(1) && cont(2) ? 3 : 0;
  if (b0 == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // surrogates
  if (b0 == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 == 0xF4)  // nothing above U+10FFFF
    return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return i;
    i += n;
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

std::optional<StreamRun> DecodeStreamRun(uint64_t first_version,
                                         std::string_view value) {
  if (value.size() != 16) return std::nullopt;
  StreamRun run{first_version, *DecodeU64(value), *DecodeU64(value.substr(8))};
  if (run.count == 0) return std::nullopt;
  return run;
}

std::optional<StreamEntry> DecodeStreamEntry(std::string_view key,
                                             std::string_view value) {
  auto parts = ParseStreamKey(key);
  if (!parts) return std::nullopt;
  auto run = DecodeStreamRun(parts->version, value);
  if (!run) return std::nullopt;
  return StreamEntry{parts->stream, *run};
}

std::string EncodeDedup(uint64_t position) { return EncodeU64(position); }

std::optional<uint64_t> DecodeDedup(std::string_view in) {
  if (in.size() != 8) return std::nullopt;
  return DecodeU64(in);
}

}  // namespace carelog::storage::keys
