// The metric cells of every area as a projection of the log (DESIGN.md "The
// read side"). For each event of a person it recomputes the person's
// contribution (contribution.h) from their history up to that event, stores the
// difference to the contribution before it as the position's delta, and applies
// it to the totals. As-of reads use a snapshot of an area's totals taken at the
// first delta of each bucket of positions, plus the deltas of that bucket up to
// the position asked. Every row is a function of the log up to the checkpoint
// alone, whatever the batches were (verify compares them with a rebuild).
//
// Rows: c|<cell key> -> total · d|<area>|<bucket>|<pos> -> the non-zero delta
// of the event at pos · s|<area>|<bucket> -> the area's totals before the
// bucket's first delta. Thread-safe: readers may call AreaCells* while the
// runner applies events.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "carelog/events.pb.h"
#include "services/metrics/cell_keys.h"
#include "services/metrics/cells.h"
#include "services/person_state.h"
#include "services/projector.h"
#include "services/stream_build.h"
#include "services/two_generations.h"

namespace carelog::metrics {

class MetricsProjection final : public Projection, private StreamBuild {
 public:
  // Positions per bucket of as-of snapshots: an as-of read replays at most this
  // many deltas. About `cached_events` parsed events of recent people are kept
  // in memory.
  explicit MetricsProjection(uint64_t bucket_positions = 32768,
                             size_t cached_events = 100'000);
  ~MetricsProjection() override;

  std::string_view Name() const override { return "metrics"; }
  // 2: delayed days counted by London dates, a package started at the midnight
  // ending a month open at that month's end.
  uint32_t Definition() const override { return 2; }
  Status Load(storage::EventLog& log) override;
  Status Apply(const LogEvent& event, storage::ProjectionWrite& write) override;
  Status FinishBatch(storage::ProjectionWrite& write) override;
  void Commit(uint64_t position) override;
  void Abort() override;
  void Reset() override;
  // Person by person (metrics_build.cpp): folds each person's stream once,
  // emits each event's delta as Apply would, then the totals and the as-of
  // snapshots as sums of those deltas -- the same rows, byte for byte.
  StreamBuild* stream_build() override { return this; }

  // The area's cells (keys without the area prefix) as applied now, and the
  // position they reflect.
  Cells AreaCells(std::string_view area, uint64_t* position = nullptr) const;
  // The area's cells as they stood after the event at `position` (positions not
  // yet applied answer with the cells now).
  Result<Cells> AreaCellsAsOf(std::string_view area, uint64_t position) const;
  uint64_t AppliedPosition() const;

 private:
  // A person's fold of versions 1..state.version() and their contribution
  // computed from exactly that: a pure function of the log, so a cached entry
  // stays right whatever happens to batches.
  struct PersonEntry {
    PersonState state;
    CellList contribution;
  };
  // The entry of `stream` holding versions 1..version - 1 (from the cache, or
  // read from the log).
  Result<PersonEntry*> EntryBefore(const std::string& stream, uint64_t version);
  void WriteDelta(const CellList& delta, uint64_t position,
                  storage::ProjectionWrite& write);

  // StreamBuild (metrics_build.cpp).
  class Sink;
  struct BuildSums;
  bool WantsPersonStreams() const override { return true; }
  bool WantsOtherStreams() const override { return false; }
  void Prepare(uint64_t last, const SpillOptions& spill) override;
  std::unique_ptr<StreamBuildSink> NewSink(storage::EventLog& log) override;
  Status Finish(storage::EventLog& log, uint64_t last) override;
  void ResetBuild();  // forgets the sums of a build that failed

  const uint64_t bucket_positions_;
  const size_t max_cached_events_;
  storage::EventLog* log_ = nullptr;
  mutable std::mutex mu_;  // guards totals_, snapshots_, applied_
  Cells totals_;           // committed, every area
  std::set<std::pair<std::string, uint64_t>>
      snapshots_;  // (area, bucket) committed
  uint64_t applied_ = 0;

  std::mutex build_mu_;  // guards build_sums_ (the build's workers)
  std::unique_ptr<BuildSums> build_sums_;
  std::string build_spill_directory_;  // of the next build (Prepare)

  // The batch in progress (runner thread only): its deltas' sums, and the
  // same by the cells' strings once FinishBatch has written them (what Commit
  // applies).
  std::unordered_map<CellKey, int64_t, CellKeyHash> pending_delta_;
  Cells pending_totals_;
  // The strings of the cells written (runner thread only), forgotten when
  // they are many.
  CellNames names_;
  std::set<std::pair<std::string, uint64_t>> pending_snapshots_;

  // Recently seen people (runner thread only), weighed by their events: a
  // generation holds half the budget.
  TwoGenerations<PersonEntry> people_{
      max_cached_events_ / 2,
      [](const PersonEntry& e) -> size_t { return e.state.version(); }};
};

}  // namespace carelog::metrics
