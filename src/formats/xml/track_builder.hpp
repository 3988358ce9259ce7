#pragma once
// Turns the track points of one session (GPX <trk>, TCX <Activity>) into Recording samples with the rules both XML
// decoders share: time order, points without a time, and distance derived from positions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pierre/formats/recording.hpp"

namespace pierre::formats::xml {

// Great-circle distance by the haversine formula on a sphere of the IUGG mean Earth radius R1 = 6 371 008.8 m.
// Against the WGS84 ellipsoid (Vincenty) it errs by at most ~0.5 %, usually far less, which is below GPS noise
// for the 1-10 m steps between track points; it is what gpxpy, Strava's and Garmin's GPX importers use too.
[[nodiscard]] double haversine_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) noexcept;

class TrackBuilder {
 public:
  // Appends to `out` (the session's samples, expected empty).
  explicit TrackBuilder(std::vector<Sample>& out) noexcept : out_(out) {}

  // A new GPX <trkseg> / TCX <Track>: the gap to the previous point is a pause, not distance travelled.
  void begin_segment() noexcept { segment_start_ = true; }

  // One point. `time` is the point's own timestamp or nullopt; `offset` its byte offset (for warnings).
  // A point whose time is earlier than the previous kept point's is dropped (Recording samples are in time
  // order; such points are logger glitches, e.g. a clock reset) and counted.
  void add(Sample sample, std::optional<std::int64_t> time, std::ptrdiff_t offset);

  // Fills cumulative distance_m from positions on every sample (GPX always; TCX when no point states one).
  // Points without a position carry the distance so far.
  void derive_distances();

  // Settles the points that had no time. If some point had one, leading untimed points take the first timed
  // point's time and later ones the previous timed point's (so series stay monotonic and no time is invented).
  // If none had one, every sample takes `fallback_ms`. Returns false when the session had no time at all.
  bool finish(std::int64_t fallback_ms) noexcept;

  [[nodiscard]] std::size_t untimed() const noexcept { return untimed_; }
  [[nodiscard]] std::size_t dropped() const noexcept { return dropped_; }
  [[nodiscard]] std::ptrdiff_t first_dropped_offset() const noexcept { return first_dropped_offset_; }
  [[nodiscard]] bool any_distance() const noexcept { return any_distance_; }

 private:
  std::vector<Sample>& out_;
  std::vector<std::size_t> segment_starts_;  // indices into out_, one per non-empty segment
  bool segment_start_ = true;
  std::optional<std::int64_t> last_time_;
  std::size_t pending_prefix_ = 0;  // leading samples still waiting for the first time
  std::size_t untimed_ = 0;
  std::size_t dropped_ = 0;
  std::ptrdiff_t first_dropped_offset_ = -1;
  bool any_distance_ = false;
};

}  // namespace pierre::formats::xml
