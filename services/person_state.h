// PersonState: the fold of one person's care events (SPEC.md "The care
// events"), honouring retractions. Events take effect in occurredAt order, ties
// in recording (version) order; a retracted event and the retraction itself
// have no effect, as if never recorded. Immutable once built; cheap to share
// between threads through shared_ptr<const PersonState>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "carelog/events.pb.h"
#include "services/calendar.h"
#include "services/view_index.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

// A hash map keyed by strings that is also searched by string_view without
// building a string (C++20 heterogeneous lookup).
struct StringKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>{}(s);
  }
};
using StringKeySet =
    std::unordered_set<std::string, StringKeyHash, std::equal_to<>>;

// One event of a person's stream as recorded.
struct StoredCareEvent {
  uint64_t version = 0;   // 1-based within the person's stream
  uint64_t position = 0;  // global log position (0 while not yet appended)
  int64_t recorded_at_micros = 0;
  std::string recorded_by;
  Instant occurred_at = 0;  // parsed from event.occurred_at()
  schema::CareEvent event;
};
using StoredCareEventPtr = std::shared_ptr<const StoredCareEvent>;

// The type name care events are stored under in the log.
inline constexpr std::string_view kCareEventType = "carelog.schema.CareEvent";

// A care event read back from the log, as the fold takes it; a record that is
// not a care event is kCorruption.
Result<StoredCareEventPtr> DecodeStoredCareEvent(
    const storage::RecordedEvent& r);
// The same from a record's fields held elsewhere (a rebuild's spill).
struct CareRecordView {
  std::string_view stream;
  uint64_t position = 0;
  uint64_t version = 0;
  int64_t recorded_at_micros = 0;
  std::string_view recorded_by;
  std::string_view type;
  std::string_view body;
};
Result<StoredCareEventPtr> DecodeStoredCareEvent(const CareRecordView& r);
// The same into `e`, whatever it held (its strings' memory reused).
Status DecodeStoredCareEventInto(const CareRecordView& r, StoredCareEvent& e);

// The area of residence from an instant on (personRegistered or personMoved).
struct AreaChange {
  Instant from = 0;
  std::string area_code;
};

struct LocalIdLink {
  std::string system;
  std::string value;
  Instant linked_at = 0;
};

struct Referral {
  enum class Response { kNone, kAccepted, kDeclined };
  std::string referral_id;
  Instant received_at = 0;
  schema::Sector::Value from_sector = schema::Sector::SECTOR_UNSPECIFIED;
  std::string from_organisation;
  std::string to_service;
  std::string reason;
  schema::Urgency::Value urgency = schema::Urgency::URGENCY_UNSPECIFIED;
  Response response = Response::kNone;
  std::optional<Instant> responded_at;
  std::string decline_reason;
};

struct Assessment {
  std::string assessment_id;
  std::string referral_id;  // empty when none was named
  Instant started_at = 0;
  std::vector<schema::Participant> participants;
  std::optional<Instant> completed_at;
  schema::AssessmentOutcome::Value outcome =
      schema::AssessmentOutcome::ASSESSMENT_OUTCOME_UNSPECIFIED;
};

struct ProfessionalAssignment {
  Instant assigned_at = 0;
  schema::AccountableProfessionalAssigned professional;
};

struct CarePackage {
  std::string package_id;
  std::string assessment_id;  // empty when none was named
  bool integrated = false;
  std::string scheme;
  bool pooled_budget = false;
  Instant started_at = 0;
  std::optional<Instant> ended_at;
  std::string end_reason;
  std::vector<ProfessionalAssignment>
      professionals;  // in time order; the last is current

  // The accountable professional at an instant (latest assigned at or before
  // it), or null.
  const ProfessionalAssignment* ProfessionalAt(Instant t) const;
  const ProfessionalAssignment* CurrentProfessional() const {
    return professionals.empty() ? nullptr : &professionals.back();
  }
  bool OpenAt(Instant t) const {
    return started_at <= t && (!ended_at || t < *ended_at);
  }
};

struct DelayRecord {
  Instant recorded_for = 0;  // occurredAt of the dischargeDelayRecorded
  schema::DelayReason::Value reason =
      schema::DelayReason::DELAY_REASON_UNSPECIFIED;
  schema::Agency::Value agency = schema::Agency::AGENCY_UNSPECIFIED;
};

// One period of readiness for discharge within a spell: from readyForDischarge
// until its withdrawal or the discharge (open while neither happened).
struct Readiness {
  enum class End { kOpen, kWithdrawn, kDischarged };
  Instant ready_at = 0;
  End end = End::kOpen;
  std::optional<Instant> ended_at;
  std::string withdrawal_reason;
  std::vector<DelayRecord> delays;  // in time order; each holds until the next

  // The latest delay record at or before t, or null (UNRECORDED).
  const DelayRecord* DelayAt(Instant t) const;
};

struct FollowUp {
  Instant recorded_for = 0;
  schema::FollowUpStatus::Value status =
      schema::FollowUpStatus::FOLLOW_UP_STATUS_UNSPECIFIED;
};

struct Spell {
  std::string spell_id;
  std::string provider;
  std::string site;
  schema::AdmissionMethod::Value method =
      schema::AdmissionMethod::ADMISSION_METHOD_UNSPECIFIED;
  Instant admitted_at = 0;
  std::vector<Readiness> readiness;  // in time order; only the last can be open
  std::optional<Instant> discharged_at;
  schema::Destination::Value destination =
      schema::Destination::DESTINATION_UNSPECIFIED;
  std::vector<FollowUp> follow_ups;  // in time order; the last is the latest

  bool Open() const { return !discharged_at.has_value(); }
  // In the spell at t: admitted at or before t and not discharged by then.
  bool InSpellAt(Instant t) const {
    return admitted_at <= t && (!discharged_at || t < *discharged_at);
  }
  // The readiness in force at t (ready at or before t, not yet ended), or null.
  const Readiness* ReadinessAt(Instant t) const;
  // The readiness open at the end of the fold (ready now), or null.
  const Readiness* CurrentReadiness() const;
  bool DischargedToReablement() const {
    return discharged_at &&
           (destination == schema::Destination::REABLEMENT ||
            destination == schema::Destination::REHABILITATION_BED);
  }
};

struct Placement {
  std::string placement_id;
  schema::CareHomeType::Value type =
      schema::CareHomeType::CARE_HOME_TYPE_UNSPECIFIED;
  bool permanent = false;
  bool council_supported = false;
  Instant admitted_at = 0;
  std::optional<Instant> left_at;

  bool OpenAt(Instant t) const {
    return admitted_at <= t && (!left_at || t < *left_at);
  }
};

// Views the strings of its aeAttended event, which the PersonState that folded
// it holds (see PersonFacts).
struct AeAttendance {
  std::string_view attendance_id;
  std::string_view site;
  Instant attended_at = 0;
};

struct Survey {
  std::string survey_id;
  bool positive = false;
  std::string question;
  Instant completed_at = 0;
};

// What a person's effective events say, folded in timeline order. Apply is one
// lenient fold step: an event that does not fit (which the rules prevent)
// changes nothing it cannot. The facts view strings of the events applied (an
// attendance's id and site) instead of copying them: every event applied must
// outlive the facts and every copy of them, unchanged (a PersonState holds its
// events, immutable and shared by its copies).
class PersonFacts {
 public:
  void Apply(const StoredCareEvent& e);
  // Sizes the lists and id indexes for the events about to be applied (an
  // estimate: Apply grows them as needed), so that a long history is not
  // folded into tables that double on fresh memory again and again.
  void Reserve(std::span<const StoredCareEventPtr> events);

  bool registered() const { return registered_at_.has_value(); }
  std::optional<Instant> registered_at() const { return registered_at_; }
  std::optional<Date> birth_date() const { return birth_date_; }
  const std::string& gp_practice() const { return gp_practice_; }
  // VERIFIED or UNVERIFIED once registered; UNSPECIFIED before.
  schema::NhsNumberStatus::Value nhs_number_status() const {
    return nhs_number_status_;
  }
  // When the number became VERIFIED (its registration or the first
  // nhsNumberVerified), if it did.
  std::optional<Instant> verified_at() const { return verified_at_; }
  const std::vector<LocalIdLink>& local_ids() const { return local_ids_; }
  std::optional<Instant> died_at() const { return died_at_; }
  std::optional<Date> died_on() const;
  // Completed years on the London date of t; nullopt without a birth date.
  std::optional<int> AgeAt(Instant t) const;

  const std::vector<AreaChange>& area_history() const { return areas_; }
  // The area of the latest personRegistered/personMoved at or before t; null
  // before registration.
  const std::string* AreaAt(Instant t) const;
  // The current area (empty before registration).
  std::string area_code() const {
    return areas_.empty() ? std::string() : areas_.back().area_code;
  }

  // Each list is in order of start (the timeline order of its first event).
  const std::vector<Referral>& referrals() const { return referrals_; }
  const std::vector<Assessment>& assessments() const { return assessments_; }
  const std::vector<CarePackage>& packages() const { return packages_; }
  const std::vector<Spell>& spells() const { return spells_; }
  const std::vector<Placement>& placements() const { return placements_; }
  const std::vector<AeAttendance>& ae_attendances() const {
    return ae_attendances_;
  }
  const std::vector<Survey>& surveys() const { return surveys_; }

  const Referral* FindReferral(std::string_view id) const;
  const Assessment* FindAssessment(std::string_view id) const;
  const CarePackage* FindPackage(std::string_view id) const;
  const Spell* FindSpell(std::string_view id) const;
  const Placement* FindPlacement(std::string_view id) const;
  const AeAttendance* FindAttendance(std::string_view id) const;
  const Survey* FindSurvey(std::string_view id) const;
  // The spell not yet discharged, if any (spells do not overlap).
  const Spell* OpenSpell() const;

 private:
  // Adds the link unless the same system and value are linked already.
  void LinkLocalId(const std::string& system, const std::string& value,
                   Instant at);
  Referral* MutableReferral(std::string_view id);
  Assessment* MutableAssessment(std::string_view id);
  CarePackage* MutablePackage(std::string_view id);
  Spell* MutableSpell(std::string_view id);
  Placement* MutablePlacement(std::string_view id);

  std::optional<Instant> registered_at_;
  std::optional<Date> birth_date_;
  std::string gp_practice_;
  schema::NhsNumberStatus::Value nhs_number_status_ =
      schema::NhsNumberStatus::NHS_NUMBER_STATUS_UNSPECIFIED;
  std::optional<Instant> verified_at_;
  std::vector<LocalIdLink> local_ids_;
  std::optional<Instant> died_at_;
  std::vector<AreaChange> areas_;

  std::vector<Referral> referrals_;
  std::vector<Assessment> assessments_;
  std::vector<CarePackage> packages_;
  std::vector<Spell> spells_;
  std::vector<Placement> placements_;
  std::vector<AeAttendance> ae_attendances_;
  std::vector<Survey> surveys_;
  // Id -> index in its list (the list holds the ids).
  ViewIndex referral_index_, assessment_index_, package_index_, spell_index_,
      placement_index_, attendance_index_, survey_index_;
  std::optional<size_t> open_spell_;
};

// Timeline order: occurredAt, then recording order (version).
bool TimelineBefore(const StoredCareEvent& a, const StoredCareEvent& b);
bool TimelineBeforePtr(const StoredCareEventPtr& a,
                       const StoredCareEventPtr& b);

// A person: every recorded event (by version) and the facts of the effective
// ones.
class PersonState {
 public:
  PersonState() = default;

  // Folds a stream's events given in version order (versions 1..n).
  static PersonState FromStream(std::vector<StoredCareEventPtr> recorded);

  // The state after appending `more` (versions continuing this one's). Folds
  // incrementally when the new events come after everything already effective
  // and retract nothing; otherwise refolds from the start.
  PersonState With(const std::vector<StoredCareEventPtr>& more) const;
  // The same as `*this = With(more)`, without copying the state when the fold
  // is incremental (for one owner folding a stream as it grows).
  void Extend(const std::vector<StoredCareEventPtr>& more);
  // Extend by one event.
  void Extend(const StoredCareEventPtr& event);
  // Sizes the state for these events (the next versions) about to be folded
  // one by one with Extend, so that its lists are not grown by doubling.
  void Reserve(std::span<const StoredCareEventPtr> more);
  // Drops the events recorded after `version` and refolds the rest (undoes
  // Extend when what was added is not to be kept). O(history).
  void TruncateTo(uint64_t version);

  uint64_t version() const { return recorded_.size(); }
  bool known() const { return !recorded_.empty(); }
  // Every event recorded, retracted ones and retractions included, in version
  // order.
  const std::vector<StoredCareEventPtr>& recorded() const { return recorded_; }
  // The effective events (neither retracted nor retractions) in timeline order.
  const std::vector<StoredCareEventPtr>& timeline() const { return timeline_; }
  const PersonFacts& facts() const { return facts_; }

  // The recorded event with this id, or null.
  const StoredCareEvent* FindEvent(std::string_view event_id) const;
  // The effective events of a stream (versions in order): without retracted
  // events and without the retractions, sorted in timeline order.
  static std::vector<StoredCareEventPtr> EffectiveTimeline(
      const std::vector<StoredCareEventPtr>& recorded);
  // True when an eventRetracted names this event id.
  bool IsRetracted(std::string_view event_id) const {
    return retracted_.contains(event_id);
  }

 private:
  // Whether `e` (the next version) folds onto the end of the timeline: no
  // retraction, not before the last effective event.
  bool FoldsAtEnd(const StoredCareEvent& e) const;
  void AppendAtEnd(const StoredCareEventPtr& e);
  // Records events (the next versions) of which some come before the end of
  // the timeline or retract: merges them into the timeline (re-sorting only
  // when one retracts) and refolds the facts, without indexing or sorting the
  // whole history again.
  void InsertAndRefold(std::span<const StoredCareEventPtr> more);
  // Folds facts_ afresh from timeline_.
  void FoldFacts();
  // Indexes recorded_[i] by its event id (the first of an id stays).
  void IndexEvent(size_t i);
  std::string_view EventIdAt(size_t i) const {
    return recorded_[i]->event.event_id();
  }

  std::vector<StoredCareEventPtr> recorded_;
  std::vector<StoredCareEventPtr> timeline_;
  // Event id -> index in recorded_, whose events hold the ids: an event costs
  // 8 bytes of table here and no copy of its id.
  ViewIndex by_event_id_;
  StringKeySet retracted_;
  PersonFacts facts_;
};

}  // namespace carelog
