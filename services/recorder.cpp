#include "services/recorder.h"

#include <atomic>
#include <exception>
#include <future>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "services/nhs_number.h"
#include "services/person_turns.h"
#include "services/rules.h"

namespace carelog {
namespace {

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
  const RecorderCache limits;

  // People kept folded, most recently used first. A person's state is only
  // read or changed by the holder of that person's turn; `mu` guards the map
  // and the list. A state checked out (Take) leaves its entry in place, empty,
  // so that putting it back moves a list node instead of allocating one.
  std::mutex mu;
  // The keys of the map's entries (a rehash moves no entry, but invalidates
  // iterators).
  using Lru = std::list<const std::string*>;
  struct Entry {
    std::shared_ptr<PersonState> state;  // null while checked out
    Lru::iterator lru_it;
  };
  // The events an entry holds (a cached state changes only once taken out).
  static size_t EventsOf(const Entry& e) {
    return e.state ? e.state->version() : 0;
  }
  std::unordered_map<std::string, Entry> cache;
  Lru lru;
  size_t cached_events = 0;  // the entries' EventsOf

  // Requests for one person take turns in this process (check, then append,
  // until durable), so they do not race each other; the expected version
  // still guards against writers elsewhere. Loads take the same turns.
  PersonTurns turns;

  struct Pending;
  void Start(std::shared_ptr<Pending> p);
  void Attempt(const std::shared_ptr<Pending>& p);
  void Appended(const std::shared_ptr<Pending>& p,
                std::shared_ptr<PersonState> state,
                const std::vector<std::shared_ptr<StoredCareEvent>>& wrapped,
                uint64_t version, Result<storage::AppendResult> appended);
  void Finish(const std::shared_ptr<Pending>& p, Result<RecordOutcome> outcome);
  // Gives the request back the events WrapEvents moved out of it (when it
  // owns them), for another attempt or a refusal that names them.
  static void Unwrap(
      Pending& p, const std::vector<std::shared_ptr<StoredCareEvent>>& wrapped);
  Result<RecordOutcome> Wait(std::string_view nhs_number,
                             const std::vector<schema::CareEvent>& events,
                             std::optional<uint64_t> if_match,
                             std::string_view recorded_by,
                             std::optional<AuditNote> audit);

  Impl(storage::EventLog& l, const Clock& c, RecorderCache cache_limits)
      : log(l), clock(c), limits(cache_limits) {}

  // Takes the person's state out of the cache (null if none).
  std::shared_ptr<PersonState> Take(const std::string& nhs) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(nhs);
    if (it == cache.end()) return nullptr;
    cached_events -= EventsOf(it->second);
    return std::move(it->second.state);
  }

  // Puts the person back, most recently used; past either bound of the
  // cache, the least recently used go (but this person), freed once the lock
  // is let go.
  void PutBack(const std::string& nhs, std::shared_ptr<PersonState> state) {
    std::vector<std::shared_ptr<PersonState>> dropped;  // outlives the lock
    std::lock_guard<std::mutex> lock(mu);
    auto [it, added] = cache.try_emplace(nhs);
    cached_events -= EventsOf(it->second);
    it->second.state = std::move(state);
    cached_events += EventsOf(it->second);
    if (added) {
      lru.push_front(&it->first);
      it->second.lru_it = lru.begin();
    } else {
      lru.splice(lru.begin(), lru, it->second.lru_it);
    }
    while (cache.size() > 1 &&
           (cache.size() > limits.people || cached_events > limits.events)) {
      // A state checked out now is put back by its holder as a new entry.
      auto victim = cache.find(*lru.back());
      cached_events -= EventsOf(victim->second);
      if (victim->second.state)
        dropped.push_back(std::move(victim->second.state));
      lru.pop_back();
      cache.erase(victim);
    }
  }

  // The person for the holder of the person's turn to change in place and then
  // PutBack: the cached fold (copied only when a reader still holds it),
  // caught up with any events appended since when `verify` is set or nothing
  // is cached. Unverified, it may lag a writer outside this recorder: an append
  // against its version then fails (kWrongVersion), and a refusal must be
  // checked again verified (*verified says which it is).
  // A person not cached whom the caller saw as new (`known_new`) is not read
  // unless `verify` asks.
  Result<std::shared_ptr<PersonState>> CheckOut(const std::string& nhs,
                                                bool verify = true,
                                                bool* verified = nullptr,
                                                bool known_new = false) {
    std::shared_ptr<PersonState> state = Take(nhs);
    if (state == nullptr) {
      state = std::make_shared<PersonState>();
      verify = verify || !known_new;
    } else if (state.use_count() > 1) {
      // A reader still holds this version: leave it to them. Nobody else can
      // take a new hold on it (that needs the cache and the person's turn).
      state = std::make_shared<PersonState>(*state);
    } else {
      // The last reader let go; see its reads before changing anything.
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    if (verified != nullptr) *verified = verify;
    if (!verify) return state;
    const std::string stream = PersonStream(nhs);
    auto stored_version = log.StreamVersion(stream);
    if (!stored_version.ok()) return stored_version.status();
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

Recorder::Recorder(storage::EventLog& log, const Clock& clock,
                   RecorderCache cache)
    : impl_(std::make_unique<Impl>(log, clock, cache)) {}

Recorder::~Recorder() = default;

bool Recorder::Holds(std::string_view nhs_number) const {
  const std::string nhs(nhs_number);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->cache.find(nhs);
    if (it != impl_->cache.end() && it->second.state != nullptr) return true;
  }
  return impl_->turns.Busy(nhs);
}

bool Recorder::RecordsFromMemory(std::string_view nhs_number,
                                 bool* known_new) const {
  if (Holds(nhs_number)) return true;
  auto version = impl_->log.StreamVersionInMemory(PersonStream(nhs_number));
  if (!version.ok() || *version != std::optional<uint64_t>(0)) return false;
  if (known_new != nullptr) *known_new = true;
  return true;
}

Result<PersonSnapshot> Recorder::Load(std::string_view nhs_number) {
  const std::string nhs(nhs_number);
  std::promise<Result<PersonSnapshot>> promise;
  auto future = promise.get_future();
  Impl& impl = *impl_;
  impl.turns.Take(nhs, [&impl, &nhs, &promise] {
    auto state = impl.CheckOut(nhs);
    Result<PersonSnapshot> snap = state.ok()
                                      ? Result<PersonSnapshot>(PersonSnapshot{
                                            *state, (*state)->version()})
                                      : Result<PersonSnapshot>(state.status());
    if (state.ok()) impl.PutBack(nhs, std::move(*state));
    PersonTurns::Job next = impl.turns.Pass(nhs);
    promise.set_value(std::move(snap));
    PersonTurns::Run(std::move(next));
  });
  return future.get();
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
    std::string message =
        "event " + events[i].event_id() + " is already recorded in " +
        (IsPersonStream((*other)->stream) ? "another person's stream"
                                          : "another stream") +
        "; an eventId is used for one event only";
    return Status(Code::kConflict, field + ": " + message,
                  {FieldError{field, message}});
  }
  return std::nullopt;
}

}  // namespace

// A request on its way through the person's turn. `events` points at `owned`
// or, for the blocking calls, at the caller's vector (alive until `done`).
struct Recorder::Impl::Pending {
  std::string nhs;
  std::vector<schema::CareEvent> owned;
  const std::vector<schema::CareEvent>* events = nullptr;
  std::optional<uint64_t> if_match;
  std::string recorded_by;
  std::optional<AuditNote> audit;
  std::function<Status(const PersonState&)> admit;
  bool known_new = false;  // RecordRequest::known_new
  RecordDone done;
  int attempt = 0;
  // Checked against the person as stored (not only as cached): after a lost
  // race, or before a refusal is answered.
  bool verify = false;
  // The attempt handed to the log was checked against the stored person.
  bool verified = false;
  bool format_checked = false;
  bool handed = false;  // given to the event log, which will answer it
};

void Recorder::Impl::Start(std::shared_ptr<Pending> p) {
  if (!IsValidNhsNumber(p->nhs)) {
    p->done(Status(
        Code::kInvalidArgument, "'" + p->nhs + "' is not a valid NHS number",
        {FieldError{"nhsNumber",
                    "is not 10 digits passing the Modulus 11 check"}}));
    return;
  }
  const std::string key = p->nhs;
  turns.Take(key, [this, p = std::move(p)] {
    // An exception (an allocation failing) before the request reached the log
    // answers it and passes the turn, so the person's later requests go on.
    try {
      Attempt(p);
    } catch (const std::exception& e) {
      if (p->handed || !p->done) throw;
      Finish(p, Status(Code::kInternal,
                       std::string("the request could not be checked: ") +
                           e.what()));
    }
  });
}

void Recorder::Impl::Unwrap(
    Pending& p, const std::vector<std::shared_ptr<StoredCareEvent>>& wrapped) {
  if (p.events != &p.owned) return;
  for (size_t i = 0; i < wrapped.size(); ++i) {
    p.owned[i] = std::move(wrapped[i]->event);
  }
}

void Recorder::Impl::Finish(const std::shared_ptr<Pending>& p,
                            Result<RecordOutcome> outcome) {
  // The turn passes before `done`: once the last request is answered its
  // caller may destroy the recorder, so nothing of it is touched after.
  PersonTurns::Job next = turns.Pass(p->nhs);
  RecordDone done = std::move(p->done);
  p->done = nullptr;
  try {
    done(std::move(outcome));
  } catch (...) {
    // The caller's failure is theirs; the turn still goes to the next.
    PersonTurns::Run(std::move(next));
    throw;
  }
  PersonTurns::Run(std::move(next));
}

void Recorder::Impl::Attempt(const std::shared_ptr<Pending>& p) {
  bool verified = false;
  auto current = CheckOut(p->nhs, p->verify, &verified, p->known_new);
  if (!current.ok()) {
    Finish(p, current.status());
    return;
  }
  std::shared_ptr<PersonState> state = std::move(*current);
  const uint64_t version = state->version();
  const auto answer = [&](Result<RecordOutcome> outcome) {
    PutBack(p->nhs, std::move(state));
    Finish(p, std::move(outcome));
  };
  // A refusal (or a retry's answer) drawn from the cached person alone is
  // checked again against the person as stored: a writer outside this recorder
  // may have moved them on. A new recording needs no such read: the append's
  // expected version refuses it if they have moved.
  const auto refuse = [&](Result<RecordOutcome> outcome) {
    if (verified) return answer(std::move(outcome));
    PutBack(p->nhs, std::move(state));
    p->verify = true;
    Attempt(p);
  };
  const std::vector<schema::CareEvent>& events = *p->events;
  if (p->admit) {
    Status admitted = p->admit(*state);
    if (!admitted.ok()) return refuse(std::move(admitted));
  }
  if (!p->format_checked) {
    Status format = ValidateFormat(events);
    if (!format.ok()) return answer(std::move(format));
    p->format_checked = true;
  }
  if (auto retry = AsRetry(p->nhs, *state, events)) {
    return refuse(std::move(*retry));
  }
  if (p->if_match && *p->if_match != version) {
    return refuse(
        Status(Code::kWrongVersion,
               "If-Match names version " + std::to_string(*p->if_match) +
                   " but the person is at version " + std::to_string(version) +
                   ": reload the person and try again"));
  }
  // Each event is wrapped once: checked and folded as it is, then given its
  // position and time once appended. A request's own events are moved into
  // their wrappers, and moved back (Unwrap) if the attempt does not go through.
  std::vector<std::shared_ptr<StoredCareEvent>> wrapped =
      p->events == &p->owned
          ? WrapEvents(version + 1, std::move(p->owned), 0, p->recorded_by)
          : WrapEvents(version + 1, events, 0, p->recorded_by);
  const std::vector<StoredCareEventPtr> fresh(wrapped.begin(), wrapped.end());
  Status rules = CheckAndExtend(*state, fresh, clock.NowMicros());
  if (!rules.ok()) {
    Unwrap(*p, wrapped);
    if (!verified) return refuse(std::move(rules));
    // An event id of another person is a conflict (409) before it is a rule
    // (422).
    if (auto conflict = ForeignIdConflict(log, events)) {
      return answer(std::move(*conflict));
    }
    return answer(std::move(rules));
  }

  storage::AppendRequest request;
  request.stream = PersonStream(p->nhs);
  request.expected = version == 0 ? storage::ExpectedVersion::NoStream()
                                  : storage::ExpectedVersion::Exact(version);
  request.recorded_by = p->recorded_by;
  request.events.reserve(wrapped.size());
  for (const auto& w : wrapped) {
    request.events.push_back(storage::NewEvent{w->event.event_id(),
                                               std::string(kCareEventType),
                                               w->event.SerializeAsString()});
  }
  auto appended = [this, p, state = std::move(state),
                   wrapped = std::move(wrapped),
                   version](Result<storage::AppendResult> r) mutable {
    Appended(p, std::move(state), wrapped, version, std::move(r));
  };
  p->handed = true;
  p->verified = verified;
  if (p->audit) {
    log.AppendAsyncWithAudit(std::move(request), p->audit->subject,
                             p->audit->entry, std::move(appended));
  } else {
    log.AppendAsync(std::move(request), std::move(appended));
  }
}

void Recorder::Impl::Appended(
    const std::shared_ptr<Pending>& p, std::shared_ptr<PersonState> state,
    const std::vector<std::shared_ptr<StoredCareEvent>>& wrapped,
    uint64_t version, Result<storage::AppendResult> appended) {
  if (!appended.ok() || appended->duplicate) {
    // Not ours as checked: the events folded in are taken back out.
    state->TruncateTo(version);
  }
  if (!appended.ok()) {
    Unwrap(*p, wrapped);
    PutBack(p->nhs, std::move(state));
    const Code code = appended.status().code();
    if (code == Code::kWrongVersion && !p->if_match) {
      if (++p->attempt < kMaxAttempts) {
        // Lost a race to a writer elsewhere: checked again in the same turn,
        // against the person as stored.
        p->verify = true;
        Attempt(p);
        return;
      }
      Finish(p, Status(Code::kUnavailable,
                       "the person's record kept changing while this "
                       "request was checked; try again"));
      return;
    }
    if (code == Code::kConflict && !p->verified) {
      // An id stored with other content: perhaps among this person's events
      // that the cached person lacks. Checked again against the stored person,
      // whose own events name the conflict precisely.
      p->verify = true;
      Attempt(p);
      return;
    }
    if (code == Code::kConflict) {
      if (auto conflict = ForeignIdConflict(log, *p->events)) {
        Finish(p, std::move(*conflict));
        return;
      }
    }
    Finish(p, appended.status());
    return;
  }
  RecordOutcome out;
  out.nhs_number = p->nhs;
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
  PutBack(p->nhs, std::move(state));
  Finish(p, std::move(out));
}

Result<RecordOutcome> Recorder::Impl::Wait(
    std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
    std::optional<uint64_t> if_match, std::string_view recorded_by,
    std::optional<AuditNote> audit) {
  std::promise<Result<RecordOutcome>> promise;
  auto future = promise.get_future();
  auto p = std::make_shared<Pending>();
  p->nhs = std::string(nhs_number);
  p->events = &events;
  p->if_match = if_match;
  p->recorded_by = std::string(recorded_by);
  p->audit = std::move(audit);
  p->done = [&promise](Result<RecordOutcome> r) {
    promise.set_value(std::move(r));
  };
  Start(std::move(p));
  return future.get();
}

void Recorder::RecordAsync(RecordRequest request, RecordDone done) {
  auto p = std::make_shared<Impl::Pending>();
  p->nhs = std::move(request.nhs_number);
  p->owned = std::move(request.events);
  p->events = &p->owned;
  p->if_match = request.if_match;
  p->recorded_by = std::move(request.recorded_by);
  p->audit = std::move(request.audit);
  p->admit = std::move(request.admit);
  p->known_new = request.known_new;
  p->done = std::move(done);
  impl_->Start(std::move(p));
}

Result<RecordOutcome> Recorder::Record(
    std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
    std::optional<uint64_t> if_match, std::string_view recorded_by) {
  return impl_->Wait(nhs_number, events, if_match, recorded_by, std::nullopt);
}

Result<RecordOutcome> Recorder::RecordAudited(
    std::string_view nhs_number, const std::vector<schema::CareEvent>& events,
    std::optional<uint64_t> if_match, std::string_view recorded_by,
    AuditNote audit) {
  return impl_->Wait(nhs_number, events, if_match, recorded_by,
                     std::move(audit));
}

}  // namespace carelog
