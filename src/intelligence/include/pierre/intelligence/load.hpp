#pragma once
// Training load over days: the Performance Management Chart (CTL/ATL/TSB), acute:chronic workload ratio, Foster's
// monotony and strain, ramp rate. Input is one load per day (TSS, TRIMP, sRPE… — the caller aggregates activities
// per day); days are integers (e.g. days since the epoch). Missing days count as zero load, duplicates are summed.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pierre::intelligence {

struct DailyLoad {
  std::int64_t day = 0;
  double load = 0;
};

struct PmcOptions {
  double ctl_time_constant_days = 42;  // fitness
  double atl_time_constant_days = 7;   // fatigue
  double initial_ctl = 0;
  double initial_atl = 0;
};

struct PmcDay {
  std::int64_t day = 0;
  double load = 0;
  double ctl = 0;  // chronic training load after this day's training
  double atl = 0;  // acute training load after this day's training
  double tsb = 0;  // form going into the day: yesterday's CTL − yesterday's ATL
};

// Banister et al. 1975 impulse-response model as used by Coggan's PMC: each load decays exponentially with time
// constant τ, so day by day x_d = x_{d−1}·e^{−1/τ} + load_d·(1 − e^{−1/τ}). One entry per day from the first load
// through max(last load day, through_day). Non-finite or negative loads, τ < 1 → nullopt; empty input → nullopt.
[[nodiscard]] std::optional<std::vector<PmcDay>> performance_management(std::span<const DailyLoad> loads,
                                                                        const PmcOptions& options = {},
                                                                        std::optional<std::int64_t> through_day = {});

// Ramp rate: CTL change over the last 7 days of the series (needs ≥ 8 days).
[[nodiscard]] std::optional<double> ramp_rate_per_week(std::span<const PmcDay> pmc);

struct AcwrOptions {
  int acute_days = 7;
  int chronic_days = 28;
};

// Rolling-average ACWR (Gabbett 2016, Br J Sports Med 50:273–280; Hulin et al. 2014): mean daily load of the last
// acute_days over the mean of the last chronic_days (the chronic window includes the acute one), ending at `day`.
// Needs chronic_days of history (from the first load) and a non-zero chronic load.
[[nodiscard]] std::optional<double> acwr_rolling(std::span<const DailyLoad> loads, std::int64_t day,
                                                 const AcwrOptions& options = {});
// EWMA ACWR (Williams et al. 2017, Br J Sports Med 51:209–210): EWMA_d = load_d·λ + (1 − λ)·EWMA_{d−1},
// λ = 2/(N + 1), started at 0 the day before the first load; acute EWMA / chronic EWMA at `day`. Same history rule.
[[nodiscard]] std::optional<double> acwr_ewma(std::span<const DailyLoad> loads, std::int64_t day,
                                              const AcwrOptions& options = {});

struct MonotonyStrain {
  double weekly_load = 0;
  double monotony = 0;  // mean daily load / SD of daily load (population SD) over the 7 days
  double strain = 0;    // weekly load × monotony
};
// Foster 1998 (Med Sci Sports Exerc 30:1164–1168) over the 7 days ending at `day`. SD = 0 (every day the same,
// including all rest) → nullopt: monotony is unbounded.
[[nodiscard]] std::optional<MonotonyStrain> monotony_strain(std::span<const DailyLoad> loads, std::int64_t day);

}  // namespace pierre::intelligence
