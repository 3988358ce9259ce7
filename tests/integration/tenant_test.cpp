// Black-box tests, against the real server binary, of
//   - tenant administration (POST/GET /admin/tenants, POST /admin/tenants/{id}/users; super_admin only),
//   - cross-tenant isolation of the admin user routes: an administrator of tenant A cannot list, change or even
//     detect tenant B's users (their ids answer exactly like made-up ones: 404 with the same code and message),
//   - login throttling per account and per client IP (429 + Retry-After, identical for unknown emails).
// The tenant suites run on SQLite (file) and PostgreSQL (a fresh schema per test; PIERRE_TEST_POSTGRES_URL, see
// tests/support/backend_fixture.hpp). Throttling is in-memory, so its suite runs on SQLite only.
// Suite names start with "tenant_" or "login_throttle_" so that `ctest -R tenant` / `-R throttle` select them.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backend_fixture.hpp"
#include "identity_support.hpp"
#include "server_backend_fixture.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;

constexpr const char* kUserPassword = "another long password";

// The error without its request id: what two answers must share to be indistinguishable.
json error_without_request_id(const HttpResponse& res) {
  auto e = body_json(res)["error"];
  e.erase("request_id");
  return e;
}

std::string bootstrap(HttpClient& c) {
  auto s =
      post_json(c, "/admin/setup", {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "Admin"}});
  EXPECT_EQ(s.result_int(), 201) << s.body();
  return token_of(login(c, kAdminEmail, kAdminPassword));
}

std::string create_tenant(HttpClient& c, const std::string& super, const json& body) {
  auto r = authed(c, verb::post, "/admin/tenants", super, body.dump());
  EXPECT_EQ(r.result_int(), 201) << r.body();
  return body_json(r).value("id", "");
}

// Creates an active account in `tenant`; returns its id.
std::string create_user(HttpClient& c, const std::string& super, const std::string& tenant, const std::string& email,
                        const std::string& role) {
  auto r = authed(c, verb::post, "/admin/tenants/" + tenant + "/users", super,
                  json{{"email", email}, {"password", kUserPassword}, {"display_name", email}, {"role", role}}.dump());
  EXPECT_EQ(r.result_int(), 201) << r.body();
  return body_json(r)["user"].value("id", "");
}

std::set<std::string> listed_ids(const HttpResponse& res) {
  EXPECT_EQ(res.result_int(), 200) << res.body();
  std::set<std::string> ids;
  const auto body = body_json(res);  // kept alive: a range-for over body_json(res)["users"] would dangle
  for (const auto& u : body["users"]) ids.insert(u["id"].get<std::string>());
  return ids;
}

using TenantTest = ServerBackendTest;

TEST_P(TenantTest, SuperAdminCreatesTenantsAndTheirUsers) {
  const auto super = bootstrap(c());

  auto acme = authed(c(), verb::post, "/admin/tenants", super, json{{"name", "  Acme Running Club! "}}.dump());
  ASSERT_EQ(acme.result_int(), 201) << acme.body();
  const auto ab = body_json(acme);
  const auto acme_id = ab.value("id", "");
  EXPECT_FALSE(acme_id.empty());
  EXPECT_EQ(ab["name"], "Acme Running Club!");
  EXPECT_EQ(ab["slug"], "acme-running-club");
  EXPECT_EQ(ab["auto_approve"], false);
  EXPECT_TRUE(ab["created_at"].is_string());

  auto beta = authed(c(), verb::post, "/admin/tenants", super,
                     json{{"name", "Beta"}, {"slug", "beta-1"}, {"auto_approve", true}}.dump());
  ASSERT_EQ(beta.result_int(), 201) << beta.body();
  EXPECT_EQ(body_json(beta)["slug"], "beta-1");
  EXPECT_EQ(body_json(beta)["auto_approve"], true);
  const auto beta_id = body_json(beta).value("id", "");

  auto taken = authed(c(), verb::post, "/admin/tenants", super, json{{"name", "Other"}, {"slug", "beta-1"}}.dump());
  EXPECT_EQ(taken.result_int(), 409) << taken.body();
  EXPECT_EQ(error_code(taken), "RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(body_json(taken)["error"]["details"]["field"], "slug");

  const std::vector<std::pair<json, std::string>> invalid = {
      {json::object(), "name"},
      {{{"name", ""}}, "name"},
      {{{"name", "   "}}, "name"},
      {{{"name", std::string(201, 'x')}}, "name"},
      {{{"name", "tab\tinside"}}, "name"},
      {{{"name", 42}}, "name"},
      {{{"name", "Ok"}, {"slug", "Not A Slug"}}, "slug"},
      {{{"name", "Ok"}, {"slug", ""}}, "slug"},
      {{{"name", "Ok"}, {"slug", "-edge"}}, "slug"},
      {{{"name", "Ok"}, {"slug", std::string(65, 'a')}}, "slug"},
      {{{"name", "Ok"}, {"slug", 7}}, "slug"},
      {{{"name", "Ok"}, {"auto_approve", "yes"}}, "auto_approve"},
  };
  for (const auto& [body, field] : invalid) {
    auto r = authed(c(), verb::post, "/admin/tenants", super, body.dump());
    EXPECT_EQ(r.result_int(), 400) << body.dump() << " " << r.body();
    EXPECT_EQ(body_json(r)["error"]["details"]["field"], field) << body.dump();
  }
  EXPECT_EQ(authed(c(), verb::post, "/admin/tenants", super, "[1,2]").result_int(), 400);

  auto list = authed(c(), verb::get, "/admin/tenants", super);
  ASSERT_EQ(list.result_int(), 200) << list.body();
  const auto tenants = body_json(list)["tenants"];
  ASSERT_EQ(tenants.size(), 3u) << list.body();
  EXPECT_EQ(tenants[0]["slug"], "default");
  // Oldest first by creation millisecond: the two created just now may share one.
  EXPECT_EQ((std::set<std::string>{tenants[1]["id"], tenants[2]["id"]}), (std::set<std::string>{acme_id, beta_id}));

  // The first admin of the new tenant: active at once, can log in, administers only that tenant.
  auto made = authed(
      c(), verb::post, "/admin/tenants/" + acme_id + "/users", super,
      json{{"email", "Boss@Acme.example"}, {"password", kUserPassword}, {"display_name", "Boss"}, {"role", "admin"}}
          .dump());
  ASSERT_EQ(made.result_int(), 201) << made.body();
  const auto mb = body_json(made)["user"];
  EXPECT_EQ(mb["email"], "boss@acme.example");
  EXPECT_EQ(mb["role"], "admin");
  EXPECT_EQ(mb["status"], "active");
  EXPECT_EQ(mb["tenant_id"], acme_id);
  EXPECT_FALSE(made.body().contains("password"));
  auto boss_login = login(c(), "boss@acme.example", kUserPassword);
  const auto boss = token_of(boss_login);
  EXPECT_EQ(body_json(boss_login)["user"]["tenant_id"], acme_id);
  EXPECT_EQ(listed_ids(authed(c(), verb::get, "/admin/users", boss)), std::set<std::string>{mb["id"]});

  // role defaults to "user".
  auto plain = authed(c(), verb::post, "/admin/tenants/" + acme_id + "/users", super,
                      json{{"email", "runner@acme.example"}, {"password", kUserPassword}}.dump());
  ASSERT_EQ(plain.result_int(), 201) << plain.body();
  EXPECT_EQ(body_json(plain)["user"]["role"], "user");
  const auto runner = token_of(login(c(), "runner@acme.example", kUserPassword));

  const std::vector<std::pair<json, std::string>> bad_users = {
      {{{"email", "x@acme.example"}, {"password", kUserPassword}, {"role", "super_admin"}}, "role"},
      {{{"email", "x@acme.example"}, {"password", kUserPassword}, {"role", "owner"}}, "role"},
      {{{"email", "x@acme.example"}, {"password", kUserPassword}, {"role", 1}}, "role"},
      {{{"email", "not-an-email"}, {"password", kUserPassword}}, "email"},
      {{{"password", kUserPassword}}, "email"},
      {{{"email", "x@acme.example"}}, "password"},
      {{{"email", "x@acme.example"}, {"password", kUserPassword}, {"display_name", 5}}, "display_name"},
  };
  for (const auto& [body, field] : bad_users) {
    auto r = authed(c(), verb::post, "/admin/tenants/" + acme_id + "/users", super, body.dump());
    EXPECT_EQ(r.result_int(), 400) << body.dump() << " " << r.body();
    EXPECT_EQ(body_json(r)["error"]["details"]["field"], field) << body.dump() << " " << r.body();
  }
  auto weak = authed(c(), verb::post, "/admin/tenants/" + acme_id + "/users", super,
                     json{{"email", "x@acme.example"}, {"password", "short"}}.dump());
  EXPECT_EQ(weak.result_int(), 400) << weak.body();
  auto dup = authed(c(), verb::post, "/admin/tenants/" + beta_id + "/users", super,
                    json{{"email", "boss@acme.example"}, {"password", kUserPassword}}.dump());
  EXPECT_EQ(dup.result_int(), 409) << dup.body();
  auto nowhere = authed(c(), verb::post, "/admin/tenants/tnt_000000000000000000000000/users", super,
                        json{{"email", "x@acme.example"}, {"password", kUserPassword}}.dump());
  EXPECT_EQ(nowhere.result_int(), 404) << nowhere.body();
  EXPECT_EQ(error_code(nowhere), "RESOURCE_NOT_FOUND");

  // Only the super admin: 401 without credentials, 403 for a tenant admin and for a user, and nothing is created.
  const std::vector<std::tuple<verb, std::string, std::string>> routes = {
      {verb::post, "/admin/tenants", json{{"name", "Sneaky"}}.dump()},
      {verb::get, "/admin/tenants", ""},
      {verb::post, "/admin/tenants/" + acme_id + "/users",
       json{{"email", "sneaky@acme.example"}, {"password", kUserPassword}, {"role", "admin"}}.dump()},
  };
  for (const auto& [method, path, body] : routes) {
    auto none = authed(c(), method, path, "", body);
    EXPECT_EQ(none.result_int(), 401) << path << " " << none.body();
    EXPECT_EQ(error_code(none), "AUTH_REQUIRED") << path;
    for (const auto& token : {boss, runner}) {
      auto denied = authed(c(), method, path, token, body);
      EXPECT_EQ(denied.result_int(), 403) << path << " " << denied.body();
      EXPECT_EQ(error_code(denied), "PERMISSION_DENIED") << path;
    }
  }
  EXPECT_EQ(body_json(authed(c(), verb::get, "/admin/tenants", super))["tenants"].size(), 3u);
  EXPECT_EQ(login(c(), "sneaky@acme.example", kUserPassword).result_int(), 401);
}

TEST_P(TenantTest, AdminsCannotSeeOrTouchAnotherTenantsUsers) {
  const auto super = bootstrap(c());
  const auto a = create_tenant(c(), super, {{"name", "Tenant A"}});
  const auto b = create_tenant(c(), super, {{"name", "Tenant B"}});
  const auto a_admin_id = create_user(c(), super, a, "admin@a.example", "admin");
  const auto a_user_id = create_user(c(), super, a, "user@a.example", "user");
  const auto b_admin_id = create_user(c(), super, b, "admin@b.example", "admin");
  const auto b_user_id = create_user(c(), super, b, "user@b.example", "user");
  const auto b_other_id = create_user(c(), super, b, "other@b.example", "user");
  const auto super_id = *listed_ids(authed(c(), verb::get, "/admin/users", super)).begin();
  const auto a_admin = token_of(login(c(), "admin@a.example", kUserPassword));
  const auto b_admin = token_of(login(c(), "admin@b.example", kUserPassword));
  // A suspended user in B, so that "approve" would change something if it reached B.
  ASSERT_EQ(authed(c(), verb::post, "/admin/users/" + b_other_id + "/suspend", b_admin).result_int(), 200);

  // Lists hold only the caller's tenant.
  EXPECT_EQ(listed_ids(authed(c(), verb::get, "/admin/users", a_admin)),
            (std::set<std::string>{a_admin_id, a_user_id}));
  EXPECT_EQ(listed_ids(authed(c(), verb::get, "/admin/users?status=suspended", a_admin)), std::set<std::string>{});
  EXPECT_EQ(listed_ids(authed(c(), verb::get, "/admin/pending-users", a_admin)), std::set<std::string>{});
  EXPECT_EQ(listed_ids(authed(c(), verb::get, "/admin/users", b_admin)),
            (std::set<std::string>{b_admin_id, b_user_id, b_other_id}));

  // A cursor minted for B's list is refused exactly like garbage.
  auto b_page = body_json(authed(c(), verb::get, "/admin/users?limit=1", b_admin));
  ASSERT_TRUE(b_page["next_cursor"].is_string()) << b_page.dump();
  auto foreign_cursor =
      authed(c(), verb::get, "/admin/users?limit=1&cursor=" + b_page["next_cursor"].get<std::string>(), a_admin);
  auto garbage_cursor = authed(c(), verb::get, "/admin/users?limit=1&cursor=garbage", a_admin);
  EXPECT_EQ(foreign_cursor.result_int(), 400) << foreign_cursor.body();
  EXPECT_EQ(error_without_request_id(foreign_cursor), error_without_request_id(garbage_cursor));

  // B's ids (and the super admin's, in the default tenant) answer A's admin exactly like ids that exist nowhere.
  const std::vector<std::string> routes = {"/admin/users/{}/approve", "/admin/users/{}/suspend",
                                           "/admin/approve-user/{}"};
  const auto at = [](std::string route, const std::string& id) { return route.replace(route.find("{}"), 2, id); };
  for (const auto& route : routes) {
    const auto made_up = authed(c(), verb::post, at(route, "usr_0123456789abcdef01234567"), a_admin);
    ASSERT_EQ(made_up.result_int(), 404) << route << " " << made_up.body();
    EXPECT_EQ(error_code(made_up), "RESOURCE_NOT_FOUND");
    const auto expected = error_without_request_id(made_up);
    EXPECT_EQ(error_without_request_id(authed(c(), verb::post, at(route, "no-such-id"), a_admin)), expected) << route;
    for (const auto& foreign : {b_admin_id, b_user_id, b_other_id, super_id}) {
      const auto res = authed(c(), verb::post, at(route, foreign), a_admin);
      EXPECT_EQ(res.result_int(), 404) << route << " " << res.body();
      EXPECT_EQ(error_without_request_id(res), expected) << route;
      EXPECT_EQ(res.body().find(foreign), std::string::npos) << route << " echoes the id";
    }
    // And the other way round.
    const auto back = authed(c(), verb::post, at(route, a_user_id), b_admin);
    EXPECT_EQ(back.result_int(), 404) << route << " " << back.body();
    EXPECT_EQ(error_without_request_id(back), expected) << route;
  }

  // Nothing in B changed: the active user still logs in, the suspended one is still suspended.
  EXPECT_EQ(login(c(), "user@b.example", kUserPassword).result_int(), 200);
  EXPECT_EQ(login(c(), "admin@b.example", kUserPassword).result_int(), 200);
  EXPECT_EQ(listed_ids(authed(c(), verb::get, "/admin/users?status=suspended", b_admin)),
            std::set<std::string>{b_other_id});
  // …and within its own tenant A's admin can act (the 404s above are not a broken route).
  EXPECT_EQ(authed(c(), verb::post, "/admin/users/" + a_user_id + "/suspend", a_admin).result_int(), 200);
  EXPECT_EQ(authed(c(), verb::post, "/admin/approve-user/" + a_user_id, a_admin).result_int(), 200);
}

TEST_P(TenantTest, ApiKeysOfAnotherTenantAreInvisible) {
  const auto super = bootstrap(c());
  const auto a = create_tenant(c(), super, {{"name", "Tenant A"}});
  const auto b = create_tenant(c(), super, {{"name", "Tenant B"}});
  create_user(c(), super, a, "admin@a.example", "admin");
  create_user(c(), super, b, "admin@b.example", "admin");
  const auto a_admin = token_of(login(c(), "admin@a.example", kUserPassword));
  const auto b_admin = token_of(login(c(), "admin@b.example", kUserPassword));
  auto make_key = [&](const std::string& session) {
    auto res = authed(c(), verb::post, "/api/keys", session, json{{"name", "k"}, {"tier", "starter"}}.dump());
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return body_json(res);
  };
  const auto a_key = make_key(a_admin);
  const auto b_key = make_key(b_admin);
  const std::string b_id = b_key["key_info"]["id"];
  const std::string b_secret = b_key["api_key"];

  // Each tenant lists only its own key.
  const auto a_list = body_json(authed(c(), verb::get, "/api/keys", a_admin))["api_keys"];
  ASSERT_EQ(a_list.size(), 1U);
  EXPECT_EQ(a_list[0]["id"], a_key["key_info"]["id"]);

  // B's key id answers A exactly like an id that exists nowhere, for usage and revocation alike.
  for (const auto& [method, suffix] :
       std::vector<std::pair<verb, std::string>>{{verb::get, "/usage"}, {verb::delete_, ""}}) {
    const auto made_up = authed(c(), method, "/api/keys/key_0123456789abcdef01234567" + suffix, a_admin);
    const auto foreign = authed(c(), method, "/api/keys/" + b_id + suffix, a_admin);
    EXPECT_EQ(made_up.result_int(), 404) << made_up.body();
    EXPECT_EQ(foreign.result_int(), 404) << foreign.body();
    EXPECT_EQ(error_without_request_id(foreign), error_without_request_id(made_up));
    EXPECT_EQ(foreign.body().find(b_id), std::string::npos) << "echoes the id";
  }
  // B's key still works (A's DELETE changed nothing) and acts in B only: B's admin list, not A's.
  auto as_b = c().request(verb::get, "/admin/users", {}, {{"X-API-Key", b_secret}});
  ASSERT_EQ(as_b.result_int(), 200) << as_b.body();
  EXPECT_EQ(listed_ids(as_b).size(), 1U);
  EXPECT_EQ(as_b.body().find("admin@a.example"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(tenant, TenantTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

// ---- login throttling ----

LaunchOptions throttled_server(const TempDir& dir, int per_account, int per_ip, int window_secs) {
  auto o = identity_server(dir);
  o.env["PIERRE_LOGIN_MAX_FAILURES"] = std::to_string(per_account);
  o.env["PIERRE_LOGIN_MAX_FAILURES_PER_IP"] = std::to_string(per_ip);
  o.env["PIERRE_LOGIN_WINDOW_SECS"] = std::to_string(window_secs);
  return o;
}

int retry_after(const HttpResponse& res) {
  const auto it = res.find(boost::beast::http::field::retry_after);
  if (it == res.end()) return -1;
  return std::stoi(std::string(it->value()));
}

void expect_throttled(const HttpResponse& res, int window_secs) {
  EXPECT_EQ(res.result_int(), 429) << res.body();
  EXPECT_EQ(error_code(res), "RATE_LIMIT_EXCEEDED");
  const int wait = retry_after(res);
  EXPECT_GE(wait, 1) << res.body();
  EXPECT_LE(wait, window_secs);
  EXPECT_EQ(body_json(res)["error"]["details"].value("retry_after_secs", -1), wait);
}

TEST(login_throttle_Http, AccountLimitIsTheSameForKnownAndUnknownEmails) {
  TempDir dir;
  ServerProcess server(throttled_server(dir, 3, 1000, 2));
  HttpClient c(server.port());
  bootstrap(c);  // one successful login: does not count

  // Each account's three failures and its refusal follow each other closely: the window is only 2 s.
  std::vector<json> wrong, unknown;
  for (int i = 0; i < 3; ++i) {
    auto w = login(c, kAdminEmail, "not the right password");
    ASSERT_EQ(w.result_int(), 401) << w.body();
    wrong.push_back(error_without_request_id(w));
  }
  // The fourth attempt is refused even with the right password (and in another spelling of the email).
  const auto refused = login(c, kAdminEmail, kAdminPassword);
  expect_throttled(refused, 2);
  expect_throttled(login(c, "  ADMIN@example.com", kAdminPassword), 2);

  for (int i = 0; i < 3; ++i) {
    auto u = login(c, "nobody@example.com", "not the right password");
    ASSERT_EQ(u.result_int(), 401) << u.body();
    unknown.push_back(error_without_request_id(u));
  }
  EXPECT_EQ(wrong, unknown);
  const auto refused_unknown = login(c, "nobody@example.com", kAdminPassword);
  expect_throttled(refused_unknown, 2);
  auto shape = error_without_request_id(refused);
  auto unknown_shape = error_without_request_id(refused_unknown);
  shape["details"].erase("retry_after_secs");  // the seconds may differ by one between the two
  unknown_shape["details"].erase("retry_after_secs");
  EXPECT_EQ(shape, unknown_shape);
  EXPECT_EQ(refused.body().find("admin@example.com"), std::string::npos);

  // Other accounts from the same IP are not affected (the per-IP limit is high here).
  expect_throttled(login(c, kAdminEmail, kAdminPassword), 2);
  auto other = login(c, "someone@example.com", "whatever password");
  EXPECT_EQ(other.result_int(), 401) << other.body();

  std::this_thread::sleep_for(std::chrono::seconds(retry_after(refused)) + std::chrono::milliseconds(200));
  EXPECT_EQ(login(c, kAdminEmail, kAdminPassword).result_int(), 200);

  // A success cleared the account's counter: two more failures are tolerated before the limit again.
  EXPECT_EQ(login(c, kAdminEmail, "wrong again").result_int(), 401);
  EXPECT_EQ(login(c, kAdminEmail, "wrong again").result_int(), 401);
  EXPECT_EQ(login(c, kAdminEmail, kAdminPassword).result_int(), 200);
}

TEST(login_throttle_Http, IpLimitSpansAccountsAndSurvivesASuccess) {
  TempDir dir;
  ServerProcess server(throttled_server(dir, 100, 3, 2));
  HttpClient c(server.port());
  bootstrap(c);

  EXPECT_EQ(login(c, "a@example.com", "wrong password 1").result_int(), 401);
  EXPECT_EQ(login(c, "b@example.com", "wrong password 2").result_int(), 401);
  // A good login does not clear the IP's counter.
  EXPECT_EQ(login(c, kAdminEmail, kAdminPassword).result_int(), 200);
  EXPECT_EQ(login(c, "c@example.com", "wrong password 3").result_int(), 401);

  const auto refused = login(c, kAdminEmail, kAdminPassword);
  expect_throttled(refused, 2);
  expect_throttled(login(c, "never-seen@example.com", "anything at all"), 2);

  std::this_thread::sleep_for(std::chrono::seconds(retry_after(refused)) + std::chrono::milliseconds(200));
  EXPECT_EQ(login(c, kAdminEmail, kAdminPassword).result_int(), 200);
}

}  // namespace
}  // namespace pierre::testing
