// Provider sync cost (`bench/run.sh providers` runs it and prints the report; this program prints one
// machine-readable line per measurement, key=value separated by spaces).
//
// What: the first sync of a newly connected Strava account holding BENCH_PROVIDERS_ACTIVITIES (default 2000)
// activities — providers::SyncEngine::sync with the real Strava client (providers::make_strava), Connections (tokens
// encrypted by auth::KeyStore) and activity::Service — against the fake Strava (tests/support/fake_strava.hpp) on
// loopback, its read rate limits raised so nothing throttles. Every run uses a fresh database and a fresh
// connection (begin → the fake's authorization URL → its 302's code and state → complete; untimed).
//
// Calls: Strava lists at most 200 activities per page and says nothing about whether more follow, so N activities
// need ceil(N/200) pages to carry them, and a client that does not know N learns the end only from a short page:
// when N is a multiple of 200 the last full page is followed by an empty one. The minimum is floor(N/200) + 1
// list calls (11 for 2 000). The engine's first run is that backfill plus one incremental page ("after" the newest
// activity: what arrived while the backfill ran); both are counted, from the fake's request counters and the
// engine's progress callback.
//
// Reference, measured in the same run on the same machine so the ratio means something when the machine is busy:
//   raw fetch   the minimum's list calls as bare net::send GETs with the bearer token (same URLs, no JSON parsing)
//   store       activity::Service::store of the same summaries in pages of 200 (the engine's transaction size) on
//               another fresh database
// ratio = backfill / (raw fetch + store): what the engine adds over the unavoidable transfer and writes (JSON
// mapping, the connection's bookkeeping after every page, token access, the extra incremental call). The client's
// Provider::list_activities of the same pages (fetch + parse into activity::Activity) is timed too, as a breakdown.
//
// The fake builds every summary it lists from the activity's generated samples, so its answers cost far more than
// the client's work and dominate the wall times (raw fetch included): the wall ratio says whether the engine adds
// waiting over the bare calls. This thread's CPU time (cpu_*: curl, JSON mapping, SQLite, bookkeeping — the fake
// serves from its own threads, PostgreSQL from its own processes) says what the engine itself costs, and its ratio
// against the same references is the number to watch.
//
// Steady state, after each backfill: one new activity on the fake, then one incremental SyncEngine::sync (expect 1
// provider call), and a second new activity pushed as a webhook would (SyncEngine::sync_one: the activity with its
// samples, no list call).
//
// Timing: steady_clock; BENCH_PROVIDERS_WARMUP (default 1) untimed runs, then BENCH_PROVIDERS_RUNS (default 5)
// measured runs; medians (nearest rank) and the median of the per-run ratios. On a SQLite file in a temp dir, and
// on PostgreSQL in a throw-away schema per database when PIERRE_TEST_POSTGRES_URL is set (as activity_bench).
// Every run is checked (all activities stored, the backfill complete, the steady-state activities stored): a
// benchmark of errors would be worthless.
//
// Lines: providers_setup, providers_calls (per backend), providers (per backend; or skipped=…).

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_support.hpp"
#include "fake_strava.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/net/http_client.hpp"
#include "pierre/providers/connections.hpp"
#include "pierre/providers/provider.hpp"
#include "pierre/providers/sync.hpp"
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
using pierre::providers::Owner;
using pierre::testing::FakeStrava;

constexpr int kPerPage = 200;  // Strava's largest page, and the engine's default page size
constexpr std::string_view kTenant = "bench-tenant";
const Owner kAthlete{std::string(kTenant), "bench-athlete"};

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

pierre::net::FetchPolicy loopback() {
  pierre::net::FetchPolicy p;
  p.allowed_schemes = {"http"};
  p.allow_private_addresses = true;
  p.total_timeout = std::chrono::milliseconds(30'000);
  p.max_response_bytes = 16 * 1024 * 1024;  // as the Strava client allows itself
  return p;
}

// "…?a=1&b=2" → the value of `name` (the fake's redirect carries plain base64url and ids: nothing to decode).
std::string query_value(std::string_view url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return {};
  auto rest = url.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == name) return std::string(pair.substr(pair.find('=') + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

// Fresh databases of one backend: a file per database in a temp dir for SQLite, a throw-away schema per database
// on PostgreSQL; everything removed by the destructor.
class Backend {
 public:
  Backend(std::string name, std::string pg_url) : name_(std::move(name)), pg_url_(std::move(pg_url)) {
    if (name_ == "sqlite") {
      dir_ = fs::temp_directory_path() / ("pierre-providers-bench-" + random_hex(6));
      fs::create_directories(dir_);
    } else {
      pierre::store::OpenOptions admin_options;
      admin_options.pool_size = 1;
      admin_options.apply_migrations = false;
      admin_ = open_or_die(pg_url_, admin_options);
    }
  }
  ~Backend() {
    if (admin_) {
      for (const auto& schema : schemas_) {
        if (auto r = admin_->execute("DROP SCHEMA " + schema + " CASCADE"); !r) {
          std::fprintf(stderr, "providers_bench: DROP SCHEMA %s failed: %s\n", schema.c_str(),
                       r.error().message.c_str());
        }
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }

  // A new, migrated database with the bench tenant in it.
  std::unique_ptr<pierre::store::Database> fresh() {
    std::unique_ptr<pierre::store::Database> db;
    if (admin_) {
      const std::string schema = "pierre_bench_" + random_hex(6);
      if (auto r = admin_->execute("CREATE SCHEMA " + schema); !r) die("CREATE SCHEMA failed: " + r.error().message);
      schemas_.push_back(schema);
      db = open_or_die(pg_url_ + (pg_url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
                       schema);
    } else {
      db = open_or_die("sqlite:" + (dir_ / fmt::format("db-{}.sqlite", ++files_)).string());
    }
    if (auto r = db->execute(
            "INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
            {std::string(kTenant), std::string("Bench"), std::string(kTenant), std::int64_t{1'700'000'000'000}});
        !r) {
      die("cannot create the tenant: " + r.error().message);
    }
    return db;
  }

 private:
  std::string name_;
  std::string pg_url_;
  fs::path dir_;
  int files_ = 0;
  std::unique_ptr<pierre::store::Database> admin_;
  std::vector<std::string> schemas_;
};

pierre::activity::Service make_activities(pierre::store::Database& db) {
  auto codec = pierre::store::CursorCodec::create(pierre::crypto::random_bytes(32));
  if (!codec) die("cursor codec: " + codec.error().message);
  return pierre::activity::Service(db, std::move(*codec));
}

// What one run measured.
struct Run {
  double backfill_ms = 0, backfill_cpu_ms = 0;
  double raw_fetch_ms = 0, raw_fetch_cpu_ms = 0;
  double client_list_ms = 0, client_list_cpu_ms = 0;
  double store_ms = 0, store_cpu_ms = 0;
  int backfill_pages = 0;     // progress callbacks in the backfill phase
  int incremental_pages = 0;  // … in the incremental phase of the same run
  int list_calls = 0;         // the fake's counters over the sync
  int api_calls = 0;
  int report_calls = 0;  // SyncReport::provider_calls
  double incremental_ms = 0;
  int incremental_api_calls = 0;
  int incremental_list_calls = 0;
  double push_ms = 0;
  int push_api_calls = 0;
  int push_list_calls = 0;
  int push_detail_calls = 0;
};

// The engine's backfill asks for activities before "now" and after now − backfill_horizon; the raw fetch asks for
// the same window in the same seconds.
std::string list_url(const FakeStrava& fake, int page, std::int64_t before_ms, std::int64_t after_ms) {
  return fmt::format("{}/athlete/activities?page={}&per_page={}&before={}&after={}", fake.api_base_url(), page,
                     kPerPage, (before_ms + 999) / 1000, after_ms / 1000);
}

Run run_once(Backend& backend, FakeStrava& fake, pierre::providers::ProviderSet& set, int activities,
             std::int64_t newest_start_ms) {
  Run out;
  fake.seed_activities(activities, newest_start_ms);
  const int min_calls = activities / kPerPage + 1;

  // --- the athlete's database: keys, connection (untimed) ---
  auto db = backend.fresh();
  auto keys = pierre::auth::KeyStore::open(*db, pierre::crypto::random_bytes(32));
  if (!keys) die("KeyStore::open failed: " + keys.error().message);
  auto service = make_activities(*db);
  pierre::providers::Connections connections(*db, **keys, set);
  pierre::providers::SyncEngine engine(connections, service, set);
  {
    auto start = connections.begin(kAthlete, pierre::providers::kStrava);
    if (!start) die("Connections::begin failed: " + start.error().message);
    auto approved = pierre::net::get(start->authorization_url, loopback());
    if (!approved || approved->status != 302) die("the fake's authorization did not redirect");
    auto done = connections.complete(pierre::providers::kStrava, query_value(approved->location, "state"),
                                     query_value(approved->location, "code"), nullptr);
    if (!done) die("Connections::complete failed: " + done.error().message);
  }
  auto token = connections.access_token(kAthlete, pierre::providers::kStrava);
  if (!token) die("no access token: " + token.error().message);

  // --- reference 1: the minimum's list calls, bare HTTP ---
  const std::int64_t before_ms = pierre::now_epoch_ms();
  const std::int64_t after_ms = before_ms - std::int64_t{10} * 365 * 24 * 3600 * 1000;  // the default horizon
  {
    pierre::net::Request request;
    request.headers = {{"Authorization", "Bearer " + *token}};
    std::vector<std::string> bodies;
    const double cpu0 = thread_cpu_ms();
    const auto t0 = Clock::now();
    for (int page = 1; page <= min_calls; ++page) {
      request.url = list_url(fake, page, before_ms, after_ms);
      auto r = pierre::net::send(request, loopback());
      if (!r || r->status != 200) die(fmt::format("raw list page {} failed", page));
      bodies.push_back(std::move(r->body));
    }
    out.raw_fetch_ms = ms_since(t0);
    out.raw_fetch_cpu_ms = thread_cpu_ms() - cpu0;
    std::size_t seen = 0;
    for (const auto& b : bodies) seen += nlohmann::json::parse(b).size();
    // The last call is the short page (empty when the count is a multiple of 200) that says the list ended.
    if (seen != static_cast<std::size_t>(activities) || nlohmann::json::parse(bodies.back()).size() >= kPerPage) {
      die(fmt::format("the raw fetch saw {} of {} activities", seen, activities));
    }
  }

  // --- the client's list (fetch + parse), giving the summaries for reference 2 ---
  std::vector<std::vector<pierre::activity::NewActivity>> pages;
  {
    auto* strava = set.find(pierre::providers::kStrava);
    pierre::providers::ListQuery q;
    q.before_ms = before_ms;
    q.after_ms = after_ms;
    q.per_page = kPerPage;
    const double cpu0 = thread_cpu_ms();
    const auto t0 = Clock::now();
    for (;;) {
      auto page = strava->list_activities(*token, q);
      if (!page) die("Provider::list_activities failed: " + page.error().message);
      std::vector<pierre::activity::NewActivity> items;
      items.reserve(page->activities.size());
      for (auto& a : page->activities) items.push_back({std::move(a), {}});
      pages.push_back(std::move(items));
      if (page->next_page_token.empty()) break;
      q.page_token = page->next_page_token;
    }
    out.client_list_ms = ms_since(t0);
    out.client_list_cpu_ms = thread_cpu_ms() - cpu0;
  }

  // --- reference 2: storing the same summaries, pages of 200, on another fresh database ---
  {
    auto ref_db = backend.fresh();
    auto ref_service = make_activities(*ref_db);
    const Owner ref_owner{std::string(kTenant), "bench-reference"};
    const double cpu0 = thread_cpu_ms();
    const auto t0 = Clock::now();
    for (auto& items : pages) {
      if (items.empty()) continue;
      auto stored = ref_service.store(ref_owner, std::move(items));
      if (!stored) die("reference store failed: " + stored.error().message);
    }
    out.store_ms = ms_since(t0);
    out.store_cpu_ms = thread_cpu_ms() - cpu0;
    if (ref_service.count(ref_owner).value_or(-1) != activities) die("the reference store has a different count");
  }

  // --- the backfill: the connection's first sync ---
  {
    const auto before = fake.stats();
    const double cpu0 = thread_cpu_ms();
    const auto t0 = Clock::now();
    auto report = engine.sync(kAthlete, pierre::providers::kStrava, [&](const pierre::providers::SyncProgress& p) {
      ++(p.phase == "backfill" ? out.backfill_pages : out.incremental_pages);
    });
    out.backfill_ms = ms_since(t0);
    out.backfill_cpu_ms = thread_cpu_ms() - cpu0;
    if (!report) die("backfill failed: " + report.error().message);
    const auto after = fake.stats();
    out.list_calls = after.activity_list_calls - before.activity_list_calls;
    out.api_calls = after.api_calls - before.api_calls;
    out.report_calls = report->provider_calls;
    if (!report->backfill_complete || report->stopped_by || report->added != activities ||
        service.count(kAthlete).value_or(-1) != activities) {
      die(fmt::format("the backfill stored {} of {} activities (complete={}, stopped_by={})", report->added, activities,
                      report->backfill_complete, report->stopped_by.value_or("-")));
    }
  }

  // --- steady state: one new activity, one incremental sync ---
  {
    fake.add_activity(pierre::now_epoch_ms() - 60'000);
    const auto before = fake.stats();
    const auto t0 = Clock::now();
    auto report = engine.sync(kAthlete, pierre::providers::kStrava);
    out.incremental_ms = ms_since(t0);
    if (!report || report->added != 1) die("the incremental sync did not add the new activity");
    const auto after = fake.stats();
    out.incremental_api_calls = after.api_calls - before.api_calls;
    out.incremental_list_calls = after.activity_list_calls - before.activity_list_calls;
  }

  // --- steady state: a webhook names one new activity ---
  {
    const auto id = fake.add_activity(pierre::now_epoch_ms() - 30'000);
    const auto before = fake.stats();
    const auto t0 = Clock::now();
    auto pushed = engine.sync_one(pierre::providers::kStrava, std::to_string(FakeStrava::kAthleteId), id);
    out.push_ms = ms_since(t0);
    if (!pushed || !*pushed) die("sync_one did not store the pushed activity");
    const auto after = fake.stats();
    out.push_api_calls = after.api_calls - before.api_calls;
    out.push_list_calls = after.activity_list_calls - before.activity_list_calls;
    out.push_detail_calls = after.activity_detail_calls - before.activity_detail_calls;
    if (service.count(kAthlete).value_or(-1) != activities + 2) die("the pushed activity is not stored");
  }
  return out;
}

template <typename F>
std::vector<double> each(const std::vector<Run>& runs, F f) {
  std::vector<double> v;
  v.reserve(runs.size());
  for (const auto& r : runs) v.push_back(static_cast<double>(f(r)));
  return v;
}

void bench_backend(Backend& backend, int activities, int warmup, int measured) {
  FakeStrava fake;
  fake.set_read_rate_limits(1'000'000'000, 1'000'000'000);
  pierre::providers::Settings s;
  s.client_id = FakeStrava::kClientId;
  s.client_secret = FakeStrava::kClientSecret;
  s.redirect_uri = "http://127.0.0.1:1/oauth/callback/strava";
  s.api_base_url = fake.api_base_url();
  s.oauth_base_url = fake.oauth_base_url();
  s.policy = loopback();
  pierre::providers::ProviderSet set;
  set.add(pierre::providers::make_strava(s));
  const std::int64_t newest_start_ms = pierre::now_epoch_ms() - 3'600'000;

  std::vector<Run> runs;
  for (int i = 0; i < warmup + measured; ++i) {
    auto r = run_once(backend, fake, set, activities, newest_start_ms);
    if (i >= warmup) runs.push_back(r);
  }
  // The call counts must not vary between runs (the fake and the engine are deterministic); say so if they do.
  for (const auto& r : runs) {
    if (r.list_calls != runs.front().list_calls || r.api_calls != runs.front().api_calls ||
        r.incremental_api_calls != runs.front().incremental_api_calls ||
        r.push_api_calls != runs.front().push_api_calls) {
      std::fprintf(stderr, "providers_bench: provider call counts differ between runs\n");
    }
  }
  const auto& c = runs.front();
  std::printf(
      "providers_calls backend=%s backfill_pages=%d incremental_pages=%d list_calls=%d api_calls=%d report_calls=%d "
      "steady_incremental_api_calls=%d steady_incremental_list_calls=%d push_api_calls=%d push_list_calls=%d "
      "push_detail_calls=%d\n",
      backend.name().c_str(), c.backfill_pages, c.incremental_pages, c.list_calls, c.api_calls, c.report_calls,
      c.incremental_api_calls, c.incremental_list_calls, c.push_api_calls, c.push_list_calls, c.push_detail_calls);

  const auto backfills = each(runs, [](const Run& r) { return r.backfill_ms; });
  const double backfill = quantile(backfills, 0.5);
  const double raw = quantile(each(runs, [](const Run& r) { return r.raw_fetch_ms; }), 0.5);
  const double store = quantile(each(runs, [](const Run& r) { return r.store_ms; }), 0.5);
  const double ratio =
      quantile(each(runs, [](const Run& r) { return r.backfill_ms / (r.raw_fetch_ms + r.store_ms); }), 0.5);
  const double overhead =
      quantile(each(runs, [](const Run& r) { return r.backfill_ms - r.raw_fetch_ms - r.store_ms; }), 0.5);
  const double cpu_ratio =
      quantile(each(runs, [](const Run& r) { return r.backfill_cpu_ms / (r.raw_fetch_cpu_ms + r.store_cpu_ms); }), 0.5);
  std::printf(
      "providers backend=%s runs=%zu activities=%d backfill_median_ms=%.1f backfill_min_ms=%.1f backfill_max_ms=%.1f "
      "activities_s=%.0f raw_fetch_median_ms=%.1f client_list_median_ms=%.1f store_median_ms=%.1f ratio=%.2f "
      "overhead_median_ms=%.1f backfill_cpu_median_ms=%.1f raw_fetch_cpu_median_ms=%.1f "
      "client_list_cpu_median_ms=%.1f store_cpu_median_ms=%.1f cpu_ratio=%.2f incremental_median_ms=%.2f "
      "push_median_ms=%.2f\n",
      backend.name().c_str(), runs.size(), activities, backfill, std::ranges::min(backfills),
      std::ranges::max(backfills), activities / (backfill / 1000), raw,
      quantile(each(runs, [](const Run& r) { return r.client_list_ms; }), 0.5), store, ratio, overhead,
      quantile(each(runs, [](const Run& r) { return r.backfill_cpu_ms; }), 0.5),
      quantile(each(runs, [](const Run& r) { return r.raw_fetch_cpu_ms; }), 0.5),
      quantile(each(runs, [](const Run& r) { return r.client_list_cpu_ms; }), 0.5),
      quantile(each(runs, [](const Run& r) { return r.store_cpu_ms; }), 0.5), cpu_ratio,
      quantile(each(runs, [](const Run& r) { return r.incremental_ms; }), 0.5),
      quantile(each(runs, [](const Run& r) { return r.push_ms; }), 0.5));
  std::fflush(stdout);
}

}  // namespace

int main() {
  pierre::bench::program = "providers_bench";
  spdlog::set_level(spdlog::level::warn);  // no "applying migration" lines in the output
  const int activities = static_cast<int>(env_number("BENCH_PROVIDERS_ACTIVITIES", 2000));
  const int measured = static_cast<int>(env_number("BENCH_PROVIDERS_RUNS", 5));
  const char* warmup_env = std::getenv("BENCH_PROVIDERS_WARMUP");  // 0 is allowed here
  const int warmup = (warmup_env != nullptr && *warmup_env != '\0') ? std::atoi(warmup_env) : 1;
  const int data_pages = (activities + kPerPage - 1) / kPerPage;
  std::printf("providers_setup activities=%d per_page=%d runs=%d warmup=%d min_data_pages=%d min_list_calls=%d\n",
              activities, kPerPage, measured, warmup, data_pages, activities / kPerPage + 1);
  std::fflush(stdout);

  {
    Backend sqlite("sqlite", "");
    bench_backend(sqlite, activities, warmup, measured);
  }
  const char* pg = std::getenv("PIERRE_TEST_POSTGRES_URL");
  if (pg == nullptr || *pg == '\0') {
    std::printf("providers backend=postgresql skipped=PIERRE_TEST_POSTGRES_URL_not_set\n");
    return 0;
  }
  Backend postgres("postgresql", pg);
  bench_backend(postgres, activities, warmup, measured);
  return 0;
}
