#include "pierre/auth/quota_tracker.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pierre::auth {
namespace {

using std::chrono::system_clock;

std::chrono::year_month month_of(system_clock::time_point t) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(t)};
  return {day.year(), day.month()};
}

system_clock::time_point start_of(std::chrono::year_month month) {
  return std::chrono::sys_days{month / std::chrono::day{1}};
}

std::chrono::seconds at_least_one_second(system_clock::duration d) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(d));
}

}  // namespace

Error quota_refusal(const QuotaDecision& decision, std::string_view tier, std::string_view holder) {
  const bool minute = decision.binding && decision.binding->kind == QuotaWindow::Kind::minute;
  const auto limit = decision.binding ? decision.binding->limit : 0;
  return Error{minute ? ErrorCode::rate_limit_exceeded : ErrorCode::quota_exceeded,
               minute ? fmt::format("rate limit of {} requests per minute exceeded for {}", limit, holder)
                      : fmt::format("monthly quota of {} requests exceeded for {}", limit, holder),
               {{"retry_after_seconds", decision.retry_after.count()}, {"tier", tier}}};
}

std::string month_period(system_clock::time_point t) {
  const auto month = month_of(t);
  return fmt::format("{:04}-{:02}", static_cast<int>(month.year()), static_cast<unsigned>(month.month()));
}

void QuotaTracker::seed(const std::string& key_id, const std::string& period, std::int64_t recorded) {
  const std::lock_guard lock(mutex_);
  auto& state = keys_[key_id];
  if (state.period == period) return;
  state.period = period;
  state.month = recorded;
}

bool QuotaTracker::seeded(const std::string& key_id, const std::string& period) const {
  const std::lock_guard lock(mutex_);
  const auto it = keys_.find(key_id);
  return it != keys_.end() && it->second.period == period;
}

QuotaDecision QuotaTracker::hit(const std::string& tenant_id, const std::string& key_id, const TierQuota& quota,
                                time_point now) {
  const auto month = month_of(now);
  const auto period = month_period(now);
  const auto minute_index = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();

  const std::lock_guard lock(mutex_);
  auto& state = keys_[key_id];
  if (state.period != period) {  // first use in this process, or a new month
    state.period = period;
    state.month = 0;
  }
  if (state.minute_index != minute_index) {
    state.minute_index = minute_index;
    state.minute = 0;
  }

  QuotaDecision decision;
  std::optional<QuotaWindow> refused;
  auto consider = [&](QuotaWindow::Kind kind, std::uint32_t limit, std::int64_t used, time_point reset_at,
                      std::chrono::seconds length) {
    if (limit == 0) return;
    QuotaWindow window{kind, limit, 0, reset_at, length};
    if (used >= limit) {
      if (!refused || reset_at > refused->reset_at) refused = window;  // the later reset is the one that matters
      return;
    }
    window.remaining = static_cast<std::uint32_t>(limit - used - 1);
    if (!decision.binding || window.remaining < decision.binding->remaining) decision.binding = window;
  };
  const auto next_month = start_of(month + std::chrono::months{1});
  consider(QuotaWindow::Kind::minute, quota.per_minute, state.minute,
           time_point{std::chrono::minutes(minute_index + 1)}, std::chrono::seconds(60));
  consider(QuotaWindow::Kind::month, quota.per_month, state.month, next_month,
           std::chrono::duration_cast<std::chrono::seconds>(next_month - start_of(month)));

  if (refused) {
    decision.allowed = false;
    decision.binding = refused;
    decision.retry_after = at_least_one_second(refused->reset_at - now);
    return decision;
  }
  ++state.month;
  ++state.minute;
  auto& pending = pending_[key_id + '\n' + period];
  if (pending.key_id.empty()) {
    pending.tenant_id = tenant_id;
    pending.key_id = key_id;
    pending.period = period;
  }
  ++pending.requests;
  pending.last_used_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return decision;
}

QuotaTracker::Counts QuotaTracker::counts(const std::string& key_id, time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto it = keys_.find(key_id);
  if (it == keys_.end()) return {};
  Counts counts;
  if (it->second.period == month_period(now)) counts.month = it->second.month;
  if (it->second.minute_index == std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count()) {
    counts.minute = it->second.minute;
  }
  return counts;
}

std::vector<PendingUsage> QuotaTracker::take_pending() {
  const std::lock_guard lock(mutex_);
  std::vector<PendingUsage> out;
  out.reserve(pending_.size());
  for (auto& [_, usage] : pending_) out.push_back(std::move(usage));
  pending_.clear();
  return out;
}

void QuotaTracker::put_back(std::vector<PendingUsage> pending) {
  const std::lock_guard lock(mutex_);
  for (auto& usage : pending) {
    auto& slot = pending_[usage.key_id + '\n' + usage.period];
    if (slot.key_id.empty()) {
      slot = std::move(usage);
    } else {
      slot.requests += usage.requests;
      slot.last_used_ms = std::max(slot.last_used_ms, usage.last_used_ms);
    }
  }
}

void QuotaTracker::forget(const std::string& key_id) {
  const std::lock_guard lock(mutex_);
  keys_.erase(key_id);
}

}  // namespace pierre::auth
