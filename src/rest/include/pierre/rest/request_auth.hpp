#pragma once
// Request identity for every route.
//
// authentication_middleware (install with Router::use): turns the request's credentials into
// RequestContext::auth before any handler runs —
//   * `X-API-Key: pk_…`, or `Authorization: Bearer pk_…` (MCP clients can only send bearer tokens): an API key.
//     A valid key within its quotas sets ctx.auth and every response gets rate-limit headers (X-RateLimit-Limit,
//     -Remaining, -Reset (Unix seconds), -Window (seconds), -Tier; the window is the one with the fewest requests
//     left). Over quota → 429 at once, with the same headers and Retry-After.
//   * `Authorization: Bearer <jwt>`: a JWT verified by TokenService; an OAuth access token's grant must still be in
//     force (grant_active), so revoking an authorization revokes its access tokens at once.
//   Credentials that fail (unknown/revoked/expired key, bad token) are not answered here: the error goes into
//   ctx.auth_error, so public routes still work and protected ones answer 401 with the precise reason.
//
// caller: what a protected handler asks for — ctx.auth's identity, else ctx.auth_error, else AUTH_REQUIRED (401).
// current_account: caller(), re-checked against the database — the account must still exist and be active (401
// AUTH_INVALID otherwise) and the identity carries its current role, not the one in a possibly stale token.
// require_role: PERMISSION_DENIED (403) unless identity.role is one of `roles`.

#include <functional>
#include <initializer_list>
#include <string_view>

#include "pierre/auth/api_key_service.hpp"
#include "pierre/auth/identity.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/http/router.hpp"
#include "pierre/http/types.hpp"

namespace pierre::rest {

// Whether an OAuth grant is still in force (not revoked); consulted for tokens that carry a grant id.
using GrantCheck = std::function<Result<bool>(std::string_view grant_id)>;

// Both services must outlive the router. Without `grant_active`, tokens carrying a grant id are refused.
http::Middleware authentication_middleware(const auth::TokenService& tokens, auth::ApiKeyService& api_keys,
                                           GrantCheck grant_active = {});

Result<auth::Identity> caller(const http::RequestContext& ctx);
// The X-RateLimit-* headers (and Retry-After when refused) of a quota decision, as API-key responses carry them.
void set_rate_limit_headers(http::Response& res, std::string_view tier, const auth::QuotaDecision& decision);

Result<auth::Identity> current_account(const http::RequestContext& ctx, auth::UserService& users);

Result<void> require_role(const auth::Identity& identity, std::initializer_list<std::string_view> roles);

}  // namespace pierre::rest
