// OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03): the URL rules, the cache
// lifetime, and the authorization server resolving an https client_id through an injected fetch (no network) on a
// real database (SQLite file / memory, PostgreSQL).
#include "client_metadata_document.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "backend_fixture.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/auth/password.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/oauth2/authorization_server.hpp"

namespace pierre::oauth2 {
namespace {

using nlohmann::json;
using pierre::testing::describe;
using std::chrono::system_clock;
using namespace std::chrono_literals;

constexpr const char* kCimdIssuer = "https://pierre.test";
constexpr const char* kCimdResource = "https://pierre.test/mcp";
constexpr const char* kCimdRedirect = "http://127.0.0.1:33418/callback";
constexpr const char* kUrl = "https://app.example.com/oauth/client.json";
constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kUnusable = "client ID metadata document cannot be used";

template <typename T>
std::string describe_cimd_oauth(const OAuthResult<T>& r) {
  return r ? "ok" : r.error().error + " (" + std::to_string(r.error().http_status) + "): " + r.error().description;
}

const auth::PasswordHasher& cimd_fast_hasher() {
  static const auth::PasswordHasher hasher = *auth::PasswordHasher::with_params({1, 8192});
  return hasher;
}

json document_for(std::string_view url, json extra = json::object()) {
  json d{{"client_id", url},
         {"client_name", "Doc Client"},
         {"redirect_uris", {kCimdRedirect}},
         {"token_endpoint_auth_method", "none"}};
  d.update(extra);
  return d;
}

net::Response json_response(const json& body, std::string cache_control = "max-age=600") {
  net::Response r;
  r.status = 200;
  r.body = body.dump();
  r.content_type = "application/json; charset=utf-8";
  r.cache_control = std::move(cache_control);
  return r;
}

// Serves documents from a map URL → response (or error), counts calls per URL, and can hold one URL's fetch until
// released (to occupy the fetch slots).
class FakeDocuments {
 public:
  void serve(const std::string& url, Result<net::Response> response) {
    const std::lock_guard lock(mutex_);
    responses_.insert_or_assign(url, std::move(response));
  }
  void block(const std::string& url) {
    const std::lock_guard lock(mutex_);
    blocked_ = url;
  }
  bool wait_until_blocked() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return waiting_; });
  }
  void release() {
    const std::lock_guard lock(mutex_);
    blocked_.clear();
    changed_.notify_all();
  }
  int calls(const std::string& url) {
    const std::lock_guard lock(mutex_);
    const auto it = calls_.find(url);
    return it == calls_.end() ? 0 : it->second;
  }
  int total_calls() {
    const std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [url, count] : calls_) n += count;
    return n;
  }
  net::FetchPolicy last_policy() {
    const std::lock_guard lock(mutex_);
    return last_policy_;
  }

  Result<net::Response> fetch(std::string_view url, const net::FetchPolicy& policy) {
    std::unique_lock lock(mutex_);
    const std::string key(url);
    ++calls_[key];
    last_policy_ = policy;
    if (!blocked_.empty() && key == blocked_) {
      waiting_ = true;
      changed_.notify_all();
      changed_.wait(lock, [&] { return blocked_.empty(); });
      waiting_ = false;
    }
    const auto it = responses_.find(key);
    if (it == responses_.end())
      return fail(ErrorCode::external_service_unavailable, "the URL's host name does not resolve");
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Result<net::Response>> responses_;
  std::map<std::string, int> calls_;
  std::string blocked_;
  bool waiting_ = false;
  net::FetchPolicy last_policy_;
};

// ---- the URL rules and the cache lifetime (no database) -----------------------------------------------------------

TEST(ClientIdUrl, RulesOfSection3) {
  for (const std::string& url : std::vector<std::string>{
           "http://app.example.com/oauth/client.json",
           "https://app.example.com",
           "https://app.example.com/",
           "https://app.example.com?x=1",
           "https://app.example.com/a/../b",
           "https://app.example.com/a/./b",
           "https://app.example.com/..",
           "https://app.example.com/%2e%2e/x",
           "https://app.example.com/%2E%2e/x",
           "https://app.example.com/.%2e/x",
           "https://app.example.com/%2e/x",
           "https://app.example.com/oauth/client.json#frag",
           "https://app.example.com/oauth/client.json#",
           "https://user@app.example.com/oauth/client.json",
           "https://user:pw@app.example.com/oauth/client.json",
           "https://app.example.com/my client.json",
           " https://app.example.com/oauth/client.json",
           "https://app.example.com/oauth/client.json\n",
           "https://app.example.com/oauth/\tclient.json",
           "https:///oauth/client.json",  // libcurl would read host "oauth"
           "https:/app.example.com/oauth/client.json",
           "not a url",
           "https://app.example.com/" + std::string(2000, 'a'),
       }) {
    EXPECT_TRUE(client_id_url_problem(url).has_value()) << "accepted: " << url;
  }
  for (const char* url : {
           "https://app.example.com/oauth/client.json",
           "https://app.example.com:8443/oauth/client.json?v=2&x=y",
           "https://app.example.com/.well-known/oauth-client",
           "https://app.example.com/a..b/c.",
           "https://[2001:db8::1]/client",
       }) {
    const auto problem = client_id_url_problem(url);
    EXPECT_FALSE(problem.has_value()) << url << ": " << problem.value_or("");
  }
  // Precise reasons.
  EXPECT_EQ(client_id_url_problem("http://app.example.com/c").value_or(""), "the client_id URL must use https");
  EXPECT_EQ(client_id_url_problem("https://app.example.com/").value_or(""), "the client_id URL must have a path");
  EXPECT_EQ(client_id_url_problem("https://app.example.com/c#f").value_or(""),
            "the client_id URL must not contain a fragment");
  EXPECT_EQ(client_id_url_problem("https://u:p@app.example.com/c").value_or(""),
            "the client_id URL must not contain credentials");
  EXPECT_EQ(client_id_url_problem("https:///app.example.com/c").value_or(""), "the client_id URL has no host");
  EXPECT_EQ(client_id_url_problem("https://app.example.com/a/../c").value_or(""),
            "the client_id URL must not contain . or .. path segments");
}

TEST(ClientIdUrl, OnlyHttpsIdsAreUrls) {
  EXPECT_TRUE(is_client_id_url("https://app.example.com/c"));
  EXPECT_TRUE(is_client_id_url("HTTPS://app.example.com/c"));
  EXPECT_FALSE(is_client_id_url("http://app.example.com/c"));
  EXPECT_FALSE(is_client_id_url("pcl_0123456789abcdef"));
  EXPECT_FALSE(is_client_id_url("https://"));
  EXPECT_FALSE(is_client_id_url(""));
}

TEST(DocumentCacheLifetime, ClampsCacheControl) {
  ClientMetadataDocuments o;
  o.min_cache = 30s;
  o.max_cache = 24h;
  o.fallback_cache = 300s;
  EXPECT_EQ(document_cache_lifetime("max-age=600", o), 600s);
  EXPECT_EQ(document_cache_lifetime("public, max-age=600", o), 600s);
  EXPECT_EQ(document_cache_lifetime("Max-Age=600, public", o), 600s);
  EXPECT_EQ(document_cache_lifetime("no-store", o), 30s);
  EXPECT_EQ(document_cache_lifetime("no-cache, max-age=600", o), 30s);
  EXPECT_EQ(document_cache_lifetime("", o), 300s);
  EXPECT_EQ(document_cache_lifetime("public", o), 300s);
  EXPECT_EQ(document_cache_lifetime("max-age=junk", o), 300s);
  EXPECT_EQ(document_cache_lifetime("max-age=999999999", o), 24h);
  EXPECT_EQ(document_cache_lifetime("max-age=99999999999999999999999999", o), 24h);
  EXPECT_EQ(document_cache_lifetime("max-age=5", o), 30s);
  EXPECT_EQ(document_cache_lifetime("max-age=0", o), 30s);
}

// ---- the authorization server with metadata-document clients -----------------------------------------------------

class ClientMetadataTest : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto ks = auth::KeyStore::open(db(), master_);
    ASSERT_TRUE(ks) << describe(ks);
    keys_ = std::move(*ks);
    auth::TokenService::Options to;
    to.issuer = kCimdIssuer;
    to.audience = kCimdResource;
    to.algorithm = crypto::JwtAlgorithm::es256;
    to.clock = clock();
    auto ts = auth::TokenService::open(db(), *keys_, to);
    ASSERT_TRUE(ts) << describe(ts);
    tokens_ = std::move(*ts);
    users_ = std::make_unique<auth::UserService>(db(), cimd_fast_hasher(),
                                                 *store::CursorCodec::create(crypto::Bytes(32, 7)));
    auto setup = users_->setup_admin("admin@example.com", "correct horse battery 42", "Admin");
    ASSERT_TRUE(setup) << describe(setup);
    admin_ = auth::Identity{setup->admin.id, setup->tenant_id, "super_admin", {}};
    auto bob = users_->create_user(setup->tenant_id, "bob@example.com", "correct horse battery 43", "Bob", "user");
    ASSERT_TRUE(bob) << describe(bob);
    bob_ = auth::Identity{bob->id, bob->tenant_id, "user", {}};
    build();
  }

  AuthorizationServer::Clock clock() {
    return [this] { return system_clock::now() + std::chrono::milliseconds(offset_ms_.load()); };
  }
  void advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

  // A new authorization server on the same database, its document options adjusted by `tweak`.
  void build(const std::function<void(ClientMetadataDocuments&)>& tweak = {}) {
    AuthorizationServer::Options o;
    o.issuer = kCimdIssuer;
    o.resource = kCimdResource;
    o.clock = clock();
    o.client_metadata.fetch = [docs = docs_](std::string_view url, const net::FetchPolicy& policy) {
      return docs->fetch(url, policy);
    };
    if (tweak) tweak(o.client_metadata);
    as_.reset();
    auto as = AuthorizationServer::create(db(), *tokens_, o);
    ASSERT_TRUE(as) << describe(as);
    as_ = std::move(*as);
  }

  static Parameters authorize_params(std::string_view client_id, std::string_view redirect = kCimdRedirect) {
    return {{"response_type", "code"},
            {"client_id", std::string(client_id)},
            {"redirect_uri", std::string(redirect)},
            {"code_challenge", crypto::base64url_encode(crypto::sha256(crypto::as_bytes(std::string(kVerifier))))},
            {"code_challenge_method", "S256"},
            {"state", "xyz"}};
  }

  // Every way in must refuse the URL with the same precise reason, after exactly one fetch.
  void expect_unusable(const std::string& url, std::string_view reason) {
    SCOPED_TRACE(url);
    auto req = as_->validate_authorization(authorize_params(url));
    ASSERT_FALSE(req);
    EXPECT_EQ(req.error().error, "invalid_request") << describe_cimd_oauth(req);
    EXPECT_EQ(req.error().http_status, 400);
    EXPECT_FALSE(req.error().redirectable);
    EXPECT_TRUE(req.error().description.starts_with(kUnusable)) << req.error().description;
    EXPECT_NE(req.error().description.find(reason), std::string::npos) << req.error().description;

    auto client = as_->find_client(url);
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().error, "invalid_client") << describe_cimd_oauth(client);
    EXPECT_EQ(client.error().http_status, 401);
    EXPECT_EQ(client.error().description, req.error().description);

    auto authenticated = as_->authenticate_client(url, "", "none");
    ASSERT_FALSE(authenticated);
    EXPECT_EQ(authenticated.error().error, "invalid_client");
    EXPECT_TRUE(authenticated.error().description.starts_with(kUnusable)) << describe_cimd_oauth(authenticated);

    EXPECT_EQ(docs_->calls(url), 1);
    // Nothing was stored for a refused document.
    auto row = db().query_row("SELECT count(*) AS n FROM oauth_clients WHERE client_id = ?1", {url});
    ASSERT_TRUE(row) << describe(row);
    EXPECT_EQ((*row)->get<std::int64_t>("n").value(), 0);
  }

  std::shared_ptr<FakeDocuments> docs_ = std::make_shared<FakeDocuments>();
  crypto::Bytes master_ = crypto::random_bytes(32);
  std::atomic<std::int64_t> offset_ms_{0};
  std::unique_ptr<auth::KeyStore> keys_;
  std::unique_ptr<auth::TokenService> tokens_;
  std::unique_ptr<auth::UserService> users_;
  std::unique_ptr<AuthorizationServer> as_;
  auth::Identity admin_;
  auth::Identity bob_;
};

INSTANTIATE_TEST_SUITE_P(oauth2, ClientMetadataTest, ::testing::Values("sqlite_file", "sqlite_memory", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

TEST_P(ClientMetadataTest, MetadataAdvertisesSupport) {
  EXPECT_EQ(as_->authorization_server_metadata()["client_id_metadata_document_supported"], true);
  build([](ClientMetadataDocuments& o) { o.enabled = false; });
  EXPECT_EQ(as_->authorization_server_metadata()["client_id_metadata_document_supported"], false);
}

TEST_P(ClientMetadataTest, FullFlowWithAUrlClientId) {
  docs_->serve(kUrl, json_response(document_for(kUrl, {{"client_uri", "https://app.example.com/"}})));

  auto req = as_->validate_authorization(authorize_params(kUrl));
  ASSERT_TRUE(req) << describe_cimd_oauth(req);
  EXPECT_EQ(req->client.client_id, kUrl);
  EXPECT_EQ(req->client.client_name, "Doc Client");
  EXPECT_FALSE(req->client.confidential());
  EXPECT_FALSE(as_->has_consent(bob_, *req));
  // The fetch ran under the SSRF policy built from the options.
  const auto policy = docs_->last_policy();
  EXPECT_EQ(policy.allowed_schemes, std::vector<std::string>{"https"});
  EXPECT_FALSE(policy.allow_private_addresses);
  EXPECT_EQ(policy.max_response_bytes, 5U * 1024U);
  EXPECT_EQ(policy.accept, "application/json");

  auto code = as_->issue_code(bob_, *req);
  ASSERT_TRUE(code) << describe_cimd_oauth(code);
  EXPECT_TRUE(as_->has_consent(bob_, *req));
  EXPECT_FALSE(as_->has_consent(admin_, *req));

  // The client row exists and find_client returns it as a public client with the document's metadata.
  auto client = as_->find_client(kUrl);
  ASSERT_TRUE(client) << describe_cimd_oauth(client);
  EXPECT_EQ(client->client_id, kUrl);
  EXPECT_EQ(client->client_name, "Doc Client");
  EXPECT_EQ(client->token_endpoint_auth_method, "none");
  EXPECT_EQ(client->redirect_uris, std::vector<std::string>{kCimdRedirect});
  EXPECT_EQ(client->client_uri, "https://app.example.com/");
  auto row = db().query_row("SELECT client_name, token_endpoint_auth_method FROM oauth_clients WHERE client_id = ?1",
                            {std::string(kUrl)});
  ASSERT_TRUE(row) << describe(row);
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->get<std::string>("client_name").value(), "Doc Client");
  EXPECT_EQ((*row)->get<std::string>("token_endpoint_auth_method").value(), "none");

  auto authenticated = as_->authenticate_client(kUrl, "", "none");
  ASSERT_TRUE(authenticated) << describe_cimd_oauth(authenticated);

  auto t = as_->exchange_code(*authenticated, *code, kCimdRedirect, kVerifier, kCimdResource);
  ASSERT_TRUE(t) << describe_cimd_oauth(t);
  EXPECT_FALSE(t->refresh_token.empty());
  auto v = tokens_->verify_token(t->access_token);
  ASSERT_TRUE(v) << describe(v);
  EXPECT_EQ(v->client_id, kUrl);
  EXPECT_EQ(v->identity.user_id, bob_.user_id);
  EXPECT_TRUE(as_->grant_active(v->grant_id).value());

  auto r = as_->refresh(*authenticated, t->refresh_token, "", "");
  ASSERT_TRUE(r) << describe_cimd_oauth(r);
  auto v2 = tokens_->verify_token(r->access_token);
  ASSERT_TRUE(v2) << describe(v2);
  EXPECT_EQ(v2->client_id, kUrl);
  EXPECT_EQ(v2->grant_id, v->grant_id);

  auto grants = as_->list_grants(bob_);
  ASSERT_TRUE(grants) << describe(grants);
  ASSERT_EQ(grants->size(), 1U);
  EXPECT_EQ(grants->at(0).client_id, kUrl);
  EXPECT_EQ(grants->at(0).client_name, "Doc Client");

  // Consent is remembered per URL client: another document with the same redirect URI has none.
  const std::string other = "https://other.example.com/client.json";
  docs_->serve(other, json_response(document_for(other)));
  auto other_req = as_->validate_authorization(authorize_params(other));
  ASSERT_TRUE(other_req) << describe_cimd_oauth(other_req);
  EXPECT_FALSE(as_->has_consent(bob_, *other_req));
  auto again = as_->validate_authorization(authorize_params(kUrl));
  ASSERT_TRUE(again) << describe_cimd_oauth(again);
  EXPECT_TRUE(as_->has_consent(bob_, *again));

  // Everything above was served from one fetch per URL (max-age=600).
  EXPECT_EQ(docs_->calls(kUrl), 1);
  EXPECT_EQ(docs_->calls(other), 1);
}

TEST_P(ClientMetadataTest, RefusesUnusableDocuments) {
  int n = 0;
  const auto next_url = [&n] { return "https://app.example.com/clients/" + std::to_string(++n) + ".json"; };
  const auto with_document = [&](const json& extra, std::string_view reason) {
    const auto url = next_url();
    docs_->serve(url, json_response(document_for(url, extra)));
    expect_unusable(url, reason);
  };
  const auto with_response = [&](net::Response response, std::string_view reason) {
    const auto url = next_url();
    if (response.body.empty()) response.body = document_for(url).dump();
    docs_->serve(url, std::move(response));
    expect_unusable(url, reason);
  };
  const auto response = [](long status, std::string content_type, std::string body = "") {
    net::Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  };

  {
    SCOPED_TRACE("client_id differs");
    // Simple string comparison (§4.1): no normalisation of case, trailing slash or default port.
    const std::vector<std::function<std::string(const std::string&)>> variants{
        [](const std::string& u) { return u + "/"; },
        [](const std::string& u) { return u.substr(0, u.size() - 1); },
        [](const std::string& u) {
          return "https://APP.example.com" + u.substr(std::strlen("https://app.example.com"));
        },
        [](const std::string& u) {
          return "https://app.example.com/Clients" + u.substr(std::strlen("https://app.example.com/clients"));
        },
        [](const std::string& u) {
          return "https://app.example.com:443" + u.substr(std::strlen("https://app.example.com"));
        },
        [](const std::string&) { return std::string("https://app.example.com/clients/other.json"); },
    };
    for (const auto& variant : variants) {
      const auto url = next_url();
      docs_->serve(url, json_response(document_for(variant(url))));
      expect_unusable(url, "its client_id is not exactly the URL it was fetched from");
    }
  }
  with_document({{"client_id", nullptr}}, "its client_id is not exactly the URL");
  with_document({{"client_id", 42}}, "its client_id is not exactly the URL");
  with_document({{"client_secret", "s3cret"}}, "it must not contain client_secret");
  with_document({{"client_secret_expires_at", 0}}, "it must not contain client_secret_expires_at");
  with_document({{"token_endpoint_auth_method", "client_secret_basic"}}, "token_endpoint_auth_method \"none\"");
  with_document({{"token_endpoint_auth_method", "client_secret_post"}}, "token_endpoint_auth_method \"none\"");
  with_document({{"redirect_uris", {"javascript:alert(1)"}}}, "redirect URI scheme not allowed: javascript");
  with_document({{"redirect_uris", {"http://evil.example/cb"}}}, "http redirect URIs are allowed only for loopback");
  with_document({{"redirect_uris", json::array()}}, "redirect_uris is required");
  with_document({{"grant_types", {"client_credentials"}}}, "client_credentials");
  with_response(response(404, "application/json"), "the URL answered HTTP 404");
  with_response(response(500, "application/json"), "the URL answered HTTP 500");
  with_response(response(204, "application/json"), "the URL answered HTTP 204");
  {
    auto redirect = response(302, "text/html", "moved");
    redirect.location = "https://elsewhere.example/client.json";
    with_response(redirect, "the URL redirects (not followed)");
  }
  with_response(response(301, "application/json"), "the URL redirects (not followed)");
  with_response(response(200, "text/html"), "the document is not application/json");
  with_response(response(200, ""), "the document is not application/json");
  with_response(response(200, "application/json", "{\"client_id\":"), "the document is not a JSON object");
  with_response(response(200, "application/json", "[1, 2]"), "the document is not a JSON object");
  with_response(response(200, "application/json", "\"https://app.example.com/x\""),
                "the document is not a JSON object");
  {
    const auto url = next_url();
    docs_->serve(url, fail(ErrorCode::external_service_unavailable, "the request timed out"));
    expect_unusable(url, "the request timed out");
  }
  {
    const auto url = next_url();
    docs_->serve(url, fail(ErrorCode::external_service_error, "the response is larger than 5120 bytes"));
    expect_unusable(url, "the response is larger than 5120 bytes");
  }
  // A structured +json media type is accepted.
  {
    const auto url = next_url();
    auto r = json_response(document_for(url));
    r.content_type = "application/oauth-client+json";
    docs_->serve(url, r);
    EXPECT_TRUE(as_->find_client(url)) << url;
  }
}

TEST_P(ClientMetadataTest, BadUrlsAreRefusedWithoutFetching) {
  for (const char* url : {"https://app.example.com/", "https://app.example.com/a/../client.json",
                          "https://app.example.com/client.json#x", "https://u:p@app.example.com/client.json"}) {
    auto req = as_->validate_authorization(authorize_params(url));
    ASSERT_FALSE(req) << url;
    EXPECT_EQ(req.error().error, "invalid_request") << url;
    EXPECT_TRUE(req.error().description.starts_with(kUnusable)) << describe_cimd_oauth(req);
    auto client = as_->find_client(url);
    ASSERT_FALSE(client) << url;
    EXPECT_EQ(client.error().error, "invalid_client") << url;
  }
  EXPECT_EQ(docs_->total_calls(), 0);
  // Non-https ids are never fetched: they are looked up as registered clients.
  auto plain = as_->find_client("http://app.example.com/client.json");
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().description, "unknown client");
  EXPECT_EQ(docs_->total_calls(), 0);
}

TEST_P(ClientMetadataTest, RedirectUriMustBeInTheDocument) {
  docs_->serve(kUrl, json_response(document_for(kUrl)));
  for (const char* redirect :
       {"http://127.0.0.1:9999/other", "http://127.0.0.1:33418/callback/x", "https://evil.example/callback"}) {
    auto req = as_->validate_authorization(authorize_params(kUrl, redirect));
    ASSERT_FALSE(req) << redirect;
    EXPECT_EQ(req.error().error, "invalid_request") << describe_cimd_oauth(req);
    EXPECT_EQ(req.error().description, "redirect_uri does not match a registered redirect URI");
    EXPECT_FALSE(req.error().redirectable);
  }
  EXPECT_EQ(docs_->calls(kUrl), 1);
}

TEST_P(ClientMetadataTest, UrlClientsCannotAuthenticateWithASecret) {
  docs_->serve(kUrl, json_response(document_for(kUrl)));
  ASSERT_TRUE(as_->authenticate_client(kUrl, "", "none"));
  for (const auto& [secret, method] :
       std::vector<std::pair<std::string, std::string>>{{"s3cret", "client_secret_basic"},
                                                        {"s3cret", "client_secret_post"},
                                                        {"s3cret", "none"},
                                                        {"", "client_secret_basic"}}) {
    auto r = as_->authenticate_client(kUrl, secret, method);
    ASSERT_FALSE(r) << method;
    EXPECT_EQ(r.error().error, "invalid_client") << method;
    EXPECT_EQ(r.error().http_status, 401) << method;
  }
  EXPECT_EQ(docs_->calls(kUrl), 1);
}

TEST_P(ClientMetadataTest, CachesDocumentsForTheirMaxAge) {
  docs_->serve(kUrl, json_response(document_for(kUrl), "public, max-age=600"));
  ASSERT_TRUE(as_->find_client(kUrl));
  EXPECT_EQ(docs_->calls(kUrl), 1);
  docs_->serve(kUrl, json_response(document_for(kUrl, {{"client_name", "Renamed"}}), "max-age=600"));
  advance(599s);
  auto cached = as_->find_client(kUrl);
  ASSERT_TRUE(cached) << describe_cimd_oauth(cached);
  EXPECT_EQ(cached->client_name, "Doc Client");
  EXPECT_EQ(docs_->calls(kUrl), 1);

  advance(2s);
  auto fresh = as_->find_client(kUrl);
  ASSERT_TRUE(fresh) << describe_cimd_oauth(fresh);
  EXPECT_EQ(fresh->client_name, "Renamed");
  EXPECT_EQ(docs_->calls(kUrl), 2);
  auto row = db().query_row("SELECT client_name FROM oauth_clients WHERE client_id = ?1", {std::string(kUrl)});
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->get<std::string>("client_name").value(), "Renamed");

  // no-store: cached for min_cache (30 s) only.
  const std::string volatile_url = "https://app.example.com/volatile.json";
  docs_->serve(volatile_url, json_response(document_for(volatile_url), "no-store"));
  ASSERT_TRUE(as_->find_client(volatile_url));
  advance(29s);
  ASSERT_TRUE(as_->find_client(volatile_url));
  EXPECT_EQ(docs_->calls(volatile_url), 1);
  advance(2s);
  ASSERT_TRUE(as_->find_client(volatile_url));
  EXPECT_EQ(docs_->calls(volatile_url), 2);

  // A huge max-age is clamped to max_cache.
  build([](ClientMetadataDocuments& o) { o.max_cache = 3600s; });
  const std::string long_url = "https://app.example.com/long.json";
  docs_->serve(long_url, json_response(document_for(long_url), "max-age=31536000"));
  ASSERT_TRUE(as_->find_client(long_url));
  advance(3599s);
  ASSERT_TRUE(as_->find_client(long_url));
  EXPECT_EQ(docs_->calls(long_url), 1);
  advance(2s);
  ASSERT_TRUE(as_->find_client(long_url));
  EXPECT_EQ(docs_->calls(long_url), 2);
}

TEST_P(ClientMetadataTest, CachesFailuresForFailureCache) {
  net::Response missing;
  missing.status = 404;
  docs_->serve(kUrl, missing);
  auto first = as_->find_client(kUrl);
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().description.find("HTTP 404"), std::string::npos);
  EXPECT_EQ(docs_->calls(kUrl), 1);

  // Fixed on the client's side, but the failure is remembered for failure_cache (30 s).
  docs_->serve(kUrl, json_response(document_for(kUrl)));
  advance(29s);
  auto cached = as_->find_client(kUrl);
  ASSERT_FALSE(cached);
  EXPECT_EQ(cached.error().description, first.error().description);
  EXPECT_FALSE(as_->validate_authorization(authorize_params(kUrl)));
  EXPECT_EQ(docs_->calls(kUrl), 1);

  advance(2s);
  auto retried = as_->find_client(kUrl);
  ASSERT_TRUE(retried) << describe_cimd_oauth(retried);
  EXPECT_EQ(docs_->calls(kUrl), 2);

  // failure_cache is configurable.
  build([](ClientMetadataDocuments& o) { o.failure_cache = 5s; });
  const std::string url = "https://app.example.com/flaky.json";
  docs_->serve(url, fail(ErrorCode::external_service_unavailable, "the connection was refused"));
  EXPECT_FALSE(as_->find_client(url));
  advance(4s);
  EXPECT_FALSE(as_->find_client(url));
  EXPECT_EQ(docs_->calls(url), 1);
  advance(2s);
  EXPECT_FALSE(as_->find_client(url));
  EXPECT_EQ(docs_->calls(url), 2);
}

TEST_P(ClientMetadataTest, DisabledMeansUnknownClientWithoutFetching) {
  build([](ClientMetadataDocuments& o) { o.enabled = false; });
  docs_->serve(kUrl, json_response(document_for(kUrl)));
  auto client = as_->find_client(kUrl);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().error, "invalid_client");
  EXPECT_EQ(client.error().description, "unknown client");
  auto req = as_->validate_authorization(authorize_params(kUrl));
  ASSERT_FALSE(req);
  EXPECT_EQ(req.error().error, "invalid_request");
  EXPECT_EQ(req.error().description, "unknown client_id");
  auto authenticated = as_->authenticate_client(kUrl, "", "none");
  ASSERT_FALSE(authenticated);
  EXPECT_EQ(authenticated.error().error, "invalid_client");
  EXPECT_EQ(docs_->total_calls(), 0);
}

// DISABLED until AuthorizationServer::State::resolve_client treats an https client_id as unknown when documents are
// disabled (today it falls back to load_client, which finds the row stored while they were enabled, so the client
// keeps working on its last document, never refetched).
TEST_P(ClientMetadataTest, DisablingForgetsUrlClientsSeenBefore) {
  docs_->serve(kUrl, json_response(document_for(kUrl)));
  ASSERT_TRUE(as_->find_client(kUrl));  // stores the client row
  build([](ClientMetadataDocuments& o) { o.enabled = false; });
  auto client = as_->find_client(kUrl);
  EXPECT_FALSE(client) << "a URL client stored while documents were enabled is still served from its row";
  EXPECT_FALSE(as_->validate_authorization(authorize_params(kUrl)));
  EXPECT_EQ(docs_->calls(kUrl), 1);
}

TEST_P(ClientMetadataTest, BoundsConcurrentFetches) {
  build([](ClientMetadataDocuments& o) { o.max_concurrent_fetches = 1; });
  const std::string slow = "https://slow.example.com/client.json";
  docs_->serve(slow, json_response(document_for(slow)));
  docs_->serve(kUrl, json_response(document_for(kUrl)));
  docs_->block(slow);

  OAuthResult<Client> slow_result = std::unexpected(OAuthError{});
  std::thread fetching([&] { slow_result = as_->find_client(slow); });
  const bool blocked = docs_->wait_until_blocked();
  if (!blocked) docs_->release();
  ASSERT_TRUE(blocked) << "the slow fetch never started";

  // The only fetch slot is taken: another URL is turned away, without a fetch and without being cached.
  auto busy = as_->find_client(kUrl);
  auto busy_authorize = as_->validate_authorization(authorize_params(kUrl));
  docs_->release();
  fetching.join();

  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().error, "temporarily_unavailable");
  EXPECT_EQ(busy.error().http_status, 503);
  ASSERT_FALSE(busy_authorize);
  EXPECT_EQ(busy_authorize.error().error, "temporarily_unavailable");
  EXPECT_EQ(busy_authorize.error().http_status, 503);
  EXPECT_EQ(docs_->calls(kUrl), 0);
  ASSERT_TRUE(slow_result) << describe_cimd_oauth(slow_result);

  auto later = as_->find_client(kUrl);
  ASSERT_TRUE(later) << describe_cimd_oauth(later);
  EXPECT_EQ(docs_->calls(kUrl), 1);
  EXPECT_EQ(docs_->calls(slow), 1);
}

}  // namespace
}  // namespace pierre::oauth2
