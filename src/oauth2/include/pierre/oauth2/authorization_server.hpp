#pragma once
// oauth2::AuthorizationServer — the OAuth 2.1 authorization server's state and rules, without HTTP (routes.hpp puts
// it on the wire). MCP authorization (2026-07-28), RFC 6749/OAuth 2.1, RFC 7591 (DCR), RFC 7636 (PKCE, S256 only),
// RFC 8707 (resource), RFC 9207 (iss), RFC 7009 (revoke), RFC 7662 (introspect), RFC 9700 (security BCP).
//
// Model (migration 004_oauth2.sql; all system-level tables naming `owner_tenant`, because codes, refresh tokens and
// client ids arrive before any tenant is known):
//   client  — registered by DCR (anonymous: public or confidential; or by a signed-in user, who then owns it and may
//             use client_credentials, acting as that user). Secrets stored as SHA-256 (they are 256-bit random).
//   grant   — one authorization of one client by one user (id "grt_…"): scopes, resource, created/revoked. Every
//             code, refresh token and access token belongs to a grant; revoking the grant revokes them all
//             (access tokens carry `gid`; grant_active() is checked per request, cached for a few seconds and
//             invalidated in-process on revocation).
//   code    — single-use (atomic UPDATE … WHERE consumed_at IS NULL), 60 s, bound to client, redirect_uri, PKCE
//             challenge, resource; stored as SHA-256. A replayed code revokes its grant (RFC 9700 §4.2.4 / OAuth 2.1).
//   refresh — rotated on every use (atomic); a reused (already rotated) refresh token revokes its grant (family).
//   consent — remembered per (user, client): scopes granted; a later authorization asking no more skips consent.
//
// Access tokens: JWTs from auth::TokenService with aud = the MCP resource URL (Options::resource), client_id, gid,
// scope; lifetime Options::access_token_lifetime. Refresh tokens: opaque random strings ("prt_…"), lifetime
// Options::refresh_token_lifetime. Codes: opaque ("pac_…").
//
// Errors are OAuthError values carrying the RFC 6749 §5.2 / §4.1.2.1 error code and a description; `redirectable`
// says whether an authorize error may be sent to the client's redirect_uri (only once client and redirect_uri are
// validated). Thread safety: all members may be called concurrently.

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/auth/identity.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/net/http_client.hpp"
#include "pierre/store/database.hpp"

namespace pierre::oauth2 {

struct OAuthError {
  std::string error;        // "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                            // "unsupported_grant_type", "invalid_scope", "invalid_target", "access_denied",
                            // "unsupported_response_type", "invalid_redirect_uri", "invalid_client_metadata",
                            // "server_error", "temporarily_unavailable"
  std::string description;  // for humans; never secrets
  int http_status = 400;    // 401 for invalid_client with client authentication, 500/503 for server errors
  bool redirectable = false;
};
template <typename T>
using OAuthResult = std::expected<T, OAuthError>;

// Request parameters by name (already percent-decoded).
using Parameters = std::map<std::string, std::string, std::less<>>;

// Parses application/x-www-form-urlencoded text — an authorize query string (without '?') or a token/revoke/
// introspect request body: '+' is a space, %XX escapes are decoded. RFC 6749 §3.1: a parameter sent more than once
// is invalid_request (a map cannot show that, so routes should parse with this), and a parameter sent without a
// value is treated as omitted (left out of the map). A malformed escape or an empty name is invalid_request.
// Errors are never redirectable (the client is not validated yet).
OAuthResult<Parameters> parse_form_parameters(std::string_view encoded);

struct Client {
  std::string client_id;
  std::string client_name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> grant_types;     // "authorization_code", "refresh_token", "client_credentials"
  std::vector<std::string> response_types;  // "code"
  std::string token_endpoint_auth_method;   // "none" | "client_secret_basic" | "client_secret_post"
  std::string application_type;             // "web" | "native"
  std::string scope;                        // space-separated; empty = server default
  std::string client_uri;
  std::string logo_uri;
  std::int64_t client_id_issued_at = 0;     // epoch seconds
  std::optional<std::string> owner_tenant;  // registered by a signed-in user
  std::optional<std::string> owner_user;
  [[nodiscard]] bool confidential() const noexcept { return token_endpoint_auth_method != "none"; }
  [[nodiscard]] nlohmann::json to_json() const;  // RFC 7591 §3.2.1 response fields (no secret)
};

struct RegisteredClient {
  Client client;
  std::string client_secret;  // shown once; empty for public clients
  // The RFC 7591 §3.2.1 registration response: client.to_json() plus client_secret and client_secret_expires_at (0:
  // never) for confidential clients.
  [[nodiscard]] nlohmann::json to_json() const;
};

// A validated /oauth2/authorize request.
struct AuthorizationRequest {
  Client client;
  std::string redirect_uri;
  std::vector<std::string> scopes;  // normalised, deduplicated, all supported
  std::string state;                // echoed verbatim (may be empty)
  std::string code_challenge;       // S256
  std::string resource;             // the MCP resource URL (RFC 8707); defaulted when the client sent none
};

struct TokenResponse {
  std::string access_token;
  std::string token_type = "Bearer";
  std::int64_t expires_in = 0;  // seconds
  std::string refresh_token;    // empty when none issued
  std::string scope;            // space-separated
  [[nodiscard]] nlohmann::json to_json() const;
};

struct GrantInfo {  // an authorized client, as a user sees it
  std::string grant_id;
  std::string client_id;
  std::string client_name;
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;  // epoch ms
  std::optional<std::int64_t> last_used_at;
};

// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03, the MCP 2026-07-28 preferred way
// for a client to identify itself): a client_id that is an https URL names a JSON document of RFC 7591 metadata that
// the server fetches (net::get: SSRF policy, no redirects, size and time limits), checks (its client_id equals the
// URL exactly, no shared secret, redirect URIs valid) and caches; the client then behaves as a public client.
struct ClientMetadataDocuments {
  bool enabled = true;
  bool allow_private_addresses = false;  // development only: documents on loopback / private networks
  std::string ca_file;                   // trust anchors for the fetch (PEM), empty = system store
  std::size_t max_bytes = 5 * 1024;      // CIMD §8.7 suggests 5 KB
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{3000};
  // Cache lifetime: the response's Cache-Control max-age clamped to [min, max]; `fallback` when it sends none.
  // no-store / no-cache count as max-age=0, i.e. `min`. Failures are remembered for `failure` (a URL that failed
  // is not fetched again at once, whoever asks).
  std::chrono::seconds min_cache{30};
  std::chrono::seconds max_cache{24 * 3600};
  std::chrono::seconds fallback_cache{300};
  std::chrono::seconds failure_cache{30};
  std::size_t max_concurrent_fetches = 4;  // beyond this, temporarily_unavailable: a flood cannot pin every thread
  // Replaces net::get (unit tests); receives the URL and the policy built from the fields above.
  std::function<Result<net::Response>(std::string_view url, const net::FetchPolicy& policy)> fetch;
};

class AuthorizationServer {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  struct Options {
    std::string issuer;    // the public base URL, e.g. "https://pierre.example.com" (no trailing slash)
    std::string resource;  // issuer + "/mcp"
    std::vector<std::string> scopes_supported{"mcp:read", "mcp:write"};
    std::vector<std::string> default_scopes{"mcp:read", "mcp:write"};
    std::chrono::seconds code_lifetime{60};
    std::chrono::seconds access_token_lifetime{3600};
    std::chrono::seconds refresh_token_lifetime{std::chrono::hours(24 * 30)};
    std::chrono::seconds grant_cache_ttl{5};
    bool allow_http_loopback_redirects = true;  // RFC 8252 §7.3
    ClientMetadataDocuments client_metadata;
    Clock clock;
  };

  // `db` and `tokens` must outlive the server.
  static Result<std::unique_ptr<AuthorizationServer>> create(store::Database& db, auth::TokenService& tokens,
                                                             Options options);

  [[nodiscard]] const Options& options() const noexcept;
  // RFC 8414 metadata (also served as OIDC discovery) and RFC 9728 protected-resource metadata.
  [[nodiscard]] nlohmann::json authorization_server_metadata() const;
  [[nodiscard]] nlohmann::json protected_resource_metadata() const;

  // RFC 7591: `metadata` is the request body. `owner` is the signed-in registrant, if any.
  OAuthResult<RegisteredClient> register_client(const nlohmann::json& metadata,
                                                const std::optional<auth::Identity>& owner);
  // A registered client, or — for an https URL client_id — the client its metadata document describes (fetched or
  // cached; invalid_client with the reason when the document cannot be used, temporarily_unavailable (503) when too
  // many documents are being fetched at once).
  OAuthResult<Client> find_client(std::string_view client_id);
  // Client authentication at the token/revoke/introspect endpoints: `secret` empty for public clients (which must
  // be registered with "none"); constant-time comparison. invalid_client (401) otherwise.
  OAuthResult<Client> authenticate_client(std::string_view client_id, std::string_view secret,
                                          std::string_view method);  // "client_secret_basic" | "..._post" | "none"

  // GET /oauth2/authorize parameters (already percent-decoded; a repeated parameter is invalid_request).
  OAuthResult<AuthorizationRequest> validate_authorization(const std::map<std::string, std::string, std::less<>>& q);
  [[nodiscard]] bool has_consent(const auth::Identity& user, const AuthorizationRequest& request);
  // After login (+ consent): records consent and returns a code for the redirect.
  OAuthResult<std::string> issue_code(const auth::Identity& user, const AuthorizationRequest& request);

  // Every check (client, expiry, exact redirect_uri, PKCE S256 with a 43..128-char verifier, resource, grant and user
  // still active) runs before the code is spent, so a failed attempt does not burn the code; then the atomic
  // consume. A code presented again — even concurrently — revokes its grant, including the winner's tokens.
  OAuthResult<TokenResponse> exchange_code(const Client& client, std::string_view code, std::string_view redirect_uri,
                                           std::string_view code_verifier, std::string_view resource);
  // Rotation: the old token is spent and its successor stored in one transaction; a spent token presented again
  // revokes the grant. `scope` may narrow the access token (never widen: invalid_scope); the new refresh token keeps
  // the grant's scope.
  OAuthResult<TokenResponse> refresh(const Client& client, std::string_view refresh_token, std::string_view scope,
                                     std::string_view resource);
  OAuthResult<TokenResponse> client_credentials(const Client& client, std::string_view scope,
                                                std::string_view resource);

  // RFC 7009: revokes a refresh token (its grant) or an access token (its grant); unknown tokens are not an error.
  OAuthResult<void> revoke(const Client& client, std::string_view token, std::string_view token_type_hint);
  // RFC 7662 response object ({"active":false} for anything not active).
  nlohmann::json introspect(std::string_view token);

  // Deletes codes expired for more than an hour and refresh tokens expired for more than a day (grants stay, as the
  // record of who authorized what). Runs by itself every 64 codes issued; returns the number of rows deleted.
  Result<std::int64_t> purge_expired();

  // For the authentication middleware: false once the grant is revoked (or unknown). Cached per grant for
  // Options::grant_cache_ttl; revocations through this object take effect at once, others within the TTL.
  Result<bool> grant_active(std::string_view grant_id);

  // The user's authorized clients (grants not revoked that have issued tokens, newest first), and revoking one
  // (resource_not_found for another user's grant, an unknown or an already revoked one).
  Result<std::vector<GrantInfo>> list_grants(const auth::Identity& user);
  Result<void> revoke_grant(const auth::Identity& user, std::string_view grant_id);
  // Every grant of a user (when the account is suspended): their OAuth tokens stop working at once on this
  // instance, within grant_cache_ttl elsewhere. Returns how many were revoked.
  Result<std::size_t> revoke_user_grants(std::string_view tenant_id, std::string_view user_id);

  ~AuthorizationServer();

 private:
  struct State;
  explicit AuthorizationServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pierre::oauth2
