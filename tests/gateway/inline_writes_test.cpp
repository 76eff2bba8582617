// Which writes the I/O thread handles itself (Api::TryHandleWithoutBlocking)
// and which it leaves to a worker: a write needs no disk read when the person
// is held in memory or is new (ruled out from the store's memory); a person
// stored but not held is read from the disk, on a worker.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <future>
#include <memory>

#include "gateway/api.h"
#include "gateway/api_context.h"
#include "gateway/token_store.h"
#include "services/recorder.h"

namespace carelog::gateway {
namespace {

constexpr const char* kNew = "9434765919";
constexpr const char* kStored = "9990000018";

class InlineWritesTest : public ::testing::Test {
 protected:
  InlineWritesTest() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "carelog-inline-XXXXXX")
            .string();
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    dir_ = tmpl;
    storage::OpenOptions options;
    options.path = dir_ + "/store";
    auto opened = storage::OpenRocksDbEventLog(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) log_ = std::move(*opened);
    auto token = AddToken(dir_ + "/tokens.json",
                          {"writer", "practitioner", {"E09000002"}}, 0);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    if (token.ok()) token_ = *token;
    tokens_ = std::make_unique<TokenStore>(dir_ + "/tokens.json");
  }
  ~InlineWritesTest() override {
    log_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A recorder and the API over it, as `serve` wires them.
  struct Server {
    Server(InlineWritesTest& test) : recorder(*test.log_, test.clock_) {
      ApiContext context;
      context.log = test.log_.get();
      context.recorder = &recorder;
      context.clock = &test.clock_;
      api = std::make_unique<Api>(*test.tokens_, context);
    }
    Recorder recorder;
    std::unique_ptr<Api> api;
  };

  Request Registration(const std::string& nhs) const {
    Request request;
    request.method = "POST";
    request.target = request.path = "/v1/people/" + nhs + "/events";
    request.headers["authorization"] = "Bearer " + token_;
    request.headers["content-type"] = "application/json";
    request.body =
        "{\"events\":[{\"eventId\":\"reg-" + nhs +
        "\",\"occurredAt\":\"2016-03-01T09:00:00Z\",\"personRegistered\":{"
        "\"birthDate\":\"1938-02-11\",\"areaCode\":\"E09000002\"}}]}";
    return request;
  }

  // Offers the request to the I/O thread's path: whether it took it, and
  // then its answer's status.
  static std::pair<bool, int> TryInline(Api& api, const Request& request) {
    auto answer = std::make_shared<std::promise<int>>();
    std::function<void(Response)> respond = [answer](Response response) {
      answer->set_value(response.status);
    };
    if (!api.TryHandleWithoutBlocking(request, respond)) return {false, 0};
    return {true, answer->get_future().get()};
  }

  std::string dir_;
  ManualClock clock_{1'459'500'000'000'000};  // 2016-04-01
  std::unique_ptr<storage::EventLog> log_;
  std::string token_;
  std::unique_ptr<TokenStore> tokens_;
};

TEST_F(InlineWritesTest, ANewPersonIsWrittenInline) {
  Server server(*this);
  EXPECT_FALSE(server.recorder.Holds(kNew));
  EXPECT_EQ(TryInline(*server.api, Registration(kNew)),
            std::make_pair(true, 201));
  EXPECT_EQ(*log_->StreamVersion(PersonStream(kNew)), 1u);
}

TEST_F(InlineWritesTest, APersonStoredButNotHeldIsLeftToAWorker) {
  {
    Server earlier(*this);
    ASSERT_EQ(earlier.api->Handle(Registration(kStored)).status, 201);
  }
  Server server(*this);  // holds nobody
  EXPECT_EQ(TryInline(*server.api, Registration(kStored)),
            std::make_pair(false, 0));
  // Handled as a worker would (a retry of the registration: 200), the person
  // is held from then on.
  EXPECT_EQ(server.api->Handle(Registration(kStored)).status, 200);
  EXPECT_EQ(TryInline(*server.api, Registration(kStored)),
            std::make_pair(true, 200));
}

}  // namespace
}  // namespace carelog::gateway
