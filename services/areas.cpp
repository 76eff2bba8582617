#include "services/areas.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "services/calendar.h"

namespace carelog {

namespace {

constexpr char kAreaIndex[] = "area-index";
constexpr int kMaxAttempts = 20;
// Bounds that keep every sum and product of the figures exact in the integer
// pence, counts and fractions the metrics and payments compute with: far above
// any real HWB (England's whole population is about 56 million, the whole fund
// £3.8bn), far below where an int32 population total or int64 pence overflow.
constexpr int32_t kMaxBand = 100'000'000;  // residents of one age band
constexpr double kMaxPounds = 1e12;        // any amount or pot, in pounds
constexpr double kMaxFigure = 1e9;         // a baseline or target
constexpr double kMaxWeight = 1e6;         // a tranche metric's weight

bool IsAreaCode(std::string_view code) {
  if (code.size() != 9 || code[0] != 'E') return false;
  return std::all_of(code.begin() + 1, code.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

struct Problems {
  std::vector<FieldError> malformed;
  std::vector<FieldError> rules;
};

// The canonical label of a period, or "" after noting why it does not parse.
std::string CheckPeriod(const std::string& field, const std::string& text,
                        Problems& p) {
  if (text.empty()) {
    p.malformed.push_back(
        {field, "a period is required (2015-16, 2015-16-Q1 or 2015-04)"});
    return {};
  }
  auto period = ParsePeriod(text);
  if (!period.ok()) {
    p.malformed.push_back(
        {field, "'" + text +
                    "' is not a period (2015-16, 2015-16-Q1 or "
                    "2015-04): " +
                    period.status().message()});
    return {};
  }
  return period->label;
}

void CheckMetric(const std::string& field, const std::string& metric,
                 Problems& p) {
  if (metric.empty()) {
    p.malformed.push_back({field, "a metric id is required"});
  } else if (!IsMetricId(metric)) {
    p.malformed.push_back(
        {field, "'" + metric + "' is not a metric id of the specification"});
  }
}

void CheckMoney(const std::string& field, double value, Problems& p) {
  if (!std::isfinite(value) || value < 0) {
    p.rules.push_back({field, "must be a non-negative amount of pounds"});
  } else if (value > kMaxPounds) {
    p.rules.push_back({field, "must be at most 1000000000000 pounds"});
  } else if (double pence = value * 100;
             // the tolerance grows with the double's own spacing, so that
             // 10000000000.03 is two decimals, as written
             std::fabs(pence - std::round(pence)) >
             1e-6 + 4 * std::numeric_limits<double>::epsilon() * pence) {
    p.malformed.push_back({field, "money has at most two decimals"});
  }
}

Status Verdict(Problems& p, const std::string& what) {
  if (!p.malformed.empty()) {
    std::string message = what + " is malformed: " + p.malformed.front().field +
                          ": " + p.malformed.front().message;
    return Status(Code::kInvalidArgument, message, std::move(p.malformed));
  }
  if (!p.rules.empty()) {
    std::string message = what + " breaks a rule: " + p.rules.front().field +
                          ": " + p.rules.front().message;
    return Status(Code::kRuleViolation, message, std::move(p.rules));
  }
  return Status::Ok();
}

}  // namespace

std::string AreaStream(std::string_view area_code) {
  return "area-" + std::string(area_code);
}

std::string PlanStream(std::string_view area_code, std::string_view year) {
  return "plan-" + std::string(area_code) + "-" + std::string(year);
}

const std::vector<std::string>& MetricIds() {
  static const std::vector<std::string> kIds = {
      "nonElectiveAdmissions",
      "permanentAdmissions65",
      "permanentAdmissions18to64",
      "reablement91",
      "delayedDays",
      "aeAttendances",
      "patientExperience",
      "nhsNumberVerified",
      "accountableProfessionalCoverage",
      "jointAssessmentCoverage",
      "weekendDischargeRatio",
      "urgentResponse24h"};
  return kIds;
}

bool IsMetricId(std::string_view id) {
  const auto& ids = MetricIds();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

Status ValidateArea(const schema::Area& area) {
  Problems p;
  if (area.name().empty())
    p.malformed.push_back({"name", "an area needs a name"});
  std::set<int> years;
  for (int i = 0; i < area.population_size(); ++i) {
    const auto& pop = area.population(i);
    const std::string at = "population[" + std::to_string(i) + "]";
    if (pop.year() < 1900 || pop.year() > 2200) {
      p.malformed.push_back(
          {at + ".year", "a calendar year such as 2014 is required"});
    } else if (!years.insert(pop.year()).second) {
      p.rules.push_back(
          {at + ".year",
           "the year " + std::to_string(pop.year()) + " is repeated"});
    }
    for (const auto& [given, band] :
         {std::pair{pop.has_age0to17(), "age0to17"},
          std::pair{pop.has_age18to64(), "age18to64"},
          std::pair{pop.has_age65plus(), "age65plus"}}) {
      if (!given) {
        p.malformed.push_back(
            {at + "." + band,
             "required: the mid-year estimate of the residents of that age"});
      }
    }
    for (const auto& [count, band] :
         {std::pair{pop.age0to17(), "age0to17"},
          std::pair{pop.age18to64(), "age18to64"},
          std::pair{pop.age65plus(), "age65plus"}}) {
      if (count < 0) {
        p.rules.push_back({at + "." + band, "must not be negative"});
      } else if (count > kMaxBand) {
        p.rules.push_back({at + "." + band, "must be at most 100000000"});
      }
    }
  }
  return Verdict(p, "the area");
}

Status ValidatePlan(std::string_view year, const schema::Plan& plan) {
  Problems p;
  if (!ParseFinancialYear(year).ok()) {
    p.malformed.push_back(
        {"year", std::string("'").append(year) +
                     "' is not a financial year such as 2015-16"});
  }
  if (plan.has_allocation_gbp())
    CheckMoney("allocationGbp", plan.allocation_gbp(), p);
  if (plan.has_performance_element_gbp()) {
    CheckMoney("performanceElementGbp", plan.performance_element_gbp(), p);
  }
  // (metric, period label) -> |baseline - target|, for unitCostGbp pots
  std::map<std::pair<std::string, std::string>, double> targets;
  for (int i = 0; i < plan.targets_size(); ++i) {
    const auto& t = plan.targets(i);
    const std::string at = "targets[" + std::to_string(i) + "]";
    CheckMetric(at + ".metric", t.metric(), p);
    const std::string label = CheckPeriod(at + ".period", t.period(), p);
    if (!t.has_baseline()) {
      p.malformed.push_back({at + ".baseline", "required"});
    } else if (!std::isfinite(t.baseline())) {
      p.malformed.push_back({at + ".baseline", "not a number"});
    } else if (std::fabs(t.baseline()) > kMaxFigure) {
      p.rules.push_back({at + ".baseline", "must be between -1e9 and 1e9"});
    }
    if (!t.has_target()) {
      p.malformed.push_back({at + ".target", "required"});
    } else if (!std::isfinite(t.target())) {
      p.malformed.push_back({at + ".target", "not a number"});
    } else if (std::fabs(t.target()) > kMaxFigure) {
      p.rules.push_back({at + ".target", "must be between -1e9 and 1e9"});
    }
    if (!label.empty() && !targets
                               .emplace(std::pair{t.metric(), label},
                                        std::fabs(t.baseline() - t.target()))
                               .second) {
      p.rules.push_back(
          {at, "a second target for " + t.metric() + " in " + label});
    }
  }
  std::set<std::string> tranche_ids;
  for (int i = 0; i < plan.tranches_size(); ++i) {
    const auto& tr = plan.tranches(i);
    const std::string at = "tranches[" + std::to_string(i) + "]";
    if (tr.id().empty()) {
      p.malformed.push_back({at + ".id", "a tranche needs an id"});
    } else if (!tranche_ids.insert(tr.id()).second) {
      p.rules.push_back(
          {at + ".id", "the tranche id '" + tr.id() + "' is repeated"});
    }
    const std::string label = CheckPeriod(at + ".period", tr.period(), p);
    if (tr.has_amount_gbp() == tr.has_unit_cost_gbp()) {
      p.rules.push_back(
          {at, "a tranche has exactly one of amountGbp and unitCostGbp"});
    }
    if (tr.has_amount_gbp()) CheckMoney(at + ".amountGbp", tr.amount_gbp(), p);
    if (tr.has_unit_cost_gbp()) {
      CheckMoney(at + ".unitCostGbp", tr.unit_cost_gbp(), p);
      if (tr.metrics_size() != 1) {
        p.rules.push_back(
            {at + ".metrics", "a unitCostGbp tranche has exactly one metric"});
      } else if (auto it = targets.find({tr.metrics(0).metric(), label});
                 it != targets.end() &&
                 it->second * tr.unit_cost_gbp() > kMaxPounds) {
        p.rules.push_back(
            {at + ".unitCostGbp",
             "the pot, |baseline - target| x unitCostGbp, must be at most "
             "1000000000000 pounds"});
      }
    }
    if (tr.metrics_size() == 0) {
      p.rules.push_back(
          {at + ".metrics", "a tranche needs at least one metric"});
    }
    for (int j = 0; j < tr.metrics_size(); ++j) {
      const auto& m = tr.metrics(j);
      const std::string mat = at + ".metrics[" + std::to_string(j) + "]";
      CheckMetric(mat + ".metric", m.metric(), p);
      if (!std::isfinite(m.weight()) || m.weight() <= 0) {
        p.rules.push_back({mat + ".weight", "a weight must be greater than 0"});
      } else if (m.weight() > kMaxWeight) {
        p.rules.push_back(
            {mat + ".weight", "a weight must be at most 1000000"});
      }
      if (!label.empty() && IsMetricId(m.metric()) &&
          !targets.count({m.metric(), label})) {
        p.rules.push_back({mat + ".metric", "no target for " + m.metric() +
                                                " in " + label +
                                                ", the tranche's period"});
      }
    }
  }
  return Verdict(p, "the plan");
}

Result<AdminWriteOutcome> AreaService::Record(const std::string& stream,
                                              const schema::AdminEvent& event,
                                              std::string_view recorded_by) {
  const std::string body = event.SerializeAsString();
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto version = log_.StreamVersion(stream);
    if (!version.ok()) return version.status();
    storage::AppendRequest request;
    request.stream = stream;
    request.expected = storage::ExpectedVersion::Exact(*version);
    request.recorded_by = std::string(recorded_by);
    // Deterministic ids: the stream and the version this change creates.
    request.events.push_back(
        {"carelog:" + stream + ":" + std::to_string(*version + 1),
         schema::AdminEvent::descriptor()->full_name(), body});
    auto appended = log_.Append(std::move(request));
    if (appended.ok()) {
      return AdminWriteOutcome{appended->first_version == 1,
                               appended->last_version, appended->last_position};
    }
    // Another change of the same stream won the race: record ours after it.
    if (appended.status().code() != Code::kWrongVersion &&
        appended.status().code() != Code::kConflict) {
      return appended.status();
    }
  }
  return Status(Code::kUnavailable,
                "too many concurrent changes of " + stream + "; try again");
}

Result<std::optional<storage::RecordedEvent>> AreaService::LatestAt(
    const std::string& stream, uint64_t as_of) {
  auto version = log_.StreamVersion(stream);
  if (!version.ok()) return version.status();
  uint64_t v = *version;
  while (v > 0) {
    // Streams of areas and plans are short; read backwards in pages from the
    // head.
    const uint64_t from = v > 64 ? v - 63 : 1;
    auto events = log_.ReadStream(stream, from, v - from + 1);
    if (!events.ok()) return events.status();
    for (auto it = events->rbegin(); it != events->rend(); ++it) {
      if (it->position <= as_of)
        return std::optional<storage::RecordedEvent>(*it);
    }
    v = from - 1;
  }
  return std::optional<storage::RecordedEvent>();
}

Result<AdminWriteOutcome> AreaService::PutArea(std::string_view area_code,
                                               const schema::Area& area,
                                               std::string_view recorded_by) {
  if (!IsAreaCode(area_code)) {
    return Status(Code::kInvalidArgument,
                  std::string("'").append(area_code) +
                      "' is not an area code (E and 8 digits)",
                  {{"areaCode", "E and 8 digits, e.g. E09000002"}});
  }
  CARELOG_RETURN_IF_ERROR(ValidateArea(area));
  schema::AdminEvent event;
  event.mutable_area_defined()->set_area_code(std::string(area_code));
  *event.mutable_area_defined()->mutable_area() = area;
  auto outcome = Record(AreaStream(area_code), event, recorded_by);
  if (!outcome.ok()) return outcome;
  // The index of defined areas; written on every change, so a crash before it
  // is repaired by the client's retry, which was not acknowledged.
  storage::ProjectionWrite index;
  index.rows.push_back({kAreaIndex, std::string(area_code), std::string()});
  CARELOG_RETURN_IF_ERROR(log_.WriteProjections(index));
  return outcome;
}

Result<std::optional<AreaRecord>> AreaService::GetArea(
    std::string_view area_code, uint64_t as_of) {
  auto latest = LatestAt(AreaStream(area_code), as_of);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return std::optional<AreaRecord>();
  schema::AdminEvent event;
  if (!event.ParseFromString((*latest)->body) || !event.has_area_defined()) {
    return Status(Code::kCorruption,
                  "the record of area " + std::string(area_code) +
                      " at position " + std::to_string((*latest)->position) +
                      " cannot be read");
  }
  return std::optional<AreaRecord>(
      AreaRecord{std::string(area_code), event.area_defined().area(),
                 (*latest)->version, (*latest)->position});
}

Result<std::vector<AreaRecord>> AreaService::ListAreas() {
  std::vector<std::string> codes;
  Status scanned = log_.ScanProjection(
      kAreaIndex, "", [&](std::string_view key, std::string_view) {
        codes.emplace_back(key);
        return true;
      });
  if (!scanned.ok()) return scanned;
  std::vector<AreaRecord> areas;
  for (const auto& code : codes) {
    auto area = GetArea(code);
    if (!area.ok()) return area.status();
    if (area->has_value()) areas.push_back(std::move(**area));
  }
  return areas;
}

Result<AdminWriteOutcome> AreaService::PutPlan(std::string_view area_code,
                                               std::string_view year,
                                               const schema::Plan& plan,
                                               std::string_view recorded_by) {
  if (!IsAreaCode(area_code)) {
    return Status(Code::kInvalidArgument,
                  std::string("'").append(area_code) +
                      "' is not an area code (E and 8 digits)",
                  {{"areaCode", "E and 8 digits, e.g. E09000002"}});
  }
  CARELOG_RETURN_IF_ERROR(ValidatePlan(year, plan));
  schema::AdminEvent event;
  auto* recorded = event.mutable_plan_recorded();
  recorded->set_area_code(std::string(area_code));
  recorded->set_year(std::string(year));
  *recorded->mutable_plan() = plan;
  return Record(PlanStream(area_code, year), event, recorded_by);
}

Result<std::optional<PlanRecord>> AreaService::GetPlan(
    std::string_view area_code, std::string_view year, uint64_t as_of) {
  auto latest = LatestAt(PlanStream(area_code, year), as_of);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return std::optional<PlanRecord>();
  schema::AdminEvent event;
  if (!event.ParseFromString((*latest)->body) || !event.has_plan_recorded()) {
    return Status(Code::kCorruption, "the plan record at position " +
                                         std::to_string((*latest)->position) +
                                         " cannot be read");
  }
  return std::optional<PlanRecord>(PlanRecord{
      std::string(area_code), std::string(year), event.plan_recorded().plan(),
      (*latest)->version, (*latest)->position});
}

}  // namespace carelog
