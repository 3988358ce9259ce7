// Data tools: activities, athlete, stats and provider connections, over the caller's own activity store.
#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
namespace su = support;

constexpr std::size_t kMaxOffset = 5000;

// ---- get_activities ----

json activities_input() {
  return su::object_schema(
      {{"provider", su::provider_argument()},
       {"limit",
        {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}, {"description", "At most this many (default 20)"}}},
       {"offset",
        {{"type", "integer"},
         {"minimum", 0},
         {"maximum", kMaxOffset},
         {"description", "Pierre compatibility: skip this many newest activities (prefer cursor)"}}},
       {"cursor", {{"type", "string"}, {"maxLength", 1024}, {"description", "next_cursor of the previous page"}}},
       {"sport_type", su::string_schema("Only this sport, e.g. run, ride, swim (Strava names such as Run also work)")},
       {"after", su::string_schema("Only activities starting at or after this date/time (YYYY-MM-DD or RFC 3339)")},
       {"before", su::string_schema("Only activities starting before this date/time")},
       {"mode", {{"type", "string"}, {"enum", {"summary", "detailed"}}, {"description", "detailed adds laps"}}},
       {"format", {{"type", "string"}, {"enum", {"json"}}, {"description", "Pierre compatibility: json only"}}}});
}

json activity_item_schema() {
  json nullable = su::nullable_number();
  return su::object_schema(
      {{"id", su::string_schema()},
       {"source", su::string_schema()},
       {"sport_type", su::string_schema()},
       {"name", su::string_schema()},
       {"start_time", su::string_schema()},
       {"elapsed_time_s", su::number_schema()},
       {"moving_time_s", su::number_schema()},
       {"distance_m", su::number_schema()},
       {"total_ascent_m", nullable},
       {"avg_hr_bpm", nullable},
       {"avg_power_w", nullable},
       {"normalized_power_w", nullable},
       {"avg_speed_mps", nullable},
       {"calories_kcal", nullable}},
      {"id", "source", "sport_type", "name", "start_time", "elapsed_time_s", "moving_time_s", "distance_m"}, true);
}

json activities_output() {
  return su::object_schema({{"activities", su::array_of(activity_item_schema())},
                            {"count", su::integer_schema()},
                            {"next_cursor", {{"type", {"string", "null"}}}}},
                           {"activities", "count", "next_cursor"});
}

Result<ToolOutput> get_activities(activity::Service& service, providers::SyncEngine& sync, const json& args,
                                  CallContext& ctx) {
  auto owner = su::caller(ctx);
  if (!owner) return std::unexpected(owner.error());
  // Connected providers first catch up when their data is stale (a quick incremental run; a first backfill goes on
  // in the background and the answer says what is there so far).
  if (!args.contains("cursor")) {
    sync.sync_if_stale(*owner, [&ctx](const providers::SyncProgress& p) {
      ctx.progress(static_cast<double>(p.fetched), std::nullopt,
                   fmt::format("syncing {}: {} activities fetched", p.provider, p.fetched));
    });
  }
  activity::ListQuery query;
  query.limit = args.value("limit", std::size_t{20});
  query.cursor = args.value("cursor", std::string());
  auto sport = su::sport_argument(args);
  if (!sport) return std::unexpected(sport.error());
  query.sport = *sport;
  if (args.contains("after")) {
    auto t = su::parse_time_argument(args, "after");
    if (!t) return std::unexpected(t.error());
    query.after_ms = *t;
  }
  if (args.contains("before")) {
    auto t = su::parse_time_argument(args, "before");
    if (!t) return std::unexpected(t.error());
    query.before_ms = *t;
  }
  if (args.contains("provider")) query.source = args.at("provider").get<std::string>();
  const bool detailed = args.value("mode", std::string("summary")) == "detailed";
  // Pierre's offset: walk pages until the offset is consumed (bounded by kMaxOffset).
  std::size_t skip = args.value("offset", std::size_t{0});
  if (skip > 0 && !query.cursor.empty()) {
    return fail(ErrorCode::invalid_input, "give either offset or cursor, not both", {{"field", "offset"}});
  }
  const std::size_t wanted = query.limit;
  while (skip > 0) {
    query.limit = std::min<std::size_t>(skip, activity::Service::kMaxPageSize);
    auto page = service.list(*owner, query);
    if (!page) return std::unexpected(page.error());
    skip -= page->activities.size();
    if (!page->next_cursor) {
      return ToolOutput::of({{"activities", json::array()}, {"count", 0}, {"next_cursor", nullptr}},
                            "No activities at that offset.");
    }
    query.cursor = *page->next_cursor;
  }
  query.limit = wanted;
  auto page = service.list(*owner, query);
  if (!page) return std::unexpected(page.error());
  json items = json::array();
  std::string text;
  for (auto& a : page->activities) {
    if (detailed) {
      if (auto full = service.get(*owner, a.id); full && full->has_value()) a = std::move(**full);
    }
    items.push_back(activity::to_json(a, detailed));
    text += fmt::format("{} {} {} — {:.2f} km, {:.0f} min [{}]\n", iso8601_ms(a.summary.start_time_ms).substr(0, 10),
                        activity::sport_name(a.sport), a.name, a.summary.distance_m / 1000,
                        a.summary.moving_time_s / 60, a.id);
  }
  const auto count = items.size();
  return ToolOutput::of({{"activities", std::move(items)},
                         {"count", count},
                         {"next_cursor", page->next_cursor ? json(*page->next_cursor) : json(nullptr)}},
                        text.empty() ? "No activities match." : std::move(text));
}

// ---- get_athlete ----

json athlete_output() {
  json parameter = su::object_schema(
      {{"value", {{"type", {"number", "string", "array", "null"}}}},
       {"unit", su::string_schema()},
       {"source", {{"type", "string"}, {"enum", {"configured", "profile", "estimated", "default", "unknown"}}}},
       {"method", su::string_schema()}},
      {"value", "unit", "source"});
  return su::object_schema({{"user_id", su::string_schema()},
                            {"configuration_profile", su::string_schema()},
                            {"physiology", {{"type", "object"}, {"additionalProperties", parameter}}},
                            {"activity_count", su::integer_schema()},
                            {"first_activity", {{"type", {"string", "null"}}}},
                            {"last_activity", {{"type", {"string", "null"}}}},
                            {"sports", {{"type", "object"}, {"additionalProperties", su::integer_schema()}}}},
                           {"user_id", "configuration_profile", "physiology", "activity_count", "sports"});
}

Result<ToolOutput> get_athlete(activity::Service& activities, profile::Service& profiles, const json&,
                               CallContext& ctx) {
  auto owner = su::caller(ctx, "see your athlete profile");
  if (!owner) return std::unexpected(owner.error());
  const auto now = now_epoch_ms();
  auto history = activities.history(*owner, 0, now + 1);
  if (!history) return std::unexpected(history.error());
  // Estimates read the last year, which the all-time history already holds.
  auto athlete = profiles.resolve(*owner, now, su::since(*history, now - profile::Service::kEstimateWindowMs));
  if (!athlete) return std::unexpected(athlete.error());
  json sports = json::object();
  for (const auto& a : *history) {
    const std::string name(activity::sport_name(a.sport));
    sports[name] = sports.value(name, 0) + 1;
  }
  json out = {{"user_id", owner->user_id},
              {"configuration_profile", athlete->profile},
              {"physiology", athlete->to_json()},
              {"activity_count", history->size()},
              {"first_activity", history->empty() ? json() : json(iso8601_ms(history->front().summary.start_time_ms))},
              {"last_activity", history->empty() ? json() : json(iso8601_ms(history->back().summary.start_time_ms))},
              {"sports", sports}};
  std::string text = fmt::format("{} activities", history->size());
  for (const char* key : {"max_hr_bpm", "resting_hr_bpm", "lthr_bpm", "ftp_w", "vo2max", "weight_kg"}) {
    if (const auto* v = athlete->find(key)) text += fmt::format("; {} {} ({})", key, v->value.dump(), v->source);
  }
  return ToolOutput::of(std::move(out), std::move(text));
}

// ---- get_stats ----

struct Totals {
  std::int64_t count = 0;
  double distance_m = 0;
  double moving_time_s = 0;
  double elapsed_time_s = 0;
  double elevation_gain_m = 0;
};

json totals_json(const Totals& t) {
  return {{"count", t.count},
          {"distance_m", su::round_to(t.distance_m, 1)},
          {"moving_time_s", su::round_to(t.moving_time_s, 0)},
          {"elapsed_time_s", su::round_to(t.elapsed_time_s, 0)},
          {"elevation_gain_m", su::round_to(t.elevation_gain_m, 1)}};
}

json stats_output() {
  json totals = su::object_schema({{"count", su::integer_schema()},
                                   {"distance_m", su::number_schema()},
                                   {"moving_time_s", su::number_schema()},
                                   {"elapsed_time_s", su::number_schema()},
                                   {"elevation_gain_m", su::number_schema()}},
                                  {"count", "distance_m", "moving_time_s", "elapsed_time_s", "elevation_gain_m"});
  json period = su::object_schema({{"since", su::string_schema()},
                                   {"all", totals},
                                   {"by_sport", {{"type", "object"}, {"additionalProperties", totals}}}},
                                  {"since", "all", "by_sport"});
  return su::object_schema({{"recent_4_weeks", period}, {"year_to_date", period}, {"all_time", period}},
                           {"recent_4_weeks", "year_to_date", "all_time"});
}

Result<ToolOutput> get_stats(activity::Service& activities, const json& args, CallContext& ctx) {
  auto owner = su::caller(ctx);
  if (!owner) return std::unexpected(owner.error());
  const auto now = now_epoch_ms();
  auto history = activities.history(*owner, 0, now + 1);
  if (!history) return std::unexpected(history.error());
  const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{now}})};
  const auto year_start =
      std::chrono::sys_days{today.year() / std::chrono::January / 1}.time_since_epoch().count() * kDayMs;
  const std::int64_t four_weeks = now - 28 * kDayMs;
  const std::int64_t first = history->empty() ? now : history->front().summary.start_time_ms;
  struct Period {
    const char* name;
    std::int64_t since;
    Totals all;
    std::map<std::string, Totals> by_sport;
  };
  std::vector<Period> periods{
      {"recent_4_weeks", four_weeks, {}, {}}, {"year_to_date", year_start, {}, {}}, {"all_time", first, {}, {}}};
  const auto source = args.value("provider", std::string());
  for (const auto& a : *history) {
    if (!source.empty() && a.source != source) continue;
    for (auto& p : periods) {
      if (a.summary.start_time_ms < p.since) continue;
      for (Totals* t : {&p.all, &p.by_sport[std::string(activity::sport_name(a.sport))]}) {
        t->count += 1;
        t->distance_m += a.summary.distance_m;
        t->moving_time_s += a.summary.moving_time_s;
        t->elapsed_time_s += a.summary.elapsed_time_s;
        t->elevation_gain_m += a.summary.total_ascent_m.value_or(0);
      }
    }
  }
  json out = json::object();
  std::string text;
  for (const auto& p : periods) {
    json by_sport = json::object();
    for (const auto& [sport, t] : p.by_sport) by_sport[sport] = totals_json(t);
    out[p.name] = {{"since", iso8601_ms(p.since).substr(0, 10)}, {"all", totals_json(p.all)}, {"by_sport", by_sport}};
    text += fmt::format("{}: {} activities, {:.1f} km, {:.1f} h\n", p.name, p.all.count, p.all.distance_m / 1000,
                        p.all.moving_time_s / 3600);
  }
  return ToolOutput::of(std::move(out), std::move(text));
}

}  // namespace

Result<void> register_data_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                 providers::SyncEngine& sync) {
  const Annotations read_only{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
  std::vector<ToolDefinition> tools;
  tools.push_back({.name = "get_activities",
                   .title = "List activities",
                   .description = "Lists your activities newest first (from every source: files, demo data, synced "
                                  "providers), with filters by sport and date and cursor pagination. SI units, "
                                  "unit-suffixed names.",
                   .input_schema = activities_input(),
                   .output_schema = activities_output(),
                   .annotations = read_only,
                   .handler = [&activities, &sync](const json& a, CallContext& c) {
                     return get_activities(activities, sync, a, c);
                   }});
  tools.push_back({.name = "get_athlete",
                   .title = "Athlete profile",
                   .description = "Your athlete profile: physiology (max/resting/threshold heart rate, FTP, VO2max, "
                                  "weight…) with where each value comes from (configured, estimated from your data, "
                                  "or a default), activity counts per sport and the period covered.",
                   .input_schema = su::object_schema(
                       {{"provider", su::provider_argument()}, {"format", {{"type", "string"}, {"enum", {"json"}}}}}),
                   .output_schema = athlete_output(),
                   .annotations = read_only,
                   .handler = [&activities, &profiles](const json& a, CallContext& c) {
                     return get_athlete(activities, profiles, a, c);
                   }});
  tools.push_back({.name = "get_stats",
                   .title = "Activity statistics",
                   .description = "Totals (count, distance, moving time, elevation gain) for the last 4 weeks, the "
                                  "year to date and all time, overall and per sport.",
                   .input_schema = su::object_schema(
                       {{"provider", su::provider_argument()}, {"format", {{"type", "string"}, {"enum", {"json"}}}}}),
                   .output_schema = stats_output(),
                   .annotations = read_only,
                   .handler = [&activities](const json& a, CallContext& c) { return get_stats(activities, a, c); }});
  for (auto& t : tools) {
    if (auto r = registry.add(std::move(t)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
