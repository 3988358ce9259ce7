#include "tool_support.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/core/time.hpp"
#include "pierre/intelligence/metrics.hpp"
#include "pierre/intelligence/zones.hpp"

namespace pierre::tools::support {
namespace {

using nlohmann::json;

json maybe(std::optional<double> v, int decimals = 1) {
  return v && std::isfinite(*v) ? json(round_to(*v, decimals)) : json(nullptr);
}

bool has_channel(const std::vector<double>& channel) {
  return std::any_of(channel.begin(), channel.end(), [](double v) { return std::isfinite(v); });
}

json zones_json(const intelligence::ZoneSet& set, const intelligence::TimeInZones& time) {
  json zones = json::array();
  for (std::size_t i = 0; i < set.zones.size(); ++i) {
    const auto& z = set.zones[i];
    zones.push_back({{"zone", z.name},
                     {"label", z.label},
                     {"min", round_to(z.min, 2)},
                     {"max", z.max ? json(round_to(*z.max, 2)) : json(nullptr)},
                     {"time_s", round_to(time.seconds[i], 0)}});
  }
  return {{"method", set.method}, {"unit", set.unit}, {"zones", std::move(zones)}};
}

}  // namespace

double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

Result<activity::Owner> caller(const CallContext& context, std::string_view what) {
  if (context.user_id.empty() || context.tenant_id.empty()) {
    return fail(ErrorCode::auth_required, fmt::format("sign in to {}: tools act on your own account", what));
  }
  return activity::Owner{context.tenant_id, context.user_id};
}

Result<activity::Activity> find_activity(activity::Service& activities, const activity::Owner& owner,
                                         const std::string& id) {
  auto a = activities.get(owner, id);
  if (!a) return std::unexpected(a.error());
  if (!a->has_value()) {
    return fail(ErrorCode::resource_not_found,
                fmt::format("no activity '{}' in your account (get_activities lists them)", id.substr(0, 64)),
                {{"field", "activity_id"}});
  }
  return std::move(**a);
}

Result<std::optional<activity::Streams>> samples(activity::Service& activities, providers::SyncEngine* sync,
                                                 const activity::Owner& owner, const activity::Activity& a) {
  auto stored = activities.streams(owner, a.id);
  if (!stored) return std::unexpected(stored.error());
  if (stored->has_value() || sync == nullptr) return stored;
  auto fetched = sync->ensure_detail(owner, a);
  if (fetched) {
    if (fetched->empty()) return std::optional<activity::Streams>{};
    return std::optional<activity::Streams>(std::move(*fetched));
  }
  if (fetched.error().code == ErrorCode::external_auth_failed) return std::unexpected(fetched.error());
  spdlog::info("tools: samples of a {} activity not fetched: {}", a.source, fetched.error().message);
  return std::optional<activity::Streams>{};
}

Result<int> timeframe_days(const std::string& timeframe) {
  static const std::map<std::string, int, std::less<>> days{{"week", 7},        {"month", 30}, {"quarter", 90},
                                                            {"sixmonths", 182}, {"year", 365}, {"last_90_days", 90},
                                                            {"all_time", 3650}};
  const auto it = days.find(timeframe);
  if (it == days.end()) {
    return fail(
        ErrorCode::invalid_input,
        fmt::format("timeframe '{}' is not one of week, month, quarter, sixmonths, year, last_90_days, all_time",
                    timeframe.substr(0, 32)),
        {{"field", "timeframe"}});
  }
  return it->second;
}

Result<std::optional<activity::SportType>> sport_argument(const json& arguments, const char* field) {
  const auto it = arguments.find(field);
  if (it == arguments.end() || it->is_null()) return std::optional<activity::SportType>{};
  const auto& word = it->get_ref<const std::string&>();
  if (const auto ours = activity::sport_from_name(word)) return std::optional(*ours);
  const auto theirs = activity::sport_from_source(word);
  if (theirs == activity::SportType::other) {
    return fail(ErrorCode::invalid_input,
                fmt::format("unknown {} '{}': use e.g. run, trail_run, ride, virtual_ride, swim, walk, hike", field,
                            word.substr(0, 64)),
                {{"field", field}});
  }
  return std::optional(theirs);
}

Result<std::int64_t> parse_time_argument(const json& arguments, const char* field) {
  const auto& text = arguments.at(field).get_ref<const std::string&>();
  const auto ms = parse_rfc3339_ms(text);
  if (!ms) {
    return fail(ErrorCode::invalid_format, fmt::format("{} must be a date (YYYY-MM-DD) or an RFC 3339 time", field),
                {{"field", field}});
  }
  return *ms;
}

std::int64_t local_start_ms(const activity::Activity& a) {
  return a.summary.start_time_ms + std::int64_t{a.summary.utc_offset_s.value_or(0)} * 1000;
}

std::int64_t local_day(const activity::Activity& a) {
  const std::int64_t local_ms = local_start_ms(a);
  return local_ms >= 0 ? local_ms / kDayMs : (local_ms - kDayMs + 1) / kDayMs;
}

std::span<const activity::Activity> since(std::span<const activity::Activity> history, std::int64_t start_ms) {
  const auto it =
      std::lower_bound(history.begin(), history.end(), start_ms,
                       [](const activity::Activity& a, std::int64_t t) { return a.summary.start_time_ms < t; });
  return history.subspan(static_cast<std::size_t>(it - history.begin()));
}

std::string day_text(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

LoadEstimate estimate_load(const activity::Activity& a, const profile::AthleteProfile& athlete) {
  const auto& s = a.summary;
  const double duration = s.moving_time_s > 0 ? s.moving_time_s : s.elapsed_time_s;
  if (duration <= 0) return {0, "none"};
  if (const auto ftp = athlete.number("ftp_w"); ftp && s.normalized_power_w && activity::is_cycling(a.sport)) {
    if (const auto tss = intelligence::training_stress_score(duration, *s.normalized_power_w, *ftp)) {
      return {*tss, "power_tss"};
    }
  }
  if (const auto hr = athlete.heart_rate(); hr && s.avg_hr_bpm) {
    if (const auto lthr = athlete.number("lthr_bpm")) {
      if (const auto t = intelligence::trimp(duration, *s.avg_hr_bpm, *hr)) {
        if (const auto tss = intelligence::hr_tss(*t, *lthr, *hr)) return {*tss, "hr_tss"};
      }
    }
  }
  if (const auto pace = athlete.number("threshold_pace_s_per_km");
      pace && activity::is_running(a.sport) && s.distance_m > 0) {
    if (const auto tss = intelligence::running_tss(duration, s.distance_m / duration, 1000 / *pace)) {
      return {*tss, "running_tss"};
    }
  }
  return {0, "none"};
}

DailyLoads daily_loads(std::span<const activity::Activity> history, const profile::AthleteProfile& athlete) {
  DailyLoads out;
  for (const auto& a : history) {
    const auto estimate = estimate_load(a, athlete);
    out.methods[std::string(estimate.method)] += 1;
    const auto day = local_day(a);
    if (!out.days.empty() && out.days.back().day == day) {
      out.days.back().load += estimate.tss;
    } else {
      out.days.push_back({day, estimate.tss});
    }
  }
  // History is ordered by UTC start; local days can interleave only across offset changes: keep days sorted.
  std::stable_sort(out.days.begin(), out.days.end(), [](const auto& x, const auto& y) { return x.day < y.day; });
  return out;
}

json activity_metrics(const activity::Activity& a, const activity::Streams* streams,
                      const profile::AthleteProfile& athlete) {
  namespace in = intelligence;
  const auto& s = a.summary;
  const double duration = s.moving_time_s > 0 ? s.moving_time_s : s.elapsed_time_s;
  json m = json::object();
  json methods = json::object();
  const bool has_streams = streams != nullptr && !streams->empty();
  m["duration_s"] = round_to(duration, 0);
  m["distance_m"] = round_to(s.distance_m, 1);
  m["average_speed_mps"] = duration > 0 && s.distance_m > 0 ? json(round_to(s.distance_m / duration, 3)) : json();
  m["pace_s_per_km"] = s.distance_m > 0 ? json(round_to(duration / (s.distance_m / 1000), 1)) : json();

  // Power
  std::optional<double> np = s.normalized_power_w;
  std::optional<double> avg_power = s.avg_power_w;
  // Without a finite power sample the grid is all zeros, so the work is 0 and not used for energy below.
  std::optional<double> work;
  if (has_streams && has_channel(streams->power_w)) {
    const auto power = in::power_metrics(*streams, 1200);
    np = power.normalized_w;
    avg_power = power.average_w;
    work = power.work_kj;
    m["work_kj"] = maybe(work);
    m["best_20min_power_w"] = maybe(power.max_mean_w, 0);
    methods["normalized_power_w"] = "coggan_30s_rolling_4th_power";
  }
  const auto ftp = athlete.number("ftp_w");
  m["normalized_power_w"] = maybe(np, 1);
  m["average_power_w"] = maybe(avg_power, 1);
  std::optional<double> intensity;
  std::optional<double> tss;
  if (np && ftp) {
    intensity = in::intensity_factor(*np, *ftp);
    tss = in::training_stress_score(duration, *np, *ftp);
    methods["training_stress_score"] = "power_tss_coggan";
  }
  m["variability_index"] = np && avg_power ? maybe(in::variability_index(*np, *avg_power), 3) : json();
  if (const auto kg = athlete.number("weight_kg"); kg && avg_power) {
    m["power_to_weight_w_per_kg"] = round_to(*avg_power / *kg, 2);
  }

  // Heart rate
  const auto hr = athlete.heart_rate();
  std::optional<double> trimp;
  if (hr && has_streams && has_channel(streams->heart_rate_bpm)) {
    trimp = in::trimp(*streams, *hr);
    methods["trimp"] = "banister_1991_per_sample";
  } else if (hr && s.avg_hr_bpm) {
    trimp = in::trimp(duration, *s.avg_hr_bpm, *hr);
    methods["trimp"] = "banister_1991_average_hr";
  }
  m["trimp"] = maybe(trimp);
  m["average_hr_bpm"] = maybe(s.avg_hr_bpm, 0);
  m["max_hr_bpm"] = maybe(s.max_hr_bpm, 0);
  std::optional<double> hr_tss;
  if (trimp && hr) {
    if (const auto lthr = athlete.number("lthr_bpm")) hr_tss = in::hr_tss(*trimp, *lthr, *hr);
  }
  m["hr_tss"] = maybe(hr_tss);

  // Running
  std::optional<double> graded_speed;
  if (activity::is_running(a.sport)) {
    if (has_streams) graded_speed = in::grade_adjusted_speed_mps(*streams);
    if (graded_speed && *graded_speed > 0) {
      m["grade_adjusted_pace_s_per_km"] = round_to(1000 / *graded_speed, 1);
      methods["grade_adjusted_pace_s_per_km"] = "minetti_2002";
    }
    const double speed = graded_speed.value_or(duration > 0 ? s.distance_m / duration : 0);
    if (const auto pace = athlete.number("threshold_pace_s_per_km"); pace && speed > 0) {
      m["running_tss"] = maybe(in::running_tss(duration, speed, 1000 / *pace));
      if (!tss) {
        intensity = speed / (1000 / *pace);
        tss = in::running_tss(duration, speed, 1000 / *pace);
        methods["training_stress_score"] = graded_speed ? "running_tss_grade_adjusted" : "running_tss_average_speed";
      }
    }
  }
  if (!tss && hr_tss) {
    tss = hr_tss;
    methods["training_stress_score"] = "hr_tss";
  }
  m["intensity_factor"] = maybe(intensity, 3);
  m["training_stress_score"] = maybe(tss);

  // Efficiency factor: NP per beat for rides, grade-adjusted speed per beat for runs (Friel).
  if (s.avg_hr_bpm) {
    if (np && activity::is_cycling(a.sport)) {
      m["efficiency_factor"] = maybe(in::efficiency_factor(*np, *s.avg_hr_bpm), 3);
    } else if (activity::is_running(a.sport) && duration > 0) {
      m["efficiency_factor"] =
          maybe(in::efficiency_factor(graded_speed.value_or(s.distance_m / duration) * 60, *s.avg_hr_bpm), 3);
      methods["efficiency_factor"] = "metres_per_minute_per_bpm";
    }
  }
  if (has_streams) m["aerobic_decoupling_pct"] = maybe(in::aerobic_decoupling_pct(*streams), 1);

  // Energy: from work when power exists, else Keytel (HR + body + age + sex), else METs, else the recorded value.
  std::optional<double> kcal;
  const auto kg = athlete.number("weight_kg");
  if (work && *work > 0) {
    kcal = in::kcal_from_work(*work, athlete.number("cycling_gross_efficiency").value_or(0.24));
    methods["calories_kcal"] = "mechanical_work_gross_efficiency";
  } else if (const auto age = athlete.number("age_years"); s.avg_hr_bpm && kg && age && athlete.sex()) {
    kcal = in::kcal_keytel(*s.avg_hr_bpm, *kg, *age, *athlete.sex(), duration);
    methods["calories_kcal"] = "keytel_2005";
  } else if (const auto mets = in::compendium_mets(a.sport); mets && kg) {
    kcal = in::kcal_from_mets(*mets, *kg, duration);
    methods["calories_kcal"] = "compendium_2011_mets";
  } else if (s.calories_kcal) {
    kcal = s.calories_kcal;
    methods["calories_kcal"] = "recorded";
  }
  m["calories_kcal"] = maybe(kcal, 0);

  // Time in zones
  json zones = json::object();
  if (has_streams && has_channel(streams->heart_rate_bpm)) {
    if (const auto set = heart_rate_zones(athlete, a.sport)) {
      if (const auto t = in::time_in_zones(streams->time_s, streams->heart_rate_bpm, *set)) {
        zones["heart_rate"] = zones_json(*set, *t);
      }
    }
  }
  if (has_streams && has_channel(streams->power_w) && ftp) {
    if (const auto set = in::power_zones_coggan(*ftp)) {
      if (const auto t = in::time_in_zones(streams->time_s, streams->power_w, *set)) {
        zones["power"] = zones_json(*set, *t);
      }
    }
  }
  m["time_in_zones"] = std::move(zones);
  m["methods"] = std::move(methods);
  return m;
}

std::optional<intelligence::ZoneSet> heart_rate_zones(const profile::AthleteProfile& athlete,
                                                      activity::SportType sport) {
  const auto method = athlete.text("hr_zone_method").value_or("karvonen");
  const auto max = athlete.number("max_hr_bpm");
  if (method == "friel_lthr") {
    if (const auto lthr = athlete.number("lthr_bpm")) {
      return intelligence::heart_rate_zones_friel(
          *lthr, activity::is_cycling(sport) ? intelligence::FrielSport::bike : intelligence::FrielSport::run);
    }
  }
  if (method == "percent_max" && max) return intelligence::heart_rate_zones_percent_max(*max);
  if (const auto rest = athlete.number("resting_hr_bpm"); max && rest) {
    return intelligence::heart_rate_zones_karvonen(*rest, *max);
  }
  return max ? intelligence::heart_rate_zones_percent_max(*max) : std::nullopt;
}

std::optional<LatLon> public_location(double latitude, double longitude, std::span<const profile::PrivacyZone> zones) {
  if (!std::isfinite(latitude) || !std::isfinite(longitude)) return std::nullopt;
  constexpr double kEarthRadiusM = 6'371'008.8;  // IUGG mean radius
  constexpr double kRad = 3.14159265358979323846 / 180;
  for (const auto& z : zones) {
    const double dlat = (latitude - z.latitude_deg) * kRad;
    const double dlon = (longitude - z.longitude_deg) * kRad;
    const double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(latitude * kRad) *
                                                                   std::cos(z.latitude_deg * kRad) *
                                                                   std::sin(dlon / 2) * std::sin(dlon / 2);
    if (2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h))) <= z.radius_m) return std::nullopt;
  }
  return LatLon{round_to(latitude, 2), round_to(longitude, 2)};
}

std::optional<LatLon> start_location(const activity::Streams& streams) {
  if (streams.latitude_deg.size() != streams.size() || streams.longitude_deg.size() != streams.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (std::isfinite(streams.latitude_deg[i]) && std::isfinite(streams.longitude_deg[i])) {
      return LatLon{streams.latitude_deg[i], streams.longitude_deg[i]};
    }
  }
  return std::nullopt;
}

json number_schema(std::string description) {
  json s = {{"type", "number"}};
  if (!description.empty()) s["description"] = std::move(description);
  return s;
}

json integer_schema(std::string description) {
  json s = {{"type", "integer"}};
  if (!description.empty()) s["description"] = std::move(description);
  return s;
}

json string_schema(std::string description) {
  json s = {{"type", "string"}};
  if (!description.empty()) s["description"] = std::move(description);
  return s;
}

json nullable_number() {
  return {{"type", {"number", "null"}}};
}

json object_schema(json properties, std::vector<std::string> required, bool additional) {
  json s = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) s["required"] = std::move(required);
  if (!additional) s["additionalProperties"] = false;
  return s;
}

json array_of(json items) {
  return {{"type", "array"}, {"items", std::move(items)}};
}

json provider_argument() {
  return {{"type", "string"},
          {"maxLength", 32},
          {"description",
           "Pierre compatibility: a provider name (strava, garmin, fitbit, file, demo) to restrict the data to; "
           "omit to use every source"}};
}

}  // namespace pierre::tools::support
