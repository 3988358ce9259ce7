#pragma once
// Private: walking a Streams channel. Shared by the metrics so every metric treats gaps and pauses alike.

#include "pierre/activity/model.hpp"

#include <cmath>
#include <optional>
#include <span>
#include <vector>

namespace pierre::intelligence::detail {

inline bool finite(double v) noexcept {
  return std::isfinite(v);
}
inline bool positive(double v) noexcept {
  return std::isfinite(v) && v > 0;
}

// A channel usable with time_s: same length, at least two samples.
inline bool channel_ok(const activity::Streams& s, const std::vector<double>& channel) noexcept {
  return s.size() >= 2 && channel.size() == s.size();
}

// The power channel on a 1 s grid from the first to the last sample: the last sample is held for up to kPauseGapS,
// zero beyond (a pause) and for NaN. nullopt without power or time.
std::optional<std::vector<double>> power_grid_1hz(const activity::Streams& s);

// Duration each sample holds for (time to the next sample), 0 for the last sample, for non-increasing time and for
// steps longer than kPauseGapS.
std::vector<double> hold_durations_s(std::span<const double> time_s);

}  // namespace pierre::intelligence::detail
