// The parts of a person's contribution that run over time: delayed days (the
// midnight rule) and integrated packages open at month ends. What is still open
// when the history ends becomes an open item counted at query time.
#include <algorithm>
#include <map>
#include <vector>

#include "services/metrics/contribution.h"

namespace carelog::metrics {
namespace {

using schema::CareEvent;

struct DelayRecord {
  Instant at;
  int32_t agency;  // enum values, kUnrecordedCode for none
  int32_t reason;
};

struct Readiness {
  Instant start = 0;
  std::optional<Instant> end;  // withdrawal, discharge or death
  std::vector<DelayRecord> delays;
};

// The midnight that ends local date d.
Instant MidnightEnding(Date d) { return LondonStartOfDay(Date{d.days + 1}); }

std::vector<Readiness> Readinesses(const PersonHistory& h) {
  std::vector<Readiness> out;
  std::map<std::string, size_t>
      open;  // spellId -> index of its current readiness
  for (const HistoryEvent& he : h.events()) {
    const CareEvent& e = *he.event;
    switch (e.payload_case()) {
      case CareEvent::kReadyForDischarge: {
        const std::string& spell = e.ready_for_discharge().spell_id();
        if (open.count(spell)) break;  // already ready: the clock keeps running
        open[spell] = out.size();
        out.push_back(Readiness{he.at, std::nullopt, {}});
        break;
      }
      case CareEvent::kReadyForDischargeWithdrawn:
      case CareEvent::kDischarged: {
        const std::string& spell =
            e.has_discharged() ? e.discharged().spell_id()
                               : e.ready_for_discharge_withdrawn().spell_id();
        auto it = open.find(spell);
        if (it == open.end()) break;
        out[it->second].end = he.at;
        open.erase(it);
        break;
      }
      case CareEvent::kDischargeDelayRecorded: {
        const auto& d = e.discharge_delay_recorded();
        auto it = open.find(d.spell_id());
        if (it == open.end()) break;
        out[it->second].delays.push_back(DelayRecord{
            he.at,
            schema::Agency::Value_IsValid(d.agency()) ? d.agency()
                                                      : kUnknownCode,
            schema::DelayReason::Value_IsValid(d.reason()) ? d.reason()
                                                           : kUnknownCode});
        break;
      }
      default:
        break;
    }
  }
  if (h.died_at()) {
    for (Readiness& r : out) {
      if (!r.end) r.end = std::max(r.start, *h.died_at());
    }
  }
  return out;
}

// The agency and reason at instant m: of the latest delay record at or before
// it.
std::pair<int32_t, int32_t> DelayAt(const Readiness& r, Instant m) {
  std::pair<int32_t, int32_t> out{kUnrecordedCode, kUnrecordedCode};
  for (const DelayRecord& d : r.delays) {
    if (d.at > m) break;
    out = {d.agency, d.reason};
  }
  return out;
}

}  // namespace

void AddDelayedDays(const PersonHistory& h, CellListBuilder& cells) {
  if (!h.birth_date()) return;
  Date adult_from = BirthdayOfAge(*h.birth_date(), 18);
  AreaNumbers areas;
  for (const Readiness& r : Readinesses(h)) {
    // SPEC.md counts by London dates ("ready and discharged the same day: 0"):
    // the days from the readiness's date to the day before its end, so a
    // readiness given at 00:00 is not in at that midnight (it ends the day
    // before) and one ended at 00:00 still is. Days are counted explicitly up
    // to `limit`; for an open readiness that is the last change of state (a
    // delay record or a move, never the readiness's own instant), after which
    // the open item takes over.
    Instant limit;
    if (r.end) {
      limit = *r.end;
    } else {
      limit = r.start + 1;
      if (!r.delays.empty()) limit = std::max(limit, r.delays.back().at);
      for (Instant move : h.MovesIn(r.start, std::nullopt))
        limit = std::max(limit, move);
    }
    for (Date d = LondonDate(r.start);; ++d.days) {
      Instant m = MidnightEnding(d);
      if (r.end ? m > limit : m >= limit) break;
      if (d < adult_from) continue;
      auto [agency, reason] = DelayAt(r, m);
      CellKey day = PeriodCell(areas.Of(h.AreaAt(m)), Metric::kDd,
                               PeriodKind::kMonth, ToYmd(d), Field::kAg);
      day.code = agency;
      cells.Add(day, 1);
      day.field = Field::kRe;
      day.code = reason;
      cells.Add(day, 1);
    }
    if (!r.end) {
      auto [agency, reason] = DelayAt(r, limit);
      CellKey open;
      open.area = areas.Of(h.AreaAt(limit));
      open.metric = Metric::kDdo;
      open.code = agency;
      open.code2 = reason;
      open.since = limit;
      open.days = adult_from.days;
      cells.Add(open, 1);
    }
  }
}

void AddPackageCoverage(const PersonHistory& h, CellListBuilder& cells) {
  AreaNumbers areas;
  struct Package {
    Instant start;
    std::optional<Instant> end;
    std::optional<Instant> first_professional;
  };
  std::map<std::string, Package> packages;  // integrated ones
  for (const HistoryEvent& he : h.events()) {
    const CareEvent& e = *he.event;
    if (e.has_care_package_started() && e.care_package_started().integrated()) {
      packages.emplace(e.care_package_started().package_id(),
                       Package{he.at, std::nullopt, std::nullopt});
    } else if (e.has_accountable_professional_assigned()) {
      auto it =
          packages.find(e.accountable_professional_assigned().package_id());
      if (it != packages.end() && !it->second.first_professional) {
        it->second.first_professional = he.at;
      }
    } else if (e.has_care_package_ended()) {
      auto it = packages.find(e.care_package_ended().package_id());
      if (it != packages.end() && !it->second.end) it->second.end = he.at;
    }
  }
  for (auto& [id, p] : packages) {
    if (!p.end && h.died_at()) p.end = std::max(p.start, *h.died_at());
    Instant limit;
    if (p.end) {
      limit = *p.end;
    } else {
      limit = p.start;
      if (p.first_professional) limit = std::max(limit, *p.first_professional);
      for (Instant move : h.MovesIn(p.start, std::nullopt))
        limit = std::max(limit, move);
    }
    int start_days = LondonDate(p.start).days;
    // From the month before the start's: a package started at exactly 00:00 on
    // the 1st is open at the previous month's end ("started at or before it").
    int k = MonthIndex(LondonDate(p.start)) - 1;
    for (;; ++k) {
      Instant m = MonthEndInstant(k);
      if (m >= limit) break;
      if (m < p.start) continue;
      bool with = p.first_professional && *p.first_professional <= m;
      CellKey month =
          PeriodCell(areas.Of(h.AreaAt(m)), Metric::kApc, PeriodKind::kMonth,
                     ToYmd(LondonDate(m - 1)), Field::kDen);
      cells.Add(month, 1);
      month.field = with ? Field::kNum : Field::kNsd;
      cells.Add(month, with ? 1 : start_days);
    }
    if (!p.end) {
      while (MonthEndInstant(k) < p.start) ++k;
      bool with = p.first_professional && *p.first_professional <= limit;
      CellKey open;
      open.area = areas.Of(h.AreaAt(limit));
      open.metric = Metric::kApco;
      open.number = k;
      open.sub = with ? 1 : 0;
      cells.Add(open, 1);
      if (!with) {
        open.metric = Metric::kApcs;
        open.sub = 0;
        cells.Add(open, start_days);
      }
    }
  }
}

}  // namespace carelog::metrics
