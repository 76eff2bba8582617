// GET /healthz, /readyz and /metrics: public, never audited.
#include "gateway/http_metrics.h"
#include "gateway/problem.h"
#include "gateway/routes.h"

namespace carelog::gateway {

void AddOpsRoutes(Router& router, const ApiContext& context) {
  router.Add({"GET", "/healthz", false, {}, "", [](const RouteContext&) {
                api::Health health;
                health.set_status("ok");
                return JsonResponse(200, health);
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
                  response.body +=
                      "# HELP carelog_log_last_position Position of the last "
                      "durable event.\n"
                      "# TYPE carelog_log_last_position gauge\n"
                      "carelog_log_last_position " +
                      std::to_string(context.log->LastPosition()) + "\n";
                }
                return response;
              }});
}

}  // namespace carelog::gateway
