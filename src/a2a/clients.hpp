#pragma once
// A2A clients an administrator registered for a tenant (Pierre's "A2A client registration"). The credential is an
// OAuth client of our authorization server (client_credentials grant, secret shown once, stored as SHA-256 and
// compared in constant time at /oauth2/token) owned by the user the agent acts as; the a2a_clients row (migration
// 009) holds what the administrator manages. Deactivating revokes the client's grants, so its tokens stop at once.
// Module-internal.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/auth/quota_tracker.hpp"
#include "pierre/core/config.hpp"
#include "pierre/core/error.hpp"
#include "pierre/core/identity.hpp"
#include "pierre/http/types.hpp"
#include "pierre/oauth2/authorization_server.hpp"
#include "pierre/store/database.hpp"

namespace pierre::a2a {

struct A2aClient {
  std::string id;
  std::string oauth_client_id;
  std::string user_id;  // the account the agent acts as
  std::string name;
  std::string description;
  std::vector<std::string> scopes;
  std::string rate_limit_tier;
  bool active = true;
  std::string created_by;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;

  [[nodiscard]] nlohmann::json to_json() const;
};

struct NewClient {
  std::string name;
  std::string description;
  std::vector<std::string> scopes;
  std::string rate_limit_tier;
};

struct RegisteredClient {
  A2aClient client;
  std::string client_secret;  // shown once
};

class ClientRegistry {
 public:
  ClientRegistry(store::Database& db, oauth2::AuthorizationServer& oauth) : db_(db), oauth_(oauth) {}

  // `acting` is the account the agent will act as (same tenant as the administrator `admin_id`).
  Result<RegisteredClient> register_client(const Identity& acting, const std::string& admin_id, NewClient request);
  Result<std::vector<A2aClient>> list(const std::string& tenant_id);
  Result<std::optional<A2aClient>> get(const std::string& tenant_id, std::string_view id);
  Result<std::optional<A2aClient>> find_by_oauth_client(const std::string& tenant_id, std::string_view oauth_client_id);
  // false when there is no such client in the tenant.
  Result<bool> deactivate(const std::string& tenant_id, std::string_view id);

 private:
  store::Database& db_;
  oauth2::AuthorizationServer& oauth_;
};

// The rate-limit tier of registered A2A clients, enforced: each call an A2A client's access token makes to the A2A
// endpoints counts against its tier's per-minute and monthly quotas (the API-key tier table,
// PIERRE_RATE_LIMIT_<TIER>_*), in this process's memory. Other callers (users, API keys, which have their own quotas)
// pass untouched.
class ClientQuotas {
 public:
  ClientQuotas(ClientRegistry& clients, config::ApiKeyQuotas quotas) : clients_(clients), quotas_(std::move(quotas)) {}

  struct Admission {
    std::optional<http::Response> refused;  // 429 (over quota) or 500 (the registry failed): answer this
    std::string tier;                       // empty when the caller is not a registered A2A client
    auth::QuotaDecision decision;
    // The X-RateLimit-* headers on a response served to a counted client.
    void annotate(http::Response& res) const;
  };
  Admission admit(const http::Request& req, const http::RequestContext& ctx);
  // The same for a caller whose registration the route already looked up (nullopt: not an active A2A client).
  Admission admit(const http::Request& req, const http::RequestContext& ctx,
                  const std::optional<A2aClient>& registration);

 private:
  ClientRegistry& clients_;
  config::ApiKeyQuotas quotas_;
  auth::QuotaTracker tracker_;
};

}  // namespace pierre::a2a
