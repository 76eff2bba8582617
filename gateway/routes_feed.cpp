// GET /v1/events (admin): the global log in order. GET /v1/audit (auditor): who
// read or wrote a person, refusals included. Neither can change anything.
#include "gateway/audit.h"
#include "gateway/json.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/nhs_number.h"

namespace carelog::gateway {

namespace {

constexpr uint64_t kMaxPage = 1000;

Response Feed(const ApiContext& context, const RouteContext& ctx) {
  auto after = QueryNumber(ctx.request, "after", 0, 0, UINT64_MAX - 1);
  if (!after.ok()) return ProblemResponse(after.status());
  auto limit = QueryNumber(ctx.request, "limit", 100, 1, kMaxPage);
  if (!limit.ok()) return ProblemResponse(limit.status());
  auto records = context.log->ReadAll(*after + 1, *limit);
  if (!records.ok()) return ProblemResponse(records.status());
  // Rendered event by event: an area or plan change has no NHS number, and
  // API.md names `nhsNumber` in every feed event, so it shows null there.
  std::string body = "{\"events\":[";
  uint64_t last = *after;
  for (const auto& record : *records) {
    auto rendered = RenderRecord(record, /*feed=*/true);
    if (!rendered.ok()) return ProblemResponse(rendered.status());
    std::string json = ToJson(*rendered);
    ShowMissingSectorAsNull(json);
    if (!rendered->has_nhs_number() && json.size() > 1)
      json.insert(
          1, json.size() > 2 ? "\"nhsNumber\":null," : "\"nhsNumber\":null");
    if (last != *after) body += ',';
    body += json;
    last = record.position;
  }
  body += "],\"lastPosition\":" + std::to_string(last) + "}";
  Response response;
  response.body = std::move(body);
  return response;
}

Response Audit(const ApiContext& context, const RouteContext& ctx) {
  const std::string* nhs_text = ctx.request.Query("nhsNumber");
  if (nhs_text == nullptr) {
    return ProblemResponse(Status(Code::kInvalidArgument,
                                  "nhsNumber is required",
                                  {{"nhsNumber", "required"}}));
  }
  auto nhs = ParseNhsNumber(*nhs_text);
  if (!nhs.ok()) {
    return ProblemResponse(Status(Code::kInvalidArgument,
                                  nhs.status().message(),
                                  {{"nhsNumber", nhs.status().message()}}));
  }
  auto after = QueryNumber(ctx.request, "after", 0, 0, UINT64_MAX - 1);
  if (!after.ok()) return ProblemResponse(after.status());
  auto limit = QueryNumber(ctx.request, "limit", kMaxPage, 1, kMaxPage);
  if (!limit.ok()) return ProblemResponse(limit.status());
  auto page = context.audit->Read(*nhs, *after, *limit);
  if (!page.ok()) return ProblemResponse(page.status());
  return JsonResponse(200, *page);
}

}  // namespace

void AddFeedRoutes(Router& router, const ApiContext& context) {
  router.Add(
      {"GET",
       "/v1/events",
       true,
       {Role::kAdmin},
       "",
       [context](const RouteContext& ctx) { return Feed(context, ctx); }});
  router.Add(
      {"GET",
       "/v1/audit",
       true,
       {Role::kAuditor},
       "",
       [context](const RouteContext& ctx) { return Audit(context, ctx); }});
}

}  // namespace carelog::gateway
