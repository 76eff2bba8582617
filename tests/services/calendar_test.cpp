#include "services/calendar.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/services/instants.h"

namespace carelog {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kHour = 3600 * kSecond;

using testing::At;

Date D(int y, int m, int d) { return DateFromYmd(y, m, d); }

TEST(CalendarTest, DatesRoundTripAcrossCenturies) {
  EXPECT_EQ(DateFromYmd(1970, 1, 1).days, 0);
  EXPECT_EQ(DateFromYmd(1969, 12, 31).days, -1);
  EXPECT_EQ(DateFromYmd(2000, 3, 1).days, 11017);
  for (int days = -30000; days < 30000; days += 7) {
    Ymd ymd = ToYmd(Date{days});
    EXPECT_EQ(DateFromYmd(ymd.year, ymd.month, ymd.day).days, days);
  }
  Ymd leap = ToYmd(DateFromYmd(2016, 2, 29));
  EXPECT_EQ(leap.year, 2016);
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
}

TEST(CalendarTest, ParseDateRefusesImpossibleDates) {
  ASSERT_TRUE(ParseDate("1938-02-11").ok());
  EXPECT_EQ(FormatDate(*ParseDate("1938-02-11")), "1938-02-11");
  EXPECT_TRUE(ParseDate("2016-02-29").ok());
  EXPECT_FALSE(ParseDate("2015-02-29").ok());
  EXPECT_FALSE(ParseDate("2014-02-30").ok());
  EXPECT_FALSE(ParseDate("2014-13-01").ok());
  EXPECT_FALSE(ParseDate("2014-00-10").ok());
  EXPECT_FALSE(ParseDate("2014-1-10").ok());
  EXPECT_FALSE(ParseDate("2014-01-10x").ok());
  EXPECT_FALSE(ParseDate("").ok());
  EXPECT_EQ(ParseDate("2014-02-30").status().code(), Code::kInvalidArgument);
}

TEST(CalendarTest, ParsesRfc3339WithOffsets) {
  EXPECT_EQ(At("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(At("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(At("1969-12-31T19:00:00-05:00"), 0);
  EXPECT_EQ(At("2014-06-07T10:15:00+01:00"), At("2014-06-07T09:15:00Z"));
  EXPECT_EQ(At("2014-06-07T09:15:00.5Z"),
            At("2014-06-07T09:15:00Z") + kSecond / 2);
  EXPECT_EQ(At("2014-06-07T09:15:00.123456789Z"),
            At("2014-06-07T09:15:00Z") + 123456);
  EXPECT_EQ(At("2014-06-07t09:15:00z"), At("2014-06-07T09:15:00Z"));
  EXPECT_EQ(At("1900-01-01T00:00:00Z"), -2208988800LL * kSecond);
}

TEST(CalendarTest, RefusesNonsenseTimes) {
  for (const char* text :
       {"2014-13-01T00:00:00Z", "2014-02-30T00:00:00Z", "2014-06-07T24:00:00Z",
        "2014-06-07T23:60:00Z", "2014-06-07T23:59:60Z", "2014-06-07T10:15:00",
        "2014-06-07T10:15:00+0100", "2014-06-07T10:15:00+01",
        "2014-06-07T10:15:00Zjunk", "2014-06-07T10:15:00+01:00 ",
        "2014-06-07 10:15:00Z", "2014-06-07", "2014-06-07T10:15Z",
        "2014-06-07T10:15:00.Z", "2014-06-07T10:15:00+24:00", "",
        "yesterday"}) {
    auto parsed = ParseRfc3339(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument) << text;
    }
  }
}

TEST(CalendarTest, FormatsUtcAndLondon) {
  EXPECT_EQ(FormatRfc3339Utc(At("2014-06-07T10:15:00+01:00")),
            "2014-06-07T09:15:00Z");
  EXPECT_EQ(FormatRfc3339Utc(At("2014-06-07T09:15:00.25Z")),
            "2014-06-07T09:15:00.250000Z");
  EXPECT_EQ(FormatRfc3339London(At("2014-06-07T09:15:00Z")),
            "2014-06-07T10:15:00+01:00");
  EXPECT_EQ(FormatRfc3339London(At("2014-12-07T09:15:00Z")),
            "2014-12-07T09:15:00+00:00");
  EXPECT_EQ(FormatRfc3339Utc(At("1938-02-11T00:00:00Z")),
            "1938-02-11T00:00:00Z");
}

struct ClockChange {
  const char* day;  // the change happens at 01:00 UTC on this date
  bool starts_bst;
};

TEST(CalendarTest, BstChangesAtOneUtcOnTheLastSundays) {
  for (ClockChange change :
       {ClockChange{"2014-03-30", true}, ClockChange{"2014-10-26", false},
        ClockChange{"2015-03-29", true}, ClockChange{"2015-10-25", false}}) {
    std::string day = change.day;
    Instant before = At(day + "T00:59:00Z");
    Instant at = At(day + "T01:00:00Z");
    EXPECT_EQ(IsBst(before), !change.starts_bst) << day;
    EXPECT_EQ(IsBst(at), change.starts_bst) << day;
    EXPECT_EQ(IsBst(at - 1), !change.starts_bst) << day;
    EXPECT_EQ(DayOfWeek(*ParseDate(day)), 6) << day << " is a Sunday";
  }
  // In March 00:59 UTC is 00:59 GMT and 01:00 UTC is 02:00 BST; in October
  // 00:59 UTC is 01:59 BST and 01:00 UTC is 01:00 GMT.
  EXPECT_EQ(FormatRfc3339London(At("2014-03-30T00:59:00Z")),
            "2014-03-30T00:59:00+00:00");
  EXPECT_EQ(FormatRfc3339London(At("2014-03-30T01:00:00Z")),
            "2014-03-30T02:00:00+01:00");
  EXPECT_EQ(FormatRfc3339London(At("2014-10-26T00:59:00Z")),
            "2014-10-26T01:59:00+01:00");
  EXPECT_EQ(FormatRfc3339London(At("2014-10-26T01:00:00Z")),
            "2014-10-26T01:00:00+00:00");
  EXPECT_FALSE(IsBst(At("2015-01-15T12:00:00Z")));
  EXPECT_TRUE(IsBst(At("2015-07-15T12:00:00Z")));
}

TEST(CalendarTest, LondonDatesAtMidnightEdges) {
  // Summer: 23:00 UTC is already the next London day.
  EXPECT_EQ(LondonDate(At("2014-06-03T22:59:59Z")), D(2014, 6, 3));
  EXPECT_EQ(LondonDate(At("2014-06-03T23:00:00Z")), D(2014, 6, 4));
  // Winter: London is UTC.
  EXPECT_EQ(LondonDate(At("2014-12-03T23:59:59Z")), D(2014, 12, 3));
  EXPECT_EQ(LondonDate(At("2014-12-04T00:00:00Z")), D(2014, 12, 4));
  // The offset given does not matter, only the instant.
  EXPECT_EQ(LondonDate(At("2014-06-04T00:30:00+01:00")), D(2014, 6, 4));
  EXPECT_EQ(LondonDate(At("2014-06-03T19:30:00-05:00")), D(2014, 6, 4));
  // Start of day.
  EXPECT_EQ(LondonStartOfDay(D(2014, 6, 4)), At("2014-06-03T23:00:00Z"));
  EXPECT_EQ(LondonStartOfDay(D(2014, 12, 4)), At("2014-12-04T00:00:00Z"));
  // Clock-change days: the day of the March change starts in GMT, the October
  // one in BST.
  EXPECT_EQ(LondonStartOfDay(D(2014, 3, 30)), At("2014-03-30T00:00:00Z"));
  EXPECT_EQ(LondonStartOfDay(D(2014, 3, 31)), At("2014-03-30T23:00:00Z"));
  EXPECT_EQ(LondonStartOfDay(D(2014, 10, 26)), At("2014-10-25T23:00:00Z"));
  EXPECT_EQ(LondonStartOfDay(D(2014, 10, 27)), At("2014-10-27T00:00:00Z"));
  EXPECT_EQ(LondonStartOfDay(D(2015, 3, 29)), At("2015-03-29T00:00:00Z"));
  EXPECT_EQ(LondonStartOfDay(D(2015, 10, 25)), At("2015-10-24T23:00:00Z"));
  // The March change day is 23 hours long, the October one 25.
  EXPECT_EQ(LondonStartOfDay(D(2015, 3, 30)) - LondonStartOfDay(D(2015, 3, 29)),
            23 * kHour);
  EXPECT_EQ(
      LondonStartOfDay(D(2015, 10, 26)) - LondonStartOfDay(D(2015, 10, 25)),
      25 * kHour);
  for (Date d = D(2014, 1, 1); d <= D(2016, 1, 1); d.days++) {
    EXPECT_EQ(LondonDate(LondonStartOfDay(d)), d) << FormatDate(d);
    EXPECT_EQ(LondonDate(LondonStartOfDay(d) - 1), Date{d.days - 1})
        << FormatDate(d);
  }
  // Before 1970.
  EXPECT_EQ(LondonDate(At("1938-02-11T12:00:00Z")), D(1938, 2, 11));
}

// A state that begins at 00:00 London is in at the midnight ending the day
// before; one that begins a microsecond later first at the midnight ending its
// own day (in BST the London midnight is 23:00 UTC).
TEST(CalendarTest, FirstDayEndingAtOrAfter) {
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-06-03T23:00:00Z")), D(2014, 6, 3));
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-06-03T23:00:00Z") + 1),
            D(2014, 6, 4));
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-06-03T22:59:59Z")), D(2014, 6, 3));
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-12-04T00:00:00Z")),
            D(2014, 12, 3));
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-12-04T12:00:00Z")),
            D(2014, 12, 4));
  // The October change day starts in BST.
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-10-25T23:00:00Z")),
            D(2014, 10, 25));
  EXPECT_EQ(FirstDayEndingAtOrAfter(At("2014-10-26T00:00:00Z")),
            D(2014, 10, 26));
}

std::vector<std::string> HolidaysOf(int year) {
  std::vector<std::string> out;
  for (Date d = D(year, 1, 1); d <= D(year, 12, 31); d.days++) {
    if (IsBankHoliday(d)) out.push_back(FormatDate(d));
  }
  return out;
}

TEST(CalendarTest, BankHolidaysOf2014To2016ByHand) {
  EXPECT_EQ(HolidaysOf(2014),
            (std::vector<std::string>{"2014-01-01", "2014-04-18", "2014-04-21",
                                      "2014-05-05", "2014-05-26", "2014-08-25",
                                      "2014-12-25", "2014-12-26"}));
  EXPECT_EQ(HolidaysOf(2015),
            (std::vector<std::string>{"2015-01-01", "2015-04-03", "2015-04-06",
                                      "2015-05-04", "2015-05-25", "2015-08-31",
                                      "2015-12-25", "2015-12-28"}));
  EXPECT_EQ(HolidaysOf(2016),
            (std::vector<std::string>{"2016-01-01", "2016-03-25", "2016-03-28",
                                      "2016-05-02", "2016-05-30", "2016-08-29",
                                      "2016-12-26", "2016-12-27"}));
}

TEST(CalendarTest, BankHolidaysWithMovesAndOneOffs) {
  EXPECT_EQ(HolidaysOf(2010),
            (std::vector<std::string>{"2010-01-01", "2010-04-02", "2010-04-05",
                                      "2010-05-03", "2010-05-31", "2010-08-30",
                                      "2010-12-27", "2010-12-28"}));
  EXPECT_EQ(HolidaysOf(2011), (std::vector<std::string>{
                                  "2011-01-03", "2011-04-22", "2011-04-25",
                                  "2011-04-29", "2011-05-02", "2011-05-30",
                                  "2011-08-29", "2011-12-26", "2011-12-27"}));
  EXPECT_EQ(HolidaysOf(2012), (std::vector<std::string>{
                                  "2012-01-02", "2012-04-06", "2012-04-09",
                                  "2012-05-07", "2012-06-04", "2012-06-05",
                                  "2012-08-27", "2012-12-25", "2012-12-26"}));
  EXPECT_TRUE(IsBankHoliday(D(2020, 5, 8)));
  EXPECT_FALSE(IsBankHoliday(D(2020, 5, 4)));
  EXPECT_EQ(HolidaysOf(2022),
            (std::vector<std::string>{"2022-01-03", "2022-04-15", "2022-04-18",
                                      "2022-05-02", "2022-06-02", "2022-06-03",
                                      "2022-08-29", "2022-09-19", "2022-12-26",
                                      "2022-12-27"}));
  EXPECT_TRUE(IsBankHoliday(D(2023, 5, 1)));
  EXPECT_TRUE(IsBankHoliday(D(2023, 5, 8)));
  EXPECT_TRUE(IsBankHoliday(D(2023, 5, 29)));
  EXPECT_FALSE(IsBankHoliday(D(2022, 5, 30)));
  EXPECT_FALSE(IsBankHoliday(D(2012, 5, 28)));
  for (int year = 2010; year <= 2030; ++year) {
    size_t n = HolidaysOf(year).size();
    EXPECT_GE(n, 8u) << year;
    EXPECT_LE(n, 10u) << year;
  }
}

TEST(CalendarTest, WeekendDays) {
  EXPECT_EQ(DayOfWeek(D(1970, 1, 1)), 3);  // Thursday
  EXPECT_EQ(DayOfWeek(D(2014, 6, 2)), 0);  // Monday
  EXPECT_EQ(DayOfWeek(D(1969, 12, 28)), 6);
  EXPECT_TRUE(IsWeekendDay(D(2014, 6, 7)));   // Saturday
  EXPECT_TRUE(IsWeekendDay(D(2014, 6, 8)));   // Sunday
  EXPECT_FALSE(IsWeekendDay(D(2014, 6, 9)));  // Monday
  EXPECT_TRUE(IsWeekendDay(D(2014, 8, 25)));  // summer bank holiday
  EXPECT_TRUE(IsWeekendDay(D(2015, 12, 28)));
}

TEST(CalendarTest, AgeInCompletedYears) {
  EXPECT_EQ(AgeOn(D(1938, 2, 11), D(2014, 2, 10)), 75);
  EXPECT_EQ(AgeOn(D(1938, 2, 11), D(2014, 2, 11)), 76);
  EXPECT_EQ(AgeOn(D(1949, 6, 30), D(2014, 6, 29)), 64);
  EXPECT_EQ(AgeOn(D(1949, 6, 30), D(2014, 6, 30)), 65);
  // 29 February birthdays fall on 1 March in other years.
  EXPECT_EQ(AgeOn(D(1948, 2, 29), D(2013, 2, 28)), 64);
  EXPECT_EQ(AgeOn(D(1948, 2, 29), D(2013, 3, 1)), 65);
  EXPECT_EQ(AgeOn(D(1948, 2, 29), D(2012, 2, 28)), 63);
  EXPECT_EQ(AgeOn(D(1948, 2, 29), D(2012, 2, 29)), 64);
  EXPECT_EQ(AgeOn(D(2014, 5, 1), D(2014, 5, 1)), 0);
}

TEST(CalendarTest, Periods) {
  auto year = ParsePeriod("2014-15");
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->kind, Period::Kind::kYear);
  EXPECT_EQ(year->first, D(2014, 4, 1));
  EXPECT_EQ(year->last, D(2015, 3, 31));
  EXPECT_EQ(year->months, 12);
  EXPECT_EQ(year->financial_year, 2014);
  EXPECT_EQ(year->label, "2014-15");

  auto q4 = ParsePeriod("2014-15-Q4");
  ASSERT_TRUE(q4.ok());
  EXPECT_EQ(q4->kind, Period::Kind::kQuarter);
  EXPECT_EQ(q4->first, D(2015, 1, 1));
  EXPECT_EQ(q4->last, D(2015, 3, 31));
  EXPECT_EQ(q4->financial_year, 2014);
  EXPECT_EQ(q4->months, 3);
  EXPECT_EQ(q4->label, "2014-15-Q4");
  auto q1 = ParsePeriod("2015-16-Q1");
  ASSERT_TRUE(q1.ok());
  EXPECT_EQ(q1->first, D(2015, 4, 1));
  EXPECT_EQ(q1->last, D(2015, 6, 30));
  EXPECT_EQ(QuarterPeriod(2015, 3).first, D(2015, 10, 1));
  EXPECT_EQ(QuarterPeriod(2015, 3).last, D(2015, 12, 31));

  auto month = ParsePeriod("2015-04");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month->kind, Period::Kind::kMonth);
  EXPECT_EQ(month->first, D(2015, 4, 1));
  EXPECT_EQ(month->last, D(2015, 4, 30));
  EXPECT_EQ(month->financial_year, 2015);
  EXPECT_EQ(ParsePeriod("2016-02")->last, D(2016, 2, 29));
  EXPECT_EQ(ParsePeriod("2015-03")->financial_year, 2014);
  EXPECT_EQ(YearPeriod(1999).label, "1999-00");
  EXPECT_TRUE(month->Contains(D(2015, 4, 30)));
  EXPECT_FALSE(month->Contains(D(2015, 5, 1)));

  for (const char* bad :
       {"2014-16", "2014-13", "2014-00", "2014-15-Q5", "2014-15-Q0",
        "2014-16-Q1", "2014-15-q1", "2014-15-", "14-15", "2014", "2014-15x"}) {
    EXPECT_FALSE(ParsePeriod(bad).ok()) << bad;
  }
  EXPECT_EQ(FinancialYearOf(D(2015, 3, 31)), 2014);
  EXPECT_EQ(FinancialYearOf(D(2015, 4, 1)), 2015);
}

// Regression (fuzz.time): an offset carried 9999-12-31 into year 10000, an
// instant that parsed but could not be formatted and parsed back.
TEST(CalendarTest, RefusesOffsetsThatCarryTheInstantOutOfYears0000To9999) {
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59-23:59").ok());
  EXPECT_FALSE(ParseRfc3339("0000-01-01T00:30:00+01:00").ok());
  auto last = ParseRfc3339("9999-12-31T23:59:59Z");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339Utc(*last)), *last);
  EXPECT_TRUE(ParseRfc3339("0000-01-01T00:00:00Z").ok());
}

// Regression (fuzz.time): "0000-01" was labelled "0-01", which is no period.
TEST(CalendarTest, PeriodLabelsOfEarlyYearsKeepFourDigits) {
  for (const char* text : {"0000-01", "0099-12", "0999-00", "0042-43-Q2"}) {
    auto period = ParsePeriod(text);
    ASSERT_TRUE(period.ok()) << text;
    EXPECT_EQ(period->label, text);
    auto again = ParsePeriod(period->label);
    ASSERT_TRUE(again.ok()) << period->label;
    EXPECT_EQ(again->first, period->first);
  }
}

}  // namespace
}  // namespace carelog
