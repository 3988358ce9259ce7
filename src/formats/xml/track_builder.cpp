#include "xml/track_builder.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pierre::formats::xml {

double haversine_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) noexcept {
  constexpr double kEarthMeanRadiusM = 6'371'008.8;  // IUGG R1 = (2a + b) / 3 of WGS84
  constexpr double kRad = std::numbers::pi / 180.0;
  const double phi1 = lat1_deg * kRad;
  const double phi2 = lat2_deg * kRad;
  const double dphi = (lat2_deg - lat1_deg) * kRad;
  const double dlambda = (lon2_deg - lon1_deg) * kRad;
  const double s1 = std::sin(dphi / 2);
  const double s2 = std::sin(dlambda / 2);
  // Clamped: rounding can push `a` a hair above 1 for antipodal points, and asin would return NaN.
  const double a = std::clamp(s1 * s1 + std::cos(phi1) * std::cos(phi2) * s2 * s2, 0.0, 1.0);
  return 2 * kEarthMeanRadiusM * std::asin(std::sqrt(a));
}

void TrackBuilder::add(Sample sample, std::optional<std::int64_t> time, std::ptrdiff_t offset) {
  if (time) {
    if (last_time_ && *time < *last_time_) {
      if (dropped_++ == 0) first_dropped_offset_ = offset;
      return;
    }
    // The first timed point settles the untimed ones before it.
    for (std::size_t i = out_.size() - pending_prefix_; i < out_.size(); ++i) out_[i].time_ms = *time;
    pending_prefix_ = 0;
    last_time_ = time;
    sample.time_ms = *time;
  } else {
    ++untimed_;
    if (last_time_) {
      sample.time_ms = *last_time_;
    } else {
      ++pending_prefix_;
    }
  }
  if (segment_start_) {
    segment_starts_.push_back(out_.size());
    segment_start_ = false;
  }
  if (sample.distance_m) any_distance_ = true;
  out_.push_back(sample);
}

void TrackBuilder::derive_distances() {
  double total = 0;
  std::size_t next_segment = 0;
  const Sample* previous = nullptr;  // the last positioned sample in the current segment
  for (std::size_t i = 0; i < out_.size(); ++i) {
    Sample& s = out_[i];
    if (next_segment < segment_starts_.size() && segment_starts_[next_segment] == i) {
      previous = nullptr;
      ++next_segment;
    }
    if (s.latitude_deg && s.longitude_deg) {
      if (previous != nullptr) {
        total += haversine_m(*previous->latitude_deg, *previous->longitude_deg, *s.latitude_deg, *s.longitude_deg);
      }
      previous = &s;
    }
    s.distance_m = total;
  }
  any_distance_ = !out_.empty();
}

bool TrackBuilder::finish(std::int64_t fallback_ms) noexcept {
  if (last_time_) return true;
  for (Sample& s : out_) s.time_ms = fallback_ms;
  pending_prefix_ = 0;
  return false;
}

}  // namespace pierre::formats::xml
