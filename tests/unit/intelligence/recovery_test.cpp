// Recovery recommendation: the TrainingPeaks/Coggan PMC form bands, Gabbett's ACWR zones, Foster's monotony and the
// recent-load heuristic, on inputs whose expected outcome follows from the documented thresholds.

#include "pierre/intelligence/recovery.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "non_finite.hpp"

namespace pierre::intelligence {
namespace {

using testing::kNaN;
using R = RecoveryRecommendation;

TEST(TsbBand, PmcFormBands) {
  // < −30 high risk, −30…−10 productive, −10…+5 neutral (grey zone), +5…+25 fresh, > +25 transition.
  EXPECT_EQ(*tsb_band(-35), TsbBand::overreaching);
  EXPECT_EQ(*tsb_band(-30), TsbBand::productive);
  EXPECT_EQ(*tsb_band(-10.5), TsbBand::productive);
  EXPECT_EQ(*tsb_band(-10), TsbBand::neutral);
  EXPECT_EQ(*tsb_band(4.9), TsbBand::neutral);
  EXPECT_EQ(*tsb_band(5), TsbBand::fresh);
  EXPECT_EQ(*tsb_band(25), TsbBand::fresh);
  EXPECT_EQ(*tsb_band(25.1), TsbBand::detraining);
  EXPECT_FALSE(tsb_band(kNaN));
  EXPECT_EQ(tsb_band_name(TsbBand::productive), "productive");
}

TEST(Recovery, DeepFatigueMeansRest) {
  RecoveryInputs in;
  in.tsb = -35;
  const auto a = recovery_recommendation(in);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->recommendation, R::rest);
  EXPECT_EQ(a->name, "rest");
  EXPECT_EQ(*a->band, TsbBand::overreaching);
  ASSERT_EQ(a->reasons.size(), 1u);
  EXPECT_EQ(a->reasons[0].metric, "tsb");
  EXPECT_DOUBLE_EQ(a->reasons[0].value, -35);
  EXPECT_DOUBLE_EQ(a->reasons[0].threshold, -30);
  EXPECT_EQ(a->reasons[0].comparison, "<");
}

TEST(Recovery, FreshAndNothingElseWrongMeansHard) {
  // TSB +10 (fresh), ACWR 1.0 (sweet spot), monotony 1.5 (≤ 2.0), last three days 50/60/70 against CTL 60 →
  // mean 60 / 60 = 1.0 (≤ 1.5): no cap → ready for a hard session.
  RecoveryInputs in;
  in.tsb = 10;
  in.acwr = 1.0;
  in.monotony = 1.5;
  in.ctl = 60;
  in.recent_daily_loads = {50, 60, 70};
  const auto a = recovery_recommendation(in);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->recommendation, R::hard);
  EXPECT_EQ(a->name, "ready_for_hard_session");
  ASSERT_EQ(a->reasons.size(), 4u);
  EXPECT_EQ(a->reasons[3].metric, "recent_load_ratio");
  EXPECT_DOUBLE_EQ(a->reasons[3].value, 1.0);
  EXPECT_DOUBLE_EQ(a->reasons[3].threshold, 1.5);
}

TEST(Recovery, MostConservativeCapWins) {
  // Fresh but ACWR 1.4 (1.3–1.5) → easy.
  RecoveryInputs in;
  in.tsb = 10;
  in.acwr = 1.4;
  EXPECT_EQ(recovery_recommendation(in)->recommendation, R::easy);
  // Productive form but ACWR 1.6 (> 1.5) → rest.
  in.tsb = -20;
  in.acwr = 1.6;
  const auto a = recovery_recommendation(in);
  EXPECT_EQ(a->recommendation, R::rest);
  EXPECT_EQ(a->reasons[1].metric, "acwr");
  EXPECT_DOUBLE_EQ(a->reasons[1].threshold, 1.5);
  // Fresh but monotony 2.5 (> 2.0) → easy.
  RecoveryInputs m;
  m.tsb = 10;
  m.monotony = 2.5;
  EXPECT_EQ(recovery_recommendation(m)->recommendation, R::easy);
  // Fresh, but the last three of [200, 10, 100, 110, 120] average 110 against CTL 60 → 1.833 > 1.5 → easy.
  RecoveryInputs b;
  b.tsb = 10;
  b.ctl = 60;
  b.recent_daily_loads = {200, 10, 100, 110, 120};
  const auto block = recovery_recommendation(b);
  EXPECT_EQ(block->recommendation, R::easy);
  EXPECT_NEAR(block->reasons.back().value, 110.0 / 60, 1e-12);
}

TEST(Recovery, NeutralFormAndMissingTsb) {
  RecoveryInputs in;
  in.tsb = 0;
  EXPECT_EQ(recovery_recommendation(in)->recommendation, R::normal);
  // Without TSB there is no evidence of freshness: a sweet-spot ACWR alone gives normal training.
  RecoveryInputs a;
  a.acwr = 1.0;
  const auto r = recovery_recommendation(a);
  EXPECT_EQ(r->recommendation, R::normal);
  EXPECT_FALSE(r->tsb);
  // TSB from CTL − ATL: 50 − 30 = +20 → fresh → hard.
  RecoveryInputs c;
  c.ctl = 50;
  c.atl = 30;
  const auto f = recovery_recommendation(c);
  EXPECT_DOUBLE_EQ(*f->tsb, 20);
  EXPECT_EQ(f->recommendation, R::hard);
  // Long break: TSB +30 (detraining) with ACWR 0.6 (< 0.8) → normal, build up first.
  RecoveryInputs d;
  d.tsb = 30;
  d.acwr = 0.6;
  const auto g = recovery_recommendation(d);
  EXPECT_EQ(*g->band, TsbBand::detraining);
  EXPECT_EQ(g->recommendation, R::normal);
}

TEST(Recovery, ConfigurableThresholds) {
  RecoveryOptions o;
  o.tsb_overreaching_below = -20;
  RecoveryInputs in;
  in.tsb = -25;
  EXPECT_EQ(recovery_recommendation(in, o)->recommendation, R::rest);
  EXPECT_EQ(recovery_recommendation(in)->recommendation, R::normal);
  o.tsb_overreaching_below = 0;  // above the productive bound: inconsistent bands
  EXPECT_FALSE(recovery_recommendation(in, o));
}

TEST(Recovery, RejectsBadOrEmptyInput) {
  EXPECT_FALSE(recovery_recommendation({}));
  RecoveryInputs nan_tsb;
  nan_tsb.tsb = kNaN;
  EXPECT_FALSE(recovery_recommendation(nan_tsb));
  RecoveryInputs negative;
  negative.acwr = -1;
  EXPECT_FALSE(recovery_recommendation(negative));
  RecoveryInputs bad_load;
  bad_load.tsb = 0;
  bad_load.recent_daily_loads = {10, -5};
  EXPECT_FALSE(recovery_recommendation(bad_load));
  // Recent loads without CTL cannot be judged; alone they give no usable metric.
  RecoveryInputs loads_only;
  loads_only.recent_daily_loads = {10, 20, 30};
  EXPECT_FALSE(recovery_recommendation(loads_only));
}

}  // namespace
}  // namespace pierre::intelligence
