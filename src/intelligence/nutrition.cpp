#include "pierre/intelligence/nutrition.hpp"

#include <cmath>
#include <initializer_list>

namespace pierre::intelligence {

namespace {

constexpr double kKcalPerGramCarbohydrate = 4;  // Atwater general factors
constexpr double kKcalPerGramProtein = 4;
constexpr double kKcalPerGramFat = 9;

bool finite_all(std::initializer_list<double> values) {
  for (const double v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

MacroRange per_kg_range(double weight_kg, double min_g_per_kg, double max_g_per_kg) {
  MacroRange r;
  r.min_g_per_kg = min_g_per_kg;
  r.max_g_per_kg = max_g_per_kg;
  r.min_g = min_g_per_kg * weight_kg;
  r.max_g = max_g_per_kg * weight_kg;
  r.target_g = (r.min_g + r.max_g) / 2;
  return r;
}

}  // namespace

std::optional<double> bmr_mifflin_st_jeor_kcal(double weight_kg, double height_cm, double age_years, Sex sex) {
  if (!finite_all({weight_kg, height_cm, age_years})) return std::nullopt;
  if (weight_kg <= 0 || weight_kg > 500 || height_cm <= 0 || height_cm > 300 || age_years < 0 || age_years > 130) {
    return std::nullopt;
  }
  // Mifflin et al. 1990: the sex term is +5 for men and −161 for women.
  const double sex_term = sex == Sex::male ? 5.0 : -161.0;
  const double bmr = 10 * weight_kg + 6.25 * height_cm - 5 * age_years + sex_term;
  if (!(bmr > 0)) return std::nullopt;
  return bmr;
}

std::optional<DailyEnergy> daily_energy_expenditure(double bmr_kcal, double exercise_kcal, double activity_factor) {
  if (!finite_all({bmr_kcal, exercise_kcal, activity_factor})) return std::nullopt;
  if (bmr_kcal <= 0 || exercise_kcal < 0 || activity_factor < 1.0 || activity_factor > 2.5) return std::nullopt;
  DailyEnergy e;
  e.bmr_kcal = bmr_kcal;
  e.activity_factor = activity_factor;
  e.baseline_kcal = bmr_kcal * activity_factor;
  e.exercise_kcal = exercise_kcal;
  e.total_kcal = e.baseline_kcal + exercise_kcal;
  return e;
}

std::string_view training_load_class_name(TrainingLoadClass load_class) noexcept {
  switch (load_class) {
    case TrainingLoadClass::light: return "light";
    case TrainingLoadClass::moderate: return "moderate";
    case TrainingLoadClass::high: return "high";
    case TrainingLoadClass::very_high: return "very_high";
  }
  return "light";
}

std::optional<TrainingLoadClass> classify_training_load(double training_hours_per_day,
                                                        std::optional<SessionIntensity> intensity,
                                                        const TrainingLoadClassOptions& options) {
  const auto& o = options;
  if (!finite_all({training_hours_per_day, o.moderate_from_hours, o.high_from_hours, o.very_high_from_hours})) {
    return std::nullopt;
  }
  if (training_hours_per_day < 0 || o.moderate_from_hours < 0 || o.high_from_hours <= o.moderate_from_hours ||
      o.very_high_from_hours <= o.high_from_hours) {
    return std::nullopt;
  }
  int level = 0;
  if (training_hours_per_day >= o.very_high_from_hours) {
    level = 3;
  } else if (training_hours_per_day >= o.high_from_hours) {
    level = 2;
  } else if (training_hours_per_day >= o.moderate_from_hours) {
    level = 1;
  }
  if (intensity == SessionIntensity::low && level > 0) --level;
  return static_cast<TrainingLoadClass>(level);
}

GramsPerKg carbohydrate_g_per_kg(TrainingLoadClass load_class) noexcept {
  // Thomas, Erdman & Burke 2016, Table 2 ("Summary of sports nutrition guidelines", daily needs for fuel).
  switch (load_class) {
    case TrainingLoadClass::light: return {3, 5};
    case TrainingLoadClass::moderate: return {5, 7};
    case TrainingLoadClass::high: return {6, 10};
    case TrainingLoadClass::very_high: return {8, 12};
  }
  return {3, 5};
}

std::optional<MacroTargets> daily_macro_targets(double weight_kg, double daily_energy_kcal,
                                                double training_hours_per_day,
                                                std::optional<SessionIntensity> intensity,
                                                const NutritionOptions& options) {
  const auto& o = options;
  if (!finite_all({weight_kg, daily_energy_kcal, o.protein_min_g_per_kg, o.protein_max_g_per_kg, o.fat_min_pct_energy,
                   o.fat_max_pct_energy})) {
    return std::nullopt;
  }
  if (weight_kg <= 0 || weight_kg > 500 || daily_energy_kcal <= 0) return std::nullopt;
  if (o.protein_min_g_per_kg < 0 || o.protein_max_g_per_kg < o.protein_min_g_per_kg || o.fat_min_pct_energy < 0 ||
      o.fat_max_pct_energy < o.fat_min_pct_energy || o.fat_max_pct_energy > 100) {
    return std::nullopt;
  }
  const auto load_class = classify_training_load(training_hours_per_day, intensity, o.classes);
  if (!load_class) return std::nullopt;

  MacroTargets t;
  t.load_class = *load_class;
  t.class_name = training_load_class_name(*load_class);
  const auto carb = carbohydrate_g_per_kg(*load_class);
  t.carbohydrate = per_kg_range(weight_kg, carb.min, carb.max);
  t.protein = per_kg_range(weight_kg, o.protein_min_g_per_kg, o.protein_max_g_per_kg);
  t.fat.min_pct_energy = o.fat_min_pct_energy;
  t.fat.max_pct_energy = o.fat_max_pct_energy;
  t.fat.min_g = daily_energy_kcal * o.fat_min_pct_energy / 100 / kKcalPerGramFat;
  t.fat.max_g = daily_energy_kcal * o.fat_max_pct_energy / 100 / kKcalPerGramFat;
  t.fat.target_g = (t.fat.min_g + t.fat.max_g) / 2;
  t.targets_energy_kcal = t.carbohydrate.target_g * kKcalPerGramCarbohydrate +
                          t.protein.target_g * kKcalPerGramProtein + t.fat.target_g * kKcalPerGramFat;
  return t;
}

std::string_view fueling_guidance_name(FuelingGuidance guidance) noexcept {
  switch (guidance) {
    case FuelingGuidance::not_needed: return "not_needed";
    case FuelingGuidance::mouth_rinse_or_small_amounts: return "mouth_rinse_or_small_amounts";
    case FuelingGuidance::moderate: return "moderate";
    case FuelingGuidance::high: return "high";
  }
  return "not_needed";
}

std::optional<ExerciseCarbohydrate> carbohydrate_during_exercise(double duration_s) {
  if (!std::isfinite(duration_s) || duration_s < 0) return std::nullopt;
  const double minutes = duration_s / 60;
  ExerciseCarbohydrate c;
  if (minutes < 45) {
    c.guidance = FuelingGuidance::not_needed;
    c.min_g_per_h = 0;
    c.max_g_per_h = 0;
  } else if (minutes < 75) {
    c.guidance = FuelingGuidance::mouth_rinse_or_small_amounts;
  } else if (minutes <= 150) {
    c.guidance = FuelingGuidance::moderate;
    c.min_g_per_h = 30;
    c.max_g_per_h = 60;
  } else {
    c.guidance = FuelingGuidance::high;
    c.min_g_per_h = 60;
    c.max_g_per_h = 90;
  }
  return c;
}

}  // namespace pierre::intelligence
