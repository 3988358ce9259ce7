#pragma once
// ApiKeyService: API keys for programs (MCP clients, scripts) — creation, listing with usage, revocation, and
// per-request authentication with tier quotas. Tables: api_keys, api_key_lookup, api_key_usage (migration 003).
//
// Keys look like Pierre's: "pk_live_" (or "pk_trial_" for the trial tier) + 32 base62 characters (~190 bits).
// The full key is returned once by create(); the store keeps its SHA-256 (hex) and a display prefix (the first 12
// characters). Lookups go through api_key_lookup (hash → tenant), then the tenant-scoped row; the stored hash is
// compared again in constant time.
//
// authenticate() resolves a presented key to its owner's Identity (the owner's current role and scopes) and counts
// the request against the tier's quotas (QuotaTracker; refused requests are not counted). It fails with
//   auth_malformed  — not shaped like a key;
//   auth_invalid    — unknown key, revoked key, or an owner who is no longer active;
//   auth_expired    — past its expires_at;
//   rate_limit_exceeded (per-minute) / quota_exceeded (per-month) — with the decision in ApiKeyCheck below, via
//                     authenticate()'s second output, so the caller can still send rate-limit headers.
// Validated keys are cached for Options::cache_ttl: revocation through this service takes effect at once; an
// owner's suspension at once when the suspending code calls forget_owner(), else within cache_ttl. Expiry is checked on
// every request.
//
// Usage is written behind: a background thread adds pending counts to api_key_usage (and last_used_at) every
// Options::flush_interval, and once more on destruction; a crash loses at most one interval of counts.
//
// Ownership: list/revoke/usage act on the caller's own keys; another user's key id — in the same tenant or not —
// is resource_not_found, exactly like an id that does not exist.
//
// Thread safety: all members may be called concurrently.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "pierre/auth/identity.hpp"
#include "pierre/auth/quota_tracker.hpp"
#include "pierre/core/config.hpp"
#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"

namespace pierre::auth {

enum class ApiKeyTier { trial, starter, professional, enterprise };
std::string_view tier_name(ApiKeyTier tier) noexcept;
// Case-insensitive ("Professional" is accepted, as Pierre's clients send it); invalid_input otherwise.
Result<ApiKeyTier> parse_tier(std::string_view name);
// The quotas of `tier` in the tier table (PIERRE_RATE_LIMIT_<TIER>_PER_MINUTE / _PER_MONTH).
TierQuota tier_quota(const config::ApiKeyQuotas& quotas, ApiKeyTier tier) noexcept;

struct ApiKeyInfo {
  std::string id;
  std::string user_id;
  std::string name;
  std::string description;
  ApiKeyTier tier = ApiKeyTier::trial;
  std::string key_prefix;
  std::int64_t created_at = 0;  // epoch ms
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
  [[nodiscard]] bool active(std::int64_t now_ms) const noexcept {
    return !revoked_at && (!expires_at || *expires_at > now_ms);
  }
};

struct NewApiKey {
  std::string name;         // 1..100 bytes, no control characters
  std::string description;  // up to 500 bytes
  ApiKeyTier tier = ApiKeyTier::starter;
  // Trial keys default to (and may not exceed) 14 days, as in Pierre; other tiers never expire unless given.
  std::optional<std::int64_t> expires_in_days;  // 1..3650
};

struct CreatedApiKey {
  std::string key;  // shown once
  ApiKeyInfo info;
};

struct ApiKeyUsage {
  std::string period;  // "YYYY-MM" (UTC)
  std::int64_t month_requests = 0;
  std::int64_t minute_requests = 0;
  TierQuota quota;
};

struct ApiKeyCheck {
  Authentication auth;  // method api_key
  ApiKeyTier tier = ApiKeyTier::trial;
  QuotaDecision decision;
};

class ApiKeyService {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  struct Options {
    config::ApiKeyQuotas quotas;
    std::chrono::milliseconds cache_ttl{10'000};
    std::chrono::milliseconds flush_interval{1'000};
    std::size_t max_active_keys_per_user = 100;
    std::size_t max_cached_keys = 100'000;
    Clock clock;  // system_clock::now when empty
  };

  // `db` must outlive the service.
  ApiKeyService(store::Database& db, Options options);
  ~ApiKeyService();
  ApiKeyService(const ApiKeyService&) = delete;
  ApiKeyService& operator=(const ApiKeyService&) = delete;

  // True when `text` has a key's prefix (pk_live_ / pk_trial_): such a bearer credential is an API key, not a JWT.
  static bool looks_like_key(std::string_view text) noexcept;

  // Only active accounts own keys; enterprise keys only for admins (permission_denied otherwise); at most one active
  // trial key per user and max_active_keys_per_user active keys (resource_already_exists / value_out_of_range).
  Result<CreatedApiKey> create(const Identity& owner, const NewApiKey& request);
  // The owner's keys, newest first, revoked ones included.
  Result<std::vector<ApiKeyInfo>> list(const Identity& owner);
  Result<ApiKeyInfo> revoke(const Identity& owner, std::string_view key_id);
  Result<ApiKeyUsage> usage(const Identity& owner, std::string_view key_id);
  [[nodiscard]] TierQuota quota(ApiKeyTier tier) const noexcept;

  // See the header comment. On a quota refusal the error is returned and `refused` (when given) receives the check.
  Result<ApiKeyCheck> authenticate(std::string_view presented, ApiKeyCheck* refused = nullptr);

  // Drops a user's keys from the validation cache (call after suspending the user), so they stop working at once.
  void forget_owner(std::string_view tenant_id, std::string_view user_id);

  // Writes pending usage now (also done periodically and on destruction).
  Result<void> flush();

 private:
  struct CachedKey {
    std::string tenant_id;
    std::string key_id;
    std::string key_hash;
    ApiKeyTier tier;
    std::optional<std::int64_t> expires_at;
    Identity owner;
    std::chrono::steady_clock::time_point loaded;
  };
  Result<CachedKey> load(const std::string& key_hash);
  Result<ApiKeyInfo> find_owned(const Identity& owner, std::string_view key_id);
  [[nodiscard]] std::chrono::system_clock::time_point now() const;
  void flush_loop();

  store::Database& db_;
  Options options_;
  QuotaTracker tracker_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, CachedKey> cache_;  // by key hash
  std::mutex flush_mutex_;                            // one flush at a time
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace pierre::auth
