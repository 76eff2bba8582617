// What route handlers may use. gateway/main wiring (serve.cpp) fills it; tests
// fill it with fakes. Engineers adding routes add their service here.
#pragma once

#include <functional>

#include "services/clock.h"
#include "storage/event_log.h"

namespace carelog {
class Recorder;
class AreaService;
class ProjectionRunner;
class WorklistProjection;
namespace metrics {
class MetricsService;
}  // namespace metrics
}  // namespace carelog

namespace carelog::gateway {

class AuditTrail;
class RateLimiter;
class HttpMetrics;

struct ApiContext {
  storage::EventLog* log = nullptr;
  Recorder* recorder = nullptr;
  AreaService* areas = nullptr;
  AuditTrail* audit = nullptr;
  HttpMetrics* metrics = nullptr;
  const Clock* clock = nullptr;
  // Outcome metrics, payments and conditions, and the runner of the projections
  // they read (minPosition waits on it).
  metrics::MetricsService* outcomes = nullptr;
  ProjectionRunner* projector = nullptr;
  // The worklists (discharge, follow-ups due, packages without a professional).
  const WorklistProjection* worklists = nullptr;
  // Per-token request rate (429 with Retry-After); null = no limit.
  RateLimiter* rate_limiter = nullptr;
  // True once every projection has caught up with the log (GET /readyz); empty
  // = always.
  std::function<bool()> projections_ready;
  // Why the projections stopped following the log (an error Status), or ok
  // while they follow it; empty = never stops.
  std::function<Status()> projections_failure;
};

}  // namespace carelog::gateway
