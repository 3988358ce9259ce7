// Connections (connect state, encrypted tokens, single-flight refresh) and the sync engine (backfill, resume,
// incremental, faults, rate limits, webhooks' single activity, disconnect) with the real Strava client against the
// fake Strava on loopback, on SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "backend_fixture.hpp"
#include "fake_http_server.hpp"
#include "fake_strava.hpp"
#include "loopback_policy.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/providers/connections.hpp"
#include "pierre/providers/sync.hpp"

namespace pierre::providers {
namespace {

using pierre::testing::loopback_policy;

using pierre::testing::describe;
using pierre::testing::FakeFault;
using pierre::testing::FakeStrava;
using ::testing::HasSubstr;

constexpr const char* kTenant = "tenant-sync";
const Owner kAlice{kTenant, "user-alice"};
const Owner kBob{kTenant, "user-bob"};

// Generous: fifty concurrent detail requests to the fake take a while under the sanitizers.
constexpr std::chrono::milliseconds kSyncCallTimeout{30'000};

class SyncTest : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    pierre::testing::add_tenant(db(), kTenant);
    fake_.set_read_rate_limits(100'000, 1'000'000);
    auto keys = auth::KeyStore::open(db(), crypto::Bytes(32, 3));
    ASSERT_TRUE(keys) << describe(keys);
    keys_ = std::move(*keys);
    Settings s;
    s.client_id = FakeStrava::kClientId;
    s.client_secret = FakeStrava::kClientSecret;
    s.redirect_uri = "http://127.0.0.1:1/oauth/callback/strava";
    s.api_base_url = fake_.api_base_url();
    s.oauth_base_url = fake_.oauth_base_url();
    s.policy = loopback_policy(kSyncCallTimeout);
    set_.add(make_strava(s));
    set_.add(make_garmin({}));  // known but not configured
    auto cursors = store::CursorCodec::create(crypto::Bytes(32, 5));
    ASSERT_TRUE(cursors);
    activities_ = std::make_unique<activity::Service>(db(), std::move(*cursors));
    ConnectionsOptions copts;
    copts.clock = [this] { return now_epoch_ms() + clock_offset_ms_.load(); };
    connections_ = std::make_unique<Connections>(db(), *keys_, set_, copts);
    engine_ = make_engine({});
  }
  void TearDown() override {
    engine_.reset();
    connections_.reset();
    activities_.reset();
    keys_.reset();
    BackendTest::TearDown();
  }

  std::unique_ptr<SyncEngine> make_engine(SyncOptions options) {
    options.clock = [this] { return now_epoch_ms() + clock_offset_ms_.load(); };
    options.sleep = [](std::chrono::milliseconds) {};  // backoff without waiting
    return std::make_unique<SyncEngine>(*connections_, *activities_, set_, options, [this](const SyncEvent& e) {
      const std::lock_guard lock(events_mutex_);
      events_.push_back(e.type);
    });
  }

  // The browser's round trip: authorization URL → the fake approves (302) → our callback's code and state.
  struct Redirect {
    std::string state, code, scope;
  };
  Redirect authorize(const Owner& owner) {
    auto start = connections_->begin(owner, "strava");
    EXPECT_TRUE(start) << describe(start);
    if (!start) return {};
    auto approved = net::get(start->authorization_url, loopback_policy(kSyncCallTimeout));
    EXPECT_TRUE(approved) << describe(approved);
    if (!approved) return {};
    EXPECT_EQ(approved->status, 302);
    return {pierre::testing::url_query_param(approved->location, "state"),
            pierre::testing::url_query_param(approved->location, "code"),
            pierre::testing::url_query_param(approved->location, "scope")};
  }
  void connect(const Owner& owner) {
    const auto r = authorize(owner);
    auto done = connections_->complete("strava", r.state, r.code, nullptr, r.scope);
    ASSERT_TRUE(done) << describe(done);
  }
  std::int64_t stored_count(const Owner& owner) { return activities_->count(owner).value_or(-1); }

  FakeStrava fake_;
  ProviderSet set_;
  std::unique_ptr<auth::KeyStore> keys_;
  std::unique_ptr<activity::Service> activities_;
  std::unique_ptr<Connections> connections_;
  std::unique_ptr<SyncEngine> engine_;
  std::atomic<std::int64_t> clock_offset_ms_{0};
  std::mutex events_mutex_;
  std::vector<std::string> events_;
};

TEST_P(SyncTest, ConnectStoresTokensEncryptedAndMapsTheAccount) {
  connect(kAlice);
  auto c = connections_->find(kAlice, "strava");
  ASSERT_TRUE(c && c->has_value()) << describe(c);
  EXPECT_EQ((*c)->status, "connected");
  EXPECT_EQ((*c)->account_id, std::to_string(FakeStrava::kAthleteId));
  EXPECT_THAT((*c)->scope, HasSubstr("activity:read_all"));  // Strava reports the grant on the redirect only
  auto who = connections_->owner_of("strava", std::to_string(FakeStrava::kAthleteId));
  ASSERT_TRUE(who && who->has_value());
  EXPECT_EQ((*who)->user_id, kAlice.user_id);

  auto tokens = connections_->tokens(kAlice, "strava");
  ASSERT_TRUE(tokens) << describe(tokens);
  ASSERT_FALSE(tokens->access_token.empty());
  ASSERT_FALSE(tokens->refresh_token.empty());
  auto rows = db().tenant(store::TenantId(kTenant))
                  .query("SELECT access_token, refresh_token FROM provider_connections WHERE tenant_id = :tenant");
  ASSERT_TRUE(rows) << describe(rows);
  ASSERT_EQ(rows->rows.size(), 1U);
  for (const char* column : {"access_token", "refresh_token"}) {
    const auto blob = rows->rows[0].get<store::Blob>(column).value_or(store::Blob{});
    const std::string bytes(blob.begin(), blob.end());
    EXPECT_EQ(bytes.find(tokens->access_token), std::string::npos) << column;
    EXPECT_EQ(bytes.find(tokens->refresh_token), std::string::npos) << column;
  }
  // The JSON a user or tool sees carries no token.
  const auto shown = (*c)->to_json().dump();
  EXPECT_EQ(shown.find(tokens->access_token), std::string::npos);
  EXPECT_EQ(shown.find(tokens->refresh_token), std::string::npos);
}

TEST_P(SyncTest, StateIsSingleUseBoundToProviderAndUserAndExpires) {
  // Replayed.
  auto first = authorize(kAlice);
  ASSERT_TRUE(connections_->complete("strava", first.state, first.code, nullptr));
  auto replay = connections_->complete("strava", first.state, first.code, nullptr);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::auth_invalid);
  ASSERT_TRUE(connections_->remove(kAlice, "strava"));

  // Tampered, and used on another provider's callback (which spends it).
  auto second = authorize(kAlice);
  EXPECT_EQ(connections_->complete("strava", second.state + "x", second.code, nullptr).error().code,
            ErrorCode::auth_invalid);
  EXPECT_EQ(connections_->complete("garmin", second.state, second.code, nullptr).error().code, ErrorCode::auth_invalid);
  EXPECT_FALSE(connections_->complete("strava", second.state, second.code, nullptr));

  // Completed by a signed-in user who is not the one who started it.
  auto third = authorize(kAlice);
  auto foreign = connections_->complete("strava", third.state, third.code, &kBob);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::permission_denied);

  // Expired (10 minutes).
  auto fourth = authorize(kAlice);
  clock_offset_ms_ = 11 * 60 * 1000;
  EXPECT_EQ(connections_->complete("strava", fourth.state, fourth.code, nullptr).error().code, ErrorCode::auth_invalid);
  clock_offset_ms_ = 0;

  // None of it stored anything, for either user.
  EXPECT_FALSE(connections_->find(kAlice, "strava")->has_value());
  EXPECT_FALSE(connections_->find(kBob, "strava")->has_value());
  EXPECT_EQ(fake_.stats().code_exchanges, 1);  // only the first, legitimate one reached the provider
}

TEST_P(SyncTest, UnknownOrUnconfiguredProvidersAreClearErrors) {
  EXPECT_EQ(connections_->begin(kAlice, "polar").error().code, ErrorCode::resource_not_found);
  auto garmin = connections_->begin(kAlice, "garmin");
  ASSERT_FALSE(garmin);
  EXPECT_EQ(garmin.error().code, ErrorCode::config_missing);
  EXPECT_THAT(garmin.error().message, HasSubstr("not configured"));
  EXPECT_EQ(engine_->sync(kAlice, "strava").error().code, ErrorCode::resource_not_found);
}

TEST_P(SyncTest, BackfillResumesFromItsCursorThenIncrementalFetchesOnlyWhatIsNew) {
  fake_.seed_activities(450, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  SyncOptions capped;
  capped.page_size = 100;
  capped.max_pages_per_run = 2;
  engine_ = make_engine(capped);
  auto partial = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(partial) << describe(partial);
  EXPECT_EQ(partial->added, 200);
  EXPECT_FALSE(partial->backfill_complete);
  EXPECT_EQ(partial->stopped_by, "budget");

  // A new engine (a restarted server) goes on from the saved cursor, not from the start.
  SyncOptions normal;
  normal.page_size = 100;
  engine_ = make_engine(normal);
  const auto lists_before = fake_.stats().activity_list_calls;
  auto rest = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(rest) << describe(rest);
  EXPECT_TRUE(rest->backfill_complete);
  EXPECT_EQ(rest->added, 250);
  EXPECT_EQ(stored_count(kAlice), 450);
  // 250 left = pages of 100, 100, 50 (the short page ends the backfill) + one incremental page.
  EXPECT_EQ(fake_.stats().activity_list_calls - lists_before, 4);
  auto c = connections_->find(kAlice, "strava");
  EXPECT_EQ((*c)->activities_synced, 450);
  EXPECT_TRUE((*c)->backfill_complete);
  EXPECT_TRUE((*c)->last_sync_at_ms.has_value());

  // Steady state: one new activity costs one list call.
  fake_.add_activity(now_epoch_ms() - 60'000);
  const auto before = fake_.stats();
  auto again = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(again) << describe(again);
  EXPECT_EQ(again->added, 1);
  EXPECT_EQ(stored_count(kAlice), 451);
  EXPECT_EQ(fake_.stats().api_calls - before.api_calls, 1);
  {
    const std::lock_guard lock(events_mutex_);
    EXPECT_NE(std::find(events_.begin(), events_.end(), "sync_complete"), events_.end());
  }
}

TEST_P(SyncTest, TransientFailuresAreRetriedAndPermanentOnesRecordedWithoutDamage) {
  fake_.seed_activities(30, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  fake_.fail_next(FakeFault::server_error, 2);
  auto ok = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(ok) << describe(ok);
  EXPECT_EQ(stored_count(kAlice), 30);

  fake_.add_activity(now_epoch_ms() - 1000);
  fake_.fail_next(FakeFault::malformed_json, 1);
  auto broken = engine_->sync(kAlice, "strava");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::external_service_error);
  auto c = connections_->find(kAlice, "strava");
  ASSERT_TRUE((*c)->last_sync_error.has_value());
  EXPECT_EQ(stored_count(kAlice), 30);

  auto healed = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(healed) << describe(healed);
  EXPECT_EQ(stored_count(kAlice), 31);
  EXPECT_FALSE(connections_->find(kAlice, "strava")->value().last_sync_error.has_value());
}

TEST_P(SyncTest, RateLimitStopsTheRunAndTheSharedBudgetHoldsUntilTheWindowEnds) {
  fake_.seed_activities(20, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  fake_.fail_next(FakeFault::rate_limited, 1);
  auto limited = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(limited) << describe(limited);
  EXPECT_EQ(limited->stopped_by, "rate_limited");
  ASSERT_TRUE(limited->resume_after_ms.has_value());
  auto status = engine_->status(kAlice);
  ASSERT_TRUE(status);
  const auto& strava = (*status)["providers"][0];
  EXPECT_TRUE(strava["rate_limit"].contains("paused_until")) << strava.dump();
  EXPECT_THAT(strava["last_sync_error"].get<std::string>(), HasSubstr("rate limit"));

  // Until then, nobody's run reaches the provider (the budget is per provider, shared by all users).
  const auto calls = fake_.stats().api_calls;
  auto held = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(held);
  EXPECT_EQ(held->stopped_by, "rate_limited");
  EXPECT_EQ(fake_.stats().api_calls, calls);

  clock_offset_ms_ = *limited->resume_after_ms - now_epoch_ms() + 1000;
  auto resumed = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(resumed) << describe(resumed);
  EXPECT_TRUE(resumed->backfill_complete);
  EXPECT_EQ(stored_count(kAlice), 20);
}

TEST_P(SyncTest, BackgroundWorkLeavesAReserveOfTheRateLimitForInteractiveCalls) {
  fake_.seed_activities(200, now_epoch_ms() - 3'600'000);
  fake_.set_read_rate_limits(20, 100'000);  // 20 requests per 15 minutes
  connect(kAlice);
  SyncOptions small_pages;
  small_pages.page_size = 5;
  engine_ = make_engine(small_pages);
  auto run = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(run) << describe(run);
  EXPECT_EQ(run->stopped_by, "rate_limited");
  EXPECT_EQ(fake_.stats().api_calls, 18);  // stopped at 90 % of the window, before the provider had to refuse
  // A tool waiting for an activity's samples still gets them from the reserve…
  auto stored = activities_->history(kAlice, 0, now_epoch_ms() + 1);
  ASSERT_TRUE(stored && !stored->empty());
  auto detail = engine_->ensure_detail(kAlice, stored->back());
  ASSERT_TRUE(detail) << describe(detail);
  EXPECT_FALSE(detail->empty());
  // …and background work stays paused without calling the provider.
  const auto calls = fake_.stats().api_calls;
  auto held = engine_->sync(kAlice, "strava");
  ASSERT_TRUE(held);
  EXPECT_EQ(held->stopped_by, "rate_limited");
  EXPECT_EQ(fake_.stats().api_calls, calls);
}

TEST_P(SyncTest, FiftyConcurrentCallsDuringATokenExpiryRefreshOnce) {
  fake_.seed_activities(50, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  ASSERT_TRUE(engine_->sync(kAlice, "strava"));
  auto page = activities_->history(kAlice, 0, now_epoch_ms() + 1);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 50U);
  fake_.expire_access_tokens();   // every call now gets 401 until a refresh
  fake_.set_token_delay_ms(300);  // a slow token endpoint widens the race
  const auto refreshes_before = fake_.stats().refreshes;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (const auto& a : *page) {
    threads.emplace_back([&, a] {
      auto detail = engine_->ensure_detail(kAlice, a);
      if (detail && !detail->empty()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(fake_.stats().refreshes - refreshes_before, 1);
  // The samples are stored now: reading them again costs no provider call.
  const auto calls = fake_.stats().api_calls;
  auto again = engine_->ensure_detail(kAlice, page->front());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->empty());
  EXPECT_EQ(fake_.stats().api_calls, calls);
}

TEST_P(SyncTest, ARefusedRefreshMarksTheConnectionForReauthorisation) {
  fake_.seed_activities(5, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  fake_.revoke_refresh_tokens();
  fake_.expire_access_tokens();
  auto failed = engine_->sync(kAlice, "strava");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::external_auth_failed);
  EXPECT_THAT(failed.error().message, HasSubstr("connect_provider"));
  EXPECT_EQ(connections_->find(kAlice, "strava")->value().status, "needs_reauth");
  auto token = connections_->access_token(kAlice, "strava");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().details.value("status", ""), "needs_reauth");

  // Connecting again heals it.
  connect(kAlice);
  EXPECT_EQ(connections_->find(kAlice, "strava")->value().status, "connected");
  EXPECT_TRUE(engine_->sync(kAlice, "strava"));
  EXPECT_EQ(stored_count(kAlice), 5);
}

TEST_P(SyncTest, APushedActivityIsFetchedAloneAndDeletesFollow) {
  fake_.seed_activities(3, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  ASSERT_TRUE(engine_->sync(kAlice, "strava"));
  const auto id = fake_.add_activity(now_epoch_ms() - 600'000);
  const auto before = fake_.stats();
  auto pushed = engine_->sync_one("strava", std::to_string(FakeStrava::kAthleteId), id);
  ASSERT_TRUE(pushed) << describe(pushed);
  EXPECT_TRUE(*pushed);
  EXPECT_EQ(fake_.stats().activity_list_calls, before.activity_list_calls);
  EXPECT_GE(fake_.stats().activity_detail_calls - before.activity_detail_calls, 1);
  EXPECT_EQ(stored_count(kAlice), 4);
  auto stored = activities_->find_by_source(kAlice, "strava", id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_TRUE(activities_->streams(kAlice, (*stored)->id)->has_value());  // pushed with its samples

  EXPECT_FALSE(*engine_->sync_one("strava", "999", id));  // an account nobody here connected
  auto removed = engine_->sync_one("strava", std::to_string(FakeStrava::kAthleteId), id, /*deleted=*/true);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_EQ(stored_count(kAlice), 3);
}

TEST_P(SyncTest, DisconnectRevokesAtTheProviderAndKeepsDataUnlessAsked) {
  fake_.seed_activities(6, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  ASSERT_TRUE(engine_->sync(kAlice, "strava"));
  auto kept = engine_->disconnect(kAlice, "strava", false);
  ASSERT_TRUE(kept) << describe(kept);
  EXPECT_EQ((*kept)["revoked_at_provider"], true);
  EXPECT_EQ(fake_.stats().revocations, 1);
  EXPECT_EQ(stored_count(kAlice), 6);
  EXPECT_FALSE(connections_->find(kAlice, "strava")->has_value());
  EXPECT_FALSE(connections_->owner_of("strava", std::to_string(FakeStrava::kAthleteId))->has_value());
  EXPECT_EQ(engine_->disconnect(kAlice, "strava", false).error().code, ErrorCode::resource_not_found);

  connect(kAlice);
  auto deleted = engine_->disconnect(kAlice, "strava", true);
  ASSERT_TRUE(deleted) << describe(deleted);
  EXPECT_EQ((*deleted)["activities_deleted"], 6);
  EXPECT_EQ(stored_count(kAlice), 0);
}

TEST_P(SyncTest, ConcurrentSyncRequestsShareOneRun) {
  fake_.seed_activities(40, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (engine_->sync(kAlice, "strava")) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(stored_count(kAlice), 40);
  EXPECT_LE(fake_.stats().activity_list_calls, 8 * 2);  // never more than one run's pages per request…
  EXPECT_EQ(connections_->find(kAlice, "strava")->value().activities_synced, 40);  // …and nothing counted twice
}

TEST_P(SyncTest, ReadersCatchUpOnlyWhenStaleAndFirstBackfillsRunInTheBackground) {
  fake_.seed_activities(25, now_epoch_ms() - 3'600'000);
  connect(kAlice);
  // Not backfilled yet: the reader does not wait; the background thread does the walk (once, however often asked).
  engine_->start();
  const auto lists_before = fake_.stats().activity_list_calls;
  for (int i = 0; i < 5; ++i) engine_->sync_if_stale(kAlice);
  for (int i = 0; i < 200 && !connections_->find(kAlice, "strava")->value().backfill_complete; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(connections_->find(kAlice, "strava")->value().backfill_complete);
  engine_->stop();
  EXPECT_EQ(stored_count(kAlice), 25);
  EXPECT_LE(fake_.stats().activity_list_calls - lists_before, 3);  // one run: a short page + one incremental page

  // Fresh: nothing is asked of the provider.
  fake_.add_activity(now_epoch_ms() - 1000);
  auto calls = fake_.stats().api_calls;
  engine_->sync_if_stale(kAlice);
  EXPECT_EQ(fake_.stats().api_calls, calls);
  EXPECT_EQ(stored_count(kAlice), 25);

  // Stale (SYNC_STALENESS_SECS later): one incremental call brings the new activity, with progress reported.
  clock_offset_ms_ = 16 * 60 * 1000;
  int progress_reports = 0;
  engine_->sync_if_stale(kAlice, [&](const SyncProgress& p) {
    ++progress_reports;
    EXPECT_EQ(p.provider, "strava");
  });
  EXPECT_EQ(fake_.stats().api_calls - calls, 1);
  EXPECT_EQ(stored_count(kAlice), 26);
  EXPECT_GE(progress_reports, 1);
}

INSTANTIATE_TEST_SUITE_P(providers, SyncTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace pierre::providers
