// The defaults of EventLog's virtual functions that are more than one call.
#include "storage/event_log.h"

#include <utility>

#include "storage/all_done.h"

namespace carelog::storage {

void EventLog::AppendAuditsAsync(
    std::vector<std::pair<std::string, std::string>> entries,
    std::function<void(Status)> done) {
  if (entries.empty()) {
    done(Status::Ok());
    return;
  }
  auto each = AllDone(entries.size(), std::move(done));
  for (auto& [subject, entry] : entries)
    AppendAuditAsync(subject, std::move(entry), each);
}

}  // namespace carelog::storage
