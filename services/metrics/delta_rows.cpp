#include "services/metrics/delta_rows.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>

#include "services/metrics/metric_rows.h"

namespace carelog::metrics {
namespace {

// [u32 value size][u64 position][value], native-endian.
constexpr size_t kHeader = 4 + 8;

}  // namespace

DeltaRowSpill::DeltaRowSpill(std::string directory, uint64_t range_positions)
    : directory_(std::move(directory)),
      range_positions_(std::max<uint64_t>(range_positions, 1)) {}

Result<size_t> DeltaRowSpill::Partition(std::string_view area, uint64_t range) {
  std::lock_guard lock(mu_);
  auto key = std::make_pair(std::string(area), range);
  auto it = partitions_.find(key);
  if (it != partitions_.end()) return it->second;
  if (!files_) {
    auto files = SpillFiles::Create(0, directory_);
    if (!files.ok()) return files.status();
    files_.emplace(std::move(*files));
  }
  auto file = files_->Add();
  if (!file.ok()) return file.status();
  partitions_.emplace(std::move(key), *file);
  return *file;
}

Status DeltaRowSpill::Append(size_t partition, std::string_view records) {
  std::lock_guard lock(mu_);
  return files_->Write(partition, records);
}

void DeltaRowSpill::AppendRecord(uint64_t position, std::string_view value,
                                 std::string& out) {
  const auto size = static_cast<uint32_t>(value.size());
  char header[kHeader];
  std::memcpy(header, &size, 4);
  std::memcpy(header + 4, &position, 8);
  out.append(header, kHeader).append(value);
}

Status DeltaRowSpill::ForEachInKeyOrder(
    const std::function<Status(std::string_view area,
                               std::span<const Row> rows)>& fn) {
  // A d| key is "d|<area>|<bucket>|<position>": areas compare as "<area>|"
  // ("E1|" after "E10|"), then a range's positions follow the last range's.
  struct Part {
    std::string ordered;  // "<area>|"
    uint64_t range;
    const std::string* area;
    size_t file;
  };
  std::vector<Part> parts;
  for (const auto& [key, file] : partitions_) {
    parts.push_back({key.first + "|", key.second, &key.first, file});
  }
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
    return a.ordered != b.ordered ? a.ordered < b.ordered : a.range < b.range;
  });
  std::vector<Row> rows;
  for (const Part& part : parts) {
    auto data = files_->ReadBack({part.file});
    if (!data.ok()) return data.status();
    rows.clear();
    for (std::string_view rest : (*data)->parts()) {
      while (!rest.empty()) {
        uint32_t size = 0;
        uint64_t position = 0;
        if (rest.size() < kHeader) break;
        std::memcpy(&size, rest.data(), 4);
        std::memcpy(&position, rest.data() + 4, 8);
        if (rest.size() - kHeader < size) break;
        rows.push_back({position, rest.substr(kHeader, size)});
        rest.remove_prefix(kHeader + size);
      }
      if (!rest.empty()) {
        return Status(Code::kInternal,
                      "a rebuild's metrics row file is malformed");
      }
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.position < b.position;
    });
    CARELOG_RETURN_IF_ERROR(fn(*part.area, rows));
  }
  return Status::Ok();
}

Status DeltaRowSpill::LoadInKeyOrder(storage::ProjectionLoad& load,
                                     uint64_t bucket_positions,
                                     size_t rows_per_batch) {
  bucket_positions = std::max<uint64_t>(bucket_positions, 1);
  rows_per_batch = std::max<size_t>(rows_per_batch, 1);
  // Rows made but not yet loaded: keys and values one after another in
  // `bytes`, each ending at the next offset of `ends`.
  struct Batch {
    std::string bytes;
    std::vector<size_t> ends;
  };
  std::mutex mu;
  std::condition_variable changed;
  std::deque<Batch> ready;   // made, not yet loaded
  std::vector<Batch> spare;  // loaded: their capacity
  bool made = false, stopped = false;
  Status making;
  std::thread maker([&] {
    Batch batch;
    auto hand_over = [&] {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return stopped || ready.size() < 2; });
      if (stopped) return false;
      ready.push_back(std::move(batch));
      batch = Batch();
      if (!spare.empty()) {
        batch = std::move(spare.back());
        spare.pop_back();
      }
      changed.notify_all();
      return true;
    };
    Status s = ForEachInKeyOrder(
        [&](std::string_view area, std::span<const Row> held) {
          for (const Row& row : held) {
            rows::AppendDeltaKey(batch.bytes, area,
                                 row.position / bucket_positions, row.position);
            batch.ends.push_back(batch.bytes.size());
            batch.bytes.append(row.value);
            batch.ends.push_back(batch.bytes.size());
            if (batch.ends.size() >= 2 * rows_per_batch && !hand_over()) {
              return Status(Code::kUnavailable, "the load failed");
            }
          }
          return Status::Ok();
        });
    if (s.ok() && !batch.ends.empty()) hand_over();
    std::lock_guard lock(mu);
    making = s;
    made = true;
    changed.notify_all();
  });
  Status loading;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return made || !ready.empty(); });
      if (ready.empty()) break;  // all made and loaded
      batch = std::move(ready.front());
      ready.pop_front();
      changed.notify_all();
    }
    const std::string_view bytes = batch.bytes;
    size_t at = 0;
    for (size_t i = 0; loading.ok() && i < batch.ends.size(); i += 2) {
      const size_t key_end = batch.ends[i], value_end = batch.ends[i + 1];
      loading = load.Add(bytes.substr(at, key_end - at),
                         bytes.substr(key_end, value_end - key_end));
      at = value_end;
    }
    std::lock_guard lock(mu);
    if (!loading.ok()) {
      stopped = true;
      changed.notify_all();
      break;
    }
    batch.bytes.clear();
    batch.ends.clear();
    spare.push_back(std::move(batch));
  }
  maker.join();
  return loading.ok() ? making : loading;
}

}  // namespace carelog::metrics
