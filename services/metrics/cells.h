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

// Labels of the periods a date falls in: "2014-04", "2014-15-Q1", "2014-15".
std::string MonthLabel(Date d);
std::string QuarterLabel(Date d);
std::string YearLabel(Date d);
// Months since year 0 (year * 12 + month - 1): orders months as numbers.
int MonthIndex(Date d);
// The instant of the midnight that ends the month with this index (00:00 London
// on the 1st of the next month).
Instant MonthEndInstant(int month_index);

// new - old for every key where they differ (a missing key counts as 0; no
// zero entries).
Cells Diff(const Cells& old_cells, const Cells& new_cells);
// totals += delta, erasing keys that reach zero.
void ApplyDelta(Cells& totals, const Cells& delta);

// Serialized as a schema::MetricCellSet; Decode returns false for bytes that do
// not parse.
std::string EncodeCells(const Cells& cells);
bool DecodeCells(std::string_view bytes, Cells& out);
// The cells of [first, last) with the first `strip` characters of each key
// removed (as EncodeCells of those cells).
std::string EncodeCells(Cells::const_iterator first, Cells::const_iterator last,
                        size_t strip);

// The cells of one area with the "<area>|" prefix removed.
Cells CellsOfArea(const Cells& all, std::string_view area);

// Calls fn(area, first, last) for each area's run of cells (keys are sorted,
// so an area's "<area>|..." keys are one run [first, last)).
template <class Fn>
void ForEachArea(const Cells& cells, Fn&& fn) {
  for (auto first = cells.begin(); first != cells.end();) {
    std::string_view area(first->first);
    area = area.substr(0, area.find('|'));
    const size_t prefix = area.size() + 1;
    auto last = first;
    while (last != cells.end() &&
           last->first.compare(0, prefix, area.data(), prefix) == 0) {
      ++last;
    }
    fn(area, first, last);
    first = last;
  }
}

}  // namespace carelog::metrics
