// Exact metric values of SPEC.md "Outcome metrics" for one area and period,
// from the area's cells (cells.h), its population and the instant asked (open
// delays count their midnights up to it). Nothing here is
// disclosure-controlled: see disclosure.h for what a commissioner sees.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "carelog/admin.pb.h"
#include "services/calendar.h"
#include "services/metrics/cells.h"
#include "services/metrics/fraction.h"
#include "services/metrics/metric_ids.h"

namespace carelog::metrics {

struct DelayBreakdown {
  std::map<std::string, int64_t>
      by_agency;  // NHS, SOCIAL_CARE, BOTH, UNRECORDED
  std::map<std::string, int64_t> by_reason;  // A ... I, UNRECORDED
};

struct MetricValue {
  MetricId metric = MetricId::kNonElectiveAdmissions;
  std::optional<Fraction> value;  // nullopt: no data for the period
  std::optional<int64_t> numerator;
  std::optional<int64_t> denominator;
  // The denominator is a population (public, not a count of people in care).
  bool denominator_is_population = false;
  // The exact counts the value is computed from (disclosure control withholds
  // the value when one of them is from 1 to 7).
  std::vector<int64_t> counts;
  std::optional<Fraction>
      rate_per_100k;  // nonElectiveAdmissions per 100,000 of all ages
  std::optional<DelayBreakdown> breakdown;  // delayedDays
};

struct MetricContext {
  const Cells* cells = nullptr;  // the area's cells
  Period period;
  std::optional<schema::Population>
      population;       // mid-year estimate of period.financial_year
  Instant instant = 0;  // the instant asked (now or asOf)
};

MetricValue ComputeMetric(MetricId id, const MetricContext& context);
// The metrics `ids`, in that order (the same values as ComputeMetric one by
// one, sharing the work they have in common).
std::vector<MetricValue> ComputeMetrics(std::span<const MetricId> ids,
                                        const MetricContext& context);
// Every metric of kAllMetrics, in that order.
std::vector<MetricValue> ComputeAllMetrics(const MetricContext& context);

// Open integrated packages with no accountable professional at the end of the
// period (or at the instant asked, if earlier): how many and their days without
// one in total.
struct UnassignedPackages {
  int64_t count = 0;
  int64_t total_days = 0;
};
UnassignedPackages ComputeUnassignedPackages(const MetricContext& context);

// Joint assessments started in the period on weekend days and in all.
std::pair<int64_t, int64_t> ComputeWeekendAssessments(
    const MetricContext& context);

// Weekend days (Saturdays, Sundays, bank holidays) and other days in the
// period.
std::pair<int64_t, int64_t> CountWeekendDays(const Period& period);

}  // namespace carelog::metrics
