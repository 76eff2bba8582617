// What every benchmark program shares: a stopwatch, latency percentiles, flag
// parsing and the one output format ops/bench/run collects: lines
// "RESULT <key> <value>" on stdout (anything else is commentary).
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace carelog::bench {

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// Prints one result line: ops/bench/run keeps these and nothing else.
inline void Emit(std::string_view key, double value) {
  std::printf("RESULT %.*s %.6g\n", static_cast<int>(key.size()), key.data(),
              value);
  std::fflush(stdout);
}

// CPU time (user + system), page faults and disk reads of this process so far.
struct Usage {
  double cpu_seconds;
  double faults;
  // Reads that went to the disk (ru_inblock), in 512-byte units.
  double disk_reads;
};
inline Usage ProcessUsage() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return {
      static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
          static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6,
      static_cast<double>(u.ru_minflt + u.ru_majflt),
      static_cast<double>(u.ru_inblock)};
}

// kB of a field of /proc/self/status ("VmRSS:", "VmHWM:"), or -1.
inline long StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0)
      return std::atol(line.c_str() + std::strlen(field));
  }
  return -1;
}

// Commentary for the human watching (stderr, so results stay parseable).
template <typename... Args>
void Note(const char* format, Args... args) {
  std::fprintf(stderr, format, args...);
  std::fputc('\n', stderr);
}

// Latency samples in microseconds; percentiles by nearest rank.
class Latencies {
 public:
  void Add(double micros) { samples_.push_back(micros); }
  void Merge(const Latencies& other) {
    samples_.insert(samples_.end(), other.samples_.begin(),
                    other.samples_.end());
  }
  size_t size() const { return samples_.size(); }
  // The q-quantile (0 < q <= 1) in milliseconds; 0 without samples.
  double QuantileMs(double q) {
    if (samples_.empty()) return 0;
    std::sort(samples_.begin(), samples_.end());
    size_t rank = static_cast<size_t>(q * static_cast<double>(samples_.size()));
    rank = std::min(samples_.size() - 1, rank == 0 ? 0 : rank - 1);
    return samples_[rank] / 1000.0;
  }
  // Prints <prefix>.p50, .p99 and .p999 in milliseconds.
  void Report(const std::string& prefix) {
    Emit(prefix + ".p50", QuantileMs(0.50));
    Emit(prefix + ".p99", QuantileMs(0.99));
    Emit(prefix + ".p999", QuantileMs(0.999));
  }

 private:
  std::vector<double> samples_;
};

// Dies with a message: a benchmark that cannot run must not report a figure.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

// Flags of the form --name=value or --name value; a bare --name is "1".
class Flags {
 public:
  Flags(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a.rfind("--", 0) != 0) {
        positional_.push_back(a);
        continue;
      }
      a = a.substr(2);
      if (auto eq = a.find('='); eq != std::string::npos) {
        values_[a.substr(0, eq)] = a.substr(eq + 1);
      } else if (i + 1 < argc &&
                 std::string_view(argv[i + 1]).rfind("--", 0) != 0) {
        values_[a] = argv[++i];
      } else {
        values_[a] = "1";
      }
    }
  }
  std::string Get(const std::string& name, std::string fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  int64_t Int(const std::string& name, int64_t fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : std::atoll(it->second.c_str());
  }
  double Double(const std::string& name, double fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : std::atof(it->second.c_str());
  }
  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  // Dies naming the first flag not in `known`: a mistyped flag must not
  // leave a benchmark running on its defaults.
  void Allow(std::initializer_list<std::string_view> known) const {
    for (const auto& [name, value] : values_) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string list;
      for (std::string_view k : known) list += " --" + std::string(k);
      Fail("unknown flag --" + name + " (known:" + list + ")");
    }
  }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace carelog::bench
