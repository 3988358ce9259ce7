#pragma once
// Account administration over REST. Every route needs `Authorization: Bearer <jwt>` (401 AUTH_REQUIRED /
// AUTH_INVALID), a caller whose account is still active (401 AUTH_INVALID otherwise) and whose current role is
// admin or super_admin (403 PERMISSION_DENIED). Everything is scoped to the caller's tenant: a user id from another
// tenant (or an unknown one) is 404 RESOURCE_NOT_FOUND, never 403, so ids cannot be probed.
//
//   GET  /admin/users?status=pending|active|suspended&limit=1..100&cursor=…
//        → 200 {users:[{id,email,display_name,role,status,created_at (ISO-8601 UTC)}], next_cursor (null on the last
//        page)}. Newest first; limit defaults to 50; a bad status or limit is 400 INVALID_INPUT, a cursor from
//        another list/filter/tenant 400 INVALID_CURSOR.
//   GET  /admin/pending-users                 (Pierre's path) = /admin/users?status=pending (same query params).
//   POST /admin/users/{id}/approve            → 200 {user}; also at Pierre's POST /admin/approve-user/{id}.
//   POST /admin/users/{id}/suspend            → 200 {user}; the super_admin cannot be suspended (403).

#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/http/router.hpp"

namespace pierre::rest {

// `users` and `tokens` must outlive the router.
void register_admin_routes(http::Router& router, auth::UserService& users, const auth::TokenService& tokens);

}  // namespace pierre::rest
