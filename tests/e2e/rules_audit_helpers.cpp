#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "services/nhs_number.h"
#include "tests/e2e/rules_audit.h"

namespace carelog::e2e::rules {

using google::protobuf::Struct;

std::string Ev(const std::string& at, const std::string& payload,
               const std::string& id) {
  return "{\"eventId\":\"" + (id.empty() ? NewEventId() : id) +
         "\",\"occurredAt\":\"" + at + "\"," + payload + "}";
}

std::string Reg(const std::string& at, const std::string& birth,
                const std::string& area, const std::string& id) {
  return Ev(at,
            R"("personRegistered":{"birthDate":")" + birth +
                R"(","areaCode":")" + area + R"("})",
            id);
}

HttpAnswer Post(HttpClient& client, const std::string& nhs,
                const std::vector<std::string>& events) {
  return client.Send("POST", "/v1/people/" + nhs + "/events",
                     EventsBody(events));
}

std::vector<std::string> ErrorFields(const HttpAnswer& answer) {
  std::vector<std::string> fields;
  Struct doc;
  if (!google::protobuf::util::JsonStringToMessage(answer.body, &doc).ok())
    return fields;
  auto it = doc.fields().find("errors");
  if (it == doc.fields().end()) return fields;
  for (const auto& e : it->second.list_value().values()) {
    auto f = e.struct_value().fields().find("field");
    if (f != e.struct_value().fields().end())
      fields.push_back(f->second.string_value());
  }
  return fields;
}

std::string FirstErrorField(const HttpAnswer& answer) {
  auto fields = ErrorFields(answer);
  EXPECT_FALSE(fields.empty()) << "no errors[] in " << answer.body;
  return fields.empty() ? std::string() : fields.front();
}

std::string NowPlus(int seconds) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) +
      seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Struct PersonView(HttpClient& client, const std::string& nhs) {
  auto answer = client.Get("/v1/people/" + nhs);
  EXPECT_EQ(answer.status, 200) << answer.body;
  return answer.status == 200 ? answer.Json() : Struct();
}

int Version(HttpClient& client, const std::string& nhs) {
  auto answer = client.Get("/v1/people/" + nhs);
  if (answer.status == 404) return 0;
  EXPECT_EQ(answer.status, 200) << answer.body;
  if (answer.status != 200) return -1;
  return static_cast<int>(Number(answer.Json(), "version"));
}

std::vector<Struct> List(const Struct& s, const std::string& field) {
  std::vector<Struct> out;
  auto it = s.fields().find(field);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values())
    out.push_back(v.struct_value());
  return out;
}

bool Has(const Struct& s, const std::string& field) {
  return s.fields().count(field) > 0;
}

std::string WithCheckDigit(const std::string& nine) {
  auto check = NhsCheckDigit(nine);
  return check ? nine + std::to_string(*check) : std::string();
}

void RunRuleCases(HttpClient& client, std::vector<RuleCase> (*cases)(),
                  int first) {
  const size_t count = cases().size();
  for (size_t i = 0; i < count; ++i) {
    const RuleCase c = cases()[i];
    SCOPED_TRACE(c.name);
    const std::string nhs = TestNhsNumber(first + static_cast<int>(i));
    bool ready = true;
    for (const auto& e : c.history) {
      auto setup = Post(client, nhs, {e});
      EXPECT_EQ(setup.status, 201) << setup.body;
      ready = ready && setup.status == 201;
    }
    if (!ready) continue;
    const int before = Version(client, nhs);
    auto answer = Post(client, nhs, c.request);
    EXPECT_EQ(answer.status, c.status) << answer.body;
    if (c.status == 422) {
      EXPECT_EQ(answer.Header("content-type"), "application/problem+json");
      EXPECT_EQ(FirstErrorField(answer), c.field) << answer.body;
      EXPECT_EQ(Version(client, nhs), before) << "nothing appended";
    } else {
      EXPECT_EQ(Version(client, nhs),
                before + static_cast<int>(c.request.size()));
    }
  }
}

}  // namespace carelog::e2e::rules
