#include "pierre/providers/sync.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "pierre/core/time.hpp"

namespace pierre::providers {

using nlohmann::json;

namespace {

// The provider's short rate-limit window: Strava counts per quarter hour (resetting at :00, :15, :30, :45);
// Google's per-user quotas per minute/hour are reported hourly here. Daily windows reset at UTC midnight.
std::int64_t short_window_ms(std::string_view provider) {
  return provider == kStrava ? 900'000 : 3'600'000;
}

bool is_provider_source(std::string_view source) {
  return source == kStrava || source == kGarmin || source == kFitbit;
}

}  // namespace

json SyncReport::to_json() const {
  json out = {{"provider", provider},
              {"fetched", fetched},
              {"added", added},
              {"pages", pages},
              {"provider_calls", provider_calls},
              {"backfill_complete", backfill_complete}};
  out["stopped_by"] = stopped_by ? json(*stopped_by) : json(nullptr);
  out["resume_after"] = resume_after_ms ? json(iso8601_ms(*resume_after_ms)) : json(nullptr);
  return out;
}

// Single-flight bookkeeping: the first caller runs, the others wait for its result.
struct SyncEngine::Flight {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  Result<SyncReport> result = fail(ErrorCode::internal_error, "sync did not run");
};

// One provider's shared budget: the latest rate-limit numbers and a block set by a 429 or by reaching the limit.
struct SyncEngine::Budget {
  std::mutex mutex;
  std::int64_t blocked_until_ms = 0;
  int calls_in_flight = 0;
};

SyncEngine::SyncEngine(Connections& connections, activity::Service& activities, const ProviderSet& providers,
                       SyncOptions options, Publish publish)
    : connections_(connections),
      activities_(activities),
      providers_(providers),
      options_(std::move(options)),
      publish_(std::move(publish)) {}

SyncEngine::~SyncEngine() {
  stop();
}

std::int64_t SyncEngine::now() const {
  return options_.clock ? options_.clock() : now_epoch_ms();
}

SyncEngine::Budget& SyncEngine::budget_for(std::string_view provider) {
  const std::lock_guard lock(budgets_mutex_);
  auto it = budgets_.find(provider);
  if (it == budgets_.end()) it = budgets_.emplace(std::string(provider), std::make_unique<Budget>()).first;
  return *it->second;
}

template <typename T>
Result<T> SyncEngine::guarded(const Owner& owner, Provider& provider, int& calls,
                              const std::function<Result<T>(const std::string& token)>& call, bool interactive) {
  const auto name = provider.name();
  auto& budget = budget_for(name);
  bool refreshed = false;
  std::mt19937_64 jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    const auto t = now();
    {
      const std::lock_guard lock(budget.mutex);
      // A 429 blocks everyone until the provider said; short of that, background work stops at (1 - reserve) of
      // each window so interactive calls (a tool waiting for an activity's samples, a webhook's activity) still
      // have room. Numbers observed in an earlier window are stale and say nothing about this one.
      auto blocked = budget.blocked_until_ms;
      const double reserve = interactive ? 0.0 : options_.reserve_fraction;
      const auto rl = provider.rate_limit();
      const auto window = short_window_ms(name);
      const auto short_end = (t / window + 1) * window;
      const auto day_end = (t / kDayMs + 1) * kDayMs;
      const auto near = [&](std::optional<std::int64_t> used, std::optional<std::int64_t> limit) {
        return used && limit && *limit > 0 &&
               static_cast<double>(*used) >= static_cast<double>(*limit) * (1.0 - reserve);
      };
      if (rl.observed_at_ms / window == t / window && near(rl.short_usage, rl.short_limit)) {
        blocked = std::max(blocked, short_end);
      }
      if (rl.observed_at_ms / kDayMs == t / kDayMs && near(rl.daily_usage, rl.daily_limit)) {
        blocked = std::max(blocked, day_end);
      }
      if (blocked > t) {
        return fail(ErrorCode::external_rate_limited,
                    fmt::format("{}'s rate limit budget is used up until {}", name, iso8601_ms(blocked)),
                    {{"provider", name}, {"retry_after_s", (blocked - t + 999) / 1000}});
      }
    }
    auto token = connections_.access_token(owner, name);
    if (!token) return std::unexpected(token.error());
    ++calls;
    auto result = call(*token);
    if (result) return result;
    const auto code = result.error().code;
    if (code == ErrorCode::external_auth_failed && !refreshed) {
      refreshed = true;
      auto renewed = connections_.refresh_after_rejection(owner, name, *token);
      if (!renewed) return std::unexpected(renewed.error());
      continue;
    }
    if (code == ErrorCode::external_rate_limited) {
      const auto& d = result.error().details;
      std::int64_t until = (t / short_window_ms(name) + 1) * short_window_ms(name);
      if (d.is_object() && d.contains("retry_after_s") && d["retry_after_s"].is_number_integer()) {
        until = t + d["retry_after_s"].template get<std::int64_t>() * 1000;
      }
      const std::lock_guard lock(budget.mutex);
      budget.blocked_until_ms = std::max(budget.blocked_until_ms, until);
      auto error = result.error();
      if (!error.details.is_object()) error.details = json::object();
      error.details["retry_after_s"] = (until - t + 999) / 1000;
      return std::unexpected(std::move(error));
    }
    if (code == ErrorCode::external_service_unavailable && attempt < options_.max_attempts) {
      // Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
      const auto cap = options_.backoff_base.count() * (std::int64_t{1} << std::min(attempt - 1, 10));
      std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(1, cap));
      const auto wait = std::chrono::milliseconds(pick(jitter));
      if (options_.sleep) {
        options_.sleep(wait);
      } else {
        std::this_thread::sleep_for(wait);
      }
      continue;
    }
    return result;
  }
}

Result<SyncReport> SyncEngine::sync(const Owner& owner, std::string_view name, const Progress& progress) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) return fail(ErrorCode::resource_not_found, fmt::format("unknown provider '{}'", name));
  const auto key = fmt::format("{}\x1f{}\x1f{}", owner.tenant_id, owner.user_id, name);
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    const std::lock_guard lock(flights_mutex_);
    auto it = flights_.find(key);
    if (it == flights_.end()) {
      flight = std::make_shared<Flight>();
      flights_.emplace(key, flight);
      leader = true;
    } else {
      flight = it->second;
    }
  }
  if (!leader) {
    std::unique_lock lock(flight->mutex);
    flight->done_cv.wait(lock, [&] { return flight->done; });
    return flight->result;
  }
  auto result = run(owner, *provider, progress);
  {
    const std::lock_guard lock(flights_mutex_);
    flights_.erase(key);
  }
  {
    const std::lock_guard lock(flight->mutex);
    flight->result = result;
    flight->done = true;
  }
  flight->done_cv.notify_all();
  return result;
}

Result<SyncReport> SyncEngine::run(const Owner& owner, Provider& provider, const Progress& progress) {
  const std::string name(provider.name());
  auto found = connections_.find(owner, name);
  if (!found) return std::unexpected(found.error());
  if (!found->has_value()) {
    return fail(ErrorCode::resource_not_found, fmt::format("{} is not connected: call connect_provider", name),
                {{"provider", name}, {"status", "not_connected"}});
  }
  const Connection connection = **found;
  SyncReport report;
  report.provider = name;
  report.backfill_complete = connection.backfill_complete;
  const auto started = now();
  const auto horizon =
      started - std::chrono::duration_cast<std::chrono::milliseconds>(options_.backfill_horizon).count();
  const auto emit = [&](std::string type, json data) {
    if (publish_) publish_(SyncEvent{owner, std::move(type), std::move(data)});
  };

  // Stores one page; returns the page's oldest and newest start.
  struct Span {
    std::optional<std::int64_t> oldest, newest;
  };
  const auto store_page = [&](std::vector<activity::Activity> summaries) -> Result<Span> {
    Span span;
    std::vector<activity::NewActivity> items;
    items.reserve(summaries.size());
    for (auto& a : summaries) {
      const auto start = a.summary.start_time_ms;
      span.oldest = std::min(span.oldest.value_or(start), start);
      span.newest = std::max(span.newest.value_or(start), start);
      a.source = name;
      items.push_back(activity::NewActivity{std::move(a), {}});
    }
    report.fetched += static_cast<std::int64_t>(items.size());
    if (items.empty()) return span;
    auto stored = activities_.store(owner, std::move(items));
    if (!stored) return std::unexpected(stored.error());
    for (const auto& s : *stored) report.added += s.created ? 1 : 0;
    return span;
  };
  const auto stop_on = [&](const Error& error, std::string_view phase) -> Result<SyncReport> {
    if (error.code == ErrorCode::external_rate_limited) {
      report.stopped_by = "rate_limited";
      if (error.details.is_object() && error.details.contains("retry_after_s")) {
        report.resume_after_ms = now() + error.details["retry_after_s"].template get<std::int64_t>() * 1000;
      }
      SyncUpdate u;
      u.last_sync_error = error.message;
      (void)connections_.record_sync(owner, name, u);
      emit("sync_progress", json{{"provider", name}, {"phase", phase}, {"report", report.to_json()}});
      return report;
    }
    SyncUpdate u;
    u.last_sync_error = error.message;
    (void)connections_.record_sync(owner, name, u);
    emit("sync_error", json{{"provider", name}, {"phase", phase}, {"message", error.message}});
    return std::unexpected(error);
  };

  // 1. Backfill, newest first, resumable from backfill_before.
  if (!connection.backfill_complete) {
    const auto from = connection.backfill_before_ms.value_or(started);
    std::string token;
    std::optional<std::int64_t> oldest = connection.backfill_before_ms;
    while (report.pages < options_.max_pages_per_run) {
      ListQuery query;
      query.before_ms = from;
      query.after_ms = horizon;
      query.page_token = token;
      query.per_page = options_.page_size;
      auto page = guarded<ActivityPage>(owner, provider, report.provider_calls, [&](const std::string& access) {
        return provider.list_activities(access, query);
      });
      if (!page) return stop_on(page.error(), "backfill");
      ++report.pages;
      const auto added_before = report.added;
      auto span = store_page(std::move(page->activities));
      if (!span) return stop_on(span.error(), "backfill");
      if (span->oldest) oldest = std::min(oldest.value_or(*span->oldest), *span->oldest);
      const bool complete = page->next_page_token.empty();
      SyncUpdate u;
      u.activities_added = report.added - added_before;
      u.backfill_before_ms = oldest;
      u.newest_start_ms = span->newest;
      if (complete) u.backfill_complete = true;
      if (auto r = connections_.record_sync(owner, name, u); !r) return std::unexpected(r.error());
      if (progress) progress(SyncProgress{name, "backfill", report.fetched, report.added, report.pages});
      emit("sync_progress", json{{"provider", name},
                                 {"phase", "backfill"},
                                 {"fetched", report.fetched},
                                 {"added", report.added},
                                 {"pages", report.pages}});
      if (complete) {
        report.backfill_complete = true;
        break;
      }
      token = page->next_page_token;
    }
    if (!report.backfill_complete) {  // the page cap: the next run resumes from the saved cursor
      report.stopped_by = "budget";
      SyncUpdate u;
      u.last_sync_at_ms = now();
      (void)connections_.record_sync(owner, name, u);
      return report;
    }
  }

  // 2. Incremental: whatever started after the newest synced activity (a backfill that just finished already saw
  // everything up to its start, and this picks up what arrived meanwhile).
  {
    auto refreshed = connections_.find(owner, name);
    if (!refreshed) return std::unexpected(refreshed.error());
    const auto newest = refreshed->has_value() ? (*refreshed)->newest_start_ms : std::nullopt;
    std::string token;
    while (report.pages < options_.max_pages_per_run) {
      ListQuery query;
      query.after_ms = newest.value_or(horizon);
      query.page_token = token;
      query.per_page = options_.page_size;
      auto page = guarded<ActivityPage>(owner, provider, report.provider_calls, [&](const std::string& access) {
        return provider.list_activities(access, query);
      });
      if (!page) return stop_on(page.error(), "incremental");
      ++report.pages;
      const auto added_before = report.added;
      auto span = store_page(std::move(page->activities));
      if (!span) return stop_on(span.error(), "incremental");
      SyncUpdate u;
      u.activities_added = report.added - added_before;
      u.newest_start_ms = span->newest;
      if (auto r = connections_.record_sync(owner, name, u); !r) return std::unexpected(r.error());
      if (progress) progress(SyncProgress{name, "incremental", report.fetched, report.added, report.pages});
      if (page->next_page_token.empty()) break;
      token = page->next_page_token;
    }
  }
  SyncUpdate done;
  done.last_sync_at_ms = now();
  done.last_sync_error = "";
  if (auto r = connections_.record_sync(owner, name, done); !r) return std::unexpected(r.error());
  emit("sync_complete", json{{"provider", name}, {"report", report.to_json()}});
  return report;
}

void SyncEngine::sync_if_stale(const Owner& owner, const Progress& progress) {
  auto list = connections_.list(owner);
  if (!list) return;
  const auto stale_before = now() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.staleness).count();
  for (const auto& c : *list) {
    if (c.status != "connected") continue;
    if (!c.backfill_complete) {
      // A history walk can take minutes: it goes on in the background (once), the caller answers from what is there.
      submit_sync(owner, c.provider);
      continue;
    }
    if (c.last_sync_at_ms && *c.last_sync_at_ms > stale_before) continue;
    (void)sync(owner, c.provider, progress);  // recorded on the connection when it fails
  }
}

Result<activity::Streams> SyncEngine::ensure_detail(const Owner& owner, const activity::Activity& a) {
  auto stored = activities_.streams(owner, a.id);
  if (!stored) return std::unexpected(stored.error());
  if (stored->has_value()) return std::move(**stored);
  Provider* provider = is_provider_source(a.source) ? providers_.find(a.source) : nullptr;
  if (provider == nullptr || a.external_id.empty()) return activity::Streams{};
  int calls = 0;
  auto detail = guarded<activity::NewActivity>(
      owner, *provider, calls,
      [&](const std::string& access) { return provider->activity_detail(access, a.external_id); },
      /*interactive=*/true);
  if (!detail) return std::unexpected(detail.error());
  if (auto r = activities_.attach_detail(owner, a.id, detail->activity.laps, detail->streams); !r) {
    return std::unexpected(r.error());
  }
  return std::move(detail->streams);
}

Result<bool> SyncEngine::sync_one(std::string_view name, std::string_view account_id, std::string_view external_id,
                                  bool deleted, std::string_view notice_ref) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) return false;
  auto owner = connections_.owner_of(name, account_id);
  if (!owner) return std::unexpected(owner.error());
  if (!owner->has_value()) return false;
  const Owner& who = **owner;
  auto existing = activities_.find_by_source(who, name, external_id);
  if (!existing) return std::unexpected(existing.error());
  if (deleted) {
    if (!existing->has_value()) return false;
    return activities_.remove(who, (*existing)->id);
  }
  int calls = 0;
  auto detail = guarded<activity::NewActivity>(
      who, *provider, calls,
      [&](const std::string& access) {
        return notice_ref.empty() ? provider->activity_detail(access, external_id)
                                  : provider->notified_activity_detail(access, external_id, notice_ref);
      },
      /*interactive=*/true);
  if (!detail) {
    SyncUpdate u;
    u.last_sync_error = detail.error().message;
    (void)connections_.record_sync(who, name, u);
    return std::unexpected(detail.error());
  }
  if (existing->has_value()) {
    return activities_.attach_detail(who, (*existing)->id, detail->activity.laps, detail->streams);
  }
  detail->activity.source = std::string(name);
  const auto start = detail->activity.summary.start_time_ms;
  std::vector<activity::NewActivity> items;
  items.push_back(std::move(*detail));
  auto stored = activities_.store(who, std::move(items));
  if (!stored) return std::unexpected(stored.error());
  const bool created = !stored->empty() && stored->front().created;
  SyncUpdate u;
  u.activities_added = created ? 1 : 0;
  u.newest_start_ms = start;
  u.last_sync_at_ms = now();
  (void)connections_.record_sync(who, name, u);
  if (publish_) {
    publish_(SyncEvent{who, "sync_complete",
                       json{{"provider", name},
                            {"report", json{{"provider", name},
                                            {"fetched", 1},
                                            {"added", created ? 1 : 0},
                                            {"pages", 0},
                                            {"provider_calls", calls}}}}});
  }
  return created;
}

Result<json> SyncEngine::status(const Owner& owner) {
  // An anonymous development caller (no tenant) has no connections but still sees what the server offers.
  auto connections =
      owner.tenant_id.empty() ? Result<std::vector<Connection>>(std::vector<Connection>{}) : connections_.list(owner);
  if (!connections) return std::unexpected(connections.error());
  json list = json::array();
  int connected = 0;
  const auto t = now();
  for (const Provider* p : providers_.all()) {
    json entry = {{"provider", p->name()}, {"configured", p->configured()}};
    const auto it = std::find_if(connections->begin(), connections->end(),
                                 [&](const Connection& c) { return c.provider == p->name(); });
    if (it == connections->end()) {
      entry["status"] = p->configured() ? "not_connected" : "not_configured";
      entry["connected"] = false;
    } else {
      entry.update(it->to_json());
      entry["connected"] = it->status == "connected";
      connected += it->status == "connected" ? 1 : 0;
    }
    const auto rl = p->rate_limit();
    json rate = json::object();
    if (rl.short_limit) rate["short_window"] = {{"limit", *rl.short_limit}, {"usage", rl.short_usage.value_or(0)}};
    if (rl.daily_limit) rate["daily"] = {{"limit", *rl.daily_limit}, {"usage", rl.daily_usage.value_or(0)}};
    if (rl.observed_at_ms > 0) rate["observed_at"] = iso8601_ms(rl.observed_at_ms);
    {
      auto& budget = budget_for(p->name());
      const std::lock_guard lock(budget.mutex);
      if (budget.blocked_until_ms > t) rate["paused_until"] = iso8601_ms(budget.blocked_until_ms);
    }
    entry["rate_limit"] = std::move(rate);
    list.push_back(std::move(entry));
  }
  return json{{"providers", std::move(list)}, {"connected_count", connected}};
}

Result<json> SyncEngine::disconnect(const Owner& owner, std::string_view name, bool delete_data) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) {
    return fail(ErrorCode::resource_not_found, fmt::format("unknown provider '{}' (strava, garmin, fitbit)", name));
  }
  auto found = connections_.find(owner, name);
  if (!found) return std::unexpected(found.error());
  if (!found->has_value()) {
    return fail(ErrorCode::resource_not_found, fmt::format("{} is not connected", name),
                {{"provider", name}, {"status", "not_connected"}});
  }
  json out = {{"provider", name}, {"disconnected", true}};
  auto tokens = connections_.tokens(owner, name);
  if (tokens) {
    auto revoked = provider->revoke(*tokens);
    if (revoked) {
      out["revoked_at_provider"] = *revoked;
    } else {
      out["revoked_at_provider"] = false;
      out["revoke_error"] = revoked.error().message;
    }
  } else {
    out["revoked_at_provider"] = false;
  }
  auto removed = connections_.remove(owner, name);
  if (!removed) return std::unexpected(removed.error());
  if (delete_data) {
    auto deleted = activities_.remove_source(owner, name);
    if (!deleted) return std::unexpected(deleted.error());
    out["activities_deleted"] = *deleted;
    out["data"] = fmt::format("{} activities synced from {} were deleted", *deleted, name);
  } else {
    out["activities_deleted"] = 0;
    out["data"] = fmt::format(
        "activities already synced from {} are kept; disconnect with delete_data: true to delete them", name);
  }
  return out;
}

bool SyncEngine::submit_sync(const Owner& owner, std::string_view provider) {
  auto key = fmt::format("{}\x1f{}\x1f{}", owner.tenant_id, owner.user_id, provider);
  {
    const std::lock_guard lock(scheduler_mutex_);
    if (queued_syncs_.contains(key)) return true;
    queued_syncs_.insert(key);
  }
  const bool queued = submit([this, owner, name = std::string(provider), key] {
    {
      const std::lock_guard lock(scheduler_mutex_);
      queued_syncs_.erase(key);
    }
    (void)sync(owner, name);
  });
  if (!queued) {
    const std::lock_guard lock(scheduler_mutex_);
    queued_syncs_.erase(key);
  }
  return queued;
}

bool SyncEngine::submit(std::function<void()> task) {
  {
    const std::lock_guard lock(scheduler_mutex_);
    if (stopping_ || tasks_.size() >= 1024) return false;
    tasks_.push_back(std::move(task));
  }
  scheduler_wake_.notify_all();
  return true;
}

void SyncEngine::start() {
  const std::lock_guard lock(scheduler_mutex_);
  if (scheduler_.joinable()) return;
  stopping_ = false;
  scheduler_ = std::thread([this] { scheduler_loop(); });
}

void SyncEngine::stop() {
  {
    const std::lock_guard lock(scheduler_mutex_);
    stopping_ = true;
    tasks_.clear();
    queued_syncs_.clear();
  }
  scheduler_wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

void SyncEngine::scheduler_loop() {
  auto next_round = std::chrono::steady_clock::now() + options_.interval;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(scheduler_mutex_);
      scheduler_wake_.wait_until(lock, next_round, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) {
        tasks_.clear();
        return;
      }
      if (!tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
    }
    if (task) {
      task();
      continue;
    }
    next_round = std::chrono::steady_clock::now() + options_.interval;
    auto all = connections_.all_connected();
    if (!all) {
      spdlog::warn("sync scheduler: cannot list connections: {}", all.error().message);
      continue;
    }
    for (const auto& [owner, provider] : *all) {
      {
        const std::lock_guard lock(scheduler_mutex_);
        if (stopping_) return;
      }
      (void)sync(owner, provider);
    }
  }
}

}  // namespace pierre::providers
