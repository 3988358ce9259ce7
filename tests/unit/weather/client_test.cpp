#include "pierre/weather/client.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <map>
#include <mutex>

#include "fake_openweather.hpp"
#include "pierre/cache/cache.hpp"

namespace pierre::weather {
namespace {

using namespace std::chrono_literals;
using testing::FakeOpenWeather;

constexpr std::int64_t kNow = 1'767'261'600;  // 2026-01-01T10:00:00Z, on an hour boundary

// A MemoryCache whose keys and values the test can inspect (to prove the API key never reaches the cache).
class RecordingCache final : public cache::Cache {
 public:
  explicit RecordingCache(cache::MemoryCache::Clock clock = {}) : inner_({1000, 0s, std::move(clock)}) {}
  std::optional<std::string> get(std::string_view key) override { return inner_.get(key); }
  void put(std::string_view key, std::string value, std::chrono::milliseconds ttl) override {
    {
      std::lock_guard lock(mutex_);
      written_[std::string(key)] = value;
      ttls_[std::string(key)] = ttl;
    }
    inner_.put(key, std::move(value), ttl);
  }
  bool erase(std::string_view key) override { return inner_.erase(key); }
  [[nodiscard]] std::size_t size() const override { return inner_.size(); }
  std::size_t purge_expired() override { return inner_.purge_expired(); }

  std::map<std::string, std::string> written() const {
    std::lock_guard lock(mutex_);
    return written_;
  }
  std::map<std::string, std::chrono::milliseconds> ttls() const {
    std::lock_guard lock(mutex_);
    return ttls_;
  }

 private:
  cache::MemoryCache inner_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> written_;
  std::map<std::string, std::chrono::milliseconds> ttls_;
};

struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1000h};
  cache::MemoryCache::Clock function() {
    return [this] { return now; };
  }
};

class WeatherClientTest : public ::testing::Test {
 protected:
  Client make(std::string key = FakeOpenWeather::kApiKey) {
    Client::Options options;
    options.api_key = std::move(key);
    options.base_url = fake.base_url();
    options.now_s = [this] { return now_s; };
    auto client = Client::create(std::move(options), cache);
    EXPECT_TRUE(client.has_value()) << (client ? "" : client.error().message);
    return std::move(*client);
  }

  void expect_no_key_in(const Error& error) {
    EXPECT_EQ(error.message.find(FakeOpenWeather::kApiKey), std::string::npos) << error.message;
    EXPECT_EQ(error.details.dump().find(FakeOpenWeather::kApiKey), std::string::npos);
  }

  FakeOpenWeather fake;
  ManualClock clock;
  RecordingCache cache{clock.function()};
  std::int64_t now_s = kNow;
};

TEST_F(WeatherClientTest, ParsesHistoricalConditions) {
  auto client = make();
  const std::int64_t at = kNow - 3 * 86400 + 1800;  // half past 10:00 three days ago
  auto conditions = client.conditions_at(48.8566, 2.3522, at);
  ASSERT_TRUE(conditions) << conditions.error().message;
  // The request used the rounded coordinates and the hour's start.
  ASSERT_EQ(fake.request_count(), 1U);
  const auto target = fake.targets().front();
  EXPECT_TRUE(target.starts_with("/data/3.0/onecall/timemachine?lat=48.86&lon=2.35&dt=" + std::to_string(at - 1800) +
                                 "&units=metric&appid="))
      << target;
  const auto expected = FakeOpenWeather::hour(48.86, 2.35, at - 1800, false);
  EXPECT_DOUBLE_EQ(conditions->latitude, 48.86);
  EXPECT_DOUBLE_EQ(conditions->longitude, 2.35);
  EXPECT_EQ(conditions->utc_offset_s, FakeOpenWeather::timezone_offset(2.35));
  const auto& w = conditions->weather;
  EXPECT_EQ(w.time_s, at - 1800);
  EXPECT_DOUBLE_EQ(w.temperature_c, expected["temp"].get<double>());
  EXPECT_DOUBLE_EQ(w.feels_like_c, expected["feels_like"].get<double>());
  EXPECT_DOUBLE_EQ(w.humidity_pct, expected["humidity"].get<double>());
  EXPECT_DOUBLE_EQ(w.wind_speed_mps, expected["wind_speed"].get<double>());
  ASSERT_TRUE(w.wind_gust_mps);
  EXPECT_DOUBLE_EQ(*w.wind_gust_mps, expected["wind_gust"].get<double>());
  EXPECT_DOUBLE_EQ(w.clouds_pct, expected["clouds"].get<double>());
  EXPECT_EQ(w.condition_code, expected["weather"][0]["id"].get<int>());
  EXPECT_EQ(w.description, expected["weather"][0]["description"].get<std::string>());
  EXPECT_EQ(w.precipitation_mm_h.has_value(), expected.contains("rain"));
  EXPECT_FALSE(w.precipitation_probability);         // history has no pop
  EXPECT_EQ(w.daylight, std::optional<bool>(true));  // 10:30 solar time in Paris
}

TEST_F(WeatherClientTest, ReadsRainAndDaylight) {
  auto client = make();
  // The fake rains every 6th hour (hour index divisible by 6): 2026-01-01T06:00Z is one, and night in Sydney.
  const std::int64_t rainy = kNow - 4 * 3600;
  auto conditions = client.conditions_at(-33.87, 151.21, rainy);
  ASSERT_TRUE(conditions) << conditions.error().message;
  ASSERT_TRUE(conditions->weather.precipitation_mm_h);
  EXPECT_DOUBLE_EQ(*conditions->weather.precipitation_mm_h, 1.5);
  EXPECT_EQ(conditions->weather.condition, "Rain");
  EXPECT_EQ(conditions->weather.condition_code, 500);
  EXPECT_EQ(conditions->weather.daylight, std::optional<bool>(true));  // 16:00 local solar time in Sydney
  // 03:00 in London: night, and dry.
  auto night = client.conditions_at(51.51, -0.13, kNow - 7 * 3600);
  ASSERT_TRUE(night) << night.error().message;
  EXPECT_EQ(night->weather.daylight, std::optional<bool>(false));
  EXPECT_FALSE(night->weather.precipitation_mm_h);
  EXPECT_EQ(night->weather.condition, "Clear");
}

TEST_F(WeatherClientTest, CachesConditionsPerHourAndLocation) {
  auto client = make();
  const std::int64_t at = kNow - 86400;
  ASSERT_TRUE(client.conditions_at(48.8566, 2.3522, at));
  // Same hour, a point within the same 0.01° cell: served from the cache.
  auto again = client.conditions_at(48.8601, 2.3549, at + 1200);
  ASSERT_TRUE(again);
  EXPECT_EQ(fake.request_count(), 1U);
  EXPECT_EQ(again->weather.time_s, at);
  // Another hour or another place: a request each.
  ASSERT_TRUE(client.conditions_at(48.8566, 2.3522, at + 3600));
  ASSERT_TRUE(client.conditions_at(45.76, 4.84, at));
  EXPECT_EQ(fake.request_count(), 3U);
  // A past hour stays cached for a day, then is fetched again.
  clock.now += 23h;
  ASSERT_TRUE(client.conditions_at(48.8566, 2.3522, at));
  EXPECT_EQ(fake.request_count(), 3U);
  clock.now += 2h;
  ASSERT_TRUE(client.conditions_at(48.8566, 2.3522, at));
  EXPECT_EQ(fake.request_count(), 4U);
}

TEST_F(WeatherClientTest, AnHourNotYetOverIsCachedLikeAForecast) {
  auto client = make();
  ASSERT_TRUE(client.conditions_at(48.8566, 2.3522, kNow + 1800));
  const auto ttls = cache.ttls();
  ASSERT_EQ(ttls.size(), 1U);
  EXPECT_EQ(ttls.begin()->second, std::chrono::milliseconds(30min));
  ASSERT_TRUE(client.conditions_at(48.8566, 2.3522, kNow - 7200));
  EXPECT_EQ(cache.ttls().size(), 2U);
  for (const auto& [key, ttl] : cache.ttls()) {
    if (key.ends_with(std::to_string(kNow - 7200))) {
      EXPECT_EQ(ttl, std::chrono::milliseconds(24h));
    }
  }
}

TEST_F(WeatherClientTest, ParsesAndCachesTheForecast) {
  fake.set_now(kNow + 600);
  auto client = make();
  auto forecast = client.forecast(51.5074, -0.1278);
  ASSERT_TRUE(forecast) << forecast.error().message;
  EXPECT_TRUE(fake.targets().front().starts_with(
      "/data/3.0/onecall?lat=51.51&lon=-0.13&exclude=current,minutely,daily,alerts&units=metric&appid="))
      << fake.targets().front();
  ASSERT_EQ(forecast->hours.size(), 48U);
  EXPECT_EQ(forecast->hours.front().time_s, kNow);
  for (std::size_t i = 1; i < forecast->hours.size(); ++i) {
    EXPECT_EQ(forecast->hours[i].time_s, forecast->hours[i - 1].time_s + 3600);
  }
  for (const auto& hour : forecast->hours) {
    const auto expected = FakeOpenWeather::hour(51.51, -0.13, hour.time_s, true);
    ASSERT_TRUE(hour.precipitation_probability);
    EXPECT_DOUBLE_EQ(*hour.precipitation_probability, expected["pop"].get<double>());
    EXPECT_DOUBLE_EQ(hour.temperature_c, expected["temp"].get<double>());
    EXPECT_TRUE(hour.daylight.has_value());
  }
  // Within the same hour: the cache answers, with the same data.
  auto again = client.forecast(51.5074, -0.1278);
  ASSERT_TRUE(again);
  EXPECT_EQ(fake.request_count(), 1U);
  ASSERT_EQ(again->hours.size(), 48U);
  EXPECT_DOUBLE_EQ(again->hours[5].temperature_c, forecast->hours[5].temperature_c);
  EXPECT_EQ(again->hours[6].precipitation_mm_h, forecast->hours[6].precipitation_mm_h);
  EXPECT_EQ(again->hours[7].daylight, forecast->hours[7].daylight);
  EXPECT_EQ(again->utc_offset_s, forecast->utc_offset_s);
  // Forecasts age out after 30 minutes.
  clock.now += 31min;
  ASSERT_TRUE(client.forecast(51.5074, -0.1278));
  EXPECT_EQ(fake.request_count(), 2U);
}

TEST_F(WeatherClientTest, TheApiKeyIsSentButNeverCached) {
  auto client = make();
  ASSERT_TRUE(client.conditions_at(10, 20, kNow - 86400));
  ASSERT_TRUE(client.forecast(10, 20));
  EXPECT_NE(fake.targets().front().find(std::string("appid=") + FakeOpenWeather::kApiKey), std::string::npos);
  const auto written = cache.written();
  ASSERT_EQ(written.size(), 2U);
  for (const auto& [key, value] : written) {
    EXPECT_TRUE(key.starts_with("weather:v1:")) << key;
    EXPECT_EQ(key.find(FakeOpenWeather::kApiKey), std::string::npos);
    EXPECT_EQ(value.find(FakeOpenWeather::kApiKey), std::string::npos);
  }
}

TEST_F(WeatherClientTest, AWrongKeyIsReportedAsRejected) {
  auto client = make("not-the-right-key");
  auto result = client.forecast(10, 20);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::external_auth_failed);
  EXPECT_NE(result.error().message.find("API key"), std::string::npos);
  EXPECT_EQ(result.error().message.find("not-the-right-key"), std::string::npos);
}

TEST_F(WeatherClientTest, ProviderFailuresMapToSafeErrors) {
  auto client = make();
  struct Case {
    FakeOpenWeather::Mode mode;
    ErrorCode code;
  };
  const Case cases[] = {
      {FakeOpenWeather::Mode::unauthorized, ErrorCode::external_auth_failed},
      {FakeOpenWeather::Mode::rate_limited, ErrorCode::external_rate_limited},
      {FakeOpenWeather::Mode::server_error, ErrorCode::external_service_unavailable},
      {FakeOpenWeather::Mode::bad_request, ErrorCode::external_service_error},
      {FakeOpenWeather::Mode::garbage, ErrorCode::external_service_error},
      {FakeOpenWeather::Mode::wrong_shape, ErrorCode::external_service_error},
  };
  std::int64_t hour = kNow - 10 * 86400;
  for (const auto& c : cases) {
    fake.set_mode(c.mode);
    auto conditions = client.conditions_at(1, 2, hour += 3600);
    ASSERT_FALSE(conditions);
    EXPECT_EQ(conditions.error().code, c.code) << static_cast<int>(c.mode) << ": " << conditions.error().message;
    expect_no_key_in(conditions.error());
    auto forecast = client.forecast(1, 2);
    ASSERT_FALSE(forecast);
    EXPECT_EQ(forecast.error().code, c.code) << static_cast<int>(c.mode);
    expect_no_key_in(forecast.error());
  }
  EXPECT_EQ(cache.size(), 0U);  // failures are not cached
  EXPECT_EQ(fake.request_count(), 2 * std::size(cases));
  // Once OpenWeather recovers, the next call goes through.
  fake.set_mode(FakeOpenWeather::Mode::normal);
  EXPECT_TRUE(client.forecast(1, 2));
}

TEST_F(WeatherClientTest, RateLimitAndRejectionMessagesAreClear) {
  auto client = make();
  fake.set_mode(FakeOpenWeather::Mode::rate_limited);
  auto limited = client.forecast(1, 2);
  ASSERT_FALSE(limited);
  EXPECT_NE(limited.error().message.find("try again later"), std::string::npos);
  fake.set_mode(FakeOpenWeather::Mode::unauthorized);
  auto rejected = client.forecast(1, 2);
  ASSERT_FALSE(rejected);
  EXPECT_NE(rejected.error().message.find("OPENWEATHER_API_KEY"), std::string::npos);
}

TEST_F(WeatherClientTest, AnUnreachableServerIsUnavailable) {
  std::string base;
  {
    FakeOpenWeather gone;
    base = gone.base_url();
  }
  Client::Options options;
  options.api_key = FakeOpenWeather::kApiKey;
  options.base_url = base;
  auto client = Client::create(std::move(options), cache);
  ASSERT_TRUE(client);
  auto result = client->forecast(1, 2);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::external_service_unavailable);
  expect_no_key_in(result.error());
}

TEST_F(WeatherClientTest, WithoutAKeyNothingIsRequested) {
  auto client = make("");
  EXPECT_FALSE(client.configured());
  auto forecast = client.forecast(1, 2);
  ASSERT_FALSE(forecast);
  EXPECT_EQ(forecast.error().code, ErrorCode::config_missing);
  EXPECT_EQ(forecast.error().message, Client::kNotConfigured);
  auto conditions = client.conditions_at(1, 2, kNow);
  ASSERT_FALSE(conditions);
  EXPECT_EQ(conditions.error().code, ErrorCode::config_missing);
  EXPECT_EQ(fake.request_count(), 0U);
}

TEST_F(WeatherClientTest, RefusesImpossibleCoordinates) {
  auto client = make();
  const std::array<std::pair<double, double>, 4> impossible{
      {{91.0, 0.0}, {-90.5, 0.0}, {0.0, 180.5}, {std::nan(""), 0.0}}};
  for (const auto& [lat, lon] : impossible) {
    auto result = client.forecast(lat, lon);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::invalid_input);
  }
  EXPECT_EQ(fake.request_count(), 0U);
}

TEST(WeatherClient, BaseUrlMustBeHttpsUnlessLoopback) {
  cache::MemoryCache cache(10);
  auto with = [&cache](std::string url) {
    Client::Options options;
    options.api_key = "k";
    options.base_url = std::move(url);
    return Client::create(std::move(options), cache);
  };
  EXPECT_TRUE(with("https://api.openweathermap.org"));
  EXPECT_TRUE(with("https://api.openweathermap.org/"));
  EXPECT_TRUE(with("http://127.0.0.1:8080"));
  EXPECT_TRUE(with("http://localhost:8080"));
  EXPECT_TRUE(with("http://[::1]:8080"));
  EXPECT_FALSE(with("http://api.openweathermap.org"));
  EXPECT_FALSE(with("http://127.0.0.1.example.com"));  // a name, not the loopback address
  EXPECT_FALSE(with("ftp://api.openweathermap.org"));
  EXPECT_FALSE(with("https://user:pass@api.openweathermap.org"));
  EXPECT_FALSE(with("https://api.openweathermap.org/?appid=x"));
  EXPECT_FALSE(with("not a url"));
}

TEST(WeatherClient, RoundsCoordinatesToTwoDecimals) {
  EXPECT_DOUBLE_EQ(round_coordinate(48.856613), 48.86);
  EXPECT_DOUBLE_EQ(round_coordinate(-0.127758), -0.13);
  EXPECT_DOUBLE_EQ(round_coordinate(-0.001), 0.0);
  EXPECT_FALSE(std::signbit(round_coordinate(-0.001)));
}

}  // namespace
}  // namespace pierre::weather
