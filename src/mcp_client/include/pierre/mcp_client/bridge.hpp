#pragma once
// The relay between a desktop client speaking newline-delimited JSON-RPC on stdio and the server's Streamable HTTP
// endpoint (POST /mcp, JSON or SSE answers). Each message from the client is sent on its own thread, so a long tool
// call never holds up the next request; everything the server streams back (progress, logs, server→client requests,
// the response) is written to the client as it arrives.
//
// What it takes care of, so the client never has to:
//   * headers: credentials, Accept, and per era — 2025 sessions: Mcp-Session-Id + MCP-Protocol-Version from the
//     initialize exchange; 2026-07-28 (a `_meta` protocol version in the request): MCP-Protocol-Version, Mcp-Method,
//     Mcp-Name from the request itself, no session;
//   * 2026-07-28 tools/call: arguments the tool marks with "x-mcp-header" are mirrored in Mcp-Param-<Name> headers,
//     learnt from the tools/list answers the bridge relays (or fetched once when the server reports a mismatch);
//   * a lost session (404 to a request carrying a session id): the client's initialize is replayed, then the request;
//   * 401: the credentials refresh (or re-authorise) once, then the request is sent again;
//   * unreachable server, dropped connection before an answer, 502/503/504 or a 5xx without JSON-RPC body: retried with
//     exponential backoff (100 ms doubling, at most 2 s apart) for the retry budget;
//   * cancellation: notifications/cancelled stops the relay of that request (closing its stream, which is how
//     2026-07-28 cancels) and, in a 2025 session, is forwarded to the server;
//   * failures: a request always gets one answer with its id — the server's, or a JSON-RPC error (errors.hpp).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/mcp_client/credentials.hpp"
#include "pierre/mcp_client/diagnostics.hpp"
#include "pierre/mcp_client/http_exchange.hpp"

namespace pierre::mcp_client {

// Where messages for the desktop client go: stdout in the app, a vector in tests.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void send(const nlohmann::json& message) = 0;
};

// One JSON text per line on a FILE*, whole lines under a lock; invalid UTF-8 from the server is replaced, never
// allowed to break the line framing.
class LineSink final : public MessageSink {
 public:
  explicit LineSink(std::FILE* out) : out_(out) {}
  void send(const nlohmann::json& message) override;

 private:
  std::mutex mutex_;
  std::FILE* out_;
};

struct BridgeSettings {
  std::string mcp_url;
  std::chrono::milliseconds retry_budget{30000};
};

// The Mcp-Name / Mcp-Method header form of a value (2026-07-28): as is when it is visible ASCII without surrounding
// spaces, else `=?base64?<base64 of the UTF-8>?=`.
[[nodiscard]] std::string header_safe(std::string_view value);

class Bridge {
 public:
  Bridge(BridgeSettings settings, HttpClient& http, Credentials& credentials, MessageSink& sink,
         const Diagnostics& diagnostics)
      : settings_(std::move(settings)),
        http_(http),
        credentials_(credentials),
        sink_(sink),
        diagnostics_(diagnostics) {}
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  // One line from the client. Malformed JSON → -32700, not JSON-RPC → -32600; the bridge keeps going either way.
  void handle_line(std::string_view line);
  // The client closed stdin: wait up to `grace` for requests in flight, then cancel the rest.
  void finish(std::chrono::milliseconds grace);
  // Politely ends a 2025 session (DELETE with its Mcp-Session-Id), so the server frees it now; best effort, bounded.
  void close_session();

 private:
  struct InFlight {
    std::atomic<bool> cancelled{false};
  };
  struct Session {
    std::string id;
    std::string protocol_version;
  };
  // What one POST produced: delivered messages went to `deliver` as they arrived.
  struct Exchange {
    long status = 0;
    std::string session_id;
    std::string www_authenticate;
    std::optional<nlohmann::json> error_body;  // a JSON-RPC error answer on a non-2xx status
    bool delivered_any = false;
  };
  // A message from the server, with the session id its response carried (the initialize answer's new session must be
  // known before the client sees that answer: its next requests follow at once).
  using Deliver = std::function<void(nlohmann::json, std::string_view session_id)>;

  void relay(const nlohmann::json& message, InFlight& flight);
  Result<Exchange> post(const nlohmann::json& message, const AuthHeader& auth, const Session& session, InFlight& flight,
                        const Deliver& deliver);
  Result<void> reinitialize(const std::string& stale_session_id, const AuthHeader& auth);
  void learn_param_headers(const nlohmann::json& tools_list_result);
  // Lists the tools (every page) with the request's own _meta, only to learn their x-mcp-header arguments.
  void fetch_param_headers(const nlohmann::json& meta, const AuthHeader& auth, InFlight& flight);
  void add_param_headers(const nlohmann::json& message, Headers& headers) const;
  void cancel(const nlohmann::json& request_id);
  [[nodiscard]] Session session() const;

  BridgeSettings settings_;
  HttpClient& http_;
  Credentials& credentials_;
  MessageSink& sink_;
  const Diagnostics& diagnostics_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable idle_;
  std::size_t running_ = 0;
  std::map<std::string, std::shared_ptr<InFlight>> flights_;  // by the request id's JSON text, or "#<n>"
  std::uint64_t unnumbered_messages_ = 0;
  // tool name → (argument, header name without the Mcp-Param- prefix)
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> param_headers_;
  std::optional<nlohmann::json> initialize_request_;  // kept to replay when the server loses the session
  Session session_;
  std::mutex reinitialize_mutex_;  // one replay at a time
  int reinitializations_ = 0;
};

}  // namespace pierre::mcp_client
