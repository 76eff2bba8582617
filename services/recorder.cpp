#include "services/recorder.h"

#include <atomic>
#include <future>
#include <list>
#include <mutex>
#include <unordered_map>

#include "services/nhs_number.h"
#include "services/rules.h"

namespace carelog {
namespace {

constexpr size_t kCacheCapacity = 20000;  // people kept folded in memory
constexpr int kMaxAttempts =
    64;  // appends retried after losing a race to another writer
constexpr size_t kReadPage = 1000;

}  // namespace

std::string PersonStream(std::string_view nhs_number) {
  return std::string(kPersonStreamPrefix) + std::string(nhs_number);
}

struct Recorder::Impl {
  storage::EventLog& log;
  const Clock& clock;

  // People kept folded, most recently used first. A person's entry is only
  // read or changed by the holder of that person's lock (PersonLock); `mu`
  // guards the map and the list.
  std::mutex mu;
  std::list<std::string> lru;
  struct Entry {
    std::shared_ptr<PersonState> state;
    std::list<std::string>::iterator lru_it;
  };
  std::unordered_map<std::string, Entry> cache;

  // Requests for one person take turns in this process (check, then append), so
  // they do not race each other; the expected version still guards against
  // writers elsewhere. Loads take the same lock.
  static constexpr size_t kStripes = 4096;
  std::unique_ptr<std::mutex[]> person_locks =
      std::make_unique<std::mutex[]>(kStripes);
  std::mutex& PersonLock(const std::string& nhs) {
    return person_locks[std::hash<std::string>{}(nhs) % kStripes];
  }

  Impl(storage::EventLog& l, const Clock& c) : log(l), clock(c) {}

  // Takes the person's entry out of the cache (null if none).
  std::shared_ptr<PersonState> Take(const std::string& nhs) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(nhs);
    if (it == cache.end()) return nullptr;
    std::shared_ptr<PersonState> state = std::move(it->second.state);
    lru.erase(it->second.lru_it);
    cache.erase(it);
    return state;
  }

  // Puts the person back, most recently used.
  void PutBack(const std::string& nhs, std::shared_ptr<PersonState> state) {
    std::lock_guard<std::mutex> lock(mu);
    lru.push_front(nhs);
    cache[nhs] = Entry{std::move(state), lru.begin()};
    while (cache.size() > kCacheCapacity) {
      cache.erase(lru.back());
      lru.pop_back();
    }
  }

  // The person as stored now, for the holder of the person's lock to change in
  // place and then PutBack: the cached fold (copied only when a reader still
  // holds it) caught up with any events appended since.
  Result<std::shared_ptr<PersonState>> CheckOut(const std::string& nhs) {
    const std::string stream = PersonStream(nhs);
    auto stored_version = log.StreamVersion(stream);
    if (!stored_version.ok()) return stored_version.status();
    std::shared_ptr<PersonState> state = Take(nhs);
    if (state == nullptr) {
      state = std::make_shared<PersonState>();
    } else if (state.use_count() > 1) {
      // A reader still holds this version: leave it to them. Nobody else can
      // take a new hold on it (that needs the cache and the person's lock).
      state = std::make_shared<PersonState>(*state);
    } else {
      // The last reader let go; see its reads before changing anything.
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    if (state->version() == *stored_version) return state;
    if (state->version() > *stored_version) {
      return Status(Code::kCorruption,
                    "stream " + stream + " is at version " +
                        std::to_string(*stored_version) + " but version " +
                        std::to_string(state->version()) + " was recorded");
    }
    std::vector<StoredCareEventPtr> tail;
    uint64_t from = state->version() + 1;
    while (from <= *stored_version) {
      auto page = log.ReadStream(stream, from, kReadPage);
      if (!page.ok()) return page.status();
      if (page->empty()) break;
      for (const auto& r : *page) {
        auto decoded = DecodeStoredCareEvent(r);
        if (!decoded.ok()) return decoded.status();
        tail.push_back(std::move(*decoded));
      }
      from = page->back().version + 1;
    }
    if (state->version() == 0) {
      *state = PersonState::FromStream(std::move(tail));
    } else {
      state->Extend(tail);
    }
    return state;
  }
};

Recorder::Recorder(storage::EventLog& log, const Clock& clock)
    : impl_(std::make_unique<Impl>(log, clock)) {}

Recorder::~Recorder() = default;

Result<PersonSnapshot> Recorder::Load(std::string_view nhs_number) {
  const std::string nhs(nhs_number);
  std::lock_guard<std::mutex> person_lock(impl_->PersonLock(nhs));
  auto state = impl_->CheckOut(nhs);
  if (!state.ok()) return state.status();
  PersonSnapshot snap{*state, (*state)->version()};
  impl_->PutBack(nhs, std::move(*state));
  return snap;
}

namespace {

// An exact retry: every event id already recorded for this person with the same
// content, as consecutive versions in request order. nullopt when none of the
// ids is recorded here.
std::optional<Result<RecordOutcome>> AsRetry(
    const std::string& nhs, const PersonState& state,
    const std::vector<schema::CareEvent>& events) {
  std::vector<const StoredCareEvent*> found;
  for (size_t i = 0; i < events.size(); ++i) {
    const StoredCareEvent* stored = state.FindEvent(events[i].event_id());
    if (stored != nullptr &&
        stored->event.SerializeAsString() != events[i].SerializeAsString()) {
      std::string field = "events[" + std::to_string(i) + "].eventId";
      std::string message =
          "event " + events[i].event_id() + " is already recorded (version " +
          std::to_string(stored->version) +
          ") with different content; an eventId is used for one event only";
      return Status(Code::kConflict, field + ": " + message,
                    {FieldError{field, message}});
    }
    found.push_back(stored);
  }
  size_t known = 0;
  for (const auto* f : found) known += f != nullptr ? 1 : 0;
  if (known == 0) return std::nullopt;
  bool consecutive = known == events.size();
  for (size_t i = 1; consecutive && i < found.size(); ++i) {
    consecutive = found[i]->version == found[i - 1]->version + 1;
  }
  if (!consecutive) {
    size_t i = 0;
    while (found[i] == nullptr) ++i;
    std::string field = "events[" + std::to_string(i) + "].eventId";
    std::string message =
        "event " + events[i].event_id() + " is already recorded (version " +
        std::to_string(found[i]->version) +
        "); a retry must repeat the original request exactly, and new events "
        "need new eventIds";
    return Status(Code::kConflict, field + ": " + message,
                  {FieldError{field, message}});
  }
  RecordOutcome out;
  out.nhs_number = nhs;
  out.first_version = found.front()->version;
  out.last_version = found.back()->version;
  out.last_position = found.back()->position;
  out.duplicate = true;
  return Result<RecordOutcome>(out);
}

// A conflict naming the first event whose id is already stored elsewhere, if
// any.
std::optional<Status> ForeignIdConflict(
    storage::EventLog& log, const std::vector<schema::CareEvent>& events) {
  for (size_t i = 0; i < events.size(); ++i) {
    auto other = log.FindEvent(events[i].event_id());
    if (!other.ok()) return other.status();
    if (!other->has_value()) continue;
    std::string field = "events[" + std::to_string(i) + "].eventId";
    std::string message = "event " + events[i].event_id() +
                          " is already recorded in " +
                          ((*other)->stream.starts_with(kPersonStreamPrefix)
                               ? "another person's stream"
                               : "another stream") +
                          "; an eventId is used for one event only";
    return Status(Code::kConflict, field + ": " + message,
                  {FieldError{field, message}});
  }
  return std::nullopt;
}

// Appends and waits; with `audit`, the entry goes in the same commit.
Result<storage::AppendResult> AppendAndWait(storage::EventLog& log,
                                            storage::AppendRequest request,
                                            const AuditNote* audit) {
  if (audit == nullptr) return log.Append(std::move(request));
  std::promise<Result<storage::AppendResult>> promise;
  auto future = promise.get_future();
  log.AppendAsyncWithAudit(std::move(request), audit->subject, audit->entry,
                           [&promise](Result<storage::AppendResult> r) {
                             promise.set_value(std::move(r));
                           });
  return future.get();
}

}  // namespace

Result<RecordOutcome> Recorder::Record(
    std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
    std::optional<uint64_t> if_match, std::string_view recorded_by) {
  return RecordWith(nhs_number, events, if_match, recorded_by, nullptr);
}

Result<RecordOutcome> Recorder::RecordAudited(
    std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
    std::optional<uint64_t> if_match, std::string_view recorded_by,
    AuditNote audit) {
  return RecordWith(nhs_number, events, if_match, recorded_by, &audit);
}

Result<RecordOutcome> Recorder::RecordWith(
    std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
    std::optional<uint64_t> if_match, std::string_view recorded_by,
    const AuditNote* audit) {
  const std::string nhs(nhs_number);
  if (!IsValidNhsNumber(nhs)) {
    return Status(
        Code::kInvalidArgument, "'" + nhs + "' is not a valid NHS number",
        {FieldError{"nhsNumber",
                    "is not 10 digits passing the Modulus 11 check"}});
  }
  CARELOG_RETURN_IF_ERROR(ValidateFormat(events));

  std::lock_guard<std::mutex> person_lock(impl_->PersonLock(nhs));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto current = impl_->CheckOut(nhs);
    if (!current.ok()) return current.status();
    std::shared_ptr<PersonState> state = std::move(*current);
    const uint64_t version = state->version();
    // The person goes back into the cache on every way out, as it is then.
    struct PutBack {
      Impl& impl;
      const std::string& nhs;
      std::shared_ptr<PersonState>& state;
      ~PutBack() { impl.PutBack(nhs, std::move(state)); }
    } put_back{*impl_, nhs, state};

    if (auto retry = AsRetry(nhs, *state, events)) return std::move(*retry);
    if (if_match && *if_match != version) {
      return Status(Code::kWrongVersion,
                    "If-Match names version " + std::to_string(*if_match) +
                        " but the person is at version " +
                        std::to_string(version) +
                        ": reload the person and try again");
    }
    // Each event is wrapped once: checked and folded as it is, then given its
    // position and time once appended.
    const std::vector<std::shared_ptr<StoredCareEvent>> wrapped =
        WrapEvents(version + 1, events, 0, std::string(recorded_by));
    const std::vector<StoredCareEventPtr> fresh(wrapped.begin(), wrapped.end());
    Status rules = CheckAndExtend(*state, fresh, impl_->clock.NowMicros());
    if (!rules.ok()) {
      // An event id of another person is a conflict (409) before it is a rule
      // (422).
      if (auto conflict = ForeignIdConflict(impl_->log, events))
        return *conflict;
      return rules;
    }

    storage::AppendRequest request;
    request.stream = PersonStream(nhs);
    request.expected = version == 0 ? storage::ExpectedVersion::NoStream()
                                    : storage::ExpectedVersion::Exact(version);
    request.recorded_by = std::string(recorded_by);
    request.events.reserve(events.size());
    for (const auto& e : events) {
      request.events.push_back(storage::NewEvent{
          e.event_id(), std::string(kCareEventType), e.SerializeAsString()});
    }
    auto appended = AppendAndWait(impl_->log, std::move(request), audit);
    if (!appended.ok() || appended->duplicate) {
      // Not ours as checked: the events folded in are taken back out.
      state->TruncateTo(version);
    }
    if (!appended.ok()) {
      if (appended.status().code() == Code::kWrongVersion && !if_match) {
        continue;
      }
      if (appended.status().code() == Code::kConflict) {
        if (auto conflict = ForeignIdConflict(impl_->log, events))
          return *conflict;
      }
      return appended.status();
    }
    RecordOutcome out;
    out.nhs_number = nhs;
    out.first_version = appended->first_version;
    out.last_version = appended->last_version;
    out.last_position = appended->last_position;
    out.duplicate = appended->duplicate;
    out.audit_id = appended->audit_id;
    if (!appended->duplicate) {
      for (size_t i = 0; i < wrapped.size(); ++i) {
        wrapped[i]->recorded_at_micros = appended->recorded_at_micros;
        wrapped[i]->position = appended->first_position + i;
      }
    }
    return out;
  }
  return Status(Code::kUnavailable,
                "the person's record kept changing while this request was "
                "checked; try again");
}

}  // namespace carelog
