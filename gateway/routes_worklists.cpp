// The worklists of API.md "Worklists": discharge, follow-ups due and packages
// without an accountable professional, for practitioners and discharge
// coordinators of the area. Days are counted for the server's clock at the
// moment of the request.
#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "gateway/audit.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/projector.h"
#include "services/worklists.h"

namespace carelog::gateway {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kDischarge[] = "/v1/worklists/discharge";
constexpr char kFollowUps[] = "/v1/worklists/follow-ups";
constexpr char kUnassignedPackages[] = "/v1/worklists/unassigned-packages";

Value Text(const std::string& text) {
  Value v;
  v.set_string_value(text);
  return v;
}
Value Number(double n) {
  Value v;
  v.set_number_value(n);
  return v;
}
Value Flag(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}
Value Null() {
  Value v;
  v.set_null_value(google::protobuf::NULL_VALUE);
  return v;
}

Value Professional(
    const std::optional<schema::AccountableProfessionalAssigned>& ap) {
  if (!ap) return Null();
  Value v;
  auto& f = *v.mutable_struct_value()->mutable_fields();
  f["packageId"] = Text(ap->package_id());
  f["professionalId"] = Text(ap->professional_id());
  f["name"] = Text(ap->name());
  f["role"] = Text(ap->role());
  f["organisation"] = Text(ap->organisation());
  f["sector"] = ap->sector() == schema::Sector::SECTOR_UNSPECIFIED
                    ? Null()
                    : Text(schema::Sector::Value_Name(ap->sector()));
  f["phone"] = Text(ap->phone());
  return v;
}

// The area of the request: required, an area code, and one the principal
// covers.
Result<std::string> AreaOf(const RouteContext& ctx) {
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
  Status access = CheckWorklistAccess(*ctx.principal, *area);
  if (!access.ok()) return access;
  return *area;
}

// The answer of a worklist: its items, once every person on it has an audit
// entry (SPEC.md "Access": every read of a person is audited, and a worklist
// shows who is on it). A person's data never leaves unaudited: if the trail
// cannot be written the answer is 503. `people` are the NHS numbers shown.
Response Items(const RouteContext& ctx, const ApiContext& context,
               const std::string& route, ListValue items,
               std::vector<std::string> people) {
  if (context.audit != nullptr && !people.empty()) {
    std::sort(people.begin(), people.end());
    people.erase(std::unique(people.begin(), people.end()), people.end());
    api::AuditEntry entry =
        AuditEntryOf(ctx.principal.get(), ctx.request, route);
    entry.set_outcome(200);
    if (Status written = context.audit->RecordSeen(people, entry);
        !written.ok()) {
      return ProblemResponse(AuditUnwritten(written));
    }
  }
  Struct body;
  *(*body.mutable_fields())["items"].mutable_list_value() = std::move(items);
  return JsonResponse(200, body);
}

}  // namespace

void AddWorklistRoutes(Router& router, const ApiContext& context) {
  const std::vector<Role> roles = {Role::kPractitioner,
                                   Role::kDischargeCoordinator};
  router.Add(
      {"GET", kDischarge, true, roles, "", [&context](const RouteContext& ctx) {
         auto area = AreaOf(ctx);
         if (!area.ok()) return ProblemResponse(area.status());
         if (Status wait =
                 AwaitMinPosition(ctx.request, context.projector, context.log);
             !wait.ok())
           return ProblemResponse(wait);
         std::optional<std::string_view> site;
         if (const std::string* s = ctx.request.Query("site");
             s != nullptr && !s->empty()) {
           site = *s;
         }
         ListValue items;
         std::vector<std::string> people;
         for (const DischargeItem& item : context.worklists->Discharge(
                  *area, site, context.clock->NowMicros())) {
           auto& f =
               *items.add_values()->mutable_struct_value()->mutable_fields();
           f["nhsNumber"] = Text(item.nhs_number);
           people.push_back(item.nhs_number);
           f["spellId"] = Text(item.spell_id);
           f["site"] = Text(item.site);
           f["readySince"] = Text(FormatRfc3339London(item.ready_since));
           f["daysDelayed"] = Number(item.days_delayed);
           f["reason"] = Text(item.reason);
           f["agency"] = Text(item.agency);
           f["readyOnWeekend"] = Flag(item.ready_on_weekend);
           f["accountableProfessional"] =
               Professional(item.accountable_professional);
         }
         return Items(ctx, context, kDischarge, std::move(items),
                      std::move(people));
       }});
  router.Add(
      {"GET", kFollowUps, true, roles, "", [&context](const RouteContext& ctx) {
         auto area = AreaOf(ctx);
         if (!area.ok()) return ProblemResponse(area.status());
         if (Status wait =
                 AwaitMinPosition(ctx.request, context.projector, context.log);
             !wait.ok())
           return ProblemResponse(wait);
         ListValue items;
         std::vector<std::string> people;
         for (const FollowUpItem& item : context.worklists->FollowUpsDue(
                  *area, context.clock->NowMicros())) {
           auto& f =
               *items.add_values()->mutable_struct_value()->mutable_fields();
           f["nhsNumber"] = Text(item.nhs_number);
           people.push_back(item.nhs_number);
           f["spellId"] = Text(item.spell_id);
           f["dischargedOn"] = Text(FormatDate(item.discharged_on));
           f["dueOn"] = Text(FormatDate(item.due_on));
         }
         return Items(ctx, context, kFollowUps, std::move(items),
                      std::move(people));
       }});
  router.Add(
      {"GET", kUnassignedPackages, true, roles, "",
       [&context](const RouteContext& ctx) {
         auto area = AreaOf(ctx);
         if (!area.ok()) return ProblemResponse(area.status());
         if (Status wait =
                 AwaitMinPosition(ctx.request, context.projector, context.log);
             !wait.ok())
           return ProblemResponse(wait);
         ListValue items;
         std::vector<std::string> people;
         for (const UnassignedPackageItem& item :
              context.worklists->UnassignedPackages(
                  *area, context.clock->NowMicros())) {
           auto& f =
               *items.add_values()->mutable_struct_value()->mutable_fields();
           f["nhsNumber"] = Text(item.nhs_number);
           people.push_back(item.nhs_number);
           f["packageId"] = Text(item.package_id);
           f["startedAt"] = Text(FormatRfc3339London(item.started_at));
           f["daysWithout"] = Number(item.days_without);
         }
         return Items(ctx, context, kUnassignedPackages, std::move(items),
                      std::move(people));
       }});
}

}  // namespace carelog::gateway
