#include "gateway/audit.h"

#include <utility>

namespace carelog::gateway {

namespace {
const char kAuditSubjectPrefix[] = "person-";
}

api::AuditEntry AuditEntryOf(const Principal* principal, const Request& request,
                             const std::string& pattern) {
  api::AuditEntry entry;
  if (principal != nullptr) {
    entry.set_who(principal->name);
    if (!principal->name.empty()) entry.set_role(RoleName(principal->role));
  }
  entry.set_method(request.method);
  entry.set_route(pattern);
  entry.set_target(request.target);
  return entry;
}

Status AuditUnwritten(const Status& why) {
  return Status(Code::kUnavailable,
                "the audit trail cannot be written: " + why.message());
}

AuditNote AuditTrail::Note(std::string_view nhs_number,
                           api::AuditEntry entry) const {
  const int64_t now = clock_.NowMicros();
  entry.mutable_at()->set_seconds(now / 1000000);
  entry.mutable_at()->set_nanos(static_cast<int32_t>(now % 1000000) * 1000);
  entry.set_nhs_number(std::string(nhs_number));
  entry.clear_id();
  return AuditNote{kAuditSubjectPrefix + std::string(nhs_number),
                   entry.SerializeAsString()};
}

void AuditTrail::RecordAsync(std::string_view nhs_number, api::AuditEntry entry,
                             std::function<void(Status)> done) {
  AuditNote note = Note(nhs_number, std::move(entry));
  log_.AppendAuditAsync(note.subject, std::move(note.entry),
                        [done = std::move(done)](Result<uint64_t> id) {
                          done(id.ok() ? Status::Ok() : id.status());
                        });
}

void AuditTrail::RecordSeenAsync(const std::vector<std::string>& people,
                                 const api::AuditEntry& entry,
                                 std::function<void(Status)> done) {
  std::vector<std::pair<std::string, std::string>> notes;
  notes.reserve(people.size());
  for (const std::string& person : people) {
    AuditNote note = Note(person, entry);
    notes.emplace_back(std::move(note.subject), std::move(note.entry));
  }
  log_.AppendAuditsAsync(std::move(notes), std::move(done));
}

Result<api::AuditPage> AuditTrail::Read(std::string_view nhs_number,
                                        uint64_t after, size_t limit) {
  auto rows = log_.ReadAudit(kAuditSubjectPrefix + std::string(nhs_number),
                             after, limit + 1);
  if (!rows.ok()) return rows.status();
  api::AuditPage page;
  for (size_t i = 0; i < rows->size() && i < limit; ++i) {
    const auto& [id, bytes] = (*rows)[i];
    api::AuditEntry* entry = page.add_entries();
    if (!entry->ParseFromString(bytes)) {
      return Status(Code::kCorruption,
                    "audit entry " + std::to_string(id) + " cannot be read");
    }
    entry->set_id(static_cast<double>(id));
  }
  if (rows->size() > limit) {
    page.mutable_next_after()->set_number_value(
        static_cast<double>((*rows)[limit - 1].first));
  } else {
    page.mutable_next_after()->set_null_value(google::protobuf::NULL_VALUE);
  }
  return page;
}

}  // namespace carelog::gateway
