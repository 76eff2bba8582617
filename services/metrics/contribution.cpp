#include "services/metrics/contribution.h"

#include <map>
#include <set>

namespace carelog::metrics {
namespace {

using schema::CareEvent;

// The key of a month's cell.
CellKey Month(uint32_t area, Metric metric, Ymd ymd,
              Field field = Field::kNone) {
  return PeriodCell(area, metric, PeriodKind::kMonth, ymd, field);
}

constexpr PeriodKind kPeriodKinds[] = {PeriodKind::kMonth, PeriodKind::kQuarter,
                                       PeriodKind::kYear};

// The instant that ends the period with this label (00:00 London on the day
// after its last day): the end of its last month.
Instant PeriodEnd(Ymd ymd, PeriodKind kind) {
  if (kind == PeriodKind::kMonth) return MonthEndInstant(MonthIndex(ymd));
  if (kind == PeriodKind::kYear)  // March of the next calendar year
    return MonthEndInstant(MonthIndex(Ymd{FinancialYearOf(ymd) + 1, 3, 1}));
  // The quarter's last month: March, June, September or December.
  return MonthEndInstant(
      MonthIndex(Ymd{ymd.year, ((ymd.month - 1) / 3) * 3 + 3, 1}));
}

// An event's nhsNumberVerified cells of one period, given the denominator's
// key: the denominator, and the numerator when the number was verified by the
// period's end (a numerator of 0 is no cell). A period's cells always get the
// same values, so writing them again changes nothing.
void SetVerifiedCells(const CellKey& den, bool verified,
                      CellListBuilder& cells) {
  cells.Set(den, 1);
  if (!verified) return;
  CellKey num = den;
  num.field = Field::kNum;
  cells.Set(num, 1);
}

bool IsPermanentCouncilSupported(const schema::CareHomeAdmitted& a) {
  return a.permanent() && a.council_supported();
}

// Adds the cells an event counts by itself, whatever the rest of the person's
// history (non-elective admissions, A&E attendances, survey answers, joint
// assessments started; a local id and a routine referral count nothing), in
// `area` on `date`; false, adding nothing, for any other event (an urgent
// referral's numerator depends on the responses recorded before it). Both the
// whole-history fold and the appended-event delta use it, so each definition is
// written once.
bool AddOwnCounts(const CareEvent& e, uint32_t area, Date date, Ymd ymd,
                  CellListBuilder& cells) {
  switch (e.payload_case()) {
    case CareEvent::kHospitalAdmitted: {
      auto method = e.hospital_admitted().method();
      if (method == schema::AdmissionMethod::EMERGENCY ||
          method == schema::AdmissionMethod::TRANSFER) {
        cells.Add(Month(area, Metric::kNea, ymd), 1);
      }
      return true;
    }
    case CareEvent::kAeAttended:
      cells.Add(Month(area, Metric::kAe, ymd), 1);
      return true;
    case CareEvent::kExperienceSurveyCompleted:
      cells.Add(Month(area, Metric::kPx, ymd, Field::kDen), 1);
      if (e.experience_survey_completed().positive())
        cells.Add(Month(area, Metric::kPx, ymd, Field::kNum), 1);
      return true;
    case CareEvent::kJointAssessmentStarted:
      cells.Add(Month(area, Metric::kJa, ymd, Field::kAll), 1);
      if (IsWeekendDay(date))
        cells.Add(Month(area, Metric::kJa, ymd, Field::kWe), 1);
      return true;
    case CareEvent::kLocalIdLinked:
      return true;
    case CareEvent::kReferralReceived: {
      auto urgency = e.referral_received().urgency();
      return urgency != schema::Urgency::URGENT &&
             urgency != schema::Urgency::CRISIS;
    }
    default:
      return false;
  }
}

void AddCounts(const PersonHistory& h, CellListBuilder& cells) {
  // Facts looked up across events.
  std::set<std::string> completed_assessments;
  std::map<std::string, Instant>
      first_response;  // referralId -> earliest response
  std::map<std::string, const schema::FollowUpRecorded*>
      latest_follow_up;  // by time order
  for (const HistoryEvent& he : h.events()) {
    const CareEvent& e = *he.event;
    if (e.has_joint_assessment_completed()) {
      completed_assessments.insert(
          e.joint_assessment_completed().assessment_id());
    } else if (e.has_referral_accepted() || e.has_referral_declined()) {
      const std::string& id = e.has_referral_accepted()
                                  ? e.referral_accepted().referral_id()
                                  : e.referral_declined().referral_id();
      first_response.emplace(id, he.at);
    } else if (e.has_follow_up_recorded()) {
      latest_follow_up[e.follow_up_recorded().spell_id()] =
          &e.follow_up_recorded();
    }
  }
  // Permanent placements: (admitted, left) per placement id, for telling moves
  // from admissions.
  struct Placement {
    Instant admitted;
    std::optional<Instant> left;
    bool permanent;
  };
  std::map<std::string, Placement> placements;
  for (const HistoryEvent& he : h.events()) {
    const CareEvent& e = *he.event;
    if (e.has_care_home_admitted()) {
      placements[e.care_home_admitted().placement_id()] =
          Placement{he.at, std::nullopt, e.care_home_admitted().permanent()};
    } else if (e.has_care_home_left()) {
      auto it = placements.find(e.care_home_left().placement_id());
      if (it != placements.end() && !it->second.left) it->second.left = he.at;
    }
  }

  // The denominators of the nv cells (month, quarter, year) written last.
  AreaNumbers areas;
  CellKey nv_written[std::size(kPeriodKinds)];
  for (const HistoryEvent& he : h.events()) {
    const CareEvent& e = *he.event;
    const std::string& area_name = h.AreaAt(he.at);
    if (area_name.empty()) return;
    const uint32_t area = areas.Of(area_name);
    Date date = LondonDate(he.at);
    const Ymd ymd = ToYmd(date);

    // nhsNumberVerified: each person once per period, in each area they had an
    // event in. A period's cells just written by the event before are not
    // written again (events are in time order: the same month means the same
    // quarter and year too).
    for (size_t k = 0; k < std::size(kPeriodKinds); ++k) {
      const CellKey den =
          PeriodCell(area, Metric::kNv, kPeriodKinds[k], ymd, Field::kDen);
      if (den == nv_written[k]) {
        if (kPeriodKinds[k] == PeriodKind::kMonth) break;
        continue;
      }
      nv_written[k] = den;
      SetVerifiedCells(den, h.VerifiedAt(PeriodEnd(ymd, kPeriodKinds[k])),
                       cells);
    }

    if (AddOwnCounts(e, area, date, ymd, cells)) continue;
    switch (e.payload_case()) {
      case CareEvent::kReferralReceived: {  // urgent or crisis (AddOwnCounts)
        cells.Add(Month(area, Metric::kUr, ymd, Field::kDen), 1);
        auto r = first_response.find(e.referral_received().referral_id());
        if (r != first_response.end() && r->second - he.at <= kMicrosPerDay) {
          cells.Add(Month(area, Metric::kUr, ymd, Field::kNum), 1);
        }
        break;
      }
      case CareEvent::kCarePackageStarted: {
        const auto& p = e.care_package_started();
        if (!p.integrated()) break;
        cells.Add(Month(area, Metric::kJac, ymd, Field::kDen), 1);
        if (!p.assessment_id().empty() &&
            completed_assessments.count(p.assessment_id())) {
          cells.Add(Month(area, Metric::kJac, ymd, Field::kNum), 1);
        }
        break;
      }
      case CareEvent::kDischarged: {
        auto destination = e.discharged().destination();
        if (destination != schema::Destination::DIED) {
          cells.Add(Month(area, Metric::kWd, ymd,
                          IsWeekendDay(date) ? Field::kWe : Field::kWk),
                    1);
        }
        bool reablement =
            destination == schema::Destination::REABLEMENT ||
            destination == schema::Destination::REHABILITATION_BED;
        if (!reablement || ymd.month < 10 || h.AgeOnDate(date) < 65) break;
        cells.Add(Month(area, Metric::kRb, ymd, Field::kDen), 1);
        auto f = latest_follow_up.find(e.discharged().spell_id());
        bool died_before_day_91 =
            h.died_at() && LondonDate(*h.died_at()).days < date.days + 91;
        if (f != latest_follow_up.end() &&
            f->second->status() == schema::FollowUpStatus::AT_HOME &&
            !died_before_day_91) {
          cells.Add(Month(area, Metric::kRb, ymd, Field::kNum), 1);
        }
        break;
      }
      case CareEvent::kCareHomeAdmitted: {
        const auto& a = e.care_home_admitted();
        if (!IsPermanentCouncilSupported(a)) break;
        // Another permanent placement open then (admitted before, not left
        // before the day of this admission) makes this a move, not an
        // admission.
        bool move = false;
        for (const auto& [id, p] : placements) {
          if (id == a.placement_id() || !p.permanent) continue;
          if (p.admitted <= he.at && (!p.left || LondonDate(*p.left) >= date))
            move = true;
        }
        if (move) break;
        int age = h.AgeOnDate(date);
        if (age < 18) break;
        const Metric metric = age >= 65 ? Metric::kPa65 : Metric::kPa18;
        for (PeriodKind kind : kPeriodKinds)
          cells.Set(PeriodCell(area, metric, kind, ymd), 1);
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace

Date BirthdayOfAge(Date birth, int years) {
  Ymd b = ToYmd(birth);
  Date guess = Date{DateFromYmd(b.year + years, b.month, 1).days + b.day - 1};
  Date d{guess.days - 3};
  while (AgeOn(birth, d) < years) ++d.days;
  return d;
}

namespace {

// AppendedEventDelta for a contribution `before` that is empty or not and holds
// a cell or not as `before_empty` and `before_has` say.
template <class Has>
bool AppendedDelta(const PersonState& after, bool before_empty,
                   const Has& before_has, CellList& delta) {
  delta.clear();
  const auto& timeline = after.timeline();
  // The latest version is the last effective event: it was folded at the end
  // (a late event or a retraction refolds, and is not last or not effective).
  if (timeline.empty() || timeline.back()->version != after.version())
    return false;
  const PersonFacts& facts = after.facts();
  if (facts.area_history().empty()) return false;  // no contribution at all
  const StoredCareEvent& last = *timeline.back();
  const CareEvent& e = last.event;
  // As AddCounts does for this event, the only one whose cells change: its
  // own counts, and the nhsNumberVerified cells of its periods where no
  // earlier event wrote them (the same key always gets the same value). Every
  // kind AddOwnCounts refuses depends on the rest of the history.
  const std::string& area_name = AreaOfResidenceAt(facts, last.occurred_at);
  if (area_name.empty()) return false;  // AddCounts counts nothing then
  const uint32_t area = AreaId(area_name);
  const Date date = LondonDate(last.occurred_at);
  const Ymd ymd = ToYmd(date);
  // A registration that is the person's only effective event: the history
  // before it had no area and contributed nothing, and a registration alone
  // counts only its periods' nhsNumberVerified cells (no spell, no package).
  // Most people's first event, so most streams start without a recomputation.
  const bool first_registration =
      e.has_person_registered() && timeline.size() == 1 && before_empty;
  CellListBuilder cells;
  if (!first_registration && !AddOwnCounts(e, area, date, ymd, cells))
    return false;
  for (PeriodKind kind : kPeriodKinds) {
    const CellKey den = PeriodCell(area, Metric::kNv, kind, ymd, Field::kDen);
    // An earlier event in this area and month wrote its quarter's and
    // year's cells too (AddCounts writes all three for every event).
    if (before_has(den)) {
      if (kind == PeriodKind::kMonth) break;
      continue;
    }
    SetVerifiedCells(den, NhsNumberVerifiedAt(facts, PeriodEnd(ymd, kind)),
                     cells);
  }
  cells.Take(delta);
  return true;
}

}  // namespace

bool AppendedEventDelta(const PersonState& after, const CellList& before,
                        CellList& delta) {
  return AppendedDelta(
      after, before.empty(),
      [&](const CellKey& key) { return FindCell(before, key) != nullptr; },
      delta);
}

bool AppendedEventDelta(const PersonState& after, const Cells& before,
                        Cells& delta) {
  CellList cells;
  const bool answered = AppendedDelta(
      after, before.empty(),
      [&](const CellKey& key) { return before.contains(CellName(key)); },
      cells);
  delta = ToCells(cells);
  return answered;
}

CellList ContributionCells(const PersonHistory& history) {
  if (history.AreaAt(0).empty()) return {};
  CellListBuilder cells;
  AddCounts(history, cells);
  AddDelayedDays(history, cells);
  AddPackageCoverage(history, cells);
  // Cells assigned 0 (e.g. nv num of an unverified person) carry no
  // information: Take drops them.
  return cells.Take();
}

Cells ComputeContribution(const PersonHistory& history) {
  return ToCells(ContributionCells(history));
}

void StepContribution(const PersonState& after, CellList& contribution,
                      CellList& delta) {
  if (AppendedEventDelta(after, contribution, delta)) {
    ApplyDelta(contribution, delta);
    return;
  }
  CellList now = ContributionCells(PersonHistory(after));
  delta = Diff(contribution, now);
  contribution = std::move(now);
}

}  // namespace carelog::metrics
