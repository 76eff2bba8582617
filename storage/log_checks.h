// Invariant checks of the stored event log (storage/FORMAT.md). Any broken
// invariant is answered with kCorruption saying what is wrong; RocksDB read
// failures with kIOError.
#pragma once

#include <cstddef>
#include <vector>

#include "carelog/record.pb.h"
#include "storage/rocksdb_store.h"
#include "storage/sequencer.h"
#include "storage/status.h"

namespace carelog::storage {

// Cheap checks for opening, whatever the size of the store: the log starts at
// position 1 and ends where the last commit said; the last `tail` events are
// gapless, hash correctly and agree with the stream index, stream heads and
// dedup index; the time index and audit trail end where they should. Returns
// where the log stands. Reads `snapshot` if given, else the latest state.
Result<SequencerStart> CheckOnOpen(const RocksDbStore& store,
                                   const rocksdb::Snapshot* snapshot = nullptr,
                                   size_t tail = 64);

// Every invariant, reading the whole store in one consistent snapshot (writes
// may go on meanwhile).
Status VerifyFull(const RocksDbStore& store);

// As VerifyFull, but runs the checks of the log's ends, the log and its
// indexes, the streams, the time index and the audit trail independently and
// answers the first problem of each (empty when the store is sound).
std::vector<Status> VerifyEach(const RocksDbStore& store);

// Parses a log value stored under `position`; kCorruption if it does not parse
// or names another position.
Result<schema::EventRecord> DecodeEventRecord(uint64_t position,
                                              std::string_view value);
// The same into `r`, whose strings keep their capacity from the record before.
Status DecodeEventRecordInto(uint64_t position, std::string_view value,
                             schema::EventRecord& r);

}  // namespace carelog::storage
