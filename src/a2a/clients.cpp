#include "clients.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "pierre/auth/api_key_service.hpp"
#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "protocol.hpp"

namespace pierre::a2a {
namespace {

using json = nlohmann::json;

constexpr const char* kClientColumns =
    "id, oauth_client_id, user_id, name, description, scopes, rate_limit_tier, is_active, created_by, created_at, "
    "updated_at";
constexpr std::size_t kMaxName = 100;
constexpr std::size_t kMaxDescription = 500;

std::vector<std::string> split_spaces(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = std::min(text.find(' ', at), text.size());
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::string join_spaces(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

Result<A2aClient> client_from_row(const store::Row& r) {
  auto id = r.get<std::string>("id");
  auto oauth_client = r.get<std::string>("oauth_client_id");
  auto user = r.get<std::string>("user_id");
  auto name = r.get<std::string>("name");
  auto description = r.get<std::string>("description");
  auto scopes = r.get<std::string>("scopes");
  auto tier = r.get<std::string>("rate_limit_tier");
  auto active = r.get<std::int64_t>("is_active");
  auto created_by = r.get<std::string>("created_by");
  auto created = r.get<std::int64_t>("created_at");
  auto updated = r.get<std::int64_t>("updated_at");
  if (!id || !oauth_client || !user || !name || !description || !scopes || !tier || !active || !created_by ||
      !created || !updated) {
    return fail(ErrorCode::database_error, "malformed a2a client row");
  }
  return A2aClient{std::move(*id),
                   std::move(*oauth_client),
                   std::move(*user),
                   std::move(*name),
                   std::move(*description),
                   split_spaces(*scopes),
                   std::move(*tier),
                   *active != 0,
                   std::move(*created_by),
                   *created,
                   *updated};
}

Result<std::optional<A2aClient>> one(const Result<std::optional<store::Row>>& row) {
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<A2aClient>();
  auto client = client_from_row(**row);
  if (!client) return std::unexpected(client.error());
  return std::optional<A2aClient>(std::move(*client));
}

}  // namespace

json A2aClient::to_json() const {
  return {{"id", id},
          {"client_id", oauth_client_id},
          {"user_id", user_id},
          {"name", name},
          {"description", description},
          {"scopes", scopes},
          {"rate_limit_tier", rate_limit_tier},
          {"is_active", active},
          {"created_by", created_by},
          {"created_at", iso8601_ms(created_at_ms)},
          {"updated_at", iso8601_ms(updated_at_ms)}};
}

Result<RegisteredClient> ClientRegistry::register_client(const Identity& acting, const std::string& admin_id,
                                                         NewClient request) {
  if (request.name.empty() || request.name.size() > kMaxName) {
    return fail(ErrorCode::invalid_input, fmt::format("name must be 1–{} characters", kMaxName), {{"field", "name"}});
  }
  if (request.description.size() > kMaxDescription) {
    return fail(ErrorCode::value_out_of_range, fmt::format("description is longer than {} characters", kMaxDescription),
                {{"field", "description"}});
  }
  const auto& supported = oauth_.options().scopes_supported;
  if (request.scopes.empty()) request.scopes = oauth_.options().default_scopes;
  for (const auto& scope : request.scopes) {
    if (std::ranges::find(supported, scope) == supported.end()) {
      return fail(ErrorCode::invalid_input, fmt::format("unsupported scope; supported: {}", join_spaces(supported)),
                  {{"field", "scopes"}});
    }
  }
  if (request.rate_limit_tier.empty()) request.rate_limit_tier = "starter";
  auto tier = auth::parse_tier(request.rate_limit_tier);
  if (!tier) return fail(ErrorCode::invalid_input, tier.error().message, {{"field", "rate_limit_tier"}});
  request.rate_limit_tier = std::string(auth::tier_name(*tier));

  // The credential: a confidential OAuth client for the client_credentials grant, owned by the acting user.
  auto registered = oauth_.register_client({{"client_name", request.name},
                                            {"grant_types", {"client_credentials"}},
                                            {"token_endpoint_auth_method", "client_secret_post"},
                                            {"scope", join_spaces(request.scopes)}},
                                           acting);
  if (!registered) {
    return fail(registered.error().http_status >= 500 ? ErrorCode::internal_error : ErrorCode::invalid_input,
                registered.error().description);
  }
  A2aClient client{new_id("a2a"),
                   registered->client.client_id,
                   acting.user_id,
                   std::move(request.name),
                   std::move(request.description),
                   std::move(request.scopes),
                   std::move(request.rate_limit_tier),
                   true,
                   admin_id,
                   now_epoch_ms(),
                   0};
  client.updated_at_ms = client.created_at_ms;
  auto scope = db_.tenant(store::TenantId(acting.tenant_id));
  auto inserted = scope.execute(
      "INSERT INTO a2a_clients (tenant_id, id, oauth_client_id, user_id, name, description, scopes, rate_limit_tier, "
      "is_active, created_by, created_at, updated_at) VALUES (:tenant, ?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10)",
      {client.id, client.oauth_client_id, client.user_id, client.name, client.description, join_spaces(client.scopes),
       client.rate_limit_tier, client.created_by, client.created_at_ms, client.updated_at_ms});
  if (!inserted) return std::unexpected(inserted.error());
  return RegisteredClient{std::move(client), std::move(registered->client_secret)};
}

Result<std::vector<A2aClient>> ClientRegistry::list(const std::string& tenant_id) {
  auto rows = db_.tenant(store::TenantId(tenant_id))
                  .query(std::string("SELECT ") + kClientColumns +
                         " FROM a2a_clients WHERE tenant_id = :tenant ORDER BY created_at, id");
  if (!rows) return std::unexpected(rows.error());
  std::vector<A2aClient> clients;
  for (const auto& row : rows->rows) {
    auto client = client_from_row(row);
    if (!client) return std::unexpected(client.error());
    clients.push_back(std::move(*client));
  }
  return clients;
}

Result<std::optional<A2aClient>> ClientRegistry::get(const std::string& tenant_id, std::string_view id) {
  return one(db_.tenant(store::TenantId(tenant_id))
                 .query_row(std::string("SELECT ") + kClientColumns +
                                " FROM a2a_clients WHERE tenant_id = :tenant AND id = ?1",
                            {std::string(id)}));
}

Result<std::optional<A2aClient>> ClientRegistry::find_by_oauth_client(const std::string& tenant_id,
                                                                      std::string_view oauth_client_id) {
  return one(db_.tenant(store::TenantId(tenant_id))
                 .query_row(std::string("SELECT ") + kClientColumns +
                                " FROM a2a_clients WHERE tenant_id = :tenant AND oauth_client_id = ?1",
                            {std::string(oauth_client_id)}));
}

Result<bool> ClientRegistry::deactivate(const std::string& tenant_id, std::string_view id) {
  auto client = get(tenant_id, id);
  if (!client) return std::unexpected(client.error());
  if (!*client) return false;
  auto updated =
      db_.tenant(store::TenantId(tenant_id))
          .execute("UPDATE a2a_clients SET is_active = 0, updated_at = ?1 WHERE tenant_id = :tenant AND id = ?2",
                   {now_epoch_ms(), std::string(id)});
  if (!updated) return std::unexpected(updated.error());
  // Its access tokens carry a grant id: revoking the grants refuses them at the next request.
  const Identity owner{(*client)->user_id, tenant_id, "user", {}};
  auto grants = oauth_.list_grants(owner);
  if (!grants) return std::unexpected(grants.error());
  for (const auto& grant : *grants) {
    if (grant.client_id != (*client)->oauth_client_id) continue;
    if (auto revoked = oauth_.revoke_grant(owner, grant.grant_id); !revoked) return std::unexpected(revoked.error());
  }
  return true;
}

void ClientQuotas::Admission::annotate(http::Response& res) const {
  if (!tier.empty()) rest::set_rate_limit_headers(res, tier, decision);
}

ClientQuotas::Admission ClientQuotas::admit(const http::Request& req, const http::RequestContext& ctx) {
  Admission admission;
  if (!ctx.auth || ctx.auth->client_id.empty()) return admission;
  const auto& tenant_id = ctx.auth->identity.tenant_id;
  auto client = clients_.find_by_oauth_client(tenant_id, ctx.auth->client_id);
  if (!client) {
    admission.refused = http::error_response(client.error(), req, ctx);
    return admission;
  }
  return admit(req, ctx, *client);
}

ClientQuotas::Admission ClientQuotas::admit(const http::Request& req, const http::RequestContext& ctx,
                                            const std::optional<A2aClient>& registration) {
  Admission admission;
  // An MCP client's token, say: not a registered agent.
  if (!ctx.auth || !registration || !registration->active) return admission;
  auto tier = auth::parse_tier(registration->rate_limit_tier);
  if (!tier) return admission;  // stored values are validated on registration
  admission.tier = std::string(auth::tier_name(*tier));
  admission.decision = tracker_.hit(ctx.auth->identity.tenant_id, "a2a:" + registration->id,
                                    auth::tier_quota(quotas_, *tier), std::chrono::system_clock::now());
  if (!admission.decision.allowed) {
    auto res =
        http::error_response(auth::quota_refusal(admission.decision, admission.tier, "this A2A client"), req, ctx);
    admission.annotate(res);
    admission.refused = std::move(res);
  }
  return admission;
}

}  // namespace pierre::a2a
