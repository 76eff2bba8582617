// bench_metrics: the metric projection on a RocksDB store of synthetic care
// events: rebuild rate against reading the log alone (P5), and the latency of
// an area's year of metrics now and as of a past instant (P7).
//   bench_metrics [--people N] [--dir PATH]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "services/calendar.h"
#include "services/clock.h"
#include "services/read_side.h"
#include "storage/event_log.h"

namespace {

using namespace carelog;  // NOLINT: a benchmark program
using Steady = std::chrono::steady_clock;

double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

std::string At(Instant t) { return FormatRfc3339London(t); }

// About ten events per person: registration, a spell with readiness, a delay
// and a discharge, A&E, an urgent referral answered, an integrated package.
std::vector<schema::CareEvent> Person(std::mt19937& rng, int n,
                                      const std::string& area) {
  std::vector<schema::CareEvent> out;
  Instant base = *ParseRfc3339("2014-04-01T00:00:00Z");
  auto t = [&](int64_t days) {
    return base + static_cast<Instant>(rng() % (days * 86400)) * 1'000'000;
  };
  auto ev = [&](Instant when) {
    out.emplace_back();
    out.back().set_event_id("b" + std::to_string(n) + "-" +
                            std::to_string(out.size()));
    out.back().set_occurred_at(At(when));
    return &out.back();
  };
  auto* r = ev(base - 86400'000'000LL)->mutable_person_registered();
  r->set_birth_date(std::to_string(1930 + rng() % 80) + "-06-15");
  r->set_area_code(area);
  r->set_nhs_number_status(schema::NhsNumberStatus::VERIFIED);
  Instant admitted = t(600);
  auto* a = ev(admitted)->mutable_hospital_admitted();
  a->set_spell_id("S1");
  a->set_method(schema::AdmissionMethod::EMERGENCY);
  Instant ready =
      admitted + static_cast<Instant>(1 + rng() % 5) * 86400'000'000LL;
  ev(ready)->mutable_ready_for_discharge()->set_spell_id("S1");
  auto* d = ev(ready + 3600'000'000LL)->mutable_discharge_delay_recorded();
  d->set_spell_id("S1");
  d->set_reason(schema::DelayReason::Value(1 + rng() % 10));
  d->set_agency(schema::Agency::Value(1 + rng() % 3));
  auto* dis = ev(ready + static_cast<Instant>(1 + rng() % 9) * 86400'000'000LL)
                  ->mutable_discharged();
  dis->set_spell_id("S1");
  dis->set_destination(schema::Destination::Value(1 + rng() % 8));
  ev(t(700))->mutable_ae_attended()->set_attendance_id("A1");
  Instant received = t(700);
  auto* ref = ev(received)->mutable_referral_received();
  ref->set_referral_id("R1");
  ref->set_urgency(schema::Urgency::URGENT);
  ev(received + static_cast<Instant>(rng() % 48) * 3600'000'000LL)
      ->mutable_referral_accepted()
      ->set_referral_id("R1");
  auto* p = ev(t(700))->mutable_care_package_started();
  p->set_package_id("P1");
  p->set_integrated(true);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int people = 20000;
  std::string dir = "/tmp/bench-metrics";
  bool reuse = false;  // --reuse 1: keep the store of an earlier run
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--people")) people = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--reuse")) reuse = std::atoi(argv[i + 1]) != 0;
  }
  if (!reuse) std::filesystem::remove_all(dir);
  storage::OpenOptions options;
  options.path = dir;
  auto log = storage::OpenRocksDbEventLog(options);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::mt19937 rng(7);
  const std::vector<std::string> areas = {"E09000002", "E09000003", "E09000004",
                                          "E09000005"};
  auto start = Steady::now();
  Instant middle = 0;
  for (int n = 0; n < people && !reuse; ++n) {
    storage::AppendRequest request;
    request.stream = "person-" + std::to_string(9990000000LL + n);
    for (const auto& e : Person(rng, n, areas[n % areas.size()])) {
      request.events.push_back(
          {e.event_id(), "carelog.schema.CareEvent", e.SerializeAsString()});
    }
    request.recorded_by = "bench";
    auto r = (*log)->Append(std::move(request));
    if (!r.ok()) return 1;
    if (n == people / 2) middle = r->recorded_at_micros;
  }
  uint64_t last = (*log)->LastPosition();
  std::printf("appended %llu events in %.1f s\n",
              static_cast<unsigned long long>(last), Since(start));

  start = Steady::now();
  uint64_t read = 0;
  for (uint64_t from = 1; from <= last;) {
    auto batch = (*log)->ReadAll(from, 5000);
    if (!batch.ok() || batch->empty()) break;
    read += batch->size();
    from = batch->back().position + 1;
  }
  double read_s = Since(start);
  SystemClock clock;
  ProjectorOptions po;
  po.batch_events = 5000;
  ReadSide side(**log, clock, po);
  if (!side.Open().ok()) return 1;
  start = Steady::now();
  if (!side.runner().Rebuild(nullptr).ok()) return 1;
  double rebuild_s = Since(start);
  std::printf(
      "P5 read %llu events: %.0f events/s; rebuild: %.0f events/s; ratio "
      "%.2f\n",
      static_cast<unsigned long long>(read), read / read_s, last / rebuild_s,
      read_s / rebuild_s);

  auto year = *ParsePeriod("2014-15");
  auto time = [&](std::optional<Instant> as_of) {
    std::vector<double> ms;
    for (int i = 0; i < 50; ++i) {
      auto t0 = Steady::now();
      auto m = side.metrics().Metrics(areas[0], {year}, as_of);
      ms.push_back(Since(t0) * 1000);
      if (!m.ok()) std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
    }
    std::sort(ms.begin(), ms.end());
    return std::make_pair(ms[ms.size() / 2], ms[ms.size() * 99 / 100]);
  };
  auto now = time(std::nullopt);
  auto past = time(middle);
  std::printf(
      "P7 area-year metrics now: p50 %.2f ms p99 %.2f ms; asOf: p50 %.2f ms "
      "p99 %.2f ms\n",
      now.first, now.second, past.first, past.second);
  return 0;
}
