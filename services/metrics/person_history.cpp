#include "services/metrics/person_history.h"

#include <map>

namespace carelog::metrics {

namespace {

using Case = schema::CareEvent::PayloadCase;

// Passes over the events that stand on nothing, in timeline order: an event
// about a spell, package, placement, referral or assessment that is not
// started before it (its start retracted), or that it ended already, as the
// person's fold passes over them; a move before the registration. Only a
// retraction leaves such events (the rules accept no other).
class Orphans {
 public:
  explicit Orphans(const PersonFacts& facts) : facts_(facts) {}

  bool StandsOnNothing(const StoredCareEvent& stored) {
    const schema::CareEvent& e = stored.event;
    switch (e.payload_case()) {
      case Case::kPersonMoved:
        return !facts_.registered_at() ||
               stored.occurred_at < *facts_.registered_at();
      case Case::kReferralReceived:
        referrals_[e.referral_received().referral_id()] = false;
        return false;
      case Case::kReferralAccepted:
        return !End(referrals_, e.referral_accepted().referral_id());
      case Case::kReferralDeclined:
        return !End(referrals_, e.referral_declined().referral_id());
      case Case::kJointAssessmentStarted:
        assessments_[e.joint_assessment_started().assessment_id()] = false;
        return false;
      case Case::kJointAssessmentCompleted:
        return !End(assessments_,
                    e.joint_assessment_completed().assessment_id());
      case Case::kCarePackageStarted:
        packages_[e.care_package_started().package_id()] = false;
        return false;
      case Case::kAccountableProfessionalAssigned:
        return !Open(packages_,
                     e.accountable_professional_assigned().package_id());
      case Case::kCarePackageEnded:
        return !End(packages_, e.care_package_ended().package_id());
      case Case::kCareHomeAdmitted:
        placements_[e.care_home_admitted().placement_id()] = false;
        return false;
      case Case::kCareHomeLeft:
        return !End(placements_, e.care_home_left().placement_id());
      case Case::kHospitalAdmitted:
        spells_[e.hospital_admitted().spell_id()] = false;
        return false;
      case Case::kReadyForDischarge:
        return !Open(spells_, e.ready_for_discharge().spell_id());
      case Case::kReadyForDischargeWithdrawn:
        return !Open(spells_, e.ready_for_discharge_withdrawn().spell_id());
      case Case::kDischargeDelayRecorded:
        return !Open(spells_, e.discharge_delay_recorded().spell_id());
      case Case::kDischarged:
        return !End(spells_, e.discharged().spell_id());
      case Case::kFollowUpRecorded: {
        auto it = spells_.find(e.follow_up_recorded().spell_id());
        return it == spells_.end() || !it->second;  // needs its discharge
      }
      default:
        return false;
    }
  }

 private:
  using Ended = std::map<std::string, bool>;  // id -> ended (or answered)
  static bool Open(const Ended& m, const std::string& id) {
    auto it = m.find(id);
    return it != m.end() && !it->second;
  }
  // Ends the thing when it is open; false when it is not.
  static bool End(Ended& m, const std::string& id) {
    auto it = m.find(id);
    if (it == m.end() || it->second) return false;
    it->second = true;
    return true;
  }

  const PersonFacts& facts_;
  Ended referrals_, assessments_, packages_, placements_, spells_;
};

}  // namespace

PersonHistory::PersonHistory(const PersonState& state)
    : facts_(&state.facts()) {
  events_.reserve(state.timeline().size());
  // Without a retraction every event stood on what it names when the rules
  // accepted it.
  const bool retractions = state.recorded().size() != state.timeline().size();
  Orphans orphans(state.facts());
  for (const StoredCareEventPtr& e : state.timeline()) {
    if (retractions && orphans.StandsOnNothing(*e)) continue;
    events_.push_back(HistoryEvent{e->occurred_at, e->version, &e->event});
  }
}

PersonHistory PersonHistory::Build(
    const std::vector<schema::CareEvent>& stream) {
  std::vector<StoredCareEventPtr> recorded;
  recorded.reserve(stream.size());
  for (size_t i = 0; i < stream.size(); ++i) {
    auto e = std::make_shared<StoredCareEvent>();
    e->version = i + 1;
    e->event = stream[i];
    auto t = ParseRfc3339(e->event.occurred_at());
    e->occurred_at = t.ok() ? *t : 0;
    recorded.push_back(std::move(e));
  }
  auto state =
      std::make_shared<const PersonState>(PersonState::FromStream(recorded));
  PersonHistory h(*state);
  h.owned_ = std::move(state);
  return h;
}

const std::string& AreaOfResidenceAt(const PersonFacts& facts, Instant t) {
  static const std::string kNone;
  const auto& areas = facts.area_history();
  if (areas.empty()) return kNone;
  const std::string* area = facts.AreaAt(t);
  return area ? *area : areas.front().area_code;
}

bool NhsNumberVerifiedAt(const PersonFacts& facts, Instant t) {
  // Verified at registration counts from the start, whatever the instant.
  auto since = facts.verified_at();
  if (!since) return false;
  return *since <= t || since == facts.registered_at();
}

const std::string& PersonHistory::AreaAt(Instant t) const {
  return AreaOfResidenceAt(*facts_, t);
}

std::vector<Instant> PersonHistory::MovesIn(Instant from,
                                            std::optional<Instant> to) const {
  std::vector<Instant> out;
  const auto& areas = facts_->area_history();
  for (size_t i = 1; i < areas.size(); ++i) {
    Instant at = areas[i].from;
    if (at >= from && (!to || at < *to)) out.push_back(at);
  }
  return out;
}

bool PersonHistory::VerifiedAt(Instant t) const {
  return NhsNumberVerifiedAt(*facts_, t);
}

int PersonHistory::AgeOnDate(Date d) const {
  auto birth = facts_->birth_date();
  return birth ? AgeOn(*birth, d) : 0;
}

}  // namespace carelog::metrics
