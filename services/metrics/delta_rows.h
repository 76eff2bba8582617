// The metrics build's d| rows (metrics_build.cpp), held in temporary files
// until every person is folded so that they can be written in key order: the
// workers emit them person by person, in no order of keys, and runs of random
// keys cost the store memtable searches and compactions that rewrite the rows
// again and again; rows written in key order are appended. An area's rows are
// kept in one partition per range of positions, so that a partition read back
// at the end holds a bounded part of the rows.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/stream_spill.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::metrics {

class DeltaRowSpill {
 public:
  // An area's rows of positions [r * range_positions, (r + 1) *
  // range_positions) form partition (area, r). Files in `directory` (empty:
  // the temporary directory).
  DeltaRowSpill(std::string directory, uint64_t range_positions);

  uint64_t range_positions() const { return range_positions_; }

  // The number of partition (area, range), created when first asked for.
  // Thread-safe.
  Result<size_t> Partition(std::string_view area, uint64_t range);
  // Appends `records` (whole records of AppendRecord) to the partition.
  // Thread-safe.
  Status Append(size_t partition, std::string_view records);

  // The record of the row of `position` whose value is `value`.
  static void AppendRecord(uint64_t position, std::string_view value,
                           std::string& out);

  struct Row {
    uint64_t position;
    std::string_view value;
  };
  // Calls fn(area, rows) for each partition in the order of its rows' keys
  // (areas by "<area>|", then ranges), its rows in position order; each
  // partition's file is closed once fn returns. Stops at fn's first error.
  // Not thread-safe; once.
  Status ForEachInKeyOrder(
      const std::function<Status(std::string_view area,
                                 std::span<const Row> rows)>& fn);

  // Adds every row held to `load` as a d| row (metric_rows.h), in key order:
  // a thread of its own reads the partitions back and makes the rows, in
  // batches of `rows_per_batch`, while the calling thread adds them. Not
  // thread-safe; once.
  Status LoadInKeyOrder(storage::ProjectionLoad& load,
                        uint64_t bucket_positions, size_t rows_per_batch);

 private:
  const std::string directory_;
  const uint64_t range_positions_;
  std::mutex mu_;
  std::optional<SpillFiles> files_;  // one per partition, made on demand
  // (area, range) -> its file.
  std::map<std::pair<std::string, uint64_t>, size_t> partitions_;
};

}  // namespace carelog::metrics
