// A projection's cache of recently seen people, in two generations, for one
// thread: an entry found in the old generation moves to the young one; once
// the young one's weight (what the caller counts: events, facts) reaches the
// budget, it becomes the old one and the old one is forgotten - freed two
// entries per later insertion (GradualRelease), never all at once.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "services/gradual_release.h"

namespace carelog {

template <typename Value>
class TwoGenerations {
 public:
  // `weight` tells what an entry weighs now; an entry that changes in place
  // tells the cache by how much (AddWeight, RemoveWeight).
  TwoGenerations(size_t budget, std::function<size_t(const Value&)> weight)
      : budget_(budget), weight_of_(std::move(weight)) {}

  // The young entry of `key`, moved there from the old generation (with its
  // weight) if it is there; nullptr if it is in neither.
  Value* Find(const std::string& key) {
    if (auto it = young_.find(key); it != young_.end()) return &it->second;
    auto old = old_.find(key);
    if (old == old_.end()) return nullptr;
    Value moved = std::move(old->second);
    old_.erase(old);
    Value& entry = Insert(key);
    entry = std::move(moved);
    weight_ += weight_of_(entry);
    return &entry;
  }

  // A new, empty young entry of `key` (turning the generations over first when
  // the young one is full); it weighs what an empty Value weighs.
  Value& Insert(const std::string& key) {
    if (weight_ >= budget_) {
      forgotten_.Take(std::move(old_));
      old_ = std::move(young_);
      young_.clear();
      weight_ = 0;
    }
    // Each entry inserted frees two of the forgotten generations' entries
    // (a generation being forgotten while one is still pending waits behind
    // it: nothing is freed all at once).
    forgotten_.Step(2);
    old_.erase(key);
    auto [it, fresh] = young_.try_emplace(key);
    if (!fresh) {  // emptied in place (one lookup, not an erase and a new node)
      weight_ -= weight_of_(it->second);
      it->second = Value();
    }
    weight_ += weight_of_(it->second);
    return it->second;
  }

  // A young entry grew, or shrank, by `n` in place.
  void AddWeight(size_t n) { weight_ += n; }
  void RemoveWeight(size_t n) { weight_ -= n; }

  // Takes `key`'s young entry out of the cache (an empty Value if it has none).
  Value Remove(const std::string& key) {
    Value out;
    if (auto it = young_.find(key); it != young_.end()) {
      weight_ -= weight_of_(it->second);
      out = std::move(it->second);
      young_.erase(it);
    }
    old_.erase(key);
    return out;
  }

  void Forget(const std::string& key) {
    if (auto it = young_.find(key); it != young_.end()) {
      weight_ -= weight_of_(it->second);
      young_.erase(it);
    }
    old_.erase(key);
  }
  void Clear() {
    young_.clear();
    old_.clear();
    forgotten_.Clear();
    weight_ = 0;
  }

  size_t young_weight() const { return weight_; }

 private:
  const size_t budget_;
  const std::function<size_t(const Value&)> weight_of_;
  std::unordered_map<std::string, Value> young_, old_;
  GradualRelease<std::unordered_map<std::string, Value>> forgotten_;
  size_t weight_ = 0;
};

}  // namespace carelog
