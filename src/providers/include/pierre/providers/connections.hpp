#pragma once
// A user's links to fitness providers: the connect flow (authorization URL with a single-use state, the callback
// that exchanges the code), the tokens (encrypted with the tenant's data key, refreshed before expiry, one refresh
// for any number of concurrent callers), and the sync bookkeeping the sync engine keeps per connection.
//
// The connect state: 256 random bits, base64url, stored as SHA-256; bound to tenant + user + provider (+ the PKCE
// verifier, encrypted, for providers that use PKCE); valid for `state_ttl`; consumed by a conditional UPDATE before
// the code is exchanged, so a replayed, expired, tampered or cross-provider state stores nothing.
//
// Refresh (the TOCTOU case): a token within `refresh_margin` of expiry, or one the provider just answered 401 to, is
// refreshed under a per-connection lock in this process, re-reading the row first (a caller that waited finds the
// new token and does not refresh again); the write is conditional on token_version, so another process refreshing
// at the same moment cannot be overwritten — the loser re-reads the winner's tokens. A refresh the provider rejects
// marks the connection needs_reauth; tools then say to connect again.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/activity/service.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/error.hpp"
#include "pierre/providers/provider.hpp"
#include "pierre/store/database.hpp"

namespace pierre::providers {

using activity::Owner;

// The providers this server knows, configured or not (an unconfigured one answers config_missing).
class ProviderSet {
 public:
  void add(std::unique_ptr<Provider> provider);
  [[nodiscard]] Provider* find(std::string_view name) const noexcept;
  [[nodiscard]] std::vector<Provider*> all() const;

 private:
  std::vector<std::unique_ptr<Provider>> providers_;
};

struct Connection {
  std::string provider;
  std::string account_id;
  std::string status;  // "connected" | "needs_reauth"
  std::string scope;
  std::int64_t connected_at_ms = 0;
  std::int64_t token_expires_at_ms = 0;
  std::optional<std::int64_t> last_sync_at_ms;
  std::optional<std::string> last_sync_error;
  std::int64_t activities_synced = 0;
  std::optional<std::int64_t> backfill_before_ms;  // the backfill has everything from here to the connection time
  bool backfill_complete = false;
  std::optional<std::int64_t> newest_start_ms;  // the newest synced activity's start

  [[nodiscard]] nlohmann::json to_json() const;  // no tokens, ever
};

struct Connected {
  Owner owner;  // who started the flow (the state said)
  Connection connection;
};

struct ConnectStart {
  std::string authorization_url;
  std::int64_t expires_at_ms = 0;
};

// What the sync engine writes back after a page or a run (absent = unchanged).
struct SyncUpdate {
  std::optional<std::int64_t> last_sync_at_ms;
  std::optional<std::string> last_sync_error;  // "" clears it
  std::int64_t activities_added = 0;
  std::optional<std::int64_t> backfill_before_ms;
  std::optional<bool> backfill_complete;
  std::optional<std::int64_t> newest_start_ms;  // only moves forward
};

struct ConnectionsOptions {
  std::chrono::seconds state_ttl{600};
  std::chrono::seconds refresh_margin{300};
  std::function<std::int64_t()> clock;  // epoch ms; the system clock when empty
};

class Connections {
 public:
  Connections(store::Database& db, auth::KeyStore& keys, const ProviderSet& providers, ConnectionsOptions options = {});

  // The provider's authorization URL for this user. resource_not_found for an unknown provider, config_missing for
  // one without client credentials on this server.
  Result<ConnectStart> begin(const Owner& owner, std::string_view provider);
  // The browser's return: consumes `state`, checks it names `provider` (and, when the callback request itself is
  // authenticated, that `caller` is the user who started it), exchanges the code and stores the tokens. Any failure
  // stores nothing: auth_invalid for a bad/used/expired/foreign state, the provider's error for the exchange.
  // `granted_scope` is the callback's `scope` parameter, for providers (Strava) that report what the user granted
  // only there; the token response's scope wins when it has one.
  Result<Connected> complete(std::string_view provider, std::string_view state, std::string_view code,
                             const Owner* caller, std::string_view granted_scope = {});

  // The browser came back with an error (the user denied access): the state is consumed and its owner returned,
  // so the failure can be told to the right user. auth_invalid for a bad/used/expired/foreign state.
  Result<Owner> abandon(std::string_view provider, std::string_view state);

  Result<std::vector<Connection>> list(const Owner& owner);
  Result<std::optional<Connection>> find(const Owner& owner, std::string_view provider);
  // Forgets the connection (tokens and account mapping); the caller revokes at the provider first if it can.
  Result<bool> remove(const Owner& owner, std::string_view provider);
  // Who a provider account belongs to (webhooks), if anyone here.
  Result<std::optional<Owner>> owner_of(std::string_view provider, std::string_view account_id);
  // Every connection on this server (the scheduler's walk), as (owner, provider).
  Result<std::vector<std::pair<Owner, std::string>>> all_connected();

  // A usable access token: refreshed first when within refresh_margin of expiry. external_auth_failed with a
  // "connect again" message when the connection needs re-authorisation; resource_not_found when not connected.
  Result<std::string> access_token(const Owner& owner, std::string_view provider);
  // After the provider answered 401 to `rejected`: refreshes unless another caller already replaced it.
  Result<std::string> refresh_after_rejection(const Owner& owner, std::string_view provider, std::string_view rejected);
  // The stored tokens, decrypted (revocation at disconnect).
  Result<TokenSet> tokens(const Owner& owner, std::string_view provider);

  Result<void> record_sync(const Owner& owner, std::string_view provider, const SyncUpdate& update);

 private:
  struct Row;
  struct ConsumedState;
  Result<ConsumedState> consume_state(std::string_view provider, std::string_view state);
  Result<std::optional<Row>> load(const Owner& owner, std::string_view provider);
  Result<std::string> refresh_locked(const Owner& owner, Provider& provider, const Row& row);
  std::mutex& lock_for(const Owner& owner, std::string_view provider);
  std::int64_t now() const;

  store::Database& db_;
  auth::KeyStore& keys_;
  const ProviderSet& providers_;
  ConnectionsOptions options_;
  std::mutex locks_mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>, std::less<>> locks_;
};

}  // namespace pierre::providers
