// What bench_growth and bench_store share about a store's background work:
// waiting until it is done, and each family's table files by level.
#pragma once

#include <rocksdb/db.h>

#include <chrono>
#include <string>
#include <thread>

#include "ops/bench/bench.h"
#include "storage/rocksdb_store.h"

namespace carelog::bench {

// Waits until no family of `store` has a flush or compaction pending or
// running; returns the seconds waited.
inline double WaitForBackgroundWork(const storage::RocksDbStore& store) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    bool busy = false;
    for (rocksdb::ColumnFamilyHandle* cf : store.families()) {
      for (const char* property :
           {"rocksdb.compaction-pending", "rocksdb.mem-table-flush-pending",
            "rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
        uint64_t n = 0;
        if (store.db()->GetIntProperty(cf, property, &n) && n > 0) busy = true;
      }
    }
    if (!busy) return SecondsSince(start);
    if (SecondsSince(start) > 600) Fail("the store's compactions never end");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The number of table files at level 0 of `cf`, as text.
inline std::string LevelZeroFiles(const storage::RocksDbStore& store,
                                  rocksdb::ColumnFamilyHandle* cf) {
  std::string n;
  store.db()->GetProperty(cf, "rocksdb.num-files-at-level0", &n);
  return n;
}

}  // namespace carelog::bench
