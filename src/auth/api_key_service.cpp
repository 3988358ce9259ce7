#include "pierre/auth/api_key_service.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/auth/user_service.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::auth {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kLivePrefix = "pk_live_";
constexpr std::string_view kTrialPrefix = "pk_trial_";
constexpr std::size_t kSecretChars = 32;
constexpr std::size_t kDisplayPrefix = 12;
constexpr std::int64_t kTrialDays = 14;
constexpr std::int64_t kMaxDays = 3650;

constexpr std::array kTierNames{"trial", "starter", "professional", "enterprise"};

std::string hash_key(std::string_view key) {
  return crypto::hex_encode(crypto::sha256(crypto::as_bytes(key)));
}

std::string new_id() {
  return "key_" + crypto::hex_encode(crypto::random_bytes(12));
}

// Uniform base62: bytes >= 248 (= 4 * 62) are rejected rather than folded, so no character is more likely.
std::string random_base62(std::size_t length) {
  static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    for (auto b : crypto::random_bytes(length)) {
      if (b >= 248) continue;
      out.push_back(alphabet[b % 62]);
      if (out.size() == length) break;
    }
  }
  return out;
}

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

Result<std::string> check_text(std::string_view value, const char* field, std::size_t min, std::size_t max) {
  std::string_view t = value;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.size() < min || t.size() > max) {
    return fail(ErrorCode::invalid_input,
                min > 0 ? fmt::format("{} must be {} to {} bytes", field, min, max)
                        : fmt::format("{} must be at most {} bytes", field, max),
                {{"field", field}});
  }
  if (std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return fail(ErrorCode::invalid_input, fmt::format("{} must not contain control characters", field),
                {{"field", field}});
  }
  return std::string(t);
}

constexpr std::string_view kInfoColumns =
    "id, user_id, name, description, tier, key_prefix, created_at, expires_at, revoked_at, last_used_at";

Result<ApiKeyInfo> info_from_row(const store::Row& row) {
  auto id = row.get<std::string>("id");
  auto user = row.get<std::string>("user_id");
  auto name = row.get<std::string>("name");
  auto description = row.get<std::optional<std::string>>("description");
  auto tier = row.get<std::string>("tier");
  auto prefix = row.get<std::string>("key_prefix");
  auto created = row.get<std::int64_t>("created_at");
  auto expires = row.get<std::optional<std::int64_t>>("expires_at");
  auto revoked = row.get<std::optional<std::int64_t>>("revoked_at");
  auto used = row.get<std::optional<std::int64_t>>("last_used_at");
  if (!id || !user || !name || !description || !tier || !prefix || !created || !expires || !revoked || !used) {
    return fail(ErrorCode::database_error, "malformed api key row");
  }
  auto parsed_tier = parse_tier(*tier);
  if (!parsed_tier) return fail(ErrorCode::database_error, "malformed api key row");
  return ApiKeyInfo{*id,      *user,    *name, description->value_or(""), *parsed_tier, *prefix, *created,
                    *expires, *revoked, *used};
}

}  // namespace

std::string_view tier_name(ApiKeyTier tier) noexcept {
  return kTierNames[static_cast<std::size_t>(tier)];
}

Result<ApiKeyTier> parse_tier(std::string_view name) {
  std::string lower(name);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::size_t i = 0; i < kTierNames.size(); ++i) {
    if (lower == kTierNames[i]) return static_cast<ApiKeyTier>(i);
  }
  return fail(ErrorCode::invalid_input, "tier must be one of: trial, starter, professional, enterprise",
              {{"field", "tier"}});
}

ApiKeyService::ApiKeyService(store::Database& db, Options options) : db_(db), options_(std::move(options)) {
  flusher_ = std::thread([this] { flush_loop(); });
}

ApiKeyService::~ApiKeyService() {
  {
    const std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (auto r = flush(); !r) spdlog::warn("api key usage: final write failed: {}", r.error().message);
}

system_clock::time_point ApiKeyService::now() const {
  return options_.clock ? options_.clock() : system_clock::now();
}

bool ApiKeyService::looks_like_key(std::string_view text) noexcept {
  return text.starts_with(kLivePrefix) || text.starts_with(kTrialPrefix);
}

TierQuota tier_quota(const config::ApiKeyQuotas& quotas, ApiKeyTier tier) noexcept {
  switch (tier) {
    case ApiKeyTier::trial: return quotas.trial;
    case ApiKeyTier::starter: return quotas.starter;
    case ApiKeyTier::professional: return quotas.professional;
    case ApiKeyTier::enterprise: return quotas.enterprise;
  }
  return {};
}

TierQuota ApiKeyService::quota(ApiKeyTier tier) const noexcept {
  return tier_quota(options_.quotas, tier);
}

Result<CreatedApiKey> ApiKeyService::create(const Identity& owner, const NewApiKey& request) {
  auto name = check_text(request.name, "name", 1, 100);
  if (!name) return std::unexpected(name.error());
  auto description = check_text(request.description, "description", 0, 500);
  if (!description) return std::unexpected(description.error());
  const bool trial = request.tier == ApiKeyTier::trial;
  std::int64_t days = trial ? kTrialDays : 0;
  if (request.expires_in_days) {
    const auto max = trial ? kTrialDays : kMaxDays;
    if (*request.expires_in_days < 1 || *request.expires_in_days > max) {
      return fail(ErrorCode::value_out_of_range, fmt::format("expires_in_days must be from 1 to {}", max),
                  {{"field", "expires_in_days"}});
    }
    days = *request.expires_in_days;
  }
  if (request.tier == ApiKeyTier::enterprise && owner.role != "admin" && owner.role != "super_admin") {
    return fail(ErrorCode::permission_denied, "enterprise keys can only be created by an administrator");
  }

  const auto t = epoch_ms(now());
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto scope = txn->tenant(store::TenantId(owner.tenant_id));
  // Touching the owner's row first serialises concurrent creations for one user on PostgreSQL (a row lock), so the
  // per-user limits below cannot be raced past; SQLite transactions are serial already.
  auto touched = scope.execute(
      "UPDATE users SET updated_at = updated_at WHERE tenant_id = :tenant AND id = ?1 AND "
      "status = 'active'",
      {owner.user_id});
  if (!touched) return std::unexpected(touched.error());
  if (*touched == 0) return fail(ErrorCode::auth_invalid, "account is not active");
  auto counts = scope.query_row(
      "SELECT COUNT(*) AS active, COALESCE(SUM(CASE WHEN tier = 'trial' THEN 1 ELSE 0 END), 0) AS trials "
      "FROM api_keys WHERE tenant_id = :tenant AND user_id = ?1 AND revoked_at IS NULL AND "
      "(expires_at IS NULL OR expires_at > ?2)",
      {owner.user_id, t});
  if (!counts) return std::unexpected(counts.error());
  auto active = (*counts)->get<std::int64_t>("active");
  auto trials = (*counts)->get<std::int64_t>("trials");
  if (!active || !trials) return fail(ErrorCode::database_error, "malformed api key count");
  if (static_cast<std::size_t>(*active) >= options_.max_active_keys_per_user) {
    return fail(ErrorCode::value_out_of_range, fmt::format("at most {} active API keys per user: revoke one first",
                                                           options_.max_active_keys_per_user));
  }
  if (trial && *trials > 0) {
    return fail(ErrorCode::resource_already_exists, "you already have an active trial key");
  }

  CreatedApiKey created;
  created.key = std::string(trial ? kTrialPrefix : kLivePrefix) + random_base62(kSecretChars);
  const auto key_hash = hash_key(created.key);
  auto& info = created.info;
  info.id = new_id();
  info.user_id = owner.user_id;
  info.name = std::move(*name);
  info.description = std::move(*description);
  info.tier = request.tier;
  info.key_prefix = created.key.substr(0, kDisplayPrefix);
  info.created_at = t;
  if (days > 0) info.expires_at = t + days * kDayMs;

  if (auto r = txn->execute("INSERT INTO api_key_lookup (key_hash, owner_tenant, key_id) VALUES (?1, ?2, ?3)",
                            {key_hash, owner.tenant_id, info.id});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto r = scope.execute(
          "INSERT INTO api_keys (id, tenant_id, user_id, name, description, tier, key_prefix, key_hash, created_at, "
          "expires_at) VALUES (?1, :tenant, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
          {info.id, owner.user_id, info.name,
           info.description.empty() ? store::Value() : store::Value(info.description),
           std::string(tier_name(info.tier)), info.key_prefix, key_hash, t, info.expires_at});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return created;
}

Result<std::vector<ApiKeyInfo>> ApiKeyService::list(const Identity& owner) {
  auto rows = db_.tenant(store::TenantId(owner.tenant_id))
                  .query(fmt::format("SELECT {} FROM api_keys WHERE tenant_id = :tenant AND user_id = ?1 "
                                     "ORDER BY created_at DESC, id DESC",
                                     kInfoColumns),
                         {owner.user_id});
  if (!rows) return std::unexpected(rows.error());
  std::vector<ApiKeyInfo> out;
  out.reserve(rows->rows.size());
  for (const auto& row : rows->rows) {
    auto info = info_from_row(row);
    if (!info) return std::unexpected(info.error());
    out.push_back(std::move(*info));
  }
  return out;
}

Result<ApiKeyInfo> ApiKeyService::find_owned(const Identity& owner, std::string_view key_id) {
  auto row =
      db_.tenant(store::TenantId(owner.tenant_id))
          .query_row(fmt::format("SELECT {} FROM api_keys WHERE tenant_id = :tenant AND id = ?1 AND user_id = ?2",
                                 kInfoColumns),
                     {std::string(key_id), owner.user_id});
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::resource_not_found, "API key not found");
  return info_from_row(**row);
}

Result<ApiKeyInfo> ApiKeyService::revoke(const Identity& owner, std::string_view key_id) {
  auto info = find_owned(owner, key_id);
  if (!info) return info;
  if (!info->revoked_at) {
    const auto t = epoch_ms(now());
    auto updated = db_.tenant(store::TenantId(owner.tenant_id))
                       .execute(
                           "UPDATE api_keys SET revoked_at = ?3 WHERE tenant_id = :tenant AND id = ?1 AND "
                           "user_id = ?2 AND revoked_at IS NULL",
                           {std::string(key_id), owner.user_id, t});
    if (!updated) return std::unexpected(updated.error());
    if (*updated == 1) info->revoked_at = t;
  }
  const std::lock_guard lock(cache_mutex_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.key_id == key_id; });
  return info;
}

void ApiKeyService::forget_owner(std::string_view tenant_id, std::string_view user_id) {
  const std::lock_guard lock(cache_mutex_);
  std::erase_if(cache_, [&](const auto& entry) {
    return entry.second.owner.tenant_id == tenant_id && entry.second.owner.user_id == user_id;
  });
}

Result<ApiKeyUsage> ApiKeyService::usage(const Identity& owner, std::string_view key_id) {
  auto info = find_owned(owner, key_id);
  if (!info) return std::unexpected(info.error());
  const auto t = now();
  ApiKeyUsage usage;
  usage.period = month_period(t);
  usage.quota = quota(info->tier);
  const std::string id(key_id);
  if (tracker_.seeded(id, usage.period)) {
    const auto counts = tracker_.counts(id, t);
    usage.month_requests = counts.month;
    usage.minute_requests = counts.minute;
    return usage;
  }
  auto row = db_.tenant(store::TenantId(owner.tenant_id))
                 .query_row(
                     "SELECT requests FROM api_key_usage WHERE tenant_id = :tenant AND key_id = ?1 AND "
                     "period = ?2",
                     {id, usage.period});
  if (!row) return std::unexpected(row.error());
  if (*row) {
    auto n = (*row)->get<std::int64_t>("requests");
    if (!n) return std::unexpected(n.error());
    usage.month_requests = *n;
  }
  return usage;
}

Result<ApiKeyService::CachedKey> ApiKeyService::load(const std::string& key_hash) {
  auto lookup = db_.query_row("SELECT owner_tenant, key_id FROM api_key_lookup WHERE key_hash = ?1", {key_hash});
  if (!lookup) return std::unexpected(lookup.error());
  if (!*lookup) return fail(ErrorCode::auth_invalid, "invalid API key");
  auto tenant = (*lookup)->get<std::string>("owner_tenant");
  auto key_id = (*lookup)->get<std::string>("key_id");
  if (!tenant || !key_id) return fail(ErrorCode::database_error, "malformed api key lookup row");
  auto scope = db_.tenant(store::TenantId(*tenant));
  auto row = scope.query_row(
      "SELECT k.key_hash, k.tier, k.expires_at, k.revoked_at, k.user_id, u.role, u.status FROM api_keys k "
      "JOIN users u ON u.id = k.user_id WHERE k.tenant_id = :tenant AND u.tenant_id = :tenant AND k.id = ?1",
      {*key_id});
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::auth_invalid, "invalid API key");
  auto stored_hash = (*row)->get<std::string>("key_hash");
  auto tier = (*row)->get<std::string>("tier");
  auto expires = (*row)->get<std::optional<std::int64_t>>("expires_at");
  auto revoked = (*row)->get<std::optional<std::int64_t>>("revoked_at");
  auto user = (*row)->get<std::string>("user_id");
  auto role = (*row)->get<std::string>("role");
  auto status = (*row)->get<std::string>("status");
  if (!stored_hash || !tier || !expires || !revoked || !user || !role || !status) {
    return fail(ErrorCode::database_error, "malformed api key row");
  }
  if (!crypto::constant_time_equal(crypto::as_bytes(*stored_hash), crypto::as_bytes(key_hash))) {
    return fail(ErrorCode::auth_invalid, "invalid API key");
  }
  if (*revoked) return fail(ErrorCode::auth_invalid, "API key has been revoked");
  if (*status != "active") return fail(ErrorCode::auth_invalid, "the key's account is not active");
  auto parsed_tier = parse_tier(*tier);
  if (!parsed_tier) return fail(ErrorCode::database_error, "malformed api key row");

  // The month's recorded usage, read once per key and month in this process (see QuotaTracker).
  const auto period = month_period(now());
  if (!tracker_.seeded(*key_id, period)) {
    auto used =
        scope.query_row("SELECT requests FROM api_key_usage WHERE tenant_id = :tenant AND key_id = ?1 AND period = ?2",
                        {*key_id, period});
    if (!used) return std::unexpected(used.error());
    std::int64_t recorded = 0;
    if (*used) {
      auto n = (*used)->get<std::int64_t>("requests");
      if (!n) return std::unexpected(n.error());
      recorded = *n;
    }
    tracker_.seed(*key_id, period, recorded);
  }
  return CachedKey{*tenant,
                   *key_id,
                   key_hash,
                   *parsed_tier,
                   *expires,
                   Identity{*user, *tenant, *role, scopes_for_role(*role)},
                   std::chrono::steady_clock::now()};
}

Result<ApiKeyCheck> ApiKeyService::authenticate(std::string_view presented, ApiKeyCheck* refused) {
  const bool trial = presented.starts_with(kTrialPrefix);
  const auto prefix = trial ? kTrialPrefix.size() : kLivePrefix.size();
  if (!looks_like_key(presented) || presented.size() != prefix + kSecretChars ||
      !std::all_of(presented.begin() + static_cast<std::ptrdiff_t>(prefix), presented.end(), is_base62)) {
    return fail(ErrorCode::auth_malformed, "malformed API key");
  }
  const auto key_hash = hash_key(presented);
  std::optional<CachedKey> key;
  {
    const std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(key_hash);
        it != cache_.end() && std::chrono::steady_clock::now() - it->second.loaded < options_.cache_ttl) {
      key = it->second;
    }
  }
  if (!key) {
    auto loaded = load(key_hash);
    if (!loaded) return std::unexpected(loaded.error());
    key = std::move(*loaded);
    const std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= options_.max_cached_keys) cache_.clear();  // crude bound; reloads are cheap
    cache_.insert_or_assign(key_hash, *key);
  }

  const auto t = now();
  if (key->expires_at && *key->expires_at <= epoch_ms(t)) return fail(ErrorCode::auth_expired, "API key has expired");

  ApiKeyCheck check;
  check.auth = Authentication{key->owner, Authentication::Method::api_key, key->key_id, {}, {}};
  check.tier = key->tier;
  check.decision = tracker_.hit(key->tenant_id, key->key_id, quota(key->tier), t);
  if (!check.decision.allowed) {
    auto error = quota_refusal(check.decision, tier_name(key->tier), "this API key");
    if (refused) *refused = std::move(check);
    return std::unexpected(std::move(error));
  }
  return check;
}

Result<void> ApiKeyService::flush() {
  const std::lock_guard flushing(flush_mutex_);
  auto pending = tracker_.take_pending();
  if (pending.empty()) return {};
  auto write = [&]() -> Result<void> {
    auto txn = db_.begin();
    if (!txn) return std::unexpected(txn.error());
    for (const auto& usage : pending) {
      auto scope = txn->tenant(store::TenantId(usage.tenant_id));
      if (auto r = scope.execute(
              "INSERT INTO api_key_usage (tenant_id, key_id, period, requests) VALUES (:tenant, ?1, ?2, ?3) "
              "ON CONFLICT (tenant_id, key_id, period) DO UPDATE SET requests = api_key_usage.requests + "
              "excluded.requests",
              {usage.key_id, usage.period, usage.requests});
          !r) {
        // A key deleted meanwhile (its tenant removed) has nowhere to count: drop it rather than retry forever.
        if (r.error().code == ErrorCode::invalid_input) continue;
        return std::unexpected(r.error());
      }
      if (auto r = scope.execute("UPDATE api_keys SET last_used_at = ?2 WHERE tenant_id = :tenant AND id = ?1 AND "
                                 "(last_used_at IS NULL OR last_used_at < ?2)",
                                 {usage.key_id, usage.last_used_ms});
          !r) {
        return std::unexpected(r.error());
      }
    }
    return txn->commit();
  };
  if (auto r = write(); !r) {
    tracker_.put_back(std::move(pending));
    return r;
  }
  return {};
}

void ApiKeyService::flush_loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (auto r = flush(); !r) spdlog::warn("api key usage: write failed, will retry: {}", r.error().message);
    lock.lock();
  }
}

}  // namespace pierre::auth
