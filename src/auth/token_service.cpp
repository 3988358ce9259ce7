#include "pierre/auth/token_service.hpp"

#include <mutex>

#include "pierre/core/config.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::auth {
namespace {

using std::chrono::system_clock;

std::int64_t to_s(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string pem_context(std::string_view kid) {
  return "signing_key:" + std::string(kid);
}

Result<crypto::JwtAlgorithm> parse_algorithm(std::string_view name) {
  if (name == "RS256") return crypto::JwtAlgorithm::rs256;
  if (name == "ES256") return crypto::JwtAlgorithm::es256;
  return fail(ErrorCode::internal_error, "unknown signing key algorithm in the store");
}

}  // namespace

TokenService::TokenService(store::Database& db, KeyStore& keys, Options options)
    : db_(db), keys_(keys), options_(std::move(options)) {}

system_clock::time_point TokenService::now() const {
  return options_.clock ? options_.clock() : system_clock::now();
}

Result<std::unique_ptr<TokenService>> TokenService::open(store::Database& db, KeyStore& keys, Options options) {
  if (options.issuer.empty() || options.audience.empty()) {
    return fail(ErrorCode::config_invalid, "token issuer and audience must be set");
  }
  if (options.lifetime <= std::chrono::seconds(0))
    return fail(ErrorCode::config_invalid, "token lifetime must be positive");
  if (auto ok = keys.ensure_tenant_key(kSystemKeyTenant); !ok) return std::unexpected(ok.error());
  std::unique_ptr<TokenService> service(new TokenService(db, keys, std::move(options)));
  if (auto loaded = service->load(); !loaded) return std::unexpected(loaded.error());
  return service;
}

Result<void> TokenService::ensure_signing_key() {
  {
    std::shared_lock lock(mutex_);
    if (!keys_loaded_.empty()) return {};
  }
  std::lock_guard generate(generate_mutex_);
  {
    std::shared_lock lock(mutex_);
    if (!keys_loaded_.empty()) return {};  // another thread generated it while we waited
  }
  // Another process may have stored one since open().
  if (auto loaded = load(); !loaded) return loaded;
  if (!active_kid().empty()) return {};
  auto key = crypto::SigningKey::generate(options_.algorithm, options_.rsa_bits);
  if (!key) return std::unexpected(key.error());
  auto stored = store_new_active(*key, false);
  if (!stored && stored.error().code != ErrorCode::resource_already_exists) return stored;
  // Won: our key is stored. Lost (another process inserted an active key first): use theirs.
  if (auto reloaded = load(); !reloaded) return reloaded;
  if (active_kid().empty()) return fail(ErrorCode::internal_error, "no active signing key after creating one");
  return {};
}

Result<void> TokenService::load() {
  auto rows = db_.query(
      "SELECT kid, algorithm, private_pem_encrypted, status, retire_after FROM signing_keys"
      " WHERE status = 'active' OR (status = 'retired' AND retire_after > ?1) ORDER BY created_at DESC",
      {epoch_ms(now())});
  if (!rows) return std::unexpected(rows.error());
  std::vector<Loaded> active;
  std::vector<Loaded> retired;
  for (const auto& row : rows->rows) {
    auto kid = row.get<std::string>("kid");
    auto algorithm = row.get<std::string>("algorithm");
    auto encrypted = row.get<std::string>("private_pem_encrypted");
    auto status = row.get<std::string>("status");
    auto retire_after = row.get<std::optional<std::int64_t>>("retire_after");
    if (!kid || !algorithm || !encrypted || !status || !retire_after) {
      return fail(ErrorCode::database_error, "malformed signing key row");
    }
    auto alg = parse_algorithm(*algorithm);
    if (!alg) return std::unexpected(alg.error());
    auto ciphertext = config::decode_base64(*encrypted);
    if (!ciphertext) return fail(ErrorCode::permission_denied, "stored signing key is corrupt");
    auto pem = keys_.keyring().decrypt(kSystemKeyTenant, *ciphertext, pem_context(*kid));
    if (!pem) return std::unexpected(pem.error());
    std::string pem_text(pem->begin(), pem->end());
    auto key = crypto::SigningKey::from_private_pem(pem_text);
    std::fill(pem_text.begin(), pem_text.end(), '\0');
    std::fill(pem->begin(), pem->end(), std::uint8_t{0});
    if (!key) return std::unexpected(key.error());
    if (key->kid() != *kid || key->algorithm() != *alg) {
      return fail(ErrorCode::internal_error, "stored signing key does not match its record");
    }
    if (*status == "active") {
      active.push_back({std::move(*key), 0});
    } else {
      retired.push_back({std::move(*key), retire_after->value_or(0)});
    }
  }
  if (active.size() > 1) return fail(ErrorCode::internal_error, "more than one active signing key");
  std::unique_lock lock(mutex_);
  keys_loaded_.clear();
  for (auto& k : active) keys_loaded_.push_back(std::move(k));
  if (keys_loaded_.empty()) {  // ensure_signing_key() generates one; retired keys alone are not enough
    verifier_.reset();
    return {};
  }
  for (auto& k : retired) keys_loaded_.push_back(std::move(k));
  rebuild_verifier_locked();
  return {};
}

void TokenService::rebuild_verifier_locked() {
  auto verifier =
      std::make_shared<crypto::JwtVerifier>(options_.issuer, options_.audience, options_.leeway, options_.clock);
  for (const auto& k : keys_loaded_) (void)verifier->add_key(k.key);
  verifier_ = std::move(verifier);
}

Result<void> TokenService::store_new_active(const crypto::SigningKey& key, bool retire_current) {
  const std::string pem = key.private_pem();
  auto ciphertext = keys_.keyring().encrypt(kSystemKeyTenant, crypto::as_bytes(pem), pem_context(key.kid()));
  if (!ciphertext) return std::unexpected(ciphertext.error());
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  const auto t = now();
  if (retire_current) {
    const auto retire_after = t + options_.lifetime + options_.leeway;
    auto r = txn->execute("UPDATE signing_keys SET status = 'retired', retire_after = ?1 WHERE status = 'active'",
                          {epoch_ms(retire_after)});
    if (!r) return std::unexpected(r.error());
  }
  auto r = txn->execute(
      "INSERT INTO signing_keys (kid, algorithm, public_jwk, private_pem_encrypted, status, created_at, retire_after)"
      " VALUES (?1, ?2, ?3, ?4, 'active', ?5, NULL)",
      {key.kid(), std::string(crypto::jwt_algorithm_name(key.algorithm())), key.public_jwk().dump(),
       config::encode_base64(*ciphertext), epoch_ms(t)});
  if (!r) return std::unexpected(r.error());
  return txn->commit();
}

Result<void> TokenService::rotate() {
  std::lock_guard generate(generate_mutex_);
  auto key = crypto::SigningKey::generate(options_.algorithm, options_.rsa_bits);
  if (!key) return std::unexpected(key.error());
  if (auto stored = store_new_active(*key, true); !stored) return stored;
  return load();
}

Result<IssuedToken> TokenService::issue(const Identity& identity, const TokenGrant& grant) {
  if (identity.user_id.empty() || identity.tenant_id.empty() || identity.role.empty()) {
    return fail(ErrorCode::invalid_input, "token subject, tenant and role are required");
  }
  if (auto ensured = ensure_signing_key(); !ensured) return std::unexpected(ensured.error());
  std::optional<crypto::SigningKey> key;
  {
    std::shared_lock lock(mutex_);
    if (keys_loaded_.empty()) return fail(ErrorCode::internal_error, "no signing key loaded");
    key = keys_loaded_.front().key;
  }
  const auto iat = now();
  const auto exp = iat + (grant.lifetime > std::chrono::seconds(0) ? grant.lifetime : options_.lifetime);
  nlohmann::json claims = {
      {"iss", options_.issuer},
      {"sub", identity.user_id},
      {"aud", options_.audience},
      {"iat", to_s(iat)},
      {"exp", to_s(exp)},
      {"jti", crypto::base64url_encode(crypto::random_bytes(16))},
      {"tenant", identity.tenant_id},
      {"role", identity.role},
      {"scopes", identity.scopes},
  };
  if (!grant.client_id.empty()) {
    claims["client_id"] = grant.client_id;
    std::string scope;
    for (const auto& s : identity.scopes) scope += (scope.empty() ? "" : " ") + s;
    claims["scope"] = scope;
  }
  if (!grant.grant_id.empty()) claims["gid"] = grant.grant_id;
  auto token = crypto::sign_jwt(*key, claims);
  if (!token) return std::unexpected(token.error());
  return IssuedToken{std::move(*token), system_clock::time_point(std::chrono::seconds(to_s(exp)))};
}

Result<Identity> TokenService::verify(std::string_view token) const {
  auto verified = verify_token(token);
  if (!verified) return std::unexpected(verified.error());
  return std::move(verified->identity);
}

Result<VerifiedToken> TokenService::verify_token(std::string_view token) const {
  // Hot path: a token already verified is looked up by its SHA-256 (the cache holds no bearer tokens) until it
  // expires. Signature checks cost 37-100 µs for RS256; the lookup about 1 µs.
  const auto digest = crypto::sha256(crypto::as_bytes(token));
  std::string cache_key(digest.begin(), digest.end());
  const auto now_ms = epoch_ms(now());
  {
    const std::lock_guard lock(cache_mutex_);
    if (auto it = verified_.find(cache_key); it != verified_.end()) {
      if (now_ms < it->second.expires_ms) return it->second;
      verified_.erase(it);
    }
  }
  auto verified = verify_uncached(token);
  if (!verified) return verified;
  {
    const std::lock_guard lock(cache_mutex_);
    if (verified_.size() >= kMaxCachedTokens) verified_.clear();  // crude bound: re-verifying is always correct
    verified_.insert_or_assign(std::move(cache_key), *verified);
  }
  return verified;
}

Result<VerifiedToken> TokenService::verify_uncached(std::string_view token) const {
  std::shared_ptr<const crypto::JwtVerifier> verifier;
  {
    std::shared_lock lock(mutex_);
    verifier = verifier_;
  }
  if (!verifier) return fail(ErrorCode::auth_invalid, "invalid token");
  auto claims = verifier->verify(token);
  if (!claims) return std::unexpected(claims.error());
  const auto& c = *claims;
  auto str = [&](const char* name) -> const std::string* {
    auto it = c.find(name);
    if (it == c.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return nullptr;
    return &it->get_ref<const std::string&>();
  };
  const auto* sub = str("sub");
  const auto* tenant = str("tenant");
  const auto* role = str("role");
  if (sub == nullptr || tenant == nullptr || role == nullptr) return fail(ErrorCode::auth_invalid, "invalid token");
  Identity id{*sub, *tenant, *role, {}};
  if (auto it = c.find("scopes"); it != c.end()) {
    if (!it->is_array()) return fail(ErrorCode::auth_invalid, "invalid token");
    for (const auto& s : *it) {
      if (!s.is_string()) return fail(ErrorCode::auth_invalid, "invalid token");
      id.scopes.push_back(s.get<std::string>());
    }
  }
  const auto exp = c.find("exp");  // present and numeric: the verifier checked it
  if (exp == c.end() || !exp->is_number()) return fail(ErrorCode::auth_invalid, "invalid token");
  VerifiedToken verified{std::move(id), {}, {}, static_cast<std::int64_t>(exp->get<double>() * 1000.0)};
  if (const auto* client = str("client_id")) verified.client_id = *client;
  if (const auto* gid = str("gid")) verified.grant_id = *gid;
  return verified;
}

nlohmann::json TokenService::jwks() const {
  std::shared_lock lock(mutex_);
  const auto t = epoch_ms(now());
  std::vector<const crypto::SigningKey*> published;
  for (const auto& k : keys_loaded_) {
    if (k.retire_after_ms == 0 || k.retire_after_ms > t) published.push_back(&k.key);
  }
  return crypto::jwks(published);
}

std::string TokenService::active_kid() const {
  std::shared_lock lock(mutex_);
  return keys_loaded_.empty() ? std::string() : keys_loaded_.front().key.kid();
}

}  // namespace pierre::auth
