#include "pierre/goals/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "pierre/core/text.hpp"
#include "pierre/core/time.hpp"
#include "pierre/intelligence/performance.hpp"

namespace pierre::goals {
namespace {

using activity::SportType;

constexpr int kHorizonWeeks = 4;  // volume and consistency suggestions run over the next 4 weeks
constexpr std::int64_t kHorizonMs = kHorizonWeeks * 7 * kDayMs;
constexpr double kVolumeStep = 0.10;        // +10 % of the recent volume, capped at the likely ramp
constexpr int kPerformanceWeeks = 12;       // race-time suggestions
constexpr int kFtpWeeks = 8;                // FTP suggestions
constexpr double kFtpSuggestedGain = 0.05;  // the low end of 5–15 % per block
constexpr std::size_t kMaxSuggestions = 6;

// One group of sports that count toward the same goal (goal.hpp counts_toward), over the 12 weeks.
struct Family {
  SportType sport = SportType::other;  // the goal's sport_type for this family
  std::size_t sessions = 0;
  double longest_m = 0;
};

// A goal's starting point: goal.hpp recent_weekly_volume, the baseline analyze_goal_feasibility judges it against.
struct Baseline {
  double total = 0;     // over the recent weeks
  double per_week = 0;  // the current weekly rate
};

Baseline baseline(GoalType type, std::optional<SportType> sport, std::span<const activity::Activity> history,
                  std::int64_t now_ms, int weeks) {
  Baseline b;
  for (const double w : recent_weekly_volume(type, sport, history, now_ms, weeks)) b.total += w;
  b.per_week = weeks > 0 ? b.total / weeks : 0.0;
  return b;
}

// +10 % of the current weekly rate over the horizon, rounded to `step`, but never more than the feasibility analysis
// rates likely (rounded down to `step` when that cap binds). nullopt when no step fits above the current volume.
std::optional<double> volume_target(double per_week, double step, const intelligence::FeasibilityOptions& options) {
  const double current = per_week * kHorizonWeeks;
  const double cap = intelligence::likely_volume_total(per_week, kHorizonWeeks, options);
  double target = std::round(current * (1 + kVolumeStep) / step) * step;
  if (target > cap) target = std::floor(cap / step) * step;
  if (!(target > current)) return std::nullopt;
  return target;
}

// "a build of about 2.4 % a week, …": the constant weekly growth the target asks for, as the feasibility analysis
// computes it over the horizon.
std::string build_phrase(double per_week, double target, const intelligence::FeasibilityOptions& options) {
  const double ramp = intelligence::required_weekly_ramp(per_week, target, kHorizonWeeks).value_or(0.0);
  return fmt::format(
      "a steady build of about {:.1f} % a week, inside the {:.0f} %-a-week pace the feasibility analysis "
      "rates likely",
      std::max(0.0, ramp) * 100, options.likely_weekly_ramp * 100);
}

SportType family_sport(SportType s) {
  if (activity::is_running(s)) return SportType::run;
  if (activity::is_cycling(s)) return SportType::ride;
  if (activity::is_swimming(s)) return SportType::swim;
  return s;
}

std::string verb(SportType s) {
  if (activity::is_running(s)) return "Run";
  if (activity::is_cycling(s)) return "Ride";
  if (activity::is_swimming(s)) return "Swim";
  return "Log";
}

std::string family_word(SportType s) {
  if (activity::is_running(s)) return "running";
  if (activity::is_cycling(s)) return "cycling";
  if (activity::is_swimming(s)) return "swimming";
  return std::string(activity::sport_name(s));
}

double moving_s(const activity::Activity& a) {
  return a.summary.moving_time_s > 0 ? a.summary.moving_time_s : a.summary.elapsed_time_s;
}

std::string clock(double seconds) {
  const auto total = static_cast<long long>(std::lround(seconds));
  const auto h = total / 3600;
  const auto m = (total % 3600) / 60;
  const auto s = total % 60;
  return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, s) : fmt::format("{}:{:02}", m, s);
}

std::string times(double count) {
  return count == 1 ? std::string("once") : fmt::format("{:.0f} times", count);
}

std::string hours(double seconds) {
  return fmt::format("{:.1f} h", seconds / 3600.0);
}

std::string race_name(double distance_m) {
  if (std::abs(distance_m - 21097.5) < 1) return "half marathon";
  return fmt::format("{:g} km", distance_m / 1000.0);
}

using text::iequals;

}  // namespace

std::optional<SuggestionCategory> suggestion_category_from_name(std::string_view name) noexcept {
  for (const auto c : {SuggestionCategory::distance, SuggestionCategory::performance, SuggestionCategory::consistency,
                       SuggestionCategory::all}) {
    if (iequals(name, suggestion_category_name(c))) return c;
  }
  return std::nullopt;
}

std::string_view suggestion_category_name(SuggestionCategory category) noexcept {
  switch (category) {
    case SuggestionCategory::distance: return "distance";
    case SuggestionCategory::performance: return "performance";
    case SuggestionCategory::consistency: return "consistency";
    case SuggestionCategory::all: return "all";
  }
  return "all";
}

std::optional<BestEffort> best_vdot(std::span<const activity::Activity> activities) {
  std::optional<BestEffort> best;
  for (const auto& a : activities) {
    if (!activity::is_running(a.sport)) continue;
    const double time = moving_s(a);
    const auto v = intelligence::vdot_from_race(a.summary.distance_m, time);
    if (!v || !std::isfinite(*v)) continue;
    if (!best || *v > best->vdot) best = BestEffort{*v, a.id, a.summary.distance_m, time, a.summary.start_time_ms};
  }
  return best;
}

SuggestionSet suggest_goals(std::span<const activity::Activity> history, std::optional<BestEffort> vdot,
                            std::optional<double> ftp_w, SuggestionCategory category,
                            std::optional<activity::SportType> sport, std::int64_t now_ms,
                            const intelligence::FeasibilityOptions& options) {
  SuggestionSet out;
  const bool want_distance = category == SuggestionCategory::all || category == SuggestionCategory::distance;
  const bool want_performance = category == SuggestionCategory::all || category == SuggestionCategory::performance;
  const bool want_consistency = category == SuggestionCategory::all || category == SuggestionCategory::consistency;
  const std::string in_4_weeks = day_of(now_ms + kHorizonMs);
  const std::int64_t window_start = now_ms - kSuggestionWindowDays * kDayMs;
  // The baseline weeks: the feasibility analysis's, so each suggestion is judged against what it was derived from.
  const int recent_weeks = std::max(1, options.recent_weeks);

  std::map<SportType, Family> families;
  std::size_t sessions = 0;
  for (const auto& a : history) {
    const auto t = a.summary.start_time_ms;
    if (t < window_start || t > now_ms || !counts_toward(sport, a.sport)) continue;
    ++sessions;
    auto& f = families[family_sport(a.sport)];
    f.sport = family_sport(a.sport);
    ++f.sessions;
    f.longest_m = std::max(f.longest_m, a.summary.distance_m);
  }
  out.activities_analyzed = sessions;
  std::vector<Family> ranked;
  for (const auto& [key, f] : families) ranked.push_back(f);
  std::ranges::stable_sort(ranked, [](const Family& a, const Family& b) { return a.sessions > b.sessions; });

  const auto add = [&](Suggestion s) {
    if (out.suggestions.size() < kMaxSuggestions) out.suggestions.push_back(std::move(s));
  };

  if (sessions == 0) {
    // Starter goals: nothing recent to build on.
    const auto starter_sport = sport.value_or(SportType::run);
    if (want_consistency) {
      add({"consistency", "Train three times a week for 4 weeks", GoalType::frequency, sport, 12, std::nullopt,
           in_4_weeks,
           "No activities in the last 12 weeks: three sessions a week for four weeks (12 in all) builds the habit "
           "before volume or speed."});
      add({"consistency", "Train 6 hours in the next 4 weeks", GoalType::duration, sport, 6 * 3600.0, std::nullopt,
           in_4_weeks,
           "No activities in the last 12 weeks: twelve 30-minute sessions (6 h of moving time) over four weeks is a "
           "gentle start."});
    }
    if (want_distance && (activity::is_running(starter_sport) || activity::is_cycling(starter_sport))) {
      const double km = activity::is_cycling(starter_sport) ? 150 : 20;
      add({"distance", fmt::format("{} {:g} km in the next 4 weeks", verb(starter_sport), km), GoalType::distance,
           family_sport(starter_sport), km * 1000, std::nullopt, in_4_weeks,
           fmt::format("No activities in the last 12 weeks: {:g} km of {} over four weeks is an easy first "
                       "distance target.",
                       km, family_word(starter_sport))});
    }
    return out;
  }

  if (want_distance) {
    std::size_t added = 0;
    for (const auto& f : ranked) {
      if (added == 2) break;
      const auto distance = baseline(GoalType::distance, f.sport, history, now_ms, recent_weeks);
      const auto count = baseline(GoalType::frequency, f.sport, history, now_ms, recent_weeks);
      if (const auto target = volume_target(distance.per_week, 100.0, options)) {
        add({"distance", fmt::format("{} {:.1f} km in the next 4 weeks", verb(f.sport), *target / 1000),
             GoalType::distance, f.sport, *target, std::nullopt, in_4_weeks,
             fmt::format("You covered {:.1f} km of {} in the last {} weeks ({:.0f} sessions); {:.1f} km over the next "
                         "4 weeks is {}.",
                         distance.total / 1000, family_word(f.sport), recent_weeks, count.total, *target / 1000,
                         build_phrase(distance.per_week, *target, options))});
        ++added;
        continue;
      }
      // A family without distances (strength, yoga…): its moving time.
      const auto moving = baseline(GoalType::duration, f.sport, history, now_ms, recent_weeks);
      if (const auto target = volume_target(moving.per_week, 60.0, options)) {
        add({"distance",
             fmt::format("{} {} of {} in the next 4 weeks", verb(f.sport), hours(*target), family_word(f.sport)),
             GoalType::duration, f.sport, *target, std::nullopt, in_4_weeks,
             fmt::format("You trained {} of {} in the last {} weeks; {} over the next 4 weeks is {}.",
                         hours(moving.total), family_word(f.sport), recent_weeks, hours(*target),
                         build_phrase(moving.per_week, *target, options))});
        ++added;
      }
    }
  }

  if (want_performance) {
    const bool running_ok = !sport || activity::is_running(*sport);
    const bool cycling_ok = !sport || activity::is_cycling(*sport);
    if (running_ok && vdot) {
      double longest = 0;
      for (const auto& f : ranked) {
        if (activity::is_running(f.sport)) longest = f.longest_m;
      }
      const double distance = longest >= 18'000 ? 21'097.5 : longest >= 8'000 ? 10'000.0 : 5'000.0;
      const double gain = options.likely_vdot_per_week * kPerformanceWeeks;
      const auto now_time = intelligence::race_time_from_vdot_s(vdot->vdot, distance);
      const auto goal_time = intelligence::race_time_from_vdot_s(vdot->vdot + gain, distance);
      if (now_time && goal_time) {
        // Rounded up to the second: a slower time never asks for more than the likely VDOT gain.
        const double target = std::ceil(*goal_time);
        add({"performance", fmt::format("Run {} in {}", race_name(distance), clock(target)), GoalType::race_time,
             SportType::run, target, distance, day_of(now_ms + kPerformanceWeeks * 7 * kDayMs),
             fmt::format("Your best recent run ({:.1f} km in {} on {}) gives VDOT {:.1f}, which predicts {} in {}. "
                         "Daniels' guidance of about one VDOT unit per {:.0f} weeks of consistent training gives VDOT "
                         "{:.1f} in {} weeks: {} in {}.",
                         vdot->distance_m / 1000, clock(vdot->time_s), day_of(vdot->start_time_ms), vdot->vdot,
                         race_name(distance), clock(*now_time), 1.0 / options.likely_vdot_per_week, vdot->vdot + gain,
                         kPerformanceWeeks, race_name(distance), clock(target))});
      }
    }
    const bool rides = std::ranges::any_of(ranked, [](const Family& f) { return activity::is_cycling(f.sport); });
    if (cycling_ok && ftp_w && *ftp_w > 0 && (rides || (sport && activity::is_cycling(*sport)))) {
      // Never more than the likely rate per week (1 %/week by default, above the suggested 5 % in 8 weeks).
      const double gain = std::min(kFtpSuggestedGain, options.likely_ftp_gain_per_week * kFtpWeeks);
      const double target = std::floor(*ftp_w * (1 + gain));
      if (target > *ftp_w) {
        add({"performance", fmt::format("Raise FTP to {:.0f} W", target), GoalType::ftp, SportType::ride, target,
             std::nullopt, day_of(now_ms + kFtpWeeks * 7 * kDayMs),
             fmt::format("Your FTP is {:.0f} W; +{:.0f} % over {} weeks ({:.2f} % per week) is at the low end of the "
                         "5–15 % per 8–12-week block commonly seen in trained cyclists (a coaching heuristic).",
                         *ftp_w, gain * 100, kFtpWeeks, gain * 100 / kFtpWeeks)});
      }
    }
  }

  if (want_consistency) {
    const auto count = baseline(GoalType::frequency, sport, history, now_ms, recent_weeks);
    if (count.total > 0) {
      // One more session a week when the likely ramp allows it, otherwise as many more as it allows (possibly none:
      // keeping the current frequency up is the goal then).
      const double current = std::round(count.per_week * kHorizonWeeks);
      const double cap = std::floor(intelligence::likely_volume_total(count.per_week, kHorizonWeeks, options));
      const double target = std::min(current + kHorizonWeeks, cap);
      if (target >= 1) {
        const std::string how =
            target >= current + kHorizonWeeks
                ? fmt::format("one more a week for the next 4 weeks is {:.0f} sessions", target)
            : target > current
                ? fmt::format("{:.0f} sessions over the next 4 weeks adds {:.0f}: {}", target, target - current,
                              build_phrase(count.per_week, target, options))
                : fmt::format(
                      "keeping that up for the next 4 weeks ({:.0f} sessions) builds consistency; a session more "
                      "each week would be a build of more than {:.0f} % a week",
                      target, options.likely_weekly_ramp * 100);
        const std::string title = std::fmod(target, kHorizonWeeks) == 0
                                      ? fmt::format("Train {:.0f} times a week for 4 weeks", target / kHorizonWeeks)
                                      : fmt::format("Train {} in the next 4 weeks", times(target));
        add({"consistency", title, GoalType::frequency, sport, target, std::nullopt, in_4_weeks,
             fmt::format("You trained {:.0f} times in the last {} weeks ({:.1f} a week); {}.", count.total,
                         recent_weeks, count.per_week, how)});
      }
    } else {
      // Nothing in the baseline weeks, but sessions earlier in the 12: back to the 12-week average, gently.
      const double per_week = static_cast<double>(sessions) / (static_cast<double>(kSuggestionWindowDays) / 7.0);
      const double target = std::max(1.0, std::round(per_week * kHorizonWeeks));
      add({"consistency", fmt::format("Train {} in the next 4 weeks", times(target)), GoalType::frequency, sport,
           target, std::nullopt, in_4_weeks,
           fmt::format("No sessions in the last {} weeks, {} in the last 12 ({:.1f} a week): {:.0f} over the next 4 "
                       "weeks gets you back to your usual frequency; start gently.",
                       recent_weeks, sessions, per_week, target)});
    }
    const auto moving = baseline(GoalType::duration, sport, history, now_ms, recent_weeks);
    if (const auto target = volume_target(moving.per_week, 60.0, options)) {
      add({"consistency", fmt::format("Train {} in the next 4 weeks", hours(*target)), GoalType::duration, sport,
           *target, std::nullopt, in_4_weeks,
           fmt::format("You trained {} (moving time) in the last {} weeks; {} over the next 4 weeks is {}.",
                       hours(moving.total), recent_weeks, hours(*target),
                       build_phrase(moving.per_week, *target, options))});
    }
  }
  return out;
}

nlohmann::json to_json(const Suggestion& s) {
  nlohmann::json j = {
      {"category", s.category},
      {"title", s.title},
      {"goal_type", goal_type_name(s.type)},
      {"sport_type", s.sport ? nlohmann::json(activity::sport_name(*s.sport)) : nlohmann::json(nullptr)},
      {"target_value", s.target_value},
      {"unit", unit_of(s.type)},
      {"target_date", s.target_date},
      {"rationale", s.rationale},
  };
  if (s.target_distance_m) j["target_distance_m"] = *s.target_distance_m;
  return j;
}

}  // namespace pierre::goals
