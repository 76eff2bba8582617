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

// ---- Mutations -------------------------------------------------------------

// Every Value in a tree, with the Struct or ListValue that holds it.
struct Slot {
  pb::Struct* parent = nullptr;
  std::string key;
  pb::ListValue* list = nullptr;
  int index = 0;
};

void Slots(pb::Value& v, std::vector<Slot>& out) {
  if (v.has_struct_value()) {
    for (auto& [key, child] : *v.mutable_struct_value()->mutable_fields()) {
      out.push_back({v.mutable_struct_value(), key, nullptr, 0});
      Slots(child, out);
    }
  } else if (v.has_list_value()) {
    for (int i = 0; i < v.list_value().values_size(); ++i) {
      out.push_back({nullptr, "", v.mutable_list_value(), i});
      Slots(*v.mutable_list_value()->mutable_values(i), out);
    }
  }
}

pb::Value* At(const Slot& s) {
  return s.parent ? &(*s.parent->mutable_fields())[s.key]
                  : s.list->mutable_values(s.index);
}

pb::Value Odd(std::mt19937& rng) {
  static const char* kOdd[] = {
      "null",      "true",           "false",         "0",      "1",
      "-1",        "2015",           "1.5",           "1e3",    "\"1\"",
      "\"true\"",  "\"\"",           "\"x\"",         "[]",     "[null]",
      "{}",        "[{}]",           "\"EMERGENCY\"", "[1,2]",  "\"VERIFIED\"",
      "{\"a\":1}", "\"2147483648\"", "-2147483649",   "\"-0\"", "[\"A\"]"};
  pb::Value v;
  const char* text = kOdd[rng() % std::size(kOdd)];
  EXPECT_TRUE(pb::util::JsonStringToMessage(text, &v).ok()) << text;
  return v;
}

std::string SnakeCase(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

// A structural change: a member deleted, retyped, renamed, duplicated into
// another object (a second oneof member), wrapped in a list.
std::string MutateTree(const std::string& text, std::mt19937& rng) {
  pb::Value root;
  if (!pb::util::JsonStringToMessage(text, &root).ok()) return text;
  std::vector<Slot> slots;
  Slots(root, slots);
  if (slots.empty()) return text;
  const Slot& s = slots[rng() % slots.size()];
  switch (rng() % 7) {
    case 0:
      if (s.parent) s.parent->mutable_fields()->erase(s.key);
      break;
    case 1:
      *At(s) = Odd(rng);
      break;
    case 2:
      if (s.parent) {
        pb::Value v = *At(s);
        s.parent->mutable_fields()->erase(s.key);
        const std::string names[] = {SnakeCase(s.key), s.key + "X", "x",
                                     s.key.empty() ? "" : s.key.substr(1)};
        (*s.parent->mutable_fields())[names[rng() % 4]] = v;
      }
      break;
    case 3: {  // copy a member into another object
      const Slot& from = slots[rng() % slots.size()];
      const Slot& to = slots[rng() % slots.size()];
      if (from.parent && At(to)->has_struct_value()) {
        pb::Value v = *At(from);
        (*At(to)->mutable_struct_value()->mutable_fields())[from.key] = v;
      }
      break;
    }
    case 4: {
      pb::Value v = *At(s);
      *At(s)->mutable_list_value()->add_values() = v;
      break;
    }
    case 5:
      if (At(s)->has_list_value() && At(s)->list_value().values_size() > 0) {
        pb::Value v = At(s)->list_value().values(0);
        *At(s) = v;
      }
      break;
    default:
      if (At(s)->has_string_value()) At(s)->set_number_value(7);
      break;
  }
  std::string out;
  EXPECT_TRUE(pb::util::MessageToJsonString(root, &out).ok());
  return out;
}

// A change of the text: escapes, unicode, whitespace, big numbers, a key
// repeated, a cut.
std::string MutateText(std::string text, std::mt19937& rng) {
  static const char* kInserts[] = {" ",
                                   "\n\t",
                                   "\xC3\xA9",
                                   "\\u00e9",
                                   "\\ud83d\\ude00",
                                   "\\ud83d",
                                   "\\ude00",
                                   "\\u0000",
                                   "\\/",
                                   "\x01",
                                   "\xFF",
                                   "\xC3",
                                   "\xF0\x9F\x98\x80",
                                   ",",
                                   "null",
                                   "}",
                                   "]",
                                   "\"",
                                   "\\",
                                   "\\\"",
                                   "\\n",
                                   "\\x41",
                                   "\\u12",
                                   "'",
                                   "\r\n"};
  static const char* kNumbers[] = {"9223372036854775807",
                                   "9223372036854775808",
                                   "18446744073709551616",
                                   "2147483648",
                                   "-2147483649",
                                   "1e2",
                                   "1.0",
                                   "-0",
                                   "00",
                                   "0x1",
                                   "2147483647",
                                   "-2147483648",
                                   "\"2015\"",
                                   "\" 2015\"",
                                   "4294967295",
                                   "1E400"};
  if (text.empty()) return text;
  const size_t at = rng() % text.size();
  switch (rng() % 7) {
    case 0:
      text.insert(at, kInserts[rng() % std::size(kInserts)]);
      break;
    case 1: {  // a letter as \u00XX (in a key, a value or a literal)
      const size_t letter =
          text.find_first_of("abcdefghijklmnopqrstuvwxyz", at);
      if (letter != std::string::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\u%04x",
                      static_cast<unsigned>(text[letter]));
        text.replace(letter, 1, hex);
      }
      break;
    }
    case 2: {  // a number replaced
      const size_t digit = text.find_first_of("0123456789", at);
      if (digit != std::string::npos) {
        const size_t end = text.find_first_not_of("0123456789", digit);
        text.replace(digit, end - digit, kNumbers[rng() % std::size(kNumbers)]);
      }
      break;
    }
    case 3: {  // a "key": value member repeated just before itself
      const size_t quote = text.find("\":", at);
      const size_t open =
          quote == std::string::npos ? quote : text.rfind('"', quote - 1);
      if (open != std::string::npos) {
        const std::string key = text.substr(open, quote + 2 - open);
        text.insert(open, key + "\"dup\",");
      }
      break;
    }
    case 4:
      text.resize(at);
      break;
    case 5:
      text.erase(at, 1);
      break;
    default:
      text.insert(at, text.substr(at, rng() % 16));
      break;
  }
  return text;
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
