// Request bodies and answer fields for the worked examples of SPEC.md
// (tests/e2e/worked_examples_test.cpp): care events as JSON, a plan whose
// tranches probe exact metric values, fields of the metrics and payments
// answers.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <string>
#include <vector>

#include "tests/e2e/e2e.h"

namespace carelog::e2e::worked {

// An area with the mid-2014 populations the examples use: 58,000 aged 0-17,
// 120,000 aged 18-64, 20,000 aged 65+.
extern const char kArea[];

// One event as JSON (a fresh eventId unless `id` is given).
std::string Ev(const std::string& at, const std::string& payload,
               const std::string& id = "");
// personRegistered on 1 January 2014.
std::string Register(const std::string& birth, bool verified = true,
                     const std::string& area = LiveServer::kAreaA);
std::string Admit(const std::string& at, const std::string& spell,
                  const std::string& method, const std::string& id = "");
std::string Discharge(const std::string& at, const std::string& spell,
                      const std::string& destination);
std::string Ready(const std::string& at, const std::string& spell);
std::string FollowUp(const std::string& at, const std::string& spell,
                     const std::string& status);
// A permanent, council-supported residential placement.
std::string CareHome(const std::string& at, const std::string& placement);
std::string Referral(const std::string& at, const std::string& id,
                     const std::string& urgency);
// Started with a HEALTH and a SOCIAL_CARE participant.
std::string AssessmentStarted(const std::string& at, const std::string& id);
std::string PackageStarted(const std::string& at, const std::string& id,
                           bool integrated, const std::string& assessment);
std::string Ae(const std::string& at, const std::string& id);

// A tranche of `amount` pounds paying on one metric for one period, and the
// target it needs.
struct Probe {
  std::string id, metric, period;
  double baseline, target, amount;
};
// A plan of the probes' targets and tranches, plus the extra ones given as
// JSON list members.
std::string PlanOf(const std::vector<Probe>& probes,
                   const std::string& extra_tranches = "",
                   const std::string& extra_targets = "");

const google::protobuf::Value& Field(const google::protobuf::Struct& s,
                                     const std::string& name);
// The tranche `id` of a payments answer.
google::protobuf::Struct Tranche(const google::protobuf::Struct& payments,
                                 const std::string& id);
// The exact `actual` of the tranche's i-th metric.
const google::protobuf::Value& Actual(const google::protobuf::Struct& tranche,
                                      int i = 0);
// The entry of `metric` in a metrics answer.
google::protobuf::Struct MetricEntry(const google::protobuf::Struct& answer,
                                     const std::string& metric);
// The system clock as RFC 3339 UTC with microseconds.
std::string NowRfc3339();

}  // namespace carelog::e2e::worked
