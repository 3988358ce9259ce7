#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "auth_backend.hpp"
#include "pierre/auth/user_service.hpp"

namespace pierre::auth::testing {
namespace {

store::CursorCodec codec() {
  return *store::CursorCodec::create(crypto::Bytes(32, 7));
}

class Users {
 public:
  explicit Users(store::Database& db, const PasswordHasher& hasher = fast_hasher()) : svc(db, hasher, codec()) {}
  UserService svc;
};

constexpr std::string_view kUserPassword = "a perfectly fine password";

TEST_P(AuthBackendTest, SetupAdminCreatesTheDefaultTenantAndSuperAdminExactlyOnce) {
  Users u(db());
  EXPECT_FALSE(u.svc.setup_completed().value());
  auto setup = u.svc.setup_admin("  Admin@Example.com ", kUserPassword, "The Admin");
  ASSERT_TRUE(setup) << describe(setup);
  EXPECT_TRUE(u.svc.setup_completed().value());
  EXPECT_EQ(setup->admin.email, "admin@example.com");
  EXPECT_EQ(setup->admin.role, "super_admin");
  EXPECT_EQ(setup->admin.status, "active");
  auto stored = u.svc.get_user(setup->tenant_id, setup->admin.id);
  ASSERT_TRUE(stored) << describe(stored);
  EXPECT_EQ(stored->role, "super_admin");
  EXPECT_EQ(stored->display_name, "The Admin");

  auto second = u.svc.setup_admin("other@example.com", kUserPassword, "Other");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::resource_already_exists);
  EXPECT_EQ(second.error().message, "setup has already been completed");

  auto identity = u.svc.login("ADMIN@example.com", kUserPassword);
  ASSERT_TRUE(identity) << describe(identity);
  EXPECT_EQ(identity->user_id, setup->admin.id);
  EXPECT_EQ(identity->tenant_id, setup->tenant_id);
  EXPECT_EQ(identity->role, "super_admin");
  EXPECT_EQ(identity->scopes, scopes_for_role("super_admin"));
  EXPECT_EQ(u.svc.suspend(setup->tenant_id, setup->admin.id).error().code, ErrorCode::permission_denied);
}

TEST_P(AuthBackendTest, SetupAdminValidatesItsInput) {
  Users u(db());
  EXPECT_EQ(u.svc.setup_admin("not-an-email", kUserPassword, "A").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(u.svc.setup_admin("a@example.com", "short", "A").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(u.svc.setup_admin("longer.address@example.com", "Longer.Address@example.com", "A").error().code,
            ErrorCode::invalid_input);
  EXPECT_FALSE(u.svc.setup_completed().value());
  EXPECT_TRUE(u.svc.setup_admin("a@example.com", kUserPassword, "A"));
}

TEST_P(AuthBackendTest, ConcurrentSetupAdminHasExactlyOneWinner) {
  constexpr int n = 20;
  Users u(db());
  std::vector<Result<SetupResult>> results(n, fail(ErrorCode::internal_error, "not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] =
          u.svc.setup_admin("admin" + std::to_string(i) + "@example.com", kUserPassword, "Admin " + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const auto& r : results) {
    if (r) {
      ++ok;
    } else {
      EXPECT_EQ(r.error().code, ErrorCode::resource_already_exists) << describe(r);
    }
  }
  EXPECT_EQ(ok, 1);
  auto tenants = db().query_row("SELECT count(*) FROM tenants");
  auto logins = db().query_row("SELECT count(*) FROM user_logins");
  EXPECT_EQ((*tenants)->get<std::int64_t>(0).value_or(-1), 1);
  EXPECT_EQ((*logins)->get<std::int64_t>(0).value_or(-1), 1);
}

TEST_P(AuthBackendTest, RegistrationIsPendingUntilApprovedAndLoginSaysSoOnlyAfterTheRightPassword) {
  Users u(db());
  auto tenant = u.svc.create_tenant("Acme", "acme");
  ASSERT_TRUE(tenant) << describe(tenant);
  auto bob = u.svc.register_user(*tenant, " Bob@Acme.io", kUserPassword, "Bob");
  ASSERT_TRUE(bob) << describe(bob);
  EXPECT_EQ(bob->status, "pending");
  EXPECT_EQ(bob->role, "user");
  EXPECT_EQ(bob->email, "bob@acme.io");

  auto wrong = u.svc.login("bob@acme.io", "a perfectly fine passworD");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::auth_invalid);
  EXPECT_EQ(wrong.error().message, "invalid email or password");
  auto unknown = u.svc.login("nobody@acme.io", kUserPassword);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::auth_invalid);
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_EQ(u.svc.login("garbage", kUserPassword).error().message, wrong.error().message);

  auto pending = u.svc.login("bob@acme.io", kUserPassword);
  ASSERT_FALSE(pending);
  EXPECT_EQ(pending.error().code, ErrorCode::auth_invalid);
  EXPECT_EQ(pending.error().message, "account pending approval");

  ASSERT_TRUE(u.svc.approve(*tenant, bob->id));
  auto identity = u.svc.login("BOB@ACME.IO ", kUserPassword);
  ASSERT_TRUE(identity) << describe(identity);
  EXPECT_EQ(*identity, (Identity{bob->id, *tenant, "user", scopes_for_role("user")}));

  ASSERT_TRUE(u.svc.suspend(*tenant, bob->id));
  EXPECT_EQ(u.svc.login("bob@acme.io", kUserPassword).error().message, "account suspended");
  EXPECT_EQ(u.svc.login("bob@acme.io", "wrong wrong wrong").error().message, "invalid email or password");
  EXPECT_EQ(u.svc.get_user(*tenant, bob->id)->status, "suspended");
}

TEST_P(AuthBackendTest, AutoApproveTenantsActivateRegistrationsAtOnce) {
  Users u(db());
  auto tenant = u.svc.create_tenant("Open", "open", true);
  ASSERT_TRUE(tenant);
  auto carol = u.svc.register_user(*tenant, "carol@open.io", kUserPassword, "Carol");
  ASSERT_TRUE(carol) << describe(carol);
  EXPECT_EQ(carol->status, "active");
  EXPECT_TRUE(u.svc.login("carol@open.io", kUserPassword));
}

TEST_P(AuthBackendTest, RegistrationRejectsDuplicatesUnknownTenantsAndBadInput) {
  Users u(db());
  auto t1 = u.svc.create_tenant("One", "one");
  auto t2 = u.svc.create_tenant("Two", "two");
  ASSERT_TRUE(t1 && t2);
  ASSERT_TRUE(u.svc.register_user(*t1, "dave@example.com", kUserPassword, "Dave"));
  auto dup = u.svc.register_user(*t1, "  DAVE@example.com", kUserPassword, "Dave again");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::resource_already_exists);
  // Emails are unique across the server, not only per tenant.
  EXPECT_EQ(u.svc.register_user(*t2, "dave@example.com", kUserPassword, "Dave").error().code,
            ErrorCode::resource_already_exists);
  EXPECT_EQ(u.svc.register_user("tnt_missing", "erin@example.com", kUserPassword, "Erin").error().code,
            ErrorCode::resource_not_found);
  EXPECT_EQ(u.svc.register_user(*t1, "erin@", kUserPassword, "Erin").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(u.svc.register_user(*t1, "erin@example.com", "zzzzzzzzzzzzzzzz", "Erin").error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(u.svc.create_tenant("Dup", "one").error().code, ErrorCode::resource_already_exists);
}

TEST_P(AuthBackendTest, StatusChangesStayInsideTheirTenant) {
  Users u(db());
  auto t1 = u.svc.create_tenant("One", "one");
  auto t2 = u.svc.create_tenant("Two", "two");
  ASSERT_TRUE(t1 && t2);
  auto frank = u.svc.register_user(*t1, "frank@example.com", kUserPassword, "Frank");
  ASSERT_TRUE(frank);
  EXPECT_EQ(u.svc.approve(*t2, frank->id).error().code, ErrorCode::resource_not_found);
  EXPECT_EQ(u.svc.get_user(*t2, frank->id).error().code, ErrorCode::resource_not_found);
  EXPECT_EQ(u.svc.approve(*t1, "usr_nobody").error().code, ErrorCode::resource_not_found);
  EXPECT_EQ(u.svc.get_user(*t1, frank->id)->status, "pending");
}

TEST_P(AuthBackendTest, FindByEmailFindsTheUserInWhicheverTenantHoldsIt) {
  Users u(db());
  auto t1 = u.svc.create_tenant("One", "one");
  auto t2 = u.svc.create_tenant("Two", "two");
  ASSERT_TRUE(t1 && t2);
  auto gina = u.svc.register_user(*t2, "gina@example.com", kUserPassword, "Gina");
  ASSERT_TRUE(gina);
  auto found = u.svc.find_by_email("  GINA@example.com ");
  ASSERT_TRUE(found) << describe(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, gina->id);
  EXPECT_EQ((*found)->tenant_id, *t2);
  EXPECT_EQ((*found)->status, "pending");
  auto nobody = u.svc.find_by_email("nobody@example.com");
  ASSERT_TRUE(nobody);
  EXPECT_FALSE(nobody->has_value());
  EXPECT_EQ(u.svc.find_by_email("not-an-email").error().code, ErrorCode::invalid_input);
}

TEST_P(AuthBackendTest, ListUsersPagesThroughATenantWithCursorsBoundToIt) {
  Users u(db());
  auto t1 = u.svc.create_tenant("One", "one");
  auto t2 = u.svc.create_tenant("Two", "two");
  ASSERT_TRUE(t1 && t2);
  std::set<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    auto r = u.svc.register_user(*t1, "user" + std::to_string(i) + "@one.io", kUserPassword, "U");
    ASSERT_TRUE(r) << describe(r);
    expected.insert(r->id);
  }
  ASSERT_TRUE(u.svc.register_user(*t2, "other@two.io", kUserPassword, "O"));

  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  std::string first_cursor;
  do {
    auto page = u.svc.list_users(*t1, cursor, 2);
    ASSERT_TRUE(page) << describe(page);
    ++pages;
    for (const auto& user : page->users) {
      EXPECT_EQ(user.tenant_id, *t1);
      EXPECT_TRUE(seen.insert(user.id).second);
    }
    cursor = page->next_cursor.value_or("");
    if (pages == 1) first_cursor = cursor;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, expected);
  ASSERT_FALSE(first_cursor.empty());
  EXPECT_EQ(u.svc.list_users(*t2, first_cursor, 2).error().code, ErrorCode::invalid_cursor);
  EXPECT_EQ(u.svc.list_users(*t1, "garbage", 2).error().code, ErrorCode::invalid_cursor);

  // Status filter: only matching users, paged; a cursor is bound to its filter.
  const auto approved_id = *expected.begin();
  ASSERT_TRUE(u.svc.approve(*t1, approved_id));
  auto active = u.svc.list_users(*t1, "", 10, "active");
  ASSERT_TRUE(active) << describe(active);
  ASSERT_EQ(active->users.size(), 1u);
  EXPECT_EQ(active->users[0].id, approved_id);
  auto pending = u.svc.list_users(*t1, "", 3, "pending");
  ASSERT_TRUE(pending) << describe(pending);
  EXPECT_EQ(pending->users.size(), 3u);
  for (const auto& user : pending->users) EXPECT_EQ(user.status, "pending");
  ASSERT_TRUE(pending->next_cursor);
  auto rest = u.svc.list_users(*t1, *pending->next_cursor, 3, "pending");
  ASSERT_TRUE(rest) << describe(rest);
  EXPECT_EQ(rest->users.size(), 1u);
  EXPECT_FALSE(rest->next_cursor);
  EXPECT_EQ(u.svc.list_users(*t1, *pending->next_cursor, 3, "active").error().code, ErrorCode::invalid_cursor);
  EXPECT_EQ(u.svc.list_users(*t1, *pending->next_cursor, 3).error().code, ErrorCode::invalid_cursor);
}

TEST_P(AuthBackendTest, LoginUpgradesHashesMadeWithOlderParameters) {
  auto stronger = PasswordHasher::with_params({2, 8192});
  ASSERT_TRUE(stronger);
  Users old_params(db());
  Users new_params(db(), *stronger);
  auto tenant = old_params.svc.create_tenant("Acme", "acme", true);
  ASSERT_TRUE(tenant);
  auto gina = old_params.svc.register_user(*tenant, "gina@acme.io", kUserPassword, "Gina");
  ASSERT_TRUE(gina);
  auto read_hash = [&] {
    auto row = db().tenant(store::TenantId(*tenant))
                   .query_row("SELECT password_hash FROM users WHERE tenant_id = :tenant AND id = ?1", {gina->id});
    return row && *row ? (*row)->get<std::string>("password_hash").value_or("") : std::string();
  };
  const auto before = read_hash();
  EXPECT_TRUE(stronger->needs_rehash(before));
  ASSERT_TRUE(new_params.svc.login("gina@acme.io", kUserPassword));
  const auto after = read_hash();
  EXPECT_NE(after, before);
  EXPECT_FALSE(stronger->needs_rehash(after));
  EXPECT_TRUE(old_params.svc.login("gina@acme.io", kUserPassword));
}

}  // namespace
}  // namespace pierre::auth::testing
