#pragma once
// A fake Google Health API (the `fitbit` provider) and Google OAuth 2.0 on one loopback server, so base_url() is
// both FITBIT_API_BASE_URL and FITBIT_OAUTH_BASE_URL. It speaks the real wire format (see src/providers/fitbit.cpp
// for what is verified and what is assumed):
//   GET  /o/oauth2/v2/auth   client_id, redirect_uri, response_type=code, scope, state, code_challenge (+ method
//                            S256) → 302 to redirect_uri?code=…&state=…&scope=… (approves at once)
//   POST /token              authorization_code (code, redirect_uri, code_verifier checked against the S256
//                            challenge) or refresh_token grants, client_id/client_secret in the body; errors are
//                            OAuth JSON {"error":"invalid_grant"|"invalid_client"|…}; refresh tokens are not rotated
//                            (the refresh response has no refresh_token)
//   POST /revoke             token=… (access or refresh: the whole grant); 400 invalid_token when unknown/revoked
//   GET  /v4/users/{me|id}/profile, /identity
//   GET  /v4/users/{me|id}/dataTypes/{type}/dataPoints[:reconcile]   pageSize, pageToken (opaque, bound to the
//        type and filter; anything else is 400), AIP-160 filter (the field each record type supports, >= and <,
//        AND; a kebab-case field is 400 INVALID_DATA_POINT_FILTER); newest first. Types: exercise (≤ 25 a page),
//        heart-rate, distance, active-energy-burned (≤ 10000), weight, height, daily-resting-heart-rate,
//        daily-vo2-max.
//   GET  /v4/users/{me|id}/dataTypes/exercise/dataPoints/{id}
// API errors are google.rpc.Status bodies ({"error":{"code","message","status","details"}}): 401 UNAUTHENTICATED
// (unknown/expired token; WWW-Authenticate), 403 PERMISSION_DENIED (scope not granted), 404 NOT_FOUND, 400
// INVALID_ARGUMENT, 429 RESOURCE_EXHAUSTED (with google.rpc.RetryInfo and a Retry-After header), 503 UNAVAILABLE.
//
// Seeded exercises are deterministic: sports cycle through RUNNING, BIKING, WALKING, SWIMMING, HIKING,
// WEIGHTLIFTING, YOGA, HIIT; the distance sports have a pause, heart rate every 5 s with a 40 s drop-out, distance
// and active energy per minute, two splits; every fourth exercise's summary omits caloriesKcal (clients then sum
// active-energy-burned); UTC offsets vary (+1 h, −5 h, +5:30, 0, +10 h).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_provider.hpp"

namespace pierre::testing {

// One exercise session as the fake holds it: the truth a test compares a client's mapping with.
struct FakeExercise {
  struct HeartSample {
    std::int64_t at_ms;
    int bpm;
  };
  struct Span {  // a distance or active-energy interval [from, to)
    std::int64_t from_ms, to_ms;
    double value;  // millimetres (whole) or kcal
  };
  std::string id;  // the {data_point} id: a long integer as text
  std::string exercise_type;
  std::string display_name;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int32_t utc_offset_s = 0;
  std::int64_t active_duration_s = 0;
  double distance_mm = 0;    // sum of the distance spans (0 for sports without distance)
  double calories_kcal = 0;  // sum of the energy spans
  bool summary_has_calories = true;
  std::int64_t average_hr_bpm = 0;
  int max_hr_bpm = 0;
  std::vector<HeartSample> heart;
  std::vector<Span> distance;
  std::vector<Span> energy;
  std::int64_t split_ms = 0;  // the two splits are [start, split) and [split, end)
};

class FakeFitbit : public FakeProvider {
 public:
  static constexpr const char* kHealthUserId = "fake-health-user-1";
  static constexpr int kAge = 38;
  static constexpr double kWeightGrams = 71500;
  static constexpr std::int64_t kHeightMillimeters = 1780;
  static constexpr std::int64_t kRestingHeartRate = 52;
  static constexpr double kVo2Max = 48.5;

  // The seeded exercise with this id.
  [[nodiscard]] virtual std::optional<FakeExercise> exercise(std::string_view id) const = 0;
  // Every exercise, newest first.
  [[nodiscard]] virtual std::vector<FakeExercise> exercises() const = 0;
  // Scopes granted by the next authorizations instead of those asked for (Google's granular consent lets the user
  // untick some); "" = as asked.
  virtual void set_granted_scope(std::string scope) = 0;
  // The largest page the telemetry types answer (default 10000, the API's), to make clients page through them.
  virtual void set_telemetry_page_limit(int points) = 0;
};

// make_fake_fitbit() with its concrete type, for the Google Health client's own tests.
std::unique_ptr<FakeFitbit> make_fake_google_health();

}  // namespace pierre::testing
