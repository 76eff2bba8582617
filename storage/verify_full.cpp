// VerifyFull of storage/log_checks.h: every invariant of the store, in a few
// sequential scans.
#include <rocksdb/iterator.h>

#include <memory>
#include <optional>
#include <vector>

#include "storage/content_hash.h"
#include "storage/keys.h"
#include "storage/log_checks.h"

namespace carelog::storage {

namespace {

Status Corrupt(std::string message) {
  return {Code::kCorruption, std::move(message)};
}

// Calls fn(key, value) for every entry of the column family, in key order,
// until fn fails.
template <typename Fn>
Status Scan(const RocksDbStore& store, const rocksdb::Snapshot* snap,
            rocksdb::ColumnFamilyHandle* cf, Fn fn) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    CARELOG_RETURN_IF_ERROR(
        fn(it->key().ToStringView(), it->value().ToStringView()));
  }
  return FromRocks(it->status(), "scanning " + cf->GetName());
}

// Lookups of a whole chunk. They fill the block cache: without it the bloom
// filter and index blocks they need would be read again for every chunk.
Status MultiGet(const RocksDbStore& store, const rocksdb::Snapshot* snap,
                rocksdb::ColumnFamilyHandle* cf,
                const std::vector<std::string>& keys,
                std::vector<std::optional<std::string>>* out) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  return store.MultiGet(
      cf, std::vector<std::string_view>(keys.begin(), keys.end()), out, ro);
}

// The stream index entry (a run of versions at consecutive positions) that the
// last checked record lay in, carried from chunk to chunk.
struct RunCursor {
  std::string stream;
  keys::StreamRun run;  // count 0 before the first
  bool Covers(const schema::EventRecord& r) const {
    return r.stream() == stream && run.Holds(r.version()) &&
           run.PositionOf(r.version()) == r.position();
  }
};

// Whether `r` may lie in the same run as `before`, the record before it.
bool Continues(const schema::EventRecord& before,
               const schema::EventRecord& r) {
  return r.stream() == before.stream() && r.version() == before.version() + 1;
}

// The dedup entries of these records (consecutive positions) point to them,
// and each lies in a stream index run that maps its version to its position: a
// record that does not continue the run of the one before begins a run of its
// own, keyed by its stream and version.
Status VerifyIndexes(const RocksDbStore& store, const rocksdb::Snapshot* snap,
                     const std::vector<schema::EventRecord>& records,
                     RunCursor* cursor) {
  std::vector<std::string> starts, ids;
  std::vector<bool> is_start(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const schema::EventRecord& r = records[i];
    is_start[i] = i == 0 ? !cursor->Covers(r) : !Continues(records[i - 1], r);
    if (is_start[i]) starts.push_back(keys::StreamKey(r.stream(), r.version()));
    ids.push_back(r.event_id());
  }
  std::vector<std::optional<std::string>> runs, dedup;
  CARELOG_RETURN_IF_ERROR(MultiGet(store, snap, store.stream(), starts, &runs));
  CARELOG_RETURN_IF_ERROR(MultiGet(store, snap, store.dedup(), ids, &dedup));
  size_t next_start = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const schema::EventRecord& r = records[i];
    // Named only when something is wrong (this loop runs once per event).
    const auto where = [&r] {
      return "stream '" + r.stream() + "' version " +
             std::to_string(r.version()) + " at position " +
             std::to_string(r.position());
    };
    if (!dedup[i] || keys::DecodeDedup(*dedup[i]) != r.position()) {
      return Corrupt("the dedup entry of event id '" + r.event_id() +
                     "' disagrees with position " +
                     std::to_string(r.position()));
    }
    std::optional<std::string> value;
    if (is_start[i]) {
      value = std::move(runs[next_start++]);
    } else if (!cursor->Covers(r)) {
      // Two appends to the stream in one commit: the second run starts here.
      auto got = store.Get(store.stream(),
                           keys::StreamKey(r.stream(), r.version()), snap);
      if (!got.ok()) return got.status();
      value = std::move(*got);
    } else {
      continue;
    }
    if (!value) return Corrupt("the stream index lacks " + where());
    auto run = keys::DecodeStreamRun(r.version(), *value);
    if (!run)
      return Corrupt("the stream index entry of " + where() + " is malformed");
    if (run->first_position != r.position()) {
      return Corrupt("the stream index does not point to position " +
                     std::to_string(r.position()) + " for stream '" +
                     r.stream() + "' version " + std::to_string(r.version()));
    }
    *cursor = RunCursor{r.stream(), *run};
  }
  return Status::Ok();
}

// Each position 1..last holds a record that hashes right and agrees with its
// indexes; recorded_at never decreases.
Status VerifyLog(const RocksDbStore& store, const rocksdb::Snapshot* snap,
                 uint64_t last) {
  constexpr size_t kChunk = 1024;
  uint64_t expected = 1;
  int64_t recorded_at = 0;
  std::vector<schema::EventRecord> chunk;
  RunCursor cursor;
  Status s = Scan(store, snap, store.log(),
                  [&](std::string_view key, std::string_view value) -> Status {
                    if (key != keys::LogKey(expected)) {
                      return Corrupt("position " + std::to_string(expected) +
                                     " is missing from the log");
                    }
                    auto r = DecodeEventRecord(expected, value);
                    if (!r.ok()) return r.status();
                    if (expected > 1 && r->recorded_at_micros() < recorded_at) {
                      return Corrupt("recorded_at goes backwards at position " +
                                     std::to_string(expected));
                    }
                    recorded_at = r->recorded_at_micros();
                    if (ContentHash(r->stream(), r->type(), r->body()) !=
                        r->content_hash()) {
                      return Corrupt("the event at position " +
                                     std::to_string(expected) +
                                     " does not match its content hash");
                    }
                    ++expected;
                    chunk.push_back(std::move(*r));
                    if (chunk.size() < kChunk) return Status::Ok();
                    Status checked = VerifyIndexes(store, snap, chunk, &cursor);
                    chunk.clear();
                    return checked;
                  });
  CARELOG_RETURN_IF_ERROR(s);
  CARELOG_RETURN_IF_ERROR(VerifyIndexes(store, snap, chunk, &cursor));
  if (expected != last + 1) {
    return Corrupt("the log ends at position " + std::to_string(expected - 1) +
                   ", expected " + std::to_string(last));
  }
  return Status::Ok();
}

// Every stream's runs cover its versions from 1 without gap or overlap and its
// head is its last version; no index entry or head exists without an event
// (the runs' versions are counted against the log).
// Heads are keyed by stream name and stream index keys by name 0x00 version,
// so both families list the streams in the same order: the heads are read
// alongside the index, not looked up one by one.
Status VerifyStreams(const RocksDbStore& store, const rocksdb::Snapshot* snap,
                     uint64_t last) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> heads_it(
      store.db()->NewIterator(ro, store.head()));
  heads_it->SeekToFirst();
  std::string stream;
  uint64_t version = 0, entries = 0, streams = 0, heads = 0;
  auto close_stream = [&]() -> Status {
    if (version == 0) return Status::Ok();
    ++streams;
    // Heads of streams without index entries are counted, and fail below.
    while (heads_it->Valid() && heads_it->key().ToStringView() < stream) {
      ++heads;
      heads_it->Next();
    }
    if (!heads_it->Valid() || heads_it->key().ToStringView() != stream ||
        heads_it->value().ToStringView() != keys::EncodeU64(version)) {
      CARELOG_RETURN_IF_ERROR(FromRocks(heads_it->status(), "scanning head"));
      return Corrupt("the head of stream '" + stream +
                     "' disagrees with its last version " +
                     std::to_string(version));
    }
    ++heads;
    heads_it->Next();
    return Status::Ok();
  };
  Status s =
      Scan(store, snap, store.stream(),
           [&](std::string_view key, std::string_view value) -> Status {
             auto entry = keys::DecodeStreamEntry(key, value);
             if (!entry) return Corrupt("a stream index entry is malformed");
             if (entry->stream != stream || version == 0) {
               CARELOG_RETURN_IF_ERROR(close_stream());
               stream.assign(entry->stream);
               version = 0;
             }
             if (entry->run.first_version != version + 1) {
               return Corrupt("stream '" + stream + "' jumps from version " +
                              std::to_string(version) + " to " +
                              std::to_string(entry->run.first_version));
             }
             version = entry->run.last_version();
             entries += entry->run.count;
             return Status::Ok();
           });
  CARELOG_RETURN_IF_ERROR(s);
  CARELOG_RETURN_IF_ERROR(close_stream());
  if (entries != last) {
    return Corrupt("the stream index holds " + std::to_string(entries) +
                   " versions for " + std::to_string(last) + " events");
  }
  for (; heads_it->Valid(); heads_it->Next()) ++heads;
  CARELOG_RETURN_IF_ERROR(FromRocks(heads_it->status(), "scanning head"));
  uint64_t ids = 0;
  if (heads != streams) {
    return Corrupt(std::to_string(heads) + " stream heads for " +
                   std::to_string(streams) + " streams");
  }
  CARELOG_RETURN_IF_ERROR(
      Scan(store, snap, store.dedup(), [&](std::string_view, std::string_view) {
        ++ids;
        return Status::Ok();
      }));
  if (ids != last) {
    return Corrupt(std::to_string(ids) + " dedup entries for " +
                   std::to_string(last) + " events");
  }
  return Status::Ok();
}

// Time index entries point to positions in increasing order whose events carry
// that instant.
Status VerifyTime(const RocksDbStore& store, const rocksdb::Snapshot* snap) {
  uint64_t previous = 0;
  return Scan(
      store, snap, store.time(),
      [&](std::string_view key, std::string_view) -> Status {
        const int64_t at = keys::DecodeI64(key).value_or(0);
        const uint64_t position = keys::DecodeU64(key.substr(8)).value_or(0);
        if (key.size() != 16 || position <= previous)
          return Corrupt("the time index is out of order");
        previous = position;
        auto value = store.Get(store.log(), keys::LogKey(position), snap);
        if (!value.ok()) return value.status();
        if (!value->has_value())
          return Corrupt("the time index points to a missing position");
        auto r = DecodeEventRecord(position, **value);
        if (!r.ok()) return r.status();
        if (r->recorded_at_micros() != at) {
          return Corrupt(
              "the time index disagrees with the event at position " +
              std::to_string(position));
        }
        return Status::Ok();
      });
}

// Audit ids gapless from 1, each entry chained to the previous one and indexed
// by its subject.
Status VerifyAudit(const RocksDbStore& store, const rocksdb::Snapshot* snap) {
  uint64_t expected = 1;
  std::string previous_hash(32, '\0');
  Status s = Scan(
      store, snap, store.audit(),
      [&](std::string_view key, std::string_view value) -> Status {
        const std::string where = "audit entry " + std::to_string(expected);
        if (key != keys::EncodeU64(expected))
          return Corrupt(where + " is missing");
        schema::AuditRecord r;
        if (!r.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
            r.id() != expected) {
          return Corrupt(where + " is malformed");
        }
        if (r.previous_hash() != previous_hash)
          return Corrupt(where + " breaks the hash chain");
        previous_hash = Sha256(value);
        auto indexed =
            store.Get(store.audit_subject(),
                      keys::AuditSubjectKey(r.subject(), expected), snap);
        if (!indexed.ok()) return indexed.status();
        if (!indexed->has_value())
          return Corrupt(where + " is missing from its subject's index");
        ++expected;
        return Status::Ok();
      });
  CARELOG_RETURN_IF_ERROR(s);
  uint64_t indexed = 0;
  CARELOG_RETURN_IF_ERROR(Scan(store, snap, store.audit_subject(),
                               [&](std::string_view, std::string_view) {
                                 ++indexed;
                                 return Status::Ok();
                               }));
  if (indexed != expected - 1) {
    return Corrupt("the audit subject index holds " + std::to_string(indexed) +
                   " entries for " + std::to_string(expected - 1) +
                   " audit entries");
  }
  return Status::Ok();
}

Status VerifyAt(const RocksDbStore& store, const rocksdb::Snapshot* snap) {
  auto start = CheckOnOpen(store, snap);
  if (!start.ok()) return start.status();
  CARELOG_RETURN_IF_ERROR(VerifyLog(store, snap, start->last_position));
  CARELOG_RETURN_IF_ERROR(VerifyStreams(store, snap, start->last_position));
  CARELOG_RETURN_IF_ERROR(VerifyTime(store, snap));
  return VerifyAudit(store, snap);
}

}  // namespace

std::vector<Status> VerifyEach(const RocksDbStore& store) {
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  std::vector<Status> problems;
  auto note = [&problems](Status s) {
    if (!s.ok()) problems.push_back(std::move(s));
  };
  auto start = CheckOnOpen(store, snap);
  note(start.status());
  // Later checks need where the log ends; without it they would only repeat
  // the problem above.
  if (start.ok()) {
    note(VerifyLog(store, snap, start->last_position));
    note(VerifyStreams(store, snap, start->last_position));
  }
  note(VerifyTime(store, snap));
  note(VerifyAudit(store, snap));
  store.db()->ReleaseSnapshot(snap);
  return problems;
}

Status VerifyFull(const RocksDbStore& store) {
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  Status s = VerifyAt(store, snap);
  store.db()->ReleaseSnapshot(snap);
  return s;
}

}  // namespace carelog::storage
