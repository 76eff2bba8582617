#include "storage/all_done.h"

#include <memory>
#include <mutex>
#include <utility>

namespace carelog::storage {

std::function<void(Result<uint64_t>)> AllDone(
    size_t n, std::function<void(Status)> done) {
  struct Waiting {
    std::mutex mu;
    size_t left;
    Status first_error = Status::Ok();
    std::function<void(Status)> done;
  };
  auto waiting = std::make_shared<Waiting>();
  waiting->left = n;
  waiting->done = std::move(done);
  return [waiting](Result<uint64_t> r) {
    Status answer;
    {
      std::lock_guard lock(waiting->mu);
      if (!r.ok() && waiting->first_error.ok())
        waiting->first_error = r.status();
      if (--waiting->left != 0) return;
      answer = waiting->first_error;
    }
    waiting->done(std::move(answer));
  };
}

}  // namespace carelog::storage
