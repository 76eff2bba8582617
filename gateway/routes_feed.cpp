// GET /v1/events (admin): the global log in order, every person it shows
// audited. GET /v1/audit (auditor): who read or wrote a person, refusals
// included. Neither can change anything.
#include <algorithm>
#include <string>
#include <vector>

#include "gateway/audit.h"
#include "gateway/json.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/nhs_number.h"

namespace carelog::gateway {

namespace {

constexpr uint64_t kMaxPage = 1000;

// A page of the feed, and the people whose events it shows.
Response Feed(const ApiContext& context, const RouteContext& ctx,
              std::vector<std::string>& people) {
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
    if (rendered->has_nhs_number()) {
      people.push_back(rendered->nhs_number());
    } else if (json.size() > 1) {
      json.insert(
          1, json.size() > 2 ? "\"nhsNumber\":null," : "\"nhsNumber\":null");
    }
    if (last != *after) body += ',';
    body += json;
    last = record.position;
  }
  body += "],\"lastPosition\":" + std::to_string(last) + "}";
  Response response;
  response.body = std::move(body);
  std::sort(people.begin(), people.end());
  people.erase(std::unique(people.begin(), people.end()), people.end());
  return response;
}

// Answers a page of the feed once every person on it has an audit entry, as
// a worklist does (SPEC.md "Access": every read of a person is audited; the
// feed shows people's events): a person's data never leaves unaudited, and if
// the trail cannot be written the answer is 503.
void AnswerFeed(const ApiContext& context, const RouteContext& ctx,
                const Reply& reply) {
  std::vector<std::string> people;
  Response response = Feed(context, ctx, people);
  if (response.status != 200 || people.empty() || context.audit == nullptr) {
    reply(std::move(response), false);
    return;
  }
  api::AuditEntry entry =
      AuditEntryOf(ctx.principal.get(), ctx.request, "/v1/events");
  entry.set_outcome(200);
  context.audit->RecordSeenAsync(
      people, entry, [reply, r = std::move(response)](Status written) mutable {
        if (!written.ok()) r = ProblemResponse(AuditUnwritten(written));
        reply(std::move(r), false);
      });
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
  Route feed;
  feed.method = "GET";
  feed.pattern = "/v1/events";
  feed.roles = {Role::kAdmin};
  feed.async_handler = [context](const RouteContext& ctx, Reply reply) {
    AnswerFeed(context, ctx, reply);
  };
  feed.may_block = true;  // reads the log from the store
  router.Add(std::move(feed));
  router.Add(
      {"GET",
       "/v1/audit",
       true,
       {Role::kAuditor},
       "",
       [context](const RouteContext& ctx) { return Audit(context, ctx); }});
}

}  // namespace carelog::gateway
