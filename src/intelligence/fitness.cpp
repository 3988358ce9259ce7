#include "pierre/intelligence/fitness.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>

namespace pierre::intelligence {

namespace {

// FRIEND treadmill reference standards (Kaminsky, Arena & Myers 2015, Mayo Clin Proc 90:1515–1523, percentile table),
// VO2max in ml·kg⁻¹·min⁻¹ at the percentiles below, one row per age decade 20–29 … 70–79. Transcribed from the table
// as reproduced in the FRIEND co-author's R package (github.com/JimPeterman/FRIENDanalysis, R/FRIENDpercentile.R,
// ref_edition 1); the 50th-percentile ends agree with the paper's abstract (men 48.0 → 24.4, women 37.6 → 18.3).
constexpr std::array<double, 7> kPercentiles{5, 10, 25, 50, 75, 90, 95};
using Row = std::array<double, 7>;
constexpr std::array<Row, 6> kMen{{
    {29.0, 32.1, 40.1, 48.0, 55.2, 61.8, 66.3},  // 20–29
    {27.2, 30.2, 35.9, 42.4, 49.2, 56.5, 59.8},  // 30–39
    {24.2, 26.8, 31.9, 37.8, 45.0, 52.1, 55.6},  // 40–49
    {20.9, 22.8, 27.1, 32.6, 39.7, 45.6, 50.7},  // 50–59
    {17.4, 19.8, 23.7, 28.2, 34.5, 40.3, 43.0},  // 60–69
    {16.3, 17.1, 20.4, 24.4, 30.4, 36.6, 39.7},  // 70–79
}};
constexpr std::array<Row, 6> kWomen{{
    {21.7, 23.9, 30.5, 37.6, 44.7, 51.3, 56.0},  // 20–29
    {19.0, 20.9, 25.3, 30.2, 36.1, 41.4, 45.8},  // 30–39
    {17.0, 18.8, 22.1, 26.7, 32.4, 38.4, 41.7},  // 40–49
    {16.0, 17.3, 19.9, 23.4, 27.6, 32.0, 35.9},  // 50–59
    {13.4, 14.6, 17.2, 20.0, 23.8, 27.0, 29.4},  // 60–69
    {13.1, 13.6, 15.6, 18.3, 20.8, 23.1, 24.1},  // 70–79
}};
constexpr std::array<const char*, 6> kBands{"20-29", "30-39", "40-49", "50-59", "60-69", "70-79"};

// Shortest round-trip text of a number ("100", "62.5").
std::string number_text(double v) {
  std::array<char, 32> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return {buf.data(), result.ptr};
}

bool finite_nonneg(const std::optional<double>& v) {
  return !v || (std::isfinite(*v) && *v >= 0);
}

}  // namespace

std::optional<Vo2maxPercentile> vo2max_percentile(double vo2max, double age_years, Sex sex) {
  if (!std::isfinite(vo2max) || !std::isfinite(age_years) || vo2max <= 0 || vo2max > 100 || age_years < 10 ||
      age_years > 120) {
    return std::nullopt;
  }
  const auto band = static_cast<std::size_t>(std::clamp(std::floor(age_years / 10) - 2, 0.0, 5.0));
  const Row& row = sex == Sex::male ? kMen[band] : kWomen[band];
  Vo2maxPercentile p;
  p.age_band = kBands[band];
  if (vo2max < row.front()) {
    p.percentile = kPercentiles.front();
    p.below_table = true;
    return p;
  }
  if (vo2max > row.back()) {
    p.percentile = kPercentiles.back();
    p.above_table = true;
    return p;
  }
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (vo2max <= row[i]) {
      const double f = (vo2max - row[i - 1]) / (row[i] - row[i - 1]);
      p.percentile = kPercentiles[i - 1] + f * (kPercentiles[i] - kPercentiles[i - 1]);
      return p;
    }
  }
  p.percentile = kPercentiles.back();
  return p;
}

std::optional<double> form_score(double tsb) {
  if (!std::isfinite(tsb)) return std::nullopt;
  if (tsb < -10) return std::max(0.0, 100 * (tsb + 40) / 30);  // −40 → 0, −10 → 100
  if (tsb <= 25) return 100.0;
  return std::max(50.0, 100 - 50 * (tsb - 25) / 25);  // +25 → 100, +50 → 50
}

std::optional<FitnessScore> fitness_score(const FitnessInputs& inputs, const FitnessOptions& options) {
  const auto& o = options;
  for (const double w : {o.aerobic_weight, o.vo2max_weight, o.consistency_weight, o.form_weight}) {
    if (!std::isfinite(w) || w < 0) return std::nullopt;
  }
  if (!std::isfinite(o.full_marks_ctl) || o.full_marks_ctl <= 0) return std::nullopt;
  if (!finite_nonneg(inputs.ctl) || !finite_nonneg(inputs.vo2max) || !finite_nonneg(inputs.consistency_score)) {
    return std::nullopt;
  }
  if (inputs.consistency_score && *inputs.consistency_score > 100) return std::nullopt;
  if (inputs.tsb && !std::isfinite(*inputs.tsb)) return std::nullopt;

  FitnessScore out;
  if (inputs.ctl && o.aerobic_weight > 0) {
    const double score = 100 * std::min(*inputs.ctl, o.full_marks_ctl) / o.full_marks_ctl;
    out.components.push_back({"aerobic_load", *inputs.ctl, score, o.aerobic_weight,
                              "CTL scaled linearly, full marks at CTL " + number_text(o.full_marks_ctl)});
  }
  if (inputs.vo2max && o.vo2max_weight > 0) {
    if (!inputs.age_years || !inputs.sex) return std::nullopt;
    const auto p = vo2max_percentile(*inputs.vo2max, *inputs.age_years, *inputs.sex);
    if (!p) return std::nullopt;
    std::string method = inputs.vo2max_is_vdot ? "VDOT as VO2max; " : "";
    method += "FRIEND 2015 percentile (Kaminsky et al.), ";
    method += *inputs.sex == Sex::male ? "men " : "women ";
    method += p->age_band;
    if (p->below_table) method += ", below the 5th percentile";
    if (p->above_table) method += ", above the 95th percentile";
    out.components.push_back({"vo2max", *inputs.vo2max, p->percentile, o.vo2max_weight, method});
  }
  if (inputs.consistency_score && o.consistency_weight > 0) {
    out.components.push_back({"consistency", *inputs.consistency_score, *inputs.consistency_score, o.consistency_weight,
                              "training_consistency score"});
  }
  if (inputs.tsb && o.form_weight > 0) {
    out.components.push_back({"form", *inputs.tsb, *form_score(*inputs.tsb), o.form_weight,
                              "TSB: 100 from -10 to +25, 0 at -40, 50 at +50 and above"});
  }
  if (out.components.empty()) return std::nullopt;

  double weight_sum = 0;
  for (const auto& c : out.components) weight_sum += c.weight;
  for (auto& c : out.components) {
    c.weight /= weight_sum;
    out.score += c.weight * c.score;
  }
  out.score = std::clamp(out.score, 0.0, 100.0);
  return out;
}

}  // namespace pierre::intelligence
