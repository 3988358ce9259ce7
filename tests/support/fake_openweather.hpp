#pragma once
// A fake OpenWeather One Call API 3.0 for tests: real HTTP (Boost.Beast) on 127.0.0.1, an ephemeral port, a
// background thread. It speaks the provider's wire format for the two endpoints the weather client uses —
//   GET /data/3.0/onecall/timemachine?lat&lon&dt&units=metric&appid   → {lat, lon, timezone, timezone_offset, data:[…]}
//   GET /data/3.0/onecall?lat&lon&exclude=…&units=metric&appid         → {lat, lon, timezone, timezone_offset,
//   hourly:[48]}
// — with deterministic values derived from (lat, lon, dt) (hour()), answers a wrong or missing appid with the real
// API's 401 body, and can be switched into failure modes. The same data model is in tests/e2e/lib/fake-openweather.mjs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pierre::testing {

class FakeOpenWeather {
 public:
  static constexpr const char* kApiKey = "test-openweather-key-5f3a9c";

  enum class Mode {
    normal,
    unauthorized,  // 401 for every request, like a revoked key
    rate_limited,  // 429
    server_error,  // 503
    bad_request,   // 400 whose message quotes the request's appid (a client must not pass it on)
    garbage,       // 200 with a body that is not JSON
    wrong_shape,   // 200 with JSON of the wrong shape
  };

  explicit FakeOpenWeather(std::string api_key = kApiKey);
  ~FakeOpenWeather();
  FakeOpenWeather(const FakeOpenWeather&) = delete;
  FakeOpenWeather& operator=(const FakeOpenWeather&) = delete;

  // "http://127.0.0.1:PORT"
  [[nodiscard]] std::string base_url() const;
  void set_mode(Mode mode);
  // Forecasts start at the hour containing this time (default: the system clock at each request).
  void set_now(std::optional<std::int64_t> epoch_s);
  // Requests received so far (any path, any outcome) and their targets ("/data/3.0/onecall?lat=…").
  [[nodiscard]] std::size_t request_count() const;
  [[nodiscard]] std::vector<std::string> targets() const;

  // The hour the fake serves for (lat, lon, dt) in One Call's shape (metric units). With `forecast`, it has `pop`.
  static nlohmann::json hour(double latitude, double longitude, std::int64_t dt, bool forecast);
  static std::int32_t timezone_offset(double longitude);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::testing
