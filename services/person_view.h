// Renders a person and their recorded events as the read models of API.md
// (schema/carelog/ views.proto), ready for protobuf's JSON mapping.
#pragma once

#include <string_view>

#include "carelog/views.pb.h"
#include "services/person_state.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

// GET /v1/people/{nhsNumber}: the person now, from their folded state.
schema::PersonView RenderPerson(std::string_view nhs_number,
                                const PersonState& state);

// One event of a person's history (no nhsNumber field).
schema::RecordedEventView RenderStoredEvent(const StoredCareEvent& event);

// One stored record of a person stream, as an item of the history
// (with_nhs_number false) or of the global feed (true: nhsNumber from the
// stream name). kCorruption if the body is not a carelog.schema.CareEvent.
Result<schema::RecordedEventView> RenderRecordedEvent(
    const storage::RecordedEvent& record, bool with_nhs_number);

}  // namespace carelog
