// The EventLog on RocksDB: appends and audit entries go through the Sequencer
// (group commit); reads and projections go straight to the store. Layout in
// storage/FORMAT.md.
#pragma once

#include <rocksdb/options.h>

#include <filesystem>
#include <memory>

#include "storage/event_log.h"
#include "storage/rocksdb_store.h"
#include "storage/sequencer.h"

namespace carelog::storage {

class RocksDbEventLog final : public EventLog {
 public:
  // See OpenRocksDbEventLog in storage/event_log.h.
  static Result<std::unique_ptr<RocksDbEventLog>> Open(
      const OpenOptions& options);
  // Answers every queued append, then closes the store.
  ~RocksDbEventLog() override;

  Result<AppendResult> Append(AppendRequest request) override;
  void AppendAsync(AppendRequest request,
                   std::function<void(Result<AppendResult>)> done) override;
  void AppendAsyncWithAudit(
      AppendRequest request, std::string audit_subject, std::string audit_entry,
      std::function<void(Result<AppendResult>)> done) override;
  Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream,
                                                uint64_t from_version,
                                                size_t max_count) override;
  Result<uint64_t> StreamVersion(std::string_view stream) override;
  Result<std::optional<uint64_t>> StreamVersionInMemory(
      std::string_view stream) override;
  Result<std::vector<RecordedEvent>> ReadAll(uint64_t from_position,
                                             size_t max_count) override;
  Result<std::optional<RecordedEvent>> FindEvent(
      std::string_view event_id) override;
  uint64_t LastPosition() const override;
  Status ScanLog(
      uint64_t from_position, uint64_t to_position,
      const std::function<bool(const RecordedEventView&)>& fn) override;
  Result<uint64_t> PositionAtOrBefore(int64_t recorded_at_micros) override;

  Status WriteProjections(const ProjectionWrite& write) override;
  Result<std::optional<std::string>> GetProjectionRow(
      std::string_view projection, std::string_view key) override;
  Status ScanProjection(
      std::string_view projection, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>&
          fn) override;
  Result<uint64_t> ProjectionCheckpoint(std::string_view projection) override;
  Status DropProjection(std::string_view projection) override;
  Status CompactProjection(std::string_view projection) override;
  Result<std::unique_ptr<ProjectionLoad>> LoadProjection(
      std::string_view projection) override;

  Result<uint64_t> AppendAudit(std::string_view subject,
                               std::string entry) override;
  void AppendAuditAsync(std::string_view subject, std::string entry,
                        std::function<void(Result<uint64_t>)> done) override;
  void AppendAuditsAsync(
      std::vector<std::pair<std::string, std::string>> entries,
      std::function<void(Status)> done) override;
  Result<std::vector<std::pair<uint64_t, std::string>>> ReadAudit(
      std::string_view subject, uint64_t after_id, size_t max_count) override;

  Status VerifyFull() override;
  CommitStats Stats() const override;

  // The database itself, for online backups (storage/backup.h).
  RocksDbStore& store() { return *store_; }

 private:
  explicit RocksDbEventLog(std::unique_ptr<RocksDbStore> store)
      : store_(std::move(store)) {}
  // The events stored at these positions, in the order given (read in
  // position order, so MultiGet walks each table file once); kCorruption
  // naming a position with no record.
  Result<std::vector<RecordedEvent>> ReadPositions(
      const std::vector<uint64_t>& positions,
      const rocksdb::ReadOptions& options = rocksdb::ReadOptions());
  // The stream's version from its head entry (0 when it has none); nullopt
  // when `tier` forbids the table file read that would answer.
  Result<std::optional<uint64_t>> HeadVersion(std::string_view stream,
                                              rocksdb::ReadTier tier);

  // Where LoadProjection writes its table files until they are added: a
  // directory of the store's own, emptied on opening.
  std::filesystem::path LoadDirectory() const;

  std::unique_ptr<RocksDbStore> store_;
  std::unique_ptr<Sequencer> sequencer_;
  uint64_t load_file_bytes_ = 0;  // OpenOptions::load_file_bytes
};

}  // namespace carelog::storage
