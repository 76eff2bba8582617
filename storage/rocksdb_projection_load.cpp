// RocksDbEventLog::LoadProjection: a bulk build's rows written straight into
// table files (rocksdb::SstFileWriter) and added to the `proj` family in one
// ingestion. Rows written through WriteProjections pass through the
// write-ahead log and a memtable, are flushed into level-0 files and then
// rewritten by every compaction on their way down; loaded rows are written
// once, and land in the lowest level whose files their key range does not
// overlap - for a dropped projection normally the bottom one, so that the
// build's own compactions do not rewrite them (docs/PERFORMANCE.md, "P5,
// session 15"). Higher when something still overlaps (a snapshot keeping the
// drop's tombstone, a neighbouring projection's file spanning the range):
// still correct, the rows then merely compacted later like written ones.
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "storage/keys.h"
#include "storage/rocksdb_event_log.h"

namespace carelog::storage {
namespace {

namespace fs = std::filesystem;

class TableFileLoad final : public ProjectionLoad {
 public:
  TableFileLoad(RocksDbStore& store, std::string projection, fs::path directory,
                rocksdb::Options options, uint64_t file_bytes)
      : store_(store),
        projection_(std::move(projection)),
        prefix_(keys::StreamPrefix(projection_)),
        directory_(std::move(directory)),
        options_(std::move(options)),
        file_bytes_(file_bytes != 0 ? file_bytes
                                    : options_.target_file_size_base) {}

  ~TableFileLoad() override { RemoveFiles(); }

  Status Add(std::string_view key, std::string_view value) override {
    if (finished_) return FinishedError(projection_);
    key_.assign(prefix_).append(key);
    if (!writer_) {
      // A file's own writer checks the order within it; the first key of a
      // file must follow the last of the file before.
      if (!files_.empty() && key_ <= last_) return OutOfOrderError(projection_);
      CARELOG_RETURN_IF_ERROR(OpenFile());
    }
    rocksdb::Status s = writer_->Put(key_, rocksdb::Slice(value));
    if (s.IsInvalidArgument()) return OutOfOrderError(projection_);
    CARELOG_RETURN_IF_ERROR(FromRocks(s, "writing a table file of " + What()));
    if (writer_->FileSize() >= file_bytes_) return CloseFile();
    return Status::Ok();
  }

  Status Finish() override {
    if (finished_) return FinishedError(projection_);
    finished_ = true;
    if (writer_) CARELOG_RETURN_IF_ERROR(CloseFile());
    if (files_.empty()) return Status::Ok();
    // What the projection's key range still holds - a dropped projection's
    // range tombstone, in the memtable or a level-0 file, and the rows it
    // covers - would keep the files out of the levels below it: compacted
    // away first, down to and within the bottom level, where a tombstone is
    // dropped (a file moved down unchanged would keep it). Nothing to do when
    // the range holds nothing; files that merely span it (the worklists' rows
    // written meanwhile) are compacted with it, work CompactProjection would
    // do for them anyway.
    const std::string end = keys::StreamEnd(projection_);
    const rocksdb::Slice from(prefix_), to(end);
    rocksdb::CompactRangeOptions settle;
    settle.bottommost_level_compaction =
        rocksdb::BottommostLevelCompaction::kForceOptimized;
    CARELOG_RETURN_IF_ERROR(
        FromRocks(store_.db()->CompactRange(settle, store_.proj(), &from, &to),
                  "compacting " + What() + " before its load"));
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;  // linked into the store, not copied
    // A sequence number, when one is needed (something overlapping), kept in
    // the MANIFEST rather than written into each linked file.
    ingest.write_global_seqno = false;
    Status added = FromRocks(
        store_.db()->IngestExternalFile(store_.proj(), files_, ingest),
        "adding the table files of " + What());
    RemoveFiles();
    return added;
  }

 private:
  std::string What() const { return "projection " + projection_; }

  // The load's directory and what is left in it (everything once added).
  void RemoveFiles() {
    writer_.reset();
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }

  Status OpenFile() {
    const std::string path =
        (directory_ / (std::to_string(files_.size()) + ".sst")).string();
    auto writer = std::make_unique<rocksdb::SstFileWriter>(
        rocksdb::EnvOptions(options_), options_, store_.proj());
    CARELOG_RETURN_IF_ERROR(
        FromRocks(writer->Open(path),
                  "creating a table file of " + What() + " at " + path));
    writer_ = std::move(writer);
    return Status::Ok();
  }

  Status CloseFile() {
    rocksdb::ExternalSstFileInfo info;
    CARELOG_RETURN_IF_ERROR(FromRocks(writer_->Finish(&info),
                                      "finishing a table file of " + What()));
    writer_.reset();
    last_ = std::move(info.largest_key);
    files_.push_back(std::move(info.file_path));
    return Status::Ok();
  }

  RocksDbStore& store_;
  const std::string projection_;
  const std::string prefix_;  // projection 0x00
  const fs::path directory_;
  const rocksdb::Options options_;
  const uint64_t file_bytes_;  // a file is closed once this big
  std::unique_ptr<rocksdb::SstFileWriter> writer_;  // the file being written
  std::vector<std::string> files_;                  // written and closed
  std::string last_;  // the last key of the last file closed
  std::string key_;   // the row being added, with its prefix
  bool finished_ = false;
};

}  // namespace

fs::path RocksDbEventLog::LoadDirectory() const {
  return fs::path(store_->db()->GetName()) / "projection-load";
}

Result<std::unique_ptr<ProjectionLoad>> RocksDbEventLog::LoadProjection(
    std::string_view projection) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  const fs::path directory = LoadDirectory() / std::string(projection);
  std::error_code error;
  fs::remove_all(directory, error);  // what a load cut short left
  if (!error) fs::create_directories(directory, error);
  if (error) {
    return Status(Code::kIOError, "cannot make the directory " +
                                      directory.string() + ": " +
                                      error.message());
  }
  return std::unique_ptr<ProjectionLoad>(std::make_unique<TableFileLoad>(
      *store_, std::string(projection), directory,
      store_->db()->GetOptions(store_->proj()), load_file_bytes_));
}

}  // namespace carelog::storage
