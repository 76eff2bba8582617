// Fuzz target: the HTTP request path in process, no sockets: bytes -> Beast's
// request parser (the server's body and header limits) -> the gateway's
// Request -> Api::Handle (router, tokens, access, routes, recorder, RocksDB
// store in a temporary directory) -> Response. "@ADMIN@", "@PRACT@" and
// "@AUDIT@" in the input become valid tokens of those roles, so the fuzzer
// reaches the routes behind authentication. Properties: every answer has an
// HTTP status, a problem answer is JSON whose status is the answer's, and the
// answer renders.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <stdlib.h>

#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "gateway/api.h"
#include "gateway/audit.h"
#include "gateway/http_metrics.h"
#include "gateway/http_session.h"
#include "gateway/token_store.h"
#include "services/areas.h"
#include "services/clock.h"
#include "services/recorder.h"
#include "storage/event_log.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace http = boost::beast::http;
using namespace carelog;
using namespace carelog::gateway;

struct World {
  std::string dir;
  std::unique_ptr<storage::EventLog> log;
  ManualClock clock{1451606400LL * 1000000};  // 2016-01-01T00:00:00Z
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<AreaService> areas;
  std::unique_ptr<AuditTrail> audit;
  HttpMetrics metrics;
  std::unique_ptr<Api> api;
  std::string admin, practitioner, auditor;

  World() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "carelog-fuzz-XXXXXX")
            .string();
    FUZZ_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    const std::string tokens_file = dir + "/tokens.json";
    admin = *AddToken(tokens_file, {"ada", "admin", {}}, clock.NowMicros());
    practitioner = *AddToken(
        tokens_file, {"pat", "practitioner", {"E09000002"}}, clock.NowMicros());
    auditor = *AddToken(tokens_file, {"aud", "auditor", {}}, clock.NowMicros());
    tokens = std::make_unique<TokenStore>(tokens_file);
    FUZZ_REQUIRE(tokens->Load().ok());
    storage::OpenOptions options;
    options.path = dir + "/store";
    options.block_cache_bytes = 8u << 20;
    auto opened = storage::OpenRocksDbEventLog(options);
    FUZZ_REQUIRE(opened.ok());
    log = std::move(*opened);
    recorder = std::make_unique<Recorder>(*log, clock);
    areas = std::make_unique<AreaService>(*log);
    audit = std::make_unique<AuditTrail>(*log, clock);
    ApiContext context;
    context.log = log.get();
    context.recorder = recorder.get();
    context.areas = areas.get();
    context.audit = audit.get();
    context.metrics = &metrics;
    context.clock = &clock;
    api = std::make_unique<Api>(*tokens, context);
  }
  ~World() {
    api.reset();
    recorder.reset();
    log.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

void ReplaceAll(std::string& text, const std::string& from,
                const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

void CheckAnswer(const Response& response) {
  FUZZ_REQUIRE(response.status >= 100 && response.status <= 599);
  if (response.content_type == "application/problem+json") {
    google::protobuf::Struct doc;
    FUZZ_REQUIRE(
        google::protobuf::util::JsonStringToMessage(response.body, &doc).ok());
    auto it = doc.fields().find("status");
    FUZZ_REQUIRE(it != doc.fields().end() &&
                 static_cast<int>(it->second.number_value()) ==
                     response.status);
  }
  auto rendered = ToBeast(response, 11, true);
  FUZZ_REQUIRE(rendered.result_int() == static_cast<unsigned>(response.status));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Lives for the whole run; closed and its directory removed at exit.
  static const std::unique_ptr<World> world = std::make_unique<World>();
  if (size > (2u << 20)) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  ReplaceAll(bytes, "@ADMIN@", world->admin);
  ReplaceAll(bytes, "@PRACT@", world->practitioner);
  ReplaceAll(bytes, "@AUDIT@", world->auditor);

  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(1u << 20);
  parser.header_limit(16u << 10);
  boost::beast::error_code ec;
  size_t at = 0;
  while (at < bytes.size() && !parser.is_done()) {
    const size_t used = parser.put(
        boost::asio::buffer(bytes.data() + at, bytes.size() - at), ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;  // the server answers a 400/413/431 problem and closes
    if (used == 0) break;
    at += used;
  }
  if (!parser.is_done()) return 0;
  auto message = parser.release();
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = std::string(field.value());
  }
  request.body = std::move(message.body());
  if (!ParseTarget(request.target, request.path, request.query).ok()) return 0;
  CheckAnswer(world->api->Handle(request));
  return 0;
}
