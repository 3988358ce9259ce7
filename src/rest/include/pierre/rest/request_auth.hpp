#pragma once
// Who a REST request acts as.
//   authenticate: `Authorization: Bearer <jwt>` → the token's Identity. No (or a non-Bearer) Authorization header →
//                 AUTH_REQUIRED (401); a token TokenService rejects → its error (AUTH_INVALID / AUTH_EXPIRED /
//                 AUTH_MALFORMED, all 401).
//   require_role: PERMISSION_DENIED (403) unless identity.role is one of `roles`.

#include <initializer_list>
#include <string_view>

#include "pierre/auth/identity.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/http/types.hpp"

namespace pierre::rest {

Result<auth::Identity> authenticate(const http::Request& request, const auth::TokenService& tokens);

Result<void> require_role(const auth::Identity& identity, std::initializer_list<std::string_view> roles);

}  // namespace pierre::rest
