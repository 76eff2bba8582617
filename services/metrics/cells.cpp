#include "services/metrics/cells.h"

#include <cstdio>
#include <vector>

namespace carelog::metrics {

void AppendYearDash(std::string& out, int year, int two) {
  if (year < 0 || year > 9999 || two < 0 || two > 99) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, two);
    out.append(buf);
    return;
  }
  const size_t at = out.size();
  out.append(7, '0');
  out[at] = static_cast<char>('0' + year / 1000);
  out[at + 1] = static_cast<char>('0' + year / 100 % 10);
  out[at + 2] = static_cast<char>('0' + year / 10 % 10);
  out[at + 3] = static_cast<char>('0' + year % 10);
  out[at + 4] = '-';
  out[at + 5] = static_cast<char>('0' + two / 10);
  out[at + 6] = static_cast<char>('0' + two % 10);
}

std::string MonthLabel(Date d) {
  Ymd ymd = ToYmd(d);
  std::string out;
  AppendYearDash(out, ymd.year, ymd.month);
  return out;
}

std::string YearLabel(Date d) {
  int fy = FinancialYearOf(d);
  std::string out;
  AppendYearDash(out, fy, (fy + 1) % 100);
  return out;
}

int MonthIndex(Date d) { return MonthIndex(ToYmd(d)); }

int MonthIndex(Ymd ymd) { return ymd.year * 12 + ymd.month - 1; }

Instant MonthEndInstant(int month_index) {
  auto compute = [](int index) {
    const int next = index + 1;
    return LondonStartOfDay(DateFromYmd(next / 12, next % 12 + 1, 1));
  };
  // The months anyone asks about computed once: every event's nv cells ask
  // for the ends of its month, quarter and year.
  constexpr int kFirst = 1900 * 12, kLast = 2200 * 12 + 11;
  static const std::vector<Instant> table = [&] {
    std::vector<Instant> t;
    for (int i = kFirst; i <= kLast; ++i) t.push_back(compute(i));
    return t;
  }();
  return month_index >= kFirst && month_index <= kLast
             ? table[static_cast<size_t>(month_index - kFirst)]
             : compute(month_index);
}

void ApplyDelta(Cells& totals, const Cells& delta) {
  for (const auto& [key, value] : delta) {
    // One search: a new key goes in where it was not found.
    auto it = totals.lower_bound(key);
    if (it == totals.end() || it->first != key) {
      if (value != 0) totals.emplace_hint(it, key, value);
    } else {
      it->second += value;
      if (it->second == 0) totals.erase(it);
    }
  }
}

// EncodeCells/DecodeCells write and read schema::MetricCellSet's wire format
// directly (MetricCell{key = 1: string, value = 2: sint64}, repeated as field
// 1): the same bytes as protobuf's serializer, without building messages, as
// they run for every event of a rebuild and every delta of an as-of read.
namespace {

// Writes v at `out` (10 bytes at most); returns the bytes written.
size_t PutVarint(char* out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<char>(v);
  return n;
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return true;
  }
  return false;
}

bool GetLengthDelimited(std::string_view& in, std::string_view& out) {
  uint64_t n;
  if (!GetVarint(in, n) || n > in.size()) return false;
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

// One MetricCell message into (key, value).
bool DecodeCell(std::string_view in, std::string_view& key, int64_t& value) {
  key = {};
  value = 0;
  while (!in.empty()) {
    uint64_t tag;
    if (!GetVarint(in, tag)) return false;
    if (tag == 0x0a) {
      if (!GetLengthDelimited(in, key)) return false;
    } else if (tag == 0x10) {
      uint64_t v;
      if (!GetVarint(in, v)) return false;
      value = UnZigZag(v);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

void AppendEncodedCell(std::string& out, std::string_view key, int64_t value) {
  const uint64_t zigzag = ZigZag(value);
  size_t inner = 1 + VarintSize(key.size()) + key.size();
  if (value != 0) inner += 1 + VarintSize(zigzag);
  // Each part's bytes made in a buffer and appended at once: this runs for
  // every cell of every row of a rebuild.
  char bytes[24];
  size_t n = 0;
  bytes[n++] = 0x0a;
  n += PutVarint(bytes + n, inner);
  bytes[n++] = 0x0a;
  n += PutVarint(bytes + n, key.size());
  out.append(bytes, n).append(key);
  if (value != 0) {
    n = 0;
    bytes[n++] = 0x10;
    n += PutVarint(bytes + n, zigzag);
    out.append(bytes, n);
  }
}

std::string EncodeCells(const Cells& cells) {
  std::string out;
  size_t total = 0;
  for (const auto& [key, value] : cells) total += key.size() + 16;
  out.reserve(total);
  for (const auto& [key, value] : cells) AppendEncodedCell(out, key, value);
  return out;
}

bool DecodeCells(std::string_view bytes, Cells& out) {
  out.clear();
  while (!bytes.empty()) {
    uint64_t tag;
    std::string_view cell, key;
    int64_t value;
    if (!GetVarint(bytes, tag) || tag != 0x0a ||
        !GetLengthDelimited(bytes, cell) || !DecodeCell(cell, key, value)) {
      return false;
    }
    auto it = out.find(key);
    if (it == out.end()) {
      out.emplace_hint(out.end(), std::string(key), value);
    } else {
      it->second += value;
    }
  }
  return true;
}

Cells CellsOfArea(const Cells& all, std::string_view area) {
  Cells out;
  std::string prefix = std::string(area) + "|";
  for (auto it = all.lower_bound(prefix); it != all.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.emplace(it->first.substr(prefix.size()), it->second);
  }
  return out;
}

}  // namespace carelog::metrics
