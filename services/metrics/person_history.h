// A person's history as the metrics judge it: the events of their stream (up to
// some version) without the retracted ones and without the retractions, in
// order of occurredAt (ties by version), with the facts every metric needs:
// birth date, area at an instant, death, NHS number verification.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "services/calendar.h"

namespace carelog::metrics {

struct HistoryEvent {
  Instant at = 0;
  uint64_t version = 0;
  const schema::CareEvent* event = nullptr;  // owned by the caller of Build
};

class PersonHistory {
 public:
  // `stream` holds the person's events in version order (version i + 1 at index
  // i); they must outlive the history. Events whose occurredAt does not parse
  // are left out.
  static PersonHistory Build(const std::vector<schema::CareEvent>& stream);

  const std::vector<HistoryEvent>& events() const { return events_; }
  // From the first unretracted personRegistered; nullopt when there is none.
  std::optional<Date> birth_date() const { return birth_date_; }
  std::optional<Instant> died_at() const { return died_at_; }
  // The area of the latest personRegistered/personMoved at or before t; before
  // the first of them, the area of the first. Empty when the person has no
  // registration.
  const std::string& AreaAt(Instant t) const;
  // Instants at which the area of residence changes (after the first
  // registration).
  std::vector<Instant> MovesIn(Instant from, std::optional<Instant> to) const;
  // VERIFIED at registration, or an nhsNumberVerified at or before t.
  bool VerifiedAt(Instant t) const;
  int AgeOnDate(Date d) const;  // 0 when the birth date is unknown

 private:
  std::vector<HistoryEvent> events_;
  std::optional<Date> birth_date_;
  std::optional<Instant> died_at_;
  std::vector<std::pair<Instant, std::string>> areas_;  // in time order
  bool verified_at_registration_ = false;
  std::optional<Instant> verified_at_;
};

}  // namespace carelog::metrics
