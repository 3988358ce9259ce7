// Trend statistics against published tables and datasets (Student's t table, Anscombe's quartet), intensity
// distribution against Treff et al.'s Polarization-Index, and the other trend tools on constructed data whose
// expected values are worked out by hand in the comments.

#include "pierre/intelligence/trends.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "non_finite.hpp"

namespace pierre::intelligence {
namespace {

using testing::kInf;
using testing::kNaN;

// ---- Student's t ----

// NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2 "Critical values of the Student's t distribution"
// (three decimals).
struct TRow {
  double p;
  double df;
  double t;
};
TEST(StudentT, QuantilesMatchPublishedTable) {
  const std::vector<TRow> table{
      {0.90, 1, 3.078},   {0.95, 1, 6.314},   {0.975, 1, 12.706},  {0.99, 1, 31.821},    {0.995, 1, 63.657},
      {0.975, 2, 4.303},  {0.975, 5, 2.571},  {0.995, 5, 4.032},   {0.975, 9, 2.262},    {0.95, 10, 1.812},
      {0.975, 10, 2.228}, {0.975, 30, 2.042}, {0.975, 100, 1.984}, {0.975, kInf, 1.960}, {0.95, kInf, 1.645},
  };
  for (const auto& row : table) {
    const auto t = student_t_quantile(row.p, row.df);
    ASSERT_TRUE(t) << row.p << " " << row.df;
    EXPECT_NEAR(*t, row.t, 5e-4) << "p " << row.p << " df " << row.df;
  }
}

TEST(StudentT, ClosedFormsForOneAndTwoDegrees) {
  // ν = 1 is the Cauchy distribution: t_p = tan(π(p − ½)); t(0.975) = tan(0.475π) = 12.7062.
  EXPECT_NEAR(*student_t_quantile(0.975, 1), std::tan(0.475 * std::numbers::pi), 1e-8);
  // ν = 2: F(t) = ½ + t / (2√(2 + t²)) ⇒ t_p = α·√(2 / (1 − α²)), α = 2p − 1; p = 0.975 → 0.95·√(2/0.0975) = 4.30265.
  EXPECT_NEAR(*student_t_quantile(0.975, 2), 0.95 * std::sqrt(2 / 0.0975), 1e-9);
  // CDF: Cauchy F(1) = ½ + arctan(1)/π = 0.75; ν = 2, F(2) = ½ + 2/(2√6) = 0.908248.
  EXPECT_NEAR(*student_t_cdf(1, 1), 0.75, 1e-12);
  EXPECT_NEAR(*student_t_cdf(2, 2), 0.5 + 1 / std::sqrt(6.0), 1e-12);
  EXPECT_NEAR(*student_t_cdf(-2, 2), 0.5 - 1 / std::sqrt(6.0), 1e-12);
  // Normal limit: Φ(1.959964) = 0.975.
  EXPECT_NEAR(*student_t_cdf(1.959964, kInf), 0.975, 1e-6);
  // Symmetry and the median.
  EXPECT_NEAR(*student_t_quantile(0.025, 5), -2.571, 5e-4);
  EXPECT_DOUBLE_EQ(*student_t_quantile(0.5, 7), 0);
}

TEST(StudentT, RejectsBadInput) {
  EXPECT_FALSE(student_t_quantile(0, 5));
  EXPECT_FALSE(student_t_quantile(1, 5));
  EXPECT_FALSE(student_t_quantile(0.975, 0));
  EXPECT_FALSE(student_t_quantile(0.975, -3));
  EXPECT_FALSE(student_t_quantile(kNaN, 5));
  EXPECT_FALSE(student_t_quantile(0.975, kNaN));
  EXPECT_FALSE(student_t_cdf(kInf, 5));
  EXPECT_FALSE(student_t_cdf(1, 0));
}

// ---- Linear regression: Anscombe 1973 (The American Statistician 27:17–21), data set I ----

const std::vector<double> kAnscombeX{10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5};
const std::vector<double> kAnscombeY1{8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68};

TEST(LinearRegression, AnscombeSetOne) {
  // Anscombe's published summary (identical for all four sets): n = 11, y = 3 + 0.5x, Σ(x − x̄)² = 110, regression
  // SS 27.50, residual SS 13.75 on 9 df, SE of b1 = 0.118, t = 4.24, R² = 0.667. To four places (R's lm(y1 ~ x1),
  // the standard reproduction): slope 0.5001 (SE 0.1179, t 4.241, p = 0.00217), intercept 3.0001, R² 0.6665,
  // residual standard error 1.237.
  const auto fit = linear_regression(kAnscombeX, kAnscombeY1);
  ASSERT_TRUE(fit);
  EXPECT_EQ(fit->n, 11u);
  EXPECT_NEAR(fit->slope, 0.5001, 5e-5);
  EXPECT_NEAR(fit->intercept, 3.0001, 5e-5);
  EXPECT_NEAR(fit->r_squared, 0.6665, 5e-5);
  EXPECT_NEAR(fit->slope_standard_error, 0.1179, 5e-5);
  EXPECT_NEAR(fit->residual_standard_error, 1.237, 5e-4);
  EXPECT_DOUBLE_EQ(fit->degrees_of_freedom, 9);
  ASSERT_TRUE(fit->t_statistic);
  EXPECT_NEAR(*fit->t_statistic, 4.241, 5e-4);
  EXPECT_NEAR(fit->p_value, 0.00217, 5e-6);
  // 95 % CI: 0.5001 ± t(0.975, 9)·SE = 0.5001 ± 2.262·0.1179 = 0.5001 ± 0.2667 → [0.2334, 0.7668].
  EXPECT_NEAR(fit->slope_ci_low, 0.2334, 2e-4);
  EXPECT_NEAR(fit->slope_ci_high, 0.7668, 2e-4);
  EXPECT_DOUBLE_EQ(fit->confidence, 0.95);
  // The interval excludes zero: a real upward trend.
  EXPECT_EQ(trend_direction(*fit, true), TrendDirection::improving);
  EXPECT_EQ(trend_direction(*fit, false), TrendDirection::declining);
  EXPECT_EQ(trend_direction_name(TrendDirection::improving), "improving");
}

TEST(LinearRegression, NoisyFlatSeriesIsStable) {
  // x 1…4, y 1, 3, 1, 3: x̄ 2.5, ȳ 2, Sxx 5, Sxy = (−1.5)(−1) + (−0.5)(1) + (0.5)(−1) + (1.5)(1) = 2 → slope 0.4,
  // intercept 1. Residuals −0.4, 1.2, −1.2, 0.4 → SSE 3.2, MSE 1.6, SE √(1.6/5) = 0.5657;
  // CI 0.4 ± 4.303·0.5657 = 0.4 ± 2.434 contains 0 → stable.
  const std::vector<double> x{1, 2, 3, 4};
  const std::vector<double> y{1, 3, 1, 3};
  const auto fit = linear_regression(x, y);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->slope, 0.4, 1e-12);
  EXPECT_NEAR(fit->intercept, 1, 1e-12);
  EXPECT_NEAR(fit->slope_standard_error, std::sqrt(1.6 / 5), 1e-12);
  EXPECT_NEAR(fit->slope_ci_low, 0.4 - 4.303 * std::sqrt(0.32), 1e-3);
  EXPECT_EQ(trend_direction(*fit, true), TrendDirection::stable);
  // r² = Sxy²/(Sxx·Syy) = 4 / (5 · 4) = 0.2.
  EXPECT_NEAR(fit->r_squared, 0.2, 1e-12);
}

TEST(LinearRegression, PerfectAndFlatLines) {
  // y = 2x + 1 exactly: slope 2, intercept 1, r² 1, no residual error → t undefined, p 0, CI collapses to 2.
  const std::vector<double> x{1, 2, 3, 4, 5};
  const std::vector<double> line{3, 5, 7, 9, 11};
  const auto fit = linear_regression(x, line);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->slope, 2, 1e-12);
  EXPECT_NEAR(fit->intercept, 1, 1e-12);
  EXPECT_NEAR(fit->r_squared, 1, 1e-12);
  EXPECT_DOUBLE_EQ(fit->slope_standard_error, 0);
  EXPECT_FALSE(fit->t_statistic);
  EXPECT_DOUBLE_EQ(fit->p_value, 0);
  EXPECT_EQ(trend_direction(*fit, true), TrendDirection::improving);
  // Constant y: slope 0, r² reported 0, p 1, stable.
  const std::vector<double> flat{4, 4, 4, 4, 4};
  const auto f = linear_regression(x, flat);
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->slope, 0);
  EXPECT_DOUBLE_EQ(f->r_squared, 0);
  EXPECT_DOUBLE_EQ(f->p_value, 1);
  EXPECT_EQ(trend_direction(*f, true), TrendDirection::stable);
}

TEST(LinearRegression, RejectsInsufficientInput) {
  const std::vector<double> two{1, 2};
  EXPECT_FALSE(linear_regression(two, two));  // n − 2 = 0 degrees of freedom
  EXPECT_FALSE(linear_regression(std::vector<double>{}, std::vector<double>{}));
  EXPECT_FALSE(linear_regression(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2}));
  EXPECT_FALSE(linear_regression(std::vector<double>{3, 3, 3}, std::vector<double>{1, 2, 3}));  // x all equal
  EXPECT_FALSE(linear_regression(std::vector<double>{1, 2, kNaN}, std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(linear_regression(std::vector<double>{1, 2, 3}, std::vector<double>{1, kInf, 3}));
  EXPECT_FALSE(linear_regression(kAnscombeX, kAnscombeY1, 1.0));
}

// ---- Intensity distribution: Treff et al. 2019 Polarization-Index ----

TEST(Polarization, TreffIndex) {
  // PI = log10(Z1/Z2 × Z3 × 100), zones as fractions. 80/5/15 %: 0.80/0.05 = 16; × 0.15 = 2.4; × 100 = 240;
  // log10(240) = 2.3802 > 2.00 and Z1 > Z3 > Z2 → polarized.
  const auto a = intensity_distribution({80, 5, 15});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->polarization_index);
  EXPECT_NEAR(*a->polarization_index, std::log10(240.0), 1e-12);
  EXPECT_NEAR(*a->polarization_index, 2.38, 5e-3);
  EXPECT_EQ(a->distribution, IntensityDistribution::polarized);
  EXPECT_NEAR(a->low_fraction, 0.80, 1e-12);
  EXPECT_EQ(intensity_distribution_name(a->distribution), "polarized");
  // Same shape in seconds (scale-free): 4 h / 15 min / 45 min = 240/15/45 min → 80/5/15 %.
  EXPECT_NEAR(*polarization_index({4 * 3600, 15 * 60, 45 * 60}), std::log10(240.0), 1e-12);
}

TEST(Polarization, OtherDistributions) {
  // Pyramidal 80/15/5: Z1 > Z2 > Z3; PI = log10(0.8/0.15 × 0.05 × 100) = log10(26.67) = 1.426.
  auto a = intensity_distribution({80, 15, 5});
  EXPECT_EQ(a->distribution, IntensityDistribution::pyramidal);
  EXPECT_NEAR(*a->polarization_index, 1.426, 1e-3);
  // Low-intensity dominant 85/7/8: Z1 > Z3 > Z2 but PI = log10(0.85/0.07 × 0.08 × 100) = log10(97.14) = 1.987 ≤ 2.
  a = intensity_distribution({85, 7, 8});
  EXPECT_NEAR(*a->polarization_index, 1.987, 1e-3);
  EXPECT_EQ(a->distribution, IntensityDistribution::low_intensity_dominant);
  // 90/5/5: Z2 = Z3, PI = log10(18 × 0.05 × 100) = log10(90) = 1.954 → low-intensity dominant.
  EXPECT_EQ(intensity_distribution({90, 5, 5})->distribution, IntensityDistribution::low_intensity_dominant);
  // Threshold: Z2 largest (30/50/20); high intensity: Z3 largest (30/20/50).
  EXPECT_EQ(intensity_distribution({30, 50, 20})->distribution, IntensityDistribution::threshold);
  EXPECT_EQ(intensity_distribution({30, 20, 50})->distribution, IntensityDistribution::high_intensity);
  // Z2 = 0 with Z3 > 0: the index is unbounded (absent) but the order Z1 > Z3 > Z2 is polarized.
  a = intensity_distribution({80, 0, 20});
  EXPECT_FALSE(a->polarization_index);
  EXPECT_EQ(a->distribution, IntensityDistribution::polarized);
  // All easy: no index, low-intensity dominant.
  a = intensity_distribution({100, 0, 0});
  EXPECT_FALSE(a->polarization_index);
  EXPECT_EQ(a->distribution, IntensityDistribution::low_intensity_dominant);
}

TEST(Polarization, RejectsBadInput) {
  EXPECT_FALSE(intensity_distribution({0, 0, 0}));
  EXPECT_FALSE(intensity_distribution({-1, 5, 5}));
  EXPECT_FALSE(intensity_distribution({kNaN, 5, 5}));
  EXPECT_FALSE(polarization_index({0, 0, 0}));
  EXPECT_FALSE(polarization_index({80, 20, 0}));  // log10(0)
}

TEST(Polarization, FiveZonesToThree) {
  // Seiler 2010 mapping: Z1 + Z2 → low, Z3 → moderate, Z4 + Z5 → high.
  // [3600, 1800, 600, 300, 100] s → 5400 / 600 / 400.
  const std::vector<double> five{3600, 1800, 600, 300, 100};
  const auto t = three_zone_from_five(five);
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(t->low, 5400);
  EXPECT_DOUBLE_EQ(t->moderate, 600);
  EXPECT_DOUBLE_EQ(t->high, 400);
  EXPECT_FALSE(three_zone_from_five(std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(three_zone_from_five(std::vector<double>{1, 2, 3, -4, 5}));
  EXPECT_FALSE(three_zone_from_five(std::vector<double>{1, 2, kNaN, 4, 5}));
}

// ---- Consistency ----

TEST(Consistency, RegularThreeTimesAWeek) {
  // Window days 0…27 (4 weeks), sessions on days 0, 2, 4 of every week: 3 per week → mean 3, SD 0, CV 0, all weeks
  // meet the 3-session target. Gaps: days 5–6 between weeks (2) and 26–27 at the end (2) → longest 2.
  // Score = 100·(0.6·1 + 0.25·(1 − 0) + 0.15·(1 − 2/14)) = 100·(0.85 + 0.128571) = 97.857.
  std::vector<std::int64_t> days;
  for (int w = 0; w < 4; ++w) {
    for (const int d : {0, 2, 4}) days.push_back(w * 7 + d);
  }
  const auto c = training_consistency(days, 0, 27);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->weeks, 4);
  EXPECT_EQ(c->sessions, 12);
  EXPECT_EQ(c->training_days, 12);
  EXPECT_DOUBLE_EQ(c->sessions_per_week_mean, 3);
  EXPECT_DOUBLE_EQ(c->sessions_per_week_sd, 0);
  EXPECT_DOUBLE_EQ(*c->sessions_per_week_cv, 0);
  EXPECT_EQ(c->longest_gap_days, 2);
  EXPECT_DOUBLE_EQ(c->fraction_weeks_meeting_target, 1);
  EXPECT_NEAR(c->score, 97.857, 1e-3);
}

TEST(Consistency, IrregularTraining) {
  // Weeks of days 0–6, 7–13, 14–20, 21–27 hold 4 (days 0–3), 1 (day 7), 0 and 4 (21 twice, 22, 23) sessions.
  // Mean 2.25; deviations 1.75, −1.25, −2.25, 1.75 → Σ² = 12.75, population SD √3.1875 = 1.78536, CV 0.79349.
  // Weeks with ≥ 3: 2 of 4 → 0.5. Gaps: 4–6 (3), 8–20 (13), 24–27 (4) → 13.
  // Score = 100·(0.6·0.5 + 0.25·(1 − 0.79349) + 0.15·(1 − 13/14)) = 100·(0.3 + 0.051628 + 0.010714) = 36.234.
  const std::vector<std::int64_t> days{0, 1, 2, 3, 7, 21, 21, 22, 23};
  const auto c = training_consistency(days, 0, 27);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sessions, 9);
  EXPECT_EQ(c->training_days, 8);
  EXPECT_DOUBLE_EQ(c->sessions_per_week_mean, 2.25);
  EXPECT_NEAR(c->sessions_per_week_sd, 1.78536, 1e-5);
  EXPECT_NEAR(*c->sessions_per_week_cv, 0.79349, 1e-5);
  EXPECT_DOUBLE_EQ(c->fraction_weeks_meeting_target, 0.5);
  EXPECT_EQ(c->longest_gap_days, 13);
  EXPECT_NEAR(c->score, 36.234, 1e-3);
}

TEST(Consistency, WindowEdgesAndEmpty) {
  // 30-day window 0…29: 4 whole weeks counted back from day 29 start at day 2; sessions on days 0–1 are dropped.
  const std::vector<std::int64_t> early{0, 1};
  auto c = training_consistency(early, 0, 29);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->weeks, 4);
  EXPECT_EQ(c->sessions, 0);
  // No sessions: mean 0, CV absent, the whole 28-day window is one gap, score 0.
  EXPECT_FALSE(c->sessions_per_week_cv);
  EXPECT_EQ(c->longest_gap_days, 28);
  EXPECT_DOUBLE_EQ(c->score, 0);
  EXPECT_FALSE(training_consistency(early, 0, 5));   // < 7 days
  EXPECT_FALSE(training_consistency(early, 10, 0));  // reversed window
  ConsistencyOptions o;
  o.target_sessions_per_week = 0;
  EXPECT_FALSE(training_consistency(early, 0, 29, o));
}

// ---- Injury-risk flags ----

std::vector<DailyLoad> series(std::int64_t first, int days, double load) {
  std::vector<DailyLoad> out;
  for (int i = 0; i < days; ++i) out.push_back({first + i, load});
  return out;
}

const RiskFlag* find_flag(const InjuryRiskAssessment& r, const std::string& code) {
  const auto it = std::find_if(r.flags.begin(), r.flags.end(), [&](const RiskFlag& f) { return f.code == code; });
  return it == r.flags.end() ? nullptr : &*it;
}

TEST(InjuryRisk, LoadSpike) {
  // 21 days at 50 then 7 at 100 (days 0–27), evaluated on day 27:
  //   ACWR (Gabbett rolling) = 100 / ((21·50 + 7·100)/28 = 62.5) = 1.6 > 1.5 → high.
  //   Weekly load 700 vs 350 the week before: +100 % > 10 % → caution.
  //   CTL(20) = 50(1 − e^{−21/42}) = 19.673; CTL(27) = 19.673·e^{−7/42} + 100(1 − e^{−7/42}) = 32.005;
  //   ramp = 12.33 CTL/week > 8 → caution.
  //   Monotony of the last 7 days (all 100): SD 0 → undefined, no flag.
  auto loads = series(0, 21, 50);
  for (const auto& l : series(21, 7, 100)) loads.push_back(l);
  const auto r = injury_risk(loads, 27);
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r->acwr, 1.6, 1e-12);
  EXPECT_NEAR(*r->weekly_change_pct, 100, 1e-9);
  const double ctl20 = 50 * (1 - std::exp(-0.5));
  const double ctl27 = ctl20 * std::exp(-1.0 / 6) + 100 * (1 - std::exp(-1.0 / 6));
  EXPECT_NEAR(*r->ctl_ramp_per_week, ctl27 - ctl20, 1e-9);
  EXPECT_NEAR(*r->ctl_ramp_per_week, 12.33, 5e-3);
  EXPECT_FALSE(r->monotony);
  ASSERT_EQ(r->flags.size(), 3u);
  const auto* acwr = find_flag(*r, "acwr_high");
  ASSERT_TRUE(acwr);
  EXPECT_EQ(acwr->severity, RiskSeverity::high);
  EXPECT_DOUBLE_EQ(acwr->threshold, 1.5);
  EXPECT_NE(acwr->source.find("Gabbett 2016"), std::string::npos);
  const auto* weekly = find_flag(*r, "weekly_load_increase");
  ASSERT_TRUE(weekly);
  EXPECT_EQ(weekly->severity, RiskSeverity::caution);
  EXPECT_DOUBLE_EQ(weekly->threshold, 10);
  EXPECT_TRUE(find_flag(*r, "ctl_ramp_high"));
  // Loads after the evaluation day do not count.
  auto with_future = loads;
  with_future.push_back({40, 1000});
  EXPECT_NEAR(*injury_risk(with_future, 27)->acwr, 1.6, 1e-12);
}

TEST(InjuryRisk, AcwrBands) {
  // 21 days at 50 then 7 at 75: chronic (1050 + 525)/28 = 56.25, acute 75 → 1.333 → caution (1.3–1.5).
  auto caution = series(0, 21, 50);
  for (const auto& l : series(21, 7, 75)) caution.push_back(l);
  const auto c = injury_risk(caution, 27);
  ASSERT_TRUE(find_flag(*c, "acwr_caution"));
  EXPECT_EQ(find_flag(*c, "acwr_caution")->severity, RiskSeverity::caution);
  // 21 days at 100 then 7 at 20: chronic (2100 + 140)/28 = 80, acute 20 → 0.25 < 0.8 → detraining (info).
  auto low = series(0, 21, 100);
  for (const auto& l : series(21, 7, 20)) low.push_back(l);
  const auto d = injury_risk(low, 27);
  ASSERT_TRUE(find_flag(*d, "acwr_low"));
  EXPECT_NEAR(find_flag(*d, "acwr_low")->value, 0.25, 1e-12);
  EXPECT_EQ(find_flag(*d, "acwr_low")->severity, RiskSeverity::info);
  // EWMA variant is the Williams et al. 2017 ratio from load.hpp.
  InjuryRiskOptions o;
  o.acwr_method = AcwrMethod::ewma;
  EXPECT_DOUBLE_EQ(*injury_risk(caution, 27, o)->acwr, *acwr_ewma(caution, 27));
}

TEST(InjuryRisk, SteadyTrainingRaisesNothing) {
  // 35 days at 70: ACWR 1.0, weekly change 0 %, ramp 70(e^{−28/42} − e^{−35/42}) = 70(0.51342 − 0.43460) = 5.52 < 8.
  const auto r = injury_risk(series(0, 35, 70), 34);
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r->acwr, 1.0, 1e-12);
  EXPECT_NEAR(*r->weekly_change_pct, 0, 1e-12);
  EXPECT_NEAR(*r->ctl_ramp_per_week, 70 * (std::exp(-28.0 / 42) - std::exp(-35.0 / 42)), 1e-9);
  EXPECT_TRUE(r->flags.empty());
}

TEST(InjuryRisk, MonotonyWithAndWithoutStrain) {
  // Last week 100 ×6 and 50: mean 92.857, deviations 7.143 (×6) and −42.857 → Σ² = 306.12 + 1836.73 = 2142.86,
  // population SD √306.12 = 17.496 → monotony 5.307 > 2.0; strain = 650 × 5.307 = 3449.7.
  std::vector<DailyLoad> loads;
  for (int d = 0; d < 28; ++d) loads.push_back({d, d % 7 == 6 ? 50.0 : 100.0});
  auto r = injury_risk(loads, 27);
  ASSERT_TRUE(r && r->monotony);
  EXPECT_NEAR(r->monotony->monotony, 5.307, 1e-3);
  EXPECT_NEAR(r->monotony->strain, 3449.7, 0.1);
  const auto* m = find_flag(*r, "monotony_high");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->severity, RiskSeverity::caution);  // no strain threshold configured
  EXPECT_DOUBLE_EQ(m->threshold, 2.0);
  InjuryRiskOptions o;
  o.strain_high = 3000;
  EXPECT_EQ(find_flag(*injury_risk(loads, 27, o), "monotony_high")->severity, RiskSeverity::high);
  o.strain_high = 4000;
  EXPECT_EQ(find_flag(*injury_risk(loads, 27, o), "monotony_high")->severity, RiskSeverity::caution);
}

TEST(InjuryRisk, ShortHistoryAndBadInput) {
  // 5 days of data: no ACWR (needs 28), no prior week, no ramp (needs 8 days) → no flags, still an assessment.
  const auto r = injury_risk(series(0, 5, 60), 4);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->acwr);
  EXPECT_FALSE(r->weekly_change_pct);
  EXPECT_FALSE(r->ctl_ramp_per_week);
  EXPECT_TRUE(r->flags.empty());
  EXPECT_FALSE(injury_risk(std::vector<DailyLoad>{}, 0));
  EXPECT_FALSE(injury_risk(std::vector<DailyLoad>{{5, 50}}, 4));  // nothing on or before the day
  EXPECT_FALSE(injury_risk(std::vector<DailyLoad>{{0, -5}}, 4));
  EXPECT_FALSE(injury_risk(std::vector<DailyLoad>{{0, kNaN}}, 4));
}

// ---- Weekly schedule ----

TEST(Calendar, WeekdaysFromEpochDays) {
  // 1970-01-01 was a Thursday (3 with Monday = 0); 1970-01-05 a Monday; 1969-12-31 a Wednesday;
  // 2024-01-01 (day 19723 = 1704067200 s / 86400) a Monday.
  EXPECT_EQ(weekday_from_days_since_epoch(0), 3);
  EXPECT_EQ(weekday_from_days_since_epoch(4), 0);
  EXPECT_EQ(weekday_from_days_since_epoch(-1), 2);
  EXPECT_EQ(weekday_from_days_since_epoch(19723), 0);
  // Weeks run Monday–Sunday: Sunday 1970-01-04 (day 3) is in week 0, Monday 1970-01-05 in week 1; Monday
  // 1969-12-29 (day −3) starts week 0 and Sunday 1969-12-28 (day −4) is in week −1.
  EXPECT_EQ(week_from_days_since_epoch(3), 0);
  EXPECT_EQ(week_from_days_since_epoch(4), 1);
  EXPECT_EQ(week_from_days_since_epoch(-3), 0);
  EXPECT_EQ(week_from_days_since_epoch(-4), -1);
}

TEST(Schedule, UsualSlots) {
  // Four weeks from Monday 2024-01-01 (day 19723): Tuesdays 18:00 every week (1 h), Saturdays 08:00 in weeks 1–2
  // (2 h), one Thursday 12:00 in week 3 (30 min), and a second Tuesday-18:00 session in week 1.
  // Tuesday: 5 sessions, 5 h; Saturday 2 sessions, 4 h; Thursday 1, 0.5 h. Start hours: 18 ×5, 8 ×2, 12 ×1.
  // Slots over 4 weeks: Tue 18 in 4/4 weeks (the double session counts once), Sat 8 2/4, Thu 12 1/4 = 25 %.
  constexpr std::int64_t kMonday = 19723;
  const std::vector<SessionStart> sessions{
      {kMonday + 1, 18, 3600},  {kMonday + 1, 18, 3600}, {kMonday + 8, 18, 3600}, {kMonday + 15, 18, 3600},
      {kMonday + 22, 18, 3600}, {kMonday + 5, 8, 7200},  {kMonday + 12, 8, 7200}, {kMonday + 17, 12, 1800},
  };
  const auto s = weekly_schedule(sessions);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->weeks, 4);
  EXPECT_EQ(s->sessions_per_weekday[1], 5);
  EXPECT_EQ(s->sessions_per_weekday[5], 2);
  EXPECT_EQ(s->sessions_per_weekday[3], 1);
  EXPECT_EQ(s->sessions_per_weekday[0], 0);
  EXPECT_DOUBLE_EQ(s->seconds_per_weekday[1], 5 * 3600);
  EXPECT_DOUBLE_EQ(s->seconds_per_weekday[5], 4 * 3600);
  EXPECT_EQ(s->sessions_per_hour[18], 5);
  EXPECT_EQ(s->sessions_per_hour[8], 2);
  EXPECT_EQ(s->most_common_hours, std::vector<int>{18});
  ASSERT_EQ(s->usual_slots.size(), 3u);
  EXPECT_EQ(s->usual_slots[0].weekday, 1);
  EXPECT_EQ(s->usual_slots[0].hour, 18);
  EXPECT_EQ(s->usual_slots[0].weeks_with_session, 4);
  EXPECT_DOUBLE_EQ(s->usual_slots[0].fraction_of_weeks, 1.0);
  EXPECT_EQ(s->usual_slots[1].weekday, 5);
  EXPECT_DOUBLE_EQ(s->usual_slots[1].fraction_of_weeks, 0.5);
  EXPECT_EQ(s->usual_slots[2].weekday, 3);
  EXPECT_DOUBLE_EQ(s->usual_slots[2].fraction_of_weeks, 0.25);
  // Over an 8-week window the Thursday slot (1/8) drops out and Saturday is exactly 25 %.
  const auto eight = weekly_schedule(sessions, 8);
  ASSERT_EQ(eight->usual_slots.size(), 2u);
  EXPECT_DOUBLE_EQ(eight->usual_slots[1].fraction_of_weeks, 0.25);
}

TEST(Schedule, RejectsBadInput) {
  EXPECT_FALSE(weekly_schedule(std::vector<SessionStart>{}));
  EXPECT_FALSE(weekly_schedule(std::vector<SessionStart>{{0, 24, 60}}));
  EXPECT_FALSE(weekly_schedule(std::vector<SessionStart>{{0, -1, 60}}));
  EXPECT_FALSE(weekly_schedule(std::vector<SessionStart>{{0, 7, kNaN}}));
  EXPECT_FALSE(weekly_schedule(std::vector<SessionStart>{{0, 7, 60}}, 0));
  // Ties: two hours with one session each are both "most common".
  const auto s = weekly_schedule(std::vector<SessionStart>{{0, 7, 60}, {1, 19, 60}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->most_common_hours, (std::vector<int>{7, 19}));
}

}  // namespace
}  // namespace pierre::intelligence
