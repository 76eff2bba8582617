// SIGTERM while writes are in flight: the server exits 0 and every acknowledged
// write is there after a restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

TEST(ShutdownTest, SigtermDuringWritesLosesNoAcknowledgedWrite) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::filesystem::create_directories(data);
  const std::string token =
      MakeToken(data + "/tokens.json", "pat", "practitioner", {"E09000002"});
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.error();

  constexpr int kWriters = 8;
  std::mutex mu;
  std::map<std::string, double>
      acknowledged;  // person -> last acknowledged version
  std::atomic<int> answers{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(server.port(), token);
      for (int i = 0;; ++i) {
        const std::string nhs = TestNhsNumber(1000 + w * 1000 + i);
        auto a = client.Send(
            "POST", "/v1/people/" + nhs + "/events",
            EventsBody({RegisterEvent("E09000002"), AdmitEvent("S1")}));
        if (!a.ok || a.status == 503) return;  // the server has gone
        ++answers;
        if (a.status == 201) {
          std::lock_guard lock(mu);
          acknowledged[nhs] =
              a.Json().fields().at("lastVersion").number_value();
        }
      }
    });
  }
  while (answers.load() < 40) std::this_thread::yield();
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Stderr();
  for (auto& t : writers) t.join();
  ASSERT_GE(acknowledged.size(), 40u);

  ServerProcess again(data);
  ASSERT_TRUE(again.Start()) << again.error();
  HttpClient reader(again.port(), token);
  for (const auto& [nhs, version] : acknowledged) {
    auto a = reader.Get("/v1/people/" + nhs);
    ASSERT_EQ(a.status, 200) << nhs;
    EXPECT_EQ(a.Header("etag"),
              "\"" + std::to_string(static_cast<int>(version)) + "\"");
  }
  EXPECT_EQ(again.Stop(SIGINT), 0);
}

// Writes for one person queue for the person's turn without holding a thread:
// SIGTERM with such a queue answers or refuses each of them, and every
// acknowledged one is there, at the version it was acknowledged with.
TEST(ShutdownTest, SigtermWithWritesQueuedForOnePersonLosesNone) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::filesystem::create_directories(data);
  const std::string token =
      MakeToken(data + "/tokens.json", "pat", "practitioner", {"E09000002"});
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.error();
  const std::string nhs = TestNhsNumber(77);
  const std::string target = "/v1/people/" + nhs + "/events";
  {
    HttpClient client(server.port(), token);
    ASSERT_EQ(
        client.Send("POST", target, EventsBody({RegisterEvent("E09000002")}))
            .status,
        201);
  }

  constexpr int kWriters = 16;
  std::mutex mu;
  std::map<int, std::string> acknowledged;  // version -> event id
  std::atomic<int> answers{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(server.port(), token);
      for (int i = 0;; ++i) {
        const std::string id =
            "ae-" + std::to_string(w) + "-" + std::to_string(i);
        auto a = client.Send(
            "POST", target,
            EventsBody({"{\"eventId\":\"" + id +
                        "\",\"occurredAt\":\"2014-07-01T10:00:00+01:00\","
                        "\"aeAttended\":{\"attendanceId\":\"" +
                        id + "\"}}"}));
        if (!a.ok || a.status == 503) return;  // the server has gone
        ++answers;
        if (a.status != 201) {
          ADD_FAILURE() << a.status << " " << a.body;
          return;
        }
        const int version = static_cast<int>(
            a.Json().fields().at("lastVersion").number_value());
        std::lock_guard lock(mu);
        EXPECT_TRUE(acknowledged.emplace(version, id).second)
            << "version " << version << " acknowledged twice";
      }
    });
  }
  while (answers.load() < 60) std::this_thread::yield();
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Stderr();
  for (auto& t : writers) t.join();
  ASSERT_GE(acknowledged.size(), 60u);

  ServerProcess again(data);
  ASSERT_TRUE(again.Start()) << again.error();
  HttpClient reader(again.port(), token);
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
  EXPECT_EQ(again.Stop(SIGINT), 0);
}

}  // namespace
}  // namespace carelog::e2e
