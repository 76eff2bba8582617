#include "storage/sequencer.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "carelog/record.pb.h"
#include "storage/content_hash.h"
#include "storage/keys.h"

namespace carelog::storage {

namespace {

rocksdb::Slice S(std::string_view v) { return {v.data(), v.size()}; }

Status Validate(const AppendRequest& r) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("stream", r.stream));
  if (r.events.empty())
    return {Code::kInvalidArgument, "an append needs at least one event"};
  std::unordered_set<std::string_view> ids;
  for (size_t i = 0; i < r.events.size(); ++i) {
    const std::string& id = r.events[i].event_id;
    if (id.empty()) {
      return {Code::kInvalidArgument,
              "event " + std::to_string(i) + " has an empty event id"};
    }
    if (!ids.insert(id).second) {
      return {Code::kInvalidArgument,
              "event id '" + id + "' appears twice in the request"};
    }
  }
  return Status::Ok();
}

std::string Describe(const ExpectedVersion& e) {
  switch (e.kind) {
    case ExpectedVersion::Kind::kAny:
      return "any version";
    case ExpectedVersion::Kind::kNoStream:
      return "no stream (version 0)";
    case ExpectedVersion::Kind::kExact:
      return "version " + std::to_string(e.version);
  }
  return "?";
}

}  // namespace

Sequencer::Sequencer(RocksDbStore* store, SequencerStart start,
                     size_t max_batch_events, size_t stream_head_cache_entries,
                     std::function<int64_t()> now_micros)
    : store_(store),
      max_batch_events_(std::max<size_t>(1, max_batch_events)),
      now_micros_(std::move(now_micros)),
      heads_(stream_head_cache_entries),
      next_position_(start.last_position + 1),
      last_recorded_at_(start.last_recorded_at_micros),
      last_audit_id_(start.last_audit_id),
      last_audit_hash_(std::move(start.last_audit_hash)),
      last_position_(start.last_position) {
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

void Sequencer::Append(AppendRequest request, AppendDone done) {
  Work w;
  w.invalid = Validate(request);
  if (w.invalid.ok()) {
    w.hashes.reserve(request.events.size());
    for (const auto& e : request.events) {
      w.hashes.push_back(ContentHash(request.stream, e.type, e.body));
    }
  }
  w.request = std::move(request);
  w.append_done = std::move(done);
  Enqueue(std::move(w));
}

void Sequencer::AppendAudit(std::string subject, std::string entry,
                            AuditDone done) {
  Work w;
  w.is_audit = true;
  w.invalid = keys::CheckName("subject", subject);
  w.subject = std::move(subject);
  w.entry = std::move(entry);
  w.audit_done = std::move(done);
  Enqueue(std::move(w));
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
  Status closed(Code::kUnavailable, "the event log is closed");
  if (work.is_audit) {
    work.audit_done(closed);
  } else {
    work.append_done(closed);
  }
}

void Sequencer::Run() {
  std::vector<Work> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;
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
  }
}

// One group commit: the batch's view of stream heads and event ids, the
// WriteBatch, the answers.
class Sequencer::Batch {
 public:
  Batch(Sequencer* seq, std::vector<Work> work, int64_t recorded_at)
      : seq_(seq),
        work_(std::move(work)),
        recorded_at_(recorded_at),
        next_position_(seq->next_position_),
        audit_id_(seq->last_audit_id_),
        audit_hash_(seq->last_audit_hash_),
        wb_(EstimateBytes(work_)) {}

  // Loads what the checks need: stored event ids and the heads of streams not
  // cached.
  Status Load() {
    std::vector<std::string> ids;
    std::vector<std::string> streams;
    for (const Work& w : work_) {
      if (w.is_audit || !w.invalid.ok()) continue;
      for (const auto& e : w.request.events) ids.push_back(e.event_id);
      if (heads_.count(w.request.stream) != 0) continue;
      if (auto cached = seq_->heads_.Get(w.request.stream)) {
        heads_.emplace(w.request.stream, *cached);
      } else {
        heads_.emplace(w.request.stream, 0);
        streams.push_back(w.request.stream);
      }
    }
    std::vector<std::optional<std::string>> found;
    CARELOG_RETURN_IF_ERROR(MultiGet(seq_->store_->dedup(), ids, &found));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!found[i]) continue;
      auto entry = keys::DecodeDedup(*found[i]);
      if (!entry)
        return {Code::kCorruption,
                "dedup entry of event id '" + ids[i] + "' is malformed"};
      stored_ids_.emplace(ids[i], std::move(*entry));
    }
    CARELOG_RETURN_IF_ERROR(MultiGet(seq_->store_->head(), streams, &found));
    for (size_t i = 0; i < streams.size(); ++i) {
      if (!found[i]) continue;
      auto v = keys::DecodeU64(*found[i]);
      if (!v || found[i]->size() != 8) {
        return {Code::kCorruption,
                "head of stream '" + streams[i] + "' is malformed"};
      }
      heads_[streams[i]] = *v;
    }
    return Status::Ok();
  }

  // Decides every piece of work and adds what passes to the WriteBatch.
  void Decide() {
    outcomes_.reserve(work_.size());
    for (Work& w : work_) {
      if (!w.invalid.ok()) {
        outcomes_.push_back(Outcome{w.invalid, {}, 0, false});
      } else if (w.is_audit) {
        outcomes_.push_back(AddAudit(w));
      } else {
        outcomes_.push_back(DecideAppend(w));
      }
    }
    if (next_position_ > seq_->next_position_) {
      const uint64_t last = next_position_ - 1;
      Put(seq_->store_->time(), keys::TimeKey(recorded_at_, last), "");
      Put(seq_->store_->meta(), kMetaLastPositionKey, keys::EncodeU64(last));
    }
  }

  // Writes the batch (not yet durable: the syncer fsyncs it) and, if that
  // worked, makes its state the sequencer's.
  Status Write() {
    if (!status_.ok()) return status_;
    if (wb_.Count() == 0) return Status::Ok();
    rocksdb::WriteOptions wo;
    wo.sync = false;
    CARELOG_RETURN_IF_ERROR(FromRocks(seq_->store_->db()->Write(wo, &wb_),
                                      "writing appends to the event log"));
    written_ = true;
    for (const auto& [stream, version] : heads_)
      seq_->heads_.Put(stream, version);
    seq_->next_position_ = next_position_;
    seq_->last_recorded_at_ = recorded_at_;
    seq_->last_audit_id_ = audit_id_;
    seq_->last_audit_hash_ = audit_hash_;
    return Status::Ok();
  }

  bool written() const { return written_; }
  uint64_t last_position() const { return next_position_ - 1; }
  Status& write_status() { return write_status_; }

  // Answers every caller; `failure` replaces the outcome of work that was to be
  // written.
  void Answer(const Status& failure) {
    for (size_t i = 0; i < work_.size(); ++i) {
      Work& w = work_[i];
      Outcome& o = outcomes_[i];
      if (o.status.ok() && !failure.ok() && o.writes) o.status = failure;
      if (w.is_audit) {
        w.audit_done(o.status.ok() ? Result<uint64_t>(o.audit_id)
                                   : Result<uint64_t>(o.status));
      } else {
        w.append_done(o.status.ok() ? Result<AppendResult>(o.append)
                                    : Result<AppendResult>(o.status));
      }
    }
  }

  // Every piece of work fails with `s`, nothing is written.
  void FailAll(const Status& s) {
    outcomes_.assign(work_.size(), Outcome{s, {}, 0, false});
  }

 private:
  struct Outcome {
    Status status;
    AppendResult append;
    uint64_t audit_id = 0;
    bool writes = false;
  };

  Status MultiGet(rocksdb::ColumnFamilyHandle* cf,
                  const std::vector<std::string>& keys,
                  std::vector<std::optional<std::string>>* out) {
    out->assign(keys.size(), std::nullopt);
    if (keys.empty()) return Status::Ok();
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    seq_->store_->db()->MultiGet(rocksdb::ReadOptions(), cf, keys.size(),
                                 slices.data(), values.data(), statuses.data());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok())
        return FromRocks(statuses[i], "reading " + cf->GetName());
      (*out)[i] = values[i].ToString();
    }
    return Status::Ok();
  }

  void Put(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
           std::string_view value) {
    rocksdb::Status s = wb_.Put(cf, S(key), S(value));
    if (!s.ok() && status_.ok())
      status_ = FromRocks(s, "building the write batch");
  }

  const keys::DedupEntry* FindId(const std::string& id) const {
    if (auto it = stored_ids_.find(id); it != stored_ids_.end())
      return &it->second;
    return nullptr;
  }

  Outcome DecideAppend(const Work& w) {
    const AppendRequest& r = w.request;
    const size_t n = r.events.size();
    std::vector<const keys::DedupEntry*> seen(n, nullptr);
    size_t found = 0;
    for (size_t i = 0; i < n; ++i) {
      seen[i] = FindId(r.events[i].event_id);
      if (seen[i] != nullptr) ++found;
    }
    if (found > 0) return DecideRetry(w, seen, found);

    uint64_t& head = heads_[r.stream];
    const ExpectedVersion& e = r.expected;
    const bool matches =
        e.kind == ExpectedVersion::Kind::kAny ||
        (e.kind == ExpectedVersion::Kind::kNoStream && head == 0) ||
        (e.kind == ExpectedVersion::Kind::kExact && head == e.version);
    if (!matches) {
      return Outcome{
          {Code::kWrongVersion, "stream '" + r.stream + "' is at version " +
                                    std::to_string(head) +
                                    ", the append expected " + Describe(e)},
          {},
          0,
          false};
    }
    AppendResult result;
    result.first_version = head + 1;
    result.first_position = next_position_;
    result.recorded_at_micros = recorded_at_;
    schema::EventRecord record;
    std::string value;
    for (size_t i = 0; i < n; ++i) {
      const NewEvent& ev = r.events[i];
      const uint64_t position = next_position_++;
      const uint64_t version = ++head;
      record.set_position(position);
      record.set_stream(r.stream);
      record.set_version(version);
      record.set_event_id(ev.event_id);
      record.set_type(ev.type);
      record.set_body(ev.body);
      record.set_recorded_at_micros(recorded_at_);
      record.set_recorded_by(r.recorded_by);
      record.set_content_hash(w.hashes[i]);
      value.clear();
      record.SerializeToString(&value);
      Put(seq_->store_->log(), keys::LogKey(position), value);
      Put(seq_->store_->stream(), keys::StreamKey(r.stream, version),
          keys::EncodeU64(position));
      keys::DedupEntry entry{position, version, recorded_at_, w.hashes[i]};
      Put(seq_->store_->dedup(), ev.event_id, keys::EncodeDedup(entry));
      stored_ids_.insert_or_assign(ev.event_id, std::move(entry));
    }
    Put(seq_->store_->head(), r.stream, keys::EncodeU64(head));
    result.last_version = head;
    result.last_position = next_position_ - 1;
    return Outcome{Status::Ok(), result, 0, true};
  }

  // Some event ids are stored already: an idempotent retry if all are,
  // identically and consecutively in this stream; a conflict otherwise.
  Outcome DecideRetry(const Work& w,
                      const std::vector<const keys::DedupEntry*>& seen,
                      size_t found) {
    const AppendRequest& r = w.request;
    const size_t n = r.events.size();
    if (found < n) {
      size_t stored = 0, missing = 0;
      while (seen[stored] == nullptr) ++stored;
      while (seen[missing] != nullptr) ++missing;
      return Conflict(
          "event id '" + r.events[stored].event_id +
          "' is already stored but '" + r.events[missing].event_id +
          "' is not: a retry must repeat the original events exactly");
    }
    for (size_t i = 0; i < n; ++i) {
      if (seen[i]->content_hash != w.hashes[i]) {
        return Conflict(
            "event id '" + r.events[i].event_id +
            "' is already stored with different content or in another stream");
      }
      if (seen[i]->version != seen[0]->version + i) {
        return Conflict("event ids '" + r.events[0].event_id + "' and '" +
                        r.events[i].event_id +
                        "' are stored, but not consecutively in stream '" +
                        r.stream + "'");
      }
    }
    AppendResult result;
    result.first_version = seen[0]->version;
    result.last_version = seen[n - 1]->version;
    result.first_position = seen[0]->position;
    result.last_position = seen[n - 1]->position;
    result.recorded_at_micros = seen[0]->recorded_at_micros;
    result.duplicate = true;
    return Outcome{Status::Ok(), result, 0, false};
  }

  static Outcome Conflict(std::string message) {
    return Outcome{{Code::kConflict, std::move(message)}, {}, 0, false};
  }

  Outcome AddAudit(const Work& w) {
    schema::AuditRecord record;
    record.set_id(++audit_id_);
    record.set_subject(w.subject);
    record.set_entry(w.entry);
    record.set_recorded_at_micros(recorded_at_);
    record.set_previous_hash(audit_hash_);
    std::string value;
    record.SerializeToString(&value);
    audit_hash_ = Sha256(value);
    Put(seq_->store_->audit(), keys::EncodeU64(audit_id_), value);
    Put(seq_->store_->audit_subject(),
        keys::AuditSubjectKey(w.subject, audit_id_), "");
    return Outcome{Status::Ok(), {}, audit_id_, true};
  }

  // What the WriteBatch will hold, roughly, so that it is allocated once.
  static size_t EstimateBytes(const std::vector<Work>& work) {
    size_t bytes = 64;
    for (const Work& w : work) {
      bytes +=
          w.subject.size() + w.entry.size() + 2 * w.request.stream.size() + 128;
      for (const auto& e : w.request.events) {
        bytes += 2 * (e.event_id.size() + w.request.stream.size()) +
                 e.type.size() + e.body.size() + 160;
      }
    }
    return bytes;
  }

  Sequencer* const seq_;
  std::vector<Work> work_;
  bool written_ = false;
  Status write_status_;
  const int64_t recorded_at_;
  uint64_t next_position_;
  uint64_t audit_id_;
  std::string audit_hash_;
  std::unordered_map<std::string, uint64_t> heads_;
  std::unordered_map<std::string, keys::DedupEntry> stored_ids_;
  std::vector<Outcome> outcomes_;
  rocksdb::WriteBatch wb_;
  Status status_;
};

void Sequencer::Commit(std::vector<Work> work) {
  const int64_t recorded_at = std::max(now_micros_(), last_recorded_at_);
  auto batch = std::make_unique<Batch>(this, std::move(work), recorded_at);
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
  {
    std::lock_guard lock(sync_mu_);
    unsynced_.push_back(std::move(batch));
  }
  sync_cv_.notify_one();
}

void Sequencer::RunSyncer() {
  std::vector<std::unique_ptr<Batch>> group;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock,
                    [this] { return !unsynced_.empty() || sync_stopping_; });
      if (unsynced_.empty()) return;
      for (auto& b : unsynced_) group.push_back(std::move(b));
      unsynced_.clear();
    }
    // Every batch of the group was written before this fsync began, so it
    // covers them all.
    Status synced;
    bool any_written = false;
    uint64_t last = 0;
    for (const auto& b : group) {
      if (!b->written()) continue;
      any_written = true;
      last = b->last_position();
    }
    if (any_written) {
      synced = FromRocks(store_->db()->SyncWAL(), "syncing the event log");
      if (synced.ok()) {
        last_position_.store(last, std::memory_order_release);
      } else {
        Fail(synced);
      }
    }
    for (auto& b : group)
      b->Answer(b->write_status().ok() ? synced : b->write_status());
    group.clear();
  }
}

}  // namespace carelog::storage
