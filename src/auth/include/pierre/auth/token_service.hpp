#pragma once
// TokenService: issues and verifies the server's JWTs and publishes its JWKS.
//
// Signing keys live in `signing_keys` (migration 002): the public JWK in clear, the PKCS#8 private PEM encrypted with
// the KeyRing under kSystemKeyTenant (context "signing_key:<kid>"). open():
//   * loads the active key (decrypting its PEM; a tampered or foreign record fails start-up with the KeyRing's
//     permission_denied, a PEM whose kid does not match its row with internal_error), plus retired keys whose
//     retire_after has not passed (verification + JWKS only);
//   * never generates a key: start-up stays fast (an RSA-4096 key takes seconds) even on an empty database.
// The first issue() (or an explicit ensure_signing_key()) generates the active key (RS256 with Options::rsa_bits, or
// ES256) and stores it, under generate_mutex_ in this process; the partial unique index on status='active' makes
// concurrent first issuers in other processes converge: the loser loads the winner's. Until then jwks() is empty,
// active_kid() is "" and verify() rejects every token. Restarts reuse the same key and the same kid.
//
// Tokens: header {alg, typ:"JWT", kid}; claims iss, sub (user id), aud, exp, iat, jti (random), tenant, role,
// scopes (array). verify() returns the Identity; errors are JwtVerifier's (auth_malformed / auth_expired /
// auth_invalid), and auth_invalid when a claim this service requires is missing or mistyped.
//
// rotate(): a new active key; the previous one becomes 'retired' with retire_after = now + token lifetime +
// leeway, and stays in the JWKS and the verifier until then. Rotation by another process is picked up on restart.
//
// verify() caches what it verified, keyed by the token's SHA-256, until the token's exp (at most 50,000 entries): a
// token's claims cannot change, and nothing revokes a JWT before it expires (account state is re-read by the routes
// that need it).
//
// Thread safety: all members may be called concurrently.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/auth/identity.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/error.hpp"
#include "pierre/crypto/jwt.hpp"
#include "pierre/store/database.hpp"

namespace pierre::auth {

// What an OAuth 2.0 access token adds to a session token: the client it was issued to and the grant (authorization)
// it belongs to, so that revoking the grant revokes the token; and its own lifetime. Claims: client_id, gid, and
// `scope` (space-separated, RFC 9068) beside our `scopes` array.
struct TokenGrant {
  std::string client_id;
  std::string grant_id;
  std::chrono::seconds lifetime{0};  // 0: Options::lifetime
};

struct VerifiedToken {
  Identity identity;
  std::string client_id;  // empty for session tokens
  std::string grant_id;
  std::int64_t expires_ms = 0;
};

struct IssuedToken {
  std::string token;
  std::chrono::system_clock::time_point expires_at;
};

class TokenService {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  struct Options {
    std::string issuer;                                     // e.g. Config::public_url
    std::string audience;                                   // e.g. "pierre-mcp"
    std::chrono::seconds lifetime{std::chrono::hours(24)};  // Config::jwt_expiry_hours
    crypto::JwtAlgorithm algorithm = crypto::JwtAlgorithm::rs256;
    int rsa_bits = 4096;  // Config::rsa_key_size
    std::chrono::seconds leeway{60};
    Clock clock;  // system_clock::now when empty
  };

  // `keys` must outlive the service; ensures the system key tenant exists.
  static Result<std::unique_ptr<TokenService>> open(store::Database& db, KeyStore& keys, Options options);

  // Generates and stores the active signing key if there is none yet (see above); a no-op afterwards.
  Result<void> ensure_signing_key();
  [[nodiscard]] Result<IssuedToken> issue(const Identity& identity, const TokenGrant& grant = {});
  [[nodiscard]] Result<Identity> verify(std::string_view token) const;
  // verify() plus the OAuth grant claims.
  [[nodiscard]] Result<VerifiedToken> verify_token(std::string_view token) const;
  // {"keys":[...]}: the active key and retired keys still within retire_after.
  [[nodiscard]] nlohmann::json jwks() const;
  [[nodiscard]] std::string active_kid() const;
  [[nodiscard]] const std::string& issuer() const noexcept { return options_.issuer; }
  [[nodiscard]] const std::string& audience() const noexcept { return options_.audience; }
  Result<void> rotate();

 private:
  struct Loaded {
    crypto::SigningKey key;
    std::int64_t retire_after_ms;  // 0 for the active key
  };
  TokenService(store::Database& db, KeyStore& keys, Options options);
  Result<void> load();
  Result<void> store_new_active(const crypto::SigningKey& key, bool retire_current);
  [[nodiscard]] std::chrono::system_clock::time_point now() const;
  void rebuild_verifier_locked();
  [[nodiscard]] Result<VerifiedToken> verify_uncached(std::string_view token) const;
  static constexpr std::size_t kMaxCachedTokens = 50'000;

  store::Database& db_;
  KeyStore& keys_;
  Options options_;
  std::mutex generate_mutex_;  // serialises first-key generation and rotation in this process
  mutable std::shared_mutex mutex_;
  std::vector<Loaded> keys_loaded_;  // [0] is the active key
  std::shared_ptr<const crypto::JwtVerifier> verifier_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, VerifiedToken> verified_;  // by SHA-256 of the token
};

}  // namespace pierre::auth
