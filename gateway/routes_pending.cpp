// Routes of API.md whose engineers have not landed them yet: 501 with a problem
// body, after the same authentication and role checks the real routes will
// have. Replace an entry when its route file lands.
#include "gateway/problem.h"
#include "gateway/routes.h"

namespace carelog::gateway {

namespace {

Handler NotYet(const char* what) {
  return [what](const RouteContext&) {
    return ProblemResponse(
        Status(Code::kUnimplemented,
               std::string(what) + " are not available in this build yet"));
  };
}

}  // namespace

void AddPendingRoutes(Router& router, const ApiContext&) {
  const std::vector<Role> people = {Role::kPractitioner,
                                    Role::kDischargeCoordinator};
  router.Add({"GET", "/v1/worklists/discharge", true, people, "",
              NotYet("worklists")});
  router.Add({"GET", "/v1/worklists/follow-ups", true, people, "",
              NotYet("worklists")});
  router.Add({"GET", "/v1/worklists/unassigned-packages", true, people, "",
              NotYet("worklists")});
}

}  // namespace carelog::gateway
