// The projection half of RocksDbEventLog: rows and checkpoints, written
// atomically together.
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "storage/keys.h"
#include "storage/rocksdb_event_log.h"

namespace carelog::storage {

namespace {
rocksdb::Slice S(std::string_view v) { return {v.data(), v.size()}; }
}  // namespace

Status RocksDbEventLog::WriteProjections(const ProjectionWrite& write) {
  // The batch's size known up front (each entry: its bytes plus a tag, a
  // column family id and two lengths of at most 16 bytes together), so that a
  // rebuild's 32,768-row writes are not grown by doubling, a copy and fresh
  // pages each time.
  size_t bytes = 12;  // the batch's header
  for (const auto& row : write.rows) {
    bytes += 16 + row.projection.size() + 1 + row.key.size() +
             (row.value ? row.value->size() : 0);
  }
  for (const auto& checkpoint : write.checkpoints)
    bytes += 16 + checkpoint.first.size() + 8;
  rocksdb::WriteBatch wb(bytes);
  for (const auto& row : write.rows) {
    CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", row.projection));
    const std::string key = keys::ProjectionKey(row.projection, row.key);
    rocksdb::Status s = row.value ? wb.Put(store_->proj(), key, S(*row.value))
                                  : wb.Delete(store_->proj(), key);
    CARELOG_RETURN_IF_ERROR(FromRocks(s, "building the projection batch"));
  }
  for (const auto& [projection, position] : write.checkpoints) {
    CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
    CARELOG_RETURN_IF_ERROR(FromRocks(
        wb.Put(store_->checkpoint(), S(projection), keys::EncodeU64(position)),
        "building the projection batch"));
  }
  if (wb.Count() == 0) return Status::Ok();
  // Projections are rebuilt from the log, so they need atomicity, not an fsync
  // of their own.
  rocksdb::WriteOptions wo;
  wo.sync = false;
  return FromRocks(store_->db()->Write(wo, &wb), "writing projections");
}

Result<std::optional<std::string>> RocksDbEventLog::GetProjectionRow(
    std::string_view projection, std::string_view key) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  return store_->Get(store_->proj(), keys::ProjectionKey(projection, key));
}

Status RocksDbEventLog::ScanProjection(
    std::string_view projection, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>&
        fn) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  const std::string lower = keys::ProjectionKey(projection, prefix);
  const std::optional<std::string> upper = keys::PrefixEnd(lower);
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice;
  if (upper) {
    upper_slice = rocksdb::Slice(*upper);
    ro.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(ro, store_->proj()));
  const size_t skip = projection.size() + 1;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (!fn(it->key().ToStringView().substr(skip), it->value().ToStringView()))
      break;
  }
  return FromRocks(it->status(),
                   "scanning projection " + std::string(projection));
}

Result<uint64_t> RocksDbEventLog::ProjectionCheckpoint(
    std::string_view projection) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  auto value = store_->Get(store_->checkpoint(), projection);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return uint64_t{0};
  if ((*value)->size() != 8) {
    return Status(Code::kCorruption, "the checkpoint of projection " +
                                         std::string(projection) +
                                         " is malformed");
  }
  return *keys::DecodeU64(**value);
}

Status RocksDbEventLog::DropProjection(std::string_view projection) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  rocksdb::WriteBatch wb;
  CARELOG_RETURN_IF_ERROR(
      FromRocks(wb.DeleteRange(store_->proj(), keys::StreamPrefix(projection),
                               keys::StreamEnd(projection)),
                "building the drop batch"));
  CARELOG_RETURN_IF_ERROR(
      FromRocks(wb.Delete(store_->checkpoint(), S(projection)),
                "building the drop batch"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(store_->db()->Write(wo, &wb),
                   "dropping projection " + std::string(projection));
}

Status RocksDbEventLog::CompactProjection(std::string_view projection) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  const std::string begin = keys::StreamPrefix(projection);
  const std::string end = keys::StreamEnd(projection);
  const rocksdb::Slice from(begin), to(end);
  // Table files of one bulk build written through the memtable land in level
  // 0 and 1 together; moving them down now keeps an L0->L1 compaction of every
  // row off the first appends. The bottom level is not rewritten into itself
  // (the default): it holds the rows of a load (LoadProjection), already
  // where they belong.
  rocksdb::CompactRangeOptions options;
  return FromRocks(
      store_->db()->CompactRange(options, store_->proj(), &from, &to),
      "compacting projection " + std::string(projection));
}

}  // namespace carelog::storage
