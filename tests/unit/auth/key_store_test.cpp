#include <gtest/gtest.h>

#include "auth_backend.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/config.hpp"

namespace pierre::auth::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(auth, AuthBackendTest, ::testing::Values("sqlite_file", "sqlite_memory", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(auth, AuthPersistentTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

std::int64_t count(store::Database& db, const std::string& sql) {
  auto row = db.query_row(sql);
  EXPECT_TRUE(row && *row) << describe(row);
  return row && *row ? (*row)->get<std::int64_t>(0).value_or(-1) : -1;
}

TEST_P(AuthBackendTest, KeyStoreFirstStartStoresTheMasterCheckValue) {
  EXPECT_EQ(count(db(), "SELECT count(*) FROM keyring_master"), 0);
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks) << describe(ks);
  auto row = db().query_row("SELECT check_value FROM keyring_master WHERE id = 1");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->get<std::string>("check_value").value_or(""),
            config::encode_base64(crypto::KeyRing::master_check_value(master_)));
  // A second open in the same database accepts the same key and writes nothing new.
  auto again = KeyStore::open(db(), master_);
  ASSERT_TRUE(again) << describe(again);
  EXPECT_EQ(count(db(), "SELECT count(*) FROM keyring_master"), 1);
}

TEST_P(AuthBackendTest, KeyStoreRejectsAMasterKeyOfTheWrongSize) {
  auto ks = KeyStore::open(db(), crypto::random_bytes(16));
  ASSERT_FALSE(ks);
  EXPECT_EQ(ks.error().code, ErrorCode::config_invalid);
  EXPECT_EQ(count(db(), "SELECT count(*) FROM keyring_master"), 0);
}

TEST_P(AuthPersistentTest, WrongMasterKeyOnRestartFailsClearlyAndModifiesNothing) {
  {
    auto ks = KeyStore::open(db(), master_);
    ASSERT_TRUE(ks) << describe(ks);
    ASSERT_TRUE((*ks)->ensure_tenant_key("t1"));
  }
  reopen();
  auto before = db().query("SELECT owner_tenant, key_id, version, wrapped FROM tenant_keys ORDER BY owner_tenant");
  auto before_master = db().query("SELECT id, check_value, created_at FROM keyring_master");
  ASSERT_TRUE(before && before_master);

  auto wrong = KeyStore::open(db(), crypto::random_bytes(32));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::config_invalid);
  EXPECT_EQ(wrong.error().message,
            "PIERRE_MASTER_ENCRYPTION_KEY does not match the key this database was encrypted with");

  auto after = db().query("SELECT owner_tenant, key_id, version, wrapped FROM tenant_keys ORDER BY owner_tenant");
  auto after_master = db().query("SELECT id, check_value, created_at FROM keyring_master");
  ASSERT_TRUE(after && after_master);
  ASSERT_EQ(after->rows.size(), before->rows.size());
  for (std::size_t i = 0; i < after->rows.size(); ++i) EXPECT_EQ(after->rows[i].values(), before->rows[i].values());
  ASSERT_EQ(after_master->rows.size(), 1u);
  EXPECT_EQ(after_master->rows[0].values(), before_master->rows[0].values());

  // The right key still opens it.
  EXPECT_TRUE(KeyStore::open(db(), master_));
}

TEST_P(AuthPersistentTest, TenantKeysPersistAcrossRestartsIncludingRotations) {
  crypto::Bytes old_ct;
  crypto::Bytes new_ct;
  {
    auto ks = KeyStore::open(db(), master_);
    ASSERT_TRUE(ks) << describe(ks);
    ASSERT_TRUE((*ks)->ensure_tenant_key("t1"));
    ASSERT_TRUE((*ks)->ensure_tenant_key("t1"));  // idempotent
    auto ct = (*ks)->keyring().encrypt("t1", crypto::as_bytes("secret one"), "field");
    ASSERT_TRUE(ct);
    old_ct = *ct;
    auto rotated = (*ks)->rotate_tenant_key("t1");
    ASSERT_TRUE(rotated) << describe(rotated);
    auto ct2 = (*ks)->keyring().encrypt("t1", crypto::as_bytes("secret two"), "field");
    ASSERT_TRUE(ct2);
    new_ct = *ct2;
    EXPECT_EQ(crypto::KeyRing::inspect(new_ct)->version, 2u);
    EXPECT_EQ((*ks)->rotate_tenant_key("nobody").error().code, ErrorCode::resource_not_found);
  }
  EXPECT_EQ(count(db(), "SELECT count(*) FROM tenant_keys WHERE owner_tenant = 't1'"), 2);
  reopen();
  auto ks = KeyStore::open(db(), master_);
  ASSERT_TRUE(ks) << describe(ks);
  auto p1 = (*ks)->keyring().decrypt("t1", old_ct, "field");
  auto p2 = (*ks)->keyring().decrypt("t1", new_ct, "field");
  ASSERT_TRUE(p1) << describe(p1);
  ASSERT_TRUE(p2) << describe(p2);
  EXPECT_EQ(std::string(p1->begin(), p1->end()), "secret one");
  EXPECT_EQ(std::string(p2->begin(), p2->end()), "secret two");
  EXPECT_EQ((*ks)->keyring().active_key("t1")->version, 2u);
}

TEST_P(AuthPersistentTest, TamperedWrappedTenantKeyStopsStartUp) {
  {
    auto ks = KeyStore::open(db(), master_);
    ASSERT_TRUE(ks);
    ASSERT_TRUE((*ks)->ensure_tenant_key("t1"));
  }
  auto row = db().query_row("SELECT wrapped FROM tenant_keys WHERE owner_tenant = 't1'");
  ASSERT_TRUE(row && *row);
  auto bytes = *config::decode_base64((*row)->get<std::string>("wrapped").value());
  bytes[bytes.size() / 2] ^= 0x01;
  ASSERT_TRUE(
      db().execute("UPDATE tenant_keys SET wrapped = ?1 WHERE owner_tenant = 't1'", {config::encode_base64(bytes)}));
  auto ks = KeyStore::open(db(), master_);
  ASSERT_FALSE(ks);
  EXPECT_EQ(ks.error().code, ErrorCode::permission_denied);
}

TEST_P(AuthBackendTest, ConcurrentEnsureTenantKeyConvergesOnOneKey) {
  // Two KeyStores over one database behave like two server processes.
  auto a = KeyStore::open(db(), master_);
  auto b = KeyStore::open(db(), master_);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->ensure_tenant_key("t1"));
  ASSERT_TRUE((*b)->ensure_tenant_key("t1"));
  EXPECT_EQ(count(db(), "SELECT count(*) FROM tenant_keys WHERE owner_tenant = 't1'"), 1);
  auto ct = (*a)->keyring().encrypt("t1", crypto::as_bytes("shared"), "f");
  ASSERT_TRUE(ct);
  auto pt = (*b)->keyring().decrypt("t1", *ct, "f");
  ASSERT_TRUE(pt) << describe(pt);
}

}  // namespace
}  // namespace pierre::auth::testing
