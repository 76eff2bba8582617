// Gathers the answers of several queued entries into one answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "storage/status.h"

namespace carelog::storage {

// A callback to give each of `n` (> 0) entries: after the n-th call, `done`
// runs once, on the thread of that call, with Ok or the first error seen.
std::function<void(Result<uint64_t>)> AllDone(size_t n,
                                              std::function<void(Status)> done);

}  // namespace carelog::storage
