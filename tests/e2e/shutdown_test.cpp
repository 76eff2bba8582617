// SIGTERM while writes are in flight: the server exits 0 and every acknowledged
// write is there after a restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

// Runs `writers` threads, each calling write(client, w, i) for i = 0, 1, ...
// (it answers false once the server has gone or on a failure); after
// `answers` answers in all (or once every writer has stopped), stops the
// server with SIGTERM, expects exit 0 and joins the writers.
void WriteUntilSigterm(
    ServerProcess& server, const std::string& token, int writers, int answers,
    const std::function<bool(HttpClient&, int, int)>& write) {
  std::atomic<int> answered{0};
  std::atomic<int> running{writers};  // a writer that fails stops the wait too
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      HttpClient client(server.port(), token);
      for (int i = 0; write(client, w, i); ++i) ++answered;
      --running;
    });
  }
  while (answered.load() < answers && running.load() > 0) {
    std::this_thread::yield();
  }
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Stderr();
  for (auto& t : threads) t.join();
}

TEST(ShutdownTest, SigtermDuringWritesLosesNoAcknowledgedWrite) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  const std::string& token = server.practitioner_a;

  std::mutex mu;
  std::map<std::string, double>
      acknowledged;  // person -> last acknowledged version
  WriteUntilSigterm(
      server.process(), token, 8, 40, [&](HttpClient& client, int w, int i) {
        const std::string nhs = TestNhsNumber(1000 + w * 1000 + i);
        auto a = client.Send(
            "POST", "/v1/people/" + nhs + "/events",
            EventsBody({RegisterEvent("E09000002"), AdmitEvent("S1")}));
        if (!a.ok || a.status == 503) return false;
        if (a.status == 201) {
          std::lock_guard lock(mu);
          acknowledged[nhs] =
              a.Json().fields().at("lastVersion").number_value();
        }
        return true;
      });
  ASSERT_GE(acknowledged.size(), 40u);

  ASSERT_TRUE(server.Restart());
  HttpClient reader(server.port(), token);
  for (const auto& [nhs, version] : acknowledged) {
    auto a = reader.Get("/v1/people/" + nhs);
    ASSERT_EQ(a.status, 200) << nhs;
    EXPECT_EQ(a.Header("etag"),
              "\"" + std::to_string(static_cast<int>(version)) + "\"");
  }
  EXPECT_EQ(server.process().Stop(SIGINT), 0);
}

// Writes for one person queue for the person's turn without holding a thread:
// SIGTERM with such a queue answers or refuses each of them, and every
// acknowledged one is there, at the version it was acknowledged with.
TEST(ShutdownTest, SigtermWithWritesQueuedForOnePersonLosesNone) {
  LiveServer server;
  ASSERT_TRUE(server.started());
  const std::string& token = server.practitioner_a;
  const std::string nhs = TestNhsNumber(77);
  const std::string target = "/v1/people/" + nhs + "/events";
  {
    HttpClient client(server.port(), token);
    ASSERT_EQ(
        client.Send("POST", target, EventsBody({RegisterEvent("E09000002")}))
            .status,
        201);
  }

  std::mutex mu;
  std::map<int, std::string> acknowledged;  // version -> event id
  WriteUntilSigterm(
      server.process(), token, 16, 60, [&](HttpClient& client, int w, int i) {
        const std::string id =
            "ae-" + std::to_string(w) + "-" + std::to_string(i);
        auto a = client.Send(
            "POST", target,
            EventsBody({"{\"eventId\":\"" + id +
                        "\",\"occurredAt\":\"2014-07-01T10:00:00+01:00\","
                        "\"aeAttended\":{\"attendanceId\":\"" +
                        id + "\"}}"}));
        if (!a.ok || a.status == 503) return false;  // the server has gone
        if (a.status != 201) {
          ADD_FAILURE() << a.status << " " << a.body;
          return false;
        }
        const int version = static_cast<int>(
            a.Json().fields().at("lastVersion").number_value());
        std::lock_guard lock(mu);
        EXPECT_TRUE(acknowledged.emplace(version, id).second)
            << "version " << version << " acknowledged twice";
        return true;
      });
  ASSERT_GE(acknowledged.size(), 60u);

  ASSERT_TRUE(server.Restart());
  HttpClient reader(server.port(), token);
  for (const auto& [version, id] : acknowledged) {
    auto a = reader.Get(target + "?fromVersion=" + std::to_string(version) +
                        "&limit=1");
    ASSERT_EQ(a.status, 200) << a.body;
    const auto page = a.Json();
    const auto& events = page.fields().at("events").list_value();
    ASSERT_EQ(events.values_size(), 1) << "version " << version;
    EXPECT_EQ(
        events.values(0).struct_value().fields().at("eventId").string_value(),
        id)
        << "version " << version;
  }
  EXPECT_EQ(server.process().Stop(SIGINT), 0);
}

}  // namespace
}  // namespace carelog::e2e
