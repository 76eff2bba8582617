// The keys and values of the metrics projection's rows (metrics_projection.h),
// shared by its log-order Apply and its person-by-person stream build so that
// both write the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace carelog::metrics::rows {

// Appends v in lower-case hex, zero-padded to `width` digits (more digits
// when v needs them). Written by hand: it runs for every delta row of a
// rebuild.
inline void AppendHex(std::string& out, uint64_t v, int width) {
  int digits = 1;
  for (uint64_t rest = v >> 4; rest != 0; rest >>= 4) ++digits;
  const size_t start = out.size();
  out.append(static_cast<size_t>(digits > width ? digits : width), '0');
  for (size_t i = out.size(); v != 0 && i > start; v >>= 4) {
    out[--i] = "0123456789abcdef"[v & 0xf];
  }
}
inline std::string Hex(uint64_t v, int width) {
  std::string out;
  AppendHex(out, v, width);
  return out;
}

// c|<cell key> -> EncodeTotal(total)
inline std::string EncodeTotal(int64_t v) { return std::to_string(v); }

// d|<area>|<bucket>|: the prefix of the deltas of an area's bucket.
inline std::string DeltaPrefix(std::string_view area, uint64_t bucket) {
  std::string key;
  key.reserve(area.size() + 12);
  key.append("d|").append(area).append(1, '|');
  AppendHex(key, bucket, 8);
  key.append(1, '|');
  return key;
}
inline void AppendDeltaKey(std::string& out, std::string_view area,
                           uint64_t bucket, uint64_t position) {
  out.append("d|").append(area).append(1, '|');
  AppendHex(out, bucket, 8);
  out.append(1, '|');
  AppendHex(out, position, 16);
}
inline std::string DeltaKey(std::string_view area, uint64_t bucket,
                            uint64_t position) {
  std::string key;
  key.reserve(area.size() + 28);
  AppendDeltaKey(key, area, bucket, position);
  return key;
}

// s|<area>|<bucket>
inline std::string SnapshotKey(std::string_view area, uint64_t bucket) {
  std::string key;
  key.reserve(area.size() + 11);
  key.append("s|").append(area).append(1, '|');
  AppendHex(key, bucket, 8);
  return key;
}

}  // namespace carelog::metrics::rows
