// The single writer of the event log. It owns the global position counter, the
// stream heads and the audit counter; it takes everything waiting in its queue,
// checks expected versions and event ids, and commits all that pass as one
// WriteBatch with sync = true (group commit). Callers are answered only after
// that batch is durable, on the sequencer's thread. All methods are
// thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/event_log.h"
#include "storage/rocksdb_store.h"
#include "storage/stream_head_cache.h"

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

  // Queues the append; `done` runs on the sequencer's thread with the outcome
  // (see EventLog::Append) once it is durable, or at once on the calling thread
  // with kUnavailable after Stop.
  void Append(AppendRequest request, AppendDone done);
  // Queues an audit entry; `done` receives its id once it is durable.
  void AppendAudit(std::string subject, std::string entry, AuditDone done);

  // The position of the last durable event.
  uint64_t LastPosition() const {
    return last_position_.load(std::memory_order_acquire);
  }

  // Answers everything queued, then stops the thread. Later submissions get
  // kUnavailable.
  void Stop();

 private:
  struct Work {
    bool is_audit = false;
    AppendRequest request;
    std::vector<std::string>
        hashes;      // content hash per event, computed by the caller's thread
    Status invalid;  // set when the request was refused before queueing
    AppendDone append_done;
    std::string subject, entry;
    AuditDone audit_done;
    size_t events() const { return is_audit ? 1 : request.events.size(); }
  };
  class Batch;

  void Enqueue(Work work);
  void Run();
  void Commit(std::vector<Work>& batch);

  RocksDbStore* const store_;
  const size_t max_batch_events_;
  const std::function<int64_t()> now_micros_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> queue_;
  bool stopping_ = false;

  // Owned by the sequencer thread.
  StreamHeadCache heads_;
  int64_t last_recorded_at_;
  uint64_t last_audit_id_;
  std::string last_audit_hash_;
  Status failed_;  // after a failed write nothing more is written until the log
                   // is reopened

  std::atomic<uint64_t> last_position_;
  std::thread thread_;
};

}  // namespace carelog::storage
