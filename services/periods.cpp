// services/calendar.h's reporting periods: financial years, quarters, months.
#include <cstdio>

#include "services/calendar.h"
#include "services/calendar_detail.h"

namespace carelog {
namespace {

using calendar_detail::DaysInMonth;
using calendar_detail::Expect;
using calendar_detail::Invalid;
using calendar_detail::ReadDigits;

std::string TwoDigits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

// Years below 1000 keep four digits, so that labels parse back (found by
// tests/fuzz/time_fuzz.cpp: "0000-01" was labelled "0-01").
std::string FourDigits(int v) {
  std::string text = std::to_string(v);
  return std::string(text.size() < 4 ? 4 - text.size() : 0, '0') + text;
}

std::string YearLabel(int financial_year) {
  return FourDigits(financial_year) + "-" +
         TwoDigits((financial_year + 1) % 100);
}

}  // namespace

Period MonthPeriod(int year, int month) {
  Period p;
  p.kind = Period::Kind::kMonth;
  p.first = DateFromYmd(year, month, 1);
  p.last = DateFromYmd(year, month, DaysInMonth(year, month));
  p.financial_year = month >= 4 ? year : year - 1;
  p.months = 1;
  p.label = FourDigits(year) + "-" + TwoDigits(month);
  return p;
}

Period QuarterPeriod(int financial_year, int quarter) {
  Period p;
  p.kind = Period::Kind::kQuarter;
  int first_month = 4 + (quarter - 1) * 3;  // 4, 7, 10, 13
  int year = financial_year + (first_month > 12 ? 1 : 0);
  first_month = (first_month - 1) % 12 + 1;
  p.first = DateFromYmd(year, first_month, 1);
  p.last =
      DateFromYmd(year, first_month + 2, DaysInMonth(year, first_month + 2));
  p.financial_year = financial_year;
  p.months = 3;
  p.label = YearLabel(financial_year) + "-Q" + std::to_string(quarter);
  return p;
}

Period YearPeriod(int financial_year) {
  Period p;
  p.kind = Period::Kind::kYear;
  p.first = DateFromYmd(financial_year, 4, 1);
  p.last = DateFromYmd(financial_year + 1, 3, 31);
  p.financial_year = financial_year;
  p.months = 12;
  p.label = YearLabel(financial_year);
  return p;
}

int FinancialYearOf(Date date) { return FinancialYearOf(ToYmd(date)); }

int FinancialYearOf(Ymd ymd) {
  return ymd.month >= 4 ? ymd.year : ymd.year - 1;
}

Result<Period> ParsePeriod(std::string_view text) {
  auto bad = [&text]() {
    return Invalid(std::string("'").append(text) +
                   "' is not a period: use a financial year (2015-16), a "
                   "quarter (2015-16-Q1) "
                   "or a month (2015-04)");
  };
  size_t pos = 0;
  int year = 0, second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return bad();
  }
  if (pos == text.size()) {
    // Either a month (2015-04) or a financial year (2015-16): a financial
    // year's second part is the next year's last two digits; a month is 01..12.
    // 2011-12 is read as December 2011.
    if (second >= 1 && second <= 12) return MonthPeriod(year, second);
    if (second == (year + 1) % 100) return YearPeriod(year);
    return bad();
  }
  if (second != (year + 1) % 100) return bad();
  int quarter = 0;
  if (!Expect(text, &pos, '-') || !Expect(text, &pos, 'Q') ||
      !ReadDigits(text, &pos, 1, &quarter) || pos != text.size() ||
      quarter < 1 || quarter > 4) {
    return bad();
  }
  return QuarterPeriod(year, quarter);
}

Result<Period> ParseFinancialYear(std::string_view text) {
  auto period = ParsePeriod(text);
  if (period.ok() && period->kind == Period::Kind::kYear) return period;
  return Status(Code::kInvalidArgument,
                "year must be a financial year like 2015-16",
                {{"year", std::string("not a financial year: ").append(text)}});
}

}  // namespace carelog
