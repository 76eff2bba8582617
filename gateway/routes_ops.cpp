// GET /healthz, /readyz and /metrics: public, never audited.
#include <cstdio>
#include <string>

#include "gateway/http_metrics.h"
#include "gateway/problem.h"
#include "gateway/routes.h"
#include "services/projector.h"

namespace carelog::gateway {

namespace {

// The group commit's figures in Prometheus text format.
std::string CommitMetrics(const storage::CommitStats& stats) {
  using storage::CommitStats;
  std::string out =
      "# HELP carelog_fsync_batches_total fsyncs of the event log, each making "
      "a group of appends and audit entries durable.\n"
      "# TYPE carelog_fsync_batches_total counter\n"
      "carelog_fsync_batches_total " +
      std::to_string(stats.fsync_batches) +
      "\n# HELP carelog_fsync_seconds_total Time spent in those fsyncs.\n"
      "# TYPE carelog_fsync_seconds_total counter\n"
      "carelog_fsync_seconds_total " +
      std::to_string(stats.fsync_seconds) +
      "\n# HELP carelog_fsync_audit_entries_total Audit entries made durable "
      "by those fsyncs.\n"
      "# TYPE carelog_fsync_audit_entries_total counter\n"
      "carelog_fsync_audit_entries_total " +
      std::to_string(stats.audit_entries_synced) +
      "\n# HELP carelog_fsync_batch_events Events made durable per fsync "
      "batch.\n"
      "# TYPE carelog_fsync_batch_events histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < CommitStats::kBuckets; ++i) {
    cumulative += stats.batch_events[i];
    const std::string le =
        i + 1 < CommitStats::kBuckets
            ? std::to_string(CommitStats::kBatchEventBounds[i])
            : "+Inf";
    out += "carelog_fsync_batch_events_bucket{le=\"" + le + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "carelog_fsync_batch_events_sum " +
         std::to_string(stats.events_synced) +
         "\ncarelog_fsync_batch_events_count " +
         std::to_string(stats.fsync_batches) + "\n";
  out +=
      "# HELP carelog_fsync_duration_seconds How long each of those fsyncs "
      "took: the disk's part of a write's latency.\n"
      "# TYPE carelog_fsync_duration_seconds histogram\n";
  cumulative = 0;
  for (size_t i = 0; i < CommitStats::kFsyncBuckets; ++i) {
    cumulative += stats.fsync_duration[i];
    char le[32];
    if (i + 1 < CommitStats::kFsyncBuckets) {
      std::snprintf(le, sizeof le, "%g", CommitStats::kFsyncSecondsBounds[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += "carelog_fsync_duration_seconds_bucket{le=\"" + std::string(le) +
           "\"} " + std::to_string(cumulative) + "\n";
  }
  out += "carelog_fsync_duration_seconds_sum " +
         std::to_string(stats.fsync_seconds) +
         "\ncarelog_fsync_duration_seconds_count " +
         std::to_string(stats.fsync_batches) + "\n";
  return out;
}

// API.md's "projection lag": how far the projections (worklists, metrics)
// are behind the durable log, in events.
std::string ProjectionLag(uint64_t last, uint64_t applied) {
  return "# HELP carelog_projection_applied_position Position of the last "
         "event the projections have applied.\n"
         "# TYPE carelog_projection_applied_position gauge\n"
         "carelog_projection_applied_position " +
         std::to_string(applied) +
         "\n# HELP carelog_projection_lag_events Durable events the "
         "projections have not applied yet.\n"
         "# TYPE carelog_projection_lag_events gauge\n"
         "carelog_projection_lag_events " +
         std::to_string(last > applied ? last - applied : 0) + "\n";
}

}  // namespace

void AddOpsRoutes(Router& router, const ApiContext& context) {
  // The process is up: no figures (a lastPosition of 0 printed by default
  // would be wrong; /readyz gives the real one).
  router.Add({"GET", "/healthz", false, {}, "", [](const RouteContext&) {
                Response response;
                response.body = "{\"status\":\"ok\"}";
                return response;
              }});
  router.Add({"GET", "/readyz", false, {}, "", [context](const RouteContext&) {
                api::Health health;
                const bool store_open = context.log != nullptr;
                const bool caught_up =
                    !context.projections_ready || context.projections_ready();
                if (store_open)
                  health.set_last_position(
                      static_cast<double>(context.log->LastPosition()));
                if (!store_open || !caught_up) {
                  health.set_status("starting");
                  Response response = JsonResponse(503, health);
                  response.headers.emplace_back("Retry-After", "1");
                  return response;
                }
                health.set_status("ready");
                return JsonResponse(200, health);
              }});
  router.Add({"GET", "/metrics", false, {}, "", [context](const RouteContext&) {
                Response response;
                response.content_type =
                    "text/plain; version=0.0.4; charset=utf-8";
                if (context.metrics != nullptr)
                  response.body = context.metrics->Render();
                if (context.log != nullptr) {
                  // One reading, so the position and the lag agree.
                  const uint64_t last = context.log->LastPosition();
                  response.body +=
                      "# HELP carelog_log_last_position Position of the last "
                      "durable event.\n"
                      "# TYPE carelog_log_last_position gauge\n"
                      "carelog_log_last_position " +
                      std::to_string(last) + "\n";
                  response.body += CommitMetrics(context.log->Stats());
                  if (context.projector != nullptr)
                    response.body += ProjectionLag(
                        last, context.projector->AppliedPosition());
                }
                return response;
              }});
}

}  // namespace carelog::gateway
