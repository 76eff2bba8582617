// Helpers of the acceptance audit of the recording rules and identity
// (tests/e2e/rules_audit_test.cpp and its siblings): event bodies in SPEC.md's
// JSON names, a request for one person, and what a refusal names.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <string>
#include <vector>

#include "tests/e2e/e2e.h"

namespace carelog::e2e::rules {

// One event: {"eventId": id (a new one when empty), "occurredAt": at, payload}.
std::string Ev(const std::string& at, const std::string& payload,
               const std::string& id = "");
// personRegistered at `at` in `area`, born `birth`.
std::string Reg(const std::string& at = "2015-06-01T09:00:00+01:00",
                const std::string& birth = "1940-05-05",
                const std::string& area = LiveServer::kAreaA,
                const std::string& id = "");
// POST /v1/people/{nhs}/events with these events.
HttpAnswer Post(HttpClient& client, const std::string& nhs,
                const std::vector<std::string>& events);
// The `field` of every entry of a problem's errors[].
std::vector<std::string> ErrorFields(const HttpAnswer& answer);
// The first errors[].field, or "" (with a test failure) when there is none.
std::string FirstErrorField(const HttpAnswer& answer);
// An RFC 3339 UTC instant `seconds` from now (whole seconds, rounded down).
std::string NowPlus(int seconds);
// GET /v1/people/{nhs} as JSON (a test failure unless 200).
google::protobuf::Struct PersonView(HttpClient& client, const std::string& nhs);
// The person's version: the number of events in their stream (0 if unknown).
int Version(HttpClient& client, const std::string& nhs);
// The list `field` of `s` (empty when absent).
std::vector<google::protobuf::Struct> List(const google::protobuf::Struct& s,
                                           const std::string& field);
bool Has(const google::protobuf::Struct& s, const std::string& field);
// A valid NHS number (check digit computed) of the first nine digits, or "".
std::string WithCheckDigit(const std::string& nine);

// One rule case: a history recorded first (each event alone: 201), then a
// request answered `status`; a 422 names `field` first in errors[] and
// appends nothing.
struct RuleCase {
  std::string name;
  std::vector<std::string> history;
  std::vector<std::string> request;
  int status;
  std::string field;  // "" when 201
};
// Runs each case of `cases()` for its own person (TestNhsNumber(first + i)),
// calling `cases` again for each so that every person gets new event ids.
void RunRuleCases(HttpClient& client, std::vector<RuleCase> (*cases)(),
                  int first);

}  // namespace carelog::e2e::rules
