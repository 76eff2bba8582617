// Fixtures of the worklists projection's tests: care events applied to a
// projection in memory (WorklistsTest), and a projection run over a RocksDB
// store as the server runs it (StoredWorklists). Both have a clock the test
// sets; it starts after every event of the tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "services/clock.h"
#include "services/person_state.h"
#include "services/projector.h"
#include "services/worklists.h"
#include "storage/event_log.h"
#include "tests/services/instants.h"
#include "tests/storage/test_log.h"

namespace carelog::worklists_testing {

inline constexpr char kArea[] = "E09000002";
inline constexpr char kOther[] = "E09000003";
inline constexpr char kNhs[] = "9990000018";

// A care event with its id and occurredAt; the test sets its payload.
inline schema::CareEvent Care(const std::string& id, const std::string& at) {
  schema::CareEvent e;
  e.set_event_id(id);
  e.set_occurred_at(at);
  return e;
}

// A person of kArea registered, admitted to spell S1 at Queen's at `admitted`
// and ready for discharge at `ready`: their events (ids reg, adm, rdy).
inline std::vector<schema::CareEvent> ReadyForDischarge(
    const std::string& admitted, const std::string& ready) {
  schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
  reg.mutable_person_registered()->set_area_code(kArea);
  schema::CareEvent adm = Care("adm", admitted);
  adm.mutable_hospital_admitted()->set_spell_id("S1");
  adm.mutable_hospital_admitted()->set_site("Queen's");
  schema::CareEvent rdy = Care("rdy", ready);
  rdy.mutable_ready_for_discharge()->set_spell_id("S1");
  return {reg, adm, rdy};
}

class WorklistsTest : public ::testing::Test {
 protected:
  schema::CareEvent Event(const std::string& id, const std::string& at) {
    return Care(id, at);
  }
  void Add(const schema::CareEvent& e, const std::string& nhs = kNhs) {
    auto& stream = history_[nhs];
    stream.push_back(e);
    ASSERT_TRUE(projection_.ApplyCareEvent(nhs, stream.size(), e).ok());
  }
  void Register(const std::string& nhs = kNhs,
                const std::string& area = kArea) {
    auto e = Event("reg-" + nhs, "2015-01-01T10:00:00Z");
    e.mutable_person_registered()->set_birth_date("1940-01-01");
    e.mutable_person_registered()->set_area_code(area);
    Add(e, nhs);
  }
  void Admit(const std::string& spell, const std::string& at,
             const std::string& site = "Queen's",
             const std::string& nhs = kNhs) {
    auto e = Event("adm-" + nhs + spell, at);
    e.mutable_hospital_admitted()->set_spell_id(spell);
    e.mutable_hospital_admitted()->set_site(site);
    e.mutable_hospital_admitted()->set_method(
        schema::AdmissionMethod::EMERGENCY);
    Add(e, nhs);
  }
  void Ready(const std::string& id, const std::string& spell,
             const std::string& at, const std::string& nhs = kNhs) {
    auto e = Event(id, at);
    e.mutable_ready_for_discharge()->set_spell_id(spell);
    Add(e, nhs);
  }
  void Delay(const std::string& id, const std::string& spell,
             const std::string& at, schema::DelayReason::Value reason,
             schema::Agency::Value agency) {
    auto e = Event(id, at);
    e.mutable_discharge_delay_recorded()->set_spell_id(spell);
    e.mutable_discharge_delay_recorded()->set_reason(reason);
    e.mutable_discharge_delay_recorded()->set_agency(agency);
    Add(e);
  }
  void Discharge(const std::string& id, const std::string& spell,
                 const std::string& at, schema::Destination::Value destination,
                 const std::string& nhs = kNhs) {
    auto e = Event(id, at);
    e.mutable_discharged()->set_spell_id(spell);
    e.mutable_discharged()->set_destination(destination);
    Add(e, nhs);
  }
  void StartPackage(const std::string& package, const std::string& at,
                    bool integrated) {
    auto e = Event("pkg-" + package, at);
    e.mutable_care_package_started()->set_package_id(package);
    e.mutable_care_package_started()->set_integrated(integrated);
    e.mutable_care_package_started()->set_scheme("ITF08");
    Add(e);
  }
  void Assign(const std::string& id, const std::string& package,
              const std::string& at, const std::string& name) {
    auto e = Event(id, at);
    auto* ap = e.mutable_accountable_professional_assigned();
    ap->set_package_id(package);
    ap->set_professional_id("P-" + name);
    ap->set_name(name);
    ap->set_sector(schema::Sector::SOCIAL_CARE);
    Add(e);
  }
  void Retract(const std::string& id, const std::string& target,
               const std::string& at) {
    auto e = Event(id, at);
    e.mutable_event_retracted()->set_event_id(target);
    e.mutable_event_retracted()->set_reason("entered in error");
    Add(e);
  }

  // Every event applied, per person: what the projection reads back when an
  // event may open an item for someone it does not hold.
  std::map<std::string, std::vector<schema::CareEvent>> history_;
  ManualClock clock_{testing::kAfterEveryEvent};
  WorklistProjection projection_{
      clock_,
      [this](std::string_view nhs,
             uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        auto it = history_.find(std::string(nhs));
        if (it == history_.end()) return std::vector<schema::CareEvent>{};
        const size_t n = std::min<size_t>(up_to, it->second.size());
        return std::vector<schema::CareEvent>(
            it->second.begin(),
            it->second.begin() + static_cast<std::ptrdiff_t>(n));
      }};
};

// A RocksDB store in a temporary directory with the worklists projection run
// over it as the server runs it (ProjectionRunner, rows and checkpoint).
class StoredWorklists {
 public:
  StoredWorklists() { Restart(); }
  ~StoredWorklists() { Close(); }
  // Closes everything and opens the store and the projection again.
  void Restart() {
    Close();
    storage::OpenOptions options;
    options.path = dir_.path();
    auto log = storage::OpenRocksDbEventLog(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    projection_ = std::make_unique<WorklistProjection>(clock_);
    runner_ = std::make_unique<ProjectionRunner>(
        *log_, std::vector<Projection*>{projection_.get()});
    ASSERT_TRUE(runner_->Open().ok());
  }
  void Append(const schema::CareEvent& e, const std::string& nhs = kNhs) {
    storage::AppendRequest request{
        std::string("person-") + nhs,
        storage::ExpectedVersion::Any(),
        {{e.event_id(), std::string(kCareEventType), e.SerializeAsString()}},
        "test"};
    ASSERT_TRUE(log_->Append(std::move(request)).ok());
  }
  void CatchUp() { ASSERT_TRUE(runner_->CatchUp().ok()); }
  bool RowStored(const std::string& nhs = kNhs) {
    auto row = log_->GetProjectionRow(WorklistProjection::kName, nhs);
    EXPECT_TRUE(row.ok());
    return row.ok() && row.value().has_value();
  }
  storage::EventLog& log() { return *log_; }
  WorklistProjection& projection() { return *projection_; }
  // The server's clock: Restart, CatchUp and the queries' callers read it.
  ManualClock& clock() { return clock_; }

 private:
  void Close() {
    runner_.reset();
    projection_.reset();
    log_.reset();
  }
  storage::testing::TempDir dir_;
  ManualClock clock_{testing::kAfterEveryEvent};
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<WorklistProjection> projection_;
  std::unique_ptr<ProjectionRunner> runner_;
};

}  // namespace carelog::worklists_testing
