// Areas, their populations and plans (API.md "Areas and plans"), recorded as
// AdminEvents in streams of their own ("area-E09000002",
// "plan-E09000002-2015-16") so that as-of views can use them as they stood.
// Thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelog/admin.pb.h"
#include "storage/event_log.h"
#include "storage/status.h"

namespace carelog {

std::string AreaStream(std::string_view area_code);
std::string PlanStream(std::string_view area_code, std::string_view year);

// The metric ids of SPEC.md "Outcome metrics", in its order.
const std::vector<std::string>& MetricIds();
bool IsMetricId(std::string_view id);

// kInvalidArgument (errors[] per field) for an area without a name or with a
// bad population.
Status ValidateArea(const schema::Area& area);

// Checks a plan for the financial year `year` ("2015-16"): kInvalidArgument for
// unknown metric ids, periods that do not parse, missing ids; kRuleViolation
// when a tranche metric has no target for the tranche's period, a tranche has
// not exactly one of amountGbp and unitCostGbp, a unitCostGbp tranche has not
// exactly one metric, a weight is not positive, an amount is negative or an id
// or target repeats. errors[] names each field.
Status ValidatePlan(std::string_view year, const schema::Plan& plan);

struct AdminWriteOutcome {
  bool created = false;  // first version of the area or plan
  uint64_t version = 0;
  uint64_t last_position = 0;
};

struct AreaRecord {
  std::string area_code;
  schema::Area area;
  uint64_t version = 0;
  uint64_t position = 0;  // where this version was recorded
};

struct PlanRecord {
  std::string area_code;
  std::string year;
  schema::Plan plan;
  uint64_t version = 0;
  uint64_t position = 0;
};

class AreaService {
 public:
  static constexpr uint64_t kNow = std::numeric_limits<uint64_t>::max();

  explicit AreaService(storage::EventLog& log) : log_(log) {}

  // Validates and records the area (create or replace). Durable on ok.
  Result<AdminWriteOutcome> PutArea(std::string_view area_code,
                                    const schema::Area& area,
                                    std::string_view recorded_by);
  // The area as it stood at log position `as_of` (kNow: now), or nullopt if not
  // yet defined.
  Result<std::optional<AreaRecord>> GetArea(std::string_view area_code,
                                            uint64_t as_of = kNow);
  // Every area defined, in code order.
  Result<std::vector<AreaRecord>> ListAreas();

  // Validates and records the plan (create or replace). Durable on ok.
  Result<AdminWriteOutcome> PutPlan(std::string_view area_code,
                                    std::string_view year,
                                    const schema::Plan& plan,
                                    std::string_view recorded_by);
  // The plan as it stood at log position `as_of`, or nullopt.
  Result<std::optional<PlanRecord>> GetPlan(std::string_view area_code,
                                            std::string_view year,
                                            uint64_t as_of = kNow);

 private:
  Result<AdminWriteOutcome> Record(const std::string& stream,
                                   const schema::AdminEvent& event,
                                   std::string_view recorded_by);
  // The last AdminEvent of the stream recorded at or before `as_of`.
  Result<std::optional<storage::RecordedEvent>> LatestAt(
      const std::string& stream, uint64_t as_of);

  storage::EventLog& log_;
};

}  // namespace carelog
