// The Garmin client (src/providers/garmin.cpp) against the fake Garmin Connect Developer Program on loopback
// (tests/support/fake_garmin.cpp): OAuth 2.0 with S256 PKCE, deregistration, the activity list by ≤ 24 h upload
// windows, the summary mapping, the detail from the activity's FIT file, and the error classification of every fault.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "fake_garmin.hpp"
#include "loopback_policy.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/net/http_client.hpp"
#include "pierre/providers/provider.hpp"

namespace pierre::providers {
namespace {

using pierre::testing::loopback_policy;

using pierre::testing::FakeFault;
using pierre::testing::FakeGarmin;
using pierre::testing::FakeProvider;

constexpr std::string_view kGarminRedirect = "http://127.0.0.1:9/oauth/callback/garmin";
constexpr std::string_view kGarminVerifier = "garmin-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

std::string s256(std::string_view verifier) {
  const auto digest =
      crypto::sha256(std::span(reinterpret_cast<const std::uint8_t*>(verifier.data()), verifier.size()));
  return crypto::base64url_encode(digest);
}

class GarminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = FakeGarmin::start();
    provider_ = make(loopback_policy());
  }

  std::unique_ptr<Provider> make(net::FetchPolicy policy, std::string client_id = FakeProvider::kClientId) const {
    Settings s;
    s.client_id = std::move(client_id);
    s.client_secret = FakeProvider::kClientSecret;
    s.redirect_uri = std::string(kGarminRedirect);
    s.api_base_url = fake_->base_url();
    s.oauth_base_url = fake_->base_url();
    s.policy = std::move(policy);
    return make_garmin(std::move(s));
  }

  // The browser's part: open the authorization URL; the fake approves and redirects with a code.
  std::string authorize(std::string_view challenge, std::string_view state = "st-1") const {
    const auto url = provider_->authorization_url(state, challenge);
    auto response = net::get(url, loopback_policy());
    EXPECT_TRUE(response) << (response ? "" : response.error().message);
    if (!response) return {};
    EXPECT_EQ(response->status, 302);
    EXPECT_TRUE(response->location.starts_with(kGarminRedirect)) << response->location;
    EXPECT_EQ(pierre::testing::url_query_param(response->location, "state"), state);
    return pierre::testing::url_query_param(response->location, "code");
  }

  TokenSet connect() {
    auto tokens = provider_->exchange_code(authorize(s256(kGarminVerifier)), kGarminVerifier);
    EXPECT_TRUE(tokens) << (tokens ? "" : tokens.error().message);
    return tokens ? *tokens : TokenSet{};
  }

  // Every page of a list, following next_page_token.
  std::vector<activity::Activity> list_all(std::string_view token, ListQuery query, int* pages = nullptr) {
    std::vector<activity::Activity> out;
    int count = 0;
    for (;;) {
      auto page = provider_->list_activities(token, query);
      EXPECT_TRUE(page) << (page ? "" : page.error().message);
      if (!page) break;
      ++count;
      for (auto& a : page->activities) out.push_back(std::move(a));
      if (page->next_page_token.empty() || count > 100) break;
      query.page_token = page->next_page_token;
    }
    if (pages != nullptr) *pages = count;
    return out;
  }

  std::unique_ptr<FakeGarmin> fake_;
  std::unique_ptr<Provider> provider_;
};

TEST_F(GarminTest, GarminIdentity) {
  EXPECT_EQ(provider_->name(), "garmin");
  EXPECT_TRUE(provider_->configured());
  EXPECT_TRUE(provider_->uses_pkce());
}

TEST_F(GarminTest, GarminAuthorizationUrlCarriesS256Challenge) {
  const auto challenge = s256(kGarminVerifier);
  const auto url = provider_->authorization_url("state with spaces&more", challenge);
  EXPECT_TRUE(url.starts_with(fake_->base_url() + "/oauth2Confirm?")) << url;
  EXPECT_EQ(pierre::testing::url_query_param(url, "client_id"), FakeProvider::kClientId);
  EXPECT_EQ(pierre::testing::url_query_param(url, "response_type"), "code");
  EXPECT_EQ(pierre::testing::url_query_param(url, "redirect_uri"), kGarminRedirect);
  EXPECT_EQ(pierre::testing::url_query_param(url, "code_challenge"), challenge);
  EXPECT_EQ(pierre::testing::url_query_param(url, "code_challenge_method"), "S256");
  EXPECT_EQ(pierre::testing::url_query_param(url, "state"), "state with spaces&more");
}

TEST_F(GarminTest, GarminDefaultOAuthBaseUsesTheRealHosts) {
  Settings s;
  s.client_id = "cid";
  s.client_secret = "secret";
  s.redirect_uri = "https://pierre.example/oauth/callback/garmin";
  s.api_base_url = "https://apis.garmin.com";
  s.oauth_base_url = "https://connect.garmin.com";
  const auto garmin = make_garmin(std::move(s));
  EXPECT_TRUE(garmin->authorization_url("x", "c").starts_with("https://connect.garmin.com/oauth2Confirm?"));
}

TEST_F(GarminTest, GarminExchangeWithRightVerifierGivesTokensAndUserId) {
  const auto code = authorize(s256(kGarminVerifier));
  ASSERT_FALSE(code.empty());
  const auto before = now_epoch_ms();
  auto tokens = provider_->exchange_code(code, kGarminVerifier);
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_FALSE(tokens->access_token.empty());
  EXPECT_FALSE(tokens->refresh_token.empty());
  EXPECT_EQ(tokens->account_id, fake_->user_id());
  EXPECT_NE(tokens->scope.find("PARTNER_READ"), std::string::npos);
  EXPECT_GE(tokens->expires_at_ms, before + 6 * kHourMs - 2000);
  EXPECT_LE(tokens->expires_at_ms, now_epoch_ms() + 6 * kHourMs + 2000);
  EXPECT_EQ(fake_->stats().authorizations, 1);
  EXPECT_EQ(fake_->stats().code_exchanges, 1);

  // The code is single-use.
  auto again = provider_->exchange_code(code, kGarminVerifier);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::external_auth_failed);
}

TEST_F(GarminTest, GarminExchangeWithWrongVerifierIsRefused) {
  const auto code = authorize(s256(kGarminVerifier));
  auto tokens = provider_->exchange_code(code, "another-verifier-that-does-not-match-the-challenge-xyz");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(fake_->stats().code_exchanges, 0);
  EXPECT_EQ(tokens.error().message.find("garmin-code"), std::string::npos);
}

TEST_F(GarminTest, GarminExchangeWithWrongClientSecretIsRefused) {
  Settings s;
  s.client_id = FakeProvider::kClientId;
  s.client_secret = "not-the-secret";
  s.redirect_uri = std::string(kGarminRedirect);
  s.api_base_url = fake_->base_url();
  s.oauth_base_url = fake_->base_url();
  s.policy = loopback_policy();
  const auto wrong = make_garmin(std::move(s));
  auto tokens = wrong->exchange_code(authorize(s256(kGarminVerifier)), kGarminVerifier);
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(tokens.error().message.find("not-the-secret"), std::string::npos);
}

TEST_F(GarminTest, GarminRefreshRotatesTheRefreshToken) {
  const auto first = connect();
  auto second = provider_->refresh(first.refresh_token);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(second->access_token, first.access_token);
  EXPECT_NE(second->refresh_token, first.refresh_token);
  EXPECT_GT(second->expires_at_ms, now_epoch_ms());
  EXPECT_TRUE(provider_->athlete(second->access_token));

  // The old refresh token was rotated away.
  auto reused = provider_->refresh(first.refresh_token);
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().code, ErrorCode::external_auth_failed);

  // Revoked at the provider: re-authorisation needed.
  fake_->revoke_refresh_tokens();
  auto revoked = provider_->refresh(second->refresh_token);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(fake_->stats().refreshes, 3);
}

TEST_F(GarminTest, GarminExpiredAccessTokenIsAuthFailureUntilRefreshed) {
  const auto tokens = connect();
  fake_->expire_access_tokens();
  auto list = provider_->list_activities(tokens.access_token, {});
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, ErrorCode::external_auth_failed);
  auto fresh = provider_->refresh(tokens.refresh_token);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_TRUE(provider_->list_activities(fresh->access_token, {}));
}

TEST_F(GarminTest, GarminRevokeDeregistersTheUser) {
  const auto tokens = connect();
  EXPECT_TRUE(fake_->registered());
  auto revoked = provider_->revoke(tokens);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(fake_->registered());
  EXPECT_EQ(fake_->stats().revocations, 1);
  auto after = provider_->athlete(tokens.access_token);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::external_auth_failed);
  auto refresh = provider_->refresh(tokens.refresh_token);
  ASSERT_FALSE(refresh);
  EXPECT_EQ(refresh.error().code, ErrorCode::external_auth_failed);
}

TEST_F(GarminTest, GarminRevokeWithExpiredAccessTokenRefreshesFirst) {
  const auto tokens = connect();
  fake_->expire_access_tokens();
  auto revoked = provider_->revoke(tokens);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(fake_->registered());
  EXPECT_EQ(fake_->stats().refreshes, 1);
}

TEST_F(GarminTest, GarminAthleteIsTheUserId) {
  const auto tokens = connect();
  auto athlete = provider_->athlete(tokens.access_token);
  ASSERT_TRUE(athlete) << athlete.error().message;
  EXPECT_NE(athlete->display_name.find(fake_->user_id()), std::string::npos);
}

TEST_F(GarminTest, GarminListWalksDayWindowsNewestFirst) {
  const auto tokens = connect();
  const auto now = now_epoch_ms();
  fake_->seed_activities(9, now - 2 * kHourMs);  // one every 20 h: spans ~7 days
  ListQuery query;
  query.after_ms = now - 10 * kDayMs;
  int pages = 0;
  const auto all = list_all(tokens.access_token, query, &pages);
  ASSERT_EQ(all.size(), 9U);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].external_id);
    EXPECT_EQ(all[i].source, "garmin");
    if (i > 0) {  // windows newest-first; within one window, Garmin's own order
      EXPECT_LE(all[i].summary.start_time_ms, all[i - 1].summary.start_time_ms + kDayMs);
    }
  }
  EXPECT_EQ(ids.size(), 9U);
  EXPECT_GT(pages, 1);
  // One request per day of the range, every one within Garmin's 86 400 s limit (the fake refuses more).
  const auto stats = fake_->stats();
  // (11 when the clock's second ticks between the test's and the client's reading: a last window of a second.)
  EXPECT_GE(stats.activity_list_calls, 10);
  EXPECT_LE(stats.activity_list_calls, 11);
  for (const auto& target : fake_->targets()) {
    if (target.find("/wellness-api/rest/activities?") == std::string::npos) continue;
    const auto start = std::stoll(pierre::testing::url_query_param(target, "uploadStartTimeInSeconds"));
    const auto end = std::stoll(pierre::testing::url_query_param(target, "uploadEndTimeInSeconds"));
    EXPECT_GT(end, start);
    EXPECT_LE(end - start, 86'400);
  }
}

TEST_F(GarminTest, GarminListPageStopsAtFirstWindowWithActivities) {
  const auto tokens = connect();
  const auto now = now_epoch_ms();
  fake_->seed_activities(1, now - 4 * kDayMs);  // uploaded ~4 days ago: three empty windows before it
  ListQuery query;
  query.after_ms = now - 30 * kDayMs;
  auto page = provider_->list_activities(tokens.access_token, query);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->activities.size(), 1U);
  EXPECT_FALSE(page->next_page_token.empty());
  EXPECT_EQ(fake_->stats().activity_list_calls, 4);

  // An empty stretch costs at most 7 requests per page.
  query.page_token = page->next_page_token;
  auto next = provider_->list_activities(tokens.access_token, query);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_TRUE(next->activities.empty());
  EXPECT_FALSE(next->next_page_token.empty());
  EXPECT_EQ(fake_->stats().activity_list_calls, 11);
}

TEST_F(GarminTest, GarminListFiltersByStartTime) {
  const auto tokens = connect();
  const auto now = now_epoch_ms();
  const auto newest = (now - 3 * kHourMs) / 1000 * 1000;  // Garmin's times are whole seconds
  fake_->seed_activities(4, newest);                      // starts: newest, -20 h, -40 h, -60 h
  ListQuery query;
  query.after_ms = newest - 50 * kHourMs;  // excludes -60 h
  query.before_ms = newest;                // excludes the newest (exclusive)
  const auto all = list_all(tokens.access_token, query);
  ASSERT_EQ(all.size(), 2U);
  for (const auto& a : all) {
    EXPECT_GT(a.summary.start_time_ms, *query.after_ms);
    EXPECT_LT(a.summary.start_time_ms, *query.before_ms);
  }
}

TEST_F(GarminTest, GarminListRefusesForeignPageToken) {
  const auto tokens = connect();
  ListQuery query;
  query.after_ms = now_epoch_ms() - 3 * kDayMs;
  for (const auto* token : {"garbage", "-5", "99999999999", "1"}) {
    query.page_token = token;
    auto page = provider_->list_activities(tokens.access_token, query);
    ASSERT_FALSE(page) << token;
    EXPECT_EQ(page.error().code, ErrorCode::invalid_cursor) << token;
  }
  EXPECT_EQ(fake_->stats().activity_list_calls, 0);
}

TEST_F(GarminTest, GarminFakeRefusesWindowsLongerThanADay) {
  const auto tokens = connect();
  net::Request request;
  request.url =
      fake_->base_url() + "/wellness-api/rest/activities?uploadStartTimeInSeconds=1000&uploadEndTimeInSeconds=87401";
  request.headers.emplace_back("Authorization", "Bearer " + tokens.access_token);
  auto response = net::send(request, loopback_policy());
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  request.url =
      fake_->base_url() + "/wellness-api/rest/activities?uploadStartTimeInSeconds=1000&uploadEndTimeInSeconds=87400";
  response = net::send(request, loopback_policy());
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(GarminTest, GarminSummaryMapping) {
  const auto tokens = connect();
  const auto start = now_epoch_ms() / 1000 * 1000 - 5 * kHourMs;
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(fake_->add_activity(start - i * kHourMs));  // one of every kind
  ListQuery query;
  query.after_ms = start - 2 * kDayMs;
  const auto all = list_all(tokens.access_token, query);
  ASSERT_EQ(all.size(), 6U);
  const std::map<std::string, activity::SportType> sports = {{"RUNNING", activity::SportType::run},
                                                             {"ROAD_BIKING", activity::SportType::ride},
                                                             {"WALKING", activity::SportType::walk},
                                                             {"CYCLING", activity::SportType::ride},
                                                             {"TRAIL_RUNNING", activity::SportType::trail_run},
                                                             {"LAP_SWIMMING", activity::SportType::swim}};
  for (const auto& a : all) {
    const auto s = fake_->summary(a.external_id);
    ASSERT_TRUE(s.is_object()) << a.external_id;
    SCOPED_TRACE(s.dump());
    EXPECT_EQ(a.source, "garmin");
    EXPECT_EQ(a.external_id, std::to_string(s["activityId"].get<std::int64_t>()));
    EXPECT_EQ(a.sport, sports.at(s["activityType"].get<std::string>()));
    EXPECT_EQ(a.name, s["activityName"].get<std::string>());
    EXPECT_EQ(a.device, s["deviceName"].get<std::string>());
    EXPECT_EQ(a.summary.start_time_ms, s["startTimeInSeconds"].get<std::int64_t>() * 1000);
    ASSERT_TRUE(a.summary.utc_offset_s);
    EXPECT_EQ(*a.summary.utc_offset_s, s["startTimeOffsetInSeconds"].get<int>());
    EXPECT_DOUBLE_EQ(a.summary.elapsed_time_s, s["durationInSeconds"].get<double>());
    EXPECT_DOUBLE_EQ(a.summary.distance_m, s["distanceInMeters"].get<double>());
    EXPECT_DOUBLE_EQ(*a.summary.avg_hr_bpm, s["averageHeartRateInBeatsPerMinute"].get<double>());
    EXPECT_DOUBLE_EQ(*a.summary.max_hr_bpm, s["maxHeartRateInBeatsPerMinute"].get<double>());
    EXPECT_DOUBLE_EQ(*a.summary.avg_speed_mps, s["averageSpeedInMetersPerSecond"].get<double>());
    EXPECT_DOUBLE_EQ(*a.summary.max_speed_mps, s["maxSpeedInMetersPerSecond"].get<double>());
    EXPECT_DOUBLE_EQ(*a.summary.calories_kcal, s["activeKilocalories"].get<double>());
    if (s.contains("totalElevationGainInMeters")) {
      EXPECT_DOUBLE_EQ(*a.summary.total_ascent_m, s["totalElevationGainInMeters"].get<double>());
      EXPECT_DOUBLE_EQ(*a.summary.total_descent_m, s["totalElevationLossInMeters"].get<double>());
    } else {
      EXPECT_FALSE(a.summary.total_ascent_m);
    }
    ASSERT_TRUE(a.summary.avg_cadence_rpm);
    if (s.contains("averageRunCadenceInStepsPerMinute")) {  // steps (both feet) → strides
      EXPECT_DOUBLE_EQ(*a.summary.avg_cadence_rpm, s["averageRunCadenceInStepsPerMinute"].get<double>() / 2);
    } else if (s.contains("averageBikeCadenceInRoundsPerMinute")) {
      EXPECT_DOUBLE_EQ(*a.summary.avg_cadence_rpm, s["averageBikeCadenceInRoundsPerMinute"].get<double>());
    } else {
      EXPECT_DOUBLE_EQ(*a.summary.avg_cadence_rpm, s["averageSwimCadenceInStrokesPerMinute"].get<double>());
    }
    EXPECT_TRUE(a.laps.empty());
    EXPECT_TRUE(a.id.empty());
  }
}

TEST_F(GarminTest, GarminDetailFromFitFile) {
  const auto tokens = connect();
  const auto start = now_epoch_ms() - 3 * kHourMs;
  const std::map<std::string, activity::SportType> expected = {
      {"garmin-fenix-5-run.fit", activity::SportType::run},
      {"garmin-edge-820-bike.fit", activity::SportType::ride},
      {"garmin-fenix-5-walk.fit", activity::SportType::walk},
      {"garmin-fenix-5-bike.fit", activity::SportType::ride},
  };
  for (int i = 0; i < 6; ++i) {
    const auto id = fake_->add_activity(start - i * kHourMs);
    SCOPED_TRACE(fake_->file_name(id));
    auto detail = provider_->activity_detail(tokens.access_token, id);
    ASSERT_TRUE(detail) << detail.error().message;
    EXPECT_EQ(detail->activity.source, "garmin");
    EXPECT_EQ(detail->activity.external_id, id);
    EXPECT_TRUE(detail->activity.id.empty());
    EXPECT_FALSE(detail->activity.group_id);
    EXPECT_FALSE(detail->streams.empty());
    EXPECT_GT(detail->activity.summary.elapsed_time_s, 0);
    EXPECT_GT(detail->activity.summary.start_time_ms, 0);
    EXPECT_EQ(detail->activity.lap_count, detail->activity.laps.size());
    if (const auto it = expected.find(fake_->file_name(id)); it != expected.end()) {
      EXPECT_EQ(detail->activity.sport, it->second);
      EXPECT_FALSE(detail->streams.heart_rate_bpm.empty());
    }
  }
  EXPECT_EQ(fake_->stats().activity_detail_calls, 6);
}

TEST_F(GarminTest, GarminDetailOfUnknownActivityIsNotFound) {
  const auto tokens = connect();
  auto detail = provider_->activity_detail(tokens.access_token, "404404");
  ASSERT_FALSE(detail);
  EXPECT_EQ(detail.error().code, ErrorCode::resource_not_found);
}

TEST_F(GarminTest, GarminFileFromAPingIsFetchedOnceThroughItsCallbackUrl) {
  const auto tokens = connect();
  const auto id = fake_->add_activity(now_epoch_ms() - 3 * kHourMs);
  const auto ping = fake_->activity_files_ping(id);
  const auto url = ping["activityFiles"][0]["callbackURL"].get<std::string>();
  ASSERT_NE(url.find("token="), std::string::npos) << url;

  auto detail = provider_->notified_activity_detail(tokens.access_token, id, url);
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_EQ(detail->activity.external_id, id);
  EXPECT_EQ(detail->activity.source, "garmin");
  EXPECT_FALSE(detail->streams.empty());
  auto by_id = provider_->activity_detail(tokens.access_token, id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->streams.time_s, detail->streams.time_s) << "the same file either way";

  // The pull token serves one download, as Garmin's.
  auto again = provider_->notified_activity_detail(tokens.access_token, id, url);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::external_auth_failed);
  const auto& targets = fake_->targets();
  EXPECT_NE(std::find_if(
                targets.begin(), targets.end(),
                [&](const std::string& t) { return t.find(url.substr(url.find("/wellness"))) != std::string::npos; }),
            targets.end());
}

TEST_F(GarminTest, GarminCallbackUrlsOffTheApiAreRefusedWithoutARequest) {
  const auto tokens = connect();
  const auto id = fake_->add_activity(now_epoch_ms() - 3 * kHourMs);
  const auto url = fake_->activity_files_ping(id)["activityFiles"][0]["callbackURL"].get<std::string>();
  const auto base = fake_->base_url();
  const auto query = url.substr(url.find('?'));
  const auto calls = fake_->stats().api_calls;
  for (const std::string& bad :
       {std::string("https://apis.garmin.com/wellness-api/rest/activityFile") + query,
        base + "/wellness-api/rest/user/registration" + query, base + "/wellness-api/rest/activityFileX" + query,
        base + "/wellness-api/rest/activityFile" + query + "#x",
        base + "/wellness-api/rest/activityFile" + query + " HTTP/1.1\r\nX: y",
        base + "/wellness-api/rest/activityFile?", base + "/wellness-api/rest/activityFile",
        base + ":1/wellness-api/rest/activityFile" + query, std::string()}) {
    SCOPED_TRACE(bad);
    auto detail = provider_->notified_activity_detail(tokens.access_token, id, bad);
    ASSERT_FALSE(detail);
    EXPECT_EQ(detail.error().code, ErrorCode::invalid_input);
  }
  EXPECT_EQ(fake_->stats().api_calls, calls);
}

TEST_F(GarminTest, GarminEveryFaultMapsToItsErrorCode) {
  const auto tokens = connect();
  fake_->seed_activities(3, now_epoch_ms() - kHourMs);
  const auto id = fake_->add_activity(now_epoch_ms() - 2 * kHourMs);
  provider_ = make(loopback_policy(std::chrono::milliseconds(1000)));  // "slow" is beyond this timeout
  const std::vector<std::pair<FakeFault, ErrorCode>> cases = {
      {FakeFault::unauthorized, ErrorCode::external_auth_failed},
      {FakeFault::rate_limited, ErrorCode::external_rate_limited},
      {FakeFault::server_error, ErrorCode::external_service_unavailable},
      {FakeFault::malformed_json, ErrorCode::external_service_error},
      {FakeFault::wrong_shape, ErrorCode::external_service_error},
      {FakeFault::slow, ErrorCode::external_service_unavailable},
  };
  ListQuery query;
  query.after_ms = now_epoch_ms() - 2 * kDayMs;
  for (const auto& [fault, code] : cases) {
    SCOPED_TRACE(static_cast<int>(fault));
    fake_->fail_next(fault);
    auto list = provider_->list_activities(tokens.access_token, query);
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error().code, code);
    EXPECT_EQ(list.error().message.find(tokens.access_token), std::string::npos);

    fake_->fail_next(fault);
    auto detail = provider_->activity_detail(tokens.access_token, id);
    ASSERT_FALSE(detail);
    EXPECT_EQ(detail.error().code, code);

    fake_->fail_next(fault);
    auto athlete = provider_->athlete(tokens.access_token);
    ASSERT_FALSE(athlete);
    EXPECT_EQ(athlete.error().code, code);
  }
  // The script is used up: everything works again, and a 429's Retry-After was kept.
  EXPECT_TRUE(provider_->list_activities(tokens.access_token, query));
  const auto rate = provider_->rate_limit();
  EXPECT_EQ(rate.retry_after_s, 60);
  EXPECT_GT(rate.observed_at_ms, 0);
  EXPECT_EQ(fake_->stats().api_calls, 3 * static_cast<int>(cases.size()) + 1 + 1);  // + exchange's user id
}

TEST_F(GarminTest, GarminUnconfiguredIsConfigMissing) {
  const auto tokens = connect();
  const auto unconfigured = make(loopback_policy(), "");
  EXPECT_FALSE(unconfigured->configured());
  const auto expect_missing = [](const auto& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::config_missing);
  };
  expect_missing(unconfigured->exchange_code("code", kGarminVerifier));
  expect_missing(unconfigured->refresh(tokens.refresh_token));
  expect_missing(unconfigured->revoke(tokens));
  expect_missing(unconfigured->list_activities(tokens.access_token, {}));
  expect_missing(unconfigured->activity_detail(tokens.access_token, "1"));
  expect_missing(unconfigured->athlete(tokens.access_token));
  EXPECT_EQ(fake_->stats().api_calls, 1);  // only connect()'s user id
}

}  // namespace
}  // namespace pierre::providers
