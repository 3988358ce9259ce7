#pragma once
#include <functional>
#include <string_view>
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
//   POST /admin/users/{id}/suspend            → 200 {user}; the super_admin cannot be suspended (403). The dashboard
//                                             also uses it to reject a pending registration.
//   POST /admin/users/{id}/role {role}        → 200 {user}; role "admin" or "user" (400 INVALID_INPUT otherwise);
//                                             your own role and the super_admin's cannot change (403).
//
// Tenants — super_admin only (403 PERMISSION_DENIED for admins and users):
//   POST /admin/tenants {name, slug?, auto_approve?}
//        → 201 {id, name, slug, auto_approve, created_at}. name: trimmed, 1..200 bytes, no control characters;
//        slug: 1..64 of [a-z0-9-], not starting/ending with '-', derived from the name when absent ("Acme Club" →
//        "acme-club"); a taken slug is 409 RESOURCE_ALREADY_EXISTS (details.field "slug"). auto_approve (default
//        false) makes registrations into the tenant active at once.
//   GET  /admin/tenants → 200 {tenants:[{id, name, slug, auto_approve, created_at}]}, oldest first (by creation
//   millisecond), default included. POST /admin/tenants/{id}/users {email, password, display_name?, role?:
//   "admin"|"user" (default "user")}
//        → 201 {user:{id, email, display_name, role, status:"active", created_at, tenant_id}}. Same email, password
//        and display-name rules as /auth/register; unknown tenant 404, taken email 409. This is how a new tenant
//        gets its first admin, who then administers that tenant through the routes above.
// Invalid fields are 400 INVALID_INPUT / MISSING_REQUIRED_FIELD with details.field.

#include "pierre/auth/api_key_service.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/http/router.hpp"

namespace pierre::rest {

// `users` and `tokens` must outlive the router.
// Called after a user is suspended, with (tenant id, user id): revoke what else the user holds (OAuth grants).
using SuspensionHook = std::function<void(std::string_view tenant_id, std::string_view user_id)>;

// `api_keys` forgets a suspended user's cached keys, so they stop working at once; `on_suspended` revokes the rest.
void register_admin_routes(http::Router& router, auth::UserService& users, auth::ApiKeyService& api_keys,
                           SuspensionHook on_suspended = {});

}  // namespace pierre::rest
