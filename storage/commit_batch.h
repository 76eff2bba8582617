// One group commit of the sequencer (storage/sequencer.h): the work taken from
// its queue, the checks of expected versions and event ids against the stored
// log and against each other, the WriteBatch of all that passes, and the
// answers. Used only by the thread committing a batch (the sequencer's, or a
// waiting caller's when the sequencer is idle) and the syncer.
#pragma once

#include <rocksdb/write_batch.h>

#include <functional>
#include <memory_resource>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/event_log.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "storage/stream_head_cache.h"

namespace carelog::storage {

// An append, an audit entry, or an append with the audit entry to write when
// its events are newly appended (with_audit), waiting for the sequencer.
struct SequencerWork {
  bool is_audit = false;
  bool with_audit = false;
  AppendRequest request;
  // The content hash of every event (32 bytes each, in order), computed on the
  // caller's thread; one string, not one allocation per event.
  std::string hashes;
  std::string_view hash(size_t i) const {
    return std::string_view(hashes).substr(32 * i, 32);
  }
  Status invalid;  // set when the request was refused before queueing
  std::function<void(Result<AppendResult>)> append_done;
  std::string subject, entry;
  std::function<void(Result<uint64_t>)> audit_done;
  size_t events() const {
    return is_audit ? 1 : request.events.size() + (with_audit ? 1 : 0);
  }
};

// What the sequencer knows after the last batch it wrote (durable or not).
struct SequencerState {
  explicit SequencerState(size_t head_cache_entries)
      : heads(head_cache_entries) {}
  StreamHeadCache heads;
  uint64_t next_position = 1;
  int64_t last_recorded_at = 0;
  uint64_t last_audit_id = 0;
  std::string last_audit_hash;
};

class CommitBatch {
 public:
  // Every event of the batch is recorded at `recorded_at`.
  CommitBatch(RocksDbStore* store, SequencerState* state,
              std::vector<SequencerWork> work, int64_t recorded_at);

  // Loads what the checks need: stored event ids and the heads of streams not
  // cached.
  Status Load();
  // Decides every piece of work and adds what passes to the WriteBatch.
  void Decide();
  // Writes the batch without fsync and, if that worked, makes its state the
  // sequencer's.
  Status Write();
  // Every piece of work fails with `s`; nothing is written.
  void FailAll(const Status& s);
  // Answers every caller; a non-ok `failure` replaces the outcome of work that
  // was written.
  void Answer(const Status& failure);

  bool written() const { return written_; }
  uint64_t last_position() const { return next_position_ - 1; }
  // What Write() wrote (0 before, or when nothing was).
  uint64_t events_written() const {
    return written_ ? next_position_ - first_position_ : 0;
  }
  uint64_t audit_entries_written() const {
    return written_ ? audit_id_ - first_audit_id_ : 0;
  }
  Status& write_status() { return write_status_; }

 private:
  struct Outcome {
    Status status;
    AppendResult append;
    uint64_t audit_id = 0;
  };

  // An event id's stored event (its dedup entry and record) or one written by
  // this batch; the hash lies in stored_hashes_ or in the work's hashes.
  struct IdEntry {
    uint64_t position = 0;
    uint64_t version = 0;
    int64_t recorded_at_micros = 0;
    std::string_view content_hash;
  };
  // A dedup entry to write: added to the batch in id order at the end, so
  // that the memtable's skip list inserts each next to the one before.
  struct NewId {
    std::string_view id;
    uint64_t position;
  };

  void Put(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
           std::string_view value);
  const IdEntry* FindId(std::string_view id) const;
  Outcome DecideAppend(const SequencerWork& w);
  Outcome DecideRetry(const SequencerWork& w,
                      const std::vector<const IdEntry*>& seen, size_t found);
  Outcome AddAudit(const SequencerWork& w);
  static Outcome Conflict(std::string message);
  static size_t EstimateBytes(const std::vector<SequencerWork>& work);
  static size_t CountEvents(const std::vector<SequencerWork>& work);
  void PutNewIds();

  RocksDbStore* const store_;
  SequencerState* const state_;
  std::vector<SequencerWork> work_;
  const size_t events_;  // events in work_
  bool written_ = false;
  Status write_status_;
  const int64_t recorded_at_;
  const uint64_t first_position_;
  const uint64_t first_audit_id_;
  uint64_t next_position_;
  uint64_t audit_id_;
  std::string audit_hash_;
  // The maps' nodes come from one arena released with the batch, not one
  // allocation per event freed by the syncer's thread. Keys are views of the
  // work's own strings, which stay put in work_.
  std::pmr::monotonic_buffer_resource arena_;
  std::pmr::unordered_map<std::string_view, uint64_t> heads_{&arena_};
  std::pmr::unordered_map<std::string_view, IdEntry> ids_{&arena_};
  // Loads the stored events of the batch's ids that the dedup index knows.
  Status LoadStoredIds(const std::vector<std::string_view>& ids);

  // The content hashes of stored events the batch's ids name (a retry, rare),
  // 32 bytes each; ids_ holds views of them.
  std::string stored_hashes_;
  std::vector<NewId> new_ids_;
  std::string key_, value_;  // reused for every entry written
  std::vector<Outcome> outcomes_;
  rocksdb::WriteBatch wb_;
  Status status_;
};

}  // namespace carelog::storage
