// The worklists of API.md "Worklists": discharge, follow-ups due and packages
// without an accountable professional, for practitioners and discharge
// coordinators of the area. Days are counted for the server's clock at the
// moment of the request.
#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gateway/audit.h"
#include "gateway/json_text.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/projector.h"
#include "services/worklists.h"

namespace carelog::gateway {
namespace {

constexpr char kDischarge[] = "/v1/worklists/discharge";
constexpr char kFollowUps[] = "/v1/worklists/follow-ups";
constexpr char kUnassignedPackages[] = "/v1/worklists/unassigned-packages";

// Text a client did not give (a spell's site, a professional's phone) is null:
// every field API.md lists is present (docs/READINGS.md).
std::string TextOrNull(std::string_view text) {
  return text.empty() ? "null" : JsonQuote(text);
}

// The items are written by hand, each with its fields in API.md's order
// (protobuf's Struct would print them in alphabetical order).
std::string Professional(
    const std::optional<schema::AccountableProfessionalAssigned>& ap) {
  if (!ap) return "null";
  const std::string sector =
      ap->sector() == schema::Sector::SECTOR_UNSPECIFIED
          ? "null"
          : JsonQuote(schema::Sector::Value_Name(ap->sector()));
  return "{\"packageId\":" + JsonQuote(ap->package_id()) +
         ",\"professionalId\":" + JsonQuote(ap->professional_id()) +
         ",\"name\":" + JsonQuote(ap->name()) +
         ",\"role\":" + TextOrNull(ap->role()) +
         ",\"organisation\":" + TextOrNull(ap->organisation()) +
         ",\"sector\":" + sector + ",\"phone\":" + TextOrNull(ap->phone()) +
         "}";
}

std::string Item(const DischargeItem& item) {
  return "{\"nhsNumber\":" + JsonQuote(item.nhs_number) +
         ",\"spellId\":" + JsonQuote(item.spell_id) +
         ",\"site\":" + TextOrNull(item.site) +
         ",\"readySince\":" + JsonQuote(FormatRfc3339London(item.ready_since)) +
         ",\"daysDelayed\":" + std::to_string(item.days_delayed) +
         ",\"reason\":" + JsonQuote(item.reason) +
         ",\"agency\":" + JsonQuote(item.agency) +
         ",\"readyOnWeekend\":" + (item.ready_on_weekend ? "true" : "false") +
         ",\"accountableProfessional\":" +
         Professional(item.accountable_professional) + "}";
}

std::string Item(const FollowUpItem& item) {
  return "{\"nhsNumber\":" + JsonQuote(item.nhs_number) +
         ",\"spellId\":" + JsonQuote(item.spell_id) +
         ",\"dischargedOn\":" + JsonQuote(FormatDate(item.discharged_on)) +
         ",\"dueOn\":" + JsonQuote(FormatDate(item.due_on)) + "}";
}

std::string Item(const UnassignedPackageItem& item) {
  return "{\"nhsNumber\":" + JsonQuote(item.nhs_number) +
         ",\"packageId\":" + JsonQuote(item.package_id) +
         ",\"startedAt\":" + JsonQuote(FormatRfc3339London(item.started_at)) +
         ",\"daysWithout\":" + std::to_string(item.days_without) + "}";
}

// A worklist's query: its area (required, an area code, and one the principal
// covers, once the rest of the query is known to be well formed) and
// minPosition.
struct WorklistQuery {
  std::string area;
  std::optional<uint64_t> min_position;
};

Result<WorklistQuery> QueryOf(const RouteContext& ctx) {
  const std::string* area = ctx.request.Query("area");
  if (area == nullptr || area->empty()) {
    return Status(Code::kInvalidArgument,
                  "the query parameter area is required",
                  {{"area", "required, e.g. area=E09000002"}});
  }
  if (!IsAreaCode(*area)) {
    return Status(Code::kInvalidArgument,
                  "'" + *area + "' is not an area code (E and 8 digits)",
                  {{"area", "E and 8 digits, e.g. E09000002"}});
  }
  // A malformed request is 400 before an area not covered is 403.
  auto min_position = MinPositionQuery(ctx.request);
  if (!min_position.ok()) return min_position.status();
  Status access = CheckWorklistAccess(*ctx.principal, *area);
  if (!access.ok()) return access;
  return WorklistQuery{*area, *min_position};
}

// Answers a worklist with its items once every person on it has an audit
// entry (SPEC.md "Access": every read of a person is audited, and a worklist
// shows who is on it). A person's data never leaves unaudited: if the trail
// cannot be written the answer is 503. The answer is written before the audit
// and handed over when the entries are durable, so no thread waits for the
// fsync.
template <typename ItemT>
void ReplyItems(const RouteContext& ctx, const ApiContext& context,
                const std::string& route, const std::vector<ItemT>& items,
                const Reply& reply) {
  Response r;
  r.status = 200;
  r.body = "{\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) r.body += ',';
    r.body += Item(items[i]);
  }
  r.body += "]}";
  if (context.audit == nullptr || items.empty()) {
    reply(std::move(r), false);
    return;
  }
  std::vector<std::string> people;
  people.reserve(items.size());
  for (const ItemT& item : items) people.push_back(item.nhs_number);
  std::sort(people.begin(), people.end());
  people.erase(std::unique(people.begin(), people.end()), people.end());
  api::AuditEntry entry = AuditEntryOf(ctx.principal.get(), ctx.request, route);
  entry.set_outcome(200);
  context.audit->RecordSeenAsync(
      people, entry, [reply, r = std::move(r)](Status written) mutable {
        if (!written.ok()) r = ProblemResponse(AuditUnwritten(written));
        reply(std::move(r), false);
      });
}

// A worklist route: the area checked, minPosition waited for (which may block:
// so the route never runs on an I/O thread), then the items of `list`.
template <typename ListFn>
Route WorklistRoute(const ApiContext& context, const char* pattern,
                    ListFn list) {
  Route route;
  route.method = "GET";
  route.pattern = pattern;
  route.roles = {Role::kPractitioner, Role::kDischargeCoordinator};
  route.async_handler = [&context, pattern, list](const RouteContext& ctx,
                                                  Reply reply) {
    auto query = QueryOf(ctx);
    if (!query.ok()) return reply(ProblemResponse(query.status()), false);
    if (Status wait = AwaitMinPosition(query->min_position, context.projector,
                                       context.log);
        !wait.ok()) {
      return reply(ProblemResponse(wait), false);
    }
    ReplyItems(ctx, context, pattern, list(ctx, query->area), reply);
  };
  route.may_block = true;
  return route;
}

}  // namespace

void AddWorklistRoutes(Router& router, const ApiContext& context) {
  router.Add(WorklistRoute(
      context, kDischarge,
      [&context](const RouteContext& ctx, const std::string& area) {
        std::optional<std::string_view> site;
        if (const std::string* s = ctx.request.Query("site");
            s != nullptr && !s->empty()) {
          site = *s;
        }
        return context.worklists->Discharge(area, site,
                                            context.clock->NowMicros());
      }));
  router.Add(
      WorklistRoute(context, kFollowUps,
                    [&context](const RouteContext&, const std::string& area) {
                      return context.worklists->FollowUpsDue(
                          area, context.clock->NowMicros());
                    }));
  router.Add(
      WorklistRoute(context, kUnassignedPackages,
                    [&context](const RouteContext&, const std::string& area) {
                      return context.worklists->UnassignedPackages(
                          area, context.clock->NowMicros());
                    }));
}

}  // namespace carelog::gateway
