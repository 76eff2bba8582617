#include "services/metrics/payment_calculator.h"

#include <cmath>
#include <cstdio>

namespace carelog::metrics {
namespace {

const Fraction kZero = Fraction::Of(0);
const Fraction kOne = Fraction::Of(1);

Fraction Clamp01(const Fraction& f) {
  if (Compare(f, kZero) < 0) return kZero;
  if (Compare(f, kOne) > 0) return kOne;
  return f;
}

// a / b in exact arithmetic, or via long double when 128 bits do not suffice.
Fraction Ratio(const Fraction& a, const Fraction& b) {
  if (auto r = Div(a, b)) return *r;
  long double v = static_cast<long double>(a.ToDouble()) /
                  static_cast<long double>(b.ToDouble());
  return Fraction(static_cast<Int128>(std::llround(v * 1e15L)),
                  static_cast<Int128>(1e15));
}

Fraction Minus(const Fraction& a, const Fraction& b) {
  if (auto r = Sub(a, b)) return *r;
  long double v = static_cast<long double>(a.ToDouble()) -
                  static_cast<long double>(b.ToDouble());
  return Fraction(static_cast<Int128>(std::llround(v * 1e6L)), 1'000'000);
}

}  // namespace

Fraction MetricAchievement(Direction direction, const Fraction& baseline,
                           const Fraction& target,
                           const std::optional<Fraction>& actual) {
  if (!actual) return kZero;
  bool lower = direction == Direction::kLower;
  if (baseline == target) {
    int c = Compare(*actual, baseline);
    bool as_good = lower ? c <= 0 : c >= 0;
    return as_good ? kOne : kZero;
  }
  Fraction gained = lower ? Minus(baseline, *actual) : Minus(*actual, baseline);
  Fraction planned = lower ? Minus(baseline, target) : Minus(target, baseline);
  return Clamp01(Ratio(gained, planned));
}

Result<TrancheResult> PaymentCalculator::Calculate(
    const TrancheInput& tranche) {
  if (tranche.metrics.empty()) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id + " names no metric");
  }
  if (tranche.amount_pence.has_value() == tranche.unit_cost_pence.has_value()) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id +
                      " needs exactly one of amountGbp and unitCostGbp");
  }
  if (tranche.unit_cost_pence && tranche.metrics.size() != 1) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id +
                      " has a unitCostGbp and so exactly one metric");
  }
  TrancheResult result;
  result.id = tranche.id;
  result.period = tranche.period;
  if (tranche.amount_pence) {
    result.pot_pence = *tranche.amount_pence;
  } else {
    const TrancheMetricInput& m = tranche.metrics.front();
    Fraction diff = Minus(m.baseline, m.target);
    if (Compare(diff, kZero) < 0) diff = Fraction(-diff.num(), diff.den());
    auto pot = Mul(diff, Fraction::Of(*tranche.unit_cost_pence));
    result.pot_pence =
        pot ? static_cast<int64_t>(pot->RoundHalfUp())
            : std::llround(diff.ToDouble() *
                           static_cast<double>(*tranche.unit_cost_pence));
  }
  Fraction weighted_sum = kZero;
  Fraction weight_sum = kZero;
  for (const TrancheMetricInput& m : tranche.metrics) {
    TrancheMetricResult r{m.metric, m.weight, m.baseline,
                          m.target, m.actual, kZero};
    r.achievement = MetricAchievement(MetricDirection(m.metric), m.baseline,
                                      m.target, m.actual);
    auto term = Mul(m.weight, r.achievement);
    auto sum = term ? Add(weighted_sum, *term) : std::nullopt;
    auto wsum = Add(weight_sum, m.weight);
    if (!sum || !wsum) {
      return Status(Code::kInvalidArgument,
                    "tranche " + tranche.id + ": weights too precise");
    }
    weighted_sum = *sum;
    weight_sum = *wsum;
    result.metrics.push_back(r);
  }
  if (Compare(weight_sum, kZero) <= 0) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id + ": weights sum to zero");
  }
  result.achievement = Ratio(weighted_sum, weight_sum);
  if (auto earned = Mul(result.achievement, Fraction::Of(result.pot_pence))) {
    result.earned_pence = static_cast<int64_t>(earned->RoundHalfUp());
  } else {
    result.earned_pence = std::llround(result.achievement.ToDouble() *
                                       static_cast<double>(result.pot_pence));
  }
  result.withheld_pence = result.pot_pence - result.earned_pence;
  result.recovery_plan_required =
      Compare(result.achievement, Fraction(7, 10)) < 0;
  return result;
}

std::string PenceToPounds(int64_t pence) {
  char buf[40];
  int64_t a = pence < 0 ? -pence : pence;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", pence < 0 ? "-" : "",
                static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  return buf;
}

int64_t PoundsToPence(double pounds) { return std::llround(pounds * 100.0); }

}  // namespace carelog::metrics
