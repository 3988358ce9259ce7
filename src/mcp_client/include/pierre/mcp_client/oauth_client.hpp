#pragma once
// The bridge as an OAuth 2.1 public client of the server's authorization server, per the MCP authorization spec:
// protected-resource metadata (RFC 9728) → authorization-server metadata (RFC 8414) → a client ID (RFC 7591 dynamic
// registration, or a client ID metadata document when the server supports them and one is configured) → the browser
// on the authorization URL with PKCE S256, `state` and `resource` (RFC 8707) → the code on a loopback redirect,
// `iss` checked (RFC 9207) → tokens. Refresh and revocation use what was stored with the tokens.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/mcp_client/diagnostics.hpp"
#include "pierre/mcp_client/http_exchange.hpp"
#include "pierre/mcp_client/token_store.hpp"

namespace pierre::mcp_client {

struct AuthorizationServer {
  std::string resource;  // canonical MCP resource URI from the protected-resource metadata
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string registration_endpoint;
  std::string revocation_endpoint;
  bool iss_parameter_supported = false;
  bool client_id_metadata_document_supported = false;
};

struct AuthorizeSettings {
  std::string browser;  // command; "" = platform opener; "none" = only print the URL
  int callback_port = 0;
  std::chrono::seconds timeout{300};
  std::string client_metadata_url;  // CIMD URL, "" = dynamic registration
};

// `resource_metadata="…"` of a `WWW-Authenticate: Bearer …` challenge, or "".
[[nodiscard]] std::string resource_metadata_from_challenge(std::string_view www_authenticate);
// Where RFC 9728 §3.1 puts a resource's metadata: /.well-known/oauth-protected-resource + the resource's path.
[[nodiscard]] Result<std::vector<std::string>> protected_resource_metadata_urls(std::string_view mcp_url);
// The credentials a token endpoint answer yields (RFC 6749 §5.1), on top of `base` (issuer, client, endpoints);
// a refresh answer without a new refresh token keeps the old one. external_auth_failed / auth_expired (invalid_grant).
[[nodiscard]] Result<StoredCredentials> credentials_from_token_response(StoredCredentials base,
                                                                        const HttpResponse& response,
                                                                        std::int64_t now_seconds);

class OAuthClient {
 public:
  OAuthClient(HttpClient& http, AuthorizeSettings settings, const Diagnostics& diagnostics)
      : http_(http), settings_(std::move(settings)), diagnostics_(diagnostics) {}

  // `resource_metadata_hint` from a 401 challenge, else the well-known locations of `mcp_url`.
  Result<AuthorizationServer> discover(std::string_view mcp_url, std::string_view resource_metadata_hint);
  // The interactive flow; blocks until the browser comes back or the timeout passes.
  Result<StoredCredentials> authorize(const AuthorizationServer& server, std::string_view server_url,
                                      std::int64_t now_seconds);
  Result<StoredCredentials> refresh(const StoredCredentials& stored, std::int64_t now_seconds);
  // RFC 7009, best effort (logout): the refresh token, which ends the grant.
  Result<void> revoke(const StoredCredentials& stored);
  // Ends a browser wait in progress (and any later one) at once: the bridge is shutting down. Any thread.
  void abandon() noexcept { abandoned_ = true; }

 private:
  Result<nlohmann::json> get_json(const std::string& url);
  Result<std::string> register_client(const AuthorizationServer& server, const std::string& redirect_uri);
  void open_browser(const std::string& url) const;

  HttpClient& http_;
  AuthorizeSettings settings_;
  const Diagnostics& diagnostics_;
  std::atomic<bool> abandoned_{false};
};

}  // namespace pierre::mcp_client
