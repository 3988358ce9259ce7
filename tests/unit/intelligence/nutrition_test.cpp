// Nutrition guidance against the published equations and position-stand tables; every expected number is worked
// out by hand in the comment above it.

#include "pierre/intelligence/nutrition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "non_finite.hpp"

namespace pierre::intelligence {
namespace {

using testing::kInf;
using testing::kNaN;

// ---- Mifflin–St Jeor 1990 ----

TEST(Mifflin, PublishedEquation) {
  // Man, 70 kg, 175 cm, 30 y: 10·70 + 6.25·175 − 5·30 + 5 = 700 + 1093.75 − 150 + 5 = 1648.75 kcal/day.
  EXPECT_DOUBLE_EQ(*bmr_mifflin_st_jeor_kcal(70, 175, 30, Sex::male), 1648.75);
  // Woman, 60 kg, 165 cm, 40 y: 600 + 1031.25 − 200 − 161 = 1270.25 kcal/day.
  EXPECT_DOUBLE_EQ(*bmr_mifflin_st_jeor_kcal(60, 165, 40, Sex::female), 1270.25);
  // Same body, the two sexes differ by exactly 5 − (−161) = 166 kcal.
  EXPECT_DOUBLE_EQ(
      *bmr_mifflin_st_jeor_kcal(70, 175, 30, Sex::male) - *bmr_mifflin_st_jeor_kcal(70, 175, 30, Sex::female), 166);
}

TEST(Mifflin, RejectsBadInput) {
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(0, 175, 30, Sex::male));
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(-70, 175, 30, Sex::male));
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(70, 0, 30, Sex::male));
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(70, 175, -1, Sex::male));
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(kNaN, 175, 30, Sex::male));
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(70, kInf, 30, Sex::male));
  // 1 kg, 1 cm, 120 y woman: 10 + 6.25 − 600 − 161 < 0 → not a metabolic rate.
  EXPECT_FALSE(bmr_mifflin_st_jeor_kcal(1, 1, 120, Sex::female));
}

// ---- Daily energy expenditure ----

TEST(DailyEnergy, BmrTimesFactorPlusExercise) {
  // 1648.75 × 1.2 = 1978.5 baseline; + 650 kcal of training = 2628.5 kcal.
  const auto e = daily_energy_expenditure(1648.75, 650);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->activity_factor, 1.2);
  EXPECT_DOUBLE_EQ(e->baseline_kcal, 1978.5);
  EXPECT_DOUBLE_EQ(e->exercise_kcal, 650);
  EXPECT_DOUBLE_EQ(e->total_kcal, 2628.5);
  // Configurable factor: 1500 × 1.375 = 2062.5, rest day.
  EXPECT_DOUBLE_EQ(daily_energy_expenditure(1500, 0, 1.375)->total_kcal, 2062.5);
}

TEST(DailyEnergy, RejectsBadInput) {
  EXPECT_FALSE(daily_energy_expenditure(0, 100));
  EXPECT_FALSE(daily_energy_expenditure(1500, -1));
  EXPECT_FALSE(daily_energy_expenditure(1500, 100, 0.9));
  EXPECT_FALSE(daily_energy_expenditure(1500, 100, 3.0));
  EXPECT_FALSE(daily_energy_expenditure(kNaN, 100));
  EXPECT_FALSE(daily_energy_expenditure(1500, kInf));
}

// ---- Thomas, Erdman & Burke 2016, Table 2 ----

TEST(TrainingLoadClass, ByHours) {
  // Position stand: moderate ≈ 1 h/day, high 1–3 h/day, very high > 4–5 h/day (our boundaries 0.5 / 1.5 / 4 h).
  EXPECT_EQ(*classify_training_load(0), TrainingLoadClass::light);
  EXPECT_EQ(*classify_training_load(0.49), TrainingLoadClass::light);
  EXPECT_EQ(*classify_training_load(1.0), TrainingLoadClass::moderate);  // "~1 h/day"
  EXPECT_EQ(*classify_training_load(2.0), TrainingLoadClass::high);      // inside "1–3 h/day"
  EXPECT_EQ(*classify_training_load(3.0), TrainingLoadClass::high);
  EXPECT_EQ(*classify_training_load(5.0), TrainingLoadClass::very_high);  // "> 4–5 h/day"
  EXPECT_EQ(training_load_class_name(TrainingLoadClass::very_high), "very_high");
}

TEST(TrainingLoadClass, LowIntensityStepsDownAndOptionsApply) {
  EXPECT_EQ(*classify_training_load(2.0, SessionIntensity::low), TrainingLoadClass::moderate);
  EXPECT_EQ(*classify_training_load(0.2, SessionIntensity::low), TrainingLoadClass::light);  // floor
  EXPECT_EQ(*classify_training_load(2.0, SessionIntensity::moderate_to_high), TrainingLoadClass::high);
  TrainingLoadClassOptions o;
  o.high_from_hours = 1.0;
  EXPECT_EQ(*classify_training_load(1.0, {}, o), TrainingLoadClass::high);
  EXPECT_FALSE(classify_training_load(-1));
  EXPECT_FALSE(classify_training_load(kNaN));
  o.high_from_hours = 0.2;  // below moderate_from_hours: not increasing
  EXPECT_FALSE(classify_training_load(1.0, {}, o));
}

TEST(Carbohydrate, PositionStandTable) {
  // Table 2: light 3–5, moderate 5–7, high 6–10, very high 8–12 g/kg/day.
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::light).min, 3);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::light).max, 5);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::moderate).min, 5);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::moderate).max, 7);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::high).min, 6);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::high).max, 10);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::very_high).min, 8);
  EXPECT_DOUBLE_EQ(carbohydrate_g_per_kg(TrainingLoadClass::very_high).max, 12);
}

TEST(MacroTargets, SeventyKgHighDay) {
  // 70 kg, 2 h of training (high: 6–10 g/kg), 3000 kcal expenditure.
  //   carbohydrate 6·70 = 420 g … 10·70 = 700 g, target 560 g
  //   protein 1.2·70 = 84 g … 2.0·70 = 140 g, target 112 g
  //   fat 20 % of 3000 = 600 kcal / 9 = 66.67 g … 35 % = 1050 / 9 = 116.67 g, target 91.67 g
  //   energy of the targets: 560·4 + 112·4 + 91.67·9 = 2240 + 448 + 825 = 3513 kcal
  const auto t = daily_macro_targets(70, 3000, 2.0);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->load_class, TrainingLoadClass::high);
  EXPECT_EQ(t->class_name, "high");
  EXPECT_DOUBLE_EQ(t->carbohydrate.min_g, 420);
  EXPECT_DOUBLE_EQ(t->carbohydrate.max_g, 700);
  EXPECT_DOUBLE_EQ(t->carbohydrate.target_g, 560);
  EXPECT_DOUBLE_EQ(t->carbohydrate.min_g_per_kg, 6);
  EXPECT_DOUBLE_EQ(t->protein.min_g, 84);
  EXPECT_DOUBLE_EQ(t->protein.max_g, 140);
  EXPECT_DOUBLE_EQ(t->protein.target_g, 112);
  EXPECT_NEAR(t->fat.min_g, 66.667, 1e-3);
  EXPECT_NEAR(t->fat.max_g, 116.667, 1e-3);
  EXPECT_NEAR(t->fat.target_g, 91.667, 1e-3);
  EXPECT_DOUBLE_EQ(t->fat.min_pct_energy, 20);
  EXPECT_NEAR(t->targets_energy_kcal, 3513, 1e-9);
}

TEST(MacroTargets, IssnProteinRangeAndRestDay) {
  // Jäger et al. 2017 (ISSN) 1.4–2.0 g/kg: 60 kg → 84–120 g, target 102 g. Rest day → light: 3–5 g/kg = 180–300 g.
  NutritionOptions o;
  o.protein_min_g_per_kg = 1.4;
  const auto t = daily_macro_targets(60, 2000, 0, {}, o);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->load_class, TrainingLoadClass::light);
  EXPECT_DOUBLE_EQ(t->protein.min_g, 84);
  EXPECT_DOUBLE_EQ(t->protein.target_g, 102);
  EXPECT_DOUBLE_EQ(t->carbohydrate.min_g, 180);
  EXPECT_DOUBLE_EQ(t->carbohydrate.max_g, 300);
}

TEST(MacroTargets, RejectsBadInput) {
  EXPECT_FALSE(daily_macro_targets(0, 2000, 1));
  EXPECT_FALSE(daily_macro_targets(70, 0, 1));
  EXPECT_FALSE(daily_macro_targets(70, 2000, -1));
  EXPECT_FALSE(daily_macro_targets(kNaN, 2000, 1));
  EXPECT_FALSE(daily_macro_targets(70, kInf, 1));
  NutritionOptions o;
  o.fat_min_pct_energy = 40;  // above the maximum
  EXPECT_FALSE(daily_macro_targets(70, 2000, 1, {}, o));
}

// ---- Carbohydrate during exercise: Thomas et al. 2016 / Jeukendrup 2014 ----

TEST(DuringExercise, Bands) {
  // 30 min: < 45 min → not needed, 0 g/h.
  auto c = carbohydrate_during_exercise(30 * 60);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->guidance, FuelingGuidance::not_needed);
  EXPECT_DOUBLE_EQ(*c->max_g_per_h, 0);
  // 60 min: 45–75 min → small amounts / mouth rinse, no g/h figure.
  c = carbohydrate_during_exercise(60 * 60);
  EXPECT_EQ(c->guidance, FuelingGuidance::mouth_rinse_or_small_amounts);
  EXPECT_FALSE(c->min_g_per_h);
  EXPECT_FALSE(c->max_g_per_h);
  // 2 h: 1–2.5 h → 30–60 g/h.
  c = carbohydrate_during_exercise(2 * 3600);
  EXPECT_EQ(c->guidance, FuelingGuidance::moderate);
  EXPECT_DOUBLE_EQ(*c->min_g_per_h, 30);
  EXPECT_DOUBLE_EQ(*c->max_g_per_h, 60);
  // Exactly 2.5 h is still the 30–60 band; 4 h → up to 90 g/h.
  EXPECT_EQ(carbohydrate_during_exercise(2.5 * 3600)->guidance, FuelingGuidance::moderate);
  c = carbohydrate_during_exercise(4 * 3600);
  EXPECT_EQ(c->guidance, FuelingGuidance::high);
  EXPECT_DOUBLE_EQ(*c->max_g_per_h, 90);
  EXPECT_EQ(fueling_guidance_name(c->guidance), "high");
  // Boundaries: 44:59 → none, 45:00 → mouth rinse.
  EXPECT_EQ(carbohydrate_during_exercise(45 * 60 - 1)->guidance, FuelingGuidance::not_needed);
  EXPECT_EQ(carbohydrate_during_exercise(45 * 60)->guidance, FuelingGuidance::mouth_rinse_or_small_amounts);
  EXPECT_EQ(carbohydrate_during_exercise(0)->guidance, FuelingGuidance::not_needed);
  EXPECT_FALSE(carbohydrate_during_exercise(-1));
  EXPECT_FALSE(carbohydrate_during_exercise(kNaN));
  EXPECT_FALSE(carbohydrate_during_exercise(kInf));
}

}  // namespace
}  // namespace pierre::intelligence
