#pragma once
// Energy and macronutrient guidance for endurance athletes: resting energy (Mifflin–St Jeor), daily energy
// expenditure, daily carbohydrate / protein / fat targets by training load and carbohydrate during exercise.
// Masses in kg, heights in cm, energy in kcal, durations in s. Pure functions; bad input → nullopt.
//
// These are the position-stand ranges for healthy adult athletes, not individual prescriptions.

#include "pierre/intelligence/metrics.hpp"

#include <optional>
#include <string_view>

namespace pierre::intelligence {

// Mifflin et al. 1990 (Am J Clin Nutr 51:241–247) resting energy expenditure, kcal/day:
// 10·kg + 6.25·cm − 5·age + 5 (men) / − 161 (women). Derived from adults 19–78 y; weight in (0, 500] kg, height in
// (0, 300] cm and age in [0, 130] y are accepted, anything else (or a non-positive result) → nullopt.
[[nodiscard]] std::optional<double> bmr_mifflin_st_jeor_kcal(double weight_kg, double height_cm, double age_years,
                                                             Sex sex);

struct DailyEnergy {
  double bmr_kcal = 0;
  double activity_factor = 0;  // non-exercise activity multiplier applied to BMR
  double baseline_kcal = 0;    // bmr_kcal × activity_factor: the day without its training
  double exercise_kcal = 0;    // the day's training, as given by the caller
  double total_kcal = 0;       // baseline_kcal + exercise_kcal
};
// Factorial estimate: BMR × a non-exercise activity factor + the day's exercise energy. 1.2 is the conventional
// "sedentary" multiplier of BMR (the lowest of the customary 1.2 / 1.375 / 1.55 / 1.725 / 1.9 activity factors);
// because the training is added separately, the factor must describe only life outside training. Accepted factors
// 1.0–2.5; BMR > 0, exercise ≥ 0, all finite; otherwise nullopt.
[[nodiscard]] std::optional<DailyEnergy> daily_energy_expenditure(double bmr_kcal, double exercise_kcal,
                                                                  double activity_factor = 1.2);

// Daily training load classes of Thomas, Erdman & Burke 2016 (ACSM/AND/DC joint position stand "Nutrition and
// Athletic Performance", Med Sci Sports Exerc 48:543–568, Table 2; after Burke et al. 2011, J Sports Sci 29:S17–S27):
// light = low-intensity or skill-based activities, moderate = moderate exercise programme (~1 h/day), high =
// endurance programme (1–3 h/day of moderate-to-high-intensity exercise), very high = extreme commitment (> 4–5 h/day).
enum class TrainingLoadClass { light, moderate, high, very_high };
// "light", "moderate", "high", "very_high".
[[nodiscard]] std::string_view training_load_class_name(TrainingLoadClass load_class) noexcept;

enum class SessionIntensity { low, moderate_to_high };

// Hours-per-day boundaries between the classes. The position stand describes the classes by typical durations
// (~1 h, 1–3 h, > 4–5 h) and leaves gaps; these defaults are our reading of it: moderate from 0.5 h, high from
// 1.5 h (halfway between the moderate class's ~1 h and the centre of the high class's 1–3 h), very high from 4 h
// (the lower end of "> 4–5 h").
struct TrainingLoadClassOptions {
  double moderate_from_hours = 0.5;
  double high_from_hours = 1.5;
  double very_high_from_hours = 4.0;
};
// Classify a day (or a period, given its mean training hours per day) by training hours. The position stand's
// light class is defined by intensity, not time: when the training is said to be low-intensity the hours-based class
// is moved down one step (floor light) — our rule, since an easy 4-h day needs less fuel than a hard one.
// Hours must be finite and ≥ 0 and the thresholds increasing; otherwise nullopt.
[[nodiscard]] std::optional<TrainingLoadClass> classify_training_load(double training_hours_per_day,
                                                                      std::optional<SessionIntensity> intensity = {},
                                                                      const TrainingLoadClassOptions& options = {});

struct GramsPerKg {
  double min = 0;
  double max = 0;
};
// Thomas et al. 2016 Table 2 daily carbohydrate, g/kg body mass: light 3–5, moderate 5–7, high 6–10, very high 8–12.
[[nodiscard]] GramsPerKg carbohydrate_g_per_kg(TrainingLoadClass load_class) noexcept;

struct NutritionOptions {
  TrainingLoadClassOptions classes;
  // Protein 1.2–2.0 g/kg/day (Thomas et al. 2016); the ISSN position stand (Jäger et al. 2017, J Int Soc Sports Nutr
  // 14:20) gives 1.4–2.0 g/kg/day for most exercising individuals.
  double protein_min_g_per_kg = 1.2;
  double protein_max_g_per_kg = 2.0;
  // Fat 20–35 % of energy (Thomas et al. 2016: intakes < 20 % are not recommended).
  double fat_min_pct_energy = 20;
  double fat_max_pct_energy = 35;
};

struct MacroRange {
  double min_g = 0;
  double max_g = 0;
  double target_g = 0;  // midpoint of the range
  double min_g_per_kg = 0;
  double max_g_per_kg = 0;
};
struct FatRange {
  double min_pct_energy = 0;
  double max_pct_energy = 0;
  double min_g = 0;  // energy × pct / 9 kcal·g⁻¹ (Atwater general factor)
  double max_g = 0;
  double target_g = 0;  // midpoint of the range
};
struct MacroTargets {
  TrainingLoadClass load_class = TrainingLoadClass::light;
  std::string_view class_name;  // training_load_class_name(load_class)
  MacroRange carbohydrate;
  MacroRange protein;
  FatRange fat;
  // Energy of the three midpoint targets with Atwater's general factors (4 / 4 / 9 kcal·g⁻¹), to compare with the
  // day's expenditure; the ranges are independent guidance, so the sum need not match it.
  double targets_energy_kcal = 0;
};
// Daily targets for a body mass, the day's energy expenditure (for fat) and training hours. Weight in (0, 500] kg,
// energy > 0, hours ≥ 0, all finite, ranges ordered (0 ≤ min ≤ max, fat ≤ 100 %); otherwise nullopt.
[[nodiscard]] std::optional<MacroTargets> daily_macro_targets(double weight_kg, double daily_energy_kcal,
                                                              double training_hours_per_day,
                                                              std::optional<SessionIntensity> intensity = {},
                                                              const NutritionOptions& options = {});

// Carbohydrate during exercise by session duration (Thomas et al. 2016, "during exercise" guidance; Jeukendrup 2014,
// Sports Med 44 Suppl 1:S25–S33):
//   < 45 min            not needed                                     (0–0 g/h)
//   45 – < 75 min       small amounts including mouth rinse            (no g/h figure: both bounds absent)
//   75 min – 2.5 h      30–60 g/h
//   > 2.5 h             up to 90 g/h (multiple transportable carbohydrates); reported as 60–90 g/h, the lower bound
//                       carrying on from the 1–2.5 h band's upper end (our reading).
// The published 45–75 min and 1–2.5 h bands overlap; a session of 60–75 min is given the shorter band's advice.
enum class FuelingGuidance { not_needed, mouth_rinse_or_small_amounts, moderate, high };
[[nodiscard]] std::string_view fueling_guidance_name(FuelingGuidance guidance) noexcept;
struct ExerciseCarbohydrate {
  FuelingGuidance guidance = FuelingGuidance::not_needed;
  std::optional<double> min_g_per_h;
  std::optional<double> max_g_per_h;
};
// Duration must be finite and ≥ 0; otherwise nullopt.
[[nodiscard]] std::optional<ExerciseCarbohydrate> carbohydrate_during_exercise(double duration_s);

}  // namespace pierre::intelligence
