#include "pierre/intelligence/goals.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace pierre::intelligence {
namespace {

FeasibilityVerdict verdict_for(double needed, double likely_bound, double max_bound) {
  if (needed <= likely_bound) return FeasibilityVerdict::likely;
  if (needed <= max_bound) return FeasibilityVerdict::challenging;
  return FeasibilityVerdict::unlikely;
}

Feasibility reached(std::string reason) {
  Feasibility f;
  f.verdict = FeasibilityVerdict::likely;
  f.score = 100;
  f.reasons.push_back(std::move(reason));
  return f;
}

Feasibility deadline_passed() {
  Feasibility f;
  f.verdict = FeasibilityVerdict::unlikely;
  f.score = 0;
  f.reasons.emplace_back("the target date has passed");
  return f;
}

Feasibility without_data(std::string reason) {
  Feasibility f;
  f.verdict = FeasibilityVerdict::challenging;
  f.score = 40;
  f.data_sufficient = false;
  f.reasons.push_back(std::move(reason));
  return f;
}

// Σ_{k=1..n} (1+g)^k for real n ≥ 0, as (1+g)·((1+g)^n − 1)/g with expm1/log1p so it stays exact near g = 0.
double growth_sum(double g, double n) {
  if (g == 0.0) return n;
  return (1.0 + g) * std::expm1(n * std::log1p(g)) / g;
}

}  // namespace

std::string_view verdict_name(FeasibilityVerdict verdict) noexcept {
  switch (verdict) {
    case FeasibilityVerdict::likely: return "likely";
    case FeasibilityVerdict::challenging: return "challenging";
    case FeasibilityVerdict::unlikely: return "unlikely";
  }
  return "challenging";
}

int feasibility_score(double needed, double likely_bound, double max_bound) noexcept {
  if (!std::isfinite(needed)) return 0;
  if (likely_bound <= 0 || max_bound <= likely_bound) return needed <= 0 ? 100 : 0;
  double score = 0;
  if (needed <= 0) {
    score = 100;
  } else if (needed <= likely_bound) {
    score = 100 - 30 * needed / likely_bound;
  } else if (needed <= max_bound) {
    score = 70 - 30 * (needed - likely_bound) / (max_bound - likely_bound);
  } else if (needed <= 3 * max_bound) {
    score = 40 - 40 * (needed - max_bound) / (2 * max_bound);
  }
  return static_cast<int>(std::lround(std::clamp(score, 0.0, 100.0)));
}

std::optional<double> required_weekly_ramp(double base_per_week, double total, double weeks) {
  if (!(base_per_week > 0) || !(total > 0) || !(weeks > 0) || !std::isfinite(total) || !std::isfinite(weeks)) {
    return std::nullopt;
  }
  const double wanted = total / base_per_week;  // Σ (1+g)^k, increasing in g
  double lo = -0.99;
  double hi = 1.0;
  while (growth_sum(hi, weeks) < wanted && hi < 1e6) hi *= 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (growth_sum(mid, weeks) < wanted ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double likely_volume_total(double base_per_week, double weeks, const FeasibilityOptions& options) {
  if (!(base_per_week > 0) || !(weeks > 0) || !std::isfinite(base_per_week) || !std::isfinite(weeks)) return 0;
  return base_per_week * growth_sum(options.likely_weekly_ramp, weeks);
}

double steady_ramp_acwr(double weekly_ramp) noexcept {
  // Weeks b·r^k: the acute week is b·r^n, the chronic mean b·r^(n−3)·(1 + r + r² + r³)/4.
  const double r = 1.0 + weekly_ramp;
  return 4.0 * r * r * r / (1.0 + r + r * r + r * r * r);
}

Feasibility volume_goal_feasibility(double remaining, double weeks_remaining, std::span<const double> recent_weekly,
                                    std::optional<activity::SportType> sport, const FeasibilityOptions& options) {
  if (remaining <= 0) return reached("the target is already reached");
  if (!(weeks_remaining > 0)) return deadline_passed();
  // Running goals cite running studies; every other goal (cycling, swimming, other sports, every sport together)
  // cites cross-sport load guidance: see the header.
  const bool running = sport && activity::is_running(*sport);
  const double limit = options.max_weekly_ramp * 100;
  const double current = recent_weekly.empty() ? 0.0
                                               : std::accumulate(recent_weekly.begin(), recent_weekly.end(), 0.0) /
                                                     static_cast<double>(recent_weekly.size());
  const double required = remaining / weeks_remaining;
  if (!(current > 0)) {
    auto f = without_data(
        running ? fmt::format("no activity of this kind in the last {} weeks, so there is no base to build from: start "
                              "gently and raise the weekly amount by no more than about {:.0f} % per week (the "
                              "running \"10 % rule\", a common injury-prevention heuristic)",
                              recent_weekly.size(), limit)
                : fmt::format("no activity of this kind in the last {} weeks, so there is no base to build from: start "
                              "gently and progress the weekly amount gradually (ACSM guidance, Garber et al. 2011), by "
                              "no more than about {:.0f} % per week",
                              recent_weekly.size(), limit));
    f.required_rate = required;
    return f;
  }
  Feasibility f;
  f.required_rate = required;
  f.current_rate = current;
  f.required_increase = required / current - 1.0;
  f.weekly_ramp = required_weekly_ramp(current, remaining, weeks_remaining);
  const double ramp = f.weekly_ramp.value_or(0.0);
  f.score = feasibility_score(ramp, options.likely_weekly_ramp, options.max_weekly_ramp);
  f.verdict = verdict_for(ramp, options.likely_weekly_ramp, options.max_weekly_ramp);
  f.reasons.push_back(fmt::format("needs {:.0f} % of your recent weekly average every week for the {:.1f} weeks left",
                                  100.0 * required / current, weeks_remaining));
  if (ramp <= 0) {
    f.reasons.emplace_back("your current weekly volume is enough without any increase");
    return f;
  }
  if (running) {
    if (ramp <= options.likely_weekly_ramp) {
      f.reasons.push_back(
          fmt::format("a steady build of {:.1f} % per week gets there, well inside the {:.0f} %-per-week "
                      "limit commonly cited for runners",
                      ramp * 100, limit));
    } else if (ramp <= options.max_weekly_ramp) {
      f.reasons.push_back(fmt::format(
          "it needs a build of {:.1f} % every week, close to the {:.0f} %-per-week limit commonly cited for runners "
          "(an injury-prevention heuristic; Buist et al. 2008 found no fewer injuries with a 10 % progression): "
          "little room for missed weeks",
          ramp * 100, limit));
    } else {
      f.reasons.push_back(fmt::format(
          "it needs a build of {:.1f} % every week, beyond the {:.0f} %-per-week limit commonly cited for runners; "
          "large jumps in weekly running distance are associated with more injuries (Nielsen et al. 2014)",
          ramp * 100, limit));
    }
    return f;
  }
  // Other sports: the ramp as the acute:chronic workload ratio it implies (volume standing in for load).
  const double acwr = steady_ramp_acwr(ramp);
  if (ramp <= options.likely_weekly_ramp) {
    f.reasons.push_back(fmt::format(
        "a steady build of {:.1f} % per week gets there: gradual progression (ACSM guidance, Garber et al. 2011) that "
        "keeps your acute:chronic workload ratio near {:.2f}, inside the 0.8–1.3 range associated with the lowest "
        "injury risk (Gabbett 2016)",
        ramp * 100, acwr));
  } else if (ramp <= options.max_weekly_ramp) {
    f.reasons.push_back(fmt::format(
        "it needs a build of {:.1f} % every week, close to the {:.0f} %-per-week ceiling we use for gradual "
        "progression; it keeps your acute:chronic workload ratio near {:.2f} (Gabbett 2016: 0.8–1.3 is the range with "
        "the lowest injury risk), but leaves little room for missed weeks",
        ramp * 100, limit, acwr));
  } else {
    // Where the ratio lands decides which of Gabbett's bands to name: a 10–22 % ramp still sits inside 0.8–1.3.
    const std::string band =
        acwr > 1.5   ? "past the spikes above about 1.5 that go with more injuries across sports (Gabbett 2016)"
        : acwr > 1.3 ? "above the 0.8–1.3 range associated with the lowest injury risk (Gabbett 2016)"
                     : "(Gabbett 2016), and sustained week after week that is more than gradual progression";
    f.reasons.push_back(fmt::format(
        "it needs a build of {:.1f} % every week, beyond the {:.0f} %-per-week ceiling we use for gradual progression "
        "(ACSM guidance, Garber et al. 2011); kept up, it takes your acute:chronic workload ratio to {:.2f}, {}",
        ramp * 100, limit, acwr, band));
  }
  return f;
}

Feasibility vdot_goal_feasibility(std::optional<double> current_vdot, double target_vdot, double weeks_remaining,
                                  const FeasibilityOptions& options) {
  if (current_vdot && *current_vdot >= target_vdot) {
    return reached(fmt::format("your current VDOT {:.1f} already predicts the target time (needs {:.1f})",
                               *current_vdot, target_vdot));
  }
  if (!(weeks_remaining > 0)) return deadline_passed();
  if (!current_vdot) {
    auto f = without_data("no recent run long and fast enough to estimate your current VDOT");
    f.current_rate = options.likely_vdot_per_week;
    return f;
  }
  const double needed = target_vdot - *current_vdot;
  Feasibility f;
  f.required_rate = needed / weeks_remaining;
  f.current_rate = options.likely_vdot_per_week;
  f.score = feasibility_score(f.required_rate, options.likely_vdot_per_week, options.max_vdot_per_week);
  f.verdict = verdict_for(f.required_rate, options.likely_vdot_per_week, options.max_vdot_per_week);
  f.reasons.push_back(fmt::format("needs VDOT {:.1f} → {:.1f} (+{:.1f}) in {:.1f} weeks: one unit every {:.1f} weeks",
                                  *current_vdot, target_vdot, needed, weeks_remaining, 1.0 / f.required_rate));
  f.reasons.push_back(fmt::format(
      "practitioner guidance (Daniels' Running Formula) is about one VDOT unit per {:.0f}–{:.0f} weeks of consistent "
      "training for non-elite runners",
      1.0 / options.max_vdot_per_week, 1.0 / options.likely_vdot_per_week));
  return f;
}

Feasibility ftp_goal_feasibility(std::optional<double> current_ftp_w, double target_ftp_w, double weeks_remaining,
                                 const FeasibilityOptions& options) {
  if (current_ftp_w && *current_ftp_w >= target_ftp_w) {
    return reached(fmt::format("your FTP {:.0f} W already meets the target {:.0f} W", *current_ftp_w, target_ftp_w));
  }
  if (!(weeks_remaining > 0)) return deadline_passed();
  if (!current_ftp_w || !(*current_ftp_w > 0)) {
    auto f = without_data("no FTP configured or estimable from your rides to compare with");
    f.current_rate = options.likely_ftp_gain_per_week;
    return f;
  }
  const double gain = target_ftp_w / *current_ftp_w - 1.0;
  Feasibility f;
  f.required_rate = gain / weeks_remaining;
  f.current_rate = options.likely_ftp_gain_per_week;
  f.score = feasibility_score(f.required_rate, options.likely_ftp_gain_per_week, options.max_ftp_gain_per_week);
  f.verdict = verdict_for(f.required_rate, options.likely_ftp_gain_per_week, options.max_ftp_gain_per_week);
  f.reasons.push_back(fmt::format("needs FTP {:.0f} W → {:.0f} W (+{:.1f} %) in {:.1f} weeks: {:.2f} % per week",
                                  *current_ftp_w, target_ftp_w, gain * 100, weeks_remaining, f.required_rate * 100));
  f.reasons.emplace_back(
      "coaching heuristic: trained cyclists gain roughly 5–15 % over an 8–12-week structured block (about 1 % per "
      "week); beginners often gain faster, well-trained riders slower");
  if (gain > options.max_ftp_block_gain) {
    f.reasons.push_back(fmt::format("a total gain of {:.0f} % is more than one training block usually gives ({:.0f} %)",
                                    gain * 100, options.max_ftp_block_gain * 100));
  }
  return f;
}

}  // namespace pierre::intelligence
