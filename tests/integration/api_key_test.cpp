// Black-box tests of API keys against the real server binary: /api/keys management, X-API-Key and
// `Authorization: Bearer pk_…` on /mcp and REST, revocation and expiry, tier quotas (429 + Retry-After + rate-limit
// headers, recovery after the window, exact limits under concurrent requests, monthly usage surviving a restart).
// Suite names start with "api_key_" so that `ctest -R api_key` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "identity_support.hpp"
#include "pierre/store/database.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Headers = std::map<std::string, std::string>;

constexpr const char* kUserPassword = "another long password";

HttpResponse send_json(HttpClient& c, verb method, const std::string& target, const json& body,
                       const std::string& token) {
  Headers h{{"Content-Type", "application/json"}};
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return c.request(method, target, body.is_null() ? std::string{} : body.dump(), h);
}

std::string login_token(HttpClient& c, const std::string& email, const std::string& password) {
  auto res = send_json(c, verb::post, "/auth/login", {{"email", email}, {"password", password}}, "");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return body_json(res).value("jwt_token", "");
}

// Setup + admin login; the admin's JWT.
std::string admin_session(HttpClient& c) {
  auto s = send_json(c, verb::post, "/admin/setup",
                     {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "Admin"}}, "");
  EXPECT_EQ(s.result_int(), 201) << s.body();
  return login_token(c, kAdminEmail, kAdminPassword);
}

// A registered, approved plain user; its JWT.
std::string user_session(HttpClient& c, const std::string& admin, const std::string& email) {
  auto r = send_json(c, verb::post, "/auth/register",
                     {{"email", email}, {"password", kUserPassword}, {"display_name", "User"}}, "");
  EXPECT_EQ(r.result_int(), 201) << r.body();
  const auto id = body_json(r).value("user_id", "");
  EXPECT_EQ(send_json(c, verb::post, "/admin/users/" + id + "/approve", nullptr, admin).result_int(), 200);
  return login_token(c, email, kUserPassword);
}

struct CreatedKey {
  std::string key;
  std::string id;
  json info;
};

CreatedKey create_key(HttpClient& c, const std::string& session, const json& body) {
  auto res = send_json(c, verb::post, "/api/keys", body, session);
  EXPECT_EQ(res.result_int(), 201) << res.body();
  const auto j = body_json(res);
  return {j.value("api_key", ""), j["key_info"].value("id", ""), j["key_info"]};
}

// tools/list on /mcp, authenticated by `key` in X-API-Key (or as a bearer token).
HttpResponse mcp_list(HttpClient& c, const std::string& key, bool as_bearer = false) {
  return as_bearer ? mcp_tools_list(c, key) : mcp_tools_list(c, Headers{{"X-API-Key", key}});
}

LaunchOptions server_with(const TempDir& dir, const std::string& database_url, const Headers& env) {
  auto o = identity_server(dir, database_url);
  for (const auto& [k, v] : env) o.env[k] = v;
  return o;
}

TEST(api_key_routes, CreateUseListAndRevoke) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());
  const auto admin = admin_session(c);

  auto res = send_json(c, verb::post, "/api/keys",
                       {{"name", "Claude Desktop"}, {"tier", "Professional"}, {"description", "laptop"}}, admin);
  ASSERT_EQ(res.result_int(), 201) << res.body();
  const auto created = body_json(res);
  const std::string key = created.value("api_key", "");
  EXPECT_THAT(key, StartsWith("pk_live_"));
  EXPECT_EQ(key.size(), 40U);
  const auto& info = created["key_info"];
  EXPECT_EQ(info["tier"], "professional");
  EXPECT_EQ(info["name"], "Claude Desktop");
  EXPECT_EQ(info["key_prefix"], key.substr(0, 12));
  EXPECT_EQ(info["is_active"], true);
  EXPECT_TRUE(info["expires_at"].is_null());
  EXPECT_THAT(created.value("warning", ""), HasSubstr("not be shown again"));

  // The key works as X-API-Key and as a bearer token, on MCP and with rate-limit headers.
  auto listed = mcp_list(c, key);
  ASSERT_EQ(listed.result_int(), 200) << listed.body();
  EXPECT_THAT(listed.body(), HasSubstr("get_connection_status"));
  EXPECT_EQ(header(listed, "X-RateLimit-Tier"), "professional");
  EXPECT_EQ(header(listed, "X-RateLimit-Limit"), "300");  // the per-minute window binds first
  EXPECT_EQ(header(listed, "X-RateLimit-Remaining"), "299");
  EXPECT_EQ(header(listed, "X-RateLimit-Window"), "60");
  const auto reset = std::stoll(header(listed, "X-RateLimit-Reset"));
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(reset, now - 1);
  EXPECT_LE(reset, now + 61);
  auto as_bearer = mcp_list(c, key, true);
  EXPECT_EQ(as_bearer.result_int(), 200) << as_bearer.body();
  EXPECT_EQ(header(as_bearer, "X-RateLimit-Remaining"), "298");

  // The list shows the key and its usage, never the key itself.
  auto list = send_json(c, verb::get, "/api/keys", nullptr, admin);
  ASSERT_EQ(list.result_int(), 200) << list.body();
  EXPECT_THAT(list.body(), ::testing::Not(HasSubstr(key)));
  const auto keys = body_json(list)["api_keys"];
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0]["id"], info["id"]);
  EXPECT_EQ(keys[0]["usage"]["requests_this_month"], 2);
  EXPECT_EQ(keys[0]["usage"]["limits"]["requests_per_month"], 100000);
  const auto id = info["id"].get<std::string>();
  auto usage = send_json(c, verb::get, "/api/keys/" + id + "/usage", nullptr, admin);
  ASSERT_EQ(usage.result_int(), 200) << usage.body();
  EXPECT_EQ(body_json(usage)["requests"]["this_month"], 2);
  EXPECT_EQ(body_json(usage)["remaining"]["this_month"], 99998);

  // Revocation takes effect at once: MCP answers 401 with an invalid_token challenge, REST AUTH_INVALID.
  auto revoked = send_json(c, verb::delete_, "/api/keys/" + id, nullptr, admin);
  ASSERT_EQ(revoked.result_int(), 200) << revoked.body();
  EXPECT_FALSE(body_json(revoked)["deactivated_at"].is_null());
  auto after = mcp_list(c, key);
  EXPECT_EQ(after.result_int(), 401) << after.body();
  EXPECT_THAT(header(after, "WWW-Authenticate"), HasSubstr(R"(error="invalid_token")"));
  auto rest = c.request(verb::get, "/api/keys", {}, {{"X-API-Key", key}});
  EXPECT_EQ(rest.result_int(), 401);
  EXPECT_EQ(error_code(rest), "AUTH_INVALID");
  auto relisted = body_json(send_json(c, verb::get, "/api/keys", nullptr, admin))["api_keys"];
  ASSERT_EQ(relisted.size(), 1U);
  EXPECT_EQ(relisted[0]["is_active"], false);
  // Revoking twice is harmless; the key stays revoked.
  EXPECT_EQ(send_json(c, verb::delete_, "/api/keys/" + id, nullptr, admin).result_int(), 200);
}

TEST(api_key_routes, ValidatesRequestsAndCredentials) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());
  const auto admin = admin_session(c);
  const auto user = user_session(c, admin, "runner@example.com");

  struct Case {
    json body;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {{{"tier", "starter"}}, 400, "MISSING_REQUIRED_FIELD"},
      {{{"name", "x"}}, 400, "MISSING_REQUIRED_FIELD"},
      {{{"name", "x"}, {"tier", "platinum"}}, 400, "INVALID_INPUT"},
      {{{"name", 7}, {"tier", "starter"}}, 400, "INVALID_INPUT"},
      {{{"name", ""}, {"tier", "starter"}}, 400, "INVALID_INPUT"},
      {{{"name", std::string(101, 'n')}, {"tier", "starter"}}, 400, "INVALID_INPUT"},
      {{{"name", "bad\x01name"}, {"tier", "starter"}}, 400, "INVALID_INPUT"},
      {{{"name", "x"}, {"tier", "starter"}, {"description", 5}}, 400, "INVALID_INPUT"},
      {{{"name", "x"}, {"tier", "starter"}, {"expires_in_days", 0}}, 400, "VALUE_OUT_OF_RANGE"},
      {{{"name", "x"}, {"tier", "starter"}, {"expires_in_days", 3651}}, 400, "VALUE_OUT_OF_RANGE"},
      {{{"name", "x"}, {"tier", "starter"}, {"expires_in_days", "30"}}, 400, "INVALID_INPUT"},
      {{{"name", "x"}, {"tier", "trial"}, {"expires_in_days", 15}}, 400, "VALUE_OUT_OF_RANGE"},
      {{{"name", "x"}, {"tier", "enterprise"}}, 403, "PERMISSION_DENIED"},  // plain users: no enterprise keys
  };
  for (const auto& [body, status, code] : cases) {
    auto res = send_json(c, verb::post, "/api/keys", body, user);
    EXPECT_EQ(res.result_int(), status) << body.dump() << " → " << res.body();
    EXPECT_EQ(error_code(res), code) << body.dump();
  }
  auto not_json = c.request(verb::post, "/api/keys", "{",
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + user}});
  EXPECT_EQ(not_json.result_int(), 400);
  EXPECT_EQ(send_json(c, verb::post, "/api/keys", {{"name", "x"}, {"tier", "starter"}}, "").result_int(), 401);
  EXPECT_EQ(send_json(c, verb::get, "/api/keys", nullptr, "not-a-jwt").result_int(), 401);
  EXPECT_TRUE(body_json(send_json(c, verb::get, "/api/keys", nullptr, user))["api_keys"].empty());

  // Trial keys: pk_trial_, 14 days by default, one active per user.
  const auto trial = create_key(c, user, {{"name", "try"}, {"tier", "trial"}});
  EXPECT_THAT(trial.key, StartsWith("pk_trial_"));
  EXPECT_EQ(trial.key.size(), 41U);
  EXPECT_FALSE(trial.info["expires_at"].is_null());
  auto second = send_json(c, verb::post, "/api/keys", {{"name", "again"}, {"tier", "trial"}}, user);
  EXPECT_EQ(second.result_int(), 409) << second.body();

  // An API key cannot manage keys (a leaked key must not mint more), whichever header carries it.
  const auto key = create_key(c, user, {{"name", "cli"}, {"tier", "starter"}, {"expires_in_days", 30}}).key;
  auto by_key = c.request(verb::post, "/api/keys", json{{"name", "x"}, {"tier", "starter"}}.dump(),
                          {{"Content-Type", "application/json"}, {"X-API-Key", key}});
  EXPECT_EQ(by_key.result_int(), 403) << by_key.body();
  EXPECT_EQ(c.request(verb::get, "/api/keys", {}, {{"Authorization", "Bearer " + key}}).result_int(), 403);

  // Malformed and unknown keys: 401, never a crash, on REST and MCP.
  for (const std::string& bad :
       std::vector<std::string>{"pk_live_short", "pk_live_" + std::string(32, '!'), "pk_live_" + std::string(32, 'A'),
                                "pk_trial_" + std::string(40, 'b'), std::string("pk_live_") + std::string(5000, 'z')}) {
    auto rest = c.request(verb::get, "/api/keys", {}, {{"X-API-Key", bad}});
    EXPECT_EQ(rest.result_int(), 401) << bad.substr(0, 20);
    EXPECT_THAT(error_code(rest), ::testing::AnyOf("AUTH_MALFORMED", "AUTH_INVALID"));
    EXPECT_EQ(mcp_list(c, bad).result_int(), 401);
  }
  // Public routes ignore credentials they do not need.
  EXPECT_EQ(c.request(verb::get, "/health", {}, {{"X-API-Key", "pk_live_bogus"}}).result_int(), 200);

  // Another user's key id is 404, exactly like an id that does not exist.
  const auto other = user_session(c, admin, "other@example.com");
  auto foreign = send_json(c, verb::delete_, "/api/keys/" + trial.id, nullptr, other);
  auto unknown = send_json(c, verb::delete_, "/api/keys/key_000000000000000000000000", nullptr, other);
  EXPECT_EQ(foreign.result_int(), 404);
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_EQ(body_json(foreign)["error"]["message"], body_json(unknown)["error"]["message"]);
  EXPECT_EQ(send_json(c, verb::get, "/api/keys/" + trial.id + "/usage", nullptr, other).result_int(), 404);
  EXPECT_EQ(mcp_list(c, trial.key).result_int(), 200);  // still the owner's, still working
}

TEST(api_key_routes, SuspendedOwnersKeysStopWorking) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());
  const auto admin = admin_session(c);
  const auto user = user_session(c, admin, "suspendme@example.com");
  const auto key = create_key(c, user, {{"name", "k"}, {"tier", "starter"}}).key;
  ASSERT_EQ(mcp_list(c, key).result_int(), 200);
  auto users = body_json(send_json(c, verb::get, "/admin/users", nullptr, admin))["users"];
  std::string id;
  for (const auto& u : users) {
    if (u["email"] == "suspendme@example.com") id = u["id"];
  }
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(send_json(c, verb::post, "/admin/users/" + id + "/suspend", nullptr, admin).result_int(), 200);
  // Validated keys are cached for up to 10 s; suspension must bite within that.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    status = static_cast<int>(mcp_list(c, key).result_int());
    if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(status, 401);
}

TEST(api_key_quota, MinuteLimitRefusesWith429ThenRecovers) {
  TempDir dir;
  ServerProcess server(server_with(dir, "sqlite::memory:", {{"PIERRE_RATE_LIMIT_STARTER_PER_MINUTE", "5"}}));
  HttpClient c(server.port());
  const auto admin = admin_session(c);
  const auto key = create_key(c, admin, {{"name", "k"}, {"tier", "starter"}});

  // Start early in a minute so all requests share one window.
  while (std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() %
             60 >
         50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (int i = 0; i < 5; ++i) {
    auto ok = mcp_list(c, key.key);
    ASSERT_EQ(ok.result_int(), 200) << ok.body();
    EXPECT_EQ(header(ok, "X-RateLimit-Remaining"), std::to_string(4 - i));
  }
  auto refused = mcp_list(c, key.key);
  ASSERT_EQ(refused.result_int(), 429) << refused.body();
  EXPECT_EQ(error_code(refused), "RATE_LIMIT_EXCEEDED");
  EXPECT_EQ(header(refused, "X-RateLimit-Limit"), "5");
  EXPECT_EQ(header(refused, "X-RateLimit-Remaining"), "0");
  const auto retry_after = std::stoi(header(refused, "Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  // REST requests with the key are limited too (the limit is per key, not per route).
  EXPECT_EQ(c.request(verb::get, "/api/keys", {}, {{"X-API-Key", key.key}}).result_int(), 429);
  // Refusals are not counted.
  auto usage = body_json(send_json(c, verb::get, "/api/keys/" + key.id + "/usage", nullptr, admin));
  EXPECT_EQ(usage["requests"]["this_month"], 5);

  std::this_thread::sleep_for(std::chrono::seconds(retry_after) + std::chrono::milliseconds(200));
  HttpClient fresh(server.port());  // the server may have closed the idle keep-alive connection meanwhile
  auto recovered = mcp_list(fresh, key.key);
  EXPECT_EQ(recovered.result_int(), 200) << recovered.body();
  EXPECT_EQ(header(recovered, "X-RateLimit-Remaining"), "4");
}

TEST(api_key_quota, ConcurrentRequestsNeverExceedTheLimit) {
  // A monthly quota, so the count cannot be split by a window boundary mid-test (short of a month's end).
  TempDir dir;
  ServerProcess server(
      server_with(dir, "sqlite::memory:",
                  {{"PIERRE_RATE_LIMIT_STARTER_PER_MINUTE", "0"}, {"PIERRE_RATE_LIMIT_STARTER_PER_MONTH", "40"}}));
  HttpClient c(server.port());
  const auto admin = admin_session(c);
  const auto key = create_key(c, admin, {{"name", "k"}, {"tier", "starter"}});

  std::atomic<int> ok{0};
  std::atomic<int> limited{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      HttpClient own(server.port());
      for (int i = 0; i < 10; ++i) {
        const auto status = static_cast<int>(mcp_list(own, key.key).result_int());
        (status == 200 ? ok : status == 429 ? limited : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(limited.load(), 40);
  EXPECT_EQ(other.load(), 0);
  auto usage = body_json(send_json(c, verb::get, "/api/keys/" + key.id + "/usage", nullptr, admin));
  EXPECT_EQ(usage["requests"]["this_month"], 40);
  EXPECT_EQ(usage["remaining"]["this_month"], 0);
}

TEST(api_key_quota, MonthlyQuotaSurvivesRestartAndExpiredKeysAreRefused) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.path() + "/pierre.db";
  const Headers env{{"PIERRE_RATE_LIMIT_TRIAL_PER_MINUTE", "0"}, {"PIERRE_RATE_LIMIT_TRIAL_PER_MONTH", "6"}};
  CreatedKey key;
  CreatedKey expiring;
  std::string admin;
  {
    ServerProcess server(server_with(dir, url, env));
    HttpClient c(server.port());
    admin = admin_session(c);
    key = create_key(c, admin, {{"name", "t"}, {"tier", "trial"}});
    expiring = create_key(c, admin, {{"name", "soon"}, {"tier", "starter"}, {"expires_in_days", 1}});
    for (int i = 0; i < 4; ++i) ASSERT_EQ(mcp_list(c, key.key).result_int(), 200);
    ASSERT_EQ(mcp_list(c, expiring.key).result_int(), 200);
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait(std::chrono::seconds(15)), 0);
  }
  {
    // Let the second key's expiry pass, as a day would.
    auto db = store::open(url);
    ASSERT_TRUE(db) << db.error().message;
    auto tenant = (*db)->query_row("SELECT owner_tenant FROM api_key_lookup WHERE key_id = ?1", {expiring.id});
    ASSERT_TRUE(tenant && *tenant);
    auto owner = (*tenant)->get<std::string>("owner_tenant");
    ASSERT_TRUE(owner);
    ASSERT_EQ((*db)
                  ->tenant(store::TenantId(*owner))
                  .execute("UPDATE api_keys SET expires_at = 1 WHERE tenant_id = :tenant AND id = ?1", {expiring.id}),
              1);
  }
  ServerProcess server(server_with(dir, url, env));
  HttpClient c(server.port());
  // 4 used before the restart: 2 left this month.
  auto first = mcp_list(c, key.key);
  ASSERT_EQ(first.result_int(), 200) << first.body();
  EXPECT_EQ(header(first, "X-RateLimit-Limit"), "6");
  EXPECT_EQ(header(first, "X-RateLimit-Remaining"), "1");
  ASSERT_EQ(mcp_list(c, key.key).result_int(), 200);
  auto refused = mcp_list(c, key.key);
  ASSERT_EQ(refused.result_int(), 429) << refused.body();
  EXPECT_EQ(error_code(refused), "QUOTA_EXCEEDED");
  EXPECT_GE(std::stoll(header(refused, "Retry-After")), 1);
  EXPECT_LE(std::stoll(header(refused, "Retry-After")), 31LL * 86400);

  auto expired = c.request(verb::get, "/api/keys", {}, {{"X-API-Key", expiring.key}});
  EXPECT_EQ(expired.result_int(), 401);
  EXPECT_EQ(error_code(expired), "AUTH_EXPIRED");
  EXPECT_EQ(mcp_list(c, expiring.key).result_int(), 401);
}

}  // namespace
}  // namespace pierre::testing
