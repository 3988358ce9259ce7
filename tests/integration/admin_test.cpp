// Black-box tests of the admin user-management endpoints (/admin/users…, Pierre's /admin/pending-users and
// /admin/approve-user/{id}) and of POST /auth/refresh, against the real server binary.
//
// Cross-tenant isolation (a second tenant, its admin, its users and API keys) is tested in tenant_test.cpp.
// Suite names start with "admin_" so that `ctest -R admin` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "identity_support.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;

constexpr const char* kUserPassword = "another long password";
constexpr const char* kUnknownId = "00000000-0000-4000-8000-000000000000";

// Setup + admin login; returns the admin's token.
std::string bootstrap(HttpClient& c) {
  auto s =
      post_json(c, "/admin/setup", {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "Admin"}});
  EXPECT_EQ(s.result_int(), 201) << s.body();
  return token_of(login(c, kAdminEmail, kAdminPassword));
}

// Registers a (pending) user; returns its id.
std::string register_user(HttpClient& c, const std::string& email) {
  auto r = post_json(c, "/auth/register", {{"email", email}, {"password", kUserPassword}, {"display_name", email}});
  EXPECT_EQ(r.result_int(), 201) << r.body();
  return body_json(r).value("user_id", "");
}

TEST(admin_Access, TokensAndRolesAreChecked) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());
  const auto admin = bootstrap(c);
  const auto bob_id = register_user(c, "bob@example.com");
  ASSERT_EQ(authed(c, verb::post, "/admin/users/" + bob_id + "/approve", admin).result_int(), 200);
  const auto bob = token_of(login(c, "bob@example.com", kUserPassword));

  const std::vector<std::pair<verb, std::string>> routes = {
      {verb::get, "/admin/users"},
      {verb::get, "/admin/pending-users"},
      {verb::post, "/admin/users/" + bob_id + "/approve"},
      {verb::post, "/admin/approve-user/" + bob_id},
      {verb::post, "/admin/users/" + bob_id + "/suspend"},
  };
  for (const auto& [method, path] : routes) {
    auto none = authed(c, method, path, "");
    EXPECT_EQ(none.result_int(), 401) << path << " " << none.body();
    EXPECT_EQ(error_code(none), "AUTH_REQUIRED") << path;

    auto garbage = authed(c, method, path, "not.a.jwt");
    EXPECT_EQ(garbage.result_int(), 401) << path << " " << garbage.body();

    auto basic = c.request(method, path, {}, {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}});
    EXPECT_EQ(basic.result_int(), 401) << path;
    EXPECT_EQ(error_code(basic), "AUTH_REQUIRED") << path;

    auto user = authed(c, method, path, bob);
    EXPECT_EQ(user.result_int(), 403) << path << " " << user.body();
    EXPECT_EQ(error_code(user), "PERMISSION_DENIED") << path;
  }
  // Bob is still active: the 403 suspend attempt above did nothing.
  EXPECT_EQ(login(c, "bob@example.com", kUserPassword).result_int(), 200);

  // Ids the caller's tenant does not hold are 404, for approve and suspend alike.
  for (const std::string& id : {std::string(kUnknownId), std::string("not-a-uuid")}) {
    for (const auto* action : {"approve", "suspend"}) {
      auto res = authed(c, verb::post, "/admin/users/" + id + "/" + action, admin);
      EXPECT_EQ(res.result_int(), 404) << id << " " << action << " " << res.body();
      EXPECT_EQ(error_code(res), "RESOURCE_NOT_FOUND");
    }
    auto pierre = authed(c, verb::post, "/admin/approve-user/" + id, admin);
    EXPECT_EQ(pierre.result_int(), 404) << pierre.body();
  }
}

TEST(admin_Flow, ApproveLoginRefreshSuspend) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());
  const auto admin = bootstrap(c);
  const auto bob_id = register_user(c, "bob@example.com");
  const auto carol_id = register_user(c, "carol@example.com");

  EXPECT_EQ(login(c, "bob@example.com", kUserPassword).result_int(), 401);

  auto pending = authed(c, verb::get, "/admin/users?status=pending", admin);
  ASSERT_EQ(pending.result_int(), 200) << pending.body();
  auto pb = body_json(pending);
  ASSERT_EQ(pb["users"].size(), 2u) << pending.body();
  EXPECT_TRUE(pb["next_cursor"].is_null());
  const auto& first = pb["users"][0];  // newest first
  EXPECT_EQ(first["id"], carol_id);
  EXPECT_EQ(first["email"], "carol@example.com");
  EXPECT_EQ(first["display_name"], "carol@example.com");
  EXPECT_EQ(first["role"], "user");
  EXPECT_EQ(first["status"], "pending");
  EXPECT_THAT(first.value("created_at", ""), ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  EXPECT_FALSE(pending.body().contains("password"));

  // Pierre's path lists the same.
  auto pierre_pending = authed(c, verb::get, "/admin/pending-users", admin);
  ASSERT_EQ(pierre_pending.result_int(), 200);
  EXPECT_EQ(body_json(pierre_pending)["users"], pb["users"]);

  auto approved = authed(c, verb::post, "/admin/users/" + bob_id + "/approve", admin);
  ASSERT_EQ(approved.result_int(), 200) << approved.body();
  EXPECT_EQ(body_json(approved)["user"]["id"], bob_id);
  EXPECT_EQ(body_json(approved)["user"]["status"], "active");
  auto via_pierre = authed(c, verb::post, "/admin/approve-user/" + carol_id, admin);
  ASSERT_EQ(via_pierre.result_int(), 200) << via_pierre.body();
  EXPECT_EQ(body_json(via_pierre)["user"]["status"], "active");

  const auto bob = token_of(login(c, "bob@example.com", kUserPassword));
  ASSERT_FALSE(bob.empty());

  // Refresh: a valid token gets a new one for the same user.
  auto refreshed = authed(c, verb::post, "/auth/refresh", bob);
  ASSERT_EQ(refreshed.result_int(), 200) << refreshed.body();
  const auto rb = body_json(refreshed);
  const auto bob2 = rb.value("jwt_token", "");
  ASSERT_FALSE(bob2.empty());
  EXPECT_NE(bob2, bob);
  EXPECT_THAT(rb.value("expires_at", ""), ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  EXPECT_EQ(authed(c, verb::post, "/auth/refresh", bob2).result_int(), 200);
  // …and the new token still carries bob's (non-admin) role.
  EXPECT_EQ(authed(c, verb::get, "/admin/users", bob2).result_int(), 403);

  auto no_token = authed(c, verb::post, "/auth/refresh", "");
  EXPECT_EQ(no_token.result_int(), 401);
  EXPECT_EQ(error_code(no_token), "AUTH_REQUIRED");
  EXPECT_EQ(authed(c, verb::post, "/auth/refresh", "not.a.jwt").result_int(), 401);

  auto suspended = authed(c, verb::post, "/admin/users/" + bob_id + "/suspend", admin);
  ASSERT_EQ(suspended.result_int(), 200) << suspended.body();
  EXPECT_EQ(body_json(suspended)["user"]["status"], "suspended");

  auto bob_login = login(c, "bob@example.com", kUserPassword);
  EXPECT_EQ(bob_login.result_int(), 401) << bob_login.body();
  EXPECT_EQ(error_code(bob_login), "AUTH_INVALID");
  for (const auto& t : {bob, bob2}) {
    auto r = authed(c, verb::post, "/auth/refresh", t);
    EXPECT_EQ(r.result_int(), 401) << r.body();
    EXPECT_EQ(error_code(r), "AUTH_INVALID");
  }

  auto by_status = authed(c, verb::get, "/admin/users?status=suspended", admin);
  ASSERT_EQ(by_status.result_int(), 200);
  ASSERT_EQ(body_json(by_status)["users"].size(), 1u) << by_status.body();
  EXPECT_EQ(body_json(by_status)["users"][0]["id"], bob_id);
  EXPECT_TRUE(body_json(authed(c, verb::get, "/admin/users?status=pending", admin))["users"].empty());

  // Approving a suspended user reactivates them.
  ASSERT_EQ(authed(c, verb::post, "/admin/users/" + bob_id + "/approve", admin).result_int(), 200);
  EXPECT_EQ(login(c, "bob@example.com", kUserPassword).result_int(), 200);

  // The super admin cannot be suspended (UserService's rule), not even by themselves.
  auto all = body_json(authed(c, verb::get, "/admin/users?status=active", admin));
  std::string admin_id;
  for (const auto& u : all["users"]) {
    if (u["role"] == "super_admin") admin_id = u["id"];
  }
  ASSERT_FALSE(admin_id.empty()) << all.dump();
  auto self = authed(c, verb::post, "/admin/users/" + admin_id + "/suspend", admin);
  EXPECT_EQ(self.result_int(), 403) << self.body();
  EXPECT_EQ(error_code(self), "PERMISSION_DENIED");
  EXPECT_EQ(authed(c, verb::post, "/auth/refresh", admin).result_int(), 200);
}

TEST(admin_Pagination, PagesAndQueryValidation) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());
  const auto admin = bootstrap(c);
  std::set<std::string> registered;
  for (int i = 0; i < 5; ++i) registered.insert(register_user(c, "user" + std::to_string(i) + "@example.com"));

  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (; pages < 10; ++pages) {
    std::string target = "/admin/users?status=pending&limit=2";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto res = authed(c, verb::get, target, admin);
    ASSERT_EQ(res.result_int(), 200) << res.body();
    const auto b = body_json(res);
    EXPECT_LE(b["users"].size(), 2u);
    for (const auto& u : b["users"]) EXPECT_TRUE(seen.insert(u["id"].get<std::string>()).second) << "repeated";
    if (b["next_cursor"].is_null()) break;
    cursor = b["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(pages + 1, 3);
  EXPECT_EQ(seen, registered);

  // Without a status filter the admin is listed too (6 users in all).
  auto all = body_json(authed(c, verb::get, "/admin/users?limit=100", admin));
  EXPECT_EQ(all["users"].size(), 6u);
  EXPECT_TRUE(all["next_cursor"].is_null());

  for (const auto* bad : {"limit=0", "limit=101", "limit=abc", "limit=", "limit=-1", "limit=2x", "status=bogus"}) {
    auto res = authed(c, verb::get, std::string("/admin/users?") + bad, admin);
    EXPECT_EQ(res.result_int(), 400) << bad << " " << res.body();
    EXPECT_EQ(error_code(res), "INVALID_INPUT") << bad;
  }
  auto garbage = authed(c, verb::get, "/admin/users?cursor=garbage", admin);
  EXPECT_EQ(garbage.result_int(), 400) << garbage.body();
  EXPECT_EQ(error_code(garbage), "INVALID_CURSOR");

  // A cursor belongs to the filter it was minted under.
  auto page1 = body_json(authed(c, verb::get, "/admin/users?status=pending&limit=2", admin));
  ASSERT_TRUE(page1["next_cursor"].is_string());
  auto other =
      authed(c, verb::get, "/admin/users?status=active&cursor=" + page1["next_cursor"].get<std::string>(), admin);
  EXPECT_EQ(other.result_int(), 400) << other.body();
  EXPECT_EQ(error_code(other), "INVALID_CURSOR");
}

}  // namespace
}  // namespace pierre::testing
