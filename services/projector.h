// The projection runner: follows the global log from the projections'
// checkpoints, applies each event exactly once to every projection that has not
// yet seen it, and writes their rows together with their checkpoints in one
// atomic WriteProjections per batch, so that a restart neither skips nor
// repeats an event. Knows its applied position for /readyz and read-your-writes
// (minPosition). Projections that have applied nothing (a rebuild, a first
// start) and have a stream_build() are built stream by stream instead, beside
// the others' log-order replay. Adding a projection is implementing Projection
// and passing it to the runner.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "services/person_state.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

class StreamBuild;

// An event of the log as the projections take it: as recorded, and its care
// event decoded at most once for all of them (the metrics and the worklists
// both fold it). Implicit from a RecordedEvent, so that a caller applying one
// event by hand (tests) passes the record.
class LogEvent {
 public:
  LogEvent(const storage::RecordedEvent& recorded)  // NOLINT: see above
      : recorded_(recorded) {}
  const storage::RecordedEvent& recorded() const { return recorded_; }
  // The record as a care event (DecodeStoredCareEvent), decoded at the first
  // call; kCorruption when it is not one.
  const Result<StoredCareEventPtr>& CareEvent() const {
    if (!care_) care_.emplace(DecodeStoredCareEvent(recorded_));
    return *care_;
  }

 private:
  const storage::RecordedEvent& recorded_;
  mutable std::optional<Result<StoredCareEventPtr>> care_;
};

// One projection of the log. The runner calls it from one thread at a time.
class Projection {
 public:
  virtual ~Projection() = default;
  // The namespace of its rows and the name of its checkpoint.
  virtual std::string_view Name() const = 0;
  // Loads in-memory state from the projection's rows (at start-up, before any
  // Apply).
  virtual Status Load(storage::EventLog& log) = 0;
  // Applies one event not yet applied (in position order). Effects must be
  // visible to later Apply calls of the same batch; rows may be added to
  // `write` here or in FinishBatch.
  virtual Status Apply(const LogEvent& event,
                       storage::ProjectionWrite& write) = 0;
  // Adds the batch's remaining rows before the atomic write.
  virtual Status FinishBatch(storage::ProjectionWrite& write) = 0;
  // The batch's write is durable (Commit) or failed (Abort, pending state is
  // forgotten).
  virtual void Commit(uint64_t position) = 0;
  virtual void Abort() = 0;
  // Forgets all in-memory state (its rows have been dropped).
  virtual void Reset() = 0;
  // Optional fast path for a projection that has applied nothing (no rows,
  // state reset, loaded): built stream by stream (services/stream_build.h)
  // together with the others that have one, instead of Apply in log order, and
  // then as if it had committed the log's last position. Its checkpoint goes
  // in the same atomic write as its last rows; rows written before carry none
  // (the runner drops them on Open after a crash, or when the build fails).
  virtual StreamBuild* stream_build() { return nullptr; }
  // What its rows mean. Raise it with any change of the code that gives rows
  // already written another meaning (a metric's definition, which people the
  // worklists keep): the runner's Open drops rows written under another
  // definition, or before definitions were recorded, and the projection is
  // built again from the log (docs/OPERATIONS.md, "Upgrades").
  virtual uint32_t Definition() const { return 1; }
};

struct ProjectorOptions {
  size_t batch_events = 2000;
  // Events per batch of Rebuild (nobody reads the projections meanwhile, so
  // bigger batches only save per-batch costs: row merging, iterators).
  size_t rebuild_batch_events = 20000;
  // Projections that have applied nothing (a rebuild, a first start) are built
  // stream by stream where they have a stream_build(), all in one pass on
  // threads of their own, while the calling thread applies the others in log
  // order.
  bool build_empty = true;
  int build_threads = 2;  // workers of that pass
  // Where that pass puts its temporary files (about 200 bytes an event);
  // empty: the temporary directory (TMPDIR, else /tmp).
  std::string spill_directory = {};
  // How long the follower lets events gather after a batch that was not full
  // (or when nothing is new) before it looks again; Notify, or a
  // WaitForPosition beyond what it has applied, wakes it at once.
  std::chrono::milliseconds idle_wait{20};
  // When it looks, it applies what waits once follow_batch_events wait, or
  // follow_delay after its last batch ended, whichever comes first; until then
  // it waits again (a batch's fixed costs - its wake-up, read, write and
  // total rows - are shared by more events; readers are not kept waiting: a
  // WaitForPosition wakes it at once).
  size_t follow_batch_events = 1000;
  std::chrono::milliseconds follow_delay{100};
  // Called once, on the follower's thread, with the error that stopped it and
  // the position applied until then (a projection that cannot apply the log
  // stops rather than skip ahead).
  std::function<void(const Status&, uint64_t applied)> on_stopped = {};
  // Called by Open for each projection whose rows it drops because they were
  // written under another definition (`stored`: that definition, empty when
  // none was recorded), before they are built again.
  std::function<void(std::string_view projection, const std::string& stored)>
      on_redefined = {};
};

class ProjectionRunner {
 public:
  ProjectionRunner(storage::EventLog& log, std::vector<Projection*> projections,
                   ProjectorOptions options = {});
  ~ProjectionRunner();
  ProjectionRunner(const ProjectionRunner&) = delete;
  ProjectionRunner& operator=(const ProjectionRunner&) = delete;

  // Reads checkpoints and loads the projections' state. Call once, before
  // anything else.
  Status Open();
  // Applies everything in the log now, on the calling thread (tests, the
  // rebuild command).
  Status CatchUp();
  // Starts / stops the background follower. Stop waits for the batch in flight.
  void Start();
  void Stop();
  // Wakes the follower (call after an append).
  void Notify();

  // Drops every projection's rows and checkpoint and replays the whole log;
  // `progress` is called after each batch with (applied position, last
  // position). While a stream build runs, "applied" is its share of the work
  // in events (services/stream_build.h: reading the log is the first half).
  Status Rebuild(const std::function<void(uint64_t, uint64_t)>& progress);

  // The position every projection has applied.
  uint64_t AppliedPosition() const { return applied_.load(); }
  // Waits until AppliedPosition() >= position (waking the follower if it is
  // behind); false on timeout or when the runner failed.
  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout);
  // The error that stopped the follower, if any.
  Status LastError() const;

 private:
  // Applies up to max_events; `applied` receives how many (0: none were due).
  Status ApplyBatch(size_t max_events, size_t* applied);
  // Builds the projections that have applied nothing (see build_empty);
  // `progress(applied, last)` as Rebuild's. Stops early when stopping_.
  Status BuildEmpty(const std::function<void(uint64_t, uint64_t)>& progress);
  void AbortAll();  // every projection not being built
  // Drops the rows a projection left without a checkpoint.
  Status DropIfUncheckpointed(size_t i);
  // Drops projection i's rows (and sets *checkpoint to 0) when they were
  // written under another definition than its code's; records its definition.
  Status KeepDefinition(size_t i, uint64_t* checkpoint);
  void Run();
  // Waits (after a batch that was not full) until the next batch is due:
  // see idle_wait, follow_batch_events and follow_delay.
  void Gather();
  // Records the error that stops the follower and reports it (on_stopped).
  void Fail(const Status& error);

  storage::EventLog& log_;
  std::vector<Projection*> projections_;
  std::vector<uint64_t> checkpoints_;
  std::vector<bool> building_;  // built by BuildEmpty now: ApplyBatch skips
  ProjectorOptions options_;
  std::atomic<uint64_t> applied_{0};
  mutable std::mutex mu_;
  std::condition_variable wake_;      // the follower waits here
  std::condition_variable progress_;  // waiters for a position wait here
  bool stopping_ = false;
  bool notified_ = false;
  Status error_;
  std::thread thread_;
  std::mutex batch_mu_;  // one batch at a time (follower, CatchUp, Rebuild)
};

}  // namespace carelog
