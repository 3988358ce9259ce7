// Black-box tests of the OAuth 2.1 authorization server against the real server binary: discovery documents,
// dynamic client registration, the sign-in + consent page driven by a small headless "browser" (cookies, hidden
// inputs, redirects), the token endpoint (codes, refresh rotation, client authentication), revocation,
// introspection, the user's authorizations, and an attack suite (code replay, PKCE, redirect URI tampering, CSRF,
// wrong audience, concurrent redemption). Suite names start with "oauth2_" so that `ctest -R oauth2` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "identity_support.hpp"
#include "pierre/crypto/primitives.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Headers = std::map<std::string, std::string>;
using Params = std::map<std::string, std::string>;

constexpr const char* kRedirect = "http://127.0.0.1:8976/callback";
constexpr const char* kUserPassword = "another long password";

// ---- encoding helpers

std::string encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string form(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += encode(k) + "=" + encode(v);
  }
  return out;
}

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The query parameters of a URL.
Params query_params(const std::string& url) {
  Params out;
  const auto q = url.find('?');
  if (q == std::string::npos) return out;
  std::string_view rest(url);
  rest = rest.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    out[decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
  }
  return out;
}

std::string html_unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + 1))
      s.replace(pos, strlen(from), to);
  }
  return s;
}

// HTTP Basic credentials as RFC 6749 §2.3.1 wants them: each part form-urlencoded, then standard base64.
std::string basic_of(const std::string& user, const std::string& pass) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto joined = encode(user) + ":" + encode(pass);
  std::string out;
  for (std::size_t i = 0; i < joined.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, joined.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      v = (v << 8) | (k < n ? static_cast<unsigned char>(joined[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return "Basic " + out;
}

// ---- PKCE

struct Pkce {
  std::string verifier;
  std::string challenge;
};

Pkce pkce() {
  Pkce p;
  p.verifier = crypto::base64url_encode(crypto::random_bytes(32));
  p.challenge = crypto::base64url_encode(crypto::sha256(crypto::as_bytes(p.verifier)));
  return p;
}

// ---- server-side helpers

HttpResponse send_json(HttpClient& c, verb method, const std::string& target, const json& body,
                       const std::string& token = {}) {
  Headers h{{"Content-Type", "application/json"}};
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return c.request(method, target, body.is_null() ? std::string{} : body.dump(), h);
}

HttpResponse post_form(HttpClient& c, const std::string& target, const Params& params, Headers h = {}) {
  h["Content-Type"] = "application/x-www-form-urlencoded";
  return c.request(verb::post, target, form(params), h);
}

void setup_admin(HttpClient& c) {
  auto s = send_json(c, verb::post, "/admin/setup",
                     {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "Admin"}});
  ASSERT_EQ(s.result_int(), 201) << s.body();
}

std::string login_token(HttpClient& c, const std::string& email, const std::string& password) {
  auto res = send_json(c, verb::post, "/auth/login", {{"email", email}, {"password", password}});
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return body_json(res).value("jwt_token", "");
}

// A registered and approved plain user.
void create_user(HttpClient& c, const std::string& admin_jwt, const std::string& email) {
  auto r = send_json(c, verb::post, "/auth/register",
                     {{"email", email}, {"password", kUserPassword}, {"display_name", "User"}});
  ASSERT_EQ(r.result_int(), 201) << r.body();
  const auto id = body_json(r).value("user_id", "");
  ASSERT_EQ(send_json(c, verb::post, "/admin/users/" + id + "/approve", nullptr, admin_jwt).result_int(), 200);
}

json register_client(HttpClient& c, json metadata = {}) {
  json body = {{"client_name", "Test Client"},
               {"redirect_uris", {kRedirect}},
               {"grant_types", {"authorization_code", "refresh_token"}},
               {"response_types", {"code"}},
               {"token_endpoint_auth_method", "none"}};
  for (auto& [k, v] : metadata.items()) body[k] = v;
  auto res = send_json(c, verb::post, "/oauth2/register", body);
  EXPECT_EQ(res.result_int(), 201) << res.body();
  return body_json(res);
}

HttpResponse mcp_list(HttpClient& c, const std::string& token) {
  return mcp_tools_list(c, token);
}

// ---- a headless browser: keeps cookies, reads the consent form, follows nothing by itself

struct Page {
  HttpResponse response;
  Params hidden;  // hidden inputs of the form
};

class Browser {
 public:
  explicit Browser(std::uint16_t port) : client_(port) {}

  HttpResponse get(const std::string& target) { return send(verb::get, target, {}, {}); }
  HttpResponse post_form(const std::string& target, const Params& fields) {
    return send(verb::post, target, form(fields), {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  Page open(const std::string& target) {
    Page page{get(target), {}};
    static const std::regex hidden(R"re(<input type="hidden" name="([^"]+)" value="([^"]*)">)re");
    const auto& body = page.response.body();
    for (std::sregex_iterator it(body.begin(), body.end(), hidden), end; it != end; ++it) {
      page.hidden[(*it)[1]] = html_unescape((*it)[2]);
    }
    return page;
  }

  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  HttpResponse send(verb method, const std::string& target, const std::string& body, Headers h) {
    if (!cookies_.empty()) {
      std::string jar;
      for (const auto& [k, v] : cookies_) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
      h["Cookie"] = jar;
    }
    auto res = client_.request(method, target, body, h);
    const auto [first, last] = res.equal_range(boost::beast::http::field::set_cookie);
    for (auto it = first; it != last; ++it) {
      const std::string line(it->value());
      const auto eq = line.find('=');
      const auto semi = line.find(';');
      cookies_[line.substr(0, eq)] = line.substr(eq + 1, semi - eq - 1);
    }
    return res;
  }

  HttpClient client_;
  std::map<std::string, std::string> cookies_;
};

std::string authorize_target(const std::string& client_id, const Pkce& p, Params extra = {}) {
  Params q{{"response_type", "code"},       {"client_id", client_id},          {"redirect_uri", kRedirect},
           {"code_challenge", p.challenge}, {"code_challenge_method", "S256"}, {"state", "st-123"},
           {"scope", "mcp:read mcp:write"}};
  for (auto& [k, v] : extra) {
    if (v.empty()) {
      q.erase(k);
    } else {
      q[k] = v;
    }
  }
  return "/oauth2/authorize?" + form(q);
}

// Signs in on the consent page and decides; returns the final response (a 302 on success).
HttpResponse consent(Browser& b, const std::string& target, const std::string& decision = "allow",
                     const std::string& email = kAdminEmail, const std::string& password = kAdminPassword) {
  auto page = b.open(target);
  EXPECT_EQ(page.response.result_int(), 200) << page.response.body();
  Params fields = page.hidden;
  fields["decision"] = decision;
  if (!email.empty()) fields["email"] = email;
  if (!password.empty()) fields["password"] = password;
  return b.post_form("/oauth2/authorize", fields);
}

// The authorization code from a successful redirect (checking state and iss).
std::string code_of(const HttpResponse& res, const std::string& issuer) {
  EXPECT_EQ(res.result_int(), 302) << res.body();
  const auto location = header(res, "Location");
  EXPECT_THAT(location, StartsWith(std::string(kRedirect) + "?"));
  auto q = query_params(location);
  EXPECT_EQ(q["state"], "st-123");
  EXPECT_EQ(q["iss"], issuer);
  EXPECT_EQ(q.count("error"), 0u) << location;
  return q["code"];
}

HttpResponse exchange(HttpClient& c, const std::string& client_id, const std::string& code, const Pkce& p,
                      Params extra = {}) {
  Params f{{"grant_type", "authorization_code"},
           {"code", code},
           {"redirect_uri", kRedirect},
           {"code_verifier", p.verifier},
           {"client_id", client_id}};
  for (auto& [k, v] : extra) f[k] = v;
  return post_form(c, "/oauth2/token", f);
}

struct Fixture {
  TempDir dir;
  ServerProcess server{identity_server(dir)};
  HttpClient c{server.port()};
  std::string base = server.base_url();
  Fixture() { setup_admin(c); }
};

// Registration + sign-in + consent + code exchange; the token response.
json authorize_and_exchange(Fixture& f, Browser& b, const std::string& client_id) {
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(client_id, p)), f.base);
  auto res = exchange(f.c, client_id, code, p);
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return body_json(res);
}

// =============================================================================================================

TEST(oauth2_metadata, AuthorizationServerAndProtectedResource) {
  Fixture f;
  for (const char* path : {"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"}) {
    auto res = f.c.get(path);
    ASSERT_EQ(res.result_int(), 200) << path << res.body();
    const auto m = body_json(res);
    EXPECT_EQ(m["issuer"], f.base);
    EXPECT_EQ(m["authorization_endpoint"], f.base + "/oauth2/authorize");
    EXPECT_EQ(m["token_endpoint"], f.base + "/oauth2/token");
    EXPECT_EQ(m["registration_endpoint"], f.base + "/oauth2/register");
    EXPECT_EQ(m["code_challenge_methods_supported"], json::array({"S256"}));
    EXPECT_EQ(m["authorization_response_iss_parameter_supported"], true);
    EXPECT_TRUE(m.contains("response_types_supported"));
    EXPECT_TRUE(m.contains("grant_types_supported"));
  }
  for (const char* path : {"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"}) {
    auto res = f.c.get(path);
    ASSERT_EQ(res.result_int(), 200) << path << res.body();
    const auto m = body_json(res);
    EXPECT_EQ(m["resource"], f.base + "/mcp");
    EXPECT_EQ(m["authorization_servers"], json::array({f.base}));
  }
  // The MCP endpoint's challenge points at the document above.
  auto unauth = mcp_list(f.c, "");
  EXPECT_EQ(unauth.result_int(), 401);
  EXPECT_THAT(header(unauth, "WWW-Authenticate"), HasSubstr(f.base + "/.well-known/oauth-protected-resource/mcp"));
}

TEST(oauth2_registration, PublicAndConfidentialClients) {
  Fixture f;
  const auto pub = register_client(f.c, {{"client_name", "Public"}});
  EXPECT_FALSE(pub.value("client_id", "").empty());
  EXPECT_FALSE(pub.contains("client_secret"));
  EXPECT_TRUE(pub.contains("client_id_issued_at"));
  EXPECT_EQ(pub["redirect_uris"], json::array({kRedirect}));

  const auto conf = register_client(f.c, {{"token_endpoint_auth_method", "client_secret_basic"}});
  EXPECT_FALSE(conf.value("client_secret", "").empty());
  EXPECT_EQ(conf["client_secret_expires_at"], 0);

  auto res = send_json(f.c, verb::post, "/oauth2/register", {{"redirect_uris", {kRedirect}}});
  EXPECT_EQ(header(res, "Cache-Control"), "no-store");
}

TEST(oauth2_registration, RejectsDangerousRedirectUris) {
  Fixture f;
  for (const char* uri : {"javascript:alert(1)", "data:text/html,hi", "http://evil.example/callback",
                          "https://app.example/cb#frag", "not a uri"}) {
    auto res = send_json(f.c, verb::post, "/oauth2/register",
                         {{"client_name", "x"}, {"redirect_uris", {uri}}, {"token_endpoint_auth_method", "none"}});
    EXPECT_EQ(res.result_int(), 400) << uri << " " << res.body();
    const auto error = body_json(res).value("error", "");
    EXPECT_TRUE(error == "invalid_redirect_uri" || error == "invalid_client_metadata") << error;
  }
  auto wrong_type = f.c.request(verb::post, "/oauth2/register", "redirect_uris=x", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.result_int(), 400);
  EXPECT_EQ(body_json(wrong_type).value("error", ""), "invalid_client_metadata");
}

TEST(oauth2_registration, RateLimitedPerClientIp) {
  Fixture f;
  int created = 0;
  HttpResponse last;
  for (int i = 0; i < 25; ++i) {
    last = send_json(f.c, verb::post, "/oauth2/register",
                     {{"client_name", "x"}, {"redirect_uris", {kRedirect}}, {"token_endpoint_auth_method", "none"}});
    if (last.result_int() == 201) ++created;
    if (last.result_int() == 429) break;
  }
  EXPECT_EQ(created, 20);
  ASSERT_EQ(last.result_int(), 429);
  EXPECT_FALSE(header(last, "Retry-After").empty());
}

TEST(oauth2_flow, FullFlowRefreshRotationAndReuseDetection) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();

  auto page = b.open(authorize_target(client, p));
  ASSERT_EQ(page.response.result_int(), 200) << page.response.body();
  EXPECT_THAT(header(page.response, "Content-Type"), StartsWith("text/html"));
  EXPECT_EQ(header(page.response, "Cache-Control"), "no-store");
  EXPECT_EQ(header(page.response, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(page.response, "Referrer-Policy"), "no-referrer");
  EXPECT_THAT(header(page.response, "Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(header(page.response, "Content-Security-Policy"), HasSubstr("form-action 'self'"));
  EXPECT_THAT(page.response.body(), HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(page.response.body(), HasSubstr("Test Client"));
  EXPECT_THAT(page.response.body(), HasSubstr("mcp:read"));
  EXPECT_THAT(page.response.body(), HasSubstr("127.0.0.1:8976"));
  EXPECT_THAT(page.response.body(), HasSubstr("name=\"email\""));
  EXPECT_THAT(page.response.body(), HasSubstr("name=\"password\""));
  EXPECT_THAT(page.response.body(), HasSubstr("value=\"allow\""));
  EXPECT_THAT(page.response.body(), HasSubstr("value=\"deny\""));
  ASSERT_TRUE(page.hidden.contains("request"));
  ASSERT_TRUE(page.hidden.contains("csrf_token"));
  EXPECT_THAT(header(page.response, "Set-Cookie"), HasSubstr("pierre_oauth_csrf="));
  EXPECT_THAT(header(page.response, "Set-Cookie"), HasSubstr("HttpOnly"));
  EXPECT_THAT(header(page.response, "Set-Cookie"), HasSubstr("SameSite=Strict"));

  Params fields = page.hidden;
  fields["email"] = kAdminEmail;
  fields["password"] = kAdminPassword;
  fields["decision"] = "allow";
  auto done = b.post_form("/oauth2/authorize", fields);
  const auto code = code_of(done, f.base);
  ASSERT_FALSE(code.empty());
  EXPECT_THAT(header(done, "Set-Cookie"), HasSubstr("pierre_oauth_session="));

  auto tokens = exchange(f.c, client, code, p);
  ASSERT_EQ(tokens.result_int(), 200) << tokens.body();
  EXPECT_EQ(header(tokens, "Cache-Control"), "no-store");
  EXPECT_EQ(header(tokens, "Pragma"), "no-cache");
  const auto t1 = body_json(tokens);
  EXPECT_EQ(t1["token_type"], "Bearer");
  EXPECT_GT(t1.value("expires_in", 0), 0);
  const auto access1 = t1.value("access_token", "");
  const auto refresh1 = t1.value("refresh_token", "");
  ASSERT_FALSE(access1.empty());
  ASSERT_FALSE(refresh1.empty());

  auto listed = mcp_list(f.c, access1);
  ASSERT_EQ(listed.result_int(), 200) << listed.body();
  EXPECT_THAT(listed.body(), HasSubstr("get_connection_status"));

  // Rotation: a new refresh token every time.
  auto refreshed = post_form(f.c, "/oauth2/token",
                             {{"grant_type", "refresh_token"}, {"refresh_token", refresh1}, {"client_id", client}});
  ASSERT_EQ(refreshed.result_int(), 200) << refreshed.body();
  EXPECT_EQ(header(refreshed, "Cache-Control"), "no-store");
  const auto t2 = body_json(refreshed);
  const auto access2 = t2.value("access_token", "");
  const auto refresh2 = t2.value("refresh_token", "");
  ASSERT_FALSE(access2.empty());
  EXPECT_NE(refresh2, refresh1);
  EXPECT_EQ(mcp_list(f.c, access2).result_int(), 200);

  // Reusing the rotated refresh token is theft: the whole family goes.
  auto reused = post_form(f.c, "/oauth2/token",
                          {{"grant_type", "refresh_token"}, {"refresh_token", refresh1}, {"client_id", client}});
  EXPECT_EQ(reused.result_int(), 400) << reused.body();
  EXPECT_EQ(body_json(reused).value("error", ""), "invalid_grant");
  EXPECT_EQ(header(reused, "Cache-Control"), "no-store");
  EXPECT_EQ(mcp_list(f.c, access2).result_int(), 401);
  auto after = post_form(f.c, "/oauth2/token",
                         {{"grant_type", "refresh_token"}, {"refresh_token", refresh2}, {"client_id", client}});
  EXPECT_EQ(after.result_int(), 400) << after.body();
}

TEST(oauth2_flow, SessionCookieAndRememberedConsentSkipThePage) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  authorize_and_exchange(f, b, client);
  ASSERT_TRUE(b.cookies().contains("pierre_oauth_session"));

  // Same browser, same client, same scopes: straight back with a code.
  const auto p = pkce();
  auto again = b.get(authorize_target(client, p));
  const auto code = code_of(again, f.base);
  auto tokens = exchange(f.c, client, code, p);
  EXPECT_EQ(tokens.result_int(), 200) << tokens.body();

  // A new client: the page says who is signed in and asks for no password.
  const auto other = register_client(f.c, {{"client_name", "Other"}})["client_id"].get<std::string>();
  auto page = b.open(authorize_target(other, pkce()));
  ASSERT_EQ(page.response.result_int(), 200);
  EXPECT_THAT(page.response.body(), HasSubstr("Signed in as"));
  EXPECT_THAT(page.response.body(), HasSubstr(kAdminEmail));
  EXPECT_THAT(page.response.body(), Not(HasSubstr("name=\"password\"")));

  // A tampered session cookie is no session.
  Browser forged(f.server.port());
  forged.cookies()["pierre_oauth_session"] = b.cookies()["pierre_oauth_session"] + "x";
  auto forged_page = forged.open(authorize_target(client, pkce()));
  EXPECT_EQ(forged_page.response.result_int(), 200);
  EXPECT_THAT(forged_page.response.body(), HasSubstr("name=\"password\""));
}

TEST(oauth2_flow, DenyRedirectsWithAccessDenied) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  auto res = consent(b, authorize_target(client, pkce()), "deny", "", "");
  ASSERT_EQ(res.result_int(), 302) << res.body();
  auto q = query_params(header(res, "Location"));
  EXPECT_EQ(q["error"], "access_denied");
  EXPECT_EQ(q["state"], "st-123");
  EXPECT_EQ(q["iss"], f.base);
  EXPECT_EQ(q.count("code"), 0u);
}

TEST(oauth2_flow, WrongPasswordRerendersWithoutCode) {
  Fixture f;
  const auto client =
      register_client(f.c, {{"client_name", "<script>alert('x')</script>"}})["client_id"].get<std::string>();
  Browser b(f.server.port());
  auto page = b.open(authorize_target(client, pkce()));
  ASSERT_EQ(page.response.result_int(), 200);
  EXPECT_THAT(page.response.body(), Not(HasSubstr("<script>")));
  EXPECT_THAT(page.response.body(), HasSubstr("&lt;script&gt;"));
  Params fields = page.hidden;
  fields["email"] = kAdminEmail;
  fields["password"] = "wrong password!";
  fields["decision"] = "allow";
  auto res = b.post_form("/oauth2/authorize", fields);
  EXPECT_EQ(res.result_int(), 401) << res.body();
  EXPECT_TRUE(header(res, "Location").empty());
  EXPECT_THAT(res.body(), HasSubstr("name=\"password\""));
  EXPECT_THAT(res.body(), HasSubstr("role=\"alert\""));
}

TEST(oauth2_flow, ConfidentialClientBasicAuthIntrospectAndClientCredentials) {
  Fixture f;
  const auto admin = login_token(f.c, kAdminEmail, kAdminPassword);
  // Registered by a signed-in user: it may also act as that user with client_credentials.
  auto reg = send_json(f.c, verb::post, "/oauth2/register",
                       {{"client_name", "Backend"},
                        {"redirect_uris", {kRedirect}},
                        {"grant_types", {"authorization_code", "refresh_token", "client_credentials"}},
                        {"token_endpoint_auth_method", "client_secret_basic"}},
                       admin);
  ASSERT_EQ(reg.result_int(), 201) << reg.body();
  const auto id = body_json(reg)["client_id"].get<std::string>();
  const auto secret = body_json(reg)["client_secret"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(id, p)), f.base);
  auto tokens = post_form(f.c, "/oauth2/token",
                          {{"grant_type", "authorization_code"},
                           {"code", code},
                           {"redirect_uri", kRedirect},
                           {"code_verifier", p.verifier}},
                          {{"Authorization", basic_of(id, secret)}});
  ASSERT_EQ(tokens.result_int(), 200) << tokens.body();
  const auto access = body_json(tokens)["access_token"].get<std::string>();

  // Wrong secret over Basic: 401 with the Basic challenge.
  auto bad = post_form(f.c, "/oauth2/token", {{"grant_type", "client_credentials"}},
                       {{"Authorization", basic_of(id, "wrong")}});
  EXPECT_EQ(bad.result_int(), 401) << bad.body();
  EXPECT_EQ(body_json(bad).value("error", ""), "invalid_client");
  EXPECT_THAT(header(bad, "WWW-Authenticate"), HasSubstr("Basic"));

  // Two authentication methods at once.
  auto both = post_form(f.c, "/oauth2/token", {{"grant_type", "client_credentials"}, {"client_secret", secret}},
                        {{"Authorization", basic_of(id, secret)}});
  EXPECT_EQ(both.result_int(), 400) << both.body();
  EXPECT_EQ(body_json(both).value("error", ""), "invalid_request");

  auto unsupported =
      post_form(f.c, "/oauth2/token", {{"grant_type", "password"}}, {{"Authorization", basic_of(id, secret)}});
  EXPECT_EQ(unsupported.result_int(), 400);
  EXPECT_EQ(body_json(unsupported).value("error", ""), "unsupported_grant_type");

  auto cc = post_form(f.c, "/oauth2/token", {{"grant_type", "client_credentials"}, {"scope", "mcp:read"}},
                      {{"Authorization", basic_of(id, secret)}});
  ASSERT_EQ(cc.result_int(), 200) << cc.body();
  EXPECT_EQ(mcp_list(f.c, body_json(cc)["access_token"].get<std::string>()).result_int(), 200);

  auto active = post_form(f.c, "/oauth2/introspect", {{"token", access}}, {{"Authorization", basic_of(id, secret)}});
  ASSERT_EQ(active.result_int(), 200) << active.body();
  EXPECT_EQ(body_json(active)["active"], true);
  EXPECT_EQ(body_json(active).value("client_id", ""), id);
  auto garbage = post_form(f.c, "/oauth2/introspect", {{"token", "nope"}}, {{"Authorization", basic_of(id, secret)}});
  EXPECT_EQ(body_json(garbage)["active"], false);

  // Public clients may not introspect.
  const auto pub = register_client(f.c)["client_id"].get<std::string>();
  auto refused = post_form(f.c, "/oauth2/introspect", {{"token", access}, {"client_id", pub}});
  EXPECT_EQ(refused.result_int(), 401) << refused.body();
}

TEST(oauth2_authorizations, ListAndRevoke) {
  Fixture f;
  const auto client = register_client(f.c, {{"client_name", "Claude"}})["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto tokens = authorize_and_exchange(f, b, client);
  const auto access = tokens["access_token"].get<std::string>();
  const auto admin = login_token(f.c, kAdminEmail, kAdminPassword);

  EXPECT_EQ(f.c.get("/api/oauth2/authorizations").result_int(), 401);
  auto listed = send_json(f.c, verb::get, "/api/oauth2/authorizations", nullptr, admin);
  ASSERT_EQ(listed.result_int(), 200) << listed.body();
  const auto list = body_json(listed)["authorizations"];
  ASSERT_EQ(list.size(), 1u) << listed.body();
  EXPECT_EQ(list[0]["client_id"], client);
  EXPECT_EQ(list[0]["client_name"], "Claude");
  const auto grant = list[0]["grant_id"].get<std::string>();

  // An OAuth access token cannot manage authorizations.
  EXPECT_EQ(send_json(f.c, verb::get, "/api/oauth2/authorizations", nullptr, access).result_int(), 403);

  // Another user neither sees nor revokes it.
  create_user(f.c, admin, "other@example.com");
  const auto other = login_token(f.c, "other@example.com", kUserPassword);
  auto theirs = send_json(f.c, verb::get, "/api/oauth2/authorizations", nullptr, other);
  EXPECT_EQ(body_json(theirs)["authorizations"].size(), 0u);
  EXPECT_EQ(send_json(f.c, verb::delete_, "/api/oauth2/authorizations/" + grant, nullptr, other).result_int(), 404);
  EXPECT_EQ(mcp_list(f.c, access).result_int(), 200);

  auto revoked = send_json(f.c, verb::delete_, "/api/oauth2/authorizations/" + grant, nullptr, admin);
  EXPECT_EQ(revoked.result_int(), 200) << revoked.body();
  EXPECT_EQ(mcp_list(f.c, access).result_int(), 401);
  auto refresh = post_form(f.c, "/oauth2/token",
                           {{"grant_type", "refresh_token"},
                            {"refresh_token", tokens["refresh_token"].get<std::string>()},
                            {"client_id", client}});
  EXPECT_EQ(refresh.result_int(), 400);
  EXPECT_EQ(body_json(send_json(f.c, verb::get, "/api/oauth2/authorizations", nullptr, admin))["authorizations"].size(),
            0u);
}

TEST(oauth2_authorizations, AdminsListAndRevokeTheirUsersAuthorizations) {
  Fixture f;
  const auto admin = login_token(f.c, kAdminEmail, kAdminPassword);
  create_user(f.c, admin, "runner@example.com");
  const auto runner = login_token(f.c, "runner@example.com", kUserPassword);
  std::string runner_id;
  const auto users = body_json(send_json(f.c, verb::get, "/admin/users", nullptr, admin));
  for (const auto& u : users["users"]) {
    if (u["email"] == "runner@example.com") runner_id = u["id"];
  }
  ASSERT_FALSE(runner_id.empty()) << users.dump();
  const auto client = register_client(f.c, {{"client_name", "Cursor"}})["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code =
      code_of(consent(b, authorize_target(client, p), "allow", "runner@example.com", kUserPassword), f.base);
  auto tokens = exchange(f.c, client, code, p);
  ASSERT_EQ(tokens.result_int(), 200) << tokens.body();
  const auto access = body_json(tokens)["access_token"].get<std::string>();

  const auto base = "/admin/users/" + runner_id + "/oauth2/authorizations";
  auto listed = send_json(f.c, verb::get, base, nullptr, admin);
  ASSERT_EQ(listed.result_int(), 200) << listed.body();
  const auto list = body_json(listed)["authorizations"];
  ASSERT_EQ(list.size(), 1u) << listed.body();
  EXPECT_EQ(list[0]["client_name"], "Cursor");
  const auto grant = list[0]["grant_id"].get<std::string>();
  // Plain users may not; unknown users are 404; no credentials is 401.
  EXPECT_EQ(send_json(f.c, verb::get, base, nullptr, runner).result_int(), 403);
  EXPECT_EQ(send_json(f.c, verb::get, "/admin/users/usr_000000000000000000000000/oauth2/authorizations", nullptr, admin)
                .result_int(),
            404);
  EXPECT_EQ(f.c.get(base).result_int(), 401);
  EXPECT_EQ(send_json(f.c, verb::delete_, base + "/" + grant, nullptr, runner).result_int(), 403);

  ASSERT_EQ(mcp_list(f.c, access).result_int(), 200);
  auto revoked = send_json(f.c, verb::delete_, base + "/" + grant, nullptr, admin);
  EXPECT_EQ(revoked.result_int(), 200) << revoked.body();
  EXPECT_EQ(mcp_list(f.c, access).result_int(), 401);
  EXPECT_EQ(send_json(f.c, verb::delete_, base + "/" + grant, nullptr, admin).result_int(), 404);
}

TEST(oauth2_authorizations, SuspendingAUserRevokesTheirAuthorizations) {
  Fixture f;
  const auto admin = login_token(f.c, kAdminEmail, kAdminPassword);
  create_user(f.c, admin, "leaver@example.com");
  std::string leaver_id;
  const auto users = body_json(send_json(f.c, verb::get, "/admin/users", nullptr, admin));  // outlives the loop
  for (const auto& u : users["users"]) {
    if (u["email"] == "leaver@example.com") leaver_id = u["id"];
  }
  ASSERT_FALSE(leaver_id.empty());
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code =
      code_of(consent(b, authorize_target(client, p), "allow", "leaver@example.com", kUserPassword), f.base);
  auto tokens = exchange(f.c, client, code, p);
  ASSERT_EQ(tokens.result_int(), 200) << tokens.body();
  const auto issued = body_json(tokens);
  ASSERT_EQ(mcp_list(f.c, issued["access_token"].get<std::string>()).result_int(), 200);

  ASSERT_EQ(send_json(f.c, verb::post, "/admin/users/" + leaver_id + "/suspend", nullptr, admin).result_int(), 200);
  EXPECT_EQ(mcp_list(f.c, issued["access_token"].get<std::string>()).result_int(), 401);
  auto refresh = post_form(f.c, "/oauth2/token",
                           {{"grant_type", "refresh_token"},
                            {"refresh_token", issued["refresh_token"].get<std::string>()},
                            {"client_id", client}});
  EXPECT_EQ(refresh.result_int(), 400) << refresh.body();
}

// ---- attacks ------------------------------------------------------------------------------------------------

TEST(oauth2_attacks, CodeReplayFailsAndRevokesTheFirstTokens) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(client, p)), f.base);
  auto first = exchange(f.c, client, code, p);
  ASSERT_EQ(first.result_int(), 200) << first.body();
  const auto access = body_json(first)["access_token"].get<std::string>();
  EXPECT_EQ(mcp_list(f.c, access).result_int(), 200);

  auto second = exchange(f.c, client, code, p);
  EXPECT_EQ(second.result_int(), 400) << second.body();
  EXPECT_EQ(body_json(second).value("error", ""), "invalid_grant");
  EXPECT_EQ(mcp_list(f.c, access).result_int(), 401);
}

TEST(oauth2_attacks, PkceIsMandatoryAndS256Only) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());

  // Wrong verifier at the token endpoint.
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(client, p)), f.base);
  auto wrong = exchange(f.c, client, code, p, {{"code_verifier", pkce().verifier}});
  EXPECT_EQ(wrong.result_int(), 400) << wrong.body();
  EXPECT_EQ(body_json(wrong).value("error", ""), "invalid_grant");

  // plain, or no challenge at all: refused at the authorization endpoint, never a code.
  for (const Params& extra : std::vector<Params>{{{"code_challenge_method", "plain"}},
                                                 {{"code_challenge", ""}, {"code_challenge_method", ""}}}) {
    auto res = b.get(authorize_target(client, pkce(), extra));
    if (res.result_int() == 302) {
      auto q = query_params(header(res, "Location"));
      EXPECT_EQ(q["error"], "invalid_request") << header(res, "Location");
      EXPECT_EQ(q.count("code"), 0u);
      EXPECT_EQ(q["state"], "st-123");
      EXPECT_EQ(q["iss"], f.base);
    } else {
      EXPECT_EQ(res.result_int(), 400) << res.body();
    }
  }
}

TEST(oauth2_attacks, RedirectUriTamperingGetsAnErrorPageNotARedirect) {
  Fixture f;
  const auto web =
      register_client(f.c, {{"redirect_uris", {"https://app.example.com/cb"}}})["client_id"].get<std::string>();
  Browser b(f.server.port());
  for (const char* uri :
       {"https://app.example.com/cb/extra", "https://app.example.com:8443/cb", "https://evil.example/cb",
        "https://app.example.com/cb?x=1", "http://app.example.com/cb", "https://app.example.com.evil.example/cb"}) {
    auto res = b.get(authorize_target(web, pkce(), {{"redirect_uri", uri}}));
    EXPECT_EQ(res.result_int(), 400) << uri << " " << res.body();
    EXPECT_TRUE(header(res, "Location").empty()) << uri;
    EXPECT_THAT(header(res, "Content-Type"), StartsWith("text/html"));
    EXPECT_THAT(res.body(), Not(HasSubstr("evil.example")));
  }
  // Unknown client: also a page, never a redirect.
  auto unknown = b.get(authorize_target("nope", pkce(), {{"redirect_uri", "https://evil.example/cb"}}));
  EXPECT_EQ(unknown.result_int(), 400);
  EXPECT_TRUE(header(unknown, "Location").empty());
  // A repeated parameter.
  auto duplicated = b.get(authorize_target(web, pkce(), {{"redirect_uri", "https://app.example.com/cb"}}) +
                          "&redirect_uri=" + encode("https://evil.example/cb"));
  EXPECT_EQ(duplicated.result_int(), 400);
  EXPECT_TRUE(header(duplicated, "Location").empty());
}

TEST(oauth2_attacks, WrongAudienceIsInvalidTarget) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(client, p, {{"resource", f.base + "/mcp"}})), f.base);
  auto res = exchange(f.c, client, code, p, {{"resource", "https://other.example/mcp"}});
  EXPECT_EQ(res.result_int(), 400) << res.body();
  EXPECT_EQ(body_json(res).value("error", ""), "invalid_target");

  auto authorize = b.get(authorize_target(client, pkce(), {{"resource", "https://other.example/mcp"}}));
  ASSERT_EQ(authorize.result_int(), 302) << authorize.body();
  EXPECT_EQ(query_params(header(authorize, "Location"))["error"], "invalid_target");
}

TEST(oauth2_attacks, RevokedAccessTokenIsRefusedByMcp) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto tokens = authorize_and_exchange(f, b, client);
  const auto access = tokens["access_token"].get<std::string>();
  ASSERT_EQ(mcp_list(f.c, access).result_int(), 200);
  auto revoked = post_form(f.c, "/oauth2/revoke", {{"token", access}, {"client_id", client}});
  EXPECT_EQ(revoked.result_int(), 200) << revoked.body();
  EXPECT_EQ(mcp_list(f.c, access).result_int(), 401);
  // Unknown tokens are not an error (RFC 7009 §2.2).
  EXPECT_EQ(post_form(f.c, "/oauth2/revoke", {{"token", "unknown"}, {"client_id", client}}).result_int(), 200);
}

TEST(oauth2_attacks, TokenWithoutTheNeededScopeGetsAStepUpChallenge) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(client, p, {{"scope", "mcp:write"}})), f.base);  // no mcp:read
  auto tokens = exchange(f.c, client, code, p);
  ASSERT_EQ(tokens.result_int(), 200) << tokens.body();
  EXPECT_EQ(body_json(tokens)["scope"], "mcp:write");
  auto res = mcp_list(f.c, body_json(tokens)["access_token"].get<std::string>());
  EXPECT_EQ(res.result_int(), 403) << res.body();
  const auto challenge = header(res, "WWW-Authenticate");
  EXPECT_THAT(challenge, HasSubstr(R"(error="insufficient_scope")"));
  EXPECT_THAT(challenge, HasSubstr(R"(scope="mcp:read")"));
  EXPECT_THAT(challenge, HasSubstr("resource_metadata=\"" + f.base + "/.well-known/oauth-protected-resource/mcp\""));
}

TEST(oauth2_attacks, ConsentFormRequiresItsCsrfCookieAndToken) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser victim(f.server.port());
  auto page = victim.open(authorize_target(client, pkce()));
  ASSERT_EQ(page.response.result_int(), 200);
  Params fields = page.hidden;
  fields["email"] = kAdminEmail;
  fields["password"] = kAdminPassword;
  fields["decision"] = "allow";

  // No cookie (a cross-site POST).
  Browser attacker(f.server.port());
  auto no_cookie = attacker.post_form("/oauth2/authorize", fields);
  EXPECT_EQ(no_cookie.result_int(), 403) << no_cookie.body();
  EXPECT_TRUE(header(no_cookie, "Location").empty());

  // The attacker's own cookie with the victim's token.
  attacker.open(authorize_target(client, pkce()));
  ASSERT_TRUE(attacker.cookies().contains("pierre_oauth_csrf"));
  auto other_cookie = attacker.post_form("/oauth2/authorize", fields);
  EXPECT_EQ(other_cookie.result_int(), 403);
  EXPECT_TRUE(header(other_cookie, "Location").empty());

  // The right cookie but the token of another request.
  Params swapped = fields;
  swapped["request"] = fields["request"] + "&prompt=consent";
  EXPECT_EQ(victim.post_form("/oauth2/authorize", swapped).result_int(), 403);

  // No token at all.
  Params tokenless = fields;
  tokenless.erase("csrf_token");
  EXPECT_EQ(victim.post_form("/oauth2/authorize", tokenless).result_int(), 403);

  // Nothing was issued: the admin has no authorizations.
  const auto admin = login_token(f.c, kAdminEmail, kAdminPassword);
  auto listed = send_json(f.c, verb::get, "/api/oauth2/authorizations", nullptr, admin);
  EXPECT_EQ(body_json(listed)["authorizations"].size(), 0u);
}

TEST(oauth2_attacks, ParallelRedemptionOfOneCodeSucceedsOnce) {
  Fixture f;
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  Browser b(f.server.port());
  const auto p = pkce();
  const auto code = code_of(consent(b, authorize_target(client, p)), f.base);
  constexpr int kRacers = 50;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kRacers; ++i) clients.push_back(std::make_unique<HttpClient>(f.server.port()));
  std::atomic<int> ok{0}, invalid_grant{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto res = exchange(*clients[static_cast<std::size_t>(i)], client, code, p);
      if (res.result_int() == 200) {
        ++ok;
      } else if (res.result_int() == 400 && res.body().find("invalid_grant") != std::string::npos) {
        ++invalid_grant;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(invalid_grant.load(), kRacers - 1);
  EXPECT_EQ(other.load(), 0);
}

TEST(oauth2_attacks, TokenErrorsAreNotCachedEither) {
  Fixture f;
  auto res = post_form(f.c, "/oauth2/token", {{"grant_type", "authorization_code"}, {"code", "x"}});
  EXPECT_EQ(res.result_int(), 401) << res.body();  // no client identified
  EXPECT_EQ(header(res, "Cache-Control"), "no-store");
  EXPECT_EQ(header(res, "Pragma"), "no-cache");
  const auto client = register_client(f.c)["client_id"].get<std::string>();
  auto bad_code = post_form(f.c, "/oauth2/token",
                            {{"grant_type", "authorization_code"},
                             {"code", "pac_nope"},
                             {"client_id", client},
                             {"redirect_uri", kRedirect},
                             {"code_verifier", pkce().verifier}});
  EXPECT_EQ(bad_code.result_int(), 400);
  EXPECT_EQ(body_json(bad_code).value("error", ""), "invalid_grant");
  EXPECT_EQ(header(bad_code, "Cache-Control"), "no-store");
  auto duplicated = f.c.request(verb::post, "/oauth2/token",
                                "grant_type=refresh_token&grant_type=authorization_code&client_id=" + client,
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(duplicated.result_int(), 400);
  EXPECT_EQ(body_json(duplicated).value("error", ""), "invalid_request");
}

}  // namespace
}  // namespace pierre::testing
