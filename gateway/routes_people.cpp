// Person routes (API.md "Person events"): POST events, GET the person, GET
// their event history. Roles practitioner and dischargeCoordinator of the
// person's current area (for a new person, the area of their personRegistered).
// Every answer on these routes is audited by Api.
#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>
#include <vector>

#include "carelog/events.pb.h"
#include "gateway/audit.h"
#include "gateway/http_metrics.h"
#include "gateway/json.h"
#include "gateway/person_json.h"
#include "gateway/problem.h"
#include "gateway/route_helpers.h"
#include "gateway/routes.h"
#include "services/nhs_number.h"
#include "services/person_state.h"
#include "services/person_view.h"
#include "services/recorder.h"

namespace carelog::gateway {

namespace {

constexpr int kMaxEvents = 1000;
constexpr uint64_t kMaxPage = 1000;

Result<std::string> PathNhsNumber(const RouteContext& ctx) {
  auto nhs = ParseNhsNumber(ctx.Param("nhsNumber"));
  if (!nhs.ok()) {
    return Status(Code::kInvalidArgument,
                  "invalid NHS number in the path: " + nhs.status().message(),
                  {{"nhsNumber", nhs.status().message()}});
  }
  return nhs;
}

// If-Match: "VERSION" (a bare number and W/"N" are taken too); nullopt when
// absent. `*` (any current version: the person exists) is kAnyVersion.
constexpr uint64_t kAnyVersion = std::numeric_limits<uint64_t>::max();

Result<std::optional<uint64_t>> IfMatch(const Request& request) {
  std::string_view text = request.Header("if-match");
  if (text.empty()) return std::optional<uint64_t>();
  if (text == "*") return std::optional<uint64_t>(kAnyVersion);
  if (text.substr(0, 2) == "W/") text.remove_prefix(2);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  uint64_t version = 0;
  auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), version);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status(Code::kInvalidArgument,
                  "If-Match must be a version in quotes, e.g. \"3\"",
                  {{"If-Match", "a version in quotes, e.g. \"3\""}});
  }
  return std::optional<uint64_t>(version);
}

// If-None-Match (RFC 9110 13.1.2): true when one of its entity tags is this
// version's (weak comparison: W/"3" matches "3") or it is `*`; tags that are
// not a version in quotes match nothing.
bool NoneMatch(const Request& request, uint64_t version) {
  std::string_view text = request.Header("if-none-match");
  const std::string current = std::to_string(version);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view tag = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view()
                                           : text.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"' &&
        tag.substr(1, tag.size() - 2) == current) {
      return true;
    }
  }
  return false;
}

// 304 Not Modified for a client that holds this version already: no body.
Response NotModified(uint64_t version) {
  Response response;
  response.status = 304;
  response.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  return response;
}

// Answers from the event log's thread once the events are durable (or at once
// when refused): no thread waits for the fsync. The person's area is checked in
// the person's turn, against the person as stored.
void PostEvents(const ApiContext& context, const RouteContext& ctx,
                Reply reply) {
  const auto refuse = [&reply](const Status& status) {
    reply(ProblemResponse(status), false);
  };
  auto nhs = PathNhsNumber(ctx);
  if (!nhs.ok()) return refuse(nhs.status());
  auto if_match = IfMatch(ctx.request);
  if (!if_match.ok()) return refuse(if_match.status());
  schema::RecordEventsRequest body;
  Status parsed = ParseJson(ctx.request.body, body);
  if (!parsed.ok()) return refuse(parsed);
  if (body.events_size() == 0) {
    return refuse(Status(Code::kInvalidArgument, "the request has no events",
                         {{"events", "at least one event is required"}}));
  }
  if (body.events_size() > kMaxEvents) {
    return refuse(Status(Code::kInvalidArgument,
                         "a request carries at most 1000 events, not " +
                             std::to_string(body.events_size()),
                         {{"events", "at most 1000 events"}}));
  }

  RecordRequest request;
  request.nhs_number = *nhs;
  // `*` (any current version) means the person exists.
  const bool any_version = *if_match == kAnyVersion;
  if (!any_version) request.if_match = *if_match;
  request.recorded_by = ctx.principal->name;
  request.known_new = ctx.known_new;
  // The request's audit entry (if it succeeds: 201) goes into the same commit
  // as its events: one fsync for both.
  if (ctx.audit != nullptr) request.audit = ctx.audit->entry_for(201);
  // The areas of the request's registrations, for a person who has no area
  // yet (unknown, or their registration retracted): the writer must cover
  // each, wherever it stands in the request (events may come in any order).
  std::vector<std::pair<std::string, std::string>> registered_areas;
  for (int i = 0; i < body.events_size(); ++i) {
    if (!body.events(i).has_person_registered()) continue;
    registered_areas.emplace_back(
        "events[" + std::to_string(i) + "].personRegistered.areaCode",
        body.events(i).person_registered().area_code());
  }
  request.events.reserve(static_cast<size_t>(body.events_size()));
  for (auto& e : *body.mutable_events()) request.events.push_back(std::move(e));
  request.admit = [principal = ctx.principal, any_version, nhs = *nhs,
                   registered_areas = std::move(registered_areas)](
                      const PersonState& person) -> Status {
    const uint64_t version = person.version();
    if (any_version && version == 0) {
      // People are never deleted: once they exist, `*` always matches.
      return Status(
          Code::kWrongVersion,
          "If-Match: * needs the person to exist; " + nhs + " has no events",
          {{"If-Match", "the person has no events yet"}});
    }
    const std::string_view area =
        version > 0 ? person.facts().area_code() : std::string_view();
    if (!area.empty()) return CheckPersonAccess(*principal, area);
    // No area yet (an unknown person, or one whose registration was
    // retracted): the person will live where the request registers them.
    for (const auto& [field, code] : registered_areas) {
      if (!IsAreaCode(code)) {
        return Status(Code::kInvalidArgument,
                      field + ": '" + code + "' is not an area code",
                      {{field, "E and 8 digits, e.g. E09000002"}});
      }
    }
    for (const auto& [field, code] : registered_areas) {
      CARELOG_RETURN_IF_ERROR(CheckPersonAccess(*principal, code));
    }
    // A request that registers no one has no area to check: the recorder
    // refuses it (422) for the role's holders.
    return Status::Ok();
  };
  context.recorder->RecordAsync(
      std::move(request),
      [metrics = context.metrics, audited = ctx.audit != nullptr,
       reply = std::move(reply)](Result<RecordOutcome> outcome) {
        if (!outcome.ok()) {
          reply(ProblemResponse(outcome.status()), false);
          return;
        }
        if (!outcome->duplicate && metrics != nullptr) {
          metrics->AddEventsAppended(outcome->last_version -
                                     outcome->first_version + 1);
        }
        api::RecordEventsResponse answer;
        answer.set_nhs_number(outcome->nhs_number);
        answer.set_first_version(static_cast<uint32_t>(outcome->first_version));
        answer.set_last_version(static_cast<uint32_t>(outcome->last_version));
        answer.set_last_position(static_cast<double>(outcome->last_position));
        Response response;
        response.status = outcome->duplicate ? 200 : 201;
        response.body = RecordEventsJson(answer);
        reply(std::move(response), audited && outcome->audit_id != 0);
      });
}

// Loads a known person the principal may read, or the problem to answer.
Result<PersonSnapshot> ReadablePerson(const ApiContext& context,
                                      const RouteContext& ctx,
                                      const std::string& nhs) {
  auto person = context.recorder->Load(nhs);
  if (!person.ok()) return person.status();
  if (person->version == 0) {
    return Status(Code::kNotFound,
                  "no person with NHS number " + nhs + " is recorded");
  }
  const std::string& area = person->state->facts().area_code();
  if (area.empty()) {
    // Their registration was retracted: they live in no area, so no area's
    // token covers them until they are registered again.
    return Status(Code::kPermissionDenied,
                  nhs +
                      " lives in no area (their registration was "
                      "retracted): register them again to read them");
  }
  CARELOG_RETURN_IF_ERROR(CheckPersonAccess(*ctx.principal, area));
  return person;
}

Response GetPerson(const ApiContext& context, const RouteContext& ctx) {
  auto nhs = PathNhsNumber(ctx);
  if (!nhs.ok()) return ProblemResponse(nhs.status());
  auto person = ReadablePerson(context, ctx, *nhs);
  if (!person.ok()) return ProblemResponse(person.status());
  if (NoneMatch(ctx.request, person->version)) {
    return NotModified(person->version);
  }
  Response response;
  response.body = PersonJson(RenderPerson(*nhs, *person->state));
  response.headers.emplace_back("ETag",
                                "\"" + std::to_string(person->version) + "\"");
  return response;
}

Response GetEvents(const ApiContext& context, const RouteContext& ctx) {
  auto nhs = PathNhsNumber(ctx);
  if (!nhs.ok()) return ProblemResponse(nhs.status());
  auto from = QueryNumber(ctx.request, "fromVersion", 1, 1, UINT32_MAX);
  if (!from.ok()) return ProblemResponse(from.status());
  auto limit = QueryNumber(ctx.request, "limit", 100, 1, kMaxPage);
  if (!limit.ok()) return ProblemResponse(limit.status());
  auto person = ReadablePerson(context, ctx, *nhs);
  if (!person.ok()) return ProblemResponse(person.status());
  // The page, its next version and its ETag all describe the person at one
  // version (a write landing meanwhile is left to the next read): a page of a
  // given version never changes, so If-None-Match can answer 304.
  const uint64_t head = person->version;
  if (NoneMatch(ctx.request, head)) return NotModified(head);
  std::vector<storage::RecordedEvent> records;
  if (*from <= head) {
    auto read = context.log->ReadStream(PersonStream(*nhs), *from,
                                        std::min(*limit, head - *from + 1));
    if (!read.ok()) return ProblemResponse(read.status());
    records = std::move(*read);
  }
  api::PersonEventsPage page;
  uint64_t next = *from;
  for (const auto& record : records) {
    auto rendered = RenderRecord(record, /*feed=*/false);
    if (!rendered.ok()) return ProblemResponse(rendered.status());
    *page.add_events() = std::move(*rendered);
    next = record.version + 1;
  }
  if (next <= head && !records.empty()) {
    page.mutable_next_from_version()->set_number_value(
        static_cast<double>(next));
  } else {
    page.mutable_next_from_version()->set_null_value(
        google::protobuf::NULL_VALUE);
  }
  Response response = JsonResponse(200, page);
  ShowMissingSectorAsNull(response.body);
  response.headers.emplace_back("ETag", "\"" + std::to_string(head) + "\"");
  return response;
}

}  // namespace

void AddPeopleRoutes(Router& router, const ApiContext& context) {
  const std::vector<Role> people = {Role::kPractitioner,
                                    Role::kDischargeCoordinator};
  auto bind = [context](
                  Response (*fn)(const ApiContext&, const RouteContext&)) {
    return [context, fn](const RouteContext& ctx) { return fn(context, ctx); };
  };
  // Areas are checked inside, once the person's area is known; Api audits every
  // answer.
  Route post_events{"POST",      "/v1/people/{nhsNumber}/events",
                    true,        people,
                    "nhsNumber", nullptr};
  post_events.async_handler = [context](const RouteContext& ctx, Reply reply) {
    PostEvents(context, ctx, std::move(reply));
  };
  // A person whose history would be read from the disk is read on a worker
  // thread: a stalled handling on the I/O thread holds every connection of the
  // thread, and P8 fell behind far more often with every write inline
  // (docs/PERFORMANCE.md, session 8). A person in memory, or a new one the
  // store rules out from memory alone, is handled inline (session 12).
  // A new person, seen from memory to decide, is not read again.
  post_events.inline_if = [recorder = context.recorder](RouteMatch& m) {
    auto it = m.params.find("nhsNumber");
    return it != m.params.end() &&
           recorder->RecordsFromMemory(NormalizeNhsNumber(it->second),
                                       &m.known_new);
  };
  router.Add(std::move(post_events));
  router.Add({"GET", "/v1/people/{nhsNumber}", true, people, "nhsNumber",
              bind(GetPerson)});
  router.Add({"GET", "/v1/people/{nhsNumber}/events", true, people, "nhsNumber",
              bind(GetEvents)});
}

}  // namespace carelog::gateway
