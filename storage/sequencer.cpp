#include "storage/sequencer.h"

#include <pthread.h>
#include <rocksdb/perf_level.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "carelog/record.pb.h"
#include "storage/content_hash.h"
#include "storage/keys.h"

namespace carelog::storage {

namespace {

// Refuses a malformed request before it is queued: every text field is stored
// in a protobuf string, event ids must be distinct.
Status Validate(const AppendRequest& r) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("stream", r.stream));
  CARELOG_RETURN_IF_ERROR(keys::CheckUtf8("the stream name", r.stream));
  CARELOG_RETURN_IF_ERROR(keys::CheckUtf8("recorded_by", r.recorded_by));
  if (r.events.empty())
    return {Code::kInvalidArgument, "an append needs at least one event"};
  for (size_t i = 0; i < r.events.size(); ++i) {
    const NewEvent& e = r.events[i];
    // The event's label is built only for an error (this runs per event).
    auto which = [i] { return "event " + std::to_string(i); };
    if (e.event_id.empty())
      return {Code::kInvalidArgument, which() + " has an empty event id"};
    if (keys::FirstInvalidUtf8(e.event_id))
      return keys::CheckUtf8(which() + "'s event id", e.event_id);
    if (keys::FirstInvalidUtf8(e.type))
      return keys::CheckUtf8(which() + "'s type", e.type);
  }
  if (r.events.size() > 1) {
    std::vector<std::string_view> ids;
    ids.reserve(r.events.size());
    for (const NewEvent& e : r.events) ids.push_back(e.event_id);
    std::sort(ids.begin(), ids.end());
    if (auto twice = std::adjacent_find(ids.begin(), ids.end());
        twice != ids.end()) {
      return {Code::kInvalidArgument, "event id '" + std::string(*twice) +
                                          "' appears twice in the request"};
    }
  }
  return Status::Ok();
}

Status ValidateSubject(std::string_view subject) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("subject", subject));
  return keys::CheckUtf8("the audit subject", subject);
}

// The histogram bucket of `v`: the first whose (inclusive) upper bound holds
// it, or the last, past every bound.
template <typename T, size_t N>
size_t BucketOf(const T (&bounds)[N], T v) {
  size_t i = 0;
  while (i < N && v > bounds[i]) ++i;
  return i;
}

}  // namespace

Sequencer::Sequencer(RocksDbStore* store, SequencerStart start,
                     size_t max_batch_events, size_t stream_head_cache_entries,
                     std::function<int64_t()> now_micros)
    : store_(store),
      max_batch_events_(std::max<size_t>(1, max_batch_events)),
      now_micros_(std::move(now_micros)),
      state_(stream_head_cache_entries),
      last_position_(start.last_position) {
  state_.next_position = start.last_position + 1;
  state_.last_recorded_at = start.last_recorded_at_micros;
  state_.last_audit_id = start.last_audit_id;
  state_.last_audit_hash = std::move(start.last_audit_hash);
  thread_ = std::thread([this] { Run(); });
  syncer_ = std::thread([this] { RunSyncer(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_one();
  if (syncer_.joinable()) syncer_.join();
}

Status Sequencer::Failed() {
  std::lock_guard lock(fail_mu_);
  return failed_;
}

void Sequencer::Fail(const Status& s) {
  std::lock_guard lock(fail_mu_);
  if (failed_.ok()) {
    failed_ =
        Status(s.code(),
               s.message() +
                   " (the log accepts no more appends until it is reopened)");
  }
}

Sequencer::Work Sequencer::PrepareAppend(AppendRequest request,
                                         AppendDone done) {
  Work w;
  w.invalid = Validate(request);
  if (w.invalid.ok()) {
    w.hashes.reserve(32 * request.events.size());
    for (const auto& e : request.events) {
      AppendContentHash(&w.hashes, request.stream, e.type, e.body);
    }
  }
  w.request = std::move(request);
  w.append_done = std::move(done);
  return w;
}

void Sequencer::Append(AppendRequest request, AppendDone done) {
  Enqueue(PrepareAppend(std::move(request), std::move(done)));
}

void Sequencer::AppendFromWaitingCaller(AppendRequest request,
                                        AppendDone done) {
  CommitHereOrEnqueue(PrepareAppend(std::move(request), std::move(done)));
}

void Sequencer::AppendWithAudit(AppendRequest request, std::string subject,
                                std::string entry, AppendDone done) {
  Work w = PrepareAppend(std::move(request), std::move(done));
  if (w.invalid.ok()) w.invalid = ValidateSubject(subject);
  w.with_audit = true;
  w.subject = std::move(subject);
  w.entry = std::move(entry);
  Enqueue(std::move(w));
}

Sequencer::Work Sequencer::PrepareAudit(std::string subject, std::string entry,
                                        AuditDone done) {
  Work w;
  w.is_audit = true;
  w.invalid = ValidateSubject(subject);
  w.subject = std::move(subject);
  w.entry = std::move(entry);
  w.audit_done = std::move(done);
  return w;
}

void Sequencer::AppendAudit(std::string subject, std::string entry,
                            AuditDone done) {
  Enqueue(PrepareAudit(std::move(subject), std::move(entry), std::move(done)));
}

void Sequencer::AppendAuditFromWaitingCaller(std::string subject,
                                             std::string entry,
                                             AuditDone done) {
  CommitHereOrEnqueue(
      PrepareAudit(std::move(subject), std::move(entry), std::move(done)));
}

void Sequencer::AppendAudits(
    std::vector<std::pair<std::string, std::string>> entries,
    const AuditDone& done) {
  std::vector<Work> works;
  works.reserve(entries.size());
  for (auto& [subject, entry] : entries)
    works.push_back(PrepareAudit(std::move(subject), std::move(entry), done));
  Enqueue(std::move(works));
}

void Sequencer::Enqueue(Work work) {
  {
    std::unique_lock lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(work));
      lock.unlock();
      cv_.notify_one();
      return;
    }
  }
  Refuse(work);
}

void Sequencer::CommitHereOrEnqueue(Work work) {
  std::unique_lock lock(mu_);
  // Only a fully idle sequencer commits here: with an fsync under way other
  // callers are about, and the sequencer's thread gathers their work into
  // bigger batches while the fsync runs. Enqueue also refuses after Stop.
  if (stopping_ || !queue_.empty() || committing_ || !SyncIdle()) {
    lock.unlock();
    Enqueue(std::move(work));
    return;
  }
  committing_ = true;
  lock.unlock();
  CommitOnCallersThread(std::move(work));
  lock.lock();
  committing_ = false;
  // Work queued meanwhile (or Stop) waits for this commit to end.
  const bool wake = !queue_.empty() || stopping_;
  lock.unlock();
  if (wake) cv_.notify_one();
}

void Sequencer::CommitOnCallersThread(Work work) noexcept {
  // As on the sequencer's thread: nobody reads RocksDB's perf counters. The
  // caller's own setting is put back after.
  const rocksdb::PerfLevel level = rocksdb::GetPerfLevel();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  std::vector<Work> batch;
  batch.push_back(std::move(work));
  Commit(std::move(batch));
  rocksdb::SetPerfLevel(level);
}

void Sequencer::Refuse(Work& work) {
  Status closed(Code::kUnavailable, "the event log is closed");
  if (work.is_audit) {
    work.audit_done(closed);
  } else {
    work.append_done(closed);
  }
}

void Sequencer::Enqueue(std::vector<Work> works) {
  {
    std::unique_lock lock(mu_);
    if (!stopping_) {
      for (Work& w : works) queue_.push_back(std::move(w));
      lock.unlock();
      cv_.notify_one();
      return;
    }
  }
  for (Work& w : works) Refuse(w);
}

void Sequencer::Run() {
  // Named, so that per-thread CPU (top -H, /proc/PID/task) and profiles can be
  // told apart.
  pthread_setname_np(pthread_self(), "sequencer");
  // Nobody reads RocksDB's per-thread perf counters: don't keep them.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  std::vector<Work> batch;
  bool committed = false;  // this thread committed a batch since it last looked
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (committed) committing_ = false;
      cv_.wait(lock, [this] {
        return !committing_ && (!queue_.empty() || stopping_);
      });
      if (queue_.empty()) return;
      committing_ = true;
      size_t events = 0;
      while (!queue_.empty() &&
             (batch.empty() ||
              events + queue_.front().events() <= max_batch_events_)) {
        events += queue_.front().events();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Commit(std::move(batch));
    batch.clear();
    committed = true;
  }
}

void Sequencer::Commit(std::vector<Work> work) {
  const int64_t recorded_at = std::max(now_micros_(), state_.last_recorded_at);
  auto batch = std::make_unique<CommitBatch>(store_, &state_, std::move(work),
                                             recorded_at);
  if (Status failed = Failed(); !failed.ok()) {
    batch->FailAll(failed);
  } else if (Status loaded = batch->Load(); !loaded.ok()) {
    batch->FailAll(loaded);
  } else {
    batch->Decide();
    if (Status written = batch->Write(); !written.ok()) {
      // What RocksDB did with a failed write is unknown: write nothing more
      // until reopened.
      Fail(written);
      batch->write_status() = written;
    }
  }
  // Nothing queued behind this batch and no fsync under way: nothing would
  // overlap an fsync on the syncer's thread, so this thread does it, sparing
  // the hand-off there and back. Work queued meanwhile waits for this fsync,
  // as it would for the syncer's.
  const bool inline_sync = QueueEmpty();
  {
    std::unique_lock lock(sync_mu_);
    if (!inline_sync || syncing_ || !unsynced_.empty()) {
      unsynced_.push_back(std::move(batch));
      lock.unlock();
      sync_cv_.notify_one();
      return;
    }
    syncing_ = true;
  }
  std::vector<std::unique_ptr<CommitBatch>> group;
  group.push_back(std::move(batch));
  SyncAndAnswer(group);
  {
    std::lock_guard lock(sync_mu_);
    syncing_ = false;  // nothing was queued for the syncer meanwhile: only
                       // the thread committing a batch queues batches
  }
}

bool Sequencer::SyncIdle() {
  std::lock_guard lock(sync_mu_);
  return !syncing_ && unsynced_.empty();
}

bool Sequencer::QueueEmpty() {
  std::lock_guard lock(mu_);
  return queue_.empty();
}

CommitStats Sequencer::Stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void Sequencer::CountSync(uint64_t events, uint64_t audits, double seconds) {
  const size_t bucket = BucketOf(CommitStats::kBatchEventBounds, events);
  const size_t slow = BucketOf(CommitStats::kFsyncSecondsBounds, seconds);
  std::lock_guard lock(stats_mu_);
  ++stats_.fsync_batches;
  ++stats_.fsync_duration[slow];
  stats_.events_synced += events;
  stats_.audit_entries_synced += audits;
  stats_.fsync_seconds += seconds;
  ++stats_.batch_events[bucket];
}

void Sequencer::RunSyncer() {
  pthread_setname_np(pthread_self(), "syncer");
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  std::vector<std::unique_ptr<CommitBatch>> group;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] {
        return (!unsynced_.empty() && !syncing_) || sync_stopping_;
      });
      if (unsynced_.empty()) return;
      for (auto& b : unsynced_) group.push_back(std::move(b));
      unsynced_.clear();
      syncing_ = true;
    }
    SyncAndAnswer(group);
    group.clear();
    {
      std::lock_guard lock(sync_mu_);
      syncing_ = false;
    }
  }
}

void Sequencer::SyncAndAnswer(
    std::vector<std::unique_ptr<CommitBatch>>& group) {
  // Every batch of the group was written before this fsync began, so it
  // covers them all.
  // Once the log has failed, nothing more is answered as durable.
  Status synced = Failed();
  bool any_written = false;
  uint64_t last = 0;
  uint64_t events = 0, audits = 0;
  for (const auto& b : group) {
    if (!b->written()) continue;
    any_written = true;
    last = b->last_position();
    events += b->events_written();
    audits += b->audit_entries_written();
  }
  if (any_written && synced.ok()) {
    const auto began = std::chrono::steady_clock::now();
    synced = FromRocks(store_->db()->SyncWAL(), "syncing the event log");
    if (synced.ok()) {
      last_position_.store(last, std::memory_order_release);
      CountSync(events, audits,
                std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              began)
                    .count());
    } else {
      Fail(synced);
    }
  }
  for (auto& b : group)
    b->Answer(b->write_status().ok() ? synced : b->write_status());
}

}  // namespace carelog::storage
