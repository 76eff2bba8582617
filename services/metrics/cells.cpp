#include "services/metrics/cells.h"

#include <cstdio>

#include "carelog/projection.pb.h"

namespace carelog::metrics {

std::string MonthLabel(Date d) {
  Ymd ymd = ToYmd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", ymd.year, ymd.month);
  return buf;
}

std::string YearLabel(Date d) {
  int fy = FinancialYearOf(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", fy, (fy + 1) % 100);
  return buf;
}

std::string QuarterLabel(Date d) {
  int month = ToYmd(d).month;
  int quarter = ((month + 8) % 12) / 3 + 1;  // April-June is Q1
  return YearLabel(d) + "-Q" + std::to_string(quarter);
}

int MonthIndex(Date d) {
  Ymd ymd = ToYmd(d);
  return ymd.year * 12 + ymd.month - 1;
}

Instant MonthEndInstant(int month_index) {
  int next = month_index + 1;
  return LondonStartOfDay(DateFromYmd(next / 12, next % 12 + 1, 1));
}

Cells Diff(const Cells& old_cells, const Cells& new_cells) {
  Cells delta;
  auto o = old_cells.begin();
  auto n = new_cells.begin();
  while (o != old_cells.end() || n != new_cells.end()) {
    if (n == new_cells.end() || (o != old_cells.end() && o->first < n->first)) {
      if (o->second != 0) delta.emplace(o->first, -o->second);
      ++o;
    } else if (o == old_cells.end() || n->first < o->first) {
      if (n->second != 0) delta.emplace(n->first, n->second);
      ++n;
    } else {
      if (n->second != o->second)
        delta.emplace(n->first, n->second - o->second);
      ++o;
      ++n;
    }
  }
  return delta;
}

void ApplyDelta(Cells& totals, const Cells& delta) {
  for (const auto& [key, value] : delta) {
    auto it = totals.find(key);
    if (it == totals.end()) {
      if (value != 0) totals.emplace(key, value);
    } else {
      it->second += value;
      if (it->second == 0) totals.erase(it);
    }
  }
}

std::string EncodeCells(const Cells& cells) {
  schema::MetricCellSet set;
  for (const auto& [key, value] : cells) {
    schema::MetricCell* c = set.add_cells();
    c->set_key(key);
    c->set_value(value);
  }
  return set.SerializeAsString();
}

bool DecodeCells(std::string_view bytes, Cells& out) {
  schema::MetricCellSet set;
  if (!set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return false;
  out.clear();
  for (const schema::MetricCell& c : set.cells()) out[c.key()] += c.value();
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
