#pragma once
// profile::Service — each user's configuration (chosen profile + the parameters they set), and the resolved athlete
// profile every analysis reads. Resolution order per parameter: configured by the user → the chosen profile's
// preset → estimated from the user's own activities (max HR, LTHR, FTP, VO2max/VDOT, threshold pace) → the
// catalogue default → unknown. Each resolved value says which (`source`) and, when estimated, how (`method`).

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/activity/model.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/intelligence/metrics.hpp"
#include "pierre/profile/catalog.hpp"
#include "pierre/store/database.hpp"

namespace pierre::profile {

struct UserConfiguration {
  std::string profile{kDefaultProfile};
  nlohmann::json parameters = nlohmann::json::object();  // what the user set, catalogued keys only
  std::int64_t updated_at_ms = 0;                        // 0: never saved
};

struct ResolvedValue {
  nlohmann::json value;
  std::string source;  // "configured" | "profile" | "estimated" | "default"
  std::string method;  // how it was estimated ("" otherwise)
};

// A saved place around which GPS points are never shown.
struct PrivacyZone {
  double latitude_deg = 0;
  double longitude_deg = 0;
  double radius_m = 0;
};

class AthleteProfile {
 public:
  std::string profile;  // the configuration profile in force
  std::map<std::string, ResolvedValue, std::less<>> values;

  [[nodiscard]] std::optional<double> number(std::string_view key) const;
  [[nodiscard]] std::optional<std::string> text(std::string_view key) const;
  [[nodiscard]] const ResolvedValue* find(std::string_view key) const;
  // Resting/max HR and sex for TRIMP; nullopt when max HR is unknown (resting falls back to the catalogue default).
  [[nodiscard]] std::optional<intelligence::HeartRateProfile> heart_rate() const;
  [[nodiscard]] std::optional<intelligence::Sex> sex() const;
  [[nodiscard]] std::vector<PrivacyZone> privacy_zones() const;
  // {key: {value, unit, source, method?}} for every catalogued parameter (unknown ones with value null).
  [[nodiscard]] nlohmann::json to_json() const;
};

// Estimates from the user's own history (pure; `history` oldest first, `now_ms` the reference time). Only values
// the data supports are returned, keyed like the catalogue, each with its method.
[[nodiscard]] std::map<std::string, ResolvedValue, std::less<>> estimate_from_history(
    std::span<const activity::Activity> history, std::int64_t now_ms, std::optional<double> age_years);

// A person's physiology as providers and the demo athlete describe it (activity::Athlete), as configuration
// parameters (unit-suffixed keys; values to 0.1, threshold pace to the second; age in `current_year`).
[[nodiscard]] nlohmann::json parameters_from_athlete(const activity::Athlete& athlete, int current_year);

class Service {
 public:
  // How far back estimates look.
  static constexpr std::int64_t kEstimateWindowMs = 365LL * 86'400'000;

  Service(store::Database& db, activity::Service& activities);

  Result<UserConfiguration> get(const activity::Owner& owner);
  // Applies a profile (when given) and merges parameters into the stored ones (a null value removes a setting).
  // invalid_input with details.problems when the profile is unknown or a value fails validation; nothing is stored
  // then.
  Result<UserConfiguration> update(const activity::Owner& owner, const std::optional<std::string>& profile,
                                   const nlohmann::json& parameters);
  // The resolved profile. `history` (oldest first) is used for the estimates when given; otherwise the last year is
  // read from the activity store.
  Result<AthleteProfile> resolve(const activity::Owner& owner, std::int64_t now_ms,
                                 std::optional<std::span<const activity::Activity>> history = {});
  // Resolution without the store, for given configuration and history (used by resolve and by tests).
  [[nodiscard]] static AthleteProfile resolve_with(const UserConfiguration& configuration,
                                                   std::span<const activity::Activity> history, std::int64_t now_ms);

 private:
  store::Database& db_;
  activity::Service& activities_;
};

}  // namespace pierre::profile
