// `carelog backup`, `restore` and `verify` against a running server
// (docs/RELIABILITY.md): the backup is taken while writers append, is
// consistent, restores into a store that serves, and the commands refuse what
// would lose data.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

double LastPosition(uint16_t port, const std::string& admin) {
  auto feed = HttpClient(port, admin).Get("/v1/events?after=0&limit=1");
  EXPECT_EQ(feed.status, 200) << feed.body;
  return feed.status == 200 ? Number(feed.Json(), "lastPosition") : -1;
}

TEST(BackupCommand, OnlineBackupRestoreAndVerify) {
  LiveServer live;
  ASSERT_TRUE(live.started());
  // Writers append while the backup runs.
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(live.port(), live.practitioner_a);
      const std::string nhs = TestNhsNumber(500 + w);
      auto r = client.Send("POST", "/v1/people/" + nhs + "/events",
                           EventsBody({RegisterEvent(LiveServer::kAreaA)}));
      if (r.status == 201) ++acknowledged;
      for (int i = 0; !stop; ++i) {
        const std::string at = "2014-07-01T10:" + std::to_string(10 + i % 50) +
                               ":" + std::to_string(10 + i / 50 % 50) + "Z";
        auto a = client.Send(
            "POST", "/v1/people/" + nhs + "/events",
            EventsBody({"{\"eventId\": \"" + NewEventId() +
                        "\", \"occurredAt\": \"" + at +
                        "\", \"aeAttended\": {\"attendanceId\": \"A" +
                        std::to_string(i) + "\", \"site\": \"Q\"}}"}));
        if (a.status == 201) ++acknowledged;
      }
    });
  }
  while (acknowledged < 20) std::this_thread::yield();
  const double before = LastPosition(live.port(), live.admin);
  TempDir target;
  const std::string backup = target.path() + "/backup";
  auto run = RunCarelog(
      {"backup", "--data", live.data_dir() + "/data", "--to", backup});
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find(": ok, "), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(backup + "/tokens.json"));

  // The backup verifies on its own and holds at least what was acknowledged
  // before it began.
  auto verified = RunCarelog({"verify", "--data", backup});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("audit chain head"), std::string::npos);

  // A second backup into the same place is refused.
  auto again = RunCarelog(
      {"backup", "--data", live.data_dir() + "/data", "--to", backup});
  EXPECT_EQ(again.exit_code, 2);

  // verify refuses the store a server has open, and says why.
  auto busy = RunCarelog({"verify", "--data", live.data_dir() + "/data"});
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_NE(busy.err.find("server"), std::string::npos) << busy.err;

  // Restore into a fresh directory and serve it.
  const std::string restored = target.path() + "/restored";
  auto restore = RunCarelog({"restore", "--from", backup, "--data", restored});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  {
    ServerProcess server(restored);
    ASSERT_TRUE(server.Start()) << server.error();
    EXPECT_GE(LastPosition(server.port(), live.admin), before);
    // Restoring over a served store is refused even with --force.
    auto over = RunCarelog(
        {"restore", "--from", backup, "--data", restored, "--force"});
    EXPECT_NE(over.exit_code, 0);
    EXPECT_EQ(server.Stop(SIGTERM), 0);
  }
  // Over a stopped, non-empty store: only with --force.
  auto refused = RunCarelog({"restore", "--from", backup, "--data", restored});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--force"), std::string::npos);
  auto forced =
      RunCarelog({"restore", "--from", backup, "--data", restored, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  auto clean = RunCarelog({"verify", "--data", restored});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  // A recorded audit head that no longer matches is reported.
  auto anchored = RunCarelog({"verify", "--data", restored, "--audit-head",
                              "1:" + std::string(64, '0')});
  EXPECT_EQ(anchored.exit_code, 1);
  EXPECT_NE(anchored.out.find("problem: audit entry 1"), std::string::npos)
      << anchored.out;
}

TEST(BackupCommand, BadUseIsAOneLineErrorAndNonZero) {
  TempDir dir;
  auto missing = RunCarelog(
      {"backup", "--data", dir.path() + "/none", "--to", dir.path() + "/b"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no Carelog store"), std::string::npos)
      << missing.err;
  auto no_to = RunCarelog({"backup", "--data", dir.path()});
  EXPECT_EQ(no_to.exit_code, 2);
  auto no_backup = RunCarelog(
      {"restore", "--from", dir.path(), "--data", dir.path() + "/r"});
  EXPECT_NE(no_backup.exit_code, 0);
  auto nothing = RunCarelog({"verify", "--data", dir.path()});
  EXPECT_NE(nothing.exit_code, 0);
}

}  // namespace
}  // namespace carelog::e2e
