// The product's tool set in one place, and its reference documentation rendered from the registry itself (so
// docs/TOOLS.md cannot drift from what tools/list serves: a unit test compares them).
#include <fmt/format.h>

#include "pierre/profile/catalog.hpp"
#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;

std::string type_text(const json& schema) {
  if (!schema.is_object()) return "any";
  std::string type;
  if (const auto t = schema.find("type"); t != schema.end()) {
    if (t->is_array()) {
      std::vector<std::string> parts;
      for (const auto& p : *t) parts.push_back(p.get<std::string>());
      type = fmt::format("{}", fmt::join(parts, " \\| "));
    } else {
      type = t->get<std::string>();
    }
  } else {
    type = "any";
  }
  if (type == "array") {
    if (const auto items = schema.find("items"); items != schema.end()) type = type_text(*items) + "[]";
  }
  return type;
}

std::string constraints(const json& schema) {
  std::vector<std::string> parts;
  if (const auto e = schema.find("enum"); e != schema.end()) {
    std::vector<std::string> values;
    for (const auto& v : *e) values.push_back("`" + (v.is_string() ? v.get<std::string>() : v.dump()) + "`");
    parts.push_back("one of " + fmt::format("{}", fmt::join(values, ", ")));
  }
  for (const char* k : {"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"}) {
    if (const auto v = schema.find(k); v != schema.end()) parts.push_back(fmt::format("{} {}", k, v->dump()));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string escape(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void properties_table(std::string& out, const json& schema, const char* heading) {
  const auto props = schema.find("properties");
  if (props == schema.end() || props->empty()) {
    out += fmt::format("{}: none.\n\n", heading);
    return;
  }
  std::vector<std::string> required;
  if (const auto r = schema.find("required"); r != schema.end()) required = r->get<std::vector<std::string>>();
  out += fmt::format("{}:\n\n| Name | Type | Required | Description |\n|---|---|---|---|\n", heading);
  for (const auto& [name, p] : props->items()) {
    const bool is_required = std::find(required.begin(), required.end(), name) != required.end();
    std::string description = p.is_object() ? p.value("description", std::string()) : std::string();
    if (const auto c = constraints(p); !c.empty()) description += (description.empty() ? "" : " — ") + c;
    out += fmt::format("| `{}` | {} | {} | {} |\n", name, escape(type_text(p)), is_required ? "yes" : "no",
                       escape(description));
  }
  out += "\n";
}

// The method names tools report, what each computes and where it comes from (the code cites the same sources).
struct Method {
  const char* name;
  const char* what;
  const char* source;
};
constexpr Method kMethods[] = {
    {"coggan_30s_rolling_4th_power", "Normalized power: 30 s rolling mean of 1 s power, 4th root of the mean 4th power",
     "Allen & Coggan, Training and Racing with a Power Meter"},
    {"power_tss_coggan", "TSS = hours × IF² × 100, IF = NP / FTP", "Allen & Coggan"},
    {"hr_tss", "hrTSS: the session's TRIMP relative to one hour at LTHR × 100", "TrainingPeaks; Banister 1991"},
    {"running_tss_grade_adjusted / running_tss_average_speed", "rTSS = hours × (NGP / threshold speed)² × 100",
     "TrainingPeaks; Minetti et al. 2002 for the grade adjustment"},
    {"banister_1991_per_sample / banister_1991_average_hr",
     "TRIMP = minutes × HRr × 0.64·e^(1.92·HRr) (men) or 0.86·e^(1.67·HRr) (women)",
     "Banister 1991; Morton, Fitz-Clarke & Banister 1990, J Appl Physiol 69:1171"},
    {"minetti_2002", "Grade-adjusted pace from the energy cost of running on a gradient",
     "Minetti et al. 2002, J Appl Physiol 93:1039"},
    {"mechanical_work_gross_efficiency / keytel_2005 / compendium_2011_mets / recorded",
     "Calories from work (kJ / (4.184 × efficiency)), else heart rate (Keytel), else METs × kg × h",
     "Keytel et al. 2005, J Sports Sci 23:289; Ainsworth et al. 2011 Compendium"},
    {"karvonen_hrr / percent_hr_max / friel_lthr_run / friel_lthr_bike / coggan_ftp / daniels_vdot", "Training zones",
     "Karvonen 1957; Friel 2009; Coggan; Daniels' Running Formula"},
    {"ctl / atl / tsb", "Impulse-response PMC, time constants ctl_days / atl_days (42/7)",
     "Banister et al. 1975; Coggan's Performance Manager"},
    {"acwr rolling / ewma", "Acute:chronic workload ratio (7/28 days)",
     "Gabbett 2016, Br J Sports Med 50:273; Williams et al. 2017, Br J Sports Med 51:209"},
    {"monotony / strain", "Mean / SD of daily load over 7 days; weekly load × monotony", "Foster 1998, MSSE 30:1164"},
    {"ordinary_least_squares_t_interval_95", "Trend slope with a Student-t 95 % confidence interval and p-value",
     "Any regression text; t quantiles checked against NIST tables"},
    {"seiler_three_zone_from_hr_time_in_zone_treff_2019_pi", "Intensity distribution and polarization index",
     "Seiler 2010, IJSPP 5:276; Treff et al. 2019, Front Physiol 10:707"},
    {"vdot_daniels_gilbert", "VDOT and race times from the oxygen-cost and %VO2max curves",
     "Daniels & Gilbert 1979, Oxygen Power"},
    {"riegel_1981", "T2 = T1 × (D2/D1)^b, b = riegel_exponent (1.06)", "Riegel 1981, American Scientist 69:285"},
    {"mifflin_st_jeor_1990_bmr; thomas_2016_acsm_position_stand_g_per_kg",
     "Resting energy, then carbohydrate/protein/fat targets in g/kg by training load",
     "Mifflin et al. 1990, Am J Clin Nutr 51:241; Thomas, Erdman & Burke 2016, MSSE 48:543"},
    {"fitness score components", "Aerobic load (CTL), VO2max percentile by age and sex, consistency, form (TSB)",
     "Kaminsky, Arena & Myers 2015 (FRIEND), Mayo Clin Proc 90:1515; see src/intelligence/fitness.hpp"},
};

}  // namespace

Result<void> register_product_tools(Registry& registry, ProductServices s) {
  if (auto r = register_data_tools(registry, s.activities, s.profiles, s.sync); !r) return r;
  if (auto r = register_provider_tools(registry, s.activities, s.connections, s.sync); !r) return r;
  if (auto r = register_analysis_tools(registry, s.activities, s.profiles, s.weather, &s.sync); !r) return r;
  if (auto r = register_analytics_tools(registry, s.activities, s.profiles); !r) return r;
  if (auto r = register_goal_tools(registry, s.activities, s.profiles, s.goals); !r) return r;
  if (auto r = register_configuration_tools(registry, s.activities, s.profiles); !r) return r;
  if (auto r = register_weather_tools(registry, s.activities, s.profiles, s.weather); !r) return r;
  return register_activity_tools(registry, s.activities);
}

std::string tools_markdown(const Registry& registry) {
  std::string out =
      "# Tools\n\n"
      "<!-- Generated from the tool registry by `make docs` (tests/unit/tools/product_tools_test.cpp fails when this "
      "file is out of date). Do not edit by hand. -->\n\n"
      "Every tool answers with `structuredContent` that validates against its `outputSchema`, plus a short text. "
      "Values are SI units named with their unit (`_s`, `_m`, `_w`, `_bpm`, `_kcal`); every computed number names "
      "its method (a `method` or `methods` field) and the sources are cited in `src/intelligence/` and in the "
      "configuration catalogue (`get_configuration_catalog`). Failures of a tool (unknown id, bad value, missing "
      "profile data) are results with `isError: true` and a message that says what to change.\n\n";
  out += fmt::format("{} tools:", registry.size());
  for (const auto& d : registry.descriptors()) {
    out += fmt::format(" [`{0}`](#{0})", d["name"].get<std::string>());
  }
  out += "\n\n";
  for (const auto& d : registry.descriptors()) {
    const auto name = d["name"].get<std::string>();
    out += fmt::format("## {}\n\n", name);
    if (d.contains("title")) out += fmt::format("**{}**. ", d["title"].get<std::string>());
    out += d.value("description", std::string()) + "\n\n";
    if (const auto a = d.find("annotations"); a != d.end()) {
      std::vector<std::string> hints;
      for (const auto& [k, v] : a->items()) {
        if (v.is_boolean()) hints.push_back(fmt::format("{}={}", k, v.get<bool>()));
      }
      out += fmt::format("Annotations: {}.\n\n", fmt::join(hints, ", "));
    }
    properties_table(out, d["inputSchema"], "Parameters");
    if (const auto o = d.find("outputSchema"); o != d.end()) properties_table(out, *o, "Output fields");
  }
  out += "## Methods\n\n| Method (as reported) | What | Source |\n|---|---|---|\n";
  for (const auto& m : kMethods) out += fmt::format("| `{}` | {} | {} |\n", m.name, m.what, m.source);
  out +=
      "\n## Configuration parameters\n\nSet with `update_user_configuration`; listed by "
      "`get_configuration_catalog`.\n\n| Parameter | Unit | Range | Default | Source |\n|---|---|---|---|---|\n";
  for (const auto& category : profile::catalog()) {
    for (const auto& p : category.parameters) {
      std::string range = p.minimum && p.maximum ? fmt::format("{} – {}", *p.minimum, *p.maximum) : "";
      if (!p.allowed.empty()) range = fmt::format("{}", fmt::join(p.allowed, ", "));
      out += fmt::format("| `{}` | {} | {} | {} | {} |\n", p.key, p.unit, range,
                         p.default_value.is_null() ? "estimated or unknown" : escape(p.default_value.dump()),
                         escape(p.source));
    }
  }
  return out;
}

}  // namespace pierre::tools
