#include "pierre/weather/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace pierre::weather {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxHours = 48;
constexpr std::int64_t kHour = 3600;

// The one message for a body we cannot use: what exactly was wrong is in the log, not in front of the user.
std::unexpected<Error> unreadable(std::string_view what) {
  spdlog::warn("weather: unusable OpenWeather response: {}", what);
  return fail(ErrorCode::external_service_error, "OpenWeather sent a response this server cannot read");
}

std::optional<double> finite_number(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  const auto value = it->get<double>();
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

// Required number within [min, max]; nullopt (→ unreadable) otherwise.
std::optional<double> bounded(const json& object, const char* name, double min, double max) {
  auto value = finite_number(object, name);
  if (!value || *value < min || *value > max) return std::nullopt;
  return value;
}

// `rain` / `snow` are objects {"1h": mm} when there was (or will be) any.
std::optional<double> hourly_amount(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_object()) return std::nullopt;
  auto mm = finite_number(*it, "1h");
  if (!mm || *mm < 0 || *mm > 500) return std::nullopt;
  return mm;
}

// One element of `data` (timemachine) or `hourly` (onecall), in metric units.
Result<HourlyWeather> parse_hour(const json& item) {
  if (!item.is_object()) return unreadable("an hour is not an object");
  HourlyWeather hour;
  const auto dt = item.find("dt");
  if (dt == item.end() || !dt->is_number_integer()) return unreadable("dt missing");
  hour.time_s = dt->get<std::int64_t>();
  const auto temperature = bounded(item, "temp", -100, 70);
  const auto feels_like = bounded(item, "feels_like", -120, 90);
  const auto humidity = bounded(item, "humidity", 0, 100);
  const auto wind = bounded(item, "wind_speed", 0, 150);
  if (!temperature || !humidity || !wind) return unreadable("temp, humidity or wind_speed missing or out of range");
  hour.temperature_c = *temperature;
  hour.feels_like_c = feels_like.value_or(*temperature);
  hour.humidity_pct = *humidity;
  hour.wind_speed_mps = *wind;
  hour.wind_gust_mps = bounded(item, "wind_gust", 0, 200);
  hour.clouds_pct = bounded(item, "clouds", 0, 100).value_or(0);
  if (const auto pop = bounded(item, "pop", 0, 1)) hour.precipitation_probability = pop;
  const auto rain = hourly_amount(item, "rain");
  const auto snow = hourly_amount(item, "snow");
  if (rain || snow) hour.precipitation_mm_h = rain.value_or(0) + snow.value_or(0);
  if (const auto weather = item.find("weather"); weather != item.end() && weather->is_array() && !weather->empty()) {
    const auto& first = weather->front();
    if (first.is_object()) {
      if (const auto id = first.find("id"); id != first.end() && id->is_number_integer()) {
        const auto code = id->get<std::int64_t>();
        if (code > 0 && code < 1000) hour.condition_code = static_cast<int>(code);
      }
      auto text = [&first](const char* name) {
        const auto it = first.find(name);
        return it != first.end() && it->is_string() ? it->get<std::string>().substr(0, 100) : std::string();
      };
      hour.condition = text("main");
      hour.description = text("description");
      const auto icon = text("icon");
      if (icon.ends_with('d')) hour.daylight = true;
      if (icon.ends_with('n')) hour.daylight = false;
    }
  }
  return hour;
}

std::int32_t parse_offset(const json& body) {
  const auto offset = bounded(body, "timezone_offset", -14 * 3600, 14 * 3600);
  return offset ? static_cast<std::int32_t>(*offset) : 0;
}

// The cached form is the provider's own shape (only the fields we read), so one parser serves both.
json to_openweather(const HourlyWeather& hour) {
  json item = {{"dt", hour.time_s},
               {"temp", hour.temperature_c},
               {"feels_like", hour.feels_like_c},
               {"humidity", hour.humidity_pct},
               {"wind_speed", hour.wind_speed_mps},
               {"clouds", hour.clouds_pct}};
  if (hour.wind_gust_mps) item["wind_gust"] = *hour.wind_gust_mps;
  if (hour.precipitation_probability) item["pop"] = *hour.precipitation_probability;
  if (hour.precipitation_mm_h) item["rain"] = {{"1h", *hour.precipitation_mm_h}};
  json weather = {{"id", hour.condition_code}, {"main", hour.condition}, {"description", hour.description}};
  if (hour.daylight) weather["icon"] = *hour.daylight ? "01d" : "01n";
  item["weather"] = json::array({std::move(weather)});
  return item;
}

Result<Conditions> parse_conditions(const json& body, double latitude, double longitude, std::int64_t epoch_s) {
  if (!body.is_object()) return unreadable("not an object");
  const auto data = body.find("data");
  if (data == body.end() || !data->is_array() || data->empty()) return unreadable("data missing or empty");
  // The element closest to the requested time (OpenWeather sends one).
  const json* closest = nullptr;
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  for (const auto& item : *data) {
    if (!item.is_object()) continue;
    const auto dt = item.find("dt");
    if (dt == item.end() || !dt->is_number_integer()) continue;
    const auto distance = std::abs(dt->get<std::int64_t>() - epoch_s);
    if (distance < best) {
      best = distance;
      closest = &item;
    }
  }
  if (closest == nullptr) return unreadable("no usable element in data");
  auto hour = parse_hour(*closest);
  if (!hour) return std::unexpected(hour.error());
  return Conditions{latitude, longitude, parse_offset(body), std::move(*hour)};
}

Result<Forecast> parse_forecast(const json& body, double latitude, double longitude) {
  if (!body.is_object()) return unreadable("not an object");
  const auto hourly = body.find("hourly");
  if (hourly == body.end() || !hourly->is_array()) return unreadable("hourly missing");
  Forecast forecast{latitude, longitude, parse_offset(body), {}};
  for (const auto& item : *hourly) {
    auto hour = parse_hour(item);
    if (!hour) return std::unexpected(hour.error());
    if (!forecast.hours.empty() && hour->time_s <= forecast.hours.back().time_s) {
      return unreadable("hourly is not in ascending time order");
    }
    forecast.hours.push_back(std::move(*hour));
    if (forecast.hours.size() == kMaxHours) break;
  }
  return forecast;
}

Result<void> check_coordinates(double latitude, double longitude) {
  if (!std::isfinite(latitude) || latitude < -90 || latitude > 90) {
    return fail(ErrorCode::invalid_input, "latitude must be between -90 and 90", {{"field", "latitude"}});
  }
  if (!std::isfinite(longitude) || longitude < -180 || longitude > 180) {
    return fail(ErrorCode::invalid_input, "longitude must be between -180 and 180", {{"field", "longitude"}});
  }
  return {};
}

// "localhost", or an IP literal in 127.0.0.0/8 or ::1 — not a name that merely starts with "127." (it could resolve
// anywhere, and loopback lifts the public-address check).
bool is_loopback_literal(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return reinterpret_cast<const unsigned char*>(&v4)[0] == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
}

std::string coordinate_text(double degrees) {
  auto text = fmt::format("{:.2f}", degrees);
  if (text == "-0.00") text = "0.00";
  return text;
}

}  // namespace

double round_coordinate(double degrees) noexcept {
  const double rounded = std::round(degrees * 100.0) / 100.0;
  return rounded == 0 ? 0.0 : rounded;  // no -0
}

json to_json(const HourlyWeather& hour) {
  json out = {{"time_s", hour.time_s},
              {"temperature_c", hour.temperature_c},
              {"feels_like_c", hour.feels_like_c},
              {"humidity_pct", hour.humidity_pct},
              {"wind_speed_mps", hour.wind_speed_mps},
              {"clouds_pct", hour.clouds_pct},
              {"condition_code", hour.condition_code},
              {"condition", hour.condition},
              {"description", hour.description}};
  if (hour.wind_gust_mps) out["wind_gust_mps"] = *hour.wind_gust_mps;
  if (hour.precipitation_mm_h) out["precipitation_mm_h"] = *hour.precipitation_mm_h;
  if (hour.precipitation_probability) out["precipitation_probability"] = *hour.precipitation_probability;
  if (hour.daylight) out["daylight"] = *hour.daylight;
  return out;
}

json to_json(const Conditions& conditions) {
  return {{"latitude", conditions.latitude},
          {"longitude", conditions.longitude},
          {"utc_offset_s", conditions.utc_offset_s},
          {"weather", to_json(conditions.weather)}};
}

json to_json(const Forecast& forecast) {
  json hours = json::array();
  for (const auto& hour : forecast.hours) hours.push_back(to_json(hour));
  return {{"latitude", forecast.latitude},
          {"longitude", forecast.longitude},
          {"utc_offset_s", forecast.utc_offset_s},
          {"hours", std::move(hours)}};
}

Result<Client> Client::create(Options options, cache::Cache& cache) {
  while (options.base_url.ends_with('/')) options.base_url.pop_back();
  auto url = net::parse_url(options.base_url);
  if (!url || (url->scheme != "https" && url->scheme != "http") || url->host.empty() || !url->user.empty() ||
      !url->password.empty() || !url->query.empty() || !url->fragment.empty()) {
    return fail(ErrorCode::invalid_input, "OPENWEATHER_API_BASE_URL: expected an absolute https:// URL");
  }
  // A fake server on this machine (tests, local development) is the one exception to https + public addresses.
  const bool loopback = is_loopback_literal(url->host);
  if (url->scheme == "http" && !loopback) {
    return fail(ErrorCode::invalid_input,
                "OPENWEATHER_API_BASE_URL: http:// is allowed only for a loopback host; use https://");
  }
  net::FetchPolicy policy;
  policy.allowed_schemes = loopback ? std::vector<std::string>{"https", "http"} : std::vector<std::string>{"https"};
  policy.allow_private_addresses = loopback;
  policy.connect_timeout = options.connect_timeout;
  policy.total_timeout = options.total_timeout;
  policy.max_response_bytes = options.max_response_bytes;
  policy.ca_file = options.ca_file;
  policy.accept = "application/json";
  if (!options.fetch) options.fetch = [](std::string_view u, const net::FetchPolicy& p) { return net::get(u, p); };
  if (!options.now_s) {
    options.now_s = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  return Client(std::move(options), cache, std::move(policy));
}

Client::Client(Options options, cache::Cache& cache, net::FetchPolicy policy)
    : options_(std::move(options)), cache_(&cache), policy_(std::move(policy)) {}

Result<json> Client::fetch_json(const std::string& path_and_query) {
  // The key is appended here and exists only in this URL string: it is never logged or put in an error.
  const auto url = options_.base_url + path_and_query + "&appid=" + options_.api_key;
  auto response = options_.fetch(url, policy_);
  if (!response) {
    spdlog::warn("weather: OpenWeather request failed: {}", response.error().message);
    auto code = response.error().code == ErrorCode::invalid_input ? ErrorCode::config_invalid : response.error().code;
    return fail(code, "OpenWeather could not be reached: " + response.error().message);
  }
  const auto status = response->status;
  if (status == 401) {
    spdlog::warn("weather: OpenWeather rejected the API key (HTTP 401)");
    return fail(ErrorCode::external_auth_failed,
                "OpenWeather rejected this server's API key (HTTP 401): check OPENWEATHER_API_KEY and that the key "
                "has a One Call API 3.0 subscription");
  }
  if (status == 429) {
    spdlog::warn("weather: OpenWeather rate limit reached (HTTP 429)");
    return fail(ErrorCode::external_rate_limited,
                "OpenWeather's request limit for this server is reached; try again later");
  }
  if (status >= 500) {
    spdlog::warn("weather: OpenWeather answered HTTP {}", status);
    return fail(ErrorCode::external_service_unavailable,
                fmt::format("OpenWeather is unavailable (HTTP {}); try again later", status));
  }
  if (status != 200) {
    spdlog::warn("weather: OpenWeather answered HTTP {}", status);
    return fail(ErrorCode::external_service_error, fmt::format("OpenWeather refused the request (HTTP {})", status));
  }
  auto body = json::parse(response->body, nullptr, false);
  if (body.is_discarded()) return unreadable("not JSON");
  return body;
}

Result<Conditions> Client::conditions_at(double latitude, double longitude, std::int64_t epoch_s) {
  if (!configured()) return fail(ErrorCode::config_missing, std::string(kNotConfigured));
  if (auto valid = check_coordinates(latitude, longitude); !valid) return std::unexpected(valid.error());
  const auto lat = round_coordinate(latitude);
  const auto lon = round_coordinate(longitude);
  // One answer per hour: the request asks for the hour's start, so the cached answer is the same for the whole hour.
  const auto hour_start = epoch_s - ((epoch_s % kHour) + kHour) % kHour;
  const auto key = fmt::format("weather:v1:at:{}:{}:{}", coordinate_text(lat), coordinate_text(lon), hour_start);
  if (auto cached = cache_->get(key)) {
    const auto body = json::parse(*cached, nullptr, false);
    if (auto conditions = parse_conditions(body, lat, lon, hour_start)) return conditions;
    cache_->erase(key);
  }
  auto body = fetch_json(fmt::format("/data/3.0/onecall/timemachine?lat={}&lon={}&dt={}&units=metric",
                                     coordinate_text(lat), coordinate_text(lon), hour_start));
  if (!body) return std::unexpected(body.error());
  auto conditions = parse_conditions(*body, lat, lon, hour_start);
  if (!conditions) return conditions;
  // A finished hour does not change; one that is still to come is a forecast and ages like one.
  const bool past = hour_start + kHour <= options_.now_s();
  const json cached = {{"timezone_offset", conditions->utc_offset_s},
                       {"data", json::array({to_openweather(conditions->weather)})}};
  cache_->put(key, cached.dump(), past ? options_.history_ttl : options_.forecast_ttl);
  return conditions;
}

Result<Forecast> Client::forecast(double latitude, double longitude) {
  if (!configured()) return fail(ErrorCode::config_missing, std::string(kNotConfigured));
  if (auto valid = check_coordinates(latitude, longitude); !valid) return std::unexpected(valid.error());
  const auto lat = round_coordinate(latitude);
  const auto lon = round_coordinate(longitude);
  const auto key =
      fmt::format("weather:v1:forecast:{}:{}:{}", coordinate_text(lat), coordinate_text(lon), options_.now_s() / kHour);
  if (auto cached = cache_->get(key)) {
    const auto body = json::parse(*cached, nullptr, false);
    if (auto forecast = parse_forecast(body, lat, lon)) return forecast;
    cache_->erase(key);
  }
  auto body =
      fetch_json(fmt::format("/data/3.0/onecall?lat={}&lon={}&exclude=current,minutely,daily,alerts&units=metric",
                             coordinate_text(lat), coordinate_text(lon)));
  if (!body) return std::unexpected(body.error());
  auto forecast = parse_forecast(*body, lat, lon);
  if (!forecast) return forecast;
  json hourly = json::array();
  for (const auto& hour : forecast->hours) hourly.push_back(to_openweather(hour));
  const json cached = {{"timezone_offset", forecast->utc_offset_s}, {"hourly", std::move(hourly)}};
  cache_->put(key, cached.dump(), options_.forecast_ttl);
  return forecast;
}

}  // namespace pierre::weather
