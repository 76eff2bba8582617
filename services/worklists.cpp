#include "services/worklists.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "carelog/worklists.pb.h"

namespace carelog {
namespace {

constexpr std::string_view kPersonPrefix = "person-";
constexpr std::string_view kCareEventType = "carelog.schema.CareEvent";
constexpr int kFollowUpDay = 91;

// The part of a care event the worklists need. Other events are not kept.
struct Fact {
  enum class Kind : uint8_t {
    kArea,
    kDied,
    kAdmitted,
    kReady,
    kWithdrawn,
    kDelay,
    kDischarged,
    kFollowUp,
    kPackageStarted,
    kPackageEnded,
    kProfessional,
    kRetraction,
  };
  std::string event_id;
  Instant at = 0;
  uint64_t version = 0;
  Kind kind = Kind::kArea;
  int code = 0;       // destination, delay reason
  int code2 = 0;      // delay agency
  bool flag = false;  // package integrated
  std::string
      ref;  // spell id, package id, area code, or the retracted event id
  std::string text;  // site, or the serialized accountable professional
};

struct PersonItems {
  std::string area;
  std::vector<DischargeItem> discharge;
  std::vector<FollowUpItem> follow_ups;
  std::vector<UnassignedPackageItem> unassigned;
  bool empty() const {
    return discharge.empty() && follow_ups.empty() && unassigned.empty();
  }
};

std::optional<Fact> ToFact(const schema::CareEvent& e, uint64_t version) {
  Fact f;
  auto at = ParseRfc3339(e.occurred_at());
  if (!at.ok()) return std::nullopt;
  f.event_id = e.event_id();
  f.at = at.value();
  f.version = version;
  using P = schema::CareEvent;
  switch (e.payload_case()) {
    case P::kPersonRegistered:
      f.kind = Fact::Kind::kArea;
      f.ref = e.person_registered().area_code();
      break;
    case P::kPersonMoved:
      f.kind = Fact::Kind::kArea;
      f.ref = e.person_moved().area_code();
      break;
    case P::kPersonDied:
      f.kind = Fact::Kind::kDied;
      break;
    case P::kHospitalAdmitted:
      f.kind = Fact::Kind::kAdmitted;
      f.ref = e.hospital_admitted().spell_id();
      f.text = e.hospital_admitted().site();
      break;
    case P::kReadyForDischarge:
      f.kind = Fact::Kind::kReady;
      f.ref = e.ready_for_discharge().spell_id();
      break;
    case P::kReadyForDischargeWithdrawn:
      f.kind = Fact::Kind::kWithdrawn;
      f.ref = e.ready_for_discharge_withdrawn().spell_id();
      break;
    case P::kDischargeDelayRecorded:
      f.kind = Fact::Kind::kDelay;
      f.ref = e.discharge_delay_recorded().spell_id();
      f.code = e.discharge_delay_recorded().reason();
      f.code2 = e.discharge_delay_recorded().agency();
      break;
    case P::kDischarged:
      f.kind = Fact::Kind::kDischarged;
      f.ref = e.discharged().spell_id();
      f.code = e.discharged().destination();
      break;
    case P::kFollowUpRecorded:
      f.kind = Fact::Kind::kFollowUp;
      f.ref = e.follow_up_recorded().spell_id();
      break;
    case P::kCarePackageStarted:
      f.kind = Fact::Kind::kPackageStarted;
      f.ref = e.care_package_started().package_id();
      f.flag = e.care_package_started().integrated();
      break;
    case P::kCarePackageEnded:
      f.kind = Fact::Kind::kPackageEnded;
      f.ref = e.care_package_ended().package_id();
      break;
    case P::kAccountableProfessionalAssigned:
      f.kind = Fact::Kind::kProfessional;
      f.ref = e.accountable_professional_assigned().package_id();
      f.text = e.accountable_professional_assigned().SerializeAsString();
      break;
    case P::kEventRetracted:
      f.kind = Fact::Kind::kRetraction;
      f.ref = e.event_retracted().event_id();
      break;
    default:
      return std::nullopt;
  }
  return f;
}

int MidnightsBetween(Instant from, Instant to) {
  if (to <= from) return 0;
  return std::max(0, LondonDate(to).days - LondonDate(from).days);
}

// The person's open items, from their whole history (retracted events left
// out).
PersonItems Derive(const std::string& nhs, const std::vector<Fact>& all) {
  std::unordered_set<std::string> retracted;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->kind == Fact::Kind::kRetraction &&
        !retracted.contains(it->event_id)) {
      retracted.insert(it->ref);
    }
  }
  std::vector<const Fact*> facts;
  for (const Fact& f : all) {
    if (f.kind != Fact::Kind::kRetraction && !retracted.contains(f.event_id))
      facts.push_back(&f);
  }
  std::stable_sort(
      facts.begin(), facts.end(), [](const Fact* a, const Fact* b) {
        return a->at != b->at ? a->at < b->at : a->version < b->version;
      });

  struct Spell {
    std::string site;
    bool ready = false;
    Instant ready_since = 0;
    const Fact* delay = nullptr;
    const Fact* discharge = nullptr;
    bool followed_up = false;
  };
  struct Package {
    Instant started = 0;
    bool integrated = false;
    bool ended = false;
    const Fact* professional = nullptr;
  };
  PersonItems items;
  bool died = false;
  std::map<std::string, Spell> spells;
  std::map<std::string, Package> packages;
  std::vector<std::string> spell_order;
  for (const Fact* f : facts) {
    switch (f->kind) {
      case Fact::Kind::kArea:
        items.area = f->ref;
        break;
      case Fact::Kind::kDied:
        died = true;
        break;
      case Fact::Kind::kAdmitted:
        spells[f->ref].site = f->text;
        break;
      case Fact::Kind::kReady: {
        Spell& s = spells[f->ref];
        if (!s.ready) {
          s.ready = true;
          s.ready_since = f->at;
          s.delay = nullptr;
        }
        break;
      }
      case Fact::Kind::kWithdrawn: {
        Spell& s = spells[f->ref];
        s.ready = false;
        s.delay = nullptr;
        break;
      }
      case Fact::Kind::kDelay: {
        Spell& s = spells[f->ref];
        if (s.ready) s.delay = f;
        break;
      }
      case Fact::Kind::kDischarged:
        spells[f->ref].discharge = f;
        break;
      case Fact::Kind::kFollowUp:
        spells[f->ref].followed_up = true;
        break;
      case Fact::Kind::kPackageStarted: {
        Package& p = packages[f->ref];
        p.started = f->at;
        p.integrated = f->flag;
        break;
      }
      case Fact::Kind::kPackageEnded:
        packages[f->ref].ended = true;
        break;
      case Fact::Kind::kProfessional:
        packages[f->ref].professional = f;
        break;
      case Fact::Kind::kRetraction:
        break;
    }
  }

  const Fact* professional = nullptr;
  for (const auto& [id, p] : packages) {
    if (p.ended) continue;
    if (p.professional != nullptr) {
      if (professional == nullptr || professional->at < p.professional->at) {
        professional = p.professional;
      }
    } else if (p.integrated && !died) {
      items.unassigned.push_back({nhs, id, p.started, 0});
    }
  }
  for (const auto& [id, s] : spells) {
    if (s.discharge != nullptr) {
      const auto destination =
          static_cast<schema::Destination::Value>(s.discharge->code);
      if (!s.followed_up &&
          (destination == schema::Destination::REABLEMENT ||
           destination == schema::Destination::REHABILITATION_BED)) {
        const Date on = LondonDate(s.discharge->at);
        items.follow_ups.push_back({nhs, id, on, Date{on.days + kFollowUpDay}});
      }
      continue;
    }
    if (!s.ready || died) continue;
    DischargeItem item;
    item.nhs_number = nhs;
    item.spell_id = id;
    item.site = s.site;
    item.ready_since = s.ready_since;
    item.ready_on_weekend = IsWeekendDay(LondonDate(s.ready_since));
    if (s.delay != nullptr) {
      item.reason = schema::DelayReason::Value_Name(s.delay->code);
      item.agency = schema::Agency::Value_Name(s.delay->code2);
    } else {
      item.reason = "UNRECORDED";
      item.agency = "UNRECORDED";
    }
    if (professional != nullptr) {
      schema::AccountableProfessionalAssigned ap;
      if (ap.ParseFromString(professional->text))
        item.accountable_professional = std::move(ap);
    }
    items.discharge.push_back(std::move(item));
  }
  return items;
}

schema::WorklistPerson ToRow(const std::vector<Fact>& facts) {
  schema::WorklistPerson row;
  for (const Fact& f : facts) {
    auto* r = row.add_facts();
    r->set_event_id(f.event_id);
    r->set_at_micros(f.at);
    r->set_version(f.version);
    r->set_kind(static_cast<int32_t>(f.kind));
    r->set_code(f.code);
    r->set_code2(f.code2);
    r->set_flag(f.flag);
    r->set_ref(f.ref);
    r->set_text(f.text);
  }
  return row;
}

std::vector<Fact> FromRow(const schema::WorklistPerson& row) {
  std::vector<Fact> facts;
  facts.reserve(static_cast<size_t>(row.facts_size()));
  for (const auto& r : row.facts()) {
    Fact f;
    f.event_id = r.event_id();
    f.at = r.at_micros();
    f.version = r.version();
    f.kind = static_cast<Fact::Kind>(r.kind());
    f.code = r.code();
    f.code2 = r.code2();
    f.flag = r.flag();
    f.ref = r.ref();
    f.text = r.text();
    facts.push_back(std::move(f));
  }
  return facts;
}

}  // namespace

struct WorklistProjection::Impl {
  mutable std::shared_mutex mu;
  uint64_t position = 0;
  storage::EventLog* log = nullptr;                          // set by Load
  std::unordered_map<std::string, std::vector<Fact>> facts;  // by NHS number
  std::unordered_map<std::string, std::string>
      area_of;  // people with open items
  std::unordered_map<std::string, std::map<std::string, PersonItems>> by_area;
  std::unordered_set<std::string>
      dirty;  // people changed in the batch not yet committed

  void Update(const std::string& nhs, const schema::CareEvent& event,
              uint64_t version) {
    auto fact = ToFact(event, version);
    if (!fact) return;
    facts[nhs].push_back(std::move(*fact));
    dirty.insert(nhs);
    Reindex(nhs);
  }

  // Recomputes the person's open items from their facts.
  void Reindex(const std::string& nhs) {
    auto found = facts.find(nhs);
    PersonItems items =
        found == facts.end() ? PersonItems{} : Derive(nhs, found->second);
    if (auto it = area_of.find(nhs); it != area_of.end()) {
      auto area = by_area.find(it->second);
      if (area != by_area.end()) {
        area->second.erase(nhs);
        if (area->second.empty()) by_area.erase(area);
      }
      area_of.erase(it);
    }
    if (!items.empty()) {
      area_of[nhs] = items.area;
      by_area[items.area][nhs] = std::move(items);
    }
  }

  void Clear() {
    facts.clear();
    area_of.clear();
    by_area.clear();
    dirty.clear();
  }
};

WorklistProjection::WorklistProjection() : impl_(std::make_unique<Impl>()) {}
WorklistProjection::~WorklistProjection() = default;

Status WorklistProjection::Load(storage::EventLog& log) {
  std::unique_lock lock(impl_->mu);
  impl_->Clear();
  impl_->log = &log;
  bool unreadable = false;
  Status scanned = log.ScanProjection(
      kName, "", [&](std::string_view key, std::string_view value) {
        schema::WorklistPerson row;
        if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          unreadable = true;
          return false;
        }
        impl_->facts[std::string(key)] = FromRow(row);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (unreadable)
    return Status(Code::kCorruption,
                  "a row of the worklists projection is unreadable");
  std::vector<std::string> people;
  people.reserve(impl_->facts.size());
  for (const auto& [nhs, facts] : impl_->facts) people.push_back(nhs);
  for (const std::string& nhs : people) impl_->Reindex(nhs);
  auto checkpoint = log.ProjectionCheckpoint(kName);
  if (!checkpoint.ok()) return checkpoint.status();
  impl_->position = checkpoint.value();
  return Status::Ok();
}

Status WorklistProjection::Apply(const storage::RecordedEvent& event,
                                 storage::ProjectionWrite&) {
  if (!event.stream.starts_with(kPersonPrefix) ||
      event.type != kCareEventType) {
    return Status::Ok();
  }
  schema::CareEvent care;
  if (!care.ParseFromString(event.body)) return Status::Ok();
  std::unique_lock lock(impl_->mu);
  impl_->Update(event.stream.substr(kPersonPrefix.size()), care, event.version);
  return Status::Ok();
}

Status WorklistProjection::FinishBatch(storage::ProjectionWrite& write) {
  std::shared_lock lock(impl_->mu);
  for (const std::string& nhs : impl_->dirty) {
    auto it = impl_->facts.find(nhs);
    if (it == impl_->facts.end()) continue;
    write.rows.push_back(
        {std::string(kName), nhs, ToRow(it->second).SerializeAsString()});
  }
  return Status::Ok();
}

void WorklistProjection::Commit(uint64_t position) {
  std::unique_lock lock(impl_->mu);
  impl_->dirty.clear();
  impl_->position = position;
}

void WorklistProjection::Abort() {
  std::unique_lock lock(impl_->mu);
  // Forget the batch: the people it changed go back to their stored rows.
  for (const std::string& nhs : impl_->dirty) {
    impl_->facts.erase(nhs);
    if (impl_->log != nullptr) {
      auto row = impl_->log->GetProjectionRow(kName, nhs);
      schema::WorklistPerson stored;
      if (row.ok() && row.value() && stored.ParseFromString(*row.value())) {
        impl_->facts[nhs] = FromRow(stored);
      }
    }
    impl_->Reindex(nhs);
  }
  impl_->dirty.clear();
}

void WorklistProjection::Reset() {
  std::unique_lock lock(impl_->mu);
  impl_->Clear();
  impl_->position = 0;
}

void WorklistProjection::ApplyCareEvent(std::string_view nhs_number,
                                        uint64_t version,
                                        const schema::CareEvent& event) {
  std::unique_lock lock(impl_->mu);
  impl_->Update(std::string(nhs_number), event, version);
}

uint64_t WorklistProjection::position() const {
  std::shared_lock lock(impl_->mu);
  return impl_->position;
}

std::vector<DischargeItem> WorklistProjection::Discharge(
    std::string_view area, std::optional<std::string_view> site,
    Instant now) const {
  std::vector<DischargeItem> out;
  {
    std::shared_lock lock(impl_->mu);
    auto it = impl_->by_area.find(std::string(area));
    if (it == impl_->by_area.end()) return out;
    for (const auto& [nhs, items] : it->second) {
      for (const DischargeItem& item : items.discharge) {
        if (item.ready_since > now) continue;
        if (site && item.site != *site) continue;
        out.push_back(item);
        out.back().days_delayed = MidnightsBetween(item.ready_since, now);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const DischargeItem& a, const DischargeItem& b) {
              if (a.days_delayed != b.days_delayed)
                return a.days_delayed > b.days_delayed;
              if (a.ready_since != b.ready_since)
                return a.ready_since < b.ready_since;
              return std::tie(a.nhs_number, a.spell_id) <
                     std::tie(b.nhs_number, b.spell_id);
            });
  return out;
}

std::vector<FollowUpItem> WorklistProjection::FollowUpsDue(
    std::string_view area, Instant now) const {
  std::vector<FollowUpItem> out;
  const Date today = LondonDate(now);
  {
    std::shared_lock lock(impl_->mu);
    auto it = impl_->by_area.find(std::string(area));
    if (it == impl_->by_area.end()) return out;
    for (const auto& [nhs, items] : it->second) {
      for (const FollowUpItem& item : items.follow_ups) {
        if (item.due_on <= today) out.push_back(item);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const FollowUpItem& a, const FollowUpItem& b) {
              if (a.due_on != b.due_on) return a.due_on < b.due_on;
              return std::tie(a.nhs_number, a.spell_id) <
                     std::tie(b.nhs_number, b.spell_id);
            });
  return out;
}

std::vector<UnassignedPackageItem> WorklistProjection::UnassignedPackages(
    std::string_view area, Instant now) const {
  std::vector<UnassignedPackageItem> out;
  {
    std::shared_lock lock(impl_->mu);
    auto it = impl_->by_area.find(std::string(area));
    if (it == impl_->by_area.end()) return out;
    for (const auto& [nhs, items] : it->second) {
      for (const UnassignedPackageItem& item : items.unassigned) {
        if (item.started_at > now) continue;
        out.push_back(item);
        out.back().days_without = MidnightsBetween(item.started_at, now);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const UnassignedPackageItem& a, const UnassignedPackageItem& b) {
              if (a.started_at != b.started_at)
                return a.started_at < b.started_at;
              return std::tie(a.nhs_number, a.package_id) <
                     std::tie(b.nhs_number, b.package_id);
            });
  return out;
}

}  // namespace carelog
