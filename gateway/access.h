// Who may do what (SPEC.md "Access"): roles, the areas a token covers, and the
// decisions the routes ask for. Pure functions: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace carelog::gateway {

enum class Role {
  kPractitioner,
  kDischargeCoordinator,
  kCommissioner,
  kAdmin,
  kAuditor
};

// "practitioner", "dischargeCoordinator", "commissioner", "admin", "auditor".
std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);

// An ONS area code as Carelog takes it: "E" and 8 digits (E09000002).
bool IsAreaCode(std::string_view code);

// The holder of a valid token.
struct Principal {
  std::string name;
  Role role = Role::kAuditor;
  std::vector<std::string> areas;  // empty for an admin means every area

  bool CoversArea(std::string_view area_code) const;
};

// ok if the principal's role is one of `roles`, else kPermissionDenied naming
// the role.
Status CheckRole(const Principal& principal, std::initializer_list<Role> roles);

// ok if the principal may read or write people living in `area_code`
// (practitioner or discharge coordinator covering the area); kPermissionDenied
// otherwise. Commissioners never read a person.
Status CheckPersonAccess(const Principal& principal,
                         std::string_view area_code);

// ok if the principal may see the area's aggregates, area and plans
// (commissioner or admin covering the area); kPermissionDenied otherwise.
Status CheckAreaRead(const Principal& principal, std::string_view area_code);

// ok if the principal may change the area and its plans (admin covering it).
Status CheckAreaWrite(const Principal& principal, std::string_view area_code);

// ok if the principal may read worklists of the area (practitioner or discharge
// coordinator covering it).
Status CheckWorklistAccess(const Principal& principal,
                           std::string_view area_code);

}  // namespace carelog::gateway
