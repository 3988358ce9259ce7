#include "pierre/oauth2/authorization_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "backend_fixture.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/auth/password.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::oauth2 {
namespace {

using nlohmann::json;
using pierre::testing::describe;
using std::chrono::system_clock;

constexpr const char* kIssuer = "https://pierre.test";
constexpr const char* kResource = "https://pierre.test/mcp";
constexpr const char* kRedirect = "http://127.0.0.1:33418/callback";

std::string describe_oauth(const OAuthError& e) {
  return e.error + ": " + e.description;
}
template <typename T>
std::string describe_oauth(const OAuthResult<T>& r) {
  return r ? "ok" : describe_oauth(r.error());
}

const auth::PasswordHasher& fast_hasher() {
  static const auth::PasswordHasher hasher = *auth::PasswordHasher::with_params({1, 8192});
  return hasher;
}

std::string challenge_of(const std::string& verifier) {
  return crypto::base64url_encode(crypto::sha256(crypto::as_bytes(verifier)));
}

class OAuth2Test : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto clock = [this] { return system_clock::now() + std::chrono::milliseconds(offset_ms_.load()); };
    auto ks = auth::KeyStore::open(db(), master_);
    ASSERT_TRUE(ks) << describe(ks);
    keys_ = std::move(*ks);
    auth::TokenService::Options to;
    to.issuer = kIssuer;
    to.audience = kResource;
    to.algorithm = crypto::JwtAlgorithm::es256;
    to.clock = clock;
    auto ts = auth::TokenService::open(db(), *keys_, to);
    ASSERT_TRUE(ts) << describe(ts);
    tokens_ = std::move(*ts);
    users_ =
        std::make_unique<auth::UserService>(db(), fast_hasher(), *store::CursorCodec::create(crypto::Bytes(32, 7)));
    auto setup = users_->setup_admin("admin@example.com", "correct horse battery 42", "Admin");
    ASSERT_TRUE(setup) << describe(setup);
    admin_ = auth::Identity{setup->admin.id, setup->tenant_id, "super_admin", {}};
    auto bob = users_->create_user(setup->tenant_id, "bob@example.com", "correct horse battery 43", "Bob", "user");
    ASSERT_TRUE(bob) << describe(bob);
    bob_ = auth::Identity{bob->id, bob->tenant_id, "user", {}};
    AuthorizationServer::Options o;
    o.issuer = kIssuer;
    o.resource = kResource;
    o.clock = clock;
    auto as = AuthorizationServer::create(db(), *tokens_, o);
    ASSERT_TRUE(as) << describe(as);
    as_ = std::move(*as);
  }

  void advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

  RegisteredClient register_ok(const json& metadata, const std::optional<auth::Identity>& owner = std::nullopt) {
    auto r = as_->register_client(metadata, owner);
    EXPECT_TRUE(r) << describe_oauth(r) << " for " << metadata.dump();
    return r ? *r : RegisteredClient{};
  }
  Client public_client(json extra = json::object()) {
    json m{{"client_name", "Test Client"}, {"redirect_uris", {kRedirect}}, {"token_endpoint_auth_method", "none"}};
    m.update(extra);
    return register_ok(m).client;
  }

  Parameters authorize_params(const Client& c, const std::string& verifier = kVerifier) {
    return {{"response_type", "code"},         {"client_id", c.client_id},
            {"redirect_uri", kRedirect},       {"code_challenge", challenge_of(verifier)},
            {"code_challenge_method", "S256"}, {"state", "xyz"}};
  }
  std::string code_for(const Client& c, const auth::Identity& user, Parameters extra = {}) {
    auto q = authorize_params(c);
    for (auto& [k, v] : extra) q[k] = v;
    auto req = as_->validate_authorization(q);
    EXPECT_TRUE(req) << describe_oauth(req);
    if (!req) return "";
    auto code = as_->issue_code(user, *req);
    EXPECT_TRUE(code) << describe_oauth(code);
    return code ? *code : "";
  }
  TokenResponse tokens_for(const Client& c, const auth::Identity& user) {
    auto t = as_->exchange_code(c, code_for(c, user), kRedirect, kVerifier, "");
    EXPECT_TRUE(t) << describe_oauth(t);
    return t ? *t : TokenResponse{};
  }
  std::string grant_of(const std::string& access_token) {
    auto v = tokens_->verify_token(access_token);
    EXPECT_TRUE(v) << describe(v);
    return v ? v->grant_id : "";
  }

  static constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  crypto::Bytes master_ = crypto::random_bytes(32);
  std::atomic<std::int64_t> offset_ms_{0};
  std::unique_ptr<auth::KeyStore> keys_;
  std::unique_ptr<auth::TokenService> tokens_;
  std::unique_ptr<auth::UserService> users_;
  std::unique_ptr<AuthorizationServer> as_;
  auth::Identity admin_;
  auth::Identity bob_;
};

INSTANTIATE_TEST_SUITE_P(oauth2, OAuth2Test, ::testing::Values("sqlite_file", "sqlite_memory", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

TEST(FormParameters, DecodesAndRejectsRepeatsAndMalformedEscapes) {
  auto p = parse_form_parameters("a=1&b=x+y%2Fz&empty=&c");
  ASSERT_TRUE(p) << describe_oauth(p);
  EXPECT_EQ(p->at("a"), "1");
  EXPECT_EQ(p->at("b"), "x y/z");
  EXPECT_FALSE(p->contains("empty"));  // sent without a value = omitted
  EXPECT_FALSE(p->contains("c"));
  EXPECT_EQ(parse_form_parameters("a=1&a=2").error().error, "invalid_request");
  EXPECT_EQ(parse_form_parameters("a=1&a=").error().error, "invalid_request");
  EXPECT_EQ(parse_form_parameters("a=%zz").error().error, "invalid_request");
  EXPECT_EQ(parse_form_parameters("a=%4").error().error, "invalid_request");
  EXPECT_EQ(parse_form_parameters("=1").error().error, "invalid_request");
  EXPECT_TRUE(parse_form_parameters("")->empty());
}

TEST_P(OAuth2Test, PublishesMetadata) {
  const auto m = as_->authorization_server_metadata();
  EXPECT_EQ(m["issuer"], kIssuer);
  EXPECT_EQ(m["authorization_endpoint"], "https://pierre.test/oauth2/authorize");
  EXPECT_EQ(m["token_endpoint"], "https://pierre.test/oauth2/token");
  EXPECT_EQ(m["registration_endpoint"], "https://pierre.test/oauth2/register");
  EXPECT_EQ(m["revocation_endpoint"], "https://pierre.test/oauth2/revoke");
  EXPECT_EQ(m["introspection_endpoint"], "https://pierre.test/oauth2/introspect");
  EXPECT_EQ(m["jwks_uri"], "https://pierre.test/oauth2/jwks");
  EXPECT_EQ(m["code_challenge_methods_supported"], json::array({"S256"}));
  EXPECT_EQ(m["response_types_supported"], json::array({"code"}));
  EXPECT_EQ(m["authorization_response_iss_parameter_supported"], true);
  EXPECT_EQ(m["client_id_metadata_document_supported"], true);
  const auto p = as_->protected_resource_metadata();
  EXPECT_EQ(p["resource"], kResource);
  EXPECT_EQ(p["authorization_servers"], json::array({kIssuer}));
  EXPECT_EQ(p["bearer_methods_supported"], json::array({"header"}));
  EXPECT_EQ(p["resource_name"], "Pierre MCP Server");
}

TEST_P(OAuth2Test, RegistrationValidatesMetadata) {
  const json base{{"redirect_uris", {kRedirect}}, {"token_endpoint_auth_method", "none"}};
  struct Case {
    const char* what;
    json patch;
    const char* error;
    bool signed_in = false;
  };
  const std::string long_uri = "https://app.example/" + std::string(2000, 'a');
  json too_many = json::array();
  for (int i = 0; i < 21; ++i) too_many.push_back("https://app.example/cb" + std::to_string(i));
  const std::vector<Case> cases{
      {"javascript:", {{"redirect_uris", {"javascript:alert(1)"}}}, "invalid_redirect_uri"},
      {"data:", {{"redirect_uris", {"data:text/html,hi"}}}, "invalid_redirect_uri"},
      {"data: native",
       {{"redirect_uris", {"data:text/html,hi"}}, {"application_type", "native"}},
       "invalid_redirect_uri"},
      {"vbscript:", {{"redirect_uris", {"vbscript:x"}}, {"application_type", "native"}}, "invalid_redirect_uri"},
      {"file:", {{"redirect_uris", {"file:///etc/passwd"}}, {"application_type", "native"}}, "invalid_redirect_uri"},
      {"blob:",
       {{"redirect_uris", {"blob:https://a.example/x"}}, {"application_type", "native"}},
       "invalid_redirect_uri"},
      {"about:", {{"redirect_uris", {"about:blank"}}, {"application_type", "native"}}, "invalid_redirect_uri"},
      {"http non-loopback", {{"redirect_uris", {"http://evil.example/cb"}}}, "invalid_redirect_uri"},
      {"http 127.0.0.2", {{"redirect_uris", {"http://127.0.0.2/cb"}}}, "invalid_redirect_uri"},
      {"http localhost.evil", {{"redirect_uris", {"http://localhost.evil.example/cb"}}}, "invalid_redirect_uri"},
      {"userinfo", {{"redirect_uris", {"https://good.example@evil.example/cb"}}}, "invalid_redirect_uri"},
      {"fragment", {{"redirect_uris", {"https://app.example/cb#frag"}}}, "invalid_redirect_uri"},
      {"relative", {{"redirect_uris", {"/callback"}}}, "invalid_redirect_uri"},
      {"no host", {{"redirect_uris", {"https:///cb"}}}, "invalid_redirect_uri"},
      {"custom scheme on web",
       {{"redirect_uris", {"cursor://anysphere.cursor-retrieval/oauth/cb"}}},
       "invalid_redirect_uri"},
      {"missing redirect_uris", {{"redirect_uris", nullptr}}, "invalid_redirect_uri"},
      {"empty redirect_uris", {{"redirect_uris", json::array()}}, "invalid_redirect_uri"},
      {"redirect_uris not strings", {{"redirect_uris", {1}}}, "invalid_redirect_uri"},
      {"too many redirect_uris", {{"redirect_uris", too_many}}, "invalid_redirect_uri"},
      {"too long redirect uri", {{"redirect_uris", {long_uri}}}, "invalid_redirect_uri"},
      {"control char in uri", {{"redirect_uris", {"https://app.example/c\nb"}}}, "invalid_redirect_uri"},
      {"unknown grant type", {{"grant_types", {"password"}}}, "invalid_client_metadata"},
      {"implicit", {{"grant_types", {"implicit"}}, {"response_types", {"token"}}}, "invalid_client_metadata"},
      {"token response type", {{"response_types", {"token"}}}, "invalid_client_metadata"},
      {"code without authorization_code",
       {{"grant_types", {"client_credentials"}}, {"response_types", {"code"}}},
       "invalid_client_metadata",
       true},
      {"authorization_code without code", {{"response_types", json::array()}}, "invalid_client_metadata"},
      {"refresh_token alone", {{"grant_types", {"refresh_token"}}}, "invalid_client_metadata"},
      {"grant_types not array", {{"grant_types", "authorization_code"}}, "invalid_client_metadata"},
      {"unknown auth method", {{"token_endpoint_auth_method", "private_key_jwt"}}, "invalid_client_metadata"},
      {"client_credentials public",
       {{"grant_types", {"client_credentials"}}, {"token_endpoint_auth_method", "none"}},
       "invalid_client_metadata",
       true},
      {"client_credentials anonymous",
       {{"grant_types", {"client_credentials"}}, {"token_endpoint_auth_method", "client_secret_basic"}},
       "invalid_client_metadata"},
      {"unknown scope", {{"scope", "mcp:read admin:all"}}, "invalid_client_metadata"},
      {"scope not string", {{"scope", json::array({"mcp:read"})}}, "invalid_client_metadata"},
      {"name too long", {{"client_name", std::string(201, 'n')}}, "invalid_client_metadata"},
      {"name control chars", {{"client_name", "bad\x01name"}}, "invalid_client_metadata"},
      {"name not string", {{"client_name", 7}}, "invalid_client_metadata"},
      {"application_type", {{"application_type", "desktop"}}, "invalid_client_metadata"},
      {"client_uri javascript", {{"client_uri", "javascript:alert(1)"}}, "invalid_client_metadata"},
  };
  for (const auto& c : cases) {
    json m = base;
    m.update(c.patch);
    if (m["redirect_uris"].is_null()) m.erase("redirect_uris");
    const std::optional<auth::Identity> owner = c.signed_in ? std::optional(admin_) : std::nullopt;
    auto r = as_->register_client(m, owner);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().error, c.error) << c.what << ": " << r.error().description;
    EXPECT_EQ(r.error().http_status, 400) << c.what;
  }
  EXPECT_EQ(as_->register_client(json::array(), std::nullopt).error().error, "invalid_client_metadata");
}

TEST_P(OAuth2Test, RegistrationAcceptsGoodClients) {
  // MCP clients: public, loopback redirect (any port form), https, native custom scheme.
  auto pub = register_ok({{"client_name", "Claude"},
                          {"redirect_uris",
                           {"http://127.0.0.1:8080/cb", "http://[::1]/cb", "http://localhost:3000/cb",
                            "https://claude.ai/api/mcp/auth_callback"}},
                          {"token_endpoint_auth_method", "none"}});
  EXPECT_TRUE(pub.client_secret.empty());
  EXPECT_TRUE(pub.client.client_id.starts_with("pcl_"));
  EXPECT_EQ(pub.client.grant_types, (std::vector<std::string>{"authorization_code", "refresh_token"}));
  EXPECT_EQ(pub.client.response_types, (std::vector<std::string>{"code"}));
  EXPECT_FALSE(pub.client.confidential());
  const auto j = pub.client.to_json();
  EXPECT_EQ(j["client_id"], pub.client.client_id);
  EXPECT_FALSE(j.contains("client_secret"));
  EXPECT_EQ(j["token_endpoint_auth_method"], "none");

  auto native = register_ok({{"redirect_uris", {"cursor://anysphere.cursor-retrieval/oauth/user-pierre/callback"}},
                             {"application_type", "native"},
                             {"token_endpoint_auth_method", "none"}});
  EXPECT_EQ(native.client.application_type, "native");

  // Default auth method (RFC 7591) is client_secret_basic: confidential, a 256-bit secret shown once.
  auto conf = register_ok({{"redirect_uris", {"https://app.example/cb"}}, {"scope", "mcp:read"}});
  EXPECT_EQ(conf.client.token_endpoint_auth_method, "client_secret_basic");
  EXPECT_EQ(conf.client_secret.size(), 43U);
  EXPECT_EQ(conf.to_json()["client_secret"], conf.client_secret);
  EXPECT_EQ(conf.to_json()["client_secret_expires_at"], 0);
  EXPECT_FALSE(pub.to_json().contains("client_secret"));
  auto found = as_->find_client(conf.client.client_id);
  ASSERT_TRUE(found) << describe_oauth(found);
  EXPECT_EQ(found->redirect_uris, conf.client.redirect_uris);
  EXPECT_EQ(found->scope, "mcp:read");
  EXPECT_EQ(as_->find_client("pcl_nope").error().error, "invalid_client");

  // Client authentication.
  const auto& id = conf.client.client_id;
  EXPECT_TRUE(as_->authenticate_client(id, conf.client_secret, "client_secret_basic"));
  EXPECT_TRUE(as_->authenticate_client(id, conf.client_secret, "client_secret_post"));
  auto wrong = as_->authenticate_client(id, conf.client_secret + "x", "client_secret_basic");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().error, "invalid_client");
  EXPECT_EQ(wrong.error().http_status, 401);
  EXPECT_FALSE(as_->authenticate_client(id, "", "none"));
  EXPECT_FALSE(as_->authenticate_client(id, "", "client_secret_basic"));
  EXPECT_TRUE(as_->authenticate_client(pub.client.client_id, "", "none"));
  EXPECT_FALSE(as_->authenticate_client(pub.client.client_id, "guess", "client_secret_post"));
  EXPECT_FALSE(as_->authenticate_client("pcl_unknown", "", "none"));

  // Secrets are stored hashed, never in clear.
  auto rows = db().query("SELECT secret_hash FROM oauth_clients WHERE client_id = ?1", {id});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->rows.at(0).get<std::string>("secret_hash")->size(), 64U);
  EXPECT_NE(*rows->rows.at(0).get<std::string>("secret_hash"), conf.client_secret);
}

TEST_P(OAuth2Test, AuthorizationRequestValidation) {
  const auto client = public_client();
  auto cc_client = register_ok({{"grant_types", {"client_credentials"}}}, admin_).client;
  const auto good = authorize_params(client);
  struct Case {
    const char* what;
    std::vector<std::pair<std::string, std::optional<std::string>>> changes;
    const char* error;
    bool redirectable;
  };
  const std::vector<Case> cases{
      {"no client_id", {{"client_id", std::nullopt}}, "invalid_request", false},
      {"unknown client", {{"client_id", "pcl_unknown"}}, "invalid_request", false},
      {"no redirect_uri", {{"redirect_uri", std::nullopt}}, "invalid_request", false},
      {"extra path", {{"redirect_uri", std::string(kRedirect) + "/x"}}, "invalid_request", false},
      {"loopback, other path", {{"redirect_uri", "http://127.0.0.1:33419/other"}}, "invalid_request", false},
      {"loopback, other host", {{"redirect_uri", "http://localhost:33418/callback"}}, "invalid_request", false},
      {"loopback, https", {{"redirect_uri", "https://127.0.0.1:33418/callback"}}, "invalid_request", false},
      {"trailing slash", {{"redirect_uri", std::string(kRedirect) + "/"}}, "invalid_request", false},
      {"query added", {{"redirect_uri", std::string(kRedirect) + "?a=1"}}, "invalid_request", false},
      {"case changed", {{"redirect_uri", "http://127.0.0.1:33418/Callback"}}, "invalid_request", false},
      {"no response_type", {{"response_type", std::nullopt}}, "invalid_request", true},
      {"token response_type", {{"response_type", "token"}}, "unsupported_response_type", true},
      {"no challenge", {{"code_challenge", std::nullopt}}, "invalid_request", true},
      {"no method", {{"code_challenge_method", std::nullopt}}, "invalid_request", true},
      {"plain", {{"code_challenge_method", "plain"}}, "invalid_request", true},
      {"short challenge", {{"code_challenge", "abc"}}, "invalid_request", true},
      {"unknown scope", {{"scope", "mcp:read admin:all"}}, "invalid_scope", true},
      {"foreign resource", {{"resource", "https://other.example/mcp"}}, "invalid_target", true},
      {"resource trailing slash", {{"resource", std::string(kResource) + "/"}}, "invalid_target", true},
      {"issuer as resource", {{"resource", kIssuer}}, "invalid_target", true},
  };
  for (const auto& c : cases) {
    auto q = good;
    for (const auto& [k, v] : c.changes) {
      if (v) {
        q[k] = *v;
      } else {
        q.erase(k);
      }
    }
    auto r = as_->validate_authorization(q);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().error, c.error) << c.what << ": " << r.error().description;
    EXPECT_EQ(r.error().redirectable, c.redirectable) << c.what;
  }
  // A loopback redirect may use any port (RFC 8252 §7.3): native apps get theirs from the OS at run time.
  auto other_port = good;
  other_port["redirect_uri"] = "http://127.0.0.1:40001/callback";
  auto accepted = as_->validate_authorization(other_port);
  ASSERT_TRUE(accepted) << describe_oauth(accepted);
  EXPECT_EQ(accepted->redirect_uri, "http://127.0.0.1:40001/callback");
  other_port["redirect_uri"] = "http://127.0.0.1/callback";  // no port at all
  EXPECT_TRUE(as_->validate_authorization(other_port));
  // A client registered without the code grant.
  auto q = good;
  q["client_id"] = cc_client.client_id;
  q["redirect_uri"] = "https://x.example/cb";
  EXPECT_EQ(as_->validate_authorization(q).error().redirectable, false);  // it has no redirect URIs at all
  auto cc_with_uri =
      register_ok({{"grant_types", {"client_credentials"}}, {"redirect_uris", {"https://x.example/cb"}}}, admin_)
          .client;
  q["client_id"] = cc_with_uri.client_id;
  auto unauthorized = as_->validate_authorization(q);
  ASSERT_FALSE(unauthorized);
  EXPECT_EQ(unauthorized.error().error, "unauthorized_client");
  EXPECT_TRUE(unauthorized.error().redirectable);
  // A blank scope is an absent scope.
  auto blank = good;
  blank["scope"] = "  ";
  EXPECT_TRUE(as_->validate_authorization(blank));

  auto ok = as_->validate_authorization(good);
  ASSERT_TRUE(ok) << describe_oauth(ok);
  EXPECT_EQ(ok->scopes, (std::vector<std::string>{"mcp:read", "mcp:write"}));  // default scopes
  EXPECT_EQ(ok->resource, kResource);
  EXPECT_EQ(ok->state, "xyz");
  auto narrowed = good;
  narrowed["scope"] = "mcp:write mcp:read mcp:read";
  narrowed["resource"] = kResource;
  ok = as_->validate_authorization(narrowed);
  ASSERT_TRUE(ok) << describe_oauth(ok);
  EXPECT_EQ(ok->scopes, (std::vector<std::string>{"mcp:read", "mcp:write"}));

  // A client registered with a narrower scope cannot ask for more.
  auto reader = public_client({{"scope", "mcp:read"}});
  auto rq = authorize_params(reader);
  ok = as_->validate_authorization(rq);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->scopes, (std::vector<std::string>{"mcp:read"}));
  rq["scope"] = "mcp:write";
  EXPECT_EQ(as_->validate_authorization(rq).error().error, "invalid_scope");
}

TEST_P(OAuth2Test, FullCodeFlow) {
  const auto client = public_client();
  auto req = as_->validate_authorization(authorize_params(client));
  ASSERT_TRUE(req) << describe_oauth(req);
  EXPECT_FALSE(as_->has_consent(bob_, *req));
  auto code = as_->issue_code(bob_, *req);
  ASSERT_TRUE(code) << describe_oauth(code);
  EXPECT_TRUE(code->starts_with("pac_"));
  EXPECT_TRUE(as_->has_consent(bob_, *req));
  EXPECT_FALSE(as_->has_consent(admin_, *req));
  // Codes are stored hashed.
  auto stored = db().query_row("SELECT count(*) AS n FROM oauth_codes WHERE code_hash = ?1", {*code});
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)->get<std::int64_t>("n").value(), 0);

  auto t = as_->exchange_code(client, *code, kRedirect, kVerifier, kResource);
  ASSERT_TRUE(t) << describe_oauth(t);
  EXPECT_EQ(t->token_type, "Bearer");
  EXPECT_EQ(t->expires_in, 3600);
  EXPECT_EQ(t->scope, "mcp:read mcp:write");
  EXPECT_TRUE(t->refresh_token.starts_with("prt_"));
  const auto j = t->to_json();
  EXPECT_EQ(j["token_type"], "Bearer");
  EXPECT_EQ(j["refresh_token"], t->refresh_token);

  auto v = tokens_->verify_token(t->access_token);
  ASSERT_TRUE(v) << describe(v);
  EXPECT_EQ(v->identity.user_id, bob_.user_id);
  EXPECT_EQ(v->identity.tenant_id, bob_.tenant_id);
  EXPECT_EQ(v->identity.role, "user");
  EXPECT_EQ(v->identity.scopes, (std::vector<std::string>{"mcp:read", "mcp:write"}));
  EXPECT_EQ(v->client_id, client.client_id);
  EXPECT_TRUE(v->grant_id.starts_with("grt_"));
  EXPECT_TRUE(as_->grant_active(v->grant_id).value());
  EXPECT_FALSE(as_->grant_active("grt_unknown").value());

  const auto info = as_->introspect(t->access_token);
  EXPECT_EQ(info["active"], true);
  EXPECT_EQ(info["client_id"], client.client_id);
  EXPECT_EQ(info["sub"], bob_.user_id);
  EXPECT_EQ(info["scope"], "mcp:read mcp:write");
  EXPECT_EQ(info["aud"], kResource);
  EXPECT_EQ(info["iss"], kIssuer);
  EXPECT_EQ(info["token_type"], "Bearer");
  EXPECT_TRUE(info["exp"].is_number_integer());
  EXPECT_TRUE(info["iat"].is_number_integer());
  const auto rinfo = as_->introspect(t->refresh_token);
  EXPECT_EQ(rinfo["active"], true);
  EXPECT_EQ(rinfo["client_id"], client.client_id);
  EXPECT_EQ(as_->introspect("garbage"), json({{"active", false}}));
  EXPECT_EQ(as_->introspect("prt_garbage"), json({{"active", false}}));

  auto grants = as_->list_grants(bob_);
  ASSERT_TRUE(grants) << describe(grants);
  ASSERT_EQ(grants->size(), 1U);
  EXPECT_EQ(grants->at(0).grant_id, v->grant_id);
  EXPECT_EQ(grants->at(0).client_name, "Test Client");
  EXPECT_TRUE(grants->at(0).last_used_at.has_value());
  EXPECT_TRUE(as_->list_grants(admin_)->empty());

  // A client without the refresh_token grant gets no refresh token.
  auto no_refresh = public_client({{"grant_types", {"authorization_code"}}});
  auto t2 = as_->exchange_code(no_refresh, code_for(no_refresh, bob_), kRedirect, kVerifier, "");
  ASSERT_TRUE(t2) << describe_oauth(t2);
  EXPECT_TRUE(t2->refresh_token.empty());
  EXPECT_FALSE(t2->to_json().contains("refresh_token"));
}

TEST_P(OAuth2Test, CodeExchangeChecksPkceRedirectClientAndResource) {
  const auto client = public_client();
  const auto other = public_client();
  const auto expect_error = [&](const OAuthResult<TokenResponse>& r, const char* error, const char* what) {
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().error, error) << what << ": " << r.error().description;
  };
  // Wrong verifier, verifier too short / bad characters.
  expect_error(
      as_->exchange_code(client, code_for(client, bob_), kRedirect, "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", ""),
      "invalid_grant", "wrong verifier");
  expect_error(as_->exchange_code(client, code_for(client, bob_), kRedirect, "short", ""), "invalid_grant",
               "short verifier");
  const std::string bad_chars = std::string(kVerifier) + "!";
  expect_error(as_->exchange_code(client, code_for(client, bob_), kRedirect, bad_chars, ""), "invalid_grant",
               "verifier characters");
  // "plain": the challenge itself as verifier.
  const std::string challenge = challenge_of(kVerifier);
  expect_error(as_->exchange_code(client, code_for(client, bob_), kRedirect, challenge, ""), "invalid_grant",
               "plain-style verifier");
  expect_error(as_->exchange_code(client, code_for(client, bob_), kRedirect, "", ""), "invalid_request",
               "missing verifier");
  // Redirect URI must match exactly.
  for (const std::string& uri : {std::string(kRedirect) + "/extra", std::string("http://127.0.0.1:33419/callback"),
                                 std::string(kRedirect) + "/", std::string("")}) {
    auto r = as_->exchange_code(client, code_for(client, bob_), uri, kVerifier, "");
    ASSERT_FALSE(r) << uri;
    EXPECT_TRUE(r.error().error == "invalid_grant" || r.error().error == "invalid_request") << uri;
  }
  // Another client cannot redeem the code, and does not spend it.
  const auto code = code_for(client, bob_);
  expect_error(as_->exchange_code(other, code, kRedirect, kVerifier, ""), "invalid_grant", "other client");
  EXPECT_TRUE(as_->exchange_code(client, code, kRedirect, kVerifier, "")) << "code still good for its client";
  // A failed attempt (no verifier, wrong redirect) does not spend the code for the client that holds the verifier.
  const auto kept = code_for(client, bob_);
  expect_error(as_->exchange_code(client, kept, kRedirect, challenge, ""), "invalid_grant", "attacker verifier");
  expect_error(as_->exchange_code(client, kept, "https://evil.example/cb", kVerifier, ""), "invalid_grant",
               "attacker redirect");
  EXPECT_TRUE(as_->exchange_code(client, kept, kRedirect, kVerifier, ""));
  // Resource must match the authorization's.
  expect_error(as_->exchange_code(client, code_for(client, bob_), kRedirect, kVerifier, "https://other.example/mcp"),
               "invalid_target", "resource");
  // Garbage codes.
  expect_error(as_->exchange_code(client, "pac_garbage", kRedirect, kVerifier, ""), "invalid_grant", "garbage");
  expect_error(as_->exchange_code(client, "nonsense", kRedirect, kVerifier, ""), "invalid_grant", "nonsense");
  // An inactive user gets nothing.
  ASSERT_TRUE(users_->suspend(bob_.tenant_id, bob_.user_id));
  expect_error(as_->exchange_code(client, code_for(client, bob_), kRedirect, kVerifier, ""), "invalid_grant",
               "suspended user");
}

TEST_P(OAuth2Test, ReplayedCodeRevokesItsGrant) {
  const auto client = public_client();
  const auto code = code_for(client, bob_);
  auto first = as_->exchange_code(client, code, kRedirect, kVerifier, "");
  ASSERT_TRUE(first) << describe_oauth(first);
  const auto grant = grant_of(first->access_token);
  EXPECT_TRUE(as_->grant_active(grant).value());
  auto second = as_->exchange_code(client, code, kRedirect, kVerifier, "");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().error, "invalid_grant");
  EXPECT_FALSE(as_->grant_active(grant).value());
  EXPECT_EQ(as_->introspect(first->access_token)["active"], false);
  auto refreshed = as_->refresh(client, first->refresh_token, "", "");
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().error, "invalid_grant");
}

TEST_P(OAuth2Test, CodesExpire) {
  const auto client = public_client();
  const auto code = code_for(client, bob_);
  advance(std::chrono::seconds(61));
  auto r = as_->exchange_code(client, code, kRedirect, kVerifier, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, "invalid_grant");
  const auto fresh = code_for(client, bob_);
  advance(std::chrono::seconds(59));
  EXPECT_TRUE(as_->exchange_code(client, fresh, kRedirect, kVerifier, ""));
}

TEST_P(OAuth2Test, PurgeDeletesLongExpiredCodesAndRefreshTokensOnly) {
  const auto client = public_client();
  const auto count = [&](const char* table) {
    auto row = db().query_row(std::string("SELECT COUNT(*) AS n FROM ") + table, {});
    EXPECT_TRUE(row && row->has_value());
    return row && row->has_value() ? (*row)->get<std::int64_t>("n").value_or(-1) : -1;
  };
  const auto issued = tokens_for(client, bob_);  // one spent code, one live refresh token
  (void)code_for(client, bob_);                  // one unspent code
  ASSERT_EQ(count("oauth_codes"), 2);
  ASSERT_EQ(count("oauth_refresh_tokens"), 1);
  // Expired, but recently: kept (a replay is still recognised).
  advance(std::chrono::minutes(30));
  EXPECT_EQ(as_->purge_expired().value(), 0);
  EXPECT_EQ(count("oauth_codes"), 2);
  // An hour after expiry the codes go; the refresh token (30 days) stays and still works.
  advance(std::chrono::minutes(32));
  EXPECT_EQ(as_->purge_expired().value(), 2);
  EXPECT_EQ(count("oauth_codes"), 0);
  auto refreshed = as_->refresh(client, issued.refresh_token, "", "");
  ASSERT_TRUE(refreshed) << describe_oauth(refreshed);
  // Both refresh tokens (the spent one and its successor) go a day after they expire; the grants (one per
  // authorization) stay as the record of who authorized what.
  advance(std::chrono::hours(24 * 32));
  EXPECT_EQ(as_->purge_expired().value(), 2);
  EXPECT_EQ(count("oauth_refresh_tokens"), 0);
  EXPECT_EQ(count("oauth_grants"), 2);
}

TEST_P(OAuth2Test, ExactlyOneOfManyConcurrentRedemptionsSucceeds) {
  const auto client = public_client();
  ASSERT_TRUE(tokens_->ensure_signing_key());
  const auto code = code_for(client, bob_);
  std::atomic<int> ok{0};
  std::atomic<int> invalid_grant{0};
  std::atomic<int> other{0};
  std::mutex winner_mutex;
  std::string winner;
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      auto r = as_->exchange_code(client, code, kRedirect, kVerifier, "");
      if (r) {
        ++ok;
        std::lock_guard lock(winner_mutex);
        winner = r->access_token;
      } else if (r.error().error == "invalid_grant") {
        ++invalid_grant;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(invalid_grant.load(), 49);
  EXPECT_EQ(other.load(), 0);
  // Every other redemption was a replay: the grant, and with it the winner's token, is revoked.
  ASSERT_FALSE(winner.empty());
  EXPECT_FALSE(as_->grant_active(grant_of(winner)).value());
}

TEST_P(OAuth2Test, RefreshRotatesAndReuseRevokesTheFamily) {
  const auto client = public_client();
  const auto other = public_client();
  auto t = tokens_for(client, bob_);
  const auto grant = grant_of(t.access_token);

  // Another client cannot use it.
  auto stolen = as_->refresh(other, t.refresh_token, "", "");
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().error, "invalid_grant");

  auto r1 = as_->refresh(client, t.refresh_token, "", kResource);
  ASSERT_TRUE(r1) << describe_oauth(r1);
  EXPECT_NE(r1->refresh_token, t.refresh_token);
  EXPECT_EQ(grant_of(r1->access_token), grant);
  EXPECT_EQ(as_->introspect(t.refresh_token)["active"], false);  // spent
  EXPECT_EQ(as_->introspect(r1->refresh_token)["active"], true);
  auto r2 = as_->refresh(client, r1->refresh_token, "", "");
  ASSERT_TRUE(r2) << describe_oauth(r2);

  // The first (rotated) token again: the whole family goes.
  auto reuse = as_->refresh(client, t.refresh_token, "", "");
  ASSERT_FALSE(reuse);
  EXPECT_EQ(reuse.error().error, "invalid_grant");
  EXPECT_FALSE(as_->grant_active(grant).value());
  auto latest = as_->refresh(client, r2->refresh_token, "", "");
  ASSERT_FALSE(latest);
  EXPECT_EQ(latest.error().error, "invalid_grant");
  EXPECT_EQ(as_->introspect(r2->refresh_token)["active"], false);
  EXPECT_TRUE(as_->list_grants(bob_)->empty());
}

TEST_P(OAuth2Test, ConcurrentRefreshRotatesOnce) {
  const auto client = public_client();
  ASSERT_TRUE(tokens_->ensure_signing_key());
  auto t = tokens_for(client, bob_);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      if (as_->refresh(client, t.refresh_token, "", "")) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1);
}

TEST_P(OAuth2Test, RefreshScopeMayNarrowNeverWiden) {
  const auto client = public_client();
  auto q = authorize_params(client);
  q["scope"] = "mcp:read";
  auto req = as_->validate_authorization(q);
  ASSERT_TRUE(req);
  auto code = as_->issue_code(bob_, *req);
  ASSERT_TRUE(code);
  auto t = as_->exchange_code(client, *code, kRedirect, kVerifier, "");
  ASSERT_TRUE(t) << describe_oauth(t);
  EXPECT_EQ(t->scope, "mcp:read");
  auto wider = as_->refresh(client, t->refresh_token, "mcp:read mcp:write", "");
  ASSERT_FALSE(wider);
  EXPECT_EQ(wider.error().error, "invalid_scope");
  EXPECT_EQ(as_->refresh(client, t->refresh_token, "admin:all", "").error().error, "invalid_scope");

  auto full = tokens_for(client, bob_);
  auto narrow = as_->refresh(client, full.refresh_token, "mcp:read", "");
  ASSERT_TRUE(narrow) << describe_oauth(narrow);
  EXPECT_EQ(narrow->scope, "mcp:read");
  // The rotated refresh token keeps the original grant's scope.
  auto again = as_->refresh(client, narrow->refresh_token, "", "");
  ASSERT_TRUE(again) << describe_oauth(again);
  EXPECT_EQ(again->scope, "mcp:read mcp:write");
  // Foreign resource.
  EXPECT_EQ(as_->refresh(client, again->refresh_token, "", "https://other.example/mcp").error().error,
            "invalid_target");
}

TEST_P(OAuth2Test, RefreshFailsForExpiredTokensAndInactiveUsers) {
  const auto client = public_client();
  auto t = tokens_for(client, bob_);
  advance(std::chrono::hours(24 * 31));
  EXPECT_EQ(as_->refresh(client, t.refresh_token, "", "").error().error, "invalid_grant");
  auto t2 = tokens_for(client, bob_);
  ASSERT_TRUE(users_->suspend(bob_.tenant_id, bob_.user_id));
  EXPECT_EQ(as_->refresh(client, t2.refresh_token, "", "").error().error, "invalid_grant");
}

TEST_P(OAuth2Test, ClientCredentialsActAsTheOwner) {
  auto reg = register_ok({{"client_name", "Bob's robot"},
                          {"grant_types", {"client_credentials"}},
                          {"token_endpoint_auth_method", "client_secret_post"}},
                         bob_);
  EXPECT_TRUE(reg.client.redirect_uris.empty());
  EXPECT_EQ(reg.client.owner_user, bob_.user_id);
  auto client = as_->authenticate_client(reg.client.client_id, reg.client_secret, "client_secret_post");
  ASSERT_TRUE(client) << describe_oauth(client);

  auto t = as_->client_credentials(*client, "", "");
  ASSERT_TRUE(t) << describe_oauth(t);
  EXPECT_TRUE(t->refresh_token.empty());
  EXPECT_EQ(t->scope, "mcp:read mcp:write");
  auto v = tokens_->verify_token(t->access_token);
  ASSERT_TRUE(v) << describe(v);
  EXPECT_EQ(v->identity.user_id, bob_.user_id);
  EXPECT_EQ(v->identity.role, "user");
  auto t2 = as_->client_credentials(*client, "mcp:read", kResource);
  ASSERT_TRUE(t2) << describe_oauth(t2);
  EXPECT_EQ(t2->scope, "mcp:read");
  EXPECT_EQ(grant_of(t2->access_token), v->grant_id);  // one grant per client
  EXPECT_EQ(as_->client_credentials(*client, "admin:all", "").error().error, "invalid_scope");
  EXPECT_EQ(as_->client_credentials(*client, "", "https://other.example/mcp").error().error, "invalid_target");
  EXPECT_EQ(as_->list_grants(bob_)->size(), 1U);

  // Clients without the grant type cannot use it.
  const auto code_client = public_client();
  EXPECT_EQ(as_->client_credentials(code_client, "", "").error().error, "unauthorized_client");
  // Nor can a client_credentials client use the code flow.
  EXPECT_EQ(as_->exchange_code(*client, "pac_x", kRedirect, kVerifier, "").error().error, "unauthorized_client");

  // Role changes are picked up; a suspended owner stops the client.
  ASSERT_TRUE(users_->suspend(bob_.tenant_id, bob_.user_id));
  EXPECT_EQ(as_->client_credentials(*client, "", "").error().error, "invalid_grant");

  // Revoking the grant revokes the tokens; the next request gets a new grant.
  ASSERT_TRUE(users_->approve(bob_.tenant_id, bob_.user_id));
  ASSERT_TRUE(as_->revoke_grant(bob_, v->grant_id));
  EXPECT_EQ(as_->introspect(t->access_token)["active"], false);
  auto t3 = as_->client_credentials(*client, "", "");
  ASSERT_TRUE(t3) << describe_oauth(t3);
  EXPECT_NE(grant_of(t3->access_token), v->grant_id);
}

TEST_P(OAuth2Test, RevokeAndIntrospect) {
  const auto client = public_client();
  const auto other = public_client();
  // Refresh token of another client: ignored (success), nothing revoked.
  auto t = tokens_for(client, bob_);
  const auto grant = grant_of(t.access_token);
  EXPECT_TRUE(as_->revoke(other, t.refresh_token, "refresh_token"));
  EXPECT_TRUE(as_->grant_active(grant).value());
  EXPECT_TRUE(as_->revoke(other, t.access_token, "access_token"));
  EXPECT_TRUE(as_->grant_active(grant).value());
  // Unknown and garbage tokens: success.
  EXPECT_TRUE(as_->revoke(client, "garbage", ""));
  EXPECT_TRUE(as_->revoke(client, "prt_unknown", "refresh_token"));
  // Its own refresh token revokes the grant.
  EXPECT_TRUE(as_->revoke(client, t.refresh_token, ""));
  EXPECT_FALSE(as_->grant_active(grant).value());
  EXPECT_EQ(as_->introspect(t.access_token)["active"], false);
  EXPECT_EQ(as_->introspect(t.refresh_token)["active"], false);
  EXPECT_EQ(as_->refresh(client, t.refresh_token, "", "").error().error, "invalid_grant");

  // Its own access token (wrong hint does not matter).
  auto t2 = tokens_for(client, bob_);
  const auto grant2 = grant_of(t2.access_token);
  EXPECT_TRUE(as_->revoke(client, t2.access_token, "refresh_token"));
  EXPECT_FALSE(as_->grant_active(grant2).value());
  EXPECT_EQ(as_->refresh(client, t2.refresh_token, "", "").error().error, "invalid_grant");

  // A session token (no client) is never active here.
  auto session = tokens_->issue(bob_);
  ASSERT_TRUE(session);
  EXPECT_EQ(as_->introspect(session->token)["active"], false);
}

TEST_P(OAuth2Test, GrantCacheSeesRevocationsFromElsewhereAfterTtl) {
  const auto client = public_client();
  auto t = tokens_for(client, bob_);
  const auto grant = grant_of(t.access_token);
  EXPECT_TRUE(as_->grant_active(grant).value());
  // Another instance revokes it directly in the database.
  ASSERT_TRUE(db().execute("UPDATE oauth_grants SET revoked_at = 1 WHERE id = ?1", {grant}));
  EXPECT_TRUE(as_->grant_active(grant).value());  // cached
  advance(std::chrono::seconds(6));
  EXPECT_FALSE(as_->grant_active(grant).value());
}

TEST_P(OAuth2Test, UsersListAndRevokeOnlyTheirOwnGrants) {
  const auto client = public_client({{"client_name", "Bob's app"}});
  auto tb = tokens_for(client, bob_);
  auto ta = tokens_for(client, admin_);
  const auto bob_grant = grant_of(tb.access_token);
  const auto admin_grant = grant_of(ta.access_token);
  // An authorization whose code was never redeemed is not listed.
  (void)code_for(client, bob_);
  auto mine = as_->list_grants(bob_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1U);
  EXPECT_EQ(mine->at(0).grant_id, bob_grant);
  EXPECT_EQ(mine->at(0).client_id, client.client_id);
  EXPECT_EQ(mine->at(0).scopes, (std::vector<std::string>{"mcp:read", "mcp:write"}));

  auto foreign = as_->revoke_grant(bob_, admin_grant);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::resource_not_found);
  EXPECT_TRUE(as_->grant_active(admin_grant).value());
  EXPECT_EQ(as_->revoke_grant(bob_, "grt_unknown").error().code, ErrorCode::resource_not_found);

  ASSERT_TRUE(as_->revoke_grant(bob_, bob_grant));
  EXPECT_FALSE(as_->grant_active(bob_grant).value());
  EXPECT_TRUE(as_->list_grants(bob_)->empty());
  EXPECT_EQ(as_->revoke_grant(bob_, bob_grant).error().code, ErrorCode::resource_not_found);  // already revoked
  EXPECT_EQ(as_->list_grants(admin_)->size(), 1U);
}

TEST_P(OAuth2Test, CreateRejectsBadOptions) {
  AuthorizationServer::Options o;
  o.issuer = "https://pierre.test/";
  EXPECT_FALSE(AuthorizationServer::create(db(), *tokens_, o));
  o.issuer = "not a url";
  EXPECT_FALSE(AuthorizationServer::create(db(), *tokens_, o));
  o.issuer = kIssuer;
  o.default_scopes = {"other"};
  EXPECT_FALSE(AuthorizationServer::create(db(), *tokens_, o));
  o.default_scopes = {"mcp:read"};
  auto ok = AuthorizationServer::create(db(), *tokens_, o);
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)->options().resource, kResource);  // defaulted from the issuer
}

}  // namespace
}  // namespace pierre::oauth2
