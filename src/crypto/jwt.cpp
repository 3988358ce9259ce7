#include "pierre/crypto/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <climits>
#include <cstring>
#include <exception>

#include "pierre/core/json_depth.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::crypto {
namespace {

using Pkey = std::shared_ptr<EVP_PKEY>;

struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;

// OpenSSL's error queue is per thread; leave it empty so failures here never surface in unrelated code later.
struct ClearOpensslErrors {
  ClearOpensslErrors() = default;
  ClearOpensslErrors(const ClearOpensslErrors&) = delete;
  ClearOpensslErrors& operator=(const ClearOpensslErrors&) = delete;
  ~ClearOpensslErrors() { ERR_clear_error(); }
};

Pkey own(EVP_PKEY* p) {
  return Pkey(p, EVP_PKEY_free);
}

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;
constexpr std::size_t kEcCoordinateBytes = 32;
constexpr std::size_t kEs256SignatureBytes = 2 * kEcCoordinateBytes;
constexpr std::size_t kMaxPemBytes = 64 * 1024;
constexpr std::size_t kMaxKidBytes = 256;
// Claims nest a few levels at most; deeper JSON is refused before parsing (copying/destroying JSON recurses).
constexpr int kMaxJsonDepth = 32;

std::string_view to_view(const Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Bytes bn_bytes(const BIGNUM* bn) {  // minimal big-endian
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  if (!out.empty()) BN_bn2bin(bn, out.data());
  return out;
}

bool is_p256(EVP_PKEY* pkey) {
  char name[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) return false;
  const std::string_view group(name, len);
  return group == "prime256v1" || group == "P-256" || group == "secp256r1";
}

bool valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > kMaxKidBytes) return false;
  for (char c : kid) {
    if (c < 0x21 || c > 0x7e) return false;  // printable ASCII, no spaces
  }
  return true;
}

// The RFC 7638 required members, in the order the thumbprint needs (nlohmann::json objects are sorted).
Result<nlohmann::json> required_public_members(EVP_PKEY* pkey, JwtAlgorithm algorithm) {
  ClearOpensslErrors clear;
  if (algorithm == JwtAlgorithm::rs256) {
    BIGNUM* n_raw = nullptr;
    BIGNUM* e_raw = nullptr;
    const bool got_n = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw) == 1;
    BnPtr n(n_raw);
    const bool got_e = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw) == 1;
    BnPtr e(e_raw);
    if (!got_n || !got_e) return fail(ErrorCode::internal_error, "RSA key parameters unavailable");
    return nlohmann::json{
        {"kty", "RSA"}, {"n", base64url_encode(bn_bytes(n.get()))}, {"e", base64url_encode(bn_bytes(e.get()))}};
  }
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  const bool got_x = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw) == 1;
  BnPtr x(x_raw);
  const bool got_y = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw) == 1;
  BnPtr y(y_raw);
  if (!got_x || !got_y) return fail(ErrorCode::internal_error, "EC key parameters unavailable");
  Bytes xb(kEcCoordinateBytes);
  Bytes yb(kEcCoordinateBytes);
  if (BN_bn2binpad(x.get(), xb.data(), static_cast<int>(xb.size())) < 0 ||
      BN_bn2binpad(y.get(), yb.data(), static_cast<int>(yb.size())) < 0) {
    return fail(ErrorCode::internal_error, "EC key coordinates out of range");
  }
  return nlohmann::json{{"crv", "P-256"}, {"kty", "EC"}, {"x", base64url_encode(xb)}, {"y", base64url_encode(yb)}};
}

std::string thumbprint_of(const nlohmann::json& members) {
  return base64url_encode(sha256(as_bytes(members.dump())));
}

bool json_string(const nlohmann::json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

// Copies the required members of a public JWK after checking them (encoding, sizes); nullopt-like via Result.
Result<nlohmann::json> checked_required_members(const nlohmann::json& jwk, JwtAlgorithm& algorithm) {
  if (!jwk.is_object()) return fail(ErrorCode::invalid_input, "JWK must be a JSON object");
  std::string kty;
  if (!json_string(jwk, "kty", kty)) return fail(ErrorCode::invalid_input, "JWK has no kty");
  if (kty == "RSA") {
    std::string n;
    std::string e;
    Bytes nb;
    Bytes eb;
    if (!json_string(jwk, "n", n) || !json_string(jwk, "e", e) || !base64url_decode(n, nb) ||
        !base64url_decode(e, eb)) {
      return fail(ErrorCode::invalid_input, "RSA JWK needs base64url n and e");
    }
    if (nb.empty() || nb.front() == 0 || eb.empty() || eb.front() == 0 || eb.size() > 8) {
      return fail(ErrorCode::invalid_input, "RSA JWK n and e must be minimal big-endian integers");
    }
    if (nb.size() * 8 < static_cast<std::size_t>(kMinRsaBits) ||
        nb.size() * 8 > static_cast<std::size_t>(kMaxRsaBits)) {
      return fail(ErrorCode::invalid_input, "RSA JWK modulus must be 2048 to 16384 bits");
    }
    algorithm = JwtAlgorithm::rs256;
    return nlohmann::json{{"kty", "RSA"}, {"n", n}, {"e", e}};
  }
  if (kty == "EC") {
    std::string crv;
    std::string x;
    std::string y;
    Bytes xb;
    Bytes yb;
    if (!json_string(jwk, "crv", crv) || crv != "P-256") return fail(ErrorCode::invalid_input, "EC JWK must be P-256");
    if (!json_string(jwk, "x", x) || !json_string(jwk, "y", y) || !base64url_decode(x, xb) ||
        !base64url_decode(y, yb) || xb.size() != kEcCoordinateBytes || yb.size() != kEcCoordinateBytes) {
      return fail(ErrorCode::invalid_input, "EC JWK needs 32-byte base64url x and y");
    }
    algorithm = JwtAlgorithm::es256;
    return nlohmann::json{{"crv", "P-256"}, {"kty", "EC"}, {"x", x}, {"y", y}};
  }
  return fail(ErrorCode::invalid_input, "JWK kty must be RSA or EC");
}

Result<Pkey> public_key_from_members(const nlohmann::json& members, JwtAlgorithm algorithm) {
  ClearOpensslErrors clear;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return fail(ErrorCode::internal_error, "out of memory");
  BnPtr n;
  BnPtr e;
  Bytes point;
  const char* type = nullptr;
  if (algorithm == JwtAlgorithm::rs256) {
    Bytes nb;
    Bytes eb;
    base64url_decode(members.at("n").get_ref<const std::string&>(), nb);
    base64url_decode(members.at("e").get_ref<const std::string&>(), eb);
    n.reset(BN_bin2bn(nb.data(), static_cast<int>(nb.size()), nullptr));
    e.reset(BN_bin2bn(eb.data(), static_cast<int>(eb.size()), nullptr));
    if (!n || !e || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
      return fail(ErrorCode::internal_error, "cannot build RSA key");
    }
    type = "RSA";
  } else {
    Bytes xb;
    Bytes yb;
    base64url_decode(members.at("x").get_ref<const std::string&>(), xb);
    base64url_decode(members.at("y").get_ref<const std::string&>(), yb);
    point.reserve(1 + xb.size() + yb.size());
    point.push_back(0x04);  // uncompressed SEC1 point
    point.insert(point.end(), xb.begin(), xb.end());
    point.insert(point.end(), yb.begin(), yb.end());
    static char group[] = "prime256v1";
    if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
      return fail(ErrorCode::internal_error, "cannot build EC key");
    }
    type = "EC";
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || raw == nullptr) {
    return fail(ErrorCode::invalid_input, "JWK is not a valid public key");
  }
  Pkey pkey = own(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {  // EC: point on the curve; RSA: n odd, e odd > 1
    return fail(ErrorCode::invalid_input, "JWK is not a valid public key");
  }
  if (algorithm == JwtAlgorithm::rs256 && EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
    return fail(ErrorCode::invalid_input, "RSA JWK modulus must be 2048 to 16384 bits");
  }
  return pkey;
}

void set_rsa_pkcs1(EVP_PKEY_CTX* pctx, JwtAlgorithm algorithm, bool& ok) {
  if (algorithm == JwtAlgorithm::rs256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) ok = false;
}

bool der_to_raw_es256(const Bytes& der, Bytes& raw) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return false;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  raw.assign(kEs256SignatureBytes, 0);
  return BN_bn2binpad(r, raw.data(), static_cast<int>(kEcCoordinateBytes)) >= 0 &&
         BN_bn2binpad(s, raw.data() + kEcCoordinateBytes, static_cast<int>(kEcCoordinateBytes)) >= 0;
}

bool raw_to_der_es256(const Bytes& raw, Bytes& der) {
  if (raw.size() != kEs256SignatureBytes) return false;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(raw.data(), static_cast<int>(kEcCoordinateBytes), nullptr));
  BnPtr s(BN_bin2bn(raw.data() + kEcCoordinateBytes, static_cast<int>(kEcCoordinateBytes), nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
  r.release();  // owned by sig now
  s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return false;
  der.assign(static_cast<std::size_t>(len), 0);
  unsigned char* q = der.data();
  return i2d_ECDSA_SIG(sig.get(), &q) == len;
}

bool verify_signature(EVP_PKEY* pkey, JwtAlgorithm algorithm, std::string_view signing_input, const Bytes& sig) {
  ClearOpensslErrors clear;
  Bytes der;
  const Bytes* to_check = &sig;
  if (algorithm == JwtAlgorithm::es256) {
    if (!raw_to_der_es256(sig, der)) return false;
    to_check = &der;
  } else if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) {
    return false;  // RFC 8017: the signature is exactly k octets
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey) != 1) return false;
  bool ok = true;
  set_rsa_pkcs1(pctx, algorithm, ok);
  if (!ok) return false;
  return EVP_DigestVerify(ctx.get(), to_check->data(), to_check->size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

// A JSON object, or null when the text is not one (never throws).
nlohmann::json parse_object(std::string_view text) {
  if (!json_nesting_within(text, kMaxJsonDepth)) return nullptr;
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return nullptr;
  return value;
}

// NumericDate (RFC 7519 §2): any JSON number, in seconds.
bool numeric_date(const nlohmann::json& claims, const char* key, bool& present, double& out) {
  auto it = claims.find(key);
  present = it != claims.end();
  if (!present) return true;
  if (!it->is_number()) return false;
  out = it->get<double>();
  return true;
}

int no_passphrase(char*, int, int, void*) {
  return -1;
}  // never prompt on a terminal for an encrypted PEM

}  // namespace

std::string_view jwt_algorithm_name(JwtAlgorithm algorithm) noexcept {
  return algorithm == JwtAlgorithm::es256 ? "ES256" : "RS256";
}

Result<std::string> jwk_thumbprint(const nlohmann::json& jwk) {
  JwtAlgorithm algorithm{};
  auto members = checked_required_members(jwk, algorithm);
  if (!members) return std::unexpected(members.error());
  return thumbprint_of(*members);
}

// ---------------------------------------------------------------------------------------------------------------
// SigningKey

SigningKey::SigningKey(std::shared_ptr<evp_pkey_st> pkey, JwtAlgorithm algorithm, std::string kid, nlohmann::json jwk)
    : pkey_(std::move(pkey)), algorithm_(algorithm), kid_(std::move(kid)), public_jwk_(std::move(jwk)) {}

Result<SigningKey> SigningKey::wrap(std::shared_ptr<evp_pkey_st> pkey, std::string kid) {
  JwtAlgorithm algorithm{};
  if (EVP_PKEY_is_a(pkey.get(), "RSA")) {  // plain rsaEncryption only; RSA-PSS keys are a different type
    const int bits = EVP_PKEY_get_bits(pkey.get());
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return fail(ErrorCode::invalid_input, "RSA signing keys must be 2048 to 16384 bits");
    }
    algorithm = JwtAlgorithm::rs256;
  } else if (EVP_PKEY_is_a(pkey.get(), "EC") && is_p256(pkey.get())) {
    algorithm = JwtAlgorithm::es256;
  } else {
    return fail(ErrorCode::invalid_input, "signing key must be RSA or EC P-256");
  }
  auto members = required_public_members(pkey.get(), algorithm);
  if (!members) return std::unexpected(members.error());
  if (kid.empty()) kid = thumbprint_of(*members);
  if (!valid_kid(kid)) return fail(ErrorCode::invalid_input, "kid must be 1 to 256 printable ASCII characters");
  nlohmann::json jwk = std::move(*members);
  jwk["kid"] = kid;
  jwk["alg"] = std::string(jwt_algorithm_name(algorithm));
  jwk["use"] = "sig";
  return SigningKey(std::move(pkey), algorithm, std::move(kid), std::move(jwk));
}

Result<SigningKey> SigningKey::generate(JwtAlgorithm algorithm, int rsa_bits) {
  ClearOpensslErrors clear;
  PkeyCtxPtr ctx;
  if (algorithm == JwtAlgorithm::rs256) {
    if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits) {
      return fail(ErrorCode::invalid_input, "RSA key size must be 2048 to 16384 bits");
    }
    ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), rsa_bits) != 1) {
      return fail(ErrorCode::internal_error, "RSA key generation failed");
    }
  } else {
    ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1) {
      return fail(ErrorCode::internal_error, "EC key generation failed");
    }
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1 || raw == nullptr) {
    return fail(ErrorCode::internal_error, "key generation failed");
  }
  return wrap(own(raw), {});
}

Result<SigningKey> SigningKey::from_private_pem(std::string_view pem, std::string kid) {
  ClearOpensslErrors clear;
  if (pem.empty() || pem.size() > kMaxPemBytes) return fail(ErrorCode::invalid_input, "private key PEM is invalid");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(ErrorCode::internal_error, "out of memory");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (raw == nullptr) return fail(ErrorCode::invalid_input, "private key PEM is invalid");
  auto key = wrap(own(raw), std::move(kid));
  if (!key) return key;
  // OpenSSL does not check that the private half matches the public half on import; a damaged stored key would
  // otherwise sign tokens that nobody can verify. One sign/verify round (verification uses only the public half)
  // catches it.
  auto probe = sign_jwt(*key, nlohmann::json{{"probe", true}});
  if (!probe) return std::unexpected(probe.error());
  const std::string_view token = *probe;
  const auto last_dot = token.rfind('.');
  Bytes sig;
  if (!base64url_decode(token.substr(last_dot + 1), sig) ||
      !verify_signature(key->pkey_.get(), key->algorithm_, token.substr(0, last_dot), sig)) {
    return fail(ErrorCode::invalid_input, "private key PEM is invalid (private and public parts do not match)");
  }
  return key;
}

namespace {
std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(len));
}
}  // namespace

std::string SigningKey::private_pem() const {
  ClearOpensslErrors clear;
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") in OpenSSL 3.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
  return bio_text(bio.get());
}

std::string SigningKey::public_pem() const {
  ClearOpensslErrors clear;
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) return {};
  return bio_text(bio.get());
}

Result<std::string> sign_jwt(const SigningKey& key, const nlohmann::json& claims) {
  if (!claims.is_object()) return fail(ErrorCode::invalid_input, "JWT claims must be a JSON object");
  const nlohmann::json header = {
      {"alg", std::string(jwt_algorithm_name(key.algorithm_))}, {"typ", "JWT"}, {"kid", key.kid_}};
  std::string input;
  try {
    input = base64url_encode(as_bytes(header.dump())) + "." + base64url_encode(as_bytes(claims.dump()));
  } catch (const nlohmann::json::exception&) {  // invalid UTF-8 in a string
    return fail(ErrorCode::invalid_input, "JWT claims must be valid UTF-8");
  }

  ClearOpensslErrors clear;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.pkey_.get()) != 1) {
    return fail(ErrorCode::internal_error, "JWT signing failed");
  }
  bool ok = true;
  set_rsa_pkcs1(pctx, key.algorithm_, ok);
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t len = 0;
  if (!ok || EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) {
    return fail(ErrorCode::internal_error, "JWT signing failed");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data, input.size()) != 1) {
    return fail(ErrorCode::internal_error, "JWT signing failed");
  }
  sig.resize(len);
  if (key.algorithm_ == JwtAlgorithm::es256) {
    Bytes raw;
    if (!der_to_raw_es256(sig, raw)) return fail(ErrorCode::internal_error, "JWT signing failed");
    sig = std::move(raw);
  }
  input += '.';
  input += base64url_encode(sig);
  return input;
}

nlohmann::json jwks(const std::vector<const SigningKey*>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const SigningKey* key : keys) {
    if (key != nullptr) list.push_back(key->public_jwk());
  }
  return nlohmann::json{{"keys", std::move(list)}};
}

// ---------------------------------------------------------------------------------------------------------------
// JwtVerifier

JwtVerifier::JwtVerifier(std::string expected_issuer, std::string expected_audience, std::chrono::seconds leeway,
                         Clock clock)
    : issuer_(std::move(expected_issuer)),
      audience_(std::move(expected_audience)),
      leeway_(leeway),
      clock_(std::move(clock)) {}

Result<void> JwtVerifier::add_key(const SigningKey& key) {
  return add_jwk(key.public_jwk());
}

Result<void> JwtVerifier::add_jwk(const nlohmann::json& jwk) {
  JwtAlgorithm algorithm{};
  auto members = checked_required_members(jwk, algorithm);
  if (!members) return std::unexpected(members.error());
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    if (jwk.contains(secret)) return fail(ErrorCode::invalid_input, "JWK must not contain private key material");
  }
  std::string kid;
  if (!json_string(jwk, "kid", kid) || !valid_kid(kid)) return fail(ErrorCode::invalid_input, "JWK needs a kid");
  if (auto it = jwk.find("alg"); it != jwk.end() && !(it->is_string() && *it == jwt_algorithm_name(algorithm))) {
    return fail(ErrorCode::invalid_input, "JWK alg does not match its key type");
  }
  if (auto it = jwk.find("use"); it != jwk.end() && !(it->is_string() && *it == "sig")) {
    return fail(ErrorCode::invalid_input, "JWK use must be sig");
  }
  if (keys_.contains(kid)) return fail(ErrorCode::resource_already_exists, "a key with this kid is already present");
  auto pkey = public_key_from_members(*members, algorithm);
  if (!pkey) return std::unexpected(pkey.error());
  keys_.emplace(std::move(kid), PublicKey{algorithm, std::move(*pkey)});
  return {};
}

void JwtVerifier::remove_key(std::string_view kid) {
  if (auto it = keys_.find(kid); it != keys_.end()) keys_.erase(it);
}

Result<nlohmann::json> JwtVerifier::verify(std::string_view token) const {
  try {
    return verify_unchecked(token);
  } catch (const std::exception&) {  // defence in depth: hostile input must never escape as an exception
    return fail(ErrorCode::auth_invalid, "token rejected");
  }
}

Result<nlohmann::json> JwtVerifier::verify_unchecked(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return fail(ErrorCode::auth_malformed, "token is too large");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return fail(ErrorCode::auth_malformed, "token must have exactly three segments");
  }
  const std::string_view header_b64 = token.substr(0, first);
  const std::string_view payload_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = token.substr(second + 1);
  Bytes header_bytes;
  Bytes payload_bytes;
  Bytes signature;
  if (header_b64.empty() || payload_b64.empty() || !base64url_decode(header_b64, header_bytes) ||
      !base64url_decode(payload_b64, payload_bytes) || !base64url_decode(signature_b64, signature)) {
    return fail(ErrorCode::auth_malformed, "token segments must be base64url");
  }

  const nlohmann::json header = parse_object(to_view(header_bytes));
  if (!header.is_object()) return fail(ErrorCode::auth_malformed, "token header is not a JSON object");

  // The algorithm comes from the key, never from the token: the header must name exactly the key's algorithm.
  std::string alg;
  if (!json_string(header, "alg", alg) || (alg != "RS256" && alg != "ES256")) {
    return fail(ErrorCode::auth_invalid, "token algorithm is not accepted");
  }
  std::string kid;
  if (!json_string(header, "kid", kid)) return fail(ErrorCode::auth_invalid, "token has no key id");
  const auto key = keys_.find(kid);
  if (key == keys_.end()) return fail(ErrorCode::auth_invalid, "token key id is unknown");
  if (alg != jwt_algorithm_name(key->second.algorithm)) {
    return fail(ErrorCode::auth_invalid, "token algorithm is not accepted");
  }
  if (auto typ = header.find("typ"); typ != header.end() && !(typ->is_string() && *typ == "JWT")) {
    return fail(ErrorCode::auth_invalid, "token type is not accepted");
  }
  if (header.contains("crit")) return fail(ErrorCode::auth_invalid, "token has unsupported critical headers");

  const std::string_view signing_input = token.substr(0, second);
  if (!verify_signature(key->second.pkey.get(), key->second.algorithm, signing_input, signature)) {
    return fail(ErrorCode::auth_invalid, "token signature is invalid");
  }

  // Only now is the payload authentic; parse and check it.
  nlohmann::json claims = parse_object(to_view(payload_bytes));
  if (!claims.is_object()) return fail(ErrorCode::auth_malformed, "token payload is not a JSON object");

  const auto now_point = clock_ ? clock_() : std::chrono::system_clock::now();
  const double now =
      static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now_point.time_since_epoch()).count());
  const double leeway = static_cast<double>(leeway_.count());
  bool present = false;
  double exp = 0;
  if (!numeric_date(claims, "exp", present, exp) || !present) {
    return fail(ErrorCode::auth_invalid, "token has no valid expiry");
  }
  if (now >= exp + leeway) return fail(ErrorCode::auth_expired, "token has expired");
  double nbf = 0;
  if (!numeric_date(claims, "nbf", present, nbf)) return fail(ErrorCode::auth_invalid, "token nbf is invalid");
  if (present && nbf > now + leeway) return fail(ErrorCode::auth_invalid, "token is not yet valid");
  double iat = 0;
  if (!numeric_date(claims, "iat", present, iat)) return fail(ErrorCode::auth_invalid, "token iat is invalid");
  if (present && iat > now + leeway) return fail(ErrorCode::auth_invalid, "token was issued in the future");

  std::string iss;
  if (issuer_.empty() || !json_string(claims, "iss", iss) || iss != issuer_) {
    return fail(ErrorCode::auth_invalid, "token issuer is not accepted");
  }
  bool audience_ok = false;
  if (auto aud = claims.find("aud"); aud != claims.end() && !audience_.empty()) {
    if (aud->is_string()) {
      audience_ok = *aud == audience_;
    } else if (aud->is_array()) {
      for (const auto& entry : *aud) {
        if (entry.is_string() && entry == audience_) audience_ok = true;
      }
    }
  }
  if (!audience_ok) return fail(ErrorCode::auth_invalid, "token audience is not accepted");
  return claims;
}

}  // namespace pierre::crypto
