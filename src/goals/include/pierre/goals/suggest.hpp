#pragma once
// Goal suggestions from recent training (pure): concrete goals a user can set as they are, each with the numbers it
// was derived from. Volume suggestions start from the same baseline analyze_goal_feasibility judges them against
// (goal.hpp recent_weekly_volume over FeasibilityOptions::recent_weeks = the last 4 weeks) and never ask for more
// than intelligence::likely_volume_total allows, so every one of them is rated "likely" on the same data (or, with
// no recent activity to measure, "challenging" for want of data — never "unlikely").
//   distance     +10 % of the recent weekly distance over the next 4 weeks, per sport family trained (moving time
//                for a family without distances)
//   consistency  as many sessions over the next 4 weeks as the likely ramp allows (one more a week once that fits);
//                and +10 % moving time
//   performance  running: a race time from the best recent VDOT improved at the "likely" Daniels rate over 12 weeks;
//                cycling: FTP +5 % over 8 weeks (within the 5–15 %-per-block heuristic and the likely rate)
// Without activities in the last 12 weeks: starter goals (three sessions a week, 30-minute sessions).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/activity/model.hpp"
#include "pierre/goals/goal.hpp"
#include "pierre/intelligence/goals.hpp"

namespace pierre::goals {

enum class SuggestionCategory { distance, performance, consistency, all };
std::optional<SuggestionCategory> suggestion_category_from_name(std::string_view name) noexcept;
std::string_view suggestion_category_name(SuggestionCategory category) noexcept;

// The best Daniels–Gilbert VDOT among runs (1.5–50 km, moving time or else elapsed time).
struct BestEffort {
  double vdot = 0;
  std::string activity_id;
  double distance_m = 0;
  double time_s = 0;
  std::int64_t start_time_ms = 0;
};
std::optional<BestEffort> best_vdot(std::span<const activity::Activity> activities);

struct Suggestion {
  std::string category;  // distance | performance | consistency
  std::string title;
  GoalType type = GoalType::custom;
  std::optional<activity::SportType> sport;
  double target_value = 0;
  std::optional<double> target_distance_m;
  std::string target_date;
  std::string rationale;
};

struct SuggestionSet {
  std::vector<Suggestion> suggestions;
  std::size_t activities_analyzed = 0;
  std::int64_t weeks_analyzed = 12;
};

inline constexpr std::int64_t kSuggestionWindowDays = 84;  // 12 weeks

// `history`: at least the last 12 weeks (and options.recent_weeks) up to now_ms inclusive, any order. At most six
// suggestions.
SuggestionSet suggest_goals(std::span<const activity::Activity> history, std::optional<BestEffort> vdot,
                            std::optional<double> ftp_w, SuggestionCategory category,
                            std::optional<activity::SportType> sport, std::int64_t now_ms,
                            const intelligence::FeasibilityOptions& options = {});

nlohmann::json to_json(const Suggestion& suggestion);

}  // namespace pierre::goals
