#include "pierre/mcp/endpoint.hpp"

#include <boost/beast/http/field.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <unordered_map>
#include <variant>

#include "methods.hpp"
#include "pierre/core/job_pool.hpp"
#include "pierre/core/text.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/mcp/jsonrpc.hpp"
#include "scope.hpp"

namespace pierre::mcp {
namespace {

namespace field = boost::beast::http;

// 2026-07-28 removed these; a modern request for them is an unknown method (404, -32601).
constexpr std::array<std::string_view, 6> kRemovedMethods{"initialize",
                                                          "ping",
                                                          "logging/setLevel",
                                                          "resources/subscribe",
                                                          "resources/unsubscribe",
                                                          "notifications/initialized"};

using text::lower;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "host:port", "[::1]:port" → "host" / "[::1]"
std::string host_without_port(std::string_view host) {
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    return lower(host.substr(0, close == std::string_view::npos ? host.size() : close + 1));
  }
  const auto colon = host.find(':');
  return lower(colon == std::string_view::npos ? host : host.substr(0, colon));
}

// "https://host:port/path" → "host"; empty when it does not look like an origin.
std::string origin_host(std::string_view origin) {
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return {};
  auto rest = origin.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  return host_without_port(rest);
}

bool accepts(const http::Request& req, std::string_view type) {
  const auto accept = lower(req[field::field::accept]);
  return accept.empty() || accept.find(type) != std::string::npos || accept.find("*/*") != std::string::npos;
}

// A routing header's value as the client meant it (SEP-2243): raw values must be visible ASCII (or spaces/tabs
// inside); anything else travels as =?base64?<standard base64 of the UTF-8 text>?=. nullopt when malformed.
std::optional<std::string> header_value(std::string_view raw) {
  raw = trim(raw);
  if (raw.starts_with("=?base64?") && raw.ends_with("?=") && raw.size() >= 11) {
    crypto::Bytes bytes;
    if (!crypto::base64_decode(raw.substr(9, raw.size() - 11), bytes)) return std::nullopt;
    return std::string(bytes.begin(), bytes.end());
  }
  const bool visible = std::ranges::all_of(raw, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u < 0x7F);
  });
  if (!visible) return std::nullopt;
  return std::string(raw);
}

// Which era a POST belongs to (see docs/MCP.md "Serving two eras on one endpoint").
bool is_modern_request(const http::Request& req, const json& params) {
  const json* meta = nullptr;
  if (params.is_object()) {
    if (auto it = params.find("_meta"); it != params.end()) meta = &*it;
  }
  if (meta != nullptr && meta->is_object() && meta->contains(kMetaVersion)) return true;
  if (!req["Mcp-Session-Id"].empty()) return false;
  const auto header = req["MCP-Protocol-Version"];
  if (meta != nullptr) return !(is_session_version(header) && !meta->contains(kMetaCapabilities));
  return !header.empty() && !is_session_version(header);
}

}  // namespace

struct Endpoint::Impl {
  EndpointOptions options;
  std::mutex sessions_mutex;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
  JobPool jobs;
  Methods methods;
  // Cancel flags of streamed calls in progress, so shutdown can stop them rather than wait for them.
  std::mutex streaming_mutex;
  std::set<std::shared_ptr<std::atomic<bool>>> streaming;

  Impl(const tools::Registry& registry, const tools::Catalog& catalog, EndpointOptions o)
      : options(std::move(o)), jobs(options.job_threads), methods(registry, catalog, options, jobs) {}

  ~Impl() {
    // Wake tool calls waiting on clients or on task input, then let the job threads finish before anything they
    // use goes away.
    methods.cancel_all();
    {
      std::lock_guard lock(sessions_mutex);
      for (auto& [id, session] : sessions) end(*session);
    }
    {
      std::lock_guard lock(streaming_mutex);
      for (const auto& flag : streaming) flag->store(true);
    }
    jobs.stop();
  }

  // ---- transport-level checks -------------------------------------------------------------------------------

  bool host_allowed(std::string_view host) const {
    return std::ranges::find(options.allowed_hosts, host) != options.allowed_hosts.end();
  }

  // DNS-rebinding protection: a browser tricked into calling us carries a foreign Host or Origin.
  std::optional<http::Response> reject_foreign(const http::Request& req) const {
    const auto host = host_without_port(req[field::field::host]);
    if (!host.empty() && !host_allowed(host)) {
      return json_reply(req, {http::Status::forbidden,
                              make_error(nullptr, {rpc_code::server_error, fmt::format("Invalid Host: {}", host)})});
    }
    const auto origin = req[field::field::origin];
    if (!origin.empty() && origin != "null" && !host_allowed(origin_host(origin))) {
      return json_reply(req,
                        {http::Status::forbidden, make_error(nullptr, {rpc_code::server_error, "Invalid Origin"})});
    }
    return std::nullopt;
  }

  // The caller behind the request's credentials; an anonymous caller only under the development switch.
  std::optional<Caller> identify(const http::RequestContext& ctx) const {
    if (ctx.auth) return Caller{ctx.auth->identity.user_id, ctx.auth->identity.tenant_id};
    if (options.allow_anonymous) return options.anonymous_caller;
    return std::nullopt;
  }

  http::Response unauthorized(const http::Request& req, http::RequestContext& ctx) const {
    auto res = http::error_response(
        Error{ErrorCode::auth_required, "authentication required: send Authorization: Bearer <token> or X-API-Key"},
        req, ctx);
    std::vector<std::string> params;
    if (!options.resource_metadata_url.empty()) {
      params.push_back(fmt::format("resource_metadata=\"{}\"", options.resource_metadata_url));
    }
    if (!options.challenge_scopes.empty()) {
      params.push_back(fmt::format("scope=\"{}\"", fmt::join(options.challenge_scopes, " ")));
    }
    // RFC 6750 §3.1: credentials were presented but refused.
    if (ctx.auth_error) params.emplace_back(R"(error="invalid_token")");
    std::string challenge = params.empty() ? "Bearer" : fmt::format("Bearer {}", fmt::join(params, ", "));
    res.set(field::field::www_authenticate, challenge);
    add_cors(req, res);
    return res;
  }

  std::optional<http::Response> reject_unauthenticated(const http::Request& req, http::RequestContext& ctx) const {
    if (identify(ctx)) return std::nullopt;
    return unauthorized(req, ctx);
  }

  // CORS for browser-based MCP clients on allowed origins; credentials travel in headers, never cookies.
  void add_cors(const http::Request& req, http::Response& res) const {
    const auto origin = req[field::field::origin];
    if (origin.empty() || !host_allowed(origin_host(origin))) return;
    res.set(field::field::access_control_allow_origin, origin);
    res.set(field::field::vary, "Origin");
    res.set(field::field::access_control_expose_headers,
            "Mcp-Session-Id, WWW-Authenticate, X-Request-Id, Retry-After, X-RateLimit-Limit, "
            "X-RateLimit-Remaining, X-RateLimit-Reset");
  }

  http::Response json_reply(const http::Request& req, const Outcome& outcome) const {
    http::Response res{outcome.status, req.version()};
    res.set(field::field::content_type, "application/json");
    res.body() = outcome.body();
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    add_cors(req, res);
    return res;
  }

  http::Response empty_reply(const http::Request& req, http::Status status) const {
    http::Response res{status, req.version()};
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    add_cors(req, res);
    return res;
  }

  // ---- 2026-07-28: validate the stateless envelope ------------------------------------------------------------

  std::optional<Outcome> modern_envelope(const http::Request& req, Scope& scope) const {
    const auto bad = [&](int code, std::string message, json data = nullptr) {
      return Outcome{http::Status::bad_request, make_error(scope.id, {code, std::move(message), std::move(data)})};
    };
    const auto meta_it = scope.params.find("_meta");
    if (meta_it == scope.params.end() || !meta_it->is_object()) {
      return bad(rpc_code::invalid_params, fmt::format("Invalid _meta envelope: params._meta is required for protocol "
                                                       "revision {}",
                                                       kCurrentVersion));
    }
    const auto& meta = *meta_it;
    const auto version_it = meta.find(kMetaVersion);
    if (version_it == meta.end() || !version_it->is_string()) {
      return bad(rpc_code::invalid_params, fmt::format("Invalid _meta envelope: {}: missing", kMetaVersion));
    }
    const auto version = version_it->get<std::string>();
    const auto caps = meta.find(kMetaCapabilities);
    if (caps == meta.end() || !caps->is_object()) {
      return bad(rpc_code::invalid_params, fmt::format("Invalid _meta envelope for protocol revision {}: {}: missing",
                                                       version, kMetaCapabilities));
    }
    const auto header_version = req["MCP-Protocol-Version"];
    if (header_version != version) return mismatch(scope, "MCP-Protocol-Version", header_version, version);
    if (version != kCurrentVersion) {
      return bad(rpc_code::unsupported_protocol_version, fmt::format("Unsupported protocol version: {}", version),
                 {{"supported", supported_versions()}, {"requested", version}});
    }
    if (auto header = req["Mcp-Method"]; header != scope.method) {
      return mismatch(scope, "Mcp-Method", header, scope.method);
    }
    if (scope.method == "tools/call" || scope.method == "prompts/get" || scope.method == "resources/read" ||
        scope.method == "tasks/get" || scope.method == "tasks/update" || scope.method == "tasks/cancel") {
      const auto key =
          scope.method == "resources/read" ? "uri" : (scope.method.starts_with("tasks/") ? "taskId" : "name");
      const auto body = scope.params.contains(key) && scope.params[key].is_string()
                            ? scope.params[key].get<std::string>()
                            : std::string();
      const auto header = header_value(req["Mcp-Name"]);
      if (!header || *header != body) return mismatch(scope, "Mcp-Name", trim(req["Mcp-Name"]), body);
    }
    if (scope.method == "tools/call") {
      if (auto rejected = check_param_headers(req, scope)) return rejected;
    }
    scope.version = version;
    scope.client_capabilities = *caps;
    if (meta.contains("progressToken")) scope.progress_token = meta["progressToken"];
    if (auto level = meta.find(kMetaLogLevel); level != meta.end()) {
      scope.log_level = level->is_string() ? tools::parse_log_level(level->get<std::string>()) : std::nullopt;
      if (!scope.log_level) {
        return bad(rpc_code::invalid_params,
                   fmt::format("{} must be one of debug, info, notice, warning, error, critical, alert, emergency",
                               kMetaLogLevel));
      }
    }
    if (std::ranges::find(kRemovedMethods, scope.method) != kRemovedMethods.end()) {
      return Outcome{
          http::Status::not_found,
          make_error(scope.id, {rpc_code::method_not_found,
                                fmt::format("Method not found: {} (removed in {})", scope.method, kCurrentVersion)})};
    }
    return std::nullopt;
  }

  // SEP-2243: arguments a tool marks with "x-mcp-header" are mirrored in Mcp-Param-<Name> headers so intermediaries
  // can route on them; the header must agree with the body. Values that are not header-safe arrive as
  // =?base64?<standard base64 of the UTF-8 text>?=.
  std::optional<Outcome> check_param_headers(const http::Request& req, const Scope& scope) const {
    const auto name = scope.params.value("name", json());
    const auto* tool = name.is_string() ? methods.find_tool(name.get<std::string>()) : nullptr;
    if (tool == nullptr) return std::nullopt;
    const auto properties = tool->input_schema.find("properties");
    if (properties == tool->input_schema.end() || !properties->is_object()) return std::nullopt;
    const auto arguments = scope.params.value("arguments", json::object());
    for (const auto& [param, schema] : properties->items()) {
      const auto header_name = schema.is_object() ? schema.value("x-mcp-header", json()) : json();
      if (!header_name.is_string()) continue;
      const auto header = "Mcp-Param-" + header_name.get<std::string>();
      const auto present = req.find(header) != req.end();
      const json value = arguments.is_object() && arguments.contains(param) ? arguments[param] : json();
      if (value.is_null()) {
        if (present) return mismatch(scope, header, req[header], "");
        continue;
      }
      const auto expected = value.is_string() ? value.get<std::string>() : value.dump();
      if (!present) return mismatch(scope, header, "", expected);
      const auto parsed_header = header_value(req[header]);
      if (!parsed_header) return mismatch(scope, header, trim(req[header]), expected);
      const auto& decoded = *parsed_header;
      bool same = decoded == expected;
      if (!same && value.is_number_integer()) {
        // Integers compare by value ("007" and 7 agree).
        const auto parsed = json::parse(decoded, nullptr, false);
        same = parsed.is_number_integer() && parsed == value;
      }
      if (!same) return mismatch(scope, header, decoded, expected);
    }
    return std::nullopt;
  }

  static Outcome mismatch(const Scope& scope, std::string_view header, std::string_view got, std::string_view body) {
    return {http::Status::bad_request,
            make_error(scope.id,
                       {rpc_code::header_mismatch,
                        fmt::format("Header mismatch: {} is '{}' but the request body says '{}'", header, got, body),
                        {{"mismatch", {{"header", header}, {"body", body}}}}})};
  }

  // ---- 2025 era: initialize + sessions -----------------------------------------------------------------------

  // A live session of this caller; nullptr otherwise (another caller's session id is as good as unknown).
  std::shared_ptr<Session> find_session(std::string_view id, const std::string& caller) {
    std::lock_guard lock(sessions_mutex);
    auto it = sessions.find(std::string(id));
    if (it == sessions.end() || it->second->owner != caller) return nullptr;
    const auto now = std::chrono::steady_clock::now();
    if (now - it->second->last_seen > options.session_idle_timeout) {
      end(*it->second);
      sessions.erase(it);
      return nullptr;
    }
    it->second->last_seen = now;
    return it->second;
  }

  static void end(Session& session) {
    std::lock_guard lock(session.mutex);
    session.ended = true;
    for (auto& [id, flag] : session.in_flight) flag->store(true);
    for (auto& [id, pending] : session.pending) pending->ready.notify_all();
  }

  Outcome initialize(const Scope& scope, std::string& session_id_out) {
    const auto requested = scope.params.value("protocolVersion", json());
    if (!requested.is_string()) {
      return error_outcome(http::Status::ok, scope.id,
                           {rpc_code::invalid_params,
                            "initialize requires params.protocolVersion (string)",
                            {{"supported", supported_versions()}}});
    }
    // 2026-07-28 is never negotiated through initialize; such clients get the latest session-era revision.
    const auto requested_version = requested.get<std::string>();
    const std::string version =
        is_session_version(requested_version) ? requested_version : std::string(kLatestSessionVersion);
    auto session = std::make_shared<Session>();
    session->protocol_version = version;
    session->owner = scope.caller;
    session->client_info = scope.params.value("clientInfo", json::object());
    const auto caps = scope.params.value("capabilities", json::object());
    session->client_capabilities = caps.is_object() ? caps : json::object();
    session->last_seen = std::chrono::steady_clock::now();
    const auto id = crypto::base64url_encode(crypto::random_bytes(18));
    {
      std::lock_guard lock(sessions_mutex);
      const auto now = session->last_seen;
      std::erase_if(sessions, [&](const auto& kv) {
        if (now - kv.second->last_seen <= options.session_idle_timeout) return false;
        end(*kv.second);
        return true;
      });
      if (sessions.size() >= options.max_sessions) {
        return error_outcome(http::Status::service_unavailable, scope.id,
                             {rpc_code::server_error, "Too many open sessions; try again later"});
      }
      sessions.emplace(id, std::move(session));
    }
    session_id_out = id;
    json result = {{"protocolVersion", version},
                   {"capabilities", methods.capabilities(true)},
                   {"serverInfo", methods.server_info()}};
    if (!options.instructions.empty()) result["instructions"] = options.instructions;
    return {http::Status::ok, make_result(scope.id, std::move(result))};
  }

  std::optional<Outcome> legacy_envelope(const http::Request& req, Scope& scope) {
    const auto session_id = req["Mcp-Session-Id"];
    if (session_id.empty()) {
      return error_outcome(http::Status::bad_request, scope.id,
                           {rpc_code::server_error,
                            "Bad Request: no Mcp-Session-Id; call initialize first, or send the 2026-07-28 _meta "
                            "envelope",
                            {{"supported", supported_versions()}}});
    }
    scope.session = find_session(session_id, scope.caller);
    if (!scope.session) {
      return error_outcome(http::Status::not_found, scope.id,
                           {rpc_code::server_error, "Session not found or expired; initialize again"});
    }
    scope.version = scope.session->protocol_version;
    if (auto header = req["MCP-Protocol-Version"]; !header.empty() && header != scope.version) {
      return error_outcome(
          http::Status::bad_request, scope.id,
          {rpc_code::server_error,
           fmt::format("Bad Request: MCP-Protocol-Version {} does not match the session's {}", header, scope.version),
           {{"supported", supported_versions()}}});
    }
    scope.legacy = true;
    scope.client_capabilities = scope.session->client_capabilities;
    if (auto meta = scope.params.find("_meta");
        meta != scope.params.end() && meta->is_object() && meta->contains("progressToken")) {
      scope.progress_token = (*meta)["progressToken"];
    }
    std::lock_guard lock(scope.session->mutex);
    scope.log_level = scope.session->log_level;
    return std::nullopt;
  }

  // A client's answer to one of our requests, or a notification, in a 2025-era session.
  http::Response legacy_message(const http::Request& req, const Message& m, const std::string& caller) {
    auto session = find_session(req["Mcp-Session-Id"], caller);
    if (m.kind == Message::Kind::response) {
      if (!session || !m.id.is_string()) return empty_reply(req, http::Status::accepted);
      std::shared_ptr<PendingAnswer> pending;
      {
        std::lock_guard lock(session->mutex);
        if (auto it = session->pending.find(m.id.get<std::string>()); it != session->pending.end()) {
          pending = it->second;
        }
      }
      if (pending) {
        std::lock_guard lock(pending->mutex);
        pending->message = m.raw;
        pending->ready.notify_all();
      }
      return empty_reply(req, http::Status::accepted);
    }
    if (session && m.method == "notifications/cancelled" && m.params.is_object() && m.params.contains("requestId")) {
      std::lock_guard lock(session->mutex);
      if (auto it = session->in_flight.find(m.params["requestId"].dump()); it != session->in_flight.end()) {
        it->second->store(true);
      }
    }
    return empty_reply(req, http::Status::accepted);
  }

  // ---- HTTP entry points ---------------------------------------------------------------------------------------

  bool should_stream(const http::Request& req, const Scope& scope) const {
    if (scope.method != "tools/call" || !accepts(req, "text/event-stream")) return false;
    const auto* tool = scope.params.contains("name") && scope.params["name"].is_string()
                           ? methods.find_tool(scope.params["name"].get<std::string>())
                           : nullptr;
    return tool != nullptr && tool->long_running;
  }

  http::Response post(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req)) return *rejected;
    const auto caller = identify(ctx);
    if (!caller) return unauthorized(req, ctx);
    const auto content_type = lower(req[field::field::content_type]);
    if (!content_type.starts_with("application/json")) {
      auto res = http::error_response(
          Error{ErrorCode::unsupported_media_type, "POST /mcp needs Content-Type: application/json"}, req, ctx);
      add_cors(req, res);
      return res;
    }
    if (!accepts(req, "application/json") && !accepts(req, "text/event-stream")) {
      return json_reply(req, {http::Status::not_acceptable,
                              make_error(nullptr, {rpc_code::server_error,
                                                   "Not Acceptable: Accept must include application/json and "
                                                   "text/event-stream"})});
    }

    auto parsed = parse_message(req.body());
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
      return json_reply(req, {http::Status::bad_request, make_error(failure->id, failure->error)});
    }
    auto& m = std::get<Message>(parsed);
    if (m.kind != Message::Kind::request) {
      // Answers to our requests and notifications (initialized, cancelled) get 202 and no body.
      if (!req["Mcp-Session-Id"].empty()) return legacy_message(req, m, caller->user_id);
      return empty_reply(req, http::Status::accepted);
    }

    Scope scope;
    scope.id = m.id;
    scope.method = m.method;
    scope.request_id = ctx.request_id;
    scope.caller = caller->user_id;
    scope.tenant = caller->tenant_id;
    if (m.params.is_object()) scope.params = std::move(m.params);

    if (auto denied = check_scopes(req, ctx, scope)) return *denied;

    std::string new_session_id;
    std::optional<Outcome> early;
    if (is_modern_request(req, scope.params)) {
      early = modern_envelope(req, scope);
    } else if (scope.method == "initialize") {
      early = initialize(scope, new_session_id);
    } else {
      early = legacy_envelope(req, scope);
    }
    if (early) {
      auto res = json_reply(req, *early);
      if (!new_session_id.empty()) res.set("Mcp-Session-Id", new_session_id);
      return res;
    }

    if (!should_stream(req, scope)) return json_reply(req, methods.execute(scope));

    // Long-running tool: answer with an SSE stream now, run the tool on a job thread, and stream its progress,
    // log messages and (2025 era) requests for input before the response. A client that goes away cancels it.
    scope.stream = ctx.open_stream();
    std::string in_flight_key;
    if (scope.session) {
      in_flight_key = scope.id.dump();
      std::lock_guard lock(scope.session->mutex);
      scope.session->in_flight[in_flight_key] = scope.cancelled;
    }
    // 2026-07-28: closing the response stream is how a client cancels. 2025 era: a disconnect is not a
    // cancellation (that revision says so); the call finishes, though its answer has nowhere to go.
    if (!scope.legacy) scope.stream->on_client_gone([flag = scope.cancelled] { flag->store(true); });
    {
      std::lock_guard lock(streaming_mutex);
      streaming.insert(scope.cancelled);
    }
    jobs.post([this, scope = std::move(scope), in_flight_key]() mutable {
      Outcome outcome;
      try {
        outcome = methods.execute(scope);
      } catch (const std::exception& e) {
        // A bug must cost one call, not the process (an exception leaving a job thread would end it).
        spdlog::error("streamed {} failed: {} request_id={}", scope.method, e.what(), scope.request_id);
        outcome = {http::Status::ok, make_error(scope.id, {rpc_code::internal_error, "internal error"})};
      }
      if (scope.session) {
        std::lock_guard lock(scope.session->mutex);
        scope.session->in_flight.erase(in_flight_key);
      }
      // A cancelled request gets no response (the client has stopped waiting for it).
      if (!scope.cancelled->load()) scope.stream->send_event(outcome.body());
      scope.stream->close();
      std::lock_guard lock(streaming_mutex);
      streaming.erase(scope.cancelled);
    });
    http::Response head{http::Status::ok, req.version()};
    head.set(field::field::content_type, "text/event-stream");
    head.set(field::field::cache_control, "no-cache, no-transform");
    head.set("X-Accel-Buffering", "no");
    add_cors(req, head);
    return head;
  }

  // Scopes a request needs (MCP authorization, scope challenge): mcp:read for everything, plus mcp:write to call a
  // tool that is not read-only. Anonymous development callers have no token to check.
  std::optional<http::Response> check_scopes(const http::Request& req, const http::RequestContext& ctx,
                                             const Scope& scope) const {
    if (!ctx.auth) return std::nullopt;
    std::vector<std::string> needed{"mcp:read"};
    if (scope.method == "tools/call" && scope.params.contains("name") && scope.params["name"].is_string()) {
      const auto* tool = methods.find_tool(scope.params["name"].get<std::string>());
      if (tool != nullptr && !tool->annotations.read_only) needed.emplace_back("mcp:write");
    }
    const auto& held = ctx.auth->identity.scopes;
    const bool enough =
        std::ranges::all_of(needed, [&held](const std::string& s) { return std::ranges::find(held, s) != held.end(); });
    if (enough) return std::nullopt;
    // RFC 6750 §3.1 + MCP step-up: 403 naming every scope the request needs.
    auto res = json_reply(
        req, {http::Status::forbidden,
              make_error(scope.id, {rpc_code::server_error, fmt::format("insufficient scope: this request needs {}",
                                                                        fmt::join(needed, " "))})});
    std::string challenge = fmt::format(R"(Bearer error="insufficient_scope", scope="{}")", fmt::join(needed, " "));
    if (!options.resource_metadata_url.empty()) {
      challenge += fmt::format(R"(, resource_metadata="{}")", options.resource_metadata_url);
    }
    res.set(field::field::www_authenticate, challenge);
    return res;
  }

  http::Response method_not_allowed(const http::Request& req, std::string_view allow) const {
    auto res = json_reply(
        req, {http::Status::method_not_allowed, make_error(nullptr, {rpc_code::server_error, "Method not allowed."})});
    res.set(field::field::allow, allow);
    return res;
  }

  http::Response get(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req)) return *rejected;
    if (auto rejected = reject_unauthenticated(req, ctx)) return *rejected;
    // No standalone server→client stream: our server→client requests ride on the POST that caused them, and lists
    // do not change while the process runs. The spec lets a server answer 405 here.
    return method_not_allowed(req, "POST, DELETE");
  }

  http::Response del(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req)) return *rejected;
    const auto caller = identify(ctx);
    if (!caller) return unauthorized(req, ctx);
    const auto session_id = req["Mcp-Session-Id"];
    if (session_id.empty()) return method_not_allowed(req, "POST");
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(sessions_mutex);
      if (auto it = sessions.find(std::string(session_id));
          it != sessions.end() && it->second->owner == caller->user_id) {
        session = std::move(it->second);
        sessions.erase(it);
      }
    }
    if (!session) {
      return json_reply(req,
                        {http::Status::not_found, make_error(nullptr, {rpc_code::server_error, "Session not found"})});
    }
    end(*session);
    return empty_reply(req, http::Status::no_content);
  }

  http::Response options_preflight(const http::Request& req) const {
    if (auto rejected = reject_foreign(req)) return *rejected;
    http::Response res{http::Status::no_content, req.version()};
    add_cors(req, res);
    if (res.count(field::field::access_control_allow_origin) > 0) {
      res.set(field::field::access_control_allow_methods, "POST, GET, DELETE, OPTIONS");
      res.set(field::field::access_control_allow_headers,
              "Content-Type, Accept, Authorization, X-API-Key, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, "
              "Mcp-Name, Last-Event-ID, X-Request-Id");
      res.set(field::field::access_control_max_age, "600");
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }
};

Endpoint::Endpoint(const tools::Registry& registry, const tools::Catalog& catalog, EndpointOptions options)
    : impl_(std::make_unique<Impl>(registry, catalog, std::move(options))) {}
Endpoint::~Endpoint() = default;

void Endpoint::register_routes(http::Router& router) {
  auto* impl = impl_.get();
  router.add(
      http::Method::post, "/mcp", [impl](const http::Request& r, http::RequestContext& c) { return impl->post(r, c); },
      "MCP (Streamable HTTP; 2026-07-28, 2025-11-25, 2025-06-18)");
  router.add(http::Method::get, "/mcp",
             [impl](const http::Request& r, http::RequestContext& c) { return impl->get(r, c); });
  router.add(http::Method::delete_, "/mcp",
             [impl](const http::Request& r, http::RequestContext& c) { return impl->del(r, c); });
  router.add(http::Method::options, "/mcp",
             [impl](const http::Request& r, http::RequestContext&) { return impl->options_preflight(r); });
}

}  // namespace pierre::mcp
