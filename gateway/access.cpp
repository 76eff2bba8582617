#include "gateway/access.h"

#include <algorithm>
#include <cctype>

namespace carelog::gateway {

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "practitioner") return Role::kPractitioner;
  if (name == "dischargeCoordinator") return Role::kDischargeCoordinator;
  if (name == "commissioner") return Role::kCommissioner;
  if (name == "admin") return Role::kAdmin;
  if (name == "auditor") return Role::kAuditor;
  return std::nullopt;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kPractitioner:
      return "practitioner";
    case Role::kDischargeCoordinator:
      return "dischargeCoordinator";
    case Role::kCommissioner:
      return "commissioner";
    case Role::kAdmin:
      return "admin";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

bool IsAreaCode(std::string_view code) {
  if (code.size() != 9 || code[0] != 'E') return false;
  return std::all_of(code.begin() + 1, code.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool Principal::CoversArea(std::string_view area_code) const {
  if (role == Role::kAdmin && areas.empty()) return true;
  return std::find(areas.begin(), areas.end(), area_code) != areas.end();
}

Status CheckRole(const Principal& principal,
                 std::initializer_list<Role> roles) {
  if (std::find(roles.begin(), roles.end(), principal.role) != roles.end())
    return Status::Ok();
  return Status(Code::kPermissionDenied, std::string("the role ") +
                                             RoleName(principal.role) +
                                             " may not use this route");
}

namespace {

Status CheckArea(const Principal& principal, std::string_view area_code) {
  if (principal.CoversArea(area_code)) return Status::Ok();
  return Status(Code::kPermissionDenied, "the token of " + principal.name +
                                             " does not cover area " +
                                             std::string(area_code));
}

}  // namespace

Status CheckPersonAccess(const Principal& principal,
                         std::string_view area_code) {
  CARELOG_RETURN_IF_ERROR(
      CheckRole(principal, {Role::kPractitioner, Role::kDischargeCoordinator}));
  return CheckArea(principal, area_code);
}

Status CheckAreaRead(const Principal& principal, std::string_view area_code) {
  CARELOG_RETURN_IF_ERROR(
      CheckRole(principal, {Role::kCommissioner, Role::kAdmin}));
  return CheckArea(principal, area_code);
}

Status CheckAreaWrite(const Principal& principal, std::string_view area_code) {
  CARELOG_RETURN_IF_ERROR(CheckRole(principal, {Role::kAdmin}));
  return CheckArea(principal, area_code);
}

Status CheckWorklistAccess(const Principal& principal,
                           std::string_view area_code) {
  return CheckPersonAccess(principal, area_code);
}

}  // namespace carelog::gateway
