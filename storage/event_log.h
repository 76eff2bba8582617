// The event log: the only state Carelog keeps. Everything else is a projection
// of it.
//
// Storage knows streams, versions, positions and bytes; it does not know what a
// referral is. All methods are thread-safe. An append is answered only after it
// is durable (fsync'd).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace carelog::storage {

// What an append expects the stream's version to be (the version is the number
// of events in the stream; an empty stream has version 0).
struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExact };
  Kind kind = Kind::kAny;
  uint64_t version = 0;

  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exact(uint64_t v) { return {Kind::kExact, v}; }
};

// One event to append: the client's id, the message type and the serialized
// body.
struct NewEvent {
  std::string event_id;
  std::string type;
  std::string body;
};

struct AppendRequest {
  std::string stream;
  ExpectedVersion expected;
  std::vector<NewEvent> events;  // 1 or more
  std::string recorded_by;       // the recording principal
};

struct AppendResult {
  uint64_t first_version = 0;
  uint64_t last_version = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  int64_t recorded_at_micros = 0;
  // True when every event was already stored with identical content: nothing
  // was written and the figures above are the original ones.
  bool duplicate = false;
  // AppendAsyncWithAudit: the id of the audit entry written with the events;
  // 0 when it was not written (a duplicate).
  uint64_t audit_id = 0;
};

// An event as stored.
struct RecordedEvent {
  uint64_t position = 0;
  std::string stream;
  uint64_t version = 0;
  std::string event_id;
  std::string type;
  std::string body;
  int64_t recorded_at_micros = 0;
  std::string recorded_by;
  std::string content_hash;  // 32 bytes, SHA-256 of stream, type and body
};

// One event of the log as EventLog::ScanLog hands it over: RecordedEvent's
// fields, the strings viewing storage that lasts only until the call returns.
struct RecordedEventView {
  uint64_t position = 0;
  std::string_view stream;
  uint64_t version = 0;
  std::string_view event_id;
  std::string_view type;
  std::string_view body;
  int64_t recorded_at_micros = 0;
  std::string_view recorded_by;
  std::string_view content_hash;
};

// A view of `e` (valid while `e` is).
RecordedEventView View(const RecordedEvent& e);

// How many rows a bulk build of a projection hands WriteProjections at a time:
// big enough that a write's fixed cost is spread thin, small enough that
// the rows held before it stay a few MiB.
inline constexpr size_t kBulkRowsPerWrite = 32768;

// Rows of projections and their checkpoints, written atomically together.
struct ProjectionWrite {
  struct Row {
    std::string projection;
    std::string key;
    std::optional<std::string> value;  // nullopt deletes the row
  };
  std::vector<Row> rows;
  // projection name -> position of the last event applied
  std::vector<std::pair<std::string, uint64_t>> checkpoints;
};

// What the group commit has done since the log was opened: how many fsyncs
// made appends and audit entries durable, and how many of each they carried.
struct CommitStats {
  // Upper bounds (inclusive) of the buckets of batch_events; a last bucket
  // counts the larger batches.
  static constexpr uint64_t kBatchEventBounds[] = {
      0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384};
  static constexpr size_t kBuckets =
      sizeof(kBatchEventBounds) / sizeof(kBatchEventBounds[0]) + 1;

  uint64_t fsync_batches = 0;  // fsyncs that made something durable
  uint64_t events_synced = 0;  // events made durable by them
  uint64_t audit_entries_synced = 0;
  double fsync_seconds = 0;  // time spent in those fsyncs
  // batch_events[i]: batches whose event count is at most
  // kBatchEventBounds[i] and above the bound before (not cumulative).
  uint64_t batch_events[kBuckets] = {};
  // Upper bounds (inclusive, seconds) of the buckets of fsync_duration; a last
  // bucket counts the slower fsyncs. The disk's tail is a write's floor.
  static constexpr double kFsyncSecondsBounds[] = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1};
  static constexpr size_t kFsyncBuckets =
      sizeof(kFsyncSecondsBounds) / sizeof(kFsyncSecondsBounds[0]) + 1;
  // fsync_duration[i]: fsyncs (of fsync_batches) that took at most
  // kFsyncSecondsBounds[i] and more than the bound before (not cumulative).
  uint64_t fsync_duration[kFsyncBuckets] = {};
};

// Rows of one projection handed over in strictly increasing key order and
// stored together (EventLog::LoadProjection). No checkpoint moves: the caller
// writes it after Finish, so a load cut short leaves rows without one, which
// a projection runner drops.
class ProjectionLoad {
 public:
  virtual ~ProjectionLoad() = default;
  // Adds a row; kInvalidArgument when `key` does not follow the last key
  // added.
  virtual Status Add(std::string_view key, std::string_view value) = 0;
  // Stores every row added (some may be stored earlier). Once; no Add after.
  virtual Status Finish() = 0;

 protected:
  // What every load answers to a call after Finish (kInternal) and to a row
  // out of key order (kInvalidArgument).
  static Status FinishedError(const std::string& projection);
  static Status OutOfOrderError(const std::string& projection);
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends the events to the stream as one atomic unit, after checking the
  // expected version and event ids:
  //  - kWrongVersion if the stream's version is not the expected one;
  //  - kConflict if an event id is already stored with different content (or in
  //  another stream);
  //  - ok with duplicate = true and the original figures if every event id is
  //  already stored with
  //    identical content and consecutively in this stream (an idempotent
  //    retry);
  //  - kInvalidArgument for an empty request, an empty event id or an id
  //  repeated in the request.
  // Blocks until the events are durable. Concurrent appends are committed
  // together (group commit).
  virtual Result<AppendResult> Append(AppendRequest request) = 0;

  // As Append, but returns at once; `done` runs on the log's own thread once
  // the outcome is durable. `done` must not block.
  virtual void AppendAsync(AppendRequest request,
                           std::function<void(Result<AppendResult>)> done) = 0;

  // As AppendAsync, and when the events are newly appended the audit entry
  // (see AppendAudit) is written in the same atomic batch, durable with the
  // same fsync, its id in AppendResult::audit_id. A refused or duplicate append
  // writes no audit entry: the caller records that outcome itself. The default
  // appends, then writes the entry with AppendAudit (for logs without a group
  // commit).
  virtual void AppendAsyncWithAudit(
      AppendRequest request, std::string audit_subject, std::string audit_entry,
      std::function<void(Result<AppendResult>)> done) {
    AppendAsync(std::move(request),
                [this, subject = std::move(audit_subject),
                 entry = std::move(audit_entry),
                 done = std::move(done)](Result<AppendResult> r) mutable {
                  if (r.ok() && !r->duplicate) {
                    auto id = AppendAudit(subject, std::move(entry));
                    if (!id.ok()) {
                      r = id.status();
                    } else {
                      r->audit_id = *id;
                    }
                  }
                  done(std::move(r));
                });
  }

  // Events of a stream with version >= from_version, at most max_count, in
  // version order.
  virtual Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream,
                                                        uint64_t from_version,
                                                        size_t max_count) = 0;

  // The stream's current version (0 if it does not exist).
  virtual Result<uint64_t> StreamVersion(std::string_view stream) = 0;

  // As StreamVersion when the log can tell from memory alone (e.g. the store's
  // caches and filters); nullopt when telling would read the disk. Never
  // blocks on I/O. This default never knows.
  virtual Result<std::optional<uint64_t>> StreamVersionInMemory(
      std::string_view /*stream*/) {
    return std::optional<uint64_t>();
  }

  // Events of the global log with position >= from_position, at most max_count,
  // in order.
  virtual Result<std::vector<RecordedEvent>> ReadAll(uint64_t from_position,
                                                     size_t max_count) = 0;

  // The event with this id, or nullopt.
  virtual Result<std::optional<RecordedEvent>> FindEvent(
      std::string_view event_id) = 0;

  // The position of the last durable event (0 for an empty log).
  virtual uint64_t LastPosition() const = 0;
  // Calls fn for every event at positions [from_position, to_position] (to
  // at most LastPosition()), in order, until fn returns false; kCorruption if
  // a position is missing. For reading much of the log once: this default
  // reads pages of ReadAll; RocksDB's decodes each record into one reused
  // message, no allocation an event.
  virtual Status ScanLog(
      uint64_t from_position, uint64_t to_position,
      const std::function<bool(const RecordedEventView&)>& fn);

  // Position of the last event recorded at or before the instant (microseconds
  // since the epoch); 0 if none. Positions grow with recorded_at, so this
  // answers "the log as of T".
  virtual Result<uint64_t> PositionAtOrBefore(int64_t recorded_at_micros) = 0;

  // Projections: rows in a key space of their own, each projection a namespace.
  virtual Status WriteProjections(const ProjectionWrite& write) = 0;
  virtual Result<std::optional<std::string>> GetProjectionRow(
      std::string_view projection, std::string_view key) = 0;
  // Calls fn(key, value) for rows of the projection whose key starts with
  // prefix, in key order, until fn returns false.
  virtual Status ScanProjection(
      std::string_view projection, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>&
          fn) = 0;
  // Position of the last event the projection applied (0 if none).
  virtual Result<uint64_t> ProjectionCheckpoint(
      std::string_view projection) = 0;
  // Removes every row and the checkpoint of the projection.
  virtual Status DropProjection(std::string_view projection) = 0;
  // A bulk load of the projection's rows, for a build into a projection that
  // holds none (dropped, or never written): the rows come in key order and
  // need not go through the write-ahead log, the memtable and the
  // compactions a write's rows go through. Rows the projection still holds
  // stay unless a loaded row of the same key replaces them. One load of a
  // projection at a time (a second one's files would replace the first's).
  // This default writes them with WriteProjections, kBulkRowsPerWrite rows
  // a write.
  virtual Result<std::unique_ptr<ProjectionLoad>> LoadProjection(
      std::string_view projection);
  // Compacts the projection's rows now, after a bulk build, so that the writes
  // which follow do not pay for it; Ok where there is nothing to do.
  virtual Status CompactProjection(std::string_view projection) {
    (void)projection;
    return Status::Ok();
  }

  // Audit trail: append-only, never changed through any interface. `subject`
  // indexes the entry (the NHS number of the person read or written). Durable
  // before return.
  virtual Result<uint64_t> AppendAudit(std::string_view subject,
                                       std::string entry) = 0;
  // As AppendAudit, but returns at once; `done` runs on the log's own thread
  // with the id once the entry is durable, and must not block. The default
  // calls AppendAudit.
  virtual void AppendAuditAsync(std::string_view subject, std::string entry,
                                std::function<void(Result<uint64_t>)> done) {
    done(AppendAudit(subject, std::move(entry)));
  }
  // Several entries, (subject, entry) each, queued together so that as few
  // group commits as possible make them durable; `done` runs once when all are
  // durable (Ok) or with the first error, on the log's own thread or, for an
  // empty list or a closed log, on the caller's; it must not block. The
  // default calls AppendAuditAsync for each.
  virtual void AppendAuditsAsync(
      std::vector<std::pair<std::string, std::string>> entries,
      std::function<void(Status)> done);
  // Entries of a subject with id > after_id, at most max_count, in id order:
  // (id, entry).
  virtual Result<std::vector<std::pair<uint64_t, std::string>>> ReadAudit(
      std::string_view subject, uint64_t after_id, size_t max_count) = 0;

  // Checks every invariant of the stored log: positions gapless from 1, each
  // record's stream index entry, dedup entry and content hash, every stream
  // gapless from version 1 with its head agreeing, the time index, the audit
  // trail's ids and hash chain. kCorruption says what is wrong. Reads the whole
  // store (for `carelog verify`, not for the request path).
  virtual Status VerifyFull() = 0;

  // Figures of the group commit since opening (for /metrics). Thread-safe. A
  // log without a group commit answers zeros.
  virtual CommitStats Stats() const { return {}; }
};

struct OpenOptions {
  std::string path;
  // Defaults suit production; tests may shrink them.
  size_t max_batch_events =
      20000;  // the sequencer's upper bound for one WriteBatch
  size_t block_cache_bytes = 128u << 20;
  size_t stream_head_cache_entries =
      100000;  // stream versions the sequencer keeps in memory
  // Table files of a projection load (EventLog::LoadProjection) are closed
  // once this big; 0: the size compactions write (64 MiB).
  uint64_t load_file_bytes = 0;
  // Server time in microseconds since the epoch; empty means the system clock.
  // recorded_at never goes backwards along positions, even if this clock does.
  std::function<int64_t()> now_micros;
};

// Opens (creating if missing) the RocksDB store at options.path. Checks the
// log's invariants on open and answers kCorruption (with what is wrong) if
// positions have a gap or a stream head disagrees with its stream; kIOError if
// the directory cannot be used. To open fast whatever the size of the store,
// these checks cover the ends of the log and its last events (positions, stream
// index, heads, dedup entries, content hashes); EventLog::VerifyFull checks
// everything.
Result<std::unique_ptr<EventLog>> OpenRocksDbEventLog(
    const OpenOptions& options);

}  // namespace carelog::storage
