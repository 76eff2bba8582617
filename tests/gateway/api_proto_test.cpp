// The views of api.proto that repeat a stored message's field numbers must stay
// in step with it.
#include <gtest/gtest.h>

#include "carelog/admin.pb.h"
#include "carelog/api.pb.h"
#include "carelog/events.pb.h"
#include "gateway/json.h"

namespace carelog::gateway {
namespace {

void ExpectSameFields(const google::protobuf::Descriptor* stored,
                      const google::protobuf::Descriptor* view) {
  for (int i = 0; i < stored->field_count(); ++i) {
    const auto* field = stored->field(i);
    const auto* mirror = view->FindFieldByNumber(field->number());
    ASSERT_NE(mirror, nullptr) << view->name() << " lacks " << field->name();
    EXPECT_EQ(mirror->name(), field->name());
    EXPECT_EQ(mirror->type(), field->type()) << field->name();
    EXPECT_EQ(mirror->is_repeated(), field->is_repeated()) << field->name();
    if (field->message_type() != nullptr) {
      EXPECT_EQ(mirror->message_type(), field->message_type()) << field->name();
    }
  }
}

TEST(ApiProtoTest, RecordedCareEventMirrorsCareEvent) {
  ExpectSameFields(schema::CareEvent::descriptor(),
                   api::RecordedCareEvent::descriptor());
}

TEST(ApiProtoTest, AreaAndPlanViewsMirrorTheirRecords) {
  ExpectSameFields(schema::Area::descriptor(), api::AreaView::descriptor());
  ExpectSameFields(schema::Plan::descriptor(), api::PlanView::descriptor());
}

TEST(ApiProtoTest, NumbersPrintAsJsonNumbersNotStrings) {
  api::RecordEventsResponse r;
  r.set_nhs_number("9434765919");
  r.set_first_version(1);
  r.set_last_version(2);
  r.set_last_position(123456789012.0);
  EXPECT_EQ(
      ToJson(r),
      "{\"nhsNumber\":\"9434765919\",\"firstVersion\":1,\"lastVersion\":2,"
      "\"lastPosition\":123456789012}");
}

TEST(ApiProtoTest, UnknownFieldsAndBadEnumsAreRefused) {
  schema::RecordEventsRequest request;
  EXPECT_EQ(ParseJson("{\"events\": [], \"extra\": 1}", request).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      ParseJson(
          "{\"events\": [{\"hospitalAdmitted\": {\"method\": \"URGENT\"}}]}",
          request)
          .code(),
      Code::kInvalidArgument);
  EXPECT_EQ(ParseJson("{\"events\": [", request).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(ParseJson("", request).code(), Code::kInvalidArgument);
  EXPECT_TRUE(
      ParseJson(
          "{\"events\": [{\"hospitalAdmitted\": {\"method\": \"EMERGENCY\"}}]}",
          request)
          .ok());
}

}  // namespace
}  // namespace carelog::gateway
