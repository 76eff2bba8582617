#include "services/stream_build.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "services/recorder.h"

namespace carelog {
namespace {

constexpr size_t kChunkEvents = 4096;  // events read and folded as one unit

struct Listed {
  std::string stream;
  std::vector<uint64_t> positions;  // of versions 1..n
};
using Chunk = std::vector<Listed>;

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
  Worker(storage::EventLog& log, const std::vector<StreamBuild*>& builds)
      : log_(log) {
    for (StreamBuild* b : builds) {
      sinks_.push_back(b->NewSink(log));
      person_.push_back(b->WantsPersonStreams());
      other_.push_back(b->WantsOtherStreams());
    }
  }

  Status Fold(const Chunk& chunk) {
    std::vector<uint64_t> positions;
    for (const Listed& s : chunk) {
      positions.insert(positions.end(), s.positions.begin(), s.positions.end());
    }
    auto events = log_.ReadEventsAt(positions);
    if (!events.ok()) return events.status();
    size_t next = 0;
    for (const Listed& s : chunk) {
      const size_t n = s.positions.size();
      std::span<const storage::RecordedEvent> recorded(events->data() + next,
                                                       n);
      next += n;
      for (size_t k = 0; k < n; ++k) {
        if (recorded[k].stream != s.stream || recorded[k].version != k + 1) {
          return Status(Code::kCorruption,
                        "stream " + s.stream + " is missing versions");
        }
      }
      const bool person = IsPersonStream(s.stream);
      care_.clear();
      if (person) {
        for (const storage::RecordedEvent& r : recorded) {
          auto e = DecodeStoredCareEvent(r);
          if (!e.ok()) return e.status();
          care_.push_back(std::move(*e));
        }
      }
      BuildStream stream{s.stream, recorded, care_};
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
  storage::EventLog& log_;
  std::vector<std::unique_ptr<StreamBuildSink>> sinks_;
  std::vector<bool> person_, other_;
  std::vector<StoredCareEventPtr> care_;
};

}  // namespace

Status WriteSortedRows(storage::EventLog& log,
                       storage::ProjectionWrite& write) {
  std::sort(
      write.rows.begin(), write.rows.end(),
      [](const storage::ProjectionWrite::Row& a,
         const storage::ProjectionWrite::Row& b) { return a.key < b.key; });
  Status s = log.WriteProjections(write);
  write.rows.clear();
  return s;
}

Status BuildStreamByStream(storage::EventLog& log, uint64_t last,
                           const std::vector<StreamBuild*>& builds, int threads,
                           const std::function<bool(uint64_t)>& progress) {
  bool persons = false, others = false;
  for (StreamBuild* b : builds) {
    persons = persons || b->WantsPersonStreams();
    others = others || b->WantsOtherStreams();
  }
  threads = std::max(1, threads);
  ChunkQueue queue(2 * static_cast<size_t>(threads));
  std::atomic<uint64_t> folded{0};
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
        size_t n = 0;
        for (const Listed& s : chunk) n += s.positions.size();
        folded += n;
      }
      if (Status s = worker->Flush(); !s.ok()) queue.Cancel(s);
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
  Status scanned = Status::Ok();
  if (persons || others) {
    scanned = log.ScanStreamPositions(
        others ? std::string_view() : kPersonStreamPrefix, last,
        [&](std::string_view stream, const std::vector<uint64_t>& positions) {
          if (IsPersonStream(stream) ? !persons : !others) return true;
          chunk.push_back({std::string(stream), positions});
          chunk_events += positions.size();
          if (chunk_events < kChunkEvents) return true;
          bool more = push();
          chunk.clear();
          return more;
        });
    if (scanned.ok()) push();
  }
  queue.Close();
  for (std::thread& t : running) t.join();
  if (scanned.ok()) scanned = queue.error();
  if (!scanned.ok()) return scanned;
  workers.clear();
  for (StreamBuild* b : builds) CARELOG_RETURN_IF_ERROR(b->Finish(log, last));
  if (progress) progress(folded.load());
  return Status::Ok();
}

}  // namespace carelog
