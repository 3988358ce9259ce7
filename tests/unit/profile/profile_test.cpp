// The profile module's pure parts: validation of parameters, estimates from a user's history (each against the
// published value it should reproduce), the resolution order configured > profile > estimated > default, and the
// Athlete → parameters mapping.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "pierre/profile/catalog.hpp"
#include "pierre/profile/service.hpp"

namespace pierre::profile {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kDayMs = 86'400'000;

activity::Activity session(activity::SportType sport, int days_ago, double moving_s, double distance_m) {
  activity::Activity a;
  a.sport = sport;
  a.summary.start_time_ms = kNow - days_ago * kDayMs;
  a.summary.moving_time_s = moving_s;
  a.summary.elapsed_time_s = moving_s;
  a.summary.distance_m = distance_m;
  return a;
}

std::vector<std::string> codes(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.key + ":" + p.code);
  return out;
}

TEST(ProfileCatalog, EveryParameterIsUnitSuffixedAndHasASource) {
  for (const char* key : {"age_years", "sex", "weight_kg", "height_cm", "max_hr_bpm", "resting_hr_bpm", "lthr_bpm",
                          "ftp_w", "threshold_pace_s_per_km", "vo2max"}) {
    EXPECT_NE(find_parameter(key), nullptr) << key;
  }
  for (const auto& c : catalog()) {
    for (const auto& p : c.parameters) {
      if (p.type == ValueType::number || p.type == ValueType::integer) {
        ASSERT_TRUE(p.minimum && p.maximum) << p.key;
        EXPECT_LT(*p.minimum, *p.maximum) << p.key;
        if (p.default_value.is_number()) {
          EXPECT_GE(p.default_value.get<double>(), *p.minimum) << p.key;
          EXPECT_LE(p.default_value.get<double>(), *p.maximum) << p.key;
        }
      }
    }
  }
  // Every profile preset is itself valid.
  for (const auto& preset : profiles()) EXPECT_TRUE(validate(preset.parameters).empty()) << preset.name;
  EXPECT_NE(find_profile(kDefaultProfile), nullptr);
}

TEST(ProfileValidate, NamesEachProblem) {
  EXPECT_TRUE(validate({{"max_hr_bpm", 188}, {"sex", "female"}, {"ftp_w", nullptr}}).empty());
  EXPECT_THAT(codes(validate({{"max_hr_bpm", 300}})), ::testing::ElementsAre("max_hr_bpm:out_of_range"));
  EXPECT_THAT(codes(validate({{"max_hr_bpm", 187.5}})), ::testing::ElementsAre("max_hr_bpm:wrong_type"));
  EXPECT_THAT(codes(validate({{"sex", "x"}})), ::testing::ElementsAre("sex:not_allowed"));
  EXPECT_THAT(codes(validate({{"bogus", 1}})), ::testing::ElementsAre("bogus:unknown_parameter"));
  EXPECT_THAT(codes(validate(json::array())), ::testing::ElementsAre(":wrong_type"));
  const auto zones = validate({{"privacy_zones", {{{"latitude", 95}, {"longitude", 0}}}}});
  ASSERT_EQ(zones.size(), 1u);
  EXPECT_THAT(zones[0].message, HasSubstr("latitude"));
}

TEST(ProfileValidate, ChecksValuesAgainstEachOtherAndTheSavedOnes) {
  EXPECT_THAT(codes(validate({{"resting_hr_bpm", 70}, {"max_hr_bpm", 185}, {"lthr_bpm", 160}})), ::testing::IsEmpty());
  EXPECT_THAT(codes(validate({{"lthr_bpm", 190}, {"max_hr_bpm", 185}})),
              ::testing::Contains(HasSubstr("inconsistent")));
  // A partial update is checked against what is saved: LTHR 195 above a saved max of 188.
  const auto problems = validate({{"lthr_bpm", 195}}, {{"max_hr_bpm", 188}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("max_hr_bpm"));
  EXPECT_THAT(codes(validate({{"ctl_days", 7}})), ::testing::Contains(HasSubstr("inconsistent")));  // ATL default 7
}

TEST(ProfileEstimates, MaxHeartRateIsTheSecondHighestOrTanaka) {
  std::vector<activity::Activity> history;
  for (const double max : {185.0, 200.0, 190.0}) {
    auto a = session(activity::SportType::run, 10, 1800, 5000);
    a.summary.max_hr_bpm = max;
    history.push_back(a);
  }
  auto e = estimate_from_history(history, kNow, 40);
  EXPECT_EQ(e["max_hr_bpm"].value, 190.0);  // 200 may be a strap spike
  EXPECT_EQ(e["max_hr_bpm"].source, "estimated");
  // Fewer than three recordings: Tanaka et al. 2001, 208 − 0.7 × 40 = 180.
  history.pop_back();
  e = estimate_from_history(history, kNow, 40);
  EXPECT_EQ(e["max_hr_bpm"].value, 180.0);
  EXPECT_EQ(e["max_hr_bpm"].method, "tanaka_2001");
  EXPECT_FALSE(estimate_from_history(history, kNow, std::nullopt).contains("max_hr_bpm"));
}

TEST(ProfileEstimates, ThresholdsFromTheRightSessions) {
  std::vector<activity::Activity> history;
  auto hour_ride = session(activity::SportType::ride, 20, 3600, 36000);
  hour_ride.summary.normalized_power_w = 262;
  hour_ride.summary.avg_hr_bpm = 165;
  auto long_ride = session(activity::SportType::ride, 15, 4 * 3600, 120000);
  long_ride.summary.normalized_power_w = 300;  // too long to stand for an hour's power
  long_ride.summary.avg_hr_bpm = 170;          // too long for Friel's 30-minute test
  // Daniels' Running Formula, VDOT table: 5 km in 19:57 is VDOT 50.
  auto five_k = session(activity::SportType::run, 30, 19 * 60 + 57, 5000);
  five_k.summary.avg_hr_bpm = 180;                                    // under 20 minutes: not an LTHR test
  auto tempo = session(activity::SportType::run, 25, 30 * 60, 7000);  // a 30-minute hard run: Friel's LTHR test
  tempo.summary.avg_hr_bpm = 172;
  auto old_race = session(activity::SportType::run, 200, 17 * 60, 5000);  // older than 180 days: not counted
  history = {old_race, five_k, tempo, long_ride, hour_ride};
  auto e = estimate_from_history(history, kNow, std::nullopt);
  EXPECT_EQ(e["ftp_w"].value, 262.0);
  EXPECT_EQ(e["lthr_bpm"].value, 172.0);
  EXPECT_NEAR(e["vo2max"].value.get<double>(), 50.0, 0.15);
  EXPECT_EQ(e["vo2max"].method, "vdot_daniels_gilbert_best_run_180_days");
}

TEST(ProfileResolve, ConfiguredBeatsProfileBeatsEstimateBeatsDefault) {
  auto hour_ride = session(activity::SportType::ride, 20, 3600, 36000);
  hour_ride.summary.normalized_power_w = 262;
  auto five_k = session(activity::SportType::run, 30, 19 * 60 + 57, 5000);
  const std::vector<activity::Activity> history{five_k, hour_ride};
  UserConfiguration configured;
  configured.profile = "beginner";
  configured.parameters = {{"ftp_w", 250}, {"acwr_high", 1.45}};
  const auto a = Service::resolve_with(configured, history, kNow);
  EXPECT_EQ(a.profile, "beginner");
  EXPECT_EQ(a.find("ftp_w")->source, "configured");
  EXPECT_EQ(a.number("ftp_w"), 250);
  EXPECT_EQ(a.find("acwr_high")->source, "configured");
  EXPECT_EQ(a.find("acwr_caution")->source, "profile");
  EXPECT_EQ(a.number("acwr_caution"), 1.2);
  EXPECT_EQ(a.find("vo2max")->source, "estimated");
  // Daniels' T pace for VDOT 50 is 4:15 /km (255 s); ours runs at 88 % of VDOT.
  EXPECT_EQ(a.find("threshold_pace_s_per_km")->method, "daniels_t_pace_88pct_vdot");
  EXPECT_NEAR(*a.number("threshold_pace_s_per_km"), 255, 5);
  EXPECT_EQ(a.find("ctl_days")->source, "default");
  EXPECT_EQ(a.number("ctl_days"), 42);
  EXPECT_EQ(a.find("weight_kg"), nullptr);  // unknown stays unknown
  EXPECT_EQ(a.to_json()["weight_kg"]["source"], "unknown");
  EXPECT_FALSE(a.heart_rate());  // no max HR known
}

TEST(ProfileAthlete, MapsPhysiologyToParameters) {
  activity::Athlete athlete;
  athlete.weight_kg = 68.04;
  athlete.height_m = 1.78;
  athlete.birth_year = 1992;
  athlete.sex = "male";
  athlete.max_hr_bpm = 188;
  athlete.threshold_pace_mps = 4.0;
  const auto p = parameters_from_athlete(athlete, 2026);
  EXPECT_EQ(p, (json{{"weight_kg", 68.0},
                     {"height_cm", 178.0},
                     {"age_years", 34},
                     {"sex", "male"},
                     {"max_hr_bpm", 188.0},
                     {"threshold_pace_s_per_km", 250.0}}));
  EXPECT_TRUE(validate(p).empty());
}

}  // namespace
}  // namespace pierre::profile
