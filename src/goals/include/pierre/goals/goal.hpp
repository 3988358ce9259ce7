#pragma once
// Goals as values, and how progress toward one is measured (pure: given what was measured and the time, no I/O).
//
// Goal types and what their target_value means (SI, the unit is stored with the goal):
//   distance   metres covered by the goal's sport family between start and target date
//   duration   seconds of moving time, same period
//   frequency  number of sessions, same period
//   race_time  seconds for target_distance_m, measured as the time the best recent VDOT predicts
//   ftp        watts of functional threshold power (configured or estimated in the athlete profile)
//   custom     not measured automatically
// Pierre's words are accepted too: "time" = duration, "performance" = race_time.
// The period runs from the start (00:00 UTC) of start_date, the day the goal was set, to the end of target_date.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/activity/model.hpp"

namespace pierre::goals {

enum class GoalType { distance, duration, frequency, race_time, ftp, custom };
enum class GoalStatus { active, achieved, abandoned };

std::string_view goal_type_name(GoalType type) noexcept;
// Ours and Pierre's words ("time", "performance"), case-insensitive.
std::optional<GoalType> goal_type_from_name(std::string_view name) noexcept;
std::string_view goal_status_name(GoalStatus status) noexcept;
std::optional<GoalStatus> goal_status_from_name(std::string_view name) noexcept;
// "m", "s", "sessions", "s", "W", "".
std::string_view unit_of(GoalType type) noexcept;
// Accumulated over the period (distance, duration, frequency) rather than a performance level.
bool is_accumulating(GoalType type) noexcept;

struct Goal {
  std::string id;  // "goal_…"
  std::string title;
  std::string description;
  GoalType type = GoalType::custom;
  std::optional<activity::SportType> sport;  // none: every sport counts
  double target_value = 0;
  std::optional<double> target_distance_m;  // race_time only
  std::optional<double> baseline_value;     // race_time/ftp: the measured value when the goal was set
  std::string start_date;                   // YYYY-MM-DD
  std::string target_date;                  // YYYY-MM-DD
  GoalStatus status = GoalStatus::active;
  std::optional<std::int64_t> achieved_at_ms;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;

  // [start of start_date, end of target_date) in epoch ms, UTC.
  [[nodiscard]] std::int64_t period_start_ms() const;
  [[nodiscard]] std::int64_t period_end_ms() const;
};

// Whether an activity of `sport` counts toward a goal of `goal_sport`: by family for running, cycling and swimming
// (a running goal counts trail and treadmill runs), otherwise the same sport; every sport when the goal has none.
bool counts_toward(std::optional<activity::SportType> goal_sport, activity::SportType sport) noexcept;

// What was measured for a goal at `now`.
struct Measurement {
  std::optional<double> current;   // none: nothing to measure yet (no qualifying data, or a custom goal)
  std::size_t activity_count = 0;  // activities that contributed
  std::string basis;               // how it was measured, for people
};

struct Progress {
  std::optional<double> current_value;
  double percent_complete = 0;            // 0–100
  double time_elapsed_percent = 0;        // 0–100
  std::optional<double> expected_by_now;  // where a linear path from start (or baseline) to target is now
  std::optional<bool> on_track;
  std::optional<double> projected_value;  // at the target date, continuing at the pace so far
  std::int64_t days_remaining = 0;
  bool reached = false;
  std::size_t activity_count = 0;
  std::string basis;
};

// One activity's contribution to an accumulating goal: its distance (m), moving time (s; elapsed when no moving time)
// or 1 session; 0 for the other types and for non-finite values.
double amount_of(GoalType type, const activity::Activity& a) noexcept;

// Sum over `activities` (already limited to the goal's period) of the goal's measure for the counting sports.
Measurement measure_accumulated(const Goal& goal, std::span<const activity::Activity> activities);

// The current volume a distance/duration/frequency goal starts from — the one definition both the feasibility
// analysis (Service::feasibility) and the suggestions (suggest_goals) use, so every suggestion is judged against the
// numbers it was derived from. The goal's measure of the activities of `history` that count toward `sport`, per week
// over the `weeks` weeks ending at now_ms ([now − weeks·7 d, now], oldest week first; activities outside are ignored).
// Its mean is the current weekly rate; `weeks` is intelligence::FeasibilityOptions::recent_weeks (4: the chronic
// window of the rolling acute:chronic workload ratio, see intelligence/goals.hpp). Empty when weeks < 1.
std::vector<double> recent_weekly_volume(GoalType type, std::optional<activity::SportType> sport,
                                         std::span<const activity::Activity> history, std::int64_t now_ms, int weeks);
Progress compute_progress(const Goal& goal, const Measurement& measured, std::int64_t now_ms);

// YYYY-MM-DD → epoch ms at 00:00 UTC; nullopt unless exactly that form and a real date.
std::optional<std::int64_t> parse_day(std::string_view text);
std::string day_of(std::int64_t epoch_ms);

// Wire shapes (unit-suffixed fields beside target_value/unit).
nlohmann::json to_json(const Goal& goal);
nlohmann::json to_json(const Progress& progress, const Goal& goal);

}  // namespace pierre::goals
