#pragma once
// Password hashing (Argon2id through libsodium's crypto_pwhash_str) and the password policy.
//
// Parameters (libsodium fixes parallelism at 1):
//   kDefaultOpsLimit = 2 passes, kDefaultMemLimit = 19 MiB — the OWASP Password Storage Cheat Sheet's baseline for
//   Argon2id (m=19456 KiB, t=2, p=1), the same as Pierre's argon2 defaults. Roughly 30-60 ms per hash on a server
//   core. Hashes are the self-describing "$argon2id$v=19$m=...,t=...,p=1$salt$hash" strings, so the parameters can
//   be raised later: needs_rehash() reports hashes made with other parameters so login can upgrade them.
//
// Policy (check_password_policy): at least 12 characters (Unicode code points), at most 1024 bytes, not one
// character repeated, not equal to the account's email (case-insensitively). Violations are invalid_input with a
// message naming the rule; the password itself is never echoed.
//
// Timing: verify() on an unknown account should be replaced by verify_dummy(), which runs a full Argon2id
// verification against a hash made at construction, so "no such user" costs the same as "wrong password".
//
// Thread safety: all members are const and may be called concurrently.

#include <cstddef>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"

namespace pierre::auth {

inline constexpr unsigned long long kDefaultOpsLimit = 2;
inline constexpr std::size_t kDefaultMemLimit = std::size_t{19} * 1024 * 1024;
inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

Result<void> check_password_policy(std::string_view password, std::string_view email = {});

class PasswordHasher {
 public:
  struct Params {
    unsigned long long opslimit = kDefaultOpsLimit;
    std::size_t memlimit = kDefaultMemLimit;
  };

  // Production parameters.
  PasswordHasher();
  // Other parameters (tests use libsodium's minimums to stay fast). config_invalid outside libsodium's bounds.
  static Result<PasswordHasher> with_params(Params params);

  // The Argon2id string to store. invalid_input when the password is empty or longer than kMaxPasswordBytes
  // (the policy is the caller's job: check_password_policy); internal_error when libsodium runs out of memory.
  [[nodiscard]] Result<std::string> hash(std::string_view password) const;
  // True only when `stored` is a valid Argon2id string for this password. Never throws; malformed → false.
  [[nodiscard]] bool verify(std::string_view stored, std::string_view password) const;
  // Costs what verify() costs, always fails. Use it when the account does not exist.
  void verify_dummy(std::string_view password) const;
  // True when `stored` was made with other parameters (or is not an Argon2id string at all).
  [[nodiscard]] bool needs_rehash(std::string_view stored) const;

  [[nodiscard]] const Params& params() const noexcept { return params_; }

 private:
  explicit PasswordHasher(Params params);
  Params params_;
  std::string dummy_hash_;
};

}  // namespace pierre::auth
