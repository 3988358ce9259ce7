#pragma once
// What the identity and admin integration suites share: a server with a fixed master key and fast (RSA-2048)
// signing-key generation, the admin they set up, and JSON request/response helpers.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server_process.hpp"

namespace pierre::testing {

inline constexpr const char* kMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
inline constexpr const char* kAdminEmail = "admin@example.com";
inline constexpr const char* kAdminPassword = "correct horse battery 42";

inline LaunchOptions identity_server(const TempDir& dir, const std::string& database_url = "sqlite::memory:") {
  LaunchOptions o;
  o.args = {"--dev", "--port", "0", "--host", "127.0.0.1", "--data-dir", dir.path(), "--database-url", database_url};
  o.env = {{"LOG_LEVEL", "warn"},
           {"HTTP_THREADS", "2"},
           {"PIERRE_RSA_KEY_SIZE", "2048"},
           {"PIERRE_MASTER_ENCRYPTION_KEY", kMasterKey}};
  return o;
}

inline nlohmann::json body_json(const HttpResponse& res) {
  const auto parsed = nlohmann::json::parse(res.body(), nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << res.body();
  return parsed;
}

// POSTs `body` verbatim as application/json (malformed bodies included).
inline HttpResponse post_body(HttpClient& c, const std::string& target, const std::string& body) {
  return c.request(boost::beast::http::verb::post, target, body, {{"Content-Type", "application/json"}});
}

inline HttpResponse post_json(HttpClient& c, const std::string& target, const nlohmann::json& body) {
  return post_body(c, target, body.dump());
}

// `method target` with `Authorization: Bearer token` (none when empty) and an optional JSON body.
inline HttpResponse authed(HttpClient& c, boost::beast::http::verb method, const std::string& target,
                           const std::string& token, const std::string& body = {}) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  if (!body.empty()) headers["Content-Type"] = "application/json";
  return c.request(method, target, body, headers);
}

inline HttpResponse login(HttpClient& c, const std::string& email, const std::string& password) {
  return post_json(c, "/auth/login", {{"email", email}, {"password", password}});
}

// The jwt_token of a successful login.
inline std::string token_of(const HttpResponse& res) {
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return body_json(res).value("jwt_token", "");
}

inline std::string header(const HttpResponse& res, const std::string& name) {
  return std::string(res[name]);
}

// The stable error code of a JSON error body ("" when there is none).
inline std::string error_code(const HttpResponse& res) {
  return body_json(res)["error"].value("code", "");
}

// tools/list on /mcp as a 2026-07-28 (stateless) client; `credentials` are extra headers such as Authorization or
// X-API-Key.
inline HttpResponse mcp_tools_list(HttpClient& c, const std::map<std::string, std::string>& credentials) {
  nlohmann::json params;
  params["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
  params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = nlohmann::json::object();
  const nlohmann::json request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}, {"params", params}};
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                             {"Accept", "application/json, text/event-stream"},
                                             {"MCP-Protocol-Version", "2026-07-28"},
                                             {"Mcp-Method", "tools/list"}};
  headers.insert(credentials.begin(), credentials.end());
  return c.request(boost::beast::http::verb::post, "/mcp", request.dump(), headers);
}

inline HttpResponse mcp_tools_list(HttpClient& c, const std::string& bearer_token) {
  return mcp_tools_list(c, {{"Authorization", "Bearer " + bearer_token}});
}

// tools/call on /mcp as a 2026-07-28 (stateless) client with the bearer token (none when empty).
inline HttpResponse mcp_tool_call(HttpClient& c, const std::string& bearer_token, const std::string& tool,
                                  const nlohmann::json& arguments) {
  nlohmann::json params{{"name", tool}, {"arguments", arguments}};
  params["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
  params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = nlohmann::json::object();
  const nlohmann::json request{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/call"}, {"params", params}};
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                             {"Accept", "application/json, text/event-stream"},
                                             {"MCP-Protocol-Version", "2026-07-28"},
                                             {"Mcp-Method", "tools/call"},
                                             {"Mcp-Name", tool}};
  if (!bearer_token.empty()) headers["Authorization"] = "Bearer " + bearer_token;
  return c.request(boost::beast::http::verb::post, "/mcp", request.dump(), headers);
}

// The JSON-RPC response of an /mcp call, whether it came as JSON or as the last SSE event; discarded JSON (which no
// assertion accepts) when the body is neither.
inline nlohmann::json mcp_response(const HttpResponse& res) {
  const auto& body = res.body();
  if (!body.empty() && body.front() == '{') return nlohmann::json::parse(body, nullptr, false);
  const auto at = body.rfind("data: {");
  EXPECT_NE(at, std::string::npos) << body.substr(0, 300);
  if (at == std::string::npos) return {};
  return nlohmann::json::parse(body.substr(at + 6, body.find('\n', at) - at - 6), nullptr, false);
}

// A loopback TCP port that was free a moment ago.
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace pierre::testing
