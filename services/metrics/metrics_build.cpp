// MetricsProjection::BuildFromLog: the projection built person by person
// instead of in log order. A person's versions lie in position order, so
// folding one person's stream version by version and diffing the contribution
// after each event against the one before gives each event exactly the delta
// log-order Apply gives it. The deltas go out as the same d| rows; their sums
// are the c| totals, and an area's totals before a bucket's first delta (the
// s| snapshot) is the sum of its deltas in all earlier buckets. Every row
// before the last write carries no checkpoint; the last write holds the totals
// and the checkpoint, so an interrupted build leaves rows without a checkpoint,
// which the runner drops.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "services/metrics/contribution.h"
#include "services/metrics/metric_rows.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/person_history.h"
#include "services/recorder.h"

namespace carelog::metrics {
namespace {

constexpr size_t kChunkEvents = 4096;    // events read and folded as one unit
constexpr size_t kRowsPerWrite = 32768;  // delta rows per write
constexpr size_t kSnapshotsPerWrite = 256;  // an area's totals each

struct Person {
  std::string stream;
  std::vector<uint64_t> positions;  // of versions 1..n
};
using Chunk = std::vector<Person>;

// The sums of deltas per (area, bucket): the area's cells (keys without the
// area). The totals are their sums over every bucket.
struct Sums {
  std::map<std::pair<std::string, uint64_t>, Cells> buckets;

  void MergeInto(Sums& all) {
    for (auto& [id, cells] : buckets) {
      auto [it, fresh] = all.buckets.try_emplace(id);
      if (fresh) {
        it->second = std::move(cells);
        continue;
      }
      for (const auto& [key, value] : cells) it->second[key] += value;
    }
    buckets.clear();
  }
};

// Folds the people of chunks, writing their delta rows.
class Folder {
 public:
  Folder(storage::EventLog& log, std::string_view name, uint64_t bucket)
      : log_(log), name_(name), bucket_positions_(bucket) {}

  Status Fold(const Chunk& chunk, Sums& sums) {
    std::vector<uint64_t> positions;
    for (const Person& p : chunk) {
      positions.insert(positions.end(), p.positions.begin(), p.positions.end());
    }
    auto events = log_.ReadEventsAt(positions);
    if (!events.ok()) return events.status();
    size_t next = 0;
    for (const Person& p : chunk) {
      CARELOG_RETURN_IF_ERROR(FoldPerson(p, *events, next, sums, write_));
      next += p.positions.size();
    }
    return write_.rows.size() >= kRowsPerWrite ? Flush() : Status::Ok();
  }

  // Writes the rows held, in key order: the memtable inserts a sorted run
  // far faster than keys in the random order people give them.
  Status Flush() {
    std::sort(
        write_.rows.begin(), write_.rows.end(),
        [](const storage::ProjectionWrite::Row& a,
           const storage::ProjectionWrite::Row& b) { return a.key < b.key; });
    Status s = log_.WriteProjections(write_);
    write_.rows.clear();
    return s;
  }

 private:
  Status FoldPerson(const Person& p, std::vector<storage::RecordedEvent>& all,
                    size_t first, Sums& sums, storage::ProjectionWrite& write) {
    PersonState state;
    Cells before;
    for (size_t k = 0; k < p.positions.size(); ++k) {
      const storage::RecordedEvent& r = all[first + k];
      if (r.stream != p.stream || r.version != k + 1) {
        return Status(Code::kCorruption,
                      "stream " + p.stream + " is missing versions");
      }
      auto e = DecodeStoredCareEvent(r);
      if (!e.ok()) return e.status();
      state.Extend({std::move(*e)});
      Cells now = ComputeContribution(PersonHistory(state));
      Cells delta = Diff(before, now);
      before = std::move(now);
      if (!delta.empty()) Add(delta, r.position, sums, write);
    }
    return Status::Ok();
  }

  // As MetricsProjection::WriteDelta, the sums in place of the snapshots.
  void Add(const Cells& delta, uint64_t position, Sums& sums,
           storage::ProjectionWrite& write) {
    const uint64_t bucket = position / bucket_positions_;
    ForEachArea(delta, [&](std::string_view area, Cells::const_iterator first,
                           Cells::const_iterator last) {
      const size_t strip = area.size() + 1;
      Cells& cells = sums.buckets[{std::string(area), bucket}];
      for (auto it = first; it != last; ++it) {
        cells[it->first.substr(strip)] += it->second;
      }
      write.rows.push_back({name_, rows::DeltaKey(area, bucket, position),
                            EncodeCells(first, last, strip)});
    });
  }

  storage::EventLog& log_;
  const std::string name_;
  const uint64_t bucket_positions_;
  storage::ProjectionWrite write_;  // rows not yet written
};

// Chunks from the scanning thread to the folding threads.
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

// The s| rows: per area, the running sum of its earlier buckets; the sum of
// all of an area's buckets is its part of the totals (keys with the area).
void WriteSnapshots(const Sums& all, const std::string& name,
                    std::vector<storage::ProjectionWrite::Row>& out,
                    Cells& totals) {
  const std::string* area = nullptr;
  Cells running;
  auto close_area = [&] {
    for (const auto& [key, value] : running)
      totals.emplace(*area + "|" + key, value);
  };
  for (const auto& [id, cells] : all.buckets) {
    if (!area || *area != id.first) {
      if (area) close_area();
      area = &id.first;
      running.clear();
    }
    out.push_back(
        {name, rows::SnapshotKey(id.first, id.second), EncodeCells(running)});
    ApplyDelta(running, cells);
  }
  if (area) close_area();
}

}  // namespace

Status MetricsProjection::BuildFromLog(
    uint64_t last, const std::function<bool(uint64_t)>& progress) {
  if (log_ == nullptr) return Status(Code::kInternal, "not loaded");
  const std::string name(Name());
  const int threads = std::max(1, build_threads_);
  ChunkQueue queue(2 * static_cast<size_t>(threads));
  std::mutex sums_mu;
  Sums all;
  std::atomic<uint64_t> folded{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      Folder folder(*log_, name, bucket_positions_);
      Chunk chunk;
      Sums mine;
      while (queue.Pop(chunk)) {
        Status s = folder.Fold(chunk, mine);
        if (!s.ok()) {
          queue.Cancel(s);
          return;
        }
        size_t n = 0;
        for (const Person& p : chunk) n += p.positions.size();
        folded += n;
        std::lock_guard lock(sums_mu);
        mine.MergeInto(all);
      }
      if (Status s = folder.Flush(); !s.ok()) queue.Cancel(s);
    });
  }
  Chunk chunk;
  size_t chunk_events = 0;
  auto push = [&] {
    if (chunk.empty()) return true;
    if (progress && !progress(folded.load())) {
      queue.Cancel(Status(Code::kUnavailable, "the build was cancelled"));
      return false;
    }
    chunk_events = 0;
    return queue.Push(std::move(chunk));
  };
  Status scanned = log_->ScanStreamPositions(
      kPersonStreamPrefix, last,
      [&](std::string_view stream, const std::vector<uint64_t>& positions) {
        chunk.push_back({std::string(stream), positions});
        chunk_events += positions.size();
        if (chunk_events < kChunkEvents) return true;
        bool more = push();
        chunk.clear();
        return more;
      });
  if (scanned.ok()) push();
  queue.Close();
  for (std::thread& w : workers) w.join();
  if (scanned.ok()) scanned = queue.error();
  if (!scanned.ok()) return scanned;

  // Snapshots first (no checkpoint), then the totals with the checkpoint.
  std::vector<storage::ProjectionWrite::Row> snapshot_rows;
  Cells totals;
  WriteSnapshots(all, name, snapshot_rows, totals);
  for (size_t i = 0; i < snapshot_rows.size(); i += kSnapshotsPerWrite) {
    storage::ProjectionWrite write;
    const size_t end = std::min(snapshot_rows.size(), i + kSnapshotsPerWrite);
    write.rows.assign(std::make_move_iterator(snapshot_rows.begin() + i),
                      std::make_move_iterator(snapshot_rows.begin() + end));
    CARELOG_RETURN_IF_ERROR(log_->WriteProjections(write));
  }
  std::set<std::pair<std::string, uint64_t>> snapshots;
  for (auto& [id, cells] : all.buckets) snapshots.insert(id);
  all.buckets.clear();
  storage::ProjectionWrite write;
  for (const auto& [key, value] : totals) {
    write.rows.push_back({name, "c|" + key, rows::EncodeTotal(value)});
  }
  write.checkpoints.emplace_back(name, last);
  CARELOG_RETURN_IF_ERROR(log_->WriteProjections(write));
  if (progress) progress(folded.load());

  Abort();  // no pending batch, no cached people
  std::lock_guard<std::mutex> lock(mu_);
  totals_ = std::move(totals);
  snapshots_ = std::move(snapshots);
  applied_ = last;
  return Status::Ok();
}

}  // namespace carelog::metrics
