// The versions of recently used streams, bounded in size (least recently used
// go first). A miss says nothing: the caller looks the head up in the store.
// Not thread-safe; the sequencer owns it.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace carelog::storage {

class StreamHeadCache {
 public:
  explicit StreamHeadCache(size_t capacity)
      : capacity_(capacity == 0 ? 1 : capacity) {}

  std::optional<uint64_t> Get(const std::string& stream);
  void Put(const std::string& stream, uint64_t version);
  size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<std::string, uint64_t>;
  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace carelog::storage
