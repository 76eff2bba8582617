#include "gateway/token_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace carelog::gateway {
namespace {

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("carelog-tokens-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "tokens.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string ReadFile() {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST(Sha256HexTest, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(NewTokenTest, TokensAre256BitsAndDiffer) {
  auto a = NewToken();
  auto b = NewToken();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
}

TEST_F(TokenStoreTest, AddedTokenAuthenticatesAndOnlyItsHashIsStored) {
  auto token =
      AddToken(path_, {"alice", "practitioner", {"E09000002", "E09000003"}}, 0);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  const std::string content = ReadFile();
  EXPECT_EQ(content.find(*token), std::string::npos);
  EXPECT_NE(content.find(Sha256Hex(*token)), std::string::npos);

  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  TokenStore store(path_);
  ASSERT_TRUE(store.Load().ok());
  auto who = store.Authenticate(*token);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ((*who)->name, "alice");
  EXPECT_EQ((*who)->role, Role::kPractitioner);
  EXPECT_EQ((*who)->areas,
            (std::vector<std::string>{"E09000002", "E09000003"}));
}

TEST_F(TokenStoreTest, UnknownAndEmptyTokensAreUnauthenticated) {
  ASSERT_TRUE(AddToken(path_, {"bob", "admin", {}}, 0).ok());
  TokenStore store(path_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_EQ(store.Authenticate("nope").status().code(), Code::kUnauthenticated);
  EXPECT_EQ(store.Authenticate("").status().code(), Code::kUnauthenticated);
}

TEST_F(TokenStoreTest, TokensAddedLaterAreSeenWithoutRestart) {
  TokenStore store(path_);
  ASSERT_TRUE(store.Load().ok());  // missing file: no tokens
  auto first = AddToken(path_, {"a", "auditor", {}}, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(store.Authenticate(*first).ok());
  auto second = AddToken(path_, {"b", "commissioner", {"E09000002"}}, 0);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(store.Authenticate(*second).ok());
  EXPECT_TRUE(store.Authenticate(*first).ok());
}

TEST_F(TokenStoreTest, AKnownTokenLooksAtTheFileOnlyEveryRecheckInterval) {
  auto first = AddToken(path_, {"a", "auditor", {}}, 0);
  ASSERT_TRUE(first.ok());
  TokenStore store(path_, std::chrono::hours(1));
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.Authenticate(*first).ok());
  std::filesystem::remove(path_);
  // Known and checked within the hour: the file is not looked at.
  EXPECT_TRUE(store.Authenticate(*first).ok());
  // An unknown token always looks: one added since works at once, and the
  // reload drops the token that is gone.
  auto second = AddToken(path_, {"b", "auditor", {}}, 0);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(store.Authenticate(*second).ok());
  EXPECT_EQ(store.Authenticate(*first).status().code(), Code::kUnauthenticated);
}

// A known token is remembered between looks at the file: only that very token
// is let in without its hash, and an edit of the file is seen at the next look.
TEST_F(TokenStoreTest, ARememberedTokenLetsInOnlyItselfUntilTheFileChanges) {
  auto token = AddToken(path_, {"a", "auditor", {}}, 0);
  ASSERT_TRUE(token.ok());
  TokenStore store(path_, std::chrono::milliseconds(300));
  ASSERT_TRUE(store.Authenticate(*token).ok());
  std::string near = *token;
  near.back() = near.back() == '0' ? '1' : '0';
  EXPECT_EQ(store.Authenticate(near).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(store.Authenticate(token->substr(0, 63)).status().code(),
            Code::kUnauthenticated);
  auto principal = store.Authenticate(*token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ((*principal)->role, Role::kAuditor);
  // The token's role changed in the file: seen once the interval is over.
  std::string text = ReadFile();
  text.replace(text.find("auditor"), 7, "commissioner");
  std::filesystem::remove(path_);
  std::ofstream(path_) << text;
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  principal = store.Authenticate(*token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ((*principal)->role, Role::kCommissioner);
}

TEST_F(TokenStoreTest, WithoutARecheckIntervalARemovedTokenIsRefusedAtOnce) {
  auto first = AddToken(path_, {"a", "auditor", {}}, 0);
  ASSERT_TRUE(first.ok());
  TokenStore store(path_, std::chrono::milliseconds(0));
  ASSERT_TRUE(store.Authenticate(*first).ok());
  std::filesystem::remove(path_);
  EXPECT_EQ(store.Authenticate(*first).status().code(), Code::kUnauthenticated);
}

// Threads authenticating at once, with the file looked at every millisecond
// (misses and reloads among the hits): each token gives its own principal, a
// wrong one none.
TEST_F(TokenStoreTest, ConcurrentCallersGetTheirOwnPrincipals) {
  auto a = AddToken(path_, {"a", "auditor", {}}, 0);
  auto b = AddToken(path_, {"b", "commissioner", {"E09000002"}}, 0);
  ASSERT_TRUE(a.ok() && b.ok());
  TokenStore store(path_, std::chrono::milliseconds(1));
  std::string wrong = *a;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto pa = store.Authenticate(*a);
        auto pb = store.Authenticate(*b);
        auto pw = store.Authenticate(wrong);
        if (!pa.ok() || (*pa)->name != "a" || !pb.ok() || (*pb)->name != "b" ||
            pw.ok()) {
          ++failures;
        }
        // The file rewritten now and then: reloads while others read.
        if (i % 500 == 0)
          std::filesystem::last_write_time(
              path_, std::filesystem::file_time_type::clock::now());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(TokenStoreTest, AddMakesTheDirectoryOfANewDataDirectory) {
  const std::string nested = (dir_ / "data" / "more" / "tokens.json").string();
  auto token = AddToken(nested, {"a", "admin", {}}, 0);
  ASSERT_TRUE(token.ok()) << token.status().message();
  TokenStore store(nested);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_TRUE(store.Authenticate(*token).ok());
}

TEST_F(TokenStoreTest, BadRequestsWriteNothing) {
  EXPECT_EQ(AddToken(path_, {"x", "nurse", {}}, 0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(AddToken(path_, {"", "admin", {}}, 0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(AddToken(path_, {"x", "admin", {"E0900000"}}, 0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(AddToken(path_, {"x", "admin", {"W09000002"}}, 0).status().code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(TokenStoreTest, CorruptFileIsAClearError) {
  std::ofstream(path_) << "{not json";
  TokenStore store(path_);
  Status loaded = store.Load();
  EXPECT_EQ(loaded.code(), Code::kInvalidArgument);
  EXPECT_NE(loaded.message().find("tokens file"), std::string::npos);
  EXPECT_EQ(AddToken(path_, {"x", "admin", {}}, 0).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace carelog::gateway
