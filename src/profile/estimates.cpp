// Physiological anchors estimated from a user's own recordings, for users who have not configured them. Each
// estimate names its method; every one is a floor of the true value (you only record what you did), so a configured
// value always wins.
#include <algorithm>
#include <cmath>

#include "pierre/core/time.hpp"
#include "pierre/intelligence/performance.hpp"
#include "pierre/profile/service.hpp"

namespace pierre::profile {
namespace {

ResolvedValue estimated(double value, std::string method) {
  return {std::round(value * 10) / 10, "estimated", std::move(method)};
}

}  // namespace

std::map<std::string, ResolvedValue, std::less<>> estimate_from_history(std::span<const activity::Activity> history,
                                                                        std::int64_t now_ms,
                                                                        std::optional<double> age_years) {
  std::map<std::string, ResolvedValue, std::less<>> out;
  std::vector<double> max_hrs;
  double best_threshold_hr = 0;
  double best_hour_np = 0;
  double best_vdot = 0;
  for (const auto& a : history) {
    if (a.summary.start_time_ms > now_ms) continue;
    const auto& s = a.summary;
    const double moving_min = s.moving_time_s / 60;
    if (s.max_hr_bpm && *s.max_hr_bpm >= 100 && *s.max_hr_bpm <= 230) max_hrs.push_back(*s.max_hr_bpm);
    // Friel's LTHR field test is the average heart rate of a 30-minute solo all-out effort: the hardest sustained
    // 20–70 minute run or ride is the recorded session closest to it.
    if ((activity::is_running(a.sport) || activity::is_cycling(a.sport)) && moving_min >= 20 && moving_min <= 70 &&
        s.avg_hr_bpm) {
      best_threshold_hr = std::max(best_threshold_hr, *s.avg_hr_bpm);
    }
    // FTP is the power sustainable for about an hour (Allen & Coggan): the best normalised power of a 45–75 minute
    // ride approximates it.
    if (activity::is_cycling(a.sport) && moving_min >= 45 && moving_min <= 75 && s.normalized_power_w) {
      best_hour_np = std::max(best_hour_np, *s.normalized_power_w);
    }
    // VDOT from runs of the last 180 days (Daniels: fitness is what recent running shows).
    if (activity::is_running(a.sport) && a.summary.start_time_ms >= now_ms - 180 * kDayMs && s.distance_m >= 3000) {
      if (const auto v = intelligence::vdot_from_race(s.distance_m, s.moving_time_s)) {
        best_vdot = std::max(best_vdot, *v);
      }
    }
  }
  // The second-highest recorded maximum: one spurious spike (a strap artefact) must not set the anchor.
  if (max_hrs.size() >= 3) {
    std::nth_element(max_hrs.begin(), max_hrs.begin() + 1, max_hrs.end(), std::greater<>());
    out["max_hr_bpm"] = estimated(max_hrs[1], "second_highest_recorded_max_hr");
  } else if (age_years) {
    if (const auto t = intelligence::tanaka_max_hr_bpm(*age_years)) out["max_hr_bpm"] = estimated(*t, "tanaka_2001");
  }
  if (best_threshold_hr > 0) out["lthr_bpm"] = estimated(best_threshold_hr, "best_20_to_70_min_average_hr");
  if (best_hour_np > 0) out["ftp_w"] = estimated(best_hour_np, "best_45_to_75_min_normalized_power");
  if (best_vdot > 0) out["vo2max"] = estimated(best_vdot, "vdot_daniels_gilbert_best_run_180_days");
  return out;
}

}  // namespace pierre::profile
