#pragma once
// Two-tier key management: the master key (PIERRE_MASTER_ENCRYPTION_KEY, 32 bytes) wraps one or more data keys
// per tenant; tenant secrets (provider tokens, signing keys, ...) are encrypted with the tenant's data key. Rotating
// the master key only re-wraps the tenant keys (rewrap_tenant_key); data ciphertexts are never touched. Pure
// crypto: the caller persists WrappedKey records and the master check value.
//
// ── Key derivation from the master key M (32 bytes) ─────────────────────────────────────────────────────────────
//   wrap key     = HMAC-SHA-256(M, "pierre keyring wrap v1")            (32 bytes, AES-256-GCM key for wrapping)
//   check value  = HMAC-SHA-256(M, "pierre keyring check v1")[0..16)    (16 bytes, stored beside the data)
// M itself is never used directly as a cipher key, so the check value reveals nothing about the wrap key.
//
// ── Encodings used below ───────────────────────────────────────────────────────────────────────────────────────
//   u8 / u32be   unsigned integers, big-endian
//   str32(s)     u32be(len(s)) || s          (length-prefixed so concatenations are unambiguous)
//   AEAD(k,p,a)  the aes256gcm_seal blob of aead.hpp: 0x01 || nonce(12) || ciphertext || tag(16), AAD a
//
// ── WrappedKey (one tenant data key, as stored) ───────────────────────────────────────────────────────────────
//   key_id   1..255 bytes of [A-Za-z0-9_-], random ("tk_" + 16 hex) at creation, kept across rotations
//   version  1, 2, ... (each rotate_tenant_key adds one)
//   wrapped  AEAD(wrap key, data key (32 bytes),
//                 "pierre keyring wrap v1" || str32(tenant_id) || str32(key_id) || u32be(version))   = 61 bytes
//   The AAD binds the record to its tenant, key id and version: moving it to another tenant, or editing the id or
//   version, makes unwrapping fail.
//
// ── Tenant ciphertext (KeyRing::encrypt output) ───────────────────────────────────────────────────────────────
//   offset  size  field
//   0       1     format = 0x01 (kKeyRingFormatV1)
//   1       1     L = len(key_id), 1..255
//   2       L     key_id
//   2+L     4     version, u32be
//   6+L     ..    AEAD(tenant data key (key_id, version), plaintext,
//                      "pierre keyring data v1" || str32(tenant_id) || header || str32(context))
//   where header = bytes [0, 6+L) above. Total size = 6 + L + 29 + len(plaintext).
//   The header names the data key so ciphertexts written before a tenant-key rotation stay decryptable (as long as
//   the older WrappedKey versions are loaded); it is authenticated through the AAD. `context` names the field
//   (e.g. "provider_token:strava:user42"), so a ciphertext copied into another field or tenant does not decrypt.
//
// ── Errors ────────────────────────────────────────────────────────────────────────────────────────────────────────
//   invalid_input       malformed arguments or ciphertexts (sizes, format byte, empty tenant id, bad key id)
//   config_invalid      master key of the wrong size, or not the key the database was encrypted with
//   permission_denied   authentication failed (unwrap or decrypt); the message carries no detail
//   resource_not_found  the tenant, or the key version a ciphertext names, is not loaded
//   resource_already_exists  create_tenant_key for a tenant that has a key; conflicting load
//
// Thread safety: all members may be called concurrently; encrypt/decrypt share a lock, key changes take it
// exclusively. Data keys and the wrap key are wiped (OPENSSL_cleanse) when removed or when the KeyRing dies.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::crypto {

inline constexpr std::uint8_t kKeyRingFormatV1 = 0x01;
inline constexpr std::size_t kTenantKeyBytes = 32;
inline constexpr std::size_t kMasterCheckValueBytes = 16;

struct WrappedKey {
  std::string key_id;
  std::uint32_t version = 0;
  Bytes wrapped;

  friend bool operator==(const WrappedKey&, const WrappedKey&) = default;
};

// What a tenant ciphertext's header says, without decrypting (e.g. to find which key versions are still in use).
struct CiphertextKeyRef {
  std::string key_id;
  std::uint32_t version = 0;
};

class KeyRing {
 public:
  // `master` must be 32 bytes (config_invalid otherwise).
  static Result<KeyRing> create(std::span<const std::uint8_t> master);
  // As above, and also verify_master(expected_check_value): the start-up path for an existing database.
  static Result<KeyRing> create(std::span<const std::uint8_t> master,
                                std::span<const std::uint8_t> expected_check_value);

  // The value to store beside the data so a later start can tell whether it got the same master key.
  static Bytes master_check_value(std::span<const std::uint8_t> master);
  Bytes check_value() const;
  // config_invalid "PIERRE_MASTER_ENCRYPTION_KEY does not match the key this database was encrypted with".
  Result<void> verify_master(std::span<const std::uint8_t> check_value) const;

  // New random data key (version 1) for a tenant that has none; installs it and returns the record to persist.
  Result<WrappedKey> create_tenant_key(std::string_view tenant_id);
  // New random data key for the tenant with the same key_id and version = current + 1; it becomes the key new
  // ciphertexts use; older versions stay loaded for decryption.
  Result<WrappedKey> rotate_tenant_key(std::string_view tenant_id);
  // Unwraps a stored record into memory. On any failure (wrong master key, record altered or belonging to another
  // tenant) nothing changes. Loading an identical record twice is a no-op; the highest loaded version is used for
  // new ciphertexts.
  Result<void> load_tenant_key(std::string_view tenant_id, const WrappedKey& key);
  // Forgets (and wipes) all of a tenant's keys. Returns false when none were loaded.
  bool unload_tenant(std::string_view tenant_id);

  bool has_tenant(std::string_view tenant_id) const;
  // The key new ciphertexts for this tenant use; resource_not_found when the tenant is not loaded.
  Result<CiphertextKeyRef> active_key(std::string_view tenant_id) const;

  Result<Bytes> encrypt(std::string_view tenant_id, std::span<const std::uint8_t> plaintext,
                        std::string_view context) const;
  Result<Bytes> decrypt(std::string_view tenant_id, std::span<const std::uint8_t> ciphertext,
                        std::string_view context) const;

  // Parses a tenant ciphertext's header (invalid_input when malformed).
  static Result<CiphertextKeyRef> inspect(std::span<const std::uint8_t> ciphertext);

  // Master-key rotation: unwraps `key` with old_master and wraps it with new_master (same key_id and version,
  // fresh nonce). permission_denied when old_master is not the key that wrapped it.
  static Result<WrappedKey> rewrap_tenant_key(std::span<const std::uint8_t> old_master,
                                              std::span<const std::uint8_t> new_master, std::string_view tenant_id,
                                              const WrappedKey& key);

  KeyRing(KeyRing&&) noexcept;
  KeyRing& operator=(KeyRing&&) noexcept;
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;
  ~KeyRing();

 private:
  struct State;
  explicit KeyRing(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pierre::crypto
