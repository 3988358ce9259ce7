#pragma once
// A synthetic athlete with ~2 years of training, for demos and tests without a provider account.
//
// Pure and deterministic: no I/O, no clock (the caller passes end_time_ms), no globals. The PRNG (SplitMix64) and its
// uniform/normal helpers are our own, not <random>'s distributions, so the output does not depend on the standard
// library; the only platform input is libm (sin, cos, exp, sqrt), which glibc computes identically everywhere we build.
//
// Physiology (fixed): a 34-year-old male amateur runner/cyclist who also swims a little. 1.78 m, 68 kg, max HR 188,
// resting HR 48, lactate-threshold HR 172, VO2max 55. Fitness rises slowly over the two years and within each
// macrocycle: FTP 250 W → ~265 W at the last peak, run threshold speed 4.00 → ~4.08 m/s (≈ 4:05 /km), pool CSS
// ≈ 1:50 /100 m. Athlete reports the values at the end of the period.
//
// Periodisation: repeating 17-week macrocycles (Monday-aligned weeks): base 1–3, recovery, base 1–3, recovery,
// build 1–3, recovery, peak 1–2, taper, race week, transition week. The race (Sunday of the race week) rotates
// between a 10 km run, a half marathon and a 150 km gran fondo; its name starts with "Race:". Week volume factors:
// base 1.0–1.1, build 1.1–1.2, peak 1.2/1.1, recovery 0.65, taper 0.6, race week 0.45, transition 0.5.
// Typical week: Mon strength or yoga (evening) or rest; Tue easy run (base) or intervals; Wed endurance /
// sweet-spot / threshold ride (indoor "virtual" rides Nov–Feb) and sometimes an evening swim (open water at Bled
// Jun–Aug, else pool); Thu steady or tempo run; Fri rest, sometimes a short morning run or pool swim; Sat long ride;
// Sun long run (trail run some summer Sundays). Taper weeks drop the gym and the swims. ~8 % of sessions are
// skipped (3 % of the weekend long sessions), never a race.
//
// Times: weekday sessions start 06:00–07:30 local (evening sessions 18:30–19:30), weekends 09:00–10:30; the local
// offset is fixed at UTC+1 (utc_offset_s = 3600, Europe/Ljubljana winter time, used all year for simplicity).
// Routes are loops around Ljubljana (46.05 N, 14.50 E; open-water swims at Lake Bled 46.363 N, 14.094 E) with a
// smooth rolling altitude profile that repeats every loop; temperature follows the season and the time of day.
//
// Streams (every sample_interval_s): time_s, distance_m, speed_mps, heart_rate_bpm, cadence_rpm, temperature_c;
// plus latitude/longitude/altitude for outdoor sessions and power_w for rides. Strength and yoga record only time_s
// and heart_rate_bpm; pool swims have no position or altitude; virtual rides no position or altitude.
// Conventions (FIT's): running cadence is strides per minute (one foot, ≈ 84–90; steps/min is twice that), cycling
// cadence is crank rpm (0 while coasting), swimming cadence is strokes per minute. HR is a first-order approach
// (τ = 30 s) to a target set by intensity (fraction of threshold pace / FTP) relative to LTHR, plus cardiac drift
// (≈ 4.5 bpm/h after the first 20 min). Ride speed comes from power through a road-load model (CdA 0.32 m²,
// Crr 0.004, 77 kg rider + bike).
//
// Summaries and laps are computed from the streams: elapsed = last time_s; moving time counts intervals with speed
// above 0.5 m/s (0.2 m/s swimming); avg speed = distance / moving time; normalized power = 4th root of the mean of
// the 4th power of the 30 s rolling average (Coggan); average cadence ignores zeros; calories: rides use mechanical
// work (kJ ≈ kcal, gross efficiency ≈ 24 %), everything else Keytel et al. 2005 (J Sports Sci 23:289–297, male,
// without VO2max): kcal/min = (−55.0969 + 0.6309·HR + 0.1988·kg + 0.2017·age) / 4.184. Laps: per kilometre for runs,
// per 10 km for rides, per 500 m for open-water swims, per workout step for interval/tempo/sweet-spot/threshold
// sessions and pool swims, one lap for gym sessions; lap boundaries share a sample, so lap elapsed times and distances
// add up to the activity's.
//
// Activity: source "demo", external_id "demo:<n>" (n = chronological index, stable for a seed and options), device
// "Pierre demo generator", id empty (the store assigns ids), created_at_ms = end of the activity + 5 min (at most
// end_time_ms). Every activity starts and ends within [end_time_ms − days·86400000, end_time_ms].
//
// Size: the default 730 days at 1 s give ≈ 600 activities and ≈ 3 M samples (≈ 200 MB of doubles).

#include <cstdint>
#include <vector>

#include "pierre/activity/model.hpp"

namespace pierre::activity {

struct DemoActivity {
  Activity activity;
  Streams streams;
};

struct DemoAthlete {
  Athlete athlete;
  std::vector<DemoActivity> activities;  // in chronological order
};

struct DemoOptions {
  std::uint64_t seed = 42;
  std::int64_t end_time_ms = 0;    // required: the generator never reads a clock
  int days = 730;                  // history length before end_time_ms (values < 1 give no activities)
  double sample_interval_s = 1.0;  // clamped to [0.25, 60]
};

DemoAthlete generate_demo_athlete(const DemoOptions& options);

}  // namespace pierre::activity
