#include "pierre/intelligence/trends.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <utility>

namespace pierre::intelligence {

namespace {

// ---- Special functions ----

// ln Γ(x) for x > 0 by Lanczos' approximation with g = 7 and nine coefficients (Lanczos 1964; the coefficient set
// tabulated by P. Godfrey, relative error < 1e-15 for real x > 0).
double log_gamma(double x) {
  constexpr std::array<double, 9> kCoefficients{0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
                                                771.32342877765313,   -176.61502916214059,   12.507343278686905,
                                                -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  if (x < 0.5) {
    // Reflection Γ(x)Γ(1 − x) = π / sin(πx) keeps the series in its accurate range.
    return std::log(std::numbers::pi / std::sin(std::numbers::pi * x)) - log_gamma(1 - x);
  }
  x -= 1;
  double sum = kCoefficients[0];
  for (std::size_t i = 1; i < kCoefficients.size(); ++i) sum += kCoefficients[i] / (x + static_cast<double>(i));
  const double t = x + 7.5;
  return 0.5 * std::log(2 * std::numbers::pi) + (x + 0.5) * std::log(t) - t + std::log(sum);
}

// The continued fraction of A&S 26.5.8 for I_x(a, b), evaluated by the modified Lentz method (Lentz 1976; Thompson
// & Barnett 1986): 1/(1+ d1/(1+ d2/(1+ …))) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
// d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)). Converges fast for x < (a+1)/(a+b+2).
double incomplete_beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-15;
  constexpr int kMaxTerms = 100000;
  const auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1;
  double d = 1 / guard(1 - (a + b) * x / (a + 1));
  double f = d;
  for (int m = 1; m <= kMaxTerms; ++m) {
    const double dm = m;
    const double even = dm * (b - dm) * x / ((a + 2 * dm - 1) * (a + 2 * dm));
    d = 1 / guard(1 + even * d);
    c = guard(1 + even / c);
    f *= d * c;
    const double odd = -(a + dm) * (a + b + dm) * x / ((a + 2 * dm) * (a + 2 * dm + 1));
    d = 1 / guard(1 + odd * d);
    c = guard(1 + odd / c);
    const double step = d * c;
    f *= step;
    if (std::fabs(step - 1) < kEps) break;
  }
  return f;
}

// Regularized incomplete beta I_x(a, b) for a, b > 0, 0 ≤ x ≤ 1 (A&S 26.5.1), using I_x(a,b) = 1 − I_{1−x}(b,a)
// (A&S 26.5.2) to stay where the fraction converges.
double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = a * std::log(x) + b * std::log1p(-x) - (log_gamma(a) + log_gamma(b) - log_gamma(a + b));
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * incomplete_beta_fraction(a, b, x) / a;
  return 1 - front * incomplete_beta_fraction(b, a, 1 - x) / b;
}

// P(T > t) for t ≥ 0: ½·I_{ν/(ν+t²)}(ν/2, ½) (A&S 26.7.1), or the normal tail ½·erfc(t/√2) for ν = ∞.
double upper_tail(double t, double df) {
  if (std::isinf(df)) return 0.5 * std::erfc(t / std::numbers::sqrt2);
  return 0.5 * regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

bool valid_df(double df) {
  return !std::isnan(df) && df > 0;  // +∞ allowed: the normal limit
}

// ---- Consistency helpers ----

double population_sd(std::span<const double> values, double mean) {
  double var = 0;
  for (const double v : values) var += (v - mean) * (v - mean);
  return std::sqrt(var / static_cast<double>(values.size()));
}

}  // namespace

std::optional<double> student_t_cdf(double t, double degrees_of_freedom) {
  if (!std::isfinite(t) || !valid_df(degrees_of_freedom)) return std::nullopt;
  const double tail = upper_tail(std::fabs(t), degrees_of_freedom);
  return t >= 0 ? 1 - tail : tail;
}

std::optional<double> student_t_quantile(double probability, double degrees_of_freedom) {
  if (!std::isfinite(probability) || probability <= 0 || probability >= 1 || !valid_df(degrees_of_freedom)) {
    return std::nullopt;
  }
  if (probability == 0.5) return 0.0;
  // Solve P(T > t) = q on t ≥ 0 for the upper tail q = min(p, 1 − p); the tail falls monotonically in t.
  const double q = probability > 0.5 ? 1 - probability : probability;
  double lo = 0;
  double hi = 1;
  while (upper_tail(hi, degrees_of_freedom) > q) {
    lo = hi;
    hi *= 2;
    if (!std::isfinite(hi)) return std::nullopt;
  }
  for (int i = 0; i < 400 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (upper_tail(mid, degrees_of_freedom) > q) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const double t = lo + (hi - lo) / 2;
  return probability > 0.5 ? t : -t;
}

std::optional<LinearFit> linear_regression(std::span<const double> x, std::span<const double> y, double confidence) {
  if (x.size() != y.size() || x.size() < 3) return std::nullopt;
  if (!std::isfinite(confidence) || confidence <= 0 || confidence >= 1) return std::nullopt;
  const std::size_t n = x.size();
  const double dn = static_cast<double>(n);
  double sum_x = 0;
  double sum_y = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) return std::nullopt;
    sum_x += x[i];
    sum_y += y[i];
  }
  const double mean_x = sum_x / dn;
  const double mean_y = sum_y / dn;
  // Centred sums of squares and products (two passes: no cancellation from large raw sums).
  double sxx = 0;
  double sxy = 0;
  double syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mean_x;
    const double dy = y[i] - mean_y;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) return std::nullopt;

  LinearFit fit;
  fit.n = n;
  fit.slope = sxy / sxx;
  fit.intercept = mean_y - fit.slope * mean_x;
  fit.r_squared = syy > 0 ? std::clamp(sxy * sxy / (sxx * syy), 0.0, 1.0) : 0.0;
  double sse = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double residual = y[i] - (fit.intercept + fit.slope * x[i]);
    sse += residual * residual;
  }
  fit.degrees_of_freedom = dn - 2;
  fit.confidence = confidence;
  const double mse = sse / fit.degrees_of_freedom;
  fit.residual_standard_error = std::sqrt(mse);
  fit.slope_standard_error = std::sqrt(mse / sxx);

  const auto t_crit = student_t_quantile(1 - (1 - confidence) / 2, fit.degrees_of_freedom);
  if (!t_crit) return std::nullopt;
  fit.slope_ci_low = fit.slope - *t_crit * fit.slope_standard_error;
  fit.slope_ci_high = fit.slope + *t_crit * fit.slope_standard_error;

  // A residual sum that is zero to rounding is a perfect fit: no sampling error to test against.
  const double scale = std::max(std::fabs(fit.slope), std::numeric_limits<double>::min());
  if (fit.slope_standard_error <= 1e-14 * scale) {
    fit.slope_standard_error = 0;
    fit.residual_standard_error = 0;
    fit.slope_ci_low = fit.slope;
    fit.slope_ci_high = fit.slope;
    fit.p_value = fit.slope == 0 ? 1.0 : 0.0;
    return fit;
  }
  fit.t_statistic = fit.slope / fit.slope_standard_error;
  fit.p_value = std::clamp(2 * upper_tail(std::fabs(*fit.t_statistic), fit.degrees_of_freedom), 0.0, 1.0);
  return fit;
}

std::string_view trend_direction_name(TrendDirection direction) noexcept {
  switch (direction) {
    case TrendDirection::improving: return "improving";
    case TrendDirection::declining: return "declining";
    case TrendDirection::stable: return "stable";
  }
  return "stable";
}

TrendDirection trend_direction(const LinearFit& fit, bool higher_is_better) noexcept {
  const bool rising = fit.slope_ci_low > 0;
  const bool falling = fit.slope_ci_high < 0;
  if (!rising && !falling) return TrendDirection::stable;
  return rising == higher_is_better ? TrendDirection::improving : TrendDirection::declining;
}

std::optional<ThreeZoneTime> three_zone_from_five(std::span<const double> five_zone_time) {
  if (five_zone_time.size() != 5) return std::nullopt;
  for (const double t : five_zone_time) {
    if (!std::isfinite(t) || t < 0) return std::nullopt;
  }
  return ThreeZoneTime{five_zone_time[0] + five_zone_time[1], five_zone_time[2], five_zone_time[3] + five_zone_time[4]};
}

std::optional<double> polarization_index(const ThreeZoneTime& time) {
  if (!std::isfinite(time.low) || !std::isfinite(time.moderate) || !std::isfinite(time.high)) return std::nullopt;
  if (time.low < 0 || time.moderate < 0 || time.high < 0) return std::nullopt;
  const double total = time.low + time.moderate + time.high;
  if (!(total > 0) || !(time.moderate > 0) || !(time.high > 0) || !(time.low > 0)) return std::nullopt;
  const double z1 = time.low / total;
  const double z2 = time.moderate / total;
  const double z3 = time.high / total;
  return std::log10(z1 / z2 * z3 * 100);
}

std::string_view intensity_distribution_name(IntensityDistribution distribution) noexcept {
  switch (distribution) {
    case IntensityDistribution::polarized: return "polarized";
    case IntensityDistribution::pyramidal: return "pyramidal";
    case IntensityDistribution::threshold: return "threshold";
    case IntensityDistribution::high_intensity: return "high_intensity";
    case IntensityDistribution::low_intensity_dominant: return "low_intensity_dominant";
  }
  return "low_intensity_dominant";
}

std::optional<IntensityAnalysis> intensity_distribution(const ThreeZoneTime& time, double polarized_pi_threshold) {
  if (!std::isfinite(time.low) || !std::isfinite(time.moderate) || !std::isfinite(time.high) ||
      !std::isfinite(polarized_pi_threshold)) {
    return std::nullopt;
  }
  if (time.low < 0 || time.moderate < 0 || time.high < 0) return std::nullopt;
  const double total = time.low + time.moderate + time.high;
  if (!(total > 0)) return std::nullopt;
  IntensityAnalysis a;
  a.low_fraction = time.low / total;
  a.moderate_fraction = time.moderate / total;
  a.high_fraction = time.high / total;
  a.polarization_index = polarization_index(time);
  const double z1 = time.low;
  const double z2 = time.moderate;
  const double z3 = time.high;
  if (z2 >= z1 && z2 >= z3) {
    a.distribution = IntensityDistribution::threshold;
  } else if (z3 > z1) {
    a.distribution = IntensityDistribution::high_intensity;
  } else if (z1 > z3 && z3 > z2 &&
             (z2 == 0 || (a.polarization_index && *a.polarization_index > polarized_pi_threshold))) {
    a.distribution = IntensityDistribution::polarized;
  } else if (z2 > z3) {
    a.distribution = IntensityDistribution::pyramidal;
  } else {
    a.distribution = IntensityDistribution::low_intensity_dominant;
  }
  return a;
}

std::optional<Consistency> training_consistency(std::span<const std::int64_t> session_days, std::int64_t first_day,
                                                std::int64_t last_day, const ConsistencyOptions& options) {
  const auto& o = options;
  if (last_day < first_day || last_day - first_day + 1 < 7) return std::nullopt;
  if (o.target_sessions_per_week < 1 || o.gap_zero_score_days < 1) return std::nullopt;
  if (!std::isfinite(o.adherence_weight) || !std::isfinite(o.regularity_weight) || !std::isfinite(o.gap_weight) ||
      o.adherence_weight < 0 || o.regularity_weight < 0 || o.gap_weight < 0) {
    return std::nullopt;
  }
  const double weight_sum = o.adherence_weight + o.regularity_weight + o.gap_weight;
  if (!(weight_sum > 0)) return std::nullopt;

  const std::int64_t weeks = (last_day - first_day + 1) / 7;
  const std::int64_t start = last_day - weeks * 7 + 1;  // whole weeks counted back from last_day
  std::vector<double> per_week(static_cast<std::size_t>(weeks), 0.0);
  std::set<std::int64_t> days;
  Consistency c;
  c.weeks = static_cast<int>(weeks);
  for (const std::int64_t d : session_days) {
    if (d < start || d > last_day) continue;
    per_week[static_cast<std::size_t>((d - start) / 7)] += 1;
    days.insert(d);
    ++c.sessions;
  }
  c.training_days = static_cast<int>(days.size());

  double sum = 0;
  int meeting = 0;
  for (const double s : per_week) {
    sum += s;
    if (s >= o.target_sessions_per_week) ++meeting;
  }
  c.sessions_per_week_mean = sum / static_cast<double>(weeks);
  c.sessions_per_week_sd = population_sd(per_week, c.sessions_per_week_mean);
  if (c.sessions_per_week_mean > 0) c.sessions_per_week_cv = c.sessions_per_week_sd / c.sessions_per_week_mean;
  c.fraction_weeks_meeting_target = static_cast<double>(meeting) / static_cast<double>(weeks);

  // Longest run of session-free days, counting from the window's start and to its end.
  std::int64_t previous = start - 1;
  std::int64_t longest = 0;
  for (const std::int64_t d : days) {
    longest = std::max(longest, d - previous - 1);
    previous = d;
  }
  longest = std::max(longest, last_day - previous);
  c.longest_gap_days = static_cast<int>(longest);

  const double adherence = c.fraction_weeks_meeting_target;
  const double regularity = c.sessions_per_week_cv ? std::max(0.0, 1 - *c.sessions_per_week_cv) : 0.0;
  const double gap = std::max(0.0, 1 - static_cast<double>(longest) / o.gap_zero_score_days);
  c.score = 100 * (o.adherence_weight * adherence + o.regularity_weight * regularity + o.gap_weight * gap) / weight_sum;
  return c;
}

std::string_view risk_severity_name(RiskSeverity severity) noexcept {
  switch (severity) {
    case RiskSeverity::info: return "info";
    case RiskSeverity::caution: return "caution";
    case RiskSeverity::high: return "high";
  }
  return "info";
}

std::optional<InjuryRiskAssessment> injury_risk(std::span<const DailyLoad> loads, std::int64_t day,
                                                const InjuryRiskOptions& options) {
  const auto& o = options;
  std::vector<DailyLoad> upto;
  upto.reserve(loads.size());
  for (const auto& l : loads) {
    if (!std::isfinite(l.load) || l.load < 0) return std::nullopt;
    if (l.day <= day) upto.push_back(l);
  }
  if (upto.empty()) return std::nullopt;
  const std::int64_t first_day =
      std::min_element(upto.begin(), upto.end(), [](const auto& a, const auto& b) { return a.day < b.day; })->day;

  InjuryRiskAssessment r;
  r.acwr = o.acwr_method == AcwrMethod::rolling ? acwr_rolling(upto, day, o.acwr) : acwr_ewma(upto, day, o.acwr);
  r.monotony = monotony_strain(upto, day);

  // Week over week: the 7 days ending at `day` vs the 7 before; needs data reaching into the earlier week.
  if (day - first_day >= 13) {
    double this_week = 0;
    double last_week = 0;
    for (const auto& l : upto) {
      if (l.day > day - 7) {
        this_week += l.load;
      } else if (l.day > day - 14) {
        last_week += l.load;
      }
    }
    if (last_week > 0) r.weekly_change_pct = (this_week - last_week) / last_week * 100;
  }

  if (const auto pmc = performance_management(upto, o.pmc, day)) r.ctl_ramp_per_week = ramp_rate_per_week(*pmc);

  const char* const kGabbett = "Gabbett 2016, Br J Sports Med 50:273-280";
  if (r.acwr) {
    if (*r.acwr > o.acwr_high) {
      r.flags.push_back({"acwr_high", RiskSeverity::high, *r.acwr, o.acwr_high, kGabbett,
                         "Acute load is far above chronic load (ACWR above the danger zone)."});
    } else if (*r.acwr > o.acwr_caution) {
      r.flags.push_back({"acwr_caution", RiskSeverity::caution, *r.acwr, o.acwr_caution, kGabbett,
                         "Acute load is above the 0.8-1.3 sweet spot."});
    } else if (*r.acwr < o.acwr_low) {
      r.flags.push_back({"acwr_low", RiskSeverity::info, *r.acwr, o.acwr_low, kGabbett,
                         "Acute load is well below chronic load (detraining; rebuild gradually)."});
    }
  }
  if (r.monotony && r.monotony->monotony > o.monotony_high) {
    const bool high_strain = o.strain_high && r.monotony->strain > *o.strain_high;
    r.flags.push_back({"monotony_high", high_strain ? RiskSeverity::high : RiskSeverity::caution, r.monotony->monotony,
                       o.monotony_high, "Foster 1998, Med Sci Sports Exerc 30:1164-1168",
                       high_strain ? "Training is monotonous and strain is high: vary hard and easy days."
                                   : "Training is monotonous: vary hard and easy days."});
  }
  if (r.weekly_change_pct && *r.weekly_change_pct > o.weekly_increase_pct) {
    r.flags.push_back({"weekly_load_increase", RiskSeverity::caution, *r.weekly_change_pct, o.weekly_increase_pct,
                       "10 % rule: coaching heuristic, not evidence-based (Buist et al. 2008)",
                       "Weekly load rose faster than the usual 10 % guideline."});
  }
  if (r.ctl_ramp_per_week && *r.ctl_ramp_per_week > o.ctl_ramp_per_week) {
    r.flags.push_back({"ctl_ramp_high", RiskSeverity::caution, *r.ctl_ramp_per_week, o.ctl_ramp_per_week,
                       "Coggan / TrainingPeaks PMC guidance (5-8 CTL per week)",
                       "Fitness (CTL) is rising faster than is usually sustainable."});
  }
  return r;
}

int weekday_from_days_since_epoch(std::int64_t local_day) noexcept {
  // 1970-01-01 was a Thursday: weekday 3 with Monday = 0. Floor modulo so days before the epoch work too.
  const std::int64_t w = (local_day + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::int64_t week_from_days_since_epoch(std::int64_t local_day) noexcept {
  const std::int64_t shifted = local_day + 3;  // days since Monday 1969-12-29
  return shifted >= 0 ? shifted / 7 : -((-shifted + 6) / 7);
}

std::optional<WeeklySchedule> weekly_schedule(std::span<const SessionStart> sessions, std::optional<int> weeks,
                                              double min_week_fraction) {
  if (sessions.empty() || !std::isfinite(min_week_fraction) || min_week_fraction < 0 || min_week_fraction > 1) {
    return std::nullopt;
  }
  if (weeks && *weeks < 1) return std::nullopt;
  WeeklySchedule s;
  std::int64_t first_week = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_week = std::numeric_limits<std::int64_t>::min();
  std::map<std::pair<int, int>, std::set<std::int64_t>> slot_weeks;  // (weekday, hour) → weeks with a session there
  for (const auto& session : sessions) {
    if (session.hour < 0 || session.hour > 23 || !std::isfinite(session.duration_s) || session.duration_s < 0) {
      return std::nullopt;
    }
    const int weekday = weekday_from_days_since_epoch(session.local_day);
    const std::int64_t week = week_from_days_since_epoch(session.local_day);
    first_week = std::min(first_week, week);
    last_week = std::max(last_week, week);
    const auto wd = static_cast<std::size_t>(weekday);
    s.sessions_per_weekday[wd] += 1;
    s.seconds_per_weekday[wd] += session.duration_s;
    s.sessions_per_hour[static_cast<std::size_t>(session.hour)] += 1;
    slot_weeks[{weekday, session.hour}].insert(week);
  }
  s.weeks = weeks ? *weeks : static_cast<int>(last_week - first_week + 1);

  const int top = *std::max_element(s.sessions_per_hour.begin(), s.sessions_per_hour.end());
  for (int h = 0; h < 24; ++h) {
    if (s.sessions_per_hour[static_cast<std::size_t>(h)] == top) s.most_common_hours.push_back(h);
  }
  for (const auto& [slot, in_weeks] : slot_weeks) {
    const int count = static_cast<int>(in_weeks.size());
    const double fraction = std::min(1.0, static_cast<double>(count) / s.weeks);
    if (fraction >= min_week_fraction) s.usual_slots.push_back({slot.first, slot.second, count, fraction});
  }
  std::stable_sort(s.usual_slots.begin(), s.usual_slots.end(), [](const TrainingSlot& a, const TrainingSlot& b) {
    return a.fraction_of_weeks > b.fraction_of_weeks;
  });
  return s;
}

}  // namespace pierre::intelligence
