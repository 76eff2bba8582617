// PersonJson: the person view's JSON with the absent fields of API.md as null,
// everything else as protobuf's JSON mapping prints it.
#include "gateway/person_json.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "gateway/json.h"

namespace carelog::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

Struct Parse(const std::string& json) {
  Struct doc;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &doc).ok())
      << json;
  return doc;
}

bool IsNull(const Struct& s, const std::string& field) {
  auto it = s.fields().find(field);
  return it != s.fields().end() && it->second.has_null_value();
}

TEST(PersonJsonTest, AbsentFieldsAreNullAndTheRestAsTheMappingPrintsIt) {
  schema::PersonView view;
  view.set_nhs_number("9434765919");
  view.set_version(7);
  view.set_gp_practice("G \"quoted\" \"packages\":[] practice");
  auto* open = view.add_packages();
  open->set_package_id("P1");
  auto* ended = view.add_packages();
  ended->set_package_id("P2");
  ended->set_ended_at("2016-01-01T00:00:00Z");
  ended->mutable_accountable_professional()->set_name("Dr A");
  view.add_spells()->set_spell_id("S1");

  const std::string json = PersonJson(view);
  Struct doc = Parse(json);
  EXPECT_TRUE(IsNull(doc, "diedOn"));
  EXPECT_EQ(doc.fields().at("gpPractice").string_value(),
            "G \"quoted\" \"packages\":[] practice");
  const auto& packages = doc.fields().at("packages").list_value().values();
  ASSERT_EQ(packages.size(), 2);
  const Struct& p1 = packages[0].struct_value();
  EXPECT_EQ(p1.fields().at("packageId").string_value(), "P1");
  EXPECT_TRUE(IsNull(p1, "endedAt"));
  EXPECT_TRUE(IsNull(p1, "accountableProfessional"));
  EXPECT_TRUE(IsNull(p1, "scheme"));  // API.md lists it; none was given
  const Struct& p2 = packages[1].struct_value();
  EXPECT_EQ(p2.fields().at("endedAt").string_value(), "2016-01-01T00:00:00Z");
  EXPECT_FALSE(IsNull(p2, "accountableProfessional"));
  EXPECT_TRUE(p2.fields().at("accountableProfessional").has_struct_value());

  // Every other field is what the mapping prints: the same document once the
  // nulls are taken out.
  Struct expected = Parse(ToJson(view));
  doc.mutable_fields()->erase("diedOn");
  for (auto& p : *(*doc.mutable_fields())["packages"]
                      .mutable_list_value()
                      ->mutable_values()) {
    for (const char* f : {"endedAt", "accountableProfessional", "scheme"}) {
      if (IsNull(p.struct_value(), f))
        p.mutable_struct_value()->mutable_fields()->erase(f);
    }
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(doc, expected))
      << json;
}

TEST(PersonJsonTest, ADeadPersonWithoutPackagesHasNoNulls) {
  schema::PersonView view;
  view.set_nhs_number("9434765919");
  view.set_died_on("2016-02-03");
  const std::string json = PersonJson(view);
  Struct doc = Parse(json);
  EXPECT_EQ(doc.fields().at("diedOn").string_value(), "2016-02-03");
  EXPECT_EQ(doc.fields().at("packages").list_value().values_size(), 0);
  EXPECT_EQ(json.find("null"), std::string::npos) << json;
}

}  // namespace
}  // namespace carelog::gateway

namespace carelog::gateway {
namespace {

TEST(PersonJsonTest, TheWriteAnswerIsWhatTheMappingPrints) {
  api::RecordEventsResponse answer;
  for (const double position :
       {0.0, 7.0, 123456789.0, 999999999999999.0, 1e15, 1e17, 2.5}) {
    for (const std::string nhs : {"9434765919", "", "94 3\"4"}) {
      answer.set_nhs_number(nhs);
      answer.set_first_version(3);
      answer.set_last_version(4000000000u);
      answer.set_last_position(position);
      EXPECT_EQ(RecordEventsJson(answer), ToJson(answer))
          << nhs << " " << position;
    }
  }
}

}  // namespace
}  // namespace carelog::gateway
