#pragma once
// Goal feasibility: how fast a user has to improve to reach a target by its deadline, compared with how fast people
// realistically improve, as a verdict (likely / challenging / unlikely), a 0–100 score and the reasons. Pure
// functions of numbers the caller measured (weekly volumes, VDOT, FTP); every threshold is in FeasibilityOptions.
//
// Grounding (each threshold says what it rests on; none is a law of physiology):
// - Current volume (distance, moving time, sessions): the mean weekly amount of the last `recent_weeks` = 4 weeks,
//   the chronic load of the rolling acute:chronic workload ratio (load.hpp, chronic_days = 28; Gabbett 2016, Br J
//   Sports Med 50:273–280): the volume the athlete is currently prepared for. goals::recent_weekly_volume measures it
//   for both analyze_goal_feasibility and suggest_goals, so a suggestion is judged against the numbers it came from.
// - Volume ramp: raise weekly volume by at most ~10 % per week (half of it is comfortable). The bound is the same for
//   every sport; what it rests on is not, so the reasons cite sources for the goal's sport:
//   · running: the "10 % rule" is a commonly cited injury-prevention heuristic, not an established threshold: Buist
//     et al. 2008 (Am J Sports Med 36:33–39, RCT in novice runners) found no fewer injuries with a 10 %-per-week
//     graded programme, and Nielsen et al. 2014 (J Orthop Sports Phys Ther 44:739–747) associated increases above
//     ~30 % over two weeks with more distance-related injuries;
//   · cycling, swimming, other sports and goals counting every sport: no running study applies. General guidance is
//     gradual progression of volume (ACSM position stand, Garber et al. 2011, Med Sci Sports Exerc 43:1334–1359), and
//     across sports load spikes well above the chronic load — a rolling acute:chronic ratio above ~1.5, against the
//     0.8–1.3 "sweet spot" — go with more injuries (Gabbett 2016). A constant ramp g keeps the weekly ACWR at
//     4·(1+g)³ / Σ_{j=0..3}(1+g)^j (≈ 1.07 at 5 %, 1.15 at 10 %), which the reasons report; the 10 % bound is our
//     conservative choice, not a cycling-specific finding.
// - Running performance (VDOT, Daniels–Gilbert): Daniels' Running Formula (3rd ed., 2014) advises raising the VDOT
//   used for training by about one unit every 4–6 weeks of consistent training when no race says otherwise. That is
//   practitioner guidance for non-elite runners, not a measured improvement rate: ≤ 1 unit per 6 weeks is "likely",
//   up to 1 per 4 weeks "challenging", faster "unlikely".
// - Cycling FTP: gains of ~5–15 % over an 8–12-week structured block for trained (not novice, not elite) cyclists are
//   a coaching heuristic; interval studies in trained cyclists report a few per cent within weeks (Lindsay et al.
//   1996, Med Sci Sports Exerc 28:1427–1434: six interval sessions over 4 weeks improved 40-km time-trial speed and
//   peak power by a few per cent). We read it as ≈1 %/week likely, 1.5 %/week challenging, and flag totals above 15 %.
//
// Score: 100 when nothing has to change; falling linearly to 70 at the "likely" bound, to 40 at the "challenging"
// bound, and to 0 at three times that bound. Verdict: likely ≥ 70 > challenging ≥ 40 > unlikely (the bounds belong to
// the better verdict).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/activity/model.hpp"

namespace pierre::intelligence {

struct FeasibilityOptions {
  // Volume goals: the constant week-on-week growth the goal needs, as a fraction (0.10 = +10 %/week).
  double likely_weekly_ramp = 0.05;
  double max_weekly_ramp = 0.10;  // the 10 % heuristic
  // Weeks of history whose mean is the current weekly rate (the caller supplies that many weekly totals): the chronic
  // window of the rolling ACWR (load.hpp). suggest_goals builds its volume suggestions from the same weeks.
  int recent_weeks = 4;
  // Running performance, VDOT units per week (Daniels: 1 per 4–6 weeks).
  double likely_vdot_per_week = 1.0 / 6.0;
  double max_vdot_per_week = 1.0 / 4.0;
  // Cycling FTP, fraction of the current FTP per week.
  double likely_ftp_gain_per_week = 0.01;
  double max_ftp_gain_per_week = 0.015;
  double max_ftp_block_gain = 0.15;  // totals above this exceed what one training block is reported to give
};

enum class FeasibilityVerdict { likely, challenging, unlikely };
[[nodiscard]] std::string_view verdict_name(FeasibilityVerdict verdict) noexcept;

struct Feasibility {
  FeasibilityVerdict verdict = FeasibilityVerdict::challenging;
  int score = 0;  // 0–100
  // Per week, in the goal's measure: volume goals → the amount per week still needed and the recent mean per week;
  // VDOT goals → VDOT units per week needed and the "likely" rate; FTP goals → fraction of FTP per week needed and the
  // "likely" rate.
  double required_rate = 0;
  double current_rate = 0;
  // Volume goals: required_rate / current_rate − 1 (how much more per week than now, on average), and the constant
  // week-on-week growth that would reach the target (negative: the current rate suffices with room to spare).
  std::optional<double> required_increase;
  std::optional<double> weekly_ramp;
  // False when the history could not support a judgement (no recent volume, no current performance): the verdict is
  // then "challenging" with a reason saying why.
  bool data_sufficient = true;
  std::vector<std::string> reasons;
};

// 100 → 70 → 40 → 0 as `needed` goes 0 → likely_bound → max_bound → 3·max_bound (see the header comment).
[[nodiscard]] int feasibility_score(double needed, double likely_bound, double max_bound) noexcept;

// The constant weekly growth g with Σ_{k=1..weeks} base·(1+g)^k = total (weeks may be fractional; the sum is then the
// geometric series' closed form b·((1+g)^{n+1} − (1+g))/g). nullopt when base ≤ 0, weeks ≤ 0 or total ≤ 0.
[[nodiscard]] std::optional<double> required_weekly_ramp(double base_per_week, double total, double weeks);

// The most a volume goal can ask for over `weeks` from a current `base_per_week` and still be judged likely:
// Σ_{k=1..weeks} base·(1 + likely_weekly_ramp)^k (≈ 4.53·base for 4 weeks at 5 %). 0 when base ≤ 0 or weeks ≤ 0.
[[nodiscard]] double likely_volume_total(double base_per_week, double weeks, const FeasibilityOptions& options = {});

// The rolling acute:chronic workload ratio (7-day acute over a 28-day chronic window that includes it) that a constant
// weekly growth `weekly_ramp` settles at once it has run for four weeks: 4·(1+g)³ / Σ_{j=0..3}(1+g)^j.
[[nodiscard]] double steady_ramp_acwr(double weekly_ramp) noexcept;

// `remaining`: what is still missing (target − achieved so far); `recent_weekly`: the last weeks' totals in the same
// measure (any order; their mean is the current rate); `weeks_remaining`: until the deadline; `sport`: the goal's
// sport (none: every sport counts), which picks the sources the reasons cite (running literature for running goals
// only).
[[nodiscard]] Feasibility volume_goal_feasibility(double remaining, double weeks_remaining,
                                                  std::span<const double> recent_weekly,
                                                  std::optional<activity::SportType> sport,
                                                  const FeasibilityOptions& options = {});
// A race-time goal as VDOT: current (best recent) and the VDOT the target time implies.
[[nodiscard]] Feasibility vdot_goal_feasibility(std::optional<double> current_vdot, double target_vdot,
                                                double weeks_remaining, const FeasibilityOptions& options = {});
[[nodiscard]] Feasibility ftp_goal_feasibility(std::optional<double> current_ftp_w, double target_ftp_w,
                                               double weeks_remaining, const FeasibilityOptions& options = {});

}  // namespace pierre::intelligence
