// Turns per person: the jobs given for one key (an NHS number) run one at a
// time, in the order they were given, and a job waiting for its turn holds no
// thread. A turn lasts from the job's start until Pass(key) — possibly on
// another thread, long after the job returned (e.g. once an append is
// durable). Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace carelog {

class PersonTurns {
 public:
  using Job = std::function<void()>;

  // Runs `job` now, on this thread, if nobody holds the key's turn; otherwise
  // queues it behind the jobs already waiting.
  void Take(const std::string& key, Job job);

  // Ends the current turn of `key` and gives it to the next job waiting, which
  // is returned for the caller to Run once it has finished with its own turn
  // (an empty Job: nobody waits, the key is free).
  [[nodiscard]] Job Pass(const std::string& key);

  // Runs a job returned by Pass on this thread. Called inside another job that
  // Run is running on this thread, it runs after that job instead, so that a
  // chain of turns ending at once does not deepen the stack.
  static void Run(Job job);

  // Keys whose turn is held now (for tests and metrics).
  size_t busy() const;

 private:
  mutable std::mutex mu_;
  // A key is present while its turn is held; the jobs waiting, in order.
  std::unordered_map<std::string, std::list<Job>> waiting_;
};

}  // namespace carelog
