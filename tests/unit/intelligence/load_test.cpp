// Training-load models: published definitions applied to constructed series whose values are computed by hand in
// the comments.

#include "pierre/intelligence/load.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pierre::intelligence {
namespace {

std::vector<DailyLoad> constant(std::int64_t first, int days, double load) {
  std::vector<DailyLoad> out;
  for (int i = 0; i < days; ++i) out.push_back({first + i, load});
  return out;
}

// ---- PMC: Banister et al. 1975 impulse-response, Coggan's CTL (τ 42) / ATL (τ 7) ----

TEST(Pmc, StepResponseReachesOneTimeConstant) {
  // A first-order system driven by a step reaches 1 − e^{−1} ≈ 63.2 % of the step after one time constant:
  // 100 TSS/day for 42 days from zero → CTL = 100·(1 − e^{−1}) = 63.21; ATL after 6 of its time constants
  // = 100·(1 − e^{−6}) = 99.75.
  const auto pmc = performance_management(constant(1000, 42, 100));
  ASSERT_TRUE(pmc);
  ASSERT_EQ(pmc->size(), 42u);
  EXPECT_NEAR(pmc->back().ctl, 100 * (1 - std::exp(-1.0)), 1e-9);
  EXPECT_NEAR(pmc->back().atl, 100 * (1 - std::exp(-6.0)), 1e-9);
  EXPECT_EQ(pmc->front().day, 1000);
  EXPECT_EQ(pmc->back().day, 1041);
}

TEST(Pmc, ImpulseDecaysAndFormIsYesterdays) {
  // One 100-TSS day, then rest through day 7. ATL on day 0 = 100·(1 − e^{−1/7}) = 13.31, and after 7 rest days
  // it is down by e^{−1}: 13.31·e^{−1} = 4.897. TSB on a day is yesterday's CTL − ATL (form going into it).
  const std::vector<DailyLoad> loads{{0, 100}};
  const auto pmc = performance_management(loads, {}, 7);
  ASSERT_TRUE(pmc);
  ASSERT_EQ(pmc->size(), 8u);
  const double atl0 = 100 * (1 - std::exp(-1.0 / 7));
  const double ctl0 = 100 * (1 - std::exp(-1.0 / 42));
  EXPECT_NEAR((*pmc)[0].atl, atl0, 1e-9);
  EXPECT_NEAR((*pmc)[0].ctl, ctl0, 1e-9);
  EXPECT_NEAR((*pmc)[0].tsb, 0, 1e-12);
  EXPECT_NEAR((*pmc)[1].tsb, ctl0 - atl0, 1e-9);
  EXPECT_NEAR((*pmc)[7].atl, atl0 * std::exp(-1.0), 1e-9);
  EXPECT_EQ((*pmc)[3].load, 0);
}

TEST(Pmc, ConfigurableConstantsAndStartValues) {
  // τ = 1 day: x_d = x_{d−1}·e^{−1} + L·(1 − e^{−1}); from 50 with L = 0 → 50·e^{−1}.
  PmcOptions o;
  o.ctl_time_constant_days = 1;
  o.atl_time_constant_days = 1;
  o.initial_ctl = 50;
  o.initial_atl = 50;
  const std::vector<DailyLoad> loads{{0, 0}};
  const auto pmc = performance_management(loads, o);
  ASSERT_TRUE(pmc);
  EXPECT_NEAR(pmc->front().ctl, 50 * std::exp(-1.0), 1e-9);
  EXPECT_NEAR(pmc->front().tsb, 0, 1e-12);
}

TEST(Pmc, DuplicatesSumAndBadInputIsRefused) {
  const std::vector<DailyLoad> twice{{5, 40}, {5, 60}};
  const std::vector<DailyLoad> once{{5, 100}};
  EXPECT_NEAR(performance_management(twice)->front().ctl, performance_management(once)->front().ctl, 1e-12);
  EXPECT_FALSE(performance_management(std::vector<DailyLoad>{}));
  EXPECT_FALSE(performance_management(std::vector<DailyLoad>{{0, -5}}));
  EXPECT_FALSE(performance_management(std::vector<DailyLoad>{{0, std::nan("")}}));
  PmcOptions bad;
  bad.ctl_time_constant_days = 0;
  EXPECT_FALSE(performance_management(once, bad));
}

TEST(Pmc, RampRate) {
  // Ramp rate = CTL(today) − CTL(7 days ago). With 100/day from zero: 100·(e^{−(n−7)/42} − e^{−n/42}), n = 14 days.
  const auto pmc = performance_management(constant(0, 14, 100));
  ASSERT_TRUE(pmc);
  EXPECT_NEAR(*ramp_rate_per_week(*pmc), 100 * (std::exp(-7.0 / 42) - std::exp(-14.0 / 42)), 1e-9);
  const auto week = performance_management(constant(0, 7, 100));
  EXPECT_FALSE(ramp_rate_per_week(*week));  // needs 8 days
}

// ---- ACWR: Gabbett 2016 (rolling averages), Williams et al. 2017 (EWMA) ----

TEST(Acwr, RollingSpikeAboveOnePointFive) {
  // Gabbett 2016: acute = last week's load, chronic = 4-week rolling average. 21 days at 50 then 7 days at 100:
  // acute = 100/day, chronic = (21·50 + 7·100)/28 = 62.5/day → ACWR = 1.6 (above the 1.5 "danger zone").
  auto loads = constant(0, 21, 50);
  for (const auto& l : constant(21, 7, 100)) loads.push_back(l);
  EXPECT_NEAR(*acwr_rolling(loads, 27), 1.6, 1e-12);
  // Steady training: 1.0.
  EXPECT_NEAR(*acwr_rolling(constant(0, 28, 70), 27), 1.0, 1e-12);
}

TEST(Acwr, RollingNeedsChronicHistory) {
  EXPECT_FALSE(acwr_rolling(constant(0, 27, 70), 26));  // 27 days of history < 28
  EXPECT_FALSE(acwr_rolling(std::vector<DailyLoad>{}, 0));
  // Rest all month after a load 30 days ago: chronic window is all zero → undefined.
  EXPECT_FALSE(acwr_rolling(std::vector<DailyLoad>{{0, 50}}, 40));
}

TEST(Acwr, EwmaWilliams2017) {
  // Williams et al. 2017: EWMA_today = load·λ + (1 − λ)·EWMA_yesterday, λ = 2/(N + 1): λa = 0.25, λc = 2/29.
  // Constant load L for 28 days from EWMA 0: acute = L(1 − 0.75²⁸) = 0.99968·L, chronic = L(1 − (27/29)²⁸) =
  // 0.86478·L → ratio 1.15599 (the chronic EWMA is still warming up).
  const double expected = (1 - std::pow(0.75, 28)) / (1 - std::pow(27.0 / 29.0, 28));
  EXPECT_NEAR(expected, 1.15599, 1e-4);
  EXPECT_NEAR(*acwr_ewma(constant(0, 28, 80), 27), expected, 1e-12);
  EXPECT_FALSE(acwr_ewma(constant(0, 10, 80), 9));
}

// ---- Foster 1998: monotony and strain ----

TEST(Monotony, AlternatingWeek) {
  // Loads 300, 0, 300, 0, 300, 0, 300: weekly 1200, mean 171.43, population SD 148.46 → monotony 1.1547,
  // strain 1200 × 1.1547 = 1385.6.
  const std::vector<DailyLoad> week{{0, 300}, {2, 300}, {4, 300}, {6, 300}};
  const auto m = monotony_strain(week, 6);
  ASSERT_TRUE(m);
  EXPECT_NEAR(m->weekly_load, 1200, 1e-9);
  EXPECT_NEAR(m->monotony, 1.1547, 1e-4);
  EXPECT_NEAR(m->strain, 1385.64, 0.01);
}

TEST(Monotony, IdenticalDaysAreUnbounded) {
  EXPECT_FALSE(monotony_strain(constant(0, 7, 100), 6));
  EXPECT_FALSE(monotony_strain(std::vector<DailyLoad>{}, 6));
}

}  // namespace
}  // namespace pierre::intelligence
