#include "gateway/person_json.h"

#include <cmath>
#include <string_view>

#include "gateway/json.h"

namespace carelog::gateway {
namespace {

// `object` (a JSON object as ToJson prints it: compact, ending in '}') with
// `members` ("name":value pairs, comma-separated) added at its end.
std::string WithMembers(std::string object, std::string_view members) {
  if (members.empty() || object.empty() || object.back() != '}') return object;
  object.pop_back();
  if (object.size() > 1) object += ',';
  object += members;
  object += '}';
  return object;
}

void AddNull(std::string& members, std::string_view name) {
  if (!members.empty()) members += ',';
  members += '"';
  members += name;
  members += "\":null";
}

}  // namespace

std::string PersonJson(schema::PersonView view) {
  std::string packages = "[";
  for (int i = 0; i < view.packages_size(); ++i) {
    const schema::PackageView& p = view.packages(i);
    std::string nulls;
    if (!p.has_scheme()) AddNull(nulls, "scheme");  // API.md names it
    if (!p.has_ended_at()) AddNull(nulls, "endedAt");
    if (!p.has_accountable_professional())
      AddNull(nulls, "accountableProfessional");
    if (i > 0) packages += ',';
    packages += WithMembers(ToJson(p), nulls);
  }
  packages += ']';
  view.clear_packages();
  std::string json = ToJson(view);
  // The empty list printed for the packages, replaced by the packages with
  // their nulls. Inside a JSON string every quote is escaped, so this key and
  // value can only be the member itself.
  constexpr std::string_view kEmpty = "\"packages\":[]";
  const size_t at = json.find(kEmpty);
  if (at != std::string::npos) {
    json.replace(at + kEmpty.size() - 2, 2, packages);
  }
  std::string nulls;
  if (!view.has_died_on()) AddNull(nulls, "diedOn");
  return WithMembers(std::move(json), nulls);
}

std::string RecordEventsJson(const api::RecordEventsResponse& answer) {
  const double position = answer.last_position();
  bool direct =
      position >= 0 && position < 1e15 && std::floor(position) == position;
  for (const char c : answer.nhs_number()) {
    direct = direct && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                        (c >= 'a' && c <= 'z'));
  }
  if (!direct) return ToJson(answer);
  std::string out;
  out.reserve(96);
  out += "{\"nhsNumber\":\"";
  out += answer.nhs_number();
  out += "\",\"firstVersion\":";
  out += std::to_string(answer.first_version());
  out += ",\"lastVersion\":";
  out += std::to_string(answer.last_version());
  out += ",\"lastPosition\":";
  out += std::to_string(static_cast<uint64_t>(position));
  out += '}';
  return out;
}

}  // namespace carelog::gateway
