#pragma once
// JWT (RFC 7519) as compact JWS (RFC 7515) with RS256 (default) or ES256, and JWKS (RFC 7517) publication.
// All signing and verification goes through OpenSSL 3 EVP; nothing here is hand-rolled crypto.
//
// Issued tokens carry {alg, typ:"JWT", kid} in the header. A key's kid is its RFC 7638 JWK thumbprint.
// Verification never throws on hostile input: every rejection is an Error with a fixed, client-safe message.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace pierre::crypto {

enum class JwtAlgorithm { rs256, es256 };

// "RS256" / "ES256".
[[nodiscard]] std::string_view jwt_algorithm_name(JwtAlgorithm algorithm) noexcept;

// RFC 7638 thumbprint (base64url of SHA-256 over the required public members in lexicographic order, no
// whitespace) of an RSA or P-256 EC public JWK. invalid_input when the members are missing or malformed.
[[nodiscard]] Result<std::string> jwk_thumbprint(const nlohmann::json& jwk);

// A private signing key. Copies share the same immutable OpenSSL key (safe to use from several threads).
class SigningKey {
 public:
  // RSA keys must be 2048..16384 bits; the product default is 4096 (PIERRE_RSA_KEY_SIZE). ES256 uses P-256.
  [[nodiscard]] static Result<SigningKey> generate(JwtAlgorithm algorithm, int rsa_bits = 4096);
  // PKCS#8 (or traditional) unencrypted PEM of an RSA (>= 2048 bits) or P-256 EC private key. An empty kid means
  // "derive it" (the RFC 7638 thumbprint, which is what generate() uses), so kids survive export/import.
  [[nodiscard]] static Result<SigningKey> from_private_pem(std::string_view pem, std::string kid = {});

  // Unencrypted PKCS#8 PEM. A secret: only ever store it encrypted.
  [[nodiscard]] std::string private_pem() const;
  // SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
  [[nodiscard]] std::string public_pem() const;
  [[nodiscard]] const std::string& kid() const noexcept { return kid_; }
  [[nodiscard]] JwtAlgorithm algorithm() const noexcept { return algorithm_; }
  // {kty, n, e | crv, x, y, kid, alg, use:"sig"}; never private members.
  [[nodiscard]] const nlohmann::json& public_jwk() const noexcept { return public_jwk_; }

 private:
  friend Result<std::string> sign_jwt(const SigningKey& key, const nlohmann::json& claims);
  SigningKey(std::shared_ptr<evp_pkey_st> pkey, JwtAlgorithm algorithm, std::string kid, nlohmann::json jwk);
  static Result<SigningKey> wrap(std::shared_ptr<evp_pkey_st> pkey, std::string kid);

  std::shared_ptr<evp_pkey_st> pkey_;
  JwtAlgorithm algorithm_;
  std::string kid_;
  nlohmann::json public_jwk_;  // computed once when the key is created
};

// Compact JWS of `claims` (must be a JSON object) signed with `key`. ES256 signatures are raw R||S (64 bytes).
[[nodiscard]] Result<std::string> sign_jwt(const SigningKey& key, const nlohmann::json& claims);

// {"keys":[public_jwk()...]} for the given keys (null pointers are skipped). The caller passes the non-retired keys.
[[nodiscard]] nlohmann::json jwks(const std::vector<const SigningKey*>& keys);

// Verifies tokens against a set of public keys by kid, an expected issuer and an expected audience.
// Configure it fully before sharing it between threads; verify() is const and thread-safe.
class JwtVerifier {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Longest token accepted; anything longer is auth_malformed without being decoded.
  static constexpr std::size_t kMaxTokenBytes = 16 * 1024;

  JwtVerifier(std::string expected_issuer, std::string expected_audience,
              std::chrono::seconds leeway = std::chrono::seconds(60), Clock clock = {});

  // The public half of a signing key. resource_already_exists when the kid is already present.
  Result<void> add_key(const SigningKey& key);
  // A public JWK (RSA >= 2048 bits or EC P-256, with kid; alg and use checked when present).
  // invalid_input when malformed or when private members are present; resource_already_exists on a duplicate kid.
  Result<void> add_jwk(const nlohmann::json& jwk);
  // Removing an unknown kid is not an error.
  void remove_key(std::string_view kid);
  [[nodiscard]] std::size_t key_count() const noexcept { return keys_.size(); }

  void set_leeway(std::chrono::seconds leeway) noexcept { leeway_ = leeway; }
  void set_clock(Clock clock) { clock_ = std::move(clock); }

  // The claims of a valid token. Errors: auth_malformed (shape, base64url, JSON), auth_expired (exp passed),
  // auth_invalid (everything else: algorithm, kid, signature, iss, aud, nbf, iat, typ).
  [[nodiscard]] Result<nlohmann::json> verify(std::string_view token) const;

 private:
  struct PublicKey {
    JwtAlgorithm algorithm;
    std::shared_ptr<evp_pkey_st> pkey;
  };
  [[nodiscard]] Result<nlohmann::json> verify_unchecked(std::string_view token) const;

  std::string issuer_;
  std::string audience_;
  std::chrono::seconds leeway_;
  Clock clock_;
  std::map<std::string, PublicKey, std::less<>> keys_;
};

}  // namespace pierre::crypto
