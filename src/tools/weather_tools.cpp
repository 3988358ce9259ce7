// Weather tools: get_weather_forecast ranks the next hours at the athlete's location for an outdoor run or ride
// (weather::rank_session_slots, a documented heuristic) using OpenWeather through weather::Client.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <iterator>

#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"
#include "pierre/weather/ranking.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;

constexpr std::size_t kSlotsShown = 10;
constexpr std::int64_t kUsualHoursWindowMs = 12 * 7 * kDayMs;  // the last 12 weeks
constexpr std::size_t kActivitiesScannedForGps = 10;

json forecast_input() {
  return {{"type", "object"},
          {"properties",
           {{"latitude",
             {{"type", "number"},
              {"minimum", -90},
              {"maximum", 90},
              {"description", "Where to train; default: the start of your most recent outdoor activity with GPS"}}},
            {"longitude", {{"type", "number"}, {"minimum", -180}, {"maximum", 180}, {"description", "With latitude"}}},
            {"sport_type",
             {{"type", "string"}, {"enum", {"run", "ride"}}, {"default", "run"}, {"description", "run or ride"}}},
            {"duration_minutes",
             {{"type", "integer"},
              {"minimum", 10},
              {"maximum", 600},
              {"default", 60},
              {"description", "Planned session length"}}},
            {"days",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", 2},
              {"default", 2},
              {"description", "How far ahead to look (the hourly forecast covers 48 h)"}}}}},
          {"additionalProperties", false}};
}

json slot_schema() {
  return {{"type", "object"},
          {"properties",
           {{"start_time", {{"type", "string"}, {"description", "RFC 3339 with the location's UTC offset"}}},
            {"temperature_c", {{"type", "number"}}},
            {"precipitation_probability", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
            {"precipitation_mm", {{"type", "number"}}},
            {"wind_speed_mps", {{"type", "number"}}},
            {"score", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
            {"reasons", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
          {"required",
           {"start_time", "temperature_c", "precipitation_probability", "precipitation_mm", "wind_speed_mps", "score",
            "reasons"}}};
}

json forecast_output() {
  return {{"type", "object"},
          {"properties",
           {{"location",
             {{"type", "object"},
              {"properties",
               {{"latitude", {{"type", "number"}}},
                {"longitude", {{"type", "number"}}},
                {"source", {{"type", "string"}, {"enum", {"arguments", "recent_activity"}}}},
                {"hidden_by_privacy_zone",
                 {{"type", "boolean"},
                  {"description", "true when the place lies in one of your privacy zones: coordinates omitted"}}}}},
              {"required", {"source"}}}},
            {"sport_type", {{"type", "string"}}},
            {"duration_minutes", {{"type", "integer"}}},
            {"utc_offset_s", {{"type", "integer"}}},
            {"preferred_hours", {{"type", "array"}, {"items", {{"type", "integer"}, {"minimum", 0}, {"maximum", 23}}}}},
            {"best_slot", {{"anyOf", {slot_schema(), {{"type", "null"}}}}}},
            {"slots", {{"type", "array"}, {"items", slot_schema()}}},
            {"method", {{"type", "string"}}}}},
          {"required",
           {"location", "sport_type", "duration_minutes", "utc_offset_s", "preferred_hours", "best_slot", "slots",
            "method"}}};
}

// "2026-11-27T07:00:00+01:00": the slot in the location's local time, which is what a person plans by.
std::string local_rfc3339(std::int64_t epoch_s, std::int32_t offset_s) {
  using namespace std::chrono;
  const sys_seconds local{seconds(epoch_s + offset_s)};
  const auto day = floor<days>(local);
  const year_month_day date{day};
  const hh_mm_ss time{local - day};
  const auto magnitude = std::abs(offset_s);
  const auto offset =
      offset_s == 0 ? std::string("Z")
                    : fmt::format("{}{:02}:{:02}", offset_s < 0 ? '-' : '+', magnitude / 3600, (magnitude % 3600) / 60);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), time.hours().count(),
                     time.minutes().count(), time.seconds().count(), offset);
}

// The local hours the athlete usually starts at: hours holding at least 15 % (and at least two) of the recent
// activities, most frequent first, at most three. An activity without a known offset is taken to be in the
// forecast location's time zone.
std::vector<int> usual_start_hours(std::span<const activity::Activity> recent, std::int32_t fallback_offset_s) {
  std::array<int, 24> counts{};
  for (const auto& a : recent) {
    const auto local_s = a.summary.start_time_ms / 1000 + a.summary.utc_offset_s.value_or(fallback_offset_s);
    counts[static_cast<std::size_t>(((local_s % 86400) + 86400) % 86400 / 3600)] += 1;
  }
  const auto threshold = std::max(2.0, 0.15 * static_cast<double>(recent.size()));
  std::vector<int> hours;
  for (int h = 0; h < 24; ++h) {
    if (counts[static_cast<std::size_t>(h)] >= threshold) hours.push_back(h);
  }
  std::ranges::stable_sort(hours, [&counts](int a, int b) {
    return counts[static_cast<std::size_t>(a)] > counts[static_cast<std::size_t>(b)];
  });
  if (hours.size() > 3) hours.resize(3);
  return hours;
}

bool outdoor(activity::SportType sport) {
  using activity::SportType;
  if (sport == SportType::treadmill_run || sport == SportType::virtual_ride) return false;  // virtual GPS is fiction
  return activity::is_running(sport) || activity::is_cycling(sport) || sport == SportType::walk ||
         sport == SportType::hike || sport == SportType::open_water_swim || sport == SportType::cross_country_ski ||
         sport == SportType::rowing || sport == SportType::kayaking || sport == SportType::stand_up_paddling;
}

// The start of the most recent outdoor activity that recorded GPS.
Result<std::optional<support::LatLon>> recent_start_location(activity::Service& activities,
                                                             const activity::Owner& owner) {
  activity::ListQuery query;
  query.limit = 50;
  auto listed = activities.list(owner, query);
  if (!listed) return std::unexpected(listed.error());
  std::size_t scanned = 0;
  for (const auto& a : listed->activities) {
    if (!outdoor(a.sport)) continue;
    if (++scanned > kActivitiesScannedForGps) break;
    auto streams = activities.streams(owner, a.id);
    if (!streams) return std::unexpected(streams.error());
    if (!*streams) continue;
    if (auto point = support::start_location(**streams)) return point;
  }
  return std::optional<support::LatLon>{};
}

json slot_json(const weather::RankedSlot& slot, std::int32_t offset_s) {
  return {{"start_time", local_rfc3339(slot.start_s, offset_s)},
          {"temperature_c", support::round_to(slot.temperature_c, 1)},
          {"precipitation_probability", support::round_to(slot.precipitation_probability, 2)},
          {"precipitation_mm", support::round_to(slot.precipitation_mm, 1)},
          {"wind_speed_mps", support::round_to(slot.wind_speed_mps, 1)},
          {"score", slot.score},
          {"reasons", slot.reasons}};
}

Result<ToolOutput> weather_forecast(activity::Service& activities, profile::Service& profiles, weather::Client* client,
                                    const json& args, CallContext& ctx) {
  if (client == nullptr || !client->configured()) {
    return fail(ErrorCode::config_missing, std::string(weather::Client::kNotConfigured));
  }
  auto owner = support::caller(ctx, "plan a session around your training habits");
  if (!owner) return std::unexpected(owner.error());
  const auto sport = weather::outdoor_sport_from_name(args.value("sport_type", std::string("run")));
  if (!sport) return fail(ErrorCode::invalid_input, "sport_type must be run or ride", {{"field", "sport_type"}});
  const int duration = args.value("duration_minutes", 60);
  const int days = args.value("days", 2);
  if (args.contains("latitude") != args.contains("longitude")) {
    return fail(ErrorCode::invalid_input, "give latitude and longitude together, or neither",
                {{"field", args.contains("latitude") ? "longitude" : "latitude"}});
  }

  support::LatLon where;
  std::string source = "arguments";
  if (args.contains("latitude")) {
    where = {args.at("latitude").get<double>(), args.at("longitude").get<double>()};
  } else {
    auto found = recent_start_location(activities, *owner);
    if (!found) return std::unexpected(found.error());
    if (!*found) {
      return fail(ErrorCode::invalid_input,
                  "none of your recent outdoor activities has GPS data: pass latitude and longitude",
                  {{"field", "latitude"}});
    }
    where = **found;
    source = "recent_activity";
  }
  ctx.progress(1, 3, "fetching the forecast");
  auto forecast = client->forecast(where.latitude, where.longitude);
  if (!forecast) return std::unexpected(forecast.error());

  ctx.progress(2, 3, "ranking");
  const auto now_ms = now_epoch_ms();
  auto recent = activities.history(*owner, now_ms - kUsualHoursWindowMs, now_ms + 1);
  if (!recent) return std::unexpected(recent.error());
  weather::SessionPlan plan;
  plan.sport = *sport;
  plan.duration_minutes = duration;
  plan.preferred_local_hours = usual_start_hours(*recent, forecast->utc_offset_s);
  plan.utc_offset_s = forecast->utc_offset_s;
  plan.earliest_start_s = now_ms / 1000;
  plan.latest_start_s = now_ms / 1000 + static_cast<std::int64_t>(days) * 86400;
  const auto ranked = weather::rank_session_slots(forecast->hours, plan);

  json slots = json::array();
  for (std::size_t i = 0; i < ranked.size() && i < kSlotsShown; ++i) {
    slots.push_back(slot_json(ranked[i], forecast->utc_offset_s));
  }
  const auto sport_name = std::string(weather::outdoor_sport_name(*sport));
  const auto band = weather::comfort_band(*sport);
  // A place taken from the caller's own recordings is shown only outside their privacy zones (often it is home).
  json location = {{"latitude", forecast->latitude}, {"longitude", forecast->longitude}, {"source", source}};
  bool hidden = false;
  if (source == "recent_activity") {
    auto athlete = profiles.resolve(*owner, now_ms);
    if (!athlete) return std::unexpected(athlete.error());
    const auto zones = athlete->privacy_zones();
    hidden = !support::public_location(where.latitude, where.longitude, zones);
  }
  if (hidden) location = {{"source", source}, {"hidden_by_privacy_zone", true}};
  const auto place =
      hidden ? std::string("your usual start") : fmt::format("{:.2f}, {:.2f}", forecast->latitude, forecast->longitude);
  json out = {
      {"location", std::move(location)},
      {"sport_type", sport_name},
      {"duration_minutes", duration},
      {"utc_offset_s", forecast->utc_offset_s},
      {"preferred_hours", plan.preferred_local_hours},
      {"best_slot", slots.empty() ? json(nullptr) : slots.front()},
      {"slots", slots},
      {"method", fmt::format("heuristic score 0-100 from the OpenWeather hourly forecast: comfort band {:.0f}-{:.0f} "
                             "°C for a {} (Ely et al. 2007; Galloway & Maughan 1997), precipitation, wind, "
                             "darkness, and a bonus for your usual start hours",
                             band.low_c, band.high_c, sport_name)}};

  std::string text;
  if (ranked.empty()) {
    text = fmt::format("No {}-minute window fits in the forecast for {}.", duration, place);
  } else {
    const auto& best = ranked.front();
    text = fmt::format(
        "Best time for a {}-minute {} near {}: {} (score {}/100, {:.0f} °C, {:.0f} % rain "
        "chance, wind {:.0f} m/s).",
        duration, sport_name, place, local_rfc3339(best.start_s, forecast->utc_offset_s), best.score,
        best.temperature_c, best.precipitation_probability * 100, best.wind_speed_mps);
    for (std::size_t i = 1; i < ranked.size() && i < 3; ++i) {
      text += fmt::format("\nAlso good: {} (score {}).", local_rfc3339(ranked[i].start_s, forecast->utc_offset_s),
                          ranked[i].score);
    }
  }
  ctx.progress(3, 3, "done");
  return ToolOutput::of(std::move(out), std::move(text));
}

}  // namespace

Result<void> register_weather_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                    weather::Client* weather) {
  return registry.add(
      {.name = "get_weather_forecast",
       .title = "Best time to train outdoors",
       .description =
           "Ranks the coming hours (up to 48 h) for an outdoor run or ride at a location — by default where your most "
           "recent outdoor activity started — using the OpenWeather hourly forecast: temperature comfort, chance and "
           "amount of precipitation, wind, darkness, and your usual training hours from the last 12 weeks. Returns "
           "scored slots (0-100) with reasons, best first. Coordinates are rounded to 2 decimals (about 1 km), and "
           "a place taken from your activities is not shown when it lies in one of your privacy zones.",
       .input_schema = forecast_input(),
       .output_schema = forecast_output(),
       .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = true},
       .handler = [&activities, &profiles, weather](
                      const json& args,
                      CallContext& ctx) { return weather_forecast(activities, profiles, weather, args, ctx); },
       // A forecast request can block for seconds: run off the I/O threads.
       .long_running = true});
}

}  // namespace pierre::tools
