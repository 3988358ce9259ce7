#pragma once
// This server as an A2A agent (Agent2Agent protocol v1.0, https://a2a-protocol.org/v1.0.0/specification/):
//   GET  /.well-known/agent-card.json   the Agent Card (§8): skills = the product's tool groups, security schemes =
//                                       OAuth client credentials, bearer JWT, API key
//   POST /a2a/jsonrpc                   the JSON-RPC binding (§9): SendMessage, SendStreamingMessage (SSE),
//                                       GetTask, ListTasks, CancelTask, SubscribeToTask (SSE)
//   Pierre's REST surface: GET /a2a/status, GET /a2a/tools, POST /a2a/execute, GET /a2a/monitoring,
//   GET /a2a/client/tools, POST /a2a/client/execute, and /a2a/clients (administrators register A2A clients).
// A message naming a tool (a data part {"tool": "<name>", "arguments": {…}}) becomes a task that runs the tool through
// tools::Registry for the authenticated caller; its result is the task's artifact. Tasks are stored per tenant at every
// state transition (submitted → working → completed | failed | canceled; input_required when arguments are missing),
// so a client that lost its stream can poll. Callers are authenticated by the shared middleware (ctx.auth).

#include <memory>
#include <string>
#include <vector>

#include "pierre/auth/user_service.hpp"
#include "pierre/core/config.hpp"
#include "pierre/core/events.hpp"
#include "pierre/http/router.hpp"
#include "pierre/oauth2/authorization_server.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::a2a {

struct ServerOptions {
  std::string base_url;  // this server's public URL; the card's endpoint and token URLs derive from it
  std::string agent_name = "Pierre Fitness Intelligence";
  std::string agent_description =
      "Fitness-data agent: activities from Strava, Garmin, Fitbit and files; training load, performance trends, "
      "goals, zones, nutrition and weather-aware planning for the athlete who authorises it.";
  std::string version;
  std::vector<std::string> oauth_scopes;  // scopes the OAuth server grants (listed in the card)
  unsigned job_threads = 2;               // threads that run tasks off the I/O threads
  // The tier table that registered A2A clients' rate_limit_tier refers to (the API keys' one).
  config::ApiKeyQuotas quotas;
  // Receives an `a2a_message` event for the task's user when a task ends (null: none).
  events::Hub* events = nullptr;
};

class Server {
 public:
  // Everything referenced (and options.events) must outlive the server; the server must outlive the router. `users`
  // re-checks administrators; `oauth` issues the credentials of registered A2A clients; `task_cursors` signs
  // ListTasks page tokens (give it a key of its own).
  Server(store::Database& db, const tools::Registry& registry, auth::UserService& users,
         oauth2::AuthorizationServer& oauth, store::CursorCodec task_cursors, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void register_routes(http::Router& router);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::a2a
