#include "pierre/goals/goal.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "pierre/core/text.hpp"
#include "pierre/core/time.hpp"

namespace pierre::goals {
namespace {

nlohmann::json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

using text::iequals;

std::string family_label(std::optional<activity::SportType> sport) {
  if (!sport) return "all";
  if (activity::is_running(*sport)) return "running";
  if (activity::is_cycling(*sport)) return "cycling";
  if (activity::is_swimming(*sport)) return "swimming";
  return std::string(activity::sport_name(*sport));
}

}  // namespace

std::string_view goal_type_name(GoalType type) noexcept {
  switch (type) {
    case GoalType::distance: return "distance";
    case GoalType::duration: return "duration";
    case GoalType::frequency: return "frequency";
    case GoalType::race_time: return "race_time";
    case GoalType::ftp: return "ftp";
    case GoalType::custom: return "custom";
  }
  return "custom";
}

std::optional<GoalType> goal_type_from_name(std::string_view name) noexcept {
  static constexpr std::pair<std::string_view, GoalType> kNames[] = {
      {"distance", GoalType::distance},
      {"duration", GoalType::duration},
      {"time", GoalType::duration},
      {"frequency", GoalType::frequency},
      {"race_time", GoalType::race_time},
      {"performance", GoalType::race_time},
      {"ftp", GoalType::ftp},
      {"custom", GoalType::custom},
  };
  for (const auto& [word, type] : kNames) {
    if (iequals(name, word)) return type;
  }
  return std::nullopt;
}

std::string_view goal_status_name(GoalStatus status) noexcept {
  switch (status) {
    case GoalStatus::active: return "active";
    case GoalStatus::achieved: return "achieved";
    case GoalStatus::abandoned: return "abandoned";
  }
  return "active";
}

std::optional<GoalStatus> goal_status_from_name(std::string_view name) noexcept {
  for (const auto s : {GoalStatus::active, GoalStatus::achieved, GoalStatus::abandoned}) {
    if (iequals(name, goal_status_name(s))) return s;
  }
  return std::nullopt;
}

std::string_view unit_of(GoalType type) noexcept {
  switch (type) {
    case GoalType::distance: return "m";
    case GoalType::duration: return "s";
    case GoalType::frequency: return "sessions";
    case GoalType::race_time: return "s";
    case GoalType::ftp: return "W";
    case GoalType::custom: return "";
  }
  return "";
}

bool is_accumulating(GoalType type) noexcept {
  return type == GoalType::distance || type == GoalType::duration || type == GoalType::frequency;
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (const std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return std::nullopt;
  }
  const auto number = [&](std::size_t from, std::size_t count) {
    int v = 0;
    for (std::size_t i = from; i < from + count; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  using namespace std::chrono;
  const year_month_day ymd{year(number(0, 4)), month(static_cast<unsigned>(number(5, 2))),
                           day(static_cast<unsigned>(number(8, 2)))};
  if (!ymd.ok()) return std::nullopt;
  return duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
}

std::string day_of(std::int64_t epoch_ms) {
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(sys_time<milliseconds>(milliseconds(epoch_ms))));
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::int64_t Goal::period_start_ms() const {
  return parse_day(start_date).value_or(created_at_ms);
}

std::int64_t Goal::period_end_ms() const {
  const auto day = parse_day(target_date);
  return day ? *day + kDayMs : period_start_ms() + kDayMs;
}

bool counts_toward(std::optional<activity::SportType> goal_sport, activity::SportType sport) noexcept {
  if (!goal_sport) return true;
  if (activity::is_running(*goal_sport)) return activity::is_running(sport);
  if (activity::is_cycling(*goal_sport)) return activity::is_cycling(sport);
  if (activity::is_swimming(*goal_sport)) return activity::is_swimming(sport);
  return sport == *goal_sport;
}

double amount_of(GoalType type, const activity::Activity& a) noexcept {
  switch (type) {
    case GoalType::distance: return std::isfinite(a.summary.distance_m) ? a.summary.distance_m : 0;
    case GoalType::duration: {
      const double moving = a.summary.moving_time_s > 0 ? a.summary.moving_time_s : a.summary.elapsed_time_s;
      return std::isfinite(moving) ? moving : 0;
    }
    case GoalType::frequency: return 1;
    default: return 0;
  }
}

Measurement measure_accumulated(const Goal& goal, std::span<const activity::Activity> activities) {
  Measurement m;
  if (!is_accumulating(goal.type)) return m;
  const auto start = goal.period_start_ms();
  const auto end = goal.period_end_ms();
  double total = 0;
  for (const auto& a : activities) {
    const auto t = a.summary.start_time_ms;
    if (t < start || t >= end || !counts_toward(goal.sport, a.sport)) continue;
    ++m.activity_count;
    total += amount_of(goal.type, a);
  }
  m.current = total;
  const char* what = goal.type == GoalType::distance   ? "distance"
                     : goal.type == GoalType::duration ? "moving time"
                                                       : "sessions";
  m.basis = fmt::format("{} of {} {} activit{} from {} to {}", what, m.activity_count, family_label(goal.sport),
                        m.activity_count == 1 ? "y" : "ies", goal.start_date, goal.target_date);
  return m;
}

std::vector<double> recent_weekly_volume(GoalType type, std::optional<activity::SportType> sport,
                                         std::span<const activity::Activity> history, std::int64_t now_ms, int weeks) {
  if (weeks < 1) return {};
  constexpr std::int64_t kWeekMs = 7 * kDayMs;
  const std::int64_t from = now_ms - weeks * kWeekMs;
  std::vector<double> weekly(static_cast<std::size_t>(weeks), 0.0);
  for (const auto& a : history) {
    const auto t = a.summary.start_time_ms;
    if (t < from || t > now_ms || !counts_toward(sport, a.sport)) continue;
    // An activity starting exactly at now_ms belongs to the last week.
    const auto index = std::min<std::int64_t>((t - from) / kWeekMs, weeks - 1);
    weekly[static_cast<std::size_t>(index)] += amount_of(type, a);
  }
  return weekly;
}

Progress compute_progress(const Goal& goal, const Measurement& measured, std::int64_t now_ms) {
  Progress p;
  p.activity_count = measured.activity_count;
  p.basis = measured.basis;
  const auto start = goal.period_start_ms();
  const auto end = goal.period_end_ms();
  const double span = static_cast<double>(std::max<std::int64_t>(1, end - start));
  const double elapsed = static_cast<double>(std::clamp<std::int64_t>(now_ms - start, 0, end - start));
  const double fraction = elapsed / span;
  p.time_elapsed_percent = fraction * 100;
  p.days_remaining = now_ms >= end ? 0 : (end - now_ms + kDayMs - 1) / kDayMs;
  if (!measured.current) return p;
  const double c = *measured.current;
  const double t = goal.target_value;
  const double remaining_ms = static_cast<double>(std::max<std::int64_t>(0, end - now_ms));
  p.current_value = c;
  if (is_accumulating(goal.type)) {
    p.reached = c >= t;
    p.percent_complete = t > 0 ? std::min(100.0, 100.0 * c / t) : 100.0;
    p.expected_by_now = t * fraction;
    p.on_track = p.reached || c >= *p.expected_by_now;
    // The pace so far, over at least one day (a goal set this morning has no meaningful pace yet).
    const double rate = c / std::max(elapsed, static_cast<double>(kDayMs));
    p.projected_value = c + rate * remaining_ms;
    return p;
  }
  // Performance levels: lower is better for race times, higher for FTP.
  const bool lower_is_better = goal.type == GoalType::race_time;
  const auto better_or_equal = [&](double a, double b) { return lower_is_better ? a <= b : a >= b; };
  const auto& b = goal.baseline_value;
  const bool has_path = b && std::isfinite(*b) && !better_or_equal(*b, t);  // the baseline was short of the target
  p.reached = better_or_equal(c, t);
  if (p.reached) {
    p.percent_complete = 100;
  } else if (has_path) {
    p.percent_complete = 100.0 * std::clamp((c - *b) / (t - *b), 0.0, 1.0);
  } else {
    p.percent_complete = 100.0 * std::clamp(lower_is_better ? t / c : c / t, 0.0, 1.0);
  }
  if (has_path) {
    p.expected_by_now = *b + (t - *b) * fraction;
    p.on_track = p.reached || better_or_equal(c, *p.expected_by_now);
    const double slope = elapsed >= static_cast<double>(kDayMs) ? (c - *b) / elapsed : 0.0;
    p.projected_value = std::max(0.0, c + slope * remaining_ms);
  } else {
    if (p.reached) p.on_track = true;
    p.projected_value = c;
  }
  return p;
}

nlohmann::json to_json(const Goal& goal) {
  nlohmann::json j = {
      {"goal_id", goal.id},
      {"title", goal.title},
      {"description", goal.description},
      {"goal_type", goal_type_name(goal.type)},
      {"sport_type", goal.sport ? nlohmann::json(activity::sport_name(*goal.sport)) : nlohmann::json(nullptr)},
      {"target_value", goal.target_value},
      {"unit", unit_of(goal.type)},
      {"baseline_value", optional_number(goal.baseline_value)},
      {"start_date", goal.start_date},
      {"target_date", goal.target_date},
      {"status", goal_status_name(goal.status)},
      {"achieved_at", goal.achieved_at_ms ? nlohmann::json(iso8601_ms(*goal.achieved_at_ms)) : nlohmann::json(nullptr)},
      {"created_at", iso8601_ms(goal.created_at_ms)},
      {"updated_at", iso8601_ms(goal.updated_at_ms)},
  };
  switch (goal.type) {
    case GoalType::distance: j["target_total_distance_m"] = goal.target_value; break;
    case GoalType::duration: j["target_moving_time_s"] = goal.target_value; break;
    case GoalType::frequency: j["target_sessions"] = goal.target_value; break;
    case GoalType::race_time:
      j["target_time_s"] = goal.target_value;
      j["target_distance_m"] = optional_number(goal.target_distance_m);
      break;
    case GoalType::ftp: j["target_ftp_w"] = goal.target_value; break;
    case GoalType::custom: break;
  }
  return j;
}

nlohmann::json to_json(const Progress& p, const Goal& goal) {
  return {
      {"goal_id", goal.id},
      {"title", goal.title},
      {"goal_type", goal_type_name(goal.type)},
      {"sport_type", goal.sport ? nlohmann::json(activity::sport_name(*goal.sport)) : nlohmann::json(nullptr)},
      {"unit", unit_of(goal.type)},
      {"status", goal_status_name(goal.status)},
      {"start_date", goal.start_date},
      {"target_date", goal.target_date},
      {"target_value", goal.target_value},
      {"baseline_value", optional_number(goal.baseline_value)},
      {"current_value", optional_number(p.current_value)},
      {"percent_complete", p.percent_complete},
      {"time_elapsed_percent", p.time_elapsed_percent},
      {"expected_by_now", optional_number(p.expected_by_now)},
      {"on_track", p.on_track ? nlohmann::json(*p.on_track) : nlohmann::json(nullptr)},
      {"projected_value", optional_number(p.projected_value)},
      {"days_remaining", p.days_remaining},
      {"reached", p.reached},
      {"activity_count", p.activity_count},
      {"basis", p.basis},
  };
}

}  // namespace pierre::goals
