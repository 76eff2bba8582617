// The shape of a request of person events: what makes one malformed (HTTP 400)
// before any rule of SPEC.md is asked. Field names in errors are the JSON
// names, e.g. events[0].occurredAt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "storage/status.h"

namespace carelog {

// The most events one request may carry.
inline constexpr size_t kMaxEventsPerRequest = 1000;
// The longest id (eventId, spellId, ...) and the longest free text accepted.
inline constexpr size_t kMaxIdLength = 128;
inline constexpr size_t kMaxTextLength = 2000;

// Checks that the request is well formed: 1..1000 events, each with an eventId
// (unique in the request), an RFC 3339 occurredAt, exactly one payload and its
// required fields, valid enum values and dates. kInvalidArgument listing every
// problem found.
Status ValidateFormat(const std::vector<schema::CareEvent>& events);

// The JSON name of an event's payload field (e.g. "readyForDischarge"), or ""
// when none is set.
std::string PayloadName(const schema::CareEvent& event);

}  // namespace carelog
