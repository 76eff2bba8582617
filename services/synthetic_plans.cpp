#include "services/synthetic_plans.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace carelog {
namespace {

constexpr double kUnitCostGbp = 1490;

std::string MonthLabel(int year, int month) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

// Emergency and transfer admissions by month label.
std::map<std::string, double> NonElectiveByMonth(const SyntheticArea& area) {
  std::map<std::string, double> counts;
  schema::CareEvent e;
  for (const SyntheticPerson& person : area.people) {
    for (const SyntheticEvent& ev : person.events) {
      if (!e.ParseFromString(ev.body) || !e.has_hospital_admitted()) continue;
      const auto method = e.hospital_admitted().method();
      if (method != schema::AdmissionMethod::EMERGENCY &&
          method != schema::AdmissionMethod::TRANSFER) {
        continue;
      }
      auto at = ParseRfc3339(e.occurred_at());
      if (!at.ok()) continue;
      const Ymd d = ToYmd(LondonDate(at.value()));
      counts[MonthLabel(d.year, d.month)] += 1;
    }
  }
  return counts;
}

void AddTarget(schema::Plan& plan, const std::string& metric,
               const std::string& period, double baseline, double target) {
  auto* t = plan.add_targets();
  t->set_metric(metric);
  t->set_period(period);
  t->set_baseline(baseline);
  t->set_target(target);
}

schema::Tranche* AddTranche(schema::Plan& plan, const std::string& id,
                            const std::string& period,
                            std::initializer_list<const char*> metrics) {
  auto* t = plan.add_tranches();
  t->set_id(id);
  t->set_period(period);
  for (const char* m : metrics) {
    auto* tm = t->add_metrics();
    tm->set_metric(m);
    tm->set_weight(1);
  }
  return t;
}

// Targets of the metrics other than admissions: (metric, baseline, target) per
// year.
struct FixedTarget {
  const char* metric;
  double baseline;
  double target;
};
constexpr FixedTarget kFixedTargets[] = {
    {"delayedDays", 320, 295},
    {"reablement91", 80, 83},
    {"permanentAdmissions65", 690, 650},
    {"permanentAdmissions18to64", 16, 14},
    {"patientExperience", 82, 85},
    {"aeAttendances", 0, 0},
    {"nhsNumberVerified", 90, 95},
    {"accountableProfessionalCoverage", 85, 95},
    {"jointAssessmentCoverage", 80, 90},
    {"weekendDischargeRatio", 0.6, 0.75},
    {"urgentResponse24h", 80, 90},
};

double Round(double x) { return std::round(x); }

schema::Plan PlanFor(int fy, const std::map<std::string, double>& months,
                     double residents) {
  schema::Plan plan;
  const double allocation = Round(residents * 75.7 / 1000) * 1000;
  const double performance = Round(allocation * 0.25 / 1000) * 1000;
  plan.set_allocation_gbp(allocation);
  plan.set_performance_element_gbp(performance);
  plan.mutable_conditions()->set_plans_jointly_agreed(true);
  plan.mutable_conditions()->set_social_care_protected(true);
  plan.mutable_conditions()->set_acute_impact_agreed(fy >= 2015);

  const std::string year =
      std::to_string(fy) + "-" + std::to_string((fy + 1) % 100);
  // Admissions: the plan expects 3.5% fewer than a baseline 3% above this
  // year's own figures.
  double year_actual = 0;
  for (int q = 1; q <= 4; ++q) {
    double quarter = 0;
    for (int k = 0; k < 3; ++k) {
      const int month = 4 + (q - 1) * 3 + k;
      const std::string label =
          MonthLabel(month > 12 ? fy + 1 : fy, month > 12 ? month - 12 : month);
      const auto it = months.find(label);
      const double actual = it == months.end() ? 0 : it->second;
      quarter += actual;
      const double base = Round(actual * 1.03);
      AddTarget(plan, "nonElectiveAdmissions", label, base,
                Round(base * 0.965));
      AddTarget(plan, "delayedDays", label, 320, 295);
    }
    year_actual += quarter;
    const double base = Round(quarter * (1.0 + 0.01 * ((q * 7 + fy) % 5)));
    AddTarget(plan, "nonElectiveAdmissions", year + "-Q" + std::to_string(q),
              base, Round(base * 0.965));
  }
  const double base = Round(year_actual * 1.03);
  AddTarget(plan, "nonElectiveAdmissions", year, base, Round(base * 0.965));
  for (const FixedTarget& t : kFixedTargets) {
    if (t.baseline == 0 && t.target == 0) continue;
    AddTarget(plan, t.metric, year, t.baseline, t.target);
  }

  if (fy == 2014) {
    // July 2014 scheme: the first quarterly tranche on admissions.
    AddTranche(plan, "2014-15-Q4", "2014-15-Q4", {"nonElectiveAdmissions"})
        ->set_unit_cost_gbp(kUnitCostGbp);
    // December 2013 scheme: 25% in April 2015 on 2014-15 metrics, 25% on the
    // conditions.
    AddTranche(plan, "apr-2015", year,
               {"delayedDays", "permanentAdmissions65", "reablement91",
                "patientExperience"})
        ->set_amount_gbp(Round(performance * 0.25));
    AddTranche(plan, "conditions", year,
               {"nhsNumberVerified", "accountableProfessionalCoverage",
                "jointAssessmentCoverage"})
        ->set_amount_gbp(Round(performance * 0.25));
  } else {
    for (int q = 1; q <= 3; ++q) {
      const std::string period = year + "-Q" + std::to_string(q);
      AddTranche(plan, period, period, {"nonElectiveAdmissions"})
          ->set_unit_cost_gbp(kUnitCostGbp);
    }
    // December 2013 scheme: 50% in October 2015 on all metrics.
    AddTranche(plan, "oct-2015", year,
               {"nonElectiveAdmissions", "delayedDays", "permanentAdmissions65",
                "reablement91", "patientExperience"})
        ->set_amount_gbp(Round(performance * 0.5));
  }
  return plan;
}

}  // namespace

std::vector<std::pair<std::string, schema::Plan>> SyntheticPlans(
    const SyntheticArea& area, double residents) {
  const auto months = NonElectiveByMonth(area);
  return {{"2014-15", PlanFor(2014, months, residents)},
          {"2015-16", PlanFor(2015, months, residents)}};
}

}  // namespace carelog
