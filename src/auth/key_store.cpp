#include "pierre/auth/key_store.hpp"

#include "pierre/core/time.hpp"

#include <chrono>

#include "pierre/core/config.hpp"

namespace pierre::auth {
namespace {

Result<crypto::Bytes> read_check_value(store::Executor& db) {
  auto row = db.query_row("SELECT check_value FROM keyring_master WHERE id = 1");
  if (!row) return std::unexpected(row.error());
  if (!*row) return crypto::Bytes{};
  auto text = (*row)->get<std::string>("check_value");
  if (!text) return std::unexpected(text.error());
  auto decoded = config::decode_base64(*text);
  if (!decoded || decoded->size() != crypto::kMasterCheckValueBytes) {
    return fail(ErrorCode::config_invalid, "the stored master key check value is corrupt");
  }
  return crypto::Bytes(decoded->begin(), decoded->end());
}

struct StoredTenantKey {
  std::string tenant;
  crypto::WrappedKey key;
};

// Every wrapped tenant key, in (tenant, version) order; a corrupt row fails the whole read.
Result<std::vector<StoredTenantKey>> read_tenant_keys(store::Executor& db) {
  auto rows = db.query("SELECT owner_tenant, key_id, version, wrapped FROM tenant_keys ORDER BY owner_tenant, version");
  if (!rows) return std::unexpected(rows.error());
  std::vector<StoredTenantKey> out;
  out.reserve(rows->rows.size());
  for (const auto& row : rows->rows) {
    auto tenant = row.get<std::string>("owner_tenant");
    auto key_id = row.get<std::string>("key_id");
    auto version = row.get<std::int64_t>("version");
    auto wrapped = row.get<std::string>("wrapped");
    if (!tenant || !key_id || !version || !wrapped) return fail(ErrorCode::database_error, "malformed tenant key row");
    auto bytes = config::decode_base64(*wrapped);
    if (!bytes || *version < 1 || *version > UINT32_MAX) {
      return fail(ErrorCode::config_invalid, "a stored tenant key record is corrupt");
    }
    out.push_back({*tenant, crypto::WrappedKey{*key_id, static_cast<std::uint32_t>(*version),
                                               crypto::Bytes(bytes->begin(), bytes->end())}});
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<KeyStore>> KeyStore::open(store::Database& db, std::span<const std::uint8_t> master_key) {
  auto stored = read_check_value(db);
  if (!stored) return std::unexpected(stored.error());

  std::optional<crypto::KeyRing> ring;
  if (stored->empty()) {
    auto created = crypto::KeyRing::create(master_key);
    if (!created) return std::unexpected(created.error());
    auto inserted = db.execute("INSERT INTO keyring_master (id, check_value, created_at) VALUES (1, ?1, ?2)",
                               {config::encode_base64(created->check_value()), now_epoch_ms()});
    if (!inserted) {
      if (inserted.error().code != ErrorCode::resource_already_exists) return std::unexpected(inserted.error());
      // Another start won the race: verify against its value.
      auto winner = read_check_value(db);
      if (!winner) return std::unexpected(winner.error());
      if (auto ok = created->verify_master(*winner); !ok) return std::unexpected(ok.error());
    }
    ring.emplace(std::move(*created));
  } else {
    auto verified = crypto::KeyRing::create(master_key, *stored);
    if (!verified) return std::unexpected(verified.error());
    ring.emplace(std::move(*verified));
  }

  auto tenant_keys = read_tenant_keys(db);
  if (!tenant_keys) return std::unexpected(tenant_keys.error());
  for (const auto& [tenant, key] : *tenant_keys) {
    if (auto loaded = ring->load_tenant_key(tenant, key); !loaded) return std::unexpected(loaded.error());
  }
  return std::unique_ptr<KeyStore>(new KeyStore(db, std::move(*ring)));
}

Result<void> KeyStore::persist(std::string_view tenant_id, const crypto::WrappedKey& key) {
  auto r = db_.execute(
      "INSERT INTO tenant_keys (owner_tenant, key_id, version, wrapped, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
      {std::string(tenant_id), key.key_id, static_cast<std::int64_t>(key.version), config::encode_base64(key.wrapped),
       now_epoch_ms()});
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> KeyStore::reload_tenant(std::string_view tenant_id) {
  keyring_.unload_tenant(tenant_id);
  auto rows = db_.query("SELECT key_id, version, wrapped FROM tenant_keys WHERE owner_tenant = ?1 ORDER BY version",
                        {std::string(tenant_id)});
  if (!rows) return std::unexpected(rows.error());
  for (const auto& row : rows->rows) {
    auto key_id = row.get<std::string>("key_id");
    auto version = row.get<std::int64_t>("version");
    auto wrapped = row.get<std::string>("wrapped");
    if (!key_id || !version || !wrapped) return fail(ErrorCode::database_error, "malformed tenant key row");
    auto bytes = config::decode_base64(*wrapped);
    if (!bytes || *version < 1 || *version > UINT32_MAX) {
      return fail(ErrorCode::config_invalid, "a stored tenant key record is corrupt");
    }
    crypto::WrappedKey key{*key_id, static_cast<std::uint32_t>(*version), crypto::Bytes(bytes->begin(), bytes->end())};
    if (auto loaded = keyring_.load_tenant_key(tenant_id, key); !loaded) return std::unexpected(loaded.error());
  }
  return {};
}

Result<void> KeyStore::ensure_tenant_key(std::string_view tenant_id) {
  if (keyring_.has_tenant(tenant_id)) return {};
  std::lock_guard lock(write_mutex_);
  if (keyring_.has_tenant(tenant_id)) return {};
  // Another process may have created it since start-up.
  if (auto reloaded = reload_tenant(tenant_id); !reloaded) return reloaded;
  if (keyring_.has_tenant(tenant_id)) return {};
  auto created = keyring_.create_tenant_key(tenant_id);
  if (!created) return std::unexpected(created.error());
  if (auto stored = persist(tenant_id, *created); !stored) {
    const bool lost_race = stored.error().code == ErrorCode::resource_already_exists;
    keyring_.unload_tenant(tenant_id);
    if (!lost_race) return stored;
    if (auto reloaded = reload_tenant(tenant_id); !reloaded) return reloaded;
    if (!keyring_.has_tenant(tenant_id)) return fail(ErrorCode::internal_error, "tenant key vanished");
  }
  return {};
}

Result<void> KeyStore::rotate_tenant_key(std::string_view tenant_id) {
  std::lock_guard lock(write_mutex_);
  if (!keyring_.has_tenant(tenant_id)) {
    if (auto reloaded = reload_tenant(tenant_id); !reloaded) return reloaded;
    if (!keyring_.has_tenant(tenant_id)) return fail(ErrorCode::resource_not_found, "tenant has no key");
  }
  auto rotated = keyring_.rotate_tenant_key(tenant_id);
  if (!rotated) return std::unexpected(rotated.error());
  if (auto stored = persist(tenant_id, *rotated); !stored) {
    // Put memory back in line with the database before reporting.
    (void)reload_tenant(tenant_id);
    return stored;
  }
  return {};
}

Result<std::size_t> KeyStore::rotate_master_key(store::Database& db, std::span<const std::uint8_t> current_master,
                                                std::span<const std::uint8_t> new_master) {
  // Both keys are checked for size before anything else (config_invalid from the KeyRing).
  auto current_ring = crypto::KeyRing::create(current_master);
  if (!current_ring) return std::unexpected(current_ring.error());
  auto new_ring = crypto::KeyRing::create(new_master);
  if (!new_ring) return std::unexpected(new_ring.error());
  if (current_ring->check_value() == new_ring->check_value()) {
    return fail(ErrorCode::invalid_input, "the new master key is the same as the current one");
  }

  auto txn = db.begin();
  if (!txn) return std::unexpected(txn.error());
  // A no-op write first: it takes the keyring_master row lock on PostgreSQL (SQLite's BEGIN IMMEDIATE already holds
  // the database write lock), so two concurrent rotations cannot both verify the old check value and then overwrite
  // each other's re-wrapped keys.
  auto locked = txn->execute("UPDATE keyring_master SET check_value = check_value WHERE id = 1");
  if (!locked) return std::unexpected(locked.error());
  auto stored = read_check_value(*txn);
  if (!stored) return std::unexpected(stored.error());
  if (stored->empty()) {
    return fail(ErrorCode::resource_not_found,
                "this database has no master key yet: start the server on it once before rotating");
  }
  // The current key must be the right one before a single row changes.
  if (auto ok = current_ring->verify_master(*stored); !ok) return std::unexpected(ok.error());

  auto tenant_keys = read_tenant_keys(*txn);
  if (!tenant_keys) return std::unexpected(tenant_keys.error());
  std::size_t rewrapped = 0;
  for (const auto& [tenant, old_key] : *tenant_keys) {
    // Unwraps with the current key (permission_denied if a record does not belong to it: nothing is committed).
    auto new_key = crypto::KeyRing::rewrap_tenant_key(current_master, new_master, tenant, old_key);
    if (!new_key) return std::unexpected(new_key.error());
    auto updated = txn->execute(
        "UPDATE tenant_keys SET wrapped = ?1 WHERE owner_tenant = ?2 AND key_id = ?3 AND version = ?4",
        {config::encode_base64(new_key->wrapped), tenant, old_key.key_id, static_cast<std::int64_t>(old_key.version)});
    if (!updated) return std::unexpected(updated.error());
    if (*updated != 1) return fail(ErrorCode::internal_error, "a tenant key row changed during master key rotation");
    ++rewrapped;
  }

  auto replaced = txn->execute("UPDATE keyring_master SET check_value = ?1 WHERE id = 1",
                               {config::encode_base64(new_ring->check_value())});
  if (!replaced) return std::unexpected(replaced.error());
  if (auto committed = txn->commit(); !committed) return std::unexpected(committed.error());
  return rewrapped;
}

}  // namespace pierre::auth
