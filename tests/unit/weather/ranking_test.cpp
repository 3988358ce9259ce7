#include "pierre/weather/ranking.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pierre::weather {
namespace {

constexpr std::int64_t kStart = 1'767'261'600;  // 2026-01-01T10:00:00Z

// A pleasant hour for running: 10 °C, dry, calm, daylight.
HourlyWeather pleasant(std::int64_t index) {
  HourlyWeather h;
  h.time_s = kStart + index * 3600;
  h.temperature_c = 10;
  h.feels_like_c = 9;
  h.humidity_pct = 60;
  h.wind_speed_mps = 2;
  h.precipitation_probability = 0;
  h.clouds_pct = 20;
  h.condition_code = 800;
  h.condition = "Clear";
  h.daylight = true;
  return h;
}

std::vector<HourlyWeather> day_of(int hours) {
  std::vector<HourlyWeather> out;
  for (int i = 0; i < hours; ++i) out.push_back(pleasant(i));
  return out;
}

const RankedSlot& slot_at(const std::vector<RankedSlot>& slots, std::int64_t index) {
  const auto it =
      std::ranges::find_if(slots, [index](const RankedSlot& s) { return s.start_s == kStart + index * 3600; });
  EXPECT_NE(it, slots.end());
  return *it;
}

SessionPlan plan_for(OutdoorSport sport) {
  SessionPlan plan;
  plan.sport = sport;
  return plan;
}

bool mentions(const RankedSlot& slot, std::string_view word) {
  return std::ranges::any_of(slot.reasons, [word](const std::string& r) { return r.find(word) != std::string::npos; });
}

TEST(Ranking, IdealConditionsScoreFullMarks) {
  const auto hours = day_of(3);
  const auto slots = rank_session_slots(hours, {});
  ASSERT_EQ(slots.size(), 3U);  // one hour needed per session: every hour is a start
  for (const auto& slot : slots) {
    EXPECT_EQ(slot.score, 100);
    EXPECT_TRUE(mentions(slot, "ideal range"));
    EXPECT_TRUE(mentions(slot, "dry"));
  }
  // Equal scores: earlier first.
  EXPECT_EQ(slots[0].start_s, kStart);
  EXPECT_EQ(slots[2].start_s, kStart + 7200);
}

TEST(Ranking, HeatCostsMoreThanTheSameDistanceIntoCold) {
  auto hours = day_of(3);
  hours[1].temperature_c = hours[1].feels_like_c = 24;  // 10 °C above the running band
  hours[2].temperature_c = hours[2].feels_like_c = -4;  // 10 °C below it
  const auto slots = rank_session_slots(hours, {});
  EXPECT_EQ(slot_at(slots, 1).score, 70);  // 3 points per °C
  EXPECT_EQ(slot_at(slots, 2).score, 85);  // 1.5 points per °C
  EXPECT_TRUE(mentions(slot_at(slots, 1), "warm"));
  EXPECT_TRUE(mentions(slot_at(slots, 2), "cold"));
  EXPECT_EQ(slots.front().start_s, kStart);
}

TEST(Ranking, TheComfortBandDependsOnTheSport) {
  auto hours = day_of(1);
  hours[0].temperature_c = hours[0].feels_like_c = 17;
  const auto run = rank_session_slots(hours, plan_for(OutdoorSport::run));
  const auto ride = rank_session_slots(hours, plan_for(OutdoorSport::ride));
  EXPECT_LT(run.front().score, 100);
  EXPECT_EQ(ride.front().score, 100);
  EXPECT_EQ(comfort_band(OutdoorSport::run).low_c, 6);
  EXPECT_EQ(comfort_band(OutdoorSport::ride).high_c, 18);
}

TEST(Ranking, HumidityMattersOnlyWhenWarm) {
  auto hours = day_of(2);
  hours[0].temperature_c = hours[0].feels_like_c = 20;
  hours[1].temperature_c = hours[1].feels_like_c = 20;
  hours[1].humidity_pct = 95;
  const auto slots = rank_session_slots(hours, {});
  EXPECT_EQ(slot_at(slots, 0).score - slot_at(slots, 1).score, 10);  // (95 − 70) × 0.4
  EXPECT_TRUE(mentions(slot_at(slots, 1), "humid"));
  auto cool = day_of(1);
  cool[0].humidity_pct = 100;
  EXPECT_EQ(rank_session_slots(cool, {}).front().score, 100);
}

TEST(Ranking, RainProbabilityAndAmountLowerTheScore) {
  auto hours = day_of(3);
  hours[1].precipitation_probability = 0.5;
  hours[2].precipitation_probability = 0.9;
  hours[2].precipitation_mm_h = 2.0;
  const auto slots = rank_session_slots(hours, {});
  EXPECT_EQ(slot_at(slots, 1).score, 85);  // 30 × 0.5
  EXPECT_EQ(slot_at(slots, 2).score, 53);  // 30 × 0.9 + 10 × 2
  EXPECT_TRUE(mentions(slot_at(slots, 2), "90 % chance"));
  EXPECT_TRUE(mentions(slot_at(slots, 2), "2.0 mm"));
  EXPECT_EQ(slots.back().start_s, kStart + 7200);
}

TEST(Ranking, ThunderstormsAreHeavilyPenalised) {
  auto hours = day_of(2);
  hours[1].condition_code = 211;
  const auto slots = rank_session_slots(hours, {});
  EXPECT_EQ(slot_at(slots, 1).score, 60);
  EXPECT_EQ(slot_at(slots, 1).reasons.front(), "thunderstorms forecast");
}

TEST(Ranking, WindBothersRidersMoreThanRunners) {
  auto hours = day_of(1);
  hours[0].wind_speed_mps = 9;
  hours[0].temperature_c = hours[0].feels_like_c = 14;  // inside both bands
  const auto run = rank_session_slots(hours, plan_for(OutdoorSport::run));
  const auto ride = rank_session_slots(hours, plan_for(OutdoorSport::ride));
  EXPECT_EQ(run.front().score, 94);   // (9 − 6) × 2
  EXPECT_EQ(ride.front().score, 85);  // (9 − 4) × 3
  EXPECT_TRUE(mentions(ride.front(), "windy"));
  hours[0].wind_gust_mps = 18;
  EXPECT_EQ(rank_session_slots(hours, plan_for(OutdoorSport::ride)).front().score, 75);
}

TEST(Ranking, DarknessIsPenalised) {
  auto hours = day_of(2);
  hours[1].daylight = false;
  const auto slots = rank_session_slots(hours, plan_for(OutdoorSport::run));
  EXPECT_EQ(slot_at(slots, 1).score, 88);
  EXPECT_TRUE(mentions(slot_at(slots, 1), "dark"));
  hours[1].daylight.reset();  // unknown: no judgement
  EXPECT_EQ(slot_at(rank_session_slots(hours, {}), 1).score, 100);
}

TEST(Ranking, UsualTrainingHoursBreakTies) {
  auto hours = day_of(4);
  for (auto& h : hours) h.precipitation_probability = 0.2;  // every slot 94 before bonuses
  SessionPlan plan;
  plan.utc_offset_s = 3600;           // local = UTC + 1: kStart is 11:00 local
  plan.preferred_local_hours = {13};  // index 2 exactly, indices 1 and 3 one hour off
  const auto slots = rank_session_slots(hours, plan);
  EXPECT_EQ(slots.front().start_s, kStart + 2 * 3600);
  EXPECT_EQ(slots.front().local_hour, 13);
  EXPECT_EQ(slots.front().score, 100);  // 94 + 8, clamped
  EXPECT_TRUE(mentions(slots.front(), "usual training times (13:00)"));
  EXPECT_EQ(slot_at(slots, 1).score, 98);  // 94 + 4
  EXPECT_EQ(slot_at(slots, 0).score, 94);
}

TEST(Ranking, ABonusAboveHundredStillRanksFirst) {
  auto hours = day_of(2);
  hours[1].precipitation_probability = 0.1;  // 97 + 8 = 105 → shown as 100, but ahead of the plain 100
  SessionPlan plan;
  plan.preferred_local_hours = {11};
  const auto slots = rank_session_slots(hours, plan);
  ASSERT_EQ(slots.size(), 2U);
  EXPECT_EQ(slots[0].start_s, kStart + 3600);
  EXPECT_EQ(slots[0].score, 100);
  EXPECT_EQ(slots[1].score, 100);
}

TEST(Ranking, PreferredHoursWrapAroundMidnight) {
  std::vector<HourlyWeather> hours;
  for (int i = 0; i < 3; ++i) hours.push_back(pleasant(14 + i));  // 00:00, 01:00, 02:00 UTC
  for (auto& h : hours) h.precipitation_probability = 0.5;
  SessionPlan plan;
  plan.preferred_local_hours = {23};
  const auto slots = rank_session_slots(hours, plan);
  EXPECT_EQ(slots.front().local_hour, 0);
  EXPECT_EQ(slots.front().score, 89);  // 85 + 4 (one hour from 23:00)
}

TEST(Ranking, ALongSessionIsJudgedByItsWorstHour) {
  auto hours = day_of(4);
  hours[2].precipitation_probability = 1.0;
  hours[2].precipitation_mm_h = 1.0;
  SessionPlan plan;
  plan.duration_minutes = 90;  // two hours per session
  const auto slots = rank_session_slots(hours, plan);
  ASSERT_EQ(slots.size(), 3U);  // starts 0, 1, 2 (3 would run past the forecast)
  EXPECT_EQ(slot_at(slots, 0).score, 100);
  EXPECT_EQ(slot_at(slots, 1).score, 60);  // its second hour is the wet one
  EXPECT_EQ(slot_at(slots, 2).score, 60);
  EXPECT_DOUBLE_EQ(slot_at(slots, 1).precipitation_mm, 0.5);  // the last 30 minutes of the session
  EXPECT_DOUBLE_EQ(slot_at(slots, 2).precipitation_mm, 1.0);
}

TEST(Ranking, GapsAndTheStartWindowLimitCandidates) {
  auto hours = day_of(6);
  hours.erase(hours.begin() + 3);  // no forecast for index 3
  SessionPlan plan;
  plan.duration_minutes = 120;
  auto slots = rank_session_slots(hours, plan);
  std::vector<std::int64_t> starts;
  for (const auto& s : slots) starts.push_back((s.start_s - kStart) / 3600);
  std::ranges::sort(starts);
  EXPECT_EQ(starts, (std::vector<std::int64_t>{0, 1, 4}));
  plan.earliest_start_s = kStart + 3600;
  plan.latest_start_s = kStart + 3600;
  slots = rank_session_slots(hours, plan);
  ASSERT_EQ(slots.size(), 1U);
  EXPECT_EQ(slots.front().start_s, kStart + 3600);
}

TEST(Ranking, ScoresStayWithinZeroToHundred) {
  auto hours = day_of(1);
  hours[0].temperature_c = hours[0].feels_like_c = 45;
  hours[0].humidity_pct = 100;
  hours[0].precipitation_probability = 1;
  hours[0].precipitation_mm_h = 30;
  hours[0].wind_speed_mps = 40;
  hours[0].wind_gust_mps = 60;
  hours[0].condition_code = 202;
  hours[0].daylight = false;
  auto plan = plan_for(OutdoorSport::ride);
  plan.preferred_local_hours = {10};
  const auto slots = rank_session_slots(hours, plan);
  ASSERT_EQ(slots.size(), 1U);
  EXPECT_EQ(slots.front().score, 0);
  EXPECT_GE(slots.front().reasons.size(), 6U);
  EXPECT_TRUE(rank_session_slots({}, {}).empty());
}

TEST(Ranking, SportNames) {
  EXPECT_EQ(outdoor_sport_from_name("run"), OutdoorSport::run);
  EXPECT_EQ(outdoor_sport_from_name("ride"), OutdoorSport::ride);
  EXPECT_EQ(outdoor_sport_from_name("swim"), std::nullopt);
  EXPECT_EQ(outdoor_sport_name(OutdoorSport::ride), "ride");
}

}  // namespace
}  // namespace pierre::weather
