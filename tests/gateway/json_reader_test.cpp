// The one-pass reader against protobuf's JSON mapping: over the synthetic
// workload, the examples of API.md and the tests, and thousands of mutations of
// them, whatever the fast reader takes, protobuf (with our checks) takes too
// and reads to the same message; ParseJson answers exactly as protobuf's path
// does.
#include "gateway/json_reader.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "carelog/admin.pb.h"
#include "carelog/api.pb.h"
#include "carelog/events.pb.h"
#include "gateway/json.h"
#include "services/synthetic_area.h"
#include "tests/gateway/json_mutations.h"

namespace carelog::gateway {
namespace {

namespace pb = google::protobuf;

struct Tally {
  int inputs = 0;
  int fast = 0;  // taken by the fast reader
  int ok = 0;    // taken by protobuf's path
};

std::string Bytes(const pb::Message& m) {
  std::string out;
  pb::io::StringOutputStream stream(&out);
  pb::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// The whole property for one input and one message type.
bool Check(const pb::Message& prototype, const std::string& text, Tally& t) {
  std::unique_ptr<pb::Message> fast(prototype.New());
  std::unique_ptr<pb::Message> want(prototype.New());
  std::unique_ptr<pb::Message> got(prototype.New());
  const bool took = ReadJsonFast(text, *fast);
  const Status reference = ParseJsonByProtobuf(text, *want);
  ++t.inputs;
  t.fast += took;
  t.ok += reference.ok();
  if (took) {
    EXPECT_TRUE(reference.ok()) << "fast reader took what protobuf refuses ("
                                << reference.message() << "): " << text;
    if (!reference.ok()) return false;
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*fast, *want))
        << text << "\nfast: " << fast->ShortDebugString()
        << "\nprotobuf: " << want->ShortDebugString();
    EXPECT_EQ(Bytes(*fast), Bytes(*want)) << text;
    // And protobuf's own entry point, without our checks, agrees as well.
    std::unique_ptr<pb::Message> raw(prototype.New());
    pb::util::JsonParseOptions options;
    EXPECT_TRUE(pb::util::JsonStringToMessage(text, raw.get(), options).ok())
        << text;
    EXPECT_EQ(Bytes(*raw), Bytes(*fast)) << text;
  }
  // What callers see: the same status, the same errors, the same message.
  const Status answer = ParseJson(text, *got);
  EXPECT_EQ(answer.code(), reference.code()) << text;
  EXPECT_EQ(answer.message(), reference.message()) << text;
  EXPECT_EQ(answer.errors(), reference.errors()) << text;
  EXPECT_EQ(Bytes(*got), Bytes(*want)) << text;
  return took;
}

std::string ToJsonText(const pb::Message& m, bool proto_names, bool defaults) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = proto_names;
  options.always_print_primitive_fields = defaults;
  std::string out;
  EXPECT_TRUE(pb::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

// The synthetic borough's events (what `carelog demo` and the benchmarks
// record), as requests of up to 100 events in each style of JSON protobuf
// prints.
std::vector<std::string> WorkloadRequests(const SyntheticArea& area) {
  std::vector<std::string> out;
  for (int style = 0; style < 3; ++style) {
    schema::RecordEventsRequest request;
    for (const SyntheticPerson& person : area.people) {
      for (const SyntheticEvent& e : person.events) {
        EXPECT_TRUE(request.add_events()->ParseFromString(e.body));
        if (request.events_size() == 100) {
          out.push_back(ToJsonText(request, style == 1, style == 2));
          request.Clear();
        }
      }
    }
    if (request.events_size() > 0)
      out.push_back(ToJsonText(request, style == 1, style == 2));
  }
  return out;
}

const SyntheticArea& SmallArea() {
  static const SyntheticArea* area = [] {
    SyntheticAreaOptions options;
    options.scale = 0.004;
    return new SyntheticArea(GenerateSyntheticArea(options));
  }();
  return *area;
}

// The request bodies of bench_http (ops/bench/http.cpp), same shape.
std::string BenchRequest() {
  return R"({"events":[{"eventId":"3-0-0-bench-0000-0000-000000000000","occurredAt":"2014-04-01T08:00:00+01:00","personRegistered":{"birthDate":"1938-02-11","areaCode":"E09000002","gpPractice":"F82001","nhsNumberStatus":"VERIFIED","localIds":[{"system":"PAS","value":"RF4-3-0-0-be"}]}},{"eventId":"3-0-1-bench-0000-0000-000000000000","occurredAt":"2014-05-01T00:01:00+01:00","aeAttended":{"attendanceId":"ATT-3-0-1-bench-0000-0000-000000000000","site":"Queen's Hospital, Romford - Emergency Department"}}]})";
}

std::vector<std::string> CorpusExamples() {
  std::ifstream in(std::string(CARELOG_SOURCE_DIR) +
                   "/tests/gateway/json_corpus.txt");
  std::vector<std::string> out;
  std::string line, block;
  bool header = true;
  while (std::getline(in, line)) {
    if (line == "=====") {
      if (!header) out.push_back(block);
      header = false;
      block.clear();
    } else if (!header) {
      block += (block.empty() ? "" : "\n") + line;
    }
  }
  if (!block.empty()) out.push_back(block);
  return out;
}

// ---- Tests
// -------------------------------------------------------------------

TEST(ReadJsonFastTest, TakesTheWholeWorkloadAsProtobufReadsIt) {
  Tally t;
  const std::vector<std::string> requests = WorkloadRequests(SmallArea());
  ASSERT_GT(requests.size(), 10u);
  for (const std::string& r : requests) {
    EXPECT_TRUE(Check(schema::RecordEventsRequest(), r, t)) << r;
  }
  EXPECT_TRUE(Check(schema::RecordEventsRequest(), BenchRequest(), t));
  // Areas (integers) are read fast; plans (doubles) go to protobuf.
  for (bool names : {false, true}) {
    EXPECT_TRUE(
        Check(schema::Area(), ToJsonText(SmallArea().area, names, names), t));
    for (const auto& [year, plan] : SmallArea().plans)
      Check(schema::Plan(), ToJsonText(plan, names, false), t);
  }
  EXPECT_EQ(t.ok, t.inputs);
}

TEST(ReadJsonFastTest, AgreesWithProtobufOnEveryExample) {
  Tally t;
  const std::vector<std::string> examples = CorpusExamples();
  ASSERT_GT(examples.size(), 20u);
  for (const std::string& e : examples) {
    // API.md's own example request is read fast.
    if (e.find("\"3f2a") != std::string::npos) {
      EXPECT_TRUE(Check(schema::RecordEventsRequest(), e, t)) << e;
    }
    Check(schema::RecordEventsRequest(), e, t);
    Check(schema::CareEvent(), e, t);
    Check(schema::Area(), e, t);
    Check(schema::Plan(), e, t);
  }
  EXPECT_GT(t.fast, 5) << t.fast << " of " << t.inputs;
}

TEST(ReadJsonFastTest, AgreesWithProtobufOnThousandsOfMutations) {
  std::vector<std::string> seeds = CorpusExamples();
  const std::vector<std::string> workload = WorkloadRequests(SmallArea());
  // Small requests from the workload: one event each, both naming styles.
  for (size_t i = 0; i < workload.size(); i += 3) {
    schema::RecordEventsRequest r;
    ASSERT_TRUE(pb::util::JsonStringToMessage(workload[i], &r).ok());
    for (int k = 0; k < r.events_size(); k += 17) {
      schema::RecordEventsRequest one;
      *one.add_events() = r.events(k);
      seeds.push_back(ToJsonText(one, k % 2 == 1, k % 3 == 0));
    }
  }
  seeds.push_back(BenchRequest());
  // CARELOG_JSON_MUTATIONS=N[,SEED] for a longer run.
  int rounds = 6000;
  unsigned seed = 20261122;
  if (const char* env = std::getenv("CARELOG_JSON_MUTATIONS"))
    std::sscanf(env, "%d,%u", &rounds, &seed);
  std::mt19937 rng(seed);
  Tally t;
  int mutants = 0;
  for (int round = 0; round < rounds; ++round) {
    std::string text = seeds[rng() % seeds.size()];
    const int changes = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < changes; ++c)
      text = rng() % 2 ? MutateTree(text, rng) : MutateText(text, rng);
    ++mutants;
    Check(schema::RecordEventsRequest(), text, t);
    if (round % 4 == 0) Check(schema::Area(), text, t);
    if (::testing::Test::HasFailure()) break;  // the first failing input
  }
  EXPECT_EQ(mutants, rounds);
  // The mutations reach both sides: some taken fast, some refused.
  EXPECT_GT(t.fast, t.inputs / 10) << t.fast << " of " << t.inputs;
  EXPECT_LT(t.ok, t.inputs);
  std::cout << t.inputs << " inputs: " << t.fast << " read fast, " << t.ok
            << " accepted by protobuf\n";
}

TEST(ReadJsonFastTest, AgreesWithProtobufOnEdgeCases) {
  Tally t;
  for (
      const char* text : {
          R"({"name": null, "population": []})",
          R"({"name": "\u0000", "population": [{"year": null}]})",
          R"({"population": [{"year": 9007199254740993}]})",
          R"({"population": [{"year": "-0"}, {"year": 0}]})",
          R"({"population": [{"year": "2015"}], "population": []})",
          R"(  {"name":"x"}  )",
          "{\"name\":\"\u00e9\\u00e9\"}",
          R"({"name": "a\ud83d\ude00b", "population": [{}, {}]})",
          R"({"name": "\uD83D\uDE00"})",
          R"({"events": [{"eventId": "e", "personRegistered": null}]})",
          R"({"events": [{"personRegistered": {"localIds": null}}]})",
          R"({"events": [{"personRegistered": {"nhsNumberStatus": null}}]})",
          R"({"events": [{"carePackageStarted": {"integrated": null}}]})",
          R"({"events": [{"personDied": {}, "person_died": {}}]})",
          R"({"events": [{"nhsNumberVerified": {}}, {}]})",
          R"({"events": [{"hospitalAdmitted": {"method": "EMERGENCY "}}]})",
          R"({"events": [{"hospitalAdmitted": {"method": ""}}]})",
          R"({"events": [{"hospitalAdmitted": {"method": "ADMISSION_METHOD_UNSPECIFIED"}}]})",
      }) {
    Check(schema::RecordEventsRequest(), text, t);
    Check(schema::Area(), text, t);
  }
  // Well-known types, doubles and unsigned integers in answer messages.
  for (const char* text : {
           R"({"nextFromVersion": null})",
           R"({"nextFromVersion": 3, "events": []})",
           R"({"events": [{"recordedAt": null, "version": 3}]})",
           R"({"events": [{"recordedAt": "2015-01-02T10:00:00Z"}]})",
           R"({"events": [{"version": "4294967295", "eventId": "e"}]})",
           R"({"events": [{"version": 4294967296}]})",
           R"({"events": [{"version": -1}]})",
           R"({"events": [{"position": 3}]})",
       }) {
    Check(api::PersonEventsPage(), text, t);
  }
  EXPECT_GT(t.fast, 5);
}

TEST(ReadJsonFastTest, DeclinesWhatOnlyProtobufAnswers) {
  schema::RecordEventsRequest r;
  for (const char* text :
       {"", "{", "[]", R"({"events": [{"eventId": 1}]})",
        R"({"events": [{"unknown": 1}]})", R"({"events": null})",
        R"({"events": [{"personDied": {}, "personMoved": {}}]})",
        R"({"events": [{"eventId": "a", "event_id": "b"}]})",
        R"({"events": [{"hospitalAdmitted": {"method": "emergency"}}]})",
        R"({"events": [{"carePackageStarted": {"integrated": "true"}}]})",
        R"({"events": [{"eventId": "\ud800"}]})", "{} x"}) {
    EXPECT_FALSE(ReadJsonFast(text, r)) << text;
    EXPECT_EQ(r.ByteSizeLong(), 0u) << text;
  }
}

TEST(ReadJsonFastTest, ReadsEscapesNamesAndIntegers) {
  schema::RecordEventsRequest r;
  ASSERT_TRUE(ReadJsonFast(
      R"({"events": [{"event_id": "a\"\\\/\n\u00e9\ud83d\ude00", "care_package_started": {"integrated": false, "pooledBudget": true}}]})",
      r));
  EXPECT_EQ(r.events(0).event_id(), "a\"\\/\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(r.events(0).care_package_started().has_integrated());
  EXPECT_FALSE(r.events(0).care_package_started().integrated());
  schema::Area area;
  ASSERT_TRUE(ReadJsonFast(
      R"({"population": [{"year": "2014", "age0to17": -2147483648}]})", area));
  EXPECT_EQ(area.population(0).year(), 2014);
  EXPECT_EQ(area.population(0).age0to17(), -2147483648);
}

}  // namespace
}  // namespace carelog::gateway
