// Configuration tools: the catalogue of physiological and training parameters the analytics use, with units, valid
// ranges, defaults and the source each default comes from.
#include <fmt/format.h>

#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;

struct Parameter {
  const char* key;
  const char* name;
  const char* type;  // "number", "integer" or "string"
  const char* unit;
  json default_value;
  json minimum;
  json maximum;
  const char* description;
  const char* source;
};

struct Category {
  const char* id;
  const char* name;
  const char* description;
  std::vector<Parameter> parameters;
};

const std::vector<Category>& catalog() {
  static const std::vector<Category> categories = {
      {"heart_rate",
       "Heart rate",
       "Heart-rate anchors for zones, TRIMP and hrTSS",
       {{"max_hr", "Maximum heart rate", "integer", "bpm", nullptr, 100, 230,
         "Highest heart rate you can reach; when unknown it is estimated as 208 - 0.7 x age",
         "Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37(1):153-156"},
        {"resting_hr", "Resting heart rate", "integer", "bpm", 60, 25, 110,
         "Morning heart rate at rest; the floor of heart-rate reserve",
         "Karvonen, Kentala & Mustala 1957, Ann Med Exp Biol Fenn 35(3):307-315"},
        {"lactate_threshold_hr", "Lactate threshold heart rate", "integer", "bpm", nullptr, 90, 220,
         "Average heart rate of a 30-minute all-out solo effort (last 20 minutes); anchors threshold-based zones",
         "Friel 2009, The Triathlete's Training Bible"}}},
      {"power",
       "Cycling power",
       "Power anchors for NP, IF, TSS and power zones",
       {{"ftp", "Functional threshold power", "integer", "W", nullptr, 30, 600,
         "Highest power sustainable for about an hour; 95% of a 20-minute test",
         "Allen & Coggan 2010, Training and Racing with a Power Meter"}}},
      {"running",
       "Running",
       "Pace anchors for rTSS, pace zones and race prediction",
       {{"threshold_pace", "Threshold pace", "number", "s/km", nullptr, 150, 600,
         "Pace sustainable for about an hour in a race", "Daniels 2014, Daniels' Running Formula, 3rd ed."},
        {"vdot", "VDOT", "number", "ml/kg/min", nullptr, 20, 90,
         "Running fitness index derived from a recent race, used for race predictions and training paces",
         "Daniels & Gilbert 1979, Oxygen Power"}}},
      {"body",
       "Athlete",
       "Body measures used for calories and sex-specific formulas",
       {{"weight_kg", "Body mass", "number", "kg", nullptr, 25, 250, "Used for W/kg, energy expenditure and VDOT",
         "SI unit"},
        {"age", "Age", "integer", "years", nullptr, 10, 100, "Used when maximum heart rate must be estimated",
         "Tanaka et al. 2001"},
        {"sex", "Sex", "string", "", nullptr, nullptr, nullptr,
         "female or male; selects the TRIMP weighting and calorie equations",
         "Banister 1991; Keytel et al. 2005, J Sports Sci 23(3):289-297"}}},
      {"training_load",
       "Training load",
       "Time constants and thresholds of the performance-management model",
       {{"ctl_days", "Fitness (CTL) time constant", "integer", "days", 42, 7, 90,
         "Exponentially weighted average window of chronic training load",
         "Banister et al. 1975; Coggan's Performance Manager"},
        {"atl_days", "Fatigue (ATL) time constant", "integer", "days", 7, 2, 21,
         "Exponentially weighted average window of acute training load",
         "Banister et al. 1975; Coggan's Performance Manager"},
        {"acwr_high", "ACWR upper bound", "number", "ratio", 1.3, 1.0, 2.0,
         "Acute:chronic workload ratio above which injury risk rises", "Gabbett 2016, Br J Sports Med 50:273-280"}}},
  };
  return categories;
}

json catalog_json() {
  json categories = json::array();
  std::size_t total = 0;
  for (const auto& c : catalog()) {
    json params = json::array();
    for (const auto& p : c.parameters) {
      json entry = {{"key", p.key},
                    {"name", p.name},
                    {"type", p.type},
                    {"unit", p.unit},
                    {"default", p.default_value},
                    {"description", p.description},
                    {"source", p.source}};
      if (!p.minimum.is_null()) entry["minimum"] = p.minimum;
      if (!p.maximum.is_null()) entry["maximum"] = p.maximum;
      if (std::string_view(p.key) == "sex") entry["enum"] = {"female", "male"};
      params.push_back(std::move(entry));
      ++total;
    }
    categories.push_back(
        {{"id", c.id}, {"name", c.name}, {"description", c.description}, {"parameters", std::move(params)}});
  }
  return {{"catalog", {{"version", "1"}, {"total_parameters", total}, {"categories", std::move(categories)}}}};
}

json catalog_output_schema() {
  json parameter = {{"type", "object"},
                    {"properties",
                     {{"key", {{"type", "string"}}},
                      {"name", {{"type", "string"}}},
                      {"type", {{"type", "string"}, {"enum", {"number", "integer", "string"}}}},
                      {"unit", {{"type", "string"}}},
                      {"minimum", {{"type", "number"}}},
                      {"maximum", {{"type", "number"}}},
                      {"description", {{"type", "string"}}},
                      {"source", {{"type", "string"}}}}},
                    {"required", {"key", "name", "type", "unit", "default", "description", "source"}}};
  json category = {{"type", "object"},
                   {"properties",
                    {{"id", {{"type", "string"}}},
                     {"name", {{"type", "string"}}},
                     {"description", {{"type", "string"}}},
                     {"parameters", {{"type", "array"}, {"items", parameter}}}}},
                   {"required", {"id", "name", "parameters"}}};
  return {{"type", "object"},
          {"properties",
           {{"catalog",
             {{"type", "object"},
              {"properties",
               {{"version", {{"type", "string"}}},
                {"total_parameters", {{"type", "integer"}, {"minimum", 1}}},
                {"categories", {{"type", "array"}, {"items", category}}}}},
              {"required", {"version", "total_parameters", "categories"}}}}}},
          {"required", {"catalog"}}};
}

}  // namespace

Result<void> register_configuration_tools(Registry& registry) {
  return registry.add(
      {.name = "get_configuration_catalog",
       .title = "Configuration catalog",
       .description = "Lists every training and physiology parameter the analysis uses (max/resting/threshold heart "
                      "rate, FTP, threshold pace, VDOT, body measures, load time constants), with units, valid "
                      "ranges, defaults and the published source of each.",
       .input_schema = {{"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}},
       .output_schema = catalog_output_schema(),
       .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [](const json&, CallContext&) -> Result<ToolOutput> {
         auto data = catalog_json();
         std::string text =
             fmt::format("{} parameters in {} categories:", data["catalog"]["total_parameters"].get<int>(),
                         data["catalog"]["categories"].size());
         for (const auto& c : data["catalog"]["categories"]) {
           text += fmt::format(" {} ({});", c["name"].get<std::string>(), c["parameters"].size());
         }
         return ToolOutput::of(std::move(data), std::move(text));
       }});
}

}  // namespace pierre::tools
