// Goal feasibility (intelligence/goals.hpp) against hand-computed values: the score's piecewise-linear scale, the
// constant weekly ramp solved from the geometric series, the verdicts for volume, VDOT and FTP goals, and the sources
// the volume reasons cite for each sport (running studies only for running goals).

#include "pierre/intelligence/goals.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace pierre::intelligence {
namespace {

using activity::SportType;
using ::testing::HasSubstr;
using ::testing::Not;

std::string joined(const Feasibility& f) {
  std::string all;
  for (const auto& r : f.reasons) all += r + "\n";
  return all;
}

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
  // Mean of the last 4 weeks = 40 / 4 = 10 per week. 7.5 %/week for 4 weeks:
  // 10·(1.075 + 1.155625 + 1.242296875 + 1.335469140625) = 48.08391015625.
  const std::vector<double> weeks{8, 12, 9, 11};
  const auto f = volume_goal_feasibility(48.08391015625, 4, weeks, SportType::run);
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
  const auto f = volume_goal_feasibility(30, 4, weeks, SportType::ride);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(f.score, 100);
  EXPECT_NEAR(f.required_rate, 7.5, 1e-12);
  EXPECT_NEAR(*f.required_increase, -0.25, 1e-12);
  EXPECT_LT(*f.weekly_ramp, 0.0);
}

TEST(GoalFeasibilityVolume, UnlikelyBeyondTheHeuristic) {
  // 25 %/week: 10·(1.25 + 1.5625 + 1.953125 + 2.44140625) = 72.0703125 → score 40 − 40·0.15/0.2 = 10.
  const std::vector<double> weeks{10, 10};
  const auto f = volume_goal_feasibility(72.0703125, 4, weeks, SportType::trail_run);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::unlikely);
  EXPECT_EQ(f.score, 10);
  EXPECT_NEAR(*f.weekly_ramp, 0.25, 1e-9);
  EXPECT_THAT(f.reasons.back(), HasSubstr("Nielsen"));
}

TEST(GoalFeasibilityVolume, EdgeCases) {
  const std::vector<double> none;
  const auto no_base = volume_goal_feasibility(20, 4, none, SportType::run);
  EXPECT_FALSE(no_base.data_sufficient);
  EXPECT_EQ(no_base.verdict, FeasibilityVerdict::challenging);
  EXPECT_EQ(no_base.score, 40);
  EXPECT_NEAR(no_base.required_rate, 5, 1e-12);

  const std::vector<double> zeros{0, 0, 0};
  EXPECT_FALSE(volume_goal_feasibility(20, 4, zeros, std::nullopt).data_sufficient);

  const auto done = volume_goal_feasibility(0, 4, zeros, std::nullopt);
  EXPECT_EQ(done.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(done.score, 100);

  const auto late = volume_goal_feasibility(5, 0, zeros, std::nullopt);
  EXPECT_EQ(late.verdict, FeasibilityVerdict::unlikely);
  EXPECT_EQ(late.score, 0);

  // Custom thresholds move the verdict: with a 30 % limit, 7.5 %/week is likely.
  FeasibilityOptions lenient;
  lenient.likely_weekly_ramp = 0.15;
  lenient.max_weekly_ramp = 0.30;
  const std::vector<double> tens{10, 10};
  const auto f = volume_goal_feasibility(48.08391015625, 4, tens, std::nullopt, lenient);
  EXPECT_EQ(f.verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(f.score, 85);  // 100 − 30·0.075/0.15
}

TEST(GoalFeasibilityVolume, LikelyTotalIsTheLikelyRampBound) {
  // 10·(1.05 + 1.1025 + 1.157625 + 1.21550625) = 45.2563125: exactly the 5 %/week ramp.
  EXPECT_NEAR(likely_volume_total(10, 4), 45.2563125, 1e-9);
  EXPECT_EQ(likely_volume_total(0, 4), 0.0);
  EXPECT_EQ(likely_volume_total(10, 0), 0.0);
  const std::vector<double> tens{10, 10, 10, 10};
  // Just under the bound (over 4 weeks or more) is likely; the total 10 % above the current volume is well inside.
  EXPECT_EQ(volume_goal_feasibility(likely_volume_total(10, 4) - 1e-9, 4, tens, SportType::run).verdict,
            FeasibilityVerdict::likely);
  EXPECT_EQ(volume_goal_feasibility(44, 4, tens, SportType::ride).verdict, FeasibilityVerdict::likely);
  EXPECT_EQ(volume_goal_feasibility(likely_volume_total(10, 4) * 1.01, 4, tens, SportType::run).verdict,
            FeasibilityVerdict::challenging);
}

TEST(GoalFeasibilityVolume, SteadyRampAcwr) {
  EXPECT_DOUBLE_EQ(steady_ramp_acwr(0), 1.0);
  EXPECT_NEAR(steady_ramp_acwr(0.05), 4 * 1.157625 / 4.310125, 1e-12);  // ≈ 1.074
  EXPECT_NEAR(steady_ramp_acwr(0.10), 4 * 1.331 / 4.641, 1e-12);        // ≈ 1.147
  EXPECT_NEAR(steady_ramp_acwr(0.25), 4 * 1.953125 / 5.765625, 1e-12);  // ≈ 1.355
}

// Running goals cite running studies; cycling, swimming and every-sport goals cite cross-sport sources (Gabbett 2016
// ACWR, ACSM/Garber et al. 2011) and never a running study or running volume. One goal per verdict and the no-data
// case: 10/week now, 4 weeks left.
TEST(GoalFeasibilityVolume, ReasonsCiteSourcesForTheGoalsSport) {
  const std::vector<double> tens{10, 10, 10, 10};
  const std::vector<double> none;
  struct Case {
    double remaining;
    std::span<const double> weeks;
    std::optional<FeasibilityVerdict> verdict;  // none: no data
  };
  const Case cases[] = {
      {44, tens, FeasibilityVerdict::likely},                   // ≈ 3.9 %/week
      {48.08391015625, tens, FeasibilityVerdict::challenging},  // 7.5 %/week
      {72.0703125, tens, FeasibilityVerdict::unlikely},         // 25 %/week
      {120, tens, FeasibilityVerdict::unlikely},                // ≈ 50 %/week: ACWR past 1.5
      {20, none, std::nullopt},
  };
  for (const auto& c : cases) {
    for (const std::optional<SportType> sport :
         {std::optional<SportType>(SportType::ride), std::optional<SportType>(SportType::virtual_ride),
          std::optional<SportType>(SportType::swim), std::optional<SportType>(SportType::yoga),
          std::optional<SportType>()}) {
      const auto f = volume_goal_feasibility(c.remaining, 4, c.weeks, sport);
      const auto text = joined(f);
      const auto label = (sport ? std::string(activity::sport_name(*sport)) : std::string("every sport")) + " " +
                         std::to_string(c.remaining) + ": " + text;
      if (c.verdict) {
        EXPECT_EQ(f.verdict, *c.verdict) << label;
        EXPECT_THAT(text, HasSubstr("Gabbett 2016")) << label;
      } else {
        EXPECT_FALSE(f.data_sufficient) << label;
        EXPECT_THAT(text, HasSubstr("Garber et al. 2011")) << label;
      }
      for (const char* running : {"Nielsen", "Buist", "running", "runner", "10 % rule"}) {
        EXPECT_THAT(text, Not(HasSubstr(running))) << label;
      }
    }
    const auto run = volume_goal_feasibility(c.remaining, 4, c.weeks, SportType::run);
    const auto run_text = joined(run);
    EXPECT_THAT(run_text, Not(HasSubstr("Gabbett"))) << run_text;
    EXPECT_THAT(run_text, Not(HasSubstr("Garber"))) << run_text;
    if (c.verdict == FeasibilityVerdict::unlikely) {
      EXPECT_THAT(run_text, HasSubstr("Nielsen et al. 2014"));
    }
  }
  // Where the ratio lands decides the band named: 25 %/week ≈ 1.36 (above 0.8–1.3), 50 %/week past 1.5.
  EXPECT_THAT(joined(volume_goal_feasibility(72.0703125, 4, tens, SportType::ride)), HasSubstr("above the 0.8–1.3"));
  EXPECT_THAT(joined(volume_goal_feasibility(120, 4, tens, SportType::ride)), HasSubstr("above about 1.5"));
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
