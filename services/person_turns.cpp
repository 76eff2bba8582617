#include "services/person_turns.h"

#include <deque>
#include <utility>

namespace carelog {
namespace {

// The jobs waiting for the PersonTurns::Run running on this thread, if any.
thread_local std::deque<PersonTurns::Job>* run_later = nullptr;

struct EndRun {
  ~EndRun() { run_later = nullptr; }
};

}  // namespace

void PersonTurns::Take(const std::string& key, Job job) {
  {
    std::lock_guard lock(mu_);
    auto [it, free] = waiting_.try_emplace(key);
    if (!free) {
      it->second.push_back(std::move(job));
      return;
    }
  }
  job();
}

PersonTurns::Job PersonTurns::Pass(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = waiting_.find(key);
  if (it == waiting_.end()) return nullptr;
  if (it->second.empty()) {
    waiting_.erase(it);
    return nullptr;
  }
  Job next = std::move(it->second.front());
  it->second.pop_front();
  return next;
}

void PersonTurns::Run(Job job) {
  if (!job) return;
  if (run_later != nullptr) {
    run_later->push_back(std::move(job));
    return;
  }
  std::deque<Job> later;
  run_later = &later;
  const EndRun end_run;
  job();
  while (!later.empty()) {
    Job next = std::move(later.front());
    later.pop_front();
    next();
  }
}

size_t PersonTurns::busy() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

}  // namespace carelog
