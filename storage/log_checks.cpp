#include "storage/log_checks.h"

#include <rocksdb/iterator.h>

#include <limits>
#include <memory>
#include <unordered_map>

#include "storage/content_hash.h"
#include "storage/keys.h"

namespace carelog::storage {

namespace {

Status Corrupt(std::string message) {
  return {Code::kCorruption, std::move(message)};
}

rocksdb::ReadOptions ReadAt(const rocksdb::Snapshot* snap) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  return ro;
}

std::unique_ptr<rocksdb::Iterator> Iter(const RocksDbStore& store,
                                        const rocksdb::Snapshot* snap,
                                        rocksdb::ColumnFamilyHandle* cf) {
  return std::unique_ptr<rocksdb::Iterator>(
      store.db()->NewIterator(ReadAt(snap), cf));
}

// The key of the last entry of a column family, or nullopt if it is empty.
Result<std::optional<std::string>> LastKey(const RocksDbStore& store,
                                           const rocksdb::Snapshot* snap,
                                           rocksdb::ColumnFamilyHandle* cf,
                                           bool first = false) {
  auto it = Iter(store, snap, cf);
  first ? it->SeekToFirst() : it->SeekToLast();
  if (!it->Valid()) {
    CARELOG_RETURN_IF_ERROR(
        FromRocks(it->status(), "reading " + cf->GetName()));
    return std::optional<std::string>();
  }
  return std::optional<std::string>(it->key().ToString());
}

Result<uint64_t> GetU64(const RocksDbStore& store,
                        const rocksdb::Snapshot* snap,
                        rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                        std::string_view what) {
  auto v = store.Get(cf, key, snap);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Corrupt(std::string(what) + " is missing");
  if ((*v)->size() != 8) return Corrupt(std::string(what) + " is malformed");
  return *keys::DecodeU64(**v);
}

// The stream index entry of `stream` with the greatest first version at or
// before `version` (the run that holds it, if any); nullopt if none.
Result<std::optional<keys::StreamRun>> RunAt(const RocksDbStore& store,
                                             const rocksdb::Snapshot* snap,
                                             const std::string& stream,
                                             uint64_t version) {
  const std::string lower = keys::StreamPrefix(stream);
  const std::string upper = keys::StreamEnd(stream);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions ro = ReadAt(snap);
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.stream()));
  it->SeekForPrev(keys::StreamKey(stream, version));
  if (!it->Valid()) {
    CARELOG_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream"));
    return std::optional<keys::StreamRun>();
  }
  auto entry = keys::DecodeStreamEntry(it->key().ToStringView(),
                                       it->value().ToStringView());
  if (!entry) {
    return Corrupt("a stream index entry of '" + stream + "' is malformed");
  }
  return std::optional<keys::StreamRun>(entry->run);
}

// One event's agreement with its stream index entry, its dedup entry and its
// content hash.
Status CheckIndexes(const RocksDbStore& store, const rocksdb::Snapshot* snap,
                    const schema::EventRecord& r) {
  const std::string where = "event at position " + std::to_string(r.position());
  if (ContentHash(r.stream(), r.type(), r.body()) != r.content_hash()) {
    return Corrupt(where + " does not match its content hash");
  }
  auto run = RunAt(store, snap, r.stream(), r.version());
  if (!run.ok()) return run.status();
  if (!*run || !(*run)->Holds(r.version())) {
    return Corrupt("the stream index entry of the " + where + " is missing");
  }
  const uint64_t indexed = (*run)->PositionOf(r.version());
  if (indexed != r.position()) {
    return Corrupt("stream '" + r.stream() + "' version " +
                   std::to_string(r.version()) + " points to position " +
                   std::to_string(indexed) + ", not " +
                   std::to_string(r.position()));
  }
  auto dedup = store.Get(store.dedup(), r.event_id(), snap);
  if (!dedup.ok()) return dedup.status();
  if (!dedup->has_value())
    return Corrupt("the dedup entry of the " + where + " is missing");
  if (keys::DecodeDedup(**dedup) != r.position()) {
    return Corrupt("the dedup entry of event id '" + r.event_id() +
                   "' disagrees with the " + where);
  }
  return Status::Ok();
}

Status CheckHead(const RocksDbStore& store, const rocksdb::Snapshot* snap,
                 const std::string& stream, uint64_t version) {
  auto head = GetU64(store, snap, store.head(), stream,
                     "the head of stream '" + stream + "'");
  if (!head.ok()) return head.status();
  if (*head != version) {
    return Corrupt("the head of stream '" + stream + "' says version " +
                   std::to_string(*head) + " but its last event has version " +
                   std::to_string(version));
  }
  auto run = RunAt(store, snap, stream, version);
  if (!run.ok()) return run.status();
  if (*run && (*run)->last_version() > version) {
    return Corrupt("stream '" + stream +
                   "' has an index entry beyond its head " +
                   std::to_string(version));
  }
  auto next = RunAt(store, snap, stream, std::numeric_limits<uint64_t>::max());
  if (!next.ok()) return next.status();
  if (*next && (*next)->first_version > version) {
    return Corrupt("stream '" + stream +
                   "' has an index entry beyond its head " +
                   std::to_string(version));
  }
  return Status::Ok();
}

Result<std::string> GetAuditValue(const RocksDbStore& store,
                                  const rocksdb::Snapshot* snap, uint64_t id) {
  auto v = store.Get(store.audit(), keys::EncodeU64(id), snap);
  if (!v.ok()) return v.status();
  if (!v->has_value())
    return Corrupt("audit entry " + std::to_string(id) + " is missing");
  return std::move(**v);
}

}  // namespace

Status DecodeEventRecordInto(uint64_t position, std::string_view value,
                             schema::EventRecord& r) {
  if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return Corrupt("the event at position " + std::to_string(position) +
                   " does not parse");
  }
  if (r.position() != position) {
    return Corrupt("the event stored at position " + std::to_string(position) +
                   " says position " + std::to_string(r.position()));
  }
  return Status::Ok();
}

Result<schema::EventRecord> DecodeEventRecord(uint64_t position,
                                              std::string_view value) {
  schema::EventRecord r;
  CARELOG_RETURN_IF_ERROR(DecodeEventRecordInto(position, value, r));
  return r;
}

Result<SequencerStart> CheckOnOpen(const RocksDbStore& store,
                                   const rocksdb::Snapshot* snap, size_t tail) {
  SequencerStart start;
  start.last_audit_hash.assign(32, '\0');
  start.last_recorded_at_micros = std::numeric_limits<int64_t>::min();

  // The ends of the log.
  auto meta = store.Get(store.meta(), kMetaLastPositionKey, snap);
  if (!meta.ok()) return meta.status();
  const uint64_t committed =
      meta->has_value() ? keys::DecodeU64(**meta).value_or(0) : 0;
  auto last_key = LastKey(store, snap, store.log());
  if (!last_key.ok()) return last_key.status();
  const uint64_t last =
      last_key->has_value() ? keys::DecodeU64(**last_key).value_or(0) : 0;
  if (last != committed) {
    return Corrupt("the log ends at position " + std::to_string(last) +
                   " but the last commit recorded position " +
                   std::to_string(committed));
  }
  start.last_position = last;
  auto time_key = LastKey(store, snap, store.time());
  if (!time_key.ok()) return time_key.status();
  const uint64_t timed =
      time_key->has_value()
          ? keys::DecodeU64((*time_key)->substr(8)).value_or(0)
          : 0;
  if (timed != last) {
    return Corrupt("the time index ends at position " + std::to_string(timed) +
                   " but the log at position " + std::to_string(last));
  }
  if (last > 0) {
    auto first_key = LastKey(store, snap, store.log(), /*first=*/true);
    if (!first_key.ok()) return first_key.status();
    if (first_key->value_or("") != keys::LogKey(1)) {
      return Corrupt("the log does not start at position 1");
    }
  }

  // The tail of the log, gapless and agreeing with every index.
  if (last > 0) {
    const uint64_t from = last > tail ? last - tail + 1 : 1;
    const std::string upper = keys::LogKey(last + 1);
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    ro.snapshot = snap;
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(ro, store.log()));
    std::unordered_map<std::string, uint64_t> last_versions;
    uint64_t expected = from;
    for (it->Seek(keys::LogKey(from)); it->Valid(); it->Next(), ++expected) {
      if (it->key().ToStringView() != keys::LogKey(expected)) {
        return Corrupt("position " + std::to_string(expected) +
                       " is missing from the log");
      }
      auto r = DecodeEventRecord(expected, it->value().ToStringView());
      if (!r.ok()) return r.status();
      if (r->recorded_at_micros() < start.last_recorded_at_micros) {
        return Corrupt("recorded_at goes backwards at position " +
                       std::to_string(expected));
      }
      start.last_recorded_at_micros = r->recorded_at_micros();
      CARELOG_RETURN_IF_ERROR(CheckIndexes(store, snap, *r));
      last_versions[r->stream()] = r->version();
    }
    CARELOG_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
    if (expected != last + 1) {
      return Corrupt("position " + std::to_string(expected) +
                     " is missing from the log");
    }
    for (const auto& [stream, version] : last_versions) {
      CARELOG_RETURN_IF_ERROR(CheckHead(store, snap, stream, version));
    }
  }

  // The end of the audit trail.
  auto audit_key = LastKey(store, snap, store.audit());
  if (!audit_key.ok()) return audit_key.status();
  if (audit_key->has_value()) {
    const uint64_t id = keys::DecodeU64(**audit_key).value_or(0);
    auto value = GetAuditValue(store, snap, id);
    if (!value.ok()) return value.status();
    schema::AuditRecord record;
    if (!record.ParseFromString(*value) || record.id() != id) {
      return Corrupt("audit entry " + std::to_string(id) + " is malformed");
    }
    if (id > 1) {
      auto previous = GetAuditValue(store, snap, id - 1);
      if (!previous.ok()) return previous.status();
      if (Sha256(*previous) != record.previous_hash()) {
        return Corrupt("audit entry " + std::to_string(id) +
                       " does not chain to entry " + std::to_string(id - 1));
      }
    }
    start.last_audit_id = id;
    start.last_audit_hash = Sha256(*value);
  }
  if (start.last_recorded_at_micros == std::numeric_limits<int64_t>::min()) {
    start.last_recorded_at_micros = 0;
  }
  return start;
}

}  // namespace carelog::storage
