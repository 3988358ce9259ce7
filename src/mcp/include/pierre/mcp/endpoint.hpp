#pragma once
// MCP over Streamable HTTP on /mcp, for every revision we serve:
//   2026-07-28 (current, stateless): each POST carries protocol version and client capabilities in params._meta and
//     the MCP-Protocol-Version / Mcp-Method / Mcp-Name headers; no handshake, no session.
//   2025-11-25, 2025-06-18 (and 2025-03-26): initialize → Mcp-Session-Id, then requests within that session;
//     DELETE ends it.
// The era is chosen per request (docs/MCP.md lists every MUST/SHOULD and where it is handled).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pierre/crypto/primitives.hpp"
#include "pierre/http/router.hpp"
#include "pierre/tools/catalog.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::mcp {

inline constexpr std::string_view kCurrentVersion = "2026-07-28";
inline constexpr std::string_view kLatestSessionVersion = "2025-11-25";

// Who is calling: http::RequestContext::auth (set by the authentication middleware from a JWT or API key). A request
// without it gets 401 with WWW-Authenticate, unless EndpointOptions::allow_anonymous.
struct Caller {
  std::string user_id;
  std::string tenant_id;
};

struct EndpointOptions {
  std::string server_name = "pierre-mcp-server";
  std::string server_version;
  std::string instructions;
  // Host names accepted in Host and Origin headers (DNS-rebinding protection), lower case, without port.
  std::vector<std::string> allowed_hosts{"localhost", "127.0.0.1", "[::1]", "::1"};
  // Development/conformance switch, off by default: serve callers without credentials (loopback binds only).
  bool allow_anonymous = false;
  // Whom an anonymous caller acts as (with allow_anonymous): empty = no account, so tools that need one refuse;
  // `--demo` makes it the demo athlete, so `make run` shows real data to a client without credentials.
  Caller anonymous_caller;
  std::string resource_metadata_url;  // advertised in WWW-Authenticate
  // Scopes a client should ask for, named in the 401 challenge (`scope="…"`, MCP authorization: SHOULD); none when
  // empty. The server's own use: every scope /mcp can require.
  std::vector<std::string> challenge_scopes;
  // Tools, resources and prompts per list page: large enough that the whole product catalogue plus the conformance
  // fixtures fit one page (some clients read only the first page).
  std::size_t page_size = 100;
  std::chrono::seconds list_ttl{60};
  std::chrono::minutes session_idle_timeout{30};
  std::size_t max_sessions = 10000;
  // Key that seals MRTR requestState; share it between instances behind one load balancer. Empty: a random key
  // (states then only round-trip through this process).
  crypto::Bytes request_state_key;
  unsigned job_threads = 4;  // threads for long-running tool calls
  // How long a 2025-era tool call waits for the client to answer a server→client request (elicitation, sampling).
  std::chrono::seconds client_answer_timeout{300};
};

class Endpoint {
 public:
  Endpoint(const tools::Registry& registry, const tools::Catalog& catalog, EndpointOptions options);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // POST/GET/DELETE /mcp. The Endpoint must outlive the router.
  void register_routes(http::Router& router);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::mcp
