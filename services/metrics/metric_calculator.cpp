#include "services/metrics/metric_calculator.h"

#include <algorithm>
#include <vector>

#include "services/metrics/contribution.h"

namespace carelog::metrics {
namespace {

int64_t Get(const Cells& cells, const std::string& key) {
  auto it = cells.find(key);
  return it == cells.end() ? 0 : it->second;
}

std::vector<std::string> MonthsOf(const Period& p) {
  std::vector<std::string> out;
  Ymd first = ToYmd(p.first);
  for (int i = 0; i < p.months; ++i) {
    int m = first.month - 1 + i;
    out.push_back(MonthLabel(DateFromYmd(first.year + m / 12, m % 12 + 1, 1)));
  }
  return out;
}

int64_t SumMonths(const MetricContext& c, const std::string& component,
                  const std::string& field) {
  int64_t sum = 0;
  for (const std::string& m : MonthsOf(c.period)) {
    sum +=
        Get(*c.cells, component + "|" + m + (field.empty() ? "" : "|" + field));
  }
  return sum;
}

std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t bar = s.find('|', start);
    out.emplace_back(
        s.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

// Delayed days in the period: closed days from the month cells, open delays
// counted up to the instant asked.
DelayBreakdown DelayedDays(const MetricContext& c) {
  DelayBreakdown b;
  for (const char* agency : {"NHS", "SOCIAL_CARE", "BOTH", kUnrecorded})
    b.by_agency[agency] = 0;
  for (const char* reason :
       {"A", "B", "C", "D1", "D2", "E", "F", "G", "H", "I", kUnrecorded}) {
    b.by_reason[reason] = 0;
  }
  for (const std::string& m : MonthsOf(c.period)) {
    std::string prefix = "dd|" + m + "|";
    for (auto it = c.cells->lower_bound(prefix); it != c.cells->end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      auto parts = Split(std::string_view(it->first).substr(prefix.size()));
      if (parts.size() != 2) continue;
      (parts[0] == "ag" ? b.by_agency : b.by_reason)[parts[1]] += it->second;
    }
  }
  int last_counted =
      LondonDate(c.instant).days - 1;  // the last day whose midnight has passed
  for (auto it = c.cells->lower_bound("ddo|"); it != c.cells->end(); ++it) {
    if (it->first.compare(0, 4, "ddo|") != 0) break;
    auto parts = Split(std::string_view(it->first).substr(4));
    if (parts.size() != 4) continue;
    Instant since = std::stoll(parts[2]);
    int adult_from = std::stoi(parts[3]);
    const Date first = FirstDayEndingAtOrAfter(since);
    int from = std::max({first.days, c.period.first.days, adult_from});
    int to = std::min(last_counted, c.period.last.days);
    if (to < from) continue;
    int64_t days = static_cast<int64_t>(to - from + 1) * it->second;
    b.by_agency[parts[0]] += days;
    b.by_reason[parts[1]] += days;
  }
  return b;
}

struct Coverage {
  int64_t with = 0;
  int64_t all = 0;
  int64_t start_days_without = 0;
};

Coverage PackageCoverage(const MetricContext& c) {
  Coverage out;
  std::string last = MonthLabel(c.period.last);
  int last_index = MonthIndex(c.period.last);
  out.all = Get(*c.cells, "apc|" + last + "|den");
  out.with = Get(*c.cells, "apc|" + last + "|num");
  out.start_days_without = Get(*c.cells, "apc|" + last + "|nsd");
  for (auto it = c.cells->lower_bound("apc"); it != c.cells->end(); ++it) {
    bool open = it->first.compare(0, 5, "apco|") == 0;
    bool sums = it->first.compare(0, 5, "apcs|") == 0;
    if (!open && !sums) {
      if (it->first.compare(0, 3, "apc") != 0) break;
      continue;
    }
    auto parts = Split(std::string_view(it->first).substr(5));
    if (std::stoi(parts[0]) > last_index) continue;
    if (sums) {
      out.start_days_without += it->second;
    } else {
      out.all += it->second;
      if (parts.size() > 1 && parts[1] == "1") out.with += it->second;
    }
  }
  return out;
}

void Percent(MetricValue& v, int64_t num, int64_t den) {
  v.numerator = num;
  v.denominator = den;
  v.counts = {num, den};
  if (den > 0) v.value = Fraction(static_cast<Int128>(num) * 100, den);
}

void PerPopulation(MetricValue& v, int64_t count,
                   std::optional<int64_t> population, bool has_data,
                   int months = 1) {
  v.numerator = count;
  v.denominator = population;
  v.denominator_is_population = true;
  v.counts = {count};
  if (has_data && population && *population > 0) {
    v.value = Fraction(static_cast<Int128>(count) * 100000,
                       static_cast<Int128>(*population) * months);
  }
}

}  // namespace

std::pair<int64_t, int64_t> CountWeekendDays(const Period& period) {
  int64_t weekend = 0;
  for (Date d = period.first; d <= period.last; ++d.days) {
    if (IsWeekendDay(d)) ++weekend;
  }
  return {weekend, period.last.days - period.first.days + 1 - weekend};
}

namespace {

MetricValue ComputeWithDelays(MetricId id, const MetricContext& c,
                              const DelayBreakdown& delays) {
  MetricValue v;
  v.metric = id;
  if (LondonStartOfDay(c.period.first) > c.instant)
    return v;  // a period yet to come
  const std::string label = c.period.label;
  int64_t delayed_days = 0;
  for (const auto& [agency, days] : delays.by_agency) delayed_days += days;
  bool has_data = Get(*c.cells, "nv|" + label + "|den") > 0 || delayed_days > 0;
  std::optional<int64_t> all_ages, adults, aged65, aged18to64;
  if (c.population) {
    const auto& p = *c.population;
    all_ages = p.age0to17() + p.age18to64() + p.age65plus();
    adults = p.age18to64() + p.age65plus();
    aged65 = p.age65plus();
    aged18to64 = p.age18to64();
  }
  switch (id) {
    case MetricId::kNonElectiveAdmissions: {
      int64_t n = SumMonths(c, "nea", "");
      v.numerator = n;
      v.denominator = all_ages;
      v.denominator_is_population = true;
      v.counts = {n};
      if (has_data) {
        v.value = Fraction::Of(n);
        if (all_ages && *all_ages > 0)
          v.rate_per_100k =
              Fraction(static_cast<Int128>(n) * 100000, *all_ages);
      }
      break;
    }
    case MetricId::kAeAttendances: {
      int64_t n = SumMonths(c, "ae", "");
      v.numerator = n;
      v.counts = {n};
      if (has_data) v.value = Fraction::Of(n);
      break;
    }
    case MetricId::kPermanentAdmissions65:
      PerPopulation(v, Get(*c.cells, "pa65|" + label), aged65, has_data);
      break;
    case MetricId::kPermanentAdmissions18to64:
      PerPopulation(v, Get(*c.cells, "pa18|" + label), aged18to64, has_data);
      break;
    case MetricId::kDelayedDays:
      PerPopulation(v, delayed_days, adults, has_data, c.period.months);
      v.breakdown = delays;
      break;
    case MetricId::kReablement91:
      Percent(v, SumMonths(c, "rb", "num"), SumMonths(c, "rb", "den"));
      break;
    case MetricId::kPatientExperience:
      Percent(v, SumMonths(c, "px", "num"), SumMonths(c, "px", "den"));
      break;
    case MetricId::kNhsNumberVerified:
      Percent(v, Get(*c.cells, "nv|" + label + "|num"),
              Get(*c.cells, "nv|" + label + "|den"));
      break;
    case MetricId::kAccountableProfessionalCoverage: {
      Coverage cov = PackageCoverage(c);
      Percent(v, cov.with, cov.all);
      break;
    }
    case MetricId::kJointAssessmentCoverage:
      Percent(v, SumMonths(c, "jac", "num"), SumMonths(c, "jac", "den"));
      break;
    case MetricId::kUrgentResponse24h:
      Percent(v, SumMonths(c, "ur", "num"), SumMonths(c, "ur", "den"));
      break;
    case MetricId::kWeekendDischargeRatio: {
      int64_t we = SumMonths(c, "wd", "we");
      int64_t wk = SumMonths(c, "wd", "wk");
      v.numerator = we;
      v.denominator = wk;
      v.counts = {we, wk};
      // Of a period in progress (now or as of an instant in it), the days
      // begun by then: no discharge can fall on the days still to come.
      Period so_far = c.period;
      so_far.last = std::min(c.period.last, LondonDate(c.instant - 1));
      auto [weekend_days, other_days] = CountWeekendDays(so_far);
      if (wk > 0 && weekend_days > 0) {
        v.value = Fraction(static_cast<Int128>(we) * other_days,
                           static_cast<Int128>(wk) * weekend_days);
      }
      break;
    }
  }
  return v;
}

}  // namespace

MetricValue ComputeMetric(MetricId id, const MetricContext& c) {
  return ComputeWithDelays(id, c, DelayedDays(c));
}

std::vector<MetricValue> ComputeMetrics(std::span<const MetricId> ids,
                                        const MetricContext& c) {
  // Delayed days (a scan of the open delays) are needed by every metric's
  // "has data": count them once.
  const DelayBreakdown delays = DelayedDays(c);
  std::vector<MetricValue> out;
  out.reserve(ids.size());
  for (MetricId id : ids) out.push_back(ComputeWithDelays(id, c, delays));
  return out;
}

std::vector<MetricValue> ComputeAllMetrics(const MetricContext& c) {
  return ComputeMetrics(kAllMetrics, c);
}

UnassignedPackages ComputeUnassignedPackages(const MetricContext& c) {
  Coverage cov = PackageCoverage(c);
  UnassignedPackages out;
  out.count = cov.all - cov.with;
  int end = std::min(c.period.last.days + 1, LondonDate(c.instant).days);
  out.total_days =
      std::max<int64_t>(0, out.count * end - cov.start_days_without);
  return out;
}

std::pair<int64_t, int64_t> ComputeWeekendAssessments(const MetricContext& c) {
  return {SumMonths(c, "ja", "we"), SumMonths(c, "ja", "all")};
}

}  // namespace carelog::metrics
