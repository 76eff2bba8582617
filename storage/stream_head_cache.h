// The versions of recently used streams, bounded in size (least recently used
// go first). A miss says nothing: the caller looks the head up in the store.
// Not thread-safe; the sequencer owns it.
#pragma once

#include <cstdint>
#include <functional>
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

  std::optional<uint64_t> Get(std::string_view stream);
  void Put(std::string_view stream, uint64_t version);
  size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<std::string, uint64_t>;
  // Lets the index be searched with a string_view, without a copy.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator, Hash,
                     std::equal_to<>>
      index_;
};

}  // namespace carelog::storage
