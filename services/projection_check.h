// `carelog verify`'s check of the read side: the projections as the server
// maintained them, brought up to the end of the log, must equal projections
// rebuilt from scratch by replaying the whole log. Works on checkpoints of the
// store, so the store itself is never written.
#pragma once

#include <string>
#include <vector>

#include "storage/status.h"

namespace carelog {

// Compares, for the stopped store at `store_dir`, every projection row (and
// checkpoint) caught up incrementally with the rows of a full rebuild; answers
// one line per difference (empty when they agree). `scratch_dir` must not
// exist; it is removed afterwards.
Result<std::vector<std::string>> CheckProjectionsAgainstRebuild(
    const std::string& store_dir, const std::string& scratch_dir);

}  // namespace carelog
