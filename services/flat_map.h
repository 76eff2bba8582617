// FlatMap: a map of small keys and values held in one open-addressing array
// (linear probing, at most 3/4 full). A lookup reads the one or two cache lines
// where the key sits, where std::unordered_map reads its bucket, the node
// before and the node; an entry costs no allocation of its own. For maps that
// only grow and are looked up far more often than filled (the metrics build's
// cell names and sums): there is no erase, and an insertion may move every
// entry (references and pointers into the map last until a key is added).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace carelog {

template <typename Key, typename Value, typename Hash>
class FlatMap {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The value of `key`, or null.
  const Value* Find(const Key& key) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }

  // The value of `key`, inserted value-initialised when absent (only an
  // insertion may move the entries).
  Value& operator[](const Key& key) {
    if (!slots_.empty()) {
      for (size_t i = Home(key);; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (!s.used) break;
        if (s.key == key) return s.value;
      }
    }
    if (size_ + 1 > slots_.size() / 4 * 3)
      Rehash(std::max<size_t>(16, 2 * slots_.size()));
    size_t i = Home(key);
    while (slots_[i].used) i = (i + 1) & mask_;
    Slot& s = slots_[i];
    s.key = key;
    s.value = Value{};
    s.used = true;
    ++size_;
    return s.value;
  }

  // fn(key, value) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(const Fn& fn) const {
    for (const Slot& s : slots_)
      if (s.used) fn(s.key, s.value);
  }

  void Clear() {
    std::vector<Slot>().swap(slots_);
    mask_ = 0;
    shift_ = 64;
    size_ = 0;
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };

  // The key's first slot: the top bits of its hash times 2^64/phi, so that a
  // hash whose low bits vary little still spreads over the table.
  size_t Home(const Key& key) const {
    return static_cast<size_t>(
        (static_cast<uint64_t>(Hash{}(key)) * 0x9e3779b97f4a7c15ULL) >> shift_);
  }

  // Moves every entry into a table of `slots` (a power of two).
  void Rehash(size_t slots) {
    std::vector<Slot> old(slots);
    old.swap(slots_);
    mask_ = slots - 1;
    shift_ = 64;
    for (size_t n = slots; n > 1; n >>= 1) --shift_;
    for (Slot& s : old) {
      if (!s.used) continue;
      size_t i = Home(s.key);
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;  // a power of two in size, or empty
  size_t mask_ = 0;
  int shift_ = 64;  // 64 - log2(slots)
  size_t size_ = 0;
};

}  // namespace carelog
