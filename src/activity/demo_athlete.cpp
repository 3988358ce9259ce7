// The demo athlete: a periodised training plan, simulated second by second (see demo_athlete.hpp for the model).
#include "pierre/activity/demo_athlete.hpp"
#include "pierre/core/time.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pierre::activity {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::int64_t kDayS = 86'400;
constexpr std::int32_t kUtcOffsetS = 3600;

// Physiology.
constexpr double kWeightKg = 68.0;
constexpr double kHeightM = 1.78;
constexpr double kAgeYears = 34.0;
constexpr double kMaxHr = 188.0;
constexpr double kRestHr = 48.0;
constexpr double kLthr = 172.0;
constexpr double kVo2max = 55.0;
constexpr double kSystemMassKg = 77.0;  // rider + bike

// Places.
constexpr double kHomeLat = 46.05;
constexpr double kHomeLon = 14.50;
constexpr double kHomeAltM = 295.0;
constexpr double kLakeLat = 46.363;
constexpr double kLakeLon = 14.094;
constexpr double kLakeAltM = 475.0;
constexpr double kMetresPerDegLat = 111'320.0;

// ---- Deterministic randomness (SplitMix64, our own distributions) ----

constexpr std::uint64_t splitmix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  return splitmix(a ^ splitmix(b));
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept : state_(splitmix(seed)) {}
  std::uint64_t next() noexcept {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  // Approximately standard normal: Irwin–Hall sum of four uniforms, standardised (bounded at ±3.46 σ, no libm).
  double normal() noexcept {
    const double sum = uniform() + uniform() + uniform() + uniform();
    return (sum - 2.0) * 1.7320508075688772;
  }
  bool chance(double p) noexcept { return uniform() < p; }
  int below(int n) noexcept { return static_cast<int>(uniform() * n); }

 private:
  std::uint64_t state_;
};

// ---- Calendar (Howard Hinnant's civil-from-days, proleptic Gregorian) ----

struct CivilDate {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

constexpr int day_of_year(const CivilDate& date) noexcept {
  constexpr std::array<int, 12> kBefore{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return kBefore[static_cast<std::size_t>(date.month - 1)] + date.day;  // leap days ignored: weather only
}

// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
constexpr int monday_weekday(std::int64_t epoch_day) noexcept {
  return static_cast<int>(epoch_day + 3 - 7 * floor_div(epoch_day + 3, 7));
}

// ---- Plan ----

enum class Kind { run, ride, virtual_ride, pool_swim, open_water_swim, strength, yoga };
enum class Phase { base, build, peak, recovery, taper, race, transition };
enum class LapMode { distance, steps, single };
enum class Terrain { flat, rolling, trail, hilly_ride, mountain_ride, lake };

struct WeekSpec {
  Phase phase;
  double volume;
  double form;  // 0 (base) → 1 (peak): within-macrocycle fitness
};

constexpr std::array<WeekSpec, 17> kMacrocycle{{
    {Phase::base, 1.00, 0.00},
    {Phase::base, 1.05, 0.05},
    {Phase::base, 1.10, 0.10},
    {Phase::recovery, 0.65, 0.10},
    {Phase::base, 1.00, 0.15},
    {Phase::base, 1.05, 0.20},
    {Phase::base, 1.10, 0.25},
    {Phase::recovery, 0.65, 0.25},
    {Phase::build, 1.10, 0.40},
    {Phase::build, 1.15, 0.50},
    {Phase::build, 1.20, 0.60},
    {Phase::recovery, 0.65, 0.60},
    {Phase::peak, 1.20, 0.80},
    {Phase::peak, 1.10, 0.90},
    {Phase::taper, 0.60, 1.00},
    {Phase::race, 0.45, 1.00},
    {Phase::transition, 0.50, 0.50},
}};

struct Fitness {
  double ftp_w;
  double run_threshold_mps;
  double swim_threshold_mps;
};

Fitness fitness_at(double progress, double form) noexcept {
  return {250.0 + 7.0 * progress + 8.0 * form, 3.99 + 0.04 * progress + 0.05 * form, 0.88 + 0.03 * progress};
}

struct Step {
  double duration_s = 0;  // a time step when distance_m == 0
  double distance_m = 0;  // else a distance step
  double intensity = 0;   // fraction of threshold pace (run, swim) or FTP (ride)
  bool stop = false;      // standing still
};

Step timed(double seconds, double intensity) {
  return {seconds, 0, intensity, false};
}
Step distance(double metres, double intensity) {
  return {0, metres, intensity, false};
}
Step pause(double seconds) {
  return {seconds, 0, 0, true};
}

struct Plan {
  Kind kind = Kind::run;
  SportType sport = SportType::run;
  std::string name;
  std::int64_t epoch_day = 0;
  double local_start_s = 0;  // seconds after local midnight
  std::vector<Step> steps;
  LapMode laps = LapMode::distance;
  Terrain terrain = Terrain::rolling;
  Fitness fitness{};
  std::uint64_t seed = 0;
};

void add_repeats(std::vector<Step>& steps, int count, Step work, Step rest, bool rest_after_last = false) {
  for (int i = 0; i < count; ++i) {
    steps.push_back(work);
    if (i + 1 < count || rest_after_last) steps.push_back(rest);
  }
}

// A steady effort of `seconds` with a few short traffic stops and, if asked, a café stop past half-way.
void add_steady_with_stops(std::vector<Step>& steps, double seconds, double intensity, Rng& rng, int traffic_stops,
                           bool cafe) {
  std::vector<std::pair<double, double>> stops;  // (fraction of the effort, pause seconds)
  for (int i = 0; i < traffic_stops; ++i) stops.emplace_back(rng.uniform(0.1, 0.9), rng.uniform(15.0, 60.0));
  if (cafe) stops.emplace_back(rng.uniform(0.5, 0.65), rng.uniform(480.0, 900.0));
  std::sort(stops.begin(), stops.end());
  double done = 0;
  for (const auto& [fraction, pause_s] : stops) {
    const double at = fraction * seconds;
    if (at - done < 60.0) continue;
    steps.push_back(timed(at - done, intensity));
    steps.push_back(pause(pause_s));
    done = at;
  }
  steps.push_back(timed(seconds - done, intensity));
}

double minutes(double m) {
  return m * 60.0;
}

class Planner {
 public:
  Planner(std::uint64_t seed, std::int64_t first_day, std::int64_t last_day)
      : seed_(seed), rng_(mix(seed, 0x706c616eULL)), first_day_(first_day), last_day_(last_day) {}

  std::vector<Plan> plan() {
    const std::int64_t monday0 = first_day_ - monday_weekday(first_day_);
    const double span = static_cast<double>(std::max<std::int64_t>(1, last_day_ - first_day_));
    for (std::int64_t week = 0; monday0 + 7 * week <= last_day_; ++week) {
      const auto pos = static_cast<std::size_t>(week % static_cast<std::int64_t>(kMacrocycle.size()));
      const auto cycle = week / static_cast<std::int64_t>(kMacrocycle.size());
      const WeekSpec& spec = kMacrocycle[pos];
      for (int dow = 0; dow < 7; ++dow) {
        const std::int64_t day = monday0 + 7 * week + dow;
        if (day < first_day_ || day > last_day_) {
          continue;
        }
        const double progress = static_cast<double>(day - first_day_) / span;
        plan_day(day, dow, spec, cycle, fitness_at(progress, spec.form));
      }
    }
    return std::move(plans_);
  }

 private:
  Plan& add(std::int64_t day, Kind kind, SportType sport, std::string name, double local_start_s, const Fitness& f) {
    Plan p;
    p.kind = kind;
    p.sport = sport;
    p.name = std::move(name);
    p.epoch_day = day;
    p.local_start_s = std::round(local_start_s);
    p.fitness = f;
    p.seed = mix(seed_, static_cast<std::uint64_t>(day) * 8U + plans_.size() % 8U);
    plans_.push_back(std::move(p));
    return plans_.back();
  }

  double weekday_morning() { return rng_.uniform(6.0, 7.5) * 3600.0; }
  double weekend_morning() { return rng_.uniform(9.0, 10.5) * 3600.0; }
  double evening() { return rng_.uniform(18.5, 19.5) * 3600.0; }
  bool skipped(bool key = false) { return rng_.chance(key ? 0.03 : 0.08); }

  void plan_day(std::int64_t day, int dow, const WeekSpec& spec, std::int64_t cycle, const Fitness& f) {
    const CivilDate date = civil_from_days(day);
    const bool winter = date.month >= 11 || date.month <= 2;
    const bool deep_winter = date.month == 12 || date.month <= 2;
    const bool summer = date.month >= 6 && date.month <= 8;
    const double v = spec.volume;
    const Phase ph = spec.phase;
    const int race_kind = static_cast<int>(cycle % 3);  // 0: 10 km, 1: half marathon, 2: gran fondo
    switch (dow) {
      case 0: {  // Monday: gym or rest
        if (ph == Phase::race || ph == Phase::taper || skipped()) return;
        const double r = rng_.uniform();
        if (r < 0.5) {
          Plan& p = add(day, Kind::strength, SportType::strength_training, "Strength Training", evening(), f);
          p.laps = LapMode::single;
          p.terrain = Terrain::flat;
          p.steps.push_back(timed(minutes(rng_.uniform(8, 12)), 0.40));
          add_repeats(p.steps, 10 + rng_.below(5), timed(rng_.uniform(35, 55), 0.80),
                      timed(rng_.uniform(75, 110), 0.25));
          p.steps.push_back(timed(minutes(rng_.uniform(6, 10)), 0.35));
        } else if (r < 0.72) {
          Plan& p = add(day, Kind::yoga, SportType::yoga, "Yoga", evening(), f);
          p.laps = LapMode::single;
          p.terrain = Terrain::flat;
          p.steps.push_back(timed(minutes(rng_.uniform(40, 60)), 0.08));
        }
        return;
      }
      case 1: {  // Tuesday: run quality (easy in base)
        if (skipped()) return;
        if (ph == Phase::build || ph == Phase::peak || ph == Phase::taper) {
          const bool short_reps = ph == Phase::taper || (cycle + static_cast<std::int64_t>(day / 7)) % 2 == 0;
          if (ph == Phase::taper) {
            Plan& p = add(day, Kind::run, SportType::run, "Intervals 4×2 min", weekday_morning(), f);
            p.laps = LapMode::steps;
            p.steps.push_back(timed(minutes(15), 0.74));
            add_repeats(p.steps, 4, timed(120, 1.08), timed(120, 0.62));
            p.steps.push_back(timed(minutes(10), 0.72));
          } else if (short_reps) {
            Plan& p = add(day, Kind::run, SportType::run, "Intervals 6×3 min", weekday_morning(), f);
            p.laps = LapMode::steps;
            p.steps.push_back(timed(minutes(15), 0.74));
            add_repeats(p.steps, 6, timed(180, 1.10), timed(120, 0.62));
            p.steps.push_back(timed(minutes(10), 0.72));
          } else {
            Plan& p = add(day, Kind::run, SportType::run, "Intervals 5×1 km", weekday_morning(), f);
            p.laps = LapMode::steps;
            p.steps.push_back(timed(minutes(15), 0.74));
            add_repeats(p.steps, 5, distance(1000, 1.07), timed(90, 0.60));
            p.steps.push_back(timed(minutes(10), 0.72));
          }
          return;
        }
        const double length = (ph == Phase::race ? 35.0 : 50.0) * (ph == Phase::race ? 1.0 : v);
        easy_run(day, "Easy Run", minutes(length * rng_.uniform(0.9, 1.1)), weekday_morning(), f);
        return;
      }
      case 2: {  // Wednesday: ride, sometimes an evening swim
        if (!skipped()) {
          std::string name;
          std::vector<Step> steps;
          LapMode laps = LapMode::steps;
          if (ph == Phase::build) {
            name = "Sweet Spot 3×15 min";
            steps.push_back(timed(minutes(15), 0.55));
            add_repeats(steps, 3, timed(minutes(15), 0.90), timed(minutes(5), 0.55));
            steps.push_back(timed(minutes(10), 0.55));
          } else if (ph == Phase::peak) {
            name = "Threshold Ride 2×20 min";
            steps.push_back(timed(minutes(15), 0.55));
            add_repeats(steps, 2, timed(minutes(20), 1.00), timed(minutes(5), 0.55));
            steps.push_back(timed(minutes(10), 0.55));
          } else if (ph == Phase::recovery || ph == Phase::race || ph == Phase::transition) {
            name = "Recovery Ride";
            laps = LapMode::distance;
            steps.push_back(timed(minutes(rng_.uniform(40, 55)), 0.50));
          } else {
            name = "Endurance Ride";
            laps = LapMode::distance;
            steps.push_back(timed(minutes(rng_.uniform(70, 90) * (ph == Phase::taper ? 0.6 : v)), 0.65));
          }
          const bool indoor = winter;
          Plan& p =
              add(day, indoor ? Kind::virtual_ride : Kind::ride, indoor ? SportType::virtual_ride : SportType::ride,
                  indoor ? "Indoor " + name : name, weekday_morning(), f);
          p.steps = std::move(steps);
          p.laps = laps;
          p.terrain = indoor ? Terrain::flat : Terrain::hilly_ride;
        }
        if (ph != Phase::race && ph != Phase::taper && rng_.chance(0.3)) swim(day, evening(), summer, f);
        return;
      }
      case 3: {  // Thursday: steady or tempo run
        if (ph == Phase::recovery || ph == Phase::transition || skipped()) return;
        if (ph == Phase::build || ph == Phase::peak || ph == Phase::taper) {
          const bool taper = ph == Phase::taper;
          const bool long_reps = ph == Phase::peak;
          Plan& p = add(day, Kind::run, SportType::run,
                        taper ? "Tempo Run 2×8 min" : (long_reps ? "Tempo Run 2×15 min" : "Tempo Run 3×10 min"),
                        weekday_morning(), f);
          p.laps = LapMode::steps;
          p.steps.push_back(timed(minutes(15), 0.74));
          if (taper) {
            add_repeats(p.steps, 2, timed(minutes(8), 0.96), timed(minutes(2), 0.65));
          } else if (long_reps) {
            add_repeats(p.steps, 2, timed(minutes(15), 0.96), timed(minutes(3), 0.65));
          } else {
            add_repeats(p.steps, 3, timed(minutes(10), 0.95), timed(minutes(2), 0.65));
          }
          p.steps.push_back(timed(minutes(10), 0.72));
          return;
        }
        if (ph == Phase::race) {
          easy_run(day, "Easy Run", minutes(30), weekday_morning(), f);
          return;
        }
        Plan& p = add(day, Kind::run, SportType::run, "Steady Run", weekday_morning(), f);
        p.steps.push_back(timed(minutes(10), 0.74));
        p.steps.push_back(timed(minutes(rng_.uniform(30, 40) * v), 0.85));
        p.steps.push_back(timed(minutes(8), 0.74));
        return;
      }
      case 4: {  // Friday: mostly rest
        if (ph == Phase::race || ph == Phase::taper) return;
        const double r = rng_.uniform();
        if (r < 0.28) {
          easy_run(day, "Morning Run", minutes(rng_.uniform(35, 45)), weekday_morning(), f);
        } else if (r < 0.40) {
          swim(day, weekday_morning(), false, f);
        }
        return;
      }
      case 5: {  // Saturday: long ride
        if (ph == Phase::race) {
          if (race_kind == 2) return;
          easy_run(day, "Shakeout Run", minutes(20), weekend_morning(), f);
          return;
        }
        if (skipped(true)) return;
        double hours = ph == Phase::base                         ? rng_.uniform(2.5, 3.3) * v
                       : ph == Phase::build || ph == Phase::peak ? rng_.uniform(3.0, 3.6) * v / 1.15
                       : ph == Phase::taper                      ? rng_.uniform(1.2, 1.5)
                                                                 : rng_.uniform(1.5, 2.0);
        const bool indoor = deep_winter && rng_.chance(0.5);
        if (indoor) hours *= 0.6;
        Plan& p = add(day, indoor ? Kind::virtual_ride : Kind::ride, indoor ? SportType::virtual_ride : SportType::ride,
                      indoor ? "Indoor Long Ride" : "Long Ride", weekend_morning(), f);
        p.laps = LapMode::distance;
        p.terrain = indoor ? Terrain::flat : Terrain::hilly_ride;
        const double seconds = hours * 3600.0;
        if (indoor) {
          p.steps.push_back(timed(seconds, 0.64));
        } else if (ph == Phase::build || ph == Phase::peak) {
          p.steps.push_back(timed(seconds * 0.35, 0.62));
          p.steps.push_back(timed(minutes(20), 0.88));
          add_steady_with_stops(p.steps, seconds * 0.65 - minutes(20), 0.62, rng_, 1 + rng_.below(2), hours > 2.5);
        } else {
          add_steady_with_stops(p.steps, seconds, 0.62, rng_, 1 + rng_.below(3), hours > 2.5);
        }
        return;
      }
      case 6: {  // Sunday: long run, or the race
        if (ph == Phase::race) {
          race(day, race_kind, f);
          return;
        }
        if (skipped(true)) return;
        const bool trail = date.month >= 5 && date.month <= 10 && rng_.chance(0.3);
        const double base_min = ph == Phase::base                         ? rng_.uniform(75, 95) * v
                                : ph == Phase::build || ph == Phase::peak ? rng_.uniform(90, 110) * v / 1.15
                                : ph == Phase::taper                      ? rng_.uniform(45, 55)
                                                                          : rng_.uniform(55, 70);
        const bool fast_finish = ph == Phase::peak && !trail;
        Plan& p =
            add(day, Kind::run, trail ? SportType::trail_run : SportType::run,
                trail ? "Trail Run" : (fast_finish ? "Long Run with Fast Finish" : "Long Run"), weekend_morning(), f);
        p.terrain = trail ? Terrain::trail : Terrain::rolling;
        if (fast_finish) {
          p.steps.push_back(timed(minutes(base_min - 20), 0.77));
          p.steps.push_back(timed(minutes(20), 0.94));
        } else {
          add_steady_with_stops(p.steps, minutes(base_min), trail ? 0.72 : 0.77, rng_, rng_.below(2), false);
        }
        return;
      }
      default: return;
    }
  }

  void easy_run(std::int64_t day, std::string name, double seconds, double start, const Fitness& f) {
    Plan& p = add(day, Kind::run, SportType::run, std::move(name), start, f);
    add_steady_with_stops(p.steps, seconds, rng_.uniform(0.74, 0.78), rng_, rng_.chance(0.3) ? 1 : 0, false);
  }

  void swim(std::int64_t day, double start, bool open_water, const Fitness& f) {
    if (open_water) {
      Plan& p = add(day, Kind::open_water_swim, SportType::open_water_swim, "Open Water Swim", start, f);
      p.terrain = Terrain::lake;
      p.steps.push_back(distance(std::round(rng_.uniform(1500, 2500) / 100.0) * 100.0, 0.88));
      return;
    }
    Plan& p = add(day, Kind::pool_swim, SportType::swim, "Pool Swim", start, f);
    p.laps = LapMode::steps;
    p.terrain = Terrain::flat;
    p.steps.push_back(distance(400, 0.80));
    p.steps.push_back(pause(30));
    switch (rng_.below(3)) {
      case 0: add_repeats(p.steps, 8, distance(100, 1.02), pause(20), true); break;
      case 1: add_repeats(p.steps, 5, distance(200, 0.97), pause(30), true); break;
      default: add_repeats(p.steps, 3, distance(400, 0.93), pause(40), true); break;
    }
    p.steps.push_back(distance(300, 0.85));
    p.steps.push_back(pause(30));
    p.steps.push_back(distance(200, 0.75));
  }

  void race(std::int64_t day, int race_kind, const Fitness& f) {
    if (race_kind == 2) {
      Plan& p = add(day, Kind::ride, SportType::ride, "Race: Gran Fondo 150 km", 8.0 * 3600.0, f);
      p.terrain = Terrain::mountain_ride;
      p.steps.push_back(distance(60000, 0.74));
      p.steps.push_back(pause(180));
      p.steps.push_back(distance(55000, 0.72));
      p.steps.push_back(pause(150));
      p.steps.push_back(distance(35000, 0.70));
      return;
    }
    const bool ten_k = race_kind == 0;
    Plan& p = add(day, Kind::run, SportType::run, ten_k ? "Race: 10 km" : "Race: Half Marathon", 9.0 * 3600.0, f);
    p.terrain = Terrain::flat;
    p.steps.push_back(distance(ten_k ? 10000 : 21097.5, ten_k ? 1.03 : 0.965));
  }

  std::uint64_t seed_;
  Rng rng_;
  std::int64_t first_day_;
  std::int64_t last_day_;
  std::vector<Plan> plans_;
};

// ---- Simulation ----

struct Route {
  bool gps = false;
  bool altitude = false;
  double lat0 = kHomeLat;
  double lon0 = kHomeLon;
  double loop_m = 1;
  double radius_m = 1;
  double rotation = 0;
  double shape_phase = 0;
  double x0 = 0;
  double y0 = 0;
  double alt_base = kHomeAltM;
  double a1 = 0, w1 = 0, p1 = 0;  // altitude = base + a1 sin(w1 s + p1) + a2 sin(w2 s + p2)
  double a2 = 0, w2 = 0, p2 = 0;
};

constexpr double kShapeEps = 0.08;

void loop_xy(const Route& r, double s, double& x, double& y) noexcept {
  const double theta = 2.0 * kPi * s / r.loop_m;
  const double rad = r.radius_m * (1.0 + kShapeEps * std::sin(3.0 * theta + r.shape_phase));
  x = rad * std::cos(theta + r.rotation);
  y = rad * std::sin(theta + r.rotation);
}

Route make_route(const Plan& plan, Rng& rng) {
  Route r;
  double loop = 1, lambda1 = 1, lambda2 = 1;
  switch (plan.terrain) {
    case Terrain::flat:
      if (plan.kind != Kind::run) return r;  // indoor: no position, no altitude
      loop = rng.uniform(4000, 6000), r.a1 = 3, lambda1 = 2000, r.a2 = 1, lambda2 = 700;
      break;
    case Terrain::rolling: loop = rng.uniform(4000, 9000), r.a1 = 12, lambda1 = 3000, r.a2 = 4, lambda2 = 800; break;
    case Terrain::trail: loop = rng.uniform(7000, 12000), r.a1 = 55, lambda1 = 3500, r.a2 = 10, lambda2 = 900; break;
    case Terrain::hilly_ride:
      loop = rng.uniform(25000, 60000), r.a1 = 70, lambda1 = 20000, r.a2 = 20, lambda2 = 6000;
      break;
    case Terrain::mountain_ride:
      loop = 150000, r.a1 = 220, lambda1 = 50000, r.a2 = 30, lambda2 = 8000;
      r.alt_base = kHomeAltM + 200;
      break;
    case Terrain::lake:
      loop = rng.uniform(750, 1000), r.a1 = 0, lambda1 = 1000, r.a2 = 0, lambda2 = 1000;
      r.lat0 = kLakeLat, r.lon0 = kLakeLon, r.alt_base = kLakeAltM;
      break;
  }
  r.gps = true;
  r.altitude = true;
  r.loop_m = loop;
  // Wavelengths are whole fractions of the loop so that altitude repeats every loop.
  const double k1 = std::max(1.0, std::round(loop / lambda1));
  const double k2 = std::max(1.0, std::round(loop / lambda2));
  r.w1 = 2.0 * kPi * k1 / loop;
  r.w2 = 2.0 * kPi * k2 / loop;
  r.p1 = rng.uniform(0, 2 * kPi);
  r.p2 = rng.uniform(0, 2 * kPi);
  r.alt_base -= r.a1 * std::sin(r.p1) + r.a2 * std::sin(r.p2);                  // start at the nominal altitude
  r.radius_m = loop / (2.0 * kPi * (1.0 + kShapeEps * kShapeEps * 4.5 / 2.0));  // ≈ arc length of the wavy loop
  r.rotation = rng.uniform(0, 2 * kPi);
  r.shape_phase = rng.uniform(0, 2 * kPi);
  loop_xy(r, 0, r.x0, r.y0);
  return r;
}

// P = v·m·g·(Crr + grade) + ½·ρ·CdA·v³ has one positive root for P ≥ 0 (f is convex for v > 0 and f(0) = −P ≤ 0).
// Newton from the previous root (or from the right of the minimum of f), which converges monotonically once it is
// right of the root; a handful of steps from a warm start is plenty at 1 s sampling.
double ride_speed_for_power(double power_w, double grade, double guess) noexcept {
  constexpr double kAero = 0.5 * 1.2 * 0.32;
  const double rolling = kSystemMassKg * 9.81 * (0.004 + grade);
  double v = std::max({guess, 1.0, std::sqrt(std::max(0.0, -rolling) / kAero) + 0.1});
  for (int i = 0; i < 5; ++i) {
    const double f = kAero * v * v * v + rolling * v - power_w;
    const double slope = 3.0 * kAero * v * v + rolling;
    if (slope <= 0) break;
    const double next = v - f / slope;
    if (std::abs(next - v) < 1e-4) {
      v = next;
      break;
    }
    v = next;
  }
  return std::clamp(v, 0.0, 25.0);
}

double air_temperature(const CivilDate& date, double local_hour, Rng& rng) {
  const double doy = day_of_year(date);
  const double seasonal = 11.5 - 11.0 * std::cos(2.0 * kPi * (doy - 15.0) / 365.0);
  const double diurnal = 4.0 * std::sin(2.0 * kPi * (local_hour - 9.0) / 24.0);
  return seasonal + diurnal + 3.0 * rng.normal();
}

struct SimResult {
  Streams streams;
  std::vector<std::size_t> step_ends;  // last sample index of each step
};

SimResult simulate(const Plan& plan, double dt, Rng& rng) {
  SimResult out;
  Streams& st = out.streams;
  const Kind kind = plan.kind;
  const bool gym = kind == Kind::strength || kind == Kind::yoga;
  const bool riding = kind == Kind::ride || kind == Kind::virtual_ride;
  const bool swimming = kind == Kind::pool_swim || kind == Kind::open_water_swim;
  const Fitness& f = plan.fitness;
  const Route route = gym ? Route{} : make_route(plan, rng);
  const CivilDate date = civil_from_days(plan.epoch_day);
  const double start_hour = plan.local_start_s / 3600.0;

  double temp0 = air_temperature(date, start_hour, rng);
  double temp_rate = start_hour < 12 ? 1.5 : -1.0;  // °C per hour
  if (kind == Kind::virtual_ride) temp0 = 20.0 + rng.uniform(-1, 2), temp_rate = 0.5;
  if (kind == Kind::pool_swim) temp0 = 28.0, temp_rate = 0;
  if (kind == Kind::open_water_swim) temp0 = std::clamp(temp0 - 2.0, 19.0, 25.0), temp_rate = 0;

  // Rough length, for reserve().
  double planned_s = 0;
  for (const Step& s : plan.steps) {
    const double speed = riding ? 8.0 : swimming ? f.swim_threshold_mps * 0.9 : f.run_threshold_mps * 0.8;
    planned_s += s.distance_m > 0 ? s.distance_m / speed : s.duration_s;
  }
  const auto capacity = static_cast<std::size_t>(planned_s * 1.1 / dt) + 16;
  st.time_s.reserve(capacity);
  st.heart_rate_bpm.reserve(capacity);
  if (!gym) {
    for (auto* channel : {&st.distance_m, &st.speed_mps, &st.cadence_rpm, &st.temperature_c}) {
      channel->reserve(capacity);
    }
  }
  if (route.gps) {
    for (auto* channel : {&st.latitude_deg, &st.longitude_deg, &st.altitude_m}) channel->reserve(capacity);
  }
  if (riding) st.power_w.reserve(capacity);

  const double a_hr = 1.0 - std::exp(-dt / 30.0);
  const double a_speed = 1.0 - std::exp(-dt / (riding ? 6.0 : swimming ? 2.0 : 3.0));
  const double a_power = 1.0 - std::exp(-dt / 20.0);
  const double cos_lat = std::cos(route.lat0 * kPi / 180.0);
  const double day_hr_offset = 2.0 * rng.normal();
  const double threshold = riding ? f.ftp_w : (swimming ? f.swim_threshold_mps : f.run_threshold_mps);

  double hr = kRestHr + 25.0 + 5.0 * rng.uniform();
  double speed = 0;
  double dist = 0;
  double slow = 0;          // slowly wandering effort noise, ~N(0, 1)
  double power_smooth = 0;  // what HR responds to on a bike
  double ride_eq = 8.0;     // steady-state ride speed for the current power and grade
  double grade = 0;         // of the last metres covered
  std::size_t step = 0;
  double step_t = 0;
  double step_d = 0;

  auto record = [&](double t, double speed_obs, double hr_obs, double power, double cadence) {
    st.time_s.push_back(t);
    st.heart_rate_bpm.push_back(hr_obs);
    if (gym) return;
    st.distance_m.push_back(dist);
    st.speed_mps.push_back(speed_obs);
    st.cadence_rpm.push_back(cadence);
    st.temperature_c.push_back(std::round(temp0 + temp_rate * t / 3600.0));
    if (route.gps) {
      const double s = dist;
      double x = 0, y = 0;
      loop_xy(route, s, x, y);
      x -= route.x0;
      y -= route.y0;
      st.latitude_deg.push_back(route.lat0 + y / kMetresPerDegLat);
      st.longitude_deg.push_back(route.lon0 + x / (kMetresPerDegLat * cos_lat));
      st.altitude_m.push_back(route.alt_base + route.a1 * std::sin(route.w1 * s + route.p1) +
                              route.a2 * std::sin(route.w2 * s + route.p2));
    }
    if (riding) st.power_w.push_back(power);
  };

  record(0, 0, std::round(hr), 0, 0);
  for (std::size_t i = 1;; ++i) {
    // Advance to the step this sample belongs to.
    while (step < plan.steps.size()) {
      const Step& s = plan.steps[step];
      const bool done = s.distance_m > 0 ? step_d >= s.distance_m : step_t >= s.duration_s - 1e-9;
      if (!done) break;
      out.step_ends.push_back(i - 1);
      ++step;
      step_t = 0;
      step_d = 0;
    }
    if (step >= plan.steps.size()) break;
    const Step& s = plan.steps[step];
    const double t = static_cast<double>(i) * dt;
    slow = 0.995 * slow + 0.1 * rng.normal();

    double speed_obs = 0, power = 0, cadence = 0, effort = 0;
    if (gym) {
      effort = s.intensity + 0.03 * slow;
    } else if (riding) {
      double target = s.stop ? 0.0 : s.intensity * f.ftp_w * std::clamp(1.0 + 5.0 * grade, 0.6, 1.5);
      if (grade < -0.035) {
        target = 0;
      } else if (grade < -0.015) {
        target *= 0.5;
      }
      power = target > 0 ? std::round(std::max(0.0, target * (1.0 + 0.04 * slow + 0.06 * rng.normal()))) : 0.0;
      if (s.stop) {
        speed *= 0.6;
        if (speed < 0.5) speed = 0;
      } else {
        ride_eq = ride_speed_for_power(power, grade, ride_eq);
        speed += (ride_eq - speed) * a_speed;
        speed = std::max(speed, 1.5);
      }
      power_smooth += (power - power_smooth) * a_power;
      speed_obs = speed;
      cadence = power > 0 ? std::round(std::clamp(
                                86.0 + 10.0 * (s.intensity - 0.65) - 150.0 * std::max(0.0, grade) + 1.5 * rng.normal(),
                                55.0, 115.0))
                          : 0.0;
      effort = s.stop ? 0.3 : power_smooth / f.ftp_w;
    } else {
      const double terrain = swimming ? 1.0 : std::clamp(1.0 - 2.5 * grade, 0.6, 1.2);
      const double target = s.stop ? 0.0 : s.intensity * threshold * terrain * (1.0 + 0.02 * slow);
      speed += (target - speed) * a_speed;
      if (s.stop && speed < 0.3) speed = 0;
      speed_obs = speed > 0 ? std::max(0.0, speed * (1.0 + 0.01 * rng.normal())) : 0.0;
      const double relative = speed_obs / threshold;
      if (swimming) {
        cadence = s.stop || speed_obs < 0.2 ? 0.0 : std::round(24.0 + 8.0 * s.intensity + rng.normal());
        effort = s.stop ? 0.3 : s.intensity;
      } else {
        cadence = speed_obs < 0.5 ? 0.0 : std::round(78.0 + 9.0 * std::clamp(relative, 0.6, 1.3) + 0.7 * rng.normal());
        effort = s.stop ? 0.3 : s.intensity * (1.0 + 2.0 * grade);
      }
    }

    // Heart rate: first-order approach to an intensity-set target, with cardiac drift.
    // Fraction of LTHR: 0.60 + 0.40·effort^1.5 (easy ≈ 0.87, threshold 1.0, VO2 intervals ≈ 1.06).
    const double e = std::max(0.0, effort);
    // Gym sessions: a fraction of the heart-rate reserve instead (yoga ≈ 97, strength sets ≈ 150).
    double target_hr =
        gym ? kRestHr + (kLthr - kRestHr) * (0.35 + 0.6 * e) + day_hr_offset
            : kLthr * (0.60 + 0.40 * e * std::sqrt(e)) + day_hr_offset + 4.5 * std::max(0.0, t - 1200.0) / 3600.0;
    if (riding) target_hr -= 5.0;
    if (swimming) target_hr -= 10.0;
    target_hr = std::clamp(target_hr, kRestHr + 10.0, kMaxHr - 1.0);
    hr += (target_hr - hr) * a_hr;
    const double hr_obs = std::round(std::clamp(hr + 0.6 * rng.normal(), kRestHr, kMaxHr));

    const double advance = speed_obs * dt;
    dist += advance;
    step_t += dt;
    step_d += advance;
    record(t, speed_obs, hr_obs, power, cadence);
    if (route.altitude && advance > 0.5) {
      const std::size_t n = st.altitude_m.size();
      grade = (st.altitude_m[n - 1] - st.altitude_m[n - 2]) / advance;
    }
  }
  return out;
}

// ---- Summaries ----

double keytel_kcal(double avg_hr, double minutes_) {
  const double per_min = (-55.0969 + 0.6309 * avg_hr + 0.1988 * kWeightKg + 0.2017 * kAgeYears) / 4.184;
  return std::max(0.0, per_min * minutes_);
}

Summary summarize(const Streams& s, std::size_t b, std::size_t e, std::int64_t start_ms, Kind kind, double dt) {
  Summary out;
  out.start_time_ms = start_ms + static_cast<std::int64_t>(std::llround(s.time_s[b] * 1000.0));
  out.utc_offset_s = kUtcOffsetS;
  out.elapsed_time_s = s.time_s[e] - s.time_s[b];
  const bool riding = kind == Kind::ride || kind == Kind::virtual_ride;
  const bool swimming = kind == Kind::pool_swim || kind == Kind::open_water_swim;
  const auto count = static_cast<double>(e - b + 1);

  if (!s.distance_m.empty()) {
    out.distance_m = s.distance_m[e] - s.distance_m[b];
    const double moving_threshold = swimming ? 0.2 : 0.5;
    double moving = 0, max_speed = 0;
    for (std::size_t i = b + 1; i <= e; ++i) {
      if (s.speed_mps[i] > moving_threshold) moving += s.time_s[i] - s.time_s[i - 1];
    }
    for (std::size_t i = b; i <= e; ++i) max_speed = std::max(max_speed, s.speed_mps[i]);
    out.moving_time_s = moving;
    out.max_speed_mps = max_speed;
    if (moving > 0) out.avg_speed_mps = out.distance_m / moving;
  } else {
    out.moving_time_s = out.elapsed_time_s;
  }

  if (!s.altitude_m.empty()) {
    double up = 0, down = 0;
    for (std::size_t i = b + 1; i <= e; ++i) {
      const double d = s.altitude_m[i] - s.altitude_m[i - 1];
      (d > 0 ? up : down) += std::abs(d);
    }
    out.total_ascent_m = up;
    out.total_descent_m = down;
  }

  double hr_sum = 0, hr_max = 0;
  for (std::size_t i = b; i <= e; ++i) {
    hr_sum += s.heart_rate_bpm[i];
    hr_max = std::max(hr_max, s.heart_rate_bpm[i]);
  }
  out.avg_hr_bpm = hr_sum / count;
  out.max_hr_bpm = hr_max;

  if (!s.cadence_rpm.empty()) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = b; i <= e; ++i) {
      if (s.cadence_rpm[i] > 0) sum += s.cadence_rpm[i], ++n;
    }
    if (n > 0) out.avg_cadence_rpm = sum / static_cast<double>(n);
  }

  if (!s.power_w.empty()) {
    double sum = 0, max_p = 0, work_j = 0;
    for (std::size_t i = b; i <= e; ++i) {
      sum += s.power_w[i];
      max_p = std::max(max_p, s.power_w[i]);
      if (i > b) work_j += s.power_w[i] * (s.time_s[i] - s.time_s[i - 1]);
    }
    out.avg_power_w = sum / count;
    out.max_power_w = max_p;
    // Normalized power: 30 s rolling mean, raised to the 4th power, averaged, 4th root.
    const auto window = static_cast<std::size_t>(std::max(1.0, std::round(30.0 / dt)));
    if (e - b + 1 >= window) {
      double rolling = 0, fourth = 0;
      std::size_t n = 0;
      for (std::size_t i = b; i <= e; ++i) {
        rolling += s.power_w[i];
        if (i >= b + window) rolling -= s.power_w[i - window];
        if (i + 1 >= b + window) {
          const double avg = rolling / static_cast<double>(window);
          fourth += avg * avg * avg * avg;
          ++n;
        }
      }
      out.normalized_power_w = std::sqrt(std::sqrt(fourth / static_cast<double>(n)));
    } else {
      out.normalized_power_w = out.avg_power_w;
    }
    if (riding) out.calories_kcal = work_j / 1000.0;
  }
  if (!out.calories_kcal) out.calories_kcal = keytel_kcal(*out.avg_hr_bpm, out.elapsed_time_s / 60.0);
  return out;
}

std::vector<std::size_t> lap_boundaries(const Plan& plan, const SimResult& sim) {
  const Streams& s = sim.streams;
  const std::size_t last = s.size() - 1;
  std::vector<std::size_t> bounds{0};
  auto push = [&](std::size_t i) {
    if (i > bounds.back() && i < last) bounds.push_back(i);
  };
  LapMode mode = plan.laps;
  if (mode == LapMode::distance && s.distance_m.empty()) mode = LapMode::single;
  if (mode == LapMode::steps) {
    for (const std::size_t i : sim.step_ends) push(i);
  } else if (mode == LapMode::distance) {
    const bool riding = plan.kind == Kind::ride || plan.kind == Kind::virtual_ride;
    const double lap_m = riding ? 10000.0 : (plan.kind == Kind::open_water_swim ? 500.0 : 1000.0);
    double mark = lap_m;
    for (std::size_t i = 1; i <= last; ++i) {
      if (s.distance_m[i] >= mark) {
        push(i);
        while (s.distance_m[i] >= mark) mark += lap_m;
      }
    }
  }
  bounds.push_back(last);
  return bounds;
}

}  // namespace

DemoAthlete generate_demo_athlete(const DemoOptions& options) {
  DemoAthlete out;
  const double dt = std::clamp(options.sample_interval_s, 0.25, 60.0);
  const std::int64_t offset_ms = std::int64_t{kUtcOffsetS} * 1000;
  const std::int64_t end_local_day = floor_div(options.end_time_ms + offset_ms, kDayMs);
  const std::int64_t days = std::max(0, options.days);
  const std::int64_t first_day = end_local_day - days + 1;
  const std::int64_t earliest_ms = options.end_time_ms - days * kDayMs;

  Athlete& a = out.athlete;
  const Fitness now = fitness_at(1.0, 0.5);
  a.display_name = "Demo Athlete";
  a.weight_kg = kWeightKg;
  a.height_m = kHeightM;
  a.birth_year = static_cast<int>(civil_from_days(end_local_day).year - static_cast<std::int64_t>(kAgeYears));
  a.sex = "male";
  a.max_hr_bpm = kMaxHr;
  a.resting_hr_bpm = kRestHr;
  a.threshold_hr_bpm = kLthr;
  a.ftp_w = std::round(now.ftp_w);
  a.threshold_pace_mps = std::round(now.run_threshold_mps * 100.0) / 100.0;
  a.vo2max = kVo2max;
  if (days == 0) return out;

  std::vector<Plan> plans = Planner(options.seed, first_day, end_local_day).plan();
  std::stable_sort(plans.begin(), plans.end(), [](const Plan& x, const Plan& y) {
    return x.epoch_day != y.epoch_day ? x.epoch_day < y.epoch_day : x.local_start_s < y.local_start_s;
  });
  out.activities.reserve(plans.size());
  for (const Plan& plan : plans) {
    const std::int64_t start_ms =
        (plan.epoch_day * kDayS + static_cast<std::int64_t>(plan.local_start_s) - kUtcOffsetS) * 1000;
    if (start_ms < earliest_ms || start_ms >= options.end_time_ms) continue;
    Rng rng(plan.seed);
    SimResult sim = simulate(plan, dt, rng);
    if (sim.streams.size() < 2) continue;
    const auto end_ms = start_ms + static_cast<std::int64_t>(std::llround(sim.streams.time_s.back() * 1000.0));
    if (end_ms > options.end_time_ms) continue;

    DemoActivity demo;
    Activity& act = demo.activity;
    act.source = "demo";
    act.external_id = "demo:" + std::to_string(out.activities.size());
    act.sport = plan.sport;
    act.name = plan.name;
    act.device = "Pierre demo generator";
    act.summary = summarize(sim.streams, 0, sim.streams.size() - 1, start_ms, plan.kind, dt);
    const std::vector<std::size_t> bounds = lap_boundaries(plan, sim);
    act.laps.reserve(bounds.size() - 1);
    for (std::size_t j = 0; j + 1 < bounds.size(); ++j) {
      act.laps.push_back(Lap{summarize(sim.streams, bounds[j], bounds[j + 1], start_ms, plan.kind, dt)});
    }
    act.created_at_ms = std::min(end_ms + 5 * 60 * 1000, options.end_time_ms);
    demo.streams = std::move(sim.streams);
    out.activities.push_back(std::move(demo));
  }
  return out;
}

}  // namespace pierre::activity
