#pragma once
// What the MCP endpoint's transport and its method handlers share: the per-request Scope (which era, which client
// capabilities, where notifications go), 2025-era Session state, and the finished Outcome. Internal to src/mcp.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "pierre/http/types.hpp"
#include "pierre/mcp/endpoint.hpp"
#include "pierre/mcp/jsonrpc.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::mcp {

using nlohmann::json;

inline constexpr std::string_view kMetaVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr std::array<std::string_view, 3> kSessionVersions{"2025-11-25", "2025-06-18", "2025-03-26"};

inline bool is_session_version(std::string_view v) {
  return std::ranges::find(kSessionVersions, v) != kSessionVersions.end();
}

inline json supported_versions() {
  json all = json::array({kCurrentVersion});
  for (auto v : kSessionVersions) all.push_back(v);
  return all;
}

// A string member of a client-supplied object; "" when the object or the member is missing or not a string. Never
// throws, unlike json::value with a string default on a member of another type.
inline std::string string_field(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Single-line JSON (SSE data lines and NDJSON readers need it); invalid UTF-8 is replaced, never thrown on.
inline std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A server→client request waiting for the client's answer (2025-era sessions).
struct PendingAnswer {
  std::mutex mutex;
  std::condition_variable ready;
  std::optional<json> message;
};

struct Session {
  std::string protocol_version;
  std::string owner;  // the caller that initialized it; another caller's requests do not find it
  json client_info;
  json client_capabilities = json::object();
  std::chrono::steady_clock::time_point last_seen;  // guarded by Impl::sessions_mutex

  std::mutex mutex;  // guards everything below
  std::optional<tools::LogLevel> log_level;
  std::unordered_map<std::string, std::shared_ptr<PendingAnswer>> pending;        // by our request id
  std::unordered_map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight;  // by the client's request id
  std::set<std::string> subscriptions;
  std::uint64_t next_request = 0;
  bool ended = false;
};

// One request's protocol context, whichever era it belongs to and whichever thread runs it.
struct Scope {
  bool legacy = false;
  std::string version;
  json id;
  std::string method;
  json params = json::object();
  json client_capabilities = json::object();
  json progress_token;
  std::optional<tools::LogLevel> log_level;  // send notifications/message at this level and above; none if unset
  std::string request_id;
  std::string caller;                         // user id from authentication ("" when anonymous)
  std::string tenant;                         // the caller's tenant ("" when anonymous)
  std::shared_ptr<Session> session;           // 2025 era
  std::shared_ptr<http::EventStream> stream;  // set when the answer streams (SSE)
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

  void notify(const json& notification) const {
    if (stream) stream->send_event(dump(notification));
  }
};

// A finished JSON-RPC exchange: the HTTP status and the response message.
struct Outcome {
  Outcome() = default;
  Outcome(http::Status s, json m) : status(s), message(std::move(m)) {}

  http::Status status = http::Status::ok;
  json message;
  // The message already serialised, for hot paths that assemble it from cached parts; takes precedence.
  std::string serialized;

  [[nodiscard]] std::string body() const { return serialized.empty() ? dump(message) : serialized; }
};

inline Outcome error_outcome(http::Status status, const json& id, RpcError error) {
  return {status, make_error(id, error)};
}

}  // namespace pierre::mcp
