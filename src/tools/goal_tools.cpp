// Goal tools (Pierre's set_goal, suggest_goals, analyze_goal_feasibility, track_progress) over goals::Service: the
// caller's own goals, progress measured from their activities and athlete profile, feasibility against published
// or practitioner rates of improvement (intelligence/goals.hpp). Values are SI and named with their unit.
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;

const json kGoalTypeWords = {"distance", "time", "duration", "frequency", "performance", "race_time", "ftp", "custom"};
const json kOurGoalTypes = {"distance", "duration", "frequency", "race_time", "ftp", "custom"};

json nullable(const char* type) {
  return {{"type", {type, "null"}}};
}

json sport_property() {
  return {{"type", "string"},
          {"maxLength", 64},
          {"description",
           "Sport the goal counts: our snake_case names (run, trail_run, ride, swim…) or a provider's words (Run, "
           "Ride, VirtualRide…). Running goals count every run (trail, treadmill), cycling goals every ride, "
           "swimming goals every swim. Omit to count every sport."}};
}

json goal_properties(bool with_title) {
  json p = {
      {"goal_type",
       {{"type", "string"},
        {"enum", kGoalTypeWords},
        {"description",
         "distance (target_value in metres), time/duration (seconds of moving time), frequency (number of sessions), "
         "performance/race_time (seconds for target_distance_m), ftp (watts), custom (not measured)"}}},
      {"target_value",
       {{"type", "number"},
        {"exclusiveMinimum", 0},
        {"description", "Target in SI units: metres, seconds, sessions or watts (see goal_type)"}}},
      {"target_date",
       {{"type", "string"},
        {"maxLength", 10},
        {"description", "Deadline, a calendar date YYYY-MM-DD (today or later, UTC); the goal counts until its end"}}},
      {"sport_type", sport_property()},
      {"target_distance_m",
       {{"type", "number"},
        {"exclusiveMinimum", 0},
        {"description", "Race distance in metres for race_time goals (1500–50000), e.g. 5000, 10000, 21097.5"}}},
  };
  if (with_title) {
    p["title"] = {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}, {"description", "Goal title"}};
    p["description"] = {{"type", "string"}, {"maxLength", 2000}, {"description", "Goal description"}};
  }
  return p;
}

json goal_schema() {
  return {{"type", "object"},
          {"properties",
           {{"goal_id", {{"type", "string"}}},
            {"title", {{"type", "string"}}},
            {"description", {{"type", "string"}}},
            {"goal_type", {{"type", "string"}, {"enum", kOurGoalTypes}}},
            {"sport_type", nullable("string")},
            {"target_value", {{"type", "number"}}},
            {"unit", {{"type", "string"}}},
            {"baseline_value", nullable("number")},
            {"start_date", {{"type", "string"}}},
            {"target_date", {{"type", "string"}}},
            {"status", {{"type", "string"}, {"enum", {"active", "achieved", "abandoned"}}}},
            {"achieved_at", nullable("string")},
            {"created_at", {{"type", "string"}}},
            {"updated_at", {{"type", "string"}}},
            {"target_total_distance_m", {{"type", "number"}}},
            {"target_moving_time_s", {{"type", "number"}}},
            {"target_sessions", {{"type", "number"}}},
            {"target_time_s", {{"type", "number"}}},
            {"target_distance_m", nullable("number")},
            {"target_ftp_w", {{"type", "number"}}}}},
          {"required",
           {"goal_id", "title", "description", "goal_type", "sport_type", "target_value", "unit", "baseline_value",
            "start_date", "target_date", "status", "achieved_at", "created_at", "updated_at"}}};
}

json progress_schema() {
  return {{"type", "object"},
          {"properties",
           {{"goal_id", {{"type", "string"}}},
            {"title", {{"type", "string"}}},
            {"goal_type", {{"type", "string"}, {"enum", kOurGoalTypes}}},
            {"sport_type", nullable("string")},
            {"unit", {{"type", "string"}}},
            {"status", {{"type", "string"}, {"enum", {"active", "achieved", "abandoned"}}}},
            {"start_date", {{"type", "string"}}},
            {"target_date", {{"type", "string"}}},
            {"target_value", {{"type", "number"}}},
            {"baseline_value", nullable("number")},
            {"current_value", nullable("number")},
            {"percent_complete", {{"type", "number"}, {"minimum", 0}, {"maximum", 100}}},
            {"time_elapsed_percent", {{"type", "number"}, {"minimum", 0}, {"maximum", 100}}},
            {"expected_by_now", nullable("number")},
            {"on_track", nullable("boolean")},
            {"projected_value", nullable("number")},
            {"days_remaining", {{"type", "integer"}, {"minimum", 0}}},
            {"reached", {{"type", "boolean"}}},
            {"activity_count", {{"type", "integer"}, {"minimum", 0}}},
            {"basis", {{"type", "string"}}},
            {"newly_achieved", {{"type", "boolean"}}}}},
          {"required",
           {"goal_id",
            "title",
            "goal_type",
            "sport_type",
            "unit",
            "status",
            "start_date",
            "target_date",
            "target_value",
            "baseline_value",
            "current_value",
            "percent_complete",
            "time_elapsed_percent",
            "expected_by_now",
            "on_track",
            "projected_value",
            "days_remaining",
            "reached",
            "activity_count",
            "basis",
            "newly_achieved"}}};
}

json suggestions_schema() {
  json item = {{"type", "object"},
               {"properties",
                {{"category", {{"type", "string"}, {"enum", {"distance", "performance", "consistency"}}}},
                 {"title", {{"type", "string"}}},
                 {"goal_type", {{"type", "string"}, {"enum", kOurGoalTypes}}},
                 {"sport_type", nullable("string")},
                 {"target_value", {{"type", "number"}}},
                 {"unit", {{"type", "string"}}},
                 {"target_date", {{"type", "string"}}},
                 {"target_distance_m", {{"type", "number"}}},
                 {"rationale", {{"type", "string"}}}}},
               {"required",
                {"category", "title", "goal_type", "sport_type", "target_value", "unit", "target_date", "rationale"}}};
  return {{"type", "object"},
          {"properties",
           {{"suggestions", {{"type", "array"}, {"items", item}}},
            {"goal_category", {{"type", "string"}}},
            {"sport_type", nullable("string")},
            {"activities_analyzed", {{"type", "integer"}, {"minimum", 0}}},
            {"weeks_analyzed", {{"type", "integer"}}}}},
          {"required", {"suggestions", "goal_category", "sport_type", "activities_analyzed", "weeks_analyzed"}}};
}

json feasibility_schema() {
  return {{"type", "object"},
          {"properties",
           {{"goal_id", nullable("string")},
            {"goal_type", {{"type", "string"}, {"enum", kOurGoalTypes}}},
            {"sport_type", nullable("string")},
            {"target_value", {{"type", "number"}}},
            {"unit", {{"type", "string"}}},
            {"target_date", {{"type", "string"}}},
            {"feasible", {{"type", "boolean"}}},
            {"verdict", {{"type", "string"}, {"enum", {"likely", "challenging", "unlikely"}}}},
            {"score", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
            {"measure", {{"type", "string"}}},
            {"rate_unit", {{"type", "string"}}},
            {"required_rate", {{"type", "number"}}},
            {"current_rate", {{"type", "number"}}},
            {"required_increase_percent", nullable("number")},
            {"weekly_ramp_percent", nullable("number")},
            {"weeks_remaining", {{"type", "number"}, {"minimum", 0}}},
            {"current_value", nullable("number")},
            {"current_level", nullable("number")},
            {"target_level", nullable("number")},
            {"percent_complete", {{"type", "number"}}},
            {"data_sufficient", {{"type", "boolean"}}},
            {"reasons", {{"type", "array"}, {"items", {{"type", "string"}}}}},
            {"thresholds", {{"type", "object"}}}}},
          {"required",
           {"goal_id",
            "goal_type",
            "sport_type",
            "target_value",
            "unit",
            "target_date",
            "feasible",
            "verdict",
            "score",
            "measure",
            "rate_unit",
            "required_rate",
            "current_rate",
            "required_increase_percent",
            "weekly_ramp_percent",
            "weeks_remaining",
            "current_value",
            "current_level",
            "target_level",
            "percent_complete",
            "data_sufficient",
            "reasons",
            "thresholds"}}};
}

Result<goals::NewGoal> parse_new_goal(const json& args, std::string default_title) {
  goals::NewGoal g;
  const auto type = goals::goal_type_from_name(args.at("goal_type").get_ref<const std::string&>());
  if (!type) return fail(ErrorCode::invalid_input, "unknown goal_type", {{"field", "goal_type"}});
  g.type = *type;
  g.title = args.value("title", std::move(default_title));
  g.description = args.value("description", std::string());
  g.target_value = args.at("target_value").get<double>();
  g.target_date = args.at("target_date").get<std::string>();
  if (const auto d = args.find("target_distance_m"); d != args.end()) g.target_distance_m = d->get<double>();
  auto sport = support::sport_argument(args);
  if (!sport) return std::unexpected(sport.error());
  g.sport = *sport;
  return g;
}

std::string clock(double seconds) {
  const auto total = static_cast<long long>(std::llround(seconds));
  const auto h = total / 3600;
  const auto m = (total % 3600) / 60;
  const auto s = total % 60;
  return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, s) : fmt::format("{}:{:02}", m, s);
}

std::string value_text(goals::GoalType type, double v) {
  switch (type) {
    case goals::GoalType::distance: return fmt::format("{:.1f} km", v / 1000);
    case goals::GoalType::duration: return fmt::format("{:.1f} h", v / 3600);
    case goals::GoalType::frequency: return fmt::format("{:.0f} session{}", v, std::lround(v) == 1 ? "" : "s");
    case goals::GoalType::race_time: return clock(v);
    case goals::GoalType::ftp: return fmt::format("{:.0f} W", v);
    case goals::GoalType::custom: return fmt::format("{:g}", v);
  }
  return fmt::format("{:g}", v);
}

std::string goal_text(const goals::Goal& g) {
  std::string what = value_text(g.type, g.target_value);
  if (g.type == goals::GoalType::race_time && g.target_distance_m) {
    what = fmt::format("{:g} km in {}", *g.target_distance_m / 1000, what);
  }
  return fmt::format("{} — {} {}{} by {}", g.title, goals::goal_type_name(g.type), what,
                     g.sport ? fmt::format(" ({})", activity::sport_name(*g.sport)) : std::string(), g.target_date);
}

json optional_json(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

// ---- handlers ---------------------------------------------------------------------------------------------------

Result<ToolOutput> set_goal(goals::Service& service, const json& args, CallContext& ctx) {
  auto owner = support::caller(ctx, "set goals");
  if (!owner) return std::unexpected(owner.error());
  auto input = parse_new_goal(args, "");
  if (!input) return std::unexpected(input.error());
  auto goal = service.create(*owner, *input, now_epoch_ms());
  if (!goal) return std::unexpected(goal.error());
  std::string text = "Goal set: " + goal_text(*goal) + " (id " + goal->id + ").";
  if (goal->baseline_value) text += " Starting from " + value_text(goal->type, *goal->baseline_value) + ".";
  return ToolOutput::of(goals::to_json(*goal), std::move(text));
}

Result<ToolOutput> track_progress(goals::Service& service, const json& args, CallContext& ctx) {
  auto owner = support::caller(ctx, "track goals");
  if (!owner) return std::unexpected(owner.error());
  const auto& id = args.at("goal_id").get_ref<const std::string&>();
  auto tracked = service.track(*owner, id, now_epoch_ms());
  if (!tracked) return std::unexpected(tracked.error());
  if (!tracked->has_value()) {
    return fail(ErrorCode::resource_not_found, "no goal with this id", {{"field", "goal_id"}});
  }
  const auto& t = **tracked;
  auto out = goals::to_json(t.progress, t.goal);
  out["newly_achieved"] = t.newly_achieved;
  const auto& p = t.progress;
  std::string text;
  if (p.current_value) {
    text = fmt::format("{}: {} of {} ({:.0f} %), {:.0f} % of the time gone", t.goal.title,
                       value_text(t.goal.type, *p.current_value), value_text(t.goal.type, t.goal.target_value),
                       p.percent_complete, p.time_elapsed_percent);
    if (p.on_track) text += *p.on_track ? " — on track" : " — behind the linear pace";
    if (p.expected_by_now && !p.reached) {
      text += fmt::format(" (expected by now {})", value_text(t.goal.type, *p.expected_by_now));
    }
    if (p.projected_value && !p.reached) {
      text += fmt::format("; projected {} by {}", value_text(t.goal.type, *p.projected_value), t.goal.target_date);
    }
    text += ".";
  } else {
    text = fmt::format("{}: not measurable yet — {}.", t.goal.title, p.basis);
  }
  if (t.newly_achieved) text += " Goal achieved!";
  return ToolOutput::of(std::move(out), std::move(text));
}

Result<ToolOutput> suggest_goals(goals::Service& service, const json& args, CallContext& ctx) {
  auto owner = support::caller(ctx, "get goal suggestions");
  if (!owner) return std::unexpected(owner.error());
  const auto category = goals::suggestion_category_from_name(args.value("goal_category", std::string("all")))
                            .value_or(goals::SuggestionCategory::all);
  auto sport = support::sport_argument(args);
  if (!sport) return std::unexpected(sport.error());
  // `provider` (Pierre's parameter) is accepted and ignored: suggestions read the local store, which every provider
  // syncs into.
  auto set = service.suggest(*owner, category, *sport, now_epoch_ms());
  if (!set) return std::unexpected(set.error());
  json items = json::array();
  std::string text = set->suggestions.empty() ? "No suggestions for this category." : "Suggested goals:\n";
  for (const auto& s : set->suggestions) {
    items.push_back(goals::to_json(s));
    text += fmt::format("- {} (by {}): {}\n", s.title, s.target_date, s.rationale);
  }
  return ToolOutput::of({{"suggestions", std::move(items)},
                         {"goal_category", goals::suggestion_category_name(category)},
                         {"sport_type", *sport ? json(activity::sport_name(**sport)) : json(nullptr)},
                         {"activities_analyzed", set->activities_analyzed},
                         {"weeks_analyzed", set->weeks_analyzed}},
                        std::move(text));
}

Result<ToolOutput> analyze_goal_feasibility(goals::Service& service, const json& args, CallContext& ctx) {
  auto owner = support::caller(ctx, "analyse goals");
  if (!owner) return std::unexpected(owner.error());
  const bool by_id = args.contains("goal_id");
  const bool by_data = args.contains("goal_data");
  if (by_id == by_data) {
    return fail(ErrorCode::invalid_input,
                "give exactly one of goal_id (a stored goal) or goal_data (a goal to evaluate before setting it)");
  }
  const auto now = now_epoch_ms();
  goals::Goal goal;
  if (by_id) {
    auto found = service.get(*owner, args.at("goal_id").get_ref<const std::string&>());
    if (!found) return std::unexpected(found.error());
    if (!found->has_value()) {
      return fail(ErrorCode::resource_not_found, "no goal with this id", {{"field", "goal_id"}});
    }
    goal = std::move(**found);
  } else {
    auto input = parse_new_goal(args.at("goal_data"), "Proposed goal");
    if (!input) return std::unexpected(input.error());
    auto drafted = service.preview(*owner, *input, now);
    if (!drafted) return std::unexpected(drafted.error());
    goal = std::move(*drafted);
  }
  auto report = service.feasibility(*owner, goal, now);
  if (!report) return std::unexpected(report.error());
  const auto& f = report->feasibility;
  const auto& o = service.options();
  const auto percent = [](const std::optional<double>& v) { return v ? json(*v * 100) : json(nullptr); };
  json out = {
      {"goal_id", goal.id.empty() ? json(nullptr) : json(goal.id)},
      {"goal_type", goals::goal_type_name(goal.type)},
      {"sport_type", goal.sport ? json(activity::sport_name(*goal.sport)) : json(nullptr)},
      {"target_value", goal.target_value},
      {"unit", goals::unit_of(goal.type)},
      {"target_date", goal.target_date},
      {"feasible", f.verdict != intelligence::FeasibilityVerdict::unlikely},
      {"verdict", intelligence::verdict_name(f.verdict)},
      {"score", f.score},
      {"measure", report->measure},
      {"rate_unit", report->rate_unit},
      {"required_rate", f.required_rate},
      {"current_rate", f.current_rate},
      {"required_increase_percent", percent(f.required_increase)},
      {"weekly_ramp_percent", percent(f.weekly_ramp)},
      {"weeks_remaining", report->weeks_remaining},
      {"current_value", optional_json(report->progress.current_value)},
      {"current_level", optional_json(report->current_level)},
      {"target_level", optional_json(report->target_level)},
      {"percent_complete", report->progress.percent_complete},
      {"data_sufficient", f.data_sufficient},
      {"reasons", f.reasons},
      {"thresholds",
       {{"recent_weeks", o.recent_weeks},
        {"likely_weekly_ramp_percent", o.likely_weekly_ramp * 100},
        {"max_weekly_ramp_percent", o.max_weekly_ramp * 100},
        {"likely_vdot_per_week", o.likely_vdot_per_week},
        {"max_vdot_per_week", o.max_vdot_per_week},
        {"likely_ftp_gain_percent_per_week", o.likely_ftp_gain_per_week * 100},
        {"max_ftp_gain_percent_per_week", o.max_ftp_gain_per_week * 100}}},
  };
  std::string text =
      fmt::format("{}: {} (score {}/100).", goal_text(goal), intelligence::verdict_name(f.verdict), f.score);
  for (const auto& reason : f.reasons) text += "\n- " + reason;
  return ToolOutput::of(std::move(out), std::move(text));
}

}  // namespace

Result<void> register_goal_tools(Registry& registry, activity::Service& /*activities*/, profile::Service& /*profiles*/,
                                 goals::Service& goals) {
  // The baseline both suggest_goals and analyze_goal_feasibility measure volume against (goals::recent_weekly_volume).
  const int recent_weeks = goals.options().recent_weeks;
  std::vector<ToolDefinition> tools;
  tools.push_back(
      {.name = "set_goal",
       .title = "Set a fitness goal",
       .description =
           "Creates a fitness goal in your account: a distance (m), moving time (s) or number of sessions to reach "
           "by a date, a race time (s) for a distance, or an FTP (W). Progress counts your activities of the "
           "goal's sport from today to the end of target_date. Returns the stored goal with its goal_id.",
       .input_schema = {{"type", "object"},
                        {"properties", goal_properties(true)},
                        {"required", {"title", "goal_type", "target_value", "target_date"}},
                        {"additionalProperties", false}},
       .output_schema = goal_schema(),
       .annotations = {.read_only = false, .destructive = false, .idempotent = false, .open_world = false},
       .handler = [&goals](const json& args, CallContext& ctx) { return set_goal(goals, args, ctx); }});
  tools.push_back(
      {.name = "track_progress",
       .title = "Track progress toward a goal",
       .description =
           "Progress toward one of your goals: current value, percent complete, share of the time gone, where a "
           "linear path would be by now (on_track) and the value projected at the target date. A goal whose "
           "target is reached is marked achieved.",
       .input_schema =
           {{"type", "object"},
            {"properties",
             {{"goal_id",
               {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}, {"description", "ID of the goal to track"}}}}},
            {"required", {"goal_id"}},
            {"additionalProperties", false}},
       .output_schema = progress_schema(),
       .annotations = {.read_only = false, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [&goals](const json& args, CallContext& ctx) { return track_progress(goals, args, ctx); }});
  tools.push_back(
      {.name = "suggest_goals",
       .title = "Suggest goals",
       .description = fmt::format(
           "Suggests 3–6 concrete goals from your last 12 weeks of training (distance or moving time +10 % over 4 "
           "weeks from your weekly average of the last {} weeks, a race time from your current VDOT improved at a "
           "realistic rate, more sessions a week…), each with the numbers it was derived from. Volume targets never "
           "exceed what analyze_goal_feasibility rates likely on the same data; every suggestion can be passed to "
           "set_goal as it is.",
           recent_weeks),
       .input_schema = {{"type", "object"},
                        {"properties",
                         {{"goal_category",
                           {{"type", "string"},
                            {"enum", {"distance", "performance", "consistency", "all"}},
                            {"description", "Category of goals to suggest (default all)"}}},
                          {"provider",
                           {{"type", "string"},
                            {"maxLength", 64},
                            {"description",
                             "Accepted for compatibility; suggestions use every activity in your store"}}},
                          {"sport_type", sport_property()}}},
                        {"additionalProperties", false}},
       .output_schema = suggestions_schema(),
       .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [&goals](const json& args, CallContext& ctx) { return suggest_goals(goals, args, ctx); }});
  tools.push_back(
      {.name = "analyze_goal_feasibility",
       .title = "Analyse goal feasibility",
       .description = fmt::format(
           "Whether a goal is realistic by its date: the weekly rate it needs against your weekly average of the "
           "last {} weeks (volume goals, the baseline suggest_goals uses; a build beyond ~10 % a week is judged "
           "against running studies for running goals and acute:chronic workload guidance for other sports), or the "
           "VDOT / FTP gain per week against practitioner guidance. Verdict likely / challenging / unlikely, a 0–100 "
           "score and reasons with their sources. Give goal_id for a stored goal or goal_data for one not set yet "
           "(exactly one).",
           recent_weeks),
       .input_schema = {{"type", "object"},
                        {"properties",
                         {{"goal_id",
                           {{"type", "string"},
                            {"minLength", 1},
                            {"maxLength", 64},
                            {"description", "ID of a stored goal to analyse"}}},
                          {"goal_data",
                           {{"type", "object"},
                            {"properties", goal_properties(true)},
                            {"required", {"goal_type", "target_value", "target_date"}},
                            {"additionalProperties", false},
                            {"description", "A goal to analyse without storing it (same fields as set_goal)"}}}}},
                        {"additionalProperties", false}},
       .output_schema = feasibility_schema(),
       .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [&goals](const json& args, CallContext& ctx) { return analyze_goal_feasibility(goals, args, ctx); }});
  for (auto& t : tools) {
    if (auto r = registry.add(std::move(t)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
