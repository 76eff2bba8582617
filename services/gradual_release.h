// Destroys large containers a few elements at a time. Dropping a cache
// generation of ~20,000 people at once cost the projector 0.3-0.8 s of frees
// and malloc consolidation (docs/PERFORMANCE.md, "P8, session 9"); handed here,
// it is destroyed by Step on each later use, spread over many events.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

namespace carelog {

template <typename Container>
class GradualRelease {
 public:
  // Takes `dropped` to be destroyed by later Steps, after whatever earlier
  // Takes left (nothing is ever destroyed all at once), and leaves it empty.
  void Take(Container&& dropped) {
    if (dropped.empty()) return;
    pending_.push_back(std::move(dropped));
    pending_size_ += pending_.back().size();
    dropped.clear();  // a moved-from container is only "valid": make it empty
  }
  // Destroys at most `count` of the pending elements, oldest first.
  void Step(size_t count) {
    while (count > 0 && !pending_.empty()) {
      Container& first = pending_.front();
      for (; count > 0 && !first.empty(); --count, --pending_size_)
        first.erase(first.begin());
      if (first.empty()) pending_.pop_front();
    }
  }
  void Clear() {
    pending_.clear();
    pending_size_ = 0;
  }
  size_t pending() const { return pending_size_; }

 private:
  std::deque<Container> pending_;
  size_t pending_size_ = 0;
};

}  // namespace carelog
