// Analytics tool latency (`bench/run.sh tools` runs it and prints the report; this program prints one
// machine-readable line per measurement, key=value separated by spaces).
//
// Data: one user with BENCH_TOOLS_ACTIVITIES (default 5000) activities over BENCH_TOOLS_DAYS (default 3650) days
// ending now (the tools read the real clock). The demo athlete (activity/demo_athlete.hpp, seed 42) gives ≈ 3000
// activities in 10 years; the rest come from a second demo athlete (seed 4242) shifted 4 h later in the day
// (double days), thinned evenly over the 10 years to reach the count — a store of one very busy athlete. Streams
// every BENCH_TOOLS_SAMPLE_S (default 60) seconds: only calculate_metrics reads samples, and it reads one extra
// activity built here: a 4-hour ride at 1 Hz with power, heart rate, cadence, speed, distance, altitude, position
// and temperature (14 400 samples), two days ago. The athlete's physiology is stored with profile::Service::update.
//
// Calls go through tools::Registry::call (input schema validation, handler, output check sampled as production
// does: every call of a tool's first 100, then one in 64) of register_product_tools, on a SQLite file in a temp
// dir, and on PostgreSQL in a throw-away schema when PIERRE_TEST_POSTGRES_URL is set (as activity_bench).
//
// Timing: BENCH_TOOLS_WARMUP (default 100) rounds, then BENCH_TOOLS_RUNS (default 30) measured rounds. Each round
// calls every case once and, interleaved with them (the machine is noisy), the reference — one
// activity::Service::history() read of all the activities (the unavoidable I/O of "10 years") — and the sub-steps
// the tools are made of (history of the spans they read, profile resolution, the ride's row and streams), so a
// ratio compares numbers taken under the same load. Warm-up rounds 10..49 are every-call-checked (the two trends
// cases share one tool's call counter): their median is printed too (checked_median_ms), so the output-schema check's
// cost shows. Every call must answer without is_error and with the expected structure; anything else aborts the run.
// Each measurement also records the thread's CPU time (cpu_median_ms, cpu_ratio_ref): on a busy machine wall time
// includes other processes' slices.
//
// BENCH_TOOLS_ONLY=<tool> runs that tool's cases alone, no reference or sub-steps (for perf record; not for run.sh).
//
// Lines: tools_setup, tools_store, tools_ref, tools_step (sub-steps), tools_case (one per tool case).

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_support.hpp"
#include "pierre/activity/demo_athlete.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/goals/service.hpp"
#include "pierre/profile/service.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/tools/builtin.hpp"
#include "pierre/tools/registry.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pierre::activity::Activity;
using pierre::activity::NewActivity;
using pierre::activity::Streams;
using pierre::activity::Summary;
using pierre::bench::Clock;
using pierre::bench::die;
using pierre::bench::env_number;
using pierre::bench::ms_since;
using pierre::bench::open_or_die;
using pierre::bench::quantile;
using pierre::bench::random_hex;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kHourMs = 3'600'000;

// This thread's CPU time (user + system) in ms: unlike wall time, it does not count the time other processes held
// the core — on a busy machine the steadier of the two.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// ------------------------------------------------------------------ data ---------------------------------------

// Summary of samples [from, to] of a 1 Hz ride (the demo generator's conventions: moving above 0.5 m/s, NP from the
// 30 s rolling average, cadence without zeros, calories ≈ mechanical kJ).
Summary summarize(const Streams& s, std::size_t from, std::size_t to, std::int64_t start_ms) {
  Summary out;
  out.start_time_ms = start_ms + static_cast<std::int64_t>(s.time_s[from] * 1000);
  out.utc_offset_s = 3600;
  out.elapsed_time_s = s.time_s[to] - s.time_s[from];
  out.distance_m = s.distance_m[to] - s.distance_m[from];
  double moving = 0, ascent = 0, descent = 0, hr = 0, hr_max = 0, p = 0, p_max = 0, cad = 0, v_max = 0, kj = 0;
  std::size_t cad_n = 0;
  double rolling = 0, p4 = 0;
  std::size_t p4_n = 0;
  for (std::size_t i = from; i <= to; ++i) {
    if (i > from) {
      const double dt = s.time_s[i] - s.time_s[i - 1];
      if (s.speed_mps[i] > 0.5) moving += dt;
      const double da = s.altitude_m[i] - s.altitude_m[i - 1];
      (da > 0 ? ascent : descent) += std::abs(da);
      kj += s.power_w[i] * dt / 1000;
    }
    hr += s.heart_rate_bpm[i];
    hr_max = std::max(hr_max, s.heart_rate_bpm[i]);
    p += s.power_w[i];
    p_max = std::max(p_max, s.power_w[i]);
    if (s.cadence_rpm[i] > 0) {
      cad += s.cadence_rpm[i];
      ++cad_n;
    }
    v_max = std::max(v_max, s.speed_mps[i]);
    rolling += s.power_w[i];
    if (i >= from + 30) rolling -= s.power_w[i - 30];
    if (i >= from + 29) {
      p4 += std::pow(rolling / 30, 4);
      ++p4_n;
    }
  }
  const auto n = static_cast<double>(to - from + 1);
  out.moving_time_s = moving;
  out.total_ascent_m = ascent;
  out.total_descent_m = descent;
  out.avg_hr_bpm = hr / n;
  out.max_hr_bpm = hr_max;
  out.avg_power_w = p / n;
  out.max_power_w = p_max;
  if (p4_n > 0) out.normalized_power_w = std::pow(p4 / static_cast<double>(p4_n), 0.25);
  if (cad_n > 0) out.avg_cadence_rpm = cad / static_cast<double>(cad_n);
  out.avg_speed_mps = moving > 0 ? out.distance_m / moving : 0;
  out.max_speed_mps = v_max;
  out.calories_kcal = kj;
  return out;
}

// A 4-hour road ride at 1 Hz on a 30 km rolling loop around Ljubljana: 15 min warm-up, endurance around 190 W with
// three 20-minute blocks at 255 W, coasting on the steeper descents, 15 min cool-down. Speed from power through a
// road-load model (CdA 0.32 m², Crr 0.004, 77 kg), heart rate a first-order approach (τ 30 s) with cardiac drift.
NewActivity four_hour_ride(std::int64_t start_ms) {
  constexpr int kSeconds = 4 * 3600;
  constexpr double kLoop = 30'000;
  constexpr double kMass = 77, kG = 9.81, kRho = 1.2, kCdA = 0.32, kCrr = 0.004;
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto uniform = [&state] {  // SplitMix64 → [0, 1)
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  const auto noise = [&] { return uniform() + uniform() + uniform() - 1.5; };  // ≈ N(0, 0.5)
  const auto altitude = [](double d) {
    const double a = 2 * std::numbers::pi * d / kLoop;
    return 300 + 60 * std::sin(3 * a) + 25 * std::sin(7 * a);
  };
  const double radius_m = kLoop / (2 * std::numbers::pi);
  const double lat0 = 46.05, lon0 = 14.50;

  NewActivity item;
  Streams& s = item.streams;
  double distance = 0, speed = 8, hr = 95;
  for (int t = 0; t < kSeconds; ++t) {
    const double grade = (altitude(distance + 5) - altitude(distance - 5)) / 10;
    double target;
    const int minute = t / 60;
    if (minute < 15) {
      target = 150;
    } else if (minute >= 225) {
      target = 140;
    } else if ((minute >= 60 && minute < 80) || (minute >= 110 && minute < 130) || (minute >= 160 && minute < 180)) {
      target = 255;
    } else {
      target = 190 + 25 * grade * 10;  // harder up the climbs
    }
    double power = std::max(0.0, target + 30 * noise());
    if (grade < -0.03 && target < 255) power = 0;  // coasting down the steeper descents
    // Steady-state speed for this power and grade (bisection), approached with τ ≈ 8 s.
    double lo = 0.5, hi = 25;
    for (int k = 0; k < 40; ++k) {
      const double v = (lo + hi) / 2;
      const double need = 0.5 * kRho * kCdA * v * v * v + kCrr * kMass * kG * v + kMass * kG * grade * v;
      (need > power ? hi : lo) = v;
    }
    speed += (std::clamp((lo + hi) / 2, 1.0, 20.0) - speed) / 8;
    distance += speed;
    const double drift = t > 1200 ? 4.5 * (t - 1200) / 3600.0 : 0;
    hr += (std::clamp(70 + 0.38 * power + drift, 90.0, 186.0) - hr) / 30;
    const double angle = 2 * std::numbers::pi * distance / kLoop;
    s.time_s.push_back(t);
    s.distance_m.push_back(distance);
    s.latitude_deg.push_back(lat0 + radius_m * std::sin(angle) / 111'320);
    s.longitude_deg.push_back(lon0 + radius_m * std::cos(angle) / (111'320 * std::cos(lat0 * std::numbers::pi / 180)));
    s.altitude_m.push_back(altitude(distance));
    s.heart_rate_bpm.push_back(std::round(hr + noise()));
    s.power_w.push_back(std::round(power));
    s.cadence_rpm.push_back(power > 0 ? std::round(86 + 4 * noise()) : 0);
    s.speed_mps.push_back(speed);
    s.temperature_c.push_back(16 + 8.0 * t / kSeconds);
  }
  Activity& a = item.activity;
  a.source = "bench";
  a.external_id = "bench:4h-ride";
  a.sport = pierre::activity::SportType::ride;
  a.name = "Four-hour endurance ride (1 Hz)";
  a.device = "tools_bench";
  a.summary = summarize(s, 0, s.size() - 1, start_ms);
  for (std::size_t from = 0; from + 1 < s.size(); from += 3600) {  // hourly laps sharing boundary samples
    a.laps.push_back({summarize(s, from, std::min(from + 3600, s.size() - 1), start_ms)});
  }
  a.created_at_ms = start_ms + kSeconds * 1000LL + 5 * 60'000;
  return item;
}

void shift(Activity& a, std::int64_t by_ms) {
  a.summary.start_time_ms += by_ms;
  for (auto& lap : a.laps) lap.summary.start_time_ms += by_ms;
  a.created_at_ms += by_ms;
}

struct Dataset {
  std::vector<NewActivity> items;  // the history, then the ride (last)
  std::size_t from_first = 0;
  std::size_t from_second = 0;
  std::int64_t first_start_ms = 0;
};

Dataset build_dataset(std::int64_t now_ms) {
  const int days = static_cast<int>(env_number("BENCH_TOOLS_DAYS", 3650));
  const auto wanted = static_cast<std::size_t>(env_number("BENCH_TOOLS_ACTIVITIES", 5000));
  const double interval = env_number("BENCH_TOOLS_SAMPLE_S", 60);
  constexpr std::int64_t kShift = 4 * kHourMs;
  // Both end an hour before now, so nothing is in the future by the time the tools read the clock.
  auto first = pierre::activity::generate_demo_athlete(
      {.seed = 42, .end_time_ms = now_ms - kHourMs, .days = days, .sample_interval_s = interval});
  auto second = pierre::activity::generate_demo_athlete(
      {.seed = 4242, .end_time_ms = now_ms - kHourMs - kShift, .days = days - 1, .sample_interval_s = interval});
  Dataset d;
  for (auto& a : first.activities) {
    if (d.items.size() >= wanted) break;
    d.items.push_back({std::move(a.activity), std::move(a.streams)});
  }
  d.from_first = d.items.size();
  const std::size_t need = wanted - std::min(wanted, d.items.size());
  const std::size_t n = second.activities.size();
  for (std::size_t i = 0; i < n && need > 0; ++i) {
    if ((i * need) / n == ((i + 1) * need) / n) continue;  // keeps exactly min(need, n), spread evenly
    auto& a = second.activities[i];
    shift(a.activity, kShift);
    a.activity.external_id = "demo-b:" + a.activity.external_id.substr(a.activity.external_id.find(':') + 1);
    d.items.push_back({std::move(a.activity), std::move(a.streams)});
  }
  d.from_second = d.items.size() - d.from_first;
  d.first_start_ms = now_ms;
  for (const auto& it : d.items) d.first_start_ms = std::min(d.first_start_ms, it.activity.summary.start_time_ms);
  // The ride: two days ago, 05:10 UTC (06:10 local), clear of every demo session's start.
  d.items.push_back(four_hour_ride((now_ms / kDayMs - 2) * kDayMs + 5 * kHourMs + 10 * 60'000));
  return d;
}

// ------------------------------------------------------------------ timing -------------------------------------

struct Timed {
  std::string name;
  std::function<void()> once;   // dies on any error
  std::vector<double> checked;  // warm-up rounds 10..49 (every output checked)
  std::vector<double> runs;
  std::vector<double> cpu;  // thread CPU time of the measured runs
};

std::string args_label(const json& args) {
  std::string out;
  for (const auto& [k, v] : args.items()) {
    if (k == "activity_id") continue;
    out += (out.empty() ? "" : ",") + k + ":" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out.empty() ? "-" : out;
}

void bench_on(std::string_view backend, pierre::store::Database& db, const Dataset& data, std::int64_t now_ms) {
  const std::string tenant = "bench-tenant-" + random_hex(4);
  if (auto r = db.execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                          {tenant, std::string("Bench"), tenant, std::int64_t{1'700'000'000'000}});
      !r) {
    die("cannot create the tenant: " + r.error().message);
  }
  auto codec = pierre::store::CursorCodec::create(pierre::crypto::random_bytes(32));
  if (!codec) die("cursor codec: " + codec.error().message);
  pierre::activity::Service activities(db, std::move(*codec));
  pierre::profile::Service profiles(db, activities);
  pierre::goals::Service goals(db, activities, profiles);
  pierre::tools::Registry registry;
  registry.set_output_check(pierre::tools::Registry::OutputCheck::sampled);
  // Providers as the server builds them, unconfigured: the benched tools never reach them.
  auto keys = pierre::auth::KeyStore::open(db, pierre::crypto::Bytes(32, 9));
  if (!keys) die("key store: " + keys.error().message);
  pierre::providers::ProviderSet provider_set;
  pierre::providers::Connections connections(db, **keys, provider_set);
  pierre::providers::SyncEngine sync(connections, activities, provider_set);
  if (auto r = pierre::tools::register_product_tools(registry, {activities, profiles, goals, nullptr, connections, sync});
      !r) {
    die("register_product_tools: " + r.error().message);
  }
  const pierre::activity::Owner owner{tenant, "bench-user"};

  const auto store_started = Clock::now();
  auto stored = activities.store(owner, data.items);
  if (!stored) die(fmt::format("{}: store failed: {}", backend, stored.error().message));
  const double store_ms = ms_since(store_started);
  for (const auto& s : *stored) {
    if (!s.created)
      die(fmt::format("{}: {} was stored as a duplicate ({})", backend, s.activity.external_id, s.duplicate_reason));
  }
  const auto total = activities.count(owner);
  if (!total || *total != static_cast<std::int64_t>(data.items.size()))
    die(std::string(backend) + ": stored count differs");
  const std::string ride_id = stored->back().activity.id;
  if (auto r = profiles.update(owner, std::nullopt,
                               {{"max_hr_bpm", 188},
                                {"resting_hr_bpm", 48},
                                {"lthr_bpm", 172},
                                {"ftp_w", 260},
                                {"weight_kg", 68},
                                {"height_cm", 178},
                                {"age_years", 34},
                                {"sex", "male"},
                                {"vo2max", 55},
                                {"threshold_pace_s_per_km", 246}});
      !r) {
    die("profiles.update: " + r.error().message);
  }
  std::printf("tools_store backend=%.*s activities=%lld store_ms=%.0f\n", static_cast<int>(backend.size()),
              backend.data(), static_cast<long long>(*total), store_ms);
  std::fflush(stdout);

  pierre::tools::CallContext ctx;
  ctx.user_id = owner.user_id;
  ctx.tenant_id = owner.tenant_id;
  ctx.request_id = "tools-bench";

  // The reference and the sub-steps. The spans the tools read: training load and fitness score (year / all_time)
  // [now − 365 − 365 warm-up days, now]; trends (year) the last 365 days; calculate_metrics the ride's row, its
  // streams and profile resolution from the store (the last year, read by profile::Service::resolve).
  const auto history_or_die = [&](std::int64_t after_ms, std::size_t at_least) {
    auto h = activities.history(owner, after_ms, pierre::now_epoch_ms() + 1);
    if (!h) die(fmt::format("{}: history failed: {}", backend, h.error().message));
    if (h->size() < at_least) die(fmt::format("{}: history returned {} activities", backend, h->size()));
    return std::move(*h);
  };
  const auto all = history_or_die(0, data.items.size());
  if (all.size() != data.items.size()) die(std::string(backend) + ": history(10 years) missed activities");
  const auto last_year = history_or_die(now_ms - pierre::profile::Service::kEstimateWindowMs, 1);
  std::vector<Timed> steps;
  steps.push_back({"history_10y", [&] { history_or_die(0, data.items.size()); }, {}, {}, {}});
  steps.push_back({"history_2y", [&] { history_or_die(pierre::now_epoch_ms() - 730 * kDayMs, 1); }, {}, {}, {}});
  steps.push_back({"history_1y", [&] { history_or_die(pierre::now_epoch_ms() - 365 * kDayMs, 1); }, {}, {}, {}});
  steps.push_back({"profile_resolve_given_year",
                   [&] {
                     if (!profiles.resolve(owner, pierre::now_epoch_ms(), std::span<const Activity>(last_year))) {
                       die("profiles.resolve failed");
                     }
                   },
                   {},
                   {},
                   {}});
  steps.push_back({"profile_resolve_from_store",
                   [&] {
                     if (!profiles.resolve(owner, pierre::now_epoch_ms())) die("profiles.resolve failed");
                   },
                   {},
                   {},
                   {}});
  steps.push_back({"ride_get",
                   [&] {
                     auto a = activities.get(owner, ride_id);
                     if (!a || !*a) die("get(ride) failed");
                   },
                   {},
                   {},
                   {}});
  // The same query as Service::streams without decoding the blob: splits ride_streams into read and decode.
  steps.push_back({"ride_streams_blob_read",
                   [&] {
                     auto row = db.tenant(pierre::store::TenantId(owner.tenant_id))
                                    .query_row(
                                        "SELECT s.data AS data FROM activity_streams s JOIN activities a ON "
                                        "a.tenant_id = :tenant AND a.id = s.activity_id WHERE s.tenant_id = "
                                        ":tenant AND a.user_id = ?1 AND s.activity_id = ?2",
                                        {owner.user_id, ride_id});
                     if (!row || !*row) die("streams blob read failed");
                     auto blob = (*row)->get<pierre::store::Blob>("data");
                     if (!blob || blob->size() < 100) die("streams blob read failed");
                   },
                   {},
                   {},
                   {}});
  steps.push_back({"ride_streams",
                   [&] {
                     auto s = activities.streams(owner, ride_id);
                     if (!s || !*s || (*s)->size() != 14'400) die("streams(ride) failed");
                   },
                   {},
                   {},
                   {}});

  struct Case {
    std::string tool;
    json args;
    double target_ms;
    std::function<bool(const json&)> valid;
    Timed timed;
  };
  std::vector<Case> cases;
  cases.push_back({"analyze_training_load",
                   {{"timeframe", "year"}},
                   20,
                   [](const json& s) { return s["sessions"].get<int>() > 0 && s["daily"].size() >= 300; },
                   {}});
  cases.push_back({"analyze_performance_trends",
                   {{"timeframe", "year"}, {"metric", "pace"}},
                   20,
                   [](const json& s) { return s["points"].size() >= 50 && s["regression"].is_object(); },
                   {}});
  cases.push_back({"analyze_performance_trends",
                   {{"timeframe", "year"}, {"metric", "training_load"}},
                   20,
                   [](const json& s) { return s["points"].size() >= 300 && s["regression"].is_object(); },
                   {}});
  cases.push_back({"calculate_fitness_score",
                   {{"timeframe", "all_time"}},
                   20,
                   [](const json& s) { return s["fitness_score"].is_number() && !s["components"].empty(); },
                   {}});
  cases.push_back({"calculate_metrics",
                   {{"activity_id", ride_id}},
                   2,
                   [](const json& s) {
                     return s["has_streams"].get<bool>() && s["metrics"]["normalized_power_w"].is_number() &&
                            s["metrics"]["training_stress_score"].is_number();
                   },
                   {}});
  // BENCH_TOOLS_ONLY=<tool>: that tool's cases alone, without the reference and the sub-steps, so a profile of the
  // run is the tool's.
  const char* only = std::getenv("BENCH_TOOLS_ONLY");
  if (only != nullptr && *only != '\0') {
    std::erase_if(cases, [only](const Case& c) { return c.tool != only; });
    if (cases.empty()) die(fmt::format("BENCH_TOOLS_ONLY={}: no such case", only));
    steps.clear();
  }
  for (auto& c : cases) {
    c.timed.name = c.tool;
    c.timed.once = [&registry, &ctx, &c] {
      auto r = registry.call(c.tool, c.args, ctx);
      if (!r) die(fmt::format("{} failed: {}", c.tool, r.error().message));
      if (r->is_error) die(fmt::format("{} answered is_error: {}", c.tool, r->text));
      if (!c.valid(r->structured))
        die(fmt::format("{} answered an unexpected result: {}", c.tool, r->structured.dump().substr(0, 400)));
    };
  }

  const auto warmup = static_cast<std::size_t>(env_number("BENCH_TOOLS_WARMUP", 100));
  const auto runs = static_cast<std::size_t>(env_number("BENCH_TOOLS_RUNS", 30));
  const auto time_into = [](Timed& t, std::size_t round, std::size_t warmup_rounds) {
    const double cpu0 = thread_cpu_ms();
    const auto t0 = Clock::now();
    t.once();
    const double ms = ms_since(t0);
    const double cpu = thread_cpu_ms() - cpu0;
    if (round >= warmup_rounds) {
      t.runs.push_back(ms);
      t.cpu.push_back(cpu);
    } else if (round >= 10 && round < 50) {
      t.checked.push_back(ms);
    }
  };
  for (std::size_t round = 0; round < warmup + runs; ++round) {
    for (auto& s : steps) time_into(s, round, warmup);
    for (auto& c : cases) time_into(c.timed, round, warmup);
  }

  if (steps.empty()) {  // BENCH_TOOLS_ONLY
    for (const auto& c : cases) {
      std::printf("tools_case backend=%.*s tool=%s args=%s runs=%zu median_ms=%.3f p95_ms=%.3f cpu_median_ms=%.3f\n",
                  static_cast<int>(backend.size()), backend.data(), c.tool.c_str(), args_label(c.args).c_str(),
                  c.timed.runs.size(), quantile(c.timed.runs, 0.5), quantile(c.timed.runs, 0.95),
                  quantile(c.timed.cpu, 0.5));
    }
    std::fflush(stdout);
    return;
  }
  const double ref = quantile(steps[0].runs, 0.5);
  const double ref_cpu = quantile(steps[0].cpu, 0.5);
  std::printf(
      "tools_ref backend=%.*s name=history_10y activities=%zu runs=%zu median_ms=%.3f p95_ms=%.3f cpu_median_ms=%.3f\n",
      static_cast<int>(backend.size()), backend.data(), all.size(), steps[0].runs.size(), ref,
      quantile(steps[0].runs, 0.95), ref_cpu);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    const auto& s = steps[i];
    std::printf(
        "tools_step backend=%.*s name=%s runs=%zu median_ms=%.3f p95_ms=%.3f cpu_median_ms=%.3f ratio_ref=%.2f\n",
        static_cast<int>(backend.size()), backend.data(), s.name.c_str(), s.runs.size(), quantile(s.runs, 0.5),
        quantile(s.runs, 0.95), quantile(s.cpu, 0.5), quantile(s.runs, 0.5) / ref);
  }
  for (const auto& c : cases) {
    const double median = quantile(c.timed.runs, 0.5);
    std::printf(
        "tools_case backend=%.*s tool=%s args=%s runs=%zu median_ms=%.3f p95_ms=%.3f cpu_median_ms=%.3f "
        "checked_median_ms=%.3f ratio_ref=%.2f cpu_ratio_ref=%.2f target_ms=%g ratio_target=%.3f verdict=%s\n",
        static_cast<int>(backend.size()), backend.data(), c.tool.c_str(), args_label(c.args).c_str(),
        c.timed.runs.size(), median, quantile(c.timed.runs, 0.95), quantile(c.timed.cpu, 0.5),
        quantile(c.timed.checked, 0.5), median / ref, quantile(c.timed.cpu, 0.5) / ref_cpu, c.target_ms,
        median / c.target_ms, median < c.target_ms ? "PASS" : "FAIL");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  pierre::bench::program = "tools_bench";
  spdlog::set_level(spdlog::level::warn);  // no "applying migration" lines in the output
  const std::string mode = argc > 1 ? argv[1] : "all";
  if (mode != "all" && mode != "sqlite" && mode != "postgresql") {
    std::fprintf(stderr, "usage: tools_bench [all|sqlite|postgresql]\n");
    return 2;
  }
  const std::int64_t now_ms = pierre::now_epoch_ms();
  const auto generated_started = Clock::now();
  const auto data = build_dataset(now_ms);
  const auto& ride = data.items.back();
  std::printf(
      "tools_setup days=%.0f activities=%zu from_demo=%zu from_second_demo=%zu first_start=%s ride_samples=%zu "
      "ride_np_w=%.0f ride_km=%.1f generate_ms=%.0f\n",
      env_number("BENCH_TOOLS_DAYS", 3650), data.items.size(), data.from_first, data.from_second,
      pierre::iso8601_ms(data.first_start_ms).substr(0, 10).c_str(), ride.streams.size(),
      ride.activity.summary.normalized_power_w.value_or(0), ride.activity.summary.distance_m / 1000,
      ms_since(generated_started));
  std::fflush(stdout);

  if (mode == "all" || mode == "sqlite") {  // a file in a temp dir, as `make run` uses it (WAL, pooled connections)
    const auto dir = fs::temp_directory_path() / ("pierre-tools-bench-" + random_hex(6));
    fs::create_directories(dir);
    {
      auto db = open_or_die("sqlite:" + (dir / "pierre.db").string());
      bench_on("sqlite", *db, data, now_ms);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  if (mode == "all" || mode == "postgresql") {
    const char* pg = std::getenv("PIERRE_TEST_POSTGRES_URL");
    if (pg == nullptr || *pg == '\0') {
      std::printf("tools_ref backend=postgresql skipped=PIERRE_TEST_POSTGRES_URL_not_set\n");
      return 0;
    }
    // A throw-away schema, as the tests do (tests/support/backend_fixture.cpp), dropped afterwards.
    pierre::store::OpenOptions admin_options;
    admin_options.pool_size = 1;
    admin_options.apply_migrations = false;
    auto admin = open_or_die(pg, admin_options);
    const std::string schema = "pierre_bench_" + random_hex(6);
    if (auto r = admin->execute("CREATE SCHEMA " + schema); !r) die("CREATE SCHEMA failed: " + r.error().message);
    const std::string base(pg);
    const std::string url =
        base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
    {
      auto db = open_or_die(url);
      bench_on("postgresql", *db, data, now_ms);
    }
    if (auto r = admin->execute("DROP SCHEMA " + schema + " CASCADE"); !r) {
      std::fprintf(stderr, "tools_bench: DROP SCHEMA %s failed: %s\n", schema.c_str(), r.error().message.c_str());
    }
  }
  return 0;
}
