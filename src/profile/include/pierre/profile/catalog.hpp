#pragma once
// The configuration catalogue: every parameter the analytics read, with its unit (also in its name: `_bpm`, `_w`,
// `_kg`…), type, valid range, default and the published source of the default or of the method it selects; the
// configuration profiles (presets of model settings for kinds of users); and validation of parameter values.
// Plain data, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pierre::profile {

enum class ValueType { number, integer, string, array };
std::string_view value_type_name(ValueType type) noexcept;

struct ParameterSpec {
  std::string key;  // unit-suffixed, e.g. "max_hr_bpm"
  std::string name;
  ValueType type = ValueType::number;
  std::string unit;              // "" for unitless
  nlohmann::json default_value;  // null: unknown unless configured or estimated
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::vector<std::string> allowed;  // for string parameters with a fixed vocabulary
  std::string description;
  std::string source;
};

struct Category {
  std::string id;
  std::string name;
  std::string description;
  std::vector<ParameterSpec> parameters;
};

[[nodiscard]] const std::vector<Category>& catalog();
[[nodiscard]] const ParameterSpec* find_parameter(std::string_view key) noexcept;

// A preset of model settings (not physiology) for a kind of user, e.g. conservative load limits for beginners.
struct ConfigurationProfile {
  std::string name;  // "recreational" (the default), "beginner", "elite", "research", "medical"
  std::string title;
  std::string description;
  nlohmann::json parameters;  // key → value, all catalogued
};
inline constexpr std::string_view kDefaultProfile = "recreational";
[[nodiscard]] const std::vector<ConfigurationProfile>& profiles();
[[nodiscard]] const ConfigurationProfile* find_profile(std::string_view name) noexcept;

struct Problem {
  std::string key;      // the parameter ("" for a problem of the whole object)
  std::string code;     // "unknown_parameter", "wrong_type", "out_of_range", "not_allowed", "inconsistent"
  std::string message;  // for people: names the parameter, the value's problem and the valid range
};
// Checks a parameters object: known keys, types, ranges, allowed words, and rules between values (resting < LTHR <
// max heart rate, ATL constant < CTL constant, ACWR caution < high). A null value means "remove my setting" and
// passes. `context` supplies values already configured, so a partial update is checked against the whole.
[[nodiscard]] std::vector<Problem> validate(const nlohmann::json& parameters,
                                            const nlohmann::json& context = nlohmann::json::object());

}  // namespace pierre::profile
