// Black-box proof that the running server refuses forged and doctored JWTs, over real HTTP, on a REST route that
// needs a JWT session (GET /api/keys) and on MCP (POST /mcp tools/list, protocol 2026-07-28).
//
// Each attack token has exactly one flaw. Tokens that must carry a valid signature are signed with the server's REAL
// key: the test opens the server's SQLite file, unlocks its KeyStore with the fixed master key, and either issues
// through a TokenService with chosen issuer/audience/clock (open() loads the server's active key) or signs chosen
// claims with the decrypted signing key itself. Controls prove that the same minting paths yield accepted tokens, so
// the one flaw is what the server refuses.
//
// Expected codes (src/crypto/jwt.cpp): AUTH_MALFORMED for shape/base64url/JSON damage, AUTH_EXPIRED for exp passed,
// AUTH_INVALID for everything else (algorithm, kid, signature, iss, aud, nbf, iat). MCP answers 401 with
// `WWW-Authenticate: Bearer ... error="invalid_token"`.
// Suite names start with "jwt_attack_" so that `ctest -R jwt_attack` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "identity_support.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/core/config.hpp"
#include "pierre/crypto/jwt.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::system_clock;
using Headers = std::map<std::string, std::string>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

std::string b64url(std::string_view text) {
  return crypto::base64url_encode(crypto::as_bytes(text));
}

std::string b64url_json(const json& j) {
  return b64url(j.dump());
}

crypto::Bytes b64url_bytes(std::string_view text) {
  crypto::Bytes out;
  EXPECT_TRUE(crypto::base64url_decode(text, out)) << text;
  return out;
}

json b64url_to_json(std::string_view text) {
  const auto bytes = b64url_bytes(text);
  return json::parse(std::string(bytes.begin(), bytes.end()));
}

// The three segments of a compact JWS.
struct Parts {
  std::string header;
  std::string payload;
  std::string signature;
};

Parts split(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::string join(const Parts& p) {
  return p.header + "." + p.payload + "." + p.signature;
}

std::string flip_signature_byte(const std::string& token, std::size_t index) {
  auto p = split(token);
  auto sig = b64url_bytes(p.signature);
  sig.at(index) ^= 0x01;
  p.signature = crypto::base64url_encode(sig);
  return join(p);
}

HttpResponse send_json(HttpClient& c, verb method, const std::string& target, const json& body,
                       const std::string& token) {
  Headers h{{"Content-Type", "application/json"}};
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return c.request(method, target, body.is_null() ? std::string{} : body.dump(), h);
}

// tools/list on /mcp (2026-07-28, stateless), authenticated by `token` as a bearer token.
HttpResponse mcp_list(HttpClient& c, const std::string& token) {
  return mcp_tools_list(c, token);
}

std::string error_code(const HttpResponse& res) {
  const auto j = json::parse(res.body(), nullptr, false);
  if (j.is_discarded() || !j.contains("error") || !j["error"].is_object())
    return "<no error object: " + res.body() + ">";
  return j["error"].value("code", "");
}

// One server on a SQLite file, its admin's genuine JWT, and the server's key material opened in this process.
class jwt_attack_tokens : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    const std::string url = "sqlite:" + dir_->path() + "/pierre.db";
    server_ = std::make_unique<ServerProcess>(identity_server(*dir_, url));
    HttpClient c(server_->port());

    auto setup = send_json(c, verb::post, "/admin/setup",
                           {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "Admin"}}, "");
    ASSERT_EQ(setup.result_int(), 201) << setup.body();
    // Login generates and stores the signing key.
    auto login = send_json(c, verb::post, "/auth/login", {{"email", kAdminEmail}, {"password", kAdminPassword}}, "");
    ASSERT_EQ(login.result_int(), 200) << login.body();
    const auto body = body_json(login);
    genuine_ = body.value("jwt_token", "");
    ASSERT_FALSE(genuine_.empty()) << login.body();
    const auto& user = body["user"];
    const auto parts = split(genuine_);
    header_ = b64url_to_json(parts.header);
    claims_ = b64url_to_json(parts.payload);
    identity_ = Identity{user.value("id", ""), user.value("tenant_id", ""), user.value("role", ""),
                         claims_.value("scopes", std::vector<std::string>{})};
    ASSERT_FALSE(identity_.user_id.empty()) << login.body();
    ASSERT_EQ(claims_["sub"], identity_.user_id);
    ASSERT_EQ(claims_["tenant"], identity_.tenant_id);
    ASSERT_EQ(claims_["role"], identity_.role);
    issuer_ = server_->base_url();
    audience_ = issuer_ + "/mcp";
    ASSERT_EQ(claims_["iss"], issuer_);
    ASSERT_EQ(claims_["aud"], audience_);
    ASSERT_EQ(header_["alg"], "RS256");

    auto jwks = c.get("/oauth2/jwks");
    ASSERT_EQ(jwks.result_int(), 200) << jwks.body();
    jwks_ = body_json(jwks);

    // The server's key material, from its own database.
    auto db = store::open(url);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    crypto::Bytes master;
    ASSERT_TRUE(crypto::base64_decode(kMasterKey, master));
    auto keys = auth::KeyStore::open(*db_, master);
    ASSERT_TRUE(keys) << keys.error().message;
    keys_ = std::move(*keys);

    auto row = db_->query_row("SELECT kid, private_pem_encrypted FROM signing_keys WHERE status = 'active'");
    ASSERT_TRUE(row && *row) << (row ? "no active signing key" : row.error().message);
    const auto kid = (*row)->get<std::string>("kid");
    const auto encrypted = (*row)->get<std::string>("private_pem_encrypted");
    ASSERT_TRUE(kid && encrypted);
    ASSERT_EQ(*kid, header_["kid"].get<std::string>());
    const auto ciphertext = config::decode_base64(*encrypted);
    ASSERT_TRUE(ciphertext);
    auto pem = keys_->keyring().decrypt(auth::kSystemKeyTenant, *ciphertext, "signing_key:" + *kid);
    ASSERT_TRUE(pem) << pem.error().message;
    private_pem_.assign(pem->begin(), pem->end());
    auto key = crypto::SigningKey::from_private_pem(private_pem_);
    ASSERT_TRUE(key) << key.error().message;
    ASSERT_EQ(key->kid(), *kid);
    key_ = std::make_unique<crypto::SigningKey>(std::move(*key));
  }

  static void TearDownTestSuite() {
    key_.reset();
    keys_.reset();
    db_.reset();
    server_.reset();
    dir_.reset();
  }

  void SetUp() override {
    if (!key_) GTEST_SKIP() << "suite setup failed";
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // A token issued by a TokenService on the server's database and key; `tweak` adjusts the options, which start as
  // exactly the server's (issuer, audience, 1 h lifetime, real clock).
  template <typename Tweak>
  static std::string issue(Tweak tweak) {
    auth::TokenService::Options o;
    o.issuer = issuer_;
    o.audience = audience_;
    o.lifetime = std::chrono::hours(1);
    o.rsa_bits = 2048;
    tweak(o);
    auto service = auth::TokenService::open(*db_, *keys_, std::move(o));
    EXPECT_TRUE(service) << service.error().message;
    if (!service) return {};
    EXPECT_EQ((*service)->active_kid(), header_["kid"].get<std::string>())
        << "the test must sign with the server's key";
    auto token = (*service)->issue(identity_);
    EXPECT_TRUE(token) << token.error().message;
    return token ? token->token : std::string{};
  }
  static std::string issue() {
    return issue([](auth::TokenService::Options&) {});
  }

  // The genuine token's claims, adjusted by `tweak`, signed with `key` (the server's key by default).
  template <typename Tweak>
  static std::string sign(Tweak tweak, const crypto::SigningKey* key = nullptr) {
    json claims = claims_;
    const auto now = unix_now();
    claims["iat"] = now;
    claims["exp"] = now + 3600;
    claims["jti"] = crypto::base64url_encode(crypto::random_bytes(16));
    tweak(claims);
    auto token = crypto::sign_jwt(key != nullptr ? *key : *key_, claims);
    EXPECT_TRUE(token) << token.error().message;
    return token ? *token : std::string{};
  }

  void expect_accepted(const std::string& token, const std::string& what) {
    auto rest = send_json(*client_, verb::get, "/api/keys", nullptr, token);
    EXPECT_EQ(rest.result_int(), 200) << what << ": " << rest.body();
    EXPECT_TRUE(body_json(rest).contains("api_keys")) << what;
    auto mcp = mcp_list(*client_, token);
    EXPECT_EQ(mcp.result_int(), 200) << what << ": " << mcp.body();
    EXPECT_THAT(mcp.body(), HasSubstr("get_connection_status")) << what;
  }

  void expect_rejected(const std::string& token, const std::string& code, const std::string& what) {
    ASSERT_FALSE(token.empty()) << what;
    ASSERT_NE(token, genuine_) << what;
    auto rest = send_json(*client_, verb::get, "/api/keys", nullptr, token);
    EXPECT_EQ(rest.result_int(), 401) << what << ": " << rest.body();
    EXPECT_EQ(error_code(rest), code) << what;
    EXPECT_THAT(rest.body(), ::testing::Not(HasSubstr("api_keys"))) << what;
    auto mcp = mcp_list(*client_, token);
    EXPECT_EQ(mcp.result_int(), 401) << what << ": " << mcp.body();
    const std::string challenge(mcp[boost::beast::http::field::www_authenticate]);
    EXPECT_THAT(challenge, StartsWith("Bearer")) << what;
    EXPECT_THAT(challenge, HasSubstr(R"(error="invalid_token")")) << what;
    EXPECT_THAT(mcp.body(), ::testing::Not(HasSubstr("get_connection_status"))) << what;
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<store::Database> db_;
  static inline std::unique_ptr<auth::KeyStore> keys_;
  static inline std::unique_ptr<crypto::SigningKey> key_;
  static inline std::string private_pem_;
  static inline std::string genuine_;
  static inline json header_;
  static inline json claims_;
  static inline json jwks_;
  static inline Identity identity_;
  static inline std::string issuer_;
  static inline std::string audience_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(jwt_attack_tokens, GenuineAndHonestlyMintedTokensAreAccepted) {
  expect_accepted(genuine_, "genuine login token");
  // The minting paths the attacks use produce accepted tokens when nothing is wrong with them.
  expect_accepted(issue(), "TokenService with the server's options");
  expect_accepted(sign([](json&) {}), "signed with the server's key");
  expect_accepted(sign([](json& c) { c["nbf"] = unix_now() - 10; }), "nbf in the past");
  // Clock controls for the expiry / future attacks: 3 h ago with a 4 h lifetime is still valid; iat 30 s ahead is
  // within the 60 s leeway.
  expect_accepted(issue([](auto& o) {
                    o.clock = [] { return Clock::now() - std::chrono::hours(3); };
                    o.lifetime = std::chrono::hours(4);
                  }),
                  "issued 3 h ago, valid 4 h");
  expect_accepted(issue([](auto& o) { o.clock = [] { return Clock::now() + std::chrono::seconds(30); }; }),
                  "iat 30 s ahead");
  // The key the test signs with is the one the server publishes.
  ASSERT_EQ(jwks_["keys"].size(), 1U) << jwks_.dump();
  EXPECT_EQ(jwks_["keys"][0], key_->public_jwk());
}

TEST_F(jwt_attack_tokens, AlgNoneIsRejected) {
  const auto p = split(genuine_);
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    json h = header_;
    h["alg"] = alg;
    const auto header = b64url_json(h);
    // Unsigned (empty signature segment), and with the genuine signature left in place.
    expect_rejected(header + "." + p.payload + ".", "AUTH_INVALID", std::string("alg ") + alg + ", no signature");
    expect_rejected(header + "." + p.payload + "." + p.signature, "AUTH_INVALID",
                    std::string("alg ") + alg + ", genuine signature");
  }
  json no_kid = {{"alg", "none"}, {"typ", "JWT"}};
  expect_rejected(b64url_json(no_kid) + "." + p.payload + ".", "AUTH_INVALID", "alg none without kid");
}

TEST_F(jwt_attack_tokens, Hs256SignedWithThePublicKeyIsRejected) {
  // Algorithm confusion: HS256 with the server's public key (as PEM, as an attacker would fetch it) as HMAC secret.
  const std::string pem = key_->public_pem();
  ASSERT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----"));
  std::string pem_trimmed = pem;
  while (!pem_trimmed.empty() && pem_trimmed.back() == '\n') pem_trimmed.pop_back();
  const auto payload = split(genuine_).payload;
  for (const auto& [secret, label] : std::vector<std::pair<std::string, std::string>>{
           {pem, "PEM"}, {pem_trimmed, "PEM without trailing newline"}, {jwks_["keys"][0].dump(), "JWK JSON"}}) {
    for (const char* alg : {"HS256", "HS384", "HS512"}) {
      json h = header_;
      h["alg"] = alg;
      const auto input = b64url_json(h) + "." + payload;
      const auto mac = crypto::hmac_sha256(crypto::as_bytes(secret), crypto::as_bytes(input));
      expect_rejected(input + "." + crypto::base64url_encode(mac), "AUTH_INVALID",
                      std::string(alg) + " keyed with the " + label);
    }
  }
}

TEST_F(jwt_attack_tokens, UnknownKidIsRejected) {
  // Signed with the server's real key, but naming a kid the server does not know.
  auto renamed = crypto::SigningKey::from_private_pem(private_pem_, "unknown-kid-0123456789");
  ASSERT_TRUE(renamed) << renamed.error().message;
  expect_rejected(sign([](json&) {}, &*renamed), "AUTH_INVALID", "real key, unknown kid");
  // The attacker's own key under its own kid.
  auto own = crypto::SigningKey::generate(crypto::JwtAlgorithm::rs256, 2048);
  ASSERT_TRUE(own) << own.error().message;
  expect_rejected(sign([](json&) {}, &*own), "AUTH_INVALID", "attacker's key, attacker's kid");
  // No kid at all, the genuine signature left in place.
  json h = header_;
  h.erase("kid");
  auto p = split(genuine_);
  p.header = b64url_json(h);
  expect_rejected(join(p), "AUTH_INVALID", "no kid");
}

TEST_F(jwt_attack_tokens, ForeignKeyUnderTheServersKidIsRejected) {
  auto own = crypto::SigningKey::generate(crypto::JwtAlgorithm::rs256, 2048);
  ASSERT_TRUE(own) << own.error().message;
  auto impostor = crypto::SigningKey::from_private_pem(own->private_pem(), header_["kid"].get<std::string>());
  ASSERT_TRUE(impostor) << impostor.error().message;
  expect_rejected(sign([](json&) {}, &*impostor), "AUTH_INVALID", "attacker's RS256 key, server's kid");
  auto ec = crypto::SigningKey::generate(crypto::JwtAlgorithm::es256);
  ASSERT_TRUE(ec) << ec.error().message;
  auto ec_impostor = crypto::SigningKey::from_private_pem(ec->private_pem(), header_["kid"].get<std::string>());
  ASSERT_TRUE(ec_impostor) << ec_impostor.error().message;
  expect_rejected(sign([](json&) {}, &*ec_impostor), "AUTH_INVALID", "attacker's ES256 key, server's kid");
}

TEST_F(jwt_attack_tokens, WrongIssuerIsRejected) {
  expect_rejected(issue([](auto& o) { o.issuer = "https://evil.example"; }), "AUTH_INVALID", "iss evil");
  expect_rejected(sign([](json& c) { c.erase("iss"); }), "AUTH_INVALID", "no iss");
  expect_rejected(sign([](json& c) { c["iss"] = issuer_ + "/"; }), "AUTH_INVALID", "iss with trailing slash");
  expect_rejected(sign([](json& c) { c["iss"] = json::array({issuer_}); }), "AUTH_INVALID", "iss as array");
}

TEST_F(jwt_attack_tokens, WrongAudienceIsRejected) {
  expect_rejected(issue([](auto& o) { o.audience = "https://evil.example/mcp"; }), "AUTH_INVALID", "aud evil");
  expect_rejected(sign([](json& c) { c.erase("aud"); }), "AUTH_INVALID", "no aud");
  expect_rejected(sign([](json& c) { c["aud"] = issuer_; }), "AUTH_INVALID", "aud = issuer");
  expect_rejected(sign([](json& c) { c["aud"] = json::array({"https://evil.example/mcp"}); }), "AUTH_INVALID",
                  "aud array without ours");
}

TEST_F(jwt_attack_tokens, ExpiredTokenIsRejected) {
  expect_rejected(issue([](auto& o) {
                    o.clock = [] { return Clock::now() - std::chrono::hours(3); };
                    o.lifetime = std::chrono::hours(1);
                  }),
                  "AUTH_EXPIRED", "expired 2 h ago");
  // Just beyond the 60 s leeway.
  expect_rejected(sign([](json& c) {
                    c["iat"] = unix_now() - 7200;
                    c["exp"] = unix_now() - 65;
                  }),
                  "AUTH_EXPIRED", "expired 65 s ago");
  expect_rejected(sign([](json& c) { c.erase("exp"); }), "AUTH_INVALID", "no exp");
  expect_rejected(sign([](json& c) { c["exp"] = std::to_string(unix_now() + 3600); }), "AUTH_INVALID", "exp as string");
}

TEST_F(jwt_attack_tokens, NotYetValidTokenIsRejected) {
  expect_rejected(issue([](auto& o) { o.clock = [] { return Clock::now() + std::chrono::hours(2); }; }), "AUTH_INVALID",
                  "iat 2 h in the future");
  expect_rejected(sign([](json& c) { c["nbf"] = unix_now() + 7200; }), "AUTH_INVALID", "nbf 2 h in the future");
  expect_rejected(sign([](json& c) { c["nbf"] = unix_now() + 120; }), "AUTH_INVALID", "nbf beyond the leeway");
}

TEST_F(jwt_attack_tokens, TamperedHeaderIsRejected) {
  const auto p = split(genuine_);
  auto with_header = [&](const std::string& header) { return header + "." + p.payload + "." + p.signature; };
  json extra = header_;
  extra["x5u"] = "https://evil.example/key";
  expect_rejected(with_header(b64url_json(extra)), "AUTH_INVALID", "extra header member");
  json jku = header_;
  jku["jku"] = "https://evil.example/jwks";
  expect_rejected(with_header(b64url_json(jku)), "AUTH_INVALID", "jku header");
  json typ = header_;
  typ["typ"] = "at+jwt";
  expect_rejected(with_header(b64url_json(typ)), "AUTH_INVALID", "typ changed");
  json es = header_;
  es["alg"] = "ES256";
  expect_rejected(with_header(b64url_json(es)), "AUTH_INVALID", "alg RS256 -> ES256");
  json crit = header_;
  crit["crit"] = json::array({"exp"});
  expect_rejected(with_header(b64url_json(crit)), "AUTH_INVALID", "crit header");
  // Same JSON, different bytes (whitespace): still not what was signed.
  expect_rejected(with_header(b64url(header_.dump(1))), "AUTH_INVALID", "re-serialised header");
  expect_rejected(with_header(b64url("not json")), "AUTH_MALFORMED", "header not JSON");
  expect_rejected(with_header(b64url("[1,2]")), "AUTH_MALFORMED", "header not an object");
  expect_rejected(with_header(p.header + "="), "AUTH_MALFORMED", "header with padding");
  expect_rejected(with_header("eyJ+bad/"), "AUTH_MALFORMED", "header not base64url");
  expect_rejected("." + p.payload + "." + p.signature, "AUTH_MALFORMED", "header empty");
}

TEST_F(jwt_attack_tokens, TamperedPayloadIsRejected) {
  const auto p = split(genuine_);
  auto with_payload = [&](const std::string& payload) { return p.header + "." + payload + "." + p.signature; };
  const std::vector<std::pair<std::string, json>> edits = {
      {"role", claims_["role"] == "super_admin" ? "admin" : "super_admin"},  // the admin is super_admin
      {"sub", "usr_000000000000000000000000"},
      {"tenant", "ten_000000000000000000000000"},
      {"exp", claims_["exp"].get<std::int64_t>() + 86400 * 365},
      {"scopes", json::array({"mcp:read", "mcp:write", "tenant:admin", "server:admin", "server:root"})},
  };
  for (const auto& [name, value] : edits) {
    json c = claims_;
    c[name] = value;
    ASSERT_NE(c, claims_) << name << ": the edit must change the claims";
    expect_rejected(with_payload(b64url_json(c)), "AUTH_INVALID", "payload " + name + " changed");
  }
  expect_rejected(with_payload(b64url(claims_.dump(1))), "AUTH_INVALID", "re-serialised payload");
  // The payload is not parsed before the signature is checked: garbage that still decodes fails the signature.
  expect_rejected(with_payload(b64url("not json")), "AUTH_INVALID", "payload not JSON");
  expect_rejected(with_payload(p.payload + "*"), "AUTH_MALFORMED", "payload not base64url");
  expect_rejected(p.header + ".." + p.signature, "AUTH_MALFORMED", "payload empty");
  // A doctored payload swapped in from another genuine token (same key, different claims) does not verify.
  const auto other = split(issue());
  expect_rejected(with_payload(other.payload), "AUTH_INVALID", "payload from another token");
}

TEST_F(jwt_attack_tokens, TamperedSignatureIsRejected) {
  const auto p = split(genuine_);
  const auto sig = b64url_bytes(p.signature);
  ASSERT_EQ(sig.size(), 256U);  // RSA-2048
  for (const std::size_t i : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
    expect_rejected(flip_signature_byte(genuine_, i), "AUTH_INVALID", "signature byte " + std::to_string(i));
  }
  crypto::Bytes truncated(sig.begin(), sig.end() - 1);
  expect_rejected(p.header + "." + p.payload + "." + crypto::base64url_encode(truncated), "AUTH_INVALID",
                  "signature truncated");
  crypto::Bytes zeros(sig.size(), 0);
  expect_rejected(p.header + "." + p.payload + "." + crypto::base64url_encode(zeros), "AUTH_INVALID",
                  "signature all zeros");
  expect_rejected(p.header + "." + p.payload + ".", "AUTH_INVALID", "signature empty");
  // The signature of another genuine token (same key, different claims).
  auto other = p;
  other.signature = split(issue()).signature;
  expect_rejected(join(other), "AUTH_INVALID", "signature from another token");
  expect_rejected(p.header + "." + p.payload + "." + p.signature + "!", "AUTH_MALFORMED", "signature not base64url");
  expect_rejected(p.header + "." + p.payload, "AUTH_MALFORMED", "two segments");
  expect_rejected(genuine_ + ".", "AUTH_MALFORMED", "four segments");
}

TEST_F(jwt_attack_tokens, CachedTokenWithAFlippedSignatureByteIsRejected) {
  // The server caches verified tokens by SHA-256 of their text; a near-copy must not ride on the cached entry.
  const auto token = issue();
  expect_accepted(token, "fresh token, first use");
  expect_accepted(token, "fresh token, cached");
  const auto sig = b64url_bytes(split(token).signature);
  expect_rejected(flip_signature_byte(token, sig.size() - 1), "AUTH_INVALID", "cached token, last byte flipped");
  expect_rejected(flip_signature_byte(token, 0), "AUTH_INVALID", "cached token, first byte flipped");
  // And it stays refused when presented again (a rejection is not cached as an acceptance).
  expect_rejected(flip_signature_byte(token, 0), "AUTH_INVALID", "cached token, first byte flipped, again");
  expect_accepted(token, "original still accepted");
}

}  // namespace
}  // namespace pierre::testing
