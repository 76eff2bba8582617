// The single writer of the event log. It owns the global position counter, the
// stream heads and the audit counter; it takes everything waiting in its queue
// (or, when idle, a waiting caller's append on that caller's own thread: one
// batch is committed at a time, whichever thread commits it),
// checks expected versions and event ids, and writes all that pass as one
// atomic WriteBatch (group commit). A second thread, the syncer, fsyncs the
// write-ahead log and only then answers the callers of every batch written
// before that fsync began, in order: one fsync covers every batch written while
// the previous one ran, and checking the next batch overlaps the fsync of the
// last. When nothing is queued behind a batch and the syncer is idle, the
// committing thread fsyncs and answers it itself: there is nothing to overlap,
// and a thread hand-off less. All methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/commit_batch.h"
#include "storage/event_log.h"
#include "storage/rocksdb_store.h"

namespace carelog::storage {

// Where the log stood when it was opened.
struct SequencerStart {
  uint64_t last_position = 0;
  int64_t last_recorded_at_micros = 0;
  uint64_t last_audit_id = 0;
  std::string last_audit_hash;  // SHA-256 of the last audit entry; 32 zero
                                // bytes if none
};

class Sequencer {
 public:
  using AppendDone = std::function<void(Result<AppendResult>)>;
  using AuditDone = std::function<void(Result<uint64_t>)>;

  // `store` must outlive the sequencer. `now_micros` is the server clock.
  Sequencer(RocksDbStore* store, SequencerStart start, size_t max_batch_events,
            size_t stream_head_cache_entries,
            std::function<int64_t()> now_micros);
  // Stops after answering everything queued.
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Queues the append; `done` runs on the sequencer's or the syncer's thread
  // with the outcome
  // (see EventLog::Append) once it is durable, or at once on the calling thread
  // with kUnavailable after Stop.
  void Append(AppendRequest request, AppendDone done);
  // As Append, for a caller that waits for `done` before doing anything else:
  // when the sequencer is idle (nothing queued, no batch being committed, no
  // fsync under way) the batch is committed, synced and answered on the
  // calling thread, as RocksDB's own writers lead their write group: it spares
  // the two hand-offs between threads (each a wake-up) an append would
  // otherwise pay. Else it is queued as by Append.
  void AppendFromWaitingCaller(AppendRequest request, AppendDone done);
  // Queues the append with an audit entry written in the same batch when the
  // events are newly appended (see EventLog::AppendAsyncWithAudit).
  void AppendWithAudit(AppendRequest request, std::string subject,
                       std::string entry, AppendDone done);
  // Queues an audit entry; `done` receives its id once it is durable.
  void AppendAudit(std::string subject, std::string entry, AuditDone done);
  // As AppendAudit, for a caller that waits (see AppendFromWaitingCaller).
  void AppendAuditFromWaitingCaller(std::string subject, std::string entry,
                                    AuditDone done);
  // Queues several (subject, entry) at once, so that no commit starts between
  // them (unless they exceed a batch); `done` receives each one's id.
  void AppendAudits(std::vector<std::pair<std::string, std::string>> entries,
                    const AuditDone& done);

  // The position of the last durable event.
  uint64_t LastPosition() const {
    return last_position_.load(std::memory_order_acquire);
  }

  // What the syncer has made durable so far.
  CommitStats Stats() const;

  // Answers everything queued, then stops the thread. Later submissions get
  // kUnavailable.
  void Stop();

 private:
  using Work = SequencerWork;

  // The work for an append, refused at once if malformed, with the content
  // hash of every event computed on the caller's thread.
  static Work PrepareAppend(AppendRequest request, AppendDone done);
  static Work PrepareAudit(std::string subject, std::string entry,
                           AuditDone done);
  void Enqueue(Work work);
  void Enqueue(std::vector<Work> works);
  // Commits `work` on the calling thread if the sequencer is idle, else
  // queues it.
  void CommitHereOrEnqueue(Work work);
  // Commits `work` alone on the calling thread. noexcept: an exception in a
  // commit ends the process, as it would on the sequencer's thread, rather than
  // leave a commit half done that every later append would wait on.
  void CommitOnCallersThread(Work work) noexcept;
  // Answers work that came after Stop: kUnavailable.
  static void Refuse(Work& work);
  void Run();
  void Commit(std::vector<Work> work);
  void RunSyncer();
  // Fsyncs the write-ahead log for `group` (batches written, oldest first) and
  // answers their callers.
  void SyncAndAnswer(std::vector<std::unique_ptr<CommitBatch>>& group);
  bool QueueEmpty();
  // No fsync under way and none waiting.
  bool SyncIdle();
  void CountSync(uint64_t events, uint64_t audits, double seconds);
  Status Failed();
  void Fail(const Status& s);

  RocksDbStore* const store_;
  const size_t max_batch_events_;
  const std::function<int64_t()> now_micros_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  // A batch is being committed, by the sequencer's thread or by a waiting
  // caller's (CommitHereOrEnqueue): one at a time.
  bool committing_ = false;

  SequencerState state_;  // used only by the thread committing a batch

  // Batches written but not yet synced, oldest first.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<std::unique_ptr<CommitBatch>> unsynced_;
  bool sync_stopping_ = false;
  // A group is being fsynced and answered (by the syncer, or by the
  // sequencer's thread for a batch nothing was queued behind).
  bool syncing_ = false;

  // After a failed write or fsync nothing more is written until reopened.
  std::mutex fail_mu_;
  Status failed_;

  mutable std::mutex stats_mu_;
  CommitStats stats_;

  std::atomic<uint64_t> last_position_;  // the last durable position
  std::thread thread_;
  std::thread syncer_;
};

}  // namespace carelog::storage
