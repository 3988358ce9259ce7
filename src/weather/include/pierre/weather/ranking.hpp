#pragma once
// Ranking forecast hours for an outdoor session — a documented heuristic, not a validated model. Pure: no I/O, no
// clock; the caller passes the forecast, the session and the window of acceptable start times.
//
// Each candidate start is a forecast hour followed by enough consecutive hours to cover the session. Its score starts
// at 100 and loses points for (worst hour of the session counts):
//   * temperature outside a comfort band — running 6–14 °C, cycling 10–18 °C (air temperature; the cold side uses the
//     apparent "feels like" temperature, which includes wind chill). Basis: marathon performance slows progressively
//     as WBGT rises from 5–10 °C to 20–25 °C (Ely MR, Cheuvront SN, Roberts WO, Montain SJ. Impact of weather on
//     marathon-running performance. Med Sci Sports Exerc 2007;39(3):487–493), and cycling time to exhaustion at
//     70 % VO2max was longest at 11 °C among 4, 11, 21 and 31 °C (Galloway SDR, Maughan RJ. Effects of ambient
//     temperature on the capacity to perform prolonged cycle exercise in man. Med Sci Sports Exerc
//     1997;29(9):1240–1249). The cycling band sits 4 °C higher because riders make less heat for the air moving past
//     them and cool quickly downhill — our assumption. Heat costs 3 points/°C above the band (max 45), cold
//     1.5 points/°C below it (max 30: cold is easier to dress for); humidity above 70 % on the warm side adds up to 12;
//   * rain: 30 × the highest probability of precipitation, plus 10 per mm/h of the heaviest hour (max 25);
//     thunderstorms (condition 2xx) 40; snow or sleet (6xx) 15 more when riding;
//   * wind: above 6 m/s running (2 points per m/s, max 20) or 4 m/s riding (3 per m/s, max 30); gusts over 14 m/s
//     5 (run) or 10 (ride) more;
//   * darkness: any hour of the session flagged night by the provider, 12 (run) or 20 (ride);
// and gains 8 points when the local start hour is one the athlete usually trains at (4 when one hour off).
// The result is clamped to 0–100 and rounded. Sorted best first by the score before clamping (so a slot at 100 that
// earned its bonus ranks above one that merely reached 100); equal scores keep the earlier start first.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/weather/client.hpp"

namespace pierre::weather {

enum class OutdoorSport { run, ride };
std::string_view outdoor_sport_name(OutdoorSport sport) noexcept;  // "run" | "ride"
std::optional<OutdoorSport> outdoor_sport_from_name(std::string_view name) noexcept;

struct TemperatureBand {
  double low_c = 0;
  double high_c = 0;
};
TemperatureBand comfort_band(OutdoorSport sport) noexcept;

struct SessionPlan {
  OutdoorSport sport = OutdoorSport::run;
  int duration_minutes = 60;               // ≥ 1
  std::vector<int> preferred_local_hours;  // 0..23, the athlete's usual start hours
  std::int32_t utc_offset_s = 0;           // the location's, to turn start times into local hours
  std::int64_t earliest_start_s = std::numeric_limits<std::int64_t>::min();
  std::int64_t latest_start_s = std::numeric_limits<std::int64_t>::max();
};

struct RankedSlot {
  std::int64_t start_s = 0;  // UTC epoch seconds
  int local_hour = 0;        // 0..23 at the location
  int score = 0;             // 0..100
  double temperature_c = 0;  // mean over the session
  double min_feels_like_c = 0;
  double max_temperature_c = 0;
  double precipitation_probability = 0;  // highest hour, 0..1 (0 when not forecast)
  double precipitation_mm = 0;           // expected over the session
  double wind_speed_mps = 0;             // highest hour
  std::optional<double> wind_gust_mps;   // highest hour, when forecast
  std::vector<std::string> reasons;      // short phrases, most important first
};

std::vector<RankedSlot> rank_session_slots(std::span<const HourlyWeather> hours, const SessionPlan& plan);

}  // namespace pierre::weather
