#include "services/metrics/person_history.h"

#include <algorithm>
#include <unordered_set>

namespace carelog::metrics {

PersonHistory PersonHistory::Build(
    const std::vector<schema::CareEvent>& stream) {
  PersonHistory h;
  // A retraction names an earlier event; walking backwards, a retraction that
  // is itself retracted has no effect.
  std::unordered_set<std::string> retracted;
  for (auto it = stream.rbegin(); it != stream.rend(); ++it) {
    if (retracted.count(it->event_id())) continue;
    if (it->has_event_retracted())
      retracted.insert(it->event_retracted().event_id());
  }
  for (size_t i = 0; i < stream.size(); ++i) {
    const schema::CareEvent& e = stream[i];
    if (e.has_event_retracted() || retracted.count(e.event_id())) continue;
    auto at = ParseRfc3339(e.occurred_at());
    if (!at.ok()) continue;
    h.events_.push_back(HistoryEvent{*at, i + 1, &e});
  }
  std::stable_sort(h.events_.begin(), h.events_.end(),
                   [](const HistoryEvent& a, const HistoryEvent& b) {
                     return a.at != b.at ? a.at < b.at : a.version < b.version;
                   });
  bool registered = false;
  for (const HistoryEvent& he : h.events_) {
    const schema::CareEvent& e = *he.event;
    if (e.has_person_registered() && !registered) {
      registered = true;
      auto birth = ParseDate(e.person_registered().birth_date());
      if (birth.ok()) h.birth_date_ = *birth;
      h.verified_at_registration_ = e.person_registered().nhs_number_status() ==
                                    schema::NhsNumberStatus::VERIFIED;
      h.areas_.emplace_back(he.at, e.person_registered().area_code());
    } else if (e.has_person_moved()) {
      h.areas_.emplace_back(he.at, e.person_moved().area_code());
    } else if (e.has_person_died() && !h.died_at_) {
      h.died_at_ = he.at;
    } else if (e.has_nhs_number_verified() && !h.verified_at_) {
      h.verified_at_ = he.at;
    }
  }
  if (!registered)
    h.areas_.clear();  // no registration: the person counts nowhere
  return h;
}

const std::string& PersonHistory::AreaAt(Instant t) const {
  static const std::string kNone;
  if (areas_.empty()) return kNone;
  const std::string* area = &areas_.front().second;
  for (const auto& [at, code] : areas_) {
    if (at > t) break;
    area = &code;
  }
  return *area;
}

std::vector<Instant> PersonHistory::MovesIn(Instant from,
                                            std::optional<Instant> to) const {
  std::vector<Instant> out;
  for (size_t i = 1; i < areas_.size(); ++i) {
    Instant at = areas_[i].first;
    if (at >= from && (!to || at < *to)) out.push_back(at);
  }
  return out;
}

bool PersonHistory::VerifiedAt(Instant t) const {
  return verified_at_registration_ || (verified_at_ && *verified_at_ <= t);
}

int PersonHistory::AgeOnDate(Date d) const {
  return birth_date_ ? AgeOn(*birth_date_, d) : 0;
}

}  // namespace carelog::metrics
