#include "services/projector.h"

#include <algorithm>

namespace carelog {

ProjectionRunner::ProjectionRunner(storage::EventLog& log,
                                   std::vector<Projection*> projections,
                                   ProjectorOptions options)
    : log_(log), projections_(std::move(projections)), options_(options) {}

ProjectionRunner::~ProjectionRunner() { Stop(); }

Status ProjectionRunner::Open() {
  std::lock_guard<std::mutex> batch(batch_mu_);
  checkpoints_.clear();
  for (Projection* p : projections_) {
    auto cp = log_.ProjectionCheckpoint(p->Name());
    if (!cp.ok()) return cp.status();
    checkpoints_.push_back(*cp);
    CARELOG_RETURN_IF_ERROR(p->Load(log_));
  }
  uint64_t applied =
      checkpoints_.empty()
          ? log_.LastPosition()
          : *std::min_element(checkpoints_.begin(), checkpoints_.end());
  applied_.store(applied);
  return Status::Ok();
}

Status ProjectionRunner::ApplyBatch(bool* applied_any, size_t max_events) {
  *applied_any = false;
  uint64_t from = applied_.load() + 1;
  if (from > log_.LastPosition()) return Status::Ok();
  auto events = log_.ReadAll(from, max_events);
  if (!events.ok()) return events.status();
  if (events->empty()) return Status::Ok();
  storage::ProjectionWrite write;
  uint64_t last = from - 1;
  for (const storage::RecordedEvent& event : *events) {
    if (event.position != last + 1) {
      return Status(Code::kCorruption, "the log has a gap before position " +
                                           std::to_string(event.position));
    }
    last = event.position;
    for (size_t i = 0; i < projections_.size(); ++i) {
      if (event.position <= checkpoints_[i]) continue;
      Status s = projections_[i]->Apply(event, write);
      if (!s.ok()) {
        for (Projection* p : projections_) p->Abort();
        return s;
      }
    }
  }
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (checkpoints_[i] >= last) continue;
    Status s = projections_[i]->FinishBatch(write);
    if (!s.ok()) {
      for (Projection* p : projections_) p->Abort();
      return s;
    }
    write.checkpoints.emplace_back(std::string(projections_[i]->Name()), last);
  }
  Status s = log_.WriteProjections(write);
  if (!s.ok()) {
    for (Projection* p : projections_) p->Abort();
    return s;
  }
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (checkpoints_[i] >= last) continue;
    checkpoints_[i] = last;
    projections_[i]->Commit(last);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_.store(last);
  }
  progress_.notify_all();
  *applied_any = true;
  return Status::Ok();
}

Status ProjectionRunner::CatchUp() {
  std::lock_guard<std::mutex> batch(batch_mu_);
  for (;;) {
    bool any = false;
    CARELOG_RETURN_IF_ERROR(ApplyBatch(&any, options_.batch_events));
    if (!any) return Status::Ok();
  }
}

Status ProjectionRunner::Rebuild(
    const std::function<void(uint64_t, uint64_t)>& progress) {
  std::lock_guard<std::mutex> batch(batch_mu_);
  for (size_t i = 0; i < projections_.size(); ++i) {
    CARELOG_RETURN_IF_ERROR(log_.DropProjection(projections_[i]->Name()));
    projections_[i]->Reset();
    checkpoints_[i] = 0;
  }
  applied_.store(0);
  for (;;) {
    bool any = false;
    CARELOG_RETURN_IF_ERROR(ApplyBatch(&any, options_.rebuild_batch_events));
    if (progress) progress(applied_.load(), log_.LastPosition());
    if (!any) return Status::Ok();
  }
}

void ProjectionRunner::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void ProjectionRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProjectionRunner::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  wake_.notify_all();
}

void ProjectionRunner::Run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      notified_ = false;
    }
    bool any = false;
    Status s;
    {
      std::lock_guard<std::mutex> batch(batch_mu_);
      s = ApplyBatch(&any, options_.batch_events);
    }
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = s;
      progress_.notify_all();
      return;  // a projection that cannot apply the log must not skip ahead
    }
    if (any) continue;
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, options_.idle_wait,
                   [this] { return stopping_ || notified_; });
  }
}

bool ProjectionRunner::WaitForPosition(uint64_t position,
                                       std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return progress_.wait_for(lock, timeout, [&] {
    return applied_.load() >= position || !error_.ok();
  }) && applied_.load() >= position;
}

Status ProjectionRunner::LastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace carelog
