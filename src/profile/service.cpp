#include "pierre/profile/service.hpp"

#include <cmath>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/intelligence/performance.hpp"

namespace pierre::profile {
namespace {

using nlohmann::json;

json problems_json(const std::vector<Problem>& problems) {
  json out = json::array();
  for (const auto& p : problems) out.push_back({{"parameter", p.key}, {"code", p.code}, {"message", p.message}});
  return out;
}

std::string problems_text(const std::vector<Problem>& problems) {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p.message;
  return text;
}

}  // namespace

// ---- AthleteProfile ----

const ResolvedValue* AthleteProfile::find(std::string_view key) const {
  const auto it = values.find(key);
  return it == values.end() || it->second.value.is_null() ? nullptr : &it->second;
}

std::optional<double> AthleteProfile::number(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr || !v->value.is_number()) return std::nullopt;
  return v->value.get<double>();
}

std::optional<std::string> AthleteProfile::text(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr || !v->value.is_string()) return std::nullopt;
  return v->value.get<std::string>();
}

std::optional<intelligence::Sex> AthleteProfile::sex() const {
  const auto s = text("sex");
  return s ? intelligence::sex_from_text(*s) : std::nullopt;
}

std::optional<intelligence::HeartRateProfile> AthleteProfile::heart_rate() const {
  const auto max = number("max_hr_bpm");
  const auto rest = number("resting_hr_bpm");
  if (!max || !rest || *rest >= *max) return std::nullopt;
  // Banister's weighting without a known sex: the male constants are the model's original ones.
  return intelligence::HeartRateProfile{*rest, *max, sex().value_or(intelligence::Sex::male)};
}

std::vector<PrivacyZone> AthleteProfile::privacy_zones() const {
  std::vector<PrivacyZone> out;
  const auto* zones = find("privacy_zones");
  if (zones == nullptr || !zones->value.is_array()) return out;
  const double radius = number("privacy_zone_radius_m").value_or(500);
  for (const auto& z : zones->value) {
    out.push_back({z.value("latitude", 0.0), z.value("longitude", 0.0), z.value("radius_m", radius)});
  }
  return out;
}

json AthleteProfile::to_json() const {
  json out = json::object();
  for (const auto& category : catalog()) {
    for (const auto& p : category.parameters) {
      json entry = {{"value", nullptr}, {"unit", p.unit}, {"source", "unknown"}};
      if (const auto* v = find(p.key)) {
        entry["value"] = v->value;
        entry["source"] = v->source;
        if (!v->method.empty()) entry["method"] = v->method;
      }
      out[p.key] = std::move(entry);
    }
  }
  return out;
}

nlohmann::json parameters_from_athlete(const activity::Athlete& athlete, int current_year) {
  json parameters = json::object();
  const auto set = [&](const char* key, const std::optional<double>& value, double scale = 1) {
    if (value) parameters[key] = std::round(*value * scale * 10) / 10;
  };
  set("weight_kg", athlete.weight_kg);
  set("height_cm", athlete.height_m, 100);
  set("max_hr_bpm", athlete.max_hr_bpm);
  set("resting_hr_bpm", athlete.resting_hr_bpm);
  set("lthr_bpm", athlete.threshold_hr_bpm);
  set("ftp_w", athlete.ftp_w);
  set("vo2max", athlete.vo2max);
  if (athlete.threshold_pace_mps)
    parameters["threshold_pace_s_per_km"] = std::round(1000 / *athlete.threshold_pace_mps);
  if (athlete.birth_year) parameters["age_years"] = current_year - *athlete.birth_year;
  if (athlete.sex) parameters["sex"] = *athlete.sex;
  return parameters;
}

// ---- Service ----

Service::Service(store::Database& db, activity::Service& activities) : db_(db), activities_(activities) {}

Result<UserConfiguration> Service::get(const activity::Owner& owner) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row(
      "SELECT profile, parameters, updated_at FROM user_configurations WHERE tenant_id = :tenant AND user_id = ?1",
      {owner.user_id});
  if (!row) return std::unexpected(row.error());
  UserConfiguration out;
  if (!row->has_value()) return out;
  auto profile = (*row)->get<std::string>("profile");
  auto parameters = (*row)->get<std::string>("parameters");
  auto updated = (*row)->get<std::int64_t>("updated_at");
  if (!profile || !parameters || !updated) return fail(ErrorCode::storage_error, "the stored configuration is damaged");
  out.profile = std::move(*profile);
  out.parameters = json::parse(*parameters, nullptr, false);
  if (!out.parameters.is_object()) return fail(ErrorCode::storage_error, "the stored configuration is damaged");
  out.updated_at_ms = *updated;
  return out;
}

Result<UserConfiguration> Service::update(const activity::Owner& owner, const std::optional<std::string>& profile,
                                          const json& parameters) {
  if (profile && find_profile(*profile) == nullptr) {
    std::vector<std::string> names;
    for (const auto& p : profiles()) names.push_back(p.name);
    return fail(ErrorCode::invalid_input,
                fmt::format("unknown profile '{}': one of {}", *profile, fmt::join(names, ", ")),
                {{"field", "profile"}});
  }
  auto current = get(owner);
  if (!current) return std::unexpected(current.error());
  if (const auto problems = validate(parameters, current->parameters); !problems.empty()) {
    return fail(ErrorCode::invalid_input, problems_text(problems), {{"problems", problems_json(problems)}});
  }
  UserConfiguration next = std::move(*current);
  if (profile) next.profile = *profile;
  for (const auto& [key, value] : parameters.items()) {
    if (value.is_null()) {
      next.parameters.erase(key);
    } else {
      next.parameters[key] = value;
    }
  }
  next.updated_at_ms = now_epoch_ms();
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto r = scope.execute(
      "INSERT INTO user_configurations (tenant_id, user_id, profile, parameters, updated_at) VALUES (:tenant, ?1, ?2, "
      "?3, ?4) ON CONFLICT (tenant_id, user_id) DO UPDATE SET profile = excluded.profile, parameters = "
      "excluded.parameters, updated_at = excluded.updated_at",
      {owner.user_id, next.profile, next.parameters.dump(), next.updated_at_ms});
  if (!r) return std::unexpected(r.error());
  return next;
}

Result<AthleteProfile> Service::resolve(const activity::Owner& owner, std::int64_t now_ms,
                                        std::optional<std::span<const activity::Activity>> history) {
  auto configuration = get(owner);
  if (!configuration) return std::unexpected(configuration.error());
  if (history) return resolve_with(*configuration, *history, now_ms);
  // Nothing to estimate when every estimable anchor is configured: skip reading the year of activities.
  bool all_configured = true;
  for (const char* key : {"max_hr_bpm", "lthr_bpm", "ftp_w", "vo2max"}) {
    const auto it = configuration->parameters.find(key);
    all_configured = all_configured && it != configuration->parameters.end() && !it->is_null();
  }
  if (all_configured) return resolve_with(*configuration, {}, now_ms);
  auto recent = activities_.history(owner, now_ms - kEstimateWindowMs, now_ms + 1);
  if (!recent) return std::unexpected(recent.error());
  return resolve_with(*configuration, *recent, now_ms);
}

AthleteProfile Service::resolve_with(const UserConfiguration& configuration,
                                     std::span<const activity::Activity> history, std::int64_t now_ms) {
  AthleteProfile out;
  const auto* preset = find_profile(configuration.profile);
  out.profile = preset != nullptr ? preset->name : std::string(kDefaultProfile);
  const json no_preset = json::object();
  const json& preset_values = preset != nullptr ? preset->parameters : no_preset;
  // Configured and preset values first: the estimates need the configured age.
  for (const auto& category : catalog()) {
    for (const auto& p : category.parameters) {
      if (const auto it = configuration.parameters.find(p.key);
          it != configuration.parameters.end() && !it->is_null()) {
        out.values[p.key] = {*it, "configured", ""};
      } else if (const auto pit = preset_values.find(p.key); pit != preset_values.end()) {
        out.values[p.key] = {*pit, "profile", ""};
      }
    }
  }
  for (auto& [key, value] : estimate_from_history(history, now_ms, out.number("age_years"))) {
    if (!out.values.contains(key)) out.values[key] = std::move(value);
  }
  // Daniels' threshold (T) pace is run at about 88 % of VO2max (Daniels' Running Formula, ch. 4).
  if (!out.values.contains("threshold_pace_s_per_km")) {
    if (const auto vdot = out.number("vo2max")) {
      if (const auto v = intelligence::speed_at_vdot_fraction_mps(*vdot, 0.88); v && *v > 0) {
        out.values["threshold_pace_s_per_km"] = {std::round(1000 / *v), "estimated", "daniels_t_pace_88pct_vdot"};
      }
    }
  }
  for (const auto& category : catalog()) {
    for (const auto& p : category.parameters) {
      if (!out.values.contains(p.key) && !p.default_value.is_null())
        out.values[p.key] = {p.default_value, "default", ""};
    }
  }
  return out;
}

}  // namespace pierre::profile
