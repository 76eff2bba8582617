// The read side of Carelog wired together: the projections of the log (metric
// cells, plan history; worklists join here), the runner that keeps them up to
// date, and the services that answer from them. `carelog serve` and `carelog
// rebuild` both build one.
#pragma once

#include <memory>
#include <vector>

#include "services/clock.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/metrics_service.h"
#include "services/metrics/plan_history.h"
#include "services/projector.h"
#include "storage/event_log.h"

namespace carelog {

class ReadSide {
 public:
  ReadSide(storage::EventLog& log, const Clock& clock,
           ProjectorOptions options = {});
  ~ReadSide();

  // Loads the projections' state and checkpoints (no replay of the log).
  Status Open() { return runner_.Open(); }
  ProjectionRunner& runner() { return runner_; }
  metrics::MetricsService& metrics() { return service_; }
  // True when every projection has applied the whole log.
  bool CaughtUp() const {
    return runner_.AppliedPosition() >= log_.LastPosition();
  }

 private:
  storage::EventLog& log_;
  metrics::MetricsProjection cells_;
  metrics::PlanHistory plans_;
  ProjectionRunner runner_;
  metrics::MetricsService service_;
};

}  // namespace carelog
