#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth_backend.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/core/config.hpp"

namespace pierre::auth::testing {
namespace {

using std::chrono::system_clock;

TokenService::Options token_options(crypto::JwtAlgorithm alg = crypto::JwtAlgorithm::es256) {
  TokenService::Options o;
  o.issuer = "https://pierre.test";
  o.audience = "pierre-mcp";
  o.lifetime = std::chrono::hours(1);
  o.algorithm = alg;
  o.rsa_bits = 2048;
  return o;
}

const Identity alice{"usr_alice", "tnt_one", "admin", {"mcp:read", "tenant:admin"}};

nlohmann::json payload_of(const std::string& token, int part) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  crypto::Bytes bytes;
  EXPECT_TRUE(crypto::base64url_decode(parts.at(static_cast<std::size_t>(part)), bytes));
  return nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
}

TEST_P(AuthBackendTest, IssuesTokensWithEveryClaimAndVerifiesThem) {
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks) << describe(ks);
  auto ts = TokenService::open(db(), **ks, token_options());
  ASSERT_TRUE(ts) << describe(ts);
  const auto before = system_clock::now();
  auto issued = (*ts)->issue(alice);
  ASSERT_TRUE(issued) << describe(issued);
  EXPECT_GE(issued->expires_at, before + std::chrono::minutes(59));
  EXPECT_LE(issued->expires_at, before + std::chrono::minutes(61));

  const auto header = payload_of(issued->token, 0);
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], (*ts)->active_kid());
  const auto claims = payload_of(issued->token, 1);
  EXPECT_EQ(claims["iss"], "https://pierre.test");
  EXPECT_EQ(claims["aud"], "pierre-mcp");
  EXPECT_EQ(claims["sub"], "usr_alice");
  EXPECT_EQ(claims["tenant"], "tnt_one");
  EXPECT_EQ(claims["role"], "admin");
  EXPECT_EQ(claims["scopes"], nlohmann::json::array({"mcp:read", "tenant:admin"}));
  EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 3600);
  ASSERT_TRUE(claims["jti"].is_string());
  EXPECT_NE(claims["jti"], payload_of((*ts)->issue(alice)->token, 1)["jti"]);

  auto identity = (*ts)->verify(issued->token);
  ASSERT_TRUE(identity) << describe(identity);
  EXPECT_EQ(*identity, alice);

  // A flipped signature character, another audience's verifier, garbage.
  std::string tampered = issued->token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE((*ts)->verify(tampered));
  EXPECT_EQ((*ts)->verify("not.a.jwt").error().code, ErrorCode::auth_malformed);
  auto other_opts = token_options();
  other_opts.audience = "someone-else";
  auto other = TokenService::open(db(), **ks, other_opts);
  ASSERT_TRUE(other) << describe(other);
  EXPECT_EQ((*other)->active_kid(), (*ts)->active_kid());                            // same stored key...
  EXPECT_EQ((*other)->verify(issued->token).error().code, ErrorCode::auth_invalid);  // ...wrong audience

  EXPECT_EQ((*ts)->issue(Identity{"", "t", "user", {}}).error().code, ErrorCode::invalid_input);
}

TEST_P(AuthBackendTest, ExpiredTokensAreRejected) {
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks);
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'800'000'000);
  auto o = token_options();
  o.clock = [now] { return system_clock::time_point(std::chrono::seconds(now->load())); };
  auto ts = TokenService::open(db(), **ks, o);
  ASSERT_TRUE(ts) << describe(ts);
  auto issued = (*ts)->issue(alice);
  ASSERT_TRUE(issued);
  EXPECT_TRUE((*ts)->verify(issued->token));
  now->fetch_add(3600 + 61);
  EXPECT_EQ((*ts)->verify(issued->token).error().code, ErrorCode::auth_expired);
}

TEST_P(AuthPersistentTest, RestartReusesTheStoredSigningKey) {
  std::string kid;
  std::string token;
  {
    auto ks = KeyStore::open(db(), master_);
    ASSERT_TRUE(ks);
    auto ts = TokenService::open(db(), **ks, token_options(crypto::JwtAlgorithm::rs256));
    ASSERT_TRUE(ts) << describe(ts);
    token = (*ts)->issue(alice)->token;
    kid = (*ts)->active_kid();
    EXPECT_EQ((*ts)->jwks()["keys"][0]["kty"], "RSA");
  }
  // The private key is not stored in clear.
  auto row = db().query_row("SELECT private_pem_encrypted, public_jwk, status FROM signing_keys");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->get<std::string>("private_pem_encrypted")->find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ((*row)->get<std::string>("status").value_or(""), "active");

  reopen();  // a new process: new connections, new KeyRing, new TokenService
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks);
  auto ts = TokenService::open(db(), **ks, token_options(crypto::JwtAlgorithm::rs256));
  ASSERT_TRUE(ts) << describe(ts);
  EXPECT_EQ((*ts)->active_kid(), kid);
  auto identity = (*ts)->verify(token);
  ASSERT_TRUE(identity) << describe(identity);
  EXPECT_EQ(identity->user_id, "usr_alice");
  auto n = db().query_row("SELECT count(*) FROM signing_keys");
  EXPECT_EQ((*n)->get<std::int64_t>(0).value_or(-1), 1);
}

TEST_P(AuthBackendTest, TamperedStoredPrivateKeyFailsStartUp) {
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks);
  {
    auto first = TokenService::open(db(), **ks, token_options());
    ASSERT_TRUE(first);
    ASSERT_TRUE((*first)->ensure_signing_key());
  }
  auto row = db().query_row("SELECT kid, private_pem_encrypted FROM signing_keys");
  ASSERT_TRUE(row && *row);
  auto bytes = *config::decode_base64((*row)->get<std::string>("private_pem_encrypted").value());
  bytes[bytes.size() - 20] ^= 0x01;
  ASSERT_TRUE(db().execute("UPDATE signing_keys SET private_pem_encrypted = ?1", {config::encode_base64(bytes)}));
  auto ts = TokenService::open(db(), **ks, token_options());
  ASSERT_FALSE(ts);
  EXPECT_EQ(ts.error().code, ErrorCode::permission_denied);

  // Moving the ciphertext to another kid fails too (the kid is bound as the decryption context).
  ASSERT_TRUE(db().execute("UPDATE signing_keys SET private_pem_encrypted = ?1",
                           {(*row)->get<std::string>("private_pem_encrypted").value()}));
  ASSERT_TRUE(TokenService::open(db(), **ks, token_options()));
  ASSERT_TRUE(db().execute("UPDATE signing_keys SET kid = ?1", {std::string("some-other-kid")}));
  EXPECT_FALSE(TokenService::open(db(), **ks, token_options()));
}

TEST_P(AuthPersistentTest, RotationKeepsOldTokensValidAndPublishesBothKeysUntilTheyExpire) {
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'800'000'000);
  auto o = token_options();
  o.clock = [now] { return system_clock::time_point(std::chrono::seconds(now->load())); };
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks);
  auto ts = TokenService::open(db(), **ks, o);
  ASSERT_TRUE(ts);
  const auto old_token = (*ts)->issue(alice)->token;
  const auto old_kid = (*ts)->active_kid();

  ASSERT_TRUE((*ts)->rotate());
  const auto new_kid = (*ts)->active_kid();
  EXPECT_NE(new_kid, old_kid);
  EXPECT_EQ(payload_of((*ts)->issue(alice)->token, 0)["kid"], new_kid);
  EXPECT_TRUE((*ts)->verify(old_token));
  auto keys = (*ts)->jwks()["keys"];
  ASSERT_EQ(keys.size(), 2u);

  // After a restart the retired key is still published and accepted.
  reopen();
  auto ks2 = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks2);
  auto ts2 = TokenService::open(db(), **ks2, o);
  ASSERT_TRUE(ts2) << describe(ts2);
  EXPECT_EQ((*ts2)->active_kid(), new_kid);
  EXPECT_EQ((*ts2)->jwks()["keys"].size(), 2u);
  EXPECT_TRUE((*ts2)->verify(old_token));

  // Once every token of the old key has expired, it leaves the JWKS (and is not loaded on restart).
  now->fetch_add(3600 + 61 + 1);
  EXPECT_EQ((*ts2)->jwks()["keys"].size(), 1u);
  auto ts3 = TokenService::open(db(), **ks2, o);
  ASSERT_TRUE(ts3);
  ASSERT_EQ((*ts3)->jwks()["keys"].size(), 1u);
  EXPECT_EQ((*ts3)->jwks()["keys"][0]["kid"], new_kid);
  auto statuses = db().query("SELECT kid, status FROM signing_keys ORDER BY created_at");
  ASSERT_TRUE(statuses);
  ASSERT_EQ(statuses->rows.size(), 2u);
}

TEST_P(AuthBackendTest, OpenGeneratesNoKeyTheFirstIssueGeneratesExactlyOne) {
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks);
  auto ts = TokenService::open(db(), **ks, token_options());
  ASSERT_TRUE(ts) << describe(ts);
  auto count = [&] {
    auto c = db().query_row("SELECT count(*) FROM signing_keys");
    return (*c)->get<std::int64_t>(0).value_or(-1);
  };
  EXPECT_EQ(count(), 0);
  EXPECT_TRUE((*ts)->jwks()["keys"].empty());
  EXPECT_EQ((*ts)->active_kid(), "");
  EXPECT_EQ((*ts)->verify("a.b.c").error().code != ErrorCode::internal_error, true);

  // Concurrent first issues on one service converge on one key.
  constexpr int n = 4;
  std::vector<std::string> kids(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      auto issued = (*ts)->issue(alice);
      kids[static_cast<std::size_t>(i)] = issued ? payload_of(issued->token, 0)["kid"].get<std::string>() : "error";
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& kid : kids) EXPECT_EQ(kid, (*ts)->active_kid());
  EXPECT_EQ(count(), 1);
  ASSERT_EQ((*ts)->jwks()["keys"].size(), 1u);
  EXPECT_EQ((*ts)->jwks()["keys"][0]["kid"], (*ts)->active_kid());
  ASSERT_TRUE((*ts)->ensure_signing_key());
  EXPECT_EQ(count(), 1);
}

TEST_P(AuthPersistentTest, ConcurrentFirstStartsAgreeOnOneActiveKey) {
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks);
  constexpr int n = 4;
  std::vector<std::string> kids(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      auto ts = TokenService::open(db(), **ks, token_options());
      if (!ts) {
        kids[static_cast<std::size_t>(i)] = "error: " + describe(ts);
        return;
      }
      auto ensured = (*ts)->ensure_signing_key();
      kids[static_cast<std::size_t>(i)] = ensured ? (*ts)->active_kid() : "error: " + describe(ensured);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& kid : kids) EXPECT_EQ(kid, kids[0]);
  auto c = db().query_row("SELECT count(*) FROM signing_keys WHERE status = 'active'");
  EXPECT_EQ((*c)->get<std::int64_t>(0).value_or(-1), 1);
}

}  // namespace
}  // namespace pierre::auth::testing
