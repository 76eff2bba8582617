#include "services/person_state.h"

#include <algorithm>
#include <array>
#include <climits>
#include <limits>

namespace carelog {
namespace {

using Case = schema::CareEvent::PayloadCase;

// The id an item of a PersonFacts list is indexed by.
std::string_view IdOf(const Referral& r) { return r.referral_id; }
std::string_view IdOf(const Assessment& a) { return a.assessment_id; }
std::string_view IdOf(const CarePackage& c) { return c.package_id; }
std::string_view IdOf(const Spell& s) { return s.spell_id; }
std::string_view IdOf(const Placement& p) { return p.placement_id; }
std::string_view IdOf(const AeAttendance& a) { return a.attendance_id; }
std::string_view IdOf(const Survey& s) { return s.survey_id; }

// The item under `id` in `index`, or null; const when `items` is.
template <typename Items>
auto* Find(Items& items, const ViewIndex& index, std::string_view id) {
  auto at = index.Find(id, [&items](size_t i) { return IdOf(items[i]); });
  return at ? &items[*at] : nullptr;
}

// Adds an item under its id; false (and nothing added) if the id is taken.
template <typename T>
bool Add(std::vector<T>& items, ViewIndex& index, T item) {
  const std::string_view id = IdOf(item);
  if (!index.Insert(id, items.size(),
                    [&items](size_t i) { return IdOf(items[i]); }))
    return false;
  items.push_back(std::move(item));
  return true;
}

// Room for `more` items in the list, growing it at least twofold: a person
// extended a few events at a time would otherwise copy the whole list at
// every extension.
template <typename T>
void ReserveMore(std::vector<T>& items, size_t more) {
  const size_t n = items.size() + more;
  if (n > items.capacity()) items.reserve(std::max(n, 2 * items.capacity()));
}

// The same for a list and its index.
template <typename T>
void ReserveMore(std::vector<T>& items, ViewIndex& index, size_t more) {
  if (more == 0) return;
  ReserveMore(items, more);
  index.Reserve(items.size() + more);
}

}  // namespace

const ProfessionalAssignment* CarePackage::ProfessionalAt(Instant t) const {
  const ProfessionalAssignment* found = nullptr;
  for (const auto& p : professionals) {
    if (p.assigned_at > t) break;
    found = &p;
  }
  return found;
}

const DelayRecord* Readiness::DelayAt(Instant t) const {
  const DelayRecord* found = nullptr;
  for (const auto& d : delays) {
    if (d.recorded_for > t) break;
    found = &d;
  }
  return found;
}

const Readiness* Spell::CurrentReadiness() const {
  if (readiness.empty() || readiness.back().end != Readiness::End::kOpen)
    return nullptr;
  return &readiness.back();
}

const Readiness* Spell::ReadinessAt(Instant t) const {
  for (const auto& r : readiness) {
    if (r.ready_at <= t && (!r.ended_at || t < *r.ended_at)) return &r;
  }
  return nullptr;
}

std::optional<int> PersonFacts::AgeAt(Instant t) const {
  if (!birth_date_) return std::nullopt;
  return AgeOn(*birth_date_, LondonDate(t));
}

std::optional<Date> PersonFacts::died_on() const {
  if (!died_at_) return std::nullopt;
  return LondonDate(*died_at_);
}

const std::string* PersonFacts::AreaAt(Instant t) const {
  const std::string* found = nullptr;
  for (const auto& a : areas_) {
    if (a.from > t) break;
    found = &a.area_code;
  }
  return found;
}

const Referral* PersonFacts::FindReferral(std::string_view id) const {
  return Find(referrals_, referral_index_, id);
}
const Assessment* PersonFacts::FindAssessment(std::string_view id) const {
  return Find(assessments_, assessment_index_, id);
}
const CarePackage* PersonFacts::FindPackage(std::string_view id) const {
  return Find(packages_, package_index_, id);
}
const Spell* PersonFacts::FindSpell(std::string_view id) const {
  return Find(spells_, spell_index_, id);
}
const Placement* PersonFacts::FindPlacement(std::string_view id) const {
  return Find(placements_, placement_index_, id);
}
const AeAttendance* PersonFacts::FindAttendance(std::string_view id) const {
  return Find(ae_attendances_, attendance_index_, id);
}
const Survey* PersonFacts::FindSurvey(std::string_view id) const {
  return Find(surveys_, survey_index_, id);
}
const Spell* PersonFacts::OpenSpell() const {
  return open_spell_ ? &spells_[*open_spell_] : nullptr;
}

Referral* PersonFacts::MutableReferral(std::string_view id) {
  return Find(referrals_, referral_index_, id);
}
Assessment* PersonFacts::MutableAssessment(std::string_view id) {
  return Find(assessments_, assessment_index_, id);
}
CarePackage* PersonFacts::MutablePackage(std::string_view id) {
  return Find(packages_, package_index_, id);
}
Spell* PersonFacts::MutableSpell(std::string_view id) {
  return Find(spells_, spell_index_, id);
}
Placement* PersonFacts::MutablePlacement(std::string_view id) {
  return Find(placements_, placement_index_, id);
}

void PersonFacts::LinkLocalId(const std::string& system,
                              const std::string& value, Instant at) {
  bool known = std::any_of(local_ids_.begin(), local_ids_.end(),
                           [&](const LocalIdLink& l) {
                             return l.system == system && l.value == value;
                           });
  if (!known) local_ids_.push_back(LocalIdLink{system, value, at});
}

void PersonFacts::Apply(const StoredCareEvent& stored) {
  const schema::CareEvent& e = stored.event;
  const Instant t = stored.occurred_at;
  switch (e.payload_case()) {
    case Case::kPersonRegistered: {
      if (registered_at_) return;
      const auto& p = e.person_registered();
      registered_at_ = t;
      auto birth = ParseDate(p.birth_date());
      if (birth.ok()) birth_date_ = *birth;
      gp_practice_ = p.gp_practice();
      // A verification or a local id recorded as occurring before the
      // registration stays.
      const bool verified =
          p.nhs_number_status() == schema::NhsNumberStatus::VERIFIED;
      if (verified && !verified_at_) verified_at_ = t;
      nhs_number_status_ = verified_at_ ? schema::NhsNumberStatus::VERIFIED
                                        : schema::NhsNumberStatus::UNVERIFIED;
      for (const auto& id : p.local_ids())
        LinkLocalId(id.system(), id.value(), t);
      areas_.push_back(AreaChange{t, p.area_code()});
      return;
    }
    case Case::kPersonMoved:
      if (registered_at_)
        areas_.push_back(AreaChange{t, e.person_moved().area_code()});
      return;
    case Case::kNhsNumberVerified:
      nhs_number_status_ = schema::NhsNumberStatus::VERIFIED;
      if (!verified_at_) verified_at_ = t;
      return;
    case Case::kLocalIdLinked:
      LinkLocalId(e.local_id_linked().system(), e.local_id_linked().value(), t);
      return;
    case Case::kPersonDied:
      if (!died_at_) died_at_ = t;
      return;
    case Case::kReferralReceived: {
      const auto& p = e.referral_received();
      Referral r;
      r.referral_id = p.referral_id();
      r.received_at = t;
      r.from_sector = p.from_sector();
      r.from_organisation = p.from_organisation();
      r.to_service = p.to_service();
      r.reason = p.reason();
      r.urgency = p.urgency();
      Add(referrals_, referral_index_, std::move(r));
      return;
    }
    case Case::kReferralAccepted:
    case Case::kReferralDeclined: {
      bool accepted = e.payload_case() == Case::kReferralAccepted;
      Referral* r =
          MutableReferral(accepted ? e.referral_accepted().referral_id()
                                   : e.referral_declined().referral_id());
      if (r == nullptr || r->response != Referral::Response::kNone) return;
      r->response = accepted ? Referral::Response::kAccepted
                             : Referral::Response::kDeclined;
      r->responded_at = t;
      if (!accepted) r->decline_reason = e.referral_declined().reason();
      return;
    }
    case Case::kJointAssessmentStarted: {
      const auto& p = e.joint_assessment_started();
      Assessment a;
      a.assessment_id = p.assessment_id();
      a.referral_id = p.referral_id();
      a.started_at = t;
      a.participants.assign(p.participants().begin(), p.participants().end());
      Add(assessments_, assessment_index_, std::move(a));
      return;
    }
    case Case::kJointAssessmentCompleted: {
      Assessment* a =
          MutableAssessment(e.joint_assessment_completed().assessment_id());
      if (a == nullptr || a->completed_at) return;
      a->completed_at = t;
      a->outcome = e.joint_assessment_completed().outcome();
      return;
    }
    case Case::kCarePackageStarted: {
      const auto& p = e.care_package_started();
      CarePackage c;
      c.package_id = p.package_id();
      c.assessment_id = p.assessment_id();
      c.integrated = p.integrated();
      c.scheme = p.scheme();
      c.pooled_budget = p.pooled_budget();
      c.started_at = t;
      Add(packages_, package_index_, std::move(c));
      return;
    }
    case Case::kAccountableProfessionalAssigned: {
      const auto& p = e.accountable_professional_assigned();
      CarePackage* c = MutablePackage(p.package_id());
      if (c != nullptr)
        c->professionals.push_back(ProfessionalAssignment{t, p});
      return;
    }
    case Case::kCarePackageEnded: {
      CarePackage* c = MutablePackage(e.care_package_ended().package_id());
      if (c == nullptr || c->ended_at) return;
      c->ended_at = t;
      c->end_reason = e.care_package_ended().reason();
      return;
    }
    case Case::kAeAttended: {
      const auto& p = e.ae_attended();
      Add(ae_attendances_, attendance_index_,
          AeAttendance{p.attendance_id(), p.site(), t});
      return;
    }
    case Case::kHospitalAdmitted: {
      const auto& p = e.hospital_admitted();
      Spell s;
      s.spell_id = p.spell_id();
      s.provider = p.provider();
      s.site = p.site();
      s.method = p.method();
      s.admitted_at = t;
      if (Add(spells_, spell_index_, std::move(s)))
        open_spell_ = spells_.size() - 1;
      return;
    }
    case Case::kReadyForDischarge: {
      Spell* s = MutableSpell(e.ready_for_discharge().spell_id());
      if (s == nullptr || !s->Open() || s->CurrentReadiness() != nullptr)
        return;
      Readiness r;
      r.ready_at = t;
      s->readiness.push_back(std::move(r));
      return;
    }
    case Case::kReadyForDischargeWithdrawn: {
      Spell* s = MutableSpell(e.ready_for_discharge_withdrawn().spell_id());
      if (s == nullptr || s->CurrentReadiness() == nullptr) return;
      Readiness& r = s->readiness.back();
      r.end = Readiness::End::kWithdrawn;
      r.ended_at = t;
      r.withdrawal_reason = e.ready_for_discharge_withdrawn().reason();
      return;
    }
    case Case::kDischargeDelayRecorded: {
      const auto& p = e.discharge_delay_recorded();
      Spell* s = MutableSpell(p.spell_id());
      if (s == nullptr || s->CurrentReadiness() == nullptr) return;
      s->readiness.back().delays.push_back(
          DelayRecord{t, p.reason(), p.agency()});
      return;
    }
    case Case::kDischarged: {
      const auto& p = e.discharged();
      Spell* s = MutableSpell(p.spell_id());
      if (s == nullptr || !s->Open()) return;
      s->discharged_at = t;
      s->destination = p.destination();
      if (s->CurrentReadiness() != nullptr) {
        s->readiness.back().end = Readiness::End::kDischarged;
        s->readiness.back().ended_at = t;
      }
      if (open_spell_ && &spells_[*open_spell_] == s) open_spell_.reset();
      return;
    }
    case Case::kFollowUpRecorded: {
      Spell* s = MutableSpell(e.follow_up_recorded().spell_id());
      if (s != nullptr)
        s->follow_ups.push_back(FollowUp{t, e.follow_up_recorded().status()});
      return;
    }
    case Case::kCareHomeAdmitted: {
      const auto& p = e.care_home_admitted();
      Placement pl;
      pl.placement_id = p.placement_id();
      pl.type = p.type();
      pl.permanent = p.permanent();
      pl.council_supported = p.council_supported();
      pl.admitted_at = t;
      Add(placements_, placement_index_, std::move(pl));
      return;
    }
    case Case::kCareHomeLeft: {
      Placement* pl = MutablePlacement(e.care_home_left().placement_id());
      if (pl != nullptr && !pl->left_at) pl->left_at = t;
      return;
    }
    case Case::kExperienceSurveyCompleted: {
      const auto& p = e.experience_survey_completed();
      Add(surveys_, survey_index_,
          Survey{p.survey_id(), p.positive(), p.question(), t});
      return;
    }
    case Case::kEventRetracted:
    case Case::PAYLOAD_NOT_SET:
      return;
  }
}

void PersonFacts::Reserve(std::span<const StoredCareEventPtr> events) {
  // Events by payload case (field numbers, all below 64).
  std::array<size_t, 64> n{};
  for (const auto& e : events) {
    const size_t c = e->event.payload_case();
    if (c < n.size()) ++n[c];
  }
  ReserveMore(referrals_, referral_index_, n[Case::kReferralReceived]);
  ReserveMore(assessments_, assessment_index_,
              n[Case::kJointAssessmentStarted]);
  ReserveMore(packages_, package_index_, n[Case::kCarePackageStarted]);
  ReserveMore(spells_, spell_index_, n[Case::kHospitalAdmitted]);
  ReserveMore(placements_, placement_index_, n[Case::kCareHomeAdmitted]);
  ReserveMore(ae_attendances_, attendance_index_, n[Case::kAeAttended]);
  ReserveMore(surveys_, survey_index_, n[Case::kExperienceSurveyCompleted]);
}

bool TimelineBefore(const StoredCareEvent& a, const StoredCareEvent& b) {
  if (a.occurred_at != b.occurred_at) return a.occurred_at < b.occurred_at;
  return a.version < b.version;
}

bool TimelineBeforePtr(const StoredCareEventPtr& a,
                       const StoredCareEventPtr& b) {
  return TimelineBefore(*a, *b);
}

std::vector<StoredCareEventPtr> PersonState::EffectiveTimeline(
    const std::vector<StoredCareEventPtr>& recorded) {
  StringKeySet retracted;
  for (const auto& e : recorded) {
    if (e->event.has_event_retracted())
      retracted.insert(e->event.event_retracted().event_id());
  }
  std::vector<StoredCareEventPtr> timeline;
  timeline.reserve(recorded.size());
  for (const auto& e : recorded) {
    if (e->event.has_event_retracted() ||
        retracted.contains(e->event.event_id()))
      continue;
    timeline.push_back(e);
  }
  std::stable_sort(timeline.begin(), timeline.end(), TimelineBeforePtr);
  return timeline;
}

Result<StoredCareEventPtr> DecodeStoredCareEvent(
    const storage::RecordedEvent& r) {
  return DecodeStoredCareEvent(CareRecordView{r.stream, r.position, r.version,
                                              r.recorded_at_micros,
                                              r.recorded_by, r.type, r.body});
}

Result<StoredCareEventPtr> DecodeStoredCareEvent(const CareRecordView& r) {
  auto e = std::make_shared<StoredCareEvent>();
  CARELOG_RETURN_IF_ERROR(DecodeStoredCareEventInto(r, *e));
  return StoredCareEventPtr(std::move(e));
}

Status DecodeStoredCareEventInto(const CareRecordView& r, StoredCareEvent& e) {
  if (r.type != kCareEventType || r.body.size() > INT_MAX ||
      !e.event.ParseFromArray(r.body.data(), static_cast<int>(r.body.size()))) {
    return Status(Code::kCorruption, "event at position " +
                                         std::to_string(r.position) +
                                         " of stream " + std::string(r.stream) +
                                         " is not a carelog.schema.CareEvent");
  }
  e.version = r.version;
  e.position = r.position;
  e.recorded_at_micros = r.recorded_at_micros;
  e.recorded_by = r.recorded_by;
  auto t = ParseRfc3339(e.event.occurred_at());
  e.occurred_at = t.ok() ? *t : 0;
  return Status::Ok();
}

PersonState PersonState::FromStream(std::vector<StoredCareEventPtr> recorded) {
  PersonState s;
  s.recorded_ = std::move(recorded);
  s.by_event_id_.Reserve(s.recorded_.size());
  for (size_t i = 0; i < s.recorded_.size(); ++i) {
    const auto& e = s.recorded_[i]->event;
    s.IndexEvent(i);
    if (e.has_event_retracted())
      s.retracted_.insert(e.event_retracted().event_id());
  }
  s.timeline_ = EffectiveTimeline(s.recorded_);
  s.FoldFacts();
  return s;
}

PersonState PersonState::With(
    const std::vector<StoredCareEventPtr>& more) const {
  PersonState s = *this;
  s.Extend(more);
  return s;
}

bool PersonState::FoldsAtEnd(const StoredCareEvent& e) const {
  return !e.event.has_event_retracted() &&
         (timeline_.empty() || e.occurred_at >= timeline_.back()->occurred_at);
}

void PersonState::FoldFacts() {
  facts_ = PersonFacts();
  facts_.Reserve(timeline_);
  for (const auto& e : timeline_) facts_.Apply(*e);
}

void PersonState::IndexEvent(size_t i) {
  by_event_id_.Insert(EventIdAt(i), i,
                      [this](size_t j) { return EventIdAt(j); });
}

void PersonState::AppendAtEnd(const StoredCareEventPtr& e) {
  recorded_.push_back(e);
  IndexEvent(recorded_.size() - 1);
  timeline_.push_back(e);
  facts_.Apply(*e);
}

void PersonState::Extend(const std::vector<StoredCareEventPtr>& more) {
  bool in_order = true;
  Instant last = timeline_.empty() ? std::numeric_limits<Instant>::min()
                                   : timeline_.back()->occurred_at;
  for (const auto& e : more) {
    if (e->event.has_event_retracted() || e->occurred_at < last) {
      in_order = false;
      break;
    }
    last = e->occurred_at;
  }
  if (!in_order) {
    InsertAndRefold(more);
    return;
  }
  Reserve(more);
  for (const auto& e : more) AppendAtEnd(e);
}

void PersonState::InsertAndRefold(std::span<const StoredCareEventPtr> more) {
  ReserveMore(recorded_, more.size());
  by_event_id_.Reserve(recorded_.size() + more.size());
  bool retracts = false;
  for (const auto& e : more) {
    recorded_.push_back(e);
    IndexEvent(recorded_.size() - 1);
    if (e->event.has_event_retracted()) {
      retracted_.insert(e->event.event_retracted().event_id());
      retracts = true;
    }
  }
  if (retracts) {
    timeline_ = EffectiveTimeline(recorded_);
  } else {
    // The timeline is in order already: the new events merge into it (their
    // versions are the highest, so among equal instants they go last).
    const size_t old_size = timeline_.size();
    for (const auto& e : more) {
      if (!retracted_.contains(e->event.event_id())) timeline_.push_back(e);
    }
    const auto middle = timeline_.begin() + static_cast<ptrdiff_t>(old_size);
    std::stable_sort(middle, timeline_.end(), TimelineBeforePtr);
    std::inplace_merge(timeline_.begin(), middle, timeline_.end(),
                       TimelineBeforePtr);
  }
  FoldFacts();
}

void PersonState::Reserve(std::span<const StoredCareEventPtr> more) {
  ReserveMore(recorded_, more.size());
  ReserveMore(timeline_, more.size());
  by_event_id_.Reserve(recorded_.size() + more.size());
  facts_.Reserve(more);
}

void PersonState::Extend(const StoredCareEventPtr& event) {
  if (FoldsAtEnd(*event)) {
    AppendAtEnd(event);
    return;
  }
  InsertAndRefold({&event, 1});
}

void PersonState::TruncateTo(uint64_t version) {
  if (version >= recorded_.size()) return;
  std::vector<StoredCareEventPtr> kept = std::move(recorded_);
  kept.resize(version);
  *this = FromStream(std::move(kept));
}

const StoredCareEvent* PersonState::FindEvent(std::string_view event_id) const {
  auto at =
      by_event_id_.Find(event_id, [this](size_t i) { return EventIdAt(i); });
  return at ? recorded_[*at].get() : nullptr;
}

}  // namespace carelog
