// Fuzz target: the one-pass JSON reader against protobuf's JSON mapping.
// Whatever ReadJsonFast takes, protobuf's path (with our checks) takes too and
// reads to the same bytes; ParseJson answers as that path does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "carelog/admin.pb.h"
#include "carelog/events.pb.h"
#include "gateway/json.h"
#include "gateway/json_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

template <typename M>
void Check(const std::string& body) {
  M fast, want, got;
  const bool took = carelog::gateway::ReadJsonFast(body, fast);
  const carelog::Status reference =
      carelog::gateway::ParseJsonByProtobuf(body, want);
  if (took) {
    FUZZ_REQUIRE(reference.ok());
    FUZZ_REQUIRE(fast.SerializeAsString() == want.SerializeAsString());
  }
  const carelog::Status answer = carelog::gateway::ParseJson(body, got);
  FUZZ_REQUIRE(answer.code() == reference.code());
  FUZZ_REQUIRE(answer.message() == reference.message());
  FUZZ_REQUIRE(answer.errors() == reference.errors());
  FUZZ_REQUIRE(got.SerializeAsString() == want.SerializeAsString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 16)) return 0;
  const std::string body(reinterpret_cast<const char*>(data), size);
  Check<carelog::schema::RecordEventsRequest>(body);
  Check<carelog::schema::Area>(body);
  return 0;
}
