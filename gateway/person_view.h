// The person as GET /v1/people/{nhsNumber} shows them, from the recorder's
// snapshot.
#pragma once

#include <string>

#include "carelog/api.pb.h"
#include "services/recorder.h"

namespace carelog::gateway {

api::PersonView RenderPerson(const std::string& nhs_number,
                             const PersonSnapshot& person);

}  // namespace carelog::gateway
