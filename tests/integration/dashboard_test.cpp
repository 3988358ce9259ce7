// Black-box tests, against the real server binary, of what the web dashboard stands on:
//   - GET /api/usage/summary: aggregation by the database (per day, per tool/route, per tenant, percentiles),
//     tenant isolation (admins see their tenant, users themselves, the super-admin any tenant), 401/403, structured
//     400 errors for bad ranges;
//   - GET /api/usage/live: a user's stream carries only that user's requests, an admin's the whole tenant;
//   - GET /admin/connections: the provider connections of a tenant's users, for its administrators only;
//   - the static app at /dashboard (PIERRE_DASHBOARD_DIR): CSP and caching headers, Content-Type, SPA fallback, and
//     path traversal (dot segments, encoded dots and slashes, backslashes, NUL, symbolic links) refused.
// Each case runs on SQLite (file) and PostgreSQL (a fresh schema; PIERRE_TEST_POSTGRES_URL, see
// tests/support/backend_fixture.hpp). Suite names start with "dashboard" so that `ctest -R dashboard` selects them.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_strava.hpp"
#include "identity_support.hpp"
#include "provider_flow.hpp"
#include "server_backend_fixture.hpp"
#include "sse_client.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kUserPassword = "another long password";
constexpr const char* kSecret = "outside-the-site-secret";

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class DashboardTest : public ServerBackendTest {
 protected:
  void SetUp() override {
    // The built app: index.html, one hashed asset; a file beside the site (never served) and a link to it inside.
    const fs::path root(files_.path());
    write_file(root / "site/index.html", "<!doctype html><title>dashboard</title>");
    write_file(root / "site/assets/app-3f2a1b.js", "console.log('app')");
    write_file(root / "site/robots.txt", "User-agent: *");
    write_file(root / "secret.txt", kSecret);
    fs::create_symlink(root / "secret.txt", root / "site/linked.txt");
    // The server inherits these (ServerProcess adds to the environment); Strava is the fake.
    const std::map<std::string, std::string> env{{"PIERRE_DASHBOARD_DIR", (root / "site").string()},
                                                 {"STRAVA_CLIENT_ID", FakeProvider::kClientId},
                                                 {"STRAVA_CLIENT_SECRET", FakeProvider::kClientSecret},
                                                 {"STRAVA_API_BASE_URL", strava_.api_base_url()},
                                                 {"STRAVA_OAUTH_BASE_URL", strava_.oauth_base_url()}};
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    ServerBackendTest::SetUp();
    for (const auto& [name, value] : env) ::unsetenv(name.c_str());
    if (IsSkipped() || HasFatalFailure()) return;
    auto s = post_json(c(), "/admin/setup",
                       {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "Admin"}});
    ASSERT_EQ(s.result_int(), 201) << s.body();
    tenant_ = body_json(s).value("tenant_id", "");
    super_ = token_of(login(c(), kAdminEmail, kAdminPassword));
  }

  // An active account in `tenant` (created by the super-admin: logged in the super-admin's tenant); its token.
  std::pair<std::string, std::string> account(const std::string& tenant, const std::string& email,
                                              const std::string& role) {
    auto r = authed(c(), verb::post, "/admin/tenants/" + tenant + "/users", super_,
                    json{{"email", email}, {"password", kUserPassword}, {"role", role}}.dump());
    EXPECT_EQ(r.result_int(), 201) << r.body();
    return {body_json(r)["user"].value("id", ""), token_of(login(c(), email, kUserPassword))};
  }

  std::string create_tenant(const std::string& name) {
    auto r = authed(c(), verb::post, "/admin/tenants", super_, json{{"name", name}}.dump());
    EXPECT_EQ(r.result_int(), 201) << r.body();
    return body_json(r).value("id", "");
  }

  // The summary once the request log has written at least `requests` rows for this view (it writes every 0.5 s).
  json summary(const std::string& token, const std::string& query, std::int64_t requests) {
    json body;
    for (int i = 0; i < 50; ++i) {
      auto r = authed(c(), verb::get, "/api/usage/summary" + query, token);
      EXPECT_EQ(r.result_int(), 200) << r.body();
      body = body_json(r);
      if (body["totals"].value("requests", 0) >= requests) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the usage summary never reached " << requests << " requests: " << body.dump();
    return body;
  }

  TempDir files_;
  FakeStrava strava_;
  std::string tenant_;
  std::string super_;
};

const json* find_tool(const json& summary, const std::string& name) {
  for (const auto& t : summary["per_tool"]) {
    if (t.value("name", "") == name) return &t;
  }
  return nullptr;
}

TEST_P(DashboardTest, SummaryAggregatesPerDayToolAndLatency) {
  auto created = authed(c(), verb::post, "/api/keys", super_, json{{"name", "k"}, {"tier", "starter"}}.dump());
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto key = body_json(created).value("api_key", "");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(mcp_tool_call(c(), key, "get_athlete", json::object()).result_int(), 200);
  EXPECT_EQ(authed(c(), verb::get, "/api/keys/no-such-key/usage", super_).result_int(), 404);
  EXPECT_EQ(authed(c(), verb::get, "/api/keys", super_).result_int(), 200);

  // POST /api/keys, three tools/call, one 404, GET /api/keys: the summary routes themselves are not logged.
  const auto s = summary(super_, "", 6);
  EXPECT_EQ(s["totals"]["requests"], 6) << s.dump();
  EXPECT_EQ(s["totals"]["errors"], 1);
  EXPECT_NEAR(s["totals"]["error_rate"].get<double>(), 1.0 / 6.0, 1e-9);
  const auto& latency = s["totals"]["latency_ms"];
  EXPECT_GT(latency["p50"].get<double>(), 0.0);
  EXPECT_LE(latency["p50"].get<double>(), latency["p95"].get<double>());
  EXPECT_LE(latency["p95"].get<double>(), latency["p99"].get<double>());

  const auto* tool = find_tool(s, "get_athlete");
  ASSERT_NE(tool, nullptr) << s.dump();
  EXPECT_EQ((*tool)["kind"], "mcp");
  EXPECT_EQ((*tool)["requests"], 3);
  EXPECT_EQ((*tool)["errors"], 0);
  EXPECT_EQ(s["per_tool"][0]["name"], "get_athlete");  // busiest first
  const auto* missing = find_tool(s, "GET /api/keys/{id}/usage");
  ASSERT_NE(missing, nullptr) << s.dump();
  EXPECT_EQ((*missing)["kind"], "rest");
  EXPECT_EQ((*missing)["errors"], 1);
  EXPECT_DOUBLE_EQ((*missing)["error_rate"].get<double>(), 1.0);
  EXPECT_EQ(s.dump().find("no-such-key"), std::string::npos) << "route patterns only, never concrete paths";

  // Seven days by default, every day present, today's holding everything.
  ASSERT_EQ(s["per_day"].size(), 7U);
  EXPECT_EQ(s["range"]["days"], 7);
  EXPECT_EQ(s["per_day"].back()["day"], s["range"]["to"]);
  EXPECT_EQ(s["per_day"].back()["requests"], 6);
  EXPECT_EQ(s["per_day"][0]["requests"], 0);

  // A range that ends before today is empty; one day covering today has everything.
  const auto to = s["range"]["to"].get<std::string>();
  auto past = authed(c(), verb::get, "/api/usage/summary?from=2020-01-01&to=2020-01-31", super_);
  ASSERT_EQ(past.result_int(), 200) << past.body();
  EXPECT_EQ(body_json(past)["totals"]["requests"], 0);
  EXPECT_EQ(body_json(past)["per_day"].size(), 31U);
  auto today = authed(c(), verb::get, "/api/usage/summary?from=" + to + "&to=" + to, super_);
  EXPECT_EQ(body_json(today)["totals"]["requests"], 6);
}

TEST_P(DashboardTest, NamesThatAreNotIdentifiersAreNotStored) {
  auto call = mcp_tool_call(c(), super_, "someone@example.com", json::object());
  EXPECT_LT(call.result_int(), 500) << call.body();
  const auto s = summary(super_, "", 1);
  EXPECT_NE(find_tool(s, "(invalid)"), nullptr) << s.dump();
  EXPECT_EQ(s.dump().find('@'), std::string::npos) << s.dump();
}

TEST_P(DashboardTest, EachRoleSeesOnlyWhatItMay) {
  const auto other = create_tenant("Other Club");
  auto [b_admin_id, b_admin] = account(other, "admin@b.example", "admin");
  auto [user_id, user] = account(tenant_, "user@a.example", "user");
  EXPECT_EQ(authed(c(), verb::get, "/api/keys", b_admin).result_int(), 200);
  EXPECT_EQ(authed(c(), verb::get, "/api/keys", user).result_int(), 200);
  EXPECT_EQ(authed(c(), verb::get, "/api/keys", user).result_int(), 200);

  // Tenant B's admin: only B's one request, B alone in per_tenant; another tenant is 403.
  const auto b = summary(b_admin, "", 1);
  EXPECT_EQ(b["totals"]["requests"], 1) << b.dump();
  EXPECT_EQ(b["scope"]["tenant_id"], other);
  ASSERT_EQ(b["per_tenant"].size(), 1U);
  EXPECT_EQ(b["per_tenant"][0]["tenant_id"], other);
  auto cross = authed(c(), verb::get, "/api/usage/summary?tenant_id=" + tenant_, b_admin);
  EXPECT_EQ(cross.result_int(), 403);
  EXPECT_EQ(error_code(cross), "PERMISSION_DENIED");

  // A user: their own two requests only, no per-tenant table; another user's id is 403.
  const auto u = summary(user, "", 2);
  EXPECT_EQ(u["totals"]["requests"], 2) << u.dump();
  EXPECT_EQ(u["scope"]["user_id"], user_id);
  EXPECT_TRUE(u["per_tenant"].empty());
  EXPECT_EQ(authed(c(), verb::get, "/api/usage/summary?user_id=" + b_admin_id, user).result_int(), 403);
  EXPECT_EQ(authed(c(), verb::get, "/api/usage/summary?tenant_id=" + other, user).result_int(), 403);

  // The super-admin: its tenant by default (its own tenant-admin calls + the user's two), B on request, every tenant
  // in per_tenant; an unknown tenant is 404.
  const auto all = summary(super_, "", 5);
  EXPECT_GE(all["totals"]["requests"].get<int>(), 5);
  EXPECT_EQ(all["per_tenant"].size(), 2U);
  const auto b_seen = summary(super_, "?tenant_id=" + other, 1);
  EXPECT_EQ(b_seen["totals"]["requests"], 1);
  auto unknown = authed(c(), verb::get, "/api/usage/summary?tenant_id=nope", super_);
  EXPECT_EQ(unknown.result_int(), 404) << unknown.body();
}

TEST_P(DashboardTest, AdminsChangeRolesInTheirTenantOnly) {
  const auto other = create_tenant("Role Club");
  auto [b_admin_id, b_admin] = account(other, "admin@role.example", "admin");
  auto [user_id, user] = account(tenant_, "role@a.example", "user");
  auto promote = authed(c(), verb::post, "/admin/users/" + user_id + "/role", super_, json{{"role", "admin"}}.dump());
  ASSERT_EQ(promote.result_int(), 200) << promote.body();
  EXPECT_EQ(body_json(promote)["user"]["role"], "admin");
  // The promoted account administers at once (roles are re-read from the database, not the token).
  EXPECT_EQ(authed(c(), verb::get, "/admin/users", user).result_int(), 200);
  auto bad = authed(c(), verb::post, "/admin/users/" + user_id + "/role", super_, json{{"role", "root"}}.dump());
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_EQ(body_json(bad)["error"]["details"].value("field", ""), "role");
  // Another tenant's user is not found; your own role and the super_admin's do not change.
  EXPECT_EQ(
      authed(c(), verb::post, "/admin/users/" + user_id + "/role", b_admin, json{{"role", "user"}}.dump()).result_int(),
      404);
  EXPECT_EQ(authed(c(), verb::post, "/admin/users/" + b_admin_id + "/role", b_admin, json{{"role", "user"}}.dump())
                .result_int(),
            403);
  const auto listed = body_json(authed(c(), verb::get, "/admin/users?limit=100", super_));
  std::string super_id;
  for (const auto& u : listed["users"]) {
    if (u["role"] == "super_admin") super_id = u["id"];
  }
  ASSERT_FALSE(super_id.empty()) << listed.dump();
  EXPECT_EQ(
      authed(c(), verb::post, "/admin/users/" + super_id + "/role", user, json{{"role", "user"}}.dump()).result_int(),
      403);
}

TEST_P(DashboardTest, AdminsSeeTheProviderConnectionsOfTheirTenantOnly) {
  const auto other = create_tenant("Connected Club");
  auto [b_admin_id, b_admin] = account(other, "admin@conn.example", "admin");
  auto [user_id, user] = account(tenant_, "runner@a.example", "user");
  auto page = connect_provider(server_->port(), user, "strava");
  ASSERT_EQ(page.result_int(), 200) << page.body();

  auto seen = authed(c(), verb::get, "/admin/connections", super_);
  ASSERT_EQ(seen.result_int(), 200) << seen.body();
  const auto list = body_json(seen)["connections"];
  ASSERT_EQ(list.size(), 1U) << seen.body();
  EXPECT_EQ(list[0]["user_id"], user_id);
  EXPECT_EQ(list[0]["tenant_id"], tenant_);
  EXPECT_EQ(list[0]["provider"], "strava");
  EXPECT_EQ(list[0]["status"], "connected");
  EXPECT_FALSE(list[0].contains("account_id"));
  EXPECT_EQ(seen.body().find("token"), std::string::npos) << seen.body();

  // Tenant B's admin sees none of it and cannot ask for tenant A; the super-admin can ask for B (empty).
  auto b = authed(c(), verb::get, "/admin/connections", b_admin);
  ASSERT_EQ(b.result_int(), 200) << b.body();
  EXPECT_TRUE(body_json(b)["connections"].empty());
  EXPECT_EQ(authed(c(), verb::get, "/admin/connections?tenant_id=" + tenant_, b_admin).result_int(), 403);
  auto b_by_super = authed(c(), verb::get, "/admin/connections?tenant_id=" + other, super_);
  EXPECT_TRUE(body_json(b_by_super)["connections"].empty());
  // Users: 403; nobody: 401.
  EXPECT_EQ(authed(c(), verb::get, "/admin/connections", user).result_int(), 403);
  EXPECT_EQ(c().get("/admin/connections").result_int(), 401);
}

TEST_P(DashboardTest, RefusesMissingCredentialsAndBadRanges) {
  auto anonymous = c().get("/api/usage/summary");
  EXPECT_EQ(anonymous.result_int(), 401);
  EXPECT_EQ(c().get("/api/usage/live").result_int(), 401);
  const std::pair<std::string, std::string> bad[] = {
      {"?from=yesterday", "from"},
      {"?from=2026-13-01", "from"},
      {"?to=2026-02-30", "to"},
      {"?from=2026-03-02&to=2026-03-01", "to"},
      {"?from=2020-01-01&to=2026-01-01", "from"},
      {"?from=2026-1-01", "from"},
  };
  for (const auto& [query, field] : bad) {
    auto r = authed(c(), verb::get, "/api/usage/summary" + query, super_);
    EXPECT_EQ(r.result_int(), 400) << query << " " << r.body();
    EXPECT_EQ(error_code(r), "INVALID_INPUT") << query;
    EXPECT_EQ(body_json(r)["error"]["details"].value("field", ""), field) << query;
  }
}

TEST_P(DashboardTest, LiveStreamShowsAUserOnlyTheirOwnRequests) {
  auto [user_id, user] = account(tenant_, "live@a.example", "user");
  SseClient user_stream(server_->port(), "/api/usage/live", {{"Authorization", "Bearer " + user}});
  ASSERT_EQ(user_stream.status(), 200) << user_stream.body();
  EXPECT_EQ(user_stream.header("content-type"), "text/event-stream");
  SseClient admin_stream(server_->port(), "/api/usage/live", {{"Authorization", "Bearer " + super_}});
  ASSERT_EQ(admin_stream.status(), 200);

  EXPECT_EQ(authed(c(), verb::get, "/admin/users", super_).result_int(), 200);
  EXPECT_EQ(authed(c(), verb::get, "/api/keys", user).result_int(), 200);

  // The user sees only their GET /api/keys (the tenant-admin calls made before were the super-admin's).
  auto seen = user_stream.next_event(std::chrono::milliseconds(3000));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->type, "request");
  const auto event = json::parse(seen->data);
  EXPECT_EQ(event["name"], "GET /api/keys");
  EXPECT_EQ(event["user_id"], user_id);
  EXPECT_EQ(event["status"], 200);
  EXPECT_EQ(seen->data.find("@"), std::string::npos) << "no emails: " << seen->data;
  EXPECT_FALSE(user_stream.next_event(std::chrono::milliseconds(300)));

  // The admin sees both, in order.
  std::vector<std::string> names;
  while (auto e = admin_stream.next_event(std::chrono::milliseconds(1000))) {
    names.push_back(json::parse(e->data).value("name", ""));
  }
  ASSERT_GE(names.size(), 2U);
  EXPECT_EQ(names[names.size() - 2], "GET /admin/users");
  EXPECT_EQ(names.back(), "GET /api/keys");
}

TEST_P(DashboardTest, ServesTheAppWithStrictHeadersAndSpaFallback) {
  for (const std::string target : {"/dashboard", "/dashboard/", "/dashboard/users", "/dashboard/keys/42/"}) {
    auto r = c().get(target);
    ASSERT_EQ(r.result_int(), 200) << target;
    EXPECT_EQ(r.body(), "<!doctype html><title>dashboard</title>") << target;
    EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    const auto csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  }
  auto js = c().get("/dashboard/assets/app-3f2a1b.js");
  ASSERT_EQ(js.result_int(), 200);
  EXPECT_EQ(js.body(), "console.log('app')");
  EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto txt = c().get("/dashboard/robots.txt");
  EXPECT_EQ(txt.result_int(), 200);
  EXPECT_EQ(header(txt, "Cache-Control"), "no-cache");
  EXPECT_EQ(c().get("/dashboard/assets/missing-0000.js").result_int(), 404);
}

TEST_P(DashboardTest, RefusesPathTraversal) {
  for (const std::string target :
       {"/dashboard/../secret.txt", "/dashboard/assets/../../secret.txt", "/dashboard/%2e%2e/secret.txt",
        "/dashboard/..%2fsecret.txt", "/dashboard/assets%2f..%2f..%2fsecret.txt", "/dashboard/..%5csecret.txt",
        "/dashboard/%2e%2e%5c%2e%2e%5csecret.txt", "/dashboard/index.html%00.js", "/dashboard/linked.txt",
        "/dashboard/%2fetc%2fpasswd.txt", "/dashboard/%zz.js"}) {
    auto r = c().get(target);
    EXPECT_EQ(r.result_int(), 404) << target << " → " << r.body();
    EXPECT_EQ(r.body().find(kSecret), std::string::npos) << target;
    EXPECT_EQ(r.body().find("root:"), std::string::npos) << target;
  }
}

INSTANTIATE_TEST_SUITE_P(dashboard, DashboardTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::testing
