// The configuration catalogue and profiles. Defaults that select a method name the method; defaults that are
// numbers cite where they come from. Physiology has no default (unknown stays unknown, or is estimated from data),
// except resting heart rate, whose population value is a usable floor for heart-rate reserve.
#include "pierre/profile/catalog.hpp"

#include <cmath>

#include <fmt/format.h>

namespace pierre::profile {
namespace {

using nlohmann::json;

ParameterSpec number(std::string key, std::string name, std::string unit, json def, double min, double max,
                     std::string description, std::string source, ValueType type = ValueType::number) {
  ParameterSpec p;
  p.key = std::move(key);
  p.name = std::move(name);
  p.type = type;
  p.unit = std::move(unit);
  p.default_value = std::move(def);
  p.minimum = min;
  p.maximum = max;
  p.description = std::move(description);
  p.source = std::move(source);
  return p;
}

ParameterSpec integer(std::string key, std::string name, std::string unit, json def, double min, double max,
                      std::string description, std::string source) {
  return number(std::move(key), std::move(name), std::move(unit), std::move(def), min, max, std::move(description),
                std::move(source), ValueType::integer);
}

ParameterSpec choice(std::string key, std::string name, json def, std::vector<std::string> allowed,
                     std::string description, std::string source) {
  ParameterSpec p;
  p.key = std::move(key);
  p.name = std::move(name);
  p.type = ValueType::string;
  p.default_value = std::move(def);
  p.allowed = std::move(allowed);
  p.description = std::move(description);
  p.source = std::move(source);
  return p;
}

std::vector<Category> build_catalog() {
  std::vector<Category> c;
  c.push_back({"body",
               "Athlete",
               "Body measures used for energy, W/kg, VDOT norms and sex-specific formulas",
               {integer("age_years", "Age", "years", nullptr, 10, 100,
                        "Used to estimate maximum heart rate when none is known, and for energy equations",
                        "Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153-156"),
                choice("sex", "Sex", nullptr, {"female", "male"},
                       "Selects the sex-specific TRIMP weighting and energy equations",
                       "Banister 1991; Keytel et al. 2005, J Sports Sci 23:289-297; Mifflin et al. 1990"),
                number("weight_kg", "Body mass", "kg", nullptr, 25, 250,
                       "Used for W/kg, energy expenditure and fuel "
                       "targets in g/kg",
                       "SI unit"),
                number("height_cm", "Height", "cm", nullptr, 100, 250, "Used for resting energy expenditure",
                       "Mifflin et al. 1990, Am J Clin Nutr 51:241-247")}});
  c.push_back({"heart_rate",
               "Heart rate",
               "Heart-rate anchors for zones, TRIMP and hrTSS",
               {integer("max_hr_bpm", "Maximum heart rate", "bpm", nullptr, 100, 230,
                        "Highest heart rate you can reach; estimated from your recordings, else 208 - 0.7 x age",
                        "Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153-156"),
                integer("resting_hr_bpm", "Resting heart rate", "bpm", 60, 25, 110,
                        "Morning heart rate at rest; the floor of heart-rate reserve",
                        "Karvonen, Kentala & Mustala 1957, Ann Med Exp Biol Fenn 35:307-315"),
                integer("lthr_bpm", "Lactate threshold heart rate", "bpm", nullptr, 90, 220,
                        "Average heart rate of a 30-minute all-out solo effort (last 20 minutes); anchors hrTSS and "
                        "threshold-based zones",
                        "Friel 2009, The Triathlete's Training Bible")}});
  c.push_back({"power",
               "Cycling power",
               "Power anchor for NP-based IF/TSS and power zones",
               {integer("ftp_w", "Functional threshold power", "W", nullptr, 30, 600,
                        "Highest power sustainable for about an hour; 95% of a 20-minute test",
                        "Allen & Coggan 2010, Training and Racing with a Power Meter"),
                number("cycling_gross_efficiency", "Cycling gross efficiency", "ratio", 0.24, 0.15, 0.30,
                       "Fraction of metabolic energy turned into work at the pedals; converts work to calories",
                       "Allen & Coggan 2010 (~20-25%); Ettema & Loras 2009, Eur J Appl Physiol 106:1-14")}});
  c.push_back({"running",
               "Running",
               "Pace anchors for rTSS, pace zones and race prediction",
               {number("threshold_pace_s_per_km", "Threshold pace", "s/km", nullptr, 150, 600,
                       "Pace sustainable for about an hour in a race (Daniels' T pace)",
                       "Daniels 2014, Daniels' Running Formula, 3rd ed."),
                number("vo2max", "VO2max (or VDOT)", "ml/kg/min", nullptr, 20, 90,
                       "Aerobic capacity; estimated from your best recent run as Daniels-Gilbert VDOT",
                       "Daniels & Gilbert 1979, Oxygen Power"),
                number("riegel_exponent", "Riegel fatigue exponent", "", 1.06, 1.01, 1.15,
                       "Exponent of T2 = T1 x (D2/D1)^b in race-time prediction",
                       "Riegel 1981, American Scientist 69:285-290")}});
  c.push_back(
      {"zones",
       "Zones",
       "Which published zone model the analyses use",
       {choice("hr_zone_method", "Heart-rate zone method", "karvonen", {"karvonen", "percent_max", "friel_lthr"},
               "karvonen: % of heart-rate reserve; percent_max: % of maximum; friel_lthr: % of LTHR",
               "Karvonen et al. 1957; Friel 2009")}});
  c.push_back({"training_load",
               "Training load",
               "Performance-management model and load-risk thresholds",
               {integer("ctl_days", "Fitness (CTL) time constant", "days", 42, 7, 90,
                        "Exponentially weighted average window of chronic training load",
                        "Banister et al. 1975; Coggan's Performance Manager"),
                integer("atl_days", "Fatigue (ATL) time constant", "days", 7, 2, 21,
                        "Exponentially weighted average window of acute training load",
                        "Banister et al. 1975; Coggan's Performance Manager"),
                choice("acwr_method", "ACWR method", "rolling", {"rolling", "ewma"},
                       "rolling: 7-day / 28-day averages; ewma: exponentially weighted averages",
                       "Gabbett 2016, Br J Sports Med 50:273-280; Williams et al. 2017, Br J Sports Med 51:209-210"),
                number("acwr_caution", "ACWR caution threshold", "ratio", 1.3, 1.0, 2.0,
                       "Acute:chronic workload ratio above which injury risk starts to rise",
                       "Gabbett 2016, Br J Sports Med 50:273-280 (sweet spot 0.8-1.3)"),
                number("acwr_high", "ACWR high-risk threshold", "ratio", 1.5, 1.1, 3.0,
                       "Acute:chronic workload ratio above which injury risk is high",
                       "Gabbett 2016, Br J Sports Med 50:273-280"),
                number("ramp_rate_max", "Maximum CTL ramp rate", "CTL/week", 8, 2, 15,
                       "Weekly fitness increase above which the load build-up is flagged",
                       "Coggan/TrainingPeaks guidance (5-8 CTL points per week sustainable)")}});
  c.push_back({"energy",
               "Energy",
               "Daily energy needs",
               {number("baseline_activity_factor", "Non-exercise activity factor", "ratio", 1.2, 1.1, 1.6,
                       "Multiplier of resting energy for daily life outside training (1.2 = desk job)",
                       "FAO/WHO/UNU 2004 Human energy requirements (PAL); Mifflin et al. 1990")}});
  c.push_back({"privacy",
               "Privacy",
               "Places whose surroundings are never shown in GPS output",
               {[] {
                  ParameterSpec p;
                  p.key = "privacy_zones";
                  p.name = "Privacy zones";
                  p.type = ValueType::array;
                  p.default_value = json::array();
                  p.description =
                      "Saved places [{latitude, longitude, radius_m?}] (home, work); points within the "
                      "radius are removed from every output";
                  p.source = "Strava privacy zones (the same idea)";
                  return p;
                }(),
                number("privacy_zone_radius_m", "Default privacy radius", "m", 500, 100, 5000,
                       "Radius of a privacy zone that does not give its own", "")}});
  return c;
}

std::vector<ConfigurationProfile> build_profiles() {
  return {
      {"recreational", "Recreational",
       "Adults who train a few times a week: the published defaults (Gabbett's 0.8-1.3 ACWR sweet spot, 42/7-day "
       "PMC constants).",
       json::object()},
      {"beginner",
       "Beginner",
       "New to structured training: more conservative load limits and slower ramp.",
       {{"acwr_caution", 1.2}, {"acwr_high", 1.4}, {"ramp_rate_max", 5}}},
      {"elite",
       "Elite",
       "High-volume trained athletes: tolerate steeper builds; EWMA ACWR, which tracks load changes more faithfully.",
       {{"acwr_method", "ewma"}, {"acwr_caution", 1.4}, {"acwr_high", 1.6}, {"ramp_rate_max", 10}}},
      {"research",
       "Research",
       "Method-explicit settings for analysis: EWMA ACWR (Williams et al. 2017) and threshold-anchored heart-rate "
       "zones.",
       {{"acwr_method", "ewma"}, {"hr_zone_method", "friel_lthr"}}},
      {"medical",
       "Medical",
       "Rehabilitation or medical supervision: the most conservative load limits and zones from maximum heart rate.",
       {{"acwr_caution", 1.1}, {"acwr_high", 1.3}, {"ramp_rate_max", 3}, {"hr_zone_method", "percent_max"}}},
  };
}

bool is_integer(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

std::string range_text(const ParameterSpec& p) {
  return fmt::format("{} to {}{}", *p.minimum, *p.maximum, p.unit.empty() ? "" : " " + p.unit);
}

void check_privacy_zones(const json& value, std::vector<Problem>& out) {
  if (!value.is_array()) {
    out.push_back({"privacy_zones", "wrong_type", "privacy_zones must be an array of {latitude, longitude, radius_m}"});
    return;
  }
  if (value.size() > 20) {
    out.push_back({"privacy_zones", "out_of_range", "at most 20 privacy zones"});
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto& z = value[i];
    const auto bad = [&](const std::string& what) {
      out.push_back({"privacy_zones", "out_of_range", fmt::format("privacy_zones[{}]: {}", i, what)});
    };
    if (!z.is_object()) {
      bad("must be an object {latitude, longitude, radius_m}");
      continue;
    }
    for (const auto& [k, _] : z.items()) {
      if (k != "latitude" && k != "longitude" && k != "radius_m" && k != "name") bad("unknown field '" + k + "'");
    }
    const auto lat = z.find("latitude");
    const auto lon = z.find("longitude");
    if (lat == z.end() || !lat->is_number() || std::abs(lat->get<double>()) > 90) bad("latitude must be -90 to 90");
    if (lon == z.end() || !lon->is_number() || std::abs(lon->get<double>()) > 180) {
      bad("longitude must be -180 to 180");
    }
    if (const auto r = z.find("radius_m");
        r != z.end() && (!r->is_number() || r->get<double>() < 100 || r->get<double>() > 5000)) {
      bad("radius_m must be 100 to 5000");
    }
    if (const auto n = z.find("name");
        n != z.end() && (!n->is_string() || n->get_ref<const std::string&>().size() > 64)) {
      bad("name must be a string of at most 64 characters");
    }
  }
}

void check_value(const ParameterSpec& p, const json& value, std::vector<Problem>& out) {
  switch (p.type) {
    case ValueType::array: check_privacy_zones(value, out); return;
    case ValueType::string:
      if (!value.is_string()) {
        out.push_back({p.key, "wrong_type", fmt::format("{} must be a string", p.key)});
      } else if (!p.allowed.empty() && std::find(p.allowed.begin(), p.allowed.end(),
                                                 value.get_ref<const std::string&>()) == p.allowed.end()) {
        out.push_back({p.key, "not_allowed", fmt::format("{} must be one of: {}", p.key, fmt::join(p.allowed, ", "))});
      }
      return;
    case ValueType::integer:
    case ValueType::number:
      if (!value.is_number() || (p.type == ValueType::integer && !is_integer(value))) {
        out.push_back({p.key, "wrong_type",
                       fmt::format("{} must be {}", p.key, p.type == ValueType::integer ? "an integer" : "a number")});
        return;
      }
      if (const double d = value.get<double>(); !std::isfinite(d) || d < *p.minimum || d > *p.maximum) {
        out.push_back({p.key, "out_of_range", fmt::format("{} must be {}", p.key, range_text(p))});
      }
      return;
  }
}

std::optional<double> effective_number(const json& parameters, const json& context, const char* key) {
  if (const auto it = parameters.find(key); it != parameters.end()) {
    if (it->is_number()) return it->get<double>();
    return std::nullopt;  // null (removed) or wrong type (already reported)
  }
  if (const auto it = context.find(key); it != context.end() && it->is_number()) return it->get<double>();
  if (const auto* spec = find_parameter(key); spec != nullptr && spec->default_value.is_number()) {
    return spec->default_value.get<double>();
  }
  return std::nullopt;
}

void check_consistency(const json& parameters, const json& context, std::vector<Problem>& out) {
  const auto n = [&](const char* key) { return effective_number(parameters, context, key); };
  const auto rest = n("resting_hr_bpm");
  const auto lthr = n("lthr_bpm");
  const auto max = n("max_hr_bpm");
  const auto order = [&](const char* low_key, std::optional<double> low, const char* high_key,
                         std::optional<double> high) {
    if (low && high && *low >= *high && (parameters.contains(low_key) || parameters.contains(high_key))) {
      out.push_back({parameters.contains(high_key) ? high_key : low_key, "inconsistent",
                     fmt::format("{} ({}) must be below {} ({})", low_key, *low, high_key, *high)});
    }
  };
  order("resting_hr_bpm", rest, "max_hr_bpm", max);
  order("resting_hr_bpm", rest, "lthr_bpm", lthr);
  order("lthr_bpm", lthr, "max_hr_bpm", max);
  order("atl_days", n("atl_days"), "ctl_days", n("ctl_days"));
  order("acwr_caution", n("acwr_caution"), "acwr_high", n("acwr_high"));
}

}  // namespace

std::string_view value_type_name(ValueType type) noexcept {
  switch (type) {
    case ValueType::number: return "number";
    case ValueType::integer: return "integer";
    case ValueType::string: return "string";
    case ValueType::array: return "array";
  }
  return "number";
}

const std::vector<Category>& catalog() {
  static const std::vector<Category> categories = build_catalog();
  return categories;
}

const ParameterSpec* find_parameter(std::string_view key) noexcept {
  for (const auto& c : catalog()) {
    for (const auto& p : c.parameters) {
      if (p.key == key) return &p;
    }
  }
  return nullptr;
}

const std::vector<ConfigurationProfile>& profiles() {
  static const std::vector<ConfigurationProfile> all = build_profiles();
  return all;
}

const ConfigurationProfile* find_profile(std::string_view name) noexcept {
  for (const auto& p : profiles()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<Problem> validate(const json& parameters, const json& context) {
  std::vector<Problem> out;
  if (!parameters.is_object()) {
    out.push_back({"", "wrong_type", "parameters must be an object of parameter names to values"});
    return out;
  }
  for (const auto& [key, value] : parameters.items()) {
    const auto* spec = find_parameter(key);
    if (spec == nullptr) {
      out.push_back({key, "unknown_parameter",
                     fmt::format("unknown parameter '{}' (get_configuration_catalog lists them)", key)});
      continue;
    }
    if (!value.is_null()) check_value(*spec, value, out);
  }
  if (out.empty()) check_consistency(parameters, context.is_object() ? context : json::object(), out);
  return out;
}

}  // namespace pierre::profile
