#pragma once
// A 0–100 fitness score made of documented components (aerobic load, VO2max for age and sex, consistency, form),
// each reporting its input value, its 0–100 score, its weight and how it was scored. The composite is our own
// summary, not a published index; the inputs and the VO2max norms are published.

#include "pierre/intelligence/metrics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pierre::intelligence {

// ---- VO2max norms ----

struct Vo2maxPercentile {
  double percentile = 0;     // 5–95, linear between the table's breakpoints
  std::string age_band;      // "20-29" … "70-79": the table row used
  bool below_table = false;  // VO2max under the 5th percentile: reported as 5
  bool above_table = false;  // VO2max over the 95th percentile: reported as 95
};
// Percentile of a directly measured (treadmill) VO2max, ml·kg⁻¹·min⁻¹, among US adults of the same sex and age
// decade: FRIEND registry reference standards, Kaminsky, Arena & Myers 2015 (Mayo Clin Proc 90:1515–1523), the 5th,
// 10th, 25th, 50th, 75th, 90th and 95th percentiles for 20–29 … 70–79 years. Ages below 20 use the 20–29 row and 80+
// the 70–79 row (an extrapolation the table does not cover). VO2max in (0, 100], age in [10, 120], finite; else
// nullopt.
[[nodiscard]] std::optional<Vo2maxPercentile> vo2max_percentile(double vo2max, double age_years, Sex sex);

// ---- Composite score ----

struct FitnessInputs {
  std::optional<double> ctl;                // chronic training load (TSS/day), load.hpp
  std::optional<double> vo2max;             // ml·kg⁻¹·min⁻¹, measured, or Daniels' VDOT as a stand-in
  bool vo2max_is_vdot = false;              // recorded in the component's method
  std::optional<double> age_years;          // needed with vo2max
  std::optional<Sex> sex;                   // needed with vo2max
  std::optional<double> consistency_score;  // 0–100, trends.hpp training_consistency
  std::optional<double> tsb;                // training stress balance, load.hpp
};

struct FitnessOptions {
  double aerobic_weight = 0.4;
  double vo2max_weight = 0.3;
  double consistency_weight = 0.2;
  double form_weight = 0.1;  // a small modifier
  double full_marks_ctl = 100;
};

struct FitnessComponent {
  std::string name;    // "aerobic_load", "vo2max", "consistency", "form"
  double value = 0;    // the input (CTL, VO2max, consistency score, TSB)
  double score = 0;    // 0–100
  double weight = 0;   // effective weight after renormalising over the components present; they sum to 1
  std::string method;  // how value became score
};
struct FitnessScore {
  double score = 0;  // Σ weight × score, 0–100
  std::vector<FitnessComponent> components;
};

// Form (TSB) to a 0–100 score, our definition built on the PMC form bands (recovery.hpp): 100 for TSB −10…+25
// (neutral to fresh), falling linearly to 0 at −40 (deep fatigue hides fitness), and above +25 linearly to 50 at
// +50 and no lower (a long taper or break: fitness is decaying). Non-finite → nullopt.
[[nodiscard]] std::optional<double> form_score(double tsb);

// Components, each included only when its input is there:
//   aerobic_load  CTL → 100·min(CTL, full_marks_ctl)/full_marks_ctl. CTL (Coggan's 42-day fitness) of ~100 TSS/day
//                 is where TrainingPeaks/Coggan guidance places well-trained competitive amateurs; the linear scale
//                 is our choice.
//   vo2max        the FRIEND percentile (vo2max_percentile) is the score; needs age and sex too.
//   consistency   the 0–100 consistency score as given.
//   form          form_score(TSB).
// Weights come from options and are renormalised over the components present. Non-finite or negative inputs
// (consistency outside 0–100, weights negative) → nullopt; no component at all → nullopt.
[[nodiscard]] std::optional<FitnessScore> fitness_score(const FitnessInputs& inputs,
                                                        const FitnessOptions& options = {});

}  // namespace pierre::intelligence
