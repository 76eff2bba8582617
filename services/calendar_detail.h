// What services/calendar.cpp, bank_holidays.cpp and periods.cpp share (the
// contract is services/calendar.h); not for other callers.
#pragma once

#include <string>
#include <string_view>

#include "storage/status.h"

namespace carelog::calendar_detail {

int DaysInMonth(int year, int month);  // month 1..12
// kInvalidArgument with `message`.
Status Invalid(std::string message);
// Reads exactly `n` decimal digits at text[*pos], advancing pos; false if any
// is not a digit.
bool ReadDigits(std::string_view text, size_t* pos, size_t n, int* out);
// Consumes `c` at text[*pos]; false if it is not there.
bool Expect(std::string_view text, size_t* pos, char c);

}  // namespace carelog::calendar_detail
