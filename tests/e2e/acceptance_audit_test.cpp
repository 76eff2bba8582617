// A fresh acceptance audit of API.md and SPEC.md through the real server (see
// docs/READINGS.md, "Acceptance audit of the figures' bounds"): what it found
// wrong, pinned.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <string>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

using google::protobuf::Struct;

class AcceptanceAuditTest : public SharedServerTest<AcceptanceAuditTest> {
 protected:
  HttpClient As(const std::string& token) {
    return HttpClient(server_->port(), token);
  }

  // The first `errors[]` field of a problem answer, or "".
  static std::string FirstErrorField(const HttpAnswer& answer) {
    Struct doc = answer.Json();
    auto it = doc.fields().find("errors");
    if (it == doc.fields().end() || it->second.list_value().values_size() == 0)
      return "";
    return Text(it->second.list_value().values(0).struct_value(), "field");
  }

  static std::string Population(const std::string& band0to17) {
    return R"({"name": "Bounds", "population": [{"year": 2015, "age0to17": )" +
           band0to17 + R"(, "age18to64": 100000000, "age65plus": 100000000}]})";
  }

  static std::string Plan(const std::string& allocation,
                          const std::string& baseline,
                          const std::string& unit_cost,
                          const std::string& weight) {
    return R"({"allocationGbp": )" + allocation +
           R"(, "performanceElementGbp": 1,
 "targets": [{"metric": "nonElectiveAdmissions", "period": "2015-16-Q1", "baseline": )" +
           baseline + R"(, "target": 0}],
 "tranches": [{"id": "q1", "period": "2015-16-Q1", "unitCostGbp": )" +
           unit_cost + R"(,
   "metrics": [{"metric": "nonElectiveAdmissions", "weight": )" +
           weight + "}]}]}";
  }
};

// A population band or a plan figure so large that the totals computed from it
// overflow (an all-age population of three bands of 2^31 - 1 was shown as
// 2147483645 and the population aged 18+ as -2; a pot of 1e19 pounds as 3.9e16)
// is refused with the field named, and nothing is recorded.
TEST_F(AcceptanceAuditTest, FiguresTooLargeToComputeAreRefused) {
  auto admin = As(server_->admin);
  const std::string area = "/v1/areas/E09000041";
  auto at_bound = admin.Send("PUT", area, Population("100000000"));
  ASSERT_EQ(at_bound.status, 201) << at_bound.body;
  auto over = admin.Send("PUT", area, Population("2147483647"));
  EXPECT_EQ(over.status, 422) << over.body;
  EXPECT_EQ(FirstErrorField(over), "population[0].age0to17") << over.body;
  EXPECT_EQ(Number(admin.Get(area).Json(), "version"), 1);

  auto metrics = admin.Get(area + "/metrics?period=2015-16");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  const Struct doc = metrics.Json();
  for (const auto& entry : doc.fields().at("metrics").list_value().values()) {
    const Struct& m = entry.struct_value();
    if (Text(m, "metric") == "nonElectiveAdmissions") {
      EXPECT_EQ(Number(m, "denominator"), 300000000);
    }
    if (Text(m, "metric") == "delayedDays") {
      EXPECT_EQ(Number(m, "denominator"), 200000000);
    }
  }

  const std::string plan = area + "/plans/2015-16";
  struct Case {
    std::string body;
    std::string field;
  };
  const Case refused[] = {
      {Plan("1000000000000.01", "100", "1490", "1"), "allocationGbp"},
      {Plan("1", "2000000000", "1", "1"), "targets[0].baseline"},
      {Plan("1", "1000000", "10000000000000", "1"), "tranches[0].unitCostGbp"},
      {Plan("1", "100", "1490", "2000000"), "tranches[0].metrics[0].weight"}};
  for (const Case& c : refused) {
    auto answer = admin.Send("PUT", plan, c.body);
    EXPECT_EQ(answer.status, 422) << c.field << ": " << answer.body;
    EXPECT_EQ(FirstErrorField(answer), c.field) << answer.body;
  }
  EXPECT_EQ(admin.Get(plan).status, 404);

  // At the bounds the figures are exact: a pot of 1e6 x 1e6 = 1e12 pounds.
  auto largest = admin.Send(
      "PUT", plan, Plan("1000000000000", "1000000", "1000000", "1000000"));
  ASSERT_EQ(largest.status, 201) << largest.body;
  auto payments = admin.Get(area + "/payments/2015-16");
  ASSERT_EQ(payments.status, 200) << payments.body;
  EXPECT_NE(payments.body.find("\"potGbp\":1000000000000.00"),
            std::string::npos)
      << payments.body;
}

// SPEC.md "Access": "every read or write of a person is written to an
// append-only audit log", and auditors need "who saw whom". A page of the
// global feed shows people's events (their NHS numbers, admissions,
// readiness...), so, like a worklist, it writes one entry per person shown
// before it is answered; area and plan changes name no person. It wrote none.
TEST_F(AcceptanceAuditTest, EveryPersonTheFeedShowsIsAudited) {
  const std::string first = TestNhsNumber(4101);
  const std::string second = TestNhsNumber(4102);
  auto practitioner = As(server_->practitioner_a);
  const uint64_t before =
      PostEvents(practitioner, first, {RegisterEvent(LiveServer::kAreaA)});
  ASSERT_GT(before, 0u);
  ASSERT_GT(PostEvents(practitioner, second,
                       {RegisterEvent(LiveServer::kAreaA),
                        AdmitEvent("S1", "", "2014-06-07T11:00:00+01:00")}),
            before);

  auto admin = As(server_->admin);
  const std::string page =
      "/v1/events?after=" + std::to_string(before - 1) + "&limit=3";
  auto feed = admin.Get(page);
  ASSERT_EQ(feed.status, 200) << feed.body;
  ASSERT_NE(feed.body.find(first), std::string::npos);
  ASSERT_NE(feed.body.find(second), std::string::npos);

  auto auditor = As(server_->auditor);
  // The entries of the feed's reads of `person` (each checked).
  auto feed_reads = [&](const std::string& person) {
    auto audit = auditor.Get("/v1/audit?nhsNumber=" + person);
    EXPECT_EQ(audit.status, 200) << audit.body;
    const Struct doc = audit.Json();
    int n = 0;
    for (const auto& e : doc.fields().at("entries").list_value().values()) {
      const Struct& entry = e.struct_value();
      if (Text(entry, "route") != "/v1/events") continue;
      ++n;
      EXPECT_EQ(Text(entry, "who"), "ada");
      EXPECT_EQ(Text(entry, "role"), "admin");
      EXPECT_EQ(Text(entry, "method"), "GET");
      EXPECT_EQ(Text(entry, "target"), page);
      EXPECT_EQ(Number(entry, "outcome"), 200);
    }
    return n;
  };
  EXPECT_EQ(feed_reads(first), 1);
  EXPECT_EQ(feed_reads(second), 1);  // two of its events, one entry

  // A page past the end shows nobody and writes nothing.
  auto empty = admin.Get(
      "/v1/events?after=" + std::to_string(before + 1000000) + "&limit=3");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(feed_reads(first), 1);
}

// API.md: a bad flag is "a one-line error on stderr and a non-zero exit".
// `--tokens` naming a directory served with no tokens at all (every request
// 401) instead of saying so.
TEST(AcceptanceAuditCliTest, ATokensFileThatIsADirectoryIsOneLineAndNonZero) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", {"--tokens", dir.path()});
  EXPECT_FALSE(server.Start()) << server.listening_line();
  EXPECT_NE(server.Stop(SIGTERM), 0);
  const std::string err = server.Stderr();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find(dir.path()), std::string::npos) << err;
}

}  // namespace
}  // namespace carelog::e2e
