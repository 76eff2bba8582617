#include "gateway/route_helpers.h"

#include <charconv>
#include <chrono>
#include <limits>

#include "carelog/admin.pb.h"
#include "carelog/events.pb.h"
#include "services/recorder.h"

namespace carelog::gateway {

Result<uint64_t> QueryNumber(const Request& request, std::string_view name,
                             uint64_t fallback, uint64_t min, uint64_t max) {
  const std::string* text = request.Query(name);
  if (text == nullptr) return fallback;
  uint64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end || value < min ||
      value > max) {
    const std::string field(name);
    const std::string message = field + " must be a whole number from " +
                                std::to_string(min) + " to " +
                                std::to_string(max);
    return Status(Code::kInvalidArgument, message, {{field, message}});
  }
  return value;
}

Result<std::optional<uint64_t>> MinPositionQuery(const Request& request) {
  if (request.Query("minPosition") == nullptr) return std::optional<uint64_t>();
  auto position = QueryNumber(request, "minPosition", 0, 0,
                              std::numeric_limits<int64_t>::max());
  if (!position.ok()) return position.status();
  return std::optional<uint64_t>(*position);
}

Status AwaitMinPosition(std::optional<uint64_t> min_position,
                        ProjectionRunner* projector,
                        const storage::EventLog* log) {
  if (projector == nullptr) return Status::Ok();
  if (!min_position && log != nullptr) {
    const uint64_t durable = log->LastPosition();
    if (projector->AppliedPosition() < durable)
      projector->WaitForPosition(durable, std::chrono::seconds(5));
    return Status::Ok();
  }
  if (!min_position || *min_position == 0) return Status::Ok();
  if (projector->WaitForPosition(*min_position, std::chrono::seconds(5)))
    return Status::Ok();
  return Status(Code::kUnavailable,
                "the projections have not reached position " +
                    std::to_string(*min_position) + " yet; try again shortly");
}

Result<api::RecordedCareEvent> RenderRecord(
    const storage::RecordedEvent& record, bool feed) {
  api::RecordedCareEvent out;
  if (record.type == schema::CareEvent::descriptor()->full_name()) {
    // RecordedCareEvent repeats CareEvent's field numbers: the stored bytes
    // parse as they are.
    if (!out.ParseFromString(record.body)) {
      return Status(Code::kCorruption, "the event at position " +
                                           std::to_string(record.position) +
                                           " cannot be read");
    }
    if (feed) out.set_nhs_number(std::string(NhsNumberOfStream(record.stream)));
    if (out.has_person_registered() &&
        out.person_registered().nhs_number_status() ==
            schema::NhsNumberStatus::NHS_NUMBER_STATUS_UNSPECIFIED) {
      out.mutable_person_registered()->set_nhs_number_status(
          schema::NhsNumberStatus::UNVERIFIED);
    }
  } else if (record.type == schema::AdminEvent::descriptor()->full_name()) {
    schema::AdminEvent admin;
    if (!admin.ParseFromString(record.body)) {
      return Status(Code::kCorruption, "the event at position " +
                                           std::to_string(record.position) +
                                           " cannot be read");
    }
    out.set_event_id(record.event_id);
    out.set_occurred_at(FormatRfc3339Utc(record.recorded_at_micros));
    if (admin.has_area_defined())
      *out.mutable_area_defined() = admin.area_defined();
    if (admin.has_plan_recorded())
      *out.mutable_plan_recorded() = admin.plan_recorded();
    out.set_stream(record.stream);
  } else {
    out.set_event_id(record.event_id);
    out.set_stream(record.stream);
  }
  out.set_version(static_cast<uint32_t>(record.version));
  out.set_position(static_cast<double>(record.position));
  out.mutable_recorded_at()->set_seconds(record.recorded_at_micros / 1000000);
  out.mutable_recorded_at()->set_nanos(
      static_cast<int32_t>(record.recorded_at_micros % 1000000) * 1000);
  out.set_recorded_by(record.recorded_by);
  return out;
}

void ShowMissingSectorAsNull(std::string& json) {
  // Inside a JSON string every quote is escaped, so this text can only be the
  // member itself.
  constexpr std::string_view kPlaceholder = "\"sector\":\"SECTOR_UNSPECIFIED\"";
  constexpr std::string_view kNull = "\"sector\":null";
  for (size_t at = json.find(kPlaceholder); at != std::string::npos;
       at = json.find(kPlaceholder, at + kNull.size())) {
    json.replace(at, kPlaceholder.size(), kNull);
  }
}

}  // namespace carelog::gateway
