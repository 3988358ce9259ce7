#pragma once
// The common result of every activity-file decoder (FIT, GPX, TCX): what a device recorded, in SI units, in the
// vocabulary of the file. `formats` depends on `core` only, so sport names stay the file's own strings here;
// `activity` maps them onto its normalised SportType.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pierre::formats {

enum class FileFormat { fit, gpx, tcx };

// One sample of the time series. Absent channels stay nullopt (a FIT invalid sentinel, a missing XML element).
struct Sample {
  std::int64_t time_ms = 0;             // UTC, milliseconds since the Unix epoch
  std::optional<double> latitude_deg;   // WGS84
  std::optional<double> longitude_deg;  // WGS84
  std::optional<double> altitude_m;
  std::optional<double> distance_m;  // cumulative from the start of the session
  std::optional<double> speed_mps;
  std::optional<double> heart_rate_bpm;
  std::optional<double> power_w;
  std::optional<double> cadence_rpm;  // revolutions (or strides/strokes) per minute as the file states it
  std::optional<double> temperature_c;
};

// Totals as the device summarised them (FIT session/lap messages, TCX Lap elements). Decoders do not invent
// totals the file does not hold; `activity` derives missing ones from the samples.
struct Totals {
  std::int64_t start_time_ms = 0;   // UTC epoch ms
  std::optional<double> elapsed_s;  // wall clock from start to end
  std::optional<double> timer_s;    // moving/timer time (pauses excluded)
  std::optional<double> distance_m;
  std::optional<double> ascent_m;
  std::optional<double> descent_m;
  std::optional<double> avg_heart_rate_bpm;
  std::optional<double> max_heart_rate_bpm;
  std::optional<double> avg_power_w;
  std::optional<double> max_power_w;
  std::optional<double> normalized_power_w;
  std::optional<double> avg_cadence_rpm;
  std::optional<double> avg_speed_mps;
  std::optional<double> max_speed_mps;
  std::optional<double> calories_kcal;
};

struct Lap {
  Totals totals;
};

// One sport segment. A multisport FIT file holds several sessions; GPX tracks and TCX activities are one each.
struct Session {
  std::string sport;                         // the file's word: FIT sport enum name ("running", "cycling",
                                             // "swimming", "training"...), TCX Sport attribute, GPX <type>
  std::string sub_sport;                     // FIT sub_sport enum name ("trail", "indoor_cycling"...) or empty
  std::string name;                          // GPX <name>, TCX Notes/Id, FIT has none usually
  std::optional<std::int32_t> utc_offset_s;  // local time offset when the file states it (FIT activity.local_timestamp)
  Totals totals;
  std::vector<Lap> laps;
  std::vector<Sample> samples;  // in time order
};

struct Recording {
  FileFormat format = FileFormat::fit;
  std::string device;                    // "Garmin Edge 820", FIT manufacturer+product, GPX creator, TCX Creator
  std::optional<std::string> source_id;  // a stable id from the file when it has one (FIT file_id serial+time
                                         // created, TCX Activity/Id) used for de-duplication
  std::vector<Session> sessions;
  std::vector<std::string> warnings;  // non-fatal findings (e.g. "truncated after 1234 records at offset 5678")
};

}  // namespace pierre::formats
