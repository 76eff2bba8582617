// MetricsProjection's stream build (services/stream_build.h): the projection
// built person by person instead of in log order. A person's versions lie in
// position order, so folding one person's stream version by version and
// diffing the contribution after each event against the one before gives each
// event exactly the delta log-order Apply gives it. The deltas go out as the
// same d| rows, held in temporary files until the end (delta_rows.h) and then
// loaded in key order (EventLog::LoadProjection); their sums are the c|
// totals, and an area's totals before a bucket's first delta (the s|
// snapshot) is the sum of its deltas in all earlier buckets. The checkpoint is
// written once every row is loaded, so an interrupted build leaves rows
// without a checkpoint, which the runner drops.
#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "services/metrics/cell_keys.h"
#include "services/metrics/contribution.h"
#include "services/metrics/delta_rows.h"
#include "services/metrics/metric_rows.h"
#include "services/metrics/metrics_projection.h"
#include "services/metrics/person_history.h"

namespace carelog::metrics {

constexpr size_t kRowsPerBatch = 32768;  // delta rows made at a time
// Positions of one partition of an area's d| rows held until the end: what
// is read back and sorted at once (~1 M rows at most, ~170 MB).
constexpr uint64_t kRowRangePositions = uint64_t{1} << 20;
// A sink's bytes of a partition's rows before they go to its file.
constexpr size_t kRowBufferBytes = 64u << 10;

namespace {

// One sum of deltas: an area's cell in a bucket, by interned numbers.
struct SumKey {
  uint32_t area;
  uint32_t key;
  uint64_t bucket;
  bool operator==(const SumKey&) const = default;
};
struct SumKeyHash {
  size_t operator()(const SumKey& k) const {
    uint64_t h =
        (static_cast<uint64_t>(k.area) << 32 | k.key) * 0x9e3779b97f4a7c15ULL;
    h ^= (k.bucket + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};
using SumMap = FlatMap<SumKey, int64_t, SumKeyHash>;
using SumList = std::vector<std::pair<SumKey, int64_t>>;

}  // namespace

// The sums of deltas per (area, bucket, cell key), the keys interned: each
// sink's, so a key may appear once a sink. An area's totals are the sums over
// all its buckets.
struct MetricsProjection::BuildSums {
  explicit BuildSums(const std::string& spill_directory)
      : rows(spill_directory, kRowRangePositions) {}
  Interner strings;
  SumList sums;
  DeltaRowSpill rows;  // the d| rows, written at the end
};

MetricsProjection::MetricsProjection(uint64_t bucket_positions,
                                     size_t cached_events)
    : bucket_positions_(bucket_positions), max_cached_events_(cached_events) {}
MetricsProjection::~MetricsProjection() = default;

void MetricsProjection::ResetBuild() {
  std::lock_guard lock(build_mu_);
  build_sums_.reset();
}

// Folds the person streams handed to it, writing their delta rows; it sums
// the deltas by its own numbers and adds them to the build's at the end.
class MetricsProjection::Sink final : public StreamBuildSink {
 public:
  Sink(MetricsProjection& p, DeltaRowSpill& rows) : p_(p), rows_(rows) {}

  Status Stream(const BuildStream& s) override {
    PersonState state;
    state.Reserve(s.care);
    CellList before;
    CellList delta;
    for (size_t k = 0; k < s.care.size(); ++k) {
      state.Extend(s.care[k]);
      StepContribution(state, before, delta);
      if (!delta.empty())
        CARELOG_RETURN_IF_ERROR(Add(delta, s.recorded[k].position));
    }
    return Status::Ok();
  }

  Status ChunkDone() override { return Status::Ok(); }

  Status Flush() override {
    for (size_t p = 0; p < buffers_.size(); ++p) {
      if (buffers_[p].empty()) continue;
      CARELOG_RETURN_IF_ERROR(rows_.Append(p, buffers_[p]));
      std::string().swap(buffers_[p]);
    }
    AddSumsToBuild();
    return Status::Ok();
  }

 private:
  // As MetricsProjection::WriteDelta, the sums in place of the snapshots and
  // the row held for the end.
  Status Add(const CellList& delta, uint64_t position) {
    const uint64_t bucket = position / p_.bucket_positions_;
    const uint64_t range = position / rows_.range_positions();
    Status status;
    ForEachAreaRun(delta, [&](uint32_t, CellList::const_iterator first,
                              CellList::const_iterator last) {
      if (!status.ok()) return;
      row_cells_.clear();
      uint32_t area_id = 0;
      for (auto it = first; it != last; ++it) {
        const CellNames::Name name = names_.Of(it->first);
        area_id = name.area;
        sums_[{name.area, name.rest, bucket}] += it->second;
        row_cells_.emplace_back(strings().String(name.rest), it->second);
      }
      auto partition = PartitionOf(area_id, strings().String(area_id), range);
      if (!partition.ok()) {
        status = partition.status();
        return;
      }
      std::string& buffer = buffers_[*partition];
      row_bytes_.clear();
      AppendSortingCells(row_cells_, row_bytes_);
      DeltaRowSpill::AppendRecord(position, row_bytes_, buffer);
      if (buffer.size() >= kRowBufferBytes) {
        status = rows_.Append(*partition, buffer);
        buffer.clear();
      }
    });
    return status;
  }

  const Interner& strings() const { return names_.strings(); }

  // This sink's sums into the build's, by the build's numbers.
  void AddSumsToBuild() {
    std::vector<uint32_t> global(strings().size());
    std::lock_guard lock(p_.build_mu_);
    BuildSums& all = *p_.build_sums_;
    for (size_t id = 0; id < global.size(); ++id)
      global[id] = all.strings.Id(strings().String(id));
    all.sums.reserve(all.sums.size() + sums_.size());
    sums_.ForEach([&](const SumKey& key, int64_t value) {
      all.sums.push_back(
          {{global[key.area], global[key.key], key.bucket}, value});
    });
    sums_.Clear();
  }

  // The partition of this sink's area `area_id` (named `area`) and `range`,
  // with a buffer.
  Result<size_t> PartitionOf(uint32_t area_id, std::string_view area,
                             uint64_t range) {
    if (partitions_.size() <= area_id) partitions_.resize(area_id + 1);
    std::vector<size_t>& of_area = partitions_[area_id];
    if (of_area.size() <= range) of_area.resize(range + 1, kNone);
    if (of_area[range] == kNone) {
      auto partition = rows_.Partition(area, range);
      if (!partition.ok()) return partition.status();
      of_area[range] = *partition;
      if (buffers_.size() <= *partition) buffers_.resize(*partition + 1);
    }
    return of_area[range];
  }

  static constexpr size_t kNone = ~size_t{0};
  MetricsProjection& p_;
  DeltaRowSpill& rows_;
  CellNames names_;  // this sink's numbers
  // One row's cells by their strings (names_'s).
  std::vector<std::pair<std::string_view, int64_t>> row_cells_;
  std::string row_bytes_;  // their encoding
  SumMap sums_;            // of the deltas folded, by this sink's numbers
  // Partition of each (area number, range); records not yet appended, by
  // partition.
  std::vector<std::vector<size_t>> partitions_;
  std::vector<std::string> buffers_;
};

namespace {

// The s| rows: per area, the running sum of its earlier buckets; the sum of
// all of an area's buckets is its part of the totals (keys with the area).
// `snapshots` gets every (area, bucket) with a delta.
void WriteSnapshots(const Interner& strings, SumList& sums,
                    const std::string& name,
                    std::vector<storage::ProjectionWrite::Row>& out,
                    Cells& totals,
                    std::set<std::pair<std::string, uint64_t>>& snapshots) {
  // The areas' numbers ranked by name, then every sum in (area name, bucket)
  // order; within a bucket the order does not matter (a key comes once from
  // each sink that folded it, and the running sums add each in turn).
  std::vector<uint32_t> by_name(strings.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) {
    return strings.String(a) < strings.String(b);
  });
  std::vector<uint32_t> rank(by_name.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) rank[by_name[i]] = i;
  std::sort(sums.begin(), sums.end(), [&](const auto& a, const auto& b) {
    if (a.first.area != b.first.area)
      return rank[a.first.area] < rank[b.first.area];
    return a.first.bucket < b.first.bucket;
  });

  const std::string* area = nullptr;
  Cells running;
  auto close_area = [&] {
    for (const auto& [key, value] : running)
      totals.emplace(*area + "|" + key, value);
  };
  for (size_t at = 0; at < sums.size();) {
    const SumKey& first = sums[at].first;
    const std::string& this_area = strings.String(first.area);
    if (!area || *area != this_area) {
      if (area) close_area();
      area = &this_area;
      running.clear();
    }
    out.push_back({name, rows::SnapshotKey(this_area, first.bucket),
                   EncodeCells(running)});
    snapshots.emplace(this_area, first.bucket);
    // As ApplyDelta: keys that reach zero go, zero sums add nothing.
    for (; at < sums.size() && sums[at].first.area == first.area &&
           sums[at].first.bucket == first.bucket;
         ++at) {
      const int64_t value = sums[at].second;
      const std::string& key = strings.String(sums[at].first.key);
      auto it = running.find(key);
      if (it == running.end()) {
        if (value != 0) running.emplace(key, value);
      } else if ((it->second += value) == 0) {
        running.erase(it);
      }
    }
  }
  if (area) close_area();
}

}  // namespace

void MetricsProjection::Prepare(uint64_t last, const SpillOptions& spill) {
  (void)last;
  std::lock_guard lock(build_mu_);
  build_spill_directory_ = spill.directory;
}

std::unique_ptr<StreamBuildSink> MetricsProjection::NewSink(
    storage::EventLog& log) {
  (void)log;
  std::lock_guard lock(build_mu_);
  if (!build_sums_)
    build_sums_ = std::make_unique<BuildSums>(build_spill_directory_);
  return std::make_unique<Sink>(*this, build_sums_->rows);
}

Status MetricsProjection::Finish(storage::EventLog& log, uint64_t last) {
  const std::string name(Name());
  std::unique_ptr<BuildSums> all;
  {
    std::lock_guard lock(build_mu_);
    all = std::move(build_sums_);
  }
  if (!all) all = std::make_unique<BuildSums>(std::string());
  std::vector<storage::ProjectionWrite::Row> snapshot_rows;
  Cells totals;
  std::set<std::pair<std::string, uint64_t>> snapshots;
  WriteSnapshots(all->strings, all->sums, name, snapshot_rows, totals,
                 snapshots);
  SumList().swap(all->sums);
  // Every row is loaded in key order - the totals (c|), the deltas (d|),
  // then the snapshots (s|) - without a checkpoint; the checkpoint follows.
  std::sort(snapshot_rows.begin(), snapshot_rows.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  auto load = log.LoadProjection(name);
  if (!load.ok()) return load.status();
  for (const auto& [key, value] : totals) {
    CARELOG_RETURN_IF_ERROR((*load)->Add("c|" + key, rows::EncodeTotal(value)));
  }
  CARELOG_RETURN_IF_ERROR(
      all->rows.LoadInKeyOrder(**load, bucket_positions_, kRowsPerBatch));
  all.reset();
  for (const auto& row : snapshot_rows) {
    CARELOG_RETURN_IF_ERROR((*load)->Add(row.key, *row.value));
  }
  CARELOG_RETURN_IF_ERROR((*load)->Finish());
  storage::ProjectionWrite write;
  write.checkpoints.emplace_back(name, last);
  CARELOG_RETURN_IF_ERROR(log.WriteProjections(write));

  Abort();  // no pending batch, no cached people
  std::lock_guard<std::mutex> lock(mu_);
  totals_ = std::move(totals);
  snapshots_ = std::move(snapshots);
  applied_ = last;
  return Status::Ok();
}

}  // namespace carelog::metrics
