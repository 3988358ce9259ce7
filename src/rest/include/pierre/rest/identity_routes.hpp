#pragma once
// REST endpoints for accounts and token keys (Pierre's shapes):
//   POST /admin/setup      {email,password,display_name} → 201 {user, tenant_id}; 409 RESOURCE_ALREADY_EXISTS after.
//   POST /auth/register    {email,password,display_name} → 201 {user_id, status, message} in the default tenant.
//                          Decision: before /admin/setup there is no default tenant, so this is 503
//                          RESOURCE_UNAVAILABLE "server setup has not been completed" (retry after setup).
//   POST /auth/login       {email,password} → 200 {jwt_token, expires_at (ISO-8601 UTC), user:{id, email,
//                          display_name, role, tenant_id}}; 401 AUTH_INVALID otherwise (same message for unknown
//                          email and wrong password).
//   POST /auth/refresh     Authorization: Bearer <valid jwt> → 200 {jwt_token, expires_at} for the same user, with
//                          the account's current role; 401 AUTH_REQUIRED without a token, AUTH_INVALID (or
//                          AUTH_EXPIRED) for a bad token or an account that is no longer active.
//   GET  /oauth2/jwks, GET /.well-known/jwks.json → {"keys":[...]} (public keys only).
// Bodies must be Content-Type: application/json (415 otherwise), a JSON object (400 INVALID_FORMAT), with string
// fields (400 MISSING_REQUIRED_FIELD / INVALID_INPUT, details.field names the field). Nothing here logs request
// bodies, passwords or tokens.

#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/http/router.hpp"

namespace pierre::rest {

// `users` and `tokens` must outlive the router.
void register_identity_routes(http::Router& router, auth::UserService& users, auth::TokenService& tokens);

}  // namespace pierre::rest
