// bench_demo_load [--scale X] [--in-flight N] [--tick DAYS] [--dir DIR]:
// generates the synthetic area and loads it through the Recorder into a fresh
// store, as `carelog demo` does; prints events, seconds and events per second.
// Shared with the benchmarks of the workload (PERFORMANCE.md).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "services/demo_loader.h"
#include "services/recorder.h"
#include "services/synthetic_area.h"
#include "storage/event_log.h"

int main(int argc, char** argv) {
  double scale = 1.0;
  int in_flight = 1024;
  int tick_days = 7;
  std::string dir = "/tmp/bench-demo-load";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--scale")
      scale = std::atof(argv[i + 1]);
    else if (flag == "--in-flight")
      in_flight = std::atoi(argv[i + 1]);
    else if (flag == "--tick")
      tick_days = std::atoi(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  auto t0 = std::chrono::steady_clock::now();
  carelog::SyntheticAreaOptions options;
  options.scale = scale;
  const carelog::SyntheticArea area = carelog::GenerateSyntheticArea(options);
  auto t1 = std::chrono::steady_clock::now();
  carelog::LoadClock clock;
  carelog::storage::OpenOptions open;
  open.path = dir;
  open.now_micros = [&clock] { return clock.NowMicros(); };
  auto log = carelog::storage::OpenRocksDbEventLog(open);
  if (!log.ok()) {
    std::cerr << log.status().ToString() << "\n";
    return 1;
  }
  carelog::Recorder recorder(**log, clock);
  carelog::DemoLoadOptions load;
  load.in_flight = in_flight;
  load.tick_days = tick_days;
  carelog::Status status =
      carelog::LoadSyntheticPeople({&area}, recorder, clock, load);
  auto t2 = std::chrono::steady_clock::now();
  const double gen = std::chrono::duration<double>(t1 - t0).count();
  const double secs = std::chrono::duration<double>(t2 - t1).count();
  std::cout << "people " << area.people.size() << " events " << area.event_count
            << " generate " << gen << " s load " << secs << " s "
            << static_cast<double>(area.event_count) / secs << " events/s\n";
  if (!status.ok()) {
    std::cerr << status.ToString() << "\n";
    return 1;
  }
  log->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
