// The RocksDB database behind the event log: its options, its column families
// (storage/FORMAT.md) and the translation of rocksdb::Status into ours. Owns
// the DB; not copyable.
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::storage {

// Maps a RocksDB status to ours: corruption to kCorruption, anything else to
// kIOError; `what` says which operation failed.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

// Keys of the default column family.
inline constexpr std::string_view kMetaFormatKey = "format";
// Version 2: stream index entries are runs, dedup entries positions
// (storage/FORMAT.md). A store of another version is refused on open.
inline constexpr std::string_view kMetaFormat = "carelog-event-log-2";
inline constexpr std::string_view kMetaLastPositionKey = "last_position";

class RocksDbStore {
 public:
  // Opens (creating if missing) the database with every column family.
  static Result<std::unique_ptr<RocksDbStore>> Open(const OpenOptions& options);
  ~RocksDbStore();
  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* meta() const {
    return db_->DefaultColumnFamily();
  }
  rocksdb::ColumnFamilyHandle* log() const { return cf_[0]; }
  rocksdb::ColumnFamilyHandle* stream() const { return cf_[1]; }
  rocksdb::ColumnFamilyHandle* head() const { return cf_[2]; }
  rocksdb::ColumnFamilyHandle* dedup() const { return cf_[3]; }
  rocksdb::ColumnFamilyHandle* time() const { return cf_[4]; }
  rocksdb::ColumnFamilyHandle* proj() const { return cf_[5]; }
  rocksdb::ColumnFamilyHandle* checkpoint() const { return cf_[6]; }
  rocksdb::ColumnFamilyHandle* audit() const { return cf_[7]; }
  rocksdb::ColumnFamilyHandle* audit_subject() const { return cf_[8]; }
  // Every column family, the default one included.
  std::vector<rocksdb::ColumnFamilyHandle*> families() const;

  // Point lookup (in `snapshot` if given): the value, nullopt if absent, or the
  // error.
  Result<std::optional<std::string>> Get(
      rocksdb::ColumnFamilyHandle* cf, std::string_view key,
      const rocksdb::Snapshot* snapshot = nullptr) const;

  // Point lookups of many keys of one family in one call, read with `options`
  // (snapshot, fill_cache): each key's value, or nullopt where it is absent.
  Status MultiGet(rocksdb::ColumnFamilyHandle* cf,
                  const std::vector<std::string_view>& keys,
                  std::vector<std::optional<std::string>>* values,
                  const rocksdb::ReadOptions& options = {}) const;

  // Flushes memtables (so that opening replays no log) and closes the database;
  // afterwards only destruction is allowed.
  Status Close();

 private:
  RocksDbStore() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;  // excluding the default
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  bool closed_ = false;
};

}  // namespace carelog::storage
