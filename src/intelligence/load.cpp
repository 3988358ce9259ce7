#include "pierre/intelligence/load.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>

namespace pierre::intelligence {

namespace {

// Loads summed per day, sorted; nullopt when any load is not a finite non-negative number.
std::optional<std::map<std::int64_t, double>> by_day(std::span<const DailyLoad> loads) {
  std::map<std::int64_t, double> days;
  for (const auto& l : loads) {
    if (!std::isfinite(l.load) || l.load < 0) return std::nullopt;
    days[l.day] += l.load;
  }
  return days;
}

double load_on(const std::map<std::int64_t, double>& days, std::int64_t day) {
  const auto it = days.find(day);
  return it == days.end() ? 0.0 : it->second;
}

// History rule shared by the ACWR variants: the chronic window must lie within the data (first load day onwards).
bool enough_history(const std::map<std::int64_t, double>& days, std::int64_t day, const AcwrOptions& o) {
  return !days.empty() && o.acute_days >= 1 && o.chronic_days > o.acute_days &&
         day - days.begin()->first + 1 >= o.chronic_days;
}

double window_sum(const std::map<std::int64_t, double>& days, std::int64_t last_day, int length) {
  double sum = 0;
  for (auto it = days.lower_bound(last_day - length + 1); it != days.end() && it->first <= last_day; ++it) {
    sum += it->second;
  }
  return sum;
}

}  // namespace

std::optional<std::vector<PmcDay>> performance_management(std::span<const DailyLoad> loads, const PmcOptions& options,
                                                          std::optional<std::int64_t> through_day) {
  const auto days = by_day(loads);
  if (!days || days->empty()) return std::nullopt;
  const double tc = options.ctl_time_constant_days;
  const double ta = options.atl_time_constant_days;
  if (!std::isfinite(tc) || !std::isfinite(ta) || tc < 1 || ta < 1 || !std::isfinite(options.initial_ctl) ||
      !std::isfinite(options.initial_atl)) {
    return std::nullopt;
  }
  const std::int64_t first = days->begin()->first;
  const std::int64_t last = std::max(days->rbegin()->first, through_day.value_or(days->rbegin()->first));
  // Banister's impulse response in discrete daily steps: yesterday's level decays by e^{−1/τ}, today's load enters
  // with the complement, so a constant load L is approached as L·(1 − e^{−n/τ}).
  const double ctl_decay = std::exp(-1.0 / tc);
  const double atl_decay = std::exp(-1.0 / ta);
  std::vector<PmcDay> out;
  out.reserve(static_cast<std::size_t>(last - first + 1));
  double ctl = options.initial_ctl;
  double atl = options.initial_atl;
  for (std::int64_t d = first; d <= last; ++d) {
    const double load = load_on(*days, d);
    PmcDay day{d, load, 0, 0, ctl - atl};
    ctl = ctl * ctl_decay + load * (1 - ctl_decay);
    atl = atl * atl_decay + load * (1 - atl_decay);
    day.ctl = ctl;
    day.atl = atl;
    out.push_back(day);
  }
  return out;
}

std::optional<double> ramp_rate_per_week(std::span<const PmcDay> pmc) {
  if (pmc.size() < 8) return std::nullopt;
  const auto& last = pmc.back();
  const auto& week_ago = pmc[pmc.size() - 8];
  if (last.day - week_ago.day != 7) return std::nullopt;  // not a daily series
  return last.ctl - week_ago.ctl;
}

std::optional<double> acwr_rolling(std::span<const DailyLoad> loads, std::int64_t day, const AcwrOptions& options) {
  const auto days = by_day(loads);
  if (!days || !enough_history(*days, day, options)) return std::nullopt;
  const double acute = window_sum(*days, day, options.acute_days) / options.acute_days;
  const double chronic = window_sum(*days, day, options.chronic_days) / options.chronic_days;
  if (!(chronic > 0)) return std::nullopt;
  return acute / chronic;
}

std::optional<double> acwr_ewma(std::span<const DailyLoad> loads, std::int64_t day, const AcwrOptions& options) {
  const auto days = by_day(loads);
  if (!days || !enough_history(*days, day, options)) return std::nullopt;
  const double la = 2.0 / (options.acute_days + 1);
  const double lc = 2.0 / (options.chronic_days + 1);
  double acute = 0;
  double chronic = 0;
  for (std::int64_t d = days->begin()->first; d <= day; ++d) {
    const double load = load_on(*days, d);
    acute = load * la + (1 - la) * acute;
    chronic = load * lc + (1 - lc) * chronic;
  }
  if (!(chronic > 0)) return std::nullopt;
  return acute / chronic;
}

std::optional<MonotonyStrain> monotony_strain(std::span<const DailyLoad> loads, std::int64_t day) {
  const auto days = by_day(loads);
  if (!days) return std::nullopt;
  constexpr int kWeek = 7;
  double week[kWeek];
  double sum = 0;
  for (int i = 0; i < kWeek; ++i) {
    week[i] = load_on(*days, day - kWeek + 1 + i);
    sum += week[i];
  }
  const double mean = sum / kWeek;
  double var = 0;
  for (const double l : week) var += (l - mean) * (l - mean);
  const double sd = std::sqrt(var / kWeek);
  if (!(sd > 1e-12)) return std::nullopt;
  MonotonyStrain out;
  out.weekly_load = sum;
  out.monotony = mean / sd;
  out.strain = sum * out.monotony;
  return out;
}

}  // namespace pierre::intelligence
