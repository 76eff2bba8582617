// The outcome metrics of SPEC.md "Outcome metrics": their ids, directions and
// the unit of their value. The order of kAllMetrics is the order of every
// listing (API entries, CSV rows).
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace carelog::metrics {

enum class MetricId {
  kNonElectiveAdmissions,
  kPermanentAdmissions65,
  kPermanentAdmissions18to64,
  kReablement91,
  kDelayedDays,
  kAeAttendances,
  kPatientExperience,
  kNhsNumberVerified,
  kAccountableProfessionalCoverage,
  kJointAssessmentCoverage,
  kWeekendDischargeRatio,
  kUrgentResponse24h,
};

enum class Direction { kLower, kHigher };

// What the headline value is: a count of events, a rate per 100,000 population,
// a per cent, or a ratio.
enum class ValueKind { kCount, kRatePer100k, kPercent, kRatio };

inline constexpr std::array<MetricId, 12> kAllMetrics = {
    MetricId::kNonElectiveAdmissions,
    MetricId::kPermanentAdmissions65,
    MetricId::kPermanentAdmissions18to64,
    MetricId::kReablement91,
    MetricId::kDelayedDays,
    MetricId::kAeAttendances,
    MetricId::kPatientExperience,
    MetricId::kNhsNumberVerified,
    MetricId::kAccountableProfessionalCoverage,
    MetricId::kJointAssessmentCoverage,
    MetricId::kWeekendDischargeRatio,
    MetricId::kUrgentResponse24h,
};

// The id of SPEC.md, e.g. "nonElectiveAdmissions".
std::string_view MetricName(MetricId id);
// The metric with this id, or nullopt.
std::optional<MetricId> ParseMetricId(std::string_view name);
Direction MetricDirection(MetricId id);
std::string_view DirectionName(Direction direction);  // "LOWER" / "HIGHER"
ValueKind MetricValueKind(MetricId id);

}  // namespace carelog::metrics
