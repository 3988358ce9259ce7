// The product's whole tool set (tools::register_product_tools, as the server registers it) over a real SQLite store
// holding a generated athlete: every tool is called and its structuredContent checked against its outputSchema (the
// registry validates every call here); docs/TOOLS.md must be what the registry renders; bad input is a tool error
// that names the problem and changes nothing; numbers agree with their definitions and across tools; GPS output
// respects privacy zones.
//
// Suite names start with "tools_" so that `ctest -R tools` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "backend_fixture.hpp"
#include "pierre/activity/demo_athlete.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kTenant = "t1";
constexpr const char* kAlice = "usr_alice";
constexpr const char* kBob = "usr_bob";

// A minimal GPX track (three points, one minute) for import_activity_file.
constexpr const char* kGpx = R"(<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Test walk</name><type>walking</type>
<trkseg><trkpt lat="46.0500" lon="14.5000"><ele>300</ele><time>2020-01-01T10:00:00Z</time></trkpt>
<trkpt lat="46.0505" lon="14.5000"><ele>301</ele><time>2020-01-01T10:00:30Z</time></trkpt>
<trkpt lat="46.0510" lon="14.5000"><ele>302</ele><time>2020-01-01T10:01:00Z</time></trkpt></trkseg></trk></gpx>)";

class tools_Product : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto db = store::open("sqlite::memory:");
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    pierre::testing::add_tenant(*db_, kTenant);
    if (HasFatalFailure()) return;
    auto cursors = store::CursorCodec::create(crypto::Bytes(32, 7));
    ASSERT_TRUE(cursors);
    activities_ = std::make_unique<activity::Service>(*db_, std::move(*cursors));
    profiles_ = std::make_unique<profile::Service>(*db_, *activities_);
    goals_ = std::make_unique<goals::Service>(*db_, *activities_, *profiles_);
    // The providers as the server builds them, unconfigured (no credentials): connection tools answer from them.
    auto keys = auth::KeyStore::open(*db_, crypto::Bytes(32, 9));
    ASSERT_TRUE(keys) << keys.error().message;
    keys_ = std::move(*keys);
    provider_set_ = std::make_unique<providers::ProviderSet>();
    provider_set_->add(providers::make_strava({}));
    provider_set_->add(providers::make_garmin({}));
    provider_set_->add(providers::make_fitbit({}));
    connections_ = std::make_unique<providers::Connections>(*db_, *keys_, *provider_set_);
    sync_ = std::make_unique<providers::SyncEngine>(*connections_, *activities_, *provider_set_);
    registry_ = std::make_unique<Registry>();
    registry_->set_output_check(Registry::OutputCheck::every_call);
    auto registered =
        register_product_tools(*registry_, {*activities_, *profiles_, *goals_, nullptr, *connections_, *sync_});
    ASSERT_TRUE(registered) << registered.error().message;

    // Four months of generated training at 5 s samples: runs, rides (with power), swims, strength.
    auto demo = activity::generate_demo_athlete(
        {.seed = 7, .end_time_ms = now_epoch_ms(), .days = 120, .sample_interval_s = 5});
    std::vector<activity::NewActivity> items;
    for (auto& a : demo.activities) items.push_back({std::move(a.activity), std::move(a.streams)});
    auto stored = activities_->store({kTenant, kAlice}, std::move(items));
    ASSERT_TRUE(stored) << stored.error().message;
    auto saved = profiles_->update({kTenant, kAlice}, std::nullopt,
                                   {{"max_hr_bpm", 188},
                                    {"resting_hr_bpm", 48},
                                    {"lthr_bpm", 172},
                                    {"ftp_w", 250},
                                    {"weight_kg", 68},
                                    {"height_cm", 178},
                                    {"age_years", 34},
                                    {"sex", "male"},
                                    {"vo2max", 55},
                                    {"threshold_pace_s_per_km", 246}});
    ASSERT_TRUE(saved) << saved.error().message;
  }
  static void TearDownTestSuite() {
    registry_.reset();
    sync_.reset();
    connections_.reset();
    provider_set_.reset();
    keys_.reset();
    goals_.reset();
    profiles_.reset();
    activities_.reset();
    db_.reset();
  }

  static CallResult call(std::string_view tool, const json& args, const char* user = kAlice) {
    CallContext ctx;
    ctx.request_id = "req-product-test";
    if (user != nullptr) {
      ctx.user_id = user;
      ctx.tenant_id = kTenant;
    }
    auto r = registry_->call(tool, args, ctx);
    EXPECT_TRUE(r) << tool << ": " << (r ? "" : r.error().message);
    return r ? *r : CallResult{};
  }
  // A successful call's structured result.
  static json ok(std::string_view tool, const json& args = json::object()) {
    auto r = call(tool, args);
    EXPECT_FALSE(r.is_error) << tool << " " << args.dump() << ": " << r.text;
    return r.structured;
  }
  static std::string first_id(const char* sport) {
    auto page = ok("get_activities", {{"limit", 1}, {"sport_type", sport}});
    EXPECT_EQ(page["count"], 1) << sport;
    return page["activities"].empty() ? std::string() : page["activities"][0]["id"].get<std::string>();
  }

  static inline std::unique_ptr<store::Database> db_;
  static inline std::unique_ptr<activity::Service> activities_;
  static inline std::unique_ptr<profile::Service> profiles_;
  static inline std::unique_ptr<goals::Service> goals_;
  static inline std::unique_ptr<auth::KeyStore> keys_;
  static inline std::unique_ptr<providers::ProviderSet> provider_set_;
  static inline std::unique_ptr<providers::Connections> connections_;
  static inline std::unique_ptr<providers::SyncEngine> sync_;
  static inline std::unique_ptr<Registry> registry_;
};

TEST_F(tools_Product, ConnectionToolsSayWhatTheServerOffersAndNeverCrash) {
  const auto status = ok("get_connection_status");
  ASSERT_EQ(status["providers"].size(), 3u) << status.dump();
  std::set<std::string> names;
  for (const auto& p : status["providers"]) {
    names.insert(p["provider"].get<std::string>());
    EXPECT_EQ(p["status"], "not_configured") << p.dump();
    EXPECT_EQ(p["connected"], false);
    EXPECT_THAT(p["message"].get<std::string>(), HasSubstr("not configured"));
  }
  EXPECT_EQ(names, (std::set<std::string>{"strava", "garmin", "fitbit"}));
  EXPECT_EQ(status["connected_count"], 0);
  EXPECT_EQ(ok("get_connection_status", {{"provider", "garmin"}})["providers"].size(), 1u);
  // An anonymous development caller sees the same offer (and no connections).
  auto anonymous_status = call("get_connection_status", json::object(), nullptr);
  EXPECT_FALSE(anonymous_status.is_error) << anonymous_status.text;
  EXPECT_EQ(anonymous_status.structured["providers"].size(), 3u);

  const auto gone = ok("disconnect_provider", {{"provider", "fitbit"}});
  EXPECT_EQ(gone["was_connected"], false);
  EXPECT_EQ(gone["deleted_activities"], 0);
  // An unknown provider is refused by the input schema before any handler runs.
  CallContext anonymous;
  auto bad = registry_->call("connect_provider", {{"provider", "polar"}}, anonymous);
  EXPECT_TRUE(!bad || bad->is_error);
}

TEST_F(tools_Product, EveryToolAnswersWithOutputThatMatchesItsSchema) {
  const auto ride = first_id("ride");
  const auto run = first_id("run");
  auto second_run =
      ok("get_activities", {{"limit", 2}, {"sport_type", "run"}})["activities"][1]["id"].get<std::string>();
  const auto goal = ok("set_goal", {{"title", "Run 100 km"},
                                    {"goal_type", "distance"},
                                    {"target_value", 100000},
                                    {"target_date", iso8601_ms(now_epoch_ms() + 30 * 86'400'000LL).substr(0, 10)},
                                    {"sport_type", "run"}});
  const std::string goal_id = goal.value("goal_id", std::string());
  ASSERT_FALSE(goal_id.empty()) << goal.dump();
  std::string gpx_b64 = crypto::base64_encode(crypto::as_bytes(kGpx));
  const std::map<std::string, json> args{
      {"get_activities", {{"limit", 5}}},
      {"get_athlete", json::object()},
      {"get_stats", json::object()},
      {"get_connection_status", json::object()},
      {"disconnect_provider", {{"provider", "strava"}}},
      {"analyze_activity", {{"activity_id", ride}}},
      {"get_activity_intelligence", {{"activity_id", run}}},
      {"calculate_metrics", {{"activity_id", ride}}},
      {"compare_activities", {{"activity_ids", {run, second_run}}}},
      {"analyze_training_load", json::object()},
      {"analyze_performance_trends", {{"metric", "pace"}}},
      {"detect_patterns", json::object()},
      {"generate_recommendations", json::object()},
      {"calculate_fitness_score", json::object()},
      {"predict_performance", json::object()},
      {"calculate_daily_nutrition", json::object()},
      {"set_goal",
       {{"title", "Ride 20 times"},
        {"goal_type", "frequency"},
        {"target_value", 20},
        {"target_date", iso8601_ms(now_epoch_ms() + 60 * 86'400'000LL).substr(0, 10)},
        {"sport_type", "ride"}}},
      {"suggest_goals", json::object()},
      {"analyze_goal_feasibility", {{"goal_id", goal_id}}},
      {"track_progress", {{"goal_id", goal_id}}},
      {"get_configuration_catalog", json::object()},
      {"get_configuration_profiles", json::object()},
      {"get_user_configuration", json::object()},
      {"update_user_configuration", {{"parameters", {{"resting_hr_bpm", 48}}}}},
      {"calculate_personalized_zones", json::object()},
      {"validate_configuration", {{"parameters", {{"ftp_w", 300}}}}},
      {"import_activity_file", {{"content_base64", gpx_b64}, {"filename", "walk.gpx"}}},
  };
  std::set<std::string> called;
  for (const auto& d : registry_->descriptors()) {
    const auto name = d["name"].get<std::string>();
    EXPECT_TRUE(d.contains("outputSchema")) << name << " has no outputSchema";
    EXPECT_TRUE(d.contains("annotations")) << name;
    if (name == "connect_provider") {
      // No provider credentials on this server: a clear tool error naming the cause.
      auto r = call(name, {{"provider", "strava"}});
      EXPECT_TRUE(r.is_error);
      EXPECT_THAT(r.text, HasSubstr("not configured"));
      called.insert(name);
      continue;
    }
    if (name == "get_weather_forecast") {
      // No weather client here: a clear tool error, never a crash.
      auto r = call(name, json::object());
      EXPECT_TRUE(r.is_error);
      EXPECT_THAT(r.text, HasSubstr("OPENWEATHER_API_KEY"));
      called.insert(name);
      continue;
    }
    const auto it = args.find(name);
    ASSERT_NE(it, args.end()) << "no test arguments for tool " << name << ": add them here";
    auto r = call(name, it->second);
    EXPECT_FALSE(r.is_error) << name << ": " << r.text;
    EXPECT_TRUE(r.structured.is_object()) << name;
    EXPECT_FALSE(r.text.empty()) << name;
    called.insert(name);
  }
  EXPECT_GE(called.size(), 29u);
  // Pierre's 25 tool names are all served.
  for (const char* pierre_tool : {"get_activities",
                                  "get_athlete",
                                  "get_stats",
                                  "analyze_activity",
                                  "get_activity_intelligence",
                                  "get_connection_status",
                                  "disconnect_provider",
                                  "set_goal",
                                  "suggest_goals",
                                  "analyze_goal_feasibility",
                                  "track_progress",
                                  "calculate_metrics",
                                  "analyze_performance_trends",
                                  "compare_activities",
                                  "detect_patterns",
                                  "generate_recommendations",
                                  "calculate_fitness_score",
                                  "predict_performance",
                                  "analyze_training_load",
                                  "get_configuration_catalog",
                                  "get_configuration_profiles",
                                  "get_user_configuration",
                                  "update_user_configuration",
                                  "calculate_personalized_zones",
                                  "validate_configuration"}) {
    EXPECT_TRUE(registry_->contains(pierre_tool)) << pierre_tool;
  }
}

TEST_F(tools_Product, ToolsReferenceIsGeneratedFromTheRegistry) {
  const auto rendered = tools_markdown(*registry_);
  const std::string path = std::string(PIERRE_SOURCE_DIR) + "/docs/TOOLS.md";
  if (const char* update = std::getenv("PIERRE_UPDATE_DOCS"); update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing: run `make docs`";
  std::stringstream current;
  current << in.rdbuf();
  EXPECT_EQ(current.str(), rendered) << "docs/TOOLS.md is out of date: run `make docs`";
  for (const auto& d : registry_->descriptors()) {
    EXPECT_THAT(rendered, HasSubstr("## " + d["name"].get<std::string>()));
  }
}

TEST_F(tools_Product, UnknownAndForeignActivitiesAreToolErrorsNamingTheId) {
  const auto ride = first_id("ride");
  for (const char* tool : {"analyze_activity", "calculate_metrics", "get_activity_intelligence"}) {
    auto unknown = call(tool, {{"activity_id", "act_nope"}});
    EXPECT_TRUE(unknown.is_error) << tool;
    EXPECT_EQ(unknown.error_code, ErrorCode::resource_not_found) << tool;
    EXPECT_THAT(unknown.text, HasSubstr("act_nope")) << tool;
    // Bob asking for Alice's activity sees exactly what an unknown id gives.
    auto foreign = call(tool, {{"activity_id", ride}}, kBob);
    EXPECT_TRUE(foreign.is_error) << tool;
    EXPECT_EQ(foreign.error_code, ErrorCode::resource_not_found) << tool;
  }
  auto compare = call("compare_activities", {{"activity_ids", {ride, "act_nope"}}});
  EXPECT_TRUE(compare.is_error);
  EXPECT_THAT(compare.text, HasSubstr("act_nope"));
}

TEST_F(tools_Product, AnonymousCallersAreAskedToSignIn) {
  for (const char* tool : {"get_activities", "analyze_training_load", "get_user_configuration", "get_stats"}) {
    auto r = call(tool, json::object(), nullptr);
    EXPECT_TRUE(r.is_error) << tool;
    EXPECT_EQ(r.error_code, ErrorCode::auth_required) << tool;
  }
}

TEST_F(tools_Product, WrongArgumentsAreRejectedWithThePreciseProblem) {
  auto bad_type = call("get_activities", {{"limit", "ten"}});
  EXPECT_TRUE(bad_type.is_error);
  EXPECT_EQ(bad_type.error_code, ErrorCode::invalid_input);
  auto out_of_range = call("get_activities", {{"limit", 0}});
  EXPECT_TRUE(out_of_range.is_error);
  auto bad_timeframe = call("analyze_training_load", {{"timeframe", "decade"}});
  EXPECT_TRUE(bad_timeframe.is_error);
  auto bad_date = call("get_activities", {{"after", "yesterday"}});
  EXPECT_TRUE(bad_date.is_error);
  EXPECT_THAT(bad_date.text, HasSubstr("after"));
  auto bad_sport = call("get_activities", {{"sport_type", "quidditch"}});
  EXPECT_TRUE(bad_sport.is_error);
  EXPECT_THAT(bad_sport.text, HasSubstr("quidditch"));
  auto bad_metric = call("calculate_metrics", {{"activity_id", first_id("ride")}, {"metrics", {"vibes"}}});
  EXPECT_TRUE(bad_metric.is_error);
  EXPECT_THAT(bad_metric.text, HasSubstr("vibes"));
}

TEST_F(tools_Product, InvalidConfigurationIsRefusedWholeAndNothingIsSaved) {
  const auto before = ok("get_user_configuration")["configured"];
  // One good value, one out of range, one inconsistent with the saved max HR: nothing may be saved.
  auto r = call("update_user_configuration",
                {{"parameters", {{"ftp_w", 280}, {"weight_kg", 900}, {"lthr_bpm", 199}, {"unknown_knob", 1}}}});
  EXPECT_TRUE(r.is_error);
  EXPECT_THAT(r.text, HasSubstr("weight_kg"));
  EXPECT_THAT(r.text, HasSubstr("unknown_knob"));
  EXPECT_EQ(ok("get_user_configuration")["configured"], before);
  auto inconsistent = call("update_user_configuration", {{"parameters", {{"lthr_bpm", 199}}}});
  EXPECT_TRUE(inconsistent.is_error);
  EXPECT_THAT(inconsistent.text, HasSubstr("max_hr_bpm"));
  auto validated = ok("validate_configuration", {{"parameters", {{"resting_hr_bpm", 200}, {"sex", "x"}}}});
  EXPECT_EQ(validated["valid"], false);
  EXPECT_EQ(validated["problems"].size(), 2u);
  auto unknown_profile = call("update_user_configuration", {{"profile", "olympian"}});
  EXPECT_TRUE(unknown_profile.is_error);
}

TEST_F(tools_Product, PowerMetricsFollowTheirDefinitionsAndTheConfiguredFtp) {
  const auto ride = first_id("ride");
  const auto at_250 = ok("calculate_metrics", {{"activity_id", ride}})["metrics"];
  const double np = at_250["normalized_power_w"].get<double>();
  const double duration_h = at_250["duration_s"].get<double>() / 3600;
  // IF = NP / FTP; TSS = hours × IF² × 100 (Coggan).
  // Outputs are rounded (NP to 0.1 W, IF to 0.001): the tolerances cover that rounding only.
  EXPECT_NEAR(at_250["intensity_factor"].get<double>(), np / 250, 0.0011);
  EXPECT_NEAR(at_250["training_stress_score"].get<double>(), duration_h * std::pow(np / 250, 2) * 100,
              0.01 * at_250["training_stress_score"].get<double>() + 0.1);
  EXPECT_EQ(at_250["methods"]["training_stress_score"], "power_tss_coggan");
  // Calories from mechanical work at 24 % gross efficiency: kcal = kJ / (4.184 × 0.24) ≈ kJ.
  EXPECT_NEAR(at_250["calories_kcal"].get<double>(), at_250["work_kj"].get<double>() / (4.184 * 0.24), 1.5);
  ok("update_user_configuration", {{"parameters", {{"ftp_w", 300}}}});
  const auto at_300 = ok("calculate_metrics", {{"activity_id", ride}})["metrics"];
  ok("update_user_configuration", {{"parameters", {{"ftp_w", 250}}}});
  EXPECT_NEAR(at_300["intensity_factor"].get<double>(), np / 300, 0.0011);
  EXPECT_EQ(at_300["normalized_power_w"], at_250["normalized_power_w"]);
}

TEST_F(tools_Product, TrainingLoadSeriesIsConsistentWithItself) {
  const auto load = ok("analyze_training_load", {{"timeframe", "month"}});
  const auto& daily = load["daily"];
  ASSERT_GE(daily.size(), 29u);
  EXPECT_LE(daily.size(), 31u);
  for (std::size_t i = 1; i < daily.size(); ++i) {
    // Form going into a day is yesterday's fitness minus yesterday's fatigue.
    EXPECT_NEAR(daily[i]["tsb"].get<double>(), daily[i - 1]["ctl"].get<double>() - daily[i - 1]["atl"].get<double>(),
                0.11)
        << daily[i]["date"];
  }
  EXPECT_NEAR(load["ctl"].get<double>(), daily.back()["ctl"].get<double>(), 0.05);
  EXPECT_GT(load["ctl"].get<double>(), 10);
  // The fitness score's aerobic component reads the same CTL.
  const auto score = ok("calculate_fitness_score");
  bool found = false;
  for (const auto& c : score["components"]) {
    if (c["name"] == "aerobic_load") {
      EXPECT_NEAR(c["value"].get<double>(), load["ctl"].get<double>(), 0.11);
      found = true;
    }
  }
  EXPECT_TRUE(found) << score.dump();
  // Recommendations quote the same numbers.
  const auto recs = ok("generate_recommendations", {{"recommendation_type", "recovery"}});
  ASSERT_FALSE(recs["recommendations"].empty());
  EXPECT_EQ(recs["recommendations"][0]["based_on"]["tsb"], load["tsb"]);
}

TEST_F(tools_Product, PredictionsAreMonotonicAndMethodsAgreeRoughly) {
  const auto p = ok("predict_performance");
  std::map<std::string, std::vector<std::pair<double, double>>> by_method;
  for (const auto& item : p["predictions"]) {
    by_method[item["method"].get<std::string>()].emplace_back(item["distance_m"].get<double>(),
                                                              item["time_s"].get<double>());
  }
  ASSERT_EQ(by_method.size(), 2u);
  for (const auto& [method, list] : by_method) {
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_GT(list[i].second, list[i - 1].second) << method;
  }
  const auto& vdot = by_method["vdot_daniels_gilbert"];
  const auto& riegel = by_method["riegel_1981"];
  for (std::size_t i = 0; i < std::min(vdot.size(), riegel.size()); ++i) {
    EXPECT_NEAR(vdot[i].second / riegel[i].second, 1.0, 0.08) << vdot[i].first;
  }
}

TEST_F(tools_Product, LocationsAreRoundedAndHiddenInsidePrivacyZones) {
  const auto run = first_id("run");
  auto shown = ok("get_activity_intelligence", {{"activity_id", run}, {"include_weather", false}});
  ASSERT_TRUE(shown["location"].is_object()) << shown.dump();
  const double lat = shown["location"]["latitude"].get<double>();
  const double lon = shown["location"]["longitude"].get<double>();
  EXPECT_NEAR(lat * 100, std::round(lat * 100), 1e-6);
  EXPECT_NEAR(lon * 100, std::round(lon * 100), 1e-6);
  ok("update_user_configuration",
     {{"parameters", {{"privacy_zones", {{{"latitude", lat}, {"longitude", lon}, {"radius_m", 2000}}}}}}});
  auto hidden = ok("get_activity_intelligence", {{"activity_id", run}, {"include_weather", false}});
  ok("update_user_configuration", {{"parameters", {{"privacy_zones", nullptr}}}});
  EXPECT_TRUE(hidden["location"].is_null()) << hidden.dump();
}

}  // namespace
}  // namespace pierre::tools
