#include "pierre/oauth2/routes.hpp"

#include "pierre/core/text.hpp"
#include "pierre/core/time.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "form_urlencoded.hpp"
#include "pages.hpp"
#include "pierre/http/errors.hpp"

namespace pierre::oauth2 {
namespace {

using nlohmann::json;
using field = boost::beast::http::field;

constexpr std::string_view kCsrfCookie = "pierre_oauth_csrf";
constexpr std::string_view kSessionCookie = "pierre_oauth_session";
constexpr std::chrono::seconds kSessionLifetime{3600};

// ---------------------------------------------------------------------------------------------------------------
// Responses

void no_store(http::Response& res) {
  res.set(field::cache_control, "no-store");
  res.set(field::pragma, "no-cache");
}

// The headers every page of the authorization endpoint carries (and its redirects): nothing is cached, framed,
// loaded from elsewhere or leaked through Referer. `form_target` is an extra form-action source: browsers apply
// form-action to the redirect that answers the form, which goes to the client's redirect_uri.
void page_headers(http::Response& res, std::string_view form_target = {}) {
  no_store(res);
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  std::string form_action = "'self'";
  if (!form_target.empty()) {
    form_action += ' ';
    form_action += form_target;
  }
  res.set("Content-Security-Policy",
          fmt::format("default-src 'none'; style-src 'unsafe-inline'; form-action {}; frame-ancestors 'none'",
                      form_action));
}

http::Response html(http::Status status, std::string body, const http::Request& req,
                    std::string_view form_target = {}) {
  http::Response res{status, req.version()};
  res.set(field::content_type, "text/html; charset=utf-8");
  page_headers(res, form_target);
  res.body() = std::move(body);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

http::Response error_page(http::Status status, std::string_view title, std::string_view message,
                          const http::Request& req) {
  return html(status, pages::error(title, message), req);
}

http::Response redirect(std::string location, const http::Request& req) {
  http::Response res{http::Status::found, req.version()};
  page_headers(res);
  res.set(field::location, location);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

// JSON for the token, revocation, introspection and registration endpoints: never cached (RFC 6749 §5.1).
http::Response oauth_json(http::Status status, const json& body, const http::Request& req) {
  http::Response res{status, req.version()};
  res.set(field::content_type, "application/json");
  no_store(res);
  res.set("Access-Control-Allow-Origin", "*");
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

// RFC 6749 §5.2. An invalid_client after HTTP Basic answers 401 with the challenge the client used.
http::Response oauth_error(const OAuthError& error, const http::Request& req, bool basic_used = false) {
  json body = {{"error", error.error}};
  if (!error.description.empty()) body["error_description"] = error.description;
  auto status = static_cast<http::Status>(error.http_status > 0 ? error.http_status : 400);
  if (error.error == "invalid_client" && status == http::Status::bad_request) status = http::Status::unauthorized;
  auto res = oauth_json(status, body, req);
  if (status == http::Status::unauthorized && basic_used) res.set(field::www_authenticate, "Basic realm=\"pierre\"");
  return res;
}

OAuthError invalid_request(std::string description) {
  return OAuthError{"invalid_request", std::move(description), 400, false};
}

using text::lower;

bool content_type_is(const http::Request& req, std::string_view type) {
  const auto value = lower(req[field::content_type]);
  return value == type || (value.starts_with(type) && (value[type.size()] == ';' || value[type.size()] == ' '));
}

std::int64_t epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------------------------------
// Cookies

// The value of cookie `name`; nullopt when absent, and also when sent twice (a cookie planted for a parent domain
// or path must not shadow ours).
std::optional<std::string> cookie(const http::Request& req, std::string_view name) {
  std::optional<std::string> found;
  const auto [first, last] = req.equal_range(field::cookie);
  for (auto header = first; header != last; ++header) {
    std::string_view rest = header->value();
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      auto pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      if (found) return std::nullopt;
      found = std::string(pair.substr(eq + 1));
    }
  }
  return found;
}

std::string set_cookie(std::string_view name, std::string_view value, std::string_view same_site, bool secure,
                       std::optional<std::chrono::seconds> max_age = std::nullopt) {
  auto out = fmt::format("{}={}; Path=/oauth2; HttpOnly; SameSite={}", name, value, same_site);
  if (max_age) out += fmt::format("; Max-Age={}", max_age->count());
  if (secure) out += "; Secure";
  return out;
}

std::string mac(const crypto::Bytes& key, std::string_view message) {
  return crypto::base64url_encode(crypto::hmac_sha256(key, crypto::as_bytes(message)));
}

bool mac_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && crypto::constant_time_equal(crypto::as_bytes(a), crypto::as_bytes(b));
}

// A CSRF cookie we issued: 32 random bytes, base64url.
bool plausible_csrf_cookie(std::string_view value) {
  crypto::Bytes bytes;
  return value.size() == 43 && crypto::base64url_decode(value, bytes) && bytes.size() == 32;
}

std::string csrf_token(const crypto::Bytes& key, std::string_view cookie_value, std::string_view request) {
  return mac(key, fmt::format("csrf|{}|{}", cookie_value, request));
}

// Session cookie: base64url("user|tenant|expiry") "." base64url(HMAC(key, "session|" payload)).
std::string session_value(const crypto::Bytes& key, const Identity& identity) {
  const auto payload = fmt::format("{}|{}|{}", identity.user_id, identity.tenant_id,
                                   epoch_seconds() + static_cast<std::int64_t>(kSessionLifetime.count()));
  return crypto::base64url_encode(crypto::as_bytes(payload)) + "." + mac(key, "session|" + payload);
}

struct SessionUser {
  Identity identity;
  std::string email;
};

// The signed-in user of this browser: a valid, unexpired session cookie naming an account that is still active.
std::optional<SessionUser> session_user(const crypto::Bytes& key, auth::UserService& users, const http::Request& req) {
  const auto value = cookie(req, kSessionCookie);
  if (!value) return std::nullopt;
  const auto dot = value->find('.');
  if (dot == std::string::npos) return std::nullopt;
  crypto::Bytes decoded;
  if (!crypto::base64url_decode(std::string_view(*value).substr(0, dot), decoded)) return std::nullopt;
  const std::string payload(decoded.begin(), decoded.end());
  if (!mac_equal(mac(key, "session|" + payload), std::string_view(*value).substr(dot + 1))) return std::nullopt;
  const auto first = payload.find('|');
  const auto second = payload.find('|', first == std::string::npos ? first : first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  std::int64_t expiry = 0;
  try {
    expiry = std::stoll(payload.substr(second + 1));
  } catch (...) {
    return std::nullopt;
  }
  if (expiry <= epoch_seconds()) return std::nullopt;
  auto user = users.get_user(payload.substr(first + 1, second - first - 1), payload.substr(0, first));
  if (!user || user->status != "active") return std::nullopt;
  return SessionUser{Identity{user->id, user->tenant_id, user->role, auth::scopes_for_role(user->role)}, user->email};
}

// ---------------------------------------------------------------------------------------------------------------
// Redirect targets

struct Target {
  std::string display;      // what the consent page names: "localhost:3000", "claude.ai", "cursor:"
  std::string form_action;  // a CSP source for it ("" when it cannot be expressed safely)
};

Target target_of(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos) return {};
  const auto scheme = lower(uri.substr(0, colon));
  const bool scheme_ok = !scheme.empty() && std::ranges::all_of(scheme, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
  if (!scheme_ok) return {};
  if (!uri.substr(colon).starts_with("://")) return {scheme + ":", scheme + ":"};
  auto authority = uri.substr(colon + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  Target t{std::string(authority), {}};
  const bool host_ok = !authority.empty() && std::ranges::all_of(authority, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
  });
  // CSP host sources cannot name an IPv6 literal: fall back to the scheme for those.
  t.form_action = host_ok ? fmt::format("{}://{}", scheme, lower(authority)) : scheme + ":";
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// Registration rate limit: a fixed window per client IP (IPv6 by /64), bounded memory.

class RegistrationLimiter {
 public:
  explicit RegistrationLimiter(std::uint32_t per_minute) : limit_(per_minute) {}

  // 0 when allowed, else the seconds until the caller's window ends.
  std::int64_t acquire(std::string_view ip) {
    const auto now = std::chrono::steady_clock::now();
    const auto key = auth::LoginThrottle::client_key(ip);
    std::lock_guard lock(mutex_);
    if (windows_.size() >= kMaxKeys) {
      std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= kWindow; });
      // Still full: forget everyone rather than refuse newcomers (a fail-open limiter, never a lock-out).
      if (windows_.size() >= kMaxKeys) windows_.clear();
    }
    auto& window = windows_[key];
    if (window.count == 0 || now - window.start >= kWindow) window = {now, 0};
    if (window.count >= limit_) {
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(kWindow - (now - window.start)).count();
      return std::max<std::int64_t>(1, left);
    }
    ++window.count;
    return 0;
  }

 private:
  static constexpr std::size_t kMaxKeys = 50'000;
  static constexpr std::chrono::seconds kWindow{60};
  struct Window {
    std::chrono::steady_clock::time_point start;
    std::uint32_t count = 0;
  };
  const std::uint32_t limit_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

// ---------------------------------------------------------------------------------------------------------------
// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3, exactly one method).

struct PresentedClient {
  std::string id;
  std::string secret;
  std::string method;  // client_secret_basic | client_secret_post | none
  bool basic = false;
};

std::expected<PresentedClient, OAuthError> presented_client(const http::Request& req, const form::Params& body) {
  PresentedClient c;
  const std::string_view authorization = req[field::authorization];
  if (authorization.size() > 6 && lower(authorization.substr(0, 6)) == "basic ") {
    auto encoded = authorization.substr(6);
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    crypto::Bytes decoded;
    const auto bad = OAuthError{"invalid_client", "malformed HTTP Basic credentials", 401, false};
    if (!crypto::base64_decode(encoded, decoded)) return std::unexpected(bad);
    const std::string pair(decoded.begin(), decoded.end());
    const auto colon = pair.find(':');
    if (colon == std::string::npos) return std::unexpected(bad);
    // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    auto id = form::decode(std::string_view(pair).substr(0, colon));
    auto secret = form::decode(std::string_view(pair).substr(colon + 1));
    if (!id || !secret || id->empty()) return std::unexpected(bad);
    c = {std::move(*id), std::move(*secret), "client_secret_basic", true};
  }
  const auto body_id = body.find("client_id");
  const auto body_secret = body.find("client_secret");
  if (c.basic) {
    if (body_secret != body.end()) {
      return std::unexpected(invalid_request("use only one client authentication method"));
    }
    if (body_id != body.end() && body_id->second != c.id) {
      return std::unexpected(invalid_request("client_id does not match the HTTP Basic credentials"));
    }
    return c;
  }
  if (body_id == body.end()) {
    return std::unexpected(OAuthError{"invalid_client", "client authentication required", 401, false});
  }
  c.id = body_id->second;
  if (body_secret != body.end()) {
    c.secret = body_secret->second;
    c.method = "client_secret_post";
  } else {
    c.method = "none";
  }
  return c;
}

using form::param;

// ---------------------------------------------------------------------------------------------------------------
// The routes

class OAuthRoutes {
 public:
  OAuthRoutes(AuthorizationServer& server, auth::UserService& users, auth::LoginThrottle& throttle,
              RouteOptions options)
      : as_(server),
        users_(users),
        throttle_(throttle),
        options_(std::move(options)),
        registrations_(options_.registrations_per_minute) {}

  void add_to(http::Router& router, const std::shared_ptr<OAuthRoutes>& self) {
    auto bind = [self](auto member) {
      return
          [self, member](const http::Request& req, http::RequestContext& ctx) { return ((*self).*member)(req, ctx); };
    };
    router.add(http::Method::get, "/.well-known/oauth-authorization-server", bind(&OAuthRoutes::as_metadata),
               "OAuth authorization server metadata (RFC 8414)");
    router.add(http::Method::get, "/.well-known/openid-configuration", bind(&OAuthRoutes::as_metadata),
               "authorization server metadata (OpenID discovery path)");
    router.add(http::Method::get, "/.well-known/oauth-protected-resource", bind(&OAuthRoutes::resource_metadata),
               "protected resource metadata (RFC 9728)");
    router.add(http::Method::get, "/.well-known/oauth-protected-resource/mcp", bind(&OAuthRoutes::resource_metadata),
               "protected resource metadata for /mcp (RFC 9728)");
    router.add(http::Method::post, "/oauth2/register", bind(&OAuthRoutes::register_client),
               "register an OAuth client (RFC 7591)");
    router.add(http::Method::get, "/oauth2/authorize", bind(&OAuthRoutes::authorize_page),
               "sign in and authorize a client (HTML)");
    router.add(http::Method::post, "/oauth2/authorize", bind(&OAuthRoutes::authorize_submit),
               "the sign-in + consent form");
    router.add(http::Method::post, "/oauth2/token", bind(&OAuthRoutes::token), "OAuth token endpoint");
    router.add(http::Method::post, "/oauth2/revoke", bind(&OAuthRoutes::revoke), "revoke a token (RFC 7009)");
    router.add(http::Method::post, "/oauth2/introspect", bind(&OAuthRoutes::introspect),
               "introspect a token (RFC 7662)");
    for (const char* path : {"/oauth2/register", "/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"}) {
      router.add(http::Method::options, path, &OAuthRoutes::preflight, "CORS preflight");
    }
    router.add(http::Method::get, "/api/oauth2/authorizations", bind(&OAuthRoutes::list_authorizations),
               "the OAuth clients you authorized");
    router.add(http::Method::delete_, "/api/oauth2/authorizations/{grant_id}", bind(&OAuthRoutes::revoke_authorization),
               "revoke an OAuth client's access");
    router.add(http::Method::get, "/admin/users/{id}/oauth2/authorizations",
               bind(&OAuthRoutes::admin_list_authorizations), "a user's authorized OAuth clients (admin)");
    router.add(http::Method::delete_, "/admin/users/{id}/oauth2/authorizations/{grant_id}",
               bind(&OAuthRoutes::admin_revoke_authorization), "revoke a user's OAuth client (admin)");
  }

 private:
  // ---- metadata

  http::Response as_metadata(const http::Request& req, http::RequestContext&) {
    auto res = oauth_json(http::Status::ok, as_.authorization_server_metadata(), req);
    res.set(field::cache_control, "public, max-age=3600");
    res.erase(field::pragma);
    return res;
  }

  http::Response resource_metadata(const http::Request& req, http::RequestContext&) {
    auto res = oauth_json(http::Status::ok, as_.protected_resource_metadata(), req);
    res.set(field::cache_control, "public, max-age=3600");
    res.erase(field::pragma);
    return res;
  }

  static http::Response preflight(const http::Request& req, http::RequestContext&) {
    http::Response res{http::Status::no_content, req.version()};
    res.set("Access-Control-Allow-Origin", "*");
    res.set("Access-Control-Allow-Methods", "POST, OPTIONS");
    res.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
    res.set("Access-Control-Max-Age", "86400");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }

  // ---- RFC 7591 registration

  http::Response register_client(const http::Request& req, http::RequestContext& ctx) {
    if (const auto wait = registrations_.acquire(ctx.remote_address); wait > 0) {
      auto res = oauth_error({"temporarily_unavailable", "too many client registrations; try again later", 429}, req);
      res.set(field::retry_after, std::to_string(wait));
      return res;
    }
    // A signed-in registrant (a login session, not an API key or another client's access token) owns the client.
    std::optional<Identity> owner;
    if (ctx.auth_error) {
      auto res = oauth_json(http::Status::unauthorized,
                            {{"error", "invalid_token"}, {"error_description", ctx.auth_error->message}}, req);
      res.set(field::www_authenticate, "Bearer error=\"invalid_token\"");
      return res;
    }
    if (ctx.auth && ctx.auth->method == Authentication::Method::jwt && ctx.auth->client_id.empty()) {
      owner = ctx.auth->identity;
    }
    if (!content_type_is(req, "application/json")) {
      return oauth_error({"invalid_client_metadata", "the request body must be Content-Type: application/json"}, req);
    }
    const auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return oauth_error({"invalid_client_metadata", "the request body must be a JSON object"}, req);
    }
    auto registered = as_.register_client(body, owner);
    if (!registered) return oauth_error(registered.error(), req);
    auto out = registered->client.to_json();
    if (!out.contains("client_id_issued_at")) out["client_id_issued_at"] = registered->client.client_id_issued_at;
    if (registered->client.confidential()) {
      out["client_secret"] = registered->client_secret;
      out["client_secret_expires_at"] = 0;
    }
    return oauth_json(http::Status::created, out, req);
  }

  // ---- authorization endpoint

  // An authorize error: to the client's redirect_uri when it is trusted (redirectable), else a page that stays.
  http::Response authorize_error(const form::Params& params, const OAuthError& error, const http::Request& req) {
    if (error.redirectable) {
      std::string redirect_uri(param(params, "redirect_uri"));
      if (redirect_uri.empty()) {
        // The client may omit redirect_uri when it registered exactly one (RFC 6749 §3.1.2.3).
        if (auto client = as_.find_client(param(params, "client_id")); client && client->redirect_uris.size() == 1) {
          redirect_uri = client->redirect_uris.front();
        }
      }
      if (!redirect_uri.empty()) return redirect_error(redirect_uri, params, error.error, error.description, req);
    }
    const auto status =
        error.http_status >= 500 ? static_cast<http::Status>(error.http_status) : http::Status::bad_request;
    return error_page(status, "This authorization request cannot be completed", error.description, req);
  }

  http::Response redirect_error(std::string_view redirect_uri, const form::Params& params, std::string_view error,
                                std::string_view description, const http::Request& req) {
    const auto state = param(params, "state");
    const auto& iss = as_.options().issuer;
    if (state.empty()) {
      return redirect(
          form::append_query(redirect_uri, {{"error", error}, {"error_description", description}, {"iss", iss}}), req);
    }
    return redirect(
        form::append_query(redirect_uri,
                           {{"error", error}, {"error_description", description}, {"state", state}, {"iss", iss}}),
        req);
  }

  http::Response redirect_code(const AuthorizationRequest& request, std::string_view code, const http::Request& req) {
    const auto& iss = as_.options().issuer;
    if (request.state.empty()) {
      return redirect(form::append_query(request.redirect_uri, {{"code", code}, {"iss", iss}}), req);
    }
    return redirect(form::append_query(request.redirect_uri, {{"code", code}, {"state", request.state}, {"iss", iss}}),
                    req);
  }

  struct Validated {
    form::Params params;
    AuthorizationRequest request;
  };

  // Parses and validates an authorization query; on failure, the response to send.
  std::expected<Validated, http::Response> validate(std::string_view query, const http::Request& req) {
    auto params = form::parse(query);
    if (!params) {
      return std::unexpected(error_page(http::Status::bad_request, "Invalid authorization request",
                                        "The authorization request is malformed (" + params.error() + ").", req));
    }
    auto request = as_.validate_authorization(*params);
    if (!request) return std::unexpected(authorize_error(*params, request.error(), req));
    return Validated{std::move(*params), std::move(*request)};
  }

  http::Response consent_page(http::Status status, const Validated& v, std::string_view query,
                              std::string_view csrf_cookie, const std::optional<SessionUser>& session,
                              std::string email, std::string error, const http::Request& req) {
    const auto target = target_of(v.request.redirect_uri);
    pages::ConsentView view;
    view.client_name = v.request.client.client_name;
    view.client_id = v.request.client.client_id;
    view.redirect_host = target.display;
    view.scopes = v.request.scopes;
    if (session) view.signed_in_as = session->email;
    view.email = std::move(email);
    view.request = std::string(query);
    view.csrf_token = csrf_token(options_.cookie_key, csrf_cookie, query);
    view.error = std::move(error);
    auto res = html(status, pages::consent(view), req, target.form_action);
    res.insert(field::set_cookie, set_cookie(kCsrfCookie, csrf_cookie, "Strict", options_.secure_cookies));
    return res;
  }

  http::Response authorize_page(const http::Request& req, http::RequestContext&) {
    const auto query = form::query_of(req.target());
    auto v = validate(query, req);
    if (!v) return std::move(v.error());
    const auto prompt = param(v->params, "prompt");
    auto session = prompt == "login" ? std::nullopt : session_user(options_.cookie_key, users_, req);
    // A browser that is signed in, for a client already allowed these scopes: no page at all.
    if (session && prompt != "consent" && as_.has_consent(session->identity, v->request)) {
      auto code = as_.issue_code(session->identity, v->request);
      if (!code) return authorize_error(v->params, code.error(), req);
      return redirect_code(v->request, *code, req);
    }
    if (prompt == "none") {
      return redirect_error(v->request.redirect_uri, v->params, session ? "consent_required" : "login_required",
                            session ? "the user has not authorized this client" : "the user is not signed in", req);
    }
    auto csrf = cookie(req, kCsrfCookie);
    if (!csrf || !plausible_csrf_cookie(*csrf)) {
      csrf = crypto::base64url_encode(crypto::random_bytes(32));
    }
    return consent_page(http::Status::ok, *v, query, *csrf, session, {}, {}, req);
  }

  http::Response authorize_submit(const http::Request& req, http::RequestContext& ctx) {
    if (!content_type_is(req, "application/x-www-form-urlencoded")) {
      return error_page(http::Status::unsupported_media_type, "Invalid form submission",
                        "The form must be sent as application/x-www-form-urlencoded.", req);
    }
    auto fields = form::parse(req.body());
    if (!fields) {
      return error_page(http::Status::bad_request, "Invalid form submission",
                        "The form submission is malformed (" + fields.error() + ").", req);
    }
    const auto query = param(*fields, "request");
    if (query.empty()) {
      return error_page(http::Status::bad_request, "Invalid form submission",
                        "The form does not name an authorization request.", req);
    }
    auto v = validate(query, req);
    if (!v) return std::move(v.error());

    // CSRF: the token must be the HMAC of this browser's cookie and this very request.
    const auto csrf = cookie(req, kCsrfCookie);
    const auto token = param(*fields, "csrf_token");
    if (!csrf || !plausible_csrf_cookie(*csrf) || token.empty() ||
        !mac_equal(csrf_token(options_.cookie_key, *csrf, query), token)) {
      return error_page(http::Status::forbidden, "This form has expired",
                        "The request could not be verified. Go back to the application and start again.", req);
    }

    const auto decision = param(*fields, "decision");
    if (decision == "deny") {
      return redirect_error(v->request.redirect_uri, v->params, "access_denied", "the user denied the request", req);
    }
    if (decision != "allow") {
      return error_page(http::Status::bad_request, "Invalid form submission", "Choose Allow or Deny.", req);
    }

    const auto email = param(*fields, "email");
    const auto password = param(*fields, "password");
    std::optional<SessionUser> session;
    if (email.empty() && password.empty() && param(v->params, "prompt") != "login") {
      session = session_user(options_.cookie_key, users_, req);
    }
    std::optional<std::string> new_session;
    Identity identity;
    if (session) {
      identity = session->identity;
    } else {
      auto again = [&](http::Status status, std::string message) {
        return consent_page(status, *v, query, *csrf, std::nullopt, std::string(email), std::move(message), req);
      };
      if (email.empty() || password.empty()) {
        return again(http::Status::bad_request, "Enter your email and password.");
      }
      // Same semantics as POST /auth/login: refused before any password work, failures counted per email and IP.
      if (auto allowed = throttle_.check(email, ctx.remote_address); !allowed) {
        auto res = again(http::Status::too_many_requests, "Too many failed sign-in attempts. Try again later.");
        res.set(field::retry_after, std::to_string(allowed.error().details.value("retry_after_secs", std::int64_t{1})));
        return res;
      }
      auto login = users_.login(email, password);
      if (!login) {
        if (login.error().code == ErrorCode::auth_invalid) {
          throttle_.record_failure(email, ctx.remote_address);
          auto message = login.error().message;
          if (!message.empty()) message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
          return again(http::Status::unauthorized, message + ".");
        }
        if (login.error().code == ErrorCode::invalid_input) {
          throttle_.record_failure(email, ctx.remote_address);
          return again(http::Status::unauthorized, "Invalid email or password.");
        }
        return again(http::Status::internal_server_error, "Sign-in is unavailable right now. Try again later.");
      }
      throttle_.record_success(email);
      identity = *login;
      new_session = session_value(options_.cookie_key, identity);
    }

    auto code = as_.issue_code(identity, v->request);
    if (!code) return authorize_error(v->params, code.error(), req);
    auto res = redirect_code(v->request, *code, req);
    if (new_session) {
      res.insert(field::set_cookie,
                 set_cookie(kSessionCookie, *new_session, "Lax", options_.secure_cookies, kSessionLifetime));
    }
    return res;
  }

  // ---- token endpoint

  std::expected<form::Params, OAuthError> form_body(const http::Request& req) {
    if (!content_type_is(req, "application/x-www-form-urlencoded")) {
      return std::unexpected(invalid_request("the request body must be application/x-www-form-urlencoded"));
    }
    auto params = form::parse(req.body());
    if (!params) return std::unexpected(invalid_request(params.error()));
    return std::move(*params);
  }

  struct AuthenticatedClient {
    Client client;
    bool basic = false;
  };

  std::expected<AuthenticatedClient, http::Response> authenticate(const http::Request& req, const form::Params& body) {
    auto presented = presented_client(req, body);
    if (!presented) return std::unexpected(oauth_error(presented.error(), req, !req[field::authorization].empty()));
    auto client = as_.authenticate_client(presented->id, presented->secret, presented->method);
    if (!client) return std::unexpected(oauth_error(client.error(), req, presented->basic));
    return AuthenticatedClient{std::move(*client), presented->basic};
  }

  http::Response token(const http::Request& req, http::RequestContext&) {
    auto body = form_body(req);
    if (!body) return oauth_error(body.error(), req);
    auto client = authenticate(req, *body);
    if (!client) return std::move(client.error());
    const auto grant_type = param(*body, "grant_type");
    OAuthResult<TokenResponse> issued;
    if (grant_type.empty()) {
      return oauth_error(invalid_request("missing grant_type"), req);
    } else if (grant_type == "authorization_code") {
      if (param(*body, "code").empty()) return oauth_error(invalid_request("missing code"), req);
      issued = as_.exchange_code(client->client, param(*body, "code"), param(*body, "redirect_uri"),
                                 param(*body, "code_verifier"), param(*body, "resource"));
    } else if (grant_type == "refresh_token") {
      if (param(*body, "refresh_token").empty()) return oauth_error(invalid_request("missing refresh_token"), req);
      issued =
          as_.refresh(client->client, param(*body, "refresh_token"), param(*body, "scope"), param(*body, "resource"));
    } else if (grant_type == "client_credentials") {
      issued = as_.client_credentials(client->client, param(*body, "scope"), param(*body, "resource"));
    } else {
      return oauth_error({"unsupported_grant_type", "supported: authorization_code, refresh_token, client_credentials"},
                         req);
    }
    if (!issued) return oauth_error(issued.error(), req, client->basic);
    return oauth_json(http::Status::ok, issued->to_json(), req);
  }

  http::Response revoke(const http::Request& req, http::RequestContext&) {
    auto body = form_body(req);
    if (!body) return oauth_error(body.error(), req);
    auto client = authenticate(req, *body);
    if (!client) return std::move(client.error());
    const auto token = param(*body, "token");
    if (token.empty()) return oauth_error(invalid_request("missing token"), req);
    if (auto revoked = as_.revoke(client->client, token, param(*body, "token_type_hint")); !revoked) {
      return oauth_error(revoked.error(), req, client->basic);
    }
    http::Response res{http::Status::ok, req.version()};
    no_store(res);
    res.set("Access-Control-Allow-Origin", "*");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }

  http::Response introspect(const http::Request& req, http::RequestContext&) {
    auto body = form_body(req);
    if (!body) return oauth_error(body.error(), req);
    auto client = authenticate(req, *body);
    if (!client) return std::move(client.error());
    if (!client->client.confidential()) {
      return oauth_error({"invalid_client", "token introspection requires a confidential client", 401}, req,
                         client->basic);
    }
    const auto token = param(*body, "token");
    if (token.empty()) return oauth_error(invalid_request("missing token"), req);
    return oauth_json(http::Status::ok, as_.introspect(token), req);
  }

  // ---- the user's authorizations (REST)

  // A login session: OAuth access tokens and API keys cannot manage authorizations.
  static Result<Identity> session_caller(const http::RequestContext& ctx) {
    if (ctx.auth) {
      if (ctx.auth->method != Authentication::Method::jwt || !ctx.auth->client_id.empty()) {
        return fail(ErrorCode::permission_denied, "managing authorizations requires a login session (JWT)");
      }
      return ctx.auth->identity;
    }
    if (ctx.auth_error) return std::unexpected(*ctx.auth_error);
    return fail(ErrorCode::auth_required, "authentication required: send Authorization: Bearer <jwt_token>");
  }

  http::Response list_authorizations(const http::Request& req, http::RequestContext& ctx) {
    auto user = session_caller(ctx);
    if (!user) return http::error_response(user.error(), req, ctx);
    return authorizations_of(*user, req, ctx);
  }

  http::Response revoke_authorization(const http::Request& req, http::RequestContext& ctx) {
    auto user = session_caller(ctx);
    if (!user) return http::error_response(user.error(), req, ctx);
    return revoke_authorization_of(*user, req, ctx);
  }

  // An administrator acting on a user of their own tenant: a user of another tenant is 404, like an unknown id.
  Result<auth::Identity> administered_user(const http::RequestContext& ctx) {
    auto caller = session_caller(ctx);
    if (!caller) return caller;
    auto admin = users_.get_user(caller->tenant_id, caller->user_id);  // the current role, not the token's
    if (!admin || admin->status != "active") return fail(ErrorCode::auth_invalid, "account is not active");
    if (admin->role != "admin" && admin->role != "super_admin") {
      return fail(ErrorCode::permission_denied, "this operation requires an administrator");
    }
    auto target = users_.get_user(caller->tenant_id, ctx.path_params.at("id"));
    if (!target) return std::unexpected(target.error());
    return auth::Identity{target->id, target->tenant_id, target->role, {}};
  }

  http::Response admin_list_authorizations(const http::Request& req, http::RequestContext& ctx) {
    auto user = administered_user(ctx);
    if (!user) return http::error_response(user.error(), req, ctx);
    return authorizations_of(*user, req, ctx);
  }

  http::Response admin_revoke_authorization(const http::Request& req, http::RequestContext& ctx) {
    auto user = administered_user(ctx);
    if (!user) return http::error_response(user.error(), req, ctx);
    return revoke_authorization_of(*user, req, ctx);
  }

  http::Response authorizations_of(const auth::Identity& user, const http::Request& req, http::RequestContext& ctx) {
    auto grants = as_.list_grants(user);
    if (!grants) return http::error_response(grants.error(), req, ctx);
    json list = json::array();
    for (const auto& g : *grants) {
      list.push_back({{"grant_id", g.grant_id},
                      {"client_id", g.client_id},
                      {"client_name", g.client_name},
                      {"scopes", g.scopes},
                      {"created_at", iso8601_ms(g.created_at)},
                      {"last_used_at", g.last_used_at ? json(iso8601_ms(*g.last_used_at)) : json(nullptr)}});
    }
    return http::json_response(http::Status::ok, {{"authorizations", std::move(list)}}, req);
  }

  http::Response revoke_authorization_of(const auth::Identity& user, const http::Request& req,
                                         http::RequestContext& ctx) {
    const auto& grant_id = ctx.path_params.at("grant_id");
    if (auto revoked = as_.revoke_grant(user, grant_id); !revoked) {
      return http::error_response(revoked.error(), req, ctx);
    }
    return http::json_response(http::Status::ok, {{"message", "authorization revoked"}, {"grant_id", grant_id}}, req);
  }

  AuthorizationServer& as_;
  auth::UserService& users_;
  auth::LoginThrottle& throttle_;
  const RouteOptions options_;
  RegistrationLimiter registrations_;
};

}  // namespace

void register_oauth2_routes(http::Router& router, AuthorizationServer& server, auth::UserService& users,
                            auth::LoginThrottle& throttle, RouteOptions options) {
  auto routes = std::make_shared<OAuthRoutes>(server, users, throttle, std::move(options));
  routes->add_to(router, routes);
}

}  // namespace pierre::oauth2
