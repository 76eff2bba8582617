// The command line: token add, bad flags, unusable data directories, a port in
// use.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/e2e/e2e.h"

namespace carelog::e2e {
namespace {

int Lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(CliTest, TokenAddPrintsTheTokenAlone) {
  TempDir dir;
  const std::string file = dir.path() + "/tokens.json";
  CliRun run = RunCarelog(
      {"token", "add", "--tokens", file, "--name", "ada", "--role", "admin"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(std::regex_match(run.out, std::regex("[0-9a-f]{64}\n")))
      << run.out;
  EXPECT_TRUE(run.err.empty());
  std::ifstream in(file);
  std::string content((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  EXPECT_EQ(content.find(run.out.substr(0, 64)), std::string::npos);
  EXPECT_EQ(
      std::filesystem::status(file).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(CliTest, BadTokenRequestsAreOneLineAndNonZero) {
  TempDir dir;
  const std::string file = dir.path() + "/tokens.json";
  const std::string data = dir.path() + "/data";
  const std::vector<std::vector<std::string>> bad = {
      {"token", "add", "--tokens", file, "--name", "x", "--role", "nurse"},
      {"token", "add", "--tokens", file, "--name", "x", "--role",
       "practitioner", "--area", "E1"},
      {"token", "add", "--name", "x", "--role", "admin"},
      {"token", "add", "--tokens", file, "--name", "x", "--role", "admin",
       "--colour", "red"},
      {"token", "remove"},
      {"serve", "--data", data, "--port", "80"},
      {"serve", "--data", data, "--listen", "127.0.0.1"},
      {"serve", "--data", data, "--listen", "127.0.0.1:99999"},
      {"serve", "--data", data, "--listen", "nohost:80"},
  };
  for (const auto& args : bad) {
    CliRun run = RunCarelog(args);
    EXPECT_NE(run.exit_code, 0) << args[1];
    EXPECT_EQ(Lines(run.err), 1) << run.err;
    EXPECT_TRUE(run.out.empty());
  }
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(data));  // no store made for nothing
}

TEST(CliTest, AnUnusableDataDirectoryIsOneLineAndNonZero) {
  TempDir dir;
  const std::string not_a_dir = dir.path() + "/file";
  std::ofstream(not_a_dir) << "x";
  CliRun run =
      RunCarelog({"serve", "--data", not_a_dir, "--listen", "127.0.0.1:0"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(Lines(run.err), 1) << run.err;
  EXPECT_NE(run.err.find(not_a_dir), std::string::npos) << run.err;
}

TEST(CliTest, APortInUseIsOneLineAndNonZero) {
  TempDir dir;
  ServerProcess first(dir.path() + "/a");
  ASSERT_TRUE(first.Start()) << first.error();
  EXPECT_EQ(first.listening_line(),
            "listening on http://127.0.0.1:" + std::to_string(first.port()));
  CliRun run = RunCarelog({"serve", "--data", dir.path() + "/b", "--listen",
                           "127.0.0.1:" + std::to_string(first.port())});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(Lines(run.err), 1) << run.err;
  EXPECT_EQ(first.Stop(SIGINT), 0);
}

}  // namespace
}  // namespace carelog::e2e
