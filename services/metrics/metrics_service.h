// The read side for commissioners: an area's metrics for a period, series,
// payments and the national conditions scorecard, now or as of a past instant
// (from the events recorded by then, with the plan and populations as they
// stood). Values here are exact; disclosure control is applied where they are
// shown (metrics_view.h). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/clock.h"
#include "services/metrics/metric_calculator.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/payment_calculator.h"
#include "services/metrics/plan_history.h"
#include "storage/event_log.h"

namespace carelog::metrics {

struct PlannedValue {
  std::optional<Fraction> baseline;
  std::optional<Fraction> target;
};

struct AreaPeriodMetrics {
  std::string area;
  Period period;
  std::vector<MetricValue>
      values;  // one per metric of kAllMetrics, in that order
  std::vector<PlannedValue> planned;  // same order
};

struct AreaMetrics {
  std::string area;
  std::optional<Instant> as_of;
  uint64_t position = 0;  // the last event they include
  std::vector<AreaPeriodMetrics> periods;
};

struct Payments {
  std::string area;
  std::string year;
  std::optional<Instant> as_of;
  std::vector<TrancheResult> tranches;
  int64_t total_earned_pence = 0;
  int64_t total_withheld_pence = 0;
};

struct ConditionsScorecard {
  std::string area;
  Period period;
  std::optional<Instant> as_of;  // set when asked as reported on a date
  std::optional<bool> plans_jointly_agreed;
  std::optional<bool> social_care_protected;
  std::optional<bool> acute_impact_agreed;
  MetricValue nhs_number_verified;
  MetricValue weekend_discharge_ratio;
  int64_t weekend_assessments = 0;
  int64_t assessments = 0;
  MetricValue joint_assessment_coverage;
  MetricValue accountable_professional_coverage;
  // The baseline and target of each of the four metrics above, as /metrics
  // shows them for the period.
  std::map<MetricId, PlannedValue> planned;
  UnassignedPackages unassigned_packages;
};

class MetricsService {
 public:
  MetricsService(storage::EventLog& log, const MetricsProjection& cells,
                 const PlanHistory& plans, const Clock& clock);

  // Every metric of the area for each period (one period, or the
  // months/quarters/years of a range). kInvalidArgument for a bad period or an
  // asOf in the future.
  Result<AreaMetrics> Metrics(const std::string& area,
                              const std::vector<Period>& periods,
                              std::optional<Instant> as_of) const;
  // The tranches of the area's plan for the financial year ("2015-16");
  // kNotFound without a plan.
  Result<Payments> PaymentsFor(const std::string& area, const std::string& year,
                               std::optional<Instant> as_of) const;
  // The national conditions scorecard of the area for the period, from the
  // events recorded by `as_of` (now when absent) and the plan as it stood then.
  Result<ConditionsScorecard> Conditions(
      const std::string& area, const Period& period,
      std::optional<Instant> as_of = std::nullopt) const;

  // The periods of a range at a granularity ("month", "quarter", "year"), in
  // order.
  static Result<std::vector<Period>> Range(const std::string& from,
                                           const std::string& to,
                                           const std::string& granularity);

 private:
  struct View {
    Cells cells;
    uint64_t position = 0;
    Instant instant = 0;
  };
  Result<View> ViewOf(const std::string& area,
                      std::optional<Instant> as_of) const;
  MetricContext Context(const View& view, const std::string& area,
                        const Period& period) const;

  storage::EventLog& log_;
  const MetricsProjection& cells_;
  const PlanHistory& plans_;
  const Clock& clock_;
};

}  // namespace carelog::metrics
