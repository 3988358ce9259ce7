#include "pierre/auth/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "pierre/core/text.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::auth {
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    return true;
  }();
  (void)ready;
}

// Decodes UTF-8 leniently into code points (invalid bytes count as one code point each), enough for length and
// "all the same character" checks.
std::vector<std::uint32_t> code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 1;
    std::uint32_t cp = c;
    if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else if (c >= 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    }
    bool ok = i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0u) != 0x80u) ok = false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (!ok) {
      len = 1;
      cp = c;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

using text::iequals;

}  // namespace

Result<void> check_password_policy(std::string_view password, std::string_view email) {
  if (password.size() > kMaxPasswordBytes) {
    return fail(ErrorCode::invalid_input, "password must be at most 1024 bytes", {{"field", "password"}});
  }
  const auto cps = code_points(password);
  if (cps.size() < kMinPasswordChars) {
    return fail(ErrorCode::invalid_input, "password must be at least 12 characters long", {{"field", "password"}});
  }
  if (std::all_of(cps.begin(), cps.end(), [&](std::uint32_t c) { return c == cps.front(); })) {
    return fail(ErrorCode::invalid_input, "password must not be a single repeated character", {{"field", "password"}});
  }
  // Compare with the email as typed and trimmed, case-insensitively.
  auto trimmed = email;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  if (!trimmed.empty() && iequals(password, trimmed)) {
    return fail(ErrorCode::invalid_input, "password must not be the same as the email address",
                {{"field", "password"}});
  }
  return {};
}

PasswordHasher::PasswordHasher() : PasswordHasher(Params{}) {}

PasswordHasher::PasswordHasher(Params params) : params_(params) {
  ensure_sodium();
  // A hash of a random secret nobody knows, so verify_dummy() does the same work as a real verification.
  const auto secret = crypto::base64url_encode(crypto::random_bytes(24));
  auto h = hash(secret);
  if (!h) throw std::runtime_error("PasswordHasher: cannot compute the dummy hash");
  dummy_hash_ = std::move(*h);
}

Result<PasswordHasher> PasswordHasher::with_params(Params params) {
  ensure_sodium();
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN || params.opslimit > crypto_pwhash_OPSLIMIT_MAX ||
      params.memlimit < crypto_pwhash_MEMLIMIT_MIN || params.memlimit > crypto_pwhash_MEMLIMIT_MAX) {
    return fail(ErrorCode::config_invalid, "Argon2id parameters are outside libsodium's bounds");
  }
  return PasswordHasher(params);
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return fail(ErrorCode::invalid_input, "password must be 1 to 1024 bytes", {{"field", "password"}});
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.opslimit, params_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(ErrorCode::internal_error, "password hashing failed");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view stored, std::string_view password) const {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES || password.size() > kMaxPasswordBytes) {
    // Still spend the time, so a malformed stored hash does not stand out.
    verify_dummy(password.substr(0, kMaxPasswordBytes));
    return false;
  }
  if (stored.rfind("$argon2id$", 0) != 0) {
    verify_dummy(password);
    return false;
  }
  const std::string z(stored);  // NUL-terminated copy
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  const auto p = password.substr(0, kMaxPasswordBytes);
  const volatile int r = crypto_pwhash_str_verify(dummy_hash_.c_str(), p.data(), p.size());
  (void)r;
}

bool PasswordHasher::needs_rehash(std::string_view stored) const {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return true;
  if (stored.rfind("$argon2id$", 0) != 0) return true;
  const std::string z(stored);
  return crypto_pwhash_str_needs_rehash(z.c_str(), params_.opslimit, params_.memlimit) != 0;
}

}  // namespace pierre::auth
