// Black-box tests of POST/GET/DELETE/OPTIONS /mcp over loopback HTTP against the real server binary: transport
// security (auth challenge, Host/Origin checks, CORS), the 2026-07-28 stateless envelope, 2025-era sessions, error
// codes, SSE progress streaming, MRTR with sealed requestState, resources, and robustness against hostile bodies.
//
// Suite names start with "mcp_" so that `ctest -R mcp` selects them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kModern = "2026-07-28";
constexpr const char* kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr const char* kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
using Headers = std::map<std::string, std::string>;

LaunchOptions mcp_server(const TempDir& dir, std::vector<std::string> extra) {
  LaunchOptions o;
  o.args = {"--dev",          "--port",         "0", "--host", "127.0.0.1", "--data-dir", dir.path(),
            "--database-url", "sqlite::memory:"};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  o.env = {{"LOG_LEVEL", "warn"}, {"HTTP_THREADS", "2"}};
  return o;
}

json body_json(const HttpResponse& res) {
  const auto parsed = json::parse(res.body(), nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << res.body();
  return parsed;
}

// The headers a 2026-07-28 client sends; `name` fills Mcp-Name for tools/call, prompts/get and resources/read.
Headers modern_headers(const std::string& method, const std::string& name = {}) {
  Headers h{{"Content-Type", "application/json"},
            {"Accept", "application/json, text/event-stream"},
            {"MCP-Protocol-Version", kModern},
            {"Mcp-Method", method}};
  if (!name.empty()) h["Mcp-Name"] = name;
  return h;
}

json modern_request(const json& id, const std::string& method, json params = json::object(),
                    json capabilities = json::object()) {
  params["_meta"][kMetaVersion] = kModern;
  params["_meta"][kMetaCapabilities] = std::move(capabilities);
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

Headers legacy_headers(const std::string& session = {}, const std::string& version = {}) {
  Headers h{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
  if (!session.empty()) h["Mcp-Session-Id"] = session;
  if (!version.empty()) h["MCP-Protocol-Version"] = version;
  return h;
}

json rpc(const json& id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

void expect_rpc_error(const HttpResponse& res, unsigned status, int code, const json& id) {
  EXPECT_EQ(res.result_int(), status) << res.body();
  const auto body = body_json(res);
  ASSERT_TRUE(body.is_object()) << res.body();
  EXPECT_EQ(body.value("jsonrpc", ""), "2.0") << res.body();
  ASSERT_TRUE(body.contains("error")) << res.body();
  EXPECT_FALSE(body.contains("result")) << res.body();
  EXPECT_EQ(body["error"]["code"], code) << res.body();
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_EQ(body["id"], id) << res.body();
}

std::string header(const HttpResponse& res, const std::string& name) {
  return std::string(res[name]);
}

// "data: ..." payloads of a text/event-stream body, one per event.
std::vector<json> sse_events(const std::string& body) {
  std::vector<json> events;
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find("\n\n", start);
    if (end == std::string::npos) end = body.size();
    std::string data;
    std::size_t line_start = start;
    while (line_start < end) {
      auto line_end = body.find('\n', line_start);
      if (line_end == std::string::npos || line_end > end) line_end = end;
      const std::string_view line(body.data() + line_start, line_end - line_start);
      if (line.starts_with("data:")) {
        auto value = line.substr(5);
        if (value.starts_with(' ')) value.remove_prefix(1);
        if (!data.empty()) data += '\n';
        data += value;
      }
      line_start = line_end + 1;
    }
    if (!data.empty()) events.push_back(json::parse(data, nullptr, false));
    start = end + 2;
  }
  return events;
}

// One server with the conformance fixtures (which also serves anonymous callers) for the whole suite.
class mcp_Http : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(mcp_server(*dir_, {"--conformance-fixtures"}));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }

  static HttpResponse post(const json& body, const Headers& headers) {
    HttpClient c(port());
    return c.request(verb::post, "/mcp", body.dump(), headers);
  }
  static HttpResponse post_raw(const std::string& body, const Headers& headers) {
    HttpClient c(port());
    return c.request(verb::post, "/mcp", body, headers);
  }
  static HttpResponse modern(const json& id, const std::string& method, json params = json::object(),
                             json capabilities = json::object(), std::string name = {}) {
    return post(modern_request(id, method, std::move(params), std::move(capabilities)), modern_headers(method, name));
  }
  // initialize → the new session's id.
  static std::string initialize(const std::string& version = "2025-06-18") {
    auto res = post(rpc(1, "initialize",
                        {{"protocolVersion", version},
                         {"capabilities", json::object()},
                         {"clientInfo", {{"name", "integration-test"}, {"version", "1.0"}}}}),
                    legacy_headers());
    EXPECT_EQ(res.result_int(), 200) << res.body();
    const auto session = header(res, "Mcp-Session-Id");
    EXPECT_FALSE(session.empty());
    return session;
  }
  static void expect_still_serving() {
    HttpClient c(port());
    EXPECT_EQ(c.get("/health").result_int(), 200);
  }

  static inline TempDir* dir_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

// ---- authentication ------------------------------------------------------------------------------------------------

TEST(mcp_HttpAuth, WithoutTheDevSwitchMcpAsksForCredentials) {
  TempDir dir;
  ServerProcess server(mcp_server(dir, {}));
  HttpClient c(server.port());
  auto res = c.request(verb::post, "/mcp", modern_request(1, "tools/list").dump(), modern_headers("tools/list"));
  EXPECT_EQ(res.result_int(), 401) << res.body();
  const auto challenge = header(res, "WWW-Authenticate");
  EXPECT_THAT(challenge, ::testing::StartsWith("Bearer"));
  EXPECT_THAT(challenge, HasSubstr("resource_metadata=\"http://127.0.0.1:" + std::to_string(server.port()) +
                                   "/.well-known/oauth-protected-resource/mcp\""));
  // Scope guidance (MCP authorization): the scopes to ask for, never offline_access.
  EXPECT_THAT(challenge, HasSubstr(R"(scope="mcp:read mcp:write")"));
  EXPECT_THAT(challenge, ::testing::Not(HasSubstr("offline_access")));
  const auto body = body_json(res);
  EXPECT_EQ(body["error"]["code"], "AUTH_REQUIRED") << res.body();
  EXPECT_FALSE(body.contains("result"));

  // A bogus credential is no better than none.
  auto bogus = c.request(verb::post, "/mcp", modern_request(2, "tools/list").dump(), [] {
    auto h = modern_headers("tools/list");
    h["Authorization"] = "Bearer not-a-real-token";
    h["X-API-Key"] = "pk_live_nope";
    return h;
  }());
  EXPECT_EQ(bogus.result_int(), 401) << bogus.body();
  EXPECT_FALSE(header(bogus, "WWW-Authenticate").empty());

  // GET and DELETE are guarded too.
  HttpClient g(server.port());
  EXPECT_EQ(g.get("/mcp").result_int(), 401);
  HttpClient d(server.port());
  EXPECT_EQ(d.request(verb::delete_, "/mcp", {}, {{"Mcp-Session-Id", "x"}}).result_int(), 401);

  // A CORS preflight carries no credentials and must not be challenged.
  HttpClient o(server.port());
  auto preflight = o.request(verb::options, "/mcp", {},
                             {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.result_int(), 204) << preflight.body();
  EXPECT_EQ(header(preflight, "Access-Control-Allow-Origin"), "http://localhost:3000");
}

TEST(mcp_HttpAuth, AllowAnonymousServesWithoutFixtures) {
  TempDir dir;
  ServerProcess server(mcp_server(dir, {"--mcp-allow-anonymous"}));
  HttpClient c(server.port());
  auto res = c.request(verb::post, "/mcp", modern_request(1, "tools/list").dump(), modern_headers("tools/list"));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto tools = body_json(res)["result"]["tools"];
  ASSERT_TRUE(tools.is_array());
  for (const auto& t : tools) EXPECT_NE(t["name"], "test_simple_text") << "fixtures must be off without the flag";
}

// ---- Host / Origin / CORS ------------------------------------------------------------------------------------------

TEST_F(mcp_Http, ForeignHostIsForbidden) {
  for (const std::string host :
       {"evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.evil.example:8081"}) {
    auto h = modern_headers("tools/list");
    h["Host"] = host;
    auto res = post(modern_request(1, "tools/list"), h);
    EXPECT_EQ(res.result_int(), 403) << host << ": " << res.body();
    EXPECT_FALSE(body_json(res).contains("result")) << host;
  }
  for (const std::string& host :
       std::vector<std::string>{"localhost", "localhost:" + std::to_string(port()), "127.0.0.1:1", "LOCALHOST"}) {
    auto h = modern_headers("tools/list");
    h["Host"] = host;
    EXPECT_EQ(post(modern_request(1, "tools/list"), h).result_int(), 200) << host;
  }
}

TEST_F(mcp_Http, ForeignOriginIsForbidden) {
  for (const std::string origin : {"http://evil.example", "https://evil.example:3000", "http://localhost.evil.example",
                                   "http://localhost@evil.example", "http://evil.example/localhost"}) {
    auto h = modern_headers("tools/list");
    h["Origin"] = origin;
    auto res = post(modern_request(1, "tools/list"), h);
    EXPECT_EQ(res.result_int(), 403) << origin << ": " << res.body();
    EXPECT_TRUE(header(res, "Access-Control-Allow-Origin").empty()) << origin;
  }
  auto h = modern_headers("tools/list");
  h["Origin"] = "http://localhost:3000";
  auto ok = post(modern_request(1, "tools/list"), h);
  EXPECT_EQ(ok.result_int(), 200) << ok.body();
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_THAT(header(ok, "Access-Control-Expose-Headers"), HasSubstr("Mcp-Session-Id"));
}

TEST_F(mcp_Http, PreflightFromAnAllowedOrigin) {
  HttpClient c(port());
  auto res = c.request(verb::options, "/mcp", {},
                       {{"Origin", "http://localhost:3000"},
                        {"Access-Control-Request-Method", "POST"},
                        {"Access-Control-Request-Headers", "content-type, mcp-protocol-version, mcp-session-id"}});
  EXPECT_EQ(res.result_int(), 204) << res.body();
  EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_THAT(header(res, "Access-Control-Allow-Methods"), HasSubstr("POST"));
  EXPECT_THAT(header(res, "Access-Control-Allow-Methods"), HasSubstr("DELETE"));
  const auto allowed = header(res, "Access-Control-Allow-Headers");
  for (const char* h :
       {"Content-Type", "MCP-Protocol-Version", "Mcp-Session-Id", "Mcp-Method", "Mcp-Name", "Authorization"}) {
    EXPECT_THAT(allowed, HasSubstr(h));
  }
  EXPECT_FALSE(header(res, "Access-Control-Max-Age").empty());
  EXPECT_THAT(header(res, "Vary"), HasSubstr("Origin"));
}

TEST_F(mcp_Http, PreflightFromAForeignOriginIsForbidden) {
  HttpClient c(port());
  auto res = c.request(verb::options, "/mcp", {},
                       {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_TRUE(header(res, "Access-Control-Allow-Origin").empty());
  EXPECT_TRUE(header(res, "Access-Control-Allow-Methods").empty());
}

// ---- 2026-07-28 envelope -------------------------------------------------------------------------------------------

TEST_F(mcp_Http, ModernToolsListCarriesResultMetadata) {
  auto res = modern("list-1", "tools/list");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_THAT(header(res, "Content-Type"), HasSubstr("application/json"));
  EXPECT_TRUE(header(res, "Mcp-Session-Id").empty()) << "the stateless revision has no sessions";
  const auto body = body_json(res);
  EXPECT_EQ(body["jsonrpc"], "2.0");
  EXPECT_EQ(body["id"], "list-1");
  const auto& result = body["result"];
  EXPECT_EQ(result["resultType"], "complete");
  ASSERT_TRUE(result["ttlMs"].is_number_integer()) << result.dump();
  EXPECT_GT(result["ttlMs"].get<long>(), 0);
  EXPECT_EQ(result["cacheScope"], "private");
  const auto& info = result["_meta"][kMetaServerInfo];
  EXPECT_EQ(info["name"], "pierre-mcp-server");
  EXPECT_TRUE(info["version"].is_string() && !info["version"].get<std::string>().empty()) << info.dump();
  ASSERT_TRUE(result["tools"].is_array());
  bool found = false;
  for (const auto& t : result["tools"]) {
    EXPECT_TRUE(t["name"].is_string());
    EXPECT_TRUE(t["inputSchema"].is_object());
    if (t["name"] == "test_simple_text") found = true;
  }
  EXPECT_TRUE(found) << "fixture tool missing from " << result["tools"].dump();
}

TEST_F(mcp_Http, HeaderMismatchIs400With32020) {
  {
    auto h = modern_headers("tools/list");
    h["MCP-Protocol-Version"] = "2025-11-25";
    expect_rpc_error(post(modern_request(1, "tools/list"), h), 400, -32020, 1);
  }
  {
    auto h = modern_headers("tools/call", "test_simple_text");  // body says tools/list
    expect_rpc_error(post(modern_request(2, "tools/list"), h), 400, -32020, 2);
  }
  {
    auto h = modern_headers("tools/list");
    h.erase("Mcp-Method");
    expect_rpc_error(post(modern_request(3, "tools/list"), h), 400, -32020, 3);
  }
  {
    auto h = modern_headers("tools/call", "greet");
    auto res = post(modern_request(4, "tools/call", {{"name", "test_simple_text"}}), h);
    expect_rpc_error(res, 400, -32020, 4);
    EXPECT_THAT(body_json(res)["error"]["message"].get<std::string>(), HasSubstr("Mcp-Name"));
  }
  {
    auto h = modern_headers("resources/read", "test://other");
    expect_rpc_error(post(modern_request(5, "resources/read", {{"uri", "test://static-text"}}), h), 400, -32020, 5);
  }
}

TEST_F(mcp_Http, UnsupportedVersionIs400With32022) {
  auto request = modern_request(7, "tools/list");
  request["params"]["_meta"][kMetaVersion] = "2099-01-01";
  auto h = modern_headers("tools/list");
  h["MCP-Protocol-Version"] = "2099-01-01";
  auto res = post(request, h);
  expect_rpc_error(res, 400, -32022, 7);
  const auto data = body_json(res)["error"]["data"];
  ASSERT_TRUE(data["supported"].is_array()) << data.dump();
  EXPECT_THAT(data["supported"].get<std::vector<std::string>>(), ::testing::Contains(kModern));
  EXPECT_EQ(data["requested"], "2099-01-01");
}

TEST_F(mcp_Http, MissingClientCapabilitiesIs400With32602) {
  auto request = modern_request(8, "tools/list");
  request["params"]["_meta"].erase(kMetaCapabilities);
  expect_rpc_error(post(request, modern_headers("tools/list")), 400, -32602, 8);

  auto not_object = modern_request(9, "tools/list");
  not_object["params"]["_meta"][kMetaCapabilities] = "all of them";
  expect_rpc_error(post(not_object, modern_headers("tools/list")), 400, -32602, 9);

  // The header says 2026-07-28 but there is no _meta at all.
  expect_rpc_error(post(rpc(10, "tools/list"), modern_headers("tools/list")), 400, -32602, 10);
}

TEST_F(mcp_Http, UnknownMethodIs404With32601) {
  auto res = modern("u-1", "tools/frobnicate");
  expect_rpc_error(res, 404, -32601, "u-1");
}

TEST_F(mcp_Http, MethodsRemovedIn2026AreUnknown) {
  for (const std::string method : {"ping", "initialize", "logging/setLevel", "resources/subscribe"}) {
    auto res = modern(11, method);
    expect_rpc_error(res, 404, -32601, 11);
  }
}

// ---- 2025-era sessions ---------------------------------------------------------------------------------------------

TEST_F(mcp_Http, LegacyInitializeThenToolsListInTheSession) {
  auto init = post(rpc(1, "initialize",
                       {{"protocolVersion", "2025-06-18"},
                        {"capabilities", json::object()},
                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}}),
                   legacy_headers());
  ASSERT_EQ(init.result_int(), 200) << init.body();
  const auto session = header(init, "Mcp-Session-Id");
  ASSERT_FALSE(session.empty());
  for (char ch : session) EXPECT_TRUE(ch >= 0x21 && ch <= 0x7E) << "session ids must be visible ASCII";
  const auto result = body_json(init)["result"];
  EXPECT_EQ(result["protocolVersion"], "2025-06-18");
  EXPECT_TRUE(result["capabilities"].contains("tools"));
  EXPECT_EQ(result["serverInfo"]["name"], "pierre-mcp-server");

  auto initialized =
      post_raw(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", legacy_headers(session, "2025-06-18"));
  EXPECT_EQ(initialized.result_int(), 202) << initialized.body();

  auto list = post(rpc(2, "tools/list"), legacy_headers(session, "2025-06-18"));
  ASSERT_EQ(list.result_int(), 200) << list.body();
  const auto listed = body_json(list);
  EXPECT_EQ(listed["id"], 2);
  ASSERT_TRUE(listed["result"]["tools"].is_array());
  EXPECT_FALSE(listed["result"]["tools"].empty());
  EXPECT_FALSE(listed["result"].contains("resultType")) << "2025-era results have no resultType";

  auto ping = post(rpc(3, "ping"), legacy_headers(session, "2025-06-18"));
  ASSERT_EQ(ping.result_int(), 200) << ping.body();
  EXPECT_EQ(body_json(ping)["result"], json::object());

  auto call = post(rpc(4, "tools/call", {{"name", "greet"}, {"arguments", {{"name", "Ann"}}}}),
                   legacy_headers(session, "2025-06-18"));
  ASSERT_EQ(call.result_int(), 200) << call.body();
  EXPECT_EQ(body_json(call)["result"]["content"][0]["text"], "Hello, Ann!");
}

TEST_F(mcp_Http, InitializeWithAnUnknownVersionGetsTheLatestSessionVersion) {
  auto init = post(rpc(1, "initialize", {{"protocolVersion", "1999-01-01"}, {"capabilities", json::object()}}),
                   legacy_headers());
  ASSERT_EQ(init.result_int(), 200) << init.body();
  EXPECT_EQ(body_json(init)["result"]["protocolVersion"], "2025-11-25");
  EXPECT_FALSE(header(init, "Mcp-Session-Id").empty());
}

TEST_F(mcp_Http, UnknownSessionIs404) {
  auto res = post(rpc(5, "tools/list"), legacy_headers("no-such-session-id", "2025-06-18"));
  EXPECT_EQ(res.result_int(), 404) << res.body();
  EXPECT_TRUE(body_json(res).contains("error"));
}

TEST_F(mcp_Http, LegacyRequestWithoutSessionOrWithTheWrongVersionIs400) {
  auto res = post(rpc(5, "tools/list"), legacy_headers());
  EXPECT_EQ(res.result_int(), 400) << res.body();
  const auto session = initialize("2025-06-18");
  auto mismatch = post(rpc(6, "tools/list"), legacy_headers(session, "2025-11-25"));
  EXPECT_EQ(mismatch.result_int(), 400) << mismatch.body();
}

TEST_F(mcp_Http, DeleteEndsTheSession) {
  const auto session = initialize();
  ASSERT_EQ(post(rpc(2, "tools/list"), legacy_headers(session, "2025-06-18")).result_int(), 200);
  HttpClient c(port());
  auto del = c.request(verb::delete_, "/mcp", {}, {{"Mcp-Session-Id", session}});
  EXPECT_EQ(del.result_int(), 204) << del.body();
  EXPECT_TRUE(del.body().empty());
  EXPECT_EQ(post(rpc(3, "tools/list"), legacy_headers(session, "2025-06-18")).result_int(), 404);
  HttpClient again(port());
  EXPECT_EQ(again.request(verb::delete_, "/mcp", {}, {{"Mcp-Session-Id", session}}).result_int(), 404);
  // Other sessions are unaffected.
  const auto other = initialize();
  EXPECT_NE(other, session);
  EXPECT_EQ(post(rpc(4, "tools/list"), legacy_headers(other, "2025-06-18")).result_int(), 200);
}

// ---- transport errors
// ------------------------------------------------------------------------------------------------

TEST_F(mcp_Http, GetIs405WithAllow) {
  HttpClient c(port());
  auto res = c.request(verb::get, "/mcp", {}, {{"Accept", "text/event-stream"}});
  EXPECT_EQ(res.result_int(), 405) << res.body();
  const auto allow = header(res, "Allow");
  EXPECT_THAT(allow, HasSubstr("POST"));
  EXPECT_THAT(allow, ::testing::Not(HasSubstr("GET")));
}

TEST_F(mcp_Http, MalformedJsonIs400With32700) {
  for (const std::string body : {"{", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", "not json", "\xFF\xFE"}) {
    auto res = post_raw(body, modern_headers("tools/list"));
    expect_rpc_error(res, 400, -32700, nullptr);
  }
}

TEST_F(mcp_Http, BatchesAndBadIdsAre400With32600) {
  expect_rpc_error(post_raw(R"([{"jsonrpc":"2.0","id":1,"method":"tools/list"}])", modern_headers("tools/list")), 400,
                   -32600, nullptr);
  expect_rpc_error(post_raw(R"({"jsonrpc":"2.0","id":1.5,"method":"tools/list"})", modern_headers("tools/list")), 400,
                   -32600, nullptr);
  expect_rpc_error(post_raw(R"({"jsonrpc":"1.0","id":"keep","method":"tools/list"})", modern_headers("tools/list")),
                   400, -32600, "keep");
}

TEST_F(mcp_Http, WrongContentTypeIs415) {
  auto h = modern_headers("tools/list");
  h["Content-Type"] = "text/plain";
  auto res = post(modern_request(1, "tools/list"), h);
  EXPECT_EQ(res.result_int(), 415) << res.body();
}

TEST_F(mcp_Http, NotificationIs202WithoutBody) {
  auto res = post_raw(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})",
                      modern_headers("notifications/cancelled"));
  EXPECT_EQ(res.result_int(), 202) << res.body();
  EXPECT_TRUE(res.body().empty()) << res.body();
}

// ---- tools ---------------------------------------------------------------------------------------------------------

TEST_F(mcp_Http, ToolsCallWithInvalidArgumentsIsAnIsErrorResult) {
  auto res = modern(20, "tools/call", {{"name", "greet"}, {"arguments", {{"name", 5}}}}, json::object(), "greet");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto body = body_json(res);
  ASSERT_TRUE(body.contains("result")) << "invalid arguments are a tool error, not a protocol error: " << res.body();
  EXPECT_EQ(body["result"]["isError"], true);
  const auto text = body["result"]["content"][0]["text"].get<std::string>();
  EXPECT_THAT(text, HasSubstr("Input validation error"));
  EXPECT_THAT(text, HasSubstr("name"));
  EXPECT_FALSE(body["result"].contains("structuredContent"));

  auto missing = modern(21, "tools/call", {{"name", "greet"}, {"arguments", json::object()}}, json::object(), "greet");
  ASSERT_EQ(missing.result_int(), 200) << missing.body();
  EXPECT_EQ(body_json(missing)["result"]["isError"], true);

  auto ok = modern(22, "tools/call", {{"name", "greet"}, {"arguments", {{"name", "Ann"}}}}, json::object(), "greet");
  ASSERT_EQ(ok.result_int(), 200) << ok.body();
  EXPECT_EQ(body_json(ok)["result"]["isError"], false);
  EXPECT_EQ(body_json(ok)["result"]["content"][0]["text"], "Hello, Ann!");
  EXPECT_EQ(body_json(ok)["result"]["resultType"], "complete");
}

TEST_F(mcp_Http, ToolsCallOfAnUnknownToolIsInvalidParams) {
  auto res = modern(23, "tools/call", {{"name", "no_such_tool"}}, json::object(), "no_such_tool");
  expect_rpc_error(res, 200, -32602, 23);
}

TEST_F(mcp_Http, LongRunningToolStreamsProgressBeforeTheResponse) {
  auto request =
      modern_request("prog-1", "tools/call", {{"name", "test_tool_with_progress"}, {"arguments", json::object()}});
  request["params"]["_meta"]["progressToken"] = "tok-1";
  auto res = post(request, modern_headers("tools/call", "test_tool_with_progress"));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_THAT(header(res, "Content-Type"), ::testing::StartsWith("text/event-stream"));
  const auto events = sse_events(res.body());
  ASSERT_GE(events.size(), 4u) << res.body();
  std::vector<double> progress;
  std::size_t response_at = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    ASSERT_TRUE(e.is_object()) << "event " << i << " is not JSON: " << res.body();
    if (e.value("method", "") == "notifications/progress") {
      EXPECT_EQ(response_at, events.size()) << "progress after the response";
      EXPECT_EQ(e["params"]["progressToken"], "tok-1");
      EXPECT_FALSE(e.contains("id")) << "progress is a notification";
      progress.push_back(e["params"]["progress"].get<double>());
    } else if (e.contains("id")) {
      response_at = i;
    }
  }
  EXPECT_EQ(progress.size(), 3u) << res.body();
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end())) << "progress must not go backwards";
  ASSERT_EQ(response_at, events.size() - 1) << "the response must be the last event: " << res.body();
  const auto& response = events.back();
  EXPECT_EQ(response["id"], "prog-1");
  EXPECT_EQ(response["result"]["content"][0]["text"], "progress reported");
  EXPECT_EQ(response["result"]["isError"], false);
}

TEST_F(mcp_Http, LongRunningToolWithoutSseAcceptAnswersPlainJson) {
  auto request =
      modern_request("prog-2", "tools/call", {{"name", "test_tool_with_progress"}, {"arguments", json::object()}});
  request["params"]["_meta"]["progressToken"] = "tok-2";
  auto h = modern_headers("tools/call", "test_tool_with_progress");
  h["Accept"] = "application/json";
  auto res = post(request, h);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_THAT(header(res, "Content-Type"), HasSubstr("application/json"));
  const auto body = body_json(res);
  EXPECT_EQ(body["id"], "prog-2");
  EXPECT_EQ(body["result"]["content"][0]["text"], "progress reported");
}

// ---- MRTR ----------------------------------------------------------------------------------------------------------

TEST_F(mcp_Http, InputRequiredRoundTripWithSealedRequestState) {
  const std::string tool = "test_input_required_result_request_state";
  const json caps = {{"elicitation", json::object()}};
  auto first = modern("mrtr-1", "tools/call", {{"name", tool}, {"arguments", json::object()}}, caps, tool);
  ASSERT_EQ(first.result_int(), 200) << first.body();
  const auto round1 = body_json(first)["result"];
  EXPECT_EQ(round1["resultType"], "input_required") << round1.dump();
  ASSERT_TRUE(round1["inputRequests"].contains("confirm")) << round1.dump();
  EXPECT_EQ(round1["inputRequests"]["confirm"]["method"], "elicitation/create");
  ASSERT_TRUE(round1["requestState"].is_string()) << round1.dump();
  const auto state = round1["requestState"].get<std::string>();
  EXPECT_FALSE(state.empty());

  const json answers = {{"confirm", {{"action", "accept"}, {"content", {{"ok", true}}}}}};
  auto tampered = state;
  tampered[tampered.size() / 3] = tampered[tampered.size() / 3] == 'A' ? 'B' : 'A';
  auto bad =
      modern("mrtr-2", "tools/call",
             {{"name", tool}, {"arguments", json::object()}, {"inputResponses", answers}, {"requestState", tampered}},
             caps, tool);
  expect_rpc_error(bad, 200, -32602, "mrtr-2");

  // The same state offered to another tool is refused too: it is bound to the tool's name.
  const std::string other = "test_input_required_result_tampered_state";
  auto foreign =
      modern("mrtr-3", "tools/call",
             {{"name", other}, {"arguments", json::object()}, {"inputResponses", answers}, {"requestState", state}},
             caps, other);
  expect_rpc_error(foreign, 200, -32602, "mrtr-3");

  auto good =
      modern("mrtr-4", "tools/call",
             {{"name", tool}, {"arguments", json::object()}, {"inputResponses", answers}, {"requestState", state}},
             caps, tool);
  ASSERT_EQ(good.result_int(), 200) << good.body();
  const auto done = body_json(good)["result"];
  EXPECT_EQ(done["resultType"], "complete") << done.dump();
  EXPECT_EQ(done["content"][0]["text"], "state-ok") << done.dump();
  EXPECT_EQ(done["isError"], false);
}

TEST_F(mcp_Http, InputRequiredNeedsTheClientCapability) {
  const std::string tool = "test_input_required_result_request_state";
  auto res = modern("cap-1", "tools/call", {{"name", tool}, {"arguments", json::object()}}, json::object(), tool);
  expect_rpc_error(res, 400, -32021, "cap-1");
  EXPECT_TRUE(body_json(res)["error"]["data"]["requiredCapabilities"].contains("elicitation")) << res.body();
}

TEST_F(mcp_Http, EmptyOrTruncatedOpaqueTokensAreInvalidParams) {
  // Cursors and requestState are opaque strings the client echoes; empty or half-missing ones must be refused
  // cleanly (and must not reach undefined behaviour on the way: run this under the asan preset too).
  for (const std::string cursor : {"", "A", "AAAA", "!!"}) {
    auto res = modern("c-1", "tools/list", {{"cursor", cursor}});
    expect_rpc_error(res, 200, -32602, "c-1");
  }
  const std::string tool = "test_input_required_result_request_state";
  const json caps = {{"elicitation", json::object()}};
  const json answers = {{"confirm", {{"action", "accept"}, {"content", {{"ok", true}}}}}};
  for (const std::string state : {"", ".", "abc.", ".abc", "abc"}) {
    auto res =
        modern("s-1", "tools/call",
               {{"name", tool}, {"arguments", json::object()}, {"inputResponses", answers}, {"requestState", state}},
               caps, tool);
    expect_rpc_error(res, 200, -32602, "s-1");
  }
  expect_still_serving();
}

// ---- resources -----------------------------------------------------------------------------------------------------

TEST_F(mcp_Http, ResourcesReadStaticAndTemplated) {
  auto res = modern("r-1", "resources/read", {{"uri", "test://static-text"}}, json::object(), "test://static-text");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto result = body_json(res)["result"];
  ASSERT_EQ(result["contents"].size(), 1u) << result.dump();
  EXPECT_EQ(result["contents"][0]["uri"], "test://static-text");
  EXPECT_EQ(result["contents"][0]["text"], "This is the content of the static text resource.");
  EXPECT_EQ(result["resultType"], "complete");
  EXPECT_TRUE(result["ttlMs"].is_number_integer());
  EXPECT_EQ(result["cacheScope"], "private");

  auto templated =
      modern("r-2", "resources/read", {{"uri", "test://template/42/data"}}, json::object(), "test://template/42/data");
  ASSERT_EQ(templated.result_int(), 200) << templated.body();
  const auto text = body_json(templated)["result"]["contents"][0]["text"].get<std::string>();
  EXPECT_EQ(json::parse(text)["id"], "42");
}

TEST_F(mcp_Http, ResourcesReadOfAnUnknownUriIs32602WithTheUri) {
  for (const std::string uri : {"test://nope", "test://template/4/2/data", "test://static-text/"}) {
    auto res = modern("r-3", "resources/read", {{"uri", uri}}, json::object(), uri);
    expect_rpc_error(res, 200, -32602, "r-3");
    EXPECT_EQ(body_json(res)["error"]["data"]["uri"], uri) << res.body();
  }
}

TEST_F(mcp_Http, LegacyResourcesReadOfAnUnknownUriIs32002) {
  const auto session = initialize();
  auto res = post(rpc(9, "resources/read", {{"uri", "test://nope"}}), legacy_headers(session, "2025-06-18"));
  expect_rpc_error(res, 200, -32002, 9);
  EXPECT_EQ(body_json(res)["error"]["data"]["uri"], "test://nope");
}

// ---- limits and robustness -----------------------------------------------------------------------------------------

TEST_F(mcp_Http, BodyOverTheLimitIs413) {
  HttpClient c(port());
  const std::string big(1024 * 1024 + 1, ' ');
  std::string head =
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
      "Mcp-Method: tools/list\r\nContent-Length: " +
      std::to_string(big.size()) + "\r\n\r\n";
  try {
    c.send_raw(head + big);
  } catch (const std::exception&) {
    // The server may answer and close before it has read the whole body.
  }
  auto res = c.read_response();
  EXPECT_EQ(res.result_int(), 413) << res.body();
  expect_still_serving();

  // Just under the limit is processed normally (whitespace around the JSON is fine).
  auto request = modern_request("big", "tools/list").dump();
  const std::string padded = request + std::string(1024 * 1024 - request.size() - 16, ' ');
  auto ok = post_raw(padded, modern_headers("tools/list"));
  EXPECT_EQ(ok.result_int(), 200) << ok.body().substr(0, 300);
}

std::vector<std::string> hostile_bodies(std::size_t count) {
  std::mt19937 rng(20261127);
  auto random_bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (auto& ch : s) ch = static_cast<char>(rng() & 0xFF);
    return s;
  };
  const std::string valid = modern_request(1, "tools/call", {{"name", "greet"}, {"arguments", {{"name", "x"}}}}).dump();
  const std::vector<std::string> fixed{
      "",
      "null",
      "[]",
      "{}",
      "[[[[",
      "{\"jsonrpc\":\"2.0\"}",
      R"({"jsonrpc":"2.0","id":{},"method":"tools/call"})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":[]}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":7}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":["greet"],"arguments":"x","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","requestState":{"x":1},"inputResponses":[1],"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"////","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":1,"argument":null,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":["2025-06-18"],"capabilities":"x","clientInfo":7}})",
      R"({"jsonrpc":"2.0","id":1e400,"method":"x"})",
      R"({"jsonrpc":"2.0","id":-0,"method":"x"})",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xC3\x28\"}",
      "\"\\ud800\"",
      R"({"jsonrpc":"2.0","id":"1","result":{},"error":{}})",
  };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    switch (i % 5) {
      case 0: out.push_back(fixed[(i / 5) % fixed.size()]); break;
      case 1: out.push_back(random_bytes(1 + rng() % 512)); break;
      case 2: out.push_back(valid.substr(0, rng() % valid.size())); break;  // truncated
      case 3: {                                                             // one byte of a valid message flipped
        auto s = valid;
        s[rng() % s.size()] = static_cast<char>(rng() & 0xFF);
        out.push_back(s);
        break;
      }
      default: {  // valid message with random JSON-ish garbage spliced in
        auto s = valid;
        static const std::string tokens[] = {"{", "}", "[", "]", ",", ":", "\"", "null", "-1e999", "\\u0000"};
        s.insert(rng() % s.size(), tokens[rng() % std::size(tokens)]);
        out.push_back(s);
      }
    }
  }
  return out;
}

class mcp_HttpRobustness : public ::testing::Test {
 protected:
  void SetUp() override { server = std::make_unique<ServerProcess>(mcp_server(dir, {"--conformance-fixtures"})); }
  void expect_still_serving() {
    HttpClient c(server->port());
    EXPECT_EQ(c.get("/health").result_int(), 200) << "server stderr:\n" << server->stderr_text();
    HttpClient m(server->port());
    auto res = m.request(verb::post, "/mcp", modern_request(1, "tools/list").dump(), modern_headers("tools/list"));
    EXPECT_EQ(res.result_int(), 200) << res.body();
  }
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
};

TEST_F(mcp_HttpRobustness, BurstOfMalformedBodiesNeverCrashesTheServer) {
  const auto bodies = hostile_bodies(200);
  std::size_t answered = 0;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    // Bodies derived from the valid greet call (i % 5 >= 2) get matching headers so they reach the tool machinery;
    // the rest alternate between matching and mismatching envelopes and the 2025-era path.
    const bool derived = i % 5 >= 2;
    const auto method = derived || i % 2 == 0 ? std::string("tools/call") : std::string("tools/list");
    auto headers = !derived && i % 3 == 0 ? legacy_headers() : modern_headers(method, "greet");
    try {
      HttpClient c(server->port());
      auto res = c.request(verb::post, "/mcp", bodies[i], headers);
      EXPECT_LT(res.result_int(), 500) << "body #" << i << ": "
                                       << json(bodies[i]).dump(-1, ' ', false, json::error_handler_t::replace) << " → "
                                       << res.body();
      ++answered;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "body #" << i << " got no answer: " << e.what();
      break;
    }
  }
  EXPECT_EQ(answered, bodies.size());
  expect_still_serving();
  const auto exited = server->wait(0ms);
  ASSERT_FALSE(exited.has_value()) << "the server exited with status " << exited.value_or(-1) << "; stderr:\n"
                                   << server->stderr_text();
}

TEST_F(mcp_HttpRobustness, DeeplyNestedParamsDoNotCrashTheServer) {
  // Inside the default 1 MiB body limit: 400 000 levels of nesting in an otherwise well-formed request.
  const std::size_t depth = 400000;
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":)";
  body += std::string(depth, '[') + std::string(depth, ']');
  body +=
      R"(,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  try {
    HttpClient c(server->port());
    auto res = c.request(verb::post, "/mcp", body, modern_headers("tools/list"));
    EXPECT_LT(res.result_int(), 500) << res.body().substr(0, 300);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "no answer to a deeply nested body: " << e.what();
  }
  std::this_thread::sleep_for(100ms);
  const auto exited = server->wait(0ms);
  ASSERT_FALSE(exited.has_value()) << "the server died on a deeply nested body (exit status " << exited.value_or(-1)
                                   << ", 139 = SIGSEGV); stderr:\n"
                                   << server->stderr_text();
  expect_still_serving();
}

}  // namespace
}  // namespace pierre::testing
