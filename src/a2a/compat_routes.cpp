#include "compat_routes.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "protocol.hpp"

namespace pierre::a2a {
namespace {

using json = nlohmann::json;
namespace field = boost::beast::http;

// The request body as a JSON object (415 / 400 otherwise).
Result<json> json_object_body(const http::Request& req) {
  std::string type(req[field::field::content_type]);
  std::ranges::transform(type, type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!type.starts_with("application/json")) {
    return fail(ErrorCode::unsupported_media_type, "the body must be JSON (Content-Type: application/json)");
  }
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return fail(ErrorCode::invalid_format, "the body must be a JSON object");
  return body;
}

Result<std::string> optional_string(const json& body, const char* name, std::size_t max_length) {
  if (!body.contains(name) || body[name].is_null()) return std::string();
  if (!body[name].is_string())
    return fail(ErrorCode::invalid_input, fmt::format("{} must be a string", name), {{"field", name}});
  auto value = body[name].get<std::string>();
  if (value.size() > max_length) {
    return fail(ErrorCode::value_out_of_range, fmt::format("{} is longer than {} characters", name, max_length),
                {{"field", name}});
  }
  return value;
}

std::string agent_of(const Authentication& auth) {
  if (!auth.client_id.empty()) return "oauth_client:" + auth.client_id;
  if (auth.method == Authentication::Method::api_key) return "api_key:" + auth.api_key_id;
  return "user:" + auth.identity.user_id;
}

class Routes {
 public:
  explicit Routes(const CompatServices& s) : s_(s), skills_(skills_of(s.registry)) {}

  // GET /a2a/status (public): what this agent is and where to reach it.
  http::Response status(const http::Request& req) const {
    return http::json_response(http::Status::ok,
                               {{"status", "active"},
                                {"protocol", "A2A"},
                                {"protocol_version", kProtocolVersion},
                                {"agent_card_url", s_.base_url + "/.well-known/agent-card.json"},
                                {"jsonrpc_url", s_.base_url + "/a2a/jsonrpc"},
                                {"tools", s_.registry.size()},
                                {"skills", skills_.size()}},
                               req);
  }

  // GET /a2a/tools, GET /a2a/client/tools
  http::Response tools(const http::Request& req, http::RequestContext& ctx, bool registered_client) {
    auto caller = authorize(ctx, registered_client);
    if (!caller) return http::error_response(caller.error(), req, ctx);
    json list = json::array();
    for (const auto& skill : skills_) {
      for (const auto& name : skill.tools) {
        const auto* tool = s_.registry.find(name);
        list.push_back({{"name", tool->name},
                        {"title", tool->title},
                        {"description", tool->description},
                        {"skill", skill.id},
                        {"read_only", tool->annotations.read_only},
                        {"long_running", tool->long_running},
                        {"input_schema", tool->input_schema}});
      }
    }
    return http::json_response(http::Status::ok, {{"tools", std::move(list)}, {"count", s_.registry.size()}}, req);
  }

  // POST /a2a/execute, POST /a2a/client/execute: {"tool": name, "parameters": {…}} ("arguments" is accepted too).
  http::Response execute(const http::Request& req, http::RequestContext& ctx, bool registered_client) {
    const auto started = std::chrono::steady_clock::now();
    std::optional<A2aClient> registration;
    auto caller = authorize(ctx, registered_client, &registration);
    if (!caller) return http::error_response(caller.error(), req, ctx);
    // /a2a/client/execute has looked the registration up already; /a2a/execute may be called with any token.
    const auto admission = registered_client ? s_.quotas.admit(req, ctx, registration) : s_.quotas.admit(req, ctx);
    if (admission.refused) return *admission.refused;
    auto outcome = run(req, *caller);
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const bool failed = !outcome || !outcome->value("success", false);
    s_.monitor.record(caller->tenant_id, agent_of(*ctx.auth), failed, ms);
    auto res = outcome ? http::json_response(http::Status::ok, *outcome, req)
                       : http::error_response(outcome.error(), req, ctx);
    admission.annotate(res);
    return res;
  }

  // GET /a2a/monitoring (administrators): per-agent counters of this tenant.
  http::Response monitoring(const http::Request& req, http::RequestContext& ctx) {
    auto admin = require_admin(ctx);
    if (!admin) return http::error_response(admin.error(), req, ctx);
    auto body = s_.monitor.snapshot(admin->tenant_id);
    body["scope"] = "this server process since start";
    return http::json_response(http::Status::ok, body, req);
  }

  // POST /a2a/clients (administrators): {"name", "description"?, "scopes"?: [...], "rate_limit_tier"?, "user_id"?}.
  http::Response create_client(const http::Request& req, http::RequestContext& ctx) {
    auto admin = require_admin(ctx);
    if (!admin) return http::error_response(admin.error(), req, ctx);
    auto created = [&]() -> Result<json> {
      auto body = json_object_body(req);
      if (!body) return std::unexpected(body.error());
      NewClient request;
      auto name = optional_string(*body, "name", 100);
      auto description = optional_string(*body, "description", 500);
      auto tier = optional_string(*body, "rate_limit_tier", 32);
      auto user_id = optional_string(*body, "user_id", 128);
      if (!name) return std::unexpected(name.error());
      if (!description) return std::unexpected(description.error());
      if (!tier) return std::unexpected(tier.error());
      if (!user_id) return std::unexpected(user_id.error());
      if (name->empty()) return fail(ErrorCode::missing_required_field, "name is required", {{"field", "name"}});
      request.name = std::move(*name);
      request.description = std::move(*description);
      request.rate_limit_tier = std::move(*tier);
      if (body->contains("scopes")) {
        const auto& scopes = (*body)["scopes"];
        if (!scopes.is_array() || !std::ranges::all_of(scopes, [](const json& s) { return s.is_string(); })) {
          return fail(ErrorCode::invalid_input, "scopes must be an array of strings", {{"field", "scopes"}});
        }
        for (const auto& s : scopes) request.scopes.push_back(s.get<std::string>());
      }
      // The agent acts as `user_id` (an active account of the administrator's tenant), by default the administrator.
      Identity acting = *admin;
      if (!user_id->empty() && *user_id != admin->user_id) {
        auto user = s_.users.get_user(admin->tenant_id, *user_id);
        if (!user) return std::unexpected(user.error());
        if (user->status != "active")
          return fail(ErrorCode::invalid_input, "user is not active", {{"field", "user_id"}});
        acting = Identity{user->id, user->tenant_id, user->role, {}};
      }
      auto registered = s_.clients.register_client(acting, admin->user_id, std::move(request));
      if (!registered) return std::unexpected(registered.error());
      auto out = registered->client.to_json();
      out["client_secret"] = registered->client_secret;
      out["token_url"] = s_.base_url + "/oauth2/token";
      out["grant_type"] = "client_credentials";
      return out;
    }();
    if (!created) return http::error_response(created.error(), req, ctx);
    return http::json_response(http::Status::created, *created, req);
  }

  http::Response list_clients(const http::Request& req, http::RequestContext& ctx) {
    auto admin = require_admin(ctx);
    if (!admin) return http::error_response(admin.error(), req, ctx);
    auto clients = s_.clients.list(admin->tenant_id);
    if (!clients) return http::error_response(clients.error(), req, ctx);
    json list = json::array();
    for (const auto& c : *clients) list.push_back(c.to_json());
    return http::json_response(http::Status::ok, {{"clients", std::move(list)}, {"count", clients->size()}}, req);
  }

  http::Response get_client(const http::Request& req, http::RequestContext& ctx) {
    auto admin = require_admin(ctx);
    if (!admin) return http::error_response(admin.error(), req, ctx);
    auto client = s_.clients.get(admin->tenant_id, ctx.path_params["id"]);
    if (!client) return http::error_response(client.error(), req, ctx);
    if (!*client) return http::error_response(not_found(), req, ctx);
    return http::json_response(http::Status::ok, (*client)->to_json(), req);
  }

  // DELETE /a2a/clients/{id}: deactivates the client and revokes its tokens.
  http::Response delete_client(const http::Request& req, http::RequestContext& ctx) {
    auto admin = require_admin(ctx);
    if (!admin) return http::error_response(admin.error(), req, ctx);
    auto done = s_.clients.deactivate(admin->tenant_id, ctx.path_params["id"]);
    if (!done) return http::error_response(done.error(), req, ctx);
    if (!*done) return http::error_response(not_found(), req, ctx);
    return http::json_response(http::Status::ok, {{"id", ctx.path_params["id"]}, {"is_active", false}}, req);
  }

 private:
  static Error not_found() { return {ErrorCode::resource_not_found, "no such A2A client"}; }

  // The caller; for /a2a/client/* it must hold a token of an active A2A client registered in its tenant.
  // With `registered_client`, the caller's A2A registration goes to `registration` when given.
  Result<Identity> authorize(const http::RequestContext& ctx, bool registered_client,
                             std::optional<A2aClient>* registration = nullptr) {
    auto caller = rest::caller(ctx);
    if (!caller) return caller;
    if (!registered_client) return caller;
    if (ctx.auth->client_id.empty()) {
      return fail(ErrorCode::permission_denied,
                  "this endpoint is for registered A2A clients: use a client_credentials token of one");
    }
    auto client = s_.clients.find_by_oauth_client(caller->tenant_id, ctx.auth->client_id);
    if (!client) return std::unexpected(client.error());
    if (!*client || !(*client)->active) {
      return fail(ErrorCode::permission_denied, "the OAuth client is not an active A2A client of this tenant");
    }
    if (registration) *registration = std::move(*client);
    return caller;
  }

  // The caller, re-checked against the database (as the admin routes do): active, and an administrator now.
  Result<Identity> require_admin(const http::RequestContext& ctx) {
    auto caller = rest::caller(ctx);
    if (!caller) return caller;
    auto user = s_.users.get_user(caller->tenant_id, caller->user_id);
    if (!user) {
      if (user.error().code == ErrorCode::resource_not_found) return fail(ErrorCode::auth_invalid, "account not found");
      return std::unexpected(user.error());
    }
    if (user->status != "active") return fail(ErrorCode::auth_invalid, "account is not active");
    caller->role = user->role;
    if (auto ok = rest::require_role(*caller, {"admin", "super_admin"}); !ok) return std::unexpected(ok.error());
    return caller;
  }

  Result<json> run(const http::Request& req, const Identity& caller) {
    auto body = json_object_body(req);
    if (!body) return std::unexpected(body.error());
    if (!body->contains("tool") || !(*body)["tool"].is_string()) {
      return fail(ErrorCode::missing_required_field, "tool (a tool name) is required", {{"field", "tool"}});
    }
    const auto name = (*body)["tool"].get<std::string>();
    const auto* tool = s_.registry.find(name);
    if (tool == nullptr) return fail(ErrorCode::resource_not_found, "no such tool; GET /a2a/tools lists them");
    json arguments = json::object();
    for (const char* key : {"parameters", "arguments"}) {
      if (!body->contains(key) || (*body)[key].is_null()) continue;
      if (!(*body)[key].is_object()) {
        return fail(ErrorCode::invalid_input, fmt::format("{} must be an object", key), {{"field", key}});
      }
      arguments = (*body)[key];
    }
    std::vector<std::string> needed{"mcp:read"};
    if (!tool->annotations.read_only) needed.emplace_back("mcp:write");
    for (const auto& scope : needed) {
      if (std::ranges::find(caller.scopes, scope) == caller.scopes.end()) {
        return fail(ErrorCode::permission_denied, fmt::format("insufficient scope: {} needs {}", name, scope));
      }
    }
    // Long tools would hold this I/O thread: they run as A2A tasks (JSON-RPC, returnImmediately) instead.
    if (tool->long_running) {
      return fail(ErrorCode::invalid_input,
                  "this tool runs long: send it to POST /a2a/jsonrpc (SendMessage with returnImmediately) and poll");
    }
    tools::CallContext context;
    context.request_id = new_id("exe");
    context.user_id = caller.user_id;
    context.tenant_id = caller.tenant_id;
    auto result = s_.registry.call(name, arguments, context);
    if (!result) return std::unexpected(result.error());
    if (result->is_error || result->input_required || result->continue_as_task) {
      return json{{"success", false},
                  {"tool", name},
                  {"error",
                   {{"code", code_name(result->is_error ? result->error_code : ErrorCode::invalid_input)},
                    {"message", result->is_error ? result->text : "this tool needs interactive input (MCP only)"}}}};
    }
    return json{{"success", true}, {"tool", name}, {"result", result->structured}, {"text", result->text}};
  }

  CompatServices s_;
  std::vector<Skill> skills_;
};

}  // namespace

void register_compat_routes(http::Router& router, const CompatServices& services) {
  auto routes = std::make_shared<Routes>(services);
  using http::Method;
  router.add(
      Method::get, "/a2a/status",
      [routes](const http::Request& req, http::RequestContext&) { return routes->status(req); }, "A2A status (Pierre)");
  router.add(
      Method::get, "/a2a/tools",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->tools(req, ctx, false); },
      "A2A tools (Pierre)");
  router.add(
      Method::post, "/a2a/execute",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->execute(req, ctx, false); },
      "A2A execute a tool (Pierre)");
  router.add(
      Method::get, "/a2a/monitoring",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->monitoring(req, ctx); },
      "A2A per-agent counters (admin)");
  router.add(
      Method::get, "/a2a/client/tools",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->tools(req, ctx, true); },
      "A2A tools for registered clients");
  router.add(
      Method::post, "/a2a/client/execute",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->execute(req, ctx, true); },
      "A2A execute for registered clients");
  router.add(
      Method::post, "/a2a/clients",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->create_client(req, ctx); },
      "register an A2A client (admin)");
  router.add(
      Method::get, "/a2a/clients",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->list_clients(req, ctx); },
      "A2A clients (admin)");
  router.add(
      Method::get, "/a2a/clients/{id}",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->get_client(req, ctx); },
      "an A2A client (admin)");
  router.add(
      Method::delete_, "/a2a/clients/{id}",
      [routes](const http::Request& req, http::RequestContext& ctx) { return routes->delete_client(req, ctx); },
      "deactivate an A2A client (admin)");
}

}  // namespace pierre::a2a
