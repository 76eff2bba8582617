// Each routes_*.cpp file adds the routes of one resource; Api calls them all.
#pragma once

#include "gateway/api_context.h"
#include "gateway/router.h"

namespace carelog::gateway {

void AddOpsRoutes(Router& router,
                  const ApiContext& context);  // healthz, readyz, metrics
void AddAreaRoutes(Router& router,
                   const ApiContext& context);  // areas and plans
void AddPeopleRoutes(Router& router,
                     const ApiContext& context);  // person events and view
void AddFeedRoutes(Router& router,
                   const ApiContext& context);  // global feed and audit
void AddMetricsRoutes(
    Router& router,
    const ApiContext& context);  // metrics, payments, conditions
void AddWorklistRoutes(Router& router,
                       const ApiContext& context);  // the three worklists
void AddPageRoutes(Router& router,
                   const ApiContext& context);  // GET /, /worklist, /pages/*

}  // namespace carelog::gateway
