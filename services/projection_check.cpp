#include "services/projection_check.h"

#include <filesystem>

#include "services/clock.h"
#include "services/read_side.h"
#include "storage/backup.h"

namespace carelog {

namespace {

// Opens the store at `dir` and brings its projections to the end of the log,
// incrementally or by a full rebuild (whose temporary files go in `scratch`).
Status BringUpToDate(const std::string& dir, bool rebuild,
                     const std::string& scratch) {
  storage::OpenOptions options;
  options.path = dir;
  auto log = storage::OpenRocksDbEventLog(options);
  if (!log.ok()) return log.status();
  SystemClock clock;
  ProjectorOptions projector_options;
  projector_options.spill_directory = scratch;
  ReadSide read_side(**log, clock, projector_options);
  CARELOG_RETURN_IF_ERROR(read_side.Open());
  if (rebuild) return read_side.runner().Rebuild([](uint64_t, uint64_t) {});
  return read_side.runner().CatchUp();
}

}  // namespace

Result<std::vector<std::string>> CheckProjectionsAgainstRebuild(
    const std::string& store_dir, const std::string& scratch_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(scratch_dir, ec);
  if (ec) {
    return Status(Code::kIOError,
                  "cannot create " + scratch_dir + ": " + ec.message());
  }
  const std::string kept = scratch_dir + "/as-kept";
  const std::string rebuilt = scratch_dir + "/rebuilt";
  auto result = [&]() -> Result<std::vector<std::string>> {
    {
      storage::OpenOptions options;
      options.path = store_dir;
      auto log = storage::OpenRocksDbEventLog(options);
      if (!log.ok()) return log.status();
      CARELOG_RETURN_IF_ERROR(storage::CheckpointEventLog(**log, kept));
      CARELOG_RETURN_IF_ERROR(storage::CheckpointEventLog(**log, rebuilt));
    }
    CARELOG_RETURN_IF_ERROR(BringUpToDate(kept, false, scratch_dir));
    CARELOG_RETURN_IF_ERROR(BringUpToDate(rebuilt, true, scratch_dir));
    return storage::CompareProjectionRows(kept, rebuilt);
  }();
  fs::remove_all(scratch_dir, ec);
  return result;
}

}  // namespace carelog
