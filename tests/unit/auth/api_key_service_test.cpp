// ApiKeyService over each backend: creation rules, what is stored (hash, never the key), authentication outcomes,
// usage written behind with additive upserts (two services = two instances sharing a database), and the per-user
// limits holding under concurrent creation.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth_backend.hpp"
#include "pierre/auth/api_key_service.hpp"
#include "pierre/auth/user_service.hpp"

namespace pierre::auth::testing {
namespace {

constexpr std::string_view kPw = "a perfectly fine password";

ApiKeyService::Options api_key_options(std::uint32_t per_month = 0) {
  ApiKeyService::Options o;
  o.quotas.starter = {0, per_month};
  o.flush_interval = std::chrono::hours(1);  // tests flush explicitly
  return o;
}

Identity admin_of(store::Database& db) {
  UserService users(db, fast_hasher(), *store::CursorCodec::create(crypto::Bytes(32, 7)));
  auto setup = users.setup_admin("admin@example.com", kPw, "Admin");
  EXPECT_TRUE(setup) << describe(setup);
  return Identity{setup->admin.id, setup->tenant_id, "super_admin", scopes_for_role("super_admin")};
}

TEST_P(AuthBackendTest, ApiKeysAreStoredAsHashesAndAuthenticateTheirOwner) {
  const auto owner = admin_of(db());
  ApiKeyService keys(db(), api_key_options());
  auto created = keys.create(owner, {"ci", "nightly jobs", ApiKeyTier::starter, 30});
  ASSERT_TRUE(created) << describe(created);
  // Neither table holds the key itself.
  auto stored = db().tenant(store::TenantId(owner.tenant_id))
                    .query_row("SELECT key_hash, key_prefix FROM api_keys WHERE tenant_id = :tenant AND id = ?1",
                               {created->info.id});
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->get<std::string>("key_hash")->size(), 64U);
  EXPECT_NE(*(*stored)->get<std::string>("key_hash"), created->key);
  EXPECT_EQ(*(*stored)->get<std::string>("key_prefix"), created->key.substr(0, 12));

  auto check = keys.authenticate(created->key);
  ASSERT_TRUE(check) << describe(check);
  EXPECT_EQ(check->auth.identity, owner);
  EXPECT_EQ(check->auth.method, Authentication::Method::api_key);
  EXPECT_EQ(check->auth.api_key_id, created->info.id);

  std::string tampered = created->key;
  tampered.back() = tampered.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(keys.authenticate(tampered).error().code, ErrorCode::auth_invalid);
  EXPECT_EQ(keys.authenticate("pk_live_x").error().code, ErrorCode::auth_malformed);
  EXPECT_EQ(keys.authenticate("").error().code, ErrorCode::auth_malformed);

  ASSERT_TRUE(keys.revoke(owner, created->info.id));
  EXPECT_EQ(keys.authenticate(created->key).error().code, ErrorCode::auth_invalid);
}

TEST_P(AuthPersistentTest, UsageIsWrittenBehindAndAddsUpAcrossInstances) {
  const auto owner = admin_of(db());
  CreatedApiKey created;
  {
    ApiKeyService first(db(), api_key_options(10));
    ApiKeyService second(db(), api_key_options(10));
    auto made = first.create(owner, {"k", "", ApiKeyTier::starter, std::nullopt});
    ASSERT_TRUE(made) << describe(made);
    created = *made;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(first.authenticate(created.key));
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(second.authenticate(created.key));
    ASSERT_TRUE(first.flush());
    ASSERT_TRUE(second.flush());
    ASSERT_TRUE(first.flush());  // nothing pending: no double count
  }
  ApiKeyService restarted(db(), api_key_options(10));
  auto usage = restarted.usage(owner, created.info.id);
  ASSERT_TRUE(usage) << describe(usage);
  EXPECT_EQ(usage->month_requests, 5);
  auto listed = restarted.list(owner);
  ASSERT_TRUE(listed && listed->size() == 1U);
  EXPECT_TRUE((*listed)[0].last_used_at);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(restarted.authenticate(created.key)) << i;
  auto refused = restarted.authenticate(created.key);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::quota_exceeded);
}

TEST_P(AuthBackendTest, ConcurrentCreationKeepsOneTrialKeyPerUser) {
  const auto owner = admin_of(db());
  ApiKeyService keys(db(), api_key_options());
  std::atomic<int> made{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      auto r = keys.create(owner, {"trial", "", ApiKeyTier::trial, std::nullopt});
      if (r) {
        ++made;
      } else if (r.error().code == ErrorCode::resource_already_exists) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(refused.load(), 5);
}

TEST_P(AuthBackendTest, EnterpriseKeysNeedAnAdministrator) {
  auto owner = admin_of(db());
  ApiKeyService keys(db(), api_key_options());
  owner.role = "user";  // the role is the caller's claim; the service trusts what authentication established
  auto r = keys.create(owner, {"big", "", ApiKeyTier::enterprise, std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
}

}  // namespace
}  // namespace pierre::auth::testing
