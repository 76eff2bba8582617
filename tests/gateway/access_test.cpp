#include "gateway/access.h"

#include <gtest/gtest.h>

namespace carelog::gateway {
namespace {

Principal Who(Role role, std::vector<std::string> areas) {
  return {"who", role, areas};
}

TEST(AccessTest, RoleNamesRoundTrip) {
  for (Role role : {Role::kPractitioner, Role::kDischargeCoordinator,
                    Role::kCommissioner, Role::kAdmin, Role::kAuditor}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_FALSE(ParseRole("Admin").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
}

TEST(AccessTest, AreaCodes) {
  EXPECT_TRUE(IsAreaCode("E09000002"));
  EXPECT_FALSE(IsAreaCode("E0900000"));
  EXPECT_FALSE(IsAreaCode("E090000022"));
  EXPECT_FALSE(IsAreaCode("e09000002"));
  EXPECT_FALSE(IsAreaCode("E0900000X"));
}

TEST(AccessTest, PeopleAreReadByPractitionersAndCoordinatorsOfTheirAreasOnly) {
  const std::string a = "E09000002", b = "E09000003";
  EXPECT_TRUE(CheckPersonAccess(Who(Role::kPractitioner, {a}), a).ok());
  EXPECT_TRUE(
      CheckPersonAccess(Who(Role::kDischargeCoordinator, {a, b}), b).ok());
  EXPECT_EQ(CheckPersonAccess(Who(Role::kPractitioner, {a}), b).code(),
            Code::kPermissionDenied);
  EXPECT_EQ(CheckPersonAccess(Who(Role::kPractitioner, {}), a).code(),
            Code::kPermissionDenied);
  // A commissioner never reads a person, even in their own area; neither do
  // admin and auditor.
  EXPECT_EQ(CheckPersonAccess(Who(Role::kCommissioner, {a}), a).code(),
            Code::kPermissionDenied);
  EXPECT_EQ(CheckPersonAccess(Who(Role::kAdmin, {}), a).code(),
            Code::kPermissionDenied);
  EXPECT_EQ(CheckPersonAccess(Who(Role::kAuditor, {a}), a).code(),
            Code::kPermissionDenied);
}

TEST(AccessTest, AreasAreReadByCommissionersOfTheAreaAndAdmins) {
  const std::string a = "E09000002", b = "E09000003";
  EXPECT_TRUE(CheckAreaRead(Who(Role::kCommissioner, {a}), a).ok());
  EXPECT_EQ(CheckAreaRead(Who(Role::kCommissioner, {a}), b).code(),
            Code::kPermissionDenied);
  EXPECT_TRUE(CheckAreaRead(Who(Role::kAdmin, {}), b).ok());
  EXPECT_EQ(CheckAreaRead(Who(Role::kAdmin, {a}), b).code(),
            Code::kPermissionDenied);
  EXPECT_EQ(CheckAreaRead(Who(Role::kPractitioner, {a}), a).code(),
            Code::kPermissionDenied);
}

TEST(AccessTest, OnlyAdminsChangeAreas) {
  const std::string a = "E09000002";
  EXPECT_TRUE(CheckAreaWrite(Who(Role::kAdmin, {}), a).ok());
  EXPECT_EQ(CheckAreaWrite(Who(Role::kCommissioner, {a}), a).code(),
            Code::kPermissionDenied);
}

}  // namespace
}  // namespace carelog::gateway
