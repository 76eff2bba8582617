#include "services/nhs_number.h"

#include <algorithm>

namespace carelog {
namespace {

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<int> NhsCheckDigit(std::string_view first_nine) {
  if (first_nine.size() != 9 || !AllDigits(first_nine)) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 9; ++i)
    sum += (first_nine[i] - '0') * static_cast<int>(10 - i);
  int check = 11 - sum % 11;
  if (check == 11) return 0;
  if (check == 10) return std::nullopt;
  return check;
}

bool IsValidNhsNumber(std::string_view digits) {
  if (digits.size() != 10 || !AllDigits(digits)) return false;
  std::optional<int> check = NhsCheckDigit(digits.substr(0, 9));
  return check.has_value() && *check == digits[9] - '0';
}

Result<std::string> ParseNhsNumber(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') {
      return Status(Code::kInvalidArgument,
                    std::string("'").append(text) +
                        "' is not an NHS number: only digits and spaces are "
                        "allowed, e.g. "
                        "943 476 5919");
    }
    digits.push_back(c);
  }
  if (digits.size() != 10) {
    return Status(
        Code::kInvalidArgument,
        std::string("'").append(text) + "' is not an NHS number: it has " +
            std::to_string(digits.size()) + " digits, an NHS number has 10");
  }
  if (!IsValidNhsNumber(digits)) {
    return Status(Code::kInvalidArgument,
                  std::string("'").append(text) +
                      "' is not a valid NHS number: its check digit (the 10th) "
                      "does not match "
                      "the Modulus 11 check of the first nine");
  }
  return digits;
}

std::string FormatNhsNumberForScreen(std::string_view digits) {
  if (digits.size() != 10 || !AllDigits(digits)) return std::string(digits);
  return std::string(digits.substr(0, 3)) + " " +
         std::string(digits.substr(3, 3)) + " " +
         std::string(digits.substr(6, 4));
}

bool IsTestNhsNumber(std::string_view digits) {
  return digits.size() == 10 && AllDigits(digits) &&
         digits.substr(0, 3) == "999";
}

}  // namespace carelog
