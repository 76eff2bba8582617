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

namespace {

// "projection 'name' row 'key'" for a key of the proj family.
std::string DescribeRow(std::string_view key, bool checkpoint) {
  if (checkpoint)
    return "the checkpoint of projection '" + std::string(key) + "'";
  const size_t zero = key.find('\0');
  const std::string_view name = key.substr(0, zero);
  const std::string_view row = zero == std::string_view::npos
                                   ? std::string_view()
                                   : key.substr(zero + 1);
  return "projection '" + std::string(name) + "' row " + Hex(row);
}

// Merge-joins one column family of two stores.
Status CompareFamily(const RocksDbStore& a, rocksdb::ColumnFamilyHandle* fa,
                     const RocksDbStore& b, rocksdb::ColumnFamilyHandle* fb,
                     bool checkpoint, std::vector<std::string>& out,
                     size_t& differences) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> ia(a.db()->NewIterator(ro, fa));
  std::unique_ptr<rocksdb::Iterator> ib(b.db()->NewIterator(ro, fb));
  ia->SeekToFirst();
  ib->SeekToFirst();
  auto note = [&](std::string line) {
    if (++differences <= 20) out.push_back(std::move(line));
  };
  while (ia->Valid() || ib->Valid()) {
    const int order = !ia->Valid()   ? 1
                      : !ib->Valid() ? -1
                                     : ia->key().compare(ib->key());
    if (order < 0) {
      note(DescribeRow(ia->key().ToStringView(), checkpoint) +
           " is kept but a rebuild from the log does not have it");
      ia->Next();
    } else if (order > 0) {
      note(DescribeRow(ib->key().ToStringView(), checkpoint) +
           " is missing; a rebuild from the log has it");
      ib->Next();
    } else {
      if (ia->value() != ib->value()) {
        note(DescribeRow(ia->key().ToStringView(), checkpoint) +
             " differs from a rebuild from the log");
      }
      ia->Next();
      ib->Next();
    }
  }
  CARELOG_RETURN_IF_ERROR(FromRocks(ia->status(), "reading projections"));
  return FromRocks(ib->status(), "reading rebuilt projections");
}

}  // namespace

Result<std::vector<std::string>> CompareProjectionRows(const std::string& a,
                                                       const std::string& b) {
  OpenOptions options;
  options.block_cache_bytes = 16u << 20;
  options.path = a;
  auto sa = RocksDbStore::Open(options);
  if (!sa.ok()) return sa.status();
  options.path = b;
  auto sb = RocksDbStore::Open(options);
  if (!sb.ok()) return sb.status();
  std::vector<std::string> out;
  size_t differences = 0;
  CARELOG_RETURN_IF_ERROR(CompareFamily(
      **sa, (*sa)->proj(), **sb, (*sb)->proj(), false, out, differences));
  CARELOG_RETURN_IF_ERROR(CompareFamily(**sa, (*sa)->checkpoint(), **sb,
                                        (*sb)->checkpoint(), true, out,
                                        differences));
  if (differences > out.size()) {
    out.push_back(std::to_string(differences - out.size()) +
                  " more projection differences");
  }
  return out;
}

}  // namespace carelog::storage
