// The demo athlete: deterministic, plausible, internally consistent (summaries and laps agree with the streams).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/activity/demo_athlete.hpp"
#include "pierre/activity/model.hpp"
#include "pierre/core/time.hpp"

namespace {

namespace act = pierre::activity;
using act::SportType;
using pierre::kDayMs;

constexpr std::int64_t kEnd = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// FNV-1a over every value the generator produces.
class Hasher {
 public:
  void add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xFF;
      h_ *= 0x100000001B3ULL;
    }
  }
  void add(double d) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    add(bits);
  }
  void add(std::int64_t v) { add(static_cast<std::uint64_t>(v)); }
  void add(std::string_view s) {
    add(static_cast<std::uint64_t>(s.size()));
    for (const char c : s) add(static_cast<std::uint64_t>(static_cast<unsigned char>(c)));
  }
  void add(const std::optional<double>& v) { add(v ? *v : -12345.678); }
  void add(const std::vector<double>& v) {
    add(static_cast<std::uint64_t>(v.size()));
    for (const double d : v) add(d);
  }
  void add(const act::Summary& s) {
    add(s.start_time_ms);
    add(static_cast<std::int64_t>(s.utc_offset_s.value_or(-1)));
    for (const double d : {s.elapsed_time_s, s.moving_time_s, s.distance_m}) add(d);
    for (const auto* o :
         {&s.total_ascent_m, &s.total_descent_m, &s.avg_hr_bpm, &s.max_hr_bpm, &s.avg_power_w, &s.max_power_w,
          &s.normalized_power_w, &s.avg_cadence_rpm, &s.avg_speed_mps, &s.max_speed_mps, &s.calories_kcal}) {
      add(*o);
    }
  }
  [[nodiscard]] std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xCBF29CE484222325ULL;
};

std::uint64_t hash_of(const act::DemoAthlete& d) {
  Hasher h;
  h.add(d.athlete.display_name);
  h.add(d.athlete.ftp_w);
  h.add(static_cast<std::uint64_t>(d.activities.size()));
  for (const auto& a : d.activities) {
    h.add(a.activity.external_id);
    h.add(a.activity.name);
    h.add(act::sport_name(a.activity.sport));
    h.add(a.activity.summary);
    for (const auto& lap : a.activity.laps) h.add(lap.summary);
    const auto& s = a.streams;
    for (const auto* c : {&s.time_s, &s.distance_m, &s.latitude_deg, &s.longitude_deg, &s.altitude_m, &s.heart_rate_bpm,
                          &s.power_w, &s.cadence_rpm, &s.speed_mps, &s.temperature_c}) {
      h.add(*c);
    }
  }
  return h.value();
}

act::DemoOptions options(std::uint64_t seed, int days = 730) {
  act::DemoOptions o;
  o.seed = seed;
  o.end_time_ms = kEnd;
  o.days = days;
  return o;
}

// The full two years, generated once for the suite.
const act::DemoAthlete& demo() {
  static const act::DemoAthlete d = act::generate_demo_athlete(options(42));
  return d;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::int64_t local_week(std::int64_t start_ms) {
  const std::int64_t local_day = (start_ms + 3'600'000) / kDayMs;  // UTC+1, positive epoch
  return (local_day + 3) / 7;                                      // Monday-based week number
}

TEST(DemoAthlete, SameSeedSameOutputDifferentSeedDifferent) {
  const std::uint64_t a = hash_of(act::generate_demo_athlete(options(7, 120)));
  const std::uint64_t b = hash_of(act::generate_demo_athlete(options(7, 120)));
  const std::uint64_t c = hash_of(act::generate_demo_athlete(options(8, 120)));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(hash_of(demo()), hash_of(act::generate_demo_athlete(options(42))));
}

TEST(DemoAthlete, StatedPhysiology) {
  const act::Athlete& a = demo().athlete;
  EXPECT_EQ(a.weight_kg, 68.0);
  EXPECT_EQ(a.max_hr_bpm, 188.0);
  EXPECT_EQ(a.resting_hr_bpm, 48.0);
  EXPECT_EQ(a.threshold_hr_bpm, 172.0);
  ASSERT_TRUE(a.ftp_w && a.threshold_pace_mps && a.vo2max && a.birth_year);
  EXPECT_NEAR(*a.ftp_w, 260.0, 6.0);
  EXPECT_NEAR(*a.threshold_pace_mps, 4.05, 0.05);
  EXPECT_EQ(*a.birth_year, 2026 - 34);
}

TEST(DemoAthlete, CountsAndTimeRange) {
  const auto& acts = demo().activities;
  EXPECT_GE(acts.size(), 450U);
  EXPECT_LE(acts.size(), 650U);
  std::map<std::string, int> by_sport;
  std::int64_t previous = 0;
  for (std::size_t i = 0; i < acts.size(); ++i) {
    const act::Activity& a = acts[i].activity;
    ++by_sport[std::string{act::sport_name(a.sport)}];
    EXPECT_EQ(a.source, "demo");
    EXPECT_EQ(a.external_id, "demo:" + std::to_string(i));
    EXPECT_TRUE(a.id.empty());
    EXPECT_EQ(a.device, "Pierre demo generator");
    EXPECT_FALSE(a.name.empty());
    EXPECT_EQ(a.summary.utc_offset_s, 3600);
    const std::int64_t start = a.summary.start_time_ms;
    const auto end = start + static_cast<std::int64_t>(a.summary.elapsed_time_s * 1000.0);
    EXPECT_GE(start, kEnd - 730 * kDayMs) << a.name;
    EXPECT_LE(end, kEnd) << a.name;
    EXPECT_GE(start, previous) << "chronological";
    previous = start;
    EXPECT_GE(a.created_at_ms, end - 1000);
    EXPECT_LE(a.created_at_ms, kEnd);
    // Plausible local start times: 06:00–11:00 or 18:00–20:00.
    const std::int64_t local_hour = ((start + 3'600'000) % kDayMs) / 3'600'000;
    EXPECT_TRUE((local_hour >= 6 && local_hour < 11) || (local_hour >= 18 && local_hour < 20)) << local_hour;
  }
  int runs = 0, rides = 0, swims = 0;
  for (const auto& d : acts) {
    runs += act::is_running(d.activity.sport) ? 1 : 0;
    rides += act::is_cycling(d.activity.sport) ? 1 : 0;
    swims += act::is_swimming(d.activity.sport) ? 1 : 0;
  }
  EXPECT_GE(runs, 200);
  EXPECT_GE(rides, 120);
  EXPECT_GE(swims, 2);
  EXPECT_GE(by_sport["strength_training"] + by_sport["yoga"], 10);
  EXPECT_GE(by_sport["virtual_ride"], 5);
  std::string summary;
  for (const auto& [sport, n] : by_sport) summary += sport + "=" + std::to_string(n) + " ";
  RecordProperty("sports", summary);
}

TEST(DemoAthlete, DaysBoundTheHistory) {
  const act::DemoAthlete d = act::generate_demo_athlete(options(42, 30));
  EXPECT_GE(d.activities.size(), 10U);
  EXPECT_LE(d.activities.size(), 40U);
  for (const auto& a : d.activities) {
    EXPECT_GE(a.activity.summary.start_time_ms, kEnd - 30 * kDayMs);
    EXPECT_LT(a.activity.summary.start_time_ms, kEnd);
  }
  EXPECT_TRUE(act::generate_demo_athlete(options(42, 0)).activities.empty());
}

TEST(DemoAthlete, StreamsAreWellFormed) {
  std::size_t samples = 0;
  for (const auto& d : demo().activities) {
    const act::Streams& s = d.streams;
    const act::Activity& a = d.activity;
    const std::size_t n = s.size();
    samples += n;
    ASSERT_GE(n, 2U) << a.name;
    for (const auto* c : {&s.distance_m, &s.latitude_deg, &s.longitude_deg, &s.altitude_m, &s.heart_rate_bpm,
                          &s.power_w, &s.cadence_rpm, &s.speed_mps, &s.temperature_c}) {
      if (!c->empty()) {
        ASSERT_EQ(c->size(), n) << a.name;
        for (const double v : *c) ASSERT_TRUE(std::isfinite(v)) << a.name;
      }
    }
    EXPECT_EQ(s.time_s.front(), 0.0);
    for (std::size_t i = 1; i < n; ++i) ASSERT_GT(s.time_s[i], s.time_s[i - 1]) << a.name;
    ASSERT_FALSE(s.heart_rate_bpm.empty());
    const bool gym = a.sport == SportType::strength_training || a.sport == SportType::yoga;
    if (gym) {
      EXPECT_TRUE(s.distance_m.empty() && s.latitude_deg.empty() && s.power_w.empty()) << a.name;
      continue;
    }
    ASSERT_FALSE(s.distance_m.empty()) << a.name;
    ASSERT_FALSE(s.speed_mps.empty()) << a.name;
    for (std::size_t i = 1; i < n; ++i) ASSERT_GE(s.distance_m[i], s.distance_m[i - 1]) << a.name;
    EXPECT_EQ(act::is_cycling(a.sport), !s.power_w.empty()) << a.name;
    const bool indoor = a.sport == SportType::virtual_ride || a.sport == SportType::swim;
    EXPECT_EQ(indoor, s.latitude_deg.empty()) << a.name;
    if (!s.latitude_deg.empty()) {
      // Loops start at home (Ljubljana) or at Lake Bled and stay in the region.
      const bool home = std::abs(s.latitude_deg[0] - 46.05) < 1e-9 && std::abs(s.longitude_deg[0] - 14.50) < 1e-9;
      const bool lake = std::abs(s.latitude_deg[0] - 46.363) < 1e-9 && std::abs(s.longitude_deg[0] - 14.094) < 1e-9;
      EXPECT_TRUE(home || (lake && a.sport == SportType::open_water_swim)) << a.name;
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(s.latitude_deg[i] > 45.5 && s.latitude_deg[i] < 46.9) << a.name;
        ASSERT_TRUE(s.longitude_deg[i] > 13.6 && s.longitude_deg[i] < 15.4) << a.name;
      }
    }
    for (const double c : s.cadence_rpm) {
      if (act::is_running(a.sport) && c > 0) {
        ASSERT_TRUE(c >= 75 && c <= 100) << "strides/min " << c;
      }
    }
  }
  RecordProperty("samples", std::to_string(samples));
  EXPECT_GT(samples, 1'000'000U);
}

TEST(DemoAthlete, SummariesAgreeWithStreams) {
  for (const auto& d : demo().activities) {
    const act::Streams& s = d.streams;
    const act::Summary& sum = d.activity.summary;
    const std::string& name = d.activity.name;
    EXPECT_DOUBLE_EQ(sum.elapsed_time_s, s.time_s.back()) << name;
    EXPECT_LE(sum.moving_time_s, sum.elapsed_time_s) << name;
    if (!s.distance_m.empty()) {
      EXPECT_NEAR(sum.distance_m, s.distance_m.back(), 1.0) << name;
      ASSERT_TRUE(sum.avg_speed_mps && sum.max_speed_mps) << name;
      EXPECT_LE(*sum.avg_speed_mps, *sum.max_speed_mps) << name;
      EXPECT_GT(sum.moving_time_s, 0.5 * sum.elapsed_time_s) << name;
    }
    ASSERT_TRUE(sum.avg_hr_bpm && sum.max_hr_bpm && sum.calories_kcal) << name;
    EXPECT_GE(*sum.avg_hr_bpm, 48.0) << name;
    EXPECT_LE(*sum.avg_hr_bpm, 188.0) << name;
    EXPECT_LE(*sum.max_hr_bpm, 188.0) << name;
    EXPECT_GT(*sum.calories_kcal, 0.0) << name;
    if (!s.power_w.empty()) {
      ASSERT_TRUE(sum.avg_power_w && sum.normalized_power_w && sum.max_power_w) << name;
      EXPECT_GE(*sum.normalized_power_w, *sum.avg_power_w) << name;
      EXPECT_GT(*sum.avg_power_w, 80.0) << name;
      EXPECT_LT(*sum.avg_power_w, 300.0) << name;
      // kJ ≈ kcal: calories are the mechanical work.
      EXPECT_NEAR(*sum.calories_kcal, *sum.avg_power_w * sum.elapsed_time_s / 1000.0, 0.02 * *sum.calories_kcal)
          << name;
    }
    if (!s.altitude_m.empty()) {
      ASSERT_TRUE(sum.total_ascent_m && sum.total_descent_m) << name;
    }
    // Laps tile the activity.
    ASSERT_FALSE(d.activity.laps.empty()) << name;
    double elapsed = 0, dist = 0;
    std::int64_t lap_start = sum.start_time_ms;
    for (const auto& lap : d.activity.laps) {
      EXPECT_EQ(lap.summary.start_time_ms, lap_start) << name;
      lap_start =
          lap.summary.start_time_ms + static_cast<std::int64_t>(std::llround(lap.summary.elapsed_time_s * 1000));
      elapsed += lap.summary.elapsed_time_s;
      dist += lap.summary.distance_m;
      EXPECT_GT(lap.summary.elapsed_time_s, 0.0) << name;
    }
    EXPECT_NEAR(elapsed, sum.elapsed_time_s, 1e-6) << name;
    EXPECT_NEAR(dist, sum.distance_m, 1e-6) << name;
    if (act::is_running(d.activity.sport) && d.activity.laps.size() > 2 && starts_with(name, "Long Run")) {
      EXPECT_NEAR(d.activity.laps.front().summary.distance_m, 1000.0, 6.0) << name << ": per-km laps";
    }
  }
}

struct Mean {
  double sum = 0;
  int n = 0;
  void add(double v) { sum += v, ++n; }
  [[nodiscard]] double value() const { return n > 0 ? sum / n : 0.0; }
};

TEST(DemoAthlete, PhysiologyIsConsistent) {
  Mean easy_speed, easy_hr, hard_speed, hard_hr, easy_ride_np, hard_ride_np;
  for (const auto& d : demo().activities) {
    const auto& a = d.activity;
    if (starts_with(a.name, "Easy Run") || starts_with(a.name, "Morning Run")) {
      easy_speed.add(*a.summary.avg_speed_mps);
      easy_hr.add(*a.summary.avg_hr_bpm);
    } else if (starts_with(a.name, "Intervals") || starts_with(a.name, "Tempo Run")) {
      hard_speed.add(*a.summary.avg_speed_mps);
      hard_hr.add(*a.summary.avg_hr_bpm);
    } else if (a.name == "Endurance Ride") {
      easy_ride_np.add(*a.summary.normalized_power_w);
    } else if (starts_with(a.name, "Sweet Spot") || starts_with(a.name, "Threshold Ride")) {
      hard_ride_np.add(*a.summary.normalized_power_w);
    }
  }
  ASSERT_GE(easy_speed.n, 20);
  ASSERT_GE(hard_speed.n, 20);
  ASSERT_GE(easy_ride_np.n, 5);
  ASSERT_GE(hard_ride_np.n, 5);
  EXPECT_LT(easy_speed.value(), hard_speed.value());
  EXPECT_LT(easy_hr.value(), hard_hr.value());
  EXPECT_LT(easy_ride_np.value(), hard_ride_np.value());
  // Easy runs around 5:00–6:00 /km, at a conversational heart rate.
  EXPECT_GT(easy_speed.value(), 2.8);
  EXPECT_LT(easy_speed.value(), 3.4);
  EXPECT_GT(easy_hr.value(), 130.0);
  EXPECT_LT(easy_hr.value(), 160.0);

  // The work bouts of interval sessions (per-step laps) run faster and hotter than any easy run's average.
  for (const auto& d : demo().activities) {
    if (!starts_with(d.activity.name, "Intervals 6×3 min")) continue;
    double max_lap_hr = 0, max_lap_speed = 0;
    for (const auto& lap : d.activity.laps) {
      max_lap_hr = std::max(max_lap_hr, *lap.summary.avg_hr_bpm);
      max_lap_speed = std::max(max_lap_speed, lap.summary.avg_speed_mps.value_or(0));
    }
    EXPECT_GT(max_lap_hr, easy_hr.value() + 15) << d.activity.external_id;
    EXPECT_GT(max_lap_speed, 4.2) << d.activity.external_id;
  }
}

TEST(DemoAthlete, RacesAreFastAndTapered) {
  // Weekly training hours, by local Monday-based week.
  std::map<std::int64_t, double> hours;
  for (const auto& d : demo().activities) {
    hours[local_week(d.activity.summary.start_time_ms)] += d.activity.summary.elapsed_time_s / 3600.0;
  }
  const std::int64_t first_week = local_week(kEnd - 730 * kDayMs) + 1;  // first complete week
  int races = 0, checked = 0;
  for (const auto& d : demo().activities) {
    const auto& a = d.activity;
    if (!starts_with(a.name, "Race:")) continue;
    ++races;
    if (a.name == "Race: 10 km") {
      EXPECT_NEAR(a.summary.distance_m, 10000.0, 5.0);
      EXPECT_LT(a.summary.elapsed_time_s, 45 * 60.0);  // faster than threshold-ish pace
      EXPECT_GT(a.summary.elapsed_time_s, 36 * 60.0);
    }
    const std::int64_t race_week = local_week(a.summary.start_time_ms);
    const std::int64_t taper = race_week - 1;
    if (taper - 5 < first_week) continue;
    ++checked;
    // The two peak weeks and the last two build weeks (a recovery week sits between them).
    const double peak = (hours[taper - 1] + hours[taper - 2] + hours[taper - 4] + hours[taper - 5]) / 4.0;
    EXPECT_LT(hours[taper], 0.8 * peak) << a.name << " taper " << hours[taper] << " h vs peak " << peak << " h";
    EXPECT_LT(hours[race_week], peak) << a.name;
  }
  EXPECT_GE(races, 5);
  EXPECT_GE(checked, 5);
  // Typical volume of an amateur: 5–12 h in an average week.
  double total = 0;
  for (const auto& [week, h] : hours) total += h;
  const double avg = total / static_cast<double>(hours.size());
  EXPECT_GT(avg, 5.0);
  EXPECT_LT(avg, 12.0);
}

TEST(DemoAthlete, CoarserSamplingKeepsTheSameSessions) {
  act::DemoOptions o = options(42, 60);
  const act::DemoAthlete fine = act::generate_demo_athlete(o);
  o.sample_interval_s = 5.0;
  const act::DemoAthlete coarse = act::generate_demo_athlete(o);
  ASSERT_EQ(fine.activities.size(), coarse.activities.size());
  for (std::size_t i = 0; i < fine.activities.size(); ++i) {
    EXPECT_EQ(fine.activities[i].activity.name, coarse.activities[i].activity.name);
    EXPECT_EQ(fine.activities[i].activity.summary.start_time_ms, coarse.activities[i].activity.summary.start_time_ms);
    EXPECT_NEAR(static_cast<double>(coarse.activities[i].streams.size()) * 5.0,
                static_cast<double>(fine.activities[i].streams.size()),
                0.1 * static_cast<double>(fine.activities[i].streams.size()) + 10.0);
  }
}

}  // namespace
