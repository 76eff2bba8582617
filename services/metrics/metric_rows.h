// The keys and values of the metrics projection's rows (metrics_projection.h),
// shared by its log-order Apply and its person-by-person stream build so that
// both write the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace carelog::metrics::rows {

// v in lower-case hex, zero-padded to `width` digits (more digits when v
// needs them). Written by hand: it runs for every delta row of a rebuild.
inline std::string Hex(uint64_t v, int width) {
  int digits = 1;
  for (uint64_t rest = v >> 4; rest != 0; rest >>= 4) ++digits;
  std::string out(static_cast<size_t>(digits > width ? digits : width), '0');
  for (size_t i = out.size(); v != 0; v >>= 4) {
    out[--i] = "0123456789abcdef"[v & 0xf];
  }
  return out;
}

// c|<cell key> -> EncodeTotal(total)
inline std::string EncodeTotal(int64_t v) { return std::to_string(v); }

// d|<area>|<bucket>|: the prefix of the deltas of an area's bucket.
inline std::string DeltaPrefix(std::string_view area, uint64_t bucket) {
  return "d|" + std::string(area) + "|" + Hex(bucket, 8) + "|";
}
inline std::string DeltaKey(std::string_view area, uint64_t bucket,
                            uint64_t position) {
  return DeltaPrefix(area, bucket) + Hex(position, 16);
}

// s|<area>|<bucket>
inline std::string SnapshotKey(std::string_view area, uint64_t bucket) {
  return "s|" + std::string(area) + "|" + Hex(bucket, 8);
}

}  // namespace carelog::metrics::rows
