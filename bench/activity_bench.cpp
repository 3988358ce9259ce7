// Activity data throughput and query latency (`bench/run.sh activity` runs it next to fit-file-parser and prints
// the report; this program prints one machine-readable line per measurement, key=value separated by spaces).
//
//   activity_bench fit      FIT decode of the largest sample (formats::fit::decode_recording): MB/s, records/s
//   activity_bench xml      GPX and TCX decode of the largest sample of each, and of a 10 MB GPX generated here
//   activity_bench query    Service::list(limit=10) and a page walk over every activity (limit 200) on a fresh
//                           SQLite file, and on PostgreSQL in a throw-away schema when PIERRE_TEST_POSTGRES_URL is set
//                           (the variable the tests use; scripts/start-services.sh prints it)
//   activity_bench all      the three, in that order
//
// Timing: steady_clock around each call, after warm-up calls; the median (and p99 for list) of the runs. Weekly
// totals over the 10 years are timed too, for comparison with the page walk (no target). Every
// run is checked (a decode that fails, a page walk that does not see every activity) — a benchmark of errors would
// be worthless. Environment: BENCH_ACTIVITY_MIN_TIME (seconds per decode case, default 1.0),
// BENCH_ACTIVITY_LIST_RUNS (default 1000), BENCH_ACTIVITY_WALK_RUNS (default 20), BENCH_ACTIVITY_DAYS (default 3650),
// BENCH_ACTIVITY_GPX_MB (size of the synthetic GPX, default 10), PIERRE_SAMPLES_DIR (default: ../shared/samples).

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "bench_support.hpp"
#include "pierre/activity/demo_athlete.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/formats/fit.hpp"
#include "pierre/formats/gpx.hpp"
#include "pierre/formats/tcx.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"

namespace {

namespace fs = std::filesystem;
using pierre::bench::Clock;
using pierre::bench::die;
using pierre::bench::env_number;
using pierre::bench::ms_since;
using pierre::bench::open_or_die;
using pierre::bench::quantile;
using pierre::bench::random_hex;
using pierre::formats::Recording;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path samples_dir() {
  const char* over = std::getenv("PIERRE_SAMPLES_DIR");
  return (over != nullptr && *over != '\0') ? fs::path(over) : fs::path(PIERRE_SAMPLES_DIR);
}

// The largest regular file with this extension (case-insensitive) in dir.
fs::path largest(const fs::path& dir, std::string_view ext) {
  fs::path best;
  std::uintmax_t best_size = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto x = e.path().extension().string();
    std::ranges::transform(x, x.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (x != ext) continue;
    if (e.file_size() > best_size) {
      best_size = e.file_size();
      best = e.path();
    }
  }
  if (best.empty()) die("no *" + std::string(ext) + " file in " + dir.string());
  return best;
}

std::size_t sample_count(const Recording& r) {
  std::size_t n = 0;
  for (const auto& s : r.sessions) n += s.samples.size();
  return n;
}

// Runs `once` (which returns the number of points it decoded) at least 5 times and for at least min_time seconds
// after two warm-up calls; returns the run times in ms.
std::vector<double> time_runs(const std::function<std::size_t()>& once, std::size_t expect_points) {
  const double min_time_ms = env_number("BENCH_ACTIVITY_MIN_TIME", 1.0) * 1000;
  for (int i = 0; i < 2; ++i) {
    if (once() != expect_points) die("decode gave a different result on a repeated run");
  }
  std::vector<double> times;
  const auto started = Clock::now();
  while (times.size() < 5 || ms_since(started) < min_time_ms) {
    const auto t0 = Clock::now();
    const std::size_t points = once();
    times.push_back(ms_since(t0));
    if (points != expect_points) die("decode gave a different result on a repeated run");
  }
  return times;
}

void print_decode(std::string_view kind, const std::string& label, std::size_t bytes, std::string_view unit,
                  std::size_t points, const std::vector<double>& times) {
  const double median_ms = quantile(times, 0.5);
  std::printf("%.*s file=%s bytes=%zu %.*s=%zu runs=%zu median_ms=%.3f mb_s=%.2f %.*s_s=%.0f\n",
              static_cast<int>(kind.size()), kind.data(), label.c_str(), bytes, static_cast<int>(unit.size()),
              unit.data(), points, times.size(), median_ms, static_cast<double>(bytes) / 1e6 / (median_ms / 1e3),
              static_cast<int>(unit.size()), unit.data(), static_cast<double>(points) / (median_ms / 1e3));
  std::fflush(stdout);
}

// ------------------------------------------------------------------ FIT ----------------------------------------
void bench_fit() {
  const auto path = samples_dir() / "fit" / "activity-large-fenxi2-multisport.fit";
  const auto data = read_file(path);
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data.data()), data.size());

  // Record messages as the file holds them (fit::decode, once, untimed), to compare with fit-file-parser's count.
  auto all = pierre::formats::fit::decode(bytes);
  if (!all) die("fit::decode failed: " + all.error().message);
  std::size_t record_messages = 0;
  for (const auto& m : all->messages) record_messages += m.global_number == 20 ? 1 : 0;  // 20 = record

  auto first = pierre::formats::fit::decode_recording(bytes);
  if (!first) die("fit::decode_recording failed: " + first.error().message);
  const std::size_t samples = sample_count(*first);
  if (samples == 0) die("no samples decoded from " + path.string());

  const auto times = time_runs(
      [&] {
        auto r = pierre::formats::fit::decode_recording(bytes);
        if (!r) die("fit::decode_recording failed: " + r.error().message);
        return sample_count(*r);
      },
      samples);
  // records = samples in the Recording (every record message with a timestamp becomes one sample).
  print_decode("fit", path.filename().string(), data.size(), "records", samples, times);
  std::printf("fit_messages record_messages=%zu messages=%zu sessions=%zu\n", record_messages, all->messages.size(),
              first->sessions.size());
  std::fflush(stdout);
}

// ------------------------------------------------------------------ GPX / TCX ----------------------------------
template <typename Decode>
void bench_xml(std::string_view kind, const std::string& label, const std::string& data, Decode decode) {
  auto first = decode(std::string_view(data));
  if (!first) die(std::string(kind) + " decode of " + label + " failed: " + first.error().message);
  const std::size_t points = sample_count(*first);
  if (points == 0) die("no points decoded from " + label);
  const auto times = time_runs(
      [&] {
        auto r = decode(std::string_view(data));
        if (!r) die(std::string(kind) + " decode failed: " + r.error().message);
        return sample_count(*r);
      },
      points);
  print_decode(kind, label, data.size(), "points", points, times);
}

// A GPX 1.1 file of about `target` bytes: one track, one point per second on a loop around Ljubljana, with
// elevation, time and the Garmin TrackPointExtension (hr, cad, atemp) — the shape watches and apps export.
std::string synthetic_gpx(std::size_t target) {
  std::string out;
  out.reserve(target + 4096);
  out +=
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<gpx version=\"1.1\" creator=\"pierre activity_bench\" xmlns=\"http://www.topografix.com/GPX/1/1\" "
      "xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">\n"
      " <metadata><time>2024-05-01T06:00:00Z</time></metadata>\n"
      " <trk><name>Synthetic long ride</name><type>cycling</type><trkseg>\n";
  const std::int64_t start = 1714543200;  // 2024-05-01T06:00:00Z
  for (std::int64_t i = 0; out.size() < target; ++i) {
    const double a = static_cast<double>(i) * 2e-4;
    const double lat = 46.05 + 0.05 * std::sin(a);
    const double lon = 14.50 + 0.07 * std::cos(a);
    const double ele = 300 + 40 * std::sin(a * 7);
    const std::chrono::sys_seconds t{std::chrono::seconds(start + i)};
    out += fmt::format(
        "  <trkpt lat=\"{:.7f}\" lon=\"{:.7f}\"><ele>{:.1f}</ele><time>{:%Y-%m-%dT%H:%M:%S}Z</time>"
        "<extensions><gpxtpx:TrackPointExtension><gpxtpx:atemp>18</gpxtpx:atemp><gpxtpx:hr>{}</gpxtpx:hr>"
        "<gpxtpx:cad>{}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n",
        lat, lon, ele, t, 130 + i % 30, 85 + i % 10);
  }
  out += " </trkseg></trk>\n</gpx>\n";
  return out;
}

void bench_gpx_tcx() {
  const auto gpx_decode = [](std::string_view s) { return pierre::formats::decode_gpx(s); };
  const auto tcx_decode = [](std::string_view s) { return pierre::formats::decode_tcx(s); };
  const auto gpx_path = largest(samples_dir() / "gpx", ".gpx");
  bench_xml("gpx", gpx_path.filename().string(), read_file(gpx_path), gpx_decode);
  const auto tcx_path = largest(samples_dir() / "tcx", ".tcx");
  bench_xml("tcx", tcx_path.filename().string(), read_file(tcx_path), tcx_decode);
  const double mb = env_number("BENCH_ACTIVITY_GPX_MB", 10);
  bench_xml("gpx", fmt::format("synthetic-{:g}MB.gpx", mb), synthetic_gpx(static_cast<std::size_t>(mb * 1e6)),
            gpx_decode);
}

// ------------------------------------------------------------------ queries ------------------------------------
// 10 years of the demo athlete (coarse streams: the list queries never read them), stored for one user, then
// timed. Prints one `query` line.
void bench_queries_on(std::string_view backend, pierre::store::Database& db,
                      const std::vector<pierre::activity::NewActivity>& items) {
  const std::string tenant = "bench-tenant-" + random_hex(4);
  if (auto r = db.execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                          {tenant, std::string("Bench"), tenant, std::int64_t{1'700'000'000'000}});
      !r) {
    die("cannot create the tenant: " + r.error().message);
  }
  auto codec = pierre::store::CursorCodec::create(pierre::crypto::random_bytes(32));
  if (!codec) die("cursor codec: " + codec.error().message);
  pierre::activity::Service service(db, std::move(*codec));
  const pierre::activity::Owner owner{tenant, "bench-user"};

  const auto store_started = Clock::now();
  auto stored = service.store(owner, items);
  if (!stored) die(fmt::format("{}: store failed: {}", backend, stored.error().message));
  const double store_ms = ms_since(store_started);
  const auto total = service.count(owner);
  if (!total || *total != static_cast<std::int64_t>(items.size())) die(std::string(backend) + ": stored count differs");

  // list, limit 10 (the "last 10 activities" every assistant conversation starts with).
  const auto list_runs = static_cast<std::size_t>(env_number("BENCH_ACTIVITY_LIST_RUNS", 1000));
  pierre::activity::ListQuery last10;
  last10.limit = 10;
  std::vector<double> list_ms;
  for (std::size_t i = 0; i < list_runs + 50; ++i) {
    const auto t0 = Clock::now();
    auto page = service.list(owner, last10);
    const double ms = ms_since(t0);
    if (!page || page->activities.size() != 10) die(std::string(backend) + ": list(limit=10) failed");
    if (i >= 50) list_ms.push_back(ms);  // the first 50 warm caches and prepared statements
  }

  // Every activity of the 10 years, newest first, pages of 200 (the largest page the API serves).
  const auto walk_runs = static_cast<std::size_t>(env_number("BENCH_ACTIVITY_WALK_RUNS", 20));
  std::vector<double> walk_ms;
  std::size_t pages = 0;
  for (std::size_t i = 0; i < walk_runs + 2; ++i) {
    const auto t0 = Clock::now();
    pierre::activity::ListQuery q;
    q.limit = pierre::activity::Service::kMaxPageSize;
    std::size_t seen = 0;
    pages = 0;
    for (;;) {
      auto page = service.list(owner, q);
      if (!page) die(fmt::format("{}: page walk failed: {}", backend, page.error().message));
      seen += page->activities.size();
      ++pages;
      if (!page->next_cursor) break;
      q.cursor = std::move(*page->next_cursor);
    }
    const double ms = ms_since(t0);
    if (seen != items.size()) die(fmt::format("{}: page walk saw {} of {} activities", backend, seen, items.size()));
    if (i >= 2) walk_ms.push_back(ms);
  }

  // For comparison (no target): weekly totals over the same 10 years, one query aggregated in C++.
  std::vector<double> totals_ms;
  for (std::size_t i = 0; i < walk_runs + 2; ++i) {
    const auto t0 = Clock::now();
    auto weeks = service.totals(owner, pierre::activity::Period::week, std::nullopt, std::nullopt, std::nullopt);
    const double ms = ms_since(t0);
    if (!weeks || weeks->empty()) die(std::string(backend) + ": totals failed");
    if (i >= 2) totals_ms.push_back(ms);
  }

  std::printf(
      "query backend=%.*s activities=%zu store_ms=%.0f list10_runs=%zu list10_median_ms=%.4f list10_p99_ms=%.4f "
      "walk_runs=%zu walk_pages=%zu walk_median_ms=%.3f walk_max_ms=%.3f totals_week_median_ms=%.3f\n",
      static_cast<int>(backend.size()), backend.data(), items.size(), store_ms, list_ms.size(), quantile(list_ms, 0.5),
      quantile(list_ms, 0.99), walk_ms.size(), pages, quantile(walk_ms, 0.5), quantile(walk_ms, 1.0),
      quantile(totals_ms, 0.5));
  std::fflush(stdout);
}

void bench_queries() {
  pierre::activity::DemoOptions options;
  options.seed = 42;
  options.end_time_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z: fixed, so every run stores the same history
  options.days = static_cast<int>(env_number("BENCH_ACTIVITY_DAYS", 3650));
  options.sample_interval_s = 10;
  const auto generated_started = Clock::now();
  auto demo = pierre::activity::generate_demo_athlete(options);
  std::vector<pierre::activity::NewActivity> items;
  items.reserve(demo.activities.size());
  for (auto& a : demo.activities) items.push_back({std::move(a.activity), std::move(a.streams)});
  std::size_t laps = 0;
  for (const auto& a : items) laps += a.activity.laps.size();
  std::printf("query_setup days=%d activities=%zu laps=%zu generate_ms=%.0f\n", options.days, items.size(), laps,
              ms_since(generated_started));
  std::fflush(stdout);

  {  // SQLite: a file in a temp dir, as `make run` uses it (WAL, pooled connections).
    const auto dir = fs::temp_directory_path() / ("pierre-activity-bench-" + random_hex(6));
    fs::create_directories(dir);
    {
      auto db = open_or_die("sqlite:" + (dir / "pierre.db").string());
      bench_queries_on("sqlite", *db, items);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  const char* pg = std::getenv("PIERRE_TEST_POSTGRES_URL");
  if (pg == nullptr || *pg == '\0') {
    std::printf("query backend=postgresql skipped=PIERRE_TEST_POSTGRES_URL_not_set\n");
    return;
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
    bench_queries_on("postgresql", *db, items);
  }
  if (auto r = admin->execute("DROP SCHEMA " + schema + " CASCADE"); !r) {
    std::fprintf(stderr, "activity_bench: DROP SCHEMA %s failed: %s\n", schema.c_str(), r.error().message.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  pierre::bench::program = "activity_bench";
  spdlog::set_level(spdlog::level::warn);  // no "applying migration" lines in the output
  const std::string mode = argc > 1 ? argv[1] : "all";
  if (mode != "all" && mode != "fit" && mode != "xml" && mode != "query") {
    std::fprintf(stderr, "usage: activity_bench [all|fit|xml|query]\n");
    return 2;
  }
  if (mode == "all" || mode == "fit") bench_fit();
  if (mode == "all" || mode == "xml") bench_gpx_tcx();
  if (mode == "all" || mode == "query") bench_queries();
  return 0;
}
