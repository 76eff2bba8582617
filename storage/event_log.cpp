// The defaults of EventLog's virtual functions that are more than one call.
#include "storage/event_log.h"

#include <algorithm>
#include <string>
#include <utility>

#include "storage/all_done.h"

namespace carelog::storage {

RecordedEventView View(const RecordedEvent& e) {
  return {e.position,           e.stream,      e.version,
          e.event_id,           e.type,        e.body,
          e.recorded_at_micros, e.recorded_by, e.content_hash};
}

Status EventLog::ScanLog(
    uint64_t from_position, uint64_t to_position,
    const std::function<bool(const RecordedEventView&)>& fn) {
  constexpr size_t kPage = 1000;
  const uint64_t last = std::min(to_position, LastPosition());
  for (uint64_t from = std::max<uint64_t>(from_position, 1); from <= last;) {
    auto page = ReadAll(
        from, static_cast<size_t>(std::min<uint64_t>(kPage, last - from + 1)));
    if (!page.ok()) return page.status();
    if (page->empty()) {
      return Status(Code::kCorruption,
                    "the log ends before position " + std::to_string(last));
    }
    for (const RecordedEvent& e : *page) {
      if (!fn(View(e))) return Status::Ok();
    }
    from = page->back().position + 1;
  }
  return Status::Ok();
}

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
