// What the worklists projection (services/worklists.h) knows of a person: the
// facts of their care events that the three worklists need, and the open items
// those facts give (SPEC.md "Worklists"). Pure functions, no state.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "carelog/worklists.pb.h"
#include "services/person_state.h"
#include "services/worklists.h"

namespace carelog::worklist_facts {

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
  bool flag = false;  // package integrated; an area from a personMoved
  std::string ref;    // spell id, package id, area code, or retracted event id
  std::string text;   // site, or the serialized accountable professional
};

// A person's open items (days counted 0: queries count them for their instant).
struct PersonItems {
  std::string area;  // where the person lives now
  std::vector<DischargeItem> discharge;
  std::vector<FollowUpItem> follow_ups;
  std::vector<UnassignedPackageItem> unassigned;
  // Some event of a registered person is about a spell or package not started
  // before it (its start retracted): it stands on nothing, and a start
  // recorded before it (an admission, which may open no item of its own)
  // would bring it back (docs/READINGS.md "Retractions").
  bool orphans = false;
  bool empty() const {
    return discharge.empty() && follow_ups.empty() && unassigned.empty();
  }
  // Whether the projection holds the person: an open item, or an event a
  // start may bring back.
  bool worth_holding() const { return !empty() || orphans; }
};

// The fact of a care event at stream `version`; nullopt for events no worklist
// needs and for an unparsable occurredAt.
std::optional<Fact> ToFact(const schema::CareEvent& event, uint64_t version);
// As above, with the occurredAt DecodeStoredCareEvent parsed.
std::optional<Fact> ToFact(const StoredCareEvent& stored, uint64_t version);

// False when the event cannot give an open item to a person who has none and
// no event standing on nothing (PersonItems::orphans; the projection holds
// such a person, so that an admission or a package start bringing one back is
// seen): only a readiness, a discharge to reablement or a rehabilitation bed,
// an integrated package, a retraction or a registration (after one retracted)
// can.
bool MayOpenItem(const schema::CareEvent& event);

// The person's open items from their history of facts (any order; retracted
// facts and retractions are left out) as it stands at `now`: facts that occur
// after it (recorded ahead of time) are left out too, a retraction included
// (what it names stands until it occurs).
PersonItems Derive(const std::string& nhs_number,
                   const std::vector<Fact>& facts,
                   Instant now = std::numeric_limits<Instant>::max());

// The latest instant at which one of `facts` occurs (the smallest Instant when
// there are none): from then on Derive gives the same items whatever `now`.
Instant Latest(const std::vector<Fact>& facts);

// Whether the projection holds a person at `now` whose facts give `items` once
// all have occurred, the latest of them occurring at `latest` (Latest): while
// an item is open or an event stands on nothing (PersonItems::worth_holding),
// or a fact is still to occur (a query before it must see the items of those
// that have).
bool WorthHolding(const PersonItems& items, Instant latest, Instant now);

schema::WorklistPerson ToRow(const std::vector<Fact>& facts);
std::vector<Fact> FromRow(const schema::WorklistPerson& row);

}  // namespace carelog::worklist_facts
