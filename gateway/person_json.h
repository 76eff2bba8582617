// The JSON of GET /v1/people/{nhsNumber}: the person view as protobuf's JSON
// mapping prints it, with the fields API.md lists that do not exist shown as
// null (diedOn of a living person; a package's scheme when none was given,
// endedAt of an open package and accountableProfessional of a package without
// one).
#pragma once

#include <string>

#include "carelog/api.pb.h"
#include "carelog/views.pb.h"

namespace carelog::gateway {

std::string PersonJson(schema::PersonView view);

// The answer of POST /v1/people/{nhsNumber}/events, the same bytes as ToJson
// prints, written directly when it can be (an NHS number of letters and digits,
// a whole lastPosition below 10^15): the write path's answer skips protobuf's
// converter.
std::string RecordEventsJson(const api::RecordEventsResponse& answer);

}  // namespace carelog::gateway
