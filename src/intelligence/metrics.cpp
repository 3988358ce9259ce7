#include "pierre/intelligence/metrics.hpp"

#include "sampling.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace pierre::intelligence {

using detail::finite;
using detail::positive;

namespace {

constexpr double kNpWindowS = 30;           // Coggan: 30 s rolling average
constexpr double kGradeStepM = 20;          // grade measured over at least this much horizontal distance
constexpr double kMinettiMaxGrade = 0.45;   // Minetti et al. measured −0.45 … +0.45
constexpr double kMinDecouplingS = 600;     // aerobic decoupling needs ≥ 10 min with heart rate
constexpr double kKcalPerKj = 1.0 / 4.184;  // thermochemical calorie

std::optional<double> checked(double v) {
  if (!finite(v)) return std::nullopt;
  return v;
}

// Banister's weighting: x·k·e^{b·x} per minute (Morton, Fitz-Clarke & Banister 1990).
double trimp_per_minute(double hr_bpm, const HeartRateProfile& p) {
  const double x = std::clamp((hr_bpm - p.resting_bpm) / (p.max_bpm - p.resting_bpm), 0.0, 1.0);
  const double k = p.sex == Sex::female ? 0.86 : 0.64;
  const double b = p.sex == Sex::female ? 1.67 : 1.92;
  return x * k * std::exp(b * x);
}

// trimp_per_minute by heart rate, remembered: one exp() per sample was most of a long session's TRIMP, and a stream
// holds few distinct heart rates (stored to 0.1 bpm, and they drift slowly). Direct-mapped on the value's bits, so a
// hit returns exactly what the call would.
class TrimpPerMinuteMemo {
 public:
  explicit TrimpPerMinuteMemo(const HeartRateProfile& profile) : profile_(profile) { keys_.fill(kEmpty); }
  double operator()(double hr_bpm) {
    const auto bits = std::bit_cast<std::uint64_t>(hr_bpm);
    const auto slot = static_cast<std::size_t>((bits * 0x9E3779B97F4A7C15ULL) >> (64U - kSlotBits));
    if (keys_[slot] != bits) {
      keys_[slot] = bits;
      values_[slot] = trimp_per_minute(hr_bpm, profile_);
    }
    return values_[slot];
  }

 private:
  static constexpr unsigned kSlotBits = 8;
  static constexpr std::uint64_t kEmpty = 0x7ff8'dead'0000'0001ULL;  // a NaN: never a heart rate asked for
  const HeartRateProfile& profile_;
  std::array<std::uint64_t, std::size_t{1} << kSlotBits> keys_;
  std::array<double, std::size_t{1} << kSlotBits> values_{};
};

bool profile_ok(const HeartRateProfile& p) {
  return finite(p.resting_bpm) && finite(p.max_bpm) && p.resting_bpm >= 0 && p.max_bpm > p.resting_bpm;
}

}  // namespace

std::optional<Sex> sex_from_text(std::string_view text) noexcept {
  std::string lower;
  for (const char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "male" || lower == "m" || lower == "man") return Sex::male;
  if (lower == "female" || lower == "f" || lower == "woman") return Sex::female;
  return std::nullopt;
}

// ---- Power ----

// Coggan's normalized power (Allen & Coggan, Training and Racing with a Power Meter, ch. 7).
std::optional<double> normalized_power_w(std::span<const double> power_1hz) {
  const auto window = static_cast<std::size_t>(kNpWindowS);
  if (power_1hz.size() < window) return std::nullopt;
  double sum = 0;
  double sum4 = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < power_1hz.size(); ++i) {
    const double p = power_1hz[i];
    sum += finite(p) && p > 0 ? p : 0.0;
    if (i >= window) {
      const double old = power_1hz[i - window];
      sum -= finite(old) && old > 0 ? old : 0.0;
    }
    if (i + 1 >= window) {
      const double mean = std::max(sum, 0.0) / kNpWindowS;  // max: rounding must not go negative
      sum4 += mean * mean * mean * mean;
      ++n;
    }
  }
  return checked(std::pow(sum4 / static_cast<double>(n), 0.25));
}

std::optional<double> normalized_power_w(const activity::Streams& streams) {
  const auto grid = detail::power_grid_1hz(streams);
  if (!grid) return std::nullopt;
  return normalized_power_w(std::span<const double>(*grid));
}

namespace {

// On the grid of detail::power_grid_1hz; shared by the one-metric functions and power_metrics so both give the
// same numbers.
double grid_sum(std::span<const double> grid) {
  double sum = 0;
  for (const double p : grid) sum += p;
  return sum;
}

std::optional<double> grid_average(std::span<const double> grid, double sum) {
  if (grid.empty()) return std::nullopt;
  return checked(sum / static_cast<double>(grid.size()));
}

std::optional<double> grid_work_kj(double sum) {
  return checked(sum / 1000.0);  // 1 s per grid step
}

bool window_ok(double window_s) {
  return window_s >= 1 && finite(window_s);
}

std::optional<double> grid_max_mean(std::span<const double> grid, double window_s) {
  const auto window = static_cast<std::size_t>(window_s);
  if (grid.size() < window) return std::nullopt;
  double sum = 0;
  double best = 0;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    sum += grid[i];
    if (i >= window) sum -= grid[i - window];
    if (i + 1 >= window) best = std::max(best, sum);
  }
  return checked(best / static_cast<double>(window));
}

}  // namespace

std::optional<double> average_power_w(const activity::Streams& streams) {
  const auto grid = detail::power_grid_1hz(streams);
  if (!grid) return std::nullopt;
  return grid_average(*grid, grid_sum(*grid));
}

std::optional<double> max_mean_power_w(const activity::Streams& streams, double window_s) {
  if (!window_ok(window_s)) return std::nullopt;
  const auto grid = detail::power_grid_1hz(streams);
  if (!grid) return std::nullopt;
  return grid_max_mean(*grid, window_s);
}

std::optional<double> work_kj(const activity::Streams& streams) {
  const auto grid = detail::power_grid_1hz(streams);
  if (!grid) return std::nullopt;
  return grid_work_kj(grid_sum(*grid));
}

PowerMetrics power_metrics(const activity::Streams& streams, double max_mean_window_s) {
  const auto grid = detail::power_grid_1hz(streams);
  if (!grid) return {};
  const double sum = grid_sum(*grid);
  return {.normalized_w = normalized_power_w(std::span<const double>(*grid)),
          .average_w = grid_average(*grid, sum),
          .work_kj = grid_work_kj(sum),
          .max_mean_w = window_ok(max_mean_window_s) ? grid_max_mean(*grid, max_mean_window_s) : std::nullopt};
}

// Coggan: IF = NP / FTP; TSS = (s × NP × IF) / (FTP × 3600) × 100 (TrainingPeaks, "Training Stress Score").
std::optional<double> intensity_factor(double np_w, double ftp_w) {
  if (!finite(np_w) || np_w < 0 || !positive(ftp_w)) return std::nullopt;
  return checked(np_w / ftp_w);
}

std::optional<double> training_stress_score(double duration_s, double np_w, double ftp_w) {
  const auto intensity = intensity_factor(np_w, ftp_w);
  if (!intensity || !finite(duration_s) || duration_s < 0) return std::nullopt;
  return checked(duration_s * np_w * *intensity / (ftp_w * 3600.0) * 100.0);
}

std::optional<double> variability_index(double np_w, double avg_power_w) {
  if (!finite(np_w) || np_w < 0 || !positive(avg_power_w)) return std::nullopt;
  return checked(np_w / avg_power_w);
}

std::optional<double> efficiency_factor(double output, double avg_hr_bpm) {
  if (!finite(output) || output < 0 || !positive(avg_hr_bpm)) return std::nullopt;
  return checked(output / avg_hr_bpm);
}

// ---- Heart rate ----

std::optional<double> trimp(double duration_s, double avg_hr_bpm, const HeartRateProfile& profile) {
  if (!profile_ok(profile) || !finite(duration_s) || duration_s < 0 || !positive(avg_hr_bpm)) return std::nullopt;
  return checked(duration_s / 60.0 * trimp_per_minute(avg_hr_bpm, profile));
}

std::optional<double> trimp(const activity::Streams& streams, const HeartRateProfile& profile) {
  if (!profile_ok(profile) || !detail::channel_ok(streams, streams.heart_rate_bpm)) return std::nullopt;
  const auto dt = detail::hold_durations_s(streams.time_s);
  TrimpPerMinuteMemo per_minute(profile);
  double total = 0;
  double counted_s = 0;
  for (std::size_t i = 0; i < dt.size(); ++i) {
    const double hr = streams.heart_rate_bpm[i];
    if (!positive(hr) || dt[i] <= 0) continue;
    total += dt[i] / 60.0 * per_minute(hr);
    counted_s += dt[i];
  }
  if (counted_s <= 0) return std::nullopt;
  return checked(total);
}

std::optional<double> hr_tss(double session_trimp, double lthr_bpm, const HeartRateProfile& profile) {
  if (!finite(session_trimp) || session_trimp < 0 || !positive(lthr_bpm) || !profile_ok(profile)) return std::nullopt;
  const double hour_at_lthr = 60.0 * trimp_per_minute(lthr_bpm, profile);
  if (!(hour_at_lthr > 0)) return std::nullopt;
  return checked(session_trimp / hour_at_lthr * 100.0);
}

// ---- Running ----

double minetti_cost_of_running(double grade) noexcept {
  const double i = finite(grade) ? std::clamp(grade, -kMinettiMaxGrade, kMinettiMaxGrade) : 0.0;
  return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6;  // Horner form of the polynomial
}

double grade_cost_factor(double grade) noexcept {
  return minetti_cost_of_running(grade) / minetti_cost_of_running(0);
}

std::optional<double> grade_adjusted_speed_mps(const activity::Streams& streams) {
  if (!detail::channel_ok(streams, streams.distance_m) || !detail::channel_ok(streams, streams.altitude_m)) {
    return std::nullopt;
  }
  const auto& t = streams.time_s;
  const auto& d = streams.distance_m;
  const auto& h = streams.altitude_m;
  double flat_equivalent_m = 0;
  double moving_s = 0;
  std::optional<std::size_t> anchor;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (!finite(t[i]) || !finite(d[i]) || !finite(h[i])) continue;
    if (!anchor) {
      anchor = i;
      continue;
    }
    const std::size_t a = *anchor;
    const double dt = t[i] - t[a];
    const double dd = d[i] - d[a];
    if (!(dt > 0) || dd < 0) {  // time or distance went backwards: restart the segment here
      anchor = i;
      continue;
    }
    // A pause (no sample for longer than kPauseGapS) is dropped; the distance covered across it is not counted.
    if (t[i] - t[i - 1] > kPauseGapS) {
      anchor = i;
      continue;
    }
    if (dd < kGradeStepM && i + 1 < streams.size()) continue;  // accumulate until the step is long enough
    const double grade = dd > 0 ? (h[i] - h[a]) / dd : 0.0;
    flat_equivalent_m += dd * grade_cost_factor(grade);
    moving_s += dt;
    anchor = i;
  }
  if (!(moving_s > 0) || !(flat_equivalent_m > 0)) return std::nullopt;
  return checked(flat_equivalent_m / moving_s);
}

std::optional<double> running_tss(double duration_s, double normalized_graded_speed_mps, double threshold_speed_mps) {
  if (!finite(duration_s) || duration_s < 0 || !finite(normalized_graded_speed_mps) ||
      normalized_graded_speed_mps < 0 || !positive(threshold_speed_mps)) {
    return std::nullopt;
  }
  const double intensity = normalized_graded_speed_mps / threshold_speed_mps;
  return checked(duration_s / 3600.0 * intensity * intensity * 100.0);
}

// ---- Zones, decoupling ----

std::optional<TimeInZones> time_in_zones(std::span<const double> time_s, std::span<const double> values,
                                         const ZoneSet& zones) {
  if (zones.zones.empty() || time_s.size() < 2 || values.size() != time_s.size()) return std::nullopt;
  const auto dt = detail::hold_durations_s(time_s);
  // zone_index, flattened for a loop over every sample: the last zone with min ≤ v < max wins, an open top zone has
  // max +∞ (v is finite). Per-zone branches on noisy power mispredicted most of the time, so when both bounds rise
  // from zone to zone (every zone set we build) the candidate is counted branch-free: the zones with min ≤ v are a
  // prefix, and of those only the last can still have v < max.
  const std::size_t count = zones.zones.size();
  std::vector<double> lower(count);
  std::vector<double> upper(count);
  for (std::size_t z = 0; z < count; ++z) {
    lower[z] = zones.zones[z].min;
    upper[z] = zones.zones[z].max.value_or(std::numeric_limits<double>::infinity());
  }
  bool rising = true;
  for (std::size_t z = 0; z + 1 < count; ++z) rising = rising && lower[z] <= lower[z + 1] && upper[z] <= upper[z + 1];
  const auto zone_of = [&](double v) {
    if (rising) {
      std::size_t at_or_above = 0;
      for (std::size_t z = 0; z < count; ++z) at_or_above += static_cast<std::size_t>(v >= lower[z]);
      return at_or_above > 0 && v < upper[at_or_above - 1] ? at_or_above - 1 : count;
    }
    std::size_t found = count;
    for (std::size_t z = 0; z < count; ++z) {
      if (v >= lower[z] && v < upper[z]) found = z;
    }
    return found;
  };
  TimeInZones out;
  out.seconds.assign(count, 0.0);
  for (std::size_t i = 0; i < dt.size(); ++i) {
    const double v = values[i];
    if (!finite(v) || dt[i] <= 0) continue;
    const std::size_t found = zone_of(v);
    if (found < count) {
      out.seconds[found] += dt[i];
    } else if (v < zones.zones.front().min) {
      out.below_s += dt[i];
    } else if (const auto& top = zones.zones.back().max; top && v >= *top) {
      out.above_s += dt[i];
    } else {
      out.between_s += dt[i];
    }
  }
  return out;
}

std::optional<double> aerobic_decoupling_pct(const activity::Streams& streams) {
  if (!detail::channel_ok(streams, streams.heart_rate_bpm)) return std::nullopt;
  const bool use_power = detail::channel_ok(streams, streams.power_w) &&
                         std::any_of(streams.power_w.begin(), streams.power_w.end(), positive);
  const auto& output = use_power ? streams.power_w : streams.speed_mps;
  if (!detail::channel_ok(streams, output)) return std::nullopt;
  const auto dt = detail::hold_durations_s(streams.time_s);
  // Samples with both output and heart rate, and the time they hold for.
  double total_s = 0;
  for (std::size_t i = 0; i < dt.size(); ++i) {
    if (dt[i] > 0 && finite(output[i]) && output[i] >= 0 && positive(streams.heart_rate_bpm[i])) total_s += dt[i];
  }
  if (total_s < kMinDecouplingS) return std::nullopt;
  double out_sum[2] = {0, 0};
  double hr_sum[2] = {0, 0};
  double elapsed = 0;
  for (std::size_t i = 0; i < dt.size(); ++i) {
    if (!(dt[i] > 0 && finite(output[i]) && output[i] >= 0 && positive(streams.heart_rate_bpm[i]))) continue;
    // A sample straddling the midpoint is split between the halves.
    const double first = std::clamp(total_s / 2 - elapsed, 0.0, dt[i]);
    const double second = dt[i] - first;
    out_sum[0] += output[i] * first;
    hr_sum[0] += streams.heart_rate_bpm[i] * first;
    out_sum[1] += output[i] * second;
    hr_sum[1] += streams.heart_rate_bpm[i] * second;
    elapsed += dt[i];
  }
  if (!(hr_sum[0] > 0) || !(hr_sum[1] > 0) || !(out_sum[0] > 0)) return std::nullopt;
  const double ef_first = out_sum[0] / hr_sum[0];  // the time weights cancel: Σout·dt / Σhr·dt
  const double ef_second = out_sum[1] / hr_sum[1];
  return checked((ef_first - ef_second) / ef_first * 100.0);
}

// ---- Energy ----

std::optional<double> kcal_from_work(double work_kj_value, double gross_efficiency) {
  if (!finite(work_kj_value) || work_kj_value < 0 || !positive(gross_efficiency) || gross_efficiency > 1) {
    return std::nullopt;
  }
  return checked(work_kj_value * kKcalPerKj / gross_efficiency);
}

std::optional<double> kcal_keytel(double avg_hr_bpm, double weight_kg, double age_years, Sex sex, double duration_s) {
  if (!positive(avg_hr_bpm) || !positive(weight_kg) || !positive(age_years) || !finite(duration_s) || duration_s < 0) {
    return std::nullopt;
  }
  const double kj_per_min = sex == Sex::male ? -55.0969 + 0.6309 * avg_hr_bpm + 0.1988 * weight_kg + 0.2017 * age_years
                                             : -20.4022 + 0.4472 * avg_hr_bpm - 0.1263 * weight_kg + 0.074 * age_years;
  if (!(kj_per_min > 0)) return std::nullopt;  // heart rate too low for an exercise equation
  return checked(kj_per_min * kKcalPerKj * duration_s / 60.0);
}

// 2011 Compendium of Physical Activities (Ainsworth et al. 2011): code and description per value.
std::optional<double> compendium_mets(activity::SportType sport) noexcept {
  using activity::SportType;
  switch (sport) {
    case SportType::run:
    case SportType::trail_run:
    case SportType::treadmill_run: return 8.0;  // 12150 running, general
    case SportType::walk: return 4.3;           // 17200 walking, 3.5 mph, level, brisk
    case SportType::hike: return 6.0;           // 17080 hiking, cross country
    case SportType::ride:
    case SportType::gravel_ride:
    case SportType::virtual_ride: return 7.5;        // 01015 bicycling, general
    case SportType::mountain_bike_ride: return 8.5;  // 01009 bicycling, mountain, general
    case SportType::e_bike_ride: return 4.0;         // 01010 bicycling, < 10 mph, leisure (assisted effort)
    case SportType::swim:
    case SportType::open_water_swim: return 5.8;    // swimming laps, freestyle, slow, light or moderate effort
    case SportType::rowing: return 4.8;             // 02071 rowing, stationary, general, moderate effort
    case SportType::kayaking: return 5.0;           // 18100 kayaking, moderate effort
    case SportType::stand_up_paddling: return 6.0;  // 18225 paddle boarding, standing
    case SportType::cross_country_ski: return 9.0;  // 19090 skiing, cross-country, moderate speed and effort
    case SportType::alpine_ski:
    case SportType::snowboard: return 5.3;          // skiing, downhill, alpine or snowboarding, moderate effort
    case SportType::strength_training: return 3.5;  // 02054 resistance training, multiple exercises, 8–15 reps
    case SportType::yoga: return 2.5;               // 02150 yoga, Hatha
    case SportType::elliptical: return 5.0;         // 02048 elliptical trainer, moderate effort
    case SportType::workout: return 5.5;            // 02060 health club exercise, general
    case SportType::multisport:
    case SportType::transition:
    case SportType::other: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> kcal_from_mets(double mets, double weight_kg, double duration_s) {
  if (!positive(mets) || !positive(weight_kg) || !finite(duration_s) || duration_s < 0) return std::nullopt;
  return checked(mets * weight_kg * duration_s / 3600.0);
}

}  // namespace pierre::intelligence
