#pragma once
// QuotaTracker: per-API-key request counting against a tier's quotas, in process memory.
//
// Windows are fixed: the UTC minute (per_minute) and the UTC calendar month (per_month); 0 means unlimited. hit()
// checks every window and counts the request only when all allow it, under one lock per key, so concurrent hits can
// neither overshoot a limit nor lose a count. Refused requests are not counted.
//
// Monthly counts outlive the process through the caller: seed() sets what the store already recorded for the month
// (before the first hit), and take_pending() hands over the counts not yet persisted, which the caller adds to the
// store (requests = requests + delta, so instances sharing a database add up rather than overwrite). Each instance
// enforces the monthly quota on its store snapshot plus its own counts: with several instances, a key can exceed its
// monthly quota by at most what the others counted since it was seeded. Per-minute counts are per instance.
//
// Thread safety: all members may be called concurrently.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pierre/core/config.hpp"
#include "pierre/core/error.hpp"

namespace pierre::auth {

using TierQuota = config::TierQuota;

struct QuotaWindow {
  enum class Kind { minute, month };
  Kind kind = Kind::minute;
  std::uint32_t limit = 0;
  std::uint32_t remaining = 0;  // after this request
  std::chrono::system_clock::time_point reset_at;
  std::chrono::seconds length{0};
};

struct QuotaDecision {
  bool allowed = true;
  // The window with the fewest requests left (the one a refusal names); nullopt when the tier is unlimited.
  std::optional<QuotaWindow> binding;
  // Until the refusing window resets (whole seconds, at least 1) when !allowed.
  std::chrono::seconds retry_after{0};
};

struct PendingUsage {
  std::string tenant_id;
  std::string key_id;
  std::string period;  // "YYYY-MM"
  std::int64_t requests = 0;
  std::int64_t last_used_ms = 0;
};

// The error for a refused decision: RATE_LIMIT_EXCEEDED (the minute) or QUOTA_EXCEEDED (the month), naming the limit,
// with retry_after_seconds and the tier in its details. `holder` says whose limit it is ("this API key").
Error quota_refusal(const QuotaDecision& decision, std::string_view tier, std::string_view holder);

// "YYYY-MM" of `t` in UTC.
std::string month_period(std::chrono::system_clock::time_point t);

class QuotaTracker {
 public:
  using time_point = std::chrono::system_clock::time_point;

  // Requests already recorded for `key_id` in `period`; ignored when the key already has counts for that period in
  // this process (they include everything seeded or counted before).
  void seed(const std::string& key_id, const std::string& period, std::int64_t recorded);
  [[nodiscard]] bool seeded(const std::string& key_id, const std::string& period) const;

  QuotaDecision hit(const std::string& tenant_id, const std::string& key_id, const TierQuota& quota, time_point now);

  // The month's count as this process knows it (seed + own counts), and the current minute's.
  struct Counts {
    std::int64_t month = 0;
    std::int64_t minute = 0;
  };
  [[nodiscard]] Counts counts(const std::string& key_id, time_point now) const;

  // Counts not yet handed over, cleared. put_back() returns them after a failed write.
  std::vector<PendingUsage> take_pending();
  void put_back(std::vector<PendingUsage> pending);

  void forget(const std::string& key_id);

 private:
  struct KeyState {
    std::string period;
    std::int64_t month = 0;
    std::int64_t minute_index = -1;  // minutes since the epoch
    std::int64_t minute = 0;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, KeyState> keys_;
  std::unordered_map<std::string, PendingUsage> pending_;  // by key_id + '\n' + period
};

}  // namespace pierre::auth
