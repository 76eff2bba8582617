// Fuzz target: NHS number parsing (services/nhs_number.h). Whatever is typed,
// parsing answers a valid number or a kInvalidArgument with a message, and a
// parsed number survives its screen format.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/nhs_number.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = carelog::ParseNhsNumber(text);
  if (parsed.ok()) {
    FUZZ_REQUIRE(parsed->size() == 10);
    FUZZ_REQUIRE(carelog::IsValidNhsNumber(*parsed));
    const std::string screen = carelog::FormatNhsNumberForScreen(*parsed);
    FUZZ_REQUIRE(screen.size() == 12);
    auto again = carelog::ParseNhsNumber(screen);
    FUZZ_REQUIRE(again.ok() && *again == *parsed);
    auto check = carelog::NhsCheckDigit(std::string_view(*parsed).substr(0, 9));
    FUZZ_REQUIRE(check.has_value() && '0' + *check == (*parsed)[9]);
  } else {
    FUZZ_REQUIRE(parsed.status().code() == carelog::Code::kInvalidArgument);
    FUZZ_REQUIRE(!parsed.status().message().empty());
  }
  FUZZ_REQUIRE(carelog::IsValidNhsNumber(text) ==
               (parsed.ok() && *parsed == text));
  if (auto digit = carelog::NhsCheckDigit(text)) {
    FUZZ_REQUIRE(carelog::IsValidNhsNumber(std::string(text) +
                                           static_cast<char>('0' + *digit)));
  }
  (void)carelog::IsTestNhsNumber(text);
  return 0;
}
