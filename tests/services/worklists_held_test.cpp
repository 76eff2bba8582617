// The worklists projection over a real store (rows, checkpoint, restarts) and
// against keeping everyone's facts: people are held only while they have an
// open item.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "carelog/worklists.pb.h"
#include "services/projector.h"
#include "services/synthetic_area.h"
#include "services/worklist_facts.h"
#include "services/worklists.h"
#include "tests/services/instants.h"

namespace carelog {
namespace {

constexpr char kArea[] = "E09000002";
constexpr char kNhs[] = "9990000018";

using testing::At;

// Holding only people with open items gives the lists that keeping everyone's
// facts gave, on a synthetic borough with late and retracted events, applied
// person by person or interleaved (round robin), with the recent people's
// facts cached for `recent_facts`, by a clock at `clock_at` (after it, events
// have not occurred yet), and asked at that instant and at the end of the
// history; returns how often the projection read a person's stream back.
size_t CheckHoldingOnlyOpenPeople(size_t recent_facts, bool interleaved,
                                  Instant clock_at = SyntheticEnd()) {
  SyntheticAreaOptions options;
  options.scale = 0.03;
  const SyntheticArea area = GenerateSyntheticArea(options);
  std::map<std::string, std::vector<schema::CareEvent>, std::less<>> streams;
  size_t reads = 0;
  ManualClock clock(clock_at);
  WorklistProjection projection(
      clock,
      [&streams, &reads](std::string_view nhs, uint64_t up_to)
          -> Result<std::vector<schema::CareEvent>> {
        ++reads;
        const auto& stream = streams.find(nhs)->second;
        EXPECT_LE(up_to, stream.size());
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      },
      recent_facts);
  std::vector<std::vector<worklist_facts::Fact>> facts(area.people.size());
  auto apply = [&](size_t p, size_t k) {
    const SyntheticPerson& person = area.people[p];
    auto& stream = streams[person.nhs_number];
    schema::CareEvent event;
    ASSERT_TRUE(event.ParseFromString(person.events[k].body));
    stream.push_back(event);
    ASSERT_TRUE(
        projection.ApplyCareEvent(person.nhs_number, stream.size(), event)
            .ok());
    if (auto f = worklist_facts::ToFact(event, stream.size()))
      facts[p].push_back(std::move(*f));
  };
  if (interleaved) {
    for (size_t k = 0, left = 1; left > 0; ++k) {
      left = 0;
      for (size_t p = 0; p < area.people.size(); ++p) {
        if (k < area.people[p].events.size()) {
          apply(p, k);
          ++left;
        }
      }
    }
  } else {
    for (size_t p = 0; p < area.people.size(); ++p) {
      for (size_t k = 0; k < area.people[p].events.size(); ++k) apply(p, k);
    }
  }
  // Held: everyone with an open item once all has occurred or an event
  // standing on nothing, and of the others only some with an event not
  // occurred by the clock (those it may show on a list before it occurs).
  size_t open = 0, ahead = 0;
  for (size_t p = 0; p < area.people.size(); ++p) {
    const bool worth =
        worklist_facts::Derive(area.people[p].nhs_number, facts[p])
            .worth_holding();
    open += worth;
    ahead += !worth && worklist_facts::Latest(facts[p]) > clock_at;
  }
  EXPECT_GE(projection.PeopleHeld(), open);
  EXPECT_LE(projection.PeopleHeld(), open + ahead);
  EXPECT_GT(open, 0u);
  if (clock_at >= SyntheticEnd()) {
    EXPECT_EQ(ahead, 0u);
    EXPECT_LT(open, area.people.size() / 4);
  }

  for (const Instant now : {clock_at, SyntheticEnd()}) {
    // Everyone's items as they stand at `now`.
    std::set<std::string> want, got;
    for (size_t p = 0; p < area.people.size(); ++p) {
      const auto items =
          worklist_facts::Derive(area.people[p].nhs_number, facts[p], now);
      if (items.area != area.area_code) continue;
      for (const auto& d : items.discharge)
        want.insert("D " + d.nhs_number + d.spell_id + d.reason + d.agency +
                    d.site);
      for (const auto& f : items.follow_ups) {
        if (f.due_on <= LondonDate(now))
          want.insert("F " + f.nhs_number + f.spell_id);
      }
      for (const auto& u : items.unassigned)
        want.insert("U " + u.nhs_number + u.package_id);
    }
    for (const auto& d :
         projection.Discharge(area.area_code, std::nullopt, now))
      got.insert("D " + d.nhs_number + d.spell_id + d.reason + d.agency +
                 d.site);
    for (const auto& f : projection.FollowUpsDue(area.area_code, now))
      got.insert("F " + f.nhs_number + f.spell_id);
    for (const auto& u : projection.UnassignedPackages(area.area_code, now))
      got.insert("U " + u.nhs_number + u.package_id);
    EXPECT_EQ(got, want);
    EXPECT_FALSE(got.empty());
  }
  return reads;
}

TEST(WorklistsEquivalenceTest, HoldingOnlyOpenPeopleGivesTheSameLists) {
  // Every person seen from their first event and kept among the recent: no
  // stream is read back.
  EXPECT_EQ(CheckHoldingOnlyOpenPeople(1'000'000, false), 0u);
  EXPECT_EQ(CheckHoldingOnlyOpenPeople(1'000'000, true), 0u);
}

TEST(WorklistsEquivalenceTest, EventsNotOccurredByTheClockWaitForTheirTime) {
  // Recorded in January 2015, when most of the history had not occurred: the
  // lists then are those of what had, and at the end those of everything.
  const Instant january = At("2015-01-15T12:00:00Z");
  CheckHoldingOnlyOpenPeople(1'000'000, true, january);
  CheckHoldingOnlyOpenPeople(8, true, january);
}

TEST(WorklistsEquivalenceTest, ForgottenRecentPeopleAreReadBack) {
  // A cache of a few facts: people interleaved are forgotten between their
  // events and read back, with the same lists.
  EXPECT_GT(CheckHoldingOnlyOpenPeople(8, true), 100u);
}

// A batch aborted and applied again, and an event of a person stream that is
// not a care event, leave the recent people's facts right.
TEST(WorklistsRecentTest, AnAbortedBatchAndAVersionWithoutAFactAreFollowed) {
  std::vector<schema::CareEvent> stream;
  size_t reads = 0;
  ManualClock clock(testing::kAfterEveryEvent);
  WorklistProjection projection(
      clock,
      [&](std::string_view,
          uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        ++reads;
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      });
  auto care = [](const std::string& id, const std::string& at) {
    schema::CareEvent e;
    e.set_event_id(id);
    e.set_occurred_at(at);
    return e;
  };
  schema::CareEvent reg = care("reg", "2015-01-01T10:00:00Z");
  reg.mutable_person_registered()->set_area_code(kArea);
  schema::CareEvent adm = care("adm", "2015-02-01T10:00:00Z");
  adm.mutable_hospital_admitted()->set_spell_id("S1");
  adm.mutable_hospital_admitted()->set_site("Queen's");
  schema::CareEvent ready = care("rdy", "2015-02-02T10:00:00Z");
  ready.mutable_ready_for_discharge()->set_spell_id("S1");
  stream = {reg, adm};
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 1, reg).ok());
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 2, adm).ok());
  projection.Abort();
  // The runner applies the aborted batch again, then goes on.
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 2, adm).ok());
  // Version 3 is not a care event: it yields no fact.
  storage::RecordedEvent other;
  other.position = 3;
  other.stream = "person-" + std::string(kNhs);
  other.version = 3;
  other.event_id = "x";
  other.type = "not.a.CareEvent";
  storage::ProjectionWrite write;
  ASSERT_TRUE(projection.Apply(other, write).ok());
  stream.push_back(schema::CareEvent());
  stream.push_back(ready);
  ASSERT_TRUE(projection.ApplyCareEvent(kNhs, 4, ready).ok());
  auto list =
      projection.Discharge(kArea, std::nullopt, At("2015-02-05T10:00:00Z"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].site, "Queen's");
  EXPECT_EQ(list[0].ready_since, At("2015-02-02T10:00:00Z"));
  EXPECT_EQ(reads, 1u);  // after the abort, version 2 came back unknown
}

// A RocksDB store in a temporary directory with the worklists projection run
// over it as the server runs it (ProjectionRunner, rows and checkpoint).
class StoredWorklists {
 public:
  StoredWorklists()
      : dir_(::testing::TempDir() + "worklists_" + std::to_string(::getpid()) +
             "_" + std::to_string(++count_)) {
    std::filesystem::remove_all(dir_);
    Restart();
  }
  ~StoredWorklists() {
    Close();
    std::filesystem::remove_all(dir_);
  }
  // Closes everything and opens the store and the projection again.
  void Restart() {
    Close();
    storage::OpenOptions options;
    options.path = dir_;
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
        {{e.event_id(), "carelog.schema.CareEvent", e.SerializeAsString()}},
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

 private:
  void Close() {
    runner_.reset();
    projection_.reset();
    log_.reset();
  }
  static inline int count_ = 0;
  std::string dir_;
  ManualClock clock_{testing::kAfterEveryEvent};
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<WorklistProjection> projection_;
  std::unique_ptr<ProjectionRunner> runner_;
};

schema::CareEvent Care(const std::string& id, const std::string& at) {
  schema::CareEvent e;
  e.set_event_id(id);
  e.set_occurred_at(at);
  return e;
}

TEST(StoredWorklistsTest, LoadsItsRowsAndForgetsAnAbortedBatch) {
  StoredWorklists store;
  schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
  reg.mutable_person_registered()->set_area_code(kArea);
  schema::CareEvent adm = Care("adm", "2015-02-01T10:00:00Z");
  adm.mutable_hospital_admitted()->set_spell_id("S1");
  adm.mutable_hospital_admitted()->set_site("Queen's");
  schema::CareEvent ready = Care("rdy", "2015-02-02T10:00:00Z");
  ready.mutable_ready_for_discharge()->set_spell_id("S1");
  for (const auto* e : {&reg, &adm, &ready}) store.Append(*e);
  // Not a person stream: ignored.
  ASSERT_TRUE(store.log()
                  .Append({"area-E09000002",
                           storage::ExpectedVersion::Any(),
                           {{"area", "carelog.schema.CareEvent",
                             reg.SerializeAsString()}},
                           "test"})
                  .ok());
  store.CatchUp();
  EXPECT_EQ(store.projection().position(), 4u);
  EXPECT_TRUE(store.RowStored());

  const Instant now = At("2015-02-05T10:00:00Z");
  store.Restart();
  EXPECT_EQ(store.projection().position(), 4u);
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  auto list = store.projection().Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].nhs_number, kNhs);
  EXPECT_EQ(list[0].site, "Queen's");
  EXPECT_EQ(list[0].days_delayed, 3);

  // An aborted batch is forgotten: the person goes back to the stored row.
  schema::CareEvent dis = Care("dis", "2015-02-03T10:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(
      schema::Destination::USUAL_RESIDENCE);
  store.Append(dis);
  auto recorded = store.log().ReadAll(5, 1);
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->size(), 1u);
  storage::ProjectionWrite next;
  ASSERT_TRUE(store.projection().Apply(recorded->front(), next).ok());
  EXPECT_TRUE(store.projection().Discharge(kArea, std::nullopt, now).empty());
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  store.projection().Abort();
  EXPECT_EQ(store.projection().Discharge(kArea, std::nullopt, now).size(), 1u);
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
}

TEST(StoredWorklistsTest, APersonWhoLeavesEveryWorklistIsDroppedAndComesBack) {
  StoredWorklists store;
  const std::string other = "9990000026";  // never on a worklist
  for (const std::string& nhs : {std::string(kNhs), other}) {
    schema::CareEvent reg = Care("reg-" + nhs, "2015-01-01T10:00:00Z");
    reg.mutable_person_registered()->set_birth_date("1940-01-01");
    reg.mutable_person_registered()->set_area_code(kArea);
    store.Append(reg, nhs);
  }
  schema::CareEvent ae = Care("ae", "2015-01-02T10:00:00Z");
  ae.mutable_ae_attended()->set_attendance_id("AE1");
  store.Append(ae, other);
  // An integrated package: held while it has no accountable professional.
  schema::CareEvent pkg = Care("pkg", "2015-01-05T10:00:00Z");
  pkg.mutable_care_package_started()->set_package_id("P1");
  pkg.mutable_care_package_started()->set_integrated(true);
  store.Append(pkg);
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  EXPECT_TRUE(store.RowStored());
  EXPECT_FALSE(store.RowStored(other));
  schema::CareEvent ap = Care("ap", "2015-01-06T10:00:00Z");
  ap.mutable_accountable_professional_assigned()->set_package_id("P1");
  ap.mutable_accountable_professional_assigned()->set_name("Ann Smith");
  store.Append(ap);
  // A spell: ready, delayed, discharged to reablement, followed up.
  schema::CareEvent adm = Care("adm", "2015-03-01T09:00:00Z");
  adm.mutable_hospital_admitted()->set_spell_id("S1");
  adm.mutable_hospital_admitted()->set_site("Queen's");
  store.Append(adm);
  store.CatchUp();
  // Nothing open: dropped from memory and from the rows.
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
  EXPECT_TRUE(store.projection()
                  .UnassignedPackages(kArea, At("2015-02-01T00:00:00Z"))
                  .empty());

  schema::CareEvent ready = Care("rdy", "2015-03-02T12:00:00Z");
  ready.mutable_ready_for_discharge()->set_spell_id("S1");
  store.Append(ready);
  schema::CareEvent delay = Care("dly", "2015-03-03T12:00:00Z");
  delay.mutable_discharge_delay_recorded()->set_spell_id("S1");
  delay.mutable_discharge_delay_recorded()->set_reason(schema::DelayReason::E);
  delay.mutable_discharge_delay_recorded()->set_agency(
      schema::Agency::SOCIAL_CARE);
  store.Append(delay);
  store.CatchUp();
  // Back, with the site, reason and professional of events applied while
  // it was not held.
  const Instant now = At("2015-03-05T12:00:00Z");
  for (int restart = 0; restart < 2; ++restart) {
    auto list = store.projection().Discharge(kArea, std::nullopt, now);
    ASSERT_EQ(list.size(), 1u) << restart;
    EXPECT_EQ(list[0].site, "Queen's");
    EXPECT_EQ(list[0].reason, "E");
    EXPECT_EQ(list[0].agency, "SOCIAL_CARE");
    EXPECT_EQ(list[0].days_delayed, 3);
    ASSERT_TRUE(list[0].accountable_professional.has_value());
    EXPECT_EQ(list[0].accountable_professional->name(), "Ann Smith");
    EXPECT_EQ(store.projection().PeopleHeld(), 1u);
    store.Restart();
  }

  schema::CareEvent dis = Care("dis", "2015-03-06T12:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(schema::Destination::REABLEMENT);
  store.Append(dis);
  schema::CareEvent follow = Care("fup", "2015-06-05T12:00:00Z");
  follow.mutable_follow_up_recorded()->set_spell_id("S1");
  follow.mutable_follow_up_recorded()->set_status(
      schema::FollowUpStatus::AT_HOME);
  store.Append(follow);
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());

  // After a restart, retracting the follow-up puts the spell back on the
  // follow-ups list, read from the log.
  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  schema::CareEvent retract = Care("x1", "2015-06-06T12:00:00Z");
  retract.mutable_event_retracted()->set_event_id("fup");
  store.Append(retract);
  store.CatchUp();
  auto due = store.projection().FollowUpsDue(kArea, At("2015-07-01T12:00:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].spell_id, "S1");
  EXPECT_EQ(FormatDate(due[0].due_on), "2015-06-05");
  EXPECT_TRUE(store.RowStored());
  store.Restart();
  EXPECT_EQ(
      store.projection().FollowUpsDue(kArea, At("2015-07-01T12:00:00Z")).size(),
      1u);
  EXPECT_FALSE(store.RowStored(other));
}

// A person whose admission was retracted under their readiness is held for
// it (a row), across a restart, so that an admission recorded again before the
// readiness brings them back onto the discharge worklist though nothing of
// theirs was in memory; once discharged they are dropped.
TEST(StoredWorklistsTest, APersonWithAnEventOnNothingIsHeldAcrossARestart) {
  StoredWorklists store;
  schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
  reg.mutable_person_registered()->set_area_code(kArea);
  schema::CareEvent adm = Care("adm", "2015-02-01T10:00:00Z");
  adm.mutable_hospital_admitted()->set_spell_id("S1");
  schema::CareEvent ready = Care("rdy", "2015-02-02T10:00:00Z");
  ready.mutable_ready_for_discharge()->set_spell_id("S1");
  schema::CareEvent retract = Care("x1", "2015-02-03T10:00:00Z");
  retract.mutable_event_retracted()->set_event_id("adm");
  for (const auto* e : {&reg, &adm, &ready, &retract}) store.Append(*e);
  store.CatchUp();
  const Instant now = At("2015-02-05T10:00:00Z");
  EXPECT_TRUE(store.projection().Discharge(kArea, std::nullopt, now).empty());
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  EXPECT_TRUE(store.RowStored());

  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 1u);
  schema::CareEvent again = Care("adm2", "2015-02-01T09:00:00Z");
  again.mutable_hospital_admitted()->set_spell_id("S1");
  again.mutable_hospital_admitted()->set_site("Queen's");
  store.Append(again);
  store.CatchUp();
  auto list = store.projection().Discharge(kArea, std::nullopt, now);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].site, "Queen's");
  EXPECT_EQ(list[0].ready_since, At("2015-02-02T10:00:00Z"));

  schema::CareEvent dis = Care("dis", "2015-02-06T10:00:00Z");
  dis.mutable_discharged()->set_spell_id("S1");
  dis.mutable_discharged()->set_destination(
      schema::Destination::USUAL_RESIDENCE);
  store.Append(dis);
  store.CatchUp();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
}

// An admission of a person not held reads nothing back, even when their
// facts are not among the recent people's: only people with an event
// standing on nothing (held) can have one brought back by it.
TEST(WorklistsRecentTest, AnAdmissionReadsNoStreamBack) {
  std::map<std::string, std::vector<schema::CareEvent>, std::less<>> streams;
  size_t reads = 0;
  ManualClock clock(testing::kAfterEveryEvent);
  WorklistProjection projection(
      clock,
      [&](std::string_view nhs,
          uint64_t up_to) -> Result<std::vector<schema::CareEvent>> {
        ++reads;
        const auto& stream = streams.find(nhs)->second;
        return std::vector<schema::CareEvent>(
            stream.begin(),
            stream.begin() + static_cast<std::ptrdiff_t>(up_to));
      },
      /*recent_facts=*/1);
  const std::vector<std::string> people = {"9990000018", "9990000026",
                                           "9990000034"};
  auto apply = [&](const std::string& nhs, const schema::CareEvent& e) {
    streams[nhs].push_back(e);
    ASSERT_TRUE(projection.ApplyCareEvent(nhs, streams[nhs].size(), e).ok());
  };
  for (const std::string& nhs : people) {
    schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
    reg.mutable_person_registered()->set_area_code(kArea);
    apply(nhs, reg);
  }
  for (const std::string& nhs : people) {
    schema::CareEvent adm = Care("adm", "2015-02-01T10:00:00Z");
    adm.mutable_hospital_admitted()->set_spell_id("S1");
    apply(nhs, adm);
  }
  EXPECT_EQ(reads, 0u);
  EXPECT_EQ(projection.PeopleHeld(), 0u);
}

TEST(StoredWorklistsTest,
     ARowOfAnEarlierVersionWithoutOpenItemsIsDeletedOnLoad) {
  StoredWorklists store;
  schema::CareEvent reg = Care("reg", "2015-01-01T10:00:00Z");
  reg.mutable_person_registered()->set_area_code(kArea);
  store.Append(reg);
  // Earlier versions kept a row for everyone.
  schema::WorklistPerson row;
  auto* fact = row.add_facts();
  fact->set_event_id("reg");
  fact->set_version(1);
  fact->set_ref(kArea);
  storage::ProjectionWrite write;
  write.rows.push_back(
      {std::string(WorklistProjection::kName), kNhs, row.SerializeAsString()});
  ASSERT_TRUE(store.log().WriteProjections(write).ok());
  ASSERT_TRUE(store.RowStored());
  // The next start drops it, before any event is applied.
  store.Restart();
  EXPECT_EQ(store.projection().PeopleHeld(), 0u);
  EXPECT_FALSE(store.RowStored());
}

}  // namespace
}  // namespace carelog
