// The metric cells of every area as a projection of the log (DESIGN.md "The
// read side"). For each event of a person it recomputes the person's
// contribution (contribution.h) from their history up to that event, stores the
// difference to the last one as the position's delta, and applies it to the
// totals. As-of reads use a snapshot of an area's totals taken at the first
// delta of each bucket of positions, plus the deltas of that bucket up to the
// position asked.
//
// Rows: c|<cell key> -> total · p|<stream> -> the person's contribution ·
// d|<area>|<bucket>|<pos>
// -> delta · s|<area>|<bucket> -> the area's totals before the bucket's first
// delta. Thread-safe: readers may call AreaCells* while the runner applies
// events.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "carelog/events.pb.h"
#include "services/metrics/cells.h"
#include "services/projector.h"

namespace carelog::metrics {

class MetricsProjection final : public Projection {
 public:
  // Positions per bucket of as-of snapshots: an as-of read replays at most this
  // many deltas.
  explicit MetricsProjection(uint64_t bucket_positions = 32768)
      : bucket_positions_(bucket_positions) {}

  std::string_view Name() const override { return "metrics"; }
  Status Load(storage::EventLog& log) override;
  Status Apply(const storage::RecordedEvent& event,
               storage::ProjectionWrite& write) override;
  Status FinishBatch(storage::ProjectionWrite& write) override;
  void Commit(uint64_t position) override;
  void Abort() override;
  void Reset() override;

  // The area's cells (keys without the area prefix) as applied now, and the
  // position they reflect.
  Cells AreaCells(std::string_view area, uint64_t* position = nullptr) const;
  // The area's cells as they stood after the event at `position` (positions not
  // yet applied answer with the cells now).
  Result<Cells> AreaCellsAsOf(std::string_view area, uint64_t position) const;
  uint64_t AppliedPosition() const;

 private:
  Result<const std::vector<schema::CareEvent>*> StreamUpTo(
      const storage::RecordedEvent& event);
  Result<Cells> StoredContribution(const std::string& stream);
  // The person's events with version <= version (from the cache or the log).
  Result<const std::vector<schema::CareEvent>*> EventsUpTo(
      const std::string& stream, uint64_t version);
  Status FlushDeferred(storage::ProjectionWrite& write);
  Status ApplyContribution(const std::string& stream, uint64_t version,
                           uint64_t position, storage::ProjectionWrite& write);

  const uint64_t bucket_positions_;
  storage::EventLog* log_ = nullptr;
  mutable std::mutex mu_;  // guards totals_, snapshots_, applied_
  Cells totals_;           // committed, every area
  std::set<std::pair<std::string, uint64_t>>
      snapshots_;  // (area, bucket) committed
  uint64_t applied_ = 0;

  // The batch in progress (runner thread only).
  Cells pending_delta_;
  std::map<std::string, Cells> pending_people_;
  std::set<std::pair<std::string, uint64_t>> pending_snapshots_;

  // People whose contribution waits for the end of the commit: position ->
  // (stream, version), stream -> position, and the commit's recorded_at (runner
  // thread only).
  std::map<uint64_t, std::pair<std::string, uint64_t>> deferred_;
  std::map<std::string, uint64_t> deferred_streams_;
  int64_t deferred_at_ = 0;
  std::vector<schema::CareEvent> scratch_;

  // Recently seen person streams, parsed (runner thread only); bounded by event
  // count.
  std::unordered_map<std::string, std::vector<schema::CareEvent>> streams_;
  size_t cached_events_ = 0;
};

}  // namespace carelog::metrics
