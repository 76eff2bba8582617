// Areas (with their populations) and plans as they stood at any position of the
// log: a projection of the admin events (schema/carelog/admin.proto) that keeps
// every version, so that as-of views use the plan and the populations of that
// time. Rows: a|<area>|<pos> -> AreaDefined, l|<area>|<year>|<pos> ->
// PlanRecorded. Thread-safe readers.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "carelog/admin.pb.h"
#include "services/projector.h"
#include "services/stream_build.h"

namespace carelog::metrics {

class PlanHistory final : public Projection, private StreamBuild {
 public:
  std::string_view Name() const override { return "plans"; }
  Status Load(storage::EventLog& log) override;
  Status Apply(const LogEvent& event, storage::ProjectionWrite& write) override;
  Status FinishBatch(storage::ProjectionWrite&) override {
    return Status::Ok();
  }
  void Commit(uint64_t position) override;
  void Abort() override;
  void Reset() override;
  // Stream by stream: the admin streams' events as Apply takes them.
  StreamBuild* stream_build() override { return this; }

  // The area as defined at or before the position (nullopt if not yet defined).
  std::optional<schema::Area> AreaAsOf(const std::string& area,
                                       uint64_t position) const;
  // The plan of the area for the financial year ("2015-16") at or before the
  // position.
  std::optional<schema::Plan> PlanAsOf(const std::string& area,
                                       const std::string& year,
                                       uint64_t position) const;

  // For tests and the demo: records directly, as if the event were at
  // `position`.
  void Put(uint64_t position, const schema::AdminEvent& event);

 private:
  // StreamBuild.
  bool WantsPersonStreams() const override { return false; }
  bool WantsOtherStreams() const override { return true; }
  std::unique_ptr<StreamBuildSink> NewSink(storage::EventLog& log) override;
  Status Finish(storage::EventLog& log, uint64_t last) override;

  using AreaVersions = std::vector<std::pair<uint64_t, schema::Area>>;
  using PlanVersions = std::vector<std::pair<uint64_t, schema::Plan>>;
  void Insert(
      uint64_t position, const schema::AdminEvent& event,
      std::map<std::string, AreaVersions>& areas,
      std::map<std::pair<std::string, std::string>, PlanVersions>& plans);

  mutable std::mutex mu_;
  std::map<std::string, AreaVersions> areas_;
  std::map<std::pair<std::string, std::string>, PlanVersions> plans_;
  std::vector<std::pair<uint64_t, schema::AdminEvent>> pending_;
};

// The admin event type name in the log.
inline constexpr char kAdminEventType[] = "carelog.schema.AdminEvent";

}  // namespace carelog::metrics
