// Time, dates and periods as SPEC.md "Calendar" defines them: instants,
// Europe/London local dates (BST from 01:00 UTC on the last Sunday of March to
// 01:00 UTC on the last Sunday of October), weekend days (Saturdays, Sundays,
// England and Wales bank holidays 2010-2030), financial years, quarters and
// months, and age in completed years.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace carelog {

// Microseconds since the Unix epoch, UTC.
using Instant = int64_t;

// A calendar date as days since 1970-01-01 (proleptic Gregorian).
struct Date {
  int32_t days = 0;
  auto operator<=>(const Date&) const = default;
};

struct Ymd {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

Date DateFromYmd(int year, int month, int day);
Ymd ToYmd(Date date);

// Parses YYYY-MM-DD; refuses impossible dates (2014-02-30).
Result<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);  // YYYY-MM-DD

// Parses RFC 3339 with an offset (Z or +hh:mm / -hh:mm), optional fractional
// seconds.
Result<Instant> ParseRfc3339(std::string_view text);
// RFC 3339 in UTC with a Z, to the second unless micros are non-zero.
std::string FormatRfc3339Utc(Instant instant);
// RFC 3339 in Europe/London local time with its offset (+00:00 or +01:00).
std::string FormatRfc3339London(Instant instant);

// True when the instant falls in British Summer Time.
bool IsBst(Instant instant);
// The Europe/London local date of an instant.
Date LondonDate(Instant instant);
// The instant of local midnight at the start of a London date (00:00 local).
Instant LondonStartOfDay(Date date);
// The first London date whose ending midnight is at or after `instant`: the
// first day a change made at `instant` (a delay record, a move) is seen at the
// midnight that ends it ("at or before it", SPEC.md "Delayed days"). A change
// at exactly 00:00 is seen at the midnight that ends the day before.
Date FirstDayEndingAtOrAfter(Instant instant);

bool IsBankHoliday(Date date);  // England and Wales, 2010-2030
bool IsWeekendDay(Date date);   // Saturday, Sunday or a bank holiday
int DayOfWeek(Date date);       // 0 = Monday ... 6 = Sunday

// Completed years on `on` for someone born on `birth` (a 29 February birthday
// falls on 1 March in other years).
int AgeOn(Date birth, Date on);

// A reporting period: a financial year (2014-15), a quarter (2014-15-Q1) or a
// month (2014-04).
struct Period {
  enum class Kind { kYear, kQuarter, kMonth };
  Kind kind = Kind::kMonth;
  Date first;  // first day, inclusive
  Date last;   // last day, inclusive
  int financial_year =
      0;  // the calendar year the financial year starts in (2014 for 2014-15)
  int months = 1;     // 12, 3 or 1
  std::string label;  // canonical text, e.g. "2014-15-Q1"

  bool Contains(Date d) const { return first <= d && d <= last; }
};

Result<Period> ParsePeriod(std::string_view text);
// A financial year such as 2015-16 (the {year} of plans and payments);
// kInvalidArgument naming the field "year" for anything else.
Result<Period> ParseFinancialYear(std::string_view text);
Period MonthPeriod(int year, int month);
Period QuarterPeriod(int financial_year, int quarter);  // quarter 1..4
Period YearPeriod(int financial_year);
// The financial year (start calendar year) a date belongs to.
int FinancialYearOf(Date date);
int FinancialYearOf(Ymd ymd);

}  // namespace carelog
