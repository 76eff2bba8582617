// services/calendar.h's bank holidays of England and Wales and weekend days.
#include <set>

#include "services/calendar.h"
#include "services/calendar_detail.h"

namespace carelog {
namespace {

using calendar_detail::DaysInMonth;

Date FirstMonday(int year, int month) {
  Date first = DateFromYmd(year, month, 1);
  return Date{first.days + (7 - DayOfWeek(first)) % 7};
}

Date LastMonday(int year, int month) {
  Date last = DateFromYmd(year, month, DaysInMonth(year, month));
  return Date{last.days - DayOfWeek(last)};
}

// Easter Sunday of the Gregorian calendar (the anonymous Gregorian computus).
Date EasterSunday(int year) {
  int a = year % 19;
  int b = year / 100;
  int c = year % 100;
  int d = b / 4;
  int e = b % 4;
  int f = (b + 8) / 25;
  int g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4;
  int k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = (h + l - 7 * m + 114) % 31 + 1;
  return DateFromYmd(year, month, day);
}

std::set<int32_t> BankHolidaysOf(int year) {
  std::set<int32_t> days;
  auto add = [&days](Date d) { days.insert(d.days); };

  // New Year's Day, on the next Monday when it falls at a weekend.
  Date new_year = DateFromYmd(year, 1, 1);
  int dow = DayOfWeek(new_year);
  add(dow == 5   ? Date{new_year.days + 2}
      : dow == 6 ? Date{new_year.days + 1}
                 : new_year);

  Date easter = EasterSunday(year);
  add(Date{easter.days - 2});  // Good Friday
  add(Date{easter.days + 1});  // Easter Monday

  // Early May: first Monday of May; in 2020 moved to Friday 8 May for VE day.
  add(year == 2020 ? DateFromYmd(2020, 5, 8) : FirstMonday(year, 5));

  // Spring: last Monday of May; moved in the Diamond and Platinum Jubilee
  // years.
  if (year == 2012) {
    add(DateFromYmd(2012, 6, 4));
    add(DateFromYmd(2012, 6, 5));
  } else if (year == 2022) {
    add(DateFromYmd(2022, 6, 2));
    add(DateFromYmd(2022, 6, 3));
  } else {
    add(LastMonday(year, 5));
  }

  add(LastMonday(year, 8));  // Summer

  // Christmas Day and Boxing Day with substitute days.
  Date christmas = DateFromYmd(year, 12, 25);
  switch (DayOfWeek(christmas)) {
    case 4:  // Friday: Boxing Day (Saturday) moves to Monday 28
      add(christmas);
      add(Date{christmas.days + 3});
      break;
    case 5:  // Saturday: Monday 27 and Tuesday 28
      add(Date{christmas.days + 2});
      add(Date{christmas.days + 3});
      break;
    case 6:  // Sunday: Boxing Day Monday 26, Christmas substitute Tuesday 27
      add(Date{christmas.days + 1});
      add(Date{christmas.days + 2});
      break;
    default:
      add(christmas);
      add(Date{christmas.days + 1});
  }

  // One-off holidays.
  if (year == 2011) add(DateFromYmd(2011, 4, 29));  // royal wedding
  if (year == 2022)
    add(DateFromYmd(2022, 9, 19));  // state funeral of Queen Elizabeth II
  if (year == 2023)
    add(DateFromYmd(2023, 5, 8));  // coronation of King Charles III
  return days;
}

}  // namespace

bool IsBankHoliday(Date date) {
  // A table for the years anyone asks about; other years are computed on each
  // call.
  constexpr int kFirstYear = 2000;
  constexpr int kLastYear = 2060;
  static const std::vector<bool> table = [] {
    Date first = DateFromYmd(kFirstYear, 1, 1);
    std::vector<bool> t(static_cast<size_t>(
        DateFromYmd(kLastYear + 1, 1, 1).days - first.days));
    for (int year = kFirstYear; year <= kLastYear; ++year) {
      for (int32_t d : BankHolidaysOf(year))
        t[static_cast<size_t>(d - first.days)] = true;
    }
    return t;
  }();
  int32_t index = date.days - DateFromYmd(kFirstYear, 1, 1).days;
  if (index >= 0 && static_cast<size_t>(index) < table.size()) {
    return table[static_cast<size_t>(index)];
  }
  return BankHolidaysOf(ToYmd(date).year).contains(date.days);
}

bool IsWeekendDay(Date date) {
  return DayOfWeek(date) >= 5 || IsBankHoliday(date);
}

}  // namespace carelog
