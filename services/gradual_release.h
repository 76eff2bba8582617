// Destroys a large container a few elements at a time. Dropping a cache
// generation of ~20,000 people at once cost the projector 0.3-0.8 s of frees
// and malloc consolidation (docs/PERFORMANCE.md, "P8, session 9"); handed here,
// it is destroyed by Step on each later use, spread over many events.
#pragma once

#include <cstddef>
#include <utility>

namespace carelog {

template <typename Container>
class GradualRelease {
 public:
  // Takes `dropped` to be destroyed by later Steps. Whatever an earlier Take
  // left is destroyed now (callers step often enough that this stays rare).
  void Take(Container&& dropped) {
    pending_.clear();
    pending_ = std::move(dropped);
    dropped.clear();  // a moved-from container is only "valid": make it empty
  }
  // Destroys at most `count` of the pending elements.
  void Step(size_t count) {
    for (; count > 0 && !pending_.empty(); --count)
      pending_.erase(pending_.begin());
  }
  void Clear() { pending_.clear(); }
  size_t pending() const { return pending_.size(); }

 private:
  Container pending_;
};

}  // namespace carelog
