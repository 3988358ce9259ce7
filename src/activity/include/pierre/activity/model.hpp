#pragma once
// Activity data as every tool sees it: plain values, SI units (seconds, metres, m/s, W, bpm, rpm, °C, kcal).
// Providers and file imports map into these; `intelligence` reads them; JSON output names carry the unit.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pierre::activity {

// Normalised sport. Names on the wire are the snake_case strings of sport_name().
enum class SportType {
  run,
  trail_run,
  treadmill_run,
  walk,
  hike,
  ride,
  mountain_bike_ride,
  gravel_ride,
  virtual_ride,
  e_bike_ride,
  swim,
  open_water_swim,
  rowing,
  kayaking,
  stand_up_paddling,
  cross_country_ski,
  alpine_ski,
  snowboard,
  strength_training,
  yoga,
  workout,
  elliptical,
  multisport,
  transition,
  other,
};

std::string_view sport_name(SportType sport) noexcept;
std::optional<SportType> sport_from_name(std::string_view name) noexcept;  // inverse of sport_name
// From a file's or provider's own vocabulary (FIT sport/sub_sport enum names, TCX Sport attribute, GPX <type>,
// Strava sport_type, Garmin activityType, Fitbit/Google exercise type); unknown words → other.
SportType sport_from_source(std::string_view sport, std::string_view sub_sport = {}) noexcept;
// Broad family for analytics (running, cycling, swimming, other).
bool is_running(SportType s) noexcept;
bool is_cycling(SportType s) noexcept;
bool is_swimming(SportType s) noexcept;

struct Summary {
  std::int64_t start_time_ms = 0;            // UTC epoch ms
  std::optional<std::int32_t> utc_offset_s;  // local time = UTC + offset, when known
  double elapsed_time_s = 0;
  double moving_time_s = 0;
  double distance_m = 0;
  std::optional<double> total_ascent_m;
  std::optional<double> total_descent_m;
  std::optional<double> avg_hr_bpm;
  std::optional<double> max_hr_bpm;
  std::optional<double> avg_power_w;
  std::optional<double> max_power_w;
  std::optional<double> normalized_power_w;
  std::optional<double> avg_cadence_rpm;
  std::optional<double> avg_speed_mps;
  std::optional<double> max_speed_mps;
  std::optional<double> calories_kcal;
};

struct Lap {
  Summary summary;
};

// Column-oriented samples; every present channel has exactly time_s.size() entries. NaN marks a gap in a channel
// that is present (a sample without that value).
struct Streams {
  std::vector<double> time_s;  // seconds since the activity's start_time
  std::vector<double> distance_m;
  std::vector<double> latitude_deg;
  std::vector<double> longitude_deg;
  std::vector<double> altitude_m;
  std::vector<double> heart_rate_bpm;
  std::vector<double> power_w;
  std::vector<double> cadence_rpm;
  std::vector<double> speed_mps;
  std::vector<double> temperature_c;
  [[nodiscard]] std::size_t size() const noexcept { return time_s.size(); }
  [[nodiscard]] bool empty() const noexcept { return time_s.empty(); }
};

struct Activity {
  std::string id;           // ours, "act_…"
  std::string source;       // "file", "demo", "strava", "garmin", "fitbit"
  std::string external_id;  // the source's id (provider activity id, or a file's stable id / content hash)
  SportType sport = SportType::other;
  std::string name;
  std::string device;
  std::optional<std::string> group_id;  // sessions of one multisport recording share it
  Summary summary;
  std::vector<Lap> laps;      // empty in list results (see Service::list)
  std::size_t lap_count = 0;  // laps.size() when laps are loaded
  std::int64_t created_at_ms = 0;
};

// A person's physiology as the analytics need it (all optional: unknown stays unknown).
struct Athlete {
  std::string display_name;
  std::optional<double> weight_kg;
  std::optional<double> height_m;
  std::optional<int> birth_year;
  std::optional<std::string> sex;  // "male" | "female" | other text as given
  std::optional<double> max_hr_bpm;
  std::optional<double> resting_hr_bpm;
  std::optional<double> threshold_hr_bpm;
  std::optional<double> ftp_w;
  std::optional<double> threshold_pace_mps;  // running lactate-threshold pace
  std::optional<double> vo2max;
};

}  // namespace pierre::activity
