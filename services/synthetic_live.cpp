#include "services/synthetic_live.h"

#include <array>
#include <cstdio>

#include "services/synthetic_person.h"
#include "services/synthetic_random.h"

namespace carelog {
namespace {

constexpr Instant kHour = 3'600'000'000LL;
constexpr Instant kDay = 24 * kHour;
constexpr std::array<const char*, 2> kSites = {"Queen's Hospital",
                                               "King George Hospital"};
constexpr std::array<const char*, 4> kNames = {"Ann Patel", "Brian Okafor",
                                               "Chloe Evans", "David Khan"};

class Person {
 public:
  Person(std::string nhs, uint64_t seed, Instant now)
      : rng_(seed), seed_(seed), now_(now) {
    person_.nhs_number = std::move(nhs);
  }
  SyntheticRandom& rng() { return rng_; }
  void Add(Instant at, schema::CareEvent e) {
    e.set_event_id(SyntheticUuid(Mix64(seed_ ^ (0x7157ULL * ++seq_))));
    e.set_occurred_at(FormatRfc3339London(at));
    person_.events.push_back({now_, e.SerializeAsString()});
  }
  SyntheticPerson Take() { return std::move(person_); }

 private:
  SyntheticRandom rng_;
  uint64_t seed_;
  Instant now_;
  uint64_t seq_ = 0;
  SyntheticPerson person_;
};

}  // namespace

std::vector<SyntheticPerson> GenerateLiveCohort(
    const LiveCohortOptions& options, Instant now) {
  std::vector<SyntheticPerson> out;
  const Date today = LondonDate(now);
  // Everything happens by 06:00 today or earlier, so that nothing is in the
  // future.
  const Instant anchor =
      std::min(now - kHour, LondonStartOfDay(today) + 6 * kHour);
  uint64_t cursor = options.first_nhs_index;
  for (int i = 0; i < options.people; ++i) {
    Person p(NextTestNhsNumber(&cursor),
             Mix64(options.seed ^ (static_cast<uint64_t>(today.days) << 20) ^
                   static_cast<uint64_t>(i)),
             now);
    auto& rng = p.rng();
    const Instant registered = anchor - 200 * kDay;
    schema::CareEvent reg;
    auto* r = reg.mutable_person_registered();
    r->set_birth_date(FormatDate(
        Date{today.days - 365 * (66 + static_cast<int>(rng.Below(28))) -
             static_cast<int>(rng.Below(365))}));
    r->set_area_code(options.area_code);
    r->set_gp_practice("F82001");
    r->set_nhs_number_status(schema::NhsNumberStatus::VERIFIED);
    p.Add(registered, std::move(reg));

    const int kind = i % 5;  // 0-2 in hospital now, 3 follow-up due, 4 package
                             // without a professional
    if (kind == 3) {
      const Instant admitted =
          anchor - (96 + static_cast<int>(rng.Below(20))) * kDay;
      schema::CareEvent a;
      a.mutable_hospital_admitted()->set_spell_id("S1");
      a.mutable_hospital_admitted()->set_provider("RF4");
      a.mutable_hospital_admitted()->set_site(kSites[rng.Below(kSites.size())]);
      a.mutable_hospital_admitted()->set_method(
          schema::AdmissionMethod::EMERGENCY);
      p.Add(admitted, std::move(a));
      schema::CareEvent d;
      d.mutable_discharged()->set_spell_id("S1");
      d.mutable_discharged()->set_destination(schema::Destination::REABLEMENT);
      p.Add(admitted + 4 * kDay, std::move(d));
      out.push_back(p.Take());
      continue;
    }
    if (kind == 4 || rng.Chance(0.5)) {
      const Instant started =
          anchor - (3 + static_cast<int>(rng.Below(40))) * kDay;
      schema::CareEvent s;
      s.mutable_care_package_started()->set_package_id("P1");
      s.mutable_care_package_started()->set_integrated(true);
      s.mutable_care_package_started()->set_scheme("ITF04");
      s.mutable_care_package_started()->set_pooled_budget(true);
      p.Add(started, std::move(s));
      if (kind != 4) {
        schema::CareEvent ap;
        auto* a = ap.mutable_accountable_professional_assigned();
        const uint64_t who = rng.Below(kNames.size());
        a->set_package_id("P1");
        a->set_professional_id("PRO" + std::to_string(300 + who));
        a->set_name(kNames[who]);
        a->set_role(who % 2 == 0 ? "Care coordinator" : "Community matron");
        a->set_organisation(who % 2 == 0 ? "Adult Social Care"
                                         : "Community Health Services");
        a->set_sector(who % 2 == 0 ? schema::Sector::SOCIAL_CARE
                                   : schema::Sector::HEALTH);
        char phone[32];
        std::snprintf(phone, sizeof phone, "020 8227 %04d",
                      static_cast<int>(1000 + rng.Below(9000)));
        a->set_phone(phone);
        p.Add(started + kDay, std::move(ap));
      }
      if (kind == 4) {
        out.push_back(p.Take());
        continue;
      }
    }
    const Instant ready =
        anchor -
        static_cast<Instant>(rng.Uniform(0.2, 14) * static_cast<double>(kDay));
    const Instant admitted =
        ready -
        static_cast<Instant>(rng.Uniform(1, 9) * static_cast<double>(kDay));
    schema::CareEvent a;
    a.mutable_hospital_admitted()->set_spell_id("S1");
    a.mutable_hospital_admitted()->set_provider("RF4");
    a.mutable_hospital_admitted()->set_site(kSites[rng.Below(kSites.size())]);
    a.mutable_hospital_admitted()->set_method(
        schema::AdmissionMethod::EMERGENCY);
    p.Add(admitted, std::move(a));
    schema::CareEvent rd;
    rd.mutable_ready_for_discharge()->set_spell_id("S1");
    p.Add(ready, std::move(rd));
    if (rng.Chance(0.7) && anchor - ready > 2 * kHour) {
      static constexpr std::array<schema::DelayReason::Value, 6> kReasons = {
          schema::DelayReason::A, schema::DelayReason::B,
          schema::DelayReason::C, schema::DelayReason::D1,
          schema::DelayReason::E, schema::DelayReason::G};
      static constexpr std::array<schema::Agency::Value, 6> kAgencies = {
          schema::Agency::BOTH,        schema::Agency::SOCIAL_CARE,
          schema::Agency::NHS,         schema::Agency::SOCIAL_CARE,
          schema::Agency::SOCIAL_CARE, schema::Agency::NHS};
      const size_t k = rng.Below(kReasons.size());
      schema::CareEvent d;
      d.mutable_discharge_delay_recorded()->set_spell_id("S1");
      d.mutable_discharge_delay_recorded()->set_reason(kReasons[k]);
      d.mutable_discharge_delay_recorded()->set_agency(kAgencies[k]);
      p.Add(ready + (anchor - ready) / 2, std::move(d));
    }
    out.push_back(p.Take());
  }
  return out;
}

}  // namespace carelog
