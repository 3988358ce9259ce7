// The Strava client (src/providers/strava.cpp) against the fake Strava (tests/support/fake_strava.cpp) over loopback:
// OAuth, paging, detail + streams mapping, athlete, every scripted fault, rate-limit headers; and a scripted server
// for the edges the fake does not produce (gaps in streams, laps from the laps endpoint, odd headers).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "fake_strava.hpp"
#include "loopback_policy.hpp"
#include "pierre/core/time.hpp"
#include "pierre/providers/provider.hpp"

namespace pierre::providers {
namespace {

using pierre::testing::loopback_policy;

using pierre::testing::FakeFault;
using pierre::testing::FakeHttpServer;
using pierre::testing::FakeProvider;
using pierre::testing::FakeRequest;
using pierre::testing::FakeResponse;
using pierre::testing::FakeStrava;

constexpr std::string_view kStravaRedirect = "http://localhost:8081/oauth/callback/strava";
constexpr std::int64_t kNewest = 1'750'000'000'000;  // 2025-06-15T15:06:40Z

Settings settings_for(const std::string& base, std::string secret = FakeProvider::kClientSecret,
                      std::chrono::milliseconds total = std::chrono::milliseconds(5000)) {
  Settings s;
  s.client_id = FakeProvider::kClientId;
  s.client_secret = std::move(secret);
  s.redirect_uri = std::string(kStravaRedirect);
  s.api_base_url = base + "/api/v3";
  s.oauth_base_url = base + "/oauth";
  s.policy = loopback_policy(total);
  return s;
}

std::map<std::string, std::string, std::less<>> query_of(const std::string& url) {
  auto parts = net::parse_url(url);
  if (!parts) return {};
  return pierre::testing::parse_form(parts->query);
}

bool contains(const std::vector<std::string>& targets, std::string_view needle) {
  for (const auto& t : targets) {
    if (t.find(needle) != std::string::npos) return true;
  }
  return false;
}

class StravaTest : public ::testing::Test {
 protected:
  FakeStrava fake;
  std::unique_ptr<Provider> strava = make_strava(settings_for(fake.base_url()));

  // What the browser does: open the authorization URL, follow nothing, read the code off the redirect.
  std::string authorize(std::string_view state = "state-1") {
    net::Request request;
    request.url = strava->authorization_url(state, "");
    auto response = net::send(request, loopback_policy());
    EXPECT_TRUE(response.has_value());
    if (!response) return {};
    EXPECT_EQ(response->status, 302);
    EXPECT_TRUE(response->location.starts_with(kStravaRedirect)) << response->location;
    const auto query = query_of(response->location);
    EXPECT_EQ(query.count("state") ? query.at("state") : "", state);
    return query.count("code") ? query.at("code") : "";
  }

  TokenSet connect() {
    auto tokens = strava->exchange_code(authorize(), "");
    EXPECT_TRUE(tokens.has_value()) << (tokens ? "" : tokens.error().message);
    return tokens ? *tokens : TokenSet{};
  }
};

// ---- OAuth --------------------------------------------------------------------------------------------------------

TEST_F(StravaTest, AuthorizationUrlAsksForReadScopesWithoutPkce) {
  EXPECT_EQ(strava->name(), "strava");
  EXPECT_TRUE(strava->configured());
  EXPECT_FALSE(strava->uses_pkce());
  const auto url = strava->authorization_url("st/1 x", "challenge-ignored");
  EXPECT_TRUE(url.starts_with(fake.oauth_base_url() + "/authorize?")) << url;
  const auto q = query_of(url);
  EXPECT_EQ(q.at("client_id"), FakeProvider::kClientId);
  EXPECT_EQ(q.at("redirect_uri"), kStravaRedirect);
  EXPECT_EQ(q.at("response_type"), "code");
  EXPECT_EQ(q.at("approval_prompt"), "auto");
  EXPECT_EQ(q.at("scope"), "read,activity:read_all");
  EXPECT_EQ(q.at("state"), "st/1 x");
  EXPECT_EQ(q.count("code_challenge"), 0U);
  EXPECT_EQ(url.find("client_secret"), std::string::npos);

  EXPECT_FALSE(authorize("st/1 x").empty());
  EXPECT_EQ(fake.stats().authorizations, 1);
}

TEST_F(StravaTest, ExchangeCodeGivesTokensAndTheAthleteId) {
  const auto code = authorize();
  auto tokens = strava->exchange_code(code, "");
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_FALSE(tokens->access_token.empty());
  EXPECT_FALSE(tokens->refresh_token.empty());
  EXPECT_NE(tokens->access_token, tokens->refresh_token);
  EXPECT_EQ(tokens->account_id, std::to_string(FakeStrava::kAthleteId));
  const auto six_hours = now_epoch_ms() + 6 * 3600 * 1000;
  EXPECT_NEAR(static_cast<double>(tokens->expires_at_ms), static_cast<double>(six_hours), 60'000);
  EXPECT_EQ(fake.stats().code_exchanges, 1);

  // Codes are single-use; unknown codes are refused; neither message quotes the code or the client secret.
  for (const std::string& bad : {code, std::string("strava-code-999")}) {
    auto again = strava->exchange_code(bad, "");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::external_auth_failed);
    EXPECT_EQ(again.error().message.find(bad), std::string::npos);
    EXPECT_EQ(again.error().message.find(FakeProvider::kClientSecret), std::string::npos);
  }
  EXPECT_EQ(fake.stats().code_exchanges, 1);
}

TEST_F(StravaTest, ExchangeCodeWithAWrongClientSecretFails) {
  auto wrong = make_strava(settings_for(fake.base_url(), "not-the-secret"));
  auto tokens = wrong->exchange_code(authorize(), "");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(tokens.error().message.find("not-the-secret"), std::string::npos);
}

TEST_F(StravaTest, RefreshKeepsTheRefreshTokenAndFailsOnceRevoked) {
  const auto first = connect();
  auto refreshed = strava->refresh(first.refresh_token);
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_NE(refreshed->access_token, first.access_token);
  EXPECT_EQ(refreshed->refresh_token, first.refresh_token);
  EXPECT_GT(refreshed->expires_at_ms, now_epoch_ms());
  EXPECT_TRUE(strava->athlete(refreshed->access_token));

  fake.revoke_refresh_tokens();
  auto refused = strava->refresh(first.refresh_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(refused.error().message.find(first.refresh_token), std::string::npos);
  EXPECT_EQ(fake.stats().refreshes, 2);

  auto empty = strava->refresh("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(fake.stats().refreshes, 2);  // not worth a request
}

TEST_F(StravaTest, RevokeEndsTheGrant) {
  const auto tokens = connect();
  auto revoked = strava->revoke(tokens);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(*revoked);
  EXPECT_EQ(fake.stats().revocations, 1);
  EXPECT_TRUE(contains(fake.targets(), "POST /oauth/deauthorize"));

  auto api = strava->athlete(tokens.access_token);
  ASSERT_FALSE(api);
  EXPECT_EQ(api.error().code, ErrorCode::external_auth_failed);
  auto refresh = strava->refresh(tokens.refresh_token);
  ASSERT_FALSE(refresh);
  EXPECT_EQ(refresh.error().code, ErrorCode::external_auth_failed);

  // Revoking a grant that is gone already is done, not an error.
  auto again = strava->revoke(tokens);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(*again);
}

TEST_F(StravaTest, RevokeWithAnExpiredAccessTokenRefreshesFirst) {
  const auto tokens = connect();
  fake.expire_access_tokens();
  auto revoked = strava->revoke(tokens);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(*revoked);
  const auto stats = fake.stats();
  EXPECT_EQ(stats.revocations, 2);  // refused with the expired token, accepted with the fresh one
  EXPECT_EQ(stats.refreshes, 1);
  auto refresh = strava->refresh(tokens.refresh_token);
  ASSERT_FALSE(refresh);
  EXPECT_EQ(refresh.error().code, ErrorCode::external_auth_failed);
}

TEST_F(StravaTest, ExpiredAccessTokenIs401UntilRefreshed) {
  fake.seed_activities(3, kNewest);
  const auto tokens = connect();
  ASSERT_TRUE(strava->list_activities(tokens.access_token, {}));
  fake.expire_access_tokens();
  auto refused = strava->list_activities(tokens.access_token, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::external_auth_failed);
  EXPECT_EQ(refused.error().message.find(tokens.access_token), std::string::npos);
  auto fresh = strava->refresh(tokens.refresh_token);
  ASSERT_TRUE(fresh) << fresh.error().message;
  auto page = strava->list_activities(fresh->access_token, {});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->activities.size(), 3U);
}

TEST(StravaUnconfigured, EveryCallNeedingCredentialsIsConfigMissing) {
  FakeStrava fake;
  auto settings = settings_for(fake.base_url());
  settings.client_secret.clear();
  auto strava = make_strava(settings);
  EXPECT_FALSE(strava->configured());
  TokenSet tokens;
  tokens.access_token = "at";
  tokens.refresh_token = "rt";
  const std::vector<ErrorCode> codes = {
      strava->exchange_code("code", "").error().code,
      strava->refresh("rt").error().code,
      strava->revoke(tokens).error().code,
      strava->list_activities("at", {}).error().code,
      strava->activity_detail("at", "1").error().code,
      strava->athlete("at").error().code,
  };
  for (const auto code : codes) EXPECT_EQ(code, ErrorCode::config_missing);
  EXPECT_TRUE(fake.targets().empty());
}

// ---- Lists ----------------------------------------------------------------------------------------------------------

TEST_F(StravaTest, ListPagesThroughEveryActivityNewestFirst) {
  fake.seed_activities(25, kNewest);
  const auto token = connect().access_token;
  ListQuery q;
  q.per_page = 10;
  std::vector<std::size_t> sizes;
  std::vector<std::string> ids;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = strava->list_activities(token, q);
    ASSERT_TRUE(page) << page.error().message;
    sizes.push_back(page->activities.size());
    for (const auto& a : page->activities) {
      EXPECT_EQ(a.source, "strava");
      EXPECT_TRUE(a.id.empty());
      EXPECT_TRUE(a.laps.empty());
      EXPECT_FALSE(a.name.empty());
      ids.push_back(a.external_id);
    }
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  ASSERT_EQ(ids.size(), 25U);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(ids[static_cast<std::size_t>(i)], fake.activity_id(i)) << i;
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 25U);
  EXPECT_EQ(fake.stats().activity_list_calls, 3);
  EXPECT_TRUE(contains(fake.targets(), "page=3&per_page=10"));
}

TEST_F(StravaTest, ListHonoursBeforeAndAfterExclusively) {
  fake.seed_activities(25, kNewest);
  const auto token = connect().access_token;
  ListQuery q;
  q.after_ms = fake.activity_start_ms(15);      // exclusive: #15 is out
  q.before_ms = fake.activity_start_ms(3) + 1;  // #3 starts before this (by 1 ms)
  q.per_page = 5;
  std::vector<std::size_t> sizes;
  std::set<std::string> ids;
  std::vector<std::int64_t> starts;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = strava->list_activities(token, q);
    ASSERT_TRUE(page) << page.error().message;
    sizes.push_back(page->activities.size());
    for (const auto& a : page->activities) {
      ids.insert(a.external_id);
      starts.push_back(a.summary.start_time_ms);
    }
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 5, 2}));
  std::set<std::string> expected;
  for (int i = 3; i <= 14; ++i) expected.insert(fake.activity_id(i));
  EXPECT_EQ(ids, expected);
  EXPECT_TRUE(std::is_sorted(starts.begin(), starts.end()));  // Strava answers oldest first when `after` is given
  EXPECT_TRUE(contains(fake.targets(), fmt::format("after={}", fake.activity_start_ms(15) / 1000)));
  EXPECT_TRUE(contains(fake.targets(), fmt::format("before={}", fake.activity_start_ms(3) / 1000 + 1)));
}

TEST_F(StravaTest, ListEndsWithAnEmptyPageWhenTheLastOneWasFull) {
  fake.seed_activities(10, kNewest);
  const auto token = connect().access_token;
  ListQuery q;
  q.per_page = 5;
  auto first = strava->list_activities(token, q);
  ASSERT_TRUE(first);
  q.page_token = first->next_page_token;
  auto second = strava->list_activities(token, q);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->activities.size(), 5U);
  ASSERT_FALSE(second->next_page_token.empty());
  q.page_token = second->next_page_token;
  auto third = strava->list_activities(token, q);
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->activities.empty());
  EXPECT_TRUE(third->next_page_token.empty());
}

TEST_F(StravaTest, ListCapsPerPageAndRefusesForeignPageTokens) {
  fake.seed_activities(3, kNewest);
  const auto token = connect().access_token;
  ListQuery q;
  q.per_page = 1000;
  auto page = strava->list_activities(token, q);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->next_page_token.empty());
  EXPECT_TRUE(contains(fake.targets(), "per_page=200"));
  for (const std::string bad : {"garbage", "1", "-3", "2x", "99999999999"}) {
    q.page_token = bad;
    auto refused = strava->list_activities(token, q);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_cursor) << bad;
  }
}

// ---- Detail, streams, athlete ---------------------------------------------------------------------------------------

TEST_F(StravaTest, DetailMapsEverySeededKindWithStreamsAndLaps) {
  fake.seed_activities(FakeStrava::kKinds, kNewest);
  const auto token = connect().access_token;
  const std::map<std::string, activity::SportType> sports = {{"Run", activity::SportType::run},
                                                             {"Ride", activity::SportType::ride},
                                                             {"VirtualRide", activity::SportType::virtual_ride},
                                                             {"Swim", activity::SportType::swim},
                                                             {"Walk", activity::SportType::walk},
                                                             {"TrailRun", activity::SportType::trail_run}};
  std::set<activity::SportType> seen;
  for (int i = 0; i < FakeStrava::kKinds; ++i) {
    SCOPED_TRACE(fake.activity_sport_type(i));
    const auto before = fake.stats().activity_detail_calls;
    auto detail = strava->activity_detail(token, fake.activity_id(i));
    ASSERT_TRUE(detail) << detail.error().message;
    EXPECT_EQ(fake.stats().activity_detail_calls - before, 2);  // laps come with the detail
    const auto& a = detail->activity;
    const auto& s = detail->streams;
    const auto& sum = a.summary;
    EXPECT_EQ(a.source, "strava");
    EXPECT_EQ(a.external_id, fake.activity_id(i));
    EXPECT_EQ(a.sport, sports.at(fake.activity_sport_type(i)));
    seen.insert(a.sport);
    EXPECT_FALSE(a.device.empty());
    EXPECT_EQ(sum.start_time_ms, fake.activity_start_ms(i));
    EXPECT_EQ(sum.utc_offset_s, a.sport == activity::SportType::swim ? -18000 : 3600);
    ASSERT_TRUE(sum.calories_kcal);
    EXPECT_GT(*sum.calories_kcal, 0);

    // Samples: 30–90 minutes, every channel as long as time, SI units.
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(s.time_s.front(), 0);
    EXPECT_GE(s.time_s.back(), 1800);
    EXPECT_LE(s.time_s.back(), 5400);
    EXPECT_DOUBLE_EQ(s.time_s.back(), sum.elapsed_time_s);
    EXPECT_TRUE(std::is_sorted(s.time_s.begin(), s.time_s.end()));
    for (const auto* channel : {&s.distance_m, &s.latitude_deg, &s.longitude_deg, &s.altitude_m, &s.heart_rate_bpm,
                                &s.power_w, &s.cadence_rpm, &s.speed_mps, &s.temperature_c}) {
      EXPECT_TRUE(channel->empty() || channel->size() == s.size());
    }
    ASSERT_EQ(s.distance_m.size(), s.size());
    EXPECT_TRUE(std::is_sorted(s.distance_m.begin(), s.distance_m.end()));
    EXPECT_NEAR(s.distance_m.back(), sum.distance_m, 1.0);
    EXPECT_GT(sum.distance_m, 1000);
    EXPECT_LE(sum.moving_time_s, sum.elapsed_time_s);
    ASSERT_TRUE(sum.avg_speed_mps);
    EXPECT_NEAR(*sum.avg_speed_mps, sum.distance_m / sum.moving_time_s, 0.01);
    ASSERT_EQ(s.speed_mps.size(), s.size());
    EXPECT_LT(*std::max_element(s.speed_mps.begin(), s.speed_mps.end()), 15.0);  // m/s, not km/h
    if (!s.latitude_deg.empty()) {
      for (std::size_t k = 0; k < s.size(); ++k) {
        ASSERT_TRUE(s.latitude_deg[k] > 45.6 && s.latitude_deg[k] < 45.9) << s.latitude_deg[k];
        ASSERT_TRUE(s.longitude_deg[k] > 4.7 && s.longitude_deg[k] < 5.0) << s.longitude_deg[k];
      }
    }
    EXPECT_EQ(sum.avg_hr_bpm.has_value(), !s.heart_rate_bpm.empty());

    // Laps every 15 minutes add up to the activity.
    ASSERT_FALSE(a.laps.empty());
    EXPECT_EQ(a.lap_count, a.laps.size());
    double lap_distance = 0, lap_time = 0;
    for (const auto& lap : a.laps) {
      EXPECT_GE(lap.summary.start_time_ms, sum.start_time_ms);
      lap_distance += lap.summary.distance_m;
      lap_time += lap.summary.elapsed_time_s;
    }
    EXPECT_NEAR(lap_distance, sum.distance_m, 1.0);
    EXPECT_DOUBLE_EQ(lap_time, sum.elapsed_time_s);

    switch (a.sport) {
      case activity::SportType::run:
      case activity::SportType::trail_run:
        EXPECT_FALSE(s.latitude_deg.empty());
        EXPECT_FALSE(s.cadence_rpm.empty());
        EXPECT_TRUE(s.power_w.empty());
        EXPECT_FALSE(sum.avg_power_w);
        EXPECT_LT(sum.moving_time_s, sum.elapsed_time_s);  // the traffic light
        if (a.sport == activity::SportType::trail_run) {
          EXPECT_GT(sum.total_ascent_m.value_or(0), 200);
        }
        break;
      case activity::SportType::virtual_ride:
        EXPECT_TRUE(s.latitude_deg.empty());
        ASSERT_EQ(s.power_w.size(), s.size());
        ASSERT_TRUE(sum.avg_power_w && sum.normalized_power_w && sum.max_power_w);
        EXPECT_GE(*sum.normalized_power_w, *sum.avg_power_w);
        EXPECT_GE(*sum.max_power_w, *sum.normalized_power_w);
        break;
      case activity::SportType::ride:
        if (a.name == "Commute Ride") {  // no power meter: Strava's estimate is not a measurement
          EXPECT_FALSE(sum.avg_power_w);
          EXPECT_FALSE(sum.normalized_power_w);
          EXPECT_TRUE(s.power_w.empty());
          for (const auto& lap : a.laps) EXPECT_FALSE(lap.summary.avg_power_w);
        } else {
          EXPECT_TRUE(sum.avg_power_w && sum.normalized_power_w);
          EXPECT_FALSE(s.temperature_c.empty());
          EXPECT_TRUE(a.laps.front().summary.avg_power_w);
        }
        break;
      case activity::SportType::swim:
        EXPECT_TRUE(s.latitude_deg.empty());
        EXPECT_TRUE(s.altitude_m.empty());
        EXPECT_EQ(s.size(), 2400U / 5 + 1);
        break;
      case activity::SportType::walk:
        EXPECT_TRUE(s.heart_rate_bpm.empty());
        EXPECT_FALSE(sum.avg_hr_bpm);
        EXPECT_FALSE(sum.max_hr_bpm);
        EXPECT_TRUE(s.cadence_rpm.empty());
        break;
      default: ADD_FAILURE() << "unexpected sport";
    }
  }
  EXPECT_EQ(seen.size(), 6U);
}

TEST_F(StravaTest, DetailOfAnUnknownOrMalformedIdFails) {
  fake.seed_activities(2, kNewest);
  const auto token = connect().access_token;
  auto missing = strava->activity_detail(token, "123");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::resource_not_found);
  for (const std::string bad : {"", "abc", "12/../athlete", "1?x=1"}) {
    auto refused = strava->activity_detail(token, bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_input) << bad;
  }
}

TEST_F(StravaTest, AthleteMapsNameWeightSexAndFtp) {
  auto athlete = strava->athlete(connect().access_token);
  ASSERT_TRUE(athlete) << athlete.error().message;
  EXPECT_EQ(athlete->display_name, "Alex Rivera");
  EXPECT_EQ(athlete->weight_kg, 61.5);
  EXPECT_EQ(athlete->sex, "female");
  EXPECT_EQ(athlete->ftp_w, 245);
  EXPECT_FALSE(athlete->height_m);
  EXPECT_FALSE(athlete->max_hr_bpm);
}

// ---- Faults and rate limits -----------------------------------------------------------------------------------------

TEST_F(StravaTest, EveryFakeFaultMapsToItsErrorCode) {
  fake.seed_activities(3, kNewest);
  const auto token = connect().access_token;
  const std::vector<std::pair<FakeFault, ErrorCode>> cases = {
      {FakeFault::unauthorized, ErrorCode::external_auth_failed},
      {FakeFault::rate_limited, ErrorCode::external_rate_limited},
      {FakeFault::server_error, ErrorCode::external_service_unavailable},
      {FakeFault::malformed_json, ErrorCode::external_service_error},
      {FakeFault::wrong_shape, ErrorCode::external_service_error},
  };
  for (const auto& [fault, code] : cases) {
    SCOPED_TRACE(static_cast<int>(fault));
    fake.fail_next(fault);
    auto athlete = strava->athlete(token);
    ASSERT_FALSE(athlete);
    EXPECT_EQ(athlete.error().code, code);
    EXPECT_NE(athlete.error().message.find("Strava athlete"), std::string::npos);
    fake.fail_next(fault);
    auto list = strava->list_activities(token, {});
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error().code, code);
    fake.fail_next(fault);
    auto detail = strava->activity_detail(token, fake.activity_id(0));
    ASSERT_FALSE(detail);
    EXPECT_EQ(detail.error().code, code);
    EXPECT_TRUE(strava->athlete(token)) << "the script is used up";
  }
  // A fault on the streams request (the detail's second one) fails the whole detail.
  fake.fail_next(FakeFault::none);
  fake.fail_next(FakeFault::server_error);
  auto detail = strava->activity_detail(token, fake.activity_id(1));
  ASSERT_FALSE(detail);
  EXPECT_EQ(detail.error().code, ErrorCode::external_service_unavailable);
  EXPECT_NE(detail.error().message.find("streams"), std::string::npos);
}

TEST_F(StravaTest, SlowAnswersTimeOutAsUnavailable) {
  const auto token = connect().access_token;
  auto impatient =
      make_strava(settings_for(fake.base_url(), FakeProvider::kClientSecret, std::chrono::milliseconds(300)));
  fake.fail_next(FakeFault::slow);
  const auto started = std::chrono::steady_clock::now();
  auto athlete = impatient->athlete(token);
  ASSERT_FALSE(athlete);
  EXPECT_EQ(athlete.error().code, ErrorCode::external_service_unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(impatient->athlete(token));
  EXPECT_EQ(fake.stats().api_calls, 2);
}

TEST_F(StravaTest, RateLimitStateFollowsEveryResponseIncluding429) {
  const auto token = connect().access_token;
  EXPECT_EQ(strava->rate_limit().observed_at_ms, 0);
  EXPECT_FALSE(strava->rate_limit().short_limit);

  ASSERT_TRUE(strava->athlete(token));
  auto state = strava->rate_limit();
  // The read limits (300, 15000) leave less headroom than the overall ones (600, 30000): they are the ones kept.
  EXPECT_EQ(state.short_limit, 300);
  EXPECT_EQ(state.daily_limit, 15000);
  EXPECT_EQ(state.short_usage, 1);
  EXPECT_EQ(state.daily_usage, 1);
  EXPECT_FALSE(state.retry_after_s);
  EXPECT_NEAR(static_cast<double>(state.observed_at_ms), static_cast<double>(now_epoch_ms()), 5000);

  // A scripted 429 reports the 15-minute window as full: wait for the next quarter hour.
  fake.fail_next(FakeFault::rate_limited);
  auto limited = strava->athlete(token);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ErrorCode::external_rate_limited);
  state = strava->rate_limit();
  EXPECT_EQ(state.short_usage, 300);
  ASSERT_TRUE(state.retry_after_s);
  EXPECT_GT(*state.retry_after_s, 0);
  EXPECT_LE(*state.retry_after_s, 900);
  EXPECT_EQ(limited.error().details.value("retry_after_s", -1), *state.retry_after_s);

  // Usage beyond the daily read limit: Strava refuses until midnight UTC.
  fake.set_read_rate_limits(100, 2);
  auto daily = strava->athlete(token);
  ASSERT_FALSE(daily);
  EXPECT_EQ(daily.error().code, ErrorCode::external_rate_limited);
  state = strava->rate_limit();
  EXPECT_EQ(state.daily_limit, 2);
  EXPECT_EQ(state.daily_usage, 3);
  ASSERT_TRUE(state.retry_after_s);
  EXPECT_LE(*state.retry_after_s, 86400);

  fake.set_read_rate_limits(300, 15000);
  ASSERT_TRUE(strava->athlete(token));
  state = strava->rate_limit();
  EXPECT_FALSE(state.retry_after_s);
  EXPECT_EQ(state.short_usage, 4);
}

TEST_F(StravaTest, ConcurrentCallsShareOneRateLimitSnapshot) {
  const auto token = connect().access_token;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (!strava->athlete(token)) ++failures;
        (void)strava->rate_limit();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(fake.stats().api_calls, 30);
  const auto state = strava->rate_limit();
  ASSERT_TRUE(state.short_usage);
  EXPECT_GE(*state.short_usage, 1);
  EXPECT_LE(*state.short_usage, 30);
}

// ---- Edges of the wire format, from a scripted server ---------------------------------------------------------------

TEST(StravaWire, StreamsWithGapsLapsFromTheirEndpointAndOddHeaders) {
  FakeHttpServer server([](const FakeRequest& r) {
    FakeResponse out = FakeResponse::json(404, R"({"message":"Record Not Found","errors":[]})");
    if (r.path == "/api/v3/activities/77") {
      out = FakeResponse::json(200, R"({"id":77,"name":"Hot Lap","type":"Ride","start_date":"2025-05-01T06:00:00Z",
        "start_date_local":"2025-05-01T08:00:00Z","elapsed_time":3,"moving_time":3,"distance":20.5,
        "average_watts":250,"weighted_average_watts":260,"device_watts":true})");
    } else if (r.path == "/api/v3/activities/77/laps") {
      out = FakeResponse::json(200, R"([{"id":1,"start_date":"2025-05-01T06:00:00Z","elapsed_time":2,"distance":10,
        "average_watts":240},{"id":2,"elapsed_time":1,"distance":10.5}])");
    } else if (r.path == "/api/v3/activities/77/streams") {
      out = FakeResponse::json(200, R"({"time":{"data":[0,1,2,3]},"heartrate":{"data":[120,null,122]},
        "latlng":{"data":[[45.0,4.0],null,[45.1,4.1],[95.0,4.0]]},"distance":{"data":[0,5,10,20.5]},
        "moving":{"data":[false,true,true,true]}})");
      out.headers = {{"X-RateLimit-Limit", "600,30000"}, {"X-RateLimit-Usage", "314,27536"}};
    } else if (r.path == "/api/v3/activities/88") {
      out = FakeResponse::json(200, R"({"id":88,"type":"Workout","start_date":"2025-05-01T06:00:00Z","laps":[]})");
    } else if (r.path == "/api/v3/activities/99") {
      out = FakeResponse::json(200, R"({"id":99,"sport_type":"Run","start_date":"2025-05-01T06:00:00Z","laps":[]})");
    } else if (r.path == "/api/v3/activities/99/streams") {
      out = FakeResponse::json(200, R"([{"type":"time","data":[0,5]},{"type":"distance","data":[0,10]}])");
      out.headers = {{"X-RateLimit-Limit", "garbage"}, {"X-RateLimit-Usage", "1"}};
    } else if (r.path == "/api/v3/athlete/activities") {
      out = FakeResponse::json(200, R"([{"id":1,"name":"no start"}])");
    }
    return out;
  });
  auto strava = make_strava(settings_for(server.base_url()));

  auto detail = strava->activity_detail("token", "77");
  ASSERT_TRUE(detail) << detail.error().message;
  const auto& a = detail->activity;
  EXPECT_EQ(a.sport, activity::SportType::ride);  // `type` when there is no sport_type
  EXPECT_EQ(a.summary.utc_offset_s, 7200);        // from start_date_local
  EXPECT_EQ(a.summary.normalized_power_w, 260);
  ASSERT_EQ(a.laps.size(), 2U);  // from the laps endpoint
  EXPECT_EQ(a.lap_count, 2U);
  EXPECT_EQ(a.laps[0].summary.avg_power_w, 240);
  EXPECT_EQ(a.laps[1].summary.start_time_ms, a.summary.start_time_ms);  // no start_date: the activity's
  const auto& s = detail->streams;
  ASSERT_EQ(s.size(), 4U);
  ASSERT_EQ(s.heart_rate_bpm.size(), 4U);
  EXPECT_EQ(s.heart_rate_bpm[0], 120);
  EXPECT_TRUE(std::isnan(s.heart_rate_bpm[1]));
  EXPECT_EQ(s.heart_rate_bpm[2], 122);
  EXPECT_TRUE(std::isnan(s.heart_rate_bpm[3]));  // shorter than time
  ASSERT_EQ(s.latitude_deg.size(), 4U);
  EXPECT_EQ(s.latitude_deg[0], 45.0);
  EXPECT_EQ(s.longitude_deg[2], 4.1);
  EXPECT_TRUE(std::isnan(s.latitude_deg[1]));
  EXPECT_TRUE(std::isnan(s.latitude_deg[3]));  // out of range
  EXPECT_TRUE(std::isnan(s.longitude_deg[3]));
  EXPECT_TRUE(s.power_w.empty());
  EXPECT_EQ(s.distance_m.back(), 20.5);
  auto state = strava->rate_limit();
  EXPECT_EQ(state.short_limit, 600);
  EXPECT_EQ(state.short_usage, 314);
  EXPECT_EQ(state.daily_limit, 30000);
  EXPECT_EQ(state.daily_usage, 27536);

  // A manual activity: no streams (404) and no laps.
  auto manual = strava->activity_detail("token", "88");
  ASSERT_TRUE(manual) << manual.error().message;
  EXPECT_TRUE(manual->streams.empty());
  EXPECT_EQ(manual->activity.sport, activity::SportType::workout);
  EXPECT_EQ(manual->activity.lap_count, 0U);

  // Streams as an array (key_by_type ignored); unreadable rate-limit headers leave the snapshot alone.
  auto listed = strava->activity_detail("token", "99");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->streams.time_s, (std::vector<double>{0, 5}));
  EXPECT_EQ(listed->streams.distance_m, (std::vector<double>{0, 10}));
  EXPECT_EQ(strava->rate_limit().short_usage, 314);

  auto list = strava->list_activities("token", {});
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, ErrorCode::external_service_error);
}

}  // namespace
}  // namespace pierre::providers
