#pragma once
// GPX 1.0 / 1.1 decoder (https://www.topografix.com/GPX/1/1/gpx.xsd, .../GPX/1/0/gpx.xsd) with the Garmin
// TrackPointExtension v1/v2 (hr, cad, atemp; v2 also speed) and the power extensions writers use (<power> directly
// under <extensions>, gpxpx:PowerInW). Namespace prefixes are ignored: elements match by local name.
//
// Mapping (a GPX file is one activity):
//   - each <trk> with at least one <trkpt> is one Session: <name> → name, <type> → sport (as written);
//     tracks without points are skipped. A file without any track point (only waypoints/routes, or empty) decodes
//     to zero sessions with the warning "no track points…" — routes and waypoints are plans, not recordings.
//   - <trkseg>s concatenate within a track; the gap between segments is a pause: it adds no distance.
//   - GPX has no distance, so Sample::distance_m is the cumulative haversine distance (WGS84 mean radius
//     6 371 008.8 m), 2-D (elevation ignored), per track. Totals hold only what can be derived without
//     guessing: start_time_ms, elapsed_s (last − first time; absent when the track has no times) and distance_m.
//     GPX 1.0 <speed> and the v2 extension speed fill speed_mps; nothing else is invented.
//   - Times: xsd:dateTime with any fraction and zone, no zone = UTC. Points without <time> take the time of the
//     previous timed point (leading ones: the first timed point) and a warning says how many. A track with no
//     time at all keeps its geometry: all samples carry the file's <time> (GPX 1.1 metadata/time, GPX 1.0
//     gpx/time) or 0 when there is none, elapsed_s stays empty, and a warning says so. A point whose time goes
//     backwards is dropped with a warning (samples are in time order).
//   - <gpx creator> → Recording::device. No source_id (GPX has no stable id).
//   - Malformed XML, a root other than <gpx>, a trkpt without lat/lon, or a number that is not finite or out of
//     range (lat ∉ [−90, 90], lon ∉ [−180, 180], hr ∉ [0, 400]...) or an unparseable <time> are errors
//     (ErrorCode::invalid_format, details {line, column, reason}). Larger inputs than the limit: payload_too_large.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/formats/recording.hpp"

namespace pierre::formats {

struct GpxOptions {
  // Inputs above this are refused before parsing. Peak memory is bounded by the input: the pugixml DOM plus the
  // samples cost up to ~13x the input for a file of minimal points (measured: 50 MB of bare <trkpt lat lon/>
  // peaks at 700 MB RSS; real files with times and extensions ~3-4x); callers accepting
  // uploads may want a lower limit.
  std::size_t max_input_bytes = std::size_t{256} << 20U;
};

[[nodiscard]] Result<Recording> decode_gpx(std::string_view bytes, const GpxOptions& options = {});
[[nodiscard]] Result<Recording> decode_gpx(std::span<const std::uint8_t> bytes, const GpxOptions& options = {});

}  // namespace pierre::formats
