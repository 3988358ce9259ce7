#pragma once
// Trends over many activities or days: least-squares trend lines with their uncertainty, training intensity
// distribution (polarised, pyramidal, …), training consistency, injury-risk flags from daily loads and the weekly
// training schedule. Pure functions; insufficient or invalid input → nullopt, never NaN.

#include "pierre/intelligence/load.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pierre::intelligence {

// ---- Student's t distribution ----

// P(T ≤ t) for Student's t with ν degrees of freedom: for t ≥ 0, 1 − ½·I_{ν/(ν+t²)}(ν/2, ½), I the regularized
// incomplete beta function (Abramowitz & Stegun 26.7.1 with 26.5.27), evaluated by its continued fraction
// (A&S 26.5.8) with ln Γ from Lanczos' approximation (Lanczos 1964, SIAM J Numer Anal B 1:86–96). ν = +∞ is the
// standard normal. ν must be > 0 (or +∞) and t finite.
[[nodiscard]] std::optional<double> student_t_cdf(double t, double degrees_of_freedom);
// The p-quantile of Student's t (the t with P(T ≤ t) = p), by bisection on the upper tail to ~1e-12 relative;
// 0 < p < 1. E.g. t(0.975, 1) = 12.706, t(0.975, 30) = 2.042, t(0.975, ∞) = 1.960.
[[nodiscard]] std::optional<double> student_t_quantile(double probability, double degrees_of_freedom);

// ---- Linear trend ----

struct LinearFit {
  std::size_t n = 0;
  double slope = 0;
  double intercept = 0;
  double r_squared = 0;                // Sxy² / (Sxx·Syy); 0 when every y is the same
  double residual_standard_error = 0;  // √(SSE / (n − 2))
  double slope_standard_error = 0;     // √(SSE / (n − 2) / Sxx)
  double degrees_of_freedom = 0;       // n − 2
  double confidence = 0;               // level of the interval below, e.g. 0.95
  double slope_ci_low = 0;             // slope ∓ t(1 − α/2, n − 2)·SE
  double slope_ci_high = 0;
  std::optional<double> t_statistic;  // slope / SE; absent when SE = 0 (a perfect fit)
  double p_value = 1;                 // two-sided, H0: slope = 0 (0 for a perfect non-flat fit, 1 for a flat one)
};
// Ordinary least squares of y on x (any textbook, e.g. Draper & Smith, Applied Regression Analysis, ch. 1), with the
// usual normal-theory inference on the slope. Needs n ≥ 3 pairs of finite numbers (n − 2 ≥ 1 degrees of freedom)
// with x not all equal, equal-length spans and 0 < confidence < 1.
[[nodiscard]] std::optional<LinearFit> linear_regression(std::span<const double> x, std::span<const double> y,
                                                         double confidence = 0.95);

enum class TrendDirection { improving, declining, stable };
[[nodiscard]] std::string_view trend_direction_name(TrendDirection direction) noexcept;
// Improving / declining when the slope's confidence interval excludes zero (the slope is positive and higher is
// better, or negative and lower is better → improving); stable when the interval contains zero.
[[nodiscard]] TrendDirection trend_direction(const LinearFit& fit, bool higher_is_better) noexcept;

// ---- Training intensity distribution ----

// Time in the three-zone model of Seiler (Seiler & Kjerland 2006, Scand J Med Sci Sports 16:49–56; Seiler 2010,
// Int J Sports Physiol Perform 5:276–291): Z1 below the first lactate/ventilatory threshold, Z2 between the
// thresholds, Z3 above the second. Any time unit.
struct ThreeZoneTime {
  double low = 0;       // Z1
  double moderate = 0;  // Z2
  double high = 0;      // Z3
};
// Collapse a five-zone heart-rate time-in-zone array (Karvonen %HRR or %HRmax zones Z1…Z5, zones.hpp) into the
// three-zone model: Z1 + Z2 → low, Z3 → moderate, Z4 + Z5 → high. This follows Seiler 2010's mapping of the common
// five-zone scale onto the three physiological zones (five-zone Z1–Z2 lie below LT1/VT1, Z3 between the thresholds,
// Z4–Z5 at or above LT2/VT2); it is an approximation, since the thresholds are individual. Exactly 5 finite, ≥ 0
// entries; otherwise nullopt.
[[nodiscard]] std::optional<ThreeZoneTime> three_zone_from_five(std::span<const double> five_zone_time);

// Treff et al. 2019 (Front Physiol 10:707) Polarization-Index: PI = log10((Z1 / Z2) × Z3 × 100) with each zone as a
// fraction of total time (0–1), so 80/5/15 % → log10(16 × 0.15 × 100) = log10(240) = 2.38. Undefined (nullopt) when
// Z2 or Z3 is zero, or no time at all.
[[nodiscard]] std::optional<double> polarization_index(const ThreeZoneTime& time);

enum class IntensityDistribution {
  polarized,               // Z1 > Z3 > Z2 and PI > 2.00 (Treff et al. 2019)
  pyramidal,               // Z1 > Z2 > Z3
  threshold,               // Z2 the largest zone
  high_intensity,          // Z3 the largest zone
  low_intensity_dominant,  // "base": Z1 the largest, but neither polarized nor pyramidal (Z3 ≥ Z2 with PI ≤ 2.00)
};
[[nodiscard]] std::string_view intensity_distribution_name(IntensityDistribution distribution) noexcept;

struct IntensityAnalysis {
  double low_fraction = 0;  // 0–1
  double moderate_fraction = 0;
  double high_fraction = 0;
  std::optional<double> polarization_index;
  IntensityDistribution distribution = IntensityDistribution::low_intensity_dominant;
};
// Classify in this order: Z2 ≥ both others → threshold; Z3 > Z1 → high_intensity; Z1 > Z3 > Z2 with PI > the
// threshold (Treff: 2.00) → polarized (with Z2 = 0 and Z3 > 0 the index is unbounded and this counts as polarized);
// Z2 > Z3 → pyramidal; otherwise low_intensity_dominant. Needs finite, ≥ 0 times with a positive total.
[[nodiscard]] std::optional<IntensityAnalysis> intensity_distribution(const ThreeZoneTime& time,
                                                                      double polarized_pi_threshold = 2.0);

// ---- Consistency ----

struct ConsistencyOptions {
  int target_sessions_per_week = 3;  // a week "meets the target" with at least this many sessions
  // Score weights (normalised by their sum) and the gap that scores zero; see training_consistency.
  double adherence_weight = 0.6;
  double regularity_weight = 0.25;
  double gap_weight = 0.15;
  int gap_zero_score_days = 14;
};
struct Consistency {
  int weeks = 0;          // whole 7-day weeks analysed
  int sessions = 0;       // sessions inside those weeks
  int training_days = 0;  // distinct days with ≥ 1 session
  double sessions_per_week_mean = 0;
  double sessions_per_week_sd = 0;             // population SD over the weeks analysed
  std::optional<double> sessions_per_week_cv;  // SD / mean; absent with no sessions
  int longest_gap_days = 0;                    // longest run of days without a session, window edges included
  double fraction_weeks_meeting_target = 0;    // 0–1
  double score = 0;                            // 0–100
};
// Consistency of training over the window [first_day, last_day] (inclusive, e.g. days since the epoch); each entry of
// session_days is one session (a day may appear several times); sessions outside the window are ignored. The window
// is cut into whole 7-day weeks counted back from last_day (leftover days at its start are dropped). Needs ≥ 7 days.
//
// Score (our definition, not a published index): 100 × (wA·A + wR·R + wG·G) / (wA + wR + wG) with
//   A = fraction of weeks with ≥ target sessions (adherence),
//   R = max(0, 1 − CV of sessions per week) (regularity; 0 when there are no sessions),
//   G = max(0, 1 − longest gap / gap_zero_score_days) (no long breaks).
// Defaults: wA 0.6, wR 0.25, wG 0.15, target 3 sessions/week, a 14-day gap scores zero.
[[nodiscard]] std::optional<Consistency> training_consistency(std::span<const std::int64_t> session_days,
                                                              std::int64_t first_day, std::int64_t last_day,
                                                              const ConsistencyOptions& options = {});

// ---- Injury-risk flags from daily loads ----

enum class RiskSeverity { info, caution, high };
[[nodiscard]] std::string_view risk_severity_name(RiskSeverity severity) noexcept;

struct RiskFlag {
  std::string code;  // "acwr_high", "acwr_caution", "acwr_low", "monotony_high", "weekly_load_increase",
                     // "ctl_ramp_high"
  RiskSeverity severity = RiskSeverity::info;
  double value = 0;
  double threshold = 0;
  std::string source;   // the citation the threshold comes from
  std::string message;  // one plain sentence
};

enum class AcwrMethod { rolling, ewma };

struct InjuryRiskOptions {
  AcwrMethod acwr_method = AcwrMethod::rolling;
  AcwrOptions acwr;
  // Gabbett 2016 (Br J Sports Med 50:273–280): "sweet spot" 0.8–1.3, "danger zone" above 1.5.
  double acwr_high = 1.5;
  double acwr_caution = 1.3;
  double acwr_low = 0.8;
  // Foster 1998 (Med Sci Sports Exerc 30:1164–1168): monotony above 2.0, especially with high strain.
  double monotony_high = 2.0;
  // Strain is in the load's own units (sRPE, TSS…), so there is no universal "high"; when set, monotony above the
  // threshold together with strain above this value is a high-severity flag instead of a caution.
  std::optional<double> strain_high;
  // Week-over-week load increase, %: the "10 % rule" is a coaching heuristic, not an evidence-based limit (Buist et
  // al. 2008, Am J Sports Med 36:33–39, found no fewer injuries with a 10 %-per-week programme).
  double weekly_increase_pct = 10;
  // CTL ramp per week: Coggan / TrainingPeaks practitioner guidance puts 5–8 CTL points per week as the upper end of
  // what is sustainable.
  double ctl_ramp_per_week = 8;
  PmcOptions pmc;
};

struct InjuryRiskAssessment {
  std::optional<double> acwr;
  std::optional<MonotonyStrain> monotony;   // over the 7 days ending at `day`
  std::optional<double> weekly_change_pct;  // last 7 days vs the 7 before, %; absent without a prior week
  std::optional<double> ctl_ramp_per_week;  // CTL(day) − CTL(day − 7)
  std::vector<RiskFlag> flags;              // in the order above; empty when nothing is flagged
};
// Evaluate the loads up to and including `day` (later loads are ignored): ACWR > acwr_high → high, > acwr_caution →
// caution, < acwr_low → info (detraining / under-loading); monotony > monotony_high → caution (high with strain
// above strain_high); weekly increase > weekly_increase_pct → caution; CTL ramp > ctl_ramp_per_week → caution.
// A metric that cannot be computed (too little history) is absent and raises no flag. Negative or non-finite loads,
// or no load on or before `day` → nullopt.
[[nodiscard]] std::optional<InjuryRiskAssessment> injury_risk(std::span<const DailyLoad> loads, std::int64_t day,
                                                              const InjuryRiskOptions& options = {});

// ---- Weekly schedule ----

// Monday-based weekday (0 = Monday … 6 = Sunday) of a local calendar day counted from 1970-01-01 (a Thursday).
[[nodiscard]] int weekday_from_days_since_epoch(std::int64_t local_day) noexcept;
// Index of the Monday-to-Sunday week holding that day (weeks counted from the Monday 1969-12-29).
[[nodiscard]] std::int64_t week_from_days_since_epoch(std::int64_t local_day) noexcept;

struct SessionStart {
  std::int64_t local_day = 0;  // local calendar day of the start, days since 1970-01-01
  int hour = 0;                // local hour of the start, 0–23
  double duration_s = 0;
};
struct TrainingSlot {
  int weekday = 0;  // 0 = Monday
  int hour = 0;
  int weeks_with_session = 0;
  double fraction_of_weeks = 0;
};
struct WeeklySchedule {
  int weeks = 0;  // the weeks the fractions are relative to
  std::array<int, 7> sessions_per_weekday{};
  std::array<double, 7> seconds_per_weekday{};
  std::array<int, 24> sessions_per_hour{};  // start-hour histogram
  std::vector<int> most_common_hours;       // every hour with the highest count, ascending
  std::vector<TrainingSlot> usual_slots;    // by fraction (highest first), then weekday, then hour
};
// Where in the week training usually happens. A weekday × hour slot is "usual" when at least min_week_fraction of the
// weeks (default 25 %) have a session starting in it. weeks defaults to the span of calendar weeks from the first
// session to the last. Needs ≥ 1 session, hours 0–23, finite durations ≥ 0 and weeks ≥ 1; otherwise nullopt.
[[nodiscard]] std::optional<WeeklySchedule> weekly_schedule(std::span<const SessionStart> sessions,
                                                            std::optional<int> weeks = {},
                                                            double min_week_fraction = 0.25);

}  // namespace pierre::intelligence
