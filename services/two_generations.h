// A projection's cache of recently seen people, in two generations, for one
// thread: an entry found in the old generation moves to the young one; once
// the young one's weight (what the caller counts: events, facts) reaches the
// budget, it becomes the old one and the old one is forgotten - freed two
// entries per later insertion (GradualRelease), never all at once.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>

#include "services/gradual_release.h"

namespace carelog {

template <typename Value>
class TwoGenerations {
 public:
  explicit TwoGenerations(size_t budget) : budget_(budget) {}

  // The young entry of `key`, moved there from the old generation (adding
  // `weight(entry)` to the young one's weight) if it is there; nullptr if it
  // is in neither.
  template <typename Weight>
  Value* Find(const std::string& key, Weight weight) {
    if (auto it = young_.find(key); it != young_.end()) return &it->second;
    auto old = old_.find(key);
    if (old == old_.end()) return nullptr;
    Value moved = std::move(old->second);
    old_.erase(old);
    const size_t w = weight(moved);
    Value& entry = Insert(key, w);
    entry = std::move(moved);
    return &entry;
  }

  // A new, empty young entry of `key` weighing `weight` (turning the
  // generations over first when the young one is full).
  Value& Insert(const std::string& key, size_t weight) {
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
    weight_ += weight;
    Value& entry = young_[key];
    entry = Value{};
    return entry;
  }

  // A young entry grew, or shrank, by `n`.
  void AddWeight(size_t n) { weight_ += n; }
  void RemoveWeight(size_t n) { weight_ -= n < weight_ ? n : weight_; }

  void Forget(const std::string& key) {
    young_.erase(key);
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
  std::unordered_map<std::string, Value> young_, old_;
  GradualRelease<std::unordered_map<std::string, Value>> forgotten_;
  size_t weight_ = 0;
};

}  // namespace carelog
