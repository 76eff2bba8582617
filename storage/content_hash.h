// SHA-256 digests that decide idempotent retries and chain the audit trail.
#pragma once

#include <string>
#include <string_view>

namespace carelog::storage {

// 32 bytes: SHA-256 over stream, type and body, each preceded by its length (8
// bytes, big-endian), so that no two different triples hash the same input.
std::string ContentHash(std::string_view stream, std::string_view type,
                        std::string_view body);

// ContentHash appended to `out`, for callers collecting many in one string.
void AppendContentHash(std::string* out, std::string_view stream,
                       std::string_view type, std::string_view body);

// 32 bytes: SHA-256 of the bytes.
std::string Sha256(std::string_view bytes);

// Lower-case hex of bytes, for messages.
std::string Hex(std::string_view bytes);

}  // namespace carelog::storage
