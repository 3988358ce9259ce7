// The goal tools through the registry (outputs checked against their outputSchema on every call): set_goal,
// track_progress, suggest_goals, analyze_goal_feasibility — happy paths, Pierre's words, unknown ids, another user's
// goal, bad dates, wrong argument types and anonymous callers.
//
// Suite names start with "tools_" so that `ctest -R tools` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend_fixture.hpp"
#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
using pierre::testing::describe;
using ::testing::HasSubstr;

activity::NewActivity workout(std::string external_id, activity::SportType sport, std::int64_t start_ms,
                              double distance_m, double moving_s) {
  activity::NewActivity item;
  auto& a = item.activity;
  a.source = "test";
  a.external_id = std::move(external_id);
  a.sport = sport;
  a.name = "Workout " + a.external_id;
  a.device = "test";
  a.summary.start_time_ms = start_ms;
  a.summary.moving_time_s = moving_s;
  a.summary.elapsed_time_s = moving_s + 30;
  a.summary.distance_m = distance_m;
  return item;
}

class tools_GoalTools : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* tenant : {"t1", "t2"}) {
      pierre::testing::add_tenant(db(), tenant);
      if (HasFatalFailure()) return;
    }
    auto cursors = store::CursorCodec::create(crypto::Bytes(32, 9));
    ASSERT_TRUE(cursors) << describe(cursors);
    activities_ = std::make_unique<activity::Service>(db(), std::move(*cursors));
    profiles_ = std::make_unique<profile::Service>(db(), *activities_);
    goals_ = std::make_unique<goals::Service>(db(), *activities_, *profiles_);
    registry_.set_output_check(Registry::OutputCheck::every_call);
    auto registered = register_goal_tools(registry_, *activities_, *profiles_, *goals_);
    ASSERT_TRUE(registered) << describe(registered);

    // Alice ran 8 km every 3 days for the last 4 weeks, plus a 5 km in 20:00 ten days ago.
    now_ = now_epoch_ms();
    std::vector<activity::NewActivity> items;
    for (int i = 1; i <= 9; ++i) {
      items.push_back(
          workout("easy" + std::to_string(i), activity::SportType::run, now_ - i * 3 * kDayMs, 8'000, 2'880));
    }
    items.push_back(workout("5k", activity::SportType::run, now_ - 10 * kDayMs + 3'600'000, 5'000, 1'200));
    auto stored = activities_->store({"t1", "usr_alice"}, std::move(items));
    ASSERT_TRUE(stored) << describe(stored);
  }

  CallResult call(std::string_view tool, const json& args, const CallContext& who) {
    CallContext ctx = who;
    ctx.request_id = "req-goal-test";
    auto r = registry_.call(tool, args, ctx);
    EXPECT_TRUE(r) << tool << ": " << describe(r);
    return r ? *r : CallResult{};
  }

  std::string in_days(int days) const { return goals::day_of(now_ + days * kDayMs); }

  // A stored goal of alice's.
  std::string alice_goal(json args = {}) {
    if (args.empty()) {
      args = {{"title", "Run 60 km"},
              {"goal_type", "distance"},
              {"target_value", 60'000},
              {"target_date", in_days(28)},
              {"sport_type", "Run"}};
    }
    auto r = call("set_goal", args, alice_);
    EXPECT_FALSE(r.is_error) << r.text;
    return r.structured.value("goal_id", std::string());
  }

  Registry registry_;
  std::unique_ptr<activity::Service> activities_;
  std::unique_ptr<profile::Service> profiles_;
  std::unique_ptr<goals::Service> goals_;
  std::int64_t now_ = 0;
  static CallContext as(std::string user, std::string tenant) {
    CallContext ctx;
    ctx.user_id = std::move(user);
    ctx.tenant_id = std::move(tenant);
    return ctx;
  }
  CallContext alice_ = as("usr_alice", "t1");
  CallContext bob_ = as("usr_bob", "t1");
  CallContext carol_ = as("usr_alice", "t2");  // another tenant, same user id string
  CallContext anonymous_ = as("", "");
};

TEST_P(tools_GoalTools, DeclaresSchemasAndAnnotations) {
  for (const char* name : {"set_goal", "track_progress", "suggest_goals", "analyze_goal_feasibility"}) {
    const auto* tool = registry_.find(name);
    ASSERT_NE(tool, nullptr) << name;
    EXPECT_EQ(tool->input_schema["additionalProperties"], false) << name;
    EXPECT_TRUE(tool->output_schema.is_object()) << name;
    EXPECT_FALSE(tool->annotations.destructive) << name;
    EXPECT_FALSE(tool->annotations.open_world) << name;
  }
  EXPECT_FALSE(registry_.find("set_goal")->annotations.read_only);
  EXPECT_FALSE(registry_.find("track_progress")->annotations.read_only);  // may mark a goal achieved
  EXPECT_TRUE(registry_.find("suggest_goals")->annotations.read_only);
  EXPECT_TRUE(registry_.find("analyze_goal_feasibility")->annotations.read_only);
  // Pierre's parameters are all there.
  const auto& set = registry_.find("set_goal")->input_schema["properties"];
  for (const char* p : {"title", "goal_type", "target_value", "target_date", "description", "sport_type"}) {
    EXPECT_TRUE(set.contains(p)) << p;
  }
  EXPECT_TRUE(registry_.find("suggest_goals")->input_schema["properties"].contains("provider"));
  EXPECT_TRUE(registry_.find("suggest_goals")->input_schema["properties"].contains("goal_category"));
}

TEST_P(tools_GoalTools, SetGoalStoresTheGoalWithUnitSuffixedFields) {
  auto r = call("set_goal",
                {{"title", "Run 60 km"},
                 {"description", "Base block"},
                 {"goal_type", "distance"},
                 {"target_value", 60'000},
                 {"target_date", in_days(28)},
                 {"sport_type", "Run"}},
                alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  const auto& g = r.structured;
  EXPECT_THAT(g["goal_id"].get<std::string>(), ::testing::StartsWith("goal_"));
  EXPECT_EQ(g["goal_type"], "distance");
  EXPECT_EQ(g["sport_type"], "run");
  EXPECT_EQ(g["unit"], "m");
  EXPECT_EQ(g["target_total_distance_m"], 60'000.0);
  EXPECT_EQ(g["status"], "active");
  EXPECT_EQ(g["start_date"], goals::day_of(now_));
  EXPECT_THAT(r.text, HasSubstr("Goal set"));

  // Pierre's words: "time" is a duration goal, "performance" a race time; provider casing for sports.
  r = call("set_goal",
           {{"title", "Ride 10 h"},
            {"goal_type", "time"},
            {"target_value", 36'000},
            {"target_date", in_days(30)},
            {"sport_type", "VirtualRide"}},
           alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["goal_type"], "duration");
  EXPECT_EQ(r.structured["sport_type"], "virtual_ride");
  EXPECT_EQ(r.structured["target_moving_time_s"], 36'000.0);

  r = call("set_goal",
           {{"title", "Sub-19 5K"},
            {"goal_type", "performance"},
            {"target_value", 1'140},
            {"target_distance_m", 5'000},
            {"target_date", in_days(84)}},
           alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["goal_type"], "race_time");
  EXPECT_EQ(r.structured["sport_type"], "run");
  EXPECT_EQ(r.structured["target_time_s"], 1'140.0);
  EXPECT_EQ(r.structured["target_distance_m"], 5'000.0);
  ASSERT_TRUE(r.structured["baseline_value"].is_number());
  EXPECT_NEAR(r.structured["baseline_value"].get<double>(), 1'200, 0.5);  // the 5 km in 20:00
}

TEST_P(tools_GoalTools, SetGoalRefusesBadInput) {
  auto base = json{{"title", "x"}, {"goal_type", "distance"}, {"target_value", 1'000}, {"target_date", in_days(7)}};
  auto with = [&](const char* key, json value) {
    auto args = base;
    args[key] = std::move(value);
    return call("set_goal", args, alice_);
  };
  auto r = with("target_date", in_days(-1));
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, ErrorCode::value_out_of_range);
  EXPECT_THAT(r.text, HasSubstr("past"));
  r = with("target_date", "03/02/2026");
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, ErrorCode::invalid_format);
  r = with("target_date", "2026-02-30");
  EXPECT_EQ(r.error_code, ErrorCode::invalid_format);
  r = with("target_value", "ten km");  // wrong type: caught by the schema
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, ErrorCode::invalid_input);
  r = with("target_value", -3);
  EXPECT_TRUE(r.is_error);
  r = with("goal_type", "weight_loss");
  EXPECT_EQ(r.error_code, ErrorCode::invalid_input);
  r = with("sport_type", "quidditch");
  EXPECT_EQ(r.error_code, ErrorCode::invalid_input);
  EXPECT_THAT(r.text, HasSubstr("sport_type"));
  r = with("priority", "high");  // additionalProperties: false
  EXPECT_EQ(r.error_code, ErrorCode::invalid_input);
  auto missing = base;
  missing.erase("target_date");
  r = call("set_goal", missing, alice_);
  EXPECT_EQ(r.error_code, ErrorCode::invalid_input);
  r = call("set_goal", base, anonymous_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, ErrorCode::auth_required);
  EXPECT_THAT(r.text, HasSubstr("sign in"));
  // Nothing was stored.
  auto list = goals_->list({"t1", "usr_alice"});
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST_P(tools_GoalTools, TrackProgressMeasuresAndMarksAchieved) {
  // Counting starts today: no run yet.
  const auto id = alice_goal();
  auto r = call("track_progress", {{"goal_id", id}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["goal_id"], id);
  EXPECT_EQ(r.structured["current_value"], 0.0);
  EXPECT_EQ(r.structured["percent_complete"], 0.0);
  EXPECT_EQ(r.structured["reached"], false);
  EXPECT_EQ(r.structured["newly_achieved"], false);
  EXPECT_EQ(r.structured["status"], "active");

  // A frequency goal of one run reached by a run this morning (start of today UTC ≤ now − 1 min).
  const auto one = alice_goal({{"title", "One run"},
                               {"goal_type", "frequency"},
                               {"target_value", 1},
                               {"target_date", in_days(7)},
                               {"sport_type", "run"}});
  std::vector<activity::NewActivity> today;
  const auto start_of_today = *goals::parse_day(goals::day_of(now_));
  today.push_back(
      workout("today", activity::SportType::trail_run, std::max(now_ - 60'000, start_of_today), 5'000, 1'800));
  ASSERT_TRUE(activities_->store({"t1", "usr_alice"}, std::move(today)));
  r = call("track_progress", {{"goal_id", one}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["current_value"], 1.0);
  EXPECT_EQ(r.structured["percent_complete"], 100.0);
  EXPECT_EQ(r.structured["newly_achieved"], true);
  EXPECT_EQ(r.structured["status"], "achieved");
  EXPECT_THAT(r.text, HasSubstr("achieved"));
  r = call("track_progress", {{"goal_id", one}}, alice_);
  EXPECT_EQ(r.structured["newly_achieved"], false);
  EXPECT_EQ(r.structured["status"], "achieved");
}

TEST_P(tools_GoalTools, UnknownAndOtherUsersGoalsAreNotFound) {
  const auto id = alice_goal();
  for (const auto* who : {&bob_, &carol_}) {
    auto r = call("track_progress", {{"goal_id", id}}, *who);
    EXPECT_TRUE(r.is_error);
    EXPECT_EQ(r.error_code, ErrorCode::resource_not_found);
    r = call("analyze_goal_feasibility", {{"goal_id", id}}, *who);
    EXPECT_TRUE(r.is_error);
    EXPECT_EQ(r.error_code, ErrorCode::resource_not_found);
  }
  auto unknown = call("track_progress", {{"goal_id", "goal_nope"}}, alice_);
  EXPECT_EQ(unknown.error_code, ErrorCode::resource_not_found);
  // The same text for unknown and foreign ids: nothing tells bob the id exists.
  EXPECT_EQ(unknown.text, call("track_progress", {{"goal_id", id}}, bob_).text);
  EXPECT_EQ(call("track_progress", {{"goal_id", ""}}, alice_).error_code, ErrorCode::invalid_input);
  EXPECT_EQ(call("track_progress", {{"goal_id", 42}}, alice_).error_code, ErrorCode::invalid_input);
  EXPECT_EQ(call("track_progress", {{"goal_id", id}}, anonymous_).error_code, ErrorCode::auth_required);
  // Alice's goal is untouched.
  EXPECT_FALSE(call("track_progress", {{"goal_id", id}}, alice_).is_error);
}

TEST_P(tools_GoalTools, SuggestGoalsGivesSettableGoalsWithRationales) {
  auto r = call("suggest_goals", {{"provider", "strava"}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  const auto& list = r.structured["suggestions"];
  EXPECT_GE(list.size(), 3u);
  EXPECT_LE(list.size(), 6u);
  EXPECT_EQ(r.structured["goal_category"], "all");
  EXPECT_EQ(r.structured["activities_analyzed"], 10);
  bool race = false;
  for (const auto& s : list) {
    EXPECT_FALSE(s["rationale"].get<std::string>().empty());
    race = race || s["goal_type"] == "race_time";
    // Each one can be set as it is.
    json args = {{"title", s["title"]},
                 {"goal_type", s["goal_type"]},
                 {"target_value", s["target_value"]},
                 {"target_date", s["target_date"]}};
    if (!s["sport_type"].is_null()) args["sport_type"] = s["sport_type"];
    if (s.contains("target_distance_m")) args["target_distance_m"] = s["target_distance_m"];
    auto set = call("set_goal", args, alice_);
    EXPECT_FALSE(set.is_error) << s.dump() << " → " << set.text;
  }
  EXPECT_TRUE(race);
  // 9 runs of 8 km in the last 28 days (days 3…27) + the 5 km = 77 km → +10 % = 84.7 km.
  EXPECT_EQ(list[0]["goal_type"], "distance");
  EXPECT_EQ(list[0]["target_value"], 84'700.0);
  EXPECT_THAT(list[0]["rationale"].get<std::string>(), HasSubstr("77.0 km"));

  r = call("suggest_goals", {{"goal_category", "performance"}, {"sport_type", "Run"}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  for (const auto& s : r.structured["suggestions"]) EXPECT_EQ(s["category"], "performance");
  EXPECT_EQ(call("suggest_goals", {{"goal_category", "fun"}}, alice_).error_code, ErrorCode::invalid_input);
  EXPECT_EQ(call("suggest_goals", json::object(), anonymous_).error_code, ErrorCode::auth_required);
}

TEST_P(tools_GoalTools, AnalyzeFeasibilityByIdOrByData) {
  const auto id = alice_goal();
  auto r = call("analyze_goal_feasibility", {{"goal_id", id}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["goal_id"], id);
  EXPECT_EQ(r.structured["measure"], "distance_m");
  EXPECT_EQ(r.structured["rate_unit"], "m/week");
  // Last 4 weeks: 9 × 8 km + 5 km = 77 km → 19 250 m/week; 60 km in 4 weeks = 15 000 m/week.
  EXPECT_NEAR(r.structured["current_rate"].get<double>(), 77'000.0 / 4, 1e-6);
  EXPECT_EQ(r.structured["thresholds"]["recent_weeks"], 4);
  EXPECT_GT(r.structured["required_rate"].get<double>(), 14'000);
  EXPECT_EQ(r.structured["verdict"], "likely");  // less than now
  EXPECT_FALSE(r.structured["reasons"].empty());
  EXPECT_TRUE(r.structured["thresholds"].contains("max_weekly_ramp_percent"));

  r = call("analyze_goal_feasibility",
           {{"goal_data",
             {{"goal_type", "race_time"},
              {"target_value", 1'170},
              {"target_distance_m", 5'000},
              {"target_date", in_days(84)}}}},
           alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_TRUE(r.structured["goal_id"].is_null());
  EXPECT_EQ(r.structured["measure"], "vdot");
  // VDOT ≈ 49.8 → 19:30 (≈ +0.8 VDOT) in 12 weeks is well within one unit per 6 weeks.
  EXPECT_EQ(r.structured["verdict"], "likely");
  EXPECT_EQ(r.structured["feasible"], true);
  EXPECT_NEAR(r.structured["current_level"].get<double>(), 49.8, 0.1);
  EXPECT_EQ(r.structured["percent_complete"], 0.0);  // measured from where it would start: now

  r = call("analyze_goal_feasibility",
           {{"goal_data", {{"goal_type", "ftp"}, {"target_value", 300}, {"target_date", in_days(56)}}}}, alice_);
  ASSERT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.structured["data_sufficient"], false);  // no FTP configured and no power data

  EXPECT_EQ(call("analyze_goal_feasibility", {{"goal_id", id}, {"goal_data", {{"goal_type", "distance"}}}}, alice_)
                .error_code,
            ErrorCode::invalid_input);
  EXPECT_EQ(call("analyze_goal_feasibility", json::object(), alice_).error_code, ErrorCode::invalid_input);
  r = call("analyze_goal_feasibility",
           {{"goal_data", {{"goal_type", "distance"}, {"target_value", 5'000}, {"target_date", "2020-01-01"}}}},
           alice_);
  EXPECT_EQ(r.error_code, ErrorCode::value_out_of_range);
  EXPECT_EQ(call("analyze_goal_feasibility", {{"goal_id", "goal_nope"}}, alice_).error_code,
            ErrorCode::resource_not_found);
}

// What suggest_goals proposes, analyze_goal_feasibility rates feasible — "likely" — on the same data: both measure
// the current volume over the same 4 weeks. Alice's running all falls in the last 4 weeks, so the 8-week mean the
// feasibility analysis used to take (half of her real weekly volume) rated the +10 % distance suggestion unlikely.
TEST_P(tools_GoalTools, EverySuggestionIsFeasible) {
  // A few rides too, so the cycling family is suggested and judged.
  std::vector<activity::NewActivity> rides;
  for (int i = 1; i <= 6; ++i) {
    rides.push_back(
        workout("ride" + std::to_string(i), activity::SportType::ride, now_ - (i * 4 + 1) * kDayMs, 40'000, 5'400));
  }
  ASSERT_TRUE(activities_->store({"t1", "usr_alice"}, std::move(rides)));
  for (const char* category : {"all", "distance", "consistency", "performance"}) {
    for (const json& sport : {json(nullptr), json("run"), json("ride")}) {
      json args = {{"goal_category", category}};
      if (!sport.is_null()) args["sport_type"] = sport;
      auto suggested = call("suggest_goals", args, alice_);
      ASSERT_FALSE(suggested.is_error) << suggested.text;
      for (const auto& s : suggested.structured["suggestions"]) {
        json goal = {
            {"goal_type", s["goal_type"]}, {"target_value", s["target_value"]}, {"target_date", s["target_date"]}};
        if (!s["sport_type"].is_null()) goal["sport_type"] = s["sport_type"];
        if (s.contains("target_distance_m")) goal["target_distance_m"] = s["target_distance_m"];
        auto r = call("analyze_goal_feasibility", {{"goal_data", goal}}, alice_);
        ASSERT_FALSE(r.is_error) << r.text;
        const auto label = args.dump() + " " + s.dump() + " → " + r.text;
        EXPECT_EQ(r.structured["feasible"], true) << label;
        EXPECT_EQ(r.structured["verdict"], "likely") << label;
      }
    }
  }
}

// A cycling volume goal is explained with sources about training load in general (Gabbett's acute:chronic workload
// ratio, ACSM progression guidance), never with running studies; a running goal keeps its running sources.
TEST_P(tools_GoalTools, CyclingGoalReasonsCiteNoRunningLiterature) {
  std::vector<activity::NewActivity> rides;
  for (int i = 1; i <= 8; ++i) {
    rides.push_back(
        workout("ride" + std::to_string(i), activity::SportType::virtual_ride, now_ - i * 3 * kDayMs, 30'000, 3'600));
  }
  ASSERT_TRUE(activities_->store({"t1", "usr_alice"}, std::move(rides)));
  const auto reasons_of = [&](const json& goal) {
    auto r = call("analyze_goal_feasibility", {{"goal_data", goal}}, alice_);
    EXPECT_FALSE(r.is_error) << r.text;
    std::string all;
    for (const auto& reason : r.structured["reasons"]) all += reason.get<std::string>() + "\n";
    return std::pair{r.structured.value("verdict", std::string()), all};
  };
  // 240 km of riding in the last 4 weeks = 60 km/week: 250 km in 4 weeks is likely, 300 km challenging or beyond,
  // 600 km far beyond; 30 km of moving-time goals likewise; nothing to build from for a swim.
  for (const json& goal : {
           json{{"goal_type", "distance"},
                {"target_value", 250'000},
                {"target_date", in_days(28)},
                {"sport_type", "ride"}},
           json{{"goal_type", "distance"},
                {"target_value", 300'000},
                {"target_date", in_days(28)},
                {"sport_type", "ride"}},
           json{{"goal_type", "distance"},
                {"target_value", 600'000},
                {"target_date", in_days(28)},
                {"sport_type", "Ride"}},
           json{{"goal_type", "duration"},
                {"target_value", 120'000},
                {"target_date", in_days(28)},
                {"sport_type", "ride"}},
           json{{"goal_type", "distance"},
                {"target_value", 20'000},
                {"target_date", in_days(28)},
                {"sport_type", "swim"}},
       }) {
    const auto [verdict, reasons] = reasons_of(goal);
    const auto label = goal.dump() + " → " + verdict + ":\n" + reasons;
    for (const char* running : {"Nielsen", "Buist", "running", "runner", "10 % rule"}) {
      EXPECT_THAT(reasons, ::testing::Not(HasSubstr(running))) << label;
    }
    EXPECT_THAT(reasons, ::testing::AnyOf(HasSubstr("Gabbett 2016"), HasSubstr("Garber et al. 2011"))) << label;
  }
  EXPECT_EQ(
      reasons_of(
          {{"goal_type", "distance"}, {"target_value", 600'000}, {"target_date", in_days(28)}, {"sport_type", "ride"}})
          .first,
      "unlikely");
  // The same jump for running still cites the running study.
  const auto [verdict, reasons] = reasons_of(
      {{"goal_type", "distance"}, {"target_value", 300'000}, {"target_date", in_days(28)}, {"sport_type", "run"}});
  EXPECT_EQ(verdict, "unlikely");
  EXPECT_THAT(reasons, HasSubstr("Nielsen et al. 2014"));
}

INSTANTIATE_TEST_SUITE_P(goals, tools_GoalTools, ::testing::Values("sqlite_memory", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::tools
