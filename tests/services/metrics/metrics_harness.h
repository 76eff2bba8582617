// Test scaffolding for the metrics: builders of care events and a harness that
// records them in an in-memory log and reads the metrics back through the real
// projections and service.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "carelog/admin.pb.h"
#include "carelog/events.pb.h"
#include "services/clock.h"
#include "services/metrics/metrics_service.h"
#include "services/projector.h"
#include "tests/services/instants.h"
#include "tests/services/memory_event_log.h"

namespace carelog::testing {

// A care event with a fresh event id, occurring at `at` (RFC 3339).
schema::CareEvent Ev(const std::string& at);

schema::CareEvent Registered(const std::string& at, const std::string& birth,
                             const std::string& area, bool verified = true);
schema::CareEvent Moved(const std::string& at, const std::string& area);
schema::CareEvent Verified(const std::string& at);
schema::CareEvent Died(const std::string& at);
schema::CareEvent Admitted(
    const std::string& at, const std::string& spell,
    schema::AdmissionMethod::Value method = schema::AdmissionMethod::EMERGENCY);
schema::CareEvent Ready(const std::string& at, const std::string& spell);
schema::CareEvent Withdrawn(const std::string& at, const std::string& spell);
schema::CareEvent Delay(const std::string& at, const std::string& spell,
                        schema::DelayReason::Value reason,
                        schema::Agency::Value agency);
schema::CareEvent Discharged(const std::string& at, const std::string& spell,
                             schema::Destination::Value destination =
                                 schema::Destination::USUAL_RESIDENCE);
schema::CareEvent FollowUp(const std::string& at, const std::string& spell,
                           schema::FollowUpStatus::Value status);
schema::CareEvent CareHome(const std::string& at, const std::string& placement,
                           schema::CareHomeType::Value type,
                           bool permanent = true,
                           bool council_supported = true);
schema::CareEvent CareHomeLeft(const std::string& at,
                               const std::string& placement);
schema::CareEvent Ae(const std::string& at);
schema::CareEvent Survey(const std::string& at, bool positive);
schema::CareEvent Referral(const std::string& at, const std::string& id,
                           schema::Urgency::Value urgency);
schema::CareEvent Accepted(const std::string& at, const std::string& id);
schema::CareEvent Declined(const std::string& at, const std::string& id);
schema::CareEvent AssessmentStarted(const std::string& at,
                                    const std::string& id);
schema::CareEvent AssessmentCompleted(const std::string& at,
                                      const std::string& id);
schema::CareEvent PackageStarted(const std::string& at, const std::string& id,
                                 bool integrated,
                                 const std::string& assessment = "");
schema::CareEvent Professional(const std::string& at,
                               const std::string& package);
schema::CareEvent PackageEnded(const std::string& at,
                               const std::string& package);
schema::CareEvent Retract(const std::string& at, const std::string& event_id);

class MetricsHarness {
 public:
  // The clock starts at 2016-06-01T12:00:00Z.
  MetricsHarness();
  ~MetricsHarness();

  // Records at the clock's instant, then advances the clock by one second.
  uint64_t Record(const std::string& nhs, const schema::CareEvent& event);
  // Records the events in one append (one commit, one recorded_at), then
  // advances the clock.
  uint64_t RecordTogether(const std::string& nhs,
                          const std::vector<schema::CareEvent>& events);
  // Defines (or replaces) an area with the same population for 2014, 2015 and
  // 2016 (an admin event).
  uint64_t DefineArea(const std::string& area, int64_t age0to17,
                      int64_t age18to64, int64_t age65plus);
  uint64_t RecordPlan(const std::string& area, const std::string& year,
                      const schema::Plan& plan);

  // Exact metric value for the area and period ("2014-15", "2014-15-Q1",
  // "2014-04").
  metrics::MetricValue Metric(const std::string& area,
                              const std::string& period, metrics::MetricId id,
                              std::optional<Instant> as_of = std::nullopt);
  // Its value as a double (NaN when null).
  double Value(const std::string& area, const std::string& period,
               metrics::MetricId id,
               std::optional<Instant> as_of = std::nullopt);

  MemoryEventLog log;
  ManualClock clock{0};
  metrics::MetricsProjection cells{
      3};  // small buckets: as-of reads cross snapshots
  metrics::PlanHistory plans;
  std::unique_ptr<ProjectionRunner> runner;
  std::unique_ptr<metrics::MetricsService> service;
};

}  // namespace carelog::testing
