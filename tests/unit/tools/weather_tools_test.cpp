// get_weather_forecast through the registry (outputs checked against the outputSchema on every call), over a real
// store (SQLite in memory) and the fake OpenWeather on loopback: not configured, anonymous, explicit and default
// locations, usual training hours, argument errors and provider failures.
//
// Suite names start with "tools_" so that `ctest -R tools` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "backend_fixture.hpp"
#include "fake_openweather.hpp"
#include "pierre/cache/cache.hpp"
#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"
#include "pierre/weather/client.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
using pierre::testing::describe;
using pierre::testing::FakeOpenWeather;
using ::testing::HasSubstr;

// An activity starting at 07:00 local time (UTC+1) `days_ago` days before `now_ms`.
activity::NewActivity morning(std::string id, activity::SportType sport, std::int64_t now_ms, int days_ago,
                              int local_hour = 7) {
  activity::NewActivity item;
  auto& a = item.activity;
  a.source = "test";
  a.external_id = std::move(id);
  a.sport = sport;
  a.name = "Session " + a.external_id;
  const auto day_start = (now_ms - days_ago * kDayMs) / kDayMs * kDayMs;
  a.summary.start_time_ms = day_start + (local_hour - 1) * kHourMs;
  a.summary.utc_offset_s = 3600;
  a.summary.elapsed_time_s = 3600;
  a.summary.moving_time_s = 3500;
  a.summary.distance_m = 10'000;
  return item;
}

CallContext caller(std::string user_id) {
  CallContext ctx;
  ctx.user_id = std::move(user_id);
  ctx.tenant_id = "t1";
  return ctx;
}

void with_track(activity::NewActivity& item, double latitude, double longitude) {
  auto& s = item.streams;
  s.time_s = {0, 1, 2};
  s.latitude_deg = {std::nan(""), latitude, latitude + 0.001};
  s.longitude_deg = {std::nan(""), longitude, longitude + 0.001};
}

class tools_WeatherTools : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    pierre::testing::add_tenant(db(), "t1");
    if (HasFatalFailure()) return;
    auto cursors = store::CursorCodec::create(crypto::Bytes(32, 9));
    ASSERT_TRUE(cursors) << describe(cursors);
    activities_ = std::make_unique<activity::Service>(db(), std::move(*cursors));
    profiles_ = std::make_unique<profile::Service>(db(), *activities_);

    weather::Client::Options options;
    options.api_key = FakeOpenWeather::kApiKey;
    options.base_url = fake_.base_url();
    auto client = weather::Client::create(std::move(options), cache_);
    ASSERT_TRUE(client) << describe(client);
    client_ = std::make_unique<weather::Client>(std::move(*client));
    registry_.set_output_check(Registry::OutputCheck::every_call);
    auto registered = register_weather_tools(registry_, *activities_, *profiles_, client_.get());
    ASSERT_TRUE(registered) << describe(registered);

    // Alice runs at 07:00 (UTC+1). Her latest outdoor activity with GPS started in Paris; a more recent virtual
    // ride (fictional GPS) and an outdoor run without GPS must be passed over.
    const auto now = now_epoch_ms();
    std::vector<activity::NewActivity> items;
    for (int week = 1; week <= 6; ++week)
      items.push_back(morning("run" + std::to_string(week), activity::SportType::run, now, week * 7));
    auto paris = morning("paris", activity::SportType::run, now, 3);
    with_track(paris, 48.8566, 2.3522);
    items.push_back(std::move(paris));
    items.push_back(morning("no-gps", activity::SportType::run, now, 2));
    auto zwift = morning("zwift", activity::SportType::virtual_ride, now, 1, 18);
    with_track(zwift, -11.64, 166.95);
    items.push_back(std::move(zwift));
    auto stored = activities_->store({"t1", "usr_alice"}, std::move(items));
    ASSERT_TRUE(stored) << describe(stored);
    auto treadmill = morning("treadmill", activity::SportType::treadmill_run, now, 1);
    with_track(treadmill, 10, 10);
    ASSERT_TRUE(activities_->store({"t1", "usr_bob"}, {std::move(treadmill)}));
  }

  CallResult call(const json& args, const CallContext& who, const Registry* registry = nullptr) {
    CallContext ctx = who;
    ctx.request_id = "req-weather-test";
    auto r = (registry != nullptr ? *registry : registry_).call("get_weather_forecast", args, ctx);
    EXPECT_TRUE(r) << describe(r);
    return r ? *r : CallResult{};
  }

  FakeOpenWeather fake_;
  cache::MemoryCache cache_{100};
  std::unique_ptr<weather::Client> client_;
  Registry registry_;
  std::unique_ptr<activity::Service> activities_;
  std::unique_ptr<profile::Service> profiles_;
  CallContext alice_ = caller("usr_alice");
  CallContext bob_ = caller("usr_bob");
  CallContext anonymous_{};
};

TEST_P(tools_WeatherTools, DeclaresSchemasAndAnnotations) {
  const auto* tool = registry_.find("get_weather_forecast");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->input_schema["additionalProperties"], false);
  EXPECT_TRUE(tool->output_schema.is_object());
  EXPECT_TRUE(tool->annotations.read_only);
  EXPECT_TRUE(tool->annotations.open_world);
  EXPECT_TRUE(tool->long_running);
}

TEST_P(tools_WeatherTools, WithoutWeatherTheToolSaysSo) {
  Registry none;
  ASSERT_TRUE(register_weather_tools(none, *activities_, *profiles_, nullptr));
  auto r = call({{"latitude", 1}, {"longitude", 2}}, alice_, &none);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.text, weather::Client::kNotConfigured);

  weather::Client::Options options;  // no key
  auto unconfigured = weather::Client::create(std::move(options), cache_);
  ASSERT_TRUE(unconfigured);
  Registry keyless;
  ASSERT_TRUE(register_weather_tools(keyless, *activities_, *profiles_, &*unconfigured));
  r = call({}, alice_, &keyless);
  EXPECT_TRUE(r.is_error);
  EXPECT_THAT(r.text, HasSubstr("OPENWEATHER_API_KEY"));
  EXPECT_EQ(fake_.request_count(), 0U);
}

TEST_P(tools_WeatherTools, AnonymousCallersAreAskedToSignIn) {
  auto r = call({{"latitude", 1}, {"longitude", 2}}, anonymous_);
  EXPECT_TRUE(r.is_error);
  EXPECT_THAT(r.text, HasSubstr("sign in"));
  EXPECT_EQ(fake_.request_count(), 0U);
}

TEST_P(tools_WeatherTools, RanksSlotsAtGivenCoordinates) {
  auto r = call({{"latitude", 52.520008}, {"longitude", 13.404954}, {"sport_type", "ride"}, {"duration_minutes", 90}},
                alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  const auto& out = r.structured;
  EXPECT_EQ(out["location"], (json{{"latitude", 52.52}, {"longitude", 13.4}, {"source", "arguments"}}));
  EXPECT_EQ(out["sport_type"], "ride");
  EXPECT_EQ(out["duration_minutes"], 90);
  EXPECT_EQ(out["utc_offset_s"], 3600);
  EXPECT_EQ(out["preferred_hours"], json::array({7}));
  const auto& slots = out["slots"];
  ASSERT_FALSE(slots.empty());
  EXPECT_LE(slots.size(), 10U);
  EXPECT_EQ(out["best_slot"], slots[0]);
  for (std::size_t i = 1; i < slots.size(); ++i) EXPECT_GE(slots[i - 1]["score"], slots[i]["score"]);
  const auto now_s = now_epoch_ms() / 1000;
  for (const auto& slot : slots) {
    const auto start = parse_rfc3339_ms(slot["start_time"].get<std::string>());
    ASSERT_TRUE(start) << slot["start_time"];
    EXPECT_TRUE(slot["start_time"].get<std::string>().ends_with("+01:00")) << slot["start_time"];
    EXPECT_GE(*start / 1000, now_s);
    EXPECT_LE(*start / 1000, now_s + 2 * 86400);
    EXPECT_FALSE(slot["reasons"].empty());
  }
  EXPECT_THAT(r.text, HasSubstr("Best time for a 90-minute ride"));
  ASSERT_EQ(fake_.request_count(), 1U);
  EXPECT_THAT(fake_.targets().front(), HasSubstr("lat=52.52&lon=13.40&"));
}

TEST_P(tools_WeatherTools, DefaultsToTheLatestOutdoorStartWithGps) {
  auto r = call({{"days", 1}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["location"], (json{{"latitude", 48.86}, {"longitude", 2.35}, {"source", "recent_activity"}}));
  EXPECT_EQ(r.structured["sport_type"], "run");
  const auto now_s = now_epoch_ms() / 1000;
  for (const auto& slot : r.structured["slots"]) {
    EXPECT_LE(*parse_rfc3339_ms(slot["start_time"].get<std::string>()) / 1000, now_s + 86400);
  }
  ASSERT_EQ(fake_.request_count(), 1U);
  EXPECT_THAT(fake_.targets().front(), HasSubstr("lat=48.86&lon=2.35&"));
  // The same place again within the hour: the cached forecast answers.
  ASSERT_FALSE(call({}, alice_).is_error);
  EXPECT_EQ(fake_.request_count(), 1U);
}

TEST_P(tools_WeatherTools, ADefaultPlaceInsideAPrivacyZoneIsUsedButNotShown) {
  // Alice's latest outdoor start (Paris, 48.8566, 2.3522) is inside her "home" zone.
  auto saved = profiles_->update(
      {"t1", "usr_alice"}, std::nullopt,
      {{"privacy_zones", {{{"latitude", 48.857}, {"longitude", 2.352}, {"radius_m", 500}, {"name", "home"}}}}});
  ASSERT_TRUE(saved) << describe(saved);
  auto r = call({{"days", 1}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["location"], (json{{"source", "recent_activity"}, {"hidden_by_privacy_zone", true}}));
  EXPECT_THAT(r.text, ::testing::Not(HasSubstr("48.86")));
  EXPECT_THAT(r.text, ::testing::Not(HasSubstr("2.35")));
  EXPECT_FALSE(r.structured["slots"].empty());
  // The forecast was still fetched for that place; explicit coordinates are echoed as given.
  ASSERT_EQ(fake_.request_count(), 1U);
  auto given = call({{"latitude", 48.8566}, {"longitude", 2.3522}, {"days", 1}}, alice_);
  ASSERT_FALSE(given.is_error) << given.text;
  EXPECT_EQ(given.structured["location"]["latitude"], 48.86);
}

TEST_P(tools_WeatherTools, WithoutAnyGpsTheCallerMustGiveCoordinates) {
  auto r = call({}, bob_);
  EXPECT_TRUE(r.is_error);
  EXPECT_THAT(r.text, HasSubstr("latitude and longitude"));
  EXPECT_EQ(fake_.request_count(), 0U);
}

TEST_P(tools_WeatherTools, RefusesHalfACoordinateAndBadArguments) {
  auto r = call({{"latitude", 1}}, alice_);
  EXPECT_TRUE(r.is_error);
  EXPECT_THAT(r.text, HasSubstr("together"));
  EXPECT_TRUE(call({{"latitude", 91}, {"longitude", 0}}, alice_).is_error);
  EXPECT_TRUE(call({{"sport_type", "swim"}}, alice_).is_error);
  EXPECT_TRUE(call({{"duration_minutes", 5}}, alice_).is_error);
  EXPECT_TRUE(call({{"days", 3}}, alice_).is_error);
  EXPECT_EQ(fake_.request_count(), 0U);
}

TEST_P(tools_WeatherTools, ProviderFailuresAreToolErrors) {
  fake_.set_mode(FakeOpenWeather::Mode::rate_limited);
  auto r = call({{"latitude", 1}, {"longitude", 2}}, alice_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, ErrorCode::external_rate_limited);
  EXPECT_THAT(r.text, HasSubstr("try again later"));
  fake_.set_mode(FakeOpenWeather::Mode::unauthorized);
  r = call({{"latitude", 1}, {"longitude", 2}}, alice_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, ErrorCode::external_auth_failed);
  EXPECT_THAT(r.text, ::testing::Not(HasSubstr(FakeOpenWeather::kApiKey)));
}

INSTANTIATE_TEST_SUITE_P(weather, tools_WeatherTools, ::testing::Values("sqlite_memory"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::tools
