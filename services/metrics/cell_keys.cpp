#include "services/metrics/cell_keys.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <shared_mutex>

#include "carelog/events.pb.h"

namespace carelog::metrics {
namespace {

constexpr std::string_view kMetricNames[] = {
    "ae",  "apc", "apco", "apcs", "dd", "ddo", "ja", "jac",
    "nea", "nv",  "pa18", "pa65", "px", "rb",  "ur", "wd",
};
constexpr std::string_view kFieldNames[] = {"",   "num", "den", "nsd", "we",
                                            "wk", "all", "ag",  "re"};
// A name for every value of the enums (a value added without one would name
// its cells wrongly).
static_assert(std::size(kMetricNames) == static_cast<size_t>(Metric::kWd) + 1);
static_assert(std::size(kFieldNames) == static_cast<size_t>(Field::kRe) + 1);

void AppendPeriod(const CellKey& k, std::string& out) {
  switch (k.period) {
    case PeriodKind::kNone:
      return;
    case PeriodKind::kMonth:
      AppendYearDash(out, k.number, k.sub);
      return;
    case PeriodKind::kQuarter:
    case PeriodKind::kYear:
      AppendYearDash(out, k.number, (k.number + 1) % 100);
      if (k.period == PeriodKind::kQuarter)
        out.append("-Q").push_back(static_cast<char>('0' + k.sub));
      return;
  }
}

// An agency's or a reason's name (Enum: schema::Agency or schema::DelayReason):
// its value's, "UNRECORDED", or "" for kUnknownCode.
template <class Enum>
void AppendCode(int32_t code, std::string& out) {
  out.append(code == kUnrecordedCode
                 ? kUnrecorded
                 : Enum::Value_Name(static_cast<typename Enum::Value>(code)));
}

struct AreaRegistry {
  std::shared_mutex mu;
  Interner names;
};

AreaRegistry& Areas() {
  static AreaRegistry* registry = new AreaRegistry;  // never destroyed
  return *registry;
}

// The registry's number of `area` (numbered now if new).
uint32_t Registered(std::string_view area) {
  AreaRegistry& areas = Areas();
  {
    std::shared_lock lock(areas.mu);
    if (const uint32_t* id = areas.names.Find(area)) return *id;
  }
  std::unique_lock lock(areas.mu);
  return areas.names.Id(area);
}

}  // namespace

size_t CellKeyHash::operator()(const CellKey& k) const {
  uint64_t h = (static_cast<uint64_t>(k.area) << 32 |
                static_cast<uint64_t>(k.metric) << 24 |
                static_cast<uint64_t>(k.period) << 16 |
                static_cast<uint64_t>(k.field) << 8 | k.sub) *
               0x9e3779b97f4a7c15ULL;
  h ^= (static_cast<uint64_t>(static_cast<uint32_t>(k.number)) << 32 |
        static_cast<uint32_t>(k.code)) *
       0xbf58476d1ce4e5b9ULL;
  h ^= (static_cast<uint64_t>(static_cast<uint32_t>(k.code2)) << 32 |
        static_cast<uint32_t>(k.days)) *
       0x94d049bb133111ebULL;
  h ^= static_cast<uint64_t>(k.since) * 0x632be59bd9b4e019ULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

CellKey PeriodCell(uint32_t area, Metric metric, PeriodKind kind, Ymd ymd,
                   Field field) {
  CellKey k;
  k.area = area;
  k.metric = metric;
  k.period = kind;
  k.field = field;
  if (kind == PeriodKind::kMonth) {
    k.number = ymd.year;
    k.sub = static_cast<uint8_t>(ymd.month);
  } else {
    k.number = FinancialYearOf(ymd);
    // April-June is Q1
    if (kind == PeriodKind::kQuarter)
      k.sub = static_cast<uint8_t>(((ymd.month + 8) % 12) / 3 + 1);
  }
  return k;
}

void AppendCellRest(const CellKey& k, std::string& out) {
  out.append(kMetricNames[static_cast<size_t>(k.metric)]);
  switch (k.metric) {
    case Metric::kDdo:
      out.push_back('|');
      AppendCode<schema::Agency>(k.code, out);
      out.push_back('|');
      AppendCode<schema::DelayReason>(k.code2, out);
      out.append(1, '|').append(std::to_string(k.since));
      out.append(1, '|').append(std::to_string(k.days));
      return;
    case Metric::kApco:
    case Metric::kApcs:
      out.append(1, '|').append(std::to_string(k.number));
      if (k.metric == Metric::kApco)
        out.append(1, '|').push_back(static_cast<char>('0' + k.sub));
      return;
    default:
      break;
  }
  out.push_back('|');
  AppendPeriod(k, out);
  if (k.field == Field::kNone) return;
  out.append(1, '|').append(kFieldNames[static_cast<size_t>(k.field)]);
  if (k.field == Field::kAg) {
    out.push_back('|');
    AppendCode<schema::Agency>(k.code, out);
  } else if (k.field == Field::kRe) {
    out.push_back('|');
    AppendCode<schema::DelayReason>(k.code, out);
  }
}

std::string CellName(const CellKey& key) {
  std::string out = AreaName(key.area);
  out.push_back('|');
  AppendCellRest(key, out);
  return out;
}

const uint32_t* Interner::Find(std::string_view s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? nullptr : &it->second;
}

uint32_t Interner::Id(std::string_view s) {
  if (const uint32_t* id = Find(s)) return *id;
  const auto id = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(s);
  ids_.emplace(strings_.back(), id);
  return id;
}

uint32_t AreaId(std::string_view area) {
  // The area this thread asked for last (numbers never change): most events
  // are of the area of the event before.
  thread_local std::string last_area;
  thread_local uint32_t last_id = 0;
  thread_local bool known = false;
  if (known && area == last_area) return last_id;
  last_id = Registered(area);
  last_area.assign(area);
  known = true;
  return last_id;
}

const std::string& AreaName(uint32_t id) {
  AreaRegistry& areas = Areas();
  std::shared_lock lock(areas.mu);
  return areas.names.String(id);
}

const int64_t* FindCell(const CellList& cells, const CellKey& key) {
  auto it = std::lower_bound(
      cells.begin(), cells.end(), key,
      [](const auto& cell, const CellKey& k) { return cell.first < k; });
  return it != cells.end() && it->first == key ? &it->second : nullptr;
}

void ApplyDelta(CellList& totals, const CellList& delta) {
  if (delta.empty()) return;
  CellList out;
  out.reserve(totals.size() + delta.size());
  auto t = totals.begin();
  auto d = delta.begin();
  while (t != totals.end() || d != delta.end()) {
    if (d == delta.end() || (t != totals.end() && t->first < d->first)) {
      out.push_back(*t++);
    } else if (t == totals.end() || d->first < t->first) {
      if (d->second != 0) out.push_back(*d);
      ++d;
    } else {
      if (t->second + d->second != 0)
        out.emplace_back(t->first, t->second + d->second);
      ++t;
      ++d;
    }
  }
  totals = std::move(out);
}

CellNames::Name CellNames::Of(const CellKey& key) {
  if (const Name* name = names_.Find(key)) return *name;
  std::string rest;
  AppendCellRest(key, rest);
  const Name name{strings_.Id(AreaName(key.area)), strings_.Id(rest)};
  names_[key] = name;
  return name;
}

std::string CellNames::Full(const CellKey& key) {
  const Name name = Of(key);
  std::string out = strings_.String(name.area);
  out.push_back('|');
  out.append(strings_.String(name.rest));
  return out;
}

void CellNames::Clear() {
  names_.Clear();
  strings_ = Interner();
}

std::string EncodeAreaCells(CellList::const_iterator first,
                            CellList::const_iterator last, CellNames& names) {
  std::vector<std::pair<std::string_view, int64_t>> cells;
  cells.reserve(static_cast<size_t>(last - first));
  for (auto it = first; it != last; ++it)
    cells.emplace_back(names.Rest(it->first), it->second);
  return EncodeSortingCells(cells);
}

std::string EncodeSortingCells(
    std::vector<std::pair<std::string_view, int64_t>>& cells) {
  std::string out;
  AppendSortingCells(cells, out);
  return out;
}

void AppendSortingCells(
    std::vector<std::pair<std::string_view, int64_t>>& cells,
    std::string& out) {
  std::sort(cells.begin(), cells.end());
  size_t total = out.size();
  for (const auto& cell : cells) total += cell.first.size() + 16;
  out.reserve(total);
  for (const auto& [key, value] : cells) AppendEncodedCell(out, key, value);
}

Cells ToCells(const CellList& cells) {
  Cells out;
  for (const auto& [key, value] : cells) out.emplace(CellName(key), value);
  return out;
}

CellList CellListBuilder::Take() {
  CellList out;
  Take(out);
  return out;
}

void CellListBuilder::Take(CellList& out) {
  // In the order collected within a key (the last assignment wins).
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) {
              const auto by_key = a.key <=> b.key;
              return by_key != 0 ? by_key < 0 : a.order < b.order;
            });
  out.clear();
  out.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size();) {
    int64_t value = 0;
    size_t j = i;
    for (; j < entries_.size() && entries_[j].key == entries_[i].key; ++j)
      value = entries_[j].set ? entries_[j].value : value + entries_[j].value;
    if (value != 0) out.emplace_back(entries_[i].key, value);
    i = j;
  }
  entries_.clear();
  next_ = 0;
}

}  // namespace carelog::metrics
