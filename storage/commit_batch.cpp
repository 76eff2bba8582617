#include "storage/commit_batch.h"

#include <algorithm>
#include <optional>

#include "carelog/record.pb.h"
#include "storage/content_hash.h"
#include "storage/event_record.h"
#include "storage/log_checks.h"

namespace carelog::storage {

namespace {

rocksdb::Slice S(std::string_view v) { return {v.data(), v.size()}; }

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

CommitBatch::CommitBatch(RocksDbStore* store, SequencerState* state,
                         std::vector<SequencerWork> work, int64_t recorded_at)
    : store_(store),
      state_(state),
      work_(std::move(work)),
      events_(CountEvents(work_)),
      recorded_at_(recorded_at),
      first_position_(state->next_position),
      first_audit_id_(state->last_audit_id),
      next_position_(state->next_position),
      audit_id_(state->last_audit_id),
      audit_hash_(state->last_audit_hash),
      // Map nodes of ~64 bytes per event and stream, and their buckets.
      arena_(512 + 96 * events_),
      wb_(EstimateBytes(work_)) {}

Status CommitBatch::Load() {
  std::vector<std::string_view> ids, streams;
  ids.reserve(events_);
  for (const SequencerWork& w : work_) {
    if (w.is_audit || !w.invalid.ok()) continue;
    for (const auto& e : w.request.events) ids.push_back(e.event_id);
    if (heads_.count(w.request.stream) != 0) continue;
    if (auto cached = state_->heads.Get(w.request.stream)) {
      heads_.emplace(w.request.stream, *cached);
    } else {
      heads_.emplace(w.request.stream, 0);
      streams.push_back(w.request.stream);
    }
  }
  ids_.reserve(events_);
  CARELOG_RETURN_IF_ERROR(LoadStoredIds(ids));
  std::vector<std::optional<std::string>> found;
  CARELOG_RETURN_IF_ERROR(store_->MultiGet(store_->head(), streams, &found));
  for (size_t i = 0; i < streams.size(); ++i) {
    if (!found[i]) continue;
    auto v = keys::DecodeU64(*found[i]);
    if (!v || found[i]->size() != 8) {
      return {Code::kCorruption,
              "head of stream '" + std::string(streams[i]) + "' is malformed"};
    }
    heads_[streams[i]] = *v;
  }
  return Status::Ok();
}

Status CommitBatch::LoadStoredIds(const std::vector<std::string_view>& ids) {
  // One MultiGet for the whole batch's ids: most are new, and the dedup
  // family's bloom filters (memtable and table files) answer those.
  std::vector<std::optional<std::string>> found;
  CARELOG_RETURN_IF_ERROR(store_->MultiGet(store_->dedup(), ids, &found));
  std::vector<std::string_view> stored_ids;
  std::vector<std::string> log_keys;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!found[i]) continue;
    auto position = keys::DecodeDedup(*found[i]);
    if (!position) {
      return {Code::kCorruption, "dedup entry of event id '" +
                                     std::string(ids[i]) + "' is malformed"};
    }
    stored_ids.push_back(ids[i]);
    log_keys.push_back(keys::LogKey(*position));
  }
  if (stored_ids.empty()) return Status::Ok();
  // A retry (rare): what it is compared with lies in the stored records.
  CARELOG_RETURN_IF_ERROR(store_->MultiGet(
      store_->log(),
      std::vector<std::string_view>(log_keys.begin(), log_keys.end()), &found));
  // ids_ points into it: no reallocation.
  stored_hashes_.reserve(32 * stored_ids.size());
  for (size_t i = 0; i < stored_ids.size(); ++i) {
    const uint64_t position = *keys::DecodeU64(log_keys[i]);
    if (!found[i]) {
      return {Code::kCorruption, "event id '" + std::string(stored_ids[i]) +
                                     "' is indexed at position " +
                                     std::to_string(position) +
                                     ", which is not stored"};
    }
    auto record = DecodeEventRecord(position, *found[i]);
    if (!record.ok()) return record.status();
    if (record->event_id() != stored_ids[i]) {
      return {Code::kCorruption, "event id '" + std::string(stored_ids[i]) +
                                     "' is indexed at position " +
                                     std::to_string(position) +
                                     ", which holds another event"};
    }
    const std::string& hash = record->content_hash();
    if (hash.size() != 32) {
      return {Code::kCorruption, "the record at position " +
                                     std::to_string(position) +
                                     " has a content hash of " +
                                     std::to_string(hash.size()) + " bytes"};
    }
    stored_hashes_.append(hash);
    ids_.emplace(
        stored_ids[i],
        IdEntry{position, record->version(), record->recorded_at_micros(),
                std::string_view(stored_hashes_)
                    .substr(stored_hashes_.size() - 32)});
  }
  return Status::Ok();
}

void CommitBatch::Decide() {
  outcomes_.reserve(work_.size());
  new_ids_.reserve(events_);
  for (SequencerWork& w : work_) {
    if (!w.invalid.ok()) {
      outcomes_.push_back(Outcome{w.invalid, {}, 0});
    } else if (w.is_audit) {
      outcomes_.push_back(AddAudit(w));
    } else {
      Outcome outcome = DecideAppend(w);
      if (w.with_audit && outcome.status.ok() && !outcome.append.duplicate) {
        outcome.append.audit_id = AddAudit(w).audit_id;
      }
      outcomes_.push_back(std::move(outcome));
    }
  }
  PutNewIds();
  if (next_position_ > state_->next_position) {
    const uint64_t last = next_position_ - 1;
    Put(store_->time(), keys::TimeKey(recorded_at_, last), "");
    Put(store_->meta(), kMetaLastPositionKey, keys::EncodeU64(last));
  }
}

Status CommitBatch::Write() {
  if (!status_.ok()) return status_;
  if (wb_.Count() == 0) return Status::Ok();
  rocksdb::WriteOptions wo;
  wo.sync = false;
  CARELOG_RETURN_IF_ERROR(FromRocks(store_->db()->Write(wo, &wb_),
                                    "writing appends to the event log"));
  written_ = true;
  for (const auto& [stream, version] : heads_)
    state_->heads.Put(stream, version);
  state_->next_position = next_position_;
  state_->last_recorded_at = recorded_at_;
  state_->last_audit_id = audit_id_;
  state_->last_audit_hash = audit_hash_;
  return Status::Ok();
}

void CommitBatch::Answer(const Status& failure) {
  for (size_t i = 0; i < work_.size(); ++i) {
    SequencerWork& w = work_[i];
    Outcome& o = outcomes_[i];
    // A failure also voids duplicates: their originals may be in the batch that
    // failed.
    if (o.status.ok() && !failure.ok()) o.status = failure;
    if (w.is_audit) {
      w.audit_done(o.status.ok() ? Result<uint64_t>(o.audit_id)
                                 : Result<uint64_t>(o.status));
    } else {
      w.append_done(o.status.ok() ? Result<AppendResult>(o.append)
                                  : Result<AppendResult>(o.status));
    }
  }
}

void CommitBatch::FailAll(const Status& s) {
  outcomes_.assign(work_.size(), Outcome{s, {}, 0});
}

void CommitBatch::Put(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                      std::string_view value) {
  rocksdb::Status s = wb_.Put(cf, S(key), S(value));
  if (!s.ok() && status_.ok())
    status_ = FromRocks(s, "building the write batch");
}

const CommitBatch::IdEntry* CommitBatch::FindId(std::string_view id) const {
  if (auto it = ids_.find(id); it != ids_.end()) return &it->second;
  return nullptr;
}

CommitBatch::Outcome CommitBatch::DecideAppend(const SequencerWork& w) {
  const AppendRequest& r = w.request;
  const size_t n = r.events.size();
  std::vector<const IdEntry*> seen(n, nullptr);
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
        0};
  }
  AppendResult result;
  result.first_version = head + 1;
  result.first_position = next_position_;
  result.recorded_at_micros = recorded_at_;
  for (size_t i = 0; i < n; ++i) {
    const NewEvent& ev = r.events[i];
    const uint64_t position = next_position_++;
    const uint64_t version = ++head;
    EncodeEventRecord({position, r.stream, version, ev.event_id, ev.type,
                       ev.body, recorded_at_, r.recorded_by, w.hash(i)},
                      &value_);
    Put(store_->log(), keys::LogKey(position), value_);
    new_ids_.push_back(NewId{ev.event_id, position});
    ids_.insert_or_assign(ev.event_id,
                          IdEntry{position, version, recorded_at_, w.hash(i)});
  }
  // One stream index entry for the whole append: its versions lie at
  // consecutive positions.
  keys::StreamKeyInto(&key_, r.stream, result.first_version);
  Put(store_->stream(), key_, keys::EncodeStreamRun(result.first_position, n));
  Put(store_->head(), r.stream, keys::EncodeU64(head));
  result.last_version = head;
  result.last_position = next_position_ - 1;
  return Outcome{Status::Ok(), result, 0};
}

CommitBatch::Outcome CommitBatch::DecideRetry(
    const SequencerWork& w, const std::vector<const IdEntry*>& seen,
    size_t found) {
  const AppendRequest& r = w.request;
  const size_t n = r.events.size();
  if (found < n) {
    size_t stored = 0, missing = 0;
    while (seen[stored] == nullptr) ++stored;
    while (seen[missing] != nullptr) ++missing;
    return Conflict(
        "event id '" + r.events[stored].event_id + "' is already stored but '" +
        r.events[missing].event_id +
        "' is not: a retry must repeat the original events exactly");
  }
  for (size_t i = 0; i < n; ++i) {
    if (seen[i]->content_hash != w.hash(i)) {
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
  return Outcome{Status::Ok(), result, 0};
}

CommitBatch::Outcome CommitBatch::Conflict(std::string message) {
  return Outcome{{Code::kConflict, std::move(message)}, {}, 0};
}

CommitBatch::Outcome CommitBatch::AddAudit(const SequencerWork& w) {
  schema::AuditRecord record;
  record.set_id(++audit_id_);
  record.set_subject(w.subject);
  record.set_entry(w.entry);
  record.set_recorded_at_micros(recorded_at_);
  record.set_previous_hash(audit_hash_);
  std::string value;
  record.SerializeToString(&value);
  audit_hash_ = Sha256(value);
  Put(store_->audit(), keys::EncodeU64(audit_id_), value);
  Put(store_->audit_subject(), keys::AuditSubjectKey(w.subject, audit_id_), "");
  return Outcome{Status::Ok(), {}, audit_id_};
}

void CommitBatch::PutNewIds() {
  // The ids are random, so each insert into the dedup memtable's skip list
  // would search it from the top; in order, RocksDB starts each search where
  // the last insert ended.
  std::sort(new_ids_.begin(), new_ids_.end(),
            [](const NewId& a, const NewId& b) { return a.id < b.id; });
  for (const NewId& n : new_ids_) {
    Put(store_->dedup(), n.id, keys::EncodeDedup(n.position));
  }
}

size_t CommitBatch::CountEvents(const std::vector<SequencerWork>& work) {
  size_t events = 0;
  for (const SequencerWork& w : work) events += w.request.events.size();
  return events;
}

size_t CommitBatch::EstimateBytes(const std::vector<SequencerWork>& work) {
  size_t bytes = 64;
  for (const SequencerWork& w : work) {
    bytes +=
        w.subject.size() + w.entry.size() + 2 * w.request.stream.size() + 128;
    for (const auto& e : w.request.events) {
      bytes += 2 * (e.event_id.size() + w.request.stream.size()) +
               e.type.size() + e.body.size() + 160;
    }
  }
  return bytes;
}

}  // namespace carelog::storage
