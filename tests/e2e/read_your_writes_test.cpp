// A read of a worklist or of metrics right after a write, without minPosition,
// includes that write (docs/READINGS.md "Read your writes"): a client that
// knows nothing of minPosition still sees what it has just recorded.
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

std::string Event(const std::string& at, const std::string& payload) {
  return "{\"eventId\":\"" + NewEventId() + "\",\"occurredAt\":\"" + at +
         "\"," + payload + "}";
}

// The disclosure-controlled display of an exact count of 8 or more.
int Rounded(int n) { return 5 * ((n + 2) / 5); }

TEST(ReadYourWritesE2eTest, WorklistAndMetricsIncludeTheWriteJustAnswered) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  const std::string area = LiveServer::kAreaA;
  HttpClient admin(server.port(), server.admin);
  ASSERT_EQ(admin
                .Send("PUT", "/v1/areas/" + area,
                      R"({"name": "A", "population": [{"year": 2015,
                          "age0to17": 1000, "age18to64": 1000, "age65plus": 1000}]})")
                .status,
            201);
  HttpClient coordinator(server.port(), server.coordinator_a);
  HttpClient commissioner(server.port(), server.commissioner_a);
  for (int i = 1; i <= 20; ++i) {
    const std::string nhs = TestNhsNumber(700 + i);
    auto write = coordinator.Send(
        "POST", "/v1/people/" + nhs + "/events",
        EventsBody({RegisterEvent(area, "", "2015-06-01T10:00:00+01:00"),
                    AdmitEvent("S1", "", "2015-06-02T10:00:00+01:00"),
                    Event("2015-06-03T10:00:00+01:00",
                          "\"readyForDischarge\":{\"spellId\":\"S1\"}")}));
    ASSERT_EQ(write.status, 201) << write.body;

    auto worklist = coordinator.Get("/v1/worklists/discharge?area=" + area);
    ASSERT_EQ(worklist.status, 200);
    EXPECT_NE(worklist.body.find(nhs), std::string::npos)
        << "write " << i << " missing from " << worklist.body;

    auto metrics =
        commissioner.Get("/v1/areas/" + area + "/metrics?period=2015-06");
    ASSERT_EQ(metrics.status, 200);
    if (i < 8) continue;  // 1-7 are withheld
    const google::protobuf::Struct body = metrics.Json();
    for (const auto& entry :
         body.fields().at("metrics").list_value().values()) {
      if (Text(entry.struct_value(), "metric") != "nonElectiveAdmissions")
        continue;
      EXPECT_EQ(Number(entry.struct_value(), "numerator"), Rounded(i))
          << "after write " << i;
    }
  }
}

}  // namespace
}  // namespace carelog::e2e
