#pragma once
// Per-activity metrics: power (NP, IF, TSS, VI, EF, mean-max), heart rate (TRIMP, hrTSS), running (grade-adjusted
// pace, rTSS), time in zones, aerobic decoupling and energy. Pure functions; insufficient input → nullopt, never NaN.
//
// Streams conventions (activity/model.hpp): SI units, time_s increasing; a present channel has size() entries with
// NaN marking a gap. A step between samples longer than kPauseGapS is a pause: it counts as no time at all for
// duration-weighted metrics, and as zero power for NP (Coggan's convention for coasting and stops).

#include "pierre/activity/model.hpp"
#include "pierre/intelligence/zones.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace pierre::intelligence {

inline constexpr double kPauseGapS = 30;  // a step longer than this between samples is a pause

enum class Sex { male, female };
// "male"/"m"/"man" and "female"/"f"/"woman" (case-insensitive); anything else → nullopt.
[[nodiscard]] std::optional<Sex> sex_from_text(std::string_view text) noexcept;

// ---- Power (Coggan & Allen, Training and Racing with a Power Meter) ----

// Normalized power: the power stream resampled to 1 s (last sample held up to kPauseGapS, zero beyond and for NaN),
// 30 s rolling mean, 4th root of the mean of its 4th powers. Needs ≥ 30 s of power.
[[nodiscard]] std::optional<double> normalized_power_w(const activity::Streams& streams);
// The same on samples already on a 1 s grid (NaN counts as zero).
[[nodiscard]] std::optional<double> normalized_power_w(std::span<const double> power_1hz);
// Mean of the same 1 s grid NP uses (so VI = NP / average compares like with like).
[[nodiscard]] std::optional<double> average_power_w(const activity::Streams& streams);
// Best mean power over any window of window_s seconds on that grid (e.g. 1200 for the 20-min FTP test).
[[nodiscard]] std::optional<double> max_mean_power_w(const activity::Streams& streams, double window_s);
// Mechanical work ∫P dt over the grid, in kJ.
[[nodiscard]] std::optional<double> work_kj(const activity::Streams& streams);
// The four above from one 1 s grid, for a caller that wants them all (each resamples the stream on its own):
// the same values, each nullopt when its function would be.
struct PowerMetrics {
  std::optional<double> normalized_w;
  std::optional<double> average_w;
  std::optional<double> work_kj;
  std::optional<double> max_mean_w;  // over max_mean_window_s
};
[[nodiscard]] PowerMetrics power_metrics(const activity::Streams& streams, double max_mean_window_s);

// IF = NP / FTP.
[[nodiscard]] std::optional<double> intensity_factor(double np_w, double ftp_w);
// TSS = (duration_s × NP × IF) / (FTP × 3600) × 100; one hour at FTP = 100.
[[nodiscard]] std::optional<double> training_stress_score(double duration_s, double np_w, double ftp_w);
// VI = NP / average power.
[[nodiscard]] std::optional<double> variability_index(double np_w, double avg_power_w);
// EF = output / average HR (Friel/TrainingPeaks): NP (W) for rides, grade-adjusted speed (m/s) for runs.
[[nodiscard]] std::optional<double> efficiency_factor(double output, double avg_hr_bpm);

// ---- Heart rate ----

struct HeartRateProfile {
  double resting_bpm = 0;
  double max_bpm = 0;
  Sex sex = Sex::male;
};

// Banister TRIMP (Banister 1991; Morton, Fitz-Clarke & Banister 1990, J Appl Physiol 69:1171–1177):
// TRIMP = minutes × x × k·e^{b·x}, x = (HR − rest)/(max − rest) clamped to [0, 1]; k = 0.64, b = 1.92 for men,
// k = 0.86, b = 1.67 for women.
[[nodiscard]] std::optional<double> trimp(double duration_s, double avg_hr_bpm, const HeartRateProfile& profile);
// Summed sample by sample over the heart-rate stream (gaps and pauses contribute nothing).
[[nodiscard]] std::optional<double> trimp(const activity::Streams& streams, const HeartRateProfile& profile);
// hrTSS (TrainingPeaks): the session's TRIMP relative to one hour at LTHR, × 100.
[[nodiscard]] std::optional<double> hr_tss(double session_trimp, double lthr_bpm, const HeartRateProfile& profile);

// ---- Running ----

// Minetti et al. 2002 (J Appl Physiol 93:1039–1046) energy cost of running on gradient i (rise/run):
// Cr(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6 J·kg⁻¹·m⁻¹, fitted for −0.45 ≤ i ≤ 0.45 (i is clamped).
[[nodiscard]] double minetti_cost_of_running(double grade) noexcept;
// Cr(i) / Cr(0): how many flat metres one metre at this grade costs.
[[nodiscard]] double grade_cost_factor(double grade) noexcept;
// Grade-adjusted speed: flat-equivalent distance (Σ Δd × Cr(i)/Cr(0), grade over ≥ 20 m steps) over moving time.
// Needs time, distance and altitude. Pace = 1 / speed.
[[nodiscard]] std::optional<double> grade_adjusted_speed_mps(const activity::Streams& streams);
// rTSS (TrainingPeaks): IF = NGP / threshold pace (as speeds), rTSS = hours × IF² × 100.
[[nodiscard]] std::optional<double> running_tss(double duration_s, double normalized_graded_speed_mps,
                                                double threshold_speed_mps);

// ---- Zones, decoupling ----

struct TimeInZones {
  std::vector<double> seconds;  // one entry per zone, in order
  double below_s = 0;           // below the first zone
  double above_s = 0;           // above a bounded last zone
  double between_s = 0;         // in a gap between zones (Daniels' T and I do not touch)
};
// Each sample holds until the next (steps over kPauseGapS ignored); a NaN sample counts nowhere. values is the
// channel the zones are in (heart_rate_bpm, power_w, speed_mps).
[[nodiscard]] std::optional<TimeInZones> time_in_zones(std::span<const double> time_s, std::span<const double> values,
                                                       const ZoneSet& zones);

// Aerobic decoupling (Friel, Pa:HR / Pw:HR): output per heartbeat in the first half of moving time vs the second,
// (EF₁ − EF₂) / EF₁ × 100 %. Output is power when the stream has it, else speed. Needs ≥ 10 min with heart rate.
[[nodiscard]] std::optional<double> aerobic_decoupling_pct(const activity::Streams& streams);

// ---- Energy ----

// Metabolic energy from mechanical work: kcal = kJ / (4.184 × gross efficiency); at the typical ~24 % cycling gross
// efficiency (Coggan & Allen) 1 kJ of work ≈ 1 kcal burned.
[[nodiscard]] std::optional<double> kcal_from_work(double work_kj, double gross_efficiency = 0.24);
// Keytel et al. 2005 (J Sports Sci 23:289–297), the model without VO2max, kJ/min:
// men   −55.0969 + 0.6309·HR + 0.1988·kg + 0.2017·age
// women −20.4022 + 0.4472·HR − 0.1263·kg + 0.074·age ; ÷ 4.184 → kcal/min. Valid for exercise (HR ≳ 90).
[[nodiscard]] std::optional<double> kcal_keytel(double avg_hr_bpm, double weight_kg, double age_years, Sex sex,
                                                double duration_s);
// A representative MET value per sport from the 2011 Compendium of Physical Activities (Ainsworth et al., Med Sci
// Sports Exerc 43:1575–1581); nullopt for sports without a sensible single value (multisport, transition, other).
[[nodiscard]] std::optional<double> compendium_mets(activity::SportType sport) noexcept;
// kcal = METs × kg × hours (1 MET ≡ 1 kcal·kg⁻¹·h⁻¹ by the Compendium's convention).
[[nodiscard]] std::optional<double> kcal_from_mets(double mets, double weight_kg, double duration_s);

}  // namespace pierre::intelligence
