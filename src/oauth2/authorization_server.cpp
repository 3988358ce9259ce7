#include "pierre/oauth2/authorization_server.hpp"

#include "client_metadata_document.hpp"
#include "form_urlencoded.hpp"
#include "pierre/core/text.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <spdlog/spdlog.h>

#include "pierre/crypto/primitives.hpp"

namespace pierre::oauth2 {
namespace {

using std::chrono::system_clock;
using Unexpected = std::unexpected<OAuthError>;

constexpr std::array kSupportedGrantTypes{"authorization_code", "refresh_token", "client_credentials"};
constexpr std::array kAuthMethods{"none", "client_secret_basic", "client_secret_post"};
constexpr std::array kForbiddenSchemes{"javascript", "data", "vbscript", "file", "blob", "about"};
constexpr std::size_t kMaxRedirectUris = 20;
constexpr std::size_t kMaxUriLength = 2000;
constexpr std::size_t kMaxClientNameChars = 200;
constexpr std::size_t kMaxStateLength = 2048;
constexpr std::size_t kMaxCachedGrants = 100'000;
constexpr std::string_view kRefreshPrefix = "prt_";
constexpr std::string_view kCodePrefix = "pac_";
// Expired codes and refresh tokens are deleted this long after expiry: until then a replay is still recognised (and
// revokes its grant) rather than being just "unknown". Checked every kPurgeEvery codes issued.
constexpr std::int64_t kKeepExpiredCodesMs = 3'600'000;
constexpr std::int64_t kKeepExpiredRefreshMs = 86'400'000;
constexpr std::uint64_t kPurgeEvery = 64;

// Where client metadata comes from: it decides the default authentication method and what a client may ask for.
enum class MetadataOrigin { anonymous_registration, signed_in_registration, metadata_document };

Unexpected oauth_fail(std::string error, std::string description, int status = 400, bool redirectable = false) {
  return Unexpected(OAuthError{std::move(error), std::move(description), status, redirectable});
}

// A store or token-service failure: never its message (it may name internals), only its class.
Unexpected server_fail(const Error& e) {
  spdlog::error("oauth2: {}: {}", code_name(e.code), e.message);
  if (e.code == ErrorCode::resource_unavailable || e.code == ErrorCode::external_service_unavailable) {
    return oauth_fail("temporarily_unavailable", "the server is busy, try again", 503);
  }
  return oauth_fail("server_error", "internal error", 500);
}

std::string hash_secret(std::string_view secret) {
  return crypto::hex_encode(crypto::sha256(crypto::as_bytes(secret)));
}

std::string random_token(std::string_view prefix, std::size_t bytes) {
  return std::string(prefix) + crypto::base64url_encode(crypto::random_bytes(bytes));
}

using text::lower;

template <typename Container>
bool contains(const Container& c, std::string_view value) {
  return std::find(std::begin(c), std::end(c), value) != std::end(c);
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join_spaces(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out.push_back(' ');
    out += v;
  }
  return out;
}

bool subset(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::all_of(a.begin(), a.end(), [&](const std::string& s) { return contains(b, s); });
}

// `requested` (space-separated) → deduplicated, in the order of `supported`; nullopt when one is not in `allowed`.
std::optional<std::vector<std::string>> normalise_scopes(std::string_view requested,
                                                         const std::vector<std::string>& supported,
                                                         const std::vector<std::string>& allowed) {
  const auto parts = split_spaces(requested);
  for (const auto& p : parts) {
    if (!contains(supported, p) || !contains(allowed, p)) return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& s : supported) {
    if (contains(parts, s)) out.push_back(s);
  }
  return out;
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

struct UriParts {
  std::string scheme;  // lower-case
  bool has_authority = false;
  std::string host;  // lower-case; IPv6 literals keep their brackets
  std::string rest;  // after the scheme's ':'
};

// Splits an absolute URI (RFC 3986 §4.3); nullopt when it is not one or has a fragment, whitespace or controls.
std::optional<UriParts> parse_absolute_uri(std::string_view uri) {
  if (uri.empty() || uri.size() > kMaxUriLength || has_control_chars(uri)) return std::nullopt;
  if (uri.find_first_of(" #\\") != std::string_view::npos) return std::nullopt;
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!is_alpha(uri[0])) return std::nullopt;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = uri[i];
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  UriParts parts;
  parts.scheme = lower(uri.substr(0, colon));
  parts.rest = std::string(uri.substr(colon + 1));
  if (parts.rest.empty()) return std::nullopt;
  if (parts.rest.starts_with("//")) {
    parts.has_authority = true;
    const std::string_view after = std::string_view(parts.rest).substr(2);
    const auto end = after.find_first_of("/?");
    const std::string_view authority = after.substr(0, end);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo in redirect URIs
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {
      const auto close = authority.find(']');
      if (close == std::string_view::npos) return std::nullopt;
      host = authority.substr(0, close + 1);
      const auto tail = authority.substr(close + 1);
      if (!tail.empty()) {
        if (tail[0] != ':') return std::nullopt;
        port = tail.substr(1);
      }
    } else if (const auto c = authority.find(':'); c != std::string_view::npos) {
      host = authority.substr(0, c);
      port = authority.substr(c + 1);
    }
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5) {
      return std::nullopt;
    }
    parts.host = lower(host);
  }
  return parts;
}

bool is_loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

std::optional<std::string> as_string(const nlohmann::json& j) {
  if (!j.is_string()) return std::nullopt;
  return j.get<std::string>();
}

// A list of strings, deduplicated in order; nullopt when not an array of strings.
std::optional<std::vector<std::string>> as_string_list(const nlohmann::json& j) {
  if (!j.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) return std::nullopt;
    auto s = e.get<std::string>();
    if (!contains(out, s)) out.push_back(std::move(s));
  }
  return out;
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// RFC 7636 §4.1: 43..128 characters of [A-Za-z0-9-._~].
bool valid_code_verifier(std::string_view v) {
  return v.size() >= 43 && v.size() <= 128 && std::all_of(v.begin(), v.end(), is_unreserved);
}

// An S256 challenge is BASE64URL(32 bytes): exactly 43 characters.
bool valid_code_challenge(std::string_view c) {
  return c.size() == 43 && std::all_of(c.begin(), c.end(), is_base64url_char);
}

std::string pkce_s256(std::string_view verifier) {
  return crypto::base64url_encode(crypto::sha256(crypto::as_bytes(verifier)));
}

bool equal_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return crypto::constant_time_equal(crypto::as_bytes(a), crypto::as_bytes(b));
}

// "http://127.0.0.1:PORT/rest" → {"http://127.0.0.1", "/rest"} for loopback IP literals; nullopt otherwise.
std::optional<std::pair<std::string_view, std::string_view>> loopback_without_port(std::string_view uri) {
  for (std::string_view host : {"http://127.0.0.1", "http://[::1]"}) {
    if (!uri.starts_with(host)) continue;
    auto rest = uri.substr(host.size());
    if (rest.starts_with(':')) {
      const auto end = rest.find_first_not_of("0123456789", 1);
      if (end == 1) return std::nullopt;
      rest = rest.substr(end == std::string_view::npos ? rest.size() : end);
    }
    if (!rest.empty() && rest.front() != '/' && rest.front() != '?') return std::nullopt;
    return std::pair{host, rest};
  }
  return std::nullopt;
}

// Exact string match, except that a loopback IP redirect may use any port (RFC 8252 §7.3, OAuth 2.1 §8.4.2):
// native apps get an ephemeral port from the OS at run time.
bool redirect_registered(const std::vector<std::string>& registered, std::string_view requested) {
  if (contains(registered, std::string(requested))) return true;
  const auto asked = loopback_without_port(requested);
  if (!asked) return false;
  return std::ranges::any_of(registered, [&](const std::string& r) { return loopback_without_port(r) == asked; });
}

using form::param;

std::optional<std::int64_t> epoch_seconds_of(const nlohmann::json& claims, std::string_view name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

// The claims of a JWT that has already been verified (for iat/jti in introspection).
nlohmann::json jwt_claims(std::string_view token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first == std::string_view::npos ? 0 : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return nlohmann::json::object();
  crypto::Bytes bytes;
  if (!crypto::base64url_decode(token.substr(first + 1, second - first - 1), bytes)) {
    return nlohmann::json::object();
  }
  auto parsed = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

struct CachedGrant {
  bool active = false;
  system_clock::time_point expires;
};

struct CodeRow {
  std::string grant_id;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string resource;
  std::string scope;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> consumed_at;
};

struct GrantRow {
  std::string id;
  std::string client_id;
  std::string owner_tenant;
  std::string user_id;
  std::string scope;
  std::string resource;
  std::optional<std::int64_t> revoked_at;
};

}  // namespace

OAuthResult<Parameters> parse_form_parameters(std::string_view encoded) {
  auto parsed = form::parse(encoded);
  if (!parsed) return oauth_fail("invalid_request", parsed.error());
  return std::move(*parsed);
}

nlohmann::json Client::to_json() const {
  nlohmann::json j{{"client_id", client_id},
                   {"client_id_issued_at", client_id_issued_at},
                   {"client_name", client_name},
                   {"redirect_uris", redirect_uris},
                   {"grant_types", grant_types},
                   {"response_types", response_types},
                   {"token_endpoint_auth_method", token_endpoint_auth_method},
                   {"application_type", application_type}};
  if (!scope.empty()) j["scope"] = scope;
  if (!client_uri.empty()) j["client_uri"] = client_uri;
  if (!logo_uri.empty()) j["logo_uri"] = logo_uri;
  return j;
}

nlohmann::json RegisteredClient::to_json() const {
  auto j = client.to_json();
  if (!client_secret.empty()) {
    j["client_secret"] = client_secret;
    j["client_secret_expires_at"] = 0;
  }
  return j;
}

nlohmann::json TokenResponse::to_json() const {
  nlohmann::json j{{"access_token", access_token}, {"token_type", token_type}, {"expires_in", expires_in}};
  if (!refresh_token.empty()) j["refresh_token"] = refresh_token;
  if (!scope.empty()) j["scope"] = scope;
  return j;
}

struct AuthorizationServer::State {
  State(store::Database& d, auth::TokenService& t, Options o)
      : db(d), tokens(t), options(std::move(o)), documents(options.client_metadata, options.clock) {}

  store::Database& db;
  auth::TokenService& tokens;
  Options options;
  ClientMetadataResolver documents;
  std::mutex cache_mutex;
  std::unordered_map<std::string, CachedGrant> grant_cache;
  std::atomic<std::uint64_t> codes_issued{0};

  [[nodiscard]] system_clock::time_point now() const { return options.clock ? options.clock() : system_clock::now(); }
  [[nodiscard]] std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }
  [[nodiscard]] const std::vector<std::string>& client_scope_list(const Client& c,
                                                                  std::vector<std::string>& buf) const {
    if (c.scope.empty()) return options.scopes_supported;
    buf = split_spaces(c.scope);
    return buf;
  }
  [[nodiscard]] std::vector<std::string> default_scopes_for(const Client& c) const {
    if (!c.scope.empty()) return split_spaces(c.scope);
    return options.default_scopes;
  }
  // RFC 8707: absent → our resource; present → exactly our resource.
  [[nodiscard]] std::optional<std::string> resolve_resource(std::string_view requested) const {
    if (requested.empty()) return options.resource;
    if (requested == options.resource || requested == options.issuer + "/mcp") return std::string(requested);
    return std::nullopt;
  }

  // RFC 7591 §2 client metadata → Client (without id), for a registration request or a client ID metadata document.
  OAuthResult<Client> validate_metadata(const nlohmann::json& metadata, MetadataOrigin origin) const {
    const auto bad = [](std::string d) { return oauth_fail("invalid_client_metadata", std::move(d)); };
    const auto bad_uri = [](std::string d) { return oauth_fail("invalid_redirect_uri", std::move(d)); };
    if (!metadata.is_object()) return bad("client metadata must be a JSON object");
    const auto field = [&](std::string_view name) -> const nlohmann::json* {
      const auto it = metadata.find(name);
      return it == metadata.end() || it->is_null() ? nullptr : &*it;
    };

    Client c;
    // application_type (OIDC DCR): web (default) or native.
    c.application_type = "web";
    if (const auto* j = field("application_type")) {
      auto v = as_string(*j);
      if (!v || (*v != "web" && *v != "native")) return bad("application_type must be \"web\" or \"native\"");
      c.application_type = *v;
    }
    // grant_types / response_types.
    c.grant_types = {"authorization_code", "refresh_token"};
    if (const auto* j = field("grant_types")) {
      auto v = as_string_list(*j);
      if (!v || v->empty()) return bad("grant_types must be a non-empty array of strings");
      for (const auto& g : *v) {
        if (!contains(kSupportedGrantTypes, g)) return bad("unsupported grant type: " + g);
      }
      c.grant_types = std::move(*v);
    }
    const bool code_flow = contains(c.grant_types, "authorization_code");
    if (contains(c.grant_types, "refresh_token") && !code_flow) {
      return bad("refresh_token is only issued with the authorization_code grant");
    }
    if (const auto* j = field("response_types")) {
      auto v = as_string_list(*j);
      if (!v) return bad("response_types must be an array of strings");
      for (const auto& r : *v) {
        if (r != "code") return bad("unsupported response type: " + r);
      }
      c.response_types = std::move(*v);
    } else if (code_flow) {
      c.response_types = {"code"};
    }
    if (code_flow != contains(c.response_types, "code")) {
      return bad("response_types \"code\" goes with (and only with) grant type authorization_code");
    }
    // token_endpoint_auth_method (RFC 7591 default: client_secret_basic). A metadata document is public: it cannot
    // hold a shared secret (CIMD §4.1), and we support no asymmetric client authentication, so it must be "none".
    const bool document = origin == MetadataOrigin::metadata_document;
    c.token_endpoint_auth_method = document ? "none" : "client_secret_basic";
    if (const auto* j = field("token_endpoint_auth_method")) {
      auto v = as_string(*j);
      if (!v || !contains(kAuthMethods, *v)) {
        return bad("token_endpoint_auth_method must be none, client_secret_basic or client_secret_post");
      }
      c.token_endpoint_auth_method = *v;
    }
    if (document && c.token_endpoint_auth_method != "none") {
      return bad("a client ID metadata document must use token_endpoint_auth_method \"none\"");
    }
    if (contains(c.grant_types, "client_credentials")) {
      if (!c.confidential()) return bad("client_credentials needs a confidential client");
      if (origin != MetadataOrigin::signed_in_registration) {
        return bad("client_credentials clients must be registered by a signed-in user");
      }
    }
    // redirect_uris.
    if (const auto* j = field("redirect_uris")) {
      auto v = as_string_list(*j);
      if (!v) return bad_uri("redirect_uris must be an array of strings");
      c.redirect_uris = std::move(*v);
    }
    if (code_flow && c.redirect_uris.empty()) return bad_uri("redirect_uris is required for authorization_code");
    if (c.redirect_uris.size() > kMaxRedirectUris) return bad_uri("at most 20 redirect_uris");
    for (const auto& uri : c.redirect_uris) {
      if (uri.size() > kMaxUriLength) return bad_uri("a redirect URI is longer than 2000 characters");
      const auto parts = parse_absolute_uri(uri);
      if (!parts) return bad_uri("redirect URIs must be absolute URIs without a fragment");
      if (contains(kForbiddenSchemes, parts->scheme))
        return bad_uri("redirect URI scheme not allowed: " + parts->scheme);
      if (parts->scheme == "https") {
        if (!parts->has_authority || parts->host.empty()) return bad_uri("https redirect URIs need a host");
      } else if (parts->scheme == "http") {
        if (!options.allow_http_loopback_redirects || !parts->has_authority || !is_loopback_host(parts->host)) {
          return bad_uri("http redirect URIs are allowed only for loopback hosts (127.0.0.1, [::1], localhost)");
        }
      } else if (c.application_type != "native") {
        return bad_uri("private-use URI schemes need application_type \"native\"");
      }
    }
    // scope.
    if (const auto* j = field("scope")) {
      auto v = as_string(*j);
      if (!v) return bad("scope must be a string");
      auto scopes = normalise_scopes(*v, options.scopes_supported, options.scopes_supported);
      if (!scopes) return bad("unsupported scope");
      c.scope = join_spaces(*scopes);
    }
    // client_name, client_uri, logo_uri.
    if (const auto* j = field("client_name")) {
      auto v = as_string(*j);
      if (!v) return bad("client_name must be a string");
      if (utf8_chars(*v) > kMaxClientNameChars || v->size() > 4 * kMaxClientNameChars) {
        return bad("client_name is longer than 200 characters");
      }
      if (has_control_chars(*v)) return bad("client_name contains control characters");
      c.client_name = *v;
    }
    for (const auto& [name, out] :
         {std::pair<std::string_view, std::string*>{"client_uri", &c.client_uri}, {"logo_uri", &c.logo_uri}}) {
      if (const auto* j = field(name)) {
        auto v = as_string(*j);
        if (!v) return bad(std::string(name) + " must be a string");
        const auto parts = parse_absolute_uri(*v);
        if (!parts || (parts->scheme != "https" && parts->scheme != "http") || parts->host.empty()) {
          return bad(std::string(name) + " must be an http(s) URL");
        }
        *out = *v;
      }
    }
    return c;
  }

  // A registered client or a metadata-document client; nullopt when there is no such client.
  OAuthResult<std::optional<Client>> resolve_client(std::string_view client_id) {
    if (is_client_id_url(client_id)) {
      // Disabled means no URL client works, including ones stored while it was enabled.
      if (!options.client_metadata.enabled) return std::optional<Client>{};
      auto client = documents.resolve(client_id, [this](std::string_view url, const nlohmann::json& document) {
        return accept_document(url, document);
      });
      if (!client) return std::unexpected(client.error());
      return std::optional<Client>{std::move(*client)};
    }
    auto client = load_client(client_id);
    if (!client) return server_fail(client.error());
    return std::move(*client);
  }

  // A checked metadata document becomes a client row (grants reference clients), refreshed on every fetch.
  OAuthResult<Client> accept_document(std::string_view url, const nlohmann::json& document) {
    auto client = validate_metadata(document, MetadataOrigin::metadata_document);
    if (!client) return client;
    client->client_id = std::string(url);
    const auto now = now_ms();
    client->client_id_issued_at = now / 1000;
    auto r = db.execute(
        "INSERT INTO oauth_clients (client_id, secret_hash, client_name, redirect_uris, grant_types, response_types, "
        "token_endpoint_auth_method, application_type, scope, client_uri, logo_uri, owner_tenant, owner_user, "
        "created_at) VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, NULL, ?11) "
        "ON CONFLICT (client_id) DO UPDATE SET client_name = excluded.client_name, "
        "redirect_uris = excluded.redirect_uris, grant_types = excluded.grant_types, "
        "response_types = excluded.response_types, token_endpoint_auth_method = excluded.token_endpoint_auth_method, "
        "application_type = excluded.application_type, scope = excluded.scope, client_uri = excluded.client_uri, "
        "logo_uri = excluded.logo_uri",
        {client->client_id, client->client_name, nlohmann::json(client->redirect_uris).dump(),
         join_spaces(client->grant_types), join_spaces(client->response_types), client->token_endpoint_auth_method,
         client->application_type, client->scope, client->client_uri, client->logo_uri, now});
    if (!r) return server_fail(r.error());
    return client;
  }

  Result<std::optional<Client>> load_client(std::string_view client_id) {
    auto row = db.query_row(
        "SELECT client_id, client_name, redirect_uris, grant_types, response_types, token_endpoint_auth_method, "
        "application_type, scope, client_uri, logo_uri, owner_tenant, owner_user, created_at, secret_hash "
        "FROM oauth_clients WHERE client_id = ?1",
        {std::string(client_id)});
    if (!row) return std::unexpected(row.error());
    if (!row->has_value()) return std::optional<Client>{};
    const auto& r = **row;
    Client c;
    auto text = [&](std::string_view col, std::string& out) -> Result<void> {
      auto v = r.get<std::string>(col);
      if (!v) return std::unexpected(v.error());
      out = std::move(*v);
      return {};
    };
    std::string uris, grants, responses;
    for (auto res : {text("client_id", c.client_id), text("client_name", c.client_name), text("redirect_uris", uris),
                     text("grant_types", grants), text("response_types", responses),
                     text("token_endpoint_auth_method", c.token_endpoint_auth_method),
                     text("application_type", c.application_type), text("scope", c.scope),
                     text("client_uri", c.client_uri), text("logo_uri", c.logo_uri)}) {
      if (!res) return std::unexpected(res.error());
    }
    const auto parsed = nlohmann::json::parse(uris, nullptr, false);
    auto list = as_string_list(parsed);
    if (!list) return fail(ErrorCode::database_error, "stored client has malformed redirect_uris");
    c.redirect_uris = std::move(*list);
    c.grant_types = split_spaces(grants);
    c.response_types = split_spaces(responses);
    auto owner_tenant = r.get<std::optional<std::string>>("owner_tenant");
    auto owner_user = r.get<std::optional<std::string>>("owner_user");
    auto created = r.get<std::int64_t>("created_at");
    if (!owner_tenant || !owner_user || !created) return fail(ErrorCode::database_error, "malformed client row");
    c.owner_tenant = *owner_tenant;
    c.owner_user = *owner_user;
    c.client_id_issued_at = *created / 1000;
    return std::optional<Client>{std::move(c)};
  }

  Result<std::optional<std::string>> load_secret_hash(std::string_view client_id) {
    auto row = db.query_row("SELECT secret_hash FROM oauth_clients WHERE client_id = ?1", {std::string(client_id)});
    if (!row) return std::unexpected(row.error());
    if (!row->has_value()) return std::optional<std::string>{};
    auto h = (*row)->get<std::optional<std::string>>("secret_hash");
    if (!h) return std::unexpected(h.error());
    return *h;
  }

  Result<std::optional<GrantRow>> load_grant(std::string_view grant_id) {
    auto row = db.query_row(
        "SELECT id, client_id, owner_tenant, user_id, scope, resource, revoked_at FROM oauth_grants WHERE id = ?1",
        {std::string(grant_id)});
    if (!row) return std::unexpected(row.error());
    if (!row->has_value()) return std::optional<GrantRow>{};
    const auto& r = **row;
    GrantRow g;
    auto id = r.get<std::string>("id");
    auto client = r.get<std::string>("client_id");
    auto tenant = r.get<std::string>("owner_tenant");
    auto user = r.get<std::string>("user_id");
    auto scope = r.get<std::string>("scope");
    auto resource = r.get<std::string>("resource");
    auto revoked = r.get<std::optional<std::int64_t>>("revoked_at");
    if (!id || !client || !tenant || !user || !scope || !resource || !revoked) {
      return fail(ErrorCode::database_error, "malformed grant row");
    }
    g.id = *id;
    g.client_id = *client;
    g.owner_tenant = *tenant;
    g.user_id = *user;
    g.scope = *scope;
    g.resource = *resource;
    g.revoked_at = *revoked;
    return std::optional<GrantRow>{std::move(g)};
  }

  // The user's identity with `scopes`, re-reading role and status; nullopt when the user is gone or not active.
  Result<std::optional<auth::Identity>> load_user(const std::string& tenant, const std::string& user_id,
                                                  std::vector<std::string> scopes) {
    auto scope = db.tenant(store::TenantId(tenant));
    auto row = scope.query_row("SELECT role, status FROM users WHERE tenant_id = :tenant AND id = ?1", {user_id});
    if (!row) return std::unexpected(row.error());
    if (!row->has_value()) return std::optional<auth::Identity>{};
    auto role = (*row)->get<std::string>("role");
    auto status = (*row)->get<std::string>("status");
    if (!role || !status) return fail(ErrorCode::database_error, "malformed user row");
    if (*status != "active") return std::optional<auth::Identity>{};
    return std::optional<auth::Identity>{auth::Identity{user_id, tenant, *role, std::move(scopes)}};
  }

  void remember_grant(const std::string& grant_id, bool active) {
    std::lock_guard lock(cache_mutex);
    if (grant_cache.size() >= kMaxCachedGrants) grant_cache.clear();
    // A revocation is final: remember it for as long as the entry lives; an active grant only for the TTL.
    grant_cache[grant_id] =
        CachedGrant{active, active ? now() + options.grant_cache_ttl : system_clock::time_point::max()};
  }

  Result<void> revoke_grant_id(const std::string& grant_id) {
    auto r = db.execute("UPDATE oauth_grants SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                        {now_ms(), grant_id});
    if (!r) return std::unexpected(r.error());
    remember_grant(grant_id, false);
    return {};
  }

  void touch_grant(const std::string& grant_id) {
    if (auto r = db.execute("UPDATE oauth_grants SET last_used_at = ?1 WHERE id = ?2", {now_ms(), grant_id}); !r) {
      spdlog::warn("oauth2: could not record grant use: {}", r.error().message);
    }
  }

  // Inserts a new refresh token for the grant on `exec`; returns its text.
  Result<std::string> insert_refresh(store::Executor& exec, const std::string& grant_id, const std::string& client_id,
                                     const std::string& scope) {
    auto token = random_token(kRefreshPrefix, 32);
    const auto now = now_ms();
    const auto expires =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(options.refresh_token_lifetime).count();
    auto r = exec.execute(
        "INSERT INTO oauth_refresh_tokens (token_hash, grant_id, client_id, scope, created_at, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {hash_secret(token), grant_id, client_id, scope, now, expires});
    if (!r) return std::unexpected(r.error());
    return token;
  }

  OAuthResult<TokenResponse> issue_access(const auth::Identity& identity, const std::string& client_id,
                                          const std::string& grant_id, std::string refresh_token) {
    auth::TokenGrant tg{client_id, grant_id, options.access_token_lifetime};
    auto issued = tokens.issue(identity, tg);
    if (!issued) return server_fail(issued.error());
    TokenResponse resp;
    resp.access_token = std::move(issued->token);
    resp.expires_in = options.access_token_lifetime.count();
    resp.refresh_token = std::move(refresh_token);
    resp.scope = join_spaces(identity.scopes);
    return resp;
  }
};

AuthorizationServer::AuthorizationServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
AuthorizationServer::~AuthorizationServer() = default;

Result<std::unique_ptr<AuthorizationServer>> AuthorizationServer::create(store::Database& db,
                                                                         auth::TokenService& tokens, Options options) {
  if (options.issuer.empty() || options.issuer.ends_with('/')) {
    return fail(ErrorCode::config_invalid, "oauth2 issuer must be set, without a trailing slash");
  }
  const auto issuer = parse_absolute_uri(options.issuer);
  if (!issuer || (issuer->scheme != "https" && issuer->scheme != "http") || issuer->host.empty() ||
      options.issuer.find('?') != std::string::npos) {
    return fail(ErrorCode::config_invalid, "oauth2 issuer must be an absolute http(s) URL without query");
  }
  if (options.resource.empty()) options.resource = options.issuer + "/mcp";
  if (options.scopes_supported.empty()) return fail(ErrorCode::config_invalid, "oauth2 needs supported scopes");
  if (!subset(options.default_scopes, options.scopes_supported)) {
    return fail(ErrorCode::config_invalid, "oauth2 default scopes must be supported scopes");
  }
  if (options.code_lifetime.count() <= 0 || options.access_token_lifetime.count() <= 0 ||
      options.refresh_token_lifetime.count() <= 0 || options.grant_cache_ttl.count() < 0) {
    return fail(ErrorCode::config_invalid, "oauth2 lifetimes must be positive");
  }
  if (tokens.audience() != options.resource) {
    spdlog::warn("oauth2: the token service's audience is not the MCP resource URL; access tokens carry aud={}",
                 tokens.audience());
  }
  return std::unique_ptr<AuthorizationServer>(
      new AuthorizationServer(std::make_unique<State>(db, tokens, std::move(options))));
}

const AuthorizationServer::Options& AuthorizationServer::options() const noexcept {
  return state_->options;
}

nlohmann::json AuthorizationServer::authorization_server_metadata() const {
  const auto& o = state_->options;
  const nlohmann::json auth_methods = {"client_secret_basic", "client_secret_post", "none"};
  return {
      {"issuer", o.issuer},
      {"authorization_endpoint", o.issuer + "/oauth2/authorize"},
      {"token_endpoint", o.issuer + "/oauth2/token"},
      {"registration_endpoint", o.issuer + "/oauth2/register"},
      {"revocation_endpoint", o.issuer + "/oauth2/revoke"},
      {"introspection_endpoint", o.issuer + "/oauth2/introspect"},
      {"jwks_uri", o.issuer + "/oauth2/jwks"},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported", {"authorization_code", "refresh_token", "client_credentials"}},
      {"token_endpoint_auth_methods_supported", auth_methods},
      {"revocation_endpoint_auth_methods_supported", auth_methods},
      // Introspection is for confidential clients (resource servers) only.
      {"introspection_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"scopes_supported", o.scopes_supported},
      {"authorization_response_iss_parameter_supported", true},
      {"client_id_metadata_document_supported", o.client_metadata.enabled},
  };
}

nlohmann::json AuthorizationServer::protected_resource_metadata() const {
  const auto& o = state_->options;
  return {{"resource", o.resource},
          {"authorization_servers", {o.issuer}},
          {"scopes_supported", o.scopes_supported},
          {"bearer_methods_supported", {"header"}},
          {"resource_name", "Pierre MCP Server"}};
}

OAuthResult<RegisteredClient> AuthorizationServer::register_client(const nlohmann::json& metadata,
                                                                   const std::optional<auth::Identity>& owner) {
  auto validated = state_->validate_metadata(
      metadata, owner ? MetadataOrigin::signed_in_registration : MetadataOrigin::anonymous_registration);
  if (!validated) return std::unexpected(validated.error());
  auto& s = *state_;
  Client c = std::move(*validated);
  c.client_id = random_token("pcl_", 16);
  const auto now = s.now_ms();
  c.client_id_issued_at = now / 1000;
  if (owner) {
    c.owner_tenant = owner->tenant_id;
    c.owner_user = owner->user_id;
  }
  RegisteredClient out;
  std::optional<std::string> secret_hash;
  if (c.confidential()) {
    out.client_secret = crypto::base64url_encode(crypto::random_bytes(32));
    secret_hash = hash_secret(out.client_secret);
  }
  auto r = s.db.execute(
      "INSERT INTO oauth_clients (client_id, secret_hash, client_name, redirect_uris, grant_types, response_types, "
      "token_endpoint_auth_method, application_type, scope, client_uri, logo_uri, owner_tenant, owner_user, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
      {c.client_id, secret_hash, c.client_name, nlohmann::json(c.redirect_uris).dump(), join_spaces(c.grant_types),
       join_spaces(c.response_types), c.token_endpoint_auth_method, c.application_type, c.scope, c.client_uri,
       c.logo_uri, c.owner_tenant, c.owner_user, now});
  if (!r) return server_fail(r.error());
  out.client = std::move(c);
  return out;
}

OAuthResult<Client> AuthorizationServer::find_client(std::string_view client_id) {
  if (client_id.empty() || client_id.size() > kMaxUriLength) return oauth_fail("invalid_client", "unknown client", 401);
  auto c = state_->resolve_client(client_id);
  if (!c) return std::unexpected(c.error());
  if (!c->has_value()) return oauth_fail("invalid_client", "unknown client", 401);
  return std::move(**c);
}

OAuthResult<Client> AuthorizationServer::authenticate_client(std::string_view client_id, std::string_view secret,
                                                             std::string_view method) {
  const auto denied = [] { return oauth_fail("invalid_client", "client authentication failed", 401); };
  if (client_id.empty() || client_id.size() > kMaxUriLength) return denied();
  auto client = find_client(client_id);
  if (!client) {
    // A metadata-document client may learn why its document was refused; anyone else gets the uniform answer.
    if (client.error().error == "invalid_client" && !is_client_id_url(client_id)) return denied();
    return std::unexpected(client.error());
  }
  if (!client->confidential()) {
    // Public clients authenticate with nothing but their id.
    if (method != "none" || !secret.empty()) return denied();
    return client;
  }
  if ((method != "client_secret_basic" && method != "client_secret_post") || secret.empty()) return denied();
  auto stored = state_->load_secret_hash(client_id);
  if (!stored) return server_fail(stored.error());
  if (!stored->has_value() || !equal_secret(hash_secret(secret), **stored)) return denied();
  return client;
}

OAuthResult<AuthorizationRequest> AuthorizationServer::validate_authorization(
    const std::map<std::string, std::string, std::less<>>& q) {
  auto& s = *state_;
  // Until client and redirect_uri are known to be good, errors are shown to the user, never redirected.
  const auto client_id = param(q, "client_id");
  if (client_id.empty()) return oauth_fail("invalid_request", "client_id is required");
  if (client_id.size() > kMaxUriLength) return oauth_fail("invalid_request", "unknown client_id");
  auto client = s.resolve_client(client_id);
  if (!client) {
    // The user sees why a metadata-document client was refused; never redirected (the client is not trusted).
    auto error = client.error();
    if (error.error == "invalid_client") error.error = "invalid_request";
    error.http_status = error.http_status >= 500 ? error.http_status : 400;
    return std::unexpected(std::move(error));
  }
  if (!client->has_value()) return oauth_fail("invalid_request", "unknown client_id");
  const auto redirect_uri = param(q, "redirect_uri");
  if (redirect_uri.empty()) return oauth_fail("invalid_request", "redirect_uri is required");
  if (!redirect_registered((*client)->redirect_uris, redirect_uri)) {
    return oauth_fail("invalid_request", "redirect_uri does not match a registered redirect URI");
  }
  const auto redirect = [](std::string error, std::string d) {
    return oauth_fail(std::move(error), std::move(d), 400, true);
  };
  AuthorizationRequest req;
  req.client = std::move(**client);
  req.redirect_uri = std::string(redirect_uri);
  req.state = std::string(param(q, "state"));
  if (req.state.size() > kMaxStateLength) return redirect("invalid_request", "state is too long");

  const auto response_type = param(q, "response_type");
  if (response_type.empty()) return redirect("invalid_request", "response_type is required");
  if (response_type != "code") return redirect("unsupported_response_type", "only response_type=code is supported");
  if (!contains(req.client.grant_types, "authorization_code")) {
    return redirect("unauthorized_client", "the client is not registered for the authorization_code grant");
  }
  const auto challenge = param(q, "code_challenge");
  const auto method = param(q, "code_challenge_method");
  if (challenge.empty()) return redirect("invalid_request", "code_challenge is required (PKCE)");
  if (method != "S256") return redirect("invalid_request", "code_challenge_method must be S256");
  if (!valid_code_challenge(challenge)) return redirect("invalid_request", "malformed code_challenge");
  req.code_challenge = std::string(challenge);

  std::vector<std::string> buf;
  const auto& allowed = s.client_scope_list(req.client, buf);
  if (const auto scope = param(q, "scope"); split_spaces(scope).empty()) {
    req.scopes = s.default_scopes_for(req.client);
  } else {
    auto scopes = normalise_scopes(scope, s.options.scopes_supported, allowed);
    if (!scopes || scopes->empty()) return redirect("invalid_scope", "unknown or unauthorized scope");
    req.scopes = std::move(*scopes);
  }
  auto resource = s.resolve_resource(param(q, "resource"));
  if (!resource) return redirect("invalid_target", "resource must be this server's MCP endpoint");
  req.resource = std::move(*resource);
  return req;
}

bool AuthorizationServer::has_consent(const auth::Identity& user, const AuthorizationRequest& request) {
  auto row = state_->db.query_row(
      "SELECT scope FROM oauth_consents WHERE owner_tenant = ?1 AND user_id = ?2 AND client_id = ?3",
      {user.tenant_id, user.user_id, request.client.client_id});
  if (!row || !row->has_value()) return false;
  auto scope = (*row)->get<std::string>("scope");
  return scope && subset(request.scopes, split_spaces(*scope));
}

OAuthResult<std::string> AuthorizationServer::issue_code(const auth::Identity& user,
                                                         const AuthorizationRequest& request) {
  auto& s = *state_;
  if (user.user_id.empty() || user.tenant_id.empty()) return oauth_fail("access_denied", "no signed-in user");
  // Housekeeping rides on the flow that creates the rows, so the tables stay bounded without a scheduler.
  if (s.codes_issued.fetch_add(1) % kPurgeEvery == 0) {
    if (auto purged = purge_expired(); !purged) spdlog::warn("oauth2: purge failed: {}", purged.error().message);
  }
  const auto now = s.now_ms();
  const auto scope = join_spaces(request.scopes);
  const auto grant_id = random_token("grt_", 16);
  auto code = random_token(kCodePrefix, 32);
  const auto expires = now + std::chrono::duration_cast<std::chrono::milliseconds>(s.options.code_lifetime).count();

  auto txn = s.db.begin();
  if (!txn) return server_fail(txn.error());
  auto step = txn->execute(
      "INSERT INTO oauth_grants (id, client_id, owner_tenant, user_id, kind, scope, resource, created_at) "
      "VALUES (?1, ?2, ?3, ?4, 'authorization_code', ?5, ?6, ?7)",
      {grant_id, request.client.client_id, user.tenant_id, user.user_id, scope, request.resource, now});
  if (!step) return server_fail(step.error());
  step = txn->execute(
      "INSERT INTO oauth_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, resource, scope, "
      "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      {hash_secret(code), grant_id, request.client.client_id, request.redirect_uri, request.code_challenge,
       request.resource, scope, now, expires});
  if (!step) return server_fail(step.error());
  // Consent accumulates: the union of what this user has granted this client.
  auto existing =
      txn->query_row("SELECT scope FROM oauth_consents WHERE owner_tenant = ?1 AND user_id = ?2 AND client_id = ?3",
                     {user.tenant_id, user.user_id, request.client.client_id});
  if (!existing) return server_fail(existing.error());
  std::vector<std::string> consented = request.scopes;
  if (existing->has_value()) {
    if (auto prev = (*existing)->get<std::string>("scope")) {
      for (auto& p : split_spaces(*prev)) {
        if (!contains(consented, p)) consented.push_back(std::move(p));
      }
    }
  }
  step = txn->execute(
      "INSERT INTO oauth_consents (owner_tenant, user_id, client_id, scope, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (owner_tenant, user_id, client_id) DO UPDATE SET scope = excluded.scope, "
      "updated_at = excluded.updated_at",
      {user.tenant_id, user.user_id, request.client.client_id, join_spaces(consented), now});
  if (!step) return server_fail(step.error());
  // Spent and expired codes are kept a while for replay detection, then dropped.
  step = txn->execute("DELETE FROM oauth_codes WHERE expires_at < ?1", {now - 3'600'000});
  if (!step) return server_fail(step.error());
  if (auto c = txn->commit(); !c) return server_fail(c.error());
  return code;
}

OAuthResult<TokenResponse> AuthorizationServer::exchange_code(const Client& client, std::string_view code,
                                                              std::string_view redirect_uri,
                                                              std::string_view code_verifier,
                                                              std::string_view resource) {
  auto& s = *state_;
  const auto invalid = [](std::string d) { return oauth_fail("invalid_grant", std::move(d)); };
  if (!contains(client.grant_types, "authorization_code")) {
    return oauth_fail("unauthorized_client", "the client is not registered for the authorization_code grant");
  }
  if (code.empty()) return oauth_fail("invalid_request", "code is required");
  if (!code.starts_with(kCodePrefix) || code.size() > 128) return invalid("invalid authorization code");
  const auto code_hash = hash_secret(code);
  auto row = s.db.query_row(
      "SELECT grant_id, client_id, redirect_uri, code_challenge, resource, scope, expires_at, consumed_at "
      "FROM oauth_codes WHERE code_hash = ?1",
      {code_hash});
  if (!row) return server_fail(row.error());
  if (!row->has_value()) return invalid("invalid authorization code");
  CodeRow c;
  {
    const auto& r = **row;
    auto g = r.get<std::string>("grant_id");
    auto cl = r.get<std::string>("client_id");
    auto ru = r.get<std::string>("redirect_uri");
    auto ch = r.get<std::string>("code_challenge");
    auto rs = r.get<std::string>("resource");
    auto sc = r.get<std::string>("scope");
    auto ex = r.get<std::int64_t>("expires_at");
    auto co = r.get<std::optional<std::int64_t>>("consumed_at");
    if (!g || !cl || !ru || !ch || !rs || !sc || !ex || !co)
      return server_fail(Error(ErrorCode::database_error, "code row"));
    c = CodeRow{*g, *cl, *ru, *ch, *rs, *sc, *ex, *co};
  }
  if (!equal_secret(c.client_id, client.client_id)) return invalid("the code was issued to another client");
  const auto replayed = [&]() -> OAuthResult<TokenResponse> {
    // RFC 9700 §4.2.4: a code used twice revokes what was issued with it.
    if (auto r = s.revoke_grant_id(c.grant_id); !r) return server_fail(r.error());
    spdlog::warn("oauth2: authorization code replayed for client {}; grant revoked", client.client_id);
    return invalid("authorization code already used");
  };
  if (c.consumed_at) return replayed();
  if (s.now_ms() >= c.expires_at) return invalid("authorization code expired");
  // Every check runs before the code is spent, so a failed attempt (e.g. an attacker without the PKCE verifier)
  // cannot burn the legitimate client's code, and nothing can fail between winning the code and issuing tokens.
  if (redirect_uri.empty()) return oauth_fail("invalid_request", "redirect_uri is required");
  if (redirect_uri != c.redirect_uri) return invalid("redirect_uri does not match the authorization request");
  if (code_verifier.empty()) return oauth_fail("invalid_request", "code_verifier is required");
  if (!valid_code_verifier(code_verifier) || !equal_secret(pkce_s256(code_verifier), c.code_challenge)) {
    return invalid("PKCE verification failed");
  }
  if (!resource.empty() && resource != c.resource) {
    return oauth_fail("invalid_target", "resource does not match the authorization request");
  }
  auto grant = s.load_grant(c.grant_id);
  if (!grant) return server_fail(grant.error());
  if (!grant->has_value() || (*grant)->revoked_at) return invalid("the authorization has been revoked");
  auto user = s.load_user((*grant)->owner_tenant, (*grant)->user_id, split_spaces(c.scope));
  if (!user) return server_fail(user.error());
  if (!user->has_value()) return invalid("the user is not active");

  // The one atomic step: exactly one redemption can flip consumed_at; every other (concurrent or later) one is a
  // replay and revokes the grant — including the tokens the winner is about to receive.
  auto consumed = s.db.execute("UPDATE oauth_codes SET consumed_at = ?1 WHERE code_hash = ?2 AND consumed_at IS NULL",
                               {s.now_ms(), code_hash});
  if (!consumed) return server_fail(consumed.error());
  if (*consumed != 1) return replayed();

  std::string refresh;
  if (contains(client.grant_types, "refresh_token")) {
    auto t = s.insert_refresh(s.db, c.grant_id, client.client_id, c.scope);
    if (!t) return server_fail(t.error());
    refresh = std::move(*t);
  }
  s.touch_grant(c.grant_id);
  return s.issue_access(**user, client.client_id, c.grant_id, std::move(refresh));
}

OAuthResult<TokenResponse> AuthorizationServer::refresh(const Client& client, std::string_view refresh_token,
                                                        std::string_view scope, std::string_view resource) {
  auto& s = *state_;
  const auto invalid = [](std::string d) { return oauth_fail("invalid_grant", std::move(d)); };
  if (!contains(client.grant_types, "refresh_token")) {
    return oauth_fail("unauthorized_client", "the client is not registered for the refresh_token grant");
  }
  if (refresh_token.empty()) return oauth_fail("invalid_request", "refresh_token is required");
  if (!refresh_token.starts_with(kRefreshPrefix) || refresh_token.size() > 128) return invalid("invalid refresh token");
  const auto token_hash = hash_secret(refresh_token);
  auto row = s.db.query_row(
      "SELECT grant_id, client_id, scope, expires_at, used_at FROM oauth_refresh_tokens WHERE token_hash = ?1",
      {token_hash});
  if (!row) return server_fail(row.error());
  if (!row->has_value()) return invalid("invalid refresh token");
  auto grant_id = (*row)->get<std::string>("grant_id");
  auto token_client = (*row)->get<std::string>("client_id");
  auto token_scope = (*row)->get<std::string>("scope");
  auto expires_at = (*row)->get<std::int64_t>("expires_at");
  auto used_at = (*row)->get<std::optional<std::int64_t>>("used_at");
  if (!grant_id || !token_client || !token_scope || !expires_at || !used_at) {
    return server_fail(Error(ErrorCode::database_error, "refresh row"));
  }
  if (!equal_secret(*token_client, client.client_id)) return invalid("the refresh token was issued to another client");
  const auto reused = [&]() -> OAuthResult<TokenResponse> {
    // RFC 9700 §4.14.2: a rotated refresh token presented again means the family leaked: revoke it all.
    if (auto r = s.revoke_grant_id(*grant_id); !r) return server_fail(r.error());
    spdlog::warn("oauth2: refresh token reused for client {}; grant revoked", client.client_id);
    return invalid("refresh token already used");
  };
  if (*used_at) return reused();
  if (s.now_ms() >= *expires_at) return invalid("refresh token expired");

  const auto granted = split_spaces(*token_scope);
  std::vector<std::string> scopes = granted;
  if (!scope.empty()) {
    auto narrowed = normalise_scopes(scope, s.options.scopes_supported, granted);
    if (!narrowed || narrowed->empty()) return oauth_fail("invalid_scope", "scope exceeds the original grant");
    scopes = std::move(*narrowed);
  }
  auto grant = s.load_grant(*grant_id);
  if (!grant) return server_fail(grant.error());
  if (!grant->has_value() || (*grant)->revoked_at) return invalid("the authorization has been revoked");
  if (!resource.empty() && resource != (*grant)->resource) {
    return oauth_fail("invalid_target", "resource does not match the authorization");
  }
  auto user = s.load_user((*grant)->owner_tenant, (*grant)->user_id, scopes);
  if (!user) return server_fail(user.error());
  if (!user->has_value()) return invalid("the user is not active");

  // Rotation in one transaction: spend the old token (only one caller can) and store its successor.
  auto txn = s.db.begin();
  if (!txn) return server_fail(txn.error());
  auto spent = txn->execute("UPDATE oauth_refresh_tokens SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL",
                            {s.now_ms(), token_hash});
  if (!spent) return server_fail(spent.error());
  if (*spent != 1) {
    (void)txn->rollback();
    return reused();
  }
  auto next = s.insert_refresh(*txn, *grant_id, client.client_id, *token_scope);
  if (!next) return server_fail(next.error());
  if (auto c = txn->commit(); !c) return server_fail(c.error());
  s.touch_grant(*grant_id);
  return s.issue_access(**user, client.client_id, *grant_id, std::move(*next));
}

OAuthResult<TokenResponse> AuthorizationServer::client_credentials(const Client& client, std::string_view scope,
                                                                   std::string_view resource) {
  auto& s = *state_;
  if (!contains(client.grant_types, "client_credentials")) {
    return oauth_fail("unauthorized_client", "the client is not registered for the client_credentials grant");
  }
  if (!client.confidential() || !client.owner_tenant || !client.owner_user) {
    return oauth_fail("unauthorized_client", "client_credentials needs a confidential client with an owner");
  }
  std::vector<std::string> buf;
  const auto& allowed = s.client_scope_list(client, buf);
  std::vector<std::string> scopes = s.default_scopes_for(client);
  if (!scope.empty()) {
    auto requested = normalise_scopes(scope, s.options.scopes_supported, allowed);
    if (!requested || requested->empty()) return oauth_fail("invalid_scope", "unknown or unauthorized scope");
    scopes = std::move(*requested);
  }
  auto target = s.resolve_resource(resource);
  if (!target) return oauth_fail("invalid_target", "resource must be this server's MCP endpoint");
  auto user = s.load_user(*client.owner_tenant, *client.owner_user, scopes);
  if (!user) return server_fail(user.error());
  if (!user->has_value()) return oauth_fail("invalid_grant", "the client's owner is not active");

  // One grant per client, reused while it is active (revoking it stops every token the client holds).
  auto existing = s.db.query_row(
      "SELECT id FROM oauth_grants WHERE client_id = ?1 AND kind = 'client_credentials' AND revoked_at IS NULL "
      "ORDER BY created_at, id LIMIT 1",
      {client.client_id});
  if (!existing) return server_fail(existing.error());
  std::string grant_id;
  if (existing->has_value()) {
    auto id = (*existing)->get<std::string>("id");
    if (!id) return server_fail(id.error());
    grant_id = *id;
  } else {
    grant_id = random_token("grt_", 16);
    std::vector<std::string> granted(allowed.begin(), allowed.end());
    auto r = s.db.execute(
        "INSERT INTO oauth_grants (id, client_id, owner_tenant, user_id, kind, scope, resource, created_at) "
        "VALUES (?1, ?2, ?3, ?4, 'client_credentials', ?5, ?6, ?7)",
        {grant_id, client.client_id, *client.owner_tenant, *client.owner_user, join_spaces(granted), *target,
         s.now_ms()});
    if (!r) return server_fail(r.error());
  }
  s.touch_grant(grant_id);
  return s.issue_access(**user, client.client_id, grant_id, "");
}

OAuthResult<void> AuthorizationServer::revoke(const Client& client, std::string_view token,
                                              std::string_view /*token_type_hint*/) {
  auto& s = *state_;
  if (token.empty()) return oauth_fail("invalid_request", "token is required");
  // The hint only saves a lookup; the token's own shape says what it is.
  if (token.starts_with(kRefreshPrefix)) {
    auto row = s.db.query_row("SELECT grant_id, client_id FROM oauth_refresh_tokens WHERE token_hash = ?1",
                              {hash_secret(token)});
    if (!row) return server_fail(row.error());
    if (!row->has_value()) return {};
    auto grant_id = (*row)->get<std::string>("grant_id");
    auto owner = (*row)->get<std::string>("client_id");
    if (!grant_id || !owner) return server_fail(Error(ErrorCode::database_error, "refresh row"));
    // RFC 7009 §2.1: another client's token is not revoked; answering success reveals nothing.
    if (!equal_secret(*owner, client.client_id)) return {};
    if (auto r = s.revoke_grant_id(*grant_id); !r) return server_fail(r.error());
    return {};
  }
  auto verified = s.tokens.verify_token(token);
  if (!verified || verified->grant_id.empty()) return {};
  if (!equal_secret(verified->client_id, client.client_id)) return {};
  if (auto r = s.revoke_grant_id(verified->grant_id); !r) return server_fail(r.error());
  return {};
}

nlohmann::json AuthorizationServer::introspect(std::string_view token) {
  auto& s = *state_;
  const nlohmann::json inactive{{"active", false}};
  if (token.empty() || token.size() > 16'384) return inactive;
  if (token.starts_with(kRefreshPrefix)) {
    auto row = s.db.query_row(
        "SELECT r.grant_id, r.client_id, r.scope, r.created_at, r.expires_at, r.used_at, g.user_id, g.resource, "
        "g.revoked_at FROM oauth_refresh_tokens r JOIN oauth_grants g ON g.id = r.grant_id WHERE r.token_hash = ?1",
        {hash_secret(token)});
    if (!row || !row->has_value()) return inactive;
    const auto& r = **row;
    auto used = r.get<std::optional<std::int64_t>>("used_at");
    auto revoked = r.get<std::optional<std::int64_t>>("revoked_at");
    auto expires = r.get<std::int64_t>("expires_at");
    auto created = r.get<std::int64_t>("created_at");
    auto client = r.get<std::string>("client_id");
    auto scope = r.get<std::string>("scope");
    auto user = r.get<std::string>("user_id");
    auto resource = r.get<std::string>("resource");
    if (!used || !revoked || !expires || !created || !client || !scope || !user || !resource) return inactive;
    if (*used || *revoked || s.now_ms() >= *expires) return inactive;
    return {{"active", true},         {"token_type", "refresh_token"}, {"client_id", *client},   {"scope", *scope},
            {"sub", *user},           {"exp", *expires / 1000},        {"iat", *created / 1000}, {"aud", *resource},
            {"iss", s.options.issuer}};
  }
  auto verified = s.tokens.verify_token(token);
  if (!verified || verified->grant_id.empty() || verified->client_id.empty()) return inactive;
  auto active = grant_active(verified->grant_id);
  if (!active || !*active) return inactive;
  nlohmann::json out{{"active", true},
                     {"token_type", "Bearer"},
                     {"client_id", verified->client_id},
                     {"scope", join_spaces(verified->identity.scopes)},
                     {"sub", verified->identity.user_id},
                     {"exp", verified->expires_ms / 1000},
                     {"aud", s.tokens.audience()},
                     {"iss", s.tokens.issuer()}};
  const auto claims = jwt_claims(token);
  if (auto iat = epoch_seconds_of(claims, "iat")) out["iat"] = *iat;
  if (auto it = claims.find("jti"); it != claims.end() && it->is_string()) out["jti"] = *it;
  return out;
}

Result<std::int64_t> AuthorizationServer::purge_expired() {
  auto& s = *state_;
  const auto now = s.now_ms();
  auto codes = s.db.execute("DELETE FROM oauth_codes WHERE expires_at < ?1", {now - kKeepExpiredCodesMs});
  if (!codes) return std::unexpected(codes.error());
  auto refresh = s.db.execute("DELETE FROM oauth_refresh_tokens WHERE expires_at < ?1", {now - kKeepExpiredRefreshMs});
  if (!refresh) return std::unexpected(refresh.error());
  return *codes + *refresh;
}

Result<bool> AuthorizationServer::grant_active(std::string_view grant_id) {
  auto& s = *state_;
  if (grant_id.empty()) return false;
  const std::string id(grant_id);
  {
    std::lock_guard lock(s.cache_mutex);
    if (const auto it = s.grant_cache.find(id); it != s.grant_cache.end()) {
      if (!it->second.active || s.now() < it->second.expires) return it->second.active;
    }
  }
  auto row = s.db.query_row("SELECT revoked_at FROM oauth_grants WHERE id = ?1", {id});
  if (!row) return std::unexpected(row.error());
  bool active = false;
  if (row->has_value()) {
    auto revoked = (*row)->get<std::optional<std::int64_t>>("revoked_at");
    if (!revoked) return std::unexpected(revoked.error());
    active = !revoked->has_value();
  }
  // Unknown ids are not cached (they cost a lookup, but cannot fill the cache).
  if (row->has_value()) s.remember_grant(id, active);
  return active;
}

Result<std::vector<GrantInfo>> AuthorizationServer::list_grants(const auth::Identity& user) {
  auto& s = *state_;
  // Grants that produced tokens: an authorization whose code was never redeemed is not an authorized client.
  auto rows = s.db.query(
      "SELECT g.id, g.client_id, c.client_name, g.scope, g.created_at, g.last_used_at FROM oauth_grants g "
      "JOIN oauth_clients c ON c.client_id = g.client_id WHERE g.owner_tenant = ?1 AND g.user_id = ?2 "
      "AND g.revoked_at IS NULL AND g.last_used_at IS NOT NULL ORDER BY g.created_at DESC, g.id",
      {user.tenant_id, user.user_id});
  if (!rows) return std::unexpected(rows.error());
  std::vector<GrantInfo> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) {
    auto id = r.get<std::string>("id");
    auto client = r.get<std::string>("client_id");
    auto name = r.get<std::string>("client_name");
    auto scope = r.get<std::string>("scope");
    auto created = r.get<std::int64_t>("created_at");
    auto used = r.get<std::optional<std::int64_t>>("last_used_at");
    if (!id || !client || !name || !scope || !created || !used) return fail(ErrorCode::database_error, "grant row");
    out.push_back(GrantInfo{*id, *client, *name, split_spaces(*scope), *created, *used});
  }
  return out;
}

Result<void> AuthorizationServer::revoke_grant(const auth::Identity& user, std::string_view grant_id) {
  auto& s = *state_;
  auto r = s.db.execute(
      "UPDATE oauth_grants SET revoked_at = ?1 WHERE id = ?2 AND owner_tenant = ?3 AND user_id = ?4 "
      "AND revoked_at IS NULL",
      {s.now_ms(), std::string(grant_id), user.tenant_id, user.user_id});
  if (!r) return std::unexpected(r.error());
  if (*r != 1) return fail(ErrorCode::resource_not_found, "authorization not found");
  s.remember_grant(std::string(grant_id), false);
  return {};
}

Result<std::size_t> AuthorizationServer::revoke_user_grants(std::string_view tenant_id, std::string_view user_id) {
  auto& s = *state_;
  auto ids = s.db.query("SELECT id FROM oauth_grants WHERE owner_tenant = ?1 AND user_id = ?2 AND revoked_at IS NULL",
                        {std::string(tenant_id), std::string(user_id)});
  if (!ids) return std::unexpected(ids.error());
  auto r = s.db.execute(
      "UPDATE oauth_grants SET revoked_at = ?1 WHERE owner_tenant = ?2 AND user_id = ?3 AND revoked_at IS NULL",
      {s.now_ms(), std::string(tenant_id), std::string(user_id)});
  if (!r) return std::unexpected(r.error());
  for (const auto& row : ids->rows) {
    if (auto id = row.get<std::string>("id")) s.remember_grant(*id, false);
  }
  return static_cast<std::size_t>(*r);
}

}  // namespace pierre::oauth2
