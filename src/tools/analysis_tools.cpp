// One activity in depth: analyze_activity, get_activity_intelligence, calculate_metrics, compare_activities. Metrics
// come from tool_support's activity_metrics (streams when stored, else the summary), thresholds from the caller's
// resolved profile; weather from OpenWeather when the server has a key.
#include <cmath>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"
#include "pierre/weather/client.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
namespace su = support;

using support::kReadOnly;

struct AnalysisDeps {
  activity::Service& activities;
  profile::Service& profiles;
  weather::Client* weather;
  providers::SyncEngine* sync;  // lazily fetched samples of provider activities (null: stored only)
};

// What every single-activity tool starts from.
struct Loaded {
  activity::Owner owner;
  activity::Activity activity;
  std::optional<activity::Streams> streams;
  profile::AthleteProfile athlete;
  json metrics;
};

Result<Loaded> load(AnalysisDeps& d, CallContext& ctx, const std::string& id) {
  auto owner = su::caller(ctx, "analyse your activities");
  if (!owner) return std::unexpected(owner.error());
  auto a = su::find_activity(d.activities, *owner, id);
  if (!a) return std::unexpected(a.error());
  auto streams = su::samples(d.activities, d.sync, *owner, *a);
  if (!streams) return std::unexpected(streams.error());
  auto athlete = d.profiles.resolve(*owner, now_epoch_ms());
  if (!athlete) return std::unexpected(athlete.error());
  Loaded out{*owner, std::move(*a), std::move(*streams), std::move(*athlete), {}};
  out.metrics = su::activity_metrics(out.activity, out.streams ? &*out.streams : nullptr, out.athlete);
  return out;
}

json activity_id_input(json extra = json::object()) {
  json properties = {
      {"activity_id",
       {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}, {"description", "From get_activities"}}},
      {"provider", su::provider_argument()}};
  for (auto& [k, v] : extra.items()) properties[k] = v;
  return su::object_schema(std::move(properties), {"activity_id"});
}

json metrics_schema() {
  return {{"type", "object"},
          {"properties",
           {{"duration_s", su::number_schema()},
            {"distance_m", su::number_schema()},
            {"normalized_power_w", su::nullable_number()},
            {"intensity_factor", su::nullable_number()},
            {"training_stress_score", su::nullable_number()},
            {"trimp", su::nullable_number()},
            {"calories_kcal", su::nullable_number()},
            {"methods", {{"type", "object"}, {"additionalProperties", su::string_schema()}}},
            {"time_in_zones", {{"type", "object"}}}}},
          {"required", {"duration_s", "distance_m", "training_stress_score", "trimp", "calories_kcal", "methods"}}};
}

json weather_schema() {
  return su::object_schema(
      {{"status",
        {{"type", "string"}, {"enum", {"ok", "not_configured", "no_location", "unavailable", "not_requested"}}}},
       {"message", su::string_schema()},
       {"conditions", {{"type", {"object", "null"}}}}},
      {"status", "conditions"});
}

// Conditions at the activity's start time and place, when the server has a weather key and the activity a position.
json weather_at_start(AnalysisDeps& d, const Loaded& l) {
  if (d.weather == nullptr || !d.weather->configured()) {
    return {{"status", "not_configured"},
            {"message", std::string(weather::Client::kNotConfigured)},
            {"conditions", nullptr}};
  }
  const auto start = l.streams ? su::start_location(*l.streams) : std::nullopt;
  if (!start) {
    return {{"status", "no_location"}, {"message", "this activity has no GPS position"}, {"conditions", nullptr}};
  }
  auto conditions =
      d.weather->conditions_at(start->latitude, start->longitude, l.activity.summary.start_time_ms / 1000);
  if (!conditions) return {{"status", "unavailable"}, {"message", conditions.error().message}, {"conditions", nullptr}};
  // The weather client rounds to 2 decimals; inside a privacy zone the location is dropped altogether.
  auto c = weather::to_json(*conditions);
  const auto zones = l.athlete.privacy_zones();
  if (!su::public_location(start->latitude, start->longitude, zones)) {
    c.erase("latitude");
    c.erase("longitude");
  }
  return {{"status", "ok"}, {"conditions", std::move(c)}};
}

std::vector<std::string> insights(const Loaded& l) {
  std::vector<std::string> out;
  const auto& m = l.metrics;
  const auto num = [&](const char* key) -> std::optional<double> {
    const auto it = m.find(key);
    return it != m.end() && it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
  };
  if (const auto intensity = num("intensity_factor")) {
    // Coggan's IF bands: < 0.75 recovery/endurance, 0.75–0.85 tempo, 0.85–0.95 threshold, > 1.05 short race.
    const char* band = *intensity < 0.75   ? "an easy (recovery/endurance) effort"
                       : *intensity < 0.85 ? "a tempo effort"
                       : *intensity < 0.95 ? "a threshold effort"
                       : *intensity < 1.05 ? "a hard effort around threshold"
                                           : "a very hard (race-like) effort";
    out.push_back(fmt::format("Intensity factor {:.2f}: {} (Coggan's IF bands).", *intensity, band));
  }
  if (const auto tss = num("training_stress_score")) {
    // Coggan's TSS guide to recovery: < 150 low (recovered next day), 150–300 medium, 300–450 high, > 450 very high.
    const char* recovery = *tss < 150   ? "recovered by tomorrow"
                           : *tss < 300 ? "some residual fatigue tomorrow"
                           : *tss < 450 ? "fatigue for 2+ days"
                                        : "fatigue for several days";
    out.push_back(fmt::format("Training stress {:.0f} ({}): expect {}.", *tss,
                              m["methods"].value("training_stress_score", std::string("estimated")), recovery));
  }
  if (const auto vi = num("variability_index"); vi && *vi > 1.05) {
    out.push_back(fmt::format("Variability index {:.2f}: uneven power (steady rides are below 1.05).", *vi));
  }
  if (const auto dec = num("aerobic_decoupling_pct")) {
    out.push_back(*dec > 5 ? fmt::format("Aerobic decoupling {:.1f} %: output per heartbeat fell in the second half "
                                         "(> 5 % suggests endurance is not yet sufficient for this duration, Friel).",
                                         *dec)
                           : fmt::format("Aerobic decoupling {:.1f} %: well coupled (< 5 %, Friel).", *dec));
  }
  if (const auto gap = num("grade_adjusted_pace_s_per_km"); gap && num("pace_s_per_km")) {
    out.push_back(fmt::format("Grade-adjusted pace {}:{:02d} /km vs actual {}:{:02d} /km.", static_cast<int>(*gap) / 60,
                              static_cast<int>(*gap) % 60, static_cast<int>(*num("pace_s_per_km")) / 60,
                              static_cast<int>(*num("pace_s_per_km")) % 60));
  }
  if (const auto zones = m["time_in_zones"].find("heart_rate"); zones != m["time_in_zones"].end()) {
    double total = 0;
    double best = -1;
    std::string name;
    for (const auto& z : (*zones)["zones"]) {
      total += z["time_s"].get<double>();
      if (z["time_s"].get<double>() > best) {
        best = z["time_s"].get<double>();
        name = z["zone"].get<std::string>() + " " + z["label"].get<std::string>();
      }
    }
    if (total > 0) out.push_back(fmt::format("Most time in heart-rate zone {} ({:.0f} %).", name, 100 * best / total));
  }
  if (out.empty())
    out.push_back("Not enough data in this activity (no power, heart rate or pace anchors) for insights.");
  return out;
}

// ---- analyze_activity ----

json analyze_output() {
  return su::object_schema({{"activity", {{"type", "object"}}},
                            {"metrics", metrics_schema()},
                            {"insights", su::array_of(su::string_schema())},
                            {"weather", weather_schema()}},
                           {"activity", "metrics", "insights", "weather"});
}

Result<ToolOutput> analyze_activity(AnalysisDeps& d, const json& args, CallContext& ctx) {
  auto l = load(d, ctx, args.at("activity_id").get<std::string>());
  if (!l) return std::unexpected(l.error());
  auto notes = insights(*l);
  auto weather = weather_at_start(d, *l);
  std::string text = fmt::format("{} — {} on {}\n", l->activity.name, activity::sport_name(l->activity.sport),
                                 iso8601_ms(l->activity.summary.start_time_ms).substr(0, 10));
  for (const auto& n : notes) text += "- " + n + "\n";
  if (weather["status"] == "ok") {
    const auto& w = weather["conditions"];
    text +=
        fmt::format("- Weather: {:.0f} °C, {}\n", w.value("temperature_c", 0.0), w.value("description", std::string()));
  }
  return ToolOutput::of({{"activity", activity::to_json(l->activity, false)},
                         {"metrics", l->metrics},
                         {"insights", notes},
                         {"weather", std::move(weather)}},
                        std::move(text));
}

// ---- get_activity_intelligence ----

json intelligence_output() {
  json location = {{"type", {"object", "null"}},
                   {"properties", {{"latitude", su::number_schema()}, {"longitude", su::number_schema()}}}};
  return su::object_schema(
      {{"activity_id", su::string_schema()},
       {"summary", su::string_schema()},
       {"key_metrics", {{"type", "object"}}},
       {"insights", su::array_of(su::string_schema())},
       {"compared_to_recent", {{"type", "object"}}},
       {"location", location},
       {"weather", weather_schema()}},
      {"activity_id", "summary", "key_metrics", "insights", "compared_to_recent", "location", "weather"});
}

Result<ToolOutput> activity_intelligence(AnalysisDeps& d, const json& args, CallContext& ctx) {
  auto l = load(d, ctx, args.at("activity_id").get<std::string>());
  if (!l) return std::unexpected(l.error());
  const auto& a = l->activity;
  json key = json::object();
  for (const char* k : {"duration_s", "distance_m", "pace_s_per_km", "normalized_power_w", "intensity_factor",
                        "training_stress_score", "trimp", "calories_kcal", "average_hr_bpm"}) {
    if (l->metrics.contains(k)) key[k] = l->metrics[k];
  }
  // Against the same sport's sessions of the previous 90 days.
  auto recent =
      d.activities.history(l->owner, a.summary.start_time_ms - 90 * kDayMs, a.summary.start_time_ms, a.sport);
  if (!recent) return std::unexpected(recent.error());
  json compared = {{"sessions", recent->size()}};
  if (!recent->empty()) {
    double distance = 0;
    double duration = 0;
    double hr = 0;
    int hr_n = 0;
    for (const auto& r : *recent) {
      distance += r.summary.distance_m;
      duration += r.summary.moving_time_s;
      if (r.summary.avg_hr_bpm) {
        hr += *r.summary.avg_hr_bpm;
        ++hr_n;
      }
    }
    const double n = static_cast<double>(recent->size());
    compared["average_distance_m"] = su::round_to(distance / n, 0);
    compared["average_duration_s"] = su::round_to(duration / n, 0);
    compared["distance_vs_average_pct"] =
        distance > 0 ? json(su::round_to(100 * (a.summary.distance_m / (distance / n) - 1), 1)) : json();
    compared["duration_vs_average_pct"] =
        duration > 0 ? json(su::round_to(100 * (a.summary.moving_time_s / (duration / n) - 1), 1)) : json();
    if (hr_n > 0 && a.summary.avg_hr_bpm)
      compared["average_hr_vs_average_bpm"] = su::round_to(*a.summary.avg_hr_bpm - hr / hr_n, 1);
  }
  json location = nullptr;
  if (args.value("include_location", true) && l->streams) {
    if (const auto start = su::start_location(*l->streams)) {
      const auto zones = l->athlete.privacy_zones();
      if (const auto p = su::public_location(start->latitude, start->longitude, zones)) {
        location = {{"latitude", p->latitude}, {"longitude", p->longitude}};
      }
    }
  }
  json weather = args.value("include_weather", true) ? weather_at_start(d, *l)
                                                     : json{{"status", "not_requested"}, {"conditions", nullptr}};
  auto notes = insights(*l);
  const std::string summary =
      fmt::format("{} {} of {:.1f} km in {:.0f} min{}", activity::sport_name(a.sport), a.name,
                  a.summary.distance_m / 1000, a.summary.moving_time_s / 60,
                  l->metrics["training_stress_score"].is_number()
                      ? fmt::format(", training stress {:.0f}", l->metrics["training_stress_score"].get<double>())
                      : "");
  std::string text = summary + "\n";
  for (const auto& n : notes) text += "- " + n + "\n";
  return ToolOutput::of({{"activity_id", a.id},
                         {"summary", summary},
                         {"key_metrics", std::move(key)},
                         {"insights", notes},
                         {"compared_to_recent", std::move(compared)},
                         {"location", std::move(location)},
                         {"weather", std::move(weather)}},
                        std::move(text));
}

// ---- calculate_metrics ----

Result<ToolOutput> calculate_metrics(AnalysisDeps& d, const json& args, CallContext& ctx) {
  auto l = load(d, ctx, args.at("activity_id").get<std::string>());
  if (!l) return std::unexpected(l.error());
  json metrics = std::move(l->metrics);
  if (args.contains("metrics")) {
    // Pierre's names map onto ours; anything else must be one of our metric names.
    static const std::map<std::string, std::string, std::less<>> aliases{
        {"tss", "training_stress_score"},
        {"np", "normalized_power_w"},
        {"if", "intensity_factor"},
        {"power_to_weight", "power_to_weight_w_per_kg"},
        {"efficiency", "efficiency_factor"},
        {"calories", "calories_kcal"},
        {"pace", "pace_s_per_km"},
        {"gap", "grade_adjusted_pace_s_per_km"},
        {"decoupling", "aerobic_decoupling_pct"},
        {"zones", "time_in_zones"}};
    json selected = json::object();
    for (const auto& name_json : args.at("metrics")) {
      std::string name = name_json.get<std::string>();
      if (const auto it = aliases.find(name); it != aliases.end()) name = it->second;
      if (!metrics.contains(name) || name == "methods") {
        std::vector<std::string> known;
        for (const auto& [k, _] : metrics.items()) {
          if (k != "methods") known.push_back(k);
        }
        return fail(ErrorCode::invalid_input,
                    fmt::format("unknown metric '{}'; available: {}", name.substr(0, 40), fmt::join(known, ", ")),
                    {{"field", "metrics"}});
      }
      selected[name] = metrics[name];
    }
    for (const char* required : {"duration_s", "distance_m", "training_stress_score", "trimp", "calories_kcal"}) {
      if (!selected.contains(required)) selected[required] = metrics[required];
    }
    selected["methods"] = metrics["methods"];
    metrics = std::move(selected);
  }
  std::string text = fmt::format("{} ({}):", l->activity.name, activity::sport_name(l->activity.sport));
  for (const auto& [k, v] : metrics.items()) {
    if (v.is_number()) text += fmt::format(" {}={}", k, v.dump());
  }
  return ToolOutput::of({{"activity_id", l->activity.id},
                         {"sport_type", activity::sport_name(l->activity.sport)},
                         {"has_streams", l->streams.has_value()},
                         {"metrics", std::move(metrics)}},
                        std::move(text));
}

json calculate_metrics_output() {
  return su::object_schema({{"activity_id", su::string_schema()},
                            {"sport_type", su::string_schema()},
                            {"has_streams", {{"type", "boolean"}}},
                            {"metrics", metrics_schema()}},
                           {"activity_id", "sport_type", "has_streams", "metrics"});
}

// ---- compare_activities ----

json compare_input() {
  return su::object_schema({{"activity_ids",
                             {{"type", "array"},
                              {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}},
                              {"minItems", 2},
                              {"maxItems", 10},
                              {"uniqueItems", true},
                              {"description", "The activities to compare (2–10)"}}},
                            {"activity_id",
                             {{"type", "string"},
                              {"minLength", 1},
                              {"maxLength", 64},
                              {"description", "Pierre form: one activity, compared by comparison_type"}}},
                            {"comparison_type",
                             {{"type", "string"},
                              {"enum", {"similar_activities", "personal_best", "average", "recent"}},
                              {"description",
                               "With activity_id: similar_activities (3 closest in time with a similar duration), "
                               "personal_best (your fastest at a similar distance this year), average (up to 9 similar "
                               "sessions of the last 90 days, with their mean in `average`), recent (your 3 latest)"}}},
                            {"provider", su::provider_argument()}});
}

json compare_output() {
  json item = su::object_schema({{"id", su::string_schema()},
                                 {"name", su::string_schema()},
                                 {"sport_type", su::string_schema()},
                                 {"start_time", su::string_schema()},
                                 {"metrics", metrics_schema()}},
                                {"id", "name", "sport_type", "start_time", "metrics"});
  return su::object_schema({{"activities", su::array_of(item)},
                            {"best", {{"type", "object"}, {"additionalProperties", su::string_schema()}}},
                            {"differences", su::array_of({{"type", "object"}})},
                            {"average", {{"type", {"object", "null"}}}},
                            {"comparison_type", su::string_schema()}},
                           {"activities", "best", "differences", "comparison_type"});
}

// The metrics compared, and which way is better (neutral: heart rate — lower is not better by itself).
enum class Better { higher, lower, neutral };
const std::vector<std::pair<const char*, Better>>& compared_metrics() {
  static const std::vector<std::pair<const char*, Better>> m{{"distance_m", Better::higher},
                                                             {"duration_s", Better::higher},
                                                             {"average_speed_mps", Better::higher},
                                                             {"normalized_power_w", Better::higher},
                                                             {"training_stress_score", Better::higher},
                                                             {"efficiency_factor", Better::higher},
                                                             {"average_hr_bpm", Better::neutral},
                                                             {"pace_s_per_km", Better::lower},
                                                             {"grade_adjusted_pace_s_per_km", Better::lower}};
  return m;
}

Result<std::vector<std::string>> comparison_ids(AnalysisDeps& d, const activity::Owner& owner, const json& args,
                                                std::string& type) {
  if (args.contains("activity_ids")) {
    if (args.contains("activity_id")) {
      return fail(ErrorCode::invalid_input, "give activity_ids or activity_id, not both", {{"field", "activity_ids"}});
    }
    type = "selected";
    return args.at("activity_ids").get<std::vector<std::string>>();
  }
  if (!args.contains("activity_id")) {
    return fail(ErrorCode::missing_required_field, "give activity_ids (2–10) or activity_id with comparison_type",
                {{"field", "activity_ids"}});
  }
  const auto id = args.at("activity_id").get<std::string>();
  type = args.value("comparison_type", std::string("similar_activities"));
  auto base = su::find_activity(d.activities, owner, id);
  if (!base) return std::unexpected(base.error());
  auto history =
      d.activities.history(owner, base->summary.start_time_ms - 365 * kDayMs, now_epoch_ms() + 1, base->sport);
  if (!history) return std::unexpected(history.error());
  std::vector<const activity::Activity*> candidates;
  for (const auto& h : *history) {
    if (h.id != id) candidates.push_back(&h);
  }
  std::vector<std::string> ids{id};
  const double duration = base->summary.moving_time_s;
  if (type == "similar_activities") {
    // Same sport, duration within ±25 %, closest in time first.
    std::sort(candidates.begin(), candidates.end(), [&](auto* x, auto* y) {
      return std::llabs(x->summary.start_time_ms - base->summary.start_time_ms) <
             std::llabs(y->summary.start_time_ms - base->summary.start_time_ms);
    });
    for (const auto* c : candidates) {
      if (ids.size() >= 4) break;
      if (std::abs(c->summary.moving_time_s - duration) <= 0.25 * duration) ids.push_back(c->id);
    }
  } else if (type == "personal_best") {
    // The fastest session of a similar distance (±25 %) in the year: the one to measure this one against.
    const activity::Activity* best = nullptr;
    const auto speed = [](const activity::Activity* a) {
      return a->summary.moving_time_s > 0 ? a->summary.distance_m / a->summary.moving_time_s : 0.0;
    };
    for (const auto* c : candidates) {
      if (std::abs(c->summary.distance_m - base->summary.distance_m) > 0.25 * base->summary.distance_m) continue;
      if (best == nullptr || speed(c) > speed(best)) best = c;
    }
    if (best != nullptr) ids.push_back(best->id);
  } else if (type == "average") {
    // The peer group: up to 9 sessions of similar duration (±25 %) from the last 90 days, newest first.
    const auto since = base->summary.start_time_ms - 90 * kDayMs;
    for (auto it = candidates.rbegin(); it != candidates.rend() && ids.size() < 10; ++it) {
      if ((*it)->summary.start_time_ms < since) continue;
      if (std::abs((*it)->summary.moving_time_s - duration) <= 0.25 * duration) ids.push_back((*it)->id);
    }
  } else {  // recent
    for (auto it = candidates.rbegin(); it != candidates.rend() && ids.size() < 4; ++it) ids.push_back((*it)->id);
  }
  if (ids.size() < 2) {
    return fail(ErrorCode::resource_not_found,
                fmt::format("no other {} activity to compare with in the last year", activity::sport_name(base->sport)),
                {{"field", "activity_id"}});
  }
  return ids;
}

Result<ToolOutput> compare_activities(AnalysisDeps& d, const json& args, CallContext& ctx) {
  auto owner = su::caller(ctx, "compare your activities");
  if (!owner) return std::unexpected(owner.error());
  std::string type;
  auto ids = comparison_ids(d, *owner, args, type);
  if (!ids) return std::unexpected(ids.error());
  auto athlete = d.profiles.resolve(*owner, now_epoch_ms());
  if (!athlete) return std::unexpected(athlete.error());
  json items = json::array();
  for (const auto& id : *ids) {
    auto a = su::find_activity(d.activities, *owner, id);
    if (!a) return std::unexpected(a.error());
    auto streams = su::samples(d.activities, d.sync, *owner, *a);
    if (!streams) return std::unexpected(streams.error());
    items.push_back({{"id", a->id},
                     {"name", a->name},
                     {"sport_type", activity::sport_name(a->sport)},
                     {"start_time", iso8601_ms(a->summary.start_time_ms)},
                     {"metrics", su::activity_metrics(*a, *streams ? &**streams : nullptr, *athlete)}});
  }
  json best = json::object();
  json differences = json::array();
  for (const auto& [key, better] : compared_metrics()) {
    const json* best_item = nullptr;
    for (const auto& item : items) {
      const auto& v = item["metrics"][key];
      if (!v.is_number() || better == Better::neutral) continue;
      const double current = best_item == nullptr ? 0 : (*best_item)["metrics"][key].get<double>();
      if (best_item == nullptr || (better == Better::higher ? v.get<double>() > current : v.get<double>() < current)) {
        best_item = &item;
      }
    }
    if (best_item != nullptr) best[key] = (*best_item)["id"];
    const auto& first = items[0]["metrics"][key];
    if (!first.is_number() || first.get<double>() == 0) continue;
    for (std::size_t i = 1; i < items.size(); ++i) {
      const auto& v = items[i]["metrics"][key];
      if (!v.is_number()) continue;
      differences.push_back({{"metric", key},
                             {"activity_id", items[i]["id"]},
                             {"difference", su::round_to(v.get<double>() - first.get<double>(), 2)},
                             {"difference_pct", su::round_to(100 * (v.get<double>() / first.get<double>() - 1), 1)}});
    }
  }
  json average = nullptr;
  if (type == "average" && items.size() > 1) {
    average = json::object();
    for (const auto& [key, better] : compared_metrics()) {
      double sum = 0;
      int n = 0;
      for (std::size_t i = 1; i < items.size(); ++i) {
        if (const auto& v = items[i]["metrics"][key]; v.is_number()) {
          sum += v.get<double>();
          ++n;
        }
      }
      average[key] = n > 0 ? json(su::round_to(sum / n, 3)) : json(nullptr);
    }
  }
  std::string text = fmt::format("Compared {} activities ({}).", items.size(), type);
  for (const auto& [metric, id] : best.items()) text += fmt::format(" Best {}: {}.", metric, id.get<std::string>());
  return ToolOutput::of({{"activities", std::move(items)},
                         {"best", std::move(best)},
                         {"differences", std::move(differences)},
                         {"average", std::move(average)},
                         {"comparison_type", type}},
                        std::move(text));
}

}  // namespace

Result<void> register_analysis_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                     weather::Client* weather, providers::SyncEngine* sync) {
  auto deps = std::make_shared<AnalysisDeps>(AnalysisDeps{activities, profiles, weather, sync});
  std::vector<ToolDefinition> tools;
  tools.push_back({.name = "analyze_activity",
                   .title = "Analyse an activity",
                   .description = "One activity in depth: every metric its data supports (NP, IF, TSS, TRIMP, "
                                  "hrTSS/rTSS, grade-adjusted pace, efficiency, decoupling, calories, time in zones), "
                                  "insights with the thresholds used, and the weather at its start when configured.",
                   .input_schema = activity_id_input(),
                   .output_schema = analyze_output(),
                   .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = true},
                   .handler = [deps](const json& a, CallContext& c) { return analyze_activity(*deps, a, c); }});
  tools.push_back({.name = "get_activity_intelligence",
                   .title = "Activity intelligence",
                   .description = "A short briefing on one activity: key metrics, insights, how it compares with the "
                                  "same sport's sessions of the previous 90 days, its rounded location (never inside "
                                  "your privacy zones) and the weather.",
                   .input_schema = activity_id_input(
                       {{"include_weather", {{"type", "boolean"}}}, {"include_location", {{"type", "boolean"}}}}),
                   .output_schema = intelligence_output(),
                   .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = true},
                   .handler = [deps](const json& a, CallContext& c) { return activity_intelligence(*deps, a, c); }});
  tools.push_back(
      {.name = "calculate_metrics",
       .title = "Calculate metrics",
       .description = "Computes an activity's metrics from its recorded samples (normalized_power_w, "
                      "intensity_factor, training_stress_score, trimp, hr_tss, running_tss, "
                      "grade_adjusted_pace_s_per_km, efficiency_factor, aerobic_decoupling_pct, "
                      "calories_kcal, time_in_zones…), each with the method used. `metrics` selects some.",
       .input_schema = activity_id_input(
           {{"metrics", {{"type", "array"}, {"items", {{"type", "string"}, {"maxLength", 64}}}, {"maxItems", 40}}}}),
       .output_schema = calculate_metrics_output(),
       .annotations = kReadOnly,
       .handler = [deps](const json& a, CallContext& c) { return calculate_metrics(*deps, a, c); }});
  tools.push_back({.name = "compare_activities",
                   .title = "Compare activities",
                   .description = "Compares 2–10 activities side by side (or one with similar sessions, your best or "
                                  "your latest) on distance, duration, speed/pace, power, load, efficiency and heart "
                                  "rate: which is best on each and the differences relative to the first.",
                   .input_schema = compare_input(),
                   .output_schema = compare_output(),
                   .annotations = kReadOnly,
                   .handler = [deps](const json& a, CallContext& c) { return compare_activities(*deps, a, c); }});
  for (auto& t : tools) {
    if (auto r = registry.add(std::move(t)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
