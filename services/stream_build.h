// Building projections stream by stream: the runner's fast path for
// projections that have applied nothing (a rebuild, a first start). One
// sequential read of the log (EventLog::ReadAll) sorts the events out by stream
// into a few temporary files (services/stream_spill.h); each file is then read
// back, its streams put in version order and handed in chunks to worker
// threads, which decode a person's care events once and hand the whole stream
// to every projection being built. A stream's
// events are in version order, which is position order, so a projection that
// folds a stream event by event sees each event exactly as log-order Apply
// does; what it writes must be what log order writes, byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "services/person_state.h"
#include "services/stream_spill.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

// One stream up to the build's last position: versions 1..n.
struct BuildStream {
  std::string_view stream;
  std::span<const SpilledEvent> recorded;
  // Person streams only (kPersonStreamPrefix): the care events of `recorded`,
  // decoded, same indices; empty for other streams. The worker decodes later
  // streams into the same events when it holds their only reference: a sink
  // may keep a copy of the pointer (the worker then decodes into a new event),
  // but not hand one to another thread that lets go of it while the build
  // runs (the worker's use_count() does not synchronise with that release).
  std::span<const StoredCareEventPtr> care;
};

// One worker thread's part of a projection's build. Rows it writes before
// Finish carry no checkpoint.
class StreamBuildSink {
 public:
  virtual ~StreamBuildSink() = default;
  virtual Status Stream(const BuildStream& stream) = 0;
  // Called after each chunk of streams: may write the rows it holds.
  virtual Status ChunkDone() = 0;
  // Writes every row still held (the worker has no more streams).
  virtual Status Flush() = 0;
};

// Writes `write`'s rows in key order (the memtable inserts a sorted run far
// faster than keys in the random order people give them) and empties it.
Status WriteSortedRows(storage::EventLog& log, storage::ProjectionWrite& write);
// Puts `rows` in key order (its part of WriteSortedRows, for its test).
void SortRowsByKey(std::vector<storage::ProjectionWrite::Row>& rows);

// Where and how big the build's temporary files are.
struct SpillOptions {
  // Empty: the temporary directory (TMPDIR, else /tmp).
  std::string directory = {};
  // Bytes of one group of files (file k of every reader), which is read back
  // whole at a time while the workers may still hold the previous one: the
  // number of groups is the log's spilled size, estimated from a sample of
  // its events before reading, over this. Events of ~1 KB make more groups
  // than events of ~200 bytes, not bigger ones. The mapped files count in
  // the process's resident set while a group is folded: 32 MiB (was 128)
  // keeps two groups at ~64 MiB (~70 groups at 10 M events).
  uint64_t group_bytes = 32u << 20;
  // Events of one ReadAll: small enough that a page's vector (~60 KB) stays
  // in glibc's heap, where 10,000 (~2.3 MB) was mapped fresh, page-faulted
  // in and unmapped again for every page.
  size_t page_events = 256;
};

// What a projection implements to be built this way.
class StreamBuild {
 public:
  virtual ~StreamBuild() = default;
  // Which streams it needs: person streams, the others (admin), or both.
  virtual bool WantsPersonStreams() const = 0;
  virtual bool WantsOtherStreams() const = 0;
  // Called once before any NewSink: the build's last position and where its
  // temporary files go.
  virtual void Prepare(uint64_t last, const SpillOptions& spill) {
    (void)last;
    (void)spill;
  }
  // One sink per worker thread (called before any Stream).
  virtual std::unique_ptr<StreamBuildSink> NewSink(storage::EventLog& log) = 0;
  // Every stream was handed to a sink and every sink flushed: writes the rest
  // with the checkpoint `last` in the last write, and takes the in-memory state
  // of a projection that has committed `last`.
  virtual Status Finish(storage::EventLog& log, uint64_t last) = 0;
};

// The spilled size of the events up to `last`, estimated from a few short
// reads spread over the log (at least 1).
Result<uint64_t> EstimateSpilledBytes(storage::EventLog& log, uint64_t last);

// Builds the projections from the log up to `last` with `threads` worker
// threads. `progress(done)` returning false cancels (kUnavailable); `done`
// counts reading the log as the first half of the work and folding its
// events as the second, in events: it grows to last / 2 while the log is read
// and on to `last` as the streams are folded. On failure the
// projections' rows are incomplete (no checkpoint) and Finish is not called.
Status BuildStreamByStream(storage::EventLog& log, uint64_t last,
                           const std::vector<StreamBuild*>& builds, int threads,
                           const std::function<bool(uint64_t)>& progress,
                           const SpillOptions& spill = {});

}  // namespace carelog
