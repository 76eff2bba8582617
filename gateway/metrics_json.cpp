#include "gateway/metrics_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "gateway/json_text.h"
#include "services/metrics/disclosure.h"
#include "services/metrics/metric_view.h"

namespace carelog::gateway {
namespace {

using metrics::Fraction;

// The shortest text that reads back as exactly `v` (100/3 is
// 33.333333333333336, not a value cut to 10 digits; 0.5 stays 0.5).
std::string Number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  auto [end, error] = std::to_chars(buf, buf + sizeof buf, v);
  if (error != std::errc()) return "null";
  return std::string(buf, end);
}

std::string Opt(const std::optional<double>& v) {
  return v ? Number(*v) : "null";
}
std::string Opt(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "null";
}
std::string Opt(const std::optional<Fraction>& v) {
  return v ? Number(v->ToDouble()) : "null";
}
std::string Bool(bool b) { return b ? "true" : "false"; }
std::string OptBool(const std::optional<bool>& b) {
  return b ? Bool(*b) : "null";
}

std::string Counts(const std::map<std::string, std::optional<int64_t>>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (out.size() > 1) out += ",";
    out += JsonQuote(k) + ":" + Opt(v);
  }
  return out + "}";
}

// The fields shared by a metric entry and a series point.
std::string Core(const metrics::ShownMetric& s) {
  return "\"value\":" + Opt(s.value) + ",\"numerator\":" + Opt(s.numerator) +
         ",\"denominator\":" + Opt(s.denominator) +
         ",\"suppressed\":" + Bool(s.suppressed);
}

std::string Entry(const metrics::MetricValue& exact,
                  const metrics::PlannedValue& planned) {
  metrics::ShownMetric s = metrics::Show(exact);
  std::string out =
      "{\"metric\":" + JsonQuote(metrics::MetricName(exact.metric)) + "," +
      Core(s) + ",\"direction\":" +
      JsonQuote(
          metrics::DirectionName(metrics::MetricDirection(exact.metric))) +
      ",\"baseline\":" + Opt(planned.baseline) +
      ",\"target\":" + Opt(planned.target) + ",\"breakdown\":";
  if (s.has_breakdown) {
    out += "{\"byAgency\":" + Counts(s.by_agency) +
           ",\"byReason\":" + Counts(s.by_reason) + "}";
  } else {
    out += "{}";
  }
  if (exact.metric == metrics::MetricId::kNonElectiveAdmissions) {
    out += ",\"ratePer100k\":" + Opt(s.rate_per_100k);
  }
  return out + "}";
}

std::string AsOf(const std::optional<Instant>& as_of, std::string_view given) {
  if (!as_of) return "null";
  return JsonQuote(given.empty() ? FormatRfc3339Utc(*as_of)
                                 : std::string(given));
}

std::string CsvOpt(const std::optional<double>& v) {
  return v ? Number(*v) : "";
}
std::string CsvOpt(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "";
}
std::string CsvOpt(const std::optional<Fraction>& v) {
  return v ? Number(v->ToDouble()) : "";
}

}  // namespace

std::string MetricsJson(const metrics::AreaMetrics& m,
                        std::string_view as_of_given) {
  const metrics::AreaPeriodMetrics& p = m.periods.front();
  std::string out = "{\"area\":" + JsonQuote(m.area) +
                    ",\"period\":" + JsonQuote(p.period.label) +
                    ",\"asOf\":" + AsOf(m.as_of, as_of_given) +
                    ",\"position\":" + std::to_string(m.position) +
                    ",\"metrics\":[";
  for (size_t i = 0; i < p.values.size(); ++i) {
    if (i) out += ",";
    out += Entry(p.values[i], p.planned[i]);
  }
  return out + "]}";
}

std::string SeriesJson(const metrics::AreaMetrics& m, metrics::MetricId metric,
                       const std::string& granularity,
                       std::string_view as_of_given) {
  std::string out = "{\"metric\":" + JsonQuote(metrics::MetricName(metric)) +
                    ",\"area\":" + JsonQuote(m.area) +
                    ",\"granularity\":" + JsonQuote(granularity) +
                    ",\"asOf\":" + AsOf(m.as_of, as_of_given) + ",\"points\":[";
  bool first = true;
  for (const auto& p : m.periods) {
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (p.values[i].metric != metric) continue;
      if (!first) out += ",";
      first = false;
      out += "{\"period\":" + JsonQuote(p.period.label) + "," +
             Core(metrics::Show(p.values[i])) +
             ",\"baseline\":" + Opt(p.planned[i].baseline) +
             ",\"target\":" + Opt(p.planned[i].target) + "}";
    }
  }
  return out + "]}";
}

std::string MetricsCsv(const metrics::AreaMetrics& m) {
  std::string out =
      "area,period,metric,value,numerator,denominator,suppressed,baseline,"
      "target\n";
  for (const auto& p : m.periods) {
    for (size_t i = 0; i < p.values.size(); ++i) {
      metrics::ShownMetric s = metrics::Show(p.values[i]);
      out += m.area + "," + p.period.label + "," +
             std::string(metrics::MetricName(s.metric)) + "," +
             CsvOpt(s.value) + "," + CsvOpt(s.numerator) + "," +
             CsvOpt(s.denominator) + "," + Bool(s.suppressed) + "," +
             CsvOpt(p.planned[i].baseline) + "," + CsvOpt(p.planned[i].target) +
             "\n";
    }
  }
  return out;
}

std::string PaymentsJson(const metrics::Payments& p,
                         std::string_view as_of_given) {
  std::string out =
      "{\"area\":" + JsonQuote(p.area) + ",\"year\":" + JsonQuote(p.year) +
      ",\"asOf\":" + AsOf(p.as_of, as_of_given) + ",\"tranches\":[";
  for (size_t i = 0; i < p.tranches.size(); ++i) {
    const metrics::TrancheResult& t = p.tranches[i];
    if (i) out += ",";
    out += "{\"id\":" + JsonQuote(t.id) + ",\"period\":" + JsonQuote(t.period) +
           ",\"potGbp\":" + metrics::PenceToPounds(t.pot_pence) +
           ",\"achievement\":" + Number(metrics::ToDouble(t.achievement)) +
           ",\"earnedGbp\":" + metrics::PenceToPounds(t.earned_pence) +
           ",\"withheldGbp\":" + metrics::PenceToPounds(t.withheld_pence) +
           ",\"recoveryPlanRequired\":" + Bool(t.recovery_plan_required) +
           ",\"metrics\":[";
    for (size_t j = 0; j < t.metrics.size(); ++j) {
      const metrics::TrancheMetricResult& m = t.metrics[j];
      if (j) out += ",";
      out += "{\"metric\":" + JsonQuote(metrics::MetricName(m.metric)) +
             ",\"baseline\":" + Number(m.baseline.ToDouble()) +
             ",\"target\":" + Number(m.target.ToDouble()) +
             ",\"actual\":" + Opt(m.actual) +
             ",\"achievement\":" + Number(metrics::ToDouble(m.achievement)) +
             ",\"weight\":" + Number(m.weight.ToDouble()) + "}";
    }
    out += "]}";
  }
  return out + "],\"totalEarnedGbp\":" +
         metrics::PenceToPounds(p.total_earned_pence) +
         ",\"totalWithheldGbp\":" +
         metrics::PenceToPounds(p.total_withheld_pence) + "}";
}

std::string ConditionsJson(const metrics::ConditionsScorecard& s,
                           std::string_view as_of_given) {
  auto planned = [&s](metrics::MetricId id) {
    auto it = s.planned.find(id);
    return it == s.planned.end() ? metrics::PlannedValue{} : it->second;
  };
  auto share = [](int64_t part, int64_t all) {
    metrics::MetricValue v;
    v.metric = metrics::MetricId::kPatientExperience;  // any per-cent metric
    v.numerator = part;
    v.denominator = all;
    v.counts = {part, all};
    if (all > 0)
      v.value = Fraction(static_cast<metrics::Int128>(part) * 100, all);
    return "{" + Core(metrics::Show(v)) + "}";
  };
  const auto& u = s.unassigned_packages;
  bool withheld = metrics::IsWithheldCount(u.count);
  std::optional<double> average;
  if (u.count > 0 && !withheld)
    average = static_cast<double>(u.total_days) / u.count;
  std::optional<int64_t> count = metrics::DiscloseCount(u.count);
  std::optional<int64_t> days;  // a count of days, shown like any count
  if (!withheld) days = metrics::DiscloseCount(u.total_days);
  return "{\"area\":" + JsonQuote(s.area) +
         ",\"period\":" + JsonQuote(s.period.label) +
         ",\"asOf\":" + AsOf(s.as_of, as_of_given) +
         ",\"conditions\":{\"plansJointlyAgreed\":" +
         OptBool(s.plans_jointly_agreed) +
         ",\"socialCareProtected\":" + OptBool(s.social_care_protected) +
         ",\"acuteImpactAgreed\":" + OptBool(s.acute_impact_agreed) +
         ",\"nhsNumberVerified\":" +
         Entry(s.nhs_number_verified,
               planned(metrics::MetricId::kNhsNumberVerified)) +
         ",\"sevenDayServices\":{\"weekendDischargeRatio\":" +
         Entry(s.weekend_discharge_ratio,
               planned(metrics::MetricId::kWeekendDischargeRatio)) +
         ",\"weekendAssessmentShare\":" +
         share(s.weekend_assessments, s.assessments) +
         "},\"jointAssessmentCoverage\":" +
         Entry(s.joint_assessment_coverage,
               planned(metrics::MetricId::kJointAssessmentCoverage)) +
         ",\"accountableProfessionalCoverage\":" +
         Entry(s.accountable_professional_coverage,
               planned(metrics::MetricId::kAccountableProfessionalCoverage)) +
         ",\"packagesWithoutAccountableProfessional\":{\"count\":" +
         Opt(count) + ",\"totalDays\":" + Opt(days) +
         ",\"averageDays\":" + Opt(average) +
         ",\"suppressed\":" + Bool(withheld) + "}}}";
}

}  // namespace carelog::gateway
