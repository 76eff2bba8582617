// The read side of Carelog wired together: the projections of the log (metric
// cells, plan history; worklists join here), the runner that keeps them up to
// date, and the services that answer from them. `carelog serve` and `carelog
// rebuild` both build one.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "services/clock.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/metrics_service.h"
#include "services/metrics/plan_history.h"
#include "services/projector.h"
#include "services/worklists.h"
#include "storage/event_log.h"

namespace carelog {

class ReadSide {
 public:
  ReadSide(storage::EventLog& log, const Clock& clock,
           ProjectorOptions options = {});
  ~ReadSide();

  // Loads the projections' state and checkpoints (no replay of the log).
  Status Open() {
    ready_position_ = log_.LastPosition();
    return runner_.Open();
  }
  // Readiness also needs the log applied up to `position` (what a start-up
  // step such as the demo's load wrote after Open).
  void RequireAppliedForReady(uint64_t position) {
    if (position > ready_position_) ready_position_ = position;
  }
  ProjectionRunner& runner() { return runner_; }
  metrics::MetricsService& metrics() { return service_; }
  const WorklistProjection& worklists() const { return worklists_; }
  // True once every projection has applied the log as it stood when Open ran
  // (docs/READINGS.md "/readyz"), for as long as they keep following it: later
  // appends are applied within milliseconds and do not make the server
  // unready; a projection that stopped on an error does.
  bool CaughtUp() const {
    return runner_.AppliedPosition() >= ready_position_.load() &&
           runner_.LastError().ok();
  }

 private:
  storage::EventLog& log_;
  std::atomic<uint64_t> ready_position_ = 0;
  metrics::MetricsProjection cells_;
  metrics::PlanHistory plans_;
  WorklistProjection worklists_;
  ProjectionRunner runner_;
  metrics::MetricsService service_;
};

}  // namespace carelog
