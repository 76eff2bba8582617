// A registration recorded after the person's registration was retracted gives
// footing again to every event that stood on the retracted one
// (docs/READINGS.md "Retractions"), so it is refused when one of them would
// not fit it: an event before its birth date, a move before it, a death
// before it. The error names the registration's field and the recorded event.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/rules.h"
#include "tests/services/recorder_harness.h"

namespace carelog::testing {
namespace {

using ::testing::HasSubstr;

class FootingTest : public BothLogsHarness {
 protected:
  // Registered (2014-06-01), admitted 2014-06-04 (a1), ready 2014-06-10
  // (r1), the registration then retracted (version 4).
  void AdmittedThenUnregistered() {
    Register();
    Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1")),
            Ev("r1", "2014-06-10T09:00:00+01:00", Ready("S1"))});
    RetractRegistration("t1", "2014-06-11T09:00:00+01:00");
    ASSERT_FALSE(State()->facts().registered());
  }
  void RetractRegistration(const std::string& id, const std::string& at) {
    Accept({Ev(id, at, Retract(std::string("reg-") + kNhs))});
  }
};

TEST_P(FootingTest, ARegistrationBornAfterAnEarlierEventIsRefused) {
  AdmittedThenUnregistered();
  // After every event in time, or between them: a1 would be before the
  // birth.
  for (const char* at :
       {"2014-06-12T09:00:00+01:00", "2014-06-06T09:00:00+01:00"}) {
    SCOPED_TRACE(at);
    Status s = Refuse({Ev("reg2", at, Registered("2014-06-05"))});
    EXPECT_EQ(FieldOf(s), "events[0].personRegistered.birthDate");
    EXPECT_THAT(MessageOf(s), HasSubstr("the recorded event a1 (version 2)"));
    EXPECT_THAT(MessageOf(s), HasSubstr("birth date 2014-06-05"));
    EXPECT_THAT(MessageOf(s), HasSubstr("retract that event first"));
  }
  EXPECT_EQ(Version(), 4u);
  // The request's events are checked in order: the admission retracted
  // after the registration is too late, before it the registration fits
  // (the readiness, on 2014-06-10, keeps standing on nothing).
  Status s =
      Refuse({Ev("reg2", "2014-06-12T09:00:00+01:00", Registered("2014-06-05")),
              Ev("t2", "2014-06-12T09:00:00+01:00", Retract("a1"))});
  EXPECT_EQ(FieldOf(s), "events[0].personRegistered.birthDate");
  Accept({Ev("t2", "2014-06-12T09:00:00+01:00", Retract("a1")),
          Ev("reg2", "2014-06-12T09:00:00+01:00", Registered("2014-06-05"))});
  EXPECT_EQ(State()->facts().birth_date(), ParseDate("2014-06-05").value());
  EXPECT_TRUE(State()->facts().spells().empty());
}

// "Correcting a registration": retracting it and registering again in one
// request is checked the same way.
TEST_P(FootingTest, ACorrectionInOneRequestIsCheckedToo) {
  Register();
  Accept({Ev("a1", "2014-06-04T10:00:00+01:00", Admitted("S1"))});
  Status s = Refuse({Ev("t1", "2014-06-11T09:00:00+01:00",
                        Retract(std::string("reg-") + kNhs)),
                     Ev("reg2", "2014-06-05T09:00:00+01:00",
                        Registered("2014-06-05", "E09000003"))});
  EXPECT_EQ(FieldOf(s), "events[1].personRegistered.birthDate");
  EXPECT_THAT(MessageOf(s), HasSubstr("the recorded event a1"));
  EXPECT_EQ(Version(), 2u);
  Accept({Ev("t1", "2014-06-11T09:00:00+01:00",
             Retract(std::string("reg-") + kNhs)),
          Ev("reg2", "2014-06-05T09:00:00+01:00",
             Registered("1950-01-01", "E09000003"))});
  EXPECT_EQ(State()->facts().area_code(), "E09000003");
  EXPECT_EQ(State()->facts().spells().size(), 1u);
}

// A move that stood on the retracted registration would come before a later
// registration (refused, naming the move); an earlier registration gives it
// footing. A death before the new registration refuses it (SPEC's rule on
// events after a death); after it, the death stands on it again.
TEST_P(FootingTest, AMoveOrADeathBeforeTheNewRegistrationRefusesIt) {
  Register();
  Accept({Ev("m1", "2014-07-01T10:00:00+01:00",
             R"("personMoved": {"areaCode": "E09000003"})"),
          Ev("d1", "2014-08-01T10:00:00+01:00", R"("personDied": {})")});
  RetractRegistration("t1", "2014-08-02T09:00:00+01:00");
  Status s = Refuse({Ev("reg2", "2014-07-15T09:00:00+01:00", Registered())});
  EXPECT_EQ(FieldOf(s), "events[0].occurredAt");
  EXPECT_THAT(MessageOf(s), HasSubstr("the recorded event m1"));
  EXPECT_THAT(MessageOf(s), HasSubstr("personMoved at"));
  s = Refuse({Ev("reg2", "2014-08-03T09:00:00+01:00", Registered())});
  EXPECT_THAT(MessageOf(s), HasSubstr("after the person's death"));
  EXPECT_EQ(Version(), 4u);
  Accept({Ev("reg2", "2014-06-15T09:00:00+01:00", Registered())});
  const PersonFacts& facts = State()->facts();
  ASSERT_EQ(facts.area_history().size(), 2u);
  EXPECT_EQ(facts.area_code(), "E09000003");
  EXPECT_EQ(facts.died_on(), ParseDate("2014-08-01").value());
}

INSTANTIATE_TEST_SUITE_P(Logs, FootingTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "RocksDb" : "InMemory";
                         });

}  // namespace
}  // namespace carelog::testing
