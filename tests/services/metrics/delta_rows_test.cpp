// The metrics build's d| rows held in temporary files (delta_rows.h): every
// row appended comes back once, whole, partition by partition in the order of
// the rows' keys, whatever order and threads appended them.
#include "services/metrics/delta_rows.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "services/metrics/metric_rows.h"
#include "tests/services/memory_event_log.h"

namespace carelog::metrics {
namespace {

struct Appended {
  std::string area;
  uint64_t position;
  std::string value;
};

// Appends `rows` through one buffer per partition, as a sink does.
void AppendAll(DeltaRowSpill& spill, const std::vector<Appended>& rows) {
  std::map<size_t, std::string> buffers;
  for (const Appended& row : rows) {
    auto partition =
        spill.Partition(row.area, row.position / spill.range_positions());
    ASSERT_TRUE(partition.ok()) << partition.status().message();
    std::string& buffer = buffers[*partition];
    DeltaRowSpill::AppendRecord(row.position, row.value, buffer);
    if (buffer.size() > 300) {
      ASSERT_TRUE(spill.Append(*partition, buffer).ok());
      buffer.clear();
    }
  }
  for (const auto& [partition, buffer] : buffers) {
    ASSERT_TRUE(spill.Append(partition, buffer).ok());
  }
}

TEST(DeltaRowSpill, GivesEveryRowBackInKeyOrder) {
  // "E10" sorts before "E1" in keys ("d|E10|" < "d|E1|"), and an empty value
  // and a long one come back whole.
  const std::vector<std::string> areas = {"E1", "E10", "E09000002", "W2"};
  std::mt19937_64 random(5);
  std::vector<Appended> rows;
  for (uint64_t position = 1; position <= 4000; ++position) {
    const std::string& area = areas[random() % areas.size()];
    std::string value(random() % 40, static_cast<char>('a' + position % 26));
    if (position == 77) value.assign(5000, 'z');
    rows.push_back({area, position, value});
  }
  std::vector<Appended> shuffled = rows;
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  DeltaRowSpill spill("", 300);  // 14 ranges of positions
  // Two threads, each half of the rows in no order.
  std::vector<Appended> first(shuffled.begin(),
                              shuffled.begin() + shuffled.size() / 2);
  std::vector<Appended> second(shuffled.begin() + shuffled.size() / 2,
                               shuffled.end());
  std::thread other([&] { AppendAll(spill, second); });
  AppendAll(spill, first);
  other.join();

  std::vector<std::pair<std::string, std::string>> got;  // key, value
  size_t partitions = 0;
  Status s = spill.ForEachInKeyOrder(
      [&](std::string_view area, std::span<const DeltaRowSpill::Row> held) {
        ++partitions;
        for (const auto& row : held) {
          EXPECT_EQ(row.position / 300, held.front().position / 300);
          got.emplace_back(
              rows::DeltaKey(area, row.position / 64, row.position),
              std::string(row.value));
        }
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<std::pair<std::string, std::string>> want;
  for (const Appended& row : rows) {
    want.emplace_back(rows::DeltaKey(row.area, row.position / 64, row.position),
                      row.value);
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);  // each once, in key order
  EXPECT_GT(partitions, areas.size() * 10);
}

// Loaded as the projection's d| rows: each row once, with its value, made in
// batches of the size asked; an Add that fails fails it (the thread making
// the rows stops too).
TEST(DeltaRowSpill, LoadsEveryRowAsADeltaRow) {
  std::vector<Appended> rows;
  for (uint64_t position = 1; position <= 1000; ++position) {
    rows.push_back({position % 3 ? "E09000002" : "E09000003", position,
                    "v" + std::to_string(position)});
  }
  DeltaRowSpill spill("", 128);
  AppendAll(spill, rows);
  testing::MemoryEventLog log;
  auto load = log.LoadProjection("metrics");
  ASSERT_TRUE(load.ok());
  ASSERT_TRUE(spill.LoadInKeyOrder(**load, 64, 100).ok());
  ASSERT_TRUE((*load)->Finish().ok());
  std::map<std::string, std::string> got;
  ASSERT_TRUE(
      log.ScanProjection("metrics", "",
                         [&](std::string_view key, std::string_view value) {
                           got.emplace(key, value);
                           return true;
                         })
          .ok());
  std::map<std::string, std::string> want;
  for (const Appended& row : rows) {
    want.emplace(rows::DeltaKey(row.area, row.position / 64, row.position),
                 row.value);
  }
  EXPECT_EQ(got, want);

  // A load whose rows must come after every row held: the first Add fails.
  DeltaRowSpill failing("", 128);
  AppendAll(failing, rows);
  testing::MemoryEventLog other;
  auto late = other.LoadProjection("metrics");
  ASSERT_TRUE(late.ok());
  ASSERT_TRUE((*late)->Add("z", "after every d| row").ok());
  Status s = failing.LoadInKeyOrder(**late, 64, 10);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
}

TEST(DeltaRowSpill, NothingAppendedGivesNothing) {
  DeltaRowSpill spill("", 100);
  int calls = 0;
  EXPECT_TRUE(spill
                  .ForEachInKeyOrder([&](std::string_view,
                                         std::span<const DeltaRowSpill::Row>) {
                    ++calls;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(calls, 0);
}

TEST(DeltaRowSpill, StopsAtTheFirstError) {
  DeltaRowSpill spill("", 100);
  AppendAll(spill, {{"A", 1, "x"}, {"B", 2, "y"}, {"C", 3, "z"}});
  int calls = 0;
  Status s = spill.ForEachInKeyOrder(
      [&](std::string_view, std::span<const DeltaRowSpill::Row>) {
        ++calls;
        return Status(Code::kIOError, "disk full");
      });
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_EQ(calls, 1);
}

// Its files go to the directory given: one that does not exist fails the
// first partition, naming it.
TEST(DeltaRowSpill, FilesGoToTheDirectoryGiven) {
  const std::string missing =
      std::filesystem::temp_directory_path() / "carelog-no-such-row-spill";
  std::filesystem::remove_all(missing);
  DeltaRowSpill refused(missing, 100);
  auto partition = refused.Partition("A", 0);
  ASSERT_FALSE(partition.ok());
  EXPECT_EQ(partition.status().code(), Code::kIOError);
  EXPECT_NE(partition.status().message().find(missing), std::string::npos)
      << partition.status().message();
  std::filesystem::create_directory(missing);
  {
    DeltaRowSpill spill(missing, 100);
    AppendAll(spill, {{"A", 1, "x"}});
    EXPECT_TRUE(std::filesystem::is_empty(missing));  // unlinked at once
  }
  std::filesystem::remove_all(missing);
}

}  // namespace
}  // namespace carelog::metrics
