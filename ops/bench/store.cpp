// bench_store: builds the benchmark store once (the workload of workload.h
// appended through the sequencer in recording order, in large group commits)
// and measures P5: rebuilding every projection from the log against reading
// the log alone.
//   bench_store build --dir D --areas K --scale S   (skips a complete store)
//   bench_store p5 --dir D [--projections metrics,plans,worklists]
//   bench_store dump --dir D --out F   (every projection row and checkpoint,
//   to compare two rebuilds byte for byte)
//   bench_store rewrite --dir D [--families head,dedup]   (the families' table
//   files written again with this build's table options, level by level)
// The store is D/store (what `carelog serve --data D` opens); D/areas holds the
// areas and plans as API.md JSON for the benchmark to PUT.
#include <google/protobuf/util/json_util.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "ops/bench/bench.h"
#include "ops/bench/settle.h"
#include "ops/bench/workload.h"
#include "services/clock.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/plan_history.h"
#include "services/projector.h"
#include "services/worklists.h"
#include "storage/rocksdb_event_log.h"

namespace carelog::bench {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<storage::EventLog> OpenLog(const std::string& path,
                                           std::function<int64_t()> now = {}) {
  storage::OpenOptions o;
  o.path = path;
  o.now_micros = std::move(now);
  auto log = storage::OpenRocksDbEventLog(o);
  if (!log.ok()) Fail("opening " + path + ": " + log.status().message());
  return std::move(*log);
}

void WriteJson(const fs::path& file, const google::protobuf::Message& m) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(m, &json).ok())
    Fail("cannot write " + file.string());
  std::ofstream(file) << json << "\n";
}

int Build(const Flags& flags) {
  const fs::path dir = flags.Get("dir");
  if (dir.empty()) Fail("build needs --dir");
  const fs::path marker = dir / "complete";
  PopulationOptions options;
  options.areas = static_cast<int>(flags.Int("areas", 1));
  options.scale = flags.Double("scale", 1.0);
  const std::string wanted = std::to_string(options.areas) +
                             " areas at scale " + std::to_string(options.scale);
  if (fs::exists(marker)) {
    std::string have;
    std::getline(std::ifstream(marker), have);
    if (have.rfind(wanted, 0) == 0) {
      Note("store %s is there already (%s)", dir.c_str(), have.c_str());
      return 0;
    }
    Note("store %s holds '%s', not '%s': rebuilding", dir.c_str(), have.c_str(),
         wanted.c_str());
  }
  fs::remove_all(dir);
  fs::create_directories(dir / "areas");

  auto t0 = std::chrono::steady_clock::now();
  Population pop = GeneratePopulation(options);
  Note("generated %zu people, %zu events in %.1f s", pop.people.size(),
       pop.events.size(), SecondsSince(t0));
  for (const auto& a : pop.areas) {
    WriteJson(dir / "areas" / (a.area_code + ".json"), a.area);
    for (const auto& [year, plan] : a.plans)
      WriteJson(dir / "areas" / (a.area_code + "@" + year + ".json"), plan);
  }

  std::atomic<int64_t> clock{0};
  auto log = OpenLog(dir / "store", [&clock] { return clock.load(); });
  t0 = std::chrono::steady_clock::now();
  AppendAll(*log, pop, pop.events, "bench-loader", &clock);
  const double seconds = SecondsSince(t0);
  Note("appended %zu events in %.1f s (%.0f events/s)", pop.events.size(),
       seconds, static_cast<double>(pop.events.size()) / seconds);
  Emit("build.events", static_cast<double>(pop.events.size()));
  Emit("build.append_eps", static_cast<double>(pop.events.size()) / seconds);
  log.reset();
  std::ofstream(marker) << wanted << ", " << pop.events.size() << " events, "
                        << pop.people.size() << " people\n";
  return 0;
}

// The resident set of this process now, in MiB.
double RssMib() { return static_cast<double>(StatusKb("VmRSS:")) / 1024; }

int P5(const Flags& flags) {
  const fs::path dir = flags.Get("dir");
  auto log = OpenLog(dir / "store");
  const uint64_t last = log->LastPosition();
  if (last == 0) Fail("the store is empty");

  // Reading the log alone, the reference: every event through ScanLog, as
  // the rebuild reads the log (each record decoded into one reused message),
  // its body's bytes counted.
  auto scan = [&](uint64_t& read, uint64_t& bytes) {
    if (Status s = log->ScanLog(1, last,
                                [&](const storage::RecordedEventView& e) {
                                  ++read;
                                  bytes += e.body.size();
                                  return true;
                                });
        !s.ok())
      Fail(s.message());
  };
  // Once untimed first: the rebuild below reads the log's files from the
  // page cache, and so does the reading it is compared with, whatever the
  // machine read before this run (cold, reading through ReadAll ran at
  // 231,000 to 386,000 events/s in one week).
  uint64_t read = 0, bytes = 0;
  scan(read, bytes);
  read = bytes = 0;
  auto t0 = std::chrono::steady_clock::now();
  const double read_cpu0 = ProcessUsage().cpu_seconds;
  scan(read, bytes);
  const double read_s = SecondsSince(t0);
  const double read_cpu = ProcessUsage().cpu_seconds - read_cpu0;
  Note("read %llu events (%.0f MB of bodies) in %.1f s",
       static_cast<unsigned long long>(read), static_cast<double>(bytes) / 1e6,
       read_s);
  // For orientation: the same events through ReadAll, each copied into a
  // RecordedEvent of its own as the projections following the log get them
  // (the reference until the rebuild read through ScanLog).
  t0 = std::chrono::steady_clock::now();
  const double copied_cpu0 = ProcessUsage().cpu_seconds;
  uint64_t copied = 0;
  for (uint64_t from = 1; from <= last;) {
    auto page = log->ReadAll(from, 10000);
    if (!page.ok()) Fail(page.status().message());
    if (page->empty()) break;
    copied += page->size();
    from = page->back().position + 1;
  }
  const double copied_s = SecondsSince(t0);
  const double copied_cpu = ProcessUsage().cpu_seconds - copied_cpu0;

  metrics::MetricsProjection metrics_projection;
  metrics::PlanHistory plans;
  SystemClock system_clock;
  WorklistProjection worklists(system_clock);
  // --projections metrics,plans,worklists (the default: all three) to time
  // some alone.
  const std::string which = flags.Get("projections", "metrics,plans,worklists");
  std::vector<Projection*> chosen;
  if (which.find("metrics") != std::string::npos)
    chosen.push_back(&metrics_projection);
  if (which.find("plans") != std::string::npos) chosen.push_back(&plans);
  if (which.find("worklists") != std::string::npos)
    chosen.push_back(&worklists);
  ProjectionRunner runner(*log, chosen);
  if (Status s = runner.Open(); !s.ok()) Fail(s.message());
  const double rss_before = RssMib();
  t0 = std::chrono::steady_clock::now();
  const double cpu0 = ProcessUsage().cpu_seconds;
  auto noted = t0;
  Status rebuilt = runner.Rebuild([&](uint64_t applied, uint64_t end) {
    if (std::chrono::steady_clock::now() - noted < std::chrono::seconds(10))
      return;
    noted = std::chrono::steady_clock::now();
    Note("  rebuilt %llu of %llu, %.0f events/s so far",
         static_cast<unsigned long long>(applied),
         static_cast<unsigned long long>(end),
         static_cast<double>(applied) / SecondsSince(t0));
  });
  if (!rebuilt.ok()) Fail(rebuilt.message());
  const double rebuild_s = SecondsSince(t0);
  const double rebuild_cpu = ProcessUsage().cpu_seconds - cpu0;
  Note("rebuilt the projections from %llu events in %.1f s",
       static_cast<unsigned long long>(last), rebuild_s);
  // What the projections' in-memory state costs once every event is applied
  // (the metrics' person cache, the worklists' people with open items): a
  // lower bound for P9.
  Note("resident set: %.0f MiB before the rebuild, %.0f MiB after", rss_before,
       RssMib());
  Emit("p5.projections_rss_mib", RssMib() - rss_before);
  Emit("p5.events", static_cast<double>(last));
  // The reference, through ScanLog (results files written before it changed
  // hold ReadAll's rate here: compare their p5.read_eps with p5.readall_eps).
  Emit("p5.read_eps", static_cast<double>(read) / read_s);
  Emit("p5.rebuild_eps", static_cast<double>(last) / rebuild_s);
  // CPU seconds of the whole process (every thread) per million events: on a
  // shared machine this moves less than the wall time.
  Note("rebuild: %.1f s wall, %.1f s CPU (%.2f cores); read: %.1f s CPU",
       rebuild_s, rebuild_cpu, rebuild_cpu / rebuild_s, read_cpu);
  Emit("p5.rebuild_cpu_s_per_million", rebuild_cpu * 1e6 / last);
  Emit("p5.read_cpu_s_per_million", read_cpu * 1e6 / last);
  Emit("p5.readall_eps", static_cast<double>(copied) / copied_s);
  Emit("p5.readall_cpu_s_per_million", copied_cpu * 1e6 / last);
  return 0;
}

// Every row and the checkpoint of the metrics, plans and worklists
// projections of D/store, in key order, written to --out as
// "<projection> <checkpoint>\n" then "<key size> <value size>\n<key><value>"
// per row; a count per projection on stderr.
int Dump(const Flags& flags) {
  const fs::path dir = flags.Get("dir");
  std::ofstream out(flags.Get("out"), std::ios::binary);
  if (!out) Fail("cannot write " + flags.Get("out"));
  auto log = OpenLog(dir / "store");
  for (std::string_view name : {"metrics", "plans", "worklists"}) {
    auto checkpoint = log->ProjectionCheckpoint(name);
    if (!checkpoint.ok()) Fail(checkpoint.status().message());
    out << name << " " << *checkpoint << "\n";
    uint64_t rows = 0;
    Status s = log->ScanProjection(
        name, "", [&](std::string_view key, std::string_view value) {
          out << key.size() << " " << value.size() << "\n" << key << value;
          ++rows;
          return true;
        });
    if (!s.ok()) Fail(s.message());
    Note("%s: checkpoint %llu, %llu rows", std::string(name).c_str(),
         static_cast<unsigned long long>(*checkpoint),
         static_cast<unsigned long long>(rows));
  }
  return 0;
}

// Writes every table file of the named families (--families, a comma list;
// head and dedup by default) of D/store again with this build's table options
// (storage/FORMAT.md, "Table options": filters, checksums), each at its own
// level and each level-0 file on its own, so that a family keeps its level-0
// files and its place in its compaction cycle (what P6 depends on). RocksDB
// applies new table options only to the files it writes next: this brings a
// kept benchmark store to them without a rebuild.
int Rewrite(const Flags& flags) {
  const fs::path dir = flags.Get("dir");
  if (dir.empty()) Fail("rewrite needs --dir");
  auto log = OpenLog(dir / "store");
  const auto& store = dynamic_cast<storage::RocksDbEventLog&>(*log).store();
  // A compaction running or owed would take files from under CompactFiles.
  WaitForBackgroundWork(store);
  const std::string wanted = "," + flags.Get("families", "head,dedup") + ",";
  for (rocksdb::ColumnFamilyHandle* cf : store.families()) {
    if (wanted.find("," + cf->GetName() + ",") == std::string::npos) continue;
    rocksdb::CompactionOptions options;
    options.output_file_size_limit =
        store.db()->GetOptions(cf).target_file_size_base;
    const auto t0 = std::chrono::steady_clock::now();
    rocksdb::ColumnFamilyMetaData family;
    store.db()->GetColumnFamilyMetaData(cf, &family);
    for (const rocksdb::LevelMetaData& level : family.levels) {
      std::vector<std::vector<std::string>> inputs;
      for (const rocksdb::SstFileMetaData& file : level.files) {
        if (level.level == 0 || inputs.empty()) inputs.emplace_back();
        inputs.back().push_back(file.name);
      }
      for (const auto& files : inputs) {
        const rocksdb::Status s =
            store.db()->CompactFiles(options, cf, files, level.level);
        if (!s.ok()) Fail("rewriting " + cf->GetName() + ": " + s.ToString());
      }
    }
    Note("%s rewritten in %.1f s; level-0 files: %s", cf->GetName().c_str(),
         SecondsSince(t0), LevelZeroFiles(store, cf).c_str());
  }
  WaitForBackgroundWork(store);
  return 0;
}

}  // namespace
}  // namespace carelog::bench

int main(int argc, char** argv) {
  using namespace carelog::bench;
  Flags flags(argc, argv);
  flags.Allow({"areas", "dir", "families", "out", "projections", "scale"});
  const std::string mode =
      flags.positional().empty() ? "" : flags.positional()[0];
  if (mode == "build") return Build(flags);
  if (mode == "p5") return P5(flags);
  if (mode == "dump") return Dump(flags);
  if (mode == "rewrite") return Rewrite(flags);
  Fail(
      "usage: bench_store build|p5|dump|rewrite --dir D [--areas K --scale S]");
}
