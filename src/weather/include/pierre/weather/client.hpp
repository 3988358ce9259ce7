#pragma once
// weather — OpenWeather One Call API 3.0 (https://openweathermap.org/api/one-call-3) behind a small client:
//   * conditions_at(lat, lon, t): the weather at a past (or near-future) moment, from
//     GET {base}/data/3.0/onecall/timemachine?lat&lon&dt&units=metric&appid=KEY — response
//     {lat, lon, timezone, timezone_offset, data: [{dt, temp, feels_like, humidity, clouds, wind_speed, wind_gust?,
//      rain?: {"1h"}, snow?: {"1h"}, weather: [{id, main, description, icon}]}]};
//   * forecast(lat, lon): the hourly forecast for the next 48 h, from
//     GET {base}/data/3.0/onecall?lat&lon&exclude=current,minutely,daily,alerts&units=metric&appid=KEY — response
//     {lat, lon, timezone, timezone_offset, hourly: [{dt, temp, …, pop, rain?: {"1h"}, weather: [...]}]}.
// Outbound requests go through net::get (https only, public addresses only), except when the base URL's host is a
// loopback address (a test's fake server): then http and loopback targets are allowed.
//
// Coordinates are rounded to 2 decimals (≈ 1 km) before they leave the server and in cache keys: enough for weather,
// less precise than a person's doorstep. Answers are cached (cache::Cache) under
// "weather:v1:{kind}:{lat}:{lon}:{hour}" — past hours for 24 h, forecasts for 30 min. The API key is sent only in the
// request URL: never in cache keys, errors or logs.
//
// Errors (safe to show): config_missing when no API key is configured; external_auth_failed for 401 (key rejected
// or not subscribed to One Call 3.0); external_rate_limited for 429; external_service_error for other statuses and
// for a body that is not the expected JSON; external_service_unavailable when OpenWeather cannot be reached.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/cache/cache.hpp"
#include "pierre/core/error.hpp"
#include "pierre/net/http_client.hpp"

namespace pierre::weather {

// One hour of weather (observed or forecast), SI / metric units.
struct HourlyWeather {
  std::int64_t time_s = 0;  // UTC epoch seconds (OpenWeather `dt`)
  double temperature_c = 0;
  double feels_like_c = 0;
  double humidity_pct = 0;
  double wind_speed_mps = 0;
  std::optional<double> wind_gust_mps;
  std::optional<double> precipitation_mm_h;         // rain + snow over the hour, when reported
  std::optional<double> precipitation_probability;  // 0..1, forecasts only (`pop`)
  double clouds_pct = 0;
  int condition_code = 0;        // OpenWeather condition id (2xx thunderstorm … 800 clear, 80x clouds); 0 = not given
  std::string condition;         // "Rain", "Clear"…
  std::string description;       // "light rain"…
  std::optional<bool> daylight;  // from the icon's d/n suffix, when given
};

struct Conditions {
  double latitude = 0;  // as requested (rounded to 2 decimals)
  double longitude = 0;
  std::int32_t utc_offset_s = 0;  // of the location (OpenWeather `timezone_offset`)
  HourlyWeather weather;
};

struct Forecast {
  double latitude = 0;
  double longitude = 0;
  std::int32_t utc_offset_s = 0;
  std::vector<HourlyWeather> hours;  // ascending time, at most 48
};

nlohmann::json to_json(const HourlyWeather& hour);
nlohmann::json to_json(const Conditions& conditions);
nlohmann::json to_json(const Forecast& forecast);

class Client {
 public:
  using Fetch = std::function<Result<net::Response>(std::string_view url, const net::FetchPolicy& policy)>;

  struct Options {
    std::string api_key;  // empty: not configured (every call answers config_missing)
    std::string base_url = "https://api.openweathermap.org";
    std::string ca_file;  // extra trust anchors for outbound HTTPS; empty = system store
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds total_timeout{8000};
    std::size_t max_response_bytes = 512 * 1024;
    std::chrono::seconds history_ttl{std::chrono::hours(24)};
    std::chrono::seconds forecast_ttl{std::chrono::minutes(30)};
    Fetch fetch;                          // empty = net::get
    std::function<std::int64_t()> now_s;  // empty = the system clock (UTC epoch seconds)
  };

  // invalid_input when base_url is not an absolute http(s) URL, or is http:// on a host that is not loopback.
  static Result<Client> create(Options options, cache::Cache& cache);

  // The message callers show when the client is not configured.
  static constexpr std::string_view kNotConfigured =
      "weather is not configured on this server: set OPENWEATHER_API_KEY";

  [[nodiscard]] bool configured() const noexcept { return !options_.api_key.empty(); }

  // Latitude −90..90, longitude −180..180 (else invalid_input).
  Result<Conditions> conditions_at(double latitude, double longitude, std::int64_t epoch_s);
  Result<Forecast> forecast(double latitude, double longitude);

 private:
  Client(Options options, cache::Cache& cache, net::FetchPolicy policy);
  Result<nlohmann::json> fetch_json(const std::string& path_and_query);

  Options options_;
  cache::Cache* cache_;
  net::FetchPolicy policy_;
};

// Rounds to 2 decimals (the precision used on the wire, in cache keys and in tool output).
double round_coordinate(double degrees) noexcept;

}  // namespace pierre::weather
