#include "services/synthetic_area.h"

#include <array>
#include <cmath>
#include <map>

#include "services/synthetic_person.h"
#include "services/synthetic_plans.h"
#include "services/synthetic_random.h"

namespace carelog {
namespace {

// Share of residents by age band (0-17, 18-64, 65-74, 75-84, 85+) and the
// band's ages.
constexpr std::array<double, 5> kBandShare = {0.24, 0.645, 0.06, 0.038, 0.017};
constexpr std::array<int, 5> kBandLow = {0, 18, 65, 75, 85};
constexpr std::array<int, 5> kBandHigh = {17, 64, 74, 84, 99};

int CheckDigit(uint64_t base9) {
  int sum = 0;
  for (int weight = 2; weight <= 10; ++weight) {
    sum += static_cast<int>(base9 % 10) * weight;
    base9 /= 10;
  }
  const int c = 11 - sum % 11;
  return c == 11 ? 0 : c;
}

}  // namespace

Instant SyntheticStart() { return LondonStartOfDay(DateFromYmd(2014, 4, 1)); }
Instant SyntheticEnd() {
  return LondonStartOfDay(DateFromYmd(2016, 4, 1)) - 1'000'000;
}

std::string NextTestNhsNumber(uint64_t* cursor) {
  while (true) {
    const uint64_t base9 = 999'000'000 + (*cursor % 1'000'000);
    ++*cursor;
    const int check = CheckDigit(base9);
    if (check == 10) continue;
    return std::to_string(base9) + static_cast<char>('0' + check);
  }
}

SyntheticArea GenerateSyntheticArea(const SyntheticAreaOptions& options) {
  SyntheticArea out;
  out.area_code = options.area_code;
  const int64_t residents = std::max<int64_t>(
      1, std::llround(static_cast<double>(options.residents) * options.scale));
  SyntheticRandom rng(Mix64(options.seed ^ 0x2014));
  uint64_t cursor = options.first_nhs_index;
  const Instant start = SyntheticStart();
  const Instant end = SyntheticEnd();
  const Date start_date = LondonDate(start);

  // population[year] = {0-17, 18-64, 65+} at 30 June of that year.
  std::map<int, std::array<int64_t, 3>> population;
  out.people.reserve(static_cast<size_t>(residents));
  for (int64_t i = 0; i < residents; ++i) {
    const int band = rng.Pick(kBandShare);
    const int age = kBandLow[static_cast<size_t>(band)] +
                    static_cast<int>(rng.Below(static_cast<uint64_t>(
                        kBandHigh[static_cast<size_t>(band)] -
                        kBandLow[static_cast<size_t>(band)] + 1)));
    // Born on a random day such that they are `age` on 1 April 2014.
    const Date birth{start_date.days - age * 365 -
                     static_cast<int32_t>(rng.Below(365)) - 1};
    SyntheticPersonSpec spec;
    spec.seed =
        Mix64(options.seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(i));
    spec.nhs_number = NextTestNhsNumber(&cursor);
    spec.area_code = options.area_code;
    spec.birth_date = birth;
    spec.registered_at = start;
    spec.end = end;
    SyntheticPersonOutcome person = GenerateSyntheticPerson(spec);
    for (int year = 2013; year <= 2016; ++year) {
      const Date mid = DateFromYmd(year, 6, 30);
      if (person.died_at != 0 && LondonDate(person.died_at) <= mid) continue;
      const int age_then = AgeOn(birth, mid);
      auto& counts = population[year];
      counts[age_then < 18 ? 0 : (age_then < 65 ? 1 : 2)] += 1;
    }
    out.event_count += person.person.events.size();
    out.people.push_back(std::move(person.person));
  }

  out.area.set_name(options.name);
  for (const auto& [year, counts] : population) {
    auto* p = out.area.add_population();
    p->set_year(year);
    p->set_age0to17(counts[0]);
    p->set_age18to64(counts[1]);
    p->set_age65plus(counts[2]);
  }
  out.plans = SyntheticPlans(out, static_cast<double>(residents));
  return out;
}

}  // namespace carelog
