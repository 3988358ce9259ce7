#pragma once
// The sync engine: provider activities into the local store, per user × provider.
//
//   backfill     newest first, a page of summaries at a time (`before` = the oldest start seen so far), the cursor
//                saved after every page, so a crash or a rate-limit stop resumes where it was; done when a page
//                comes back empty (or reaches `backfill_horizon`).
//   incremental  after the backfill: summaries that start after the newest synced one, paged by the provider.
//   details      laps and samples are fetched lazily, when a tool needs them (ensure_detail), one call per activity.
//   push         a webhook (Strava event, Garmin ping) names one new activity: sync_one fetches just that one.
//
// Every provider call goes through the same guard: a shared budget per provider that stops before the provider's
// own limits (from its rate-limit headers: Strava's 15-minute and daily windows, Google's hourly) with a reserve
// kept for interactive calls; retries with exponential backoff and full jitter on 5xx/timeouts; a 401 refreshes the
// token once (Connections::refresh_after_rejection, single-flight) and retries. A 429 or an exhausted budget ends
// the run with the connection's last_sync_error saying until when; the scheduler comes back later.
//
// Runs are single-flight per connection: a second request for the same connection while one runs waits for it and
// shares its report. Progress is reported through a callback (MCP progress notifications, SSE events).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "pierre/activity/service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/providers/connections.hpp"

namespace pierre::providers {

struct SyncProgress {
  std::string provider;
  std::string phase;         // "backfill" | "incremental"
  std::int64_t fetched = 0;  // activities received so far in this run
  std::int64_t added = 0;    // new in the store
  int pages = 0;
};

struct SyncReport {
  std::string provider;
  std::int64_t fetched = 0;
  std::int64_t added = 0;
  int pages = 0;
  int provider_calls = 0;  // including retries and the refresh, not the token endpoint
  bool backfill_complete = false;
  std::optional<std::string> stopped_by;        // "rate_limited" | "budget" | "error" when the run ended early
  std::optional<std::int64_t> resume_after_ms;  // when a rate-limited run may go on
  nlohmann::json to_json() const;
};

// Events for the notification hub (oauth_complete comes from the connect flow; these from runs).
struct SyncEvent {
  Owner owner;
  std::string type;  // "sync_progress" | "sync_complete" | "sync_error"
  nlohmann::json data;
};

struct SyncOptions {
  std::chrono::seconds staleness{900};  // sync_if_stale's threshold
  std::chrono::seconds interval{3600};  // the scheduler's period (start())
  int page_size = 200;
  int max_pages_per_run = 1000;
  int max_attempts = 4;                                  // per call, for 5xx/timeouts
  std::chrono::milliseconds backoff_base{250};           // doubled per attempt, full jitter
  double reserve_fraction = 0.1;                         // of each rate-limit window, kept for interactive calls
  std::chrono::hours backfill_horizon{24 * 365 * 10};    // do not walk back further than this
  std::function<std::int64_t()> clock;                   // epoch ms; system clock when empty
  std::function<void(std::chrono::milliseconds)> sleep;  // std::this_thread::sleep_for when empty
};

class SyncEngine {
 public:
  using Progress = std::function<void(const SyncProgress&)>;
  using Publish = std::function<void(const SyncEvent&)>;

  SyncEngine(Connections& connections, activity::Service& activities, const ProviderSet& providers,
             SyncOptions options = {}, Publish publish = {});
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  // One run for one connection (backfill step or incremental), single-flight per connection.
  Result<SyncReport> sync(const Owner& owner, std::string_view provider, const Progress& progress = {});
  // Tools call this before reading: an incremental run for each connection of this user whose last sync is older
  // than `staleness`; a connection whose first backfill is not done gets a background run instead (the caller
  // answers from what is there). Failures are recorded on the connection, not returned: the local data is still
  // worth answering from.
  void sync_if_stale(const Owner& owner, const Progress& progress = {});
  // The activity's laps and samples from the provider when the store has none yet (source = a provider).
  // Returns the samples (empty when the provider has none).
  Result<activity::Streams> ensure_detail(const Owner& owner, const activity::Activity& activity);
  // A push: the provider account `account_id` has a new or changed activity `external_id` (nothing when the
  // account is not connected here); `deleted` removes it locally. `notice_ref` is what the notification said about
  // where the detail is (Garmin's activity-file callbackURL), "" when nothing.
  Result<bool> sync_one(std::string_view provider, std::string_view account_id, std::string_view external_id,
                        bool deleted = false, std::string_view notice_ref = {});

  // Every provider this server knows, for this user: configured, connection status, last sync, activities synced,
  // the provider's rate-limit state (shared by all users) and the last error. Never a token.
  Result<nlohmann::json> status(const Owner& owner);
  // Revokes at the provider where it has an endpoint (a failure there is reported, not fatal), forgets the tokens,
  // and deletes the provider's synced activities only when `delete_data`. resource_not_found when not connected.
  Result<nlohmann::json> disconnect(const Owner& owner, std::string_view provider, bool delete_data);

  // Work for the background thread (a sync after a connect, a webhook's activity): webhooks must be answered at
  // once, and a connect's backfill can take minutes. False when the queue is full (1 024 tasks) or stopped.
  bool submit(std::function<void()> task);
  // A background run for this connection unless one is already queued.
  bool submit_sync(const Owner& owner, std::string_view provider);

  // The background thread: runs submitted tasks, and every `interval` an incremental run for each connection;
  // stops (dropping queued tasks) in stop() or the destructor.
  void start();
  void stop();

 private:
  struct Flight;
  struct Budget;
  template <typename T>
  Result<T> guarded(const Owner& owner, Provider& provider, int& calls,
                    const std::function<Result<T>(const std::string& token)>& call, bool interactive = false);
  Result<SyncReport> run(const Owner& owner, Provider& provider, const Progress& progress);
  Budget& budget_for(std::string_view provider);
  std::int64_t now() const;
  void scheduler_loop();

  Connections& connections_;
  activity::Service& activities_;
  const ProviderSet& providers_;
  SyncOptions options_;
  Publish publish_;

  std::mutex flights_mutex_;
  std::map<std::string, std::shared_ptr<Flight>, std::less<>> flights_;
  std::mutex budgets_mutex_;
  std::map<std::string, std::unique_ptr<Budget>, std::less<>> budgets_;

  std::mutex scheduler_mutex_;
  std::condition_variable scheduler_wake_;
  bool stopping_ = false;
  std::deque<std::function<void()>> tasks_;
  std::set<std::string, std::less<>> queued_syncs_;
  std::thread scheduler_;
};

}  // namespace pierre::providers
