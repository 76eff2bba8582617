// Routes of API.md whose engineers have not landed them yet answer 501 here,
// after the same authentication and role checks the real routes will have.
// Every route has landed.
#include "gateway/routes.h"

namespace carelog::gateway {

void AddPendingRoutes(Router&, const ApiContext&) {}

}  // namespace carelog::gateway
