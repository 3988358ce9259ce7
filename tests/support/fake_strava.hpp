#pragma once
// A fake Strava (API v3 + OAuth) on one loopback FakeHttpServer, speaking Strava's wire format:
//
//   GET  /oauth/authorize?client_id&redirect_uri&response_type=code&approval_prompt&scope&state
//        → 302 Location: redirect_uri?state=…&code=…&scope=… at once (the user "approves")
//   POST /oauth/token        form (or query): client_id, client_secret, grant_type=authorization_code + code, or
//                            grant_type=refresh_token + refresh_token
//        → {token_type, expires_at, expires_in, refresh_token, access_token[, athlete{…}]}; refresh keeps the
//          refresh token (as Strava does until it expires)
//   POST /oauth/deauthorize  access_token (form, query or bearer) → {"access_token": …}; ends the whole grant
//   GET  /api/v3/athlete
//   GET  /api/v3/athlete/activities?before&after&page&per_page  (exclusive epoch seconds; per_page default 30,
//        capped at 200; newest first, oldest first when `after` is given, as Strava does)
//   GET  /api/v3/activities/{id}                      DetailedActivity with calories, device_name and laps
//   GET  /api/v3/activities/{id}/streams?keys=…&key_by_type=true|false
//   GET  /api/v3/activities/{id}/laps
//
// So the client's settings are api_base_url = base_url() + "/api/v3" and oauth_base_url = base_url() + "/oauth"
// (api_base_url() / oauth_base_url() below). Errors have Strava's bodies ({"message": "Authorization Error",
// "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}]}, "Record Not Found", "Rate Limit
// Exceeded", "Bad Request"); every API response carries X-RateLimit-Limit/-Usage and X-ReadRateLimit-Limit/-Usage.
// The usage counts every API request of this fake (no 15-minute reset); past the read limit it answers 429 like
// Strava. Wrong client_id → 400, wrong client_secret → 401 on the token endpoint.
//
// Seeded activities cycle through seven kinds, oldest id smallest: Run (45 min, 1 Hz, HR, cadence, GPS), Ride
// (90 min, power meter), VirtualRide (60 min, power, no GPS, trainer), Swim (40 min pool, 5 s, utc_offset −5 h),
// Walk (30 min, 2 s, no heart rate, no cadence), TrailRun (type "Run", sport_type "TrailRun", 75 min, hilly),
// Ride without power meter (50 min, 2 s, device_watts false: estimated average_watts, no watts stream). Laps every
// 15 minutes. Summaries are computed from the same samples the streams serve.

#include <cstdint>
#include <memory>
#include <string>

#include "fake_provider.hpp"

namespace pierre::testing {

class FakeStrava final : public FakeProvider {
 public:
  static constexpr std::int64_t kAthleteId = 4242424;
  // Activities cycle through this many kinds in creation order (see activity_sport_type), so seeding kKinds
  // activities gives one of each.
  static constexpr int kKinds = 7;

  FakeStrava();
  ~FakeStrava() override;
  FakeStrava(const FakeStrava&) = delete;
  FakeStrava& operator=(const FakeStrava&) = delete;

  [[nodiscard]] std::string name() const override { return "strava"; }
  [[nodiscard]] std::string base_url() const override;
  [[nodiscard]] std::string api_base_url() const { return base_url() + "/api/v3"; }
  [[nodiscard]] std::string oauth_base_url() const { return base_url() + "/oauth"; }

  void seed_activities(int count, std::int64_t newest_start_ms) override;
  std::string add_activity(std::int64_t start_ms) override;
  [[nodiscard]] int activity_count() const override;

  void expire_access_tokens() override;
  void revoke_refresh_tokens() override;
  void fail_next(FakeFault fault, int times = 1) override;
  void set_token_lifetime_s(std::int64_t seconds) override;
  void set_token_delay_ms(int ms) override;

  [[nodiscard]] FakeProviderStats stats() const override;
  [[nodiscard]] std::vector<std::string> targets() const override;

  // Strava-specific knobs. The read ("non-upload") limits per 15 min and per day (default 300, 15000; the overall
  // limits are twice these); requests beyond them answer 429.
  void set_read_rate_limits(std::int64_t short_limit, std::int64_t daily_limit);
  // The Strava id of seeded activity `index` (0 = newest), "" when out of range.
  [[nodiscard]] std::string activity_id(int index) const;
  // Its start time (epoch ms) and its sport_type ("Run", "Ride", "VirtualRide", "Swim", "Walk", "TrailRun").
  [[nodiscard]] std::int64_t activity_start_ms(int index) const;
  [[nodiscard]] std::string activity_sport_type(int index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::testing
