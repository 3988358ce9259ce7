#include "fake_strava.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <mutex>
#include <numbers>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pierre::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kFirstId = 9'000'000'000;  // Strava ids no longer fit in 32 bits
constexpr std::int64_t kSpacingS = 20 * 3600;
constexpr int kLapS = 900;
constexpr int kDefaultPerPage = 30;
constexpr int kMaxPerPage = 200;
constexpr const char* kAllStreams[] = {"time",  "distance", "latlng",          "altitude", "heartrate",
                                       "watts", "cadence",  "velocity_smooth", "temp"};

struct Kind {
  const char* type;
  const char* sport_type;
  const char* name;
  const char* device;
  int duration_s;
  int interval_s;
  double speed_mps;
  double hill_m;  // peak-to-trough height of the rolling terrain
  double base_hr;
  bool gps, hr, power_meter, estimated_power, cadence, temp, trainer, stops;
  double cadence_rpm;
  double power_w;
  int utc_offset_s;
  const char* timezone;
};

constexpr Kind kKindTable[FakeStrava::kKinds] = {
    {"Run",
     "Run",
     "Morning Run",
     "Garmin Forerunner 965",
     2700,
     1,
     3.2,
     20,
     128,
     true,
     true,
     false,
     false,
     true,
     true,
     false,
     true,
     86,
     0,
     3600,
     "(GMT+01:00) Europe/Paris"},
    {"Ride",
     "Ride",
     "Afternoon Ride",
     "Garmin Edge 840",
     5400,
     1,
     8.0,
     60,
     120,
     true,
     true,
     true,
     false,
     true,
     true,
     false,
     false,
     88,
     210,
     3600,
     "(GMT+01:00) Europe/Paris"},
    {"VirtualRide",
     "VirtualRide",
     "Zwift - Watopia",
     "Zwift",
     3600,
     1,
     9.0,
     0,
     125,
     false,
     true,
     true,
     false,
     true,
     false,
     true,
     false,
     90,
     230,
     3600,
     "(GMT+01:00) Europe/Paris"},
    {"Swim",
     "Swim",
     "Pool Swim",
     "Garmin Swim 2",
     2400,
     5,
     1.0,
     0,
     118,
     false,
     true,
     false,
     false,
     false,
     false,
     false,
     false,
     0,
     0,
     -18000,
     "(GMT-05:00) America/New_York"},
    {"Walk", "Walk", "Evening Walk", "iPhone", 1800,  2,     1.4,
     8,      0,      true,           false,    false, false, false,
     false,  false,  true,           0,        0,     3600,  "(GMT+01:00) Europe/Paris"},
    {"Run",
     "TrailRun",
     "Trail Run",
     "COROS VERTIX 2",
     4500,
     1,
     2.6,
     150,
     135,
     true,
     true,
     false,
     false,
     true,
     true,
     false,
     true,
     82,
     0,
     3600,
     "(GMT+01:00) Europe/Paris"},
    {"Ride",
     "Ride",
     "Commute Ride",
     "Wahoo ELEMNT BOLT",
     3000,
     2,
     6.5,
     15,
     115,
     true,
     true,
     false,
     true,
     false,
     false,
     false,
     true,
     0,
     140,
     3600,
     "(GMT+01:00) Europe/Paris"},
};

struct Seed {
  std::int64_t id = 0;
  std::int64_t start_s = 0;
  int kind = 0;
};

// Samples as Strava stores them (rounded as its streams are).
struct Track {
  std::vector<double> time, distance, altitude, speed, hr, watts, cadence, temp, lat, lon;
};

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double noise(std::uint64_t& state) {  // uniform in [-1, 1)
  return static_cast<double>(splitmix(state) >> 11) / static_cast<double>(1ull << 52) - 1.0;
}

double round_to(double value, double step) {
  return std::round(value / step) * step;
}

Track make_track(const Seed& seed) {
  const Kind& k = kKindTable[seed.kind];
  std::uint64_t state = static_cast<std::uint64_t>(seed.id);
  const double phase = noise(state) * std::numbers::pi;
  const double lat0 = 45.75 + 0.05 * noise(state);
  const double lon0 = 4.85 + 0.05 * noise(state);
  constexpr double kRadius = 600;  // the route is a circle of this radius, lap after lap
  const int n = k.duration_s / k.interval_s + 1;
  Track t;
  double distance = 0;
  for (int i = 0; i < n; ++i) {
    const double s = static_cast<double>(i) * k.interval_s;
    const double wave = std::sin(2 * std::numbers::pi * s / 600 + phase);
    const bool stopped = k.stops && s >= k.duration_s / 2.0 && s < k.duration_s / 2.0 + 60;  // a traffic light
    const double v = stopped ? 0.0 : std::max(0.0, k.speed_mps * (1 + 0.08 * wave + 0.02 * noise(state)));
    if (i > 0) distance += v * k.interval_s;
    t.time.push_back(s);
    t.distance.push_back(round_to(distance, 0.1));
    t.speed.push_back(round_to(v, 0.001));
    t.altitude.push_back(round_to(50 + k.hill_m * (1 - std::cos(2 * std::numbers::pi * distance / 4000)) / 2, 0.1));
    if (k.gps) {
      const double angle = distance / kRadius;
      t.lat.push_back(round_to(lat0 + kRadius * std::sin(angle) / 111320.0, 1e-6));
      t.lon.push_back(round_to(
          lon0 + kRadius * (1 - std::cos(angle)) / (111320.0 * std::cos(lat0 * std::numbers::pi / 180)), 1e-6));
    }
    if (k.hr) {
      t.hr.push_back(
          std::round(k.base_hr + 25 * (1 - std::exp(-s / 400)) + 6 * wave + 2 * noise(state) - (stopped ? 10 : 0)));
    }
    if (k.power_meter) {
      const double p = k.power_w * (1 + 0.2 * std::sin(2 * std::numbers::pi * s / 240 + phase)) + 10 * noise(state);
      t.watts.push_back(stopped ? 0 : std::round(std::max(0.0, p)));
    }
    if (k.cadence) t.cadence.push_back(stopped ? 0 : std::round(k.cadence_rpm + 2 * noise(state)));
    if (k.temp) t.temp.push_back(std::round(16 + 4 * std::sin(2 * std::numbers::pi * s / 7200)));
  }
  return t;
}

double mean(const std::vector<double>& v, std::size_t from, std::size_t to) {
  if (to <= from) return 0;
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += v[i];
  return sum / static_cast<double>(to - from);
}

double max_of(const std::vector<double>& v, std::size_t from, std::size_t to) {
  double m = 0;
  for (std::size_t i = from; i < to; ++i) m = std::max(m, v[i]);
  return m;
}

// Normalised power: 30 s rolling mean, fourth-power mean (Coggan).
double normalized_power(const std::vector<double>& watts, int interval_s, std::size_t from, std::size_t to) {
  const std::size_t window = std::max<std::size_t>(1, static_cast<std::size_t>(30 / interval_s));
  if (to - from < window) return mean(watts, from, to);
  double rolling = 0, sum4 = 0;
  std::size_t count = 0;
  for (std::size_t i = from; i < to; ++i) {
    rolling += watts[i];
    if (i >= from + window) rolling -= watts[i - window];
    if (i + 1 >= from + window) {
      sum4 += std::pow(rolling / static_cast<double>(window), 4);
      ++count;
    }
  }
  return std::pow(sum4 / static_cast<double>(count), 0.25);
}

std::string iso(std::int64_t epoch_s) {
  const auto t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::optional<std::int64_t> integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

FakeResponse strava_error(int status, std::string message, std::string resource, std::string field, std::string code) {
  json body = {{"message", std::move(message)}, {"errors", json::array()}};
  if (!resource.empty()) {
    body["errors"].push_back(
        {{"resource", std::move(resource)}, {"field", std::move(field)}, {"code", std::move(code)}});
  }
  return FakeResponse::json(status, body.dump());
}

FakeResponse bad_request(std::string resource, std::string field) {
  return strava_error(400, "Bad Request", std::move(resource), std::move(field), "invalid");
}

FakeResponse not_found(std::string resource) {
  return strava_error(404, "Record Not Found", std::move(resource), "id", "invalid");
}

json athlete_summary() {
  return {{"id", FakeStrava::kAthleteId},
          {"username", "alex_rivera"},
          {"resource_state", 2},
          {"firstname", "Alex"},
          {"lastname", "Rivera"},
          {"bio", ""},
          {"city", "Lyon"},
          {"state", "Auvergne-Rhône-Alpes"},
          {"country", "France"},
          {"sex", "F"},
          {"premium", true},
          {"summit", true},
          {"created_at", "2016-03-14T09:26:53Z"},
          {"updated_at", "2025-01-02T07:00:00Z"},
          {"badge_type_id", 1},
          {"weight", 61.5},
          {"profile_medium", "https://dgalywyr863hv.cloudfront.net/pictures/athletes/4242424/medium.jpg"},
          {"profile", "https://dgalywyr863hv.cloudfront.net/pictures/athletes/4242424/large.jpg"},
          {"friend", nullptr},
          {"follower", nullptr}};
}

json athlete_detail() {
  json a = athlete_summary();
  a["resource_state"] = 3;
  a["follower_count"] = 12;
  a["friend_count"] = 20;
  a["measurement_preference"] = "meters";
  a["ftp"] = 245;
  a["clubs"] = json::array();
  a["bikes"] = json::array({{{"id", "b1234"}, {"primary", true}, {"name", "Canyon"}, {"resource_state", 2}}});
  a["shoes"] = json::array();
  return a;
}

// The totals Strava computes for samples [from, to): shared by activities and laps.
void put_totals(json& out, const Kind& k, const Track& t, std::size_t from, std::size_t to) {
  const double distance = t.distance[to - 1] - t.distance[from];
  const double elapsed = t.time[to - 1] - t.time[from];
  double moving = 0, gain = 0;
  for (std::size_t i = from + 1; i < to; ++i) {
    if (t.speed[i] > 0.3) moving += t.time[i] - t.time[i - 1];
    gain += std::max(0.0, t.altitude[i] - t.altitude[i - 1]);
  }
  out["distance"] = round_to(distance, 0.1);
  out["elapsed_time"] = static_cast<std::int64_t>(elapsed);
  out["moving_time"] = static_cast<std::int64_t>(moving);
  out["total_elevation_gain"] = round_to(gain, 0.1);
  out["average_speed"] = round_to(moving > 0 ? distance / moving : 0, 0.001);
  out["max_speed"] = max_of(t.speed, from, to);
  if (k.cadence) out["average_cadence"] = round_to(mean(t.cadence, from, to), 0.1);
  if (k.hr) {
    out["average_heartrate"] = round_to(mean(t.hr, from, to), 0.1);
    out["max_heartrate"] = max_of(t.hr, from, to);
  }
  if (k.power_meter) {
    out["average_watts"] = round_to(mean(t.watts, from, to), 0.1);
    out["device_watts"] = true;
  } else if (k.estimated_power) {
    out["average_watts"] = k.power_w;  // Strava's estimate from speed and gradient
    out["device_watts"] = false;
  }
}

json activity_json(const Seed& seed, const Track& t, bool detailed) {
  const Kind& k = kKindTable[seed.kind];
  const std::size_t n = t.time.size();
  json a = {{"resource_state", detailed ? 3 : 2},
            {"athlete", {{"id", FakeStrava::kAthleteId}, {"resource_state", 1}}},
            {"name", k.name},
            {"type", k.type},
            {"sport_type", k.sport_type},
            {"workout_type", nullptr},
            {"id", seed.id},
            {"start_date", iso(seed.start_s)},
            {"start_date_local", iso(seed.start_s + k.utc_offset_s)},
            {"timezone", k.timezone},
            {"utc_offset", static_cast<double>(k.utc_offset_s)},
            {"location_city", nullptr},
            {"location_state", nullptr},
            {"location_country", "France"},
            {"achievement_count", 0},
            {"kudos_count", 3},
            {"comment_count", 0},
            {"athlete_count", 1},
            {"photo_count", 0},
            {"trainer", k.trainer},
            {"commute", seed.kind == 6},
            {"manual", false},
            {"private", false},
            {"visibility", "everyone"},
            {"flagged", false},
            {"gear_id", nullptr},
            {"start_latlng", k.gps ? json::array({t.lat.front(), t.lon.front()}) : json::array()},
            {"end_latlng", k.gps ? json::array({t.lat.back(), t.lon.back()}) : json::array()},
            {"has_heartrate", k.hr},
            {"heartrate_opt_out", false},
            {"display_hide_heartrate_option", k.hr},
            {"upload_id", seed.id + 1'000'000'000},
            {"upload_id_str", std::to_string(seed.id + 1'000'000'000)},
            {"external_id", fmt::format("garmin_push_{}", seed.id)},
            {"from_accepted_tag", false},
            {"pr_count", 0},
            {"total_photo_count", 0},
            {"has_kudoed", false},
            {"map", {{"id", fmt::format("a{}", seed.id)}, {"summary_polyline", ""}, {"resource_state", 2}}}};
  put_totals(a, k, t, 0, n);
  if (k.gps || k.hill_m > 0) {
    const auto [low, high] = std::minmax_element(t.altitude.begin(), t.altitude.end());
    a["elev_low"] = *low;
    a["elev_high"] = *high;
  }
  if (k.temp) a["average_temp"] = std::round(mean(t.temp, 0, n));
  double kilojoules = 0;
  if (k.power_meter) {
    a["max_watts"] = max_of(t.watts, 0, n);
    a["weighted_average_watts"] = std::round(normalized_power(t.watts, k.interval_s, 0, n));
    kilojoules = round_to(mean(t.watts, 0, n) * (t.time.back()) / 1000, 0.1);
  } else if (k.estimated_power) {
    kilojoules = round_to(k.power_w * t.time.back() / 1000, 0.1);
  }
  if (kilojoules > 0) a["kilojoules"] = kilojoules;
  if (!detailed) return a;

  a["description"] = nullptr;
  a["calories"] = kilojoules > 0 ? kilojoules : round_to(70 * a["distance"].get<double>() / 1000, 0.1);
  a["device_name"] = k.device;
  a["embed_token"] = fmt::format("{:x}", static_cast<std::uint64_t>(seed.id) * 2654435761ull);
  a["segment_efforts"] = json::array();
  a["splits_metric"] = json::array();
  a["photos"] = {{"primary", nullptr}, {"count", 0}};
  a["hide_from_home"] = false;
  json laps = json::array();
  const std::size_t per_lap = static_cast<std::size_t>(kLapS / k.interval_s);
  for (std::size_t from = 0, index = 0; from + 1 < n; from += per_lap, ++index) {
    const std::size_t to = std::min(n, from + per_lap + 1);  // laps share their boundary sample, as Strava's do
    json lap = {{"id", seed.id * 100 + static_cast<std::int64_t>(index)},
                {"resource_state", 2},
                {"name", fmt::format("Lap {}", index + 1)},
                {"activity", {{"id", seed.id}, {"resource_state", 1}}},
                {"athlete", {{"id", FakeStrava::kAthleteId}, {"resource_state", 1}}},
                {"start_date", iso(seed.start_s + static_cast<std::int64_t>(t.time[from]))},
                {"start_date_local", iso(seed.start_s + k.utc_offset_s + static_cast<std::int64_t>(t.time[from]))},
                {"start_index", from},
                {"end_index", to - 1},
                {"lap_index", index + 1},
                {"split", index + 1},
                {"pace_zone", nullptr}};
    put_totals(lap, k, t, from, to);
    if (k.power_meter) lap.erase("device_watts");
    laps.push_back(std::move(lap));
  }
  a["laps"] = std::move(laps);
  return a;
}

const std::vector<double>* stream_of(const Kind& k, const Track& t, std::string_view type) {
  if (type == "time") return &t.time;
  if (type == "distance") return &t.distance;
  if (type == "altitude") return k.gps || k.hill_m > 0 ? &t.altitude : nullptr;
  if (type == "velocity_smooth") return &t.speed;
  if (type == "heartrate") return k.hr ? &t.hr : nullptr;
  if (type == "watts") return k.power_meter ? &t.watts : nullptr;
  if (type == "cadence") return k.cadence ? &t.cadence : nullptr;
  if (type == "temp") return k.temp ? &t.temp : nullptr;
  return nullptr;
}

json streams_json(const Seed& seed, const Track& t, std::string_view keys, bool key_by_type) {
  const Kind& k = kKindTable[seed.kind];
  std::vector<std::string> wanted;
  for (std::size_t start = 0; start <= keys.size();) {
    const auto comma = std::min(keys.find(',', start), keys.size());
    if (comma > start) wanted.emplace_back(keys.substr(start, comma - start));
    start = comma + 1;
  }
  // Strava adds the series it indexes by (distance) whether asked or not.
  if (std::find(wanted.begin(), wanted.end(), "distance") == wanted.end()) wanted.emplace_back("distance");
  json by_type = json::object();
  json list = json::array();
  for (const auto& type : kAllStreams) {
    if (std::find(wanted.begin(), wanted.end(), type) == wanted.end()) continue;
    json data;
    if (std::string_view(type) == "latlng") {
      if (!k.gps) continue;
      data = json::array();
      for (std::size_t i = 0; i < t.lat.size(); ++i) data.push_back({t.lat[i], t.lon[i]});
    } else {
      const auto* values = stream_of(k, t, type);
      if (values == nullptr) continue;
      data = *values;
    }
    json stream = {{"data", std::move(data)},
                   {"series_type", "distance"},
                   {"original_size", t.time.size()},
                   {"resolution", "high"}};
    if (key_by_type) {
      by_type[type] = std::move(stream);
    } else {
      stream["type"] = type;
      list.push_back(std::move(stream));
    }
  }
  return key_by_type ? by_type : list;
}

}  // namespace

struct FakeStrava::Impl {
  FakeOAuth oauth{"strava"};
  FaultScript faults;

  mutable std::mutex mutex;
  std::vector<Seed> seeds;  // newest first
  std::int64_t next_seq = 0;
  FakeProviderStats stats;
  std::vector<std::string> targets;
  std::int64_t usage = 0;
  std::int64_t read_short_limit = 300;
  std::int64_t read_daily_limit = 15000;
  int token_delay_ms = 0;

  // Last: destroyed first, so no handler runs against a half-destroyed Impl.
  std::unique_ptr<FakeHttpServer> server;

  Seed make_seed(std::int64_t start_s) {
    const std::int64_t seq = next_seq++;
    return Seed{kFirstId + seq, start_s, static_cast<int>(seq % kKinds)};
  }

  void sort_locked() {
    std::stable_sort(seeds.begin(), seeds.end(), [](const Seed& a, const Seed& b) {
      return a.start_s != b.start_s ? a.start_s > b.start_s : a.id > b.id;
    });
  }

  std::optional<Seed> find(std::string_view id) const {
    const auto value = integer(id);
    if (!value) return std::nullopt;
    const std::lock_guard lock(mutex);
    for (const auto& s : seeds) {
      if (s.id == *value) return s;
    }
    return std::nullopt;
  }

  FakeResponse handle(const FakeRequest& request) {
    {
      const std::lock_guard lock(mutex);
      targets.push_back(request.method + " " + request.target);
    }
    if (request.path.starts_with("/oauth/")) return oauth_endpoint(request);
    if (request.path.starts_with("/api/v3/")) return api(request);
    return strava_error(404, "Resource Not Found", "", "", "");
  }

  // ---- OAuth ----------------------------------------------------------------------------------------------------

  FakeResponse oauth_endpoint(const FakeRequest& request) {
    auto params = request.query;
    for (auto& [name, value] : request.form()) params[name] = value;
    auto param = [&params](std::string_view name) {
      const auto it = params.find(name);
      return it == params.end() ? std::string() : it->second;
    };
    if (request.path == "/oauth/authorize" && request.method == "GET") {
      if (param("client_id") != kClientId) return bad_request("Application", "client_id");
      const auto redirect = param("redirect_uri");
      if (redirect.empty()) return bad_request("Application", "redirect_uri");
      if (param("response_type") != "code") return bad_request("Application", "response_type");
      const auto scope = param("scope");
      const auto code = oauth.issue_code(redirect, "", scope);
      {
        const std::lock_guard lock(mutex);
        ++stats.authorizations;
      }
      FakeResponse r = FakeResponse::text(302, "");
      r.headers.emplace_back(
          "Location",
          fmt::format("{}{}state={}&code={}&scope={}", redirect, redirect.find('?') == std::string::npos ? '?' : '&',
                      percent_encode(param("state")), percent_encode(code), percent_encode(scope)));
      return r;
    }
    if (request.path == "/oauth/token" && request.method == "POST") {
      auto r =
          token(param("client_id"), param("client_secret"), param("grant_type"), param("code"), param("refresh_token"));
      const std::lock_guard lock(mutex);
      r.delay = std::chrono::milliseconds(token_delay_ms);
      return r;
    }
    if (request.path == "/oauth/deauthorize" && request.method == "POST") {
      auto access = param("access_token");
      if (access.empty()) access = request.bearer_token();
      {
        const std::lock_guard lock(mutex);
        ++stats.revocations;
      }
      if (!oauth.valid(access)) return strava_error(401, "Authorization Error", "Athlete", "access_token", "invalid");
      // Deauthorization disconnects the athlete from the application: every token of it stops working. The fake
      // has one athlete, so that is every token issued so far.
      oauth.revoke(access);
      oauth.expire_access_tokens();
      oauth.revoke_refresh_tokens();
      return FakeResponse::json(200, json{{"access_token", access}}.dump());
    }
    return strava_error(404, "Resource Not Found", "", "", "");
  }

  FakeResponse token(const std::string& client_id, const std::string& client_secret, const std::string& grant_type,
                     const std::string& code, const std::string& refresh_token) {
    if (grant_type == "refresh_token") {
      const std::lock_guard lock(mutex);
      ++stats.refreshes;
    }
    if (client_id != kClientId) return bad_request("Application", "client_id");
    if (client_secret != kClientSecret) {
      return strava_error(401, "Authorization Error", "Application", "client_secret", "invalid");
    }
    if (grant_type == "authorization_code") {
      const auto issued = oauth.exchange(code, "", "");
      if (!issued) return bad_request("AuthorizationCode", "code");
      {
        const std::lock_guard lock(mutex);
        ++stats.code_exchanges;
      }
      return FakeResponse::json(200, json{{"token_type", "Bearer"},
                                          {"expires_at", issued->expires_at_s},
                                          {"expires_in", issued->expires_in_s},
                                          {"refresh_token", issued->refresh_token},
                                          {"access_token", issued->access_token},
                                          {"athlete", athlete_summary()}}
                                         .dump());
    }
    if (grant_type == "refresh_token") {
      const auto issued = oauth.refresh(refresh_token, /*rotate=*/false);
      if (!issued) return bad_request("RefreshToken", "refresh_token");
      return FakeResponse::json(200, json{{"token_type", "Bearer"},
                                          {"access_token", issued->access_token},
                                          {"expires_at", issued->expires_at_s},
                                          {"expires_in", issued->expires_in_s},
                                          {"refresh_token", issued->refresh_token}}
                                         .dump());
    }
    return bad_request("Application", "grant_type");
  }

  // ---- API ------------------------------------------------------------------------------------------------------

  enum class Route { athlete, list, detail, streams, laps, unknown };

  static Route route_of(const FakeRequest& request, std::string& id) {
    if (request.method != "GET") return Route::unknown;
    std::string_view path = request.path;
    path.remove_prefix(std::string_view("/api/v3").size());
    if (path == "/athlete") return Route::athlete;
    if (path == "/athlete/activities") return Route::list;
    if (!path.starts_with("/activities/")) return Route::unknown;
    path.remove_prefix(std::string_view("/activities/").size());
    const auto slash = path.find('/');
    id = std::string(path.substr(0, slash));
    if (slash == std::string_view::npos) return Route::detail;
    const auto rest = path.substr(slash);
    if (rest == "/streams") return Route::streams;
    if (rest == "/laps") return Route::laps;
    return Route::unknown;
  }

  FakeResponse api(const FakeRequest& request) {
    std::string id;
    const Route route = route_of(request, id);
    const FakeFault fault = faults.next();
    std::int64_t usage_now = 0, short_limit = 0, daily_limit = 0;
    {
      const std::lock_guard lock(mutex);
      ++stats.api_calls;
      if (route == Route::list) ++stats.activity_list_calls;
      if (route == Route::detail || route == Route::streams || route == Route::laps) ++stats.activity_detail_calls;
      usage_now = ++usage;
      short_limit = read_short_limit;
      daily_limit = read_daily_limit;
    }
    const bool limited = fault == FakeFault::rate_limited || usage_now > short_limit || usage_now > daily_limit;
    // A scripted 429 reports the 15-minute read window as used up, as a real one would.
    const std::int64_t short_usage = fault == FakeFault::rate_limited ? std::max(usage_now, short_limit) : usage_now;
    auto with_headers = [&](FakeResponse r) {
      r.headers.emplace_back("X-RateLimit-Limit", fmt::format("{},{}", 2 * short_limit, 2 * daily_limit));
      r.headers.emplace_back("X-RateLimit-Usage", fmt::format("{},{}", usage_now, usage_now));
      r.headers.emplace_back("X-ReadRateLimit-Limit", fmt::format("{},{}", short_limit, daily_limit));
      r.headers.emplace_back("X-ReadRateLimit-Usage", fmt::format("{},{}", short_usage, usage_now));
      return r;
    };
    if (limited) return with_headers(strava_error(429, "Rate Limit Exceeded", "Application", "rate limit", "exceeded"));
    switch (fault) {
      case FakeFault::unauthorized:
        return with_headers(strava_error(401, "Authorization Error", "Athlete", "access_token", "invalid"));
      case FakeFault::server_error: return with_headers(FakeResponse::json(500, R"({"message":"error","errors":[]})"));
      case FakeFault::malformed_json: return with_headers(FakeResponse::json(200, R"({"id": 1, "name": "Morning Ru)"));
      case FakeFault::wrong_shape:
        return with_headers(FakeResponse::json(
            200, route == Route::list ? R"({"activities":[],"page":1})" : R"([{"resource_state":1}])"));
      default: break;
    }
    const std::string token = request.bearer_token();
    if (token.empty())
      return with_headers(strava_error(401, "Authorization Error", "Athlete", "access_token", "missing"));
    if (!oauth.valid(token)) {
      return with_headers(strava_error(401, "Authorization Error", "Athlete", "access_token", "invalid"));
    }
    FakeResponse r = with_headers(answer(route, id, request));
    if (fault == FakeFault::slow) r.delay = std::chrono::seconds(5);
    return r;
  }

  FakeResponse answer(Route route, const std::string& id, const FakeRequest& request) {
    auto param = [&request](std::string_view name) -> std::optional<std::string> {
      const auto it = request.query.find(name);
      if (it == request.query.end()) return std::nullopt;
      return it->second;
    };
    switch (route) {
      case Route::athlete: return FakeResponse::json(200, athlete_detail().dump());
      case Route::list: {
        std::optional<std::int64_t> before, after;
        std::int64_t page = 1, per_page = kDefaultPerPage;
        for (auto [name, target] : {std::pair{"before", &before}, std::pair{"after", &after}}) {
          if (const auto text = param(name)) {
            *target = integer(*text);
            if (!*target) return bad_request("Activity", name);
          }
        }
        for (auto [name, target] : {std::pair{"page", &page}, std::pair{"per_page", &per_page}}) {
          if (const auto text = param(name)) {
            const auto value = integer(*text);
            if (!value) return bad_request("Activity", name);
            *target = *value;
          }
        }
        if (page < 1) page = 1;
        if (per_page < 1) per_page = kDefaultPerPage;
        per_page = std::min<std::int64_t>(per_page, kMaxPerPage);
        std::vector<Seed> matching;
        {
          const std::lock_guard lock(mutex);
          for (const auto& s : seeds) {
            if ((!before || s.start_s < *before) && (!after || s.start_s > *after)) matching.push_back(s);
          }
        }
        if (after) std::reverse(matching.begin(), matching.end());  // oldest first, as Strava answers with `after`
        json out = json::array();
        const auto first = static_cast<std::size_t>((page - 1) * per_page);
        for (std::size_t i = first; i < matching.size() && i < first + static_cast<std::size_t>(per_page); ++i) {
          out.push_back(activity_json(matching[i], make_track(matching[i]), false));
        }
        return FakeResponse::json(200, out.dump());
      }
      case Route::detail:
      case Route::streams:
      case Route::laps: {
        const auto seed = find(id);
        if (!seed) return not_found("Activity");
        const Track track = make_track(*seed);
        if (route == Route::detail) return FakeResponse::json(200, activity_json(*seed, track, true).dump());
        if (route == Route::laps) return FakeResponse::json(200, activity_json(*seed, track, true)["laps"].dump());
        const auto keys = param("keys");
        if (!keys || keys->empty()) return bad_request("Stream", "keys");
        return FakeResponse::json(200, streams_json(*seed, track, *keys, param("key_by_type") == "true").dump());
      }
      case Route::unknown: break;
    }
    return strava_error(404, "Resource Not Found", "", "", "");
  }
};

FakeStrava::FakeStrava() : impl_(std::make_unique<Impl>()) {
  impl_->server =
      std::make_unique<FakeHttpServer>([impl = impl_.get()](const FakeRequest& r) { return impl->handle(r); });
}

FakeStrava::~FakeStrava() = default;

std::string FakeStrava::base_url() const {
  return impl_->server->base_url();
}

void FakeStrava::seed_activities(int count, std::int64_t newest_start_ms) {
  const std::lock_guard lock(impl_->mutex);
  impl_->seeds.clear();
  const std::int64_t newest_s = newest_start_ms / 1000;
  for (int i = count - 1; i >= 0; --i) impl_->seeds.push_back(impl_->make_seed(newest_s - i * kSpacingS));
  impl_->sort_locked();
}

std::string FakeStrava::add_activity(std::int64_t start_ms) {
  const std::lock_guard lock(impl_->mutex);
  const Seed seed = impl_->make_seed(start_ms / 1000);
  impl_->seeds.push_back(seed);
  impl_->sort_locked();
  return std::to_string(seed.id);
}

int FakeStrava::activity_count() const {
  const std::lock_guard lock(impl_->mutex);
  return static_cast<int>(impl_->seeds.size());
}

void FakeStrava::expire_access_tokens() {
  impl_->oauth.expire_access_tokens();
}
void FakeStrava::revoke_refresh_tokens() {
  impl_->oauth.revoke_refresh_tokens();
}
void FakeStrava::fail_next(FakeFault fault, int times) {
  impl_->faults.push(fault, times);
}
void FakeStrava::set_token_lifetime_s(std::int64_t seconds) {
  impl_->oauth.set_lifetime_s(seconds);
}
void FakeStrava::set_token_delay_ms(int ms) {
  const std::lock_guard lock(impl_->mutex);
  impl_->token_delay_ms = ms;
}

FakeProviderStats FakeStrava::stats() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

std::vector<std::string> FakeStrava::targets() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->targets;
}

void FakeStrava::set_read_rate_limits(std::int64_t short_limit, std::int64_t daily_limit) {
  const std::lock_guard lock(impl_->mutex);
  impl_->read_short_limit = short_limit;
  impl_->read_daily_limit = daily_limit;
}

std::string FakeStrava::activity_id(int index) const {
  const std::lock_guard lock(impl_->mutex);
  if (index < 0 || index >= static_cast<int>(impl_->seeds.size())) return {};
  return std::to_string(impl_->seeds[static_cast<std::size_t>(index)].id);
}

std::int64_t FakeStrava::activity_start_ms(int index) const {
  const std::lock_guard lock(impl_->mutex);
  if (index < 0 || index >= static_cast<int>(impl_->seeds.size())) return 0;
  return impl_->seeds[static_cast<std::size_t>(index)].start_s * 1000;
}

std::string FakeStrava::activity_sport_type(int index) const {
  const std::lock_guard lock(impl_->mutex);
  if (index < 0 || index >= static_cast<int>(impl_->seeds.size())) return {};
  return kKindTable[impl_->seeds[static_cast<std::size_t>(index)].kind].sport_type;
}

std::unique_ptr<FakeProvider> make_fake_strava() {
  return std::make_unique<FakeStrava>();
}

}  // namespace pierre::testing
