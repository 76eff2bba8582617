// Metrics, series, CSV, payments and the conditions scorecard (API.md "Metrics
// and payments"): roles commissioner and admin, for their areas. `asOf` answers
// from the events recorded by then; `minPosition` waits (up to 5 s) until the
// projections include that position, else 503.
#include "gateway/metrics_json.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/areas.h"
#include "services/calendar.h"
#include "services/projector.h"

namespace carelog::gateway {

namespace {

Status Invalid(const std::string& field, const std::string& message) {
  return Status(Code::kInvalidArgument, field + ": " + message,
                {{field, message}});
}

// Access, minPosition and the area's existence: what every route checks once
// its request is known to be well formed (400 before 403 for the area, and no
// 5 s wait for a request that is malformed anyway: docs/READINGS.md "Status
// order").
Status Prepare(const ApiContext& context, const RouteContext& ctx) {
  const std::string& code = ctx.Param("areaCode");
  if (!IsAreaCode(code))
    return Invalid("areaCode", "E and 8 digits, e.g. E09000002");
  auto min_position = MinPositionQuery(ctx.request);
  if (!min_position.ok()) return min_position.status();
  CARELOG_RETURN_IF_ERROR(CheckAreaRead(*ctx.principal, code));
  if (context.outcomes == nullptr || context.projector == nullptr) {
    return Status(Code::kUnimplemented,
                  "metrics are not available in this build");
  }
  CARELOG_RETURN_IF_ERROR(
      AwaitMinPosition(*min_position, context.projector, context.log));
  auto area = context.areas->GetArea(code);
  if (!area.ok()) return area.status();
  if (!area->has_value())
    return Status(Code::kNotFound, "area " + code + " is not defined");
  return Status::Ok();
}

// `asOf` as an instant, and in `given` as the client wrote it (an RFC 3339
// time, so only digits, letters T/Z, '-', ':', '+' and '.'). A time later than
// now is refused here, before any wait for `minPosition`.
Result<std::optional<Instant>> AsOf(const ApiContext& context,
                                    const RouteContext& ctx,
                                    std::string* given = nullptr) {
  const std::string* text = ctx.request.Query("asOf");
  if (text == nullptr) return std::optional<Instant>();
  std::string written = *text;
  auto instant = ParseRfc3339(written);
  // `asOf=2015-06-01T00:00:00+01:00` typed into a URL unencoded arrives with
  // the '+' of its offset decoded as a space: read it as the '+' it was.
  if (!instant.ok() && written.size() > 6 &&
      written[written.size() - 6] == ' ') {
    written[written.size() - 6] = '+';
    instant = ParseRfc3339(written);
  }
  if (!instant.ok()) return Invalid("asOf", "an RFC 3339 time with offset");
  if (context.clock != nullptr && *instant > context.clock->NowMicros()) {
    return Status(Code::kInvalidArgument, "asOf is in the future",
                  {{"asOf", "must not be later than now"}});
  }
  if (given != nullptr) *given = std::move(written);
  return std::optional<Instant>(*instant);
}

Result<Period> PeriodParam(const RouteContext& ctx, const std::string& name) {
  const std::string* text = ctx.request.Query(name);
  if (text == nullptr)
    return Invalid(name, "required, e.g. 2015-16, 2015-16-Q1 or 2015-04");
  auto period = ParsePeriod(*text);
  if (!period.ok())
    return Invalid(name, "a period like 2015-16, 2015-16-Q1 or 2015-04");
  return *period;
}

Response Text(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response GetMetrics(const ApiContext& context, const RouteContext& ctx) {
  auto period = PeriodParam(ctx, "period");
  if (!period.ok()) return ProblemResponse(period.status());
  std::string given;
  auto as_of = AsOf(context, ctx, &given);
  if (!as_of.ok()) return ProblemResponse(as_of.status());
  Status ready = Prepare(context, ctx);
  if (!ready.ok()) return ProblemResponse(ready);
  auto m = context.outcomes->Metrics(ctx.Param("areaCode"), {*period}, *as_of);
  if (!m.ok()) return ProblemResponse(m.status());
  return Text(200, "application/json", MetricsJson(*m, given));
}

// The periods of from..to at a granularity (default: the granularity of
// `from`).
Result<std::vector<Period>> RangeOf(const RouteContext& ctx,
                                    std::string* granularity) {
  auto from = PeriodParam(ctx, "from");
  if (!from.ok()) return from.status();
  const std::string* to = ctx.request.Query("to");
  const std::string* g = ctx.request.Query("granularity");
  *granularity = g ? *g
                   : (from->kind == Period::Kind::kMonth     ? "month"
                      : from->kind == Period::Kind::kQuarter ? "quarter"
                                                             : "year");
  return metrics::MetricsService::Range(from->label, to ? *to : from->label,
                                        *granularity);
}

Response GetSeries(const ApiContext& context, const RouteContext& ctx) {
  std::string granularity;
  auto periods = RangeOf(ctx, &granularity);
  if (!periods.ok()) return ProblemResponse(periods.status());
  std::string given;
  auto as_of = AsOf(context, ctx, &given);
  if (!as_of.ok()) return ProblemResponse(as_of.status());
  Status ready = Prepare(context, ctx);
  if (!ready.ok()) return ProblemResponse(ready);
  auto metric = metrics::ParseMetricId(ctx.Param("metric"));
  if (!metric) {
    return ProblemResponse(
        Status(Code::kNotFound, "no metric " + ctx.Param("metric")));
  }
  auto m = context.outcomes->Metrics(ctx.Param("areaCode"), *periods, *as_of);
  if (!m.ok()) return ProblemResponse(m.status());
  return Text(200, "application/json",
              SeriesJson(*m, *metric, granularity, given));
}

Response GetCsv(const ApiContext& context, const RouteContext& ctx) {
  std::string granularity;
  auto periods = RangeOf(ctx, &granularity);
  if (!periods.ok()) return ProblemResponse(periods.status());
  auto as_of = AsOf(context, ctx);
  if (!as_of.ok()) return ProblemResponse(as_of.status());
  Status ready = Prepare(context, ctx);
  if (!ready.ok()) return ProblemResponse(ready);
  auto m = context.outcomes->Metrics(ctx.Param("areaCode"), *periods, *as_of);
  if (!m.ok()) return ProblemResponse(m.status());
  // Exactly API.md's type: the text is ASCII (codes, metric ids, numbers).
  Response r = Text(200, "text/csv", MetricsCsv(*m));
  r.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"" + ctx.Param("areaCode") + "-metrics.csv\"");
  return r;
}

Response GetPayments(const ApiContext& context, const RouteContext& ctx) {
  if (auto year = ParseFinancialYear(ctx.Param("year")); !year.ok())
    return ProblemResponse(year.status());
  std::string given;
  auto as_of = AsOf(context, ctx, &given);
  if (!as_of.ok()) return ProblemResponse(as_of.status());
  Status ready = Prepare(context, ctx);
  if (!ready.ok()) return ProblemResponse(ready);
  auto p = context.outcomes->PaymentsFor(ctx.Param("areaCode"),
                                         ctx.Param("year"), *as_of);
  if (!p.ok()) return ProblemResponse(p.status());
  return Text(200, "application/json", PaymentsJson(*p, given));
}

Response GetConditions(const ApiContext& context, const RouteContext& ctx) {
  auto period = PeriodParam(ctx, "period");
  if (!period.ok()) return ProblemResponse(period.status());
  std::string given;
  auto as_of = AsOf(context, ctx, &given);
  if (!as_of.ok()) return ProblemResponse(as_of.status());
  Status ready = Prepare(context, ctx);
  if (!ready.ok()) return ProblemResponse(ready);
  auto s = context.outcomes->Conditions(ctx.Param("areaCode"), *period, *as_of);
  if (!s.ok()) return ProblemResponse(s.status());
  return Text(200, "application/json", ConditionsJson(*s, given));
}

}  // namespace

void AddMetricsRoutes(Router& router, const ApiContext& context) {
  const std::vector<Role> readers = {Role::kCommissioner, Role::kAdmin};
  auto bind = [context](
                  Response (*fn)(const ApiContext&, const RouteContext&)) {
    return [context, fn](const RouteContext& ctx) { return fn(context, ctx); };
  };
  router.Add({"GET", "/v1/areas/{areaCode}/metrics", true, readers, "",
              bind(GetMetrics)});
  router.Add({"GET", "/v1/areas/{areaCode}/metrics.csv", true, readers, "",
              bind(GetCsv)});
  router.Add({"GET", "/v1/areas/{areaCode}/metrics/{metric}", true, readers, "",
              bind(GetSeries)});
  router.Add({"GET", "/v1/areas/{areaCode}/payments/{year}", true, readers, "",
              bind(GetPayments)});
  router.Add({"GET", "/v1/areas/{areaCode}/conditions", true, readers, "",
              bind(GetConditions)});
}

}  // namespace carelog::gateway
