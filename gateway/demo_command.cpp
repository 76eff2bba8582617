#include "gateway/demo_command.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "gateway/flags.h"
#include "gateway/serve.h"
#include "gateway/token_store.h"
#include "services/areas.h"
#include "services/demo_loader.h"
#include "services/recorder.h"
#include "services/synthetic_area.h"
#include "services/synthetic_live.h"

namespace carelog::gateway {
namespace {

constexpr char kMainArea[] = "E09000099";
constexpr char kNeighbourArea[] = "E09000098";
// The history is recorded a week at a time (its recordedAt is the end of that
// week).
constexpr int kTickDays = 91;

// A progress bar on the console (stderr), redrawn when the percentage moves.
class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& err)
      : err_(err), start_(std::chrono::steady_clock::now()) {}
  void Show(const std::string& what, uint64_t done, uint64_t total) {
    const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    if (percent == last_percent_ && done != total) return;
    last_percent_ = percent;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
            .count();
    char line[160];
    const int filled = percent * 30 / 100;
    std::snprintf(
        line, sizeof line, "\r%-24s [%-30s] %3d%%  %llu/%llu events  %.1f s",
        what.c_str(), std::string(static_cast<size_t>(filled), '#').c_str(),
        percent, static_cast<unsigned long long>(done),
        static_cast<unsigned long long>(total), seconds);
    err_ << line << std::flush;
    if (done == total) err_ << "\n";
  }

 private:
  std::ostream& err_;
  std::chrono::steady_clock::time_point start_;
  int last_percent_ = -1;
};

Result<double> ParseScale(const std::string& text) {
  char* end = nullptr;
  const double scale = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(scale > 0) || scale > 5) {
    return Status(Code::kInvalidArgument,
                  "--scale wants a number above 0 and at most 5");
  }
  return scale;
}

// SIGINT or SIGTERM while the demo loads (the server takes the signals over
// only once it listens): the load stops after the day in hand.
std::atomic<bool> stop_signalled{false};
void OnStopSignal(int) { stop_signalled.store(true); }

class StopSignalsWhileLoading {
 public:
  StopSignalsWhileLoading() {
    struct sigaction on_stop {};
    on_stop.sa_handler = OnStopSignal;
    sigemptyset(&on_stop.sa_mask);
    sigaction(SIGINT, &on_stop, &old_int_);
    sigaction(SIGTERM, &on_stop, &old_term_);
  }
  ~StopSignalsWhileLoading() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignalsWhileLoading(const StopSignalsWhileLoading&) = delete;
  StopSignalsWhileLoading& operator=(const StopSignalsWhileLoading&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

Status LoadAreas(const std::vector<const SyntheticArea*>& areas,
                 ServeServices& services, LoadClock& clock, std::ostream& err) {
  // Areas and plans go through the same service as PUT /v1/areas..., recorded
  // before the history.
  clock.Hold(SyntheticStart() - 3'600'000'000LL);
  for (const SyntheticArea* area : areas) {
    auto put =
        services.areas.PutArea(area->area_code, area->area, "demo-loader");
    if (!put.ok()) return put.status();
    for (const auto& [year, plan] : area->plans) {
      auto recorded =
          services.areas.PutPlan(area->area_code, year, plan, "demo-loader");
      if (!recorded.ok()) return recorded.status();
    }
  }
  ProgressBar bar(err);
  DemoLoadOptions options;
  options.tick_days = kTickDays;
  options.progress = [&](uint64_t done, uint64_t total) {
    bar.Show("loading care events", done, total);
  };
  options.stop_requested = [] { return stop_signalled.load(); };
  StopSignalsWhileLoading stop_signals;
  return LoadSyntheticPeople(areas, services.recorder, clock, options);
}

// `url` (scheme://HOST:PORT) as a browser can open it: a wildcard HOST
// (0.0.0.0, [::], none) accepts connections on every address but is no address
// to connect to, so the loopback address stands in for it.
std::string BrowsableUrl(const std::string& url) {
  const size_t host_at = url.find("://");
  const size_t port_at = url.rfind(':');
  if (host_at == std::string::npos || port_at < host_at + 3) return url;
  const std::string host = url.substr(host_at + 3, port_at - host_at - 3);
  std::string loopback;
  if (host.empty() || host == "0.0.0.0") loopback = "127.0.0.1";
  if (host == "[::]" || host == "::") loopback = "[::1]";
  if (loopback.empty()) return url;
  return url.substr(0, host_at + 3) + loopback + url.substr(port_at);
}

}  // namespace

int RunDemo(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err) {
  auto flags =
      Flags::Parse(args, {"data", "listen", "tokens", "seed", "scale"});
  if (!flags.ok()) {
    err << "carelog demo: " << flags.status().message() << std::endl;
    return 2;
  }
  ServeOptions options;
  options.command = "carelog demo";
  options.data_dir = flags->Get("data", options.data_dir);
  options.listen = flags->Get("listen", options.listen);
  options.tokens_file = flags->Get("tokens", "");
  auto scale = ParseScale(flags->Get("scale", "1"));
  if (!scale.ok()) {
    err << "carelog demo: " << scale.status().message() << std::endl;
    return 2;
  }
  const std::string seed_text = flags->Get("seed", "20140401");
  char* end = nullptr;
  const unsigned long long seed = std::strtoull(seed_text.c_str(), &end, 10);
  if (seed_text.empty() || *end != '\0') {
    err << "carelog demo: --seed wants a whole number" << std::endl;
    return 2;
  }

  LoadClock clock;
  options.clock = &clock;
  return Serve(options, out, err, [&](ServeServices& services) -> Status {
    SyntheticAreaOptions main_options;
    main_options.seed = seed;
    main_options.scale = *scale;
    main_options.area_code = kMainArea;
    main_options.name = "Carelog Demo Borough";
    SyntheticAreaOptions neighbour_options = main_options;
    neighbour_options.seed = seed + 1;
    neighbour_options.area_code = kNeighbourArea;
    neighbour_options.name = "Carelog Demo Riverside";
    neighbour_options.residents = 42000;
    neighbour_options.first_nhs_index = 900000;
    err << "generating the demo areas (seed " << seed << ", scale " << *scale
        << ")..." << std::endl;
    const SyntheticArea main_area = GenerateSyntheticArea(main_options);
    const SyntheticArea neighbour = GenerateSyntheticArea(neighbour_options);
    const std::vector<const SyntheticArea*> areas = {&main_area, &neighbour};
    auto loaded = services.log.FindEvent(LastLoadedEventId(areas, kTickDays));
    if (!loaded.ok()) return loaded.status();
    if (loaded->has_value()) {
      err << "the demo areas are already loaded in " << options.data_dir
          << std::endl;
      clock.Release();
    } else {
      Status status = LoadAreas(areas, services, clock, err);
      if (!status.ok()) return status;
      clock.Release();
      // Today's patients, recorded now, so the live worklists have rows.
      LiveCohortOptions live;
      live.seed = seed;
      live.area_code = kMainArea;
      live.people =
          std::max(10, static_cast<int>(40 * std::min(1.0, *scale * 5)));
      for (const SyntheticPerson& person :
           GenerateLiveCohort(live, clock.NowMicros())) {
        std::vector<schema::CareEvent> events(person.events.size());
        for (size_t i = 0; i < events.size(); ++i)
          events[i].ParseFromString(person.events[i].body);
        auto recorded = services.recorder.Record(person.nhs_number, events,
                                                 std::nullopt, "demo-loader");
        if (!recorded.ok()) return recorded.status();
      }
    }

    // On a fresh store the projections are built now, stream by stream, from
    // all that was loaded; the pages answer as soon as the tokens are printed.
    err << "building the projections..." << std::endl;
    Status built = services.start_projections();
    if (!built.ok()) return built;

    const int64_t now = clock.NowMicros();
    struct Want {
      const char* label;
      TokenRequest request;
    };
    const Want wants[] = {
        {"admin", {"demo-admin", "admin", {}}},
        {"commissioner", {"demo-commissioner", "commissioner", {kMainArea}}},
        {"discharge coordinator",
         {"demo-discharge-coordinator", "dischargeCoordinator", {kMainArea}}},
    };
    std::string tokens[3];
    for (int i = 0; i < 3; ++i) {
      auto token = AddToken(services.tokens_file, wants[i].request, now);
      if (!token.ok()) return token.status();
      tokens[i] = *token;
    }
    out << "demo areas: " << kMainArea << " (Carelog Demo Borough), "
        << kNeighbourArea << " (Carelog Demo Riverside)\n";
    for (int i = 0; i < 3; ++i)
      out << wants[i].label << " token: " << tokens[i] << "\n";
    const std::string url = BrowsableUrl(services.url);
    out << "dashboard: " << url << "/#token=" << tokens[1] << "\n";
    out << "worklist: " << url << "/worklist?area=" << kMainArea
        << "#token=" << tokens[2] << "\n"
        << std::flush;
    return Status::Ok();
  });
}

}  // namespace carelog::gateway
