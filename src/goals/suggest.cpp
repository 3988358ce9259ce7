#include "pierre/goals/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "pierre/intelligence/performance.hpp"

namespace pierre::goals {
namespace {

using activity::SportType;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kFourWeeksMs = 28 * kDayMs;
constexpr double kVolumeStep = 0.10;        // +10 % of the last 4 weeks
constexpr int kPerformanceWeeks = 12;       // race-time suggestions
constexpr int kFtpWeeks = 8;                // FTP suggestions
constexpr double kFtpSuggestedGain = 0.05;  // the low end of 5–15 % per block
constexpr std::size_t kMaxSuggestions = 6;

// One group of sports that count toward the same goal (goal.hpp counts_toward).
struct Family {
  SportType sport = SportType::other;  // the goal's sport_type for this family
  std::size_t sessions = 0;            // in the 12 weeks
  double distance_4w_m = 0;
  double moving_4w_s = 0;
  std::size_t sessions_4w = 0;
  double longest_m = 0;
};

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

std::string hours(double seconds) {
  return fmt::format("{:.1f} h", seconds / 3600.0);
}

std::string race_name(double distance_m) {
  if (std::abs(distance_m - 21097.5) < 1) return "half marathon";
  return fmt::format("{:g} km", distance_m / 1000.0);
}

bool equals_lower(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<SuggestionCategory> suggestion_category_from_name(std::string_view name) noexcept {
  for (const auto c : {SuggestionCategory::distance, SuggestionCategory::performance, SuggestionCategory::consistency,
                       SuggestionCategory::all}) {
    if (equals_lower(name, suggestion_category_name(c))) return c;
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
  const std::string in_4_weeks = day_of(now_ms + kFourWeeksMs);
  const std::int64_t window_start = now_ms - kSuggestionWindowDays * kDayMs;

  std::map<SportType, Family> families;
  std::size_t sessions = 0;
  double moving_4w = 0;
  for (const auto& a : history) {
    const auto t = a.summary.start_time_ms;
    if (t < window_start || t >= now_ms || !counts_toward(sport, a.sport)) continue;
    ++sessions;
    auto& f = families[family_sport(a.sport)];
    f.sport = family_sport(a.sport);
    ++f.sessions;
    f.longest_m = std::max(f.longest_m, a.summary.distance_m);
    if (t >= now_ms - kFourWeeksMs) {
      f.distance_4w_m += a.summary.distance_m;
      f.moving_4w_s += moving_s(a);
      ++f.sessions_4w;
      moving_4w += moving_s(a);
    }
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
      if (f.distance_4w_m > 0) {
        const double target = std::max(100.0, std::round(f.distance_4w_m * (1 + kVolumeStep) / 100.0) * 100.0);
        add({"distance", fmt::format("{} {:.1f} km in the next 4 weeks", verb(f.sport), target / 1000),
             GoalType::distance, f.sport, target, std::nullopt, in_4_weeks,
             fmt::format("You covered {:.1f} km of {} in the last 4 weeks ({} sessions); {:.0f} % more over the next "
                         "4 weeks keeps the increase within the commonly cited {:.0f} %-per-week limit.",
                         f.distance_4w_m / 1000, family_word(f.sport), f.sessions_4w, kVolumeStep * 100,
                         options.max_weekly_ramp * 100)});
        ++added;
      } else if (f.moving_4w_s > 0) {
        const double target = std::max(60.0, std::round(f.moving_4w_s * (1 + kVolumeStep) / 60.0) * 60.0);
        add({"distance",
             fmt::format("{} {} of {} in the next 4 weeks", verb(f.sport), hours(target), family_word(f.sport)),
             GoalType::duration, f.sport, target, std::nullopt, in_4_weeks,
             fmt::format("You trained {} of {} in the last 4 weeks; {:.0f} % more over the next 4 weeks.",
                         hours(f.moving_4w_s), family_word(f.sport), kVolumeStep * 100)});
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
        const double target = std::round(*goal_time);
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
      const double target = std::round(*ftp_w * (1 + kFtpSuggestedGain));
      add({"performance", fmt::format("Raise FTP to {:.0f} W", target), GoalType::ftp, SportType::ride, target,
           std::nullopt, day_of(now_ms + kFtpWeeks * 7 * kDayMs),
           fmt::format("Your FTP is {:.0f} W; +{:.0f} % over {} weeks ({:.2f} % per week) is at the low end of the "
                       "5–15 % per 8–12-week block commonly seen in trained cyclists (a coaching heuristic).",
                       *ftp_w, kFtpSuggestedGain * 100, kFtpWeeks, kFtpSuggestedGain * 100 / kFtpWeeks)});
    }
  }

  if (want_consistency) {
    const double per_week = static_cast<double>(sessions) / (static_cast<double>(kSuggestionWindowDays) / 7.0);
    const double target_per_week = std::floor(per_week + 0.5) + 1;
    add({"consistency", fmt::format("Train {:.0f} times a week for 4 weeks", target_per_week), GoalType::frequency,
         sport, target_per_week * 4, std::nullopt, in_4_weeks,
         fmt::format("You averaged {:.1f} sessions a week over the last 12 weeks ({} sessions); one more a week for "
                     "4 weeks is {:.0f} sessions.",
                     per_week, sessions, target_per_week * 4)});
    if (moving_4w > 0) {
      const double target = std::max(60.0, std::round(moving_4w * (1 + kVolumeStep) / 60.0) * 60.0);
      add({"consistency", fmt::format("Train {} in the next 4 weeks", hours(target)), GoalType::duration, sport, target,
           std::nullopt, in_4_weeks,
           fmt::format("You trained {} (moving time) in the last 4 weeks; {:.0f} % more over the next 4 weeks.",
                       hours(moving_4w), kVolumeStep * 100)});
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
