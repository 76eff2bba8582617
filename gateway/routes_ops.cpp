// GET /healthz, /readyz and /metrics: public, never audited.
#include <cstdio>
#include <string>

#include "gateway/http_metrics.h"
#include "gateway/problem.h"
#include "gateway/routes.h"
#include "services/projector.h"

namespace carelog::gateway {

namespace {

// The lines of a Prometheus histogram `name` after its HELP and TYPE: the
// cumulative buckets from per-bucket `counts` (one more than `bounds`, the
// last being +Inf), each bound written by `le`, then _sum and _count.
template <typename T, size_t N, typename Le>
void AppendHistogram(std::string& out, const std::string& name,
                     const T (&bounds)[N], const uint64_t (&counts)[N + 1],
                     Le le, const std::string& sum, uint64_t count) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= N; ++i) {
    cumulative += counts[i];
    out += name + "_bucket{le=\"" + (i < N ? le(bounds[i]) : "+Inf") + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += name + "_sum " + sum + "\n" + name + "_count " +
         std::to_string(count) + "\n";
}

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
  AppendHistogram(
      out, "carelog_fsync_batch_events", CommitStats::kBatchEventBounds,
      stats.batch_events, [](uint64_t bound) { return std::to_string(bound); },
      std::to_string(stats.events_synced), stats.fsync_batches);
  out +=
      "# HELP carelog_fsync_duration_seconds How long each of those fsyncs "
      "took: the disk's part of a write's latency.\n"
      "# TYPE carelog_fsync_duration_seconds histogram\n";
  AppendHistogram(
      out, "carelog_fsync_duration_seconds", CommitStats::kFsyncSecondsBounds,
      stats.fsync_duration,
      [](double bound) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", bound);
        return std::string(le);
      },
      std::to_string(stats.fsync_seconds), stats.fsync_batches);
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
                if (store_open)
                  health.set_last_position(
                      static_cast<double>(context.log->LastPosition()));
                if (context.projections_failure) {
                  if (Status failed = context.projections_failure();
                      !failed.ok()) {
                    health.set_status("failed");
                    health.set_detail(failed.message());
                    return JsonResponse(503, health);
                  }
                }
                const bool caught_up =
                    !context.projections_ready || context.projections_ready();
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
