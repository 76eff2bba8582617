// The JSON of GET /v1/people/{nhsNumber}: the person view as protobuf's JSON
// mapping prints it, with the fields API.md lists that do not exist shown as
// null (diedOn of a living person; endedAt of an open package and
// accountableProfessional of a package without one).
#pragma once

#include <string>

#include "carelog/views.pb.h"

namespace carelog::gateway {

std::string PersonJson(schema::PersonView view);

}  // namespace carelog::gateway
