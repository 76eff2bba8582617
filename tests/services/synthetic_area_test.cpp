#include "services/synthetic_area.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "carelog/events.pb.h"
#include "services/calendar.h"
#include "services/rules.h"

namespace carelog {
namespace {

bool ValidNhs(const std::string& n) {
  if (n.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i)
    sum += (n[static_cast<size_t>(i)] - '0') * (10 - i);
  const int c = 11 - sum % 11;
  return c != 10 && (c == 11 ? 0 : c) == n[9] - '0';
}

// Figures of the generated area computed straight from its events, by SPEC.md's
// definitions.
struct Figures {
  double emergency_per_100k_year = 0;
  double care_home65_per_100k_year = 0;
  double delayed_days_per_100k_adults_month = 0;
  double reablement_at_home_percent = 0;
  double reablement_people = 0;  // the metric's denominator, both years
  double weekend_ratio = 0;
  std::map<std::string, double> delayed_days_by_agency;
  int late = 0;       // events recorded after an event of the same person that
                      // occurred later
  int retracted = 0;  // retractions
  int registered_first = 0;
};

Figures Measure(const SyntheticArea& area) {
  Figures f;
  const auto& pop2014 = area.area.population(1);  // mid-2014
  EXPECT_EQ(pop2014.year(), 2014);
  const double all = static_cast<double>(
      pop2014.age0to17() + pop2014.age18to64() + pop2014.age65plus());
  const double adults =
      static_cast<double>(pop2014.age18to64() + pop2014.age65plus());
  const double old = static_cast<double>(pop2014.age65plus());
  double emergency = 0, delayed_days = 0, weekend = 0, weekday = 0;
  double reablement = 0, at_home = 0;
  std::set<std::pair<std::string, int>>
      care_home_people;  // (person, financial year)
  for (const SyntheticPerson& person : area.people) {
    Date birth;
    struct Spell {
      Instant ready = 0;
      Instant discharged = 0;
      int destination = 0;
      std::vector<std::pair<Instant, int>> delays;
      int follow_up = 0;
    };
    std::map<std::string, Spell> spells;
    Instant latest = 0;
    for (size_t i = 0; i < person.events.size(); ++i) {
      schema::CareEvent e;
      EXPECT_TRUE(e.ParseFromString(person.events[i].body));
      const Instant at = ParseRfc3339(e.occurred_at()).value();
      EXPECT_LE(at, person.events[i].recorded_at);
      if (at < latest) ++f.late;
      latest = std::max(latest, at);
      if (i == 0) {
        f.registered_first += e.has_person_registered();
        birth = ParseDate(e.person_registered().birth_date()).value();
      }
      const int age = AgeOn(birth, LondonDate(at));
      if (e.has_hospital_admitted() &&
          e.hospital_admitted().method() != schema::AdmissionMethod::ELECTIVE) {
        ++emergency;
      }
      if (e.has_ready_for_discharge())
        spells[e.ready_for_discharge().spell_id()].ready = at;
      if (e.has_discharge_delay_recorded()) {
        spells[e.discharge_delay_recorded().spell_id()].delays.push_back(
            {at, e.discharge_delay_recorded().agency()});
      }
      if (e.has_discharged()) {
        auto& s = spells[e.discharged().spell_id()];
        s.discharged = at;
        s.destination = e.discharged().destination();
        if (s.destination != schema::Destination::DIED) {
          (IsWeekendDay(LondonDate(at)) ? weekend : weekday) += 1;
        }
      }
      if (e.has_follow_up_recorded()) {
        spells[e.follow_up_recorded().spell_id()].follow_up =
            e.follow_up_recorded().status();
      }
      if (e.has_care_home_admitted() && e.care_home_admitted().permanent() &&
          e.care_home_admitted().council_supported() && age >= 65) {
        care_home_people.insert(
            {person.nhs_number, FinancialYearOf(LondonDate(at))});
      }
      if (e.has_event_retracted()) ++f.retracted;
    }
    for (const auto& [id, s] : spells) {
      if (s.ready != 0 && s.discharged != 0) {
        for (Date d = LondonDate(s.ready); d < LondonDate(s.discharged);
             d.days += 1) {
          if (AgeOn(birth, d) < 18) continue;
          delayed_days += 1;
          std::string agency = "UNRECORDED";
          for (const auto& [when, a] : s.delays) {
            if (when < LondonStartOfDay(Date{d.days + 1})) {
              agency = schema::Agency::Value_Name(a);
            }
          }
          f.delayed_days_by_agency[agency] += 1;
        }
      }
      const Ymd discharged = ToYmd(LondonDate(s.discharged));
      if ((s.destination == schema::Destination::REABLEMENT ||
           s.destination == schema::Destination::REHABILITATION_BED) &&
          discharged.month >= 10 &&
          AgeOn(birth, LondonDate(s.discharged)) >= 65) {
        reablement += 1;
        at_home += s.follow_up == schema::FollowUpStatus::AT_HOME;
      }
    }
  }
  f.emergency_per_100k_year = emergency / 2 / all * 1e5;
  f.care_home65_per_100k_year =
      static_cast<double>(care_home_people.size()) / 2 / old * 1e5;
  f.delayed_days_per_100k_adults_month = delayed_days / 24 / adults * 1e5;
  f.reablement_at_home_percent = 100 * at_home / reablement;
  f.reablement_people = reablement;
  double weekend_days = 0, other_days = 0;
  for (Date d = DateFromYmd(2014, 4, 1); d <= DateFromYmd(2016, 3, 31);
       d.days += 1) {
    (IsWeekendDay(d) ? weekend_days : other_days) += 1;
  }
  f.weekend_ratio = (weekend / weekend_days) / (weekday / other_days);
  return f;
}

class SyntheticAreaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SyntheticAreaOptions options;
    options.scale = 0.2;  // 37,000 residents: enough for the rates to settle
    area_ = new SyntheticArea(GenerateSyntheticArea(options));
  }
  static void TearDownTestSuite() { delete area_; }
  static SyntheticArea* area_;
};
SyntheticArea* SyntheticAreaTest::area_ = nullptr;

TEST_F(SyntheticAreaTest,
       PeopleHaveValidDistinctTestNhsNumbersAndRegisterFirst) {
  std::set<std::string> seen;
  for (const auto& p : area_->people) {
    EXPECT_TRUE(ValidNhs(p.nhs_number)) << p.nhs_number;
    EXPECT_EQ(p.nhs_number.substr(0, 3), "999");
    EXPECT_TRUE(seen.insert(p.nhs_number).second);
  }
  EXPECT_EQ(area_->people.size(), 37000u);
  EXPECT_EQ(area_->area.population_size(), 4);  // mid-2013 to mid-2016
  const auto& p = area_->area.population(1);
  const double all =
      static_cast<double>(p.age0to17() + p.age18to64() + p.age65plus());
  EXPECT_NEAR(static_cast<double>(p.age65plus()) / all, 0.11, 0.02);
}

TEST_F(SyntheticAreaTest, RatesAreThoseOfARealBorough) {
  const Figures f = Measure(*area_);
  EXPECT_EQ(f.registered_first, static_cast<int>(area_->people.size()));
  EXPECT_GT(f.emergency_per_100k_year, 7500);
  EXPECT_LT(f.emergency_per_100k_year, 10500);
  EXPECT_GT(f.care_home65_per_100k_year, 500);
  EXPECT_LT(f.care_home65_per_100k_year, 800);
  EXPECT_GT(f.delayed_days_per_100k_adults_month, 240);
  EXPECT_LT(f.delayed_days_per_100k_adults_month, 360);
  for (const char* agency : {"NHS", "SOCIAL_CARE", "BOTH", "UNRECORDED"}) {
    EXPECT_GT(f.delayed_days_by_agency.at(agency), 0) << agency;
  }
  EXPECT_GT(f.reablement_at_home_percent, 76);
  EXPECT_LT(f.reablement_at_home_percent, 88);
  EXPECT_GT(f.weekend_ratio, 0.4);
  EXPECT_LT(f.weekend_ratio, 0.95);
  EXPECT_GT(f.late, 100);
  EXPECT_GT(f.retracted, 5);
  std::cout << "emergency " << f.emergency_per_100k_year << " care home 65+ "
            << f.care_home65_per_100k_year << " delayed days "
            << f.delayed_days_per_100k_adults_month << " reablement "
            << f.reablement_at_home_percent << " weekend " << f.weekend_ratio
            << " late " << f.late << " retracted " << f.retracted << " events "
            << area_->event_count << "\n";
}

TEST_F(SyntheticAreaTest, StreamsAreSkewed) {
  std::vector<size_t> sizes;
  for (const auto& p : area_->people) sizes.push_back(p.events.size());
  std::sort(sizes.begin(), sizes.end());
  EXPECT_LE(sizes[sizes.size() / 2], 3u);  // most histories are short
  EXPECT_GE(sizes.back(), 40u);            // a few are long
}

TEST_F(SyntheticAreaTest,
       RecordingOrderNeverPrecedesOccurrenceAndPlansCoverBothSchemes) {
  for (const auto& p : area_->people) {
    for (size_t i = 1; i < p.events.size(); ++i) {
      EXPECT_LE(p.events[i - 1].recorded_at, p.events[i].recorded_at);
    }
    EXPECT_LE(p.events.back().recorded_at, SyntheticEnd());
  }
  ASSERT_EQ(area_->plans.size(), 2u);
  int unit_cost = 0, fixed = 0;
  for (const auto& [year, plan] : area_->plans) {
    for (const auto& t : plan.tranches()) {
      if (t.has_unit_cost_gbp()) {
        ++unit_cost;
        EXPECT_EQ(t.unit_cost_gbp(), 1490);
        ASSERT_EQ(t.metrics_size(), 1);
        EXPECT_EQ(t.metrics(0).metric(), "nonElectiveAdmissions");
      } else {
        ++fixed;
        EXPECT_GT(t.amount_gbp(), 0);
      }
      for (const auto& m : t.metrics()) {
        bool targeted = false;
        for (const auto& target : plan.targets()) {
          targeted |=
              target.metric() == m.metric() && target.period() == t.period();
        }
        EXPECT_TRUE(targeted) << year << " " << t.id() << " " << m.metric();
      }
    }
  }
  EXPECT_EQ(unit_cost, 4);  // 2014-15-Q4 and 2015-16-Q1..Q3
  EXPECT_EQ(fixed, 3);
}

// The demo borough itself (scale 1.0, what `carelog demo` loads) lands near
// the figures issue 6 asks for, over its two years. Reablement's denominator
// (65+, discharged October to December) is about 270 people a year, so a
// single year's figure moves a few points either way by chance; both years
// together are held to 82% ± 2.5.
TEST(SyntheticDemoBorough, LandsNearTheFiguresOfTheIssue) {
  const SyntheticArea area = GenerateSyntheticArea(SyntheticAreaOptions{});
  const Figures f = Measure(area);
  std::cout << "demo borough: emergency " << f.emergency_per_100k_year
            << " care home 65+ " << f.care_home65_per_100k_year
            << " delayed days " << f.delayed_days_per_100k_adults_month
            << " reablement " << f.reablement_at_home_percent << " of "
            << f.reablement_people << " weekend " << f.weekend_ratio
            << " events " << area.event_count << "\n";
  EXPECT_NEAR(f.emergency_per_100k_year, 9000, 600);
  EXPECT_NEAR(f.care_home65_per_100k_year, 650, 75);
  EXPECT_NEAR(f.delayed_days_per_100k_adults_month, 300, 30);
  EXPECT_GT(f.reablement_people, 400);
  EXPECT_NEAR(f.reablement_at_home_percent, 82, 2.5);
  EXPECT_LT(f.weekend_ratio, 0.9);  // weekend discharges below weekday ones
  EXPECT_GT(f.weekend_ratio, 0.4);
  double days = 0;
  for (const auto& [agency, n] : f.delayed_days_by_agency) days += n;
  for (const char* agency : {"NHS", "SOCIAL_CARE", "BOTH"}) {
    EXPECT_GT(f.delayed_days_by_agency.at(agency) / days, 0.05) << agency;
  }
}

// What `carelog demo` loads passes the rules: every person's events, sent in
// recording order, are accepted one after another (SPEC.md: a request's
// events are checked in order against the history they build). A readmission
// recorded before the last discharge was refused at full scale only.
TEST(SyntheticDemoBorough, EveryPersonPassesTheRulesInRecordingOrder) {
  const SyntheticArea area = GenerateSyntheticArea(SyntheticAreaOptions{});
  const Instant now = *ParseRfc3339("2030-01-01T00:00:00Z");
  size_t refused = 0;
  for (const SyntheticPerson& person : area.people) {
    std::vector<schema::CareEvent> events(person.events.size());
    for (size_t i = 0; i < events.size(); ++i)
      events[i].ParseFromString(person.events[i].body);
    Status s = CheckRules(PersonState(), events, now);
    if (!s.ok() && ++refused <= 3)
      ADD_FAILURE() << person.nhs_number << ": " << s.ToString();
  }
  EXPECT_EQ(refused, 0u);
}

TEST(SyntheticAreaDeterminism, SameSeedSameBytesOtherSeedOtherArea) {
  SyntheticAreaOptions options;
  options.scale = 0.005;
  const SyntheticArea a = GenerateSyntheticArea(options);
  const SyntheticArea b = GenerateSyntheticArea(options);
  ASSERT_EQ(a.people.size(), b.people.size());
  for (size_t i = 0; i < a.people.size(); ++i) {
    ASSERT_EQ(a.people[i].events.size(), b.people[i].events.size());
    for (size_t j = 0; j < a.people[i].events.size(); ++j) {
      EXPECT_EQ(a.people[i].events[j].body, b.people[i].events[j].body);
      EXPECT_EQ(a.people[i].events[j].recorded_at,
                b.people[i].events[j].recorded_at);
    }
  }
  options.seed += 1;
  const SyntheticArea c = GenerateSyntheticArea(options);
  EXPECT_NE(a.event_count, c.event_count);
}

}  // namespace
}  // namespace carelog

namespace carelog {
namespace {

// Every event of a generated area occurs inside the generated span: an
// arrival drawn so far ahead that its instant would overflow (a rare rate
// drawing a gap of millennia) must mean "never", not wrap to a time before
// 1900. Seed and scale of a benchmark borough where that once happened.
TEST(SyntheticAreaSpanTest, NoEventOccursOutsideTheGeneratedSpan) {
  SyntheticAreaOptions options;
  options.seed = 20140401 + 472;
  options.scale = 0.5;
  options.area_code = "E09000472";
  const SyntheticArea area = GenerateSyntheticArea(options);
  const Instant earliest = ParseRfc3339("1900-01-01T00:00:00Z").value();
  size_t checked = 0;
  for (const SyntheticPerson& person : area.people) {
    for (const SyntheticEvent& e : person.events) {
      schema::CareEvent event;
      ASSERT_TRUE(event.ParseFromString(e.body));
      auto at = ParseRfc3339(event.occurred_at());
      ASSERT_TRUE(at.ok()) << person.nhs_number << ": " << event.occurred_at();
      EXPECT_GE(*at, earliest) << person.nhs_number;
      EXPECT_LE(*at, SyntheticEnd()) << person.nhs_number;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100000u);
}

}  // namespace
}  // namespace carelog
