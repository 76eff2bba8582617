// Fuzz target: RFC 3339 instants, dates and periods (services/calendar.h).
// Parsing never crashes; what parses survives formatting and parsing again;
// the London calendar functions accept every instant that parses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/calendar.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace carelog;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto instant = ParseRfc3339(text);
  if (instant.ok()) {
    auto utc = ParseRfc3339(FormatRfc3339Utc(*instant));
    FUZZ_REQUIRE(utc.ok() && *utc == *instant);
    auto london = ParseRfc3339(FormatRfc3339London(*instant));
    FUZZ_REQUIRE(london.ok() && *london == *instant);
    const Date day = LondonDate(*instant);
    FUZZ_REQUIRE(LondonStartOfDay(day) <= *instant);
    (void)IsWeekendDay(day);
    (void)IsBst(*instant);
  } else {
    FUZZ_REQUIRE(!instant.status().message().empty());
  }

  auto date = ParseDate(text);
  if (date.ok()) {
    const std::string formatted = FormatDate(*date);
    auto again = ParseDate(formatted);
    FUZZ_REQUIRE(again.ok() && *again == *date);
    FUZZ_REQUIRE(DateFromYmd(ToYmd(*date).year, ToYmd(*date).month,
                             ToYmd(*date).day) == *date);
    (void)AgeOn(*date, DateFromYmd(2015, 3, 31));
  }

  auto period = ParsePeriod(text);
  if (period.ok()) {
    FUZZ_REQUIRE(period->first <= period->last);
    auto again = ParsePeriod(period->label);
    FUZZ_REQUIRE(again.ok() && again->first == period->first &&
                 again->last == period->last);
  }
  return 0;
}
