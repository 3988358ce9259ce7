#pragma once
// A recovery recommendation from the training-load numbers (load.hpp): form (TSB), acute:chronic workload ratio,
// Foster monotony and the last days' loads against chronic load. Every reason names the metric, its value and the
// threshold it was compared with. Pure; the thresholds are options with published or documented defaults.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pierre::intelligence {

// Ordered from most to least conservative.
enum class RecoveryRecommendation { rest, easy, normal, hard };
// "rest", "easy_recovery", "normal_training", "ready_for_hard_session".
[[nodiscard]] std::string_view recovery_recommendation_name(RecoveryRecommendation recommendation) noexcept;

// Form bands of the Performance Management Chart as given in TrainingPeaks / Coggan PMC guidance (WKO and
// TrainingPeaks "form" zones): < −30 high risk (overreaching), −30…−10 optimal/productive training, −10…+5 grey zone
// (neutral, maintenance), +5…+25 fresh (race ready), > +25 transition (detraining). These are practitioner guidance,
// not thresholds derived from trials.
enum class TsbBand { overreaching, productive, neutral, fresh, detraining };
[[nodiscard]] std::string_view tsb_band_name(TsbBand band) noexcept;

struct RecoveryOptions {
  double tsb_overreaching_below = -30;
  double tsb_productive_below = -10;  // −30 ≤ TSB < −10: productive
  double tsb_fresh_from = 5;          // −10 ≤ TSB < +5: neutral; +5 ≤ TSB ≤ +25: fresh
  double tsb_detraining_above = 25;
  // Gabbett 2016 (Br J Sports Med 50:273–280): sweet spot 0.8–1.3, danger zone above 1.5.
  double acwr_high = 1.5;
  double acwr_caution = 1.3;
  double acwr_low = 0.8;
  // Foster 1998 (Med Sci Sports Exerc 30:1164–1168).
  double monotony_high = 2.0;
  // Mean load of the last days over CTL (CTL is a daily average): three days at 1.5× the usual daily load is a hard
  // block — our heuristic, not a published cut-off.
  double recent_load_ratio_high = 1.5;
};

// The band holding tsb; non-finite → nullopt.
[[nodiscard]] std::optional<TsbBand> tsb_band(double tsb, const RecoveryOptions& options = {});

struct RecoveryInputs {
  std::optional<double> tsb;  // when absent but CTL and ATL are given, CTL − ATL is used
  std::optional<double> acwr;
  std::optional<double> monotony;
  std::optional<double> ctl;
  std::optional<double> atl;
  std::vector<double> recent_daily_loads;  // oldest first; the last 3 are used
};

struct RecoveryReason {
  std::string metric;  // "tsb", "acwr", "monotony", "recent_load_ratio"
  double value = 0;
  double threshold = 0;    // the bound crossed (or, for a band, the bound that places it)
  std::string comparison;  // "<", "<=", ">", ">=": value comparison threshold holds
  RecoveryRecommendation limits_to = RecoveryRecommendation::normal;  // the most this metric allows
  std::string message;
};

struct RecoveryAssessment {
  RecoveryRecommendation recommendation = RecoveryRecommendation::normal;
  std::string_view name;  // recovery_recommendation_name(recommendation)
  std::optional<double> tsb;
  std::optional<TsbBand> band;
  std::vector<RecoveryReason> reasons;  // one per metric evaluated, in the order tsb, acwr, monotony, recent load
};

// Each metric present gives one reason capping the recommendation:
//   TSB      overreaching → rest; productive or neutral → normal; fresh or detraining → hard (the only way to "hard").
//   ACWR     > acwr_high → rest; > acwr_caution → easy; < acwr_low → normal (after a lay-off, build up before
//            hard work: Gabbett's curve rises below 0.8 too); within the sweet spot no cap.
//   monotony > monotony_high → easy; otherwise no cap.
//   recent   mean of the last ≤ 3 daily loads / CTL (CTL > 0) > recent_load_ratio_high → easy; otherwise no cap.
// The recommendation is the most conservative cap, starting from normal when there is no TSB (so "hard" needs
// positive evidence of freshness). Non-finite or negative (except TSB) inputs → nullopt; no usable metric → nullopt.
[[nodiscard]] std::optional<RecoveryAssessment> recovery_recommendation(const RecoveryInputs& inputs,
                                                                        const RecoveryOptions& options = {});

}  // namespace pierre::intelligence
