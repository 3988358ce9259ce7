#pragma once
// goals::Service — each user's fitness goals in the store (migration 007), their progress measured from the user's
// activities and athlete profile, feasibility (intelligence/goals.hpp) and suggestions from recent training.
// Every call is scoped to one owner (tenant + user): another user's goal id behaves exactly like an unknown id.
// "Now" is a parameter everywhere, so tests are deterministic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/activity/service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/goals/goal.hpp"
#include "pierre/goals/suggest.hpp"
#include "pierre/intelligence/goals.hpp"
#include "pierre/profile/service.hpp"
#include "pierre/store/database.hpp"

namespace pierre::goals {

struct NewGoal {
  std::string title;
  std::string description;
  GoalType type = GoalType::custom;
  std::optional<activity::SportType> sport;
  double target_value = 0;
  std::optional<double> target_distance_m;  // race_time: the race distance
  std::string target_date;                  // YYYY-MM-DD, today or later
};

struct FeasibilityReport {
  intelligence::Feasibility feasibility;
  std::string measure;    // "distance_m", "moving_time_s", "sessions", "vdot", "ftp_w", "none"
  std::string rate_unit;  // unit of required_rate/current_rate: "m/week", "s/week", "sessions/week",
                          // "vdot/week", "fraction/week"
  double weeks_remaining = 0;
  std::optional<double> current_level;  // race_time: current VDOT; ftp: current FTP (W)
  std::optional<double> target_level;   // race_time: VDOT the target time implies; ftp: target FTP (W)
  Progress progress;
};

struct Tracked {
  Goal goal;  // after any status change
  Progress progress;
  bool newly_achieved = false;
};

class Service {
 public:
  static constexpr std::size_t kMaxGoalsPerUser = 200;
  static constexpr std::size_t kMaxTitleChars = 200;
  static constexpr std::size_t kMaxDescriptionChars = 2000;
  // Race-time goals: the best VDOT of the runs of this window is the current performance.
  static constexpr std::int64_t kPerformanceWindowMs = 90LL * 86'400'000;
  // Target dates further away than this are refused.
  static constexpr std::int64_t kMaxHorizonDays = 5 * 366;

  Service(store::Database& db, activity::Service& activities, profile::Service& profiles,
          intelligence::FeasibilityOptions options = {});

  // Validates and builds the goal without storing it (id empty, start_date = today); invalid_input (details.field)
  // or value_out_of_range for bad input. The baseline of race_time/ftp goals is measured only by create().
  static Result<Goal> draft(const NewGoal& goal, std::int64_t now_ms);
  // draft() plus the baseline of race_time/ftp goals measured now: the goal as create() would store it, unstored.
  Result<Goal> preview(const activity::Owner& owner, const NewGoal& goal, std::int64_t now_ms);
  Result<Goal> create(const activity::Owner& owner, const NewGoal& goal, std::int64_t now_ms);
  Result<std::optional<Goal>> get(const activity::Owner& owner, std::string_view id);
  // Active goals first, then achieved and abandoned; newest first within each (at most kMaxGoalsPerUser).
  Result<std::vector<Goal>> list(const activity::Owner& owner);
  Result<std::optional<Goal>> set_status(const activity::Owner& owner, std::string_view id, GoalStatus status,
                                         std::int64_t now_ms);
  Result<bool> remove(const activity::Owner& owner, std::string_view id);

  Result<Measurement> measure(const activity::Owner& owner, const Goal& goal, std::int64_t now_ms);
  Result<Progress> progress(const activity::Owner& owner, const Goal& goal, std::int64_t now_ms);
  // Progress of a stored goal; an active goal whose target is reached becomes achieved. nullopt: no such goal.
  Result<std::optional<Tracked>> track(const activity::Owner& owner, std::string_view id, std::int64_t now_ms);
  Result<FeasibilityReport> feasibility(const activity::Owner& owner, const Goal& goal, std::int64_t now_ms);
  Result<SuggestionSet> suggest(const activity::Owner& owner, SuggestionCategory category,
                                std::optional<activity::SportType> sport, std::int64_t now_ms);

  // Current performance levels.
  Result<std::optional<BestEffort>> best_recent_vdot(const activity::Owner& owner, std::int64_t now_ms);
  Result<std::optional<double>> current_ftp_w(const activity::Owner& owner, std::int64_t now_ms);

  [[nodiscard]] const intelligence::FeasibilityOptions& options() const noexcept { return options_; }

 private:
  store::Database& db_;
  activity::Service& activities_;
  profile::Service& profiles_;
  intelligence::FeasibilityOptions options_;
};

}  // namespace pierre::goals
