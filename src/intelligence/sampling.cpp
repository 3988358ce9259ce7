#include "sampling.hpp"

#include "pierre/intelligence/metrics.hpp"

#include <cstddef>

namespace pierre::intelligence::detail {

std::optional<std::vector<double>> power_grid_1hz(const activity::Streams& s) {
  if (!channel_ok(s, s.power_w)) return std::nullopt;
  const double t0 = s.time_s.front();
  const double duration = s.time_s.back() - t0;
  if (!finite(t0) || !finite(duration) || !(duration >= 1)) return std::nullopt;
  const auto seconds = static_cast<std::size_t>(duration) + 1;
  std::vector<double> grid(seconds, 0.0);
  std::size_t j = 0;
  for (std::size_t sec = 0; sec < seconds; ++sec) {
    const double t = t0 + static_cast<double>(sec);
    while (j + 1 < s.size() && s.time_s[j + 1] <= t) ++j;
    const double p = s.power_w[j];
    grid[sec] = finite(p) && p > 0 && t - s.time_s[j] <= kPauseGapS ? p : 0.0;
  }
  return grid;
}

std::vector<double> hold_durations_s(std::span<const double> time_s) {
  std::vector<double> dt(time_s.size(), 0.0);
  for (std::size_t i = 0; i + 1 < time_s.size(); ++i) {
    const double step = time_s[i + 1] - time_s[i];
    dt[i] = finite(step) && step > 0 && step <= kPauseGapS ? step : 0.0;
  }
  return dt;
}

}  // namespace pierre::intelligence::detail
