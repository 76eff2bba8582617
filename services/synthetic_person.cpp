#include "services/synthetic_person.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>

#include "services/synthetic_random.h"

namespace carelog {
namespace {

constexpr Instant kMinute = 60'000'000;
constexpr Instant kHour = 60 * kMinute;
constexpr Instant kDay = 24 * kHour;
constexpr double kDaysPerYear = 365.25;
constexpr Instant kNever = std::numeric_limits<Instant>::max();

// Annual rates per person, by age band, before frailty.
struct AgeRates {
  double emergency;  // emergency or transfer admissions
  double elective;   // elective admissions
  double ae;         // A&E attendances not followed by an admission
  double referral;   // referrals to community and social care
  double care_home;  // permanent, council-supported care-home admissions from
                     // the community
  double respite;    // short stays
  double death;      // deaths outside hospital
  double survey;     // experience surveys completed
};

AgeRates RatesFor(int age) {
  if (age < 18) return {0.055, 0.015, 0.30, 0.008, 0, 0, 0.0003, 0.01};
  if (age < 65)
    return {0.074, 0.035, 0.24, 0.025, 0.00012, 0.0005, 0.0015, 0.025};
  if (age < 75) return {0.172, 0.080, 0.26, 0.120, 0.0004, 0.006, 0.012, 0.05};
  if (age < 85) return {0.310, 0.080, 0.34, 0.240, 0.0012, 0.012, 0.035, 0.06};
  return {0.560, 0.050, 0.50, 0.400, 0.0040, 0.020, 0.110, 0.06};
}

constexpr std::array<const char*, 2> kSites = {"Queen's Hospital",
                                               "King George Hospital"};
constexpr std::array<const char*, 4> kServices = {
    "Reablement", "Community Nursing", "Adult Social Care", "Falls Service"};
constexpr std::array<const char*, 6> kNames = {"Ann Patel",   "Brian Okafor",
                                               "Chloe Evans", "David Khan",
                                               "Eve Murphy",  "Femi Adeyemi"};

class Builder {
 public:
  explicit Builder(const SyntheticPersonSpec& spec)
      : spec_(spec), rng_(spec.seed) {}

  SyntheticPersonOutcome Build();

 private:
  struct Pending {
    Instant occurred;
    Instant recorded;
    uint32_t seq;
    schema::CareEvent event;
  };

  int AgeAt(Instant t) const { return AgeOn(spec_.birth_date, LondonDate(t)); }
  Instant LocalTime(Date d, double hour) {
    return LondonStartOfDay(d) +
           static_cast<Instant>(hour * static_cast<double>(kHour));
  }
  // `days` after t; kNever when that lies beyond what an Instant holds (a
  // rare rate can draw a gap of millennia, which must not wrap around).
  Instant DaysAfter(Instant t, double days) {
    const double micros = days * static_cast<double>(kDay);
    if (t == kNever || micros >= static_cast<double>(kNever - t)) return kNever;
    return t + static_cast<Instant>(micros);
  }
  Instant NextArrival(Instant t, double rate_per_year) {
    if (rate_per_year <= 0) return kNever;
    return DaysAfter(t, rng_.Exponential(kDaysPerYear / rate_per_year));
  }
  bool Alive(Instant t) const { return t < died_at_ && t <= spec_.end; }

  // Adds an event that occurs at `occurred` and is recorded `lag` later but not
  // before `not_before` (the recording of what it depends on); returns when it
  // is recorded, or -1 when it falls after the end and is left out.
  Instant Add(Instant occurred, Instant not_before, schema::CareEvent event,
              Instant lag = -1) {
    if (occurred > spec_.end) return -1;
    if (lag < 0)
      lag = static_cast<Instant>(rng_.Uniform(2, 240) *
                                 static_cast<double>(kMinute));
    Instant recorded =
        std::max(occurred + lag, std::max(not_before, registered_recorded_));
    recorded = std::min(recorded, spec_.end);
    event.set_event_id(
        SyntheticUuid(Mix64(spec_.seed ^ (0x51ed27ULL * (seq_ + 1)))));
    event.set_occurred_at(FormatRfc3339London(occurred));
    pending_.push_back({occurred, recorded, seq_++, std::move(event)});
    return recorded;
  }

  void Register();
  void Spells();
  void Spell(Instant admitted, bool emergency);
  void Attendances();
  void Referrals();
  void Package(Instant at, Instant not_before,
               const std::string& assessment_id);
  void CareHomes();
  void Placement(Instant at, Instant not_before, bool permanent, bool council);
  void Surveys();
  void Identity();

  const SyntheticPersonSpec& spec_;
  SyntheticRandom rng_;
  double frailty_ = 1.0;
  Instant died_at_ = kNever;
  bool died_in_hospital_ = false;
  Instant registered_recorded_ = 0;
  Instant permanent_placement_ = kNever;  // when a permanent placement began
  Instant last_discharge_ = 0;
  // When the last discharge was recorded: a new admission is recorded after
  // it (a request's events are checked in the order sent, and spells do not
  // overlap).
  Instant last_discharge_recorded_ = 0;
  int next_id_ = 1;
  uint32_t seq_ = 0;
  std::vector<Pending> pending_;
};

std::string Id(const char* prefix, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%d", prefix, n);
  return buf;
}

void Builder::Register() {
  schema::CareEvent e;
  auto* r = e.mutable_person_registered();
  r->set_birth_date(FormatDate(spec_.birth_date));
  r->set_area_code(spec_.area_code);
  r->set_gp_practice(Id("F82", 1 + static_cast<int>(rng_.Below(40))));
  const bool verified = rng_.Chance(0.88);
  r->set_nhs_number_status(verified ? schema::NhsNumberStatus::VERIFIED
                                    : schema::NhsNumberStatus::UNVERIFIED);
  if (rng_.Chance(0.3)) {
    auto* id = r->add_local_ids();
    id->set_system("PAS-RF4");
    id->set_value(Id("RF4", 100000 + static_cast<int>(rng_.Below(900000))));
  }
  registered_recorded_ = Add(spec_.registered_at, 0, std::move(e), kMinute);
  if (!verified && rng_.Chance(0.55)) {
    const Instant at = DaysAfter(spec_.registered_at, rng_.Uniform(1, 700));
    schema::CareEvent v;
    v.mutable_nhs_number_verified();
    if (Alive(at)) Add(at, 0, std::move(v));
  }
}

void Builder::Identity() {
  if (!rng_.Chance(0.08)) return;
  const Instant at = DaysAfter(spec_.registered_at, rng_.Uniform(1, 720));
  if (!Alive(at)) return;
  schema::CareEvent e;
  e.mutable_local_id_linked()->set_system("LAS-SOCIALCARE");
  e.mutable_local_id_linked()->set_value(
      Id("SC", 10000 + static_cast<int>(rng_.Below(90000))));
  Add(at, 0, std::move(e));
}

void Builder::Spells() {
  Instant t = spec_.registered_at;
  while (true) {
    const AgeRates rates = RatesFor(AgeAt(t));
    const double emergency = rates.emergency * frailty_;
    const double elective = rates.elective * std::sqrt(frailty_);
    t = NextArrival(t, emergency + elective);
    if (!Alive(t)) return;
    Spell(t, rng_.Chance(emergency / (emergency + elective)));
    if (died_in_hospital_) return;
    t = std::max(t, last_discharge_) + kHour;
  }
}

schema::DelayReason::Value ReasonFor(SyntheticRandom& rng,
                                     schema::Agency::Value agency) {
  using R = schema::DelayReason;
  static constexpr std::array<R::Value, 4> kNhs = {R::C, R::A, R::G, R::F};
  static constexpr std::array<double, 4> kNhsW = {0.45, 0.25, 0.2, 0.1};
  static constexpr std::array<R::Value, 6> kSocial = {R::D1, R::D2, R::E,
                                                      R::A,  R::B,  R::I};
  static constexpr std::array<double, 6> kSocialW = {0.22, 0.18, 0.3,
                                                     0.15, 0.1,  0.05};
  static constexpr std::array<R::Value, 3> kBoth = {R::A, R::F, R::H};
  static constexpr std::array<double, 3> kBothW = {0.5, 0.3, 0.2};
  switch (agency) {
    case schema::Agency::NHS:
      return kNhs[static_cast<size_t>(rng.Pick(kNhsW))];
    case schema::Agency::SOCIAL_CARE:
      return kSocial[static_cast<size_t>(rng.Pick(kSocialW))];
    default:
      return kBoth[static_cast<size_t>(rng.Pick(kBothW))];
  }
}

schema::Destination::Value DestinationFor(SyntheticRandom& rng, bool old,
                                          schema::DelayReason::Value reason) {
  using D = schema::Destination;
  if (reason == schema::DelayReason::D1) return D::RESIDENTIAL_CARE;
  if (reason == schema::DelayReason::D2) return D::NURSING_CARE;
  if (reason == schema::DelayReason::E && rng.Chance(0.6)) return D::REABLEMENT;
  static constexpr std::array<D::Value, 8> kAll = {D::USUAL_RESIDENCE,
                                                   D::REABLEMENT,
                                                   D::REHABILITATION_BED,
                                                   D::RESIDENTIAL_CARE,
                                                   D::NURSING_CARE,
                                                   D::OTHER_HOSPITAL,
                                                   D::DIED,
                                                   D::OTHER};
  static constexpr std::array<double, 8> kOld = {0.72,  0.11, 0.04,  0.019,
                                                 0.011, 0.02, 0.045, 0.037};
  static constexpr std::array<double, 8> kYoung = {0.92, 0.015, 0.005, 0,
                                                   0,    0.02,  0.006, 0.034};
  return kAll[static_cast<size_t>(old ? rng.Pick(kOld) : rng.Pick(kYoung))];
}

void Builder::Spell(Instant admitted, bool emergency) {
  const int age = AgeAt(admitted);
  const bool old = age >= 65;
  const bool adult = age >= 18;
  const std::string spell_id = Id("S", next_id_++);
  const std::string site = kSites[rng_.Below(kSites.size())];

  if (emergency && rng_.Chance(0.7)) {
    const Instant at =
        admitted - static_cast<Instant>(rng_.Uniform(1, 5) * kHour);
    if (at > spec_.registered_at) {
      schema::CareEvent a;
      a.mutable_ae_attended()->set_attendance_id(Id("AE", next_id_++));
      a.mutable_ae_attended()->set_site(site);
      Add(at, 0, std::move(a));
    }
  }

  // When the person is clinically ready, and how long they then wait.
  const double clinical_days = emergency ? (old ? rng_.Exponential(5.0) + 0.3
                                                : rng_.Exponential(2.2) + 0.2)
                                         : rng_.Uniform(0.5, 3.0);
  const bool readiness =
      emergency && rng_.Chance(old ? 0.75 : (adult ? 0.3 : 0.1));
  const bool delayed = readiness && adult && rng_.Chance(old ? 0.118 : 0.02);
  Instant ready = DaysAfter(admitted, clinical_days);
  Instant discharge = ready;
  schema::Agency::Value agency = schema::Agency::NHS;
  schema::DelayReason::Value reason =
      schema::DelayReason::DELAY_REASON_UNSPECIFIED;
  if (delayed) {
    const int days = 1 + static_cast<int>(rng_.Exponential(5.1));
    discharge =
        LocalTime(Date{LondonDate(ready).days + days}, rng_.Uniform(10, 17));
    static constexpr std::array<double, 3> kAgency = {0.55, 0.35, 0.10};
    agency = static_cast<schema::Agency::Value>(1 + rng_.Pick(kAgency));
    reason = ReasonFor(rng_, agency);
  } else if (readiness) {
    discharge = ready + static_cast<Instant>(rng_.Uniform(1, 7) * kHour);
  }
  // Fewer people leave at weekends: many wait for Monday.
  if (!delayed && IsWeekendDay(LondonDate(discharge)) && rng_.Chance(0.35)) {
    Date d = LondonDate(discharge);
    while (IsWeekendDay(d)) d.days += 1;
    discharge = std::max(discharge, LocalTime(d, rng_.Uniform(9, 16)));
  }
  schema::Destination::Value destination = DestinationFor(rng_, old, reason);
  if (!adult && destination != schema::Destination::DIED) {
    destination = schema::Destination::USUAL_RESIDENCE;
  }
  // A death outside hospital that would fall in the spell happens in it
  // instead.
  if (died_at_ <= discharge) {
    discharge = std::max(died_at_, admitted + kMinute);
    destination = schema::Destination::DIED;
  }
  if (discharge > spec_.end) {
    discharge =
        std::max(std::max(ready, admitted) + kMinute,
                 spec_.end - static_cast<Instant>(rng_.Uniform(1, 5) * kHour));
    discharge = std::min(discharge, spec_.end);
  }

  schema::CareEvent adm;
  auto* a = adm.mutable_hospital_admitted();
  a->set_spell_id(spell_id);
  a->set_provider("RF4");
  a->set_site(site);
  a->set_method(!emergency
                    ? schema::AdmissionMethod::ELECTIVE
                    : (rng_.Chance(0.08) ? schema::AdmissionMethod::TRANSFER
                                         : schema::AdmissionMethod::EMERGENCY));
  const Instant admitted_rec =
      Add(admitted, last_discharge_recorded_, std::move(adm));

  // The readiness and delay records, possibly typed in days after the
  // discharge.
  const bool late = readiness && rng_.Chance(0.05);
  auto readiness_events = [&](Instant not_before, Instant lag) {
    if (!readiness || ready >= discharge) return;
    schema::CareEvent r;
    r.mutable_ready_for_discharge()->set_spell_id(spell_id);
    Instant rec = Add(ready, not_before, std::move(r), lag);
    if (!delayed || !rng_.Chance(0.92)) return;
    const Instant first =
        ready + static_cast<Instant>(rng_.Uniform(2, 30) * kHour);
    if (first >= discharge) return;
    schema::CareEvent d;
    d.mutable_discharge_delay_recorded()->set_spell_id(spell_id);
    d.mutable_discharge_delay_recorded()->set_reason(reason);
    d.mutable_discharge_delay_recorded()->set_agency(agency);
    rec = Add(first, rec, std::move(d), lag);
    const Instant second = first + (discharge - first) / 2;
    if (discharge - first > 2 * kDay && rng_.Chance(0.3)) {
      schema::CareEvent d2;
      auto* dd = d2.mutable_discharge_delay_recorded();
      dd->set_spell_id(spell_id);
      dd->set_agency(agency == schema::Agency::NHS ? schema::Agency::BOTH
                                                   : agency);
      dd->set_reason(ReasonFor(rng_, dd->agency()));
      Add(second, rec, std::move(d2), lag);
    }
  };
  if (!late) readiness_events(admitted_rec, -1);

  schema::CareEvent dis;
  dis.mutable_discharged()->set_spell_id(spell_id);
  dis.mutable_discharged()->set_destination(destination);
  const Instant discharged_rec = Add(discharge, admitted_rec, std::move(dis));
  last_discharge_ = discharge;
  last_discharge_recorded_ = std::max(last_discharge_recorded_, discharged_rec);
  if (late) {
    readiness_events(
        discharged_rec + static_cast<Instant>(rng_.Uniform(1, 10) * kDay), 0);
  }

  if (destination == schema::Destination::DIED) {
    died_at_ = discharge;
    died_in_hospital_ = true;
    schema::CareEvent died;
    died.mutable_person_died();
    Add(discharge, discharged_rec, std::move(died));
    return;
  }
  if (destination == schema::Destination::RESIDENTIAL_CARE ||
      destination == schema::Destination::NURSING_CARE) {
    Placement(discharge + kHour, discharged_rec, rng_.Chance(0.85),
              rng_.Chance(0.58));
  }
  if (destination == schema::Destination::REABLEMENT ||
      destination == schema::Destination::REHABILITATION_BED) {
    if (rng_.Chance(0.5)) Package(discharge + 2 * kHour, discharged_rec, "");
    if (!rng_.Chance(0.96)) return;
    const Instant at =
        LocalTime(Date{LondonDate(discharge).days + 91}, rng_.Uniform(9, 17));
    schema::CareEvent f;
    f.mutable_follow_up_recorded()->set_spell_id(spell_id);
    using F = schema::FollowUpStatus;
    static constexpr std::array<F::Value, 4> kStatus = {
        F::AT_HOME, F::IN_HOSPITAL, F::IN_CARE_HOME, F::NOT_CONTACTED};
    // With 4% never followed up and deaths before day 91 this puts ASCOF
    // 2B(1) near 82%.
    static constexpr std::array<double, 4> kWeights = {0.88, 0.045, 0.045,
                                                       0.03};
    f.mutable_follow_up_recorded()->set_status(
        died_at_ <= at ? F::DIED
                       : kStatus[static_cast<size_t>(rng_.Pick(kWeights))]);
    Add(at, discharged_rec, std::move(f));
  }
}

void Builder::Attendances() {
  Instant t = spec_.registered_at;
  while (true) {
    t = NextArrival(t, RatesFor(AgeAt(t)).ae * std::sqrt(frailty_));
    if (!Alive(t)) return;
    const std::string site = kSites[rng_.Below(kSites.size())];
    schema::CareEvent a;
    a.mutable_ae_attended()->set_attendance_id(Id("AE", next_id_++));
    a.mutable_ae_attended()->set_site(site);
    const Instant lag = rng_.Chance(0.05)
                            ? static_cast<Instant>(rng_.Uniform(1, 20) * kDay)
                            : -1;
    Add(t, 0, std::move(a), lag);
    if (rng_.Chance(0.006)) {  // keyed twice by mistake, then retracted
      schema::CareEvent dup;
      dup.mutable_ae_attended()->set_attendance_id(Id("AE", next_id_++));
      dup.mutable_ae_attended()->set_site(site);
      const std::string dup_id =
          SyntheticUuid(Mix64(spec_.seed ^ (0x51ed27ULL * (seq_ + 1))));
      const Instant rec = Add(t, 0, std::move(dup));
      if (rec < 0) continue;
      schema::CareEvent x;
      x.mutable_event_retracted()->set_event_id(dup_id);
      x.mutable_event_retracted()->set_reason(
          "entered in error: duplicate attendance");
      Add(rec + static_cast<Instant>(rng_.Uniform(1, 5) * kDay), rec,
          std::move(x), 0);
    }
  }
}

void Builder::Referrals() {
  Instant t = spec_.registered_at;
  while (true) {
    t = NextArrival(t, RatesFor(AgeAt(t)).referral * frailty_);
    if (!Alive(t)) return;
    const std::string referral_id = Id("R", next_id_++);
    schema::CareEvent r;
    auto* rr = r.mutable_referral_received();
    rr->set_referral_id(referral_id);
    static constexpr std::array<double, 5> kSector = {0.55, 0.2, 0.1, 0.05,
                                                      0.1};
    rr->set_from_sector(
        static_cast<schema::Sector::Value>(1 + rng_.Pick(kSector)));
    rr->set_from_organisation(
        rr->from_sector() == schema::Sector::HEALTH ? "RF4" : "LBBD");
    rr->set_to_service(kServices[rng_.Below(kServices.size())]);
    rr->set_reason("support at home");
    static constexpr std::array<double, 3> kUrgency = {0.7, 0.22, 0.08};
    rr->set_urgency(
        static_cast<schema::Urgency::Value>(1 + rng_.Pick(kUrgency)));
    const bool urgent = rr->urgency() != schema::Urgency::ROUTINE;
    Instant rec = Add(t, 0, std::move(r));
    if (rec < 0) return;
    const double answer = rng_.Uniform();
    if (answer > 0.93) continue;  // never answered
    const double hours = urgent ? (rng_.Chance(0.84) ? rng_.Uniform(0.5, 22)
                                                     : rng_.Uniform(25, 96))
                                : rng_.Uniform(4, 240);
    const Instant answered =
        t + static_cast<Instant>(hours * static_cast<double>(kHour));
    if (!Alive(answered)) return;
    schema::CareEvent resp;
    const bool accepted = answer < 0.82;
    if (accepted) {
      resp.mutable_referral_accepted()->set_referral_id(referral_id);
    } else {
      resp.mutable_referral_declined()->set_referral_id(referral_id);
      resp.mutable_referral_declined()->set_reason("no eligible needs");
    }
    rec = Add(answered, rec, std::move(resp));
    if (rec < 0 || !accepted || AgeAt(t) < 18 || !rng_.Chance(0.55)) continue;

    const std::string assessment_id = Id("JA", next_id_++);
    const Instant started = DaysAfter(answered, rng_.Uniform(0.3, 5));
    if (!Alive(started)) return;
    schema::CareEvent js;
    auto* s = js.mutable_joint_assessment_started();
    s->set_assessment_id(assessment_id);
    s->set_referral_id(referral_id);
    auto add = [&](schema::Sector::Value sector, const char* role) {
      auto* p = s->add_participants();
      const uint64_t who = rng_.Below(kNames.size());
      p->set_professional_id(
          Id("PRO", 100 + static_cast<int>(who) * 7 + sector));
      p->set_name(kNames[who]);
      p->set_sector(sector);
      p->set_role(role);
    };
    add(schema::Sector::HEALTH, "Community nurse");
    add(schema::Sector::SOCIAL_CARE, "Social worker");
    if (rng_.Chance(0.3)) add(schema::Sector::HEALTH, "Occupational therapist");
    rec = Add(started, rec, std::move(js));
    const Instant completed = DaysAfter(started, rng_.Uniform(0.5, 10));
    if (rec < 0 || !Alive(completed)) return;
    schema::CareEvent jc;
    jc.mutable_joint_assessment_completed()->set_assessment_id(assessment_id);
    static constexpr std::array<double, 3> kOutcome = {0.7, 0.2, 0.1};
    jc.mutable_joint_assessment_completed()->set_outcome(
        static_cast<schema::AssessmentOutcome::Value>(1 + rng_.Pick(kOutcome)));
    const bool package = jc.joint_assessment_completed().outcome() ==
                         schema::AssessmentOutcome::PACKAGE_NEEDED;
    rec = Add(completed, rec, std::move(jc));
    if (rec < 0 || !package) continue;
    Package(DaysAfter(completed, rng_.Uniform(0.2, 3)), rec,
            rng_.Chance(0.9) ? assessment_id : std::string());
  }
}

void Builder::Package(Instant at, Instant not_before,
                      const std::string& assessment_id) {
  if (!Alive(at)) return;
  const std::string package_id = Id("P", next_id_++);
  schema::CareEvent e;
  auto* p = e.mutable_care_package_started();
  p->set_package_id(package_id);
  p->set_assessment_id(assessment_id);
  p->set_integrated(rng_.Chance(0.85));
  p->set_scheme(Id("ITF0", 1 + static_cast<int>(rng_.Below(9))));
  p->set_pooled_budget(rng_.Chance(0.6));
  Instant rec = Add(at, not_before, std::move(e));
  if (rec < 0) return;
  if (rng_.Chance(0.9)) {
    const Instant assigned = DaysAfter(at, rng_.Uniform(0, 6));
    if (Alive(assigned)) {
      schema::CareEvent ap;
      auto* a = ap.mutable_accountable_professional_assigned();
      const uint64_t who = rng_.Below(kNames.size());
      a->set_package_id(package_id);
      a->set_professional_id(Id("PRO", 300 + static_cast<int>(who)));
      a->set_name(kNames[who]);
      a->set_role(who % 2 == 0 ? "Care coordinator" : "Community matron");
      a->set_organisation(who % 2 == 0 ? "LBBD Adult Social Care" : "NELFT");
      a->set_sector(who % 2 == 0 ? schema::Sector::SOCIAL_CARE
                                 : schema::Sector::HEALTH);
      a->set_phone(Id("020 8227 ", 1000 + static_cast<int>(rng_.Below(9000))));
      rec = Add(assigned, rec, std::move(ap));
      if (rec < 0) return;
    }
  }
  const Instant ended = DaysAfter(at, rng_.Uniform(14, 300));
  if (Alive(ended) && rng_.Chance(0.8)) {
    schema::CareEvent end;
    end.mutable_care_package_ended()->set_package_id(package_id);
    end.mutable_care_package_ended()->set_reason("goals met");
    Add(ended, rec, std::move(end));
  }
}

void Builder::Placement(Instant at, Instant not_before, bool permanent,
                        bool council) {
  if (!Alive(at) || permanent_placement_ <= at) return;
  const std::string placement_id = Id("CH", next_id_++);
  schema::CareEvent e;
  auto* c = e.mutable_care_home_admitted();
  c->set_placement_id(placement_id);
  c->set_type(rng_.Chance(0.6) ? schema::CareHomeType::RESIDENTIAL
                               : schema::CareHomeType::NURSING);
  c->set_permanent(permanent);
  c->set_council_supported(council);
  const Instant rec = Add(at, not_before, std::move(e));
  if (rec < 0) return;
  if (permanent) {
    permanent_placement_ = at;
    return;
  }
  const Instant left = DaysAfter(at, rng_.Uniform(7, 28));
  if (!Alive(left)) return;
  schema::CareEvent l;
  l.mutable_care_home_left()->set_placement_id(placement_id);
  Add(left, rec, std::move(l));
}

void Builder::CareHomes() {
  Instant t = spec_.registered_at;
  while (true) {
    const AgeRates rates = RatesFor(AgeAt(t));
    const double permanent = rates.care_home * frailty_;
    const double respite = rates.respite * frailty_;
    t = NextArrival(t, permanent + respite);
    if (!Alive(t) || permanent_placement_ <= t) return;
    if (rng_.Chance(permanent / (permanent + respite))) {
      Placement(t, 0, true, rng_.Chance(0.65));
    } else {
      Placement(t, 0, false, rng_.Chance(0.5));
    }
  }
}

void Builder::Surveys() {
  Instant t = spec_.registered_at;
  while (true) {
    t = NextArrival(t, RatesFor(AgeAt(t)).survey);
    if (!Alive(t)) return;
    schema::CareEvent e;
    auto* s = e.mutable_experience_survey_completed();
    s->set_survey_id(Id("SV", next_id_++));
    s->set_positive(rng_.Chance(
        t < LondonStartOfDay(DateFromYmd(2015, 4, 1)) ? 0.83 : 0.86));
    s->set_question("Overall, how was your experience of our service?");
    Add(t, 0, std::move(e), static_cast<Instant>(rng_.Uniform(1, 14) * kDay));
  }
}

SyntheticPersonOutcome Builder::Build() {
  frailty_ = std::exp(0.9 * rng_.Normal() -
                      0.405);  // log-normal with mean 1: a few heavy users
  const double death_rate =
      RatesFor(AgeAt(spec_.registered_at)).death * std::sqrt(frailty_);
  died_at_ = NextArrival(spec_.registered_at, death_rate);
  Register();
  Spells();
  Attendances();
  Referrals();
  CareHomes();
  Surveys();
  Identity();
  if (!died_in_hospital_ && died_at_ <= spec_.end) {
    schema::CareEvent died;
    died.mutable_person_died();
    Add(died_at_, 0, std::move(died));
  }
  // Nothing but follow-ups and retractions may occur after a death.
  std::erase_if(pending_, [&](const Pending& p) {
    return p.occurred > died_at_ &&
           p.event.payload_case() != schema::CareEvent::kFollowUpRecorded &&
           p.event.payload_case() != schema::CareEvent::kEventRetracted;
  });
  std::sort(pending_.begin(), pending_.end(),
            [](const Pending& a, const Pending& b) {
              return a.recorded != b.recorded ? a.recorded < b.recorded
                                              : a.seq < b.seq;
            });
  SyntheticPersonOutcome out;
  out.person.nhs_number = spec_.nhs_number;
  out.person.events.reserve(pending_.size());
  for (const Pending& p : pending_) {
    out.person.events.push_back({p.recorded, p.event.SerializeAsString()});
  }
  out.died_at = died_at_ <= spec_.end ? died_at_ : 0;
  return out;
}

}  // namespace

SyntheticPersonOutcome GenerateSyntheticPerson(
    const SyntheticPersonSpec& spec) {
  return Builder(spec).Build();
}

std::string SyntheticUuid(uint64_t key) {
  const uint64_t hi = Mix64(key);
  const uint64_t lo = Mix64(key ^ 0xa5a5a5a5deadbeefULL);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(0x8000 | (lo >> 50 & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace carelog
