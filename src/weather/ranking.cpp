#include "pierre/weather/ranking.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace pierre::weather {
namespace {

constexpr std::int64_t kSecondsPerHour = 3600;
constexpr std::int64_t kDay = 86400;

// Penalty and bonus weights; see ranking.hpp for what each one means.
struct Weights {
  double heat_per_c = 3, heat_max = 45;
  double cold_per_c = 1.5, cold_max = 30;
  double humidity_per_pct = 0.4, humidity_max = 12, humidity_threshold_pct = 70;
  double rain_probability = 30;
  double rain_per_mm_h = 10, rain_amount_max = 25;
  double thunderstorm = 40;
  double snow_ride = 15;
  double wind_threshold_mps, wind_per_mps, wind_max;
  double gust_threshold_mps = 14, gust_penalty;
  double darkness;
  double preferred_hour = 8, near_preferred_hour = 4;
};

Weights weights_for(OutdoorSport sport) {
  Weights w;
  if (sport == OutdoorSport::ride) {
    w.wind_threshold_mps = 4;
    w.wind_per_mps = 3;
    w.wind_max = 30;
    w.gust_penalty = 10;
    w.darkness = 20;
  } else {
    w.wind_threshold_mps = 6;
    w.wind_per_mps = 2;
    w.wind_max = 20;
    w.gust_penalty = 5;
    w.darkness = 12;
  }
  return w;
}

int local_hour(std::int64_t epoch_s, std::int32_t offset_s) {
  const auto seconds = ((epoch_s + offset_s) % kDay + kDay) % kDay;
  return static_cast<int>(seconds / kSecondsPerHour);
}

int hour_distance(int a, int b) {
  const int d = std::abs(a - b) % 24;
  return std::min(d, 24 - d);
}

// Scores the session made of `session` (consecutive hours, the first one being the start). `raw` receives the score
// before clamping, so that slots above 100 (bonus) or below 0 still sort among themselves.
RankedSlot score_session(std::span<const HourlyWeather> session, const SessionPlan& plan, const Weights& w,
                         double& raw) {
  RankedSlot slot;
  slot.start_s = session.front().time_s;
  slot.local_hour = local_hour(slot.start_s, plan.utc_offset_s);
  slot.min_feels_like_c = session.front().feels_like_c;
  slot.max_temperature_c = session.front().temperature_c;
  double temperature_sum = 0;
  double max_humidity_when_warm = 0;
  double heaviest_mm_h = 0;
  bool thunderstorm = false;
  bool snow = false;
  bool dark = false;
  int remaining_minutes = plan.duration_minutes;
  for (const auto& hour : session) {
    temperature_sum += hour.temperature_c;
    slot.min_feels_like_c = std::min(slot.min_feels_like_c, hour.feels_like_c);
    slot.max_temperature_c = std::max(slot.max_temperature_c, hour.temperature_c);
    slot.precipitation_probability =
        std::max(slot.precipitation_probability, hour.precipitation_probability.value_or(0));
    const double mm_h = hour.precipitation_mm_h.value_or(0);
    heaviest_mm_h = std::max(heaviest_mm_h, mm_h);
    slot.precipitation_mm += mm_h * std::min(60, remaining_minutes) / 60.0;
    remaining_minutes -= 60;
    slot.wind_speed_mps = std::max(slot.wind_speed_mps, hour.wind_speed_mps);
    if (hour.wind_gust_mps) slot.wind_gust_mps = std::max(slot.wind_gust_mps.value_or(0), *hour.wind_gust_mps);
    thunderstorm = thunderstorm || (hour.condition_code >= 200 && hour.condition_code < 300);
    snow = snow || (hour.condition_code >= 600 && hour.condition_code < 700);
    dark = dark || hour.daylight == std::optional<bool>(false);
    if (hour.temperature_c > comfort_band(plan.sport).high_c) {
      max_humidity_when_warm = std::max(max_humidity_when_warm, hour.humidity_pct);
    }
  }
  slot.temperature_c = temperature_sum / static_cast<double>(session.size());

  // Each penalty with its reason; reasons are listed by how much they cost.
  struct Item {
    double points;
    std::string reason;
  };
  std::vector<Item> penalties;
  std::vector<std::string> positives;
  const auto band = comfort_band(plan.sport);
  const auto sport = outdoor_sport_name(plan.sport);
  if (slot.max_temperature_c > band.high_c) {
    const double points = std::min(w.heat_max, (slot.max_temperature_c - band.high_c) * w.heat_per_c);
    penalties.push_back({points, fmt::format("warm: up to {:.0f} °C (ideal for a {} is {:.0f}–{:.0f} °C)",
                                             slot.max_temperature_c, sport, band.low_c, band.high_c)});
    if (max_humidity_when_warm > w.humidity_threshold_pct) {
      penalties.push_back(
          {std::min(w.humidity_max, (max_humidity_when_warm - w.humidity_threshold_pct) * w.humidity_per_pct),
           fmt::format("humid ({:.0f} %) while warm", max_humidity_when_warm)});
    }
  } else if (slot.min_feels_like_c < band.low_c) {
    const double points = std::min(w.cold_max, (band.low_c - slot.min_feels_like_c) * w.cold_per_c);
    penalties.push_back({points, fmt::format("cold: feels like {:.0f} °C (ideal for a {} is {:.0f}–{:.0f} °C)",
                                             slot.min_feels_like_c, sport, band.low_c, band.high_c)});
  } else {
    positives.push_back(fmt::format("{:.0f} °C, in the ideal range for a {}", slot.temperature_c, sport));
  }
  if (thunderstorm) penalties.push_back({w.thunderstorm, "thunderstorms forecast"});
  if (snow && plan.sport == OutdoorSport::ride) penalties.push_back({w.snow_ride, "snow or sleet: slippery roads"});
  if (slot.precipitation_probability >= 0.05) {
    penalties.push_back({w.rain_probability * slot.precipitation_probability,
                         fmt::format("{:.0f} % chance of precipitation", slot.precipitation_probability * 100)});
  }
  if (heaviest_mm_h > 0) {
    penalties.push_back({std::min(w.rain_amount_max, heaviest_mm_h * w.rain_per_mm_h),
                         fmt::format("{:.1f} mm of precipitation expected", slot.precipitation_mm)});
  }
  if (slot.precipitation_probability < 0.05 && heaviest_mm_h == 0 && !thunderstorm) positives.emplace_back("dry");
  if (slot.wind_speed_mps > w.wind_threshold_mps) {
    penalties.push_back({std::min(w.wind_max, (slot.wind_speed_mps - w.wind_threshold_mps) * w.wind_per_mps),
                         fmt::format("windy: {:.0f} m/s", slot.wind_speed_mps)});
  } else {
    positives.push_back(fmt::format("light wind ({:.0f} m/s)", slot.wind_speed_mps));
  }
  if (slot.wind_gust_mps && *slot.wind_gust_mps > w.gust_threshold_mps) {
    penalties.push_back({w.gust_penalty, fmt::format("gusts up to {:.0f} m/s", *slot.wind_gust_mps)});
  }
  if (dark) penalties.push_back({w.darkness, "partly in the dark: lights and visible clothing needed"});

  double bonus = 0;
  std::string bonus_reason;
  if (!plan.preferred_local_hours.empty()) {
    int nearest = 24;
    for (const int preferred : plan.preferred_local_hours) {
      nearest = std::min(nearest, hour_distance(preferred, slot.local_hour));
    }
    if (nearest == 0) {
      bonus = w.preferred_hour;
      bonus_reason = fmt::format("at one of your usual training times ({:02}:00)", slot.local_hour);
    } else if (nearest == 1) {
      bonus = w.near_preferred_hour;
      bonus_reason = "close to one of your usual training times";
    }
  }

  double score = 100 + bonus;
  std::ranges::stable_sort(penalties, [](const Item& a, const Item& b) { return a.points > b.points; });
  for (auto& item : penalties) {
    score -= item.points;
    slot.reasons.push_back(std::move(item.reason));
  }
  for (auto& positive : positives) slot.reasons.push_back(std::move(positive));
  if (!bonus_reason.empty()) slot.reasons.push_back(std::move(bonus_reason));
  raw = score;
  slot.score = static_cast<int>(std::lround(std::clamp(score, 0.0, 100.0)));
  return slot;
}

}  // namespace

std::string_view outdoor_sport_name(OutdoorSport sport) noexcept {
  return sport == OutdoorSport::ride ? "ride" : "run";
}

std::optional<OutdoorSport> outdoor_sport_from_name(std::string_view name) noexcept {
  if (name == "run") return OutdoorSport::run;
  if (name == "ride") return OutdoorSport::ride;
  return std::nullopt;
}

TemperatureBand comfort_band(OutdoorSport sport) noexcept {
  return sport == OutdoorSport::ride ? TemperatureBand{10, 18} : TemperatureBand{6, 14};
}

std::vector<RankedSlot> rank_session_slots(std::span<const HourlyWeather> hours, const SessionPlan& plan) {
  std::vector<std::pair<double, RankedSlot>> ranked;
  const int duration = std::max(1, plan.duration_minutes);
  const auto needed = static_cast<std::size_t>((duration + 59) / 60);
  const auto w = weights_for(plan.sport);
  SessionPlan normalised = plan;
  normalised.duration_minutes = duration;
  for (std::size_t start = 0; start + needed <= hours.size(); ++start) {
    const auto start_s = hours[start].time_s;
    if (start_s < plan.earliest_start_s || start_s > plan.latest_start_s) continue;
    bool consecutive = true;
    for (std::size_t i = start + 1; i < start + needed; ++i) {
      if (hours[i].time_s != hours[i - 1].time_s + kSecondsPerHour) consecutive = false;
    }
    if (!consecutive) continue;
    double raw = 0;
    auto slot = score_session(hours.subspan(start, needed), normalised, w, raw);
    ranked.emplace_back(raw, std::move(slot));
  }
  std::ranges::stable_sort(ranked, [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second.start_s < b.second.start_s;
  });
  std::vector<RankedSlot> out;
  out.reserve(ranked.size());
  for (auto& [raw, slot] : ranked) out.push_back(std::move(slot));
  return out;
}

}  // namespace pierre::weather
