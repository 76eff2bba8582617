#include "storage/event_record.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "carelog/record.pb.h"

namespace carelog::storage {
namespace {

std::string Protobuf(const RecordedEventView& f) {
  schema::EventRecord r;
  r.set_position(f.position);
  r.set_stream(std::string(f.stream));
  r.set_version(f.version);
  r.set_event_id(std::string(f.event_id));
  r.set_type(std::string(f.type));
  r.set_body(std::string(f.body));
  r.set_recorded_at_micros(f.recorded_at_micros);
  r.set_recorded_by(std::string(f.recorded_by));
  r.set_content_hash(std::string(f.content_hash));
  std::string out;
  EXPECT_TRUE(r.SerializeToString(&out));
  return out;
}

TEST(EventRecord, EncodesTheBytesProtobufWould) {
  const std::string hash(32, '\x9c');
  const std::string long_body(70000, 'b');  // a length of three varint bytes
  const std::string binary_body("\x00\xff\x0a", 3);
  std::vector<RecordedEventView> cases = {
      {},  // every field at its default: no bytes at all
      {1, "person-9434765919", 1, "e-1", "carelog.schema.CareEvent", "body",
       1'700'000'000'000'000, "tester", hash},
      {std::numeric_limits<uint64_t>::max(), "s", 127, "", "", binary_body, -1,
       "", ""},
      {128, "", 0, "id", "t", long_body, std::numeric_limits<int64_t>::min(),
       "caf\xc3\xa9", hash},
      {300, "x", 16384, "y", "", "", std::numeric_limits<int64_t>::max(), "z",
       ""},
  };
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    RecordedEventView f;
    f.position = rng() >> (rng() % 64);
    f.version = rng() >> (rng() % 64);
    f.recorded_at_micros =
        static_cast<int64_t>(rng() >> (rng() % 64)) * (rng() % 2 == 0 ? 1 : -1);
    f.stream = "person-1";
    f.event_id = i % 3 == 0 ? "" : "event";
    f.body = std::string_view(long_body).substr(0, rng() % 300);
    cases.push_back(f);
  }
  std::string encoded;
  for (const RecordedEventView& f : cases) {
    EncodeEventRecord(f, &encoded);
    EXPECT_EQ(encoded, Protobuf(f)) << "position " << f.position;
    schema::EventRecord parsed;
    ASSERT_TRUE(parsed.ParseFromString(encoded));
    EXPECT_EQ(parsed.position(), f.position);
    EXPECT_EQ(parsed.stream(), f.stream);
    EXPECT_EQ(parsed.version(), f.version);
    EXPECT_EQ(parsed.event_id(), f.event_id);
    EXPECT_EQ(parsed.body(), f.body);
    EXPECT_EQ(parsed.recorded_at_micros(), f.recorded_at_micros);
    EXPECT_EQ(parsed.recorded_by(), f.recorded_by);
    EXPECT_EQ(parsed.content_hash(), f.content_hash);
  }
}

}  // namespace
}  // namespace carelog::storage
