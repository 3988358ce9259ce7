#pragma once
// REST endpoints for accounts and token keys (Pierre's shapes):
//   POST /admin/setup      {email,password,display_name} → 201 {user, tenant_id}; 409 RESOURCE_ALREADY_EXISTS after.
//   POST /auth/register    {email,password,display_name} → 201 {user_id, status, message} in the default tenant.
//                          Decision: before /admin/setup there is no default tenant, so this is 503
//                          RESOURCE_UNAVAILABLE "server setup has not been completed" (retry after setup).
//   POST /auth/login       {email,password} → 200 {jwt_token, expires_at (ISO-8601 UTC), user:{id, email,
//                          display_name, role, tenant_id}}; 401 AUTH_INVALID otherwise (same message for unknown
//                          email and wrong password). Throttled (auth::LoginThrottle, PIERRE_LOGIN_*): once an
//                          email or the client IP has too many failures in the window, 429 RATE_LIMIT_EXCEEDED
//                          "too many failed login attempts; try again later" + Retry-After (details.retry_after_secs)
//                          before any password check, whether or not the account exists.
//   POST /auth/refresh     Authorization: Bearer <valid jwt> → 200 {jwt_token, expires_at} for the same user, with
//                          the account's current role; 401 AUTH_REQUIRED without a token, AUTH_INVALID (or
//                          AUTH_EXPIRED) for a bad token or an account that is no longer active.
//   GET  /oauth2/jwks, GET /.well-known/jwks.json → {"keys":[...]} (public keys only).
// Bodies must be Content-Type: application/json (415 otherwise), a JSON object (400 INVALID_FORMAT), with string
// fields (400 MISSING_REQUIRED_FIELD / INVALID_INPUT, details.field names the field). Nothing here logs request
// bodies, passwords or tokens.

#include "pierre/auth/login_throttle.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/http/router.hpp"

namespace pierre::rest {

// `users`, `tokens` and `throttle` must outlive the router.
void register_identity_routes(http::Router& router, auth::UserService& users, auth::TokenService& tokens,
                              auth::LoginThrottle& throttle);

}  // namespace pierre::rest
