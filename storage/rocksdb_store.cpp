#include "storage/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

namespace carelog::storage {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  const Code code = s.IsCorruption() ? Code::kCorruption : Code::kIOError;
  return {code, std::string(what) + ": " + s.ToString()};
}

namespace {

// Column families after the default one, in the order of the accessors in
// rocksdb_store.h.
constexpr const char* kFamilies[] = {"log",        "stream", "head",
                                     "dedup",      "time",   "proj",
                                     "checkpoint", "audit",  "audit_subject"};

// How a family is looked up, which decides its filters (storage/FORMAT.md,
// "Table options").
enum class Lookups {
  // Only iterators, or point lookups that always hit (positions, audit ids):
  // no bloom filter. A filter would cost memory and flush CPU and, on the first
  // lookup in a big table file, a read of the whole filter.
  kHits,
  // Point lookups that often miss (projection rows, meta): partitioned bloom
  // filter, so a lookup reads one small partition, never a whole file's filter.
  kMisses,
  // Lookups that nearly all miss, in every table file (new event ids, streams
  // not cached): whole filters, all pinned, with fewer false positives, and a
  // bloom filter over the memtable as well.
  kMostlyMisses,
};

rocksdb::ColumnFamilyOptions FamilyOptions(
    const std::shared_ptr<rocksdb::Cache>& cache, Lookups lookups) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Two-level indexes: opening a table file and its first lookups read the
  // top level (a few KB) and one partition, not an index of the whole file.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.pin_top_level_index_and_filter = true;
  table.metadata_block_size = 4096;
  // Block checksums: this RocksDB computes CRC32C in software; XXH3 is several
  // times cheaper to write (flushes, compactions) and to verify (reads, and
  // opening). Each file names its own checksum type, so old files still read.
  table.checksum = rocksdb::kXXH3;
  if (lookups == Lookups::kMisses) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.partition_filters = true;
  }
  if (lookups == Lookups::kMostlyMisses) {
    // Every new event id, and every stream not cached, is looked up in every
    // table file of every level (9 files of dedup at 10 M events) by the
    // sequencer, the one thread every append passes through. So every filter
    // and index block of these families is pinned in the block cache (a block
    // fetched through the cache at each lookup - hash, shard mutex, reference
    // count - cost more than the bloom probe: docs/PERFORMANCE.md, "Write
    // path, session 12"), and the filters are whole, not partitioned: a probe
    // is one cache line, without first searching a partition index and
    // looking the partition up (~40 % of a probe's cost). 16 bits a key
    // instead of 10: ~0.1 % false positives instead of ~1 %, each of which
    // reads a data block, from the disk when not cached - on the sequencer,
    // holding up every append behind it ("P6, session 14"). At 10 M events
    // the cache's pinned blocks come to ~31 MB (22 with partitioned filters
    // of 10 bits), read at opening as the pinned partitions were.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(16));
    table.metadata_cache_options.partition_pinning = rocksdb::PinningTier::kAll;
    table.metadata_cache_options.unpartitioned_pinning =
        rocksdb::PinningTier::kAll;
  }
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (lookups == Lookups::kMostlyMisses) {
    cf.memtable_whole_key_filtering = true;
    // Sized for the entries a memtable really holds: the 64 MiB bound on the
    // write-ahead log flushes every family after at most ~200,000 events, and
    // 0.004 of the 64 MiB write buffer is 2 M bits, 10 a key. (It was 0.02:
    // 1.3 MiB zeroed, and faulted in page by page, for every new memtable.)
    cf.memtable_prefix_bloom_size_ratio = 0.004;
    // A hashed memtable (HashLinkList keyed by the whole key) was tried for
    // head and dedup (docs/PERFORMANCE.md, session 8): the sequencer's
    // inserts got no measurably cheaper, and each flush must first sort the
    // hashed entries into a new skip list, which cost P1 more CPU per event
    // than the inserts saved. Insert hints keyed by the stream (for head,
    // stream and audit_subject: memtable_insert_with_hint_prefix_extractor)
    // were tried in session 12: the skip-list searches they saved were paid
    // again in RocksDB's map of hints, a new entry for every new name.
  }
  return cf;
}

Lookups LookupsOf(std::string_view family) {
  if (family == "head" || family == "dedup") return Lookups::kMostlyMisses;
  if (family == "proj" || family == "checkpoint") return Lookups::kMisses;
  return Lookups::kHits;  // log, stream, time, audit, audit_subject
}

// Families whose new keys fall all over the key range (a new person's stream
// and head, an event id's hash, projection rows of people): every compaction
// of level 0 into level 1 rewrites the whole of level 1 (at 10 M events 27 MB
// of head, 140 of dedup, 105 of stream, 208 of proj; 2-8 s of a core each)
// whatever level 0 brings. They compact at eight level-0 files instead of four:
// half as many such rewrites, each a little bigger, so about 45 % less of that
// work, for up to four more level-0 files a read must rule out (by pinned
// bloom filters for head, dedup and proj). Writes slow down at 20 level-0
// files, as before. The other families' keys grow with the position, and
// their level-0 files mostly move down unchanged. (docs/PERFORMANCE.md, "P8,
// session 10".)
bool SpreadKeys(std::string_view family) {
  return family == "head" || family == "dedup" || family == "stream" ||
         family == "proj";
}

}  // namespace

Result<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(
    const OpenOptions& options) {
  if (options.path.empty())
    return Status(Code::kInvalidArgument, "the store path is empty");
  // RocksDB splits the cache into up to 64 shards by default (2 MiB each at
  // 128 MiB), and a block larger than its shard is dropped once released: the
  // whole bloom filters of head's and dedup's big table files (3-8 MB at 10 M
  // events; pinned, so held whatever the shard, but filling it) and of files
  // of the other families written before partitioned filters could be read
  // again lookup after lookup. Shards of at least 16 MiB keep them.
  int shard_bits = 0;
  while (shard_bits < 6 &&
         (options.block_cache_bytes >> (shard_bits + 1)) >= (16u << 20)) {
    ++shard_bits;
  }
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes, shard_bits);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  // Bounds the memtables of all column families together (P9: memory stays
  // flat).
  db_options.db_write_buffer_size = 256u << 20;
  // Start-up replays at most this much write-ahead log (P10); older logs force
  // flushes.
  db_options.max_total_wal_size = 64u << 20;
  db_options.avoid_flush_during_recovery = true;
  // No recycle_log_file_num (reused WAL files, whose fdatasync need not journal
  // a size change): RocksDB 7.8 sets it back to 0 under every recovery mode
  // but kSkipAnyCorruptedRecords, which would skip a damaged record anywhere
  // in the log, acknowledged events included. We keep the default
  // kPointInTimeRecovery.
  db_options.keep_log_file_num = 5;
  db_options.max_background_jobs = 2;
  // Flushes and compactions hand their table files to the disk a megabyte at
  // a time (sync_file_range) instead of leaving them dirty until each file's
  // closing fsync: a 64 MB file written back in one go queued the write-ahead
  // log's fsyncs behind it (docs/PERFORMANCE.md, "P8, session 10": during a
  // 150 MB compaction the log's mean fsync went from 1.7 to 7 ms; with this,
  // about 3).
  db_options.bytes_per_sync = 1u << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName,
                        FamilyOptions(cache, Lookups::kMisses));
  for (const char* name : kFamilies) {
    rocksdb::ColumnFamilyOptions cf = FamilyOptions(cache, LookupsOf(name));
    if (std::string_view(name) == "proj") {
      // A projection build writes sorted runs of rows whose keys share their
      // first 16 bytes: the memtable keeps a hint of where the last key of
      // each such prefix went and inserts the next from there instead of
      // searching the skip list from the top. (The 16 bytes are
      // "metrics\0d|E09000" for metrics rows - the area's last digits cut off
      // - and "worklists\0" with the first digits of an NHS number for
      // worklist rows; each prefix in a memtable costs a hint of ~250 bytes
      // of it, so scattered live worklist writes flush it a little sooner.)
      cf.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewFixedPrefixTransform(16));
    }
    if (SpreadKeys(name)) cf.level0_file_num_compaction_trigger = 8;
    families.emplace_back(name, std::move(cf));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening the event log at " + options.path);

  std::unique_ptr<RocksDbStore> store(new RocksDbStore());
  store->db_.reset(raw);
  store->default_cf_ = handles[0];
  store->cf_.assign(handles.begin() + 1, handles.end());

  auto format = store->Get(store->meta(), kMetaFormatKey);
  if (!format.ok()) return format.status();
  if (!format->has_value()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = raw->Put(wo, store->meta(),
                 rocksdb::Slice(kMetaFormatKey.data(), kMetaFormatKey.size()),
                 rocksdb::Slice(kMetaFormat.data(), kMetaFormat.size()));
    if (!s.ok()) return FromRocks(s, "writing the format marker");
  } else if (**format != kMetaFormat) {
    return Status(Code::kCorruption,
                  "the store at " + options.path + " has format '" + **format +
                      "' but this build reads only '" +
                      std::string(kMetaFormat) +
                      "': rebuild it from its source or open it with the "
                      "build that wrote it");
  }
  return store;
}

std::vector<rocksdb::ColumnFamilyHandle*> RocksDbStore::families() const {
  std::vector<rocksdb::ColumnFamilyHandle*> all = {meta()};
  all.insert(all.end(), cf_.begin(), cf_.end());
  return all;
}

Result<std::optional<std::string>> RocksDbStore::Get(
    rocksdb::ColumnFamilyHandle* cf, std::string_view key,
    const rocksdb::Snapshot* snapshot) const {
  std::string value;
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  rocksdb::Status s =
      db_->Get(ro, cf, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading " + cf->GetName());
  return std::optional<std::string>(std::move(value));
}

Status RocksDbStore::MultiGet(rocksdb::ColumnFamilyHandle* cf,
                              const std::vector<std::string_view>& keys,
                              std::vector<std::optional<std::string>>* values,
                              const rocksdb::ReadOptions& options) const {
  values->assign(keys.size(), std::nullopt);
  if (keys.empty()) return Status::Ok();
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (std::string_view k : keys) slices.emplace_back(k.data(), k.size());
  std::vector<rocksdb::PinnableSlice> found(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(options, cf, keys.size(), slices.data(), found.data(),
                statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok())
      return FromRocks(statuses[i], "reading " + cf->GetName());
    (*values)[i].emplace(found[i].data(), found[i].size());
  }
  return Status::Ok();
}

Status RocksDbStore::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  Status result;
  // Flushing now spares the next start-up a replay of the write-ahead log.
  std::vector<rocksdb::ColumnFamilyHandle*> all(cf_.begin(), cf_.end());
  all.push_back(default_cf_);
  rocksdb::Status flushed = db_->Flush(rocksdb::FlushOptions(), all);
  if (!flushed.ok()) result = FromRocks(flushed, "flushing the event log");
  for (auto* h : cf_) {
    rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok() && result.ok())
      result = FromRocks(s, "releasing a column family");
  }
  cf_.clear();
  rocksdb::Status s = db_->DestroyColumnFamilyHandle(default_cf_);
  if (!s.ok() && result.ok())
    result = FromRocks(s, "releasing the default column family");
  s = db_->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, "closing the event log");
  db_.reset();
  return result;
}

RocksDbStore::~RocksDbStore() {
  if (!closed_ && db_) (void)Close();
}

}  // namespace carelog::storage
