#include "services/stream_build.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "services/recorder.h"
#include "services/stream_spill.h"

namespace carelog {
namespace {

constexpr size_t kChunkEvents = 4096;  // events read and folded as one unit
constexpr uint64_t kSamples = 16;      // reads of EstimateSpilledBytes
constexpr size_t kSampleEvents = 64;   // events of each

// Whole streams, each in version order, as spilled events of one spill file.
struct Chunk {
  std::shared_ptr<const SpillData> data;  // what `events` point into
  std::vector<std::string_view> events;
  std::vector<uint32_t> counts;  // events of each stream, in order
};

// Chunks from the scanning thread to the workers.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}
  // False when the queue was cancelled.
  bool Push(Chunk chunk) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return cancelled_ || queue_.size() < capacity_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(chunk));
    ready_.notify_one();
    return true;
  }
  // False when closed and empty, or cancelled.
  bool Pop(Chunk& chunk) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return cancelled_ || closed_ || !queue_.empty(); });
    if (cancelled_ || queue_.empty()) return false;
    chunk = std::move(queue_.front());
    queue_.pop_front();
    space_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    ready_.notify_all();
  }
  void Cancel(const Status& why) {
    std::lock_guard lock(mu_);
    if (error_.ok()) error_ = why;
    cancelled_ = true;
    ready_.notify_all();
    space_.notify_all();
  }
  Status error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<Chunk> queue_;
  bool closed_ = false, cancelled_ = false;
  Status error_;
};

// One worker: reads the chunks' events and hands each stream to the sinks.
class Worker {
 public:
  Worker(storage::EventLog& log, const std::vector<StreamBuild*>& builds) {
    for (StreamBuild* b : builds) {
      sinks_.push_back(b->NewSink(log));
      person_.push_back(b->WantsPersonStreams());
      other_.push_back(b->WantsOtherStreams());
    }
  }

  Status Fold(const Chunk& chunk) {
    // The events view the chunk's spilled bytes.
    if (recorded_.size() < chunk.events.size()) {
      recorded_.resize(chunk.events.size());
    }
    for (size_t i = 0; i < chunk.events.size(); ++i) {
      if (!ReadSpilled(chunk.events[i], recorded_[i])) {
        return Status(Code::kInternal, "a rebuild spill file is malformed");
      }
    }
    size_t next = 0;
    for (const uint32_t n : chunk.counts) {
      std::span<const SpilledEvent> recorded(recorded_.data() + next, n);
      next += n;
      const std::string_view name = recorded[0].stream;
      for (size_t k = 0; k < n; ++k) {
        if (recorded[k].stream != name || recorded[k].version != k + 1) {
          return Status(Code::kCorruption,
                        "stream " + std::string(name) + " is missing versions");
        }
      }
      const bool person = IsPersonStream(name);
      care_.clear();
      if (person) {
        for (size_t k = 0; k < n; ++k) {
          CARELOG_RETURN_IF_ERROR(Decode(recorded[k], k));
        }
      }
      BuildStream stream{name, recorded, care_};
      for (size_t i = 0; i < sinks_.size(); ++i) {
        if (person ? person_[i] : other_[i]) {
          CARELOG_RETURN_IF_ERROR(sinks_[i]->Stream(stream));
        }
      }
    }
    for (auto& sink : sinks_) CARELOG_RETURN_IF_ERROR(sink->ChunkDone());
    return Status::Ok();
  }

  Status Flush() {
    for (auto& sink : sinks_) CARELOG_RETURN_IF_ERROR(sink->Flush());
    return Status::Ok();
  }

 private:
  // Decodes `r`, the k-th event of its stream, into the worker's k-th care
  // event and appends that to care_. The event is reused when nothing else
  // holds it any more (the sinks let go of a stream's events when done with
  // it): its strings keep their memory from stream to stream.
  Status Decode(const SpilledEvent& r, size_t k) {
    if (events_.size() <= k) events_.resize(k + 1);
    std::shared_ptr<StoredCareEvent>& e = events_[k];
    if (!e || e.use_count() > 1) e = std::make_shared<StoredCareEvent>();
    CARELOG_RETURN_IF_ERROR(DecodeStoredCareEventInto(
        CareRecordView{r.stream, r.position, r.version, r.recorded_at_micros,
                       r.recorded_by, r.type, r.body},
        *e));
    care_.push_back(e);
    return Status::Ok();
  }

  std::vector<std::unique_ptr<StreamBuildSink>> sinks_;
  std::vector<bool> person_, other_;
  std::vector<SpilledEvent> recorded_;
  std::vector<std::shared_ptr<StoredCareEvent>> events_;  // to decode into
  std::vector<StoredCareEventPtr> care_;
};

// Reads positions [first, last] of the log in order, appending each wanted
// event to spill file `offset + (hash of its stream) % per_reader` and adding
// the positions passed to `read`. `progress()` false cancels.
Status SpillLog(storage::EventLog& log, uint64_t first, uint64_t last,
                bool persons, bool others, SpillFiles& files, size_t offset,
                size_t per_reader, size_t page_events,
                std::atomic<uint64_t>& read,
                const std::function<bool()>& progress) {
  const std::hash<std::string_view> hash;
  page_events = std::max<size_t>(page_events, 1);
  if (first > last) return Status::Ok();
  if (!progress()) return Status(Code::kUnavailable, "the build was cancelled");
  // Counted and asked whether to go on every `page_events` events.
  uint64_t counted = 0;
  Status written;
  bool cancelled = false;
  Status scanned =
      log.ScanLog(first, last, [&](const storage::RecordedEventView& e) {
        if (IsPersonStream(e.stream) ? persons : others) {
          const size_t file = offset + hash(e.stream) % per_reader;
          AppendSpilled(e, files.buffer(file));
          written = files.Written(file);
          if (!written.ok()) return false;
        }
        if (++counted < page_events) return true;
        read += counted;
        counted = 0;
        cancelled = !progress();
        return !cancelled;
      });
  read += counted;
  CARELOG_RETURN_IF_ERROR(scanned);
  CARELOG_RETURN_IF_ERROR(written);
  if (cancelled) return Status(Code::kUnavailable, "the build was cancelled");
  if (log.LastPosition() < last) {
    return Status(Code::kCorruption,
                  "the log ends before position " + std::to_string(last));
  }
  return Status::Ok();
}

// Reads the spill files `files` back and hands their streams, each in version
// order, to `push` in chunks of about kChunkEvents.
Status SortOut(SpillFiles& spill, const std::vector<size_t>& files,
               Chunk& chunk, const std::function<bool()>& push) {
  auto data = spill.ReadBack(files);
  if (!data.ok()) return data.status();
  struct Entry {
    size_t hash;  // of the stream: orders most pairs without comparing names
    std::string_view stream;
    uint64_t position;
    std::string_view bytes;
  };
  const std::hash<std::string_view> hash;
  // Counted first (a spilled event starts with its size), so that the
  // entries are not moved as their vector grows.
  size_t count = 0;
  for (std::string_view part : (*data)->parts()) {
    for (size_t at = 0; part.size() - at >= sizeof(uint32_t); ++count) {
      uint32_t size = 0;
      std::memcpy(&size, part.data() + at, sizeof size);
      if (size == 0) break;  // malformed: found below
      at += size;
    }
  }
  std::vector<Entry> entries;
  entries.reserve(count);
  for (std::string_view rest : (*data)->parts()) {
    while (!rest.empty()) {
      auto header = PeekSpilled(rest);
      if (!header) {
        return Status(Code::kInternal, "a rebuild spill file is malformed");
      }
      entries.push_back({hash(header->stream), header->stream, header->position,
                         rest.substr(0, header->size)});
      rest.remove_prefix(header->size);
    }
  }
  // By (hash, position): a stream's events together in version order without
  // comparing names. Streams whose names hash alike (a run of one hash with
  // more than one name) are then put in (name, position) order.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.position < b.position;
  });
  for (size_t at = 0; at < entries.size();) {
    size_t end = at + 1;
    bool one_name = true;
    for (; end < entries.size() && entries[end].hash == entries[at].hash;
         ++end) {
      one_name = one_name && entries[end].stream == entries[at].stream;
    }
    if (!one_name) {
      std::sort(entries.begin() + static_cast<std::ptrdiff_t>(at),
                entries.begin() + static_cast<std::ptrdiff_t>(end),
                [](const Entry& a, const Entry& b) {
                  return a.stream != b.stream ? a.stream < b.stream
                                              : a.position < b.position;
                });
    }
    at = end;
  }
  chunk.data = *data;
  for (size_t at = 0; at < entries.size();) {
    size_t end = at;
    while (end < entries.size() && entries[end].stream == entries[at].stream) {
      chunk.events.push_back(entries[end].bytes);
      ++end;
    }
    chunk.counts.push_back(static_cast<uint32_t>(end - at));
    at = end;
    if (chunk.events.size() >= kChunkEvents || at == entries.size()) {
      if (!push()) return Status(Code::kUnavailable, "the build was cancelled");
      chunk.data = *data;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> EstimateSpilledBytes(storage::EventLog& log, uint64_t last) {
  if (last == 0) return uint64_t{1};
  uint64_t bytes = 0, events = 0;
  for (uint64_t k = 0; k < kSamples; ++k) {
    auto page = log.ReadAll(1 + last * k / kSamples, kSampleEvents);
    if (!page.ok()) return page.status();
    for (const storage::RecordedEvent& e : *page) {
      if (e.position > last) break;
      bytes += SpilledSize(storage::View(e));
      ++events;
    }
  }
  if (events == 0) return uint64_t{1};
  // bytes / events * last, without the product's overflow.
  const long double per_event =
      static_cast<long double>(bytes) / static_cast<long double>(events);
  return std::max<uint64_t>(
      1, static_cast<uint64_t>(per_event * static_cast<long double>(last)));
}

void SortRowsByKey(std::vector<storage::ProjectionWrite::Row>& rows) {
  // Sorted as indices, then each row moved once along its cycle of the
  // permutation: a row is three strings, dear to swap around in the sort.
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return rows[a].key < rows[b].key; });
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] == i) continue;
    storage::ProjectionWrite::Row first = std::move(rows[i]);
    size_t at = i;
    while (order[at] != i) {
      const size_t from = order[at];
      rows[at] = std::move(rows[from]);
      order[at] = at;  // in place
      at = from;
    }
    rows[at] = std::move(first);
    order[at] = at;
  }
}

Status WriteSortedRows(storage::EventLog& log,
                       storage::ProjectionWrite& write) {
  SortRowsByKey(write.rows);
  Status s = log.WriteProjections(write);
  write.rows.clear();
  return s;
}

Status BuildStreamByStream(storage::EventLog& log, uint64_t last,
                           const std::vector<StreamBuild*>& builds, int threads,
                           const std::function<bool(uint64_t)>& progress,
                           const SpillOptions& spill_options) {
  bool persons = false, others = false;
  for (StreamBuild* b : builds) {
    persons = persons || b->WantsPersonStreams();
    others = others || b->WantsOtherStreams();
  }
  threads = std::max(1, threads);
  ChunkQueue queue(2 * static_cast<size_t>(threads));
  std::atomic<uint64_t> folded{0}, read{0};
  for (StreamBuild* b : builds) b->Prepare(last, spill_options);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t)
    workers.push_back(std::make_unique<Worker>(log, builds));
  std::vector<std::thread> running;
  for (auto& w : workers) {
    running.emplace_back([&queue, &folded, worker = w.get()] {
      Chunk chunk;
      while (queue.Pop(chunk)) {
        if (Status s = worker->Fold(chunk); !s.ok()) {
          queue.Cancel(s);
          return;
        }
        folded += chunk.events.size();
      }
      if (Status s = worker->Flush(); !s.ok()) queue.Cancel(s);
    });
  }
  Chunk chunk;
  auto push = [&] {
    if (chunk.events.empty()) return true;
    if (progress && !progress((read.load() + folded.load()) / 2)) {
      queue.Cancel(Status(Code::kUnavailable, "the build was cancelled"));
      return false;
    }
    bool pushed = queue.Push(std::move(chunk));
    chunk = Chunk();
    return pushed;
  };
  Status scanned = Status::Ok();
  if ((persons || others) && last > 0) {
    // Each reader thread reads its share of the log into files of its own;
    // file k of every reader holds the same streams.
    const uint64_t per_group = std::max<uint64_t>(spill_options.group_bytes, 1);
    auto estimate = EstimateSpilledBytes(log, last);
    scanned = estimate.status();
    const size_t per_reader =
        estimate.ok() ? static_cast<size_t>(std::min<uint64_t>(
                            (*estimate + per_group - 1) / per_group, last))
                      : 0;
    const auto readers = static_cast<size_t>(
        std::min<uint64_t>(static_cast<uint64_t>(threads), last));
    auto files =
        SpillFiles::Create(readers * per_reader, spill_options.directory);
    if (scanned.ok()) scanned = files.status();
    if (scanned.ok()) {
      std::atomic<bool> stop{false};
      std::vector<Status> spilled(readers);
      auto spill = [&](size_t r, const std::function<bool()>& go_on) {
        spilled[r] =
            SpillLog(log, 1 + last * r / readers, last * (r + 1) / readers,
                     persons, others, *files, r * per_reader, per_reader,
                     spill_options.page_events, read, go_on);
        if (!spilled[r].ok()) stop = true;
      };
      std::vector<std::thread> reading;
      for (size_t r = 1; r < readers; ++r) {
        reading.emplace_back(spill, r, [&] { return !stop.load(); });
      }
      // This thread reads the first share and asks `progress` (not
      // thread-safe) whether to go on.
      spill(0, [&] {
        if (stop.load() || (progress && !progress(read.load() / 2))) {
          stop = true;
        }
        return !stop.load();
      });
      for (std::thread& t : reading) t.join();
      for (const Status& s : spilled) {
        // A reader stopped by another's failure says "cancelled": keep the
        // failure.
        if (!s.ok() && (scanned.ok() || scanned.code() == Code::kUnavailable)) {
          scanned = s;
        }
      }
    }
    if (scanned.ok() && progress && !progress(read.load() / 2)) {
      scanned = Status(Code::kUnavailable, "the build was cancelled");
    }
    for (size_t k = 0; scanned.ok() && k < per_reader; ++k) {
      std::vector<size_t> of_k;
      for (size_t r = 0; r < readers; ++r) of_k.push_back(r * per_reader + k);
      scanned = SortOut(*files, of_k, chunk, push);
    }
    if (scanned.ok()) push();
    if (!scanned.ok()) queue.Cancel(scanned);
  }
  queue.Close();
  for (std::thread& t : running) t.join();
  // The first failure, which may have cancelled the rest.
  if (Status first = queue.error(); !first.ok()) scanned = first;
  if (!scanned.ok()) return scanned;
  workers.clear();
  for (StreamBuild* b : builds) CARELOG_RETURN_IF_ERROR(b->Finish(log, last));
  if (progress) progress(last);
  return Status::Ok();
}

}  // namespace carelog
