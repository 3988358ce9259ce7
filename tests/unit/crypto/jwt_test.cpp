#include "pierre/crypto/jwt.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>

#include "pierre/crypto/primitives.hpp"

namespace pierre::crypto {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr const char* kIssuer = "https://pierre.example";
constexpr const char* kAudience = "pierre-mcp";

const SigningKey& rsa_key() {
  static const SigningKey key = *SigningKey::generate(JwtAlgorithm::rs256, 2048);
  return key;
}
const SigningKey& rsa_key_2() {
  static const SigningKey key = *SigningKey::generate(JwtAlgorithm::rs256, 2048);
  return key;
}
const SigningKey& ec_key() {
  static const SigningKey key = *SigningKey::generate(JwtAlgorithm::es256);
  return key;
}
const SigningKey& ec_key_2() {
  static const SigningKey key = *SigningKey::generate(JwtAlgorithm::es256);
  return key;
}

json claims(std::int64_t now = kNow) {
  return {{"iss", kIssuer},   {"sub", "user-42"}, {"aud", kAudience},
          {"exp", now + 900}, {"iat", now},       {"jti", "jti-0001"},
          {"tenant", "t-1"},  {"role", "user"},   {"scopes", json::array({"read", "write"})}};
}

JwtVerifier verifier_for(std::initializer_list<const SigningKey*> keys) {
  JwtVerifier v(kIssuer, kAudience, seconds(60), [] { return system_clock::time_point(seconds(kNow)); });
  for (const auto* k : keys) EXPECT_TRUE(v.add_key(*k).has_value());
  return v;
}

std::string sign(const SigningKey& key, const json& c) {
  auto token = sign_jwt(key, c);
  EXPECT_TRUE(token.has_value());
  return token.value_or("");
}

std::string b64(std::string_view text) {
  return base64url_encode(as_bytes(text));
}
std::string b64j(const json& value) {
  return b64(std::string_view(value.dump()));
}

std::string decode_text(std::string_view segment) {
  Bytes out;
  EXPECT_TRUE(base64url_decode(segment, out));
  return std::string(out.begin(), out.end());
}

struct Parts {
  std::string header, payload, signature;
};
Parts split(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

// Replaces the character at `index` with a different base64url character that keeps the segment decodable.
std::string flip(std::string s, std::size_t index) {
  s[index] = s[index] == 'A' ? 'B' : 'A';
  return s;
}

void expect_rejected(const Result<json>& r, ErrorCode code, std::string_view message) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().message, message);
}

// ---------------------------------------------------------------------------------------------------------------
// Round trips and key material

TEST(Jwt, RoundTripRs256) {
  auto token = sign(rsa_key(), claims());
  const Parts p = split(token);
  const json header = json::parse(decode_text(p.header));
  EXPECT_EQ(header, (json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", rsa_key().kid()}}));
  auto v = verifier_for({&rsa_key()});
  auto verified = v.verify(token);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(*verified, claims());
  Bytes sig;
  ASSERT_TRUE(base64url_decode(p.signature, sig));
  EXPECT_EQ(sig.size(), 256u);
}

TEST(Jwt, RoundTripEs256) {
  auto token = sign(ec_key(), claims());
  const json header = json::parse(decode_text(split(token).header));
  EXPECT_EQ(header.at("alg"), "ES256");
  EXPECT_EQ(header.at("kid"), ec_key().kid());
  auto v = verifier_for({&ec_key()});
  auto verified = v.verify(token);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->at("scopes"), json::array({"read", "write"}));
  EXPECT_EQ(verified->at("tenant"), "t-1");
}

TEST(Jwt, Es256SignatureIsRaw64Bytes) {
  for (int i = 0; i < 20; ++i) {  // DER would be 70-72 bytes and vary; raw R||S is always 64
    Bytes sig;
    ASSERT_TRUE(base64url_decode(split(sign(ec_key(), claims())).signature, sig));
    // (A raw R||S starts with 0x30 once in 256 signatures, so the first byte proves nothing; the fixed length does.)
    EXPECT_EQ(sig.size(), 64u);
  }
}

TEST(Jwt, GeneratesRsa4096ByDefault) {
  auto key = SigningKey::generate(JwtAlgorithm::rs256);
  ASSERT_TRUE(key.has_value());
  Bytes n;
  ASSERT_TRUE(base64url_decode(key->public_jwk().at("n").get<std::string>(), n));
  EXPECT_EQ(n.size(), 512u);
  auto v = verifier_for({&*key});
  auto token = sign(*key, claims());
  Bytes sig;
  ASSERT_TRUE(base64url_decode(split(token).signature, sig));
  EXPECT_EQ(sig.size(), 512u);
  EXPECT_TRUE(v.verify(token).has_value());
}

TEST(Jwt, RejectsWeakOrBogusKeySizes) {
  EXPECT_FALSE(SigningKey::generate(JwtAlgorithm::rs256, 1024).has_value());
  EXPECT_FALSE(SigningKey::generate(JwtAlgorithm::rs256, 0).has_value());
  EXPECT_FALSE(SigningKey::generate(JwtAlgorithm::rs256, -5).has_value());
}

TEST(Jwt, RsaJwkFields) {
  const json jwk = rsa_key().public_jwk();
  EXPECT_EQ(jwk.at("kty"), "RSA");
  EXPECT_EQ(jwk.at("alg"), "RS256");
  EXPECT_EQ(jwk.at("use"), "sig");
  EXPECT_EQ(jwk.at("kid"), rsa_key().kid());
  EXPECT_EQ(jwk.at("e"), "AQAB");
  const auto n_text = jwk.at("n").get<std::string>();
  EXPECT_EQ(n_text.find('='), std::string::npos);
  Bytes n;
  ASSERT_TRUE(base64url_decode(n_text, n));
  EXPECT_EQ(n.size(), 256u);
  EXPECT_NE(n.front(), 0);    // minimal big-endian
  EXPECT_EQ(jwk.size(), 6u);  // kty n e kid alg use: nothing private
  EXPECT_FALSE(jwk.contains("d"));
  EXPECT_EQ(rsa_key().kid(), *jwk_thumbprint(jwk));
  EXPECT_EQ(rsa_key().kid().size(), 43u);  // base64url of 32 bytes
}

TEST(Jwt, EcJwkFields) {
  const json jwk = ec_key().public_jwk();
  EXPECT_EQ(jwk.at("kty"), "EC");
  EXPECT_EQ(jwk.at("crv"), "P-256");
  EXPECT_EQ(jwk.at("alg"), "ES256");
  EXPECT_EQ(jwk.at("use"), "sig");
  Bytes x;
  Bytes y;
  ASSERT_TRUE(base64url_decode(jwk.at("x").get<std::string>(), x));
  ASSERT_TRUE(base64url_decode(jwk.at("y").get<std::string>(), y));
  EXPECT_EQ(x.size(), 32u);
  EXPECT_EQ(y.size(), 32u);
  EXPECT_EQ(jwk.size(), 7u);  // kty crv x y kid alg use
  EXPECT_EQ(ec_key().kid(), *jwk_thumbprint(jwk));
}

TEST(Jwt, Rfc7638ThumbprintExample) {
  const json jwk = {{"kty", "RSA"},
                    {"n",
                     "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
                     "BJECPebWKRXjBZCiFV4n3oknjhMs"
                     "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
                     "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL"
                     "5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
                     "kEgU8awapJzKnqDK"
                     "gw"},
                    {"e", "AQAB"},
                    {"alg", "RS256"},
                    {"kid", "2011-04-29"}};
  auto thumbprint = jwk_thumbprint(jwk);
  ASSERT_TRUE(thumbprint.has_value()) << thumbprint.error().message;
  EXPECT_EQ(*thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(Jwt, KidStableAcrossPemExportImport) {
  for (const SigningKey* key : {&rsa_key(), &ec_key()}) {
    const std::string pem = key->private_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);  // PKCS#8
    auto imported = SigningKey::from_private_pem(pem);
    ASSERT_TRUE(imported.has_value()) << imported.error().message;
    EXPECT_EQ(imported->kid(), key->kid());
    EXPECT_EQ(imported->algorithm(), key->algorithm());
    EXPECT_EQ(imported->public_jwk(), key->public_jwk());
    // A token from the imported key verifies against the original's public key.
    auto v = verifier_for({key});
    EXPECT_TRUE(v.verify(sign(*imported, claims())).has_value());
  }
}

TEST(Jwt, FromPrivatePemRejectsGarbageAndPublicKeys) {
  EXPECT_FALSE(SigningKey::from_private_pem("").has_value());
  EXPECT_FALSE(SigningKey::from_private_pem("not a pem").has_value());
  EXPECT_FALSE(SigningKey::from_private_pem(rsa_key().public_pem()).has_value());
  // A damaged key either fails to load or still signs tokens that the original public key verifies.
  const std::string original = rsa_key().private_pem();
  auto v = verifier_for({&rsa_key()});
  int rejected = 0;
  for (std::size_t pos = 40; pos + 40 < original.size(); pos += 97) {
    if (original[pos] == '\n') continue;
    std::string pem = original;
    pem[pos] = pem[pos] == 'A' ? 'B' : 'A';
    auto damaged = SigningKey::from_private_pem(pem, rsa_key().kid());
    if (!damaged) {
      ++rejected;
      continue;
    }
    EXPECT_TRUE(v.verify(sign(*damaged, claims())).has_value()) << "position " << pos;
  }
  EXPECT_GT(rejected, 0);
  EXPECT_FALSE(SigningKey::from_private_pem(ec_key().private_pem(), "bad kid with spaces").has_value());
}

TEST(Jwt, JwksPublishesPublicKeysOnly) {
  const json set = jwks({&rsa_key(), nullptr, &ec_key()});
  ASSERT_EQ(set.at("keys").size(), 2u);
  for (const auto& jwk : set.at("keys")) {
    for (const char* secret : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_FALSE(jwk.contains(secret));
  }
  // A verifier fed the published JWKS accepts tokens from both keys.
  JwtVerifier v(kIssuer, kAudience, seconds(60), [] { return system_clock::time_point(seconds(kNow)); });
  for (const auto& jwk : set.at("keys")) ASSERT_TRUE(v.add_jwk(jwk).has_value());
  EXPECT_EQ(v.key_count(), 2u);
  EXPECT_TRUE(v.verify(sign(rsa_key(), claims())).has_value());
  EXPECT_TRUE(v.verify(sign(ec_key(), claims())).has_value());
  v.remove_key(ec_key().kid());
  expect_rejected(v.verify(sign(ec_key(), claims())), ErrorCode::auth_invalid, "token key id is unknown");
}

TEST(Jwt, AddJwkValidates) {
  JwtVerifier v(kIssuer, kAudience);
  json jwk = rsa_key().public_jwk();
  EXPECT_EQ(v.add_jwk(json{{"d", "x"}}).error().code, ErrorCode::invalid_input);
  json with_private = jwk;
  with_private["d"] = "AQAB";
  EXPECT_FALSE(v.add_jwk(with_private).has_value());
  json wrong_alg = jwk;
  wrong_alg["alg"] = "ES256";
  EXPECT_FALSE(v.add_jwk(wrong_alg).has_value());
  json hs = jwk;
  hs["alg"] = "HS256";
  EXPECT_FALSE(v.add_jwk(hs).has_value());
  json enc = jwk;
  enc["use"] = "enc";
  EXPECT_FALSE(v.add_jwk(enc).has_value());
  json no_kid = jwk;
  no_kid.erase("kid");
  EXPECT_FALSE(v.add_jwk(no_kid).has_value());
  json oct = {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "k1"}};
  EXPECT_FALSE(v.add_jwk(oct).has_value());
  json off_curve = ec_key().public_jwk();
  off_curve["y"] = off_curve["x"];  // (x, x) is not on P-256
  EXPECT_FALSE(v.add_jwk(off_curve).has_value());
  json short_rsa = jwk;
  short_rsa["n"] = jwk["n"].get<std::string>().substr(0, 170);  // 1020-ish bits
  EXPECT_FALSE(v.add_jwk(short_rsa).has_value());
  EXPECT_TRUE(v.add_jwk(jwk).has_value());
  EXPECT_EQ(v.add_jwk(jwk).error().code, ErrorCode::resource_already_exists);
  EXPECT_EQ(v.key_count(), 1u);
}

// ---------------------------------------------------------------------------------------------------------------
// Attacks: each one its own test

TEST(JwtAttack, AlgNoneUnsignedToken) {
  auto v = verifier_for({&rsa_key()});
  const std::string good = sign(rsa_key(), claims());
  const Parts p = split(good);
  for (const char* alg : {"none", "None", "NONE", "nOnE", ""}) {
    const std::string header = b64j(json{{"alg", alg}, {"typ", "JWT"}, {"kid", rsa_key().kid()}});
    expect_rejected(v.verify(header + "." + p.payload + "."), ErrorCode::auth_invalid,
                    "token algorithm is not accepted");
    expect_rejected(v.verify(header + "." + p.payload + "." + p.signature), ErrorCode::auth_invalid,
                    "token algorithm is not accepted");
  }
  const std::string no_alg = b64j(json{{"typ", "JWT"}, {"kid", rsa_key().kid()}});
  expect_rejected(v.verify(no_alg + "." + p.payload + "."), ErrorCode::auth_invalid, "token algorithm is not accepted");
}

TEST(JwtAttack, Hs256SignedWithPublicKey) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  for (const SigningKey* key : {&rsa_key(), &ec_key()}) {
    const std::string header = b64j(json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key->kid()}});
    const std::string input = header + "." + b64j(claims());
    // Every public form an attacker could use as the HMAC secret.
    for (const std::string& secret : {key->public_pem(), key->public_jwk().dump(), jwks({key}).dump()}) {
      ASSERT_FALSE(secret.empty());
      const std::string token = input + "." + base64url_encode(hmac_sha256(as_bytes(secret), as_bytes(input)));
      expect_rejected(v.verify(token), ErrorCode::auth_invalid, "token algorithm is not accepted");
    }
  }
}

TEST(JwtAttack, AlgSwapRs256ToEs256) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  // RS256 token whose header now claims ES256 for the RSA kid.
  const Parts p = split(sign(rsa_key(), claims()));
  const std::string as_es = b64j(json{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", rsa_key().kid()}});
  expect_rejected(v.verify(as_es + "." + p.payload + "." + p.signature), ErrorCode::auth_invalid,
                  "token algorithm is not accepted");
  // An attacker's own ES256 signature presented under the RSA kid.
  const Parts attacker = split(sign(ec_key_2(), claims()));
  expect_rejected(v.verify(as_es + "." + attacker.payload + "." + attacker.signature), ErrorCode::auth_invalid,
                  "token algorithm is not accepted");
  // And the reverse: an ES256 token relabelled RS256.
  const Parts e = split(sign(ec_key(), claims()));
  const std::string as_rs = b64j(json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", ec_key().kid()}});
  expect_rejected(v.verify(as_rs + "." + e.payload + "." + e.signature), ErrorCode::auth_invalid,
                  "token algorithm is not accepted");
}

TEST(JwtAttack, UnknownKid) {
  auto v = verifier_for({&rsa_key()});
  expect_rejected(v.verify(sign(rsa_key_2(), claims())), ErrorCode::auth_invalid, "token key id is unknown");
}

TEST(JwtAttack, MissingKid) {
  auto v = verifier_for({&rsa_key()});
  const Parts p = split(sign(rsa_key(), claims()));
  const std::string header = b64j(json{{"alg", "RS256"}, {"typ", "JWT"}});
  expect_rejected(v.verify(header + "." + p.payload + "." + p.signature), ErrorCode::auth_invalid,
                  "token has no key id");
  const std::string numeric_kid = b64j(json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", 1}});
  expect_rejected(v.verify(numeric_kid + "." + p.payload + "." + p.signature), ErrorCode::auth_invalid,
                  "token has no key id");
}

TEST(JwtAttack, SameKidDifferentKey) {
  // Key B imported under key A's kid: A's tokens must not verify with B.
  auto b = SigningKey::from_private_pem(rsa_key_2().private_pem(), rsa_key().kid());
  ASSERT_TRUE(b.has_value());
  ASSERT_EQ(b->kid(), rsa_key().kid());
  auto v = verifier_for({&*b});
  expect_rejected(v.verify(sign(rsa_key(), claims())), ErrorCode::auth_invalid, "token signature is invalid");
  EXPECT_TRUE(v.verify(sign(*b, claims())).has_value());

  auto eb = SigningKey::from_private_pem(ec_key_2().private_pem(), ec_key().kid());
  ASSERT_TRUE(eb.has_value());
  auto ve = verifier_for({&*eb});
  expect_rejected(ve.verify(sign(ec_key(), claims())), ErrorCode::auth_invalid, "token signature is invalid");
}

TEST(JwtAttack, WrongIssuer) {
  auto v = verifier_for({&rsa_key()});
  json c = claims();
  c["iss"] = "https://evil.example";
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token issuer is not accepted");
  c.erase("iss");
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token issuer is not accepted");
}

TEST(JwtAttack, WrongAudience) {
  auto v = verifier_for({&rsa_key()});
  json c = claims();
  c["aud"] = "other-service";
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token audience is not accepted");
  c.erase("aud");
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token audience is not accepted");
  c["aud"] = 42;
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token audience is not accepted");
}

TEST(JwtAttack, AudienceArrayContainingExpected) {
  auto v = verifier_for({&ec_key()});
  json c = claims();
  c["aud"] = json::array({"other-service", kAudience});
  EXPECT_TRUE(v.verify(sign(ec_key(), c)).has_value());
}

TEST(JwtAttack, AudienceArrayNotContainingExpected) {
  auto v = verifier_for({&ec_key()});
  json c = claims();
  c["aud"] = json::array({"other-service", "pierre-mcp-x", 7, json::array({kAudience})});
  expect_rejected(v.verify(sign(ec_key(), c)), ErrorCode::auth_invalid, "token audience is not accepted");
  c["aud"] = json::array();
  expect_rejected(v.verify(sign(ec_key(), c)), ErrorCode::auth_invalid, "token audience is not accepted");
}

TEST(JwtAttack, Expired) {
  auto v = verifier_for({&rsa_key()});
  json c = claims();
  c["exp"] = kNow - 61;  // beyond the 60 s leeway
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_expired, "token has expired");
  c["exp"] = kNow - 30;  // within leeway
  EXPECT_TRUE(v.verify(sign(rsa_key(), c)).has_value());
  v.set_leeway(seconds(0));
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_expired, "token has expired");
}

TEST(JwtAttack, MissingOrNonNumericExp) {
  auto v = verifier_for({&rsa_key()});
  json c = claims();
  c.erase("exp");
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token has no valid expiry");
  c["exp"] = std::to_string(kNow + 900);
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token has no valid expiry");
}

TEST(JwtAttack, NotYetValid) {
  auto v = verifier_for({&rsa_key()});
  json c = claims();
  c["nbf"] = kNow + 120;
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token is not yet valid");
  c["nbf"] = kNow + 30;  // clock skew tolerated
  EXPECT_TRUE(v.verify(sign(rsa_key(), c)).has_value());
}

TEST(JwtAttack, IssuedFarInFuture) {
  auto v = verifier_for({&rsa_key()});
  json c = claims();
  c["iat"] = kNow + 3600;
  c["exp"] = kNow + 7200;
  expect_rejected(v.verify(sign(rsa_key(), c)), ErrorCode::auth_invalid, "token was issued in the future");
}

TEST(JwtAttack, WrongTyp) {
  // Only a header we did not issue can carry another typ; it is caught before the signature check.
  auto v = verifier_for({&rsa_key()});
  const Parts p = split(sign(rsa_key(), claims()));
  const std::string header = b64j(json{{"alg", "RS256"}, {"typ", "at+jwt+evil"}, {"kid", rsa_key().kid()}});
  expect_rejected(v.verify(header + "." + p.payload + "." + p.signature), ErrorCode::auth_invalid,
                  "token type is not accepted");
}

TEST(JwtAttack, TamperedHeader) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  for (const SigningKey* key : {&rsa_key(), &ec_key()}) {
    const Parts p = split(sign(*key, claims()));
    json header = json::parse(decode_text(p.header));
    header["x5u"] = "https://evil.example/keys";  // still a valid header, but not the signed one
    expect_rejected(v.verify(b64j(header) + "." + p.payload + "." + p.signature), ErrorCode::auth_invalid,
                    "token signature is invalid");
    // Re-serialised with different spacing: same JSON, different bytes.
    expect_rejected(v.verify(b64(std::string_view(header.dump(1))) + "." + p.payload + "." + p.signature),
                    ErrorCode::auth_invalid, "token signature is invalid");
    // One character flipped in the encoded header.
    const auto flipped = v.verify(flip(p.header, p.header.size() - 3) + "." + p.payload + "." + p.signature);
    EXPECT_FALSE(flipped.has_value());
  }
}

TEST(JwtAttack, TamperedPayload) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  for (const SigningKey* key : {&rsa_key(), &ec_key()}) {
    const Parts p = split(sign(*key, claims()));
    for (std::size_t i : {std::size_t{0}, p.payload.size() / 2, p.payload.size() - 2}) {
      expect_rejected(v.verify(p.header + "." + flip(p.payload, i) + "." + p.signature), ErrorCode::auth_invalid,
                      "token signature is invalid");
    }
    json elevated = claims();
    elevated["role"] = "admin";
    expect_rejected(v.verify(p.header + "." + b64j(elevated) + "." + p.signature), ErrorCode::auth_invalid,
                    "token signature is invalid");
  }
}

TEST(JwtAttack, TamperedSignature) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  for (const SigningKey* key : {&rsa_key(), &ec_key()}) {
    const Parts p = split(sign(*key, claims()));
    for (std::size_t i : {std::size_t{0}, p.signature.size() / 2, p.signature.size() - 2}) {
      expect_rejected(v.verify(p.header + "." + p.payload + "." + flip(p.signature, i)), ErrorCode::auth_invalid,
                      "token signature is invalid");
    }
    // A valid signature from another token of the same key.
    json other = claims();
    other["sub"] = "user-43";
    const Parts q = split(sign(*key, other));
    expect_rejected(v.verify(p.header + "." + p.payload + "." + q.signature), ErrorCode::auth_invalid,
                    "token signature is invalid");
    expect_rejected(v.verify(p.header + "." + p.payload + "."), ErrorCode::auth_invalid, "token signature is invalid");
  }
}

TEST(JwtAttack, TruncatedToken) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  for (const SigningKey* key : {&rsa_key(), &ec_key()}) {
    const std::string token = sign(*key, claims());
    for (std::size_t cut = 1; cut < token.size(); cut += 7) {
      const auto r = v.verify(std::string_view(token).substr(0, token.size() - cut));
      ASSERT_FALSE(r.has_value()) << "cut " << cut;
      EXPECT_TRUE(r.error().code == ErrorCode::auth_invalid || r.error().code == ErrorCode::auth_malformed);
    }
    // Cut exactly at the last dot: two segments.
    expect_rejected(v.verify(token.substr(0, token.rfind('.'))), ErrorCode::auth_malformed,
                    "token must have exactly three segments");
  }
}

TEST(JwtAttack, ExtraSegment) {
  auto v = verifier_for({&rsa_key()});
  const std::string token = sign(rsa_key(), claims());
  expect_rejected(v.verify(token + ".AAAA"), ErrorCode::auth_malformed, "token must have exactly three segments");
  expect_rejected(v.verify(token + "."), ErrorCode::auth_malformed, "token must have exactly three segments");
  expect_rejected(v.verify("a.b.c.d.e"), ErrorCode::auth_malformed, "token must have exactly three segments");
}

TEST(JwtAttack, NonJsonHeader) {
  auto v = verifier_for({&rsa_key()});
  const Parts p = split(sign(rsa_key(), claims()));
  for (std::string_view header :
       {"not json", "[\"alg\",\"RS256\"]", "\"RS256\"", "{\"alg\":\"RS256\"", "null", "{}x"}) {
    expect_rejected(v.verify(b64(header) + "." + p.payload + "." + p.signature), ErrorCode::auth_malformed,
                    "token header is not a JSON object");
  }
  const std::string invalid_utf8 = "{\"alg\":\"RS256\",\"kid\":\"\xff\xfe\"}";
  expect_rejected(v.verify(b64(std::string_view(invalid_utf8)) + "." + p.payload + "." + p.signature),
                  ErrorCode::auth_malformed, "token header is not a JSON object");
  expect_rejected(v.verify("*!*." + p.payload + "." + p.signature), ErrorCode::auth_malformed,
                  "token segments must be base64url");
  expect_rejected(v.verify(p.header + "=." + p.payload + "." + p.signature), ErrorCode::auth_malformed,
                  "token segments must be base64url");
}

TEST(JwtAttack, HugeAndGarbageInputDoesNotCrash) {
  auto v = verifier_for({&rsa_key(), &ec_key()});
  const std::string huge(10 * 1024 * 1024, 'A');
  expect_rejected(v.verify(huge), ErrorCode::auth_malformed, "token is too large");
  expect_rejected(v.verify(huge + "." + huge + "." + huge), ErrorCode::auth_malformed, "token is too large");
  const std::string_view garbage_inputs[] = {"",        ".", "..", "...", "a..", "..a", std::string_view("\0.\0.\0", 5),
                                             "ey.ey.ey"};
  for (std::string_view garbage : garbage_inputs) {
    EXPECT_FALSE(v.verify(garbage).has_value());
  }
  // Deeply nested header and payload (stack exhaustion if parsed recursively).
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::string deep_b64 = b64(std::string_view(deep));
  EXPECT_FALSE(v.verify(deep_b64 + "." + deep_b64 + ".AAAA").has_value());
  // Random bytes and random mutations of a valid token never verify and never throw.
  std::mt19937 rng(12345);
  const std::string token = sign(ec_key(), claims());
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x01\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string mutated = token;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % mutated.size();
      switch (rng() % 3) {
        case 0: mutated[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: mutated.erase(pos, 1 + rng() % 8); break;
        default: mutated.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (mutated.empty()) mutated = ".";
    }
    if (mutated == token) continue;
    EXPECT_NO_THROW({
      auto r = v.verify(mutated);
      EXPECT_FALSE(r.has_value()) << mutated;
    });
    std::string random(rng() % 300, '\0');
    for (auto& c : random) c = static_cast<char>(rng() & 0xff);
    EXPECT_NO_THROW({ EXPECT_FALSE(v.verify(random).has_value()); });
  }
}

TEST(Jwt, SignRejectsNonObjectClaimsAndInvalidUtf8) {
  EXPECT_FALSE(sign_jwt(rsa_key(), json::array()).has_value());
  EXPECT_FALSE(sign_jwt(rsa_key(), json("x")).has_value());
  json c = claims();
  c["sub"] = std::string("\xff\xfe");
  auto r = sign_jwt(ec_key(), c);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
}

TEST(Jwt, VerifierWithoutIssuerOrAudienceAcceptsNothing) {
  JwtVerifier v("", "", seconds(60), [] { return system_clock::time_point(seconds(kNow)); });
  ASSERT_TRUE(v.add_key(rsa_key()).has_value());
  json c = claims();
  c["iss"] = "";
  c["aud"] = "";
  EXPECT_FALSE(v.verify(sign(rsa_key(), c)).has_value());
}

// Informational: prints sign/verify cost per algorithm (not an assertion).
TEST(Jwt, TimingInformational) {
  auto rsa4096 = SigningKey::generate(JwtAlgorithm::rs256, 4096);
  ASSERT_TRUE(rsa4096.has_value());
  struct Case {
    const char* name;
    const SigningKey* key;
  };
  for (const Case& c : {Case{"RS256-2048", &rsa_key()}, Case{"RS256-4096", &*rsa4096}, Case{"ES256", &ec_key()}}) {
    auto v = verifier_for({c.key});
    constexpr int kRounds = 50;
    std::string token;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) token = sign(*c.key, claims());
    const auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) ASSERT_TRUE(v.verify(token).has_value());
    const auto t2 = std::chrono::steady_clock::now();
    const auto us = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / kRounds; };
    std::cout << "[timing] " << c.name << ": sign " << us(t1 - t0) << " us, verify " << us(t2 - t1) << " us, token "
              << token.size() << " bytes\n";
  }
}

}  // namespace
}  // namespace pierre::crypto
