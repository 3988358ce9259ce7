// Black-box tests of the identity REST endpoints (/admin/setup, /auth/register, /auth/login, JWKS) and of /mcp
// accepting the JWTs they issue, against the real server binary.
//
// Every server here runs with PIERRE_RSA_KEY_SIZE=2048 so that generating the signing key (on first login) is fast.
// Suite names start with "identity_" so that `ctest -R identity` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "identity_support.hpp"
#include "pierre/crypto/primitives.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using Headers = std::map<std::string, std::string>;

json credentials(const std::string& email, const std::string& password, const std::string& name = "") {
  json j{{"email", email}, {"password", password}};
  if (!name.empty()) j["display_name"] = name;
  return j;
}

HttpResponse setup(HttpClient& c) {
  return post_body(c, "/admin/setup", credentials(kAdminEmail, kAdminPassword, "Admin").dump());
}

std::string login_token(HttpClient& c) {
  auto res = post_body(c, "/auth/login", credentials(kAdminEmail, kAdminPassword).dump());
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return body_json(res).value("jwt_token", "");
}

json jwt_header(const std::string& token) {
  crypto::Bytes raw;
  EXPECT_TRUE(crypto::base64url_decode(token.substr(0, token.find('.')), raw)) << token;
  return json::parse(raw.begin(), raw.end(), nullptr, false);
}

TEST(identity_Setup, SucceedsOnceThenConflicts) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());

  // Registration needs the default tenant that setup creates.
  auto early = post_body(c, "/auth/register", credentials("bob@example.com", "another long password", "Bob").dump());
  EXPECT_EQ(early.result_int(), 503) << early.body();
  EXPECT_EQ(body_json(early)["error"]["code"], "RESOURCE_UNAVAILABLE");

  auto first = setup(c);
  ASSERT_EQ(first.result_int(), 201) << first.body();
  const auto body = body_json(first);
  EXPECT_EQ(body["user"]["email"], kAdminEmail);
  EXPECT_EQ(body["user"]["role"], "super_admin");
  EXPECT_EQ(body["user"]["tenant_id"], body["tenant_id"]);
  EXPECT_FALSE(body.dump().contains(kAdminPassword));

  auto second = setup(c);
  EXPECT_EQ(second.result_int(), 409) << second.body();
  EXPECT_EQ(body_json(second)["error"]["code"], "RESOURCE_ALREADY_EXISTS");
}

TEST(identity_Setup, ParallelSetupsCreateExactlyOneAdmin) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  constexpr int n = 20;
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      HttpClient c(server.port());
      const auto status = setup(c).result_int();
      if (status == 201) ++created;
      if (status == 409) ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), n - 1);
}

TEST(identity_Flow, RegisterLoginJwksAndMcpWithTheToken) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());

  // No key before the first login.
  auto empty = c.get("/oauth2/jwks");
  ASSERT_EQ(empty.result_int(), 200);
  EXPECT_TRUE(body_json(empty)["keys"].empty()) << empty.body();

  ASSERT_EQ(setup(c).result_int(), 201);
  auto reg = post_body(c, "/auth/register", credentials("bob@example.com", "another long password", "Bob").dump());
  ASSERT_EQ(reg.result_int(), 201) << reg.body();
  EXPECT_EQ(body_json(reg)["status"], "pending");
  EXPECT_TRUE(body_json(reg)["user_id"].is_string());

  auto pending = post_body(c, "/auth/login", credentials("bob@example.com", "another long password").dump());
  EXPECT_EQ(pending.result_int(), 401) << pending.body();
  EXPECT_EQ(body_json(pending)["error"]["code"], "AUTH_INVALID");

  auto login = post_body(c, "/auth/login", credentials(kAdminEmail, kAdminPassword).dump());
  ASSERT_EQ(login.result_int(), 200) << login.body();
  const auto lb = body_json(login);
  const auto token = lb.value("jwt_token", "");
  ASSERT_FALSE(token.empty());
  EXPECT_THAT(lb.value("expires_at", ""), ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  EXPECT_EQ(lb["user"]["email"], kAdminEmail);
  EXPECT_EQ(lb["user"]["role"], "super_admin");
  EXPECT_TRUE(lb["user"]["id"].is_string());
  EXPECT_TRUE(lb["user"]["tenant_id"].is_string());
  EXPECT_EQ(lb["user"]["display_name"], "Admin");

  for (const char* path : {"/oauth2/jwks", "/.well-known/jwks.json"}) {
    auto jwks = c.get(path);
    ASSERT_EQ(jwks.result_int(), 200) << path;
    const auto keys = body_json(jwks)["keys"];
    ASSERT_EQ(keys.size(), 1u) << jwks.body();
    EXPECT_EQ(keys[0]["kid"], jwt_header(token)["kid"]);
    EXPECT_FALSE(keys[0].contains("d")) << "private key material published";
  }

  HttpClient m(server.port());
  auto listed = mcp_tools_list(m, token);
  EXPECT_EQ(listed.result_int(), 200) << listed.body();
  EXPECT_TRUE(body_json(listed)["result"]["tools"].is_array()) << listed.body();

  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  HttpClient t(server.port());
  auto rejected = mcp_tools_list(t, tampered);
  EXPECT_EQ(rejected.result_int(), 401) << rejected.body();
  EXPECT_THAT(std::string(rejected["WWW-Authenticate"]), ::testing::StartsWith("Bearer"));

  // Wrong password and unknown email are indistinguishable.
  auto wrong = post_body(c, "/auth/login", credentials(kAdminEmail, "not the right password").dump());
  auto unknown = post_body(c, "/auth/login", credentials("nobody@example.com", kAdminPassword).dump());
  EXPECT_EQ(wrong.result_int(), 401);
  EXPECT_EQ(unknown.result_int(), 401);
  EXPECT_EQ(body_json(wrong)["error"]["code"], "AUTH_INVALID");
  EXPECT_EQ(body_json(wrong)["error"]["message"], body_json(unknown)["error"]["message"]);
}

TEST(identity_Validation, BodiesAreCheckedBeforeAnythingElse) {
  TempDir dir;
  ServerProcess server(identity_server(dir));
  HttpClient c(server.port());

  auto malformed = post_body(c, "/auth/login", "{\"email\": ");
  EXPECT_EQ(malformed.result_int(), 400) << malformed.body();
  EXPECT_TRUE(body_json(malformed)["error"]["message"].is_string());

  auto not_object = post_body(c, "/admin/setup", "[1,2]");
  EXPECT_EQ(not_object.result_int(), 400) << not_object.body();

  auto missing = post_body(c, "/auth/login", json{{"email", kAdminEmail}}.dump());
  EXPECT_EQ(missing.result_int(), 400) << missing.body();
  EXPECT_EQ(body_json(missing)["error"]["code"], "MISSING_REQUIRED_FIELD");
  EXPECT_EQ(body_json(missing)["error"]["details"]["field"], "password");
  EXPECT_THAT(body_json(missing)["error"]["message"].get<std::string>(), ::testing::HasSubstr("password"));

  auto missing_name = post_body(c, "/admin/setup", credentials(kAdminEmail, kAdminPassword).dump());
  EXPECT_EQ(missing_name.result_int(), 400) << missing_name.body();
  EXPECT_EQ(body_json(missing_name)["error"]["details"]["field"], "display_name");

  auto mistyped = post_body(c, "/auth/login", json{{"email", 42}, {"password", "x"}}.dump());
  EXPECT_EQ(mistyped.result_int(), 400) << mistyped.body();
  EXPECT_EQ(body_json(mistyped)["error"]["details"]["field"], "email");

  auto text = c.request(verb::post, "/auth/login", credentials(kAdminEmail, kAdminPassword).dump(),
                        {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.result_int(), 415) << text.body();
  EXPECT_EQ(body_json(text)["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");

  // Setup did not happen through any of these.
  EXPECT_EQ(setup(c).result_int(), 201);
}

TEST(identity_Restart, TokensSurviveARestartWithTheSameDatabaseAndMasterKey) {
  TempDir dir;
  const auto url = "sqlite:" + dir.path() + "/pierre.db";
  // The token's issuer and audience come from the public URL, derived from the bound port when unset: with --port 0
  // it would change on every start. Pin the port, as a deployment would (a free one, found by binding port 0).
  auto options = identity_server(dir, url);
  options.args[2] = std::to_string(free_port());
  std::string token;
  {
    ServerProcess server(options);
    HttpClient c(server.port());
    ASSERT_EQ(setup(c).result_int(), 201);
    token = login_token(c);
    ASSERT_FALSE(token.empty());
  }
  ServerProcess server(options);
  HttpClient c(server.port());
  auto jwks = c.get("/oauth2/jwks");
  const auto keys = body_json(jwks)["keys"];
  ASSERT_EQ(keys.size(), 1u) << jwks.body();
  EXPECT_EQ(keys[0]["kid"], jwt_header(token)["kid"]);
  HttpClient m(server.port());
  auto listed = mcp_tools_list(m, token);
  EXPECT_EQ(listed.result_int(), 200) << listed.body();
  // The same admin can log in again, with a token under the same key.
  EXPECT_EQ(jwt_header(login_token(c))["kid"], keys[0]["kid"]);
}

}  // namespace
}  // namespace pierre::testing
