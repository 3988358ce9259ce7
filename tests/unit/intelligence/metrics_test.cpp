// Per-activity metrics against published definitions and worked examples (sources cited per test), plus properties.

#include "pierre/intelligence/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "non_finite.hpp"

namespace pierre::intelligence {
namespace {

using activity::Streams;

using testing::kNaN;

// 1 Hz power samples.
Streams power_stream(const std::vector<double>& watts) {
  Streams s;
  for (std::size_t i = 0; i < watts.size(); ++i) s.time_s.push_back(static_cast<double>(i));
  s.power_w = watts;
  return s;
}

// ---- Normalized power: properties of Coggan's definition ----

TEST(NormalizedPower, ConstantPowerIsThatPower) {
  const auto np = normalized_power_w(power_stream(std::vector<double>(600, 200.0)));
  ASSERT_TRUE(np);
  EXPECT_NEAR(*np, 200.0, 1e-9);
}

TEST(NormalizedPower, VariableEffortIsAboveAverage) {
  std::vector<double> w;
  for (int i = 0; i < 3600; ++i) w.push_back((i / 60) % 2 == 0 ? 100.0 : 300.0);  // 1-min on/off
  const auto s = power_stream(w);
  const auto np = normalized_power_w(s);
  const auto avg = average_power_w(s);
  ASSERT_TRUE(np && avg);
  EXPECT_NEAR(*avg, 200.0, 0.1);
  EXPECT_GT(*np, *avg + 10);
  EXPECT_LT(*np, 300.0);
  const auto vi = variability_index(*np, *avg);
  ASSERT_TRUE(vi);
  EXPECT_GT(*vi, 1.0);
}

TEST(NormalizedPower, OneHertzSpanMatchesStreams) {
  std::vector<double> w;
  for (int i = 0; i < 900; ++i) w.push_back(150.0 + 100.0 * std::sin(i / 20.0));
  const auto a = normalized_power_w(power_stream(w));
  const auto b = normalized_power_w(std::span<const double>(w));
  ASSERT_TRUE(a && b);
  EXPECT_NEAR(*a, *b, 1e-9);
}

TEST(NormalizedPower, InsufficientInputIsNullopt) {
  EXPECT_FALSE(normalized_power_w(Streams{}));
  EXPECT_FALSE(normalized_power_w(power_stream(std::vector<double>(20, 250.0))));  // < 30 s
  Streams no_power = power_stream(std::vector<double>(100, 250.0));
  no_power.power_w.clear();
  EXPECT_FALSE(normalized_power_w(no_power));
  EXPECT_FALSE(average_power_w(no_power));
  EXPECT_FALSE(work_kj(no_power));
  EXPECT_FALSE(normalized_power_w(std::span<const double>{}));
}

TEST(NormalizedPower, GapsAndPausesStayFinite) {
  // NaN samples (sensor dropout) count as zero; a 10-minute stop (no samples) is a pause, also zero.
  Streams s;
  for (int i = 0; i < 1200; ++i) {
    s.time_s.push_back(i < 600 ? i : i + 600.0);
    s.power_w.push_back(i % 50 == 0 ? kNaN : 220.0);
  }
  const auto np = normalized_power_w(s);
  const auto avg = average_power_w(s);
  ASSERT_TRUE(np && avg);
  EXPECT_TRUE(std::isfinite(*np));
  EXPECT_LT(*avg, 220.0);
  EXPECT_GE(*np, *avg);
  const auto all_nan = normalized_power_w(power_stream(std::vector<double>(120, kNaN)));
  ASSERT_TRUE(all_nan);
  EXPECT_EQ(*all_nan, 0.0);
}

TEST(NormalizedPower, MaxMeanAndWork) {
  std::vector<double> w(1800, 200.0);
  for (int i = 300; i < 1500; ++i) w[static_cast<std::size_t>(i)] = 300.0;  // exactly 20 min at 300 W
  const auto s = power_stream(w);
  const auto best20 = max_mean_power_w(s, 1200);
  ASSERT_TRUE(best20);
  EXPECT_NEAR(*best20, 300.0, 1e-9);
  EXPECT_FALSE(max_mean_power_w(s, 3600));  // longer than the ride
  const auto kj = work_kj(s);
  ASSERT_TRUE(kj);
  EXPECT_NEAR(*kj, (600 * 200.0 + 1200 * 300.0) / 1000.0, 1e-9);  // Σ P·1 s
}

// ---- IF, TSS, VI, EF: Coggan's definitions (Allen & Coggan, Training and Racing with a Power Meter; TrainingPeaks
// "Normalized Power, Intensity Factor and Training Stress Score") ----

TEST(TrainingStress, OneHourAtFtpIsHundred) {
  // Coggan's anchor: riding one hour at FTP gives IF 1.0 and TSS 100.
  EXPECT_NEAR(*intensity_factor(250, 250), 1.0, 1e-12);
  EXPECT_NEAR(*training_stress_score(3600, 250, 250), 100.0, 1e-9);
}

TEST(TrainingStress, ScalesWithHoursAndIfSquared) {
  // TSS = hours × IF² × 100 (the formula rearranged): 2 h at IF 0.75 → 2 × 0.5625 × 100 = 112.5.
  EXPECT_NEAR(*training_stress_score(7200, 187.5, 250), 112.5, 1e-9);
  EXPECT_NEAR(*intensity_factor(187.5, 250), 0.75, 1e-12);
}

TEST(TrainingStress, InvalidInputIsNullopt) {
  EXPECT_FALSE(intensity_factor(200, 0));
  EXPECT_FALSE(intensity_factor(kNaN, 250));
  EXPECT_FALSE(training_stress_score(-1, 200, 250));
  EXPECT_FALSE(variability_index(250, 0));
  EXPECT_FALSE(efficiency_factor(250, 0));
}

TEST(TrainingStress, VariabilityAndEfficiency) {
  EXPECT_NEAR(*variability_index(250, 200), 1.25, 1e-12);  // VI = NP / avg
  EXPECT_NEAR(*efficiency_factor(210, 140), 1.5, 1e-12);   // EF = NP / avg HR
}

// ---- TRIMP (Banister; coefficients from Morton, Fitz-Clarke & Banister 1990) ----

TEST(Trimp, FellrnrWorkedExample) {
  // fellrnr.com "TRIMP", worked example: male, HRmax 200, HRrest 40, 30 min at 130 bpm:
  // 30 × (90/160) × 0.64·e^{1.92 × 90/160} = "a value of 32" (31.8 unrounded).
  const HeartRateProfile p{40, 200, Sex::male};
  const auto t = trimp(30 * 60, 130, p);
  ASSERT_TRUE(t);
  EXPECT_NEAR(*t, 32.0, 0.5);
  EXPECT_NEAR(*t, 30 * 0.5625 * 0.64 * std::exp(1.92 * 0.5625), 1e-9);
}

TEST(Trimp, PerMinuteRangeBySex) {
  // Same source: at HRmax a man accrues 0.64·e^{1.92} ≈ 4.37 per minute. Women use Morton et al.'s
  // 0.86·e^{1.67} ≈ 4.57 per minute at HRmax.
  EXPECT_NEAR(*trimp(60, 200, HeartRateProfile{40, 200, Sex::male}), 4.37, 0.005);
  EXPECT_NEAR(*trimp(60, 200, HeartRateProfile{40, 200, Sex::female}), 0.86 * std::exp(1.67), 1e-9);
  EXPECT_NEAR(*trimp(60, 40, HeartRateProfile{40, 200, Sex::male}), 0.0, 1e-12);    // at rest: nothing
  EXPECT_NEAR(*trimp(60, 30, HeartRateProfile{40, 200, Sex::male}), 0.0, 1e-12);    // below rest clamps to 0
  EXPECT_NEAR(*trimp(60, 230, HeartRateProfile{40, 200, Sex::male}), 4.37, 0.005);  // above max clamps to 1
}

TEST(Trimp, StreamSumsSamples) {
  // A constant 130 bpm stream over 30 min gives the same as the worked example; NaN samples and pauses add nothing.
  Streams s;
  for (int i = 0; i <= 1800; ++i) {
    s.time_s.push_back(i);
    s.heart_rate_bpm.push_back(130);
  }
  const HeartRateProfile p{40, 200, Sex::male};
  EXPECT_NEAR(*trimp(s, p), *trimp(1800, 130, p), 1e-6);
  s.heart_rate_bpm[100] = kNaN;
  EXPECT_LT(*trimp(s, p), *trimp(1800, 130, p));
  EXPECT_FALSE(trimp(Streams{}, p));
  EXPECT_FALSE(trimp(1800, 130, HeartRateProfile{60, 50, Sex::male}));  // max below rest
}

TEST(Trimp, HrTssIsHundredForAnHourAtLthr) {
  // hrTSS (TrainingPeaks): TRIMP relative to one hour at lactate-threshold heart rate.
  const HeartRateProfile p{50, 190, Sex::female};
  const auto hour_at_lthr = trimp(3600, 170, p);
  ASSERT_TRUE(hour_at_lthr);
  EXPECT_NEAR(*hr_tss(*hour_at_lthr, 170, p), 100.0, 1e-9);
  EXPECT_NEAR(*hr_tss(*hour_at_lthr / 2, 170, p), 50.0, 1e-9);
  EXPECT_FALSE(hr_tss(10, 0, p));
}

// ---- Minetti et al. 2002, J Appl Physiol 93:1039–1046 ----

TEST(Minetti, PolynomialInterceptIsLevelCost) {
  EXPECT_DOUBLE_EQ(minetti_cost_of_running(0), 3.6);
  EXPECT_DOUBLE_EQ(grade_cost_factor(0), 1.0);
}

TEST(Minetti, WithinPublishedMeasuredMeans) {
  // The abstract's measured Cr (mean ± SD, 10 runners): level 3.40 ± 0.24, +0.45 18.93 ± 1.74, −0.20 1.73 ± 0.36,
  // −0.45 3.92 ± 0.81 J·kg⁻¹·m⁻¹. The fitted polynomial lies within one SD of each.
  EXPECT_NEAR(minetti_cost_of_running(0.0), 3.40, 0.24);
  EXPECT_NEAR(minetti_cost_of_running(0.45), 18.93, 1.74);
  EXPECT_NEAR(minetti_cost_of_running(-0.20), 1.73, 0.36);
  EXPECT_NEAR(minetti_cost_of_running(-0.45), 3.92, 0.81);
  // Hand evaluation of the published polynomial at ±10 %: 5.968 and 2.152.
  EXPECT_NEAR(minetti_cost_of_running(0.10), 5.968, 0.001);
  EXPECT_NEAR(minetti_cost_of_running(-0.10), 2.152, 0.001);
}

TEST(Minetti, MinimumNearMinusTwentyPercent) {
  // "reduced to 1.73 at −0.20. At steeper slopes, it increased": the cheapest gradient is around −0.20.
  double best_grade = 1;
  double best = 1e9;
  for (int g = -45; g <= 45; ++g) {
    const double c = minetti_cost_of_running(g / 100.0);
    if (c < best) {
      best = c;
      best_grade = g / 100.0;
    }
  }
  EXPECT_GE(best_grade, -0.25);
  EXPECT_LE(best_grade, -0.15);
  // Outside the measured range the grade is clamped rather than extrapolated.
  EXPECT_DOUBLE_EQ(minetti_cost_of_running(0.9), minetti_cost_of_running(0.45));
  EXPECT_DOUBLE_EQ(minetti_cost_of_running(kNaN), 3.6);
}

Streams run_on_grade(double speed_mps, double grade, int seconds) {
  Streams s;
  for (int i = 0; i <= seconds; ++i) {
    s.time_s.push_back(i);
    s.distance_m.push_back(speed_mps * i);
    s.altitude_m.push_back(100 + grade * speed_mps * i);
    s.speed_mps.push_back(speed_mps);
  }
  return s;
}

TEST(GradeAdjustedPace, FlatIsActualAndHillsScaleByCost) {
  const auto flat = grade_adjusted_speed_mps(run_on_grade(3.0, 0, 1200));
  ASSERT_TRUE(flat);
  EXPECT_NEAR(*flat, 3.0, 1e-9);
  // +10 %: each metre costs Cr(0.10)/Cr(0) = 5.968/3.6 flat metres (the published polynomial by hand).
  const auto up = grade_adjusted_speed_mps(run_on_grade(3.0, 0.10, 1200));
  ASSERT_TRUE(up);
  EXPECT_NEAR(*up, 3.0 * 5.968 / 3.6, 0.002);
  const auto down = grade_adjusted_speed_mps(run_on_grade(3.0, -0.10, 1200));
  ASSERT_TRUE(down);
  EXPECT_NEAR(*down, 3.0 * 2.152 / 3.6, 0.002);
}

TEST(GradeAdjustedPace, NeedsDistanceAndAltitude) {
  auto s = run_on_grade(3.0, 0, 600);
  s.altitude_m.clear();
  EXPECT_FALSE(grade_adjusted_speed_mps(s));
  EXPECT_FALSE(grade_adjusted_speed_mps(Streams{}));
  // Altitude gaps are skipped, not propagated.
  auto gappy = run_on_grade(3.0, 0, 600);
  for (std::size_t i = 10; i < 600; i += 7) gappy.altitude_m[i] = kNaN;
  const auto g = grade_adjusted_speed_mps(gappy);
  ASSERT_TRUE(g);
  EXPECT_NEAR(*g, 3.0, 1e-9);
}

TEST(RunningTss, OneHourAtThresholdIsHundred) {
  // rTSS (TrainingPeaks): hours × (NGP / threshold pace)² × 100.
  EXPECT_NEAR(*running_tss(3600, 4.0, 4.0), 100.0, 1e-9);
  EXPECT_NEAR(*running_tss(5400, 3.6, 4.0), 1.5 * 0.81 * 100, 1e-9);
  EXPECT_FALSE(running_tss(3600, 4.0, 0));
}

// ---- Time in zones, decoupling ----

TEST(TimeInZones, CountsHoldTimeAndOutsiders) {
  const ZoneSet zones{"test", "bpm", {{"Z1", "", 100, 120}, {"Z2", "", 120, 140}}};
  const std::vector<double> t{0, 10, 20, 30, 40, 100, 110};
  const std::vector<double> hr{110, 130, kNaN, 90, 150, 125, 125};
  // 0–10 Z1, 10–20 Z2, 20–30 gap, 30–40 below, 40–100 is a pause (60 s > 30 s), 100–110 Z2, last sample holds 0.
  const auto tiz = time_in_zones(t, hr, zones);
  ASSERT_TRUE(tiz);
  ASSERT_EQ(tiz->seconds.size(), 2u);
  EXPECT_DOUBLE_EQ(tiz->seconds[0], 10);
  EXPECT_DOUBLE_EQ(tiz->seconds[1], 20);
  EXPECT_DOUBLE_EQ(tiz->below_s, 10);
  EXPECT_DOUBLE_EQ(tiz->above_s, 0);
  EXPECT_FALSE(time_in_zones(t, std::vector<double>{1, 2}, zones));
}

TEST(AerobicDecoupling, HeartRateDriftAtSteadyPower) {
  // Friel's Pa:HR: 200 W throughout, HR 140 for the first half hour and 147 for the second →
  // EF₁ = 200/140, EF₂ = 200/147, decoupling = (1 − 140/147) × 100 = 4.76 %.
  Streams s;
  for (int i = 0; i <= 3600; ++i) {
    s.time_s.push_back(i);
    s.power_w.push_back(200);
    s.heart_rate_bpm.push_back(i < 1800 ? 140 : 147);
  }
  const auto d = aerobic_decoupling_pct(s);
  ASSERT_TRUE(d);
  EXPECT_NEAR(*d, (1 - 140.0 / 147.0) * 100, 1e-9);
  // Pace-based when there is no power.
  s.power_w.clear();
  s.speed_mps.assign(s.size(), 3.2);
  EXPECT_NEAR(*aerobic_decoupling_pct(s), (1 - 140.0 / 147.0) * 100, 1e-9);
  // Too short.
  Streams shortish;
  for (int i = 0; i < 300; ++i) {
    shortish.time_s.push_back(i);
    shortish.speed_mps.push_back(3);
    shortish.heart_rate_bpm.push_back(150);
  }
  EXPECT_FALSE(aerobic_decoupling_pct(shortish));
}

// ---- Energy ----

TEST(Energy, WorkToKcalAtTwentyFourPercentEfficiency) {
  // Allen & Coggan's rule of thumb: at ~24 % gross efficiency 1 kJ of work ≈ 1 kcal; exactly 1/(4.184 × 0.24).
  EXPECT_NEAR(*kcal_from_work(1000), 1000 / (4.184 * 0.24), 1e-9);
  EXPECT_NEAR(*kcal_from_work(1000), 1000, 5);
  EXPECT_FALSE(kcal_from_work(-1));
  EXPECT_FALSE(kcal_from_work(100, 0));
}

TEST(Energy, KeytelEquations) {
  // Keytel et al. 2005, model without VO2max, by hand: man, 150 bpm, 70 kg, 30 y:
  // −55.0969 + 0.6309·150 + 0.1988·70 + 0.2017·30 = 59.5051 kJ/min → × 60 / 4.184 = 853.32 kcal per hour.
  EXPECT_NEAR(*kcal_keytel(150, 70, 30, Sex::male, 3600), 59.5051 * 60 / 4.184, 1e-6);
  // Woman, 150 bpm, 60 kg, 30 y: −20.4022 + 67.08 − 7.578 + 2.22 = 41.3198 kJ/min.
  EXPECT_NEAR(*kcal_keytel(150, 60, 30, Sex::female, 3600), 41.3198 * 60 / 4.184, 1e-6);
  EXPECT_FALSE(kcal_keytel(40, 60, 30, Sex::female, 3600));  // resting HR: the equation goes negative
  EXPECT_FALSE(kcal_keytel(150, 0, 30, Sex::male, 3600));
}

TEST(Energy, CompendiumMets) {
  // 2011 Compendium: 12150 running, general 8.0; 01015 bicycling, general 7.5; 02150 yoga, Hatha 2.5.
  EXPECT_EQ(compendium_mets(activity::SportType::run), 8.0);
  EXPECT_EQ(compendium_mets(activity::SportType::ride), 7.5);
  EXPECT_EQ(compendium_mets(activity::SportType::yoga), 2.5);
  EXPECT_FALSE(compendium_mets(activity::SportType::other));
  // kcal = METs × kg × h: an hour of running at 70 kg → 560 kcal.
  EXPECT_NEAR(*kcal_from_mets(8.0, 70, 3600), 560, 1e-9);
  EXPECT_FALSE(kcal_from_mets(8.0, 70, -5));
}

TEST(Sex, FromText) {
  EXPECT_EQ(sex_from_text("Male"), Sex::male);
  EXPECT_EQ(sex_from_text("f"), Sex::female);
  EXPECT_FALSE(sex_from_text("prefer not to say"));
}

}  // namespace
}  // namespace pierre::intelligence
