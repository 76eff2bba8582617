#include "services/projector.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "services/stream_build.h"

namespace carelog {

ProjectionRunner::ProjectionRunner(storage::EventLog& log,
                                   std::vector<Projection*> projections,
                                   ProjectorOptions options)
    : log_(log), projections_(std::move(projections)), options_(options) {}

ProjectionRunner::~ProjectionRunner() { Stop(); }

Status ProjectionRunner::DropIfUncheckpointed(size_t i) {
  bool any = false;
  CARELOG_RETURN_IF_ERROR(log_.ScanProjection(
      projections_[i]->Name(), "", [&](std::string_view, std::string_view) {
        any = true;
        return false;
      }));
  if (!any) return Status::Ok();
  return log_.DropProjection(projections_[i]->Name());
}

// The row namespace where each projection's definition is recorded (one row
// a projection, keyed by its name; storage/FORMAT.md).
constexpr std::string_view kDefinitions = "definitions";

Status ProjectionRunner::KeepDefinition(size_t i, uint64_t* checkpoint) {
  Projection* p = projections_[i];
  const std::string wanted = std::to_string(p->Definition());
  auto stored = log_.GetProjectionRow(kDefinitions, p->Name());
  if (!stored.ok()) return stored.status();
  if (stored->has_value() && **stored == wanted) return Status::Ok();
  if (*checkpoint > 0) {
    if (options_.on_redefined)
      options_.on_redefined(p->Name(), stored->value_or(""));
    CARELOG_RETURN_IF_ERROR(log_.DropProjection(p->Name()));
    *checkpoint = 0;
  }
  storage::ProjectionWrite write;
  write.rows.push_back(
      {std::string(kDefinitions), std::string(p->Name()), wanted});
  return log_.WriteProjections(write);
}

Status ProjectionRunner::Open() {
  std::lock_guard<std::mutex> batch(batch_mu_);
  checkpoints_.clear();
  building_.assign(projections_.size(), false);
  for (size_t i = 0; i < projections_.size(); ++i) {
    Projection* p = projections_[i];
    auto cp = log_.ProjectionCheckpoint(p->Name());
    if (!cp.ok()) return cp.status();
    CARELOG_RETURN_IF_ERROR(KeepDefinition(i, &*cp));
    checkpoints_.push_back(*cp);
    // Rows without a checkpoint are what an interrupted stream build left.
    if (*cp == 0) CARELOG_RETURN_IF_ERROR(DropIfUncheckpointed(i));
    CARELOG_RETURN_IF_ERROR(p->Load(log_));
  }
  uint64_t applied =
      checkpoints_.empty()
          ? log_.LastPosition()
          : *std::min_element(checkpoints_.begin(), checkpoints_.end());
  applied_.store(applied);
  return Status::Ok();
}

void ProjectionRunner::AbortAll() {
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (!building_[i]) projections_[i]->Abort();
  }
}

Status ProjectionRunner::ApplyBatch(size_t max_events, size_t* applied) {
  *applied = 0;
  uint64_t from = 0;  // 1 + the lowest checkpoint of those not being built
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (building_[i]) continue;
    if (from == 0 || checkpoints_[i] + 1 < from) from = checkpoints_[i] + 1;
  }
  if (from == 0 || from > log_.LastPosition()) return Status::Ok();
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
    const LogEvent decoded(event);  // its care event decoded once for all
    for (size_t i = 0; i < projections_.size(); ++i) {
      if (building_[i] || event.position <= checkpoints_[i]) continue;
      Status s = projections_[i]->Apply(decoded, write);
      if (!s.ok()) {
        AbortAll();
        return s;
      }
    }
  }
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (building_[i] || checkpoints_[i] >= last) continue;
    Status s = projections_[i]->FinishBatch(write);
    if (!s.ok()) {
      AbortAll();
      return s;
    }
    write.checkpoints.emplace_back(std::string(projections_[i]->Name()), last);
  }
  Status s = log_.WriteProjections(write);
  if (!s.ok()) {
    AbortAll();
    return s;
  }
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (building_[i] || checkpoints_[i] >= last) continue;
    checkpoints_[i] = last;
    projections_[i]->Commit(last);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_.store(*std::min_element(checkpoints_.begin(), checkpoints_.end()));
  }
  progress_.notify_all();
  *applied = events->size();
  return Status::Ok();
}

Status ProjectionRunner::BuildEmpty(
    const std::function<void(uint64_t, uint64_t)>& progress) {
  const uint64_t last = log_.LastPosition();
  if (!options_.build_empty || last == 0) return Status::Ok();
  std::vector<size_t> empty;
  std::vector<StreamBuild*> builds;
  for (size_t i = 0; i < projections_.size(); ++i) {
    StreamBuild* b = projections_[i]->stream_build();
    if (checkpoints_[i] != 0 || b == nullptr) continue;
    empty.push_back(i);
    builds.push_back(b);
  }
  if (empty.empty()) return Status::Ok();
  auto stopping = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  };
  // One pass builds them all on threads of their own; this thread applies the
  // other projections in log order meanwhile.
  for (size_t i : empty) building_[i] = true;
  std::atomic<uint64_t> built{0};
  std::atomic<bool> done{false};
  Status result;
  std::thread builder([&] {
    SpillOptions spill;
    spill.directory = options_.spill_directory;
    result = BuildStreamByStream(
        log_, last, builds, options_.build_threads,
        [&](uint64_t n) {
          built.store(n);
          return !stopping();
        },
        spill);
    done.store(true);
  });
  auto report = [&] {
    if (!progress) return;
    uint64_t at = done.load() ? last : built.load();
    for (size_t i = 0; i < projections_.size(); ++i) {
      if (!building_[i]) at = std::min(at, checkpoints_[i]);
    }
    progress(at, last);
  };
  Status others;
  while (!stopping()) {
    size_t applied = 0;
    others = ApplyBatch(options_.rebuild_batch_events, &applied);
    if (!others.ok() || applied == 0) break;
    report();
  }
  // Progress is reported while the build runs; without a listener the
  // builder is simply joined (no polling delay after it ends).
  while (progress && !done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    report();
  }
  builder.join();
  Status first = others;
  for (size_t i : empty) {
    building_[i] = false;
    if (result.ok()) {
      checkpoints_[i] = last;
      Status compacted = log_.CompactProjection(projections_[i]->Name());
      if (first.ok()) first = compacted;
      continue;
    }
    // Some may have written their checkpoint: all start again from nothing.
    projections_[i]->Reset();
    Status dropped = log_.DropProjection(projections_[i]->Name());
    if (first.ok()) first = dropped;
  }
  if (first.ok()) first = result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_.store(*std::min_element(checkpoints_.begin(), checkpoints_.end()));
  }
  progress_.notify_all();
  if (first.ok()) report();
  return first;
}

Status ProjectionRunner::CatchUp() {
  std::lock_guard<std::mutex> batch(batch_mu_);
  CARELOG_RETURN_IF_ERROR(BuildEmpty(nullptr));
  for (;;) {
    size_t applied = 0;
    CARELOG_RETURN_IF_ERROR(ApplyBatch(options_.batch_events, &applied));
    if (applied == 0) return Status::Ok();
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
  CARELOG_RETURN_IF_ERROR(BuildEmpty(progress));
  for (;;) {
    size_t applied = 0;
    CARELOG_RETURN_IF_ERROR(
        ApplyBatch(options_.rebuild_batch_events, &applied));
    if (progress) progress(applied_.load(), log_.LastPosition());
    if (applied == 0) return Status::Ok();
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

void ProjectionRunner::Fail(const Status& error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;  // stopped on purpose: not a failure to report
    error_ = error;
    progress_.notify_all();
  }
  if (options_.on_stopped) options_.on_stopped(error, applied_.load());
}

void ProjectionRunner::Run() {
  pthread_setname_np(pthread_self(), "projector");
  {
    // A first start on a store whose projections are empty: build them fast.
    std::unique_lock<std::mutex> batch(batch_mu_);
    Status s = BuildEmpty(nullptr);
    batch.unlock();
    if (!s.ok()) return Fail(s);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
  }
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      notified_ = false;
    }
    size_t applied = 0;
    Status s;
    {
      std::lock_guard<std::mutex> batch(batch_mu_);
      s = ApplyBatch(options_.batch_events, &applied);
    }
    // A projection that cannot apply the log must not skip ahead.
    if (!s.ok()) return Fail(s);
    // A full batch: more may be waiting. Otherwise events gather.
    if (applied < options_.batch_events) Gather();
  }
}

void ProjectionRunner::Gather() {
  const auto ended = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (wake_.wait_for(lock, options_.idle_wait,
                       [this] { return stopping_ || notified_; }))
      return;
    const uint64_t last = log_.LastPosition(), applied = applied_.load();
    if (last <= applied) continue;  // nothing new: look again later
    if (last - applied >= options_.follow_batch_events ||
        std::chrono::steady_clock::now() - ended >= options_.follow_delay)
      return;
  }
}

bool ProjectionRunner::WaitForPosition(uint64_t position,
                                       std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (applied_.load() < position && error_.ok()) {
    // A reader waits: the follower applies what there is now rather than
    // after its idle wait.
    notified_ = true;
    wake_.notify_all();
  }
  return progress_.wait_for(lock, timeout, [&] {
    return applied_.load() >= position || !error_.ok();
  }) && applied_.load() >= position;
}

Status ProjectionRunner::LastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace carelog
