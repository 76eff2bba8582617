// Metric cells keyed by numbers: the form in which a person's contribution and
// an event's delta are computed, stepped and summed, event by event. A key's
// string (cells.h: "<area>|<component>|<rest>") is built only where a row is
// written or a view answered: building, copying and comparing those strings
// (each a heap string and a map node) was most of the metrics' cost an event.
// The order of CellKeys is not the order of their strings: whatever writes
// cells in key order sorts them by their strings first.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "services/calendar.h"
#include "services/flat_map.h"
#include "services/metrics/cells.h"

namespace carelog::metrics {

// The component of a cell (cells.h lists them).
enum class Metric : uint8_t {
  kAe,
  kApc,
  kApco,
  kApcs,
  kDd,
  kDdo,
  kJa,
  kJac,
  kNea,
  kNv,
  kPa18,
  kPa65,
  kPx,
  kRb,
  kUr,
  kWd,
};
// The field after a cell's period ("num", "den", ... or the delay's "ag" and
// "re" followed by the agency's or reason's name).
enum class Field : uint8_t {
  kNone,
  kNum,
  kDen,
  kNsd,
  kWe,
  kWk,
  kAll,
  kAg,
  kRe
};
// The period of a cell's label: its month, quarter or financial year.
enum class PeriodKind : uint8_t { kNone, kMonth, kQuarter, kYear };

// The agency and reason of a delay without a delay record, and the code
// (agency or reason) that stands for it.
inline constexpr char kUnrecorded[] = "UNRECORDED";
inline constexpr int32_t kUnrecordedCode = std::numeric_limits<int32_t>::min();
// An agency or reason code this build's schema does not name: all such codes
// are one cell, whose name prints "" (protobuf's Value_Name of an unknown
// value), as the cells keyed by strings always merged them.
inline constexpr int32_t kUnknownCode = kUnrecordedCode + 1;

struct CellKey {
  uint32_t area = 0;  // AreaId
  Metric metric = Metric::kAe;
  PeriodKind period = PeriodKind::kNone;
  Field field = Field::kNone;
  // The month (1-12) or quarter (1-4) of the period; apco's 0 or 1.
  uint8_t sub = 0;
  // The period's year (calendar for a month, financial for a quarter or
  // year); apco's and apcs's month index.
  int32_t number = 0;
  int32_t code = 0;   // dd's agency or reason, ddo's agency (enum values)
  int32_t code2 = 0;  // ddo's reason
  int32_t days = 0;   // ddo's adult-from date
  int64_t since = 0;  // ddo's instant
  auto operator<=>(const CellKey&) const = default;
};

struct CellKeyHash {
  size_t operator()(const CellKey& k) const;
};

// The key of `metric`'s cell in `area` for the period of `kind` that holds
// the date `ymd` (Field::kNone: no field).
CellKey PeriodCell(uint32_t area, Metric metric, PeriodKind kind, Ymd ymd,
                   Field field = Field::kNone);

// The key's string without "<area>|" (appended to `out`), and whole.
void AppendCellRest(const CellKey& key, std::string& out);
std::string CellName(const CellKey& key);

// Strings numbered in the order first seen. Not thread-safe.
class Interner {
 public:
  Interner() = default;
  // A copy's ids_ would view the source's strings; a move takes the deque's
  // blocks, so the strings (and the views of them) stay where they are.
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;
  Interner(Interner&&) = default;
  Interner& operator=(Interner&&) = default;
  uint32_t Id(std::string_view s);
  const uint32_t* Find(std::string_view s) const;  // null when not numbered
  const std::string& String(uint32_t id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  std::deque<std::string> strings_;  // stable: ids_ keys point into them
  std::unordered_map<std::string_view, uint32_t, Hash, std::equal_to<>> ids_;
};

// Areas numbered for the whole process (a CellKey's area). Thread-safe; the
// name's reference stays valid.
uint32_t AreaId(std::string_view area);
const std::string& AreaName(uint32_t id);

// AreaId of one area after another, looked up again only when the string is
// another object (an area of one person's facts, say).
class AreaNumbers {
 public:
  uint32_t Of(const std::string& area) {
    if (&area != last_) {
      id_ = AreaId(area);
      last_ = &area;
    }
    return id_;
  }

 private:
  const std::string* last_ = nullptr;
  uint32_t id_ = 0;
};

// Cells in CellKey order, each key once, none zero.
using CellList = std::vector<std::pair<CellKey, int64_t>>;

// The cell's value, or null.
const int64_t* FindCell(const CellList& cells, const CellKey& key);
// totals += delta, dropping cells that reach zero.
void ApplyDelta(CellList& totals, const CellList& delta);
// The same cells keyed by their strings.
Cells ToCells(const CellList& cells);

// Calls fn(area, first, last) for each area's run [first, last) of cells.
template <class Fn>
void ForEachAreaRun(const CellList& cells, Fn&& fn) {
  for (auto first = cells.begin(); first != cells.end();) {
    auto last = first;
    while (last != cells.end() && last->first.area == first->first.area) ++last;
    fn(first->first.area, first, last);
    first = last;
  }
}

// The strings of cell keys, each built once: the numbers (in strings()) of a
// key's area and of its string without "<area>|". Not thread-safe.
class CellNames {
 public:
  struct Name {
    uint32_t area, rest;
  };
  Name Of(const CellKey& key);
  const std::string& Rest(const CellKey& key) {
    return strings_.String(Of(key).rest);
  }
  std::string Full(const CellKey& key);  // CellName(key)
  const Interner& strings() const { return strings_; }
  size_t size() const { return names_.size(); }
  void Clear();

 private:
  Interner strings_;
  FlatMap<CellKey, Name, CellKeyHash> names_;
};

// One area's cells [first, last) as EncodeCells writes them keyed without
// "<area>|" (in the order of those strings).
std::string EncodeAreaCells(CellList::const_iterator first,
                            CellList::const_iterator last, CellNames& names);
// Cells keyed without their area, in any order: sorted by key, then encoded
// as EncodeCells.
std::string EncodeSortingCells(
    std::vector<std::pair<std::string_view, int64_t>>& cells);
// The same appended to `out`.
void AppendSortingCells(
    std::vector<std::pair<std::string_view, int64_t>>& cells, std::string& out);

// Collects cells in any order, then sums them into a CellList.
class CellListBuilder {
 public:
  void Add(const CellKey& key, int64_t value) { Push({key, value, 0, false}); }
  // Assigns: the cell's value is the last assigned (for keys that are only
  // ever assigned).
  void Set(const CellKey& key, int64_t value) { Push({key, value, 0, true}); }
  bool empty() const { return entries_.empty(); }
  // The cells collected, without zeros; the builder is left empty.
  CellList Take();
  // The same into `out` (replacing what it held, keeping its capacity).
  void Take(CellList& out);

 private:
  struct Entry {
    CellKey key;
    int64_t value;
    uint32_t order;  // of collection
    bool set;
  };
  void Push(Entry e) {
    // Room for a contribution's usual cells at once, not by doubling.
    if (entries_.empty()) entries_.reserve(kFirstEntries);
    e.order = next_++;
    entries_.push_back(e);
  }
  static constexpr size_t kFirstEntries = 16;
  std::vector<Entry> entries_;
  uint32_t next_ = 0;
};

}  // namespace carelog::metrics
