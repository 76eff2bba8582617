// The NHS number (SPEC.md "Identity"): 10 digits whose last is a Modulus 11
// check digit. Data holds the digits only; screens show them 3-3-4.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace carelog {

// Parses an NHS number as typed: 10 digits, spaces allowed anywhere, nothing
// else. Returns the 10 digits, or kInvalidArgument saying what is wrong (not 10
// digits, other characters, check digit).
Result<std::string> ParseNhsNumber(std::string_view text);

// True for exactly 10 ASCII digits that pass the Modulus 11 check.
bool IsValidNhsNumber(std::string_view digits);

// The check digit for 9 digits (weights 10..2, 11 - sum mod 11, 11 -> 0), or
// nullopt when it would be 10 (no valid number starts with these digits) or the
// input is not 9 digits.
std::optional<int> NhsCheckDigit(std::string_view first_nine);

// "943 476 5919" for "9434765919"; other input is returned unchanged.
std::string FormatNhsNumberForScreen(std::string_view digits);

// True for the never-issued test range 999 000 0000 - 999 999 9999 (10 digits
// expected).
bool IsTestNhsNumber(std::string_view digits);

}  // namespace carelog
