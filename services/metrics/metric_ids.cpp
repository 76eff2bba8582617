#include "services/metrics/metric_ids.h"

namespace carelog::metrics {

std::string_view MetricName(MetricId id) {
  switch (id) {
    case MetricId::kNonElectiveAdmissions:
      return "nonElectiveAdmissions";
    case MetricId::kPermanentAdmissions65:
      return "permanentAdmissions65";
    case MetricId::kPermanentAdmissions18to64:
      return "permanentAdmissions18to64";
    case MetricId::kReablement91:
      return "reablement91";
    case MetricId::kDelayedDays:
      return "delayedDays";
    case MetricId::kAeAttendances:
      return "aeAttendances";
    case MetricId::kPatientExperience:
      return "patientExperience";
    case MetricId::kNhsNumberVerified:
      return "nhsNumberVerified";
    case MetricId::kAccountableProfessionalCoverage:
      return "accountableProfessionalCoverage";
    case MetricId::kJointAssessmentCoverage:
      return "jointAssessmentCoverage";
    case MetricId::kWeekendDischargeRatio:
      return "weekendDischargeRatio";
    case MetricId::kUrgentResponse24h:
      return "urgentResponse24h";
  }
  return "";
}

std::optional<MetricId> ParseMetricId(std::string_view name) {
  for (MetricId id : kAllMetrics) {
    if (MetricName(id) == name) return id;
  }
  return std::nullopt;
}

Direction MetricDirection(MetricId id) {
  switch (id) {
    case MetricId::kNonElectiveAdmissions:
    case MetricId::kPermanentAdmissions65:
    case MetricId::kPermanentAdmissions18to64:
    case MetricId::kDelayedDays:
    case MetricId::kAeAttendances:
      return Direction::kLower;
    default:
      return Direction::kHigher;
  }
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kLower ? "LOWER" : "HIGHER";
}

ValueKind MetricValueKind(MetricId id) {
  switch (id) {
    case MetricId::kNonElectiveAdmissions:
    case MetricId::kAeAttendances:
      return ValueKind::kCount;
    case MetricId::kPermanentAdmissions65:
    case MetricId::kPermanentAdmissions18to64:
    case MetricId::kDelayedDays:
      return ValueKind::kRatePer100k;
    case MetricId::kWeekendDischargeRatio:
      return ValueKind::kRatio;
    default:
      return ValueKind::kPercent;
  }
}

}  // namespace carelog::metrics
