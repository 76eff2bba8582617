// JSON and CSV renderings of metrics, series, payments and the conditions
// scorecard (API.md "Metrics and payments"). Written by hand rather than
// through protobuf's JSON mapping because the contract needs explicit nulls (a
// withheld value is `null`, not absent) and money with exactly two decimals.
#pragma once

#include <optional>
#include <string>

#include "services/metrics/metrics_service.h"

namespace carelog::gateway {

std::string MetricsJson(const metrics::AreaMetrics& m);
std::string SeriesJson(const metrics::AreaMetrics& m, metrics::MetricId metric,
                       const std::string& granularity);
// Header
// `area,period,metric,value,numerator,denominator,suppressed,baseline,target`.
std::string MetricsCsv(const metrics::AreaMetrics& m);
std::string PaymentsJson(const metrics::Payments& p);
std::string ConditionsJson(const metrics::ConditionsScorecard& s);

}  // namespace carelog::gateway
