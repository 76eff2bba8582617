// Fuzz target: the body of POST /v1/people/{nhsNumber}/events, from bytes
// through protobuf's JSON mapping (unknown fields refused) to the recorder's
// format check and the rules of SPEC.md against a new person. Every refusal is
// a 400 or 422 with a message; nothing crashes.
#include <google/protobuf/util/json_util.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "carelog/events.pb.h"
#include "services/event_format.h"
#include "services/person_state.h"
#include "services/rules.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace carelog;
  if (size > (1u << 20)) return 0;  // the gateway's body limit
  const std::string body(reinterpret_cast<const char*>(data), size);
  schema::RecordEventsRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(body, &request, options)
           .ok()) {
    return 0;
  }
  const std::vector<schema::CareEvent> events(request.events().begin(),
                                              request.events().end());
  Status format = ValidateFormat(events);
  if (!format.ok()) {
    FUZZ_REQUIRE(format.code() == Code::kInvalidArgument);
    FUZZ_REQUIRE(!format.message().empty());
    FUZZ_REQUIRE(!format.errors().empty());
    return 0;
  }
  FUZZ_REQUIRE(!events.empty() && events.size() <= kMaxEventsPerRequest);
  // 2016-01-01T00:00:00Z: a fixed "now" keeps runs reproducible.
  const Instant now = 1451606400LL * 1000000;
  const PersonState nobody;
  Status rules = CheckRules(nobody, events, now);
  if (!rules.ok()) {
    FUZZ_REQUIRE(rules.code() == Code::kRuleViolation ||
                 rules.code() == Code::kInvalidArgument);
    FUZZ_REQUIRE(!rules.message().empty());
    return 0;
  }
  // Accepted: the first event registers the person, and folding the events
  // gives a registered person with as many recorded events.
  FUZZ_REQUIRE(events.front().has_person_registered());
  const PersonState after =
      nobody.With(AsNextEvents(nobody, events, now, "fuzz"));
  FUZZ_REQUIRE(after.version() == events.size());
  FUZZ_REQUIRE(after.facts().registered());
  return 0;
}
