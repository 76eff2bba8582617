#include "services/worklist_facts.h"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_set>

namespace carelog::worklist_facts {
namespace {

constexpr int kFollowUpDay = 91;

bool ToReablement(int destination) {
  return destination == schema::Destination::REABLEMENT ||
         destination == schema::Destination::REHABILITATION_BED;
}

// The fact of care event `e`, occurring at `at`; nullopt for events no
// worklist needs.
std::optional<Fact> FactAt(const schema::CareEvent& e, Instant at,
                           uint64_t version) {
  Fact f;
  f.event_id = e.event_id();
  f.at = at;
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
      f.flag = true;  // a move (rows written before this flag read as
                      // registrations: the area is all they gave)
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

}  // namespace

std::optional<Fact> ToFact(const schema::CareEvent& event, uint64_t version) {
  auto at = ParseRfc3339(event.occurred_at());
  if (!at.ok()) return std::nullopt;
  return FactAt(event, *at, version);
}

std::optional<Fact> ToFact(const StoredCareEvent& stored, uint64_t version) {
  // DecodeStoredCareEvent leaves 0 for an occurredAt it could not parse: only
  // then is it parsed again, to tell it from a real 0.
  if (stored.occurred_at == 0 &&
      !ParseRfc3339(stored.event.occurred_at()).ok()) {
    return std::nullopt;
  }
  return FactAt(stored.event, stored.occurred_at, version);
}

bool WorthHolding(const PersonItems& items, Instant latest, Instant now) {
  return items.worth_holding() || latest > now;
}

// The person's open items, from their history as it stands at `now`
// (retracted events and events still to occur left out).
PersonItems Derive(const std::string& nhs, const std::vector<Fact>& all,
                   Instant now) {
  std::unordered_set<std::string> retracted;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->kind == Fact::Kind::kRetraction && it->at <= now &&
        !retracted.contains(it->event_id)) {
      retracted.insert(it->ref);
    }
  }
  std::vector<const Fact*> facts;
  for (const Fact& f : all) {
    if (f.kind != Fact::Kind::kRetraction && f.at <= now &&
        !retracted.contains(f.event_id))
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
  // A person with no registration (it was retracted) is on no list; a move
  // before the registration stands on nothing (the person's fold).
  bool registered = false;
  std::map<std::string, Spell> spells;
  std::map<std::string, Package> packages;
  // An event about a spell or package that was never started (its start
  // retracted) stands on nothing and is passed over, as the person's fold
  // does (services/person_state.h); the person is marked as having one.
  auto spell = [&spells, &items](const std::string& id) -> Spell* {
    auto it = spells.find(id);
    items.orphans = items.orphans || it == spells.end();
    return it == spells.end() ? nullptr : &it->second;
  };
  auto open_spell = [&spell](const std::string& id) -> Spell* {
    Spell* s = spell(id);
    return s == nullptr || s->discharge != nullptr ? nullptr : s;
  };
  auto package = [&packages, &items](const std::string& id) -> Package* {
    auto it = packages.find(id);
    items.orphans = items.orphans || it == packages.end();
    return it == packages.end() ? nullptr : &it->second;
  };
  for (const Fact* f : facts) {
    switch (f->kind) {
      case Fact::Kind::kArea:
        if (!f->flag || registered) items.area = f->ref;
        registered = registered || !f->flag;
        break;
      case Fact::Kind::kDied:
        died = true;
        break;
      case Fact::Kind::kAdmitted:
        spells.try_emplace(f->ref).first->second.site = f->text;
        break;
      case Fact::Kind::kReady:
        if (Spell* s = open_spell(f->ref); s != nullptr && !s->ready) {
          s->ready = true;
          s->ready_since = f->at;
          s->delay = nullptr;
        }
        break;
      case Fact::Kind::kWithdrawn:
        if (Spell* s = open_spell(f->ref)) {
          s->ready = false;
          s->delay = nullptr;
        }
        break;
      case Fact::Kind::kDelay:
        if (Spell* s = open_spell(f->ref); s != nullptr && s->ready)
          s->delay = f;
        break;
      case Fact::Kind::kDischarged:
        if (Spell* s = open_spell(f->ref)) s->discharge = f;
        break;
      case Fact::Kind::kFollowUp:
        if (Spell* s = spell(f->ref); s != nullptr && s->discharge != nullptr)
          s->followed_up = true;
        break;
      case Fact::Kind::kPackageStarted: {
        Package& p = packages[f->ref];
        p.started = f->at;
        p.integrated = f->flag;
        break;
      }
      case Fact::Kind::kPackageEnded:
        if (Package* p = package(f->ref)) p->ended = true;
        break;
      case Fact::Kind::kProfessional:
        if (Package* p = package(f->ref); p != nullptr && !p->ended)
          p->professional = f;
        break;
      case Fact::Kind::kRetraction:
        break;
    }
  }

  if (!registered) return PersonItems{};
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
      if (!s.followed_up && ToReablement(s.discharge->code)) {
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

Instant Latest(const std::vector<Fact>& facts) {
  Instant latest = std::numeric_limits<Instant>::min();
  for (const Fact& f : facts) latest = std::max(latest, f.at);
  return latest;
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

bool MayOpenItem(const schema::CareEvent& e) {
  using P = schema::CareEvent;
  switch (e.payload_case()) {
    case P::kReadyForDischarge:
    case P::kEventRetracted:
    // A registration again, after one retracted: what stood on nothing
    // stands on it.
    case P::kPersonRegistered:
      return true;
    case P::kDischarged:
      return ToReablement(e.discharged().destination());
    case P::kCarePackageStarted:
      return e.care_package_started().integrated();
    default:
      return false;
  }
}

}  // namespace carelog::worklist_facts
