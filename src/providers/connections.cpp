#include "pierre/providers/connections.hpp"

#include <chrono>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::providers {

using nlohmann::json;

// ---- ProviderSet ------------------------------------------------------------------------------------------------

void ProviderSet::add(std::unique_ptr<Provider> provider) {
  if (provider) providers_.push_back(std::move(provider));
}

Provider* ProviderSet::find(std::string_view name) const noexcept {
  for (const auto& p : providers_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

std::vector<Provider*> ProviderSet::all() const {
  std::vector<Provider*> out;
  out.reserve(providers_.size());
  for (const auto& p : providers_) out.push_back(p.get());
  return out;
}

json Connection::to_json() const {
  json out = {{"provider", provider},
              {"status", status},
              {"account_id", account_id},
              {"scope", scope},
              {"connected_at", iso8601_ms(connected_at_ms)},
              {"activities_synced", activities_synced},
              {"backfill_complete", backfill_complete}};
  out["last_sync_at"] = last_sync_at_ms ? json(iso8601_ms(*last_sync_at_ms)) : json(nullptr);
  out["last_sync_error"] = last_sync_error ? json(*last_sync_error) : json(nullptr);
  out["newest_activity_start"] = newest_start_ms ? json(iso8601_ms(*newest_start_ms)) : json(nullptr);
  out["synced_back_to"] = backfill_before_ms ? json(iso8601_ms(*backfill_before_ms)) : json(nullptr);
  return out;
}

// ---- Connections ------------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kColumns =
    "provider, account_id, status, access_token, refresh_token, expires_at, scope, token_version, connected_at, "
    "last_sync_at, last_sync_error, activities_synced, backfill_before, backfill_complete, newest_start";

std::string token_context(std::string_view provider, std::string_view user, std::string_view kind) {
  return fmt::format("provider_token:{}:{}:{}", provider, user, kind);
}

std::string state_hash(std::string_view state) {
  return crypto::hex_encode(crypto::sha256(crypto::as_bytes(state)));
}

std::string random_token() {
  return crypto::base64url_encode(crypto::random_bytes(32));
}

std::unexpected<Error> reauth_needed(std::string_view provider) {
  return fail(ErrorCode::external_auth_failed,
              fmt::format("the {} connection needs to be authorised again: call connect_provider", provider),
              {{"provider", provider}, {"status", "needs_reauth"}});
}

std::unexpected<Error> not_connected(std::string_view provider) {
  return fail(ErrorCode::resource_not_found,
              fmt::format("{} is not connected: call connect_provider to link the account", provider),
              {{"provider", provider}, {"status", "not_connected"}});
}

}  // namespace

struct Connections::Row {
  Connection connection;
  store::Blob access_cipher;
  store::Blob refresh_cipher;
  std::int64_t token_version = 0;
};

Connections::Connections(store::Database& db, auth::KeyStore& keys, const ProviderSet& providers,
                         ConnectionsOptions options)
    : db_(db), keys_(keys), providers_(providers), options_(std::move(options)) {}

std::int64_t Connections::now() const {
  return options_.clock ? options_.clock() : now_epoch_ms();
}

std::mutex& Connections::lock_for(const Owner& owner, std::string_view provider) {
  const auto key = fmt::format("{}\x1f{}\x1f{}", owner.tenant_id, owner.user_id, provider);
  const std::lock_guard guard(locks_mutex_);
  auto it = locks_.find(key);
  if (it == locks_.end()) it = locks_.emplace(key, std::make_unique<std::mutex>()).first;
  return *it->second;
}

Result<ConnectStart> Connections::begin(const Owner& owner, std::string_view name) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) {
    return fail(ErrorCode::resource_not_found, fmt::format("unknown provider '{}' (strava, garmin, fitbit)", name),
                {{"provider", name}});
  }
  if (!provider->configured()) {
    return fail(ErrorCode::config_missing,
                fmt::format("{} is not configured on this server (no client credentials)", name),
                {{"provider", name}, {"status", "not_configured"}});
  }
  if (auto ok = keys_.ensure_tenant_key(owner.tenant_id); !ok) return std::unexpected(ok.error());
  const auto state = random_token();
  std::string challenge;
  store::Value verifier_cipher;
  if (provider->uses_pkce()) {
    const auto verifier = random_token();  // 43 characters of base64url: RFC 7636 §4.1
    challenge = crypto::base64url_encode(crypto::sha256(crypto::as_bytes(verifier)));
    auto sealed = keys_.keyring().encrypt(owner.tenant_id, crypto::as_bytes(verifier),
                                          fmt::format("provider_pkce:{}:{}", name, owner.user_id));
    if (!sealed) return std::unexpected(sealed.error());
    verifier_cipher = store::Blob(std::move(*sealed));
  }
  const auto created = now();
  const auto expires = created + std::chrono::duration_cast<std::chrono::milliseconds>(options_.state_ttl).count();
  // Expired states are useless: drop them on the way (bounded table without a separate janitor).
  (void)db_.execute("DELETE FROM provider_oauth_states WHERE expires_at < ?1", {created - 86'400'000});
  auto inserted = db_.execute(
      "INSERT INTO provider_oauth_states (state_hash, owner_tenant, user_id, provider, code_verifier, created_at, "
      "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {state_hash(state), owner.tenant_id, owner.user_id, std::string(name), verifier_cipher, created, expires});
  if (!inserted) return std::unexpected(inserted.error());
  return ConnectStart{provider->authorization_url(state, challenge), expires};
}

struct Connections::ConsumedState {
  Owner owner;
  std::string verifier;
};

Result<Connections::ConsumedState> Connections::consume_state(std::string_view name, std::string_view state) {
  const auto rejected = [] {
    return fail(ErrorCode::auth_invalid, "the authorization state is invalid, expired or already used");
  };
  if (state.empty() || state.size() > 512) return rejected();
  const auto hash = state_hash(state);
  auto row = db_.query_row(
      "SELECT owner_tenant, user_id, provider, code_verifier FROM provider_oauth_states WHERE state_hash = ?1", {hash});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return rejected();
  const auto& r = **row;
  ConsumedState out;
  out.owner = Owner{r.get<std::string>("owner_tenant").value_or(""), r.get<std::string>("user_id").value_or("")};
  const auto bound_provider = r.get<std::string>("provider").value_or("");
  // Single use first: whatever else is wrong, this state is spent (a replay after a failed attempt stays rejected).
  const auto t = now();
  auto consumed = db_.execute(
      "UPDATE provider_oauth_states SET used_at = ?1 WHERE state_hash = ?2 AND used_at IS NULL AND expires_at > ?1",
      {t, hash});
  if (!consumed) return std::unexpected(consumed.error());
  if (*consumed != 1 || bound_provider != name) return rejected();
  if (auto blob = r.get<std::optional<store::Blob>>("code_verifier"); blob && blob->has_value()) {
    auto plain = keys_.keyring().decrypt(out.owner.tenant_id, **blob,
                                         fmt::format("provider_pkce:{}:{}", name, out.owner.user_id));
    if (!plain) return rejected();
    out.verifier.assign(plain->begin(), plain->end());
  }
  return out;
}

Result<Owner> Connections::abandon(std::string_view provider, std::string_view state) {
  auto consumed = consume_state(provider, state);
  if (!consumed) return std::unexpected(consumed.error());
  return consumed->owner;
}

Result<Connected> Connections::complete(std::string_view name, std::string_view state, std::string_view code,
                                        const Owner* caller, std::string_view granted_scope) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) return fail(ErrorCode::resource_not_found, "unknown provider");
  if (code.empty() || code.size() > 4096) {
    return fail(ErrorCode::invalid_input, "the provider sent no usable authorization code");
  }
  auto consumed = consume_state(name, state);
  if (!consumed) return std::unexpected(consumed.error());
  const Owner owner = consumed->owner;
  if (caller != nullptr && (caller->tenant_id != owner.tenant_id || caller->user_id != owner.user_id)) {
    return fail(ErrorCode::permission_denied, "this authorization was started by another user");
  }
  const std::string verifier = std::move(consumed->verifier);
  const auto t = now();
  auto tokens = provider->exchange_code(code, verifier);
  if (!tokens) return std::unexpected(tokens.error());
  if (tokens->scope.empty() && granted_scope.size() <= 512) tokens->scope = std::string(granted_scope);
  if (auto ok = keys_.ensure_tenant_key(owner.tenant_id); !ok) return std::unexpected(ok.error());
  auto access = keys_.keyring().encrypt(owner.tenant_id, crypto::as_bytes(tokens->access_token),
                                        token_context(name, owner.user_id, "access"));
  auto refresh = keys_.keyring().encrypt(owner.tenant_id, crypto::as_bytes(tokens->refresh_token),
                                         token_context(name, owner.user_id, "refresh"));
  if (!access) return std::unexpected(access.error());
  if (!refresh) return std::unexpected(refresh.error());

  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto scope = txn->tenant(store::TenantId(owner.tenant_id));
  // A reconnect replaces the tokens and clears needs_reauth; it keeps the sync position only for the same account
  // (another account's history has to be walked from the start).
  auto upsert = scope.execute(
      "INSERT INTO provider_connections (tenant_id, user_id, provider, account_id, status, access_token, "
      "refresh_token, expires_at, scope, token_version, connected_at, activities_synced, backfill_complete) "
      "VALUES (:tenant, ?1, ?2, ?3, 'connected', ?4, ?5, ?6, ?7, 1, ?8, 0, 0) "
      "ON CONFLICT (tenant_id, user_id, provider) DO UPDATE SET "
      "backfill_before = CASE WHEN provider_connections.account_id = excluded.account_id "
      "THEN provider_connections.backfill_before ELSE NULL END, "
      "newest_start = CASE WHEN provider_connections.account_id = excluded.account_id "
      "THEN provider_connections.newest_start ELSE NULL END, "
      "backfill_complete = CASE WHEN provider_connections.account_id = excluded.account_id "
      "THEN provider_connections.backfill_complete ELSE 0 END, "
      "account_id = excluded.account_id, "
      "status = 'connected', access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
      "expires_at = excluded.expires_at, scope = excluded.scope, "
      "token_version = provider_connections.token_version + 1, last_sync_error = NULL",
      {owner.user_id, std::string(name), tokens->account_id, store::Blob(std::move(*access)),
       store::Blob(std::move(*refresh)), tokens->expires_at_ms, tokens->scope, t});
  if (!upsert) return std::unexpected(upsert.error());
  if (!tokens->account_id.empty()) {
    // One account, one user: connecting it here takes it away from whoever had it (their webhooks stop).
    auto mapped = txn->execute(
        "INSERT INTO provider_accounts (provider, account_id, owner_tenant, user_id) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (provider, account_id) DO UPDATE SET owner_tenant = excluded.owner_tenant, "
        "user_id = excluded.user_id",
        {std::string(name), tokens->account_id, owner.tenant_id, owner.user_id});
    if (!mapped) return std::unexpected(mapped.error());
  }
  if (auto ok = txn->commit(); !ok) return std::unexpected(ok.error());
  auto loaded = load(owner, name);
  if (!loaded) return std::unexpected(loaded.error());
  if (!loaded->has_value()) return fail(ErrorCode::database_error, "the connection vanished");
  return Connected{owner, std::move((*loaded)->connection)};
}

Result<std::optional<Connections::Row>> Connections::load(const Owner& owner, std::string_view provider) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row(fmt::format("SELECT {} FROM provider_connections WHERE tenant_id = :tenant AND "
                                         "user_id = ?1 AND provider = ?2",
                                         kColumns),
                             {owner.user_id, std::string(provider)});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Row>{};
  const auto& r = **row;
  Row out;
  auto& c = out.connection;
  c.provider = r.get<std::string>("provider").value_or("");
  c.account_id = r.get<std::string>("account_id").value_or("");
  c.status = r.get<std::string>("status").value_or("");
  c.scope = r.get<std::string>("scope").value_or("");
  c.token_expires_at_ms = r.get<std::int64_t>("expires_at").value_or(0);
  c.connected_at_ms = r.get<std::int64_t>("connected_at").value_or(0);
  c.last_sync_at_ms = r.get<std::optional<std::int64_t>>("last_sync_at").value_or(std::nullopt);
  c.last_sync_error = r.get<std::optional<std::string>>("last_sync_error").value_or(std::nullopt);
  c.activities_synced = r.get<std::int64_t>("activities_synced").value_or(0);
  c.backfill_before_ms = r.get<std::optional<std::int64_t>>("backfill_before").value_or(std::nullopt);
  c.backfill_complete = r.get<std::int64_t>("backfill_complete").value_or(0) != 0;
  c.newest_start_ms = r.get<std::optional<std::int64_t>>("newest_start").value_or(std::nullopt);
  out.access_cipher = r.get<store::Blob>("access_token").value_or(store::Blob{});
  out.refresh_cipher = r.get<store::Blob>("refresh_token").value_or(store::Blob{});
  out.token_version = r.get<std::int64_t>("token_version").value_or(0);
  return std::optional<Row>(std::move(out));
}

Result<std::vector<Connection>> Connections::list(const Owner& owner) {
  std::vector<Connection> out;
  for (const Provider* p : providers_.all()) {
    auto row = load(owner, p->name());
    if (!row) return std::unexpected(row.error());
    if (row->has_value()) out.push_back(std::move((*row)->connection));
  }
  return out;
}

Result<std::optional<Connection>> Connections::find(const Owner& owner, std::string_view provider) {
  auto row = load(owner, provider);
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Connection>{};
  return std::optional<Connection>(std::move((*row)->connection));
}

Result<bool> Connections::remove(const Owner& owner, std::string_view provider) {
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto removed = txn->tenant(store::TenantId(owner.tenant_id))
                     .execute(
                         "DELETE FROM provider_connections WHERE tenant_id = :tenant AND user_id = ?1 AND "
                         "provider = ?2",
                         {owner.user_id, std::string(provider)});
  if (!removed) return std::unexpected(removed.error());
  auto unmapped =
      txn->execute("DELETE FROM provider_accounts WHERE provider = ?1 AND owner_tenant = ?2 AND user_id = ?3",
                   {std::string(provider), owner.tenant_id, owner.user_id});
  if (!unmapped) return std::unexpected(unmapped.error());
  if (auto ok = txn->commit(); !ok) return std::unexpected(ok.error());
  return *removed > 0;
}

Result<std::optional<Owner>> Connections::owner_of(std::string_view provider, std::string_view account_id) {
  auto row = db_.query_row(
      "SELECT owner_tenant, user_id FROM provider_accounts WHERE provider = ?1 AND "
      "account_id = ?2",
      {std::string(provider), std::string(account_id)});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Owner>{};
  return std::optional<Owner>(
      Owner{(**row).get<std::string>("owner_tenant").value_or(""), (**row).get<std::string>("user_id").value_or("")});
}

Result<std::vector<std::pair<Owner, std::string>>> Connections::all_connected() {
  // The account map names every connection that has an account id; connections without one (a provider that did
  // not tell) are found per tenant below.
  auto tenants = db_.query("SELECT id FROM tenants");
  if (!tenants) return std::unexpected(tenants.error());
  std::vector<std::pair<Owner, std::string>> out;
  for (const auto& t : tenants->rows) {
    const auto tenant = t.get<std::string>("id").value_or("");
    auto rows = db_.tenant(store::TenantId(tenant))
                    .query(
                        "SELECT user_id, provider FROM provider_connections WHERE tenant_id = :tenant AND "
                        "status = 'connected'");
    if (!rows) return std::unexpected(rows.error());
    for (const auto& r : rows->rows) {
      out.emplace_back(Owner{tenant, r.get<std::string>("user_id").value_or("")},
                       r.get<std::string>("provider").value_or(""));
    }
  }
  return out;
}

Result<TokenSet> Connections::tokens(const Owner& owner, std::string_view provider) {
  auto row = load(owner, provider);
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return not_connected(provider);
  auto access =
      keys_.keyring().decrypt(owner.tenant_id, (*row)->access_cipher, token_context(provider, owner.user_id, "access"));
  auto refresh = keys_.keyring().decrypt(owner.tenant_id, (*row)->refresh_cipher,
                                         token_context(provider, owner.user_id, "refresh"));
  if (!access || !refresh) return fail(ErrorCode::internal_error, "the stored tokens cannot be read");
  TokenSet out;
  out.access_token.assign(access->begin(), access->end());
  out.refresh_token.assign(refresh->begin(), refresh->end());
  out.expires_at_ms = (*row)->connection.token_expires_at_ms;
  out.scope = (*row)->connection.scope;
  out.account_id = (*row)->connection.account_id;
  return out;
}

Result<std::string> Connections::access_token(const Owner& owner, std::string_view name) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) return fail(ErrorCode::resource_not_found, "unknown provider");
  const auto margin = std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_margin).count();
  const auto fresh = [&](const Row& row) {
    return row.connection.token_expires_at_ms == 0 || row.connection.token_expires_at_ms > now() + margin;
  };
  auto row = load(owner, name);
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return not_connected(name);
  if ((*row)->connection.status == "needs_reauth") return reauth_needed(name);
  if (!fresh(**row)) {
    const std::lock_guard lock(lock_for(owner, name));
    row = load(owner, name);  // a caller we waited for may have refreshed it
    if (!row) return std::unexpected(row.error());
    if (!row->has_value()) return not_connected(name);
    if ((*row)->connection.status == "needs_reauth") return reauth_needed(name);
    if (!fresh(**row)) return refresh_locked(owner, *provider, **row);
  }
  auto plain =
      keys_.keyring().decrypt(owner.tenant_id, (*row)->access_cipher, token_context(name, owner.user_id, "access"));
  if (!plain) return fail(ErrorCode::internal_error, "the stored tokens cannot be read");
  return std::string(plain->begin(), plain->end());
}

Result<std::string> Connections::refresh_after_rejection(const Owner& owner, std::string_view name,
                                                         std::string_view rejected) {
  Provider* provider = providers_.find(name);
  if (provider == nullptr) return fail(ErrorCode::resource_not_found, "unknown provider");
  const std::lock_guard lock(lock_for(owner, name));
  auto row = load(owner, name);
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return not_connected(name);
  if ((*row)->connection.status == "needs_reauth") return reauth_needed(name);
  auto plain =
      keys_.keyring().decrypt(owner.tenant_id, (*row)->access_cipher, token_context(name, owner.user_id, "access"));
  if (!plain) return fail(ErrorCode::internal_error, "the stored tokens cannot be read");
  std::string current(plain->begin(), plain->end());
  if (current != rejected) return current;  // someone refreshed while we waited
  return refresh_locked(owner, *provider, **row);
}

Result<std::string> Connections::refresh_locked(const Owner& owner, Provider& provider, const Row& row) {
  const auto name = provider.name();
  auto refresh_plain =
      keys_.keyring().decrypt(owner.tenant_id, row.refresh_cipher, token_context(name, owner.user_id, "refresh"));
  if (!refresh_plain) return fail(ErrorCode::internal_error, "the stored tokens cannot be read");
  const std::string refresh_token(refresh_plain->begin(), refresh_plain->end());
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto fresh = provider.refresh(refresh_token);
  if (!fresh) {
    if (fresh.error().code == ErrorCode::external_auth_failed) {
      (void)scope.execute(
          "UPDATE provider_connections SET status = 'needs_reauth', last_sync_error = ?1 WHERE tenant_id = :tenant "
          "AND user_id = ?2 AND provider = ?3 AND token_version = ?4",
          {std::string("the provider refused to refresh the authorization"), owner.user_id, std::string(name),
           row.token_version});
      return reauth_needed(name);
    }
    return std::unexpected(fresh.error());
  }
  auto access = keys_.keyring().encrypt(owner.tenant_id, crypto::as_bytes(fresh->access_token),
                                        token_context(name, owner.user_id, "access"));
  auto refresh = keys_.keyring().encrypt(owner.tenant_id, crypto::as_bytes(fresh->refresh_token),
                                         token_context(name, owner.user_id, "refresh"));
  if (!access || !refresh) return fail(ErrorCode::internal_error, "the tokens cannot be stored");
  auto written = scope.execute(
      "UPDATE provider_connections SET access_token = ?1, refresh_token = ?2, expires_at = ?3, "
      "token_version = token_version + 1 WHERE tenant_id = :tenant AND user_id = ?4 AND provider = ?5 AND "
      "token_version = ?6",
      {store::Blob(std::move(*access)), store::Blob(std::move(*refresh)), fresh->expires_at_ms, owner.user_id,
       std::string(name), row.token_version});
  if (!written) return std::unexpected(written.error());
  if (*written == 1) return std::move(fresh->access_token);
  // Another process refreshed first: its tokens are the current ones (ours may already be invalid if the provider
  // rotates refresh tokens, so they are not written over theirs).
  auto current = load(owner, name);
  if (!current) return std::unexpected(current.error());
  if (!current->has_value()) return not_connected(name);
  auto plain =
      keys_.keyring().decrypt(owner.tenant_id, (*current)->access_cipher, token_context(name, owner.user_id, "access"));
  if (!plain) return fail(ErrorCode::internal_error, "the stored tokens cannot be read");
  return std::string(plain->begin(), plain->end());
}

Result<void> Connections::record_sync(const Owner& owner, std::string_view provider, const SyncUpdate& u) {
  // Only the fields the update carries are written (fixed SQL fragments, values always bound).
  std::vector<std::string> sets;
  store::Params params{owner.user_id, std::string(provider)};
  const auto bind = [&](store::Value v) {
    params.push_back(std::move(v));
    return fmt::format("?{}", params.size());
  };
  if (u.last_sync_at_ms) sets.push_back("last_sync_at = " + bind(*u.last_sync_at_ms));
  if (u.last_sync_error) {
    sets.push_back(u.last_sync_error->empty() ? std::string("last_sync_error = NULL")
                                              : "last_sync_error = " + bind(*u.last_sync_error));
  }
  if (u.activities_added != 0) sets.push_back("activities_synced = activities_synced + " + bind(u.activities_added));
  if (u.backfill_before_ms) sets.push_back("backfill_before = " + bind(*u.backfill_before_ms));
  if (u.backfill_complete) sets.push_back("backfill_complete = " + bind(std::int64_t{*u.backfill_complete ? 1 : 0}));
  if (u.newest_start_ms) {
    const auto p = bind(*u.newest_start_ms);
    sets.push_back(
        fmt::format("newest_start = CASE WHEN newest_start IS NULL OR newest_start < {0} THEN {0} ELSE "
                    "newest_start END",
                    p));
  }
  if (sets.empty()) return {};
  auto r = db_.tenant(store::TenantId(owner.tenant_id))
               .execute(fmt::format("UPDATE provider_connections SET {} WHERE tenant_id = :tenant AND user_id = ?1 AND "
                                    "provider = ?2",
                                    fmt::join(sets, ", ")),
                        std::move(params));
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace pierre::providers
