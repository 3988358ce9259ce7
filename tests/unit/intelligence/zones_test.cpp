// Zone systems against their published definitions and Daniels' published training-pace table.

#include "pierre/intelligence/zones.hpp"

#include "pierre/intelligence/performance.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pierre::intelligence {
namespace {

TEST(Tanaka, PublishedFormula) {
  // Tanaka, Monahan & Seals 2001: 208 − 0.7 × age; it meets the old 220 − age at 40 (180 bpm), is higher for older
  // adults (60 → 166 vs 160) and lower for young ones (20 → 194 vs 200).
  EXPECT_DOUBLE_EQ(*tanaka_max_hr_bpm(40), 180);
  EXPECT_DOUBLE_EQ(*tanaka_max_hr_bpm(60), 166);
  EXPECT_DOUBLE_EQ(*tanaka_max_hr_bpm(20), 194);
  EXPECT_FALSE(tanaka_max_hr_bpm(-1));
  EXPECT_FALSE(tanaka_max_hr_bpm(150));
}

TEST(HeartRateZones, Karvonen) {
  // Karvonen: target = rest + fraction × (max − rest). Rest 60, max 180: 70 % HRR = 60 + 0.7 × 120 = 144.
  const auto z = heart_rate_zones_karvonen(60, 180);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->method, "karvonen_hrr");
  EXPECT_EQ(z->unit, "bpm");
  ASSERT_EQ(z->zones.size(), 5u);
  EXPECT_DOUBLE_EQ(z->zones[0].min, 120);  // 50 %
  EXPECT_DOUBLE_EQ(z->zones[2].min, 144);  // 70 %
  EXPECT_DOUBLE_EQ(z->zones[4].min, 168);  // 90 %
  EXPECT_FALSE(z->zones[4].max);           // open top
  EXPECT_FALSE(heart_rate_zones_karvonen(180, 60));
}

TEST(HeartRateZones, PercentMax) {
  const auto z = heart_rate_zones_percent_max(200);
  ASSERT_TRUE(z);
  EXPECT_DOUBLE_EQ(z->zones[1].min, 120);
  EXPECT_DOUBLE_EQ(*z->zones[1].max, 140);
  EXPECT_FALSE(heart_rate_zones_percent_max(0));
}

TEST(HeartRateZones, FrielRunAndBike) {
  // Friel (joefrieltraining / Training Bible) run: Z2 85–89 %, Z4 95–99 %, Z5c > 106 % of LTHR. LTHR 170:
  // Z2 from 144.5, Z5a from 170, Z5c from 180.2.
  const auto run = heart_rate_zones_friel(170, FrielSport::run);
  ASSERT_TRUE(run);
  ASSERT_EQ(run->zones.size(), 7u);
  EXPECT_EQ(run->zones[4].name, "Z5a");
  EXPECT_NEAR(run->zones[1].min, 144.5, 1e-9);
  EXPECT_NEAR(run->zones[4].min, 170, 1e-9);
  EXPECT_NEAR(run->zones[6].min, 180.2, 1e-9);
  EXPECT_FALSE(run->zones[6].max);
  // Bike: Z1 < 81 %, Z4 94–99 %. LTHR 160: Z1 up to 129.6, Z4 from 150.4.
  const auto bike = heart_rate_zones_friel(160, FrielSport::bike);
  ASSERT_TRUE(bike);
  EXPECT_EQ(bike->method, "friel_lthr_bike");
  EXPECT_NEAR(*bike->zones[0].max, 129.6, 1e-9);
  EXPECT_NEAR(bike->zones[3].min, 150.4, 1e-9);
}

TEST(PowerZones, CogganLevels) {
  // Coggan: 1 < 55 %, 2 56–75 %, 3 76–90 %, 4 91–105 %, 5 106–120 %, 6 121–150 %, 7 > 150 % of FTP. FTP 250:
  // endurance 137.5–187.5 W, threshold 225–262.5 W, neuromuscular above 375 W.
  const auto z = power_zones_coggan(250);
  ASSERT_TRUE(z);
  ASSERT_EQ(z->zones.size(), 7u);
  EXPECT_EQ(z->zones[3].label, "Lactate threshold");
  EXPECT_NEAR(z->zones[1].min, 137.5, 1e-9);
  EXPECT_NEAR(*z->zones[1].max, 187.5, 1e-9);
  EXPECT_NEAR(z->zones[3].min, 225, 1e-9);
  EXPECT_NEAR(*z->zones[3].max, 262.5, 1e-9);
  EXPECT_NEAR(z->zones[6].min, 375, 1e-9);
  EXPECT_FALSE(z->zones[6].max);
  EXPECT_EQ(zone_index(*z, 250), 3u);
  EXPECT_EQ(zone_index(*z, 100), 0u);
  EXPECT_EQ(zone_index(*z, 1000), 6u);
  EXPECT_FALSE(power_zones_coggan(-5));
}

// Daniels' Running Formula, 3rd ed., Table 5.2 training paces per km (as transcribed in github.com/tlgs/vdot):
// VDOT  E (fast–slow)  M     T     I (km)  R (400 m)
// 40    5:56–6:38      5:29  5:06  4:42    1:44
// 50    4:56–5:34      4:31  4:15  3:55    87 s
// 60    4:15–4:49      3:52  3:40  3:23    75 s
struct PaceRow {
  double vdot;
  double e_fast_s, e_slow_s, m_s, t_s, i_s, r400_s;  // seconds per km (R per 400 m)
};
const std::vector<PaceRow> kDanielsPaces{
    {40, 356, 398, 329, 306, 282, 104},
    {50, 296, 334, 271, 255, 235, 87},
    {60, 255, 289, 232, 220, 203, 75},
};

// Is a pace (s/km) inside a speed zone, allowing `slack_s` s/km either side for the table's whole-second rounding?
bool pace_in(const Zone& z, double s_per_km, double slack_s) {
  const double slowest = 1000 / z.min;  // min speed → slowest pace
  const double fastest = 1000 / *z.max;
  return s_per_km <= slowest + slack_s && s_per_km >= fastest - slack_s;
}

TEST(PaceZones, DanielsTablePacesFallInTheirZones) {
  for (const auto& row : kDanielsPaces) {
    const auto z = pace_zones_daniels(row.vdot);
    ASSERT_TRUE(z);
    ASSERT_EQ(z->zones.size(), 5u);
    EXPECT_EQ(z->method, "daniels_vdot");
    EXPECT_EQ(z->unit, "m/s");
    EXPECT_EQ(z->zones[0].name, "E");
    EXPECT_TRUE(pace_in(z->zones[0], row.e_fast_s, 0)) << row.vdot;
    EXPECT_TRUE(pace_in(z->zones[0], row.e_slow_s, 0)) << row.vdot;
    EXPECT_TRUE(pace_in(z->zones[1], row.m_s, 0)) << row.vdot;
    EXPECT_TRUE(pace_in(z->zones[2], row.t_s, 1)) << row.vdot;  // the table's T sits at the 88 % edge
    EXPECT_TRUE(pace_in(z->zones[3], row.i_s, 0)) << row.vdot;
    EXPECT_TRUE(pace_in(z->zones[4], row.r400_s * 2.5, 0)) << row.vdot;
  }
  EXPECT_FALSE(pace_zones_daniels(0));
}

TEST(PaceZones, MarathonPaceMatchesPredictedMarathon) {
  // Daniels' M pace is the predicted marathon race pace: VDOT 50 → 3:10:49 / 42.195 = 4:31/km (table: 4:31).
  const auto t = race_time_from_vdot_s(50, 42195);
  ASSERT_TRUE(t);
  EXPECT_NEAR(*t / 42.195, 271, 1.0);
  const auto z = pace_zones_daniels(50);
  EXPECT_TRUE(pace_in(z->zones[1], *t / 42.195, 0));
}

}  // namespace
}  // namespace pierre::intelligence
