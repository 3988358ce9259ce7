// Configuration tools: the catalogue of physiological and model parameters (units, ranges, defaults, sources), the
// configuration profiles, the caller's own configuration, personalised zones and validation. The catalogue itself
// lives in profile/ (profile::catalog()); these tools only present it.
#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/intelligence/performance.hpp"
#include "pierre/intelligence/zones.hpp"
#include "pierre/tools/builtin.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
namespace su = support;

using support::kReadOnly;

json parameter_json(const profile::ParameterSpec& p) {
  json entry = {{"key", p.key},
                {"name", p.name},
                {"type", profile::value_type_name(p.type)},
                {"unit", p.unit},
                {"default", p.default_value},
                {"description", p.description},
                {"source", p.source}};
  if (p.minimum) entry["minimum"] = *p.minimum;
  if (p.maximum) entry["maximum"] = *p.maximum;
  if (!p.allowed.empty()) entry["enum"] = p.allowed;
  return entry;
}

json catalog_json() {
  json categories = json::array();
  std::size_t total = 0;
  for (const auto& c : profile::catalog()) {
    json params = json::array();
    for (const auto& p : c.parameters) {
      params.push_back(parameter_json(p));
      ++total;
    }
    categories.push_back(
        {{"id", c.id}, {"name", c.name}, {"description", c.description}, {"parameters", std::move(params)}});
  }
  return {{"catalog", {{"version", "2"}, {"total_parameters", total}, {"categories", std::move(categories)}}}};
}

json catalog_output_schema() {
  json parameter =
      su::object_schema({{"key", su::string_schema()},
                         {"name", su::string_schema()},
                         {"type", {{"type", "string"}, {"enum", {"number", "integer", "string", "array"}}}},
                         {"unit", su::string_schema()},
                         {"minimum", su::number_schema()},
                         {"maximum", su::number_schema()},
                         {"enum", su::array_of(su::string_schema())},
                         {"description", su::string_schema()},
                         {"source", su::string_schema()}},
                        {"key", "name", "type", "unit", "default", "description", "source"}, true);
  json category = su::object_schema({{"id", su::string_schema()},
                                     {"name", su::string_schema()},
                                     {"description", su::string_schema()},
                                     {"parameters", su::array_of(parameter)}},
                                    {"id", "name", "parameters"}, true);
  return su::object_schema({{"catalog", su::object_schema({{"version", su::string_schema()},
                                                           {"total_parameters", {{"type", "integer"}, {"minimum", 1}}},
                                                           {"categories", su::array_of(category)}},
                                                          {"version", "total_parameters", "categories"}, true)}},
                           {"catalog"}, true);
}

Result<ToolOutput> get_catalog(const json&, CallContext&) {
  auto data = catalog_json();
  std::string text = fmt::format("{} parameters in {} categories:", data["catalog"]["total_parameters"].get<int>(),
                                 data["catalog"]["categories"].size());
  for (const auto& c : data["catalog"]["categories"]) {
    text += fmt::format(" {} ({});", c["name"].get<std::string>(), c["parameters"].size());
  }
  return ToolOutput::of(std::move(data), std::move(text));
}

json profiles_output() {
  json item = su::object_schema({{"name", su::string_schema()},
                                 {"title", su::string_schema()},
                                 {"description", su::string_schema()},
                                 {"parameters", {{"type", "object"}}},
                                 {"default", {{"type", "boolean"}}}},
                                {"name", "title", "description", "parameters", "default"});
  return su::object_schema({{"profiles", su::array_of(item)}}, {"profiles"});
}

Result<ToolOutput> get_profiles(const json&, CallContext&) {
  json list = json::array();
  std::string text;
  for (const auto& p : profile::profiles()) {
    list.push_back({{"name", p.name},
                    {"title", p.title},
                    {"description", p.description},
                    {"parameters", p.parameters},
                    {"default", p.name == profile::kDefaultProfile}});
    text += fmt::format("{}: {}\n", p.name, p.description);
  }
  return ToolOutput::of({{"profiles", std::move(list)}}, std::move(text));
}

json user_configuration_output() {
  return su::object_schema({{"profile", su::string_schema()},
                            {"configured", {{"type", "object"}}},
                            {"effective", {{"type", "object"}}},
                            {"updated_at", {{"type", {"string", "null"}}}}},
                           {"profile", "configured", "effective", "updated_at"});
}

Result<ToolOutput> user_configuration(profile::Service& profiles, const profile::UserConfiguration& configuration,
                                      const activity::Owner& owner, std::string prefix) {
  auto athlete = profiles.resolve(owner, now_epoch_ms());
  if (!athlete) return std::unexpected(athlete.error());
  std::string text = std::move(prefix) + fmt::format("Profile {}; configured:", athlete->profile);
  for (const auto& [key, value] : configuration.parameters.items()) text += fmt::format(" {}={}", key, value.dump());
  if (configuration.parameters.empty()) text += " nothing yet";
  text += ". Estimated from your data:";
  bool any = false;
  for (const auto& [key, v] : athlete->values) {
    if (v.source == "estimated") {
      text += fmt::format(" {}={} ({})", key, v.value.dump(), v.method);
      any = true;
    }
  }
  if (!any) text += " nothing";
  return ToolOutput::of(
      {{"profile", athlete->profile},
       {"configured", configuration.parameters},
       {"effective", athlete->to_json()},
       {"updated_at", configuration.updated_at_ms > 0 ? json(iso8601_ms(configuration.updated_at_ms)) : json(nullptr)}},
      text + ".");
}

Result<ToolOutput> get_user_configuration(profile::Service& profiles, const json&, CallContext& ctx) {
  auto owner = su::caller(ctx, "read your configuration");
  if (!owner) return std::unexpected(owner.error());
  auto configuration = profiles.get(*owner);
  if (!configuration) return std::unexpected(configuration.error());
  return user_configuration(profiles, *configuration, *owner, "");
}

json update_input() {
  std::vector<std::string> names;
  for (const auto& p : profile::profiles()) names.push_back(p.name);
  return su::object_schema(
      {{"profile", {{"type", "string"}, {"enum", names}, {"description", "Apply a configuration profile"}}},
       {"parameters",
        {{"type", "object"},
         {"description",
          "Parameters to set (names from get_configuration_catalog, e.g. {\"max_hr_bpm\": 188}); "
          "null removes a setting"}}}});
}

Result<ToolOutput> update_user_configuration(profile::Service& profiles, const json& args, CallContext& ctx) {
  auto owner = su::caller(ctx, "change your configuration");
  if (!owner) return std::unexpected(owner.error());
  if (!args.contains("profile") && !args.contains("parameters")) {
    return fail(ErrorCode::missing_required_field, "give a profile, parameters or both", {{"field", "parameters"}});
  }
  std::optional<std::string> preset;
  if (args.contains("profile")) preset = args.at("profile").get<std::string>();
  auto updated = profiles.update(*owner, preset, args.value("parameters", json::object()));
  if (!updated) return std::unexpected(updated.error());
  return user_configuration(profiles, *updated, *owner, "Saved. ");
}

json validate_output() {
  json problem = su::object_schema(
      {{"parameter", su::string_schema()}, {"code", su::string_schema()}, {"message", su::string_schema()}},
      {"parameter", "code", "message"});
  return su::object_schema({{"valid", {{"type", "boolean"}}}, {"problems", su::array_of(problem)}},
                           {"valid", "problems"});
}

Result<ToolOutput> validate_configuration(profile::Service& profiles, const json& args, CallContext& ctx) {
  // Checked against the caller's saved values when signed in, so "lthr_bpm": 195 with a saved max of 188 fails.
  json context = json::object();
  if (!ctx.user_id.empty() && !ctx.tenant_id.empty()) {
    auto saved = profiles.get({ctx.tenant_id, ctx.user_id});
    if (!saved) return std::unexpected(saved.error());
    context = saved->parameters;
  }
  const auto problems = profile::validate(args.at("parameters"), context);
  json list = json::array();
  std::string text = problems.empty() ? "Valid." : "Not valid:";
  for (const auto& p : problems) {
    list.push_back({{"parameter", p.key}, {"code", p.code}, {"message", p.message}});
    text += " " + p.message + ";";
  }
  return ToolOutput::of({{"valid", problems.empty()}, {"problems", std::move(list)}}, std::move(text));
}

// ---- calculate_personalized_zones ----

json zones_input() {
  return su::object_schema(
      {{"vo2_max",
        {{"type", "number"},
         {"minimum", 20},
         {"maximum", 90},
         {"description", "VO2max or VDOT, ml/kg/min (default: your profile)"}}},
       {"resting_hr",
        {{"type", "number"}, {"minimum", 25}, {"maximum", 110}, {"description", "bpm (default: your profile)"}}},
       {"max_hr",
        {{"type", "number"}, {"minimum", 100}, {"maximum", 230}, {"description", "bpm (default: your profile)"}}},
       {"lactate_threshold",
        {{"type", "number"},
         {"minimum", 0.5},
         {"maximum", 1.0},
         {"description",
          "Pierre compatibility: lactate threshold as a fraction of VO2max (default 0.88, Daniels' T)"}}},
       {"lthr",
        {{"type", "number"}, {"minimum", 90}, {"maximum", 220}, {"description", "Lactate threshold heart rate, bpm"}}},
       {"ftp",
        {{"type", "number"}, {"minimum", 30}, {"maximum", 600}, {"description", "FTP, W (default: your profile)"}}},
       {"sport_efficiency",
        {{"type", "number"}, {"minimum", 0.5}, {"maximum", 1.5}, {"description", "Pierre compatibility; not used"}}}});
}

json zone_set_schema() {
  json zone = su::object_schema({{"zone", su::string_schema()},
                                 {"label", su::string_schema()},
                                 {"min", su::number_schema()},
                                 {"max", su::nullable_number()},
                                 {"min_pace_s_per_km", su::nullable_number()},
                                 {"max_pace_s_per_km", su::nullable_number()}},
                                {"zone", "label", "min", "max"});
  return su::object_schema(
      {{"method", su::string_schema()}, {"unit", su::string_schema()}, {"zones", su::array_of(zone)}},
      {"method", "unit", "zones"});
}

json zones_output() {
  return su::object_schema({{"heart_rate", su::array_of(zone_set_schema())},
                            {"power", zone_set_schema()},
                            {"pace", zone_set_schema()},
                            {"inputs", {{"type", "object"}}},
                            {"missing", su::array_of(su::string_schema())}},
                           {"heart_rate", "inputs", "missing"});
}

json zone_set_json(const intelligence::ZoneSet& set) {
  json zones = json::array();
  const bool pace = set.unit == "m/s";
  for (const auto& z : set.zones) {
    json item = {{"zone", z.name},
                 {"label", z.label},
                 {"min", su::round_to(z.min, pace ? 3 : 0)},
                 {"max", z.max ? json(su::round_to(*z.max, pace ? 3 : 0)) : json(nullptr)}};
    if (pace) {
      // Faster speed = lower pace: the zone's slowest pace comes from its minimum speed.
      item["max_pace_s_per_km"] = z.min > 0 ? json(su::round_to(1000 / z.min, 0)) : json(nullptr);
      item["min_pace_s_per_km"] = z.max && *z.max > 0 ? json(su::round_to(1000 / *z.max, 0)) : json(nullptr);
    }
    zones.push_back(std::move(item));
  }
  return {{"method", set.method}, {"unit", set.unit}, {"zones", std::move(zones)}};
}

Result<ToolOutput> personalized_zones(profile::Service& profiles, const json& args, CallContext& ctx) {
  std::optional<profile::AthleteProfile> athlete;
  if (!ctx.user_id.empty() && !ctx.tenant_id.empty()) {
    auto resolved = profiles.resolve({ctx.tenant_id, ctx.user_id}, now_epoch_ms());
    if (!resolved) return std::unexpected(resolved.error());
    athlete = std::move(*resolved);
  }
  const auto value = [&](const char* arg, const char* key) -> std::optional<double> {
    if (args.contains(arg)) return args.at(arg).get<double>();
    return athlete ? athlete->number(key) : std::nullopt;
  };
  const auto vdot = value("vo2_max", "vo2max");
  const auto rest = value("resting_hr", "resting_hr_bpm");
  const auto max = value("max_hr", "max_hr_bpm");
  const auto lthr = value("lthr", "lthr_bpm");
  const auto ftp = value("ftp", "ftp_w");
  json heart = json::array();
  json missing = json::array();
  std::string text;
  if (max && rest && *rest < *max) {
    if (const auto set = intelligence::heart_rate_zones_karvonen(*rest, *max)) heart.push_back(zone_set_json(*set));
  }
  if (max) {
    if (const auto set = intelligence::heart_rate_zones_percent_max(*max)) heart.push_back(zone_set_json(*set));
  } else {
    missing.push_back("max_hr_bpm");
  }
  if (lthr) {
    if (const auto set = intelligence::heart_rate_zones_friel(*lthr, intelligence::FrielSport::run)) {
      heart.push_back(zone_set_json(*set));
    }
    if (const auto set = intelligence::heart_rate_zones_friel(*lthr, intelligence::FrielSport::bike)) {
      heart.push_back(zone_set_json(*set));
    }
  } else {
    missing.push_back("lthr_bpm");
  }
  json out = {{"heart_rate", heart},
              {"inputs",
               {{"vo2max", vdot ? json(*vdot) : json()},
                {"resting_hr_bpm", rest ? json(*rest) : json()},
                {"max_hr_bpm", max ? json(*max) : json()},
                {"lthr_bpm", lthr ? json(*lthr) : json()},
                {"ftp_w", ftp ? json(*ftp) : json()}}}};
  if (ftp) {
    if (const auto set = intelligence::power_zones_coggan(*ftp)) out["power"] = zone_set_json(*set);
    text += fmt::format("Power zones from FTP {:.0f} W. ", *ftp);
  } else {
    missing.push_back("ftp_w");
  }
  if (vdot) {
    if (const auto set = intelligence::pace_zones_daniels(*vdot)) out["pace"] = zone_set_json(*set);
    text += fmt::format("Pace zones from VDOT {:.1f}. ", *vdot);
  } else {
    missing.push_back("vo2max");
  }
  for (const auto& set : heart) text += fmt::format("HR zones ({}). ", set["method"].get<std::string>());
  if (!missing.empty()) text += fmt::format("Unknown: {} (set them with update_user_configuration).", missing.dump());
  if (heart.empty() && !ftp && !vdot) {
    return fail(ErrorCode::missing_required_field,
                "no zones can be computed: give max_hr, ftp or vo2_max, or set them in your configuration",
                {{"missing", missing}});
  }
  out["missing"] = std::move(missing);
  return ToolOutput::of(std::move(out), std::move(text));
}

}  // namespace

Result<void> register_configuration_tools(Registry& registry, activity::Service&, profile::Service& profiles) {
  std::vector<ToolDefinition> tools;
  tools.push_back({.name = "get_configuration_catalog",
                   .title = "Configuration catalog",
                   .description = "Lists every training and physiology parameter the analysis uses (max/resting/"
                                  "threshold heart rate, FTP, threshold pace, VO2max, body measures, load model "
                                  "settings, privacy zones), with units, valid ranges, defaults and published sources.",
                   .input_schema = su::object_schema(json::object()),
                   .output_schema = catalog_output_schema(),
                   .annotations = kReadOnly,
                   .handler = get_catalog});
  tools.push_back({.name = "get_configuration_profiles",
                   .title = "Configuration profiles",
                   .description = "Lists the configuration profiles (recreational, beginner, elite, research, "
                                  "medical): presets of load-model settings and thresholds for kinds of athletes.",
                   .input_schema = su::object_schema(json::object()),
                   .output_schema = profiles_output(),
                   .annotations = kReadOnly,
                   .handler = get_profiles});
  tools.push_back(
      {.name = "get_user_configuration",
       .title = "My configuration",
       .description = "Your profile and the parameters you set, plus the effective value of every "
                      "parameter and where it comes from (configured, profile, estimated from your "
                      "activities, default).",
       .input_schema = su::object_schema(json::object()),
       .output_schema = user_configuration_output(),
       .annotations = kReadOnly,
       .handler = [&profiles](const json& a, CallContext& c) { return get_user_configuration(profiles, a, c); }});
  tools.push_back(
      {.name = "update_user_configuration",
       .title = "Update my configuration",
       .description = "Sets your physiology and model parameters (e.g. {\"parameters\": {\"max_hr_bpm\": "
                      "188, \"ftp_w\": 265, \"weight_kg\": 68}}) and/or applies a profile. Values are "
                      "validated (types, ranges, resting < threshold < max heart rate); nothing is saved "
                      "when one fails.",
       .input_schema = update_input(),
       .output_schema = user_configuration_output(),
       .annotations = {.read_only = false, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [&profiles](const json& a, CallContext& c) { return update_user_configuration(profiles, a, c); }});
  tools.push_back(
      {.name = "calculate_personalized_zones",
       .title = "Personalised training zones",
       .description = "Heart-rate zones (Karvonen %HRR, %HRmax, Friel LTHR run/bike), Coggan power zones "
                      "and Daniels pace zones from your profile or the values given.",
       .input_schema = zones_input(),
       .output_schema = zones_output(),
       .annotations = kReadOnly,
       .handler = [&profiles](const json& a, CallContext& c) { return personalized_zones(profiles, a, c); }});
  tools.push_back(
      {.name = "validate_configuration",
       .title = "Validate configuration",
       .description = "Checks parameter values against the catalogue (names, types, ranges) and against "
                      "each other, without saving anything.",
       .input_schema = su::object_schema({{"parameters", {{"type", "object"}}}}, {"parameters"}),
       .output_schema = validate_output(),
       .annotations = kReadOnly,
       .handler = [&profiles](const json& a, CallContext& c) { return validate_configuration(profiles, a, c); }});
  for (auto& t : tools) {
    if (auto r = registry.add(std::move(t)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
