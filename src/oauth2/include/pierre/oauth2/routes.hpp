#pragma once
// The authorization server on the wire (AuthorizationServer holds the rules; this file holds HTTP):
//   GET  /.well-known/oauth-authorization-server, /.well-known/openid-configuration   RFC 8414 metadata
//   GET  /.well-known/oauth-protected-resource[/mcp]                                 RFC 9728 metadata
//   POST /oauth2/register     RFC 7591 (JSON). A signed-in caller (session JWT) becomes the client's owner.
//                             Rate-limited per client IP (RouteOptions::registrations_per_minute; 429 + Retry-After).
//   GET  /oauth2/authorize    sign-in + consent page (HTML), or an immediate redirect when the browser holds a
//                             session cookie and the user already consented. Errors before client and redirect_uri
//                             are trusted: an HTML page that never redirects; after: 302 with error, state, iss.
//   POST /oauth2/authorize    the page's form: CSRF (cookie `pierre_oauth_csrf` + HMAC-bound token, 403 page on
//                             failure), decision allow/deny, sign-in (session cookie `pierre_oauth_session`, or
//                             email + password through UserService::login guarded by LoginThrottle) → 302 with
//                             code, state, iss.
//   POST /oauth2/token        authorization_code, refresh_token, client_credentials (form-encoded; client auth
//                             client_secret_basic | client_secret_post | none; exactly one). Cache-Control: no-store.
//   POST /oauth2/revoke       RFC 7009 (200 even for unknown tokens).
//   POST /oauth2/introspect   RFC 7662, confidential clients only.
//   GET  /api/oauth2/authorizations, DELETE /api/oauth2/authorizations/{grant_id}   the caller's authorized clients.
// OAuth errors are RFC 6749 §5.2 JSON ({error, error_description}); the REST routes use http::error_response.

#include <cstdint>

#include "pierre/auth/login_throttle.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/http/router.hpp"
#include "pierre/oauth2/authorization_server.hpp"

namespace pierre::oauth2 {

struct RouteOptions {
  // HMAC key (≥ 32 bytes) for the CSRF tokens and session cookies; derive it from the master key
  // (crypto::hmac_sha256(master, "pierre oauth2 cookies v1")) so that every instance agrees.
  crypto::Bytes cookie_key;
  bool secure_cookies = false;                  // set when the issuer is https
  std::uint32_t registrations_per_minute = 20;  // per client IP
};

// Every reference must outlive the router.
void register_oauth2_routes(http::Router& router, AuthorizationServer& server, auth::UserService& users,
                            auth::LoginThrottle& throttle, RouteOptions options);

}  // namespace pierre::oauth2
