// A fresh acceptance audit of API.md and SPEC.md through the real server (see
// docs/READINGS.md, "Acceptance audit of the figures' bounds"): what it found
// wrong, pinned.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace carelog::e2e
