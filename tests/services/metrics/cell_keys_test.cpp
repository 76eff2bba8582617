// Cell keys by numbers: each kind's string is the one cells.h describes,
// written out by hand; a builder sums added cells and keeps the last assigned;
// CellList's delta arithmetic and an area's row encoding agree with the
// string-keyed Cells'.
#include "services/metrics/cell_keys.h"

#include <algorithm>

#include "carelog/events.pb.h"
#include "gtest/gtest.h"

namespace carelog::metrics {
namespace {

CellKey Key(Metric metric, std::string_view area = "E09000002") {
  CellKey k;
  k.area = AreaId(area);
  k.metric = metric;
  return k;
}

TEST(CellKeysTest, StringsAreTheCellsOfCellsH) {
  const uint32_t area = AreaId("E09000002");
  const Ymd jan{2015, 1, 31};
  EXPECT_EQ(CellName(PeriodCell(area, Metric::kNea, PeriodKind::kMonth, jan)),
            "E09000002|nea|2015-01");
  EXPECT_EQ(CellName(PeriodCell(area, Metric::kNv, PeriodKind::kQuarter, jan,
                                Field::kDen)),
            "E09000002|nv|2014-15-Q4|den");
  EXPECT_EQ(CellName(PeriodCell(area, Metric::kPa65, PeriodKind::kYear,
                                Ymd{2000, 4, 1})),
            "E09000002|pa65|2000-01");
  EXPECT_EQ(CellName(PeriodCell(area, Metric::kPa18, PeriodKind::kYear,
                                Ymd{1999, 12, 1})),
            "E09000002|pa18|1999-00");
  EXPECT_EQ(CellName(PeriodCell(area, Metric::kApc, PeriodKind::kMonth, jan,
                                Field::kNsd)),
            "E09000002|apc|2015-01|nsd");
  EXPECT_EQ(CellName(PeriodCell(area, Metric::kWd, PeriodKind::kMonth, jan,
                                Field::kWk)),
            "E09000002|wd|2015-01|wk");

  CellKey dd =
      PeriodCell(area, Metric::kDd, PeriodKind::kMonth, jan, Field::kAg);
  dd.code = schema::Agency::SOCIAL_CARE;
  EXPECT_EQ(CellName(dd), "E09000002|dd|2015-01|ag|SOCIAL_CARE");
  dd.field = Field::kRe;
  dd.code = kUnrecordedCode;
  EXPECT_EQ(CellName(dd), "E09000002|dd|2015-01|re|UNRECORDED");
  dd.code = schema::DelayReason::D2;
  EXPECT_EQ(CellName(dd), "E09000002|dd|2015-01|re|D2");

  CellKey open = Key(Metric::kDdo, "E06000001");
  open.code = kUnrecordedCode;
  open.code2 = schema::DelayReason::A;
  open.since = 1'420'070'400'000'000;
  open.days = -3'000;
  EXPECT_EQ(CellName(open),
            "E06000001|ddo|UNRECORDED|A|1420070400000000|-3000");

  CellKey package = Key(Metric::kApco);
  package.number = 24'180;
  package.sub = 1;
  EXPECT_EQ(CellName(package), "E09000002|apco|24180|1");
  package.metric = Metric::kApcs;
  package.sub = 0;
  EXPECT_EQ(CellName(package), "E09000002|apcs|24180");
}

TEST(CellKeysTest, AreasAreNumberedOnce) {
  const uint32_t a = AreaId("E08000001");
  EXPECT_EQ(AreaId("E08000001"), a);
  EXPECT_NE(AreaId("E08000002"), a);
  EXPECT_EQ(AreaName(a), "E08000001");
}

TEST(CellKeysTest, BuilderSumsAddsKeepsTheLastAssignedAndDropsZeros) {
  CellKey a = Key(Metric::kAe);
  CellKey b = Key(Metric::kNv);
  CellKey c = Key(Metric::kPx);
  CellListBuilder builder;
  builder.Add(a, 2);
  builder.Set(b, 1);
  builder.Add(c, 1);
  builder.Add(a, 3);
  builder.Set(b, 0);
  builder.Add(c, -1);
  CellList cells = builder.Take();
  EXPECT_EQ(cells, (CellList{{a, 5}}));
  EXPECT_TRUE(builder.empty());
  builder.Set(b, 0);
  builder.Set(b, 4);
  EXPECT_EQ(builder.Take(), (CellList{{b, 4}}));
}

TEST(CellKeysTest, DeltasAgreeWithTheStringKeyedCells) {
  CellKey ae = Key(Metric::kAe);
  CellKey nea = Key(Metric::kNea);
  CellKey px = Key(Metric::kPx, "E06000001");
  CellList before{{ae, 2}, {nea, 1}};
  CellList after{{ae, 2}, {px, 4}};
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  CellList delta = Diff(before, after);
  EXPECT_EQ(ToCells(delta), Diff(ToCells(before), ToCells(after)));
  ApplyDelta(before, delta);
  EXPECT_EQ(before, after);
  ASSERT_NE(FindCell(after, px), nullptr);
  EXPECT_EQ(*FindCell(after, px), 4);
  EXPECT_EQ(FindCell(after, nea), nullptr);
}

TEST(CellKeysTest, AnAreasRowIsEncodedInTheOrderOfItsStrings) {
  // "apco|..." sorts before "apc|..." as strings, "nv|2015-16-Q1" before
  // "nv|2015-16": not the order of the keys.
  const uint32_t area = AreaId("E09000002");
  const Ymd april{2015, 4, 2};
  CellListBuilder builder;
  builder.Add(
      PeriodCell(area, Metric::kApc, PeriodKind::kMonth, april, Field::kDen),
      1);
  CellKey open = Key(Metric::kApco);
  open.number = 24'183;
  builder.Add(open, 1);
  for (PeriodKind kind :
       {PeriodKind::kMonth, PeriodKind::kQuarter, PeriodKind::kYear}) {
    builder.Add(PeriodCell(area, Metric::kNv, kind, april, Field::kNum), -1);
  }
  CellList cells = builder.Take();
  CellNames names;
  EXPECT_EQ(EncodeAreaCells(cells.begin(), cells.end(), names),
            EncodeCells(CellsOfArea(ToCells(cells), "E09000002")));
  EXPECT_EQ(names.Full(open), "E09000002|apco|24183|0");
}

}  // namespace
}  // namespace carelog::metrics
