// Cells: the hand-written wire format equals protobuf's MetricCellSet bytes,
// decodes back, and rejects bytes that are not a cell set; Diff leaves out
// zeros.
#include "services/metrics/cells.h"

#include <limits>

#include "carelog/projection.pb.h"
#include "gtest/gtest.h"
#include "services/metrics/cell_keys.h"

namespace carelog::metrics {
namespace {

Cells Sample() {
  Cells cells;
  cells["E09000002|nea|2014-04"] = 1;
  cells["E09000002|dd|2014-04|ag|NHS"] = -3;
  cells["E09000002|apcs|24172"] = 735'000;
  cells["E09000002|zero"] = 0;
  cells[std::string(200, 'k')] = std::numeric_limits<int64_t>::min();
  cells["max"] = std::numeric_limits<int64_t>::max();
  return cells;
}

TEST(CellsTest, EncodingIsProtobufsMetricCellSet) {
  Cells cells = Sample();
  schema::MetricCellSet set;
  for (const auto& [key, value] : cells) {
    schema::MetricCell* c = set.add_cells();
    c->set_key(key);
    c->set_value(value);
  }
  EXPECT_EQ(EncodeCells(cells), set.SerializeAsString());
  EXPECT_EQ(EncodeCells({}), "");
}

TEST(CellsTest, DecodeReadsBackWhatEncodeWrote) {
  Cells cells = Sample();
  Cells back{{"stale", 9}};
  ASSERT_TRUE(DecodeCells(EncodeCells(cells), back));
  EXPECT_EQ(back, cells);
}

TEST(CellsTest, DecodeAddsRepeatedKeys) {
  schema::MetricCellSet set;
  for (int64_t v : {4, -1}) {
    schema::MetricCell* c = set.add_cells();
    c->set_key("k");
    c->set_value(v);
  }
  Cells back;
  ASSERT_TRUE(DecodeCells(set.SerializeAsString(), back));
  EXPECT_EQ(back, (Cells{{"k", 3}}));
}

TEST(CellsTest, DecodeRejectsOtherBytes) {
  std::string good = EncodeCells(Sample());
  Cells out;
  EXPECT_FALSE(DecodeCells(good.substr(0, good.size() - 1), out));
  EXPECT_FALSE(DecodeCells("\x12\x01x", out));            // field 2
  EXPECT_FALSE(DecodeCells("\x0a\x05\x0a\x09key", out));  // key overruns
  EXPECT_FALSE(DecodeCells("\x0a", out));                 // no length
}

TEST(CellsTest, DiffLeavesOutZeros) {
  Cells before{{"a", 0}, {"b", 2}, {"c", 1}};
  Cells after{{"b", 2}, {"c", 3}, {"d", 0}, {"e", -1}};
  EXPECT_EQ(Diff(before, after), (Cells{{"c", 2}, {"e", -1}}));
  EXPECT_TRUE(Diff(after, after).empty());
}

}  // namespace
}  // namespace carelog::metrics

namespace carelog::metrics {
namespace {

// The labels are written by hand: the same text as "%04d-%02d" gives, on every
// day of seventy years around the metrics' ones; so are the period cells'
// (cell_keys.h), quarters included (April-June is Q1).
TEST(CellsTest, PeriodLabelsAsPrintfWritesThem) {
  const uint32_t area = AreaId("E09000002");
  auto cell = [&](PeriodKind kind, Ymd ymd) {
    return CellName(PeriodCell(area, Metric::kAe, kind, ymd));
  };
  auto printed = [](int a, int b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", a, b);
    return std::string(buf);
  };
  for (Date d = DateFromYmd(1980, 1, 1); d.days < DateFromYmd(2050, 1, 1).days;
       ++d.days) {
    Ymd ymd = ToYmd(d);
    const int fy = ymd.month >= 4 ? ymd.year : ymd.year - 1;
    ASSERT_EQ(MonthLabel(d), printed(ymd.year, ymd.month));
    ASSERT_EQ(YearLabel(d), printed(fy, (fy + 1) % 100));
    const int quarter = ((ymd.month + 8) % 12) / 3 + 1;
    ASSERT_EQ(cell(PeriodKind::kMonth, ymd), "E09000002|ae|" + MonthLabel(d));
    ASSERT_EQ(cell(PeriodKind::kQuarter, ymd),
              "E09000002|ae|" + YearLabel(d) + "-Q" + std::to_string(quarter));
    ASSERT_EQ(cell(PeriodKind::kYear, ymd), "E09000002|ae|" + YearLabel(d));
  }
  EXPECT_EQ(MonthLabel(DateFromYmd(2015, 4, 30)), "2015-04");
  EXPECT_EQ(YearLabel(DateFromYmd(2016, 3, 31)), "2015-16");
  EXPECT_EQ(YearLabel(DateFromYmd(1999, 4, 1)), "1999-00");
}

}  // namespace
}  // namespace carelog::metrics
