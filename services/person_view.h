// Renders a person as the read model of API.md (schema/carelog/views.proto),
// ready for protobuf's JSON mapping.
#pragma once

#include <string_view>

#include "carelog/views.pb.h"
#include "services/person_state.h"

namespace carelog {

// GET /v1/people/{nhsNumber}: the person now, from their folded state. Optional
// text nobody gave (a site, a reason) is left unset, not set to "".
schema::PersonView RenderPerson(std::string_view nhs_number,
                                const PersonState& state);

}  // namespace carelog
