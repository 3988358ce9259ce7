// Fitness score: the VO2max percentile lookup against the published FRIEND table rows, the form mapping and the
// weighted combination, each worked out by hand in the comments.

#include "pierre/intelligence/fitness.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "non_finite.hpp"

namespace pierre::intelligence {
namespace {

using testing::kNaN;

// ---- FRIEND 2015 treadmill percentiles (Kaminsky, Arena & Myers 2015, Mayo Clin Proc 90:1515–1523) ----

TEST(Vo2maxPercentile, PublishedMediansFromTheAbstract) {
  // The abstract: the 50th percentile for men and women aged 20–29 is 48.0 and 37.6 ml·kg⁻¹·min⁻¹, falling to 24.4
  // and 18.3 at 70–79.
  EXPECT_DOUBLE_EQ(vo2max_percentile(48.0, 25, Sex::male)->percentile, 50);
  EXPECT_DOUBLE_EQ(vo2max_percentile(37.6, 25, Sex::female)->percentile, 50);
  EXPECT_DOUBLE_EQ(vo2max_percentile(24.4, 75, Sex::male)->percentile, 50);
  EXPECT_DOUBLE_EQ(vo2max_percentile(18.3, 75, Sex::female)->percentile, 50);
}

TEST(Vo2maxPercentile, TableRows) {
  // Rows of the table: men 20–29 P90 61.8, P5 29.0; men 40–49 P25 31.9, P75 45.0, P95 55.6; women 30–39 P25 25.3,
  // P10 20.9; women 50–59 P90 32.0.
  EXPECT_DOUBLE_EQ(vo2max_percentile(61.8, 29, Sex::male)->percentile, 90);
  EXPECT_DOUBLE_EQ(vo2max_percentile(29.0, 20, Sex::male)->percentile, 5);
  EXPECT_DOUBLE_EQ(vo2max_percentile(31.9, 45, Sex::male)->percentile, 25);
  EXPECT_DOUBLE_EQ(vo2max_percentile(45.0, 45, Sex::male)->percentile, 75);
  EXPECT_DOUBLE_EQ(vo2max_percentile(55.6, 49.9, Sex::male)->percentile, 95);
  EXPECT_DOUBLE_EQ(vo2max_percentile(25.3, 35, Sex::female)->percentile, 25);
  EXPECT_DOUBLE_EQ(vo2max_percentile(20.9, 30, Sex::female)->percentile, 10);
  EXPECT_DOUBLE_EQ(vo2max_percentile(32.0, 55, Sex::female)->percentile, 90);
  EXPECT_EQ(vo2max_percentile(45.0, 45, Sex::male)->age_band, "40-49");
}

TEST(Vo2maxPercentile, InterpolatesBetweenRows) {
  // Men 40–49: P50 37.8, P75 45.0; 41.4 is halfway → 62.5.
  EXPECT_NEAR(vo2max_percentile(41.4, 45, Sex::male)->percentile, 62.5, 1e-9);
  // VO2max 40 at 35 y. Men 30–39: between P25 35.9 and P50 42.4 → 25 + 25·(4.1/6.5) = 40.769.
  // Women 30–39: between P75 36.1 and P90 41.4 → 75 + 15·(3.9/5.3) = 86.038.
  EXPECT_NEAR(vo2max_percentile(40, 35, Sex::male)->percentile, 40.769, 1e-3);
  EXPECT_NEAR(vo2max_percentile(40, 35, Sex::female)->percentile, 86.038, 1e-3);
}

TEST(Vo2maxPercentile, OutsideTheTable) {
  // Below men 20–29 P5 (29.0) → 5, flagged; above P95 (66.3) → 95, flagged.
  auto p = vo2max_percentile(25, 25, Sex::male);
  EXPECT_DOUBLE_EQ(p->percentile, 5);
  EXPECT_TRUE(p->below_table);
  p = vo2max_percentile(70, 25, Sex::male);
  EXPECT_DOUBLE_EQ(p->percentile, 95);
  EXPECT_TRUE(p->above_table);
  // Ages outside 20–79 use the nearest decade.
  EXPECT_EQ(vo2max_percentile(40, 18, Sex::male)->age_band, "20-29");
  EXPECT_EQ(vo2max_percentile(20, 85, Sex::female)->age_band, "70-79");
  EXPECT_FALSE(vo2max_percentile(kNaN, 30, Sex::male));
  EXPECT_FALSE(vo2max_percentile(0, 30, Sex::male));
  EXPECT_FALSE(vo2max_percentile(40, 5, Sex::male));
  EXPECT_FALSE(vo2max_percentile(40, kNaN, Sex::male));
}

// ---- Form ----

TEST(FormScore, PiecewiseDefinition) {
  // 100 on −10…+25; linear to 0 at −40 (−20 → 100·20/30 = 66.67); above +25 down to 50 at +50 (37.5 → 75).
  EXPECT_DOUBLE_EQ(*form_score(-10), 100);
  EXPECT_DOUBLE_EQ(*form_score(25), 100);
  EXPECT_NEAR(*form_score(-20), 66.667, 1e-3);
  EXPECT_DOUBLE_EQ(*form_score(-40), 0);
  EXPECT_DOUBLE_EQ(*form_score(-60), 0);
  EXPECT_DOUBLE_EQ(*form_score(37.5), 75);
  EXPECT_DOUBLE_EQ(*form_score(50), 50);
  EXPECT_DOUBLE_EQ(*form_score(90), 50);
  EXPECT_FALSE(form_score(kNaN));
}

// ---- Composite ----

TEST(FitnessScore, AllComponents) {
  // CTL 80 → 80; VO2max 41.4 for a 45-y man → 62.5 (above); consistency 90 → 90; TSB −20 → 66.667.
  // Default weights 0.4 / 0.3 / 0.2 / 0.1: 0.4·80 + 0.3·62.5 + 0.2·90 + 0.1·66.667 = 32 + 18.75 + 18 + 6.667 = 75.417.
  FitnessInputs in;
  in.ctl = 80;
  in.vo2max = 41.4;
  in.age_years = 45;
  in.sex = Sex::male;
  in.consistency_score = 90;
  in.tsb = -20;
  const auto f = fitness_score(in);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->components.size(), 4u);
  EXPECT_EQ(f->components[0].name, "aerobic_load");
  EXPECT_DOUBLE_EQ(f->components[0].score, 80);
  EXPECT_DOUBLE_EQ(f->components[0].weight, 0.4);
  EXPECT_EQ(f->components[1].name, "vo2max");
  EXPECT_NEAR(f->components[1].score, 62.5, 1e-9);
  EXPECT_NE(f->components[1].method.find("FRIEND"), std::string::npos);
  EXPECT_NE(f->components[1].method.find("men 40-49"), std::string::npos);
  EXPECT_EQ(f->components[2].name, "consistency");
  EXPECT_EQ(f->components[3].name, "form");
  EXPECT_DOUBLE_EQ(f->components[3].value, -20);
  EXPECT_NEAR(f->score, 75.417, 1e-3);
}

TEST(FitnessScore, MissingComponentsRenormalise) {
  // CTL 120 → capped at 100; TSB 40 → 100 − 50·15/25 = 70. Weights 0.4 and 0.1 → 0.8 and 0.2:
  // 0.8·100 + 0.2·70 = 94.
  FitnessInputs in;
  in.ctl = 120;
  in.tsb = 40;
  const auto f = fitness_score(in);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->components.size(), 2u);
  EXPECT_DOUBLE_EQ(f->components[0].score, 100);
  EXPECT_DOUBLE_EQ(f->components[0].weight, 0.8);
  EXPECT_DOUBLE_EQ(f->components[1].weight, 0.2);
  EXPECT_NEAR(f->score, 94, 1e-9);
}

TEST(FitnessScore, OptionsAndVdot) {
  // Full marks at CTL 50: CTL 40 → 80. Equal weights with consistency 60: (80 + 60)/2 = 70.
  FitnessInputs in;
  in.ctl = 40;
  in.consistency_score = 60;
  FitnessOptions o;
  o.full_marks_ctl = 50;
  o.aerobic_weight = 1;
  o.consistency_weight = 1;
  EXPECT_NEAR(fitness_score(in, o)->score, 70, 1e-9);
  // VDOT stands in for VO2max and says so.
  FitnessInputs v;
  v.vo2max = 48.0;
  v.vo2max_is_vdot = true;
  v.age_years = 25;
  v.sex = Sex::male;
  const auto f = fitness_score(v);
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->score, 50);  // men 20–29 median
  EXPECT_NE(f->components[0].method.find("VDOT"), std::string::npos);
}

TEST(FitnessScore, RejectsBadInput) {
  EXPECT_FALSE(fitness_score({}));  // nothing to score
  FitnessInputs in;
  in.vo2max = 45;  // without age and sex
  EXPECT_FALSE(fitness_score(in));
  FitnessInputs c;
  c.consistency_score = 120;
  EXPECT_FALSE(fitness_score(c));
  FitnessInputs n;
  n.ctl = kNaN;
  EXPECT_FALSE(fitness_score(n));
  FitnessInputs neg;
  neg.ctl = -5;
  EXPECT_FALSE(fitness_score(neg));
  FitnessInputs ok;
  ok.ctl = 50;
  FitnessOptions o;
  o.aerobic_weight = -1;
  EXPECT_FALSE(fitness_score(ok, o));
}

}  // namespace
}  // namespace pierre::intelligence
