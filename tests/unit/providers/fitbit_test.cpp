// The `fitbit` provider client (Google Health API + Google OAuth 2.0, src/providers/fitbit.cpp) against the fake
// Google Health server on loopback (tests/support/fake_fitbit.cpp): OAuth with PKCE, pages and filters, the exercise
// summary with laps and telemetry streams, the athlete, every scripted fault and a provider without credentials.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "fake_fitbit.hpp"
#include "loopback_policy.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/providers/provider.hpp"

namespace pierre::providers {
namespace {

using pierre::testing::loopback_policy;

using pierre::testing::FakeExercise;
using pierre::testing::FakeFault;
using pierre::testing::FakeFitbit;
using pierre::testing::FakeProvider;

constexpr std::string_view kFitbitVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-fitbit-test-verifier";

std::string challenge_of(std::string_view verifier) {
  const auto digest = crypto::sha256(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(verifier.data()), verifier.size()));
  return crypto::base64url_encode(digest);
}

class FitbitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake = pierre::testing::make_fake_google_health();
    fake->seed_activities(60, now_epoch_ms() - 2 * kHourMs);
    provider = make_fitbit(settings());
    ASSERT_NE(provider, nullptr);
  }

  [[nodiscard]] Settings settings() const {
    Settings s;
    s.client_id = FakeProvider::kClientId;
    s.client_secret = FakeProvider::kClientSecret;
    s.redirect_uri = "http://127.0.0.1:8081/oauth/callback/fitbit";
    s.api_base_url = fake->base_url();
    s.oauth_base_url = fake->base_url();
    s.policy = loopback_policy(std::chrono::milliseconds(1500));
    return s;
  }

  // The browser's part: open the authorization URL and take the code from the redirect.
  std::string authorize(std::string_view state = "st-1", std::string_view verifier = kFitbitVerifier) {
    const auto url = provider->authorization_url(state, challenge_of(verifier));
    auto response = net::get(url, loopback_policy(std::chrono::milliseconds(1500)));
    EXPECT_TRUE(response) << (response ? "" : response.error().message);
    if (!response) return {};
    EXPECT_EQ(response->status, 302);
    EXPECT_TRUE(response->location.starts_with(settings().redirect_uri)) << response->location;
    EXPECT_EQ(pierre::testing::url_query_param(response->location, "state"), state);
    return pierre::testing::url_query_param(response->location, "code");
  }

  TokenSet connect() {
    auto tokens = provider->exchange_code(authorize(), kFitbitVerifier);
    EXPECT_TRUE(tokens) << (tokens ? "" : tokens.error().message);
    return tokens ? *tokens : TokenSet{};
  }

  std::unique_ptr<FakeFitbit> fake;
  std::unique_ptr<Provider> provider;
};

TEST_F(FitbitTest, FitbitAuthorizationUrlAsksOfflineAccessWithPkceAndHealthScopes) {
  EXPECT_EQ(provider->name(), "fitbit");
  EXPECT_TRUE(provider->configured());
  EXPECT_TRUE(provider->uses_pkce());
  const auto challenge = challenge_of(kFitbitVerifier);
  const auto url = provider->authorization_url("state with spaces&=", challenge);
  EXPECT_TRUE(url.starts_with(fake->base_url() + "/o/oauth2/v2/auth?")) << url;
  EXPECT_EQ(pierre::testing::url_query_param(url, "client_id"), FakeProvider::kClientId);
  EXPECT_EQ(pierre::testing::url_query_param(url, "redirect_uri"), settings().redirect_uri);
  EXPECT_EQ(pierre::testing::url_query_param(url, "response_type"), "code");
  EXPECT_EQ(pierre::testing::url_query_param(url, "access_type"), "offline");
  EXPECT_EQ(pierre::testing::url_query_param(url, "prompt"), "consent");
  EXPECT_EQ(pierre::testing::url_query_param(url, "code_challenge"), challenge);
  EXPECT_EQ(pierre::testing::url_query_param(url, "code_challenge_method"), "S256");
  EXPECT_EQ(pierre::testing::url_query_param(url, "state"), "state with spaces&=");
  const auto scope = pierre::testing::url_query_param(url, "scope");
  EXPECT_NE(scope.find("https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly"),
            std::string::npos);
  EXPECT_NE(scope.find("https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly"),
            std::string::npos);
  EXPECT_NE(scope.find("https://www.googleapis.com/auth/googlehealth.profile.readonly"), std::string::npos);

  // With the default OAuth base the real Google endpoints are used.
  Settings real = settings();
  real.oauth_base_url = "https://accounts.google.com";
  const auto google = make_fitbit(real)->authorization_url("s", challenge);
  EXPECT_TRUE(google.starts_with("https://accounts.google.com/o/oauth2/v2/auth?")) << google;
}

TEST_F(FitbitTest, FitbitExchangeWithTheRightVerifierGivesTokensAndTheHealthUserId) {
  const auto before = now_epoch_ms();
  auto tokens = provider->exchange_code(authorize(), kFitbitVerifier);
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_FALSE(tokens->access_token.empty());
  EXPECT_FALSE(tokens->refresh_token.empty());
  EXPECT_GT(tokens->expires_at_ms, before + 5 * kHourMs);
  EXPECT_NE(tokens->scope.find("googlehealth.activity_and_fitness.readonly"), std::string::npos);
  EXPECT_EQ(tokens->account_id, FakeFitbit::kHealthUserId);
  EXPECT_EQ(fake->stats().code_exchanges, 1);
  EXPECT_EQ(fake->stats().authorizations, 1);
  const auto targets = fake->targets();
  EXPECT_TRUE(std::any_of(targets.begin(), targets.end(), [](const auto& t) { return t == "POST /token"; }));
}

TEST_F(FitbitTest, FitbitExchangeWithAWrongVerifierOrASpentCodeIsRefused) {
  const auto code = authorize();
  auto wrong = provider->exchange_code(code, "another-verifier-that-does-not-match-the-challenge-at-all");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::external_auth_failed);
  auto spent = provider->exchange_code(code, kFitbitVerifier);  // codes are single use, even after a failure
  ASSERT_FALSE(spent);
  EXPECT_EQ(spent.error().code, ErrorCode::external_auth_failed);
  auto unknown = provider->exchange_code("no-such-code", kFitbitVerifier);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(wrong.error().message.find(kFitbitVerifier), std::string::npos);
}

TEST_F(FitbitTest, FitbitRefreshKeepsTheRefreshTokenGoogleDoesNotRotate) {
  const auto tokens = connect();
  auto refreshed = provider->refresh(tokens.refresh_token);
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_NE(refreshed->access_token, tokens.access_token);
  EXPECT_EQ(refreshed->refresh_token, tokens.refresh_token);
  EXPECT_GT(refreshed->expires_at_ms, now_epoch_ms());
  auto again = provider->refresh(tokens.refresh_token);  // the same refresh token keeps working
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(provider->list_activities(again->access_token, {}));

  fake->revoke_refresh_tokens();
  auto refused = provider->refresh(tokens.refresh_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(fake->stats().refreshes, 3);
}

TEST_F(FitbitTest, FitbitRevokeEndsTheGrant) {
  const auto tokens = connect();
  ASSERT_TRUE(provider->list_activities(tokens.access_token, {}));
  auto revoked = provider->revoke(tokens);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(*revoked);
  EXPECT_EQ(fake->stats().revocations, 1);
  auto list = provider->list_activities(tokens.access_token, {});
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, ErrorCode::external_auth_failed);
  auto refresh = provider->refresh(tokens.refresh_token);
  ASSERT_FALSE(refresh);
  EXPECT_EQ(refresh.error().code, ErrorCode::external_auth_failed);
  // Revoking again: Google answers invalid_token; the grant is gone, which is what was asked.
  auto again = provider->revoke(tokens);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(*again);
  const auto targets = fake->targets();
  EXPECT_TRUE(std::any_of(targets.begin(), targets.end(), [](const auto& t) { return t == "POST /revoke"; }));
}

TEST_F(FitbitTest, FitbitListFollowsPageTokensNewestFirst) {
  const auto tokens = connect();
  std::vector<std::string> ids;
  ListQuery query;
  query.per_page = 100;  // more than the API allows for exercise: 25
  int pages = 0;
  do {
    auto page = provider->list_activities(tokens.access_token, query);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_LE(page->activities.size(), 25U);
    for (const auto& a : page->activities) {
      EXPECT_EQ(a.source, "fitbit");
      EXPECT_TRUE(a.laps.empty());
      EXPECT_TRUE(a.id.empty());
      ids.push_back(a.external_id);
    }
    query.page_token = page->next_page_token;
    ++pages;
  } while (!query.page_token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 60U);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 60U);
  const auto truth = fake->exercises();
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], truth[i].id) << i;

  ListQuery small;
  small.per_page = 10;
  auto first = provider->list_activities(tokens.access_token, small);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->activities.size(), 10U);
  EXPECT_FALSE(first->next_page_token.empty());

  ListQuery forged;
  forged.page_token = "not-a-token";
  auto bad = provider->list_activities(tokens.access_token, forged);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::external_service_error);
}

TEST_F(FitbitTest, FitbitListAppliesTheTimeWindowExactly) {
  const auto tokens = connect();
  const auto truth = fake->exercises();  // newest first
  ListQuery query;
  query.after_ms = truth[20].start_ms;      // strictly after: excludes #20
  query.before_ms = truth[5].start_ms + 1;  // includes #5
  query.per_page = 4;
  std::vector<std::string> ids;
  int pages = 0;
  do {
    auto page = provider->list_activities(tokens.access_token, query);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& a : page->activities) {
      EXPECT_GT(a.summary.start_time_ms, *query.after_ms);
      EXPECT_LT(a.summary.start_time_ms, *query.before_ms);
      ids.push_back(a.external_id);
    }
    query.page_token = page->next_page_token;
    ++pages;
  } while (!query.page_token.empty() && pages < 20);
  std::vector<std::string> expected;
  for (int i = 5; i < 20; ++i) expected.push_back(truth[static_cast<std::size_t>(i)].id);
  EXPECT_EQ(ids, expected);
  const auto targets = fake->targets();
  EXPECT_TRUE(std::any_of(targets.begin(), targets.end(), [](const auto& t) {
    return t.find("filter=exercise.interval.civil_start_time%20%3E%3D%20%22") != std::string::npos;
  }));
}

TEST_F(FitbitTest, FitbitDetailMapsTheSummaryLapsAndTelemetry) {
  const auto tokens = connect();
  const auto truth = fake->exercises();
  const FakeExercise& run = truth[0];  // seed index 0: RUNNING, +1 h, with a pause and calories in the summary
  ASSERT_EQ(run.exercise_type, "RUNNING");
  fake->set_telemetry_page_limit(100);  // the client must page through the samples
  auto detail = provider->activity_detail(tokens.access_token, run.id);
  ASSERT_TRUE(detail) << detail.error().message;
  const auto& a = detail->activity;
  EXPECT_EQ(a.source, "fitbit");
  EXPECT_EQ(a.external_id, run.id);
  EXPECT_EQ(a.sport, activity::SportType::run);
  EXPECT_EQ(a.name, "Morning run");
  EXPECT_EQ(a.device, "Google Pixel Watch 3");
  const auto& s = a.summary;
  EXPECT_EQ(s.start_time_ms, run.start_ms);
  EXPECT_EQ(s.utc_offset_s, run.utc_offset_s);
  EXPECT_DOUBLE_EQ(s.elapsed_time_s, static_cast<double>(run.end_ms - run.start_ms) / 1000.0);
  EXPECT_DOUBLE_EQ(s.moving_time_s, static_cast<double>(run.active_duration_s));
  EXPECT_LT(s.moving_time_s, s.elapsed_time_s);
  EXPECT_NEAR(s.distance_m, run.distance_mm / 1000.0, 1e-6);
  ASSERT_TRUE(s.avg_hr_bpm);
  EXPECT_DOUBLE_EQ(*s.avg_hr_bpm, static_cast<double>(run.average_hr_bpm));
  ASSERT_TRUE(s.max_hr_bpm);
  EXPECT_DOUBLE_EQ(*s.max_hr_bpm, run.max_hr_bpm);
  ASSERT_TRUE(s.calories_kcal);
  EXPECT_NEAR(*s.calories_kcal, run.calories_kcal, 0.06);
  ASSERT_TRUE(s.avg_speed_mps);
  EXPECT_NEAR(*s.avg_speed_mps, run.distance_mm / 1000.0 / static_cast<double>(run.active_duration_s), 1e-3);
  ASSERT_TRUE(s.max_speed_mps);
  EXPECT_GE(*s.max_speed_mps, *s.avg_speed_mps * 0.9);
  ASSERT_TRUE(s.total_ascent_m);
  ASSERT_EQ(a.laps.size(), 2U);
  EXPECT_EQ(a.lap_count, 2U);
  EXPECT_EQ(a.laps[0].summary.start_time_ms, run.start_ms);
  EXPECT_EQ(a.laps[1].summary.start_time_ms, run.split_ms);
  EXPECT_NEAR(a.laps[0].summary.distance_m + a.laps[1].summary.distance_m, s.distance_m, 1e-6);

  const auto& st = detail->streams;
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st.heart_rate_bpm.size(), st.size());
  EXPECT_EQ(st.distance_m.size(), st.size());
  EXPECT_EQ(st.speed_mps.size(), st.size());
  EXPECT_TRUE(st.power_w.empty());
  EXPECT_TRUE(st.latitude_deg.empty());
  EXPECT_TRUE(std::is_sorted(st.time_s.begin(), st.time_s.end()));
  EXPECT_DOUBLE_EQ(st.time_s.front(), 0.0);
  EXPECT_LE(st.time_s.back(), s.elapsed_time_s);
  const auto hr_values =
      std::count_if(st.heart_rate_bpm.begin(), st.heart_rate_bpm.end(), [](double v) { return !std::isnan(v); });
  EXPECT_EQ(static_cast<std::size_t>(hr_values), run.heart.size());
  EXPECT_LT(static_cast<std::size_t>(hr_values), st.size());  // distance-only rows and the drop-out are gaps
  double last_distance = 0;
  for (const double d : st.distance_m) {
    if (std::isnan(d)) continue;
    EXPECT_GE(d, last_distance);
    last_distance = d;
  }
  EXPECT_NEAR(last_distance, run.distance_mm / 1000.0, 1e-6);
  // The sample at 5 s after the start is at row time 5.
  const auto at5 = std::find(st.time_s.begin(), st.time_s.end(), 5.0);
  ASSERT_NE(at5, st.time_s.end());
  EXPECT_DOUBLE_EQ(st.heart_rate_bpm[static_cast<std::size_t>(at5 - st.time_s.begin())], run.heart[1].bpm);
  EXPECT_GT(fake->stats().activity_detail_calls, 3);  // the exercise plus several telemetry pages
}

TEST_F(FitbitTest, FitbitDetailSumsActiveEnergyWhenTheSummaryHasNoCalories) {
  const auto tokens = connect();
  const auto truth = fake->exercises();
  const auto it =
      std::find_if(truth.begin(), truth.end(), [](const FakeExercise& e) { return !e.summary_has_calories; });
  ASSERT_NE(it, truth.end());
  auto detail = provider->activity_detail(tokens.access_token, it->id);
  ASSERT_TRUE(detail) << detail.error().message;
  ASSERT_TRUE(detail->activity.summary.calories_kcal);
  EXPECT_NEAR(*detail->activity.summary.calories_kcal, it->calories_kcal, 1e-6);
  const auto targets = fake->targets();
  EXPECT_TRUE(std::any_of(targets.begin(), targets.end(), [](const auto& t) {
    return t.find("/dataTypes/active-energy-burned/dataPoints:reconcile") != std::string::npos;
  }));
}

TEST_F(FitbitTest, FitbitDetailOfASessionWithoutDistanceHasOnlyHeartRate) {
  const auto tokens = connect();
  const auto truth = fake->exercises();
  const auto it = std::find_if(truth.begin(), truth.end(),
                               [](const FakeExercise& e) { return e.exercise_type == "WEIGHTLIFTING"; });
  ASSERT_NE(it, truth.end());
  auto detail = provider->activity_detail(tokens.access_token, it->id);
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_EQ(detail->activity.sport, activity::SportType::strength_training);
  EXPECT_EQ(detail->streams.heart_rate_bpm.size(), it->heart.size());
  EXPECT_TRUE(detail->streams.distance_m.empty());
  EXPECT_TRUE(detail->streams.speed_mps.empty());
  EXPECT_DOUBLE_EQ(detail->activity.summary.distance_m, 0.0);

  auto missing = provider->activity_detail(tokens.access_token, "1234567");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::resource_not_found);
}

TEST_F(FitbitTest, FitbitSportsMapFromExerciseTypes) {
  const auto tokens = connect();
  auto page = provider->list_activities(tokens.access_token, {});
  ASSERT_TRUE(page);
  ASSERT_GE(page->activities.size(), 8U);
  const std::vector<activity::SportType> expected = {activity::SportType::run,  activity::SportType::ride,
                                                     activity::SportType::walk, activity::SportType::swim,
                                                     activity::SportType::hike, activity::SportType::strength_training,
                                                     activity::SportType::yoga, activity::SportType::workout};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(page->activities[i].sport, expected[i]) << i;
}

TEST_F(FitbitTest, FitbitAthleteCombinesProfileAndLatestMeasures) {
  const auto tokens = connect();
  auto athlete = provider->athlete(tokens.access_token);
  ASSERT_TRUE(athlete) << athlete.error().message;
  const auto year = static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())).year());
  ASSERT_TRUE(athlete->birth_year);
  EXPECT_EQ(*athlete->birth_year, year - FakeFitbit::kAge);
  ASSERT_TRUE(athlete->weight_kg);
  EXPECT_DOUBLE_EQ(*athlete->weight_kg, FakeFitbit::kWeightGrams / 1000.0);  // the newest of two
  ASSERT_TRUE(athlete->height_m);
  EXPECT_DOUBLE_EQ(*athlete->height_m, 1.78);
  ASSERT_TRUE(athlete->resting_hr_bpm);
  EXPECT_DOUBLE_EQ(*athlete->resting_hr_bpm, 52.0);
  ASSERT_TRUE(athlete->vo2max);
  EXPECT_DOUBLE_EQ(*athlete->vo2max, FakeFitbit::kVo2Max);
}

TEST_F(FitbitTest, FitbitDeclinedScopesLeaveTheirValuesAndChannelsOut) {
  // Granular consent: the user unticked health metrics (heart rate, body measures).
  fake->set_granted_scope(
      "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly "
      "https://www.googleapis.com/auth/googlehealth.profile.readonly");
  const auto tokens = connect();
  EXPECT_EQ(tokens.scope.find("health_metrics"), std::string::npos);
  auto athlete = provider->athlete(tokens.access_token);
  ASSERT_TRUE(athlete) << athlete.error().message;
  EXPECT_TRUE(athlete->birth_year);
  EXPECT_FALSE(athlete->weight_kg);
  EXPECT_FALSE(athlete->height_m);
  EXPECT_FALSE(athlete->resting_hr_bpm);
  ASSERT_TRUE(provider->list_activities(tokens.access_token, {}));
  const auto run = fake->exercises()[0];
  auto detail = provider->activity_detail(tokens.access_token, run.id);
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_TRUE(detail->streams.heart_rate_bpm.empty());
  EXPECT_EQ(detail->streams.distance_m.size(), detail->streams.size());
  EXPECT_FALSE(detail->streams.empty());
  ASSERT_TRUE(detail->activity.summary.avg_hr_bpm);  // the exercise's own summary still says it
  EXPECT_FALSE(detail->activity.summary.max_hr_bpm);
  const auto targets = fake->targets();
  EXPECT_TRUE(std::any_of(targets.begin(), targets.end(), [](const auto& t) {
    return t.find("/dataTypes/heart-rate/dataPoints:reconcile") != std::string::npos;
  }));
}

TEST_F(FitbitTest, FitbitEveryFaultMapsToItsErrorCode) {
  const auto tokens = connect();
  const auto id = fake->exercises()[0].id;
  const std::vector<std::pair<FakeFault, ErrorCode>> cases = {
      {FakeFault::unauthorized, ErrorCode::external_auth_failed},
      {FakeFault::rate_limited, ErrorCode::external_rate_limited},
      {FakeFault::server_error, ErrorCode::external_service_unavailable},
      {FakeFault::malformed_json, ErrorCode::external_service_error},
      {FakeFault::wrong_shape, ErrorCode::external_service_error},
      {FakeFault::slow, ErrorCode::external_service_unavailable},
  };
  for (const auto& [fault, code] : cases) {
    SCOPED_TRACE(static_cast<int>(fault));
    fake->fail_next(fault);
    auto list = provider->list_activities(tokens.access_token, {});
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error().code, code) << list.error().message;
    EXPECT_EQ(list.error().message.find(tokens.access_token), std::string::npos);
    fake->fail_next(fault);
    auto detail = provider->activity_detail(tokens.access_token, id);
    ASSERT_FALSE(detail);
    EXPECT_EQ(detail.error().code, code) << detail.error().message;
    fake->fail_next(fault);
    auto athlete = provider->athlete(tokens.access_token);
    ASSERT_FALSE(athlete);
    EXPECT_EQ(athlete.error().code, code) << athlete.error().message;
    ASSERT_TRUE(provider->list_activities(tokens.access_token, {}));  // the fault was for one request only
  }
  // The 429 told how long to wait.
  fake->fail_next(FakeFault::rate_limited);
  auto limited = provider->list_activities(tokens.access_token, {});
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().details.value("retry_after_s", 0), 30);
  const auto state = provider->rate_limit();
  ASSERT_TRUE(state.retry_after_s);
  EXPECT_EQ(*state.retry_after_s, 30);
  EXPECT_GT(state.observed_at_ms, 0);

  // Expired access tokens: 401 until refreshed.
  fake->expire_access_tokens();
  auto expired = provider->list_activities(tokens.access_token, {});
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::external_auth_failed);
  auto fresh = provider->refresh(tokens.refresh_token);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(provider->list_activities(fresh->access_token, {}));
}

TEST_F(FitbitTest, FitbitWithoutCredentialsIsConfigMissing) {
  Settings s = settings();
  s.client_secret.clear();
  const auto unconfigured = make_fitbit(s);
  EXPECT_FALSE(unconfigured->configured());
  EXPECT_EQ(unconfigured->authorization_url("s", challenge_of(kFitbitVerifier)), "");
  const auto is_missing = [](const auto& r) { return !r && r.error().code == ErrorCode::config_missing; };
  EXPECT_TRUE(is_missing(unconfigured->exchange_code("code", kFitbitVerifier)));
  EXPECT_TRUE(is_missing(unconfigured->refresh("rt")));
  TokenSet held;
  held.access_token = "at";
  held.refresh_token = "rt";
  EXPECT_TRUE(is_missing(unconfigured->revoke(held)));
  EXPECT_TRUE(is_missing(unconfigured->list_activities("at", {})));
  EXPECT_TRUE(is_missing(unconfigured->activity_detail("at", "1")));
  EXPECT_TRUE(is_missing(unconfigured->athlete("at")));
  EXPECT_EQ(fake->stats().api_calls, 0);
  EXPECT_TRUE(fake->targets().empty());
}

}  // namespace
}  // namespace pierre::providers
