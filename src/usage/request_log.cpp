#include "pierre/usage/request_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "pierre/core/time.hpp"
#include "pierre/usage/analytics.hpp"

namespace pierre::usage {
namespace {

constexpr auto kPurgeEvery = std::chrono::hours(1);

constexpr std::string_view kInsert =
    "INSERT INTO request_log (tenant_id, at_ms, day, user_id, api_key_id, kind, name, status, latency_us)"
    " VALUES (:tenant, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

}  // namespace

bool Viewer::may_see(const Record& r) const noexcept {
  if (role == "super_admin") return true;
  if (r.tenant_id != tenant_id) return false;
  return role == "admin" || r.user_id == user_id;
}

RequestLog::RequestLog(store::Database& db, Options options) : db_(db), options_(options) {}

RequestLog::~RequestLog() {
  stop();
}

void RequestLog::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void RequestLog::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (auto flushed = flush(); !flushed) spdlog::warn("request log: last flush failed: {}", flushed.error().message);
}

void RequestLog::record(Record r) {
  if (r.tenant_id.empty()) return;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    recent_.push_back(r);
    if (recent_.size() > kRecent) recent_.pop_front();
    if (pending_.size() < options_.max_pending) {
      pending_.push_back(r);
      wake = pending_.size() >= options_.batch_size;
    } else {
      ++dropped_;
    }
  }
  if (wake) wake_.notify_one();
  // Copies of the subscribers, called without the lock: one may unsubscribe (or a new one subscribe) meanwhile.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<Subscriber>>> targets;
  {
    std::lock_guard lock(subscribers_mutex_);
    for (const auto& [id, subscription] : subscribers_) {
      if (subscription.viewer.may_see(r)) targets.emplace_back(id, subscription.deliver);
    }
  }
  for (const auto& [id, target] : targets) {
    if (!(*target)(r)) unsubscribe(id);
  }
}

Result<void> RequestLog::flush() {
  std::lock_guard writing(write_mutex_);
  std::vector<Record> batch;
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
    std::swap(dropped, dropped_);
  }
  if (dropped > 0) spdlog::warn("request log: {} records dropped (the database did not keep up)", dropped);
  if (batch.empty()) return {};
  // Grouped by tenant so that each tenant's rows go through that tenant's scope, all in one transaction.
  std::stable_sort(batch.begin(), batch.end(),
                   [](const Record& a, const Record& b) { return a.tenant_id < b.tenant_id; });
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  for (auto it = batch.begin(); it != batch.end();) {
    const auto scope = txn->tenant(store::TenantId(it->tenant_id));
    const auto& tenant = it->tenant_id;
    for (; it != batch.end() && it->tenant_id == tenant; ++it) {
      auto inserted = scope.execute(kInsert, {it->at_ms, it->at_ms / kMsPerDay, it->user_id, it->api_key_id, it->kind,
                                              it->name, it->status, it->latency_us});
      if (!inserted) return std::unexpected(inserted.error());
    }
  }
  return txn->commit();
}

Result<std::int64_t> RequestLog::purge_expired() {
  const auto cutoff =
      now_epoch_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  auto tenants = db_.query("SELECT id FROM tenants");
  if (!tenants) return std::unexpected(tenants.error());
  std::int64_t deleted = 0;
  for (const auto& row : tenants->rows) {
    auto id = row.get<std::string>("id");
    if (!id) return std::unexpected(id.error());
    auto n = db_.tenant(store::TenantId(*id))
                 .execute("DELETE FROM request_log WHERE tenant_id = :tenant AND at_ms < ?1", {cutoff});
    if (!n) return std::unexpected(n.error());
    deleted += *n;
  }
  return deleted;
}

std::vector<Record> RequestLog::recent(const Viewer& viewer, std::size_t limit) const {
  std::vector<Record> out;
  std::lock_guard lock(mutex_);
  for (auto it = recent_.rbegin(); it != recent_.rend() && out.size() < limit; ++it) {
    if (viewer.may_see(*it)) out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::uint64_t> RequestLog::subscribe(Viewer viewer, Subscriber subscriber, std::function<void()> on_end) {
  std::lock_guard lock(subscribers_mutex_);
  if (subscribers_.size() >= options_.max_subscribers) {
    return fail(ErrorCode::resource_unavailable, "too many live request streams are open; try again later");
  }
  const auto same_user = std::count_if(subscribers_.begin(), subscribers_.end(), [&](const auto& entry) {
    return entry.second.viewer.tenant_id == viewer.tenant_id && entry.second.viewer.user_id == viewer.user_id;
  });
  if (static_cast<std::size_t>(same_user) >= options_.max_subscribers_per_user) {
    return fail(ErrorCode::rate_limit_exceeded, "too many live request streams open for this user");
  }
  const auto id = next_subscriber_++;
  subscribers_.emplace(
      id, Subscription{std::move(viewer), std::make_shared<Subscriber>(std::move(subscriber)), std::move(on_end)});
  return id;
}

void RequestLog::end_subscriptions() {
  std::map<std::uint64_t, Subscription> ended;
  {
    std::lock_guard lock(subscribers_mutex_);
    ended.swap(subscribers_);
  }
  for (auto& [id, subscription] : ended) {
    if (subscription.on_end) subscription.on_end();
  }
}

void RequestLog::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(id);
}

void RequestLog::run() {
  auto next_purge = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.flush_interval,
                   [this] { return stopping_ || pending_.size() >= options_.batch_size; });
    if (stopping_) break;
    lock.unlock();
    if (auto flushed = flush(); !flushed) spdlog::warn("request log: write failed: {}", flushed.error().message);
    if (std::chrono::steady_clock::now() >= next_purge) {
      if (auto purged = purge_expired(); !purged) {
        spdlog::warn("request log: purge failed: {}", purged.error().message);
      }
      next_purge = std::chrono::steady_clock::now() + kPurgeEvery;
    }
    lock.lock();
  }
}

}  // namespace pierre::usage
