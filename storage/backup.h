// Online backup, restore and offline verification of the RocksDB event log.
//
// A backup is a RocksDB checkpoint of the open store: hard links (or copies) of
// its immutable table files plus its synced write-ahead log, taken while
// appends go on. Every append is one synced WriteBatch, so the checkpoint holds
// a prefix of the log: each batch wholly or not at all, across all column
// families.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::storage {

// Writes a consistent checkpoint of the open log into `dir`, which must not
// exist yet (its parent must). `log` must come from OpenRocksDbEventLog;
// kInvalidArgument otherwise or if `dir` exists, kIOError on failure (no
// partial `dir` is left behind). Thread-safe; appends go on meanwhile.
Status CheckpointEventLog(EventLog& log, const std::string& dir);

// True when `dir` holds a RocksDB store (a CURRENT file).
bool IsStore(const std::string& dir);

// What the offline verifier found: one line per broken invariant (empty when
// the store is sound), and where the log and audit trail end.
struct StoreReport {
  std::vector<std::string> problems;
  uint64_t last_position = 0;
  uint64_t audit_entries = 0;
  std::string audit_head_hash;  // hex SHA-256 of the last audit entry, or ""
};

// An audit chain head recorded earlier (from a StoreReport): the id of an
// entry and the hex SHA-256 it had then.
struct AuditAnchor {
  uint64_t id = 0;
  std::string sha256_hex;
};

// Opens the store at `dir` without the event log's open-time checks (so that
// a damaged store can still be examined) and checks every invariant: positions
// gapless, stream index and heads, dedup index, content hashes, time index, the
// audit trail's ids and hash chain. The store must not be open elsewhere
// (kIOError: RocksDB's lock). kNotFound if `dir` holds no store. With an
// anchor, also that the entry still has the hash recorded: with an intact
// chain, nothing up to it was rewritten or cut off.
Result<StoreReport> VerifyStoreAt(
    const std::string& dir, const std::optional<AuditAnchor>& anchor = {});

// Compares the projection rows and checkpoints of two stopped stores (e.g. one
// caught up incrementally, one rebuilt); one line per difference, at most 20
// and a count of the rest (empty when they agree).
Result<std::vector<std::string>> CompareProjectionRows(const std::string& a,
                                                       const std::string& b);

}  // namespace carelog::storage
