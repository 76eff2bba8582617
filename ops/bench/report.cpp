// bench_report: turns the RESULT lines of one run of ops/bench/run into the
// table of PERFORMANCE.md (figure, reference, ratio, target, met) on stdout
// and, with --doc FILE, into the summary section at the top of that file
// (between the bench:summary markers; every other section is kept).
//   bench_report --results FILE [--doc docs/PERFORMANCE.md] [--machine TEXT]
//                [--commit SHA] [--date TEXT] [--mode quick|full] [--store
//                TEXT]
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "ops/bench/bench.h"

namespace carelog::bench {
namespace {

using Values = std::map<std::string, double>;

std::optional<double> Get(const Values& v, const std::string& key) {
  auto it = v.find(key);
  if (it == v.end()) return std::nullopt;
  return it->second;
}

std::string Fmt(double x, const char* unit = "") {
  char buf[64];
  if (std::fabs(x) >= 100)
    std::snprintf(buf, sizeof buf, "%.0f%s", x, unit);
  else if (std::fabs(x) >= 10)
    std::snprintf(buf, sizeof buf, "%.1f%s", x, unit);
  else
    std::snprintf(buf, sizeof buf, "%.2f%s", x, unit);
  return buf;
}

struct Row {
  std::string id, what, figure, reference, ratio, target, met;
};

// A throughput row: figure / reference against a minimum ratio (and an
// optional absolute minimum of the figure).
Row RatioRow(const Values& v, std::string id, std::string what,
             const std::string& figure_key, const std::string& reference_key,
             std::string reference_what, double min_ratio,
             std::optional<double> min_figure = std::nullopt) {
  Row r{std::move(id),
        std::move(what),
        "not measured",
        std::move(reference_what),
        "",
        "",
        "no"};
  char target[96];
  std::snprintf(target, sizeof target, "≥ %.2g×", min_ratio);
  r.target = target;
  if (min_figure) r.target += ", ≥ " + Fmt(*min_figure) + "/s";
  auto f = Get(v, figure_key);
  auto ref = Get(v, reference_key);
  if (ref) r.reference += ": " + Fmt(*ref) + "/s";
  if (!f) return r;
  r.figure = Fmt(*f) + " events/s";
  if (!ref || *ref <= 0) return r;
  const double ratio = *f / *ref;
  r.ratio = Fmt(ratio, "×");
  const bool met = ratio >= min_ratio && (!min_figure || *f >= *min_figure);
  r.met = met ? "yes" : "no";
  return r;
}

// A latency row: p50/p99/p99.9 in ms, the p99 against a maximum.
Row LatencyRow(const Values& v, std::string id, std::string what,
               const std::string& key, double max_p99_ms,
               std::string reference = "—") {
  Row r{std::move(id),
        std::move(what),
        "not measured",
        std::move(reference),
        "",
        "p99 ≤ " + Fmt(max_p99_ms) + " ms",
        "no"};
  auto p50 = Get(v, key + ".p50");
  auto p99 = Get(v, key + ".p99");
  auto p999 = Get(v, key + ".p999");
  if (!p50 || !p99 || !p999) return r;
  r.figure = Fmt(*p50) + " / " + Fmt(*p99) + " / " + Fmt(*p999) + " ms";
  r.ratio = Fmt(*p99 / max_p99_ms, "× of the limit");
  r.met = *p99 <= max_p99_ms ? "yes" : "no";
  return r;
}

// A row of one figure against an upper limit (P9, P10).
Row LimitRow(const Values& v, std::string id, std::string what,
             const std::string& key, double limit, const char* unit,
             std::string target) {
  Row r{std::move(id),
        std::move(what),
        "not measured",
        "—",
        "",
        std::move(target),
        "no"};
  if (auto x = Get(v, key)) {
    r.figure = Fmt(*x) + unit;
    r.ratio = Fmt(*x / limit, "× of the limit");
    r.met = *x <= limit ? "yes" : "no";
  }
  return r;
}

std::vector<Row> Rows(const Values& v) {
  std::vector<Row> rows;
  rows.push_back(RatioRow(v, "P1",
                          "durable appends, sequencer, rules, in process",
                          "p1.carelog_eps", "p1.rocksdb_eps",
                          "raw RocksDB WriteBatch, same bytes, sync", 0.70));
  rows.push_back(RatioRow(
      v, "P2", "HTTP ingest, 1 event/request, 64 connections", "p2.carelog_eps",
      v.count("p2.rocksdb_eps") ? "p2.rocksdb_eps" : "p2.storage_rocksdb_eps",
      "RocksDB group commit, 64 threads, sync", 1.2));
  rows.push_back(
      RatioRow(v, "P3", "HTTP ingest, 100 events/request", "p3.carelog_eps",
               v.count("p3.rocksdb_eps") ? "p3.rocksdb_eps" : "p1.rocksdb_eps",
               "P1's reference: RocksDB batches of 100, sync", 0.5));
  rows.push_back(RatioRow(v, "P4",
                          "Carelog vs PostgreSQL 15, 1 event/request, 64 conn.",
                          "p2.carelog_eps", "p4.single.eps",
                          "PostgreSQL, same events and concurrency", 5));
  rows.push_back(RatioRow(
      v, "P4", "Carelog vs PostgreSQL 15, 100 events/request, 16 conn.",
      "p3.carelog_eps", "p4.batch.eps",
      "PostgreSQL, multi-row INSERT per request", 5));
  rows.push_back(RatioRow(
      v, "P5", "rebuild of all projections", "p5.rebuild_eps", "p5.read_eps",
      "reading the log alone (ScanLog, as the rebuild)", 0.5, 300000));
  rows.push_back(RatioRow(v, "P6", "appends with the big store", "p6.full_eps",
                          "p6.empty_eps", "appends into an empty store", 0.8));
  rows.push_back(
      LatencyRow(v, "P7", "metrics of an area for a year", "p7.metrics", 5));
  {
    const auto items = Get(v, "p7.worklist.items");
    rows.push_back(LatencyRow(
        v, "P7",
        "discharge worklist" +
            (items ? " (" + std::to_string(static_cast<long>(*items)) +
                         " people, each audited)"
                   : std::string()),
        "p7.worklist", 5));
  }
  rows.push_back(
      LatencyRow(v, "P7", "metrics asOf a past date", "p7.asof", 500));
  std::string p8_ref = "—";
  if (auto rate = Get(v, "p8.rate")) {
    p8_ref = "at " + Fmt(*rate) + " requests/s";
    // Orientation only (the target stays p99 ≤ 10 ms): RocksDB's own group
    // commit driven by the same open loop at the same rate.
    if (auto ref = Get(v, "p8.rocksdb.p99"))
      p8_ref += "; RocksDB group commit at that rate: p99 " + Fmt(*ref) + " ms";
  }
  rows.push_back(LatencyRow(v, "P8", "ingest latency at half of P2's load",
                            "p8", 10, p8_ref));
  rows.push_back(LimitRow(v, "P9", "peak RSS of the server (VmHWM)",
                          "p9.rss_mib", 1024, " MiB", "≤ 1024 MiB"));
  rows.push_back(LimitRow(v, "P10", "start-up until /readyz answers 200",
                          "p10.seconds", 5, " s", "≤ 5 s"));
  return rows;
}

std::string Table(const std::vector<Row>& rows) {
  std::ostringstream out;
  out << "| # | what | figure | reference | ratio | target | met |\n"
      << "|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    out << "| " << r.id << " | " << r.what << " | " << r.figure << " | "
        << r.reference << " | " << r.ratio << " | " << r.target << " | "
        << r.met << " |\n";
  }
  return out.str();
}

constexpr const char* kBegin = "<!-- bench:summary:begin -->";
constexpr const char* kEnd = "<!-- bench:summary:end -->";

void WriteDoc(const std::string& path, const std::string& section) {
  std::string doc;
  {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    doc = s.str();
  }
  const std::string block = std::string(kBegin) + "\n" + section + kEnd + "\n";
  const size_t b = doc.find(kBegin), e = doc.find(kEnd);
  if (b != std::string::npos && e != std::string::npos && e > b) {
    size_t after = e + std::string(kEnd).size();
    if (after < doc.size() && doc[after] == '\n') ++after;
    doc.replace(b, after - b, block);
  } else if (doc.empty()) {
    doc = "# Carelog — performance, measured\n\n" + block;
  } else {
    // After the title line, before every other section.
    size_t title_end =
        doc.rfind("# ", 0) == 0 ? doc.find('\n') : std::string::npos;
    if (title_end == std::string::npos) {
      doc = block + "\n" + doc;
    } else {
      doc.insert(title_end + 1, "\n" + block);
    }
  }
  std::ofstream(path) << doc;
}

// The wall time of each step of the run (RESULT time.STEP seconds), in the
// order of their names: "p5 612 s, p6 40 s, ...", total last.
std::string Times(const Values& values) {
  std::string out, total;
  for (const auto& [key, seconds] : values) {
    if (key.rfind("time.", 0) != 0) continue;
    const std::string item = key.substr(5) + " " + Fmt(seconds) + " s";
    if (key == "time.total") {
      total = item;
    } else {
      out += (out.empty() ? "" : ", ") + item;
    }
  }
  if (!total.empty()) out += (out.empty() ? "" : "; ") + total;
  return out;
}

// P2's HTTP floor (RESULT p2.floor.carelog_eps), against P2's reference:
// what the same closed loop reaches when nothing is stored; empty if not run.
std::string P2Floor(const Values& v) {
  const auto floor = Get(v, "p2.floor.carelog_eps");
  const auto ref = Get(v, v.count("p2.rocksdb_eps") ? "p2.rocksdb_eps"
                                                    : "p2.storage_rocksdb_eps");
  if (!floor) return "";
  std::string line =
      "P2's HTTP floor: the same closed loop answered without storage or "
      "rules (POST /healthz, 405) reached " +
      Fmt(*floor) + " requests/s";
  if (ref && *ref > 0)
    line += ", " + Fmt(*floor / *ref, "×") + " P2's reference";
  return line + ".";
}

// P5's reading through ReadAll (RESULT p5.readall_eps), each event copied as
// the projections following the log get it, beside the reference (ScanLog):
// empty if not run.
std::string P5ReadAll(const Values& v) {
  const auto copied = Get(v, "p5.readall_eps");
  const auto rebuild = Get(v, "p5.rebuild_eps");
  if (!copied || *copied <= 0) return "";
  std::string line =
      "P5's reading through ReadAll (every event copied into strings of its "
      "own, as the projections following the log get it) reached " +
      Fmt(*copied) + " events/s";
  if (rebuild)
    line += "; the rebuild is " + Fmt(*rebuild / *copied, "×") + " of it";
  return line + ".";
}

// Where P8's slow answers lie (RESULT p8.over_10ms_share,
// p8.over_10ms_after_sending_share, p8.server_over_10ms_share): as the load
// generator saw them, of those answered over 10 ms after being sent, and
// inside the server (from the parsed request to its answer); empty if not run.
std::string P8Split(const Values& v) {
  const auto seen = Get(v, "p8.over_10ms_share");
  const auto after_sending = Get(v, "p8.over_10ms_after_sending_share");
  const auto server = Get(v, "p8.server_over_10ms_share");
  if (!seen || !after_sending) return "";
  auto percent = [](double share) { return Fmt(100 * share, " %"); };
  std::string line = "P8's answers over 10 ms: " + percent(*seen) +
                     " as the load generator saw them, " +
                     percent(*after_sending) +
                     " answered over 10 ms after being sent";
  if (server)
    line += ", " + percent(*server) +
            " inside the server (from the "
            "parsed request to its answer)";
  return line + ".";
}

// The lines printed under the table, for orientation.
std::string Orientation(const Values& v) {
  std::string out;
  for (const std::string& line : {P2Floor(v), P5ReadAll(v), P8Split(v)}) {
    if (!line.empty()) out += line + "\n";
  }
  return out;
}

int Main(const Flags& flags) {
  Values values;
  std::ifstream in(flags.Get("results"));
  if (!in) Fail("cannot read --results " + flags.Get("results"));
  std::string word, key;
  double value = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    if (l >> word >> key >> value && word == "RESULT") values[key] = value;
  }
  const auto rows = Rows(values);
  const std::string table = Table(rows);
  std::printf("%s", table.c_str());
  int met = 0, measured = 0;
  for (const Row& r : rows) {
    met += r.met == "yes";
    measured += r.figure != "not measured";
  }
  std::printf("%d of %zu rows measured, %d met\n", measured, rows.size(), met);
  const std::string orientation = Orientation(values);
  std::printf("%s", orientation.c_str());
  const std::string times = Times(values);
  if (!times.empty()) std::printf("time: %s\n", times.c_str());

  if (flags.Has("doc")) {
    std::ostringstream section;
    section << "## Summary of the last run of `ops/bench/run"
            << (flags.Get("mode") == "quick" ? " --quick" : "") << "`\n\n"
            << "Machine: " << flags.Get("machine") << ". Commit "
            << flags.Get("commit") << ", " << flags.Get("date")
            << ". Ratios are measured in the same run; "
            << "latencies are p50 / p99 / p99.9. Store of P5-P10: "
            << (flags.Has("store")
                    ? flags.Get("store")
                    : Fmt(Get(values, "p5.events").value_or(0)) + " events")
            << ".\n\n"
            << table << "\n"
            << measured << " of " << rows.size() << " rows measured, " << met
            << " met.\n\n"
            << (orientation.empty() ? "" : orientation + "\n")
            << (times.empty()
                    ? ""
                    : "Where the run's time went: " + times + ".\n\n");
    WriteDoc(flags.Get("doc"), section.str());
  }
  return 0;
}

}  // namespace
}  // namespace carelog::bench

int main(int argc, char** argv) {
  const carelog::bench::Flags flags(argc, argv);
  flags.Allow({"commit", "date", "doc", "machine", "mode", "results", "store"});
  return carelog::bench::Main(flags);
}
