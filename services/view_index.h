// ViewIndex: id -> position in a list that holds the ids (a person's events,
// spells, attendances, ...), as one flat open-addressing table of 8 bytes a
// slot: 32 bits of the id's hash and the position. The table keeps no key:
// `key_of(position)` gives the id the list holds there, and is asked only when
// the hashes agree. So a lookup that misses (a new id, the common case on the
// write path) reads one cache line, an entry costs no allocation of its own,
// and a copy of the table is one array copied, valid for a copy of the list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace carelog {

class ViewIndex {
 public:
  ViewIndex() = default;
  ViewIndex(const ViewIndex&) = default;
  ViewIndex& operator=(const ViewIndex&) = default;
  // A moved-from index is empty.
  ViewIndex(ViewIndex&& other) noexcept
      : slots_(std::move(other.slots_)),
        mask_(std::exchange(other.mask_, 0)),
        size_(std::exchange(other.size_, 0)) {
    other.slots_.clear();
  }
  ViewIndex& operator=(ViewIndex&& other) noexcept {
    slots_ = std::move(other.slots_);
    other.slots_.clear();
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  // Room for `n` entries in all: no growth before then.
  void Reserve(size_t n) {
    if (n <= Capacity()) return;
    size_t slots = kMinSlots;
    while (slots / 4 * 3 < n) slots *= 2;
    Rehash(slots);
  }

  size_t size() const { return size_; }

  // The position of `key`, or nullopt. `key_of(p)` is the id at position p.
  template <typename KeyOf>
  std::optional<size_t> Find(std::string_view key, const KeyOf& key_of) const {
    if (slots_.empty()) return std::nullopt;
    const uint32_t hash = Hash(key);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.position_plus_one == 0) return std::nullopt;
      if (s.hash == hash && key_of(s.position_plus_one - 1) == key)
        return s.position_plus_one - 1;
    }
  }

  // Adds key -> position; false (and nothing added) when `key` is present.
  template <typename KeyOf>
  bool Insert(std::string_view key, size_t position, const KeyOf& key_of) {
    if (position >= UINT32_MAX)
      throw std::length_error("ViewIndex: position out of range");
    Reserve(size_ + 1);
    const uint32_t hash = Hash(key);
    size_t i = hash & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.position_plus_one == 0) break;
      if (s.hash == hash && key_of(s.position_plus_one - 1) == key)
        return false;
    }
    slots_[i] = Slot{hash, static_cast<uint32_t>(position + 1)};
    ++size_;
    return true;
  }

 private:
  struct Slot {
    uint32_t hash = 0;               // its low bits choose the first slot
    uint32_t position_plus_one = 0;  // 0: empty
  };
  static constexpr size_t kMinSlots = 8;

  static uint32_t Hash(std::string_view key) {
    const uint64_t h = std::hash<std::string_view>{}(key);
    return static_cast<uint32_t>(h ^ (h >> 32));
  }
  // Entries held before the table grows: 3/4 of the slots (linear probing
  // stays short below that).
  size_t Capacity() const { return slots_.size() / 4 * 3; }

  // Moves every entry into a table of `slots` (a power of two, at most 2^32).
  void Rehash(size_t slots) {
    std::vector<Slot> old(slots, Slot{});
    old.swap(slots_);
    mask_ = slots - 1;
    for (const Slot& s : old) {
      if (s.position_plus_one == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].position_plus_one != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // a power of two in size, or empty
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace carelog
