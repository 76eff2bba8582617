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
#include "services/worklist_facts.h"

namespace carelog {
namespace {

using worklist_facts::Fact;
using worklist_facts::PersonItems;

int MidnightsBetween(Instant from, Instant to) {
  if (to <= from) return 0;
  return std::max(0, LondonDate(to).days - LondonDate(from).days);
}

// Days delayed as SPEC.md "Delayed days" counts them: the London midnights at
// which the person was ready, from the readiness's instant to `now`, both
// included (a readiness given at 00:00 counts the day that midnight ends, as
// the delayedDays metric does).
int DaysDelayed(Instant ready_since, Instant now) {
  if (now < ready_since) return 0;
  return LondonDate(now).days - FirstDayEndingAtOrAfter(ready_since).days;
}

// A person with at least one open item.
struct Held {
  std::vector<Fact> facts;  // in version order
  PersonItems items;
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
  explicit Impl(PersonEventsReader r) : reader(std::move(r)) {}

  // `people` and `by_area` change under a unique lock, on the runner's thread
  // only, which may therefore read them without one.
  mutable std::shared_mutex mu;
  uint64_t position = 0;
  PersonEventsReader reader;
  storage::EventLog* log = nullptr;              // set by Load
  std::unordered_map<std::string, Held> people;  // by NHS number
  std::unordered_map<std::string, AreaIndex> by_area;
  // People changed in the batch not yet committed (held: their row is
  // written; not held: their row is deleted).
  std::unordered_set<std::string> dirty;

  Result<std::vector<schema::CareEvent>> Read(const std::string& nhs,
                                              uint64_t up_to_version) const {
    if (reader) return reader(nhs, up_to_version);
    return ReadFromLog(log, nhs, up_to_version);
  }

  Status Update(const std::string& nhs, const schema::CareEvent& event,
                uint64_t version) {
    auto fact = worklist_facts::ToFact(event, version);
    if (!fact) return Status::Ok();
    if (auto it = people.find(nhs); it != people.end()) {
      std::unique_lock lock(mu);
      it->second.facts.push_back(std::move(*fact));
      Rederive(nhs);
      dirty.insert(nhs);
      return Status::Ok();
    }
    if (!worklist_facts::MayOpenItem(event)) return Status::Ok();
    // Not held: the person had no open item; fold their stored history.
    auto earlier = Read(nhs, version - 1);
    if (!earlier.ok()) return earlier.status();
    std::vector<Fact> facts;
    for (size_t i = 0; i < earlier->size(); ++i) {
      auto f = worklist_facts::ToFact((*earlier)[i], i + 1);
      if (f) facts.push_back(std::move(*f));
    }
    facts.push_back(std::move(*fact));
    PersonItems items = worklist_facts::Derive(nhs, facts);
    if (items.empty()) return Status::Ok();
    std::unique_lock lock(mu);
    Hold(nhs, std::move(facts), std::move(items));
    dirty.insert(nhs);
    return Status::Ok();
  }

  // Callers hold the unique lock.
  void Hold(const std::string& nhs, std::vector<Fact> facts,
            PersonItems items) {
    Held& held = people[nhs];
    held.facts = std::move(facts);
    held.items = std::move(items);
    Index(nhs, held.items);
  }
  void Index(const std::string& nhs, const PersonItems& items) {
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
  // Recomputes a held person's items; drops them when none is left.
  void Rederive(const std::string& nhs) {
    auto it = people.find(nhs);
    if (it == people.end()) return;
    Unindex(nhs, it->second.items);
    it->second.items = worklist_facts::Derive(nhs, it->second.facts);
    if (it->second.items.empty()) {
      people.erase(it);
    } else {
      Index(nhs, it->second.items);
    }
  }
  void Drop(const std::string& nhs) {
    auto it = people.find(nhs);
    if (it == people.end()) return;
    Unindex(nhs, it->second.items);
    people.erase(it);
  }
  // Holds the person of a stored row if it has open items; false when the row
  // gives none (a row of an earlier version, which kept everyone).
  bool HoldRow(const std::string& nhs, const schema::WorklistPerson& row) {
    std::vector<Fact> facts = worklist_facts::FromRow(row);
    PersonItems items = worklist_facts::Derive(nhs, facts);
    if (items.empty()) return false;
    Hold(nhs, std::move(facts), std::move(items));
    return true;
  }

  void Clear() {
    people.clear();
    by_area.clear();
    dirty.clear();
  }
};

WorklistProjection::WorklistProjection(PersonEventsReader reader)
    : impl_(std::make_unique<Impl>(std::move(reader))) {}
WorklistProjection::~WorklistProjection() = default;

Status WorklistProjection::Load(storage::EventLog& log) {
  std::unique_lock lock(impl_->mu);
  impl_->Clear();
  impl_->log = &log;
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
        if (!impl_->HoldRow(nhs, row)) stale.push_back(nhs);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (unreadable)
    return Status(Code::kCorruption,
                  "a row of the worklists projection is unreadable");
  // Rows without open items (kept by earlier versions for everyone) go now,
  // so that the next start reads only open items. They derive nothing, so
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

Status WorklistProjection::Apply(const storage::RecordedEvent& event,
                                 storage::ProjectionWrite&) {
  if (!IsPersonStream(event.stream) || event.type != kCareEventType) {
    return Status::Ok();
  }
  schema::CareEvent care;
  if (!care.ParseFromString(event.body)) return Status::Ok();
  return impl_->Update(std::string(NhsNumberOfStream(event.stream)), care,
                       event.version);
}

Status WorklistProjection::FinishBatch(storage::ProjectionWrite& write) {
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
  // Forget the batch: the people it changed go back to their stored rows.
  for (const std::string& nhs : impl_->dirty) {
    impl_->Drop(nhs);
    if (impl_->log == nullptr) continue;
    auto row = impl_->log->GetProjectionRow(kName, nhs);
    schema::WorklistPerson stored;
    if (row.ok() && row.value() && stored.ParseFromString(*row.value())) {
      impl_->HoldRow(nhs, stored);
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
  return impl_->Update(std::string(nhs_number), event, version);
}

uint64_t WorklistProjection::position() const {
  std::shared_lock lock(impl_->mu);
  return impl_->position;
}

size_t WorklistProjection::PeopleHeld() const {
  std::shared_lock lock(impl_->mu);
  return impl_->people.size();
}

std::vector<DischargeItem> WorklistProjection::Discharge(
    std::string_view area, std::optional<std::string_view> site,
    Instant now) const {
  std::vector<DischargeItem> out;
  {
    std::shared_lock lock(impl_->mu);
    auto it = impl_->by_area.find(std::string(area));
    if (it == impl_->by_area.end()) return out;
    for (const std::string& nhs : it->second.discharge) {
      for (const DischargeItem& item : impl_->people.at(nhs).items.discharge) {
        if (item.ready_since > now) continue;
        if (site && item.site != *site) continue;
        out.push_back(item);
        out.back().days_delayed = DaysDelayed(item.ready_since, now);
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
    for (const std::string& nhs : it->second.follow_ups) {
      for (const FollowUpItem& item : impl_->people.at(nhs).items.follow_ups) {
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
    for (const std::string& nhs : it->second.unassigned) {
      for (const UnassignedPackageItem& item :
           impl_->people.at(nhs).items.unassigned) {
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
