#include "pierre/mcp/endpoint.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <fmt/format.h>
#include <mutex>
#include <spdlog/spdlog.h>
#include <unordered_map>
#include <variant>

#include "pierre/crypto/primitives.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/mcp/jsonrpc.hpp"

namespace pierre::mcp {
namespace {

namespace field = boost::beast::http;
using nlohmann::json;

constexpr std::string_view kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
constexpr std::array<std::string_view, 3> kSessionVersions{"2025-11-25", "2025-06-18", "2025-03-26"};

bool is_session_version(std::string_view v) { return std::ranges::find(kSessionVersions, v) != kSessionVersions.end(); }

json supported_versions() {
  json all = json::array({kCurrentVersion});
  for (auto v : kSessionVersions) all.push_back(v);
  return all;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
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

struct Session {
  std::string protocol_version;
  json client_info;
  std::chrono::steady_clock::time_point last_seen;
};

// One POST's worth of protocol state: what era it is in, and what it streams back besides the response.
struct Exchange {
  bool legacy = false;
  std::string version;
  json progress_token;  // null unless the client asked for progress
  std::vector<json> notifications;
};

struct HttpReply {
  HttpReply() = default;
  HttpReply(http::Status s, json b, std::vector<json> n = {})
      : status(s), body(std::move(b)), notifications(std::move(n)) {}
  http::Status status = http::Status::ok;
  json body;                        // the JSON-RPC response
  std::vector<json> notifications;  // related notifications (progress) to stream before it
};

}  // namespace

struct Endpoint::Impl {
  const tools::Registry& registry;
  EndpointOptions options;
  json server_info;
  std::mutex sessions_mutex;
  std::unordered_map<std::string, Session> sessions;

  Impl(const tools::Registry& r, EndpointOptions o) : registry(r), options(std::move(o)) {
    server_info = {{"name", options.server_name}, {"version", options.server_version}};
  }

  json capabilities() const { return {{"tools", {{"listChanged", false}}}}; }

  // ---- transport-level checks -------------------------------------------------------------------------------

  bool host_allowed(std::string_view host) const {
    return std::ranges::find(options.allowed_hosts, host) != options.allowed_hosts.end();
  }

  // DNS-rebinding protection: a browser tricked into calling us carries a foreign Host or Origin.
  std::optional<http::Response> reject_foreign(const http::Request& req, http::RequestContext& ctx) const {
    const auto host = host_without_port(req[field::field::host]);
    if (!host.empty() && !host_allowed(host)) {
      return rpc_reply(req, ctx, http::Status::forbidden,
                       make_error(nullptr, {rpc_code::server_error, fmt::format("Invalid Host: {}", host), nullptr}));
    }
    const auto origin = req[field::field::origin];
    if (!origin.empty() && origin != "null" && !host_allowed(origin_host(origin))) {
      return rpc_reply(req, ctx, http::Status::forbidden,
                       make_error(nullptr, {rpc_code::server_error, "Invalid Origin", nullptr}));
    }
    return std::nullopt;
  }

  std::optional<http::Response> reject_unauthenticated(const http::Request& req, http::RequestContext& ctx) const {
    if (options.allow_anonymous) return std::nullopt;
    if (options.authenticate && options.authenticate(req)) return std::nullopt;
    auto res = http::error_response(
        Error{ErrorCode::auth_required, "authentication required: send Authorization: Bearer <token> or X-API-Key"},
        req, ctx);
    std::string challenge = "Bearer";
    if (!options.resource_metadata_url.empty()) {
      challenge += fmt::format(" resource_metadata=\"{}\"", options.resource_metadata_url);
    }
    res.set(field::field::www_authenticate, challenge);
    return res;
  }

  // CORS for browser-based MCP clients on allowed origins; credentials travel in headers, never cookies.
  void add_cors(const http::Request& req, http::Response& res) const {
    const auto origin = req[field::field::origin];
    if (origin.empty() || !host_allowed(origin_host(origin))) return;
    res.set(field::field::access_control_allow_origin, origin);
    res.set(field::field::vary, "Origin");
    res.set(field::field::access_control_expose_headers, "Mcp-Session-Id, WWW-Authenticate, X-Request-Id");
  }

  http::Response rpc_reply(const http::Request& req, http::RequestContext&, http::Status status, const json& body) const {
    auto res = http::json_response(status, body, req);
    add_cors(req, res);
    return res;
  }

  // ---- methods ----------------------------------------------------------------------------------------------

  Result<json> tools_list(const json& params) const {
    std::size_t offset = 0;
    if (params.is_object() && params.contains("cursor")) {
      crypto::Bytes raw;
      const auto& cursor = params["cursor"];
      if (!cursor.is_string() || !crypto::base64url_decode(cursor.get<std::string>(), raw) || raw.size() != 4) {
        return fail(ErrorCode::invalid_cursor, "Invalid cursor");
      }
      offset = (std::size_t{raw[0]} << 24) | (std::size_t{raw[1]} << 16) | (std::size_t{raw[2]} << 8) | raw[3];
      if (offset == 0 || offset >= registry.size()) return fail(ErrorCode::invalid_cursor, "Invalid cursor");
    }
    const auto& all = registry.descriptors();
    const auto end = std::min(all.size(), offset + options.tools_page_size);
    json result = {{"tools", json(std::vector<json>(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                                    all.begin() + static_cast<std::ptrdiff_t>(end)))}};
    if (end < all.size()) {
      const crypto::Bytes next{static_cast<std::uint8_t>(end >> 24), static_cast<std::uint8_t>(end >> 16),
                               static_cast<std::uint8_t>(end >> 8), static_cast<std::uint8_t>(end)};
      result["nextCursor"] = crypto::base64url_encode(next);
    }
    return result;
  }

  Result<json> tools_call(const json& params, Exchange& ex, http::RequestContext& ctx) const {
    if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) {
      return fail(ErrorCode::invalid_input, "tools/call requires params.name (string)");
    }
    const json arguments = params.value("arguments", json::object());
    if (!arguments.is_object()) return fail(ErrorCode::invalid_input, "tools/call params.arguments must be an object");
    const auto name = params["name"].get<std::string>();

    tools::CallContext call;
    call.request_id = ctx.request_id;
    if (!ex.progress_token.is_null()) {
      call.progress = [&ex](double progress, std::optional<double> total, std::string_view message) {
        json p = {{"progressToken", ex.progress_token}, {"progress", progress}};
        if (total) p["total"] = *total;
        if (!message.empty()) p["message"] = message;
        ex.notifications.push_back(make_notification("notifications/progress", std::move(p)));
      };
    }
    auto outcome = registry.call(name, arguments, call);
    if (!outcome) return std::unexpected(outcome.error());
    json result = {{"content", json::array({{{"type", "text"}, {"text", outcome->text}}})},
                   {"isError", outcome->is_error}};
    if (!outcome->is_error && !outcome->structured.is_null()) result["structuredContent"] = outcome->structured;
    return result;
  }

  // Methods both eras share, after the era-specific envelope checks.
  std::optional<Result<json>> common_method(const Message& m, Exchange& ex, http::RequestContext& ctx) const {
    if (m.method == "tools/list") return tools_list(m.params);
    if (m.method == "tools/call") return tools_call(m.params, ex, ctx);
    return std::nullopt;
  }

  // ---- 2026-07-28: stateless ---------------------------------------------------------------------------------

  HttpReply modern(const http::Request& req, http::RequestContext& ctx, const Message& m, const json& meta) {
    Exchange ex;
    const auto requested = meta[std::string(kMetaVersion)];
    const std::string version = requested.is_string() ? requested.get<std::string>() : "";
    if (version != kCurrentVersion) {
      return {http::Status::bad_request,
              make_error(m.id, {rpc_code::unsupported_protocol_version,
                                fmt::format("Unsupported protocol version: {}", version),
                                {{"supported", supported_versions()}, {"requested", requested}}})};
    }
    ex.version = version;
    if (auto header = req["MCP-Protocol-Version"]; header != version) {
      return mismatch(m, "MCP-Protocol-Version", header, version);
    }
    if (auto header = req["Mcp-Method"]; header != m.method) return mismatch(m, "Mcp-Method", header, m.method);
    if (m.method == "tools/call" || m.method == "prompts/get" || m.method == "resources/read") {
      const auto key = m.method == "resources/read" ? "uri" : "name";
      const auto body_name = m.params.is_object() && m.params.contains(key) && m.params[key].is_string()
                                 ? m.params[key].get<std::string>()
                                 : std::string();
      if (auto header = req["Mcp-Name"]; header != body_name) return mismatch(m, "Mcp-Name", header, body_name);
    }
    const auto caps = meta.find(std::string(kMetaCapabilities));
    if (caps == meta.end() || !caps->is_object()) {
      return {http::Status::bad_request,
              make_error(m.id, {rpc_code::invalid_params,
                                fmt::format("Invalid _meta envelope for protocol revision {}: {}: missing", version,
                                            kMetaCapabilities),
                                nullptr})};
    }
    if (meta.contains("progressToken")) ex.progress_token = meta["progressToken"];

    Result<json> result = fail(ErrorCode::internal_error, "unreachable");
    bool is_list = false;
    if (m.method == "server/discover") {
      result = json{{"supportedVersions", supported_versions()}, {"capabilities", capabilities()}};
      if (!options.instructions.empty()) (*result)["instructions"] = options.instructions;
      is_list = true;
    } else if (auto common = common_method(m, ex, ctx)) {
      result = std::move(*common);
      is_list = m.method == "tools/list";
    } else {
      return {http::Status::not_found,
              make_error(m.id, {rpc_code::method_not_found, fmt::format("Method not found: {}", m.method), nullptr})};
    }
    if (!result) return {http::Status::ok, make_error(m.id, to_rpc_error(result.error(), false))};
    json body = std::move(*result);
    body["resultType"] = "complete";
    body["_meta"][std::string(kMetaServerInfo)] = server_info;
    if (is_list) {
      body["ttlMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(options.list_ttl).count();
      // Lists may come to depend on the caller's authorization, so shared caches must not serve them across users.
      body["cacheScope"] = "private";
    }
    return {http::Status::ok, make_result(m.id, std::move(body)), std::move(ex.notifications)};
  }

  HttpReply mismatch(const Message& m, std::string_view header, std::string_view got, std::string_view expected) const {
    return {http::Status::bad_request,
            make_error(m.id, {rpc_code::header_mismatch,
                              fmt::format("Header mismatch: {} is '{}' but the request says '{}'", header, got,
                                          expected),
                              {{"mismatch", {{"header", header}, {"body", expected}}}}})};
  }

  // ---- 2025-era: initialize + sessions -----------------------------------------------------------------------

  std::string new_session(std::string version, json client_info) {
    const auto id = crypto::base64url_encode(crypto::random_bytes(18));
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(sessions_mutex);
    std::erase_if(sessions, [&](const auto& kv) { return now - kv.second.last_seen > options.session_idle_timeout; });
    if (sessions.size() >= options.max_sessions) return {};
    sessions.emplace(id, Session{std::move(version), std::move(client_info), now});
    return id;
  }

  std::optional<std::string> session_version(std::string_view id) {
    std::lock_guard lock(sessions_mutex);
    auto it = sessions.find(std::string(id));
    if (it == sessions.end()) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    if (now - it->second.last_seen > options.session_idle_timeout) {
      sessions.erase(it);
      return std::nullopt;
    }
    it->second.last_seen = now;
    return it->second.protocol_version;
  }

  bool end_session(std::string_view id) {
    std::lock_guard lock(sessions_mutex);
    return sessions.erase(std::string(id)) > 0;
  }

  HttpReply initialize(const Message& m, std::string& session_id_out) {
    const auto requested = m.params.is_object() ? m.params.value("protocolVersion", std::string()) : std::string();
    if (requested.empty()) {
      return {http::Status::ok,
              make_error(m.id, {rpc_code::invalid_params, "initialize requires params.protocolVersion", nullptr})};
    }
    // 2026-07-28 is never negotiated through initialize; such clients get the latest session-era revision.
    const std::string version = is_session_version(requested) ? requested : std::string(kLatestSessionVersion);
    session_id_out = new_session(version, m.params.value("clientInfo", json::object()));
    if (session_id_out.empty()) {
      return {http::Status::service_unavailable,
              make_error(m.id, {rpc_code::server_error, "Too many open sessions; try again later", nullptr})};
    }
    json result = {{"protocolVersion", version}, {"capabilities", capabilities()}, {"serverInfo", server_info}};
    if (!options.instructions.empty()) result["instructions"] = options.instructions;
    return {http::Status::ok, make_result(m.id, std::move(result))};
  }

  HttpReply legacy(const http::Request& req, http::RequestContext& ctx, const Message& m) {
    const auto session_id = req["Mcp-Session-Id"];
    if (session_id.empty()) {
      return {http::Status::bad_request,
              make_error(m.id, {rpc_code::server_error,
                                "Bad Request: no Mcp-Session-Id; call initialize first, or send the 2026-07-28 _meta "
                                "envelope",
                                {{"supported", supported_versions()}}})};
    }
    const auto version = session_version(session_id);
    if (!version) {
      return {http::Status::not_found,
              make_error(m.id, {rpc_code::server_error, "Session not found or expired; initialize again", nullptr})};
    }
    if (auto header = req["MCP-Protocol-Version"]; !header.empty() && header != *version) {
      return {http::Status::bad_request,
              make_error(m.id, {rpc_code::server_error,
                                fmt::format("Bad Request: MCP-Protocol-Version {} does not match the session's {}",
                                            header, *version),
                                {{"supported", supported_versions()}}})};
    }
    Exchange ex;
    ex.legacy = true;
    ex.version = *version;
    if (m.params.is_object() && m.params.contains("_meta") && m.params["_meta"].is_object() &&
        m.params["_meta"].contains("progressToken")) {
      ex.progress_token = m.params["_meta"]["progressToken"];
    }
    Result<json> result = fail(ErrorCode::internal_error, "unreachable");
    if (m.method == "ping") {
      result = json::object();
    } else if (auto common = common_method(m, ex, ctx)) {
      result = std::move(*common);
    } else {
      return {http::Status::ok,
              make_error(m.id, {rpc_code::method_not_found, fmt::format("Method not found: {}", m.method), nullptr})};
    }
    if (!result) return {http::Status::ok, make_error(m.id, to_rpc_error(result.error(), true))};
    return {http::Status::ok, make_result(m.id, std::move(*result)), std::move(ex.notifications)};
  }

  // ---- HTTP entry points ---------------------------------------------------------------------------------------

  http::Response post(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req, ctx)) return *rejected;
    if (auto rejected = reject_unauthenticated(req, ctx)) return *rejected;
    const auto content_type = lower(req[field::field::content_type]);
    if (!content_type.starts_with("application/json")) {
      return http::error_response(
          Error{ErrorCode::unsupported_media_type, "POST /mcp needs Content-Type: application/json"}, req, ctx);
    }
    if (!accepts(req, "application/json") && !accepts(req, "text/event-stream")) {
      auto res = rpc_reply(req, ctx, http::Status::not_acceptable,
                           make_error(nullptr, {rpc_code::server_error,
                                                "Not Acceptable: Accept must include application/json and "
                                                "text/event-stream",
                                                nullptr}));
      return res;
    }

    auto parsed = parse_message(req.body());
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
      return rpc_reply(req, ctx, http::Status::bad_request, make_error(failure->id, failure->error));
    }
    const auto& m = std::get<Message>(parsed);

    if (m.kind != Message::Kind::request) {
      // Notifications (initialized, cancelled) and responses need no answer.
      http::Response res{http::Status::accepted, req.version()};
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      add_cors(req, res);
      return res;
    }

    const json* meta = nullptr;
    if (m.params.is_object()) {
      if (auto it = m.params.find("_meta"); it != m.params.end() && it->is_object() && it->contains(kMetaVersion)) {
        meta = &*it;
      }
    }
    std::string new_session_id;
    HttpReply reply;
    if (meta != nullptr) {
      reply = modern(req, ctx, m, *meta);
    } else if (m.method == "initialize") {
      reply = initialize(m, new_session_id);
    } else {
      reply = legacy(req, ctx, m);
    }

    http::Response res{reply.status, req.version()};
    if (!reply.notifications.empty() && accepts(req, "text/event-stream")) {
      // Related notifications first, then the response, as one SSE stream scoped to this request.
      std::string stream;
      for (const auto& n : reply.notifications) stream += fmt::format("event: message\ndata: {}\n\n", n.dump());
      stream += fmt::format("event: message\ndata: {}\n\n",
                            reply.body.dump(-1, ' ', false, json::error_handler_t::replace));
      res.set(field::field::content_type, "text/event-stream");
      res.set(field::field::cache_control, "no-cache, no-transform");
      res.set("X-Accel-Buffering", "no");
      res.body() = std::move(stream);
    } else {
      res.set(field::field::content_type, "application/json");
      res.body() = reply.body.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (!new_session_id.empty()) res.set("Mcp-Session-Id", new_session_id);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    add_cors(req, res);
    return res;
  }

  http::Response method_not_allowed(const http::Request& req, http::RequestContext& ctx, std::string_view allow) const {
    auto res = rpc_reply(req, ctx, http::Status::method_not_allowed,
                         make_error(nullptr, {rpc_code::server_error, "Method not allowed.", nullptr}));
    res.set(field::field::allow, allow);
    return res;
  }

  http::Response get(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req, ctx)) return *rejected;
    if (auto rejected = reject_unauthenticated(req, ctx)) return *rejected;
    // No standalone server→client stream: we never send server-initiated requests, and list changes do not happen
    // while the process runs. The spec lets a server answer 405 here.
    return method_not_allowed(req, ctx, "POST, DELETE");
  }

  http::Response del(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req, ctx)) return *rejected;
    if (auto rejected = reject_unauthenticated(req, ctx)) return *rejected;
    const auto session_id = req["Mcp-Session-Id"];
    if (session_id.empty()) return method_not_allowed(req, ctx, "POST");
    if (!end_session(session_id)) {
      return rpc_reply(req, ctx, http::Status::not_found,
                       make_error(nullptr, {rpc_code::server_error, "Session not found", nullptr}));
    }
    http::Response res{http::Status::no_content, req.version()};
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    add_cors(req, res);
    return res;
  }

  http::Response options_preflight(const http::Request& req, http::RequestContext& ctx) const {
    if (auto rejected = reject_foreign(req, ctx)) return *rejected;
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

Endpoint::Endpoint(const tools::Registry& registry, EndpointOptions options)
    : impl_(std::make_unique<Impl>(registry, std::move(options))) {}
Endpoint::~Endpoint() = default;

void Endpoint::register_routes(http::Router& router) {
  auto* impl = impl_.get();
  router.add(
      http::Method::post, "/mcp", [impl](const http::Request& r, http::RequestContext& c) { return impl->post(r, c); },
      "MCP (Streamable HTTP; 2026-07-28, 2025-11-25, 2025-06-18)");
  router.add(http::Method::get, "/mcp", [impl](const http::Request& r, http::RequestContext& c) { return impl->get(r, c); });
  router.add(http::Method::delete_, "/mcp",
             [impl](const http::Request& r, http::RequestContext& c) { return impl->del(r, c); });
  router.add(http::Method::options, "/mcp",
             [impl](const http::Request& r, http::RequestContext& c) { return impl->options_preflight(r, c); });
}

}  // namespace pierre::mcp
