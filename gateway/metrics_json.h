// JSON and CSV renderings of metrics, series, payments and the conditions
// scorecard (API.md "Metrics and payments"). Written by hand rather than
// through protobuf's JSON mapping because the contract needs explicit nulls (a
// withheld value is `null`, not absent) and money with exactly two decimals.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "services/metrics/metrics_service.h"

namespace carelog::gateway {

// `asOf` is printed as `as_of_given` when the client gave it (their spelling
// of the same instant, so the answer compares equal to what was asked), else
// as the instant in UTC, or null for the present.
std::string MetricsJson(const metrics::AreaMetrics& m,
                        std::string_view as_of_given = {});
std::string SeriesJson(const metrics::AreaMetrics& m, metrics::MetricId metric,
                       const std::string& granularity,
                       std::string_view as_of_given = {});
// Header
// `area,period,metric,value,numerator,denominator,suppressed,baseline,target`.
std::string MetricsCsv(const metrics::AreaMetrics& m);
std::string PaymentsJson(const metrics::Payments& p,
                         std::string_view as_of_given = {});
std::string ConditionsJson(const metrics::ConditionsScorecard& s,
                           std::string_view as_of_given = {});

}  // namespace carelog::gateway
