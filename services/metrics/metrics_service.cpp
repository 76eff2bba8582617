#include "services/metrics/metrics_service.h"

#include <map>

#include "services/metrics/contribution.h"

namespace carelog::metrics {
namespace {

std::string YearText(int financial_year) {
  return YearPeriod(financial_year).label;
}

// The plans that may set a period's targets, looked up once per year in
// `plan_of_year`: a period's target is usually in the plan of its own
// financial year, but a plan may set targets for periods of the years either
// side (the July 2014 scheme's 2015-16 plan pays on 2014-15 Q4): the period's
// own plan first, then the next year's, then the previous year's.
std::vector<const schema::Plan*> PlansFor(
    const PlanHistory& history, const std::string& area, const Period& period,
    uint64_t position,
    std::map<int, std::optional<schema::Plan>>& plan_of_year) {
  std::vector<const schema::Plan*> plans;
  for (int year : {period.financial_year, period.financial_year + 1,
                   period.financial_year - 1}) {
    auto [at, added] = plan_of_year.try_emplace(year);
    if (added) at->second = history.PlanAsOf(area, YearText(year), position);
    if (at->second) plans.push_back(&*at->second);
  }
  return plans;
}

// A metric's baseline and target for the period from the first of `plans`
// that targets it.
PlannedValue PlannedFor(MetricId id, const Period& period,
                        const std::vector<const schema::Plan*>& plans) {
  PlannedValue planned;
  for (const schema::Plan* plan : plans) {
    for (const schema::PlanTarget& t : plan->targets()) {
      if (t.metric() == MetricName(id) && t.period() == period.label) {
        planned.baseline = Fraction::FromDecimal(t.baseline());
        planned.target = Fraction::FromDecimal(t.target());
      }
    }
    if (planned.target) break;
  }
  return planned;
}

}  // namespace

MetricsService::MetricsService(storage::EventLog& log,
                               const MetricsProjection& cells,
                               const PlanHistory& plans, const Clock& clock)
    : log_(log), cells_(cells), plans_(plans), clock_(clock) {}

Result<MetricsService::View> MetricsService::ViewOf(
    const std::string& area, std::optional<Instant> as_of) const {
  View view;
  Instant now = clock_.NowMicros();
  if (!as_of) {
    view.cells = cells_.AreaCells(area, &view.position);
    view.instant = now;
    return view;
  }
  if (*as_of > now) {
    return Status(Code::kInvalidArgument, "asOf is in the future",
                  {{"asOf", "must not be later than now"}});
  }
  auto position = log_.PositionAtOrBefore(*as_of);
  if (!position.ok()) return position.status();
  auto cells = cells_.AreaCellsAsOf(area, *position);
  if (!cells.ok()) return cells.status();
  view.cells = std::move(*cells);
  view.position = std::min(*position, cells_.AppliedPosition());
  view.instant = *as_of;
  return view;
}

MetricContext MetricsService::Context(const View& view, const std::string& area,
                                      const Period& period) const {
  MetricContext c;
  c.cells = &view.cells;
  c.period = period;
  c.instant = view.instant;
  if (auto a = plans_.AreaAsOf(area, view.position)) {
    for (const schema::Population& p : a->population()) {
      if (p.year() == period.financial_year) c.population = p;
    }
  }
  return c;
}

Result<AreaMetrics> MetricsService::Metrics(
    const std::string& area, const std::vector<Period>& periods,
    std::optional<Instant> as_of) const {
  auto view = ViewOf(area, as_of);
  if (!view.ok()) return view.status();
  AreaMetrics out;
  out.area = area;
  out.as_of = as_of;
  out.position = view->position;
  // Each year's plan read once for all the periods asked.
  std::map<int, std::optional<schema::Plan>> plan_of_year;
  for (const Period& period : periods) {
    MetricContext c = Context(*view, area, period);
    const std::vector<const schema::Plan*> plans =
        PlansFor(plans_, area, period, view->position, plan_of_year);
    AreaPeriodMetrics apm;
    apm.area = area;
    apm.period = period;
    apm.values = ComputeAllMetrics(c);
    for (MetricId id : kAllMetrics)
      apm.planned.push_back(PlannedFor(id, period, plans));
    out.periods.push_back(std::move(apm));
  }
  return out;
}

Result<Payments> MetricsService::PaymentsFor(
    const std::string& area, const std::string& year,
    std::optional<Instant> as_of) const {
  auto year_period = ParseFinancialYear(year);
  if (!year_period.ok()) return year_period.status();
  auto view = ViewOf(area, as_of);
  if (!view.ok()) return view.status();
  auto plan = plans_.PlanAsOf(area, year_period->label, view->position);
  if (!plan)
    return Status(Code::kNotFound,
                  "no plan for " + area + " " + year_period->label);
  Payments out;
  out.area = area;
  out.year = year_period->label;
  out.as_of = as_of;
  for (const schema::Tranche& t : plan->tranches()) {
    auto period = ParsePeriod(t.period());
    if (!period.ok()) return period.status();
    MetricContext c = Context(*view, area, *period);
    TrancheInput in;
    in.id = t.id();
    in.period = period->label;
    if (t.has_amount_gbp()) in.amount_pence = PoundsToPence(t.amount_gbp());
    if (t.has_unit_cost_gbp())
      in.unit_cost_pence = PoundsToPence(t.unit_cost_gbp());
    std::vector<MetricId> ids;
    for (const schema::TrancheMetric& m : t.metrics()) {
      auto id = ParseMetricId(m.metric());
      if (!id)
        return Status(Code::kInternal,
                      "plan names an unknown metric " + m.metric());
      const schema::PlanTarget* target = nullptr;
      for (const schema::PlanTarget& pt : plan->targets()) {
        if (pt.metric() == m.metric() && pt.period() == t.period())
          target = &pt;
      }
      if (!target) {
        return Status(Code::kInternal,
                      "tranche " + t.id() + " has no target for " + m.metric());
      }
      ids.push_back(*id);
      in.metrics.push_back(TrancheMetricInput{
          *id, Fraction::FromDecimal(m.weight()),
          Fraction::FromDecimal(target->baseline()),
          Fraction::FromDecimal(target->target()), std::nullopt});
    }
    // The tranche's metrics share one scan of the open delays.
    std::vector<MetricValue> actuals = ComputeMetrics(ids, c);
    for (size_t i = 0; i < ids.size(); ++i)
      in.metrics[i].actual = std::move(actuals[i].value);
    auto result = PaymentCalculator::Calculate(in);
    if (!result.ok()) return result.status();
    out.total_earned_pence += result->earned_pence;
    out.total_withheld_pence += result->withheld_pence;
    out.tranches.push_back(std::move(*result));
  }
  return out;
}

Result<ConditionsScorecard> MetricsService::Conditions(
    const std::string& area, const Period& period,
    std::optional<Instant> as_of) const {
  auto view = ViewOf(area, as_of);
  if (!view.ok()) return view.status();
  MetricContext c = Context(*view, area, period);
  ConditionsScorecard s;
  s.area = area;
  s.period = period;
  s.as_of = as_of;
  std::map<int, std::optional<schema::Plan>> plan_of_year;
  const std::vector<const schema::Plan*> plans =
      PlansFor(plans_, area, period, view->position, plan_of_year);
  if (const auto& plan = plan_of_year[period.financial_year]) {
    const auto& conditions = plan->conditions();
    if (conditions.has_plans_jointly_agreed())
      s.plans_jointly_agreed = conditions.plans_jointly_agreed();
    if (conditions.has_social_care_protected())
      s.social_care_protected = conditions.social_care_protected();
    if (conditions.has_acute_impact_agreed())
      s.acute_impact_agreed = conditions.acute_impact_agreed();
  }
  constexpr MetricId kEvidence[] = {MetricId::kNhsNumberVerified,
                                    MetricId::kWeekendDischargeRatio,
                                    MetricId::kJointAssessmentCoverage,
                                    MetricId::kAccountableProfessionalCoverage};
  std::vector<MetricValue> evidence = ComputeMetrics(kEvidence, c);
  s.nhs_number_verified = std::move(evidence[0]);
  s.weekend_discharge_ratio = std::move(evidence[1]);
  s.joint_assessment_coverage = std::move(evidence[2]);
  s.accountable_professional_coverage = std::move(evidence[3]);
  for (MetricId id : kEvidence)
    s.planned.emplace(id, PlannedFor(id, period, plans));
  std::tie(s.weekend_assessments, s.assessments) = ComputeWeekendAssessments(c);
  s.unassigned_packages = ComputeUnassignedPackages(c);
  return s;
}

Result<std::vector<Period>> MetricsService::Range(
    const std::string& from, const std::string& to,
    const std::string& granularity) {
  auto first = ParsePeriod(from);
  if (!first.ok())
    return Status(Code::kInvalidArgument, "bad period",
                  {{"from", first.status().message()}});
  auto last = ParsePeriod(to);
  if (!last.ok())
    return Status(Code::kInvalidArgument, "bad period",
                  {{"to", last.status().message()}});
  if (granularity != "month" && granularity != "quarter" &&
      granularity != "year") {
    return Status(
        Code::kInvalidArgument, "granularity must be month, quarter or year",
        {{"granularity", "not month, quarter or year: " + granularity}});
  }
  if (last->last < first->first) {
    return Status(Code::kInvalidArgument, "from is after to",
                  {{"to", "before from"}});
  }
  std::vector<Period> out;
  for (Date d = first->first; d <= last->last;) {
    Ymd ymd = ToYmd(d);
    int fy = FinancialYearOf(d);
    Period p = granularity == "month" ? MonthPeriod(ymd.year, ymd.month)
               : granularity == "quarter"
                   ? QuarterPeriod(fy, ((ymd.month + 8) % 12) / 3 + 1)
                   : YearPeriod(fy);
    out.push_back(p);
    if (out.size() > 600) {
      return Status(Code::kInvalidArgument, "range too long",
                    {{"to", "more than 600 periods"}});
    }
    d = Date{p.last.days + 1};
  }
  return out;
}

}  // namespace carelog::metrics
