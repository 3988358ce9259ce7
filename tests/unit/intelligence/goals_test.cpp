// Goal feasibility (intelligence/goals.hpp) against hand-computed values: the score's piecewise-linear scale, the
// constant weekly ramp solved from the geometric series, and the verdicts for volume, VDOT and FTP goals.

#include "pierre/intelligence/goals.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace pierre::intelligence {
namespace {

using ::testing::HasSubstr;

constexpr double kLikely = 0.05;
constexpr double kMax = 0.10;

TEST(GoalFeasibilityScore, FallsFrom100To70To40To0) {
  EXPECT_EQ(feasibility_score(-0.2, kLikely, kMax), 100);
  EXPECT_EQ(feasibility_score(0.0, kLikely, kMax), 100);
  EXPECT_EQ(feasibility_score(0.025, kLikely, kMax), 85);  // 100 − 30·0.5
  EXPECT_EQ(feasibility_score(0.05, kLikely, kMax), 70);
  EXPECT_EQ(feasibility_score(0.075, kLikely, kMax), 55);  // 70 − 30·0.5
  EXPECT_EQ(feasibility_score(0.10, kLikely, kMax), 40);
  EXPECT_EQ(feasibility_score(0.20, kLikely, kMax), 20);  // 40 − 40·0.1/0.2
  EXPECT_EQ(feasibility_score(0.30, kLikely, kMax), 0);
  EXPECT_EQ(feasibility_score(0.90, kLikely, kMax), 0);
}

TEST(GoalFeasibilityRamp, SolvesTheGeometricSeries) {
  // 10/week growing 10 %/week for 4 weeks: 11 + 12.1 + 13.31 + 14.641 = 51.051.
  EXPECT_NEAR(*required_weekly_ramp(10, 51.051, 4), 0.10, 1e-9);
  // 5 %: 10.5 + 11.025 + 11.57625 + 12.1550625 = 45.2563125.
  EXPECT_NEAR(*required_weekly_ramp(10, 45.2563125, 4), 0.05, 1e-9);
  // Exactly the current rate: no growth.
  EXPECT_NEAR(*required_weekly_ramp(10, 40, 4), 0.0, 1e-9);
  // One week: 10·(1+g) = 12.
  EXPECT_NEAR(*required_weekly_ramp(10, 12, 1), 0.20, 1e-9);
  // Less than the current rate gives: negative growth.
  EXPECT_LT(*required_weekly_ramp(10, 30, 4), 0.0);
  EXPECT_FALSE(required_weekly_ramp(0, 30, 4));
  EXPECT_FALSE(required_weekly_ramp(10, 30, 0));
  EXPECT_FALSE(required_weekly_ramp(10, 0, 4));
}

TEST(GoalFeasibilityVolume, ChallengingNearTheTenPercentHeuristic) {
  // Mean of the last 8 weeks = 80 / 8 = 10 per week. 7.5 %/week for 4 weeks:
  // 10·(1.075 + 1.155625 + 1.242296875 + 1.335469140625) = 48.08391015625.
  const std::vector<double> weeks{8, 12, 10, 10, 9, 11, 10, 10};
  const auto f = volume_goal_feasibility(48.08391015625, 4, weeks);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::challenging);
  EXPECT_EQ(f.score, 55);
  EXPECT_NEAR(f.current_rate, 10, 1e-12);
  EXPECT_NEAR(f.required_rate, 12.0209775390625, 1e-9);
  ASSERT_TRUE(f.required_increase);
  EXPECT_NEAR(*f.required_increase, 0.20209775390625, 1e-9);
  ASSERT_TRUE(f.weekly_ramp);
  EXPECT_NEAR(*f.weekly_ramp, 0.075, 1e-9);
  EXPECT_TRUE(f.data_sufficient);
  ASSERT_EQ(f.reasons.size(), 2u);
  EXPECT_THAT(f.reasons[1], HasSubstr("10 %-per-week"));
}

TEST(GoalFeasibilityVolume, LikelyWhenTheCurrentRateSuffices) {
  const std::vector<double> weeks{10, 10, 10, 10};
  const auto f = volume_goal_feasibility(30, 4, weeks);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(f.score, 100);
  EXPECT_NEAR(f.required_rate, 7.5, 1e-12);
  EXPECT_NEAR(*f.required_increase, -0.25, 1e-12);
  EXPECT_LT(*f.weekly_ramp, 0.0);
}

TEST(GoalFeasibilityVolume, UnlikelyBeyondTheHeuristic) {
  // 25 %/week: 10·(1.25 + 1.5625 + 1.953125 + 2.44140625) = 72.0703125 → score 40 − 40·0.15/0.2 = 10.
  const std::vector<double> weeks{10, 10};
  const auto f = volume_goal_feasibility(72.0703125, 4, weeks);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::unlikely);
  EXPECT_EQ(f.score, 10);
  EXPECT_NEAR(*f.weekly_ramp, 0.25, 1e-9);
  EXPECT_THAT(f.reasons.back(), HasSubstr("Nielsen"));
}

TEST(GoalFeasibilityVolume, EdgeCases) {
  const std::vector<double> none;
  const auto no_base = volume_goal_feasibility(20, 4, none);
  EXPECT_FALSE(no_base.data_sufficient);
  EXPECT_EQ(no_base.verdict, FeasibilityVerdict::challenging);
  EXPECT_EQ(no_base.score, 40);
  EXPECT_NEAR(no_base.required_rate, 5, 1e-12);

  const std::vector<double> zeros{0, 0, 0};
  EXPECT_FALSE(volume_goal_feasibility(20, 4, zeros).data_sufficient);

  const auto done = volume_goal_feasibility(0, 4, zeros);
  EXPECT_EQ(done.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(done.score, 100);

  const auto late = volume_goal_feasibility(5, 0, zeros);
  EXPECT_EQ(late.verdict, FeasibilityVerdict::unlikely);
  EXPECT_EQ(late.score, 0);

  // Custom thresholds move the verdict: with a 30 % limit, 7.5 %/week is likely.
  FeasibilityOptions lenient;
  lenient.likely_weekly_ramp = 0.15;
  lenient.max_weekly_ramp = 0.30;
  const std::vector<double> tens{10, 10};
  const auto f = volume_goal_feasibility(48.08391015625, 4, tens, lenient);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(f.score, 85);  // 100 − 30·0.075/0.15
}

TEST(GoalFeasibilityVdot, DanielsOneUnitPerFourToSixWeeks) {
  // +2 VDOT in 20 weeks = 0.1/week ≤ 1/6: likely, 100 − 30·0.1·6 = 82.
  auto f = vdot_goal_feasibility(45.0, 47.0, 20);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(f.score, 82);
  EXPECT_NEAR(f.required_rate, 0.1, 1e-12);
  EXPECT_NEAR(f.current_rate, 1.0 / 6.0, 1e-12);
  EXPECT_THAT(f.reasons.back(), HasSubstr("Daniels"));
  // +2 in 10 weeks = 0.2/week, between 1/6 and 1/4: 70 − 30·(0.2 − 1/6)/(1/12) = 58.
  f = vdot_goal_feasibility(45.0, 47.0, 10);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::challenging);
  EXPECT_EQ(f.score, 58);
  // +2 in 5 weeks = 0.4/week: 40 − 40·(0.4 − 0.25)/0.5 = 28.
  f = vdot_goal_feasibility(45.0, 47.0, 5);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::unlikely);
  EXPECT_EQ(f.score, 28);
  // Already there; no data; deadline passed.
  EXPECT_EQ(vdot_goal_feasibility(48.0, 47.0, 5).score, 100);
  EXPECT_FALSE(vdot_goal_feasibility(std::nullopt, 47.0, 5).data_sufficient);
  EXPECT_EQ(vdot_goal_feasibility(45.0, 47.0, 0).verdict, FeasibilityVerdict::unlikely);
}

TEST(GoalFeasibilityFtp, AboutOnePercentPerWeek) {
  // 250 → 270 W in 10 weeks: 8 % → 0.8 %/week: 100 − 30·0.8 = 76.
  auto f = ftp_goal_feasibility(250.0, 270.0, 10);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(f.score, 76);
  EXPECT_NEAR(f.required_rate, 0.008, 1e-12);
  // 250 → 280 W: 12 % → 1.2 %/week: 70 − 30·0.2/0.5 = 58.
  f = ftp_goal_feasibility(250.0, 280.0, 10);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::challenging);
  EXPECT_EQ(f.score, 58);
  // 250 → 300 W: 20 % → 2 %/week: 40 − 40·0.5/3 = 33.3; more than one block gives.
  f = ftp_goal_feasibility(250.0, 300.0, 10);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::unlikely);
  EXPECT_EQ(f.score, 33);
  EXPECT_THAT(f.reasons.back(), HasSubstr("more than one training block"));
  EXPECT_EQ(ftp_goal_feasibility(300.0, 300.0, 10).score, 100);
  EXPECT_FALSE(ftp_goal_feasibility(std::nullopt, 300.0, 10).data_sufficient);
}

TEST(GoalFeasibilityVerdict, Names) {
  EXPECT_EQ(verdict_name(FeasibilityVerdict::likely), "likely");
  EXPECT_EQ(verdict_name(FeasibilityVerdict::challenging), "challenging");
  EXPECT_EQ(verdict_name(FeasibilityVerdict::unlikely), "unlikely");
}

}  // namespace
}  // namespace pierre::intelligence
