// Performance models against Daniels' published VDOT table, Riegel's model and the critical-power model.

#include "pierre/intelligence/performance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pierre::intelligence {
namespace {

constexpr double k5k = 5000;
constexpr double k10k = 10000;
constexpr double kHalf = 21097.5;
constexpr double kMarathon = 42195;

double hms(int h, int m, int s) {
  return h * 3600.0 + m * 60.0 + s;
}

// Daniels' Running Formula, 3rd ed. (2014), Table 5.1 "VDOT values associated with times raced over popular
// distances" (as transcribed in github.com/tlgs/vdot, notebooks/2-analysis.ipynb):
// VDOT 30: 5K 30:40, 10K 63:46, half 2:21:04, marathon 4:49:17
// VDOT 49: 5K 20:18, marathon 3:14:06      VDOT 50: 5K 19:57, 10K 41:21, half 1:31:35, marathon 3:10:49
// VDOT 53: marathon 3:01:39               VDOT 54: marathon 2:58:47
// VDOT 70: 5K 14:55, 10K 31:00, half 1:08:21, marathon 2:23:10
struct TableRow {
  double vdot;
  double distance_m;
  double time_s;
};
const std::vector<TableRow> kDanielsTable{
    {30, k5k, hms(0, 30, 40)}, {30, k10k, hms(0, 63, 46)}, {30, kHalf, hms(2, 21, 4)},  {30, kMarathon, hms(4, 49, 17)},
    {50, k5k, hms(0, 19, 57)}, {50, k10k, hms(0, 41, 21)}, {50, kHalf, hms(1, 31, 35)}, {50, kMarathon, hms(3, 10, 49)},
    {70, k5k, hms(0, 14, 55)}, {70, k10k, hms(0, 31, 0)},  {70, kHalf, hms(1, 8, 21)},  {70, kMarathon, hms(2, 23, 10)},
};

TEST(Vdot, ReproducesDanielsTable) {
  for (const auto& row : kDanielsTable) {
    const auto v = vdot_from_race(row.distance_m, row.time_s);
    ASSERT_TRUE(v) << row.distance_m;
    EXPECT_NEAR(*v, row.vdot, 0.1) << row.distance_m << " m in " << row.time_s << " s";
  }
}

TEST(Vdot, BetweenTableRows) {
  // 5K in 20:00 lies between VDOT 49 (20:18) and 50 (19:57): linear interpolation 49 + 18/21 = 49.86 → ≈ 49.8.
  EXPECT_NEAR(*vdot_from_race(k5k, hms(0, 20, 0)), 49.8, 0.1);
  // Marathon 3:00:00 between VDOT 53 (3:01:39) and 54 (2:58:47): 53 + 99/172 = 53.58 → ≈ 53.5.
  const auto m = vdot_from_race(kMarathon, hms(3, 0, 0));
  ASSERT_TRUE(m);
  EXPECT_GT(*m, 53.0);
  EXPECT_LT(*m, 54.0);
  EXPECT_NEAR(*m, 53.5, 0.1);
}

TEST(Vdot, PredictsDanielsTableTimes) {
  // Predicted times within 0.2 % of the table (its times are rounded and, per the transcriber, not error-free).
  for (const auto& row : kDanielsTable) {
    const auto t = race_time_from_vdot_s(row.vdot, row.distance_m);
    ASSERT_TRUE(t);
    EXPECT_NEAR(*t, row.time_s, row.time_s * 0.002) << row.vdot << " @ " << row.distance_m;
  }
}

TEST(Vdot, RoundTripAndLimits) {
  const double t = hms(0, 43, 12);
  const auto v = vdot_from_race(k10k, t);
  ASSERT_TRUE(v);
  EXPECT_NEAR(*race_time_from_vdot_s(*v, k10k), t, 1e-3);
  EXPECT_FALSE(vdot_from_race(400, 60));  // sprint: outside the model
  EXPECT_FALSE(vdot_from_race(k5k, 0));
  EXPECT_FALSE(vdot_from_race(k5k, std::nan("")));
  EXPECT_FALSE(race_time_from_vdot_s(0, k5k));
  EXPECT_FALSE(race_time_from_vdot_s(50, 100));
}

TEST(Riegel, PowerLawWithExponent) {
  // Riegel 1981: T2 = T1·(D2/D1)^1.06. Published worked example (train.inquilinos.me, "Riegel race time
  // prediction"): a 22:00 5K projects to a 1:41:12 half marathon and a 3:31:00 marathon (to the second).
  EXPECT_NEAR(*riegel_time_s(hms(0, 22, 0), k5k, kHalf), hms(1, 41, 12), 1.0);
  EXPECT_NEAR(*riegel_time_s(hms(0, 22, 0), k5k, kMarathon), hms(3, 31, 0), 1.0);
  // Doubling the distance multiplies time by 2^1.06 = 2.0849 (by hand).
  EXPECT_NEAR(*riegel_time_s(1000, 5000, 10000) / 1000, 2.0849, 1e-4);
  EXPECT_NEAR(*riegel_time_s(1000, 5000, 10000, 1.0), 2000, 1e-9);  // configurable exponent
  EXPECT_FALSE(riegel_time_s(1000, 0, 10000));
  EXPECT_FALSE(riegel_time_s(1000, 5000, 10000, 0));
}

TEST(CriticalPower, RecoversTheTwoParameterModel) {
  // Monod & Scherrer's work–time line: work = W′ + CP·t. Efforts generated from CP 250 W, W′ 20 kJ
  // (P = 250 + 20000/t: 3 min 361.11 W, 12 min 277.78 W, 20 min 266.67 W) give the model back exactly.
  const std::vector<Effort> efforts{
      {180, 250 + 20000.0 / 180}, {720, 250 + 20000.0 / 720}, {1200, 250 + 20000.0 / 1200}};
  const auto m = critical_power(efforts);
  ASSERT_TRUE(m);
  EXPECT_NEAR(m->cp_w, 250, 1e-9);
  EXPECT_NEAR(m->w_prime_j, 20000, 1e-6);
  EXPECT_NEAR(m->r_squared, 1.0, 1e-12);
  EXPECT_NEAR(*critical_power_prediction_w(*m, 300), 250 + 20000.0 / 300, 1e-9);
  // FTP as the model's one-hour power: 250 + 20000/3600 = 255.56 W.
  EXPECT_NEAR(*ftp_from_critical_power_w(*m), 255.556, 0.001);
}

TEST(CriticalPower, NeedsTwoDistinctDurations) {
  EXPECT_FALSE(critical_power(std::vector<Effort>{{300, 300}}));
  EXPECT_FALSE(critical_power(std::vector<Effort>{{300, 300}, {300, 310}}));
  EXPECT_FALSE(critical_power(std::vector<Effort>{}));
  // Longer effort at higher power: W′ would be negative.
  EXPECT_FALSE(critical_power(std::vector<Effort>{{180, 200}, {1200, 300}}));
}

TEST(Ftp, NinetyFivePercentOfTwentyMinutes) {
  // Allen & Coggan: FTP ≈ 95 % of a 20-min best; 300 W → 285 W.
  EXPECT_NEAR(*ftp_from_20min_w(300), 285, 1e-9);
  EXPECT_FALSE(ftp_from_20min_w(0));
}

}  // namespace
}  // namespace pierre::intelligence
