// Areas and plans (API.md "Areas and plans"): PUT by admin, GET by admin and by
// commissioners of the area. Recorded as events through AreaService.
#include "gateway/json.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/areas.h"
#include "services/calendar.h"

namespace carelog::gateway {

namespace {

Status CheckAreaCode(const std::string& code) {
  if (IsAreaCode(code)) return Status::Ok();
  return Status(Code::kInvalidArgument,
                "'" + code + "' is not an area code (E and 8 digits)",
                {{"areaCode", "E and 8 digits, e.g. E09000002"}});
}

api::AreaView ViewOf(const AreaRecord& record) {
  api::AreaView view;
  // AreaView repeats Area's field numbers.
  view.ParseFromString(record.area.SerializeAsString());
  view.set_area_code(record.area_code);
  view.set_version(static_cast<uint32_t>(record.version));
  view.set_last_position(static_cast<double>(record.position));
  return view;
}

api::AdminWriteResponse WriteAnswer(const std::string& area,
                                    const std::string& year,
                                    const AdminWriteOutcome& outcome) {
  api::AdminWriteResponse answer;
  answer.set_area_code(area);
  if (!year.empty()) answer.set_year(year);
  answer.set_version(static_cast<uint32_t>(outcome.version));
  answer.set_last_position(static_cast<double>(outcome.last_position));
  return answer;
}

Response PutArea(const ApiContext& context, const RouteContext& ctx) {
  const std::string& code = ctx.Param("areaCode");
  schema::Area area;
  // A malformed request is 400 before an area not covered is 403.
  Status status = CheckAreaCode(code);
  if (status.ok()) status = ParseJson(ctx.request.body, area);
  if (status.ok()) status = CheckAreaWrite(*ctx.principal, code);
  if (!status.ok()) return ProblemResponse(status);
  auto outcome = context.areas->PutArea(code, area, ctx.principal->name);
  if (!outcome.ok()) return ProblemResponse(outcome.status());
  return JsonResponse(outcome->created ? 201 : 200,
                      WriteAnswer(code, "", *outcome));
}

Response GetArea(const ApiContext& context, const RouteContext& ctx) {
  const std::string& code = ctx.Param("areaCode");
  Status status = CheckAreaCode(code);
  if (status.ok()) status = CheckAreaRead(*ctx.principal, code);
  if (!status.ok()) return ProblemResponse(status);
  auto area = context.areas->GetArea(code);
  if (!area.ok()) return ProblemResponse(area.status());
  if (!area->has_value()) {
    return ProblemResponse(
        Status(Code::kNotFound, "area " + code + " is not defined"));
  }
  return JsonResponse(200, ViewOf(**area));
}

Response ListAreas(const ApiContext& context, const RouteContext& ctx) {
  auto areas = context.areas->ListAreas();
  if (!areas.ok()) return ProblemResponse(areas.status());
  api::AreaList list;
  for (const auto& area : *areas) {
    if (ctx.principal->CoversArea(area.area_code))
      *list.add_areas() = ViewOf(area);
  }
  return JsonResponse(200, list);
}

Response PutPlan(const ApiContext& context, const RouteContext& ctx) {
  const std::string& code = ctx.Param("areaCode");
  const std::string& year = ctx.Param("year");
  schema::Plan plan;
  // A malformed request is 400 before an area not covered is 403.
  Status status = CheckAreaCode(code);
  if (status.ok()) status = ParseFinancialYear(year).status();
  if (status.ok()) status = ParseJson(ctx.request.body, plan);
  if (status.ok()) status = CheckAreaWrite(*ctx.principal, code);
  if (!status.ok()) return ProblemResponse(status);
  auto outcome = context.areas->PutPlan(code, year, plan, ctx.principal->name);
  if (!outcome.ok()) return ProblemResponse(outcome.status());
  return JsonResponse(outcome->created ? 201 : 200,
                      WriteAnswer(code, year, *outcome));
}

Response GetPlan(const ApiContext& context, const RouteContext& ctx) {
  const std::string& code = ctx.Param("areaCode");
  const std::string& year = ctx.Param("year");
  Status status = CheckAreaCode(code);
  if (status.ok()) status = ParseFinancialYear(year).status();
  if (status.ok()) status = CheckAreaRead(*ctx.principal, code);
  if (!status.ok()) return ProblemResponse(status);
  auto plan = context.areas->GetPlan(code, year);
  if (!plan.ok()) return ProblemResponse(plan.status());
  if (!plan->has_value()) {
    return ProblemResponse(
        Status(Code::kNotFound, "area " + code + " has no plan for " + year));
  }
  api::PlanView view;
  // PlanView repeats Plan's field numbers.
  view.ParseFromString((*plan)->plan.SerializeAsString());
  view.set_area_code(code);
  view.set_year(year);
  view.set_version(static_cast<uint32_t>((*plan)->version));
  view.set_last_position(static_cast<double>((*plan)->position));
  return JsonResponse(200, view);
}

}  // namespace

void AddAreaRoutes(Router& router, const ApiContext& context) {
  const std::vector<Role> admin = {Role::kAdmin};
  const std::vector<Role> readers = {Role::kAdmin, Role::kCommissioner};
  auto bind = [context](
                  Response (*fn)(const ApiContext&, const RouteContext&)) {
    return [context, fn](const RouteContext& ctx) { return fn(context, ctx); };
  };
  router.Add({"GET", "/v1/areas", true, readers, "", bind(ListAreas)});
  router.Add({"PUT", "/v1/areas/{areaCode}", true, admin, "", bind(PutArea)});
  router.Add({"GET", "/v1/areas/{areaCode}", true, readers, "", bind(GetArea)});
  router.Add({"PUT", "/v1/areas/{areaCode}/plans/{year}", true, admin, "",
              bind(PutPlan)});
  router.Add({"GET", "/v1/areas/{areaCode}/plans/{year}", true, readers, "",
              bind(GetPlan)});
}

}  // namespace carelog::gateway
