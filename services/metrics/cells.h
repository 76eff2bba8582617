// Metric cells: integer totals keyed "<area>|<component>|<rest>", the unit in
// which a person's contribution, a position's delta and an area's totals are
// kept. Components (rest in brackets):
//   nea|<month>                      non-elective admissions
//   ae|<month>                       A&E attendances
//   pa65|<period> pa18|<period>      people admitted permanently (month,
//   quarter and year cells) rb|<month>|num|den               reablement
//   discharges (Oct-Dec) and those at home on day 91 dd|<month>|ag|<agency>
//   closed delayed days by agency dd|<month>|re|<reason>           ... and by
//   reason ddo|<agency>|<reason>|<since micros>|<adult-from date days>   open
//   delays (count per key) px|<month>|num|den               experience surveys
//   (positive) nv|<period>|num|den              people with an event (verified
//   at the period's end) apc|<month>|num|den|nsd          integrated packages
//   open at the month's end (with an
//                                    accountable professional; sum of start
//                                    dates of those without)
//   apco|<month index>|<0/1>         packages open from that month's end
//   onwards (with/without) apcs|<month index>               sum of start dates
//   of the open ones without jac|<month>|num|den              integrated
//   packages started (with a completed assessment) wd|<month>|we|wk discharges
//   on weekend days / on other days ur|<month>|num|den               urgent
//   referrals (answered within 24 hours) ja|<month>|we|all                joint
//   assessments started (on weekend days)
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "services/calendar.h"

namespace carelog::metrics {

using Cells = std::map<std::string, int64_t, std::less<>>;

// Labels of the month and the financial year a date falls in: "2014-04",
// "2014-15" (a quarter's, "2014-15-Q1", is made by cell_keys.h's PeriodCell).
std::string MonthLabel(Date d);
std::string YearLabel(Date d);
// "YYYY-NN" ("%04d-%02d") appended to `out`: a month's label (year, month), a
// financial year's (year, (year + 1) % 100).
void AppendYearDash(std::string& out, int year, int two);
// Months since year 0 (year * 12 + month - 1): orders months as numbers.
int MonthIndex(Date d);
int MonthIndex(Ymd ymd);
// The instant of the midnight that ends the month with this index (00:00 London
// on the 1st of the next month).
Instant MonthEndInstant(int month_index);

// new - old for every key where they differ (a missing key counts as 0; no
// zero entries), for Cells and any other sorted (key, value) sequence.
template <class Sorted>
Sorted Diff(const Sorted& old_cells, const Sorted& new_cells) {
  Sorted delta;
  auto o = old_cells.begin();
  auto n = new_cells.begin();
  while (o != old_cells.end() || n != new_cells.end()) {
    if (n == new_cells.end() || (o != old_cells.end() && o->first < n->first)) {
      if (o->second != 0) delta.insert(delta.end(), {o->first, -o->second});
      ++o;
    } else if (o == old_cells.end() || n->first < o->first) {
      if (n->second != 0) delta.insert(delta.end(), {n->first, n->second});
      ++n;
    } else {
      if (n->second != o->second)
        delta.insert(delta.end(), {n->first, n->second - o->second});
      ++o;
      ++n;
    }
  }
  return delta;
}
// totals += delta, erasing keys that reach zero.
void ApplyDelta(Cells& totals, const Cells& delta);

// Serialized as a schema::MetricCellSet; Decode returns false for bytes that do
// not parse.
std::string EncodeCells(const Cells& cells);
bool DecodeCells(std::string_view bytes, Cells& out);
// One cell as EncodeCells writes it, appended to `out` (an encoding is the
// concatenation of its cells in key order).
void AppendEncodedCell(std::string& out, std::string_view key, int64_t value);

// The cells of one area with the "<area>|" prefix removed.
Cells CellsOfArea(const Cells& all, std::string_view area);

}  // namespace carelog::metrics
