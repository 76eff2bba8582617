// services/calendar.h's dates, instants and Europe/London time (bank holidays
// in bank_holidays.cpp, periods in periods.cpp).
#include "services/calendar.h"

#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "services/calendar_detail.h"

namespace carelog {

using calendar_detail::DaysInMonth;
using calendar_detail::Expect;
using calendar_detail::Invalid;
using calendar_detail::ReadDigits;

namespace {

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The last Sunday of a month.
Date LastSunday(int year, int month) {
  Date last = DateFromYmd(year, month, DaysInMonth(year, month));
  return Date{last.days - (DayOfWeek(last) + 1) % 7};
}

std::string FormatRfc3339WithOffset(Instant instant, int offset_hours) {
  Instant local = instant + offset_hours * kMicrosPerHour;
  int64_t day = FloorDiv(local, kMicrosPerDay);
  int64_t in_day = local - day * kMicrosPerDay;
  Ymd ymd = ToYmd(Date{static_cast<int32_t>(day)});
  int64_t seconds = in_day / kMicrosPerSecond;
  int64_t micros = in_day % kMicrosPerSecond;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", ymd.year,
                ymd.month, ymd.day, static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  std::string out = buf;
  if (micros != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(micros));
    out += buf;
  }
  return out;
}

}  // namespace

namespace calendar_detail {

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

Status Invalid(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message));
}

bool ReadDigits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  *out = value;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace calendar_detail

Date DateFromYmd(int year, int month, int day) {
  // Days from 1970-01-01 in the proleptic Gregorian calendar, counting eras of
  // 400 years.
  int y = month <= 2 ? year - 1 : year;
  int era = (y >= 0 ? y : y - 399) / 400;
  int year_of_era = y - era * 400;
  int shifted_month = month > 2 ? month - 3 : month + 9;  // March = 0
  int day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  int day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return Date{era * 146097 + day_of_era - 719468};
}

Ymd ToYmd(Date date) {
  int z = date.days + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int day_of_era = z - era * 146097;
  int year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
                     day_of_era / 146096) /
                    365;
  int day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int shifted_month = (5 * day_of_year + 2) / 153;
  Ymd out;
  out.day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  out.month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  out.year = year_of_era + era * 400 + (out.month <= 2 ? 1 : 0);
  return out;
}

Result<Date> ParseDate(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day) || pos != text.size()) {
    return Invalid(std::string("'").append(text) +
                   "' is not a date of the form YYYY-MM-DD");
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return Invalid(std::string("'").append(text) +
                   "' is not a real calendar date");
  }
  return DateFromYmd(year, month, day);
}

std::string FormatDate(Date date) {
  Ymd ymd = ToYmd(date);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", ymd.year, ymd.month,
                ymd.day);
  return buf;
}

Result<Instant> ParseRfc3339(std::string_view text) {
  auto bad = [&text](std::string_view why) {
    return Invalid(std::string("'").append(text) +
                   "' is not an RFC 3339 time with offset (" +
                   std::string(why) + "), e.g. 2014-06-07T10:15:00+01:00");
  };
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day)) {
    return bad("the date must be YYYY-MM-DD");
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) {
    return bad("a 'T' and a time of day must follow the date");
  }
  ++pos;
  if (!ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return bad("the time of day must be hh:mm:ss");
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return bad("no such calendar date");
  }
  if (hour > 23 || minute > 59 || second > 59)
    return bad("no such time of day");
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        micros += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9)
      return bad("fractional seconds need 1 to 9 digits");
  }
  if (pos >= text.size()) return bad("the offset is missing: add Z or +hh:mm");
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!ReadDigits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &om) || oh > 23 || om > 59) {
      return bad("the offset must be Z or +hh:mm / -hh:mm");
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return bad("the offset must be Z or +hh:mm / -hh:mm");
  }
  if (pos != text.size()) return bad("unexpected text after the offset");
  int64_t days = DateFromYmd(year, month, day).days;
  int64_t seconds_of_day =
      hour * 3600 + minute * 60 + second - offset_minutes * 60;
  const Instant instant =
      days * kMicrosPerDay + seconds_of_day * kMicrosPerSecond + micros;
  // The offset can carry 0000-01-01 or 9999-12-31 into a year that has no
  // four-digit form, which FormatRfc3339Utc could not write back (found by
  // tests/fuzz/time_fuzz.cpp).
  if (instant < DateFromYmd(0, 1, 1).days * kMicrosPerDay ||
      instant >= (DateFromYmd(9999, 12, 31).days + 1) * kMicrosPerDay) {
    return bad("in UTC it falls outside the years 0000 to 9999");
  }
  return instant;
}

std::string FormatRfc3339Utc(Instant instant) {
  return FormatRfc3339WithOffset(instant, 0) + "Z";
}

std::string FormatRfc3339London(Instant instant) {
  bool bst = IsBst(instant);
  return FormatRfc3339WithOffset(instant, bst ? 1 : 0) +
         (bst ? "+01:00" : "+00:00");
}

bool IsBst(Instant instant) {
  int year =
      ToYmd(Date{static_cast<int32_t>(FloorDiv(instant, kMicrosPerDay))}).year;
  // BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
  // last Sunday of October; the instants of the years anyone asks about are
  // computed once (every metric and worklist date goes through here).
  constexpr int kFirstYear = 1900;
  constexpr int kLastYear = 2200;
  auto bst_of = [](int y) {
    return std::pair<Instant, Instant>{
        LastSunday(y, 3).days * kMicrosPerDay + kMicrosPerHour,
        LastSunday(y, 10).days * kMicrosPerDay + kMicrosPerHour};
  };
  static const std::vector<std::pair<Instant, Instant>> table = [&] {
    std::vector<std::pair<Instant, Instant>> t;
    for (int y = kFirstYear; y <= kLastYear; ++y) t.push_back(bst_of(y));
    return t;
  }();
  auto [start, end] = year >= kFirstYear && year <= kLastYear
                          ? table[static_cast<size_t>(year - kFirstYear)]
                          : bst_of(year);
  return start <= instant && instant < end;
}

Date LondonDate(Instant instant) {
  Instant local = instant + (IsBst(instant) ? kMicrosPerHour : 0);
  return Date{static_cast<int32_t>(FloorDiv(local, kMicrosPerDay))};
}

Instant LondonStartOfDay(Date date) {
  Instant utc_midnight = static_cast<Instant>(date.days) * kMicrosPerDay;
  Instant bst_midnight = utc_midnight - kMicrosPerHour;
  return IsBst(bst_midnight) ? bst_midnight : utc_midnight;
}

Date FirstDayEndingAtOrAfter(Instant instant) {
  const Date day = LondonDate(instant);
  return LondonStartOfDay(day) == instant ? Date{day.days - 1} : day;
}

int DayOfWeek(Date date) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  return static_cast<int>(((static_cast<int64_t>(date.days) + 3) % 7 + 7) % 7);
}

int AgeOn(Date birth, Date on) {
  Ymd b = ToYmd(birth);
  Ymd o = ToYmd(on);
  int age = o.year - b.year;
  // Comparing (month, day) makes a 29 February birthday fall on 1 March in
  // other years.
  if (o.month < b.month || (o.month == b.month && o.day < b.day)) --age;
  return age;
}

}  // namespace carelog
