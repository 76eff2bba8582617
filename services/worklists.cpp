#include "services/worklists.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "carelog/worklists.pb.h"
#include "services/person_state.h"
#include "services/recorder.h"
#include "services/stream_build.h"
#include "services/two_generations.h"
#include "services/worklist_facts.h"

namespace carelog {
namespace {

using worklist_facts::Fact;
using worklist_facts::PersonItems;
using worklist_facts::WorthHolding;

// The days from `from`'s London date to the day before `to`'s, each counted at
// the midnight that ends it: days delayed as SPEC.md "Delayed days" counts them
// (a readiness given at 00:00 is ready on that day, not the one before: "ready
// and discharged the same day: 0"), as the delayedDays metric does, and a
// package's days without a professional.
int MidnightsBetween(Instant from, Instant to) {
  if (to <= from) return 0;
  return std::max(0, LondonDate(to).days - LondonDate(from).days);
}

// A person with at least one open item, or an event standing on nothing, or
// an event that had not occurred when they were last looked at.
struct Held {
  std::vector<Fact> facts;  // in version order
  PersonItems items;        // as they stand once every fact has occurred
  // worklist_facts::Latest(facts); while it is still to occur the person is
  // in Impl::ahead and `items` wait until it.
  Instant latest = 0;
};

// People of an area with items on each list (NHS numbers).
struct AreaIndex {
  std::set<std::string> discharge, follow_ups, unassigned;
  bool empty() const {
    return discharge.empty() && follow_ups.empty() && unassigned.empty();
  }
};

Result<std::vector<schema::CareEvent>> ReadFromLog(storage::EventLog* log,
                                                   std::string_view nhs,
                                                   uint64_t up_to_version) {
  std::vector<schema::CareEvent> out;
  if (up_to_version == 0) return out;
  if (log == nullptr) {
    return Status(Code::kInternal,
                  "the worklists projection has no log to read a person from");
  }
  auto events = log->ReadStream(PersonStream(nhs), 1, up_to_version);
  if (!events.ok()) return events.status();
  out.reserve(events->size());
  for (const storage::RecordedEvent& e : *events) {
    schema::CareEvent care;
    if (e.type != kCareEventType || !care.ParseFromString(e.body)) {
      care.Clear();  // keeps the version numbering; yields no fact
    }
    out.push_back(std::move(care));
  }
  return out;
}

}  // namespace

struct WorklistProjection::Impl {
  Impl(const Clock& c, PersonEventsReader r, size_t recent_facts)
      : clock(c),
        reader(std::move(r)),
        recent_people(recent_facts, [](const Recent& recent) -> size_t {
          return recent.facts.size() + 1;
        }) {}

  // `people` and `by_area` change under a unique lock, on the runner's thread
  // only, which may therefore read them without one.
  mutable std::shared_mutex mu;
  uint64_t position = 0;
  const Clock& clock;
  PersonEventsReader reader;
  storage::EventLog* log = nullptr;              // set by Load
  std::unordered_map<std::string, Held> people;  // by NHS number
  std::unordered_map<std::string, AreaIndex> by_area;
  // The people held with an event that had not occurred (latest > the clock)
  // when they were last changed, by that event's instant: until then a query
  // derives their items for its own instant. FinishBatch lets go of those
  // whose time has come.
  std::set<std::pair<Instant, std::string>> ahead;
  // People changed in the batch not yet committed (held: their row is
  // written; not held: their row is deleted).
  std::unordered_set<std::string> dirty;

  Result<std::vector<schema::CareEvent>> Read(const std::string& nhs,
                                              uint64_t up_to_version) const {
    if (reader) return reader(nhs, up_to_version);
    return ReadFromLog(log, nhs, up_to_version);
  }

  // A person's event that gives no fact (not a care event, unparsable, or
  // of no interest to any worklist): only their version moves on.
  void Skip(const std::string& nhs, uint64_t version) {
    if (people.contains(nhs)) return;
    if (Recent* r = recent_people.Find(nhs); r != nullptr) {
      if (r->version + 1 == version) {
        r->version = version;
      } else {
        recent_people.Forget(nhs);
      }
    }
  }

  // The person's event at `version`, and its fact (ToFact).
  Status Update(const std::string& nhs, const schema::CareEvent& event,
                uint64_t version, std::optional<Fact> fact) {
    if (!fact) {
      Skip(nhs, version);
      return Status::Ok();
    }
    if (auto it = people.find(nhs); it != people.end()) {
      const Instant now = clock.NowMicros();
      std::unique_lock lock(mu);
      Held& held = it->second;
      const Instant at = fact->at;
      held.facts.push_back(std::move(*fact));
      SetLatest(nhs, held, std::max(held.latest, at), now);
      if (auto dropped = Rederive(it, now)) {
        // The last item closed: their facts are kept among the recent.
        Remember(nhs, version, std::move(*dropped));
      }
      dirty.insert(nhs);
      return Status::Ok();
    }
    // Not held: the person had no open item and no event standing on
    // nothing (so an admission brings nothing back). Their facts so far come
    // from the recent people when they are there, else from the stored history
    // (only when this event may open an item; a first event has none).
    std::vector<Fact> facts;
    Recent* recent = recent_people.Find(nhs);
    if (recent != nullptr && recent->version + 1 == version) {
      recent->version = version;
      recent->facts.push_back(std::move(*fact));
      recent_people.AddWeight(1);
      if (!worklist_facts::MayOpenItem(event)) return Status::Ok();
      PersonItems items = worklist_facts::Derive(nhs, recent->facts);
      const Instant now = clock.NowMicros();
      const Instant latest = worklist_facts::Latest(recent->facts);
      if (!WorthHolding(items, latest, now)) return Status::Ok();
      facts = recent_people.Remove(nhs).facts;
      std::unique_lock lock(mu);
      Hold(nhs, std::move(facts), std::move(items), latest, now);
      dirty.insert(nhs);
      return Status::Ok();
    }
    if (recent != nullptr) recent_people.Forget(nhs);  // a version was missed
    const bool may_open = worklist_facts::MayOpenItem(event);
    if (!may_open && version != 1) return Status::Ok();
    if (version > 1) {
      auto earlier = Read(nhs, version - 1);
      if (!earlier.ok()) return earlier.status();
      for (size_t i = 0; i < earlier->size(); ++i) {
        auto f = worklist_facts::ToFact((*earlier)[i], i + 1);
        if (f) facts.push_back(std::move(*f));
      }
    }
    facts.push_back(std::move(*fact));
    if (may_open) {
      PersonItems items = worklist_facts::Derive(nhs, facts);
      const Instant now = clock.NowMicros();
      if (const Instant latest = worklist_facts::Latest(facts);
          WorthHolding(items, latest, now)) {
        std::unique_lock lock(mu);
        Hold(nhs, std::move(facts), std::move(items), latest, now);
        dirty.insert(nhs);
        return Status::Ok();
      }
    }
    Remember(nhs, version, std::move(facts));
    return Status::Ok();
  }

  // The recent people not held: the facts of versions 1..version, weighed by
  // their facts (and one for the person). Runner thread only.
  struct Recent {
    uint64_t version = 0;
    std::vector<Fact> facts;
  };
  TwoGenerations<Recent> recent_people;

  Recent* Remember(const std::string& nhs, uint64_t version,
                   std::vector<Fact> facts) {
    Recent& r = recent_people.Insert(nhs);
    r.version = version;
    r.facts = std::move(facts);
    recent_people.AddWeight(r.facts.size());
    return &r;
  }

  // Callers hold the unique lock.
  void Hold(const std::string& nhs, std::vector<Fact> facts, PersonItems items,
            Instant latest, Instant now) {
    Held& held = people[nhs];
    held.facts = std::move(facts);
    held.items = std::move(items);
    SetLatest(nhs, held, latest, now);
    Index(nhs, held.items);
  }
  // Records the instant of a held person's latest fact, and whether it has
  // occurred by `now` (when not, they are among the people ahead).
  void SetLatest(const std::string& nhs, Held& held, Instant latest,
                 Instant now) {
    ahead.erase({held.latest, nhs});
    held.latest = latest;
    if (latest > now) ahead.emplace(latest, nhs);
  }
  void Index(const std::string& nhs, const PersonItems& items) {
    if (items.empty()) return;  // held for an event standing on nothing
    AreaIndex& area = by_area[items.area];
    if (!items.discharge.empty()) area.discharge.insert(nhs);
    if (!items.follow_ups.empty()) area.follow_ups.insert(nhs);
    if (!items.unassigned.empty()) area.unassigned.insert(nhs);
  }
  void Unindex(const std::string& nhs, const PersonItems& items) {
    auto it = by_area.find(items.area);
    if (it == by_area.end()) return;
    it->second.discharge.erase(nhs);
    it->second.follow_ups.erase(nhs);
    it->second.unassigned.erase(nhs);
    if (it->second.empty()) by_area.erase(it);
  }
  // Recomputes a held person's items; when they are no longer worth holding
  // at `now` (WorthHolding), drops the person and returns their facts.
  std::optional<std::vector<Fact>> Rederive(decltype(people)::iterator it,
                                            Instant now) {
    const std::string& nhs = it->first;
    Unindex(nhs, it->second.items);
    it->second.items = worklist_facts::Derive(nhs, it->second.facts);
    if (!WorthHolding(it->second.items, it->second.latest, now)) {
      std::vector<Fact> facts = std::move(it->second.facts);
      people.erase(it);
      return facts;
    }
    Index(nhs, it->second.items);
    return std::nullopt;
  }
  void Drop(const std::string& nhs) {
    auto it = people.find(nhs);
    if (it == people.end()) return;
    Unindex(nhs, it->second.items);
    ahead.erase({it->second.latest, nhs});
    people.erase(it);
  }
  // The people ahead whose latest fact has occurred by `now` are no longer
  // ahead; those it leaves without an open item (nor an event standing on
  // nothing) are dropped. Callers hold the unique lock.
  void Settle(Instant now) {
    while (!ahead.empty() && ahead.begin()->first <= now) {
      const std::string nhs = ahead.begin()->second;
      ahead.erase(ahead.begin());
      const Held& held = people.at(nhs);
      if (WorthHolding(held.items, held.latest, now)) continue;
      Drop(nhs);
      dirty.insert(nhs);
    }
  }
  // Calls visit(items) with the items of each person of `area` who has some
  // on `list`, as they stand at `now`: the held items of those whose every
  // fact has occurred by then, the items of the facts that have for those
  // ahead. Callers hold a lock.
  template <typename Visit>
  void ForEach(std::string_view area, std::set<std::string> AreaIndex::*list,
               Instant now, const Visit& visit) const {
    if (auto it = by_area.find(std::string(area)); it != by_area.end()) {
      for (const std::string& nhs : it->second.*list) {
        const Held& held = people.at(nhs);
        if (held.latest > now && ahead.contains({held.latest, nhs}))
          continue;  // below
        visit(held.items);
      }
    }
    for (auto it = ahead.lower_bound({now + 1, std::string()});
         it != ahead.end(); ++it) {
      const PersonItems items =
          worklist_facts::Derive(it->second, people.at(it->second).facts, now);
      if (items.area == area) visit(items);
    }
  }
  // Holds the person of a stored row if it has open items, an event standing
  // on nothing or one that has not occurred by `now`; false when the row gives
  // none of them (a row of a person whose events have all occurred since).
  bool HoldRow(const std::string& nhs, const schema::WorklistPerson& row,
               Instant now) {
    std::vector<Fact> facts = worklist_facts::FromRow(row);
    PersonItems items = worklist_facts::Derive(nhs, facts);
    const Instant latest = worklist_facts::Latest(facts);
    if (!WorthHolding(items, latest, now)) return false;
    Hold(nhs, std::move(facts), std::move(items), latest, now);
    return true;
  }

  void Clear() {
    people.clear();
    by_area.clear();
    ahead.clear();
    dirty.clear();
    recent_people.Clear();
  }
};

WorklistProjection::WorklistProjection(const Clock& clock,
                                       PersonEventsReader reader,
                                       size_t recent_facts)
    : impl_(std::make_unique<Impl>(clock, std::move(reader), recent_facts)) {}
WorklistProjection::~WorklistProjection() = default;

Status WorklistProjection::Load(storage::EventLog& log) {
  std::unique_lock lock(impl_->mu);
  impl_->Clear();
  impl_->log = &log;
  const Instant now = impl_->clock.NowMicros();
  bool unreadable = false;
  std::vector<std::string> stale;
  Status scanned = log.ScanProjection(
      kName, "", [&](std::string_view key, std::string_view value) {
        schema::WorklistPerson row;
        if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          unreadable = true;
          return false;
        }
        const std::string nhs(key);
        if (!impl_->HoldRow(nhs, row, now)) stale.push_back(nhs);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (unreadable)
    return Status(Code::kCorruption,
                  "a row of the worklists projection is unreadable");
  // Rows of people held only for an event that has occurred since go now, so
  // that the next start reads only open items. They derive nothing, so
  // deleting them leaves the projection as of its checkpoint.
  constexpr size_t kDeletesPerWrite = 10000;
  for (size_t i = 0; i < stale.size(); i += kDeletesPerWrite) {
    storage::ProjectionWrite write;
    for (size_t j = i; j < std::min(stale.size(), i + kDeletesPerWrite); ++j)
      write.rows.push_back({std::string(kName), stale[j], std::nullopt});
    CARELOG_RETURN_IF_ERROR(log.WriteProjections(write));
  }
  auto checkpoint = log.ProjectionCheckpoint(kName);
  if (!checkpoint.ok()) return checkpoint.status();
  impl_->position = checkpoint.value();
  return Status::Ok();
}

Status WorklistProjection::Apply(const LogEvent& logged,
                                 storage::ProjectionWrite&) {
  const storage::RecordedEvent& event = logged.recorded();
  if (!IsPersonStream(event.stream)) return Status::Ok();
  std::string nhs(NhsNumberOfStream(event.stream));
  const Result<StoredCareEventPtr>& care = logged.CareEvent();
  if (!care.ok()) {
    impl_->Skip(nhs, event.version);  // a version that yields no fact
    return Status::Ok();
  }
  return impl_->Update(nhs, (*care)->event, event.version,
                       worklist_facts::ToFact(**care, event.version));
}

Status WorklistProjection::FinishBatch(storage::ProjectionWrite& write) {
  if (!impl_->ahead.empty()) {
    const Instant now = impl_->clock.NowMicros();
    if (impl_->ahead.begin()->first <= now) {
      std::unique_lock lock(impl_->mu);
      impl_->Settle(now);
    }
  }
  for (const std::string& nhs : impl_->dirty) {
    auto it = impl_->people.find(nhs);
    if (it == impl_->people.end()) {
      write.rows.push_back({std::string(kName), nhs, std::nullopt});
    } else {
      write.rows.push_back(
          {std::string(kName), nhs,
           worklist_facts::ToRow(it->second.facts).SerializeAsString()});
    }
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
  // The recent people may hold facts of the batch, which will be applied
  // again.
  impl_->recent_people.Clear();
  // Forget the batch: the people it changed go back to their stored rows.
  const Instant now = impl_->clock.NowMicros();
  for (const std::string& nhs : impl_->dirty) {
    impl_->Drop(nhs);
    if (impl_->log == nullptr) continue;
    auto row = impl_->log->GetProjectionRow(kName, nhs);
    schema::WorklistPerson stored;
    if (row.ok() && row.value() && stored.ParseFromString(*row.value())) {
      impl_->HoldRow(nhs, stored, now);
    }
  }
  impl_->dirty.clear();
}

void WorklistProjection::Reset() {
  std::unique_lock lock(impl_->mu);
  impl_->Clear();
  impl_->position = 0;
}

Status WorklistProjection::ApplyCareEvent(std::string_view nhs_number,
                                          uint64_t version,
                                          const schema::CareEvent& event) {
  return impl_->Update(std::string(nhs_number), event, version,
                       worklist_facts::ToFact(event, version));
}

uint64_t WorklistProjection::position() const {
  std::shared_lock lock(impl_->mu);
  return impl_->position;
}

size_t WorklistProjection::PeopleHeld() const {
  std::shared_lock lock(impl_->mu);
  return impl_->people.size();
}

Instant WorklistProjection::Now() const { return impl_->clock.NowMicros(); }

std::vector<DischargeItem> WorklistProjection::Discharge(
    std::string_view area, std::optional<std::string_view> site,
    Instant now) const {
  std::vector<DischargeItem> out;
  {
    std::shared_lock lock(impl_->mu);
    impl_->ForEach(
        area, &AreaIndex::discharge, now, [&](const PersonItems& items) {
          for (const DischargeItem& item : items.discharge) {
            if (site && item.site != *site) continue;
            out.push_back(item);
            out.back().days_delayed = MidnightsBetween(item.ready_since, now);
          }
        });
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
    impl_->ForEach(area, &AreaIndex::follow_ups, now,
                   [&](const PersonItems& items) {
                     for (const FollowUpItem& item : items.follow_ups) {
                       if (item.due_on <= today) out.push_back(item);
                     }
                   });
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
    impl_->ForEach(
        area, &AreaIndex::unassigned, now, [&](const PersonItems& items) {
          for (const UnassignedPackageItem& item : items.unassigned) {
            out.push_back(item);
            out.back().days_without = MidnightsBetween(item.started_at, now);
          }
        });
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
