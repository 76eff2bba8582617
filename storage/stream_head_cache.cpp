#include "storage/stream_head_cache.h"

namespace carelog::storage {

std::optional<uint64_t> StreamHeadCache::Get(std::string_view stream) {
  auto it = index_.find(stream);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void StreamHeadCache::Put(std::string_view stream, uint64_t version) {
  auto it = index_.find(stream);
  if (it != index_.end()) {
    it->second->second = version;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(std::string(stream), version);
  index_.emplace(order_.front().first, order_.begin());
  if (index_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

}  // namespace carelog::storage
