// Random care histories for the metrics' property tests: a person's events
// after registration (spells with delays, moves, care homes, referrals,
// packages, retractable events), in no particular order, from a seeded
// generator.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "services/metrics/contribution.h"
#include "tests/services/metrics/metrics_harness.h"

namespace carelog::testing {

inline const std::vector<std::string> kAreas = {"E09000002", "E09000003",
                                                "E09000004"};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // An instant between 15 March 2014 and 1 May 2015, as RFC 3339 with a
  // London-like offset.
  std::string Time() {
    Instant start = At("2014-03-15T00:00:00Z");
    Instant span = At("2015-05-01T00:00:00Z") - start;
    Instant t = start + std::uniform_int_distribution<Instant>(0, span)(rng_);
    t -= t % 60'000'000;  // whole minutes
    return FormatRfc3339London(t);
  }
  std::string Later(const std::string& after, int max_days) {
    Instant t =
        At(after) + std::uniform_int_distribution<Instant>(
                        60'000'000, max_days * metrics::kMicrosPerDay)(rng_);
    t -= t % 60'000'000;
    return FormatRfc3339London(t);
  }

  // Events of one person after registration, in no particular order.
  std::vector<schema::CareEvent> Person() {
    std::vector<schema::CareEvent> out;
    int items = 2 + Pick(6);
    for (int i = 0; i < items; ++i) {
      std::string id = std::to_string(i);
      std::string t = Time();
      switch (Pick(9)) {
        case 0: {  // a spell with readiness, delays and a discharge
          std::string spell = "S" + id;
          out.push_back(Admitted(t, spell,
                                 Chance(0.7)
                                     ? schema::AdmissionMethod::EMERGENCY
                                     : schema::AdmissionMethod::ELECTIVE));
          std::string ready = Later(t, 5);
          out.push_back(Ready(ready, spell));
          std::string last = ready;
          for (int d = Pick(3); d > 0; --d) {
            last = Later(last, 4);
            out.push_back(Delay(last, spell,
                                schema::DelayReason::Value(1 + Pick(10)),
                                schema::Agency::Value(1 + Pick(3))));
          }
          if (Chance(0.3)) {
            last = Later(last, 3);
            out.push_back(Withdrawn(last, spell));
            if (Chance(0.5)) out.push_back(Ready(last = Later(last, 3), spell));
          }
          if (Chance(0.8)) {
            std::string discharged = Later(last, 10);
            auto dest = schema::Destination::Value(1 + Pick(8));
            out.push_back(Discharged(discharged, spell, dest));
            if (Chance(0.7)) {
              out.push_back(
                  FollowUp(Later(discharged, 120), spell,
                           schema::FollowUpStatus::Value(1 + Pick(5))));
            }
          }
          break;
        }
        case 1:
          out.push_back(Moved(t, kAreas[Pick(3)]));
          break;
        case 2: {
          std::string p = "P" + id;
          out.push_back(CareHome(t, p, schema::CareHomeType::Value(1 + Pick(2)),
                                 Chance(0.8), Chance(0.8)));
          if (Chance(0.5)) out.push_back(CareHomeLeft(Later(t, 60), p));
          break;
        }
        case 3:
          out.push_back(Chance(0.5) ? Ae(t) : Survey(t, Chance(0.6)));
          break;
        case 4: {
          std::string r = "R" + id;
          out.push_back(Referral(t, r, schema::Urgency::Value(1 + Pick(3))));
          if (Chance(0.8)) {
            std::string answer = Later(t, 2);
            out.push_back(Chance(0.5) ? Accepted(answer, r)
                                      : Declined(answer, r));
          }
          break;
        }
        case 5: {
          std::string a = "A" + id;
          out.push_back(AssessmentStarted(t, a));
          if (Chance(0.6)) out.push_back(AssessmentCompleted(Later(t, 10), a));
          std::string g = "G" + id;
          std::string started = Later(t, 20);
          out.push_back(
              PackageStarted(started, g, Chance(0.8), Chance(0.7) ? a : ""));
          if (Chance(0.6)) out.push_back(Professional(Later(started, 40), g));
          if (Chance(0.4)) out.push_back(PackageEnded(Later(started, 90), g));
          break;
        }
        case 6:
          out.push_back(Verified(t));
          break;
        case 7:
          if (Chance(0.2)) out.push_back(Died(t));
          break;
        default:
          out.push_back(
              Admitted(t, "T" + id, schema::AdmissionMethod::TRANSFER));
          break;
      }
    }
    return out;
  }

  std::string Birth() {
    static const std::vector<std::string> kBirths = {
        "1996-09-10", "1949-05-15", "1938-02-11",
        "1970-07-01", "1950-01-20", "1997-01-01"};
    return kBirths[Pick(static_cast<int>(kBirths.size()))];
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// One person's stream as it would be recorded: `gen.Person()` and up to
// `max_extra` events of the kinds that only count themselves, mostly in time
// order with some late ones, retractions of earlier events sprinkled in, and
// the registration first (mostly), late, or — if `may_never_register` — at
// times never.
inline std::vector<schema::CareEvent> RecordedStream(Generator& gen,
                                                     int max_extra,
                                                     bool may_never_register) {
  std::vector<schema::CareEvent> events = gen.Person();
  for (int i = gen.Pick(max_extra + 1); i > 0; --i) {
    switch (gen.Pick(6)) {
      case 0:
      case 1:
        events.push_back(Ae(gen.Time()));
        break;
      case 2:
        events.push_back(Survey(gen.Time(), gen.Chance(0.5)));
        break;
      case 3:
        events.push_back(
            AssessmentStarted(gen.Time(), "X" + std::to_string(i)));
        break;
      case 4: {
        schema::CareEvent e = Ev(gen.Time());
        e.mutable_local_id_linked()->set_system("LAS-SOCIALCARE");
        e.mutable_local_id_linked()->set_value(std::to_string(i));
        events.push_back(e);
        break;
      }
      default:
        events.push_back(Verified(gen.Time()));
        break;
    }
  }
  std::shuffle(events.begin(), events.end(), gen.rng());
  std::stable_sort(events.begin(), events.end(),
                   [](const schema::CareEvent& a, const schema::CareEvent& b) {
                     return a.occurred_at() < b.occurred_at();
                   });
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    if (gen.Chance(0.15)) std::swap(events[i], events[i + 1]);
  }
  std::vector<schema::CareEvent> stream;
  const bool registered_first = !gen.Chance(0.1);
  schema::CareEvent registration =
      Registered("2014-03-01T09:00:00Z", gen.Birth(), kAreas[gen.Pick(3)],
                 gen.Chance(0.5));
  if (registered_first) stream.push_back(registration);
  for (schema::CareEvent& e : events) {
    stream.push_back(std::move(e));
    if (gen.Chance(0.06)) {
      const auto& victim = stream[gen.Pick(static_cast<int>(stream.size()))];
      stream.push_back(Retract("2015-05-02T10:00:00Z", victim.event_id()));
    }
  }
  if (!registered_first && !(may_never_register && gen.Chance(0.5))) {
    stream.push_back(registration);
  }
  return stream;
}

}  // namespace carelog::testing
