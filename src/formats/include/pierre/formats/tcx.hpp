#pragma once
// TCX decoder: Garmin TrainingCenterDatabase v2
// (https://www8.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd) with ActivityExtension v2
// (https://www8.garmin.com/xmlschemas/ActivityExtensionv2.xsd: TPX Speed/Watts/RunCadence, LX AvgSpeed/AvgWatts/
// MaxWatts/AvgRunCadence). Namespace prefixes are ignored: elements match by local name.
//
// Mapping:
//   - every Activities/Activity, and every Activity inside MultiSportSession/FirstSport|NextSport, is one Session
//     in file order: Sport attribute → sport, Notes (else Id) → name, Id → start time. The first activity's Id
//     gives Recording::source_id "tcx:<Id>"; its Creator/Name (else the file's Author/Name) gives device.
//   - Lap → Lap: StartTime, TotalTimeSeconds → timer_s (TCX's lap time is timer time), DistanceMeters, MaximumSpeed,
//     Calories, AverageHeartRateBpm, MaximumHeartRateBpm, Cadence (else LX AvgRunCadence), LX AvgSpeed, AvgWatts,
//     MaxWatts. Session totals combine the laps: sums (timer, distance, calories) when every lap states them,
//     timer-weighted means (heart rate, cadence, speed, power) over laps stating them, maxima over laps.
//     elapsed_s is left empty: TCX does not state it (the activity module derives it from the samples).
//   - Trackpoints of all laps concatenate into the session's samples: Time, Position, AltitudeMeters,
//     DistanceMeters, HeartRateBpm/Value, Cadence (else TPX RunCadence), TPX Speed, TPX Watts. Each <Track> is a
//     segment; when no trackpoint states a distance, distance_m is derived from positions (haversine, as GPX).
//   - Times, untimed and backwards points: as for GPX (see gpx.hpp).
//   - No Activity at all (e.g. a Courses-only file) → invalid_format, reason "no activity".

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/formats/recording.hpp"

namespace pierre::formats {

struct TcxOptions {
  // Inputs above this are refused before parsing. Peak memory is bounded by the input: the pugixml DOM plus the
  // samples cost up to ~13x the input for a file of minimal points (measured: 50 MB of bare <trkpt lat lon/>
  // peaks at 700 MB RSS; real files with times and extensions ~3-4x); callers accepting
  // uploads may want a lower limit.
  std::size_t max_input_bytes = std::size_t{256} << 20U;
};

[[nodiscard]] Result<Recording> decode_tcx(std::string_view bytes, const TcxOptions& options = {});
[[nodiscard]] Result<Recording> decode_tcx(std::span<const std::uint8_t> bytes, const TcxOptions& options = {});

}  // namespace pierre::formats
