// Checks on a JSON request body that protobuf's JSON parser does not make:
// strict UTF-8 and no key repeated within one object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace carelog::gateway {

// kInvalidArgument when `text` is not valid UTF-8 (overlong forms, surrogates,
// code points above U+10FFFF and truncated sequences included), naming the
// byte offset, or when an object of the JSON text has the same key twice,
// naming the key by its path (e.g. "events[0].eventId"). Ok otherwise,
// including for text that is not JSON at all: the JSON parser judges syntax.
Status CheckJsonText(std::string_view text);

// The value of a hex digit (0-9, a-f, A-F), or -1.
int HexValue(char c);

// Reads the four hex digits of a `\uXXXX` escape at text[at] into `cp` and
// moves `at` past them; false (at and cp unspecified) if fewer than four
// remain or one is not a hex digit.
bool ReadHex4(std::string_view text, size_t& at, uint32_t& cp);

// Appends code point `cp` (at most 0x10FFFF, not a surrogate) as UTF-8.
void AppendUtf8(uint32_t cp, std::string& out);

// `text` as a JSON string literal, quotes included: `"` and `\` escaped,
// control characters as \u00XX, everything else (UTF-8 included) as it is.
std::string JsonQuote(std::string_view text);

// `text` with every byte that is not part of a valid UTF-8 sequence replaced
// by U+FFFD, safe to echo in an answer.
std::string ValidUtf8(std::string_view text);

}  // namespace carelog::gateway
