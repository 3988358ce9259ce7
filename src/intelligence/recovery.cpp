#include "pierre/intelligence/recovery.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace pierre::intelligence {

namespace {

bool bad(const std::optional<double>& v, bool may_be_negative = false) {
  return v && (!std::isfinite(*v) || (!may_be_negative && *v < 0));
}

}  // namespace

std::string_view recovery_recommendation_name(RecoveryRecommendation recommendation) noexcept {
  switch (recommendation) {
    case RecoveryRecommendation::rest: return "rest";
    case RecoveryRecommendation::easy: return "easy_recovery";
    case RecoveryRecommendation::normal: return "normal_training";
    case RecoveryRecommendation::hard: return "ready_for_hard_session";
  }
  return "normal_training";
}

std::string_view tsb_band_name(TsbBand band) noexcept {
  switch (band) {
    case TsbBand::overreaching: return "overreaching";
    case TsbBand::productive: return "productive";
    case TsbBand::neutral: return "neutral";
    case TsbBand::fresh: return "fresh";
    case TsbBand::detraining: return "detraining";
  }
  return "neutral";
}

std::optional<TsbBand> tsb_band(double tsb, const RecoveryOptions& options) {
  if (!std::isfinite(tsb)) return std::nullopt;
  if (tsb < options.tsb_overreaching_below) return TsbBand::overreaching;
  if (tsb < options.tsb_productive_below) return TsbBand::productive;
  if (tsb < options.tsb_fresh_from) return TsbBand::neutral;
  if (tsb <= options.tsb_detraining_above) return TsbBand::fresh;
  return TsbBand::detraining;
}

std::optional<RecoveryAssessment> recovery_recommendation(const RecoveryInputs& inputs,
                                                          const RecoveryOptions& options) {
  const auto& o = options;
  if (bad(inputs.tsb, true) || bad(inputs.acwr) || bad(inputs.monotony) || bad(inputs.ctl) || bad(inputs.atl)) {
    return std::nullopt;
  }
  for (const double l : inputs.recent_daily_loads) {
    if (!std::isfinite(l) || l < 0) return std::nullopt;
  }
  if (!(o.tsb_overreaching_below <= o.tsb_productive_below && o.tsb_productive_below <= o.tsb_fresh_from &&
        o.tsb_fresh_from <= o.tsb_detraining_above && o.acwr_low <= o.acwr_caution && o.acwr_caution <= o.acwr_high)) {
    return std::nullopt;
  }

  RecoveryAssessment a;
  a.tsb = inputs.tsb;
  if (!a.tsb && inputs.ctl && inputs.atl) a.tsb = *inputs.ctl - *inputs.atl;

  using R = RecoveryRecommendation;
  if (a.tsb) {
    const double tsb = *a.tsb;
    a.band = tsb_band(tsb, o);
    switch (*a.band) {
      case TsbBand::overreaching:
        a.reasons.push_back({"tsb", tsb, o.tsb_overreaching_below, "<", R::rest,
                             "Form is deeply negative: high fatigue, overreaching risk."});
        break;
      case TsbBand::productive:
        a.reasons.push_back({"tsb", tsb, o.tsb_productive_below, "<", R::normal,
                             "Form is in the productive training range: keep training, no extra intensity."});
        break;
      case TsbBand::neutral:
        a.reasons.push_back(
            {"tsb", tsb, o.tsb_fresh_from, "<", R::normal, "Form is neutral: maintenance, normal training."});
        break;
      case TsbBand::fresh:
        a.reasons.push_back(
            {"tsb", tsb, o.tsb_fresh_from, ">=", R::hard, "Form is fresh: ready for a hard session or a race."});
        break;
      case TsbBand::detraining:
        a.reasons.push_back({"tsb", tsb, o.tsb_detraining_above, ">", R::hard,
                             "Form is very high: fresh, but fitness is decaying; resume training."});
        break;
    }
  }
  if (inputs.acwr) {
    const double v = *inputs.acwr;
    if (v > o.acwr_high) {
      a.reasons.push_back({"acwr", v, o.acwr_high, ">", R::rest, "Acute load spike above the ACWR danger zone."});
    } else if (v > o.acwr_caution) {
      a.reasons.push_back({"acwr", v, o.acwr_caution, ">", R::easy, "Acute load above the ACWR sweet spot."});
    } else if (v < o.acwr_low) {
      a.reasons.push_back(
          {"acwr", v, o.acwr_low, "<", R::normal, "Acute load well below chronic: build up before hard work."});
    } else {
      a.reasons.push_back({"acwr", v, o.acwr_caution, "<=", R::hard, "ACWR within the sweet spot."});
    }
  }
  if (inputs.monotony) {
    const double v = *inputs.monotony;
    if (v > o.monotony_high) {
      a.reasons.push_back({"monotony", v, o.monotony_high, ">", R::easy, "Training is monotonous: add an easy day."});
    } else {
      a.reasons.push_back({"monotony", v, o.monotony_high, "<=", R::hard, "Monotony is acceptable."});
    }
  }
  if (inputs.ctl && *inputs.ctl > 0 && !inputs.recent_daily_loads.empty()) {
    const auto& loads = inputs.recent_daily_loads;
    const std::size_t count = std::min<std::size_t>(3, loads.size());
    double sum = 0;
    for (std::size_t i = loads.size() - count; i < loads.size(); ++i) sum += loads[i];
    const double ratio = sum / static_cast<double>(count) / *inputs.ctl;
    if (ratio > o.recent_load_ratio_high) {
      a.reasons.push_back({"recent_load_ratio", ratio, o.recent_load_ratio_high, ">", R::easy,
                           "The last days were well above the usual daily load."});
    } else {
      a.reasons.push_back({"recent_load_ratio", ratio, o.recent_load_ratio_high, "<=", R::hard,
                           "The last days were within the usual daily load."});
    }
  }
  if (a.reasons.empty()) return std::nullopt;

  a.recommendation = a.tsb ? R::hard : R::normal;
  for (const auto& r : a.reasons) a.recommendation = std::min(a.recommendation, r.limits_to);
  a.name = recovery_recommendation_name(a.recommendation);
  return a;
}

}  // namespace pierre::intelligence
