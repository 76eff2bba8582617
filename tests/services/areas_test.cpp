#include "services/areas.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace carelog {
namespace {

class AreasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "carelog-areas-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    storage::OpenOptions options;
    options.path = dir_;
    options.block_cache_bytes = 8u << 20;
    auto log = storage::OpenRocksDbEventLog(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    areas_ = std::make_unique<AreaService>(*log_);
  }
  void TearDown() override {
    areas_.reset();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  static schema::Area Barking(int64_t over65) {
    schema::Area area;
    area.set_name("Barking and Dagenham");
    auto* pop = area.add_population();
    pop->set_year(2014);
    pop->set_age0to17(58000);
    pop->set_age18to64(120000);
    pop->set_age65plus(static_cast<int32_t>(over65));
    return area;
  }

  // The plan of API.md's example.
  static schema::Plan ExamplePlan() {
    schema::Plan plan;
    plan.set_allocation_gbp(14000000);
    plan.set_performance_element_gbp(3700000);
    auto* t = plan.add_targets();
    t->set_metric("nonElectiveAdmissions");
    t->set_period("2015-16-Q1");
    t->set_baseline(6200);
    t->set_target(5983);
    for (const char* m : {"delayedDays", "reablement91"}) {
      auto* y = plan.add_targets();
      y->set_metric(m);
      y->set_period("2015-16");
      y->set_baseline(10);
      y->set_target(8);
    }
    auto* q1 = plan.add_tranches();
    q1->set_id("2015-16-Q1");
    q1->set_period("2015-16-Q1");
    q1->set_unit_cost_gbp(1490);
    auto* m = q1->add_metrics();
    m->set_metric("nonElectiveAdmissions");
    m->set_weight(1);
    auto* oct = plan.add_tranches();
    oct->set_id("oct-2015");
    oct->set_period("2015-16");
    oct->set_amount_gbp(1850000);
    for (const char* id : {"delayedDays", "reablement91"}) {
      auto* tm = oct->add_metrics();
      tm->set_metric(id);
      tm->set_weight(1);
    }
    return plan;
  }

  std::string dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<AreaService> areas_;
};

bool HasError(const Status& s, const std::string& field) {
  for (const auto& e : s.errors()) {
    if (e.field == field) return true;
  }
  return false;
}

TEST_F(AreasTest, CreateThenReplaceKeepsHistoryForAsOf) {
  auto first = areas_->PutArea("E09000002", Barking(20000), "admin");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->version, 1u);
  auto second = areas_->PutArea("E09000002", Barking(21000), "admin");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->version, 2u);
  EXPECT_GT(second->last_position, first->last_position);

  auto now = areas_->GetArea("E09000002");
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ((*now)->area.population(0).age65plus(), 21000);
  auto then = areas_->GetArea("E09000002", first->last_position);
  ASSERT_TRUE(then.ok() && then->has_value());
  EXPECT_EQ((*then)->area.population(0).age65plus(), 20000);
  auto before = areas_->GetArea("E09000002", first->last_position - 1);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
}

TEST_F(AreasTest, ListsDefinedAreasInCodeOrder) {
  ASSERT_TRUE(areas_->PutArea("E09000003", Barking(1), "admin").ok());
  ASSERT_TRUE(areas_->PutArea("E09000002", Barking(1), "admin").ok());
  ASSERT_TRUE(areas_->PutArea("E09000002", Barking(2), "admin").ok());
  auto list = areas_->ListAreas();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].area_code, "E09000002");
  EXPECT_EQ((*list)[0].version, 2u);
  EXPECT_EQ((*list)[1].area_code, "E09000003");
}

TEST_F(AreasTest, BadAreasAreRefusedAndNothingIsRecorded) {
  schema::Area nameless = Barking(1);
  nameless.clear_name();
  EXPECT_EQ(areas_->PutArea("E09000002", nameless, "admin").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(areas_->PutArea("X1", Barking(1), "admin").status().code(),
            Code::kInvalidArgument);
  schema::Area repeated = Barking(1);
  *repeated.add_population() = repeated.population(0);
  EXPECT_EQ(areas_->PutArea("E09000002", repeated, "admin").status().code(),
            Code::kRuleViolation);
  EXPECT_EQ(log_->LastPosition(), 0u);
}

// SPEC.md: a plan gives "per metric and period a baseline and a target";
// one left out is a mistake (400), not a silent 0 that changes the payment.
TEST_F(AreasTest, ATargetWithoutBaselineOrTargetIsMalformed) {
  schema::Plan no_baseline = ExamplePlan();
  no_baseline.mutable_targets(0)->clear_baseline();
  Status s = ValidatePlan("2015-16", no_baseline);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(HasError(s, "targets[0].baseline")) << s.ToString();
  schema::Plan no_target = ExamplePlan();
  no_target.mutable_targets(1)->clear_target();
  s = ValidatePlan("2015-16", no_target);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(HasError(s, "targets[1].target")) << s.ToString();
  schema::Plan zero = ExamplePlan();
  zero.mutable_targets(1)->set_target(0);  // given as 0: fine
  EXPECT_TRUE(ValidatePlan("2015-16", zero).ok());
}

// API.md's population entry has a year and three age bands; a band left out
// is a mistake (400), not 0 residents that would change every rate.
TEST_F(AreasTest, APopulationWithoutAnAgeBandIsMalformed) {
  for (const char* band : {"age0to17", "age18to64", "age65plus"}) {
    schema::Area area = Barking(20000);
    auto* pop = area.mutable_population(0);
    pop->GetReflection()->ClearField(
        pop, pop->GetDescriptor()->FindFieldByName(band));
    Status s = ValidateArea(area);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << band;
    EXPECT_TRUE(HasError(s, std::string("population[0].") + band))
        << s.ToString();
  }
  schema::Area zero = Barking(0);  // given as 0: fine
  EXPECT_TRUE(ValidateArea(zero).ok());
}

TEST_F(AreasTest, TheExamplePlanIsValidAndStoredAsEvents) {
  auto put = areas_->PutPlan("E09000002", "2015-16", ExamplePlan(), "admin");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(put->created);
  auto plan = areas_->GetPlan("E09000002", "2015-16");
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ((*plan)->plan.tranches_size(), 2);
  auto missing = areas_->GetPlan("E09000002", "2016-17");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(AreasTest, TrancheMetricNeedsATargetForTheTranchePeriod) {
  schema::Plan plan = ExamplePlan();
  plan.mutable_targets(0)->set_period("2015-16-Q2");
  Status s = ValidatePlan("2015-16", plan);
  EXPECT_EQ(s.code(), Code::kRuleViolation);
  EXPECT_TRUE(HasError(s, "tranches[0].metrics[0].metric")) << s.ToString();
}

TEST_F(AreasTest, ExactlyOneOfAmountAndUnitCost) {
  schema::Plan both = ExamplePlan();
  both.mutable_tranches(1)->set_unit_cost_gbp(10);
  EXPECT_TRUE(HasError(ValidatePlan("2015-16", both), "tranches[1]"));
  schema::Plan neither = ExamplePlan();
  neither.mutable_tranches(1)->clear_amount_gbp();
  Status s = ValidatePlan("2015-16", neither);
  EXPECT_EQ(s.code(), Code::kRuleViolation);
  EXPECT_TRUE(HasError(s, "tranches[1]"));
}

TEST_F(AreasTest, UnitCostTrancheHasExactlyOneMetric) {
  schema::Plan plan = ExamplePlan();
  auto* extra = plan.mutable_tranches(0)->add_metrics();
  extra->set_metric("nonElectiveAdmissions");
  extra->set_weight(1);
  Status s = ValidatePlan("2015-16", plan);
  EXPECT_EQ(s.code(), Code::kRuleViolation);
  EXPECT_TRUE(HasError(s, "tranches[0].metrics"));
}

TEST_F(AreasTest, UnknownMetricsAndBadPeriodsAreMalformed) {
  schema::Plan metric = ExamplePlan();
  metric.mutable_targets(0)->set_metric("admissions");
  Status s = ValidatePlan("2015-16", metric);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(HasError(s, "targets[0].metric"));
  schema::Plan period = ExamplePlan();
  period.mutable_tranches(1)->set_period("2015-16-Q5");
  s = ValidatePlan("2015-16", period);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(HasError(s, "tranches[1].period"));
  EXPECT_EQ(ValidatePlan("2015", ExamplePlan()).code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidatePlan("2015-16-Q1", ExamplePlan()).code(),
            Code::kInvalidArgument);
}

TEST_F(AreasTest, PlanAsItStood) {
  auto first = areas_->PutPlan("E09000002", "2015-16", ExamplePlan(), "admin");
  ASSERT_TRUE(first.ok());
  schema::Plan changed = ExamplePlan();
  changed.mutable_targets(0)->set_target(6000);
  ASSERT_TRUE(areas_->PutPlan("E09000002", "2015-16", changed, "admin").ok());
  auto then = areas_->GetPlan("E09000002", "2015-16", first->last_position);
  ASSERT_TRUE(then.ok() && then->has_value());
  EXPECT_EQ((*then)->plan.targets(0).target(), 5983);
  auto now = areas_->GetPlan("E09000002", "2015-16");
  EXPECT_EQ((*now)->plan.targets(0).target(), 6000);
}

// Figures so large that the totals computed from them would overflow (an
// int32 population total, int64 pence) are refused, naming the field; the
// bounds lie far above any real HWB and far below the overflow.
TEST_F(AreasTest, FiguresBeyondTheBoundsAreRefused) {
  schema::Area area = Barking(100'000'000);
  EXPECT_TRUE(ValidateArea(area).ok());
  area.mutable_population(0)->set_age65plus(100'000'001);
  Status s = ValidateArea(area);
  EXPECT_EQ(s.code(), Code::kRuleViolation);
  EXPECT_TRUE(HasError(s, "population[0].age65plus")) << s.ToString();

  schema::Plan rich = ExamplePlan();
  rich.set_allocation_gbp(1e12);
  EXPECT_TRUE(ValidatePlan("2015-16", rich).ok());
  rich.set_allocation_gbp(1e12 + 1);
  EXPECT_TRUE(HasError(ValidatePlan("2015-16", rich), "allocationGbp"));
  // Pence stay pence among billions, where value x 100 is not exact in a
  // double (10000000000.03 x 100 = 1000000000003.0001).
  rich.set_allocation_gbp(10000000000.03);
  EXPECT_TRUE(ValidatePlan("2015-16", rich).ok());
  rich.set_allocation_gbp(10000000000.001);
  EXPECT_TRUE(HasError(ValidatePlan("2015-16", rich), "allocationGbp"));

  schema::Plan far = ExamplePlan();
  far.mutable_targets(0)->set_baseline(-1e9 - 1);
  EXPECT_TRUE(HasError(ValidatePlan("2015-16", far), "targets[0].baseline"));

  schema::Plan heavy = ExamplePlan();
  heavy.mutable_tranches(1)->mutable_metrics(0)->set_weight(1e6 + 1);
  EXPECT_TRUE(HasError(ValidatePlan("2015-16", heavy),
                       "tranches[1].metrics[0].weight"));

  // The pot of the unitCostGbp tranche: (6200 - 5983) x unit cost.
  schema::Plan pot = ExamplePlan();
  pot.mutable_tranches(0)->set_unit_cost_gbp(4608294930);
  EXPECT_TRUE(ValidatePlan("2015-16", pot).ok());
  pot.mutable_tranches(0)->set_unit_cost_gbp(4608294931);
  EXPECT_TRUE(
      HasError(ValidatePlan("2015-16", pot), "tranches[0].unitCostGbp"));
}

}  // namespace
}  // namespace carelog
