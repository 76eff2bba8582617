// Small helpers the route files share: query numbers, paging limits, event
// record rendering.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "carelog/api.pb.h"
#include "gateway/router.h"
#include "services/projector.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog::gateway {

// The query parameter as a non-negative integer, `fallback` when absent;
// kInvalidArgument naming the parameter when it is not a number in [min, max].
Result<uint64_t> QueryNumber(const Request& request, std::string_view name,
                             uint64_t fallback, uint64_t min, uint64_t max);

// The query parameter minPosition (API.md), empty when absent;
// kInvalidArgument when it is not a position. Read before access is checked,
// so that a malformed read is 400.
Result<std::optional<uint64_t>> MinPositionQuery(const Request& request);

// Waits until the projections include `min_position`, at most 5 s:
// kUnavailable when they are still behind it then. Without one, waits (at most
// 5 s, then Ok anyway: a read is never refused for the projections' lag) for
// what `log` held durable on arrival: a client reads its own writes
// (READINGS.md).
Status AwaitMinPosition(std::optional<uint64_t> min_position,
                        ProjectionRunner* projector,
                        const storage::EventLog* log = nullptr);

// Renders a stored record as the API shows it: a care event with its version,
// position, recordedAt and recordedBy (plus nhsNumber or stream in the global
// feed); kCorruption when the body cannot be read.
// A registration without nhsNumberStatus shows UNVERIFIED (what it means).
Result<api::RecordedCareEvent> RenderRecord(
    const storage::RecordedEvent& record, bool feed);

// In JSON printed from rendered records: an accountable professional recorded
// without a sector shows "sector":null, not protobuf's placeholder value.
void ShowMissingSectorAsNull(std::string& json);

}  // namespace carelog::gateway
