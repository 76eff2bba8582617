#include "services/metrics/person_history.h"

namespace carelog::metrics {

PersonHistory::PersonHistory(const PersonState& state)
    : facts_(&state.facts()) {
  events_.reserve(state.timeline().size());
  for (const StoredCareEventPtr& e : state.timeline()) {
    events_.push_back(HistoryEvent{e->occurred_at, e->version, &e->event});
  }
}

PersonHistory PersonHistory::Build(
    const std::vector<schema::CareEvent>& stream) {
  std::vector<StoredCareEventPtr> recorded;
  recorded.reserve(stream.size());
  for (size_t i = 0; i < stream.size(); ++i) {
    auto e = std::make_shared<StoredCareEvent>();
    e->version = i + 1;
    e->event = stream[i];
    auto t = ParseRfc3339(e->event.occurred_at());
    e->occurred_at = t.ok() ? *t : 0;
    recorded.push_back(std::move(e));
  }
  auto state =
      std::make_shared<const PersonState>(PersonState::FromStream(recorded));
  PersonHistory h(*state);
  h.owned_ = std::move(state);
  return h;
}

const std::string& AreaOfResidenceAt(const PersonFacts& facts, Instant t) {
  static const std::string kNone;
  const auto& areas = facts.area_history();
  if (areas.empty()) return kNone;
  const std::string* area = facts.AreaAt(t);
  return area ? *area : areas.front().area_code;
}

bool NhsNumberVerifiedAt(const PersonFacts& facts, Instant t) {
  // Verified at registration counts from the start, whatever the instant.
  auto since = facts.verified_at();
  if (!since) return false;
  return *since <= t || since == facts.registered_at();
}

const std::string& PersonHistory::AreaAt(Instant t) const {
  return AreaOfResidenceAt(*facts_, t);
}

std::vector<Instant> PersonHistory::MovesIn(Instant from,
                                            std::optional<Instant> to) const {
  std::vector<Instant> out;
  const auto& areas = facts_->area_history();
  for (size_t i = 1; i < areas.size(); ++i) {
    Instant at = areas[i].from;
    if (at >= from && (!to || at < *to)) out.push_back(at);
  }
  return out;
}

bool PersonHistory::VerifiedAt(Instant t) const {
  return NhsNumberVerifiedAt(*facts_, t);
}

int PersonHistory::AgeOnDate(Date d) const {
  auto birth = facts_->birth_date();
  return birth ? AgeOn(*birth, d) : 0;
}

}  // namespace carelog::metrics
