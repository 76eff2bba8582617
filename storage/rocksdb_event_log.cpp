#include "storage/rocksdb_event_log.h"

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <limits>

#include "carelog/record.pb.h"
#include "storage/all_done.h"
#include "storage/keys.h"
#include "storage/log_checks.h"

namespace carelog::storage {

namespace {

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RecordedEvent ToRecordedEvent(schema::EventRecord&& r) {
  RecordedEvent e;
  e.position = r.position();
  e.stream = std::move(*r.mutable_stream());
  e.version = r.version();
  e.event_id = std::move(*r.mutable_event_id());
  e.type = std::move(*r.mutable_type());
  e.body = std::move(*r.mutable_body());
  e.recorded_at_micros = r.recorded_at_micros();
  e.recorded_by = std::move(*r.mutable_recorded_by());
  e.content_hash = std::move(*r.mutable_content_hash());
  return e;
}

// Iteration over [lower, upper) of one column family; `fill_cache` false reads
// blocks without keeping them in the block cache.
class RangeIterator {
 public:
  RangeIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                std::string lower, std::optional<std::string> upper,
                bool fill_cache = true)
      : lower_(std::move(lower)), upper_(std::move(upper)) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = fill_cache;
    if (upper_) {
      upper_slice_ = rocksdb::Slice(*upper_);
      ro.iterate_upper_bound = &upper_slice_;
    }
    it_.reset(db->NewIterator(ro, cf));
    it_->Seek(lower_);
  }
  rocksdb::Iterator* operator->() { return it_.get(); }
  Status status(std::string_view what) {
    return FromRocks(it_->status(), what);
  }

 private:
  std::string lower_;
  std::optional<std::string> upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// A ScanLog of at most this many positions fills the block cache; a longer
// one reads past it from its first block.
constexpr uint64_t kScanCachedPositions = 16384;

}  // namespace

Result<std::unique_ptr<EventLog>> OpenRocksDbEventLog(
    const OpenOptions& options) {
  auto log = RocksDbEventLog::Open(options);
  if (!log.ok()) return log.status();
  return std::unique_ptr<EventLog>(std::move(*log));
}

Result<std::unique_ptr<RocksDbEventLog>> RocksDbEventLog::Open(
    const OpenOptions& options) {
  auto store = RocksDbStore::Open(options);
  if (!store.ok()) return store.status();
  auto start = CheckOnOpen(**store);
  if (!start.ok()) {
    return Status(start.status().code(),
                  "the event log at " + options.path +
                      " fails its checks: " + start.status().message());
  }
  std::unique_ptr<RocksDbEventLog> log(new RocksDbEventLog(std::move(*store)));
  log->load_file_bytes_ = options.load_file_bytes;
  std::error_code ignored;  // files of a load cut short, never added
  std::filesystem::remove_all(log->LoadDirectory(), ignored);
  log->sequencer_ = std::make_unique<Sequencer>(
      log->store_.get(), std::move(*start), options.max_batch_events,
      options.stream_head_cache_entries,
      options.now_micros ? options.now_micros
                         : std::function<int64_t()>(SystemMicros));
  return log;
}

RocksDbEventLog::~RocksDbEventLog() {
  sequencer_.reset();
  (void)store_->Close();
}

Result<AppendResult> RocksDbEventLog::Append(AppendRequest request) {
  std::promise<Result<AppendResult>> promise;
  auto future = promise.get_future();
  sequencer_->AppendFromWaitingCaller(
      std::move(request),
      [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void RocksDbEventLog::AppendAsyncWithAudit(
    AppendRequest request, std::string audit_subject, std::string audit_entry,
    std::function<void(Result<AppendResult>)> done) {
  sequencer_->AppendWithAudit(std::move(request), std::move(audit_subject),
                              std::move(audit_entry), std::move(done));
}

void RocksDbEventLog::AppendAuditAsync(
    std::string_view subject, std::string entry,
    std::function<void(Result<uint64_t>)> done) {
  sequencer_->AppendAudit(std::string(subject), std::move(entry),
                          std::move(done));
}

void RocksDbEventLog::AppendAuditsAsync(
    std::vector<std::pair<std::string, std::string>> entries,
    std::function<void(Status)> done) {
  if (entries.empty()) {
    done(Status::Ok());
    return;
  }
  const size_t n = entries.size();
  sequencer_->AppendAudits(std::move(entries), AllDone(n, std::move(done)));
}

CommitStats RocksDbEventLog::Stats() const { return sequencer_->Stats(); }

void RocksDbEventLog::AppendAsync(
    AppendRequest request, std::function<void(Result<AppendResult>)> done) {
  sequencer_->Append(std::move(request), std::move(done));
}

Result<std::vector<RecordedEvent>> RocksDbEventLog::ReadPositions(
    const std::vector<uint64_t>& positions,
    const rocksdb::ReadOptions& options) {
  std::vector<size_t> order(positions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Most callers (a stream's history, one event) ask in ascending order.
  if (!std::is_sorted(positions.begin(), positions.end())) {
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return positions[a] < positions[b]; });
  }
  std::vector<std::string> keys;
  keys.reserve(positions.size());
  for (size_t i : order) keys.push_back(keys::LogKey(positions[i]));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  store_->db()->MultiGet(options, store_->log(), keys.size(), slices.data(),
                         values.data(), statuses.data(), /*sorted_input=*/true);
  std::vector<RecordedEvent> events(positions.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const uint64_t position = positions[order[k]];
    if (statuses[k].IsNotFound()) {
      return Status(Code::kCorruption, "position " + std::to_string(position) +
                                           " is indexed but not stored");
    }
    CARELOG_RETURN_IF_ERROR(FromRocks(statuses[k], "reading the log"));
    auto r = DecodeEventRecord(position, values[k].ToStringView());
    if (!r.ok()) return r.status();
    events[order[k]] = ToRecordedEvent(std::move(*r));
  }
  return events;
}

Result<std::vector<RecordedEvent>> RocksDbEventLog::ReadStream(
    std::string_view stream, uint64_t from_version, size_t max_count) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("stream", stream));
  std::vector<uint64_t> positions;
  const uint64_t durable = LastPosition();
  const uint64_t from = std::max<uint64_t>(from_version, 1);
  const std::string lower = keys::StreamPrefix(stream);
  const std::string upper = keys::StreamEnd(stream);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(ro, store_->stream()));
  // The run holding `from` starts at or before it.
  it->SeekForPrev(keys::StreamKey(stream, from));
  if (!it->Valid()) it->Seek(lower);
  bool done = max_count == 0;
  for (; it->Valid() && !done; it->Next()) {
    auto entry = keys::DecodeStreamEntry(it->key().ToStringView(),
                                         it->value().ToStringView());
    if (!entry) {
      return Status(
          Code::kCorruption,
          "a stream index entry of '" + std::string(stream) + "' is malformed");
    }
    const keys::StreamRun& run = entry->run;
    for (uint64_t v = std::max(from, run.first_version);
         v <= run.last_version(); ++v) {
      const uint64_t p = run.PositionOf(v);
      // Written, not yet durable: not there yet.
      done = p > durable || positions.size() == max_count;
      if (done) break;
      positions.push_back(p);
    }
  }
  CARELOG_RETURN_IF_ERROR(
      FromRocks(it->status(), "reading stream " + std::string(stream)));
  return ReadPositions(positions);
}

namespace {

// The version a stream's head row holds.
Result<uint64_t> DecodeHead(std::string_view stream, std::string_view head) {
  if (head.size() != 8) {
    return Status(
        Code::kCorruption,
        "the head of stream '" + std::string(stream) + "' is malformed");
  }
  return *keys::DecodeU64(head);
}

}  // namespace

Result<uint64_t> RocksDbEventLog::StreamVersion(std::string_view stream) {
  auto version = HeadVersion(stream, rocksdb::kReadAllTier);
  if (!version.ok()) return version.status();
  return **version;  // every tier may be read: never nullopt
}

Result<std::optional<uint64_t>> RocksDbEventLog::StreamVersionInMemory(
    std::string_view stream) {
  // kBlockCacheTier: the memtables, the block cache and the pinned filters
  // answer, or RocksDB says Incomplete instead of reading a table file.
  return HeadVersion(stream, rocksdb::kBlockCacheTier);
}

Result<std::optional<uint64_t>> RocksDbEventLog::HeadVersion(
    std::string_view stream, rocksdb::ReadTier tier) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("stream", stream));
  rocksdb::ReadOptions ro;
  ro.read_tier = tier;
  rocksdb::PinnableSlice head;
  const rocksdb::Status s = store_->db()->Get(
      ro, store_->head(), rocksdb::Slice(stream.data(), stream.size()), &head);
  if (s.IsIncomplete()) return std::optional<uint64_t>();
  if (s.IsNotFound()) return std::optional<uint64_t>(0);
  if (!s.ok()) return FromRocks(s, "reading head");
  auto version = DecodeHead(stream, head.ToStringView());
  if (!version.ok()) return version.status();
  return std::optional<uint64_t>(*version);
}

Result<std::vector<RecordedEvent>> RocksDbEventLog::ReadAll(
    uint64_t from_position, size_t max_count) {
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t last = LastPosition();
  std::vector<RecordedEvent> events;
  if (from > last || max_count == 0) return events;
  const uint64_t to = from - 1 + std::min<uint64_t>(max_count, last - from + 1);
  events.reserve(to - from + 1);
  CARELOG_RETURN_IF_ERROR(ScanLog(from, to, [&](const RecordedEventView& e) {
    events.push_back({e.position, std::string(e.stream), e.version,
                      std::string(e.event_id), std::string(e.type),
                      std::string(e.body), e.recorded_at_micros,
                      std::string(e.recorded_by), std::string(e.content_hash)});
    return true;
  }));
  return events;
}

Status RocksDbEventLog::ScanLog(
    uint64_t from_position, uint64_t to_position,
    const std::function<bool(const RecordedEventView&)>& fn) {
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t last = std::min(to_position, LastPosition());
  if (from > last) return Status::Ok();
  // A long scan (a rebuild, a verify, a backup, a catch-up's pages of ReadAll
  // read much of the log once) leaves the block cache to the reads that come
  // back: filling it would evict every block they keep there, and pay to
  // insert and evict each.
  RangeIterator it(store_->db(), store_->log(), keys::LogKey(from),
                   keys::LogKey(last + 1), last - from < kScanCachedPositions);
  schema::EventRecord r;  // parsed into again and again: no allocation
  uint64_t expected = from;
  for (; it->Valid(); it->Next(), ++expected) {
    const std::string_view key = it->key().ToStringView();
    if (key.size() != 8 || keys::DecodeU64(key) != expected) break;
    CARELOG_RETURN_IF_ERROR(
        DecodeEventRecordInto(expected, it->value().ToStringView(), r));
    const RecordedEventView view{
        r.position(),           r.stream(),      r.version(),
        r.event_id(),           r.type(),        r.body(),
        r.recorded_at_micros(), r.recorded_by(), r.content_hash()};
    if (!fn(view)) return Status::Ok();
  }
  CARELOG_RETURN_IF_ERROR(it.status("reading the log"));
  if (expected != last + 1) {
    return Status(Code::kCorruption, "position " + std::to_string(expected) +
                                         " is missing from the log");
  }
  return Status::Ok();
}

Result<std::optional<RecordedEvent>> RocksDbEventLog::FindEvent(
    std::string_view event_id) {
  auto dedup = store_->Get(store_->dedup(), event_id);
  if (!dedup.ok()) return dedup.status();
  if (!dedup->has_value()) return std::optional<RecordedEvent>();
  auto position = keys::DecodeDedup(**dedup);
  if (!position) {
    return Status(Code::kCorruption, "the dedup entry of event id '" +
                                         std::string(event_id) +
                                         "' is malformed");
  }
  if (*position > LastPosition()) return std::optional<RecordedEvent>();
  auto events = ReadPositions({*position});
  if (!events.ok()) return events.status();
  if (events->front().event_id != event_id) {
    return Status(Code::kCorruption, "event id '" + std::string(event_id) +
                                         "' is indexed at position " +
                                         std::to_string(*position) +
                                         ", which holds another event");
  }
  return std::optional<RecordedEvent>(std::move(events->front()));
}

uint64_t RocksDbEventLog::LastPosition() const {
  return sequencer_->LastPosition();
}

Result<uint64_t> RocksDbEventLog::PositionAtOrBefore(
    int64_t recorded_at_micros) {
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->time()));
  it->SeekForPrev(
      keys::TimeKey(recorded_at_micros, std::numeric_limits<uint64_t>::max()));
  if (!it->Valid()) {
    CARELOG_RETURN_IF_ERROR(FromRocks(it->status(), "reading the time index"));
    return uint64_t{0};
  }
  auto position = keys::DecodeU64(it->key().ToStringView().substr(8));
  if (!position || it->key().size() != 16) {
    return Status(Code::kCorruption, "a time index key is malformed");
  }
  // The index entry of a commit can be visible an instant before LastPosition
  // moves.
  return std::min(*position, LastPosition());
}

Result<uint64_t> RocksDbEventLog::AppendAudit(std::string_view subject,
                                              std::string entry) {
  std::promise<Result<uint64_t>> promise;
  auto future = promise.get_future();
  sequencer_->AppendAuditFromWaitingCaller(
      std::string(subject), std::move(entry),
      [&promise](Result<uint64_t> r) { promise.set_value(std::move(r)); });
  return future.get();
}

Result<std::vector<std::pair<uint64_t, std::string>>>
RocksDbEventLog::ReadAudit(std::string_view subject, uint64_t after_id,
                           size_t max_count) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("subject", subject));
  std::vector<std::pair<uint64_t, std::string>> entries;
  if (after_id == std::numeric_limits<uint64_t>::max()) return entries;
  RangeIterator it(store_->db(), store_->audit_subject(),
                   keys::AuditSubjectKey(subject, after_id + 1),
                   keys::StreamEnd(subject));
  for (; it->Valid() && entries.size() < max_count; it->Next()) {
    auto parts = keys::ParseStreamKey(it->key().ToStringView());
    if (!parts)
      return Status(Code::kCorruption,
                    "an audit subject index key is malformed");
    auto value = store_->Get(store_->audit(), keys::EncodeU64(parts->version));
    if (!value.ok()) return value.status();
    schema::AuditRecord record;
    if (!value->has_value() || !record.ParseFromString(**value) ||
        record.id() != parts->version || record.subject() != subject) {
      return Status(Code::kCorruption, "audit entry " +
                                           std::to_string(parts->version) +
                                           " is missing or malformed");
    }
    entries.emplace_back(record.id(), std::move(*record.mutable_entry()));
  }
  CARELOG_RETURN_IF_ERROR(it.status("reading the audit trail"));
  return entries;
}

Status RocksDbEventLog::VerifyFull() { return storage::VerifyFull(*store_); }

}  // namespace carelog::storage
