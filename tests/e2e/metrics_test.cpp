// Metrics, payments, CSV, series and conditions over HTTP against the real
// server: JSON names of API.md, disclosure control, exact payments, asOf and
// minPosition.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <ctime>
#include <thread>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const char kArea[] =
    R"({"name": "Barking and Dagenham", "population": [{"year": 2014, "age0to17": 58000,
        "age18to64": 120000, "age65plus": 20000}]})";
// Baseline 10, target 5 for Q1 at £1,490 a unit: pot 5 x £1,490 = £7,450.
// A year's target for NHS number verification, which no tranche pays on.
const char kPlan[] =
    R"({"targets": [{"metric": "nonElectiveAdmissions", "period": "2014-15-Q1", "baseline": 10,
        "target": 5}, {"metric": "nhsNumberVerified", "period": "2014-15", "baseline": 80,
        "target": 95}],
        "tranches": [{"id": "2014-15-Q1", "period": "2014-15-Q1", "unitCostGbp": 1490,
                      "metrics": [{"metric": "nonElectiveAdmissions", "weight": 1}]}]})";

std::string Event(const std::string& at, const std::string& payload) {
  return "{\"eventId\":\"" + NewEventId() + "\",\"occurredAt\":\"" + at +
         "\"," + payload + "}";
}

const Value& Field(const Struct& s, const std::string& name) {
  static const Value kMissing;
  auto it = s.fields().find(name);
  EXPECT_NE(it, s.fields().end()) << name;
  return it == s.fields().end() ? kMissing : it->second;
}

// The entry of `metric` in a metrics answer.
Struct Entry(const Struct& answer, const std::string& metric) {
  for (const Value& v : Field(answer, "metrics").list_value().values()) {
    if (Text(v.struct_value(), "metric") == metric) return v.struct_value();
  }
  ADD_FAILURE() << "no entry for " << metric;
  return {};
}

uint64_t LastPosition(const HttpAnswer& a) {
  return static_cast<uint64_t>(Number(a.Json(), "lastPosition"));
}

class MetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    HttpClient admin(server_.port(), server_.admin);
    ASSERT_EQ(admin.Send("PUT", std::string("/v1/areas/") + kA, kArea).status,
              201);
    ASSERT_EQ(
        admin
            .Send("PUT", std::string("/v1/areas/") + kA + "/plans/2014-15",
                  kPlan)
            .status,
        201);
    HttpClient practitioner(server_.port(), server_.practitioner_a);
    // Eight people admitted as emergencies in May 2014; person 1 also delayed
    // 28 April-3 May.
    for (int i = 1; i <= 8; ++i) {
      std::vector<std::string> events = {Event(
          "2014-04-01T09:00:00+01:00",
          "\"personRegistered\":{\"birthDate\":\"1938-02-11\",\"areaCode\":\"" +
              std::string(kA) +
              "\",\"gpPractice\":\"F82001\",\"nhsNumberStatus\":"
              "\"VERIFIED\"}")};
      if (i == 1) {
        events.push_back(Event(
            "2014-04-20T10:00:00+01:00",
            "\"hospitalAdmitted\":{\"spellId\":\"S0\",\"provider\":\"RF4\","
            "\"site\":\"Queen's\",\"method\":\"ELECTIVE\"}"));
        events.push_back(Event("2014-04-28T09:00:00+01:00",
                               "\"readyForDischarge\":{\"spellId\":\"S0\"}"));
        events.push_back(Event(
            "2014-04-28T09:30:00+01:00",
            "\"dischargeDelayRecorded\":{\"spellId\":\"S0\",\"reason\":\"D1\","
            "\"agency\":\"SOCIAL_CARE\"}"));
        events.push_back(
            Event("2014-05-03T11:00:00+01:00",
                  "\"discharged\":{\"spellId\":\"S0\",\"destination\":\"USUAL_"
                  "RESIDENCE\"}"));
      }
      events.push_back(
          Event("2014-05-1" + std::to_string(i) + "T10:00:00+01:00",
                "\"hospitalAdmitted\":{\"spellId\":\"S1\",\"provider\":\"RF4\","
                "\"site\":\"Queen's\",\"method\":\"EMERGENCY\"}"));
      if (i == 8) {
        before_last_ = LastPosition(practitioner.Send(
            "POST", "/v1/people/" + TestNhsNumber(200 + i) + "/events",
            EventsBody({events.front()})));
        std::this_thread::sleep_for(
            std::chrono::milliseconds(20));  // distinct recordedAt
        as_of_ = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        events.erase(events.begin());
      }
      auto answer = practitioner.Send(
          "POST", "/v1/people/" + TestNhsNumber(200 + i) + "/events",
          EventsBody(events));
      ASSERT_EQ(answer.status, 201) << answer.body;
      last_ = LastPosition(answer);
    }
  }
  std::string Rfc3339(int64_t micros) {
    std::time_t secs = micros / 1000000;
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::gmtime(&secs));
    return std::string(buf) + "." +
           std::to_string(1000000 + micros % 1000000).substr(1) + "Z";
  }

  static constexpr const char* kA = LiveServer::kAreaA;
  LiveServer server_;
  uint64_t last_ = 0;
  uint64_t before_last_ = 0;
  int64_t as_of_ = 0;
};

TEST_F(MetricsE2eTest, MetricsOfAPeriodAreDisclosureControlled) {
  HttpClient commissioner(server_.port(), server_.commissioner_a);
  auto answer = commissioner.Get(
      std::string("/v1/areas/") + kA +
      "/metrics?period=2014-15-Q1&minPosition=" + std::to_string(last_));
  ASSERT_EQ(answer.status, 200) << answer.body;
  Struct json = answer.Json();
  EXPECT_EQ(Text(json, "area"), kA);
  EXPECT_EQ(Text(json, "period"), "2014-15-Q1");
  EXPECT_TRUE(IsNull(json, "asOf"));
  EXPECT_EQ(Field(json, "metrics").list_value().values_size(), 12);
  // 8 admissions: shown as 10, value rounded too; baseline and target from the
  // plan.
  Struct nea = Entry(json, "nonElectiveAdmissions");
  EXPECT_EQ(Number(nea, "numerator"), 10);
  EXPECT_EQ(Number(nea, "value"), 10);
  EXPECT_FALSE(Field(nea, "suppressed").bool_value());
  EXPECT_EQ(Text(nea, "direction"), "LOWER");
  EXPECT_EQ(Number(nea, "baseline"), 10);
  EXPECT_EQ(Number(nea, "target"), 5);
  // The rate is computed from the exact count: 8 / 198,000 x 100,000.
  EXPECT_EQ(Number(nea, "denominator"), 198000);
  EXPECT_DOUBLE_EQ(Number(nea, "ratePer100k"), 8 * 100000.0 / 198000);
  // 5 delayed days (3 in April, 2 in May): withheld, with the value computed
  // from them.
  Struct dd = Entry(json, "delayedDays");
  EXPECT_TRUE(IsNull(dd, "numerator"));
  EXPECT_TRUE(IsNull(dd, "value"));
  EXPECT_TRUE(Field(dd, "suppressed").bool_value());
  const Struct& breakdown = Field(dd, "breakdown").struct_value();
  const Struct& by_agency = Field(breakdown, "byAgency").struct_value();
  EXPECT_TRUE(IsNull(by_agency, "SOCIAL_CARE"));
  EXPECT_EQ(Number(by_agency, "NHS"), 0);
  EXPECT_TRUE(
      Field(breakdown, "byReason").struct_value().fields().count("UNRECORDED"));
  Struct reablement = Entry(json, "reablement91");
  EXPECT_TRUE(
      IsNull(reablement, "value"));  // no October-December discharges in Q1
  EXPECT_EQ(Text(reablement, "direction"), "HIGHER");
}

// Exact counts, no disclosure control: actual 8, achievement (10 - 8) / (10 -
// 5) = 2/5, earned £7,450 x 2/5 = £2,980.00, withheld £4,470.00, below 0.70:
// recovery plan. As of before the last admission: actual 7, achievement 3/5,
// earned £4,470.00.
TEST_F(MetricsE2eTest, PaymentsAreExactAndReproducibleAsOf) {
  HttpClient commissioner(server_.port(), server_.commissioner_a);
  auto answer = commissioner.Get(
      std::string("/v1/areas/") + kA +
      "/payments/2014-15?minPosition=" + std::to_string(last_));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(answer.body.find("\"earnedGbp\":2980.00"), std::string::npos)
      << answer.body;
  Struct json = answer.Json();
  EXPECT_EQ(Text(json, "year"), "2014-15");
  const Struct& tranche =
      Field(json, "tranches").list_value().values(0).struct_value();
  EXPECT_EQ(Text(tranche, "id"), "2014-15-Q1");
  EXPECT_EQ(Number(tranche, "potGbp"), 7450);
  EXPECT_DOUBLE_EQ(Number(tranche, "achievement"), 0.4);
  EXPECT_EQ(Number(tranche, "earnedGbp"), 2980);
  EXPECT_EQ(Number(tranche, "withheldGbp"), 4470);
  EXPECT_TRUE(Field(tranche, "recoveryPlanRequired").bool_value());
  const Struct& metric =
      Field(tranche, "metrics").list_value().values(0).struct_value();
  EXPECT_EQ(Number(metric, "actual"), 8);
  EXPECT_EQ(Number(metric, "weight"), 1);
  EXPECT_EQ(Number(json, "totalEarnedGbp"), 2980);
  EXPECT_EQ(Number(json, "totalWithheldGbp"), 4470);

  auto then = commissioner.Get(std::string("/v1/areas/") + kA +
                               "/payments/2014-15?asOf=" + Rfc3339(as_of_));
  ASSERT_EQ(then.status, 200) << then.body;
  const Struct then_json = then.Json();
  const Struct& old =
      Field(then_json, "tranches").list_value().values(0).struct_value();
  EXPECT_EQ(Number(Field(old, "metrics").list_value().values(0).struct_value(),
                   "actual"),
            7);
  EXPECT_EQ(Number(old, "earnedGbp"), 4470);

  // The same instant with its offset typed unencoded ('+' arrives as a space).
  std::string plus = Rfc3339(as_of_);
  plus.replace(plus.size() - 1, 1, "+00:00");
  auto typed = commissioner.Get(std::string("/v1/areas/") + kA +
                                "/payments/2014-15?asOf=" + plus);
  ASSERT_EQ(typed.status, 200) << typed.body;
  // The same figures; asOf echoed as it was asked.
  EXPECT_EQ(Text(typed.Json(), "asOf"), plus);
  const auto figures = [](const std::string& body) {
    return body.substr(body.find("\"tranches\""));
  };
  EXPECT_EQ(figures(typed.body), figures(then.body));
}

TEST_F(MetricsE2eTest, CsvSeriesAndConditions) {
  HttpClient commissioner(server_.port(), server_.commissioner_a);
  const std::string base = std::string("/v1/areas/") + kA;
  auto csv =
      commissioner.Get(base +
                       "/metrics.csv?from=2014-04&to=2014-06&granularity=month&"
                       "minPosition=" +
                       std::to_string(last_));
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body.substr(0, csv.body.find('\n')),
            "area,period,metric,value,numerator,denominator,suppressed,"
            "baseline,target");
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 1 + 3 * 12);
  EXPECT_NE(
      csv.body.find(std::string(kA) + ",2014-05,nonElectiveAdmissions,10,10,"),
      std::string::npos)
      << csv.body;

  auto series =
      commissioner.Get(base +
                       "/metrics/nonElectiveAdmissions?from=2014-15-Q1&to="
                       "2014-15-Q2&granularity=quarter");
  ASSERT_EQ(series.status, 200) << series.body;
  Struct json = series.Json();
  EXPECT_EQ(Text(json, "metric"), "nonElectiveAdmissions");
  const auto& points = Field(json, "points").list_value();
  ASSERT_EQ(points.values_size(), 2);
  EXPECT_EQ(Text(points.values(0).struct_value(), "period"), "2014-15-Q1");
  EXPECT_EQ(Number(points.values(0).struct_value(), "target"), 5);

  auto conditions = commissioner.Get(base + "/conditions?period=2014-15");
  ASSERT_EQ(conditions.status, 200) << conditions.body;
  EXPECT_EQ(Text(conditions.Json(), "area"), kA);
  EXPECT_TRUE(IsNull(conditions.Json(), "asOf"));
  // Eight verified people with events in 2014-15: 100 %, the count shown
  // rounded to 10.
  const Struct now = Field(conditions.Json(), "conditions").struct_value();
  const Struct& verified_now = Field(now, "nhsNumberVerified").struct_value();
  EXPECT_EQ(Number(verified_now, "value"), 100);
  EXPECT_EQ(Number(verified_now, "numerator"), 10);
  // The plan's baseline and target beside the evidence, as /metrics shows
  // them; none for a metric the plan does not target.
  EXPECT_EQ(Number(verified_now, "baseline"), 80) << conditions.body;
  EXPECT_EQ(Number(verified_now, "target"), 95) << conditions.body;
  EXPECT_TRUE(
      IsNull(Field(now, "jointAssessmentCoverage").struct_value(), "target"))
      << conditions.body;

  // As reported before anything was recorded: no people, no plan yet.
  auto before = commissioner.Get(base +
                                 "/conditions?period=2014-15&asOf=2014-01-01T"
                                 "00:00:00Z");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(Text(before.Json(), "asOf"), "2014-01-01T00:00:00Z");
  const Struct then = Field(before.Json(), "conditions").struct_value();
  const Struct& verified_then = Field(then, "nhsNumberVerified").struct_value();
  EXPECT_TRUE(IsNull(verified_then, "value")) << before.body;
  EXPECT_TRUE(IsNull(verified_then, "numerator")) << before.body;
  EXPECT_TRUE(IsNull(verified_then, "target")) << before.body;
  EXPECT_EQ(
      commissioner.Get(base + "/conditions?period=2014-15&asOf=soon").status,
      400);
}

TEST_F(MetricsE2eTest, BadRequestsAndReadYourWrites) {
  HttpClient commissioner(server_.port(), server_.commissioner_a);
  const std::string base = std::string("/v1/areas/") + kA;
  EXPECT_EQ(commissioner.Get(base + "/metrics").status, 400);
  EXPECT_EQ(commissioner.Get(base + "/metrics?period=2014-13").status, 400);
  EXPECT_EQ(
      commissioner.Get(base + "/metrics?period=2014-15&asOf=yesterday").status,
      400);
  EXPECT_EQ(
      commissioner.Get(base + "/metrics/noSuchMetric?from=2014-04").status,
      404);
  EXPECT_EQ(commissioner.Get(base + "/payments/2019-20").status, 404);
  EXPECT_EQ(
      commissioner.Get("/v1/areas/E09000003/metrics?period=2014-15").status,
      403);
  auto late = commissioner.Get(base + "/metrics?period=2014-15&minPosition=" +
                               std::to_string(last_ + 1000));
  EXPECT_EQ(late.status, 503);
  EXPECT_EQ(late.Header("retry-after"), "1");
}

// `carelog rebuild` drops and replays the projections with a progress line; the
// server started again answers the same figures.
TEST_F(MetricsE2eTest, RebuildReplaysTheProjections) {
  HttpClient commissioner(server_.port(), server_.commissioner_a);
  const std::string target =
      std::string("/v1/areas/") + kA +
      "/metrics.csv?from=2014-15&to=2014-15&granularity=month";
  auto before =
      commissioner.Get(target + "&minPosition=" + std::to_string(last_));
  ASSERT_EQ(before.status, 200);
  ASSERT_EQ(server_.process().Stop(SIGTERM), 0);
  const std::string data = server_.data_dir() + "/data";
  CliRun run = RunCarelog({"rebuild", "--data", data});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("rebuilding projections: " + std::to_string(last_) +
                         " of " + std::to_string(last_) + " events (100%)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("rebuilt projections from " + std::to_string(last_) +
                         " events"),
            std::string::npos)
      << run.out;
  ASSERT_TRUE(server_.Restart());
  auto after = HttpClient(server_.port(), server_.commissioner_a).Get(target);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, before.body);
}

}  // namespace
}  // namespace carelog::e2e
