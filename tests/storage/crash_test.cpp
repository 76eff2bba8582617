// Crash test: a child process appends under load and is killed with SIGKILL at
// random moments; after each restart every acknowledged event is present
// exactly once at its acknowledged position, positions are gapless and stream
// heads agree with streams (VerifyFull).
//
// The child is this test binary itself, re-executed with a filter that selects
// StorageCrashChild.AppendsUntilKilled and the environment variables below; it
// reports each acknowledged append on a pipe, one line per event: "A <position>
// <event id>".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tests/storage/test_log.h"

extern char** environ;

namespace carelog::storage {
namespace {

using testing::Event;
using testing::MustOpen;
using testing::Options;
using testing::Request;
using testing::TempDir;

constexpr const char* kDirVar = "CARELOG_CRASH_CHILD_DIR";
constexpr const char* kFdVar = "CARELOG_CRASH_CHILD_FD";

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) _exit(3);
    done += static_cast<size_t>(n);
  }
}

// The child: appends from several threads until killed.
TEST(StorageCrashChild, AppendsUntilKilled) {
  const char* dir = std::getenv(kDirVar);
  const char* fd_text = std::getenv(kFdVar);
  if (dir == nullptr || fd_text == nullptr)
    GTEST_SKIP() << "runs only inside the crash test";
  const int fd = std::atoi(fd_text);
  auto log = OpenRocksDbEventLog(Options(dir));
  if (!log.ok()) {
    WriteAll(fd, "E " + log.status().ToString() + "\n");
    _exit(2);
  }
  EventLog& el = **log;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&el, fd, t] {
      std::mt19937 rng(static_cast<unsigned>(getpid() * 31 + t));
      const std::string prefix =
          std::to_string(getpid()) + "-" + std::to_string(t) + "-";
      AppendRequest previous;
      uint64_t previous_position = 0;
      for (uint64_t i = 0;; ++i) {
        if (previous_position != 0 && i % 10 == 0) {
          // An idempotent retry of the last acknowledged append.
          auto r = el.Append(previous);
          if (!r.ok() || !r->duplicate ||
              r->first_position != previous_position) {
            WriteAll(fd, "X retry of " + previous.events[0].event_id +
                             " answered " +
                             (r.ok() ? std::to_string(r->first_position)
                                     : r.status().ToString()) +
                             "\n");
          }
          continue;
        }
        AppendRequest req = Request("person-" + std::to_string(rng() % 8),
                                    ExpectedVersion::Any(), {});
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) {
          req.events.push_back(Event(
              prefix + std::to_string(i) + "." + std::to_string(k),
              std::string(150 + rng() % 250, 'a' + static_cast<char>(k))));
        }
        auto r = el.Append(req);
        if (!r.ok()) {
          WriteAll(fd, "X append failed: " + r.status().ToString() + "\n");
          continue;
        }
        std::string lines;
        for (int k = 0; k < n; ++k) {
          lines += "A " + std::to_string(r->first_position + k) + " " +
                   req.events[k].event_id + "\n";
        }
        WriteAll(fd, lines);
        previous = std::move(req);
        previous_position = r->first_position;
      }
    });
  }
  for (auto& th : threads) th.join();
}

// Runs the child, kills it `ms` milliseconds after it started (or, with
// after_first_ack, after its first acknowledged append) and returns what it
// reported.
std::string RunChildAndKill(const std::string& dir, int ms,
                            bool after_first_ack) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.push_back(std::string(kDirVar) + "=" + dir);
  env.push_back(std::string(kFdVar) + "=" + std::to_string(fds[1]));
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string filter = "--gtest_filter=StorageCrashChild.AppendsUntilKilled";
  std::string self = "/proc/self/exe";
  char* argv[] = {self.data(), filter.data(), nullptr};

  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[65536];
  // A loaded machine may take long to start the child: wait up to 20 s for
  // its first acknowledgement.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(after_first_ack ? 20000 : ms);
  bool eof = false;
  while (!eof) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) > 0) {
      ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) {
        eof = true;
      } else {
        out.append(buf, static_cast<size_t>(n));
        if (after_first_ack) {
          after_first_ack = false;
          deadline =
              std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        }
      }
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended by itself: " << out.substr(0, 500);
  return out;
}

TEST(StorageCrash, AcknowledgedAppendsSurviveSigkill) {
  TempDir dir;
  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::map<std::string, uint64_t> acknowledged;  // event id -> position
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Odd rounds may kill the child while it opens the log or recovers.
    const bool after_first_ack = round % 2 == 0;
    const std::string out = RunChildAndKill(
        dir.path(), static_cast<int>(rng() % 500), after_first_ack);
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      ASSERT_EQ(line.rfind("A ", 0), 0u) << line;
      std::istringstream fields(line.substr(2));
      uint64_t position = 0;
      std::string id;
      fields >> position >> id;
      ASSERT_TRUE(acknowledged.emplace(id, position).second)
          << "acknowledged twice: " << id;
    }

    auto log = MustOpen(Options(dir.path()));
    ASSERT_NE(log, nullptr);
    Status full = log->VerifyFull();
    ASSERT_TRUE(full.ok()) << full.ToString();
    auto all = log->ReadAll(1, log->LastPosition() + 1);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(all->size(), log->LastPosition());
    std::map<std::string, uint64_t> stored;
    for (const RecordedEvent& e : *all) {
      ASSERT_TRUE(stored.emplace(e.event_id, e.position).second)
          << "stored twice: " << e.event_id;
    }
    for (const auto& [id, position] : acknowledged) {
      auto it = stored.find(id);
      ASSERT_NE(it, stored.end()) << "acknowledged event lost: " << id;
      ASSERT_EQ(it->second, position) << "acknowledged event moved: " << id;
    }
  }
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  EXPECT_GT(acknowledged.size(), 10u)
      << "the child acknowledged too little to test anything";
}

}  // namespace
}  // namespace carelog::storage
