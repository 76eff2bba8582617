// bench_latency's setup and p7 (ops/bench/latency.cpp): the areas and plans
// bench_store wrote PUT into a running `carelog serve`, then P7's timed reads
// (a year's metrics, the discharge worklist, metrics asOf).
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/bench/bench.h"
#include "ops/bench/http_client.h"
#include "ops/bench/workload.h"

namespace carelog::bench {

inline std::string Slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int Setup(const Flags& flags) {
  HttpClient client(flags.Get("url"));
  int count = 0;
  // Areas before plans: a plan names an area that must exist.
  for (int plans = 0; plans < 2; ++plans) {
    for (const auto& entry :
         std::filesystem::directory_iterator(flags.Get("areas"))) {
      const std::string name = entry.path().stem().string();
      const size_t at = name.find('@');
      if ((at != std::string::npos) != (plans == 1)) continue;
      const std::string target = at == std::string::npos
                                     ? "/v1/areas/" + name
                                     : "/v1/areas/" + name.substr(0, at) +
                                           "/plans/" + name.substr(at + 1);
      auto a = client.Send(boost::beast::http::verb::put, target,
                           flags.Get("token"), Slurp(entry.path()));
      if (a.status != 200 && a.status != 201)
        Fail("PUT " + target + ": " + std::to_string(a.status) + " " + a.body +
             a.error);
      ++count;
    }
  }
  Note("put %d areas and plans", count);
  return 0;
}

// One GET, timed; false (and a note) on anything but 200. `body`, if given,
// receives the answer's body.
inline bool Timed(HttpClient& client, const std::string& target,
                  const std::string& token, Latencies& out,
                  std::string* body = nullptr) {
  const auto t0 = std::chrono::steady_clock::now();
  auto a = client.Send(boost::beast::http::verb::get, target, token);
  out.Add(SecondsSince(t0) * 1e6);
  if (a.status != 200) {
    Note("GET %s: %d %s%s", target.c_str(), a.status,
         a.body.substr(0, 200).c_str(), a.error.c_str());
  }
  if (body != nullptr) *body = std::move(a.body);
  return a.status == 200;
}

// Records `count` people of `area` admitted in March 2016 and ready for
// discharge since before its end, still in hospital: the discharge worklist a
// coordinator would see the morning after the synthetic data (whose spells all
// end). Their numbers lie beyond the synthetic populations'; a second run finds
// them stored (200).
inline void RecordDelayedPeople(HttpClient& client, const std::string& token,
                                const std::string& area, int count) {
  uint64_t cursor = 8'000'000;
  for (int i = 0; i < count; ++i) {
    const std::string nhs = NextBenchNhsNumber(&cursor);
    char id[40];
    auto event = [&](int k, const std::string& day, const std::string& what) {
      std::snprintf(id, sizeof id, "b7e1c0de-0000-4000-8000-%06d%06d", i, k);
      return "{\"eventId\":\"" + std::string(id) +
             "\",\"occurredAt\":\"2016-03-" + day + "T10:00:00Z\"," + what +
             "}";
    };
    const std::string admitted = std::to_string(10 + i % 10);
    const std::string ready = std::to_string(20 + i % 8);
    const std::string body =
        "{\"events\":[" +
        event(1, "01",
              "\"personRegistered\":{\"birthDate\":\"1938-02-11\","
              "\"areaCode\":\"" +
                  area + "\"}") +
        "," +
        event(2, admitted,
              "\"hospitalAdmitted\":{\"spellId\":\"D1\",\"provider\":"
              "\"RF4\",\"site\":\"Bench General\",\"method\":"
              "\"EMERGENCY\"}") +
        "," + event(3, ready, "\"readyForDischarge\":{\"spellId\":\"D1\"}") +
        "]}";
    auto a = client.Send(boost::beast::http::verb::post,
                         "/v1/people/" + nhs + "/events", token, body);
    if (a.status != 201 && a.status != 200)
      Fail("POST delayed person " + nhs + ": " + std::to_string(a.status) +
           " " + a.body.substr(0, 300));
  }
}

inline int P7(const Flags& flags) {
  HttpClient client(flags.Get("url"));
  const std::string area = flags.Get("area");
  const int n = static_cast<int>(flags.Int("requests", 200));
  const std::string year =
      "/v1/areas/" + area + "/metrics?period=" + flags.Get("period", "2015-16");
  struct Query {
    std::string key, target, token;
    int every;  // asked on every n-th round
    Latencies latencies;
    bool works = true;
  };
  std::vector<Query> queries = {
      {"p7.metrics", year, flags.Get("commissioner"), 1, {}, true},
      {"p7.worklist",
       "/v1/worklists/discharge?area=" + area,
       flags.Get("coordinator"),
       1,
       {},
       true},
      {"p7.asof",
       year + "&asOf=" + flags.Get("as-of", "2015-10-01T00:00:00Z"),
       flags.Get("commissioner"),
       4,
       {},
       true}};
  RecordDelayedPeople(client, flags.Get("coordinator"), area,
                      static_cast<int>(flags.Int("delayed", 40)));
  // One warm-up of each (a query that fails is left out), then interleaved.
  // How many people the worklist shows is read off its warm-up: an empty one
  // would time the route without its items (nor their audit entries).
  std::string body;
  for (auto& q : queries) {
    Latencies warm;
    q.works = Timed(client, q.target, q.token, warm,
                    q.key == "p7.worklist" ? &body : nullptr);
  }
  {
    size_t items = 0;
    for (size_t at = body.find("\"nhsNumber\""); at != std::string::npos;
         at = body.find("\"nhsNumber\"", at + 1))
      ++items;
    Emit("p7.worklist.items", static_cast<double>(items));
  }
  for (int i = 0; i < n; ++i) {
    for (auto& q : queries) {
      if (q.works && i % q.every == 0)
        q.works = Timed(client, q.target, q.token, q.latencies);
    }
  }
  for (auto& q : queries) {
    if (q.works) q.latencies.Report(q.key);
  }
  return 0;
}

}  // namespace carelog::bench
