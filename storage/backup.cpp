#include "storage/backup.h"

#include <rocksdb/iterator.h>
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <memory>

#include "storage/content_hash.h"
#include "storage/keys.h"
#include "storage/log_checks.h"
#include "storage/rocksdb_event_log.h"

namespace carelog::storage {

Status CheckpointEventLog(EventLog& log, const std::string& dir) {
  auto* rocks = dynamic_cast<RocksDbEventLog*>(&log);
  if (rocks == nullptr) {
    return {Code::kInvalidArgument,
            "only a RocksDB event log can be backed up"};
  }
  std::error_code ec;
  if (dir.empty() || std::filesystem::exists(dir, ec)) {
    return {Code::kInvalidArgument,
            "the backup directory '" + dir + "' already exists"};
  }
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(rocks->store().db(), &raw);
  if (!s.ok()) return FromRocks(s, "preparing a checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flushing first keeps the copied write-ahead log short; RocksDB still
  // copies the live WAL so that every column family is cut at the same batch.
  s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0);
  if (!s.ok()) {
    std::filesystem::remove_all(dir, ec);
    return FromRocks(s, "writing a checkpoint to " + dir);
  }
  return Status::Ok();
}

bool IsStore(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(
      std::filesystem::path(dir) / "CURRENT", ec);
}

namespace {

// The id and SHA-256 of the last audit entry (0 and "" when there is none).
Status AuditHead(const RocksDbStore& store, StoreReport& report) {
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.audit()));
  it->SeekToLast();
  if (it->Valid()) {
    report.audit_entries =
        keys::DecodeU64(it->key().ToStringView()).value_or(0);
    report.audit_head_hash = Hex(Sha256(it->value().ToStringView()));
  }
  return FromRocks(it->status(), "reading the end of the audit trail");
}

}  // namespace

Result<StoreReport> VerifyStoreAt(const std::string& dir,
                                  const std::optional<AuditAnchor>& anchor) {
  if (!IsStore(dir)) {
    return Status(Code::kNotFound, "no Carelog store in " + dir);
  }
  OpenOptions options;
  options.path = dir;
  options.block_cache_bytes = 32u << 20;
  auto store = RocksDbStore::Open(options);
  if (!store.ok()) return store.status();
  StoreReport report;
  for (const Status& problem : VerifyEach(**store)) {
    report.problems.push_back(problem.message());
  }
  auto last = (*store)->Get((*store)->meta(), kMetaLastPositionKey);
  if (last.ok() && last->has_value()) {
    report.last_position = keys::DecodeU64(**last).value_or(0);
  }
  Status head = AuditHead(**store, report);
  if (!head.ok()) report.problems.push_back(head.message());
  if (anchor) {
    const std::string where = "audit entry " + std::to_string(anchor->id);
    auto value = (*store)->Get((*store)->audit(), keys::EncodeU64(anchor->id));
    if (!value.ok()) {
      report.problems.push_back(value.status().message());
    } else if (!value->has_value()) {
      report.problems.push_back(
          where + ", recorded as a chain head, is gone: the trail was cut");
    } else if (Hex(Sha256(**value)) != anchor->sha256_hex) {
      report.problems.push_back(where +
                                " no longer has the hash recorded for it: the "
                                "trail up to it was rewritten");
    }
  }
  Status closed = (*store)->Close();
  if (!closed.ok()) report.problems.push_back(closed.message());
  return report;
}

}  // namespace carelog::storage
