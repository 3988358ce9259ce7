#pragma once
// KeyStore: the KeyRing (crypto/keyring.hpp) bound to its persistence in the store (migration 002).
//
// open():
//   * first start (no keyring_master row): stores the master check value (a concurrent first start that loses the
//     insert re-reads the winner's row and verifies against it);
//   * later starts: verifies the master key against the stored check value before touching anything; a different
//     key is config_invalid "PIERRE_MASTER_ENCRYPTION_KEY does not match the key this database was encrypted with"
//     and nothing is written;
//   * loads every wrapped tenant key (all versions) from tenant_keys. A record that does not unwrap is an error
//     (permission_denied from the KeyRing): the server must not start with keys it cannot read.
// rotate_master_key(): re-wraps the stored tenant keys under a new master key (see below).
// tenant_keys is a system-level table (owner_tenant, not tenant_id — see the migration) because it must be read for
// every tenant at start-up, before any tenant scope exists.
//
// Thread safety: all members may be called concurrently.

#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/crypto/keyring.hpp"
#include "pierre/store/database.hpp"

namespace pierre::auth {

// The KeyRing tenant that encrypts server secrets (JWT signing keys). Not a row in `tenants`.
inline constexpr std::string_view kSystemKeyTenant = "__pierre_system__";

class KeyStore {
 public:
  static Result<std::unique_ptr<KeyStore>> open(store::Database& db, std::span<const std::uint8_t> master_key);

  [[nodiscard]] crypto::KeyRing& keyring() noexcept { return keyring_; }
  [[nodiscard]] const crypto::KeyRing& keyring() const noexcept { return keyring_; }

  // Loads nothing new if the tenant already has a key; otherwise creates version 1 and persists it. Concurrent
  // callers (threads or processes) converge on one key: the loser of the insert reloads the winner's record.
  Result<void> ensure_tenant_key(std::string_view tenant_id);
  // Adds version current+1 and persists it; ciphertexts under older versions stay decryptable.
  Result<void> rotate_tenant_key(std::string_view tenant_id);

  // Master-key rotation, an offline operation (pierre-admin rotate-master-key): every server on this database must
  // be stopped, because a running one keeps the old master key in memory and would wrap new tenant keys with it.
  // In one transaction: verifies `current_master` against the stored check value before writing anything
  // (config_invalid as in open() when it does not match), re-wraps every tenant_keys record under `new_master`
  // (same key id and version, so data encrypted with tenant keys is never touched), and replaces the check value.
  // Any failure rolls everything back. resource_not_found when the database has no master check value yet (no
  // server has started on it); invalid_input when both keys are the same. Returns the number of re-wrapped keys.
  static Result<std::size_t> rotate_master_key(store::Database& db, std::span<const std::uint8_t> current_master,
                                               std::span<const std::uint8_t> new_master);

 private:
  KeyStore(store::Database& db, crypto::KeyRing keyring) noexcept : db_(db), keyring_(std::move(keyring)) {}
  Result<void> persist(std::string_view tenant_id, const crypto::WrappedKey& key);
  Result<void> reload_tenant(std::string_view tenant_id);

  store::Database& db_;
  crypto::KeyRing keyring_;
  std::mutex write_mutex_;  // serialises create/rotate in this process
};

}  // namespace pierre::auth
