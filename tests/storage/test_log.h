// Test helpers for storage: a temporary directory, a settable clock and request
// builders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/event_log.h"

namespace carelog::storage::testing {

// A fresh directory under the system's temporary directory, removed with
// everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "carelog-storage-XXXXXX")
            .string();
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> micros =
      std::make_shared<std::atomic<int64_t>>(1'000'000);
  std::function<int64_t()> fn() const {
    auto m = micros;
    return [m] { return m->load(); };
  }
  void Set(int64_t v) { micros->store(v); }
};

inline OpenOptions Options(const std::string& path,
                           const FakeClock* clock = nullptr) {
  OpenOptions o;
  o.path = path;
  o.block_cache_bytes = 8u << 20;
  if (clock != nullptr) o.now_micros = clock->fn();
  return o;
}

inline std::unique_ptr<EventLog> MustOpen(const OpenOptions& options) {
  auto log = OpenRocksDbEventLog(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

inline NewEvent Event(const std::string& id, const std::string& body = "") {
  return NewEvent{id, "carelog.test.Event",
                  body.empty() ? "body of " + id : body};
}

inline AppendRequest Request(const std::string& stream,
                             ExpectedVersion expected,
                             std::vector<NewEvent> events) {
  return AppendRequest{stream, expected, std::move(events), "tester"};
}

}  // namespace carelog::storage::testing
