// Analytics over time: training load (PMC, ACWR, monotony, recovery advice), performance trends (regression with
// confidence), patterns (schedule, consistency, intensity distribution, injury risk, seasons, plateaus),
// recommendations, fitness score, race predictions and daily nutrition. Every number comes from intelligence/
// (pure, cited); this file chooses the data, the caller's settings and the output shape.
#include <cmath>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/intelligence/fitness.hpp"
#include "pierre/intelligence/nutrition.hpp"
#include "pierre/intelligence/performance.hpp"
#include "pierre/intelligence/recovery.hpp"
#include "pierre/intelligence/trends.hpp"
#include "pierre/tools/builtin.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
namespace su = support;
namespace in = intelligence;

using support::kReadOnly;
// CTL needs history before the window: after 365 days a load's weight in CTL (τ 42) is e^(−365/42) ≈ 0.02 %.
constexpr int kWarmupDays = 365;

struct AnalyticsDeps {
  activity::Service& activities;
  profile::Service& profiles;
};

json opt(std::optional<double> v, int decimals = 2) {
  return v ? json(su::round_to(*v, decimals)) : json(nullptr);
}

// The caller's history over [now − days − warm-up, now], the resolved profile and the daily loads.
struct Context {
  activity::Owner owner;
  std::int64_t now_ms = 0;
  std::int64_t today = 0;
  int days = 0;
  std::vector<activity::Activity> history;  // oldest first, warm-up included
  profile::AthleteProfile athlete;
  su::DailyLoads loads;
  std::optional<std::vector<in::PmcDay>> pmc;

  [[nodiscard]] std::int64_t window_start_ms() const { return now_ms - std::int64_t{days} * kDayMs; }
  [[nodiscard]] std::span<const activity::Activity> window() const { return su::since(history, window_start_ms()); }
};

Result<Context> load_context(AnalyticsDeps& d, const CallContext& ctx, int days, int warmup_days = kWarmupDays) {
  auto owner = su::caller(ctx, "analyse your training");
  if (!owner) return std::unexpected(owner.error());
  Context c;
  c.owner = *owner;
  c.now_ms = now_epoch_ms();
  c.today = c.now_ms / kDayMs;
  c.days = days;
  auto history = d.activities.history(c.owner, c.now_ms - std::int64_t{days + warmup_days} * kDayMs, c.now_ms + 1);
  if (!history) return std::unexpected(history.error());
  c.history = std::move(*history);
  // Estimates read the last year only (profile::Service::kEstimateWindowMs).
  auto athlete =
      d.profiles.resolve(c.owner, c.now_ms, su::since(c.history, c.now_ms - profile::Service::kEstimateWindowMs));
  if (!athlete) return std::unexpected(athlete.error());
  c.athlete = std::move(*athlete);
  c.loads = su::daily_loads(c.history, c.athlete);
  if (!c.loads.days.empty()) {
    in::PmcOptions options;
    options.ctl_time_constant_days = c.athlete.number("ctl_days").value_or(42);
    options.atl_time_constant_days = c.athlete.number("atl_days").value_or(7);
    c.pmc = in::performance_management(c.loads.days, options, std::max(c.today, c.loads.days.back().day));
  }
  return c;
}

Result<int> timeframe(const json& args, const char* fallback) {
  return su::timeframe_days(args.value("timeframe", std::string(fallback)));
}

json timeframe_schema(std::vector<std::string> values, std::string fallback) {
  return {
      {"type", "string"}, {"enum", std::move(values)}, {"description", "Period to analyse (default " + fallback + ")"}};
}

in::InjuryRiskOptions risk_options(const profile::AthleteProfile& athlete) {
  in::InjuryRiskOptions o;
  o.acwr_method =
      athlete.text("acwr_method").value_or("rolling") == "ewma" ? in::AcwrMethod::ewma : in::AcwrMethod::rolling;
  o.acwr_caution = athlete.number("acwr_caution").value_or(1.3);
  o.acwr_high = athlete.number("acwr_high").value_or(1.5);
  o.ctl_ramp_per_week = athlete.number("ramp_rate_max").value_or(8);
  o.pmc.ctl_time_constant_days = athlete.number("ctl_days").value_or(42);
  o.pmc.atl_time_constant_days = athlete.number("atl_days").value_or(7);
  return o;
}

json flags_json(const std::vector<in::RiskFlag>& flags) {
  json out = json::array();
  for (const auto& f : flags) {
    out.push_back({{"code", f.code},
                   {"severity", in::risk_severity_name(f.severity)},
                   {"value", su::round_to(f.value, 2)},
                   {"threshold", f.threshold},
                   {"source", f.source},
                   {"message", f.message}});
  }
  return out;
}

// ---- analyze_training_load ----

struct LoadSummary {
  json body;
  std::optional<in::RecoveryAssessment> recovery;
  std::optional<in::InjuryRiskAssessment> risk;
};

LoadSummary training_load(const Context& c, bool with_series) {
  LoadSummary s;
  json& out = s.body;
  const auto options = risk_options(c.athlete);
  const in::PmcDay* current = c.pmc && !c.pmc->empty() ? &c.pmc->back() : nullptr;
  out["ctl"] = current ? json(su::round_to(current->ctl, 1)) : json(0);
  out["atl"] = current ? json(su::round_to(current->atl, 1)) : json(0);
  out["tsb"] = current ? json(su::round_to(current->tsb, 1)) : json(0);
  out["time_constants_days"] = {{"ctl", options.pmc.ctl_time_constant_days},
                                {"atl", options.pmc.atl_time_constant_days}};
  out["acwr_method"] = options.acwr_method == in::AcwrMethod::ewma ? "ewma" : "rolling";
  s.risk = c.loads.days.empty() ? std::nullopt : in::injury_risk(c.loads.days, c.today, options);
  out["acwr"] = s.risk ? opt(s.risk->acwr) : json(nullptr);
  out["monotony"] = s.risk && s.risk->monotony ? json(su::round_to(s.risk->monotony->monotony, 2)) : json(nullptr);
  out["strain"] = s.risk && s.risk->monotony ? json(su::round_to(s.risk->monotony->strain, 0)) : json(nullptr);
  out["ramp_rate_per_week"] = c.pmc ? opt(in::ramp_rate_per_week(*c.pmc), 1) : json(nullptr);
  out["risk_flags"] = s.risk ? flags_json(s.risk->flags) : json::array();
  double window_load = 0;
  double week_load = 0;
  std::vector<double> recent(3, 0.0);
  for (const auto& day : c.loads.days) {
    if (day.day > c.today - c.days) window_load += day.load;
    if (day.day > c.today - 7) week_load += day.load;
    if (day.day > c.today - 3 && day.day <= c.today)
      recent[static_cast<std::size_t>(2 - (c.today - day.day))] += day.load;
  }
  out["weekly_load"] = su::round_to(week_load, 0);
  out["window_load"] = su::round_to(window_load, 0);
  const auto window = c.window();
  double hours = 0;
  for (const auto& a : window) hours += a.summary.moving_time_s / 3600;
  out["sessions"] = window.size();
  out["training_hours"] = su::round_to(hours, 1);
  out["load_methods"] = c.loads.methods;
  in::RecoveryInputs inputs;
  if (current) {
    inputs.tsb = current->tsb;
    inputs.ctl = current->ctl;
    inputs.atl = current->atl;
  }
  if (s.risk) {
    inputs.acwr = s.risk->acwr;
    if (s.risk->monotony) inputs.monotony = s.risk->monotony->monotony;
  }
  inputs.recent_daily_loads = recent;
  in::RecoveryOptions ro;
  ro.acwr_caution = options.acwr_caution;
  ro.acwr_high = options.acwr_high;
  s.recovery = in::recovery_recommendation(inputs, ro);
  json reasons = json::array();
  if (s.recovery) {
    for (const auto& r : s.recovery->reasons) {
      reasons.push_back({{"metric", r.metric},
                         {"value", su::round_to(r.value, 2)},
                         {"threshold", r.threshold},
                         {"comparison", r.comparison},
                         {"message", r.message}});
    }
  }
  out["recovery"] = {
      {"recommendation", s.recovery ? json(std::string(s.recovery->name)) : json("normal_training")},
      {"tsb_band",
       s.recovery && s.recovery->band ? json(std::string(in::tsb_band_name(*s.recovery->band))) : json(nullptr)},
      {"reasons", std::move(reasons)}};
  if (with_series) {
    json daily = json::array();
    if (c.pmc) {
      for (const auto& p : *c.pmc) {
        if (p.day <= c.today - c.days) continue;
        daily.push_back({{"date", su::day_text(p.day)},
                         {"load", su::round_to(p.load, 1)},
                         {"ctl", su::round_to(p.ctl, 1)},
                         {"atl", su::round_to(p.atl, 1)},
                         {"tsb", su::round_to(p.tsb, 1)}});
      }
    }
    out["daily"] = std::move(daily);
  }
  return s;
}

json training_load_output() {
  return su::object_schema(
      {{"ctl", su::number_schema("Chronic training load (fitness), TSS/day")},
       {"atl", su::number_schema("Acute training load (fatigue), TSS/day")},
       {"tsb", su::number_schema("Training stress balance (form) = yesterday's CTL − ATL")},
       {"acwr", su::nullable_number()},
       {"acwr_method", {{"type", "string"}, {"enum", {"rolling", "ewma"}}}},
       {"monotony", su::nullable_number()},
       {"strain", su::nullable_number()},
       {"ramp_rate_per_week", su::nullable_number()},
       {"weekly_load", su::number_schema()},
       {"window_load", su::number_schema()},
       {"sessions", su::integer_schema()},
       {"training_hours", su::number_schema()},
       {"risk_flags",
        su::array_of({{"type", "object"}, {"required", {"code", "severity", "value", "threshold", "message"}}})},
       {"recovery",
        su::object_schema(
            {{"recommendation",
              {{"type", "string"}, {"enum", {"rest", "easy_recovery", "normal_training", "ready_for_hard_session"}}}},
             {"tsb_band", {{"type", {"string", "null"}}}},
             {"reasons", su::array_of({{"type", "object"}})}},
            {"recommendation", "tsb_band", "reasons"})},
       {"daily", su::array_of(su::object_schema({{"date", su::string_schema()},
                                                 {"load", su::number_schema()},
                                                 {"ctl", su::number_schema()},
                                                 {"atl", su::number_schema()},
                                                 {"tsb", su::number_schema()}},
                                                {"date", "load", "ctl", "atl", "tsb"}))},
       {"load_methods", {{"type", "object"}}},
       {"time_constants_days", {{"type", "object"}}},
       {"window", {{"type", "object"}}}},
      {"ctl", "atl", "tsb", "acwr", "acwr_method", "weekly_load", "sessions", "risk_flags", "recovery", "daily",
       "load_methods"},
      true);
}

Result<ToolOutput> analyze_training_load(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  auto days = timeframe(args, "month");
  if (!days) return std::unexpected(days.error());
  auto c = load_context(d, ctx, *days);
  if (!c) return std::unexpected(c.error());
  auto s = training_load(*c, true);
  s.body["window"] = {{"from", su::day_text(c->today - *days + 1)}, {"to", su::day_text(c->today)}, {"days", *days}};
  std::string text = fmt::format("CTL {:.1f}, ATL {:.1f}, TSB {:.1f}", s.body["ctl"].get<double>(),
                                 s.body["atl"].get<double>(), s.body["tsb"].get<double>());
  if (s.body["acwr"].is_number())
    text += fmt::format(", ACWR {:.2f} ({})", s.body["acwr"].get<double>(), s.body["acwr_method"].get<std::string>());
  text += fmt::format(". {} sessions, {:.1f} h in the last {} days. Recommendation: {}.", s.body["sessions"].get<int>(),
                      s.body["training_hours"].get<double>(), *days,
                      s.body["recovery"]["recommendation"].get<std::string>());
  for (const auto& r : s.body["recovery"]["reasons"]) text += " " + r["message"].get<std::string>();
  for (const auto& f : s.body["risk_flags"])
    text += " [" + f["severity"].get<std::string>() + "] " + f["message"].get<std::string>();
  return ToolOutput::of(std::move(s.body), std::move(text));
}

// ---- analyze_performance_trends ----

struct MetricSpec {
  const char* name;
  const char* unit;
  bool higher_is_better;
};

const std::vector<MetricSpec>& trend_metrics() {
  static const std::vector<MetricSpec> m{
      {"pace", "s/km", false}, {"speed", "m/s", true},  {"heart_rate", "bpm", false},  {"power", "W", true},
      {"distance", "m", true}, {"duration", "s", true}, {"efficiency", "ratio", true}, {"training_load", "TSS", true}};
  return m;
}

std::optional<double> metric_value(std::string_view metric, const activity::Activity& a,
                                   const profile::AthleteProfile& athlete) {
  const auto& s = a.summary;
  const double t = s.moving_time_s;
  if (metric == "pace") return s.distance_m > 0 && t > 0 ? std::optional(t / (s.distance_m / 1000)) : std::nullopt;
  if (metric == "speed") return s.distance_m > 0 && t > 0 ? std::optional(s.distance_m / t) : std::nullopt;
  if (metric == "heart_rate") return s.avg_hr_bpm;
  if (metric == "power") return s.normalized_power_w ? s.normalized_power_w : s.avg_power_w;
  if (metric == "distance") return s.distance_m > 0 ? std::optional(s.distance_m) : std::nullopt;
  if (metric == "duration") return t > 0 ? std::optional(t) : std::nullopt;
  if (metric == "efficiency") {
    // Friel's efficiency factor: output per beat (NP for rides, metres per minute for everything else).
    if (!s.avg_hr_bpm || *s.avg_hr_bpm <= 0) return std::nullopt;
    if (activity::is_cycling(a.sport) && s.normalized_power_w) return *s.normalized_power_w / *s.avg_hr_bpm;
    return s.distance_m > 0 && t > 0 ? std::optional(s.distance_m / t * 60 / *s.avg_hr_bpm) : std::nullopt;
  }
  if (metric == "training_load") {
    const auto e = su::estimate_load(a, athlete);
    return e.method == "none" ? std::nullopt : std::optional(e.tss);
  }
  return std::nullopt;
}

json trends_output() {
  json regression = {{"type", {"object", "null"}},
                     {"properties",
                      {{"n", su::integer_schema()},
                       {"slope_per_week", su::number_schema()},
                       {"slope_per_week_ci95", su::array_of(su::number_schema())},
                       {"r_squared", su::number_schema()},
                       {"p_value", su::number_schema()}}}};
  return su::object_schema(
      {{"metric", su::string_schema()},
       {"unit", su::string_schema()},
       {"sport_type", {{"type", {"string", "null"}}}},
       {"timeframe_days", su::integer_schema()},
       {"points",
        su::array_of(su::object_schema(
            {{"date", su::string_schema()}, {"value", su::number_schema()}, {"activity_id", su::string_schema()}},
            {"date", "value", "activity_id"}))},
       {"regression", regression},
       {"direction", {{"type", "string"}, {"enum", {"improving", "declining", "stable", "insufficient_data"}}}},
       {"change_over_period", su::nullable_number()},
       {"change_over_period_pct", su::nullable_number()},
       {"method", su::string_schema()}},
      {"metric", "unit", "timeframe_days", "points", "regression", "direction", "method"});
}

Result<ToolOutput> performance_trends(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  auto days = timeframe(args, "quarter");
  if (!days) return std::unexpected(days.error());
  const auto metric = args.value("metric", std::string("pace"));
  const auto spec = std::find_if(trend_metrics().begin(), trend_metrics().end(),
                                 [&](const MetricSpec& m) { return m.name == metric; });
  std::optional<activity::SportType> sport;
  if (args.contains("sport_type")) {
    const auto& text = args.at("sport_type").get_ref<const std::string&>();
    sport = activity::sport_from_name(text);
    if (!sport) sport = activity::sport_from_source(text);
  }
  auto c = load_context(d, ctx, *days, 0);
  if (!c) return std::unexpected(c.error());
  // Pace and speed mean little across sports: without a sport they follow the most frequent one in the window.
  if (!sport && (metric == "pace" || metric == "speed" || metric == "power" || metric == "efficiency")) {
    std::map<activity::SportType, int> counts;
    for (const auto& a : c->window()) {
      if (metric != "power" || a.summary.normalized_power_w || a.summary.avg_power_w) counts[a.sport] += 1;
    }
    if (!counts.empty()) {
      sport =
          std::max_element(counts.begin(), counts.end(), [](auto& x, auto& y) { return x.second < y.second; })->first;
    }
  }
  std::vector<double> xs;
  std::vector<double> ys;
  json points = json::array();
  // run, ride and swim name their family (trail and treadmill runs, virtual and gravel rides, open water).
  const auto matches = [&](activity::SportType s) {
    if (!sport) return true;
    if (*sport == activity::SportType::run) return activity::is_running(s);
    if (*sport == activity::SportType::ride) return activity::is_cycling(s);
    if (*sport == activity::SportType::swim) return activity::is_swimming(s);
    return s == *sport;
  };
  for (const auto& a : c->window()) {
    if (!matches(a.sport)) continue;
    const auto v = metric_value(metric, a, c->athlete);
    if (!v || !std::isfinite(*v)) continue;
    xs.push_back(static_cast<double>(a.summary.start_time_ms - c->window_start_ms()) / kDayMs);
    ys.push_back(*v);
    points.push_back({{"date", iso8601_ms(a.summary.start_time_ms).substr(0, 10)},
                      {"value", su::round_to(*v, 3)},
                      {"activity_id", a.id}});
  }
  json out = {{"metric", metric},
              {"unit", spec->unit},
              {"sport_type", sport ? json(std::string(activity::sport_name(*sport))) : json(nullptr)},
              {"timeframe_days", *days},
              {"points", points},
              {"regression", nullptr},
              {"direction", "insufficient_data"},
              {"change_over_period", nullptr},
              {"change_over_period_pct", nullptr},
              {"method", "ordinary_least_squares_t_interval_95"}};
  std::string text;
  if (const auto fit = xs.size() >= 3 ? in::linear_regression(xs, ys) : std::nullopt) {
    const auto direction = in::trend_direction(*fit, spec->higher_is_better);
    out["regression"] = {
        {"n", fit->n},
        {"slope_per_week", su::round_to(fit->slope * 7, 4)},
        {"slope_per_week_ci95", {su::round_to(fit->slope_ci_low * 7, 4), su::round_to(fit->slope_ci_high * 7, 4)}},
        {"r_squared", su::round_to(fit->r_squared, 3)},
        {"p_value", su::round_to(fit->p_value, 4)}};
    out["direction"] = in::trend_direction_name(direction);
    const double start = fit->intercept + fit->slope * xs.front();
    const double end = fit->intercept + fit->slope * xs.back();
    out["change_over_period"] = su::round_to(end - start, 3);
    out["change_over_period_pct"] = start != 0 ? json(su::round_to(100 * (end / start - 1), 1)) : json(nullptr);
    text = fmt::format(
        "{} ({}) over {} days, {} activities: {} — {:+.3g} {}/week (95 % CI {:+.3g} to {:+.3g}), R² "
        "{:.2f}, p = {:.3g}.",
        metric, spec->unit, *days, fit->n, in::trend_direction_name(direction), fit->slope * 7, spec->unit,
        fit->slope_ci_low * 7, fit->slope_ci_high * 7, fit->r_squared, fit->p_value);
  } else {
    text = fmt::format("Only {} activities with {} in the last {} days: at least 3 are needed for a trend.", xs.size(),
                       metric, *days);
  }
  return ToolOutput::of(std::move(out), std::move(text));
}

// ---- detect_patterns ----

std::vector<in::SessionStart> session_starts(std::span<const activity::Activity> activities) {
  std::vector<in::SessionStart> out;
  for (const auto& a : activities) {
    const auto day = su::local_day(a);
    out.push_back(
        {day, static_cast<int>((su::local_start_ms(a) - day * kDayMs) / 3'600'000), a.summary.moving_time_s});
  }
  return out;
}

json schedule_json(const in::WeeklySchedule& s) {
  static const char* names[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  json per_day = json::object();
  for (std::size_t i = 0; i < 7; ++i) {
    per_day[names[i]] = {{"sessions", s.sessions_per_weekday[i]},
                         {"hours", su::round_to(s.seconds_per_weekday[i] / 3600, 1)}};
  }
  json slots = json::array();
  for (const auto& slot : s.usual_slots) {
    slots.push_back({{"weekday", names[slot.weekday]},
                     {"hour", slot.hour},
                     {"fraction_of_weeks", su::round_to(slot.fraction_of_weeks, 2)}});
  }
  return {
      {"weeks", s.weeks}, {"per_weekday", per_day}, {"most_common_hours", s.most_common_hours}, {"usual_slots", slots}};
}

// Time in the three intensity zones of the window's sessions with heart rate (newest 60, from their samples).
Result<std::optional<in::IntensityAnalysis>> intensity_of(AnalyticsDeps& d, const Context& c) {
  const auto window = c.window();
  in::ThreeZoneTime total;
  int used = 0;
  for (auto it = window.rbegin(); it != window.rend() && used < 60; ++it) {
    if (!it->summary.avg_hr_bpm) continue;
    const auto zones = su::heart_rate_zones(c.athlete, it->sport);
    if (!zones || zones->zones.size() != 5) continue;
    auto streams = d.activities.streams(c.owner, it->id);
    if (!streams) return std::unexpected(streams.error());
    if (!*streams) continue;
    const auto t = in::time_in_zones((*streams)->time_s, (*streams)->heart_rate_bpm, *zones);
    if (!t) continue;
    std::vector<double> five = t->seconds;
    five[0] += t->below_s;  // below zone 1 is easy too
    if (const auto three = in::three_zone_from_five(five)) {
      total.low += three->low;
      total.moderate += three->moderate;
      total.high += three->high;
      ++used;
    }
  }
  if (used == 0) return std::optional<in::IntensityAnalysis>{};
  return in::intensity_distribution(total);
}

json patterns_output() {
  return su::object_schema({{"pattern_type", su::string_schema()},
                            {"timeframe_days", su::integer_schema()},
                            {"weekly_schedule", {{"type", {"object", "null"}}}},
                            {"training_consistency", {{"type", {"object", "null"}}}},
                            {"intensity_distribution", {{"type", {"object", "null"}}}},
                            {"injury_risk", {{"type", {"object", "null"}}}},
                            {"seasonal_trends", {{"type", {"object", "null"}}}},
                            {"performance_plateaus", {{"type", {"object", "null"}}}},
                            {"findings", su::array_of(su::string_schema())}},
                           {"pattern_type", "timeframe_days", "findings"});
}

Result<ToolOutput> detect_patterns(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  const auto type = args.value("pattern_type", std::string("all"));
  auto days = timeframe(args, type == "seasonal_trends" ? "year" : "quarter");
  if (!days) return std::unexpected(days.error());
  auto c = load_context(d, ctx, *days);
  if (!c) return std::unexpected(c.error());
  const auto want = [&](const char* name) { return type == "all" || type == name; };
  const auto window = c->window();
  json out = {{"pattern_type", type}, {"timeframe_days", *days}};
  json findings = json::array();
  if (want("weekly_schedule")) {
    const auto starts = session_starts(window);
    const auto schedule = in::weekly_schedule(starts, std::max(1, *days / 7));
    out["weekly_schedule"] = schedule ? schedule_json(*schedule) : json(nullptr);
    if (schedule && !schedule->usual_slots.empty()) {
      static const char* names[] = {"Mondays", "Tuesdays",  "Wednesdays", "Thursdays",
                                    "Fridays", "Saturdays", "Sundays"};
      const auto& top = schedule->usual_slots.front();
      findings.push_back(fmt::format("You usually train on {} around {:02d}:00 ({:.0f} % of weeks).",
                                     names[top.weekday], top.hour, 100 * top.fraction_of_weeks));
    }
  }
  if (want("training_consistency")) {
    std::vector<std::int64_t> session_days;
    for (const auto& a : window) session_days.push_back(su::local_day(a));
    const auto consistency = in::training_consistency(session_days, c->today - *days + 1, c->today);
    if (consistency) {
      out["training_consistency"] = {
          {"score", su::round_to(consistency->score, 0)},
          {"sessions_per_week_mean", su::round_to(consistency->sessions_per_week_mean, 2)},
          {"sessions_per_week_cv", opt(consistency->sessions_per_week_cv)},
          {"longest_gap_days", consistency->longest_gap_days},
          {"fraction_weeks_meeting_target", su::round_to(consistency->fraction_weeks_meeting_target, 2)},
          {"weeks", consistency->weeks}};
      findings.push_back(fmt::format("Consistency {:.0f}/100: {:.1f} sessions a week, longest break {} days.",
                                     consistency->score, consistency->sessions_per_week_mean,
                                     consistency->longest_gap_days));
    } else {
      out["training_consistency"] = nullptr;
    }
  }
  if (want("intensity_distribution")) {
    auto intensity = intensity_of(d, *c);
    if (!intensity) return std::unexpected(intensity.error());
    if (*intensity) {
      const auto& i = **intensity;
      out["intensity_distribution"] = {{"low_pct", su::round_to(100 * i.low_fraction, 1)},
                                       {"moderate_pct", su::round_to(100 * i.moderate_fraction, 1)},
                                       {"high_pct", su::round_to(100 * i.high_fraction, 1)},
                                       {"polarization_index", opt(i.polarization_index)},
                                       {"distribution", in::intensity_distribution_name(i.distribution)},
                                       {"method", "seiler_three_zone_from_hr_time_in_zone_treff_2019_pi"}};
      findings.push_back(fmt::format("Intensity distribution {:.0f}/{:.0f}/{:.0f} % (low/moderate/high): {}.",
                                     100 * i.low_fraction, 100 * i.moderate_fraction, 100 * i.high_fraction,
                                     in::intensity_distribution_name(i.distribution)));
    } else {
      out["intensity_distribution"] = nullptr;
    }
  }
  if (want("injury_risk")) {
    const auto risk =
        c->loads.days.empty() ? std::nullopt : in::injury_risk(c->loads.days, c->today, risk_options(c->athlete));
    out["injury_risk"] = risk ? json{{"acwr", opt(risk->acwr)},
                                     {"weekly_change_pct", opt(risk->weekly_change_pct, 1)},
                                     {"ctl_ramp_per_week", opt(risk->ctl_ramp_per_week, 1)},
                                     {"flags", flags_json(risk->flags)}}
                              : json(nullptr);
    if (risk && risk->flags.empty()) findings.push_back("No load-spike risk flags.");
    if (risk) {
      for (const auto& f : risk->flags) findings.push_back(f.message);
    }
  }
  if (want("seasonal_trends")) {
    std::map<std::string, std::pair<double, int>> months;  // YYYY-MM → (hours, sessions)
    for (const auto& a : window) {
      auto& m = months[su::day_text(su::local_day(a)).substr(0, 7)];
      m.first += a.summary.moving_time_s / 3600;
      m.second += 1;
    }
    json list = json::array();
    std::string peak;
    std::string low;
    // The window's first and last months are usually partial: listed, but not ranked.
    const auto first_month = su::day_text(c->today - *days + 1).substr(0, 7);
    const bool first_partial = su::day_text(c->today - *days + 1).substr(8) != "01";
    const auto last_month = su::day_text(c->today).substr(0, 7);
    for (const auto& [month, v] : months) {
      const bool partial = month == last_month || (month == first_month && first_partial);
      list.push_back(
          {{"month", month}, {"hours", su::round_to(v.first, 1)}, {"sessions", v.second}, {"partial", partial}});
      if (partial) continue;
      if (peak.empty() || v.first > months[peak].first) peak = month;
      if (low.empty() || v.first < months[low].first) low = month;
    }
    out["seasonal_trends"] = {{"months", list},
                              {"peak_month", peak.empty() ? json() : json(peak)},
                              {"lowest_month", low.empty() ? json() : json(low)}};
    if (!peak.empty()) findings.push_back(fmt::format("Most training in {}, least in {}.", peak, low));
  }
  if (want("performance_plateaus")) {
    // Efficiency (output per heartbeat) over the window for the main sport: a plateau is a trend whose 95 % CI
    // includes zero — no detectable change.
    std::map<activity::SportType, int> counts;
    for (const auto& a : window) counts[a.sport] += a.summary.avg_hr_bpm ? 1 : 0;
    json plateau = nullptr;
    if (!counts.empty()) {
      const auto main =
          std::max_element(counts.begin(), counts.end(), [](auto& x, auto& y) { return x.second < y.second; })->first;
      std::vector<double> xs;
      std::vector<double> ys;
      for (const auto& a : window) {
        if (a.sport != main) continue;
        if (const auto v = metric_value("efficiency", a, c->athlete)) {
          xs.push_back(static_cast<double>(a.summary.start_time_ms - c->window_start_ms()) / kDayMs);
          ys.push_back(*v);
        }
      }
      if (const auto fit = xs.size() >= 6 ? in::linear_regression(xs, ys) : std::nullopt) {
        const auto direction = in::trend_direction(*fit, true);
        plateau = {{"sport_type", activity::sport_name(main)},
                   {"metric", "efficiency"},
                   {"sessions", fit->n},
                   {"slope_per_week", su::round_to(fit->slope * 7, 5)},
                   {"plateau", direction == in::TrendDirection::stable},
                   {"direction", in::trend_direction_name(direction)}};
        findings.push_back(
            direction == in::TrendDirection::stable
                ? fmt::format("{} efficiency has plateaued over the period (no significant trend).",
                              activity::sport_name(main))
                : fmt::format("{} efficiency is {}.", activity::sport_name(main), in::trend_direction_name(direction)));
      }
    }
    out["performance_plateaus"] = std::move(plateau);
  }
  std::string text;
  for (const auto& f : findings) text += "- " + f.get<std::string>() + "\n";
  out["findings"] = std::move(findings);
  return ToolOutput::of(std::move(out), text.empty() ? "Not enough activities for patterns." : std::move(text));
}

json patterns_input() {
  return su::object_schema(
      {{"pattern_type",
        {{"type", "string"},
         {"enum",
          {"all", "training_consistency", "seasonal_trends", "performance_plateaus", "injury_risk", "weekly_schedule",
           "intensity_distribution"}},
         {"description", "Which pattern to look for (default all)"}}},
       {"timeframe", timeframe_schema({"week", "month", "quarter", "sixmonths", "year"}, "quarter")},
       {"provider", su::provider_argument()}});
}

// ---- nutrition ----

struct NutritionResult {
  json body;
  std::vector<std::string> missing;
};

// Targets for the caller's average day of the last 7, from the profile (body) and the activities (training hours,
// exercise energy).
NutritionResult nutrition(const Context& c, const profile::AthleteProfile& athlete, double activity_factor) {
  NutritionResult r;
  const auto weight = athlete.number("weight_kg");
  const auto height = athlete.number("height_cm");
  const auto age = athlete.number("age_years");
  const auto sex = athlete.sex();
  if (!weight) r.missing.emplace_back("weight_kg");
  if (!height) r.missing.emplace_back("height_cm");
  if (!age) r.missing.emplace_back("age_years");
  if (!sex) r.missing.emplace_back("sex");
  double hours = 0;
  double exercise_kcal = 0;
  double longest_s = 0;
  for (const auto& a : c.history) {
    if (a.summary.start_time_ms < c.now_ms - 7 * kDayMs) continue;
    hours += a.summary.moving_time_s / 3600;
    longest_s = std::max(longest_s, a.summary.moving_time_s);
    const auto m = su::activity_metrics(a, nullptr, athlete);
    if (m["calories_kcal"].is_number()) exercise_kcal += m["calories_kcal"].get<double>();
  }
  const double hours_per_day = hours / 7;
  r.body = {{"training_hours_per_day", su::round_to(hours_per_day, 2)},
            {"exercise_kcal_per_day", su::round_to(exercise_kcal / 7, 0)}};
  if (!r.missing.empty()) return r;
  const auto bmr = in::bmr_mifflin_st_jeor_kcal(*weight, *height, *age, *sex);
  if (!bmr) return r;
  const auto energy = in::daily_energy_expenditure(*bmr, exercise_kcal / 7, activity_factor);
  if (!energy) return r;
  const auto targets = in::daily_macro_targets(*weight, energy->total_kcal, hours_per_day);
  r.body["bmr_kcal"] = su::round_to(energy->bmr_kcal, 0);
  r.body["activity_factor"] = activity_factor;
  r.body["daily_energy_kcal"] = su::round_to(energy->total_kcal, 0);
  if (targets) {
    const auto macro = [](const in::MacroRange& m) {
      return json{{"min_g", su::round_to(m.min_g, 0)},
                  {"max_g", su::round_to(m.max_g, 0)},
                  {"target_g", su::round_to(m.target_g, 0)},
                  {"min_g_per_kg", m.min_g_per_kg},
                  {"max_g_per_kg", m.max_g_per_kg}};
    };
    r.body["training_load_class"] = targets->class_name;
    r.body["carbohydrate"] = macro(targets->carbohydrate);
    r.body["protein"] = macro(targets->protein);
    r.body["fat"] = {{"min_g", su::round_to(targets->fat.min_g, 0)},
                     {"max_g", su::round_to(targets->fat.max_g, 0)},
                     {"target_g", su::round_to(targets->fat.target_g, 0)},
                     {"min_pct_energy", targets->fat.min_pct_energy},
                     {"max_pct_energy", targets->fat.max_pct_energy}};
  }
  if (const auto fuel = in::carbohydrate_during_exercise(longest_s)) {
    r.body["longest_session_fueling"] = {{"duration_s", su::round_to(longest_s, 0)},
                                         {"guidance", in::fueling_guidance_name(fuel->guidance)},
                                         {"min_g_per_h", opt(fuel->min_g_per_h, 0)},
                                         {"max_g_per_h", opt(fuel->max_g_per_h, 0)}};
  }
  r.body["method"] = "mifflin_st_jeor_1990_bmr; thomas_2016_acsm_position_stand_g_per_kg";
  return r;
}

json nutrition_output() {
  return su::object_schema({{"training_hours_per_day", su::number_schema()},
                            {"exercise_kcal_per_day", su::number_schema()},
                            {"bmr_kcal", su::number_schema()},
                            {"daily_energy_kcal", su::number_schema()},
                            {"training_load_class", su::string_schema()},
                            {"carbohydrate", {{"type", "object"}}},
                            {"protein", {{"type", "object"}}},
                            {"fat", {{"type", "object"}}},
                            {"missing", su::array_of(su::string_schema())}},
                           {"training_hours_per_day", "exercise_kcal_per_day", "missing"}, true);
}

Result<ToolOutput> daily_nutrition(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  auto c = load_context(d, ctx, 7, 0);
  if (!c) return std::unexpected(c.error());
  // Pierre's explicit body arguments override the profile for this call.
  profile::AthleteProfile athlete = c->athlete;
  const auto override_value = [&](const char* arg, const char* key) {
    if (args.contains(arg)) athlete.values[key] = {args.at(arg), "argument", ""};
  };
  override_value("weight_kg", "weight_kg");
  override_value("height_cm", "height_cm");
  override_value("age", "age_years");
  override_value("gender", "sex");
  static const std::map<std::string, double, std::less<>> factors{{"sedentary", 1.2},
                                                                  {"lightly_active", 1.375},
                                                                  {"moderately_active", 1.55},
                                                                  {"very_active", 1.725},
                                                                  {"extra_active", 1.9}};
  // Without activity_level the measured training is added to a desk-job baseline instead of a lifestyle multiplier,
  // so training is not counted twice.
  double factor = athlete.number("baseline_activity_factor").value_or(1.2);
  if (args.contains("activity_level")) factor = factors.at(args.at("activity_level").get<std::string>());
  auto r = nutrition(*c, athlete, factor);
  r.body["missing"] = r.missing;
  if (!r.missing.empty()) {
    return fail(ErrorCode::missing_required_field,
                fmt::format("daily energy needs {}: give them as arguments or set them with update_user_configuration",
                            fmt::join(r.missing, ", ")),
                {{"missing", r.missing}});
  }
  auto text = fmt::format(
      "About {:.0f} kcal/day (BMR {:.0f}). Carbohydrate {:.0f} g, protein {:.0f} g, fat {:.0f} g "
      "({} training load, {:.1f} h/day over the last week).",
      r.body["daily_energy_kcal"].get<double>(), r.body["bmr_kcal"].get<double>(),
      r.body["carbohydrate"]["target_g"].get<double>(), r.body["protein"]["target_g"].get<double>(),
      r.body["fat"]["target_g"].get<double>(), r.body["training_load_class"].get<std::string>(),
      r.body["training_hours_per_day"].get<double>());
  if (args.contains("training_goal")) r.body["training_goal"] = args.at("training_goal");
  return ToolOutput::of(std::move(r.body), std::move(text));
}

// ---- generate_recommendations ----

Result<ToolOutput> recommendations(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  const auto type = args.value("recommendation_type", std::string("all"));
  auto c = load_context(d, ctx, 28);
  if (!c) return std::unexpected(c.error());
  const auto want = [&](const char* name) { return type == "all" || type == name; };
  json list = json::array();
  const auto add = [&](const char* category, const char* priority, std::string title, std::string message,
                       json based_on) {
    list.push_back({{"category", category},
                    {"priority", priority},
                    {"title", std::move(title)},
                    {"message", std::move(message)},
                    {"based_on", std::move(based_on)}});
  };
  auto load = training_load(*c, false);
  if (want("recovery") && load.recovery) {
    const auto& rec = *load.recovery;
    std::string why;
    for (const auto& r : rec.reasons) why += (why.empty() ? "" : " ") + r.message;
    const char* title = rec.recommendation == in::RecoveryRecommendation::rest   ? "Take a rest day"
                        : rec.recommendation == in::RecoveryRecommendation::easy ? "Keep the next session easy"
                        : rec.recommendation == in::RecoveryRecommendation::hard
                            ? "You are fresh: a hard session or race fits"
                            : "Train as planned";
    add("recovery", rec.recommendation == in::RecoveryRecommendation::rest ? "high" : "medium", title, why,
        {{"tsb", load.body["tsb"]}, {"acwr", load.body["acwr"]}, {"monotony", load.body["monotony"]}});
  }
  if (want("training")) {
    const auto acwr = load.body["acwr"];
    if (acwr.is_number() && acwr.get<double>() < 0.8) {
      add("training", "medium", "Build load gradually",
          fmt::format("Your acute:chronic ratio is {:.2f} (below 0.8): load can rise, by no more than ~10 % a week.",
                      acwr.get<double>()),
          {{"acwr", acwr}});
    }
    auto intensity = intensity_of(d, *c);
    if (!intensity) return std::unexpected(intensity.error());
    if (*intensity && (*intensity)->moderate_fraction > 0.25) {
      add("training", "medium", "Polarise your intensity",
          fmt::format("{:.0f} % of your heart-rate time is in the moderate zone; endurance athletes typically spend "
                      "~75–80 % easy and most of the rest hard (Seiler 2010). Make easy days easier.",
                      100 * (*intensity)->moderate_fraction),
          {{"moderate_pct", su::round_to(100 * (*intensity)->moderate_fraction, 1)}});
    }
    std::vector<std::int64_t> session_days;
    for (const auto& a : c->window()) session_days.push_back(su::local_day(a));
    if (const auto consistency = in::training_consistency(session_days, c->today - 27, c->today);
        consistency && consistency->score < 60) {
      add("training", "medium", "Train more regularly",
          fmt::format("Consistency {:.0f}/100 ({:.1f} sessions a week, longest break {} days): regular sessions build "
                      "fitness more than occasional big ones.",
                      consistency->score, consistency->sessions_per_week_mean, consistency->longest_gap_days),
          {{"consistency_score", su::round_to(consistency->score, 0)}});
    }
    for (const auto& f : load.body["risk_flags"]) {
      add("training", f["severity"] == "high" ? "high" : "medium", "Load warning: " + f["code"].get<std::string>(),
          f["message"].get<std::string>(), {{f["code"].get<std::string>(), f["value"]}});
    }
  }
  if (want("nutrition")) {
    auto n = nutrition(*c, c->athlete, c->athlete.number("baseline_activity_factor").value_or(1.2));
    if (n.missing.empty() && n.body.contains("carbohydrate")) {
      add("nutrition", "medium", "Daily fuel for your training",
          fmt::format("About {:.0f} kcal a day: carbohydrate {:.0f} g ({}–{} g/kg for a {} training load), protein "
                      "{:.0f} g, fat {:.0f} g (Thomas et al. 2016).",
                      n.body["daily_energy_kcal"].get<double>(), n.body["carbohydrate"]["target_g"].get<double>(),
                      n.body["carbohydrate"]["min_g_per_kg"].get<double>(),
                      n.body["carbohydrate"]["max_g_per_kg"].get<double>(),
                      n.body["training_load_class"].get<std::string>(), n.body["protein"]["target_g"].get<double>(),
                      n.body["fat"]["target_g"].get<double>()),
          n.body);
    } else {
      add("nutrition", "low", "Complete your profile for nutrition targets",
          fmt::format("Set {} with update_user_configuration.", fmt::join(n.missing, ", ")), {{"missing", n.missing}});
    }
  }
  if (want("equipment")) {
    double run_km = 0;
    for (const auto& a : c->history) {
      if (activity::is_running(a.sport) && a.summary.start_time_ms >= c->now_ms - 182 * kDayMs)
        run_km += a.summary.distance_m / 1000;
    }
    if (run_km > 0) {
      add("equipment", "low", "Check your running shoes",
          fmt::format("You ran {:.0f} km in the last six months. A common rule of thumb (not a study result) is to "
                      "replace running shoes every 500–800 km.",
                      run_km),
          {{"running_km_6_months", su::round_to(run_km, 0)}});
    }
  }
  std::string text;
  for (const auto& r : list)
    text += fmt::format("[{}] {}: {}\n", r["category"].get<std::string>(), r["title"].get<std::string>(),
                        r["message"].get<std::string>());
  return ToolOutput::of({{"recommendation_type", type}, {"recommendations", std::move(list)}},
                        text.empty() ? "No recommendations: not enough data." : std::move(text));
}

json recommendations_output() {
  json item = su::object_schema(
      {{"category", {{"type", "string"}, {"enum", {"training", "recovery", "nutrition", "equipment"}}}},
       {"priority", {{"type", "string"}, {"enum", {"high", "medium", "low"}}}},
       {"title", su::string_schema()},
       {"message", su::string_schema()},
       {"based_on", {{"type", "object"}}}},
      {"category", "priority", "title", "message", "based_on"});
  return su::object_schema({{"recommendation_type", su::string_schema()}, {"recommendations", su::array_of(item)}},
                           {"recommendation_type", "recommendations"});
}

// ---- calculate_fitness_score ----

Result<ToolOutput> fitness_score(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  auto days = timeframe(args, "last_90_days");
  if (!days) return std::unexpected(days.error());
  auto c = load_context(d, ctx, std::min(*days, 365));
  if (!c) return std::unexpected(c.error());
  in::FitnessInputs inputs;
  if (c->pmc && !c->pmc->empty()) {
    inputs.ctl = c->pmc->back().ctl;
    inputs.tsb = c->pmc->back().tsb;
  }
  if (const auto* v = c->athlete.find("vo2max")) {
    inputs.vo2max = v->value.get<double>();
    inputs.vo2max_is_vdot = v->source == "estimated";
  }
  inputs.age_years = c->athlete.number("age_years");
  inputs.sex = c->athlete.sex();
  std::vector<std::int64_t> session_days;
  for (const auto& a : c->window()) session_days.push_back(su::local_day(a));
  if (const auto consistency = in::training_consistency(session_days, c->today - c->days + 1, c->today)) {
    inputs.consistency_score = consistency->score;
  }
  const auto score = in::fitness_score(inputs);
  if (!score) {
    return fail(ErrorCode::resource_not_found,
                "not enough data for a fitness score: record or import some activities first");
  }
  json components = json::array();
  std::string text = fmt::format("Fitness score {:.0f}/100:", score->score);
  for (const auto& comp : score->components) {
    components.push_back({{"name", comp.name},
                          {"value", su::round_to(comp.value, 1)},
                          {"score", su::round_to(comp.score, 0)},
                          {"weight", su::round_to(comp.weight, 3)},
                          {"method", comp.method}});
    text += fmt::format(" {} {:.0f} (value {:.1f}, weight {:.2f});", comp.name, comp.score, comp.value, comp.weight);
  }
  return ToolOutput::of({{"fitness_score", su::round_to(score->score, 0)},
                         {"timeframe_days", c->days},
                         {"components", std::move(components)}},
                        std::move(text));
}

json fitness_output() {
  json component = su::object_schema({{"name", su::string_schema()},
                                      {"value", su::number_schema()},
                                      {"score", {{"type", "number"}, {"minimum", 0}, {"maximum", 100}}},
                                      {"weight", su::number_schema()},
                                      {"method", su::string_schema()}},
                                     {"name", "value", "score", "weight", "method"});
  return su::object_schema({{"fitness_score", {{"type", "number"}, {"minimum", 0}, {"maximum", 100}}},
                            {"timeframe_days", su::integer_schema()},
                            {"components", su::array_of(component)}},
                           {"fitness_score", "timeframe_days", "components"});
}

// ---- predict_performance ----

Result<ToolOutput> predict_performance(AnalyticsDeps& d, const json& args, CallContext& ctx) {
  const auto sport_text = args.value("target_sport", std::string("run"));
  const auto sport = activity::sport_from_name(sport_text).value_or(activity::sport_from_source(sport_text));
  if (!activity::is_running(sport)) {
    return fail(
        ErrorCode::invalid_input,
        "race predictions are available for running (Daniels–Gilbert VDOT and Riegel); for cycling see ftp_w in "
        "get_user_configuration",
        {{"field", "target_sport"}});
  }
  auto c = load_context(d, ctx, 90, 0);
  if (!c) return std::unexpected(c.error());
  // The best recent effort: the run of the last 90 days with the highest VDOT.
  const activity::Activity* best = nullptr;
  double best_vdot = 0;
  for (const auto& a : c->window()) {
    if (!activity::is_running(a.sport)) continue;
    if (const auto v = in::vdot_from_race(a.summary.distance_m, a.summary.moving_time_s); v && *v > best_vdot) {
      best_vdot = *v;
      best = &a;
    }
  }
  if (best == nullptr) {
    return fail(ErrorCode::resource_not_found,
                "no run of 1.5 km or more in the last 90 days to predict from: record or import one");
  }
  std::vector<double> distances;
  if (args.contains("target_distance")) {
    distances.push_back(args.at("target_distance").get<double>());
  } else {
    distances = {5000, 10000, 21097.5, 42195};
  }
  const double exponent = c->athlete.number("riegel_exponent").value_or(1.06);
  json predictions = json::array();
  std::string text =
      fmt::format("From {} ({:.2f} km in {:.0f}:{:02.0f}, VDOT {:.1f}):", best->name, best->summary.distance_m / 1000,
                  std::floor(best->summary.moving_time_s / 60), std::fmod(best->summary.moving_time_s, 60), best_vdot);
  for (const double distance : distances) {
    if (const auto t = in::race_time_from_vdot_s(best_vdot, distance)) {
      predictions.push_back(
          {{"distance_m", distance}, {"time_s", su::round_to(*t, 0)}, {"method", "vdot_daniels_gilbert"}});
      text += fmt::format(" {:.1f} km {}:{:02d}:{:02d} (VDOT);", distance / 1000, static_cast<int>(*t) / 3600,
                          static_cast<int>(*t) / 60 % 60, static_cast<int>(*t) % 60);
    }
    if (const auto t = in::riegel_time_s(best->summary.moving_time_s, best->summary.distance_m, distance, exponent)) {
      predictions.push_back({{"distance_m", distance}, {"time_s", su::round_to(*t, 0)}, {"method", "riegel_1981"}});
    }
  }
  if (predictions.empty()) {
    return fail(ErrorCode::value_out_of_range,
                "target_distance must be between 1500 m and 50 km for running predictions",
                {{"field", "target_distance"}});
  }
  return ToolOutput::of({{"predictions", std::move(predictions)},
                         {"vdot", su::round_to(best_vdot, 1)},
                         {"riegel_exponent", exponent},
                         {"based_on",
                          {{"activity_id", best->id},
                           {"distance_m", su::round_to(best->summary.distance_m, 0)},
                           {"time_s", su::round_to(best->summary.moving_time_s, 0)},
                           {"date", iso8601_ms(best->summary.start_time_ms).substr(0, 10)}}},
                         {"note",
                          "Predictions assume training for the distance and reflect current fitness; a best "
                          "training run understates race fitness."}},
                        std::move(text));
}

json predict_output() {
  json prediction =
      su::object_schema({{"distance_m", su::number_schema()},
                         {"time_s", {{"type", "number"}, {"exclusiveMinimum", 0}}},
                         {"method", {{"type", "string"}, {"enum", {"vdot_daniels_gilbert", "riegel_1981"}}}}},
                        {"distance_m", "time_s", "method"});
  return su::object_schema({{"predictions", su::array_of(prediction)},
                            {"vdot", su::number_schema()},
                            {"riegel_exponent", su::number_schema()},
                            {"based_on", {{"type", "object"}}},
                            {"note", su::string_schema()}},
                           {"predictions", "vdot", "based_on"});
}

}  // namespace

Result<void> register_analytics_tools(Registry& registry, activity::Service& activities, profile::Service& profiles) {
  auto deps = std::make_shared<AnalyticsDeps>(AnalyticsDeps{activities, profiles});
  const auto bind = [deps](Result<ToolOutput> (*f)(AnalyticsDeps&, const json&, CallContext&)) {
    return [deps, f](const json& a, CallContext& c) { return f(*deps, a, c); };
  };
  const json ignored_provider = su::provider_argument();
  const json sleep_provider = {
      {"type", "string"}, {"maxLength", 32}, {"description", "Pierre compatibility; sleep data is not used yet"}};
  std::vector<ToolDefinition> tools;
  tools.push_back({.name = "analyze_training_load",
                   .title = "Training load",
                   .description = "Fitness (CTL), fatigue (ATL) and form (TSB) from the performance-management model, "
                                  "acute:chronic workload ratio, Foster monotony and strain, CTL ramp rate, load-spike "
                                  "risk flags and a recovery recommendation with the numbers behind it; daily series "
                                  "for the timeframe. Load per session: power TSS, else hrTSS, else rTSS.",
                   .input_schema = su::object_schema(
                       {{"timeframe", timeframe_schema({"week", "month", "quarter", "sixmonths", "year"}, "month")},
                        {"provider", ignored_provider},
                        {"sleep_provider", sleep_provider}}),
                   .output_schema = training_load_output(),
                   .annotations = kReadOnly,
                   .handler = bind(analyze_training_load)});
  std::vector<std::string> metric_names;
  for (const auto& m : trend_metrics()) metric_names.emplace_back(m.name);
  tools.push_back(
      {.name = "analyze_performance_trends",
       .title = "Performance trends",
       .description = "Trend of a metric (pace, speed, heart_rate, power, distance, duration, efficiency, "
                      "training_load) over a timeframe: per-activity points, least-squares slope per week "
                      "with its 95 % confidence interval, R² and p-value, and whether you are improving.",
       .input_schema = su::object_schema(
           {{"timeframe", timeframe_schema({"week", "month", "quarter", "sixmonths", "year"}, "quarter")},
            {"metric", {{"type", "string"}, {"enum", metric_names}, {"description", "default pace"}}},
            {"sport_type",
             su::string_schema("Only this sport (default: the most frequent one for pace/speed/power/efficiency)")},
            {"provider", ignored_provider}}),
       .output_schema = trends_output(),
       .annotations = kReadOnly,
       .handler = bind(performance_trends)});
  tools.push_back({.name = "detect_patterns",
                   .title = "Training patterns",
                   .description = "Your weekly schedule and usual training times, consistency, intensity distribution "
                                  "(polarised/pyramidal/threshold, Treff polarisation index), injury-risk flags from "
                                  "load spikes, seasonal volume and performance plateaus.",
                   .input_schema = patterns_input(),
                   .output_schema = patterns_output(),
                   .annotations = kReadOnly,
                   .handler = bind(detect_patterns)});
  tools.push_back({.name = "generate_recommendations",
                   .title = "Recommendations",
                   .description = "Concrete training, recovery, nutrition and equipment recommendations, each with the "
                                  "numbers it is based on.",
                   .input_schema = su::object_schema(
                       {{"recommendation_type",
                         {{"type", "string"}, {"enum", {"all", "training", "recovery", "nutrition", "equipment"}}}},
                        {"activity_id", {{"type", "string"}, {"maxLength", 64}}},
                        {"provider", ignored_provider}}),
                   .output_schema = recommendations_output(),
                   .annotations = kReadOnly,
                   .handler = bind(recommendations)});
  tools.push_back({.name = "calculate_fitness_score",
                   .title = "Fitness score",
                   .description = "A 0–100 fitness score with its components: aerobic load (CTL), VO2max against age "
                                  "and sex norms, consistency and current form, each with its weight and method.",
                   .input_schema = su::object_schema(
                       {{"timeframe", timeframe_schema({"month", "last_90_days", "all_time"}, "last_90_days")},
                        {"provider", ignored_provider},
                        {"sleep_provider", sleep_provider}}),
                   .output_schema = fitness_output(),
                   .annotations = kReadOnly,
                   .handler = bind(fitness_score)});
  tools.push_back(
      {.name = "predict_performance",
       .title = "Race predictions",
       .description = "Predicted race times from your best run of the last 90 days, by Daniels–Gilbert "
                      "VDOT and by Riegel's formula (exponent configurable): 5 km, 10 km, half and full "
                      "marathon, or target_distance (metres).",
       .input_schema = su::object_schema(
           {{"target_sport", su::string_schema("run (default)")},
            {"target_distance", {{"type", "number"}, {"minimum", 1500}, {"maximum", 50000}, {"description", "metres"}}},
            {"target_date", su::string_schema("YYYY-MM-DD (informational)")},
            {"provider", ignored_provider}}),
       .output_schema = predict_output(),
       .annotations = kReadOnly,
       .handler = bind(predict_performance)});
  tools.push_back(
      {.name = "calculate_daily_nutrition",
       .title = "Daily nutrition targets",
       .description = "Daily energy (Mifflin–St Jeor BMR × activity factor + your measured training of the "
                      "last week) and carbohydrate/protein/fat targets in g/kg for your training load "
                      "(ACSM/AND/DC position stand, Thomas et al. 2016), plus fuelling for long sessions. "
                      "Body values from your profile unless given.",
       .input_schema = su::object_schema(
           {{"weight_kg", {{"type", "number"}, {"minimum", 25}, {"maximum", 250}}},
            {"height_cm", {{"type", "number"}, {"minimum", 100}, {"maximum", 250}}},
            {"age", {{"type", "number"}, {"minimum", 10}, {"maximum", 100}}},
            {"gender", {{"type", "string"}, {"enum", {"male", "female"}}}},
            {"activity_level",
             {{"type", "string"},
              {"enum", {"sedentary", "lightly_active", "moderately_active", "very_active", "extra_active"}}}},
            {"training_goal",
             {{"type", "string"}, {"enum", {"maintenance", "weight_loss", "muscle_gain", "endurance_performance"}}}}}),
       .output_schema = nutrition_output(),
       .annotations = kReadOnly,
       .handler = bind(daily_nutrition)});
  for (auto& t : tools) {
    if (auto r = registry.add(std::move(t)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
