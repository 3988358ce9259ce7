#include "pierre/mcp/endpoint.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>
#include <unordered_map>
#include <variant>

#include "job_pool.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/mcp/jsonrpc.hpp"
#include "request_state.hpp"
#include "tasks.hpp"

namespace pierre::mcp {
namespace {

namespace field = boost::beast::http;
using nlohmann::json;

constexpr std::string_view kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
constexpr std::array<std::string_view, 3> kSessionVersions{"2025-11-25", "2025-06-18", "2025-03-26"};
// 2026-07-28 removed these; a modern request for them is an unknown method (404, -32601).
constexpr std::array<std::string_view, 6> kRemovedMethods{"initialize", "ping", "logging/setLevel",
                                                          "resources/subscribe", "resources/unsubscribe",
                                                          "notifications/initialized"};
constexpr int kMaxInputRounds = 8;
constexpr std::chrono::hours kTaskTtl{1};
constexpr std::size_t kMaxTasks = 10000;
constexpr int kTaskPollIntervalMs = 250;
constexpr std::size_t kMaxCompletionValues = 100;

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

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The capability a server→client input request needs the client to have declared.
std::string_view capability_for(std::string_view method) {
  if (method == "elicitation/create") return "elicitation";
  if (method == "sampling/createMessage") return "sampling";
  if (method == "roots/list") return "roots";
  return {};
}

// A server→client request waiting for the client's answer (2025-era sessions).
struct PendingAnswer {
  std::mutex mutex;
  std::condition_variable ready;
  std::optional<json> message;
};

struct Session {
  std::string protocol_version;
  json client_info;
  json client_capabilities = json::object();
  std::chrono::steady_clock::time_point last_seen;  // guarded by Impl::sessions_mutex

  std::mutex mutex;  // guards everything below
  std::optional<tools::LogLevel> log_level;
  std::unordered_map<std::string, std::shared_ptr<PendingAnswer>> pending;            // by our request id
  std::unordered_map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight;      // by the client's request id
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
  std::string caller;                           // user id from authentication ("" when anonymous)
  std::shared_ptr<Session> session;             // 2025 era
  std::shared_ptr<http::EventStream> stream;    // set when the answer streams (SSE)
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

  void notify(const json& notification) const {
    if (stream) stream->send_event(dump(notification));
  }
};

// A finished JSON-RPC exchange: the HTTP status and the response message.
struct Outcome {
  http::Status status = http::Status::ok;
  json message;
};

Outcome error_outcome(http::Status status, const json& id, RpcError error) {
  return {status, make_error(id, error)};
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
  const tools::Registry& registry;
  const tools::Catalog& catalog;
  EndpointOptions options;
  RequestStateSealer sealer;
  json server_info;
  std::mutex sessions_mutex;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
  TaskStore tasks{kTaskTtl, kMaxTasks};
  JobPool jobs;  // declared last: destroyed first, so running jobs still see everything above

  Impl(const tools::Registry& r, const tools::Catalog& c, EndpointOptions o)
      : registry(r),
        catalog(c),
        options(std::move(o)),
        sealer(options.request_state_key.empty() ? crypto::random_bytes(32) : options.request_state_key),
        jobs(options.job_threads) {
    server_info = {{"name", options.server_name}, {"version", options.server_version}};
  }

  ~Impl() {
    // Wake tool calls waiting on clients or on task input so the job pool can drain.
    tasks.cancel_all();
    std::lock_guard lock(sessions_mutex);
    for (auto& [id, session] : sessions) end(*session);
  }

  json capabilities(bool legacy) const {
    if (legacy) {
      return {{"tools", {{"listChanged", false}}},
              {"resources", {{"subscribe", true}, {"listChanged", false}}},
              {"prompts", {{"listChanged", false}}},
              {"logging", json::object()},
              {"completions", json::object()}};
    }
    // No listChanged: our lists are fixed while the process runs, so subscriptions/listen has nothing to carry.
    return {{"tools", json::object()},
            {"resources", json::object()},
            {"prompts", json::object()},
            {"logging", json::object()},
            {"completions", json::object()},
            {"extensions", {{kTasksExtension, json::object()}}}};
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
      return json_reply(req, {http::Status::forbidden, make_error(nullptr, {rpc_code::server_error, "Invalid Origin"})});
    }
    return std::nullopt;
  }

  // The caller behind the request's credentials; an anonymous caller only under the development switch.
  std::optional<Caller> identify(const http::Request& req) const {
    if (options.authenticate) {
      if (auto caller = options.authenticate(req)) return caller;
    }
    if (options.allow_anonymous) return Caller{};
    return std::nullopt;
  }

  http::Response unauthorized(const http::Request& req, http::RequestContext& ctx) const {
    auto res = http::error_response(
        Error{ErrorCode::auth_required, "authentication required: send Authorization: Bearer <token> or X-API-Key"},
        req, ctx);
    std::string challenge = "Bearer";
    if (!options.resource_metadata_url.empty()) {
      challenge += fmt::format(" resource_metadata=\"{}\"", options.resource_metadata_url);
    }
    res.set(field::field::www_authenticate, challenge);
    add_cors(req, res);
    return res;
  }

  std::optional<http::Response> reject_unauthenticated(const http::Request& req, http::RequestContext& ctx) const {
    if (identify(req)) return std::nullopt;
    return unauthorized(req, ctx);
  }

  // CORS for browser-based MCP clients on allowed origins; credentials travel in headers, never cookies.
  void add_cors(const http::Request& req, http::Response& res) const {
    const auto origin = req[field::field::origin];
    if (origin.empty() || !host_allowed(origin_host(origin))) return;
    res.set(field::field::access_control_allow_origin, origin);
    res.set(field::field::vary, "Origin");
    res.set(field::field::access_control_expose_headers, "Mcp-Session-Id, WWW-Authenticate, X-Request-Id");
  }

  http::Response json_reply(const http::Request& req, const Outcome& outcome) const {
    http::Response res{outcome.status, req.version()};
    res.set(field::field::content_type, "application/json");
    res.body() = dump(outcome.message);
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

  // ---- results ----------------------------------------------------------------------------------------------

  // Adds what every 2026-07-28 result carries; list and read results also say how long they may be cached.
  json finish(const Scope& scope, json result, bool cacheable = false) const {
    if (scope.legacy) return result;
    if (!result.contains("resultType")) result["resultType"] = "complete";
    result["_meta"][std::string(kMetaServerInfo)] = server_info;
    if (cacheable) {
      result["ttlMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(options.list_ttl).count();
      // Lists and reads may come to depend on the caller's authorization: shared caches must not cross users.
      result["cacheScope"] = "private";
    }
    return result;
  }

  Outcome respond(const Scope& scope, Result<json> result) const {
    if (result) return {http::Status::ok, make_result(scope.id, std::move(*result))};
    const auto& error = result.error();
    auto rpc = to_rpc_error(error, scope.legacy);
    // Modern clients tell a missing capability apart by status and code (-32021, HTTP 400).
    const auto status = !scope.legacy && error.code == ErrorCode::capability_missing ? http::Status::bad_request
                                                                                      : http::Status::ok;
    return {status, make_error(scope.id, rpc)};
  }

  // ---- lists ------------------------------------------------------------------------------------------------

  // Offset cursors: opaque to clients, and a list is fixed for the life of the process.
  Result<json> page(const std::vector<json>& all, const char* key, const json& params) const {
    std::size_t offset = 0;
    if (params.is_object() && params.contains("cursor") && !params["cursor"].is_null()) {
      crypto::Bytes raw;
      const auto& cursor = params["cursor"];
      if (!cursor.is_string() || !crypto::base64url_decode(cursor.get<std::string>(), raw) || raw.size() != 4) {
        return fail(ErrorCode::invalid_cursor, "Invalid cursor");
      }
      offset = (std::size_t{raw[0]} << 24) | (std::size_t{raw[1]} << 16) | (std::size_t{raw[2]} << 8) | raw[3];
      if (offset == 0 || offset >= all.size()) return fail(ErrorCode::invalid_cursor, "Invalid cursor");
    }
    const auto end = std::min(all.size(), offset + options.page_size);
    json result = {{key, json(std::vector<json>(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                                all.begin() + static_cast<std::ptrdiff_t>(end)))}};
    if (end < all.size()) {
      const crypto::Bytes next{static_cast<std::uint8_t>(end >> 24), static_cast<std::uint8_t>(end >> 16),
                               static_cast<std::uint8_t>(end >> 8), static_cast<std::uint8_t>(end)};
      result["nextCursor"] = crypto::base64url_encode(next);
    }
    return result;
  }

  // ---- tools, prompts, resources ------------------------------------------------------------------------------

  tools::CallContext call_context(const Scope& scope) const {
    tools::CallContext call;
    call.request_id = scope.request_id;
    call.client_capabilities = scope.client_capabilities;
    call.cancelled = scope.cancelled.get();
    if (scope.stream && !scope.progress_token.is_null()) {
      call.progress = [&scope](double progress, std::optional<double> total, std::string_view message) {
        json p = {{"progressToken", scope.progress_token}, {"progress", progress}};
        if (total) p["total"] = *total;
        if (!message.empty()) p["message"] = message;
        scope.notify(make_notification("notifications/progress", std::move(p)));
      };
    }
    if (scope.stream && scope.log_level) {
      call.log = [&scope](tools::LogLevel level, const json& data) {
        if (level < *scope.log_level) return;
        scope.notify(make_notification("notifications/message",
                                       {{"level", tools::log_level_name(level)}, {"data", data}}));
      };
    }
    return call;
  }

  // MRTR inputs on a retry: `inputResponses` must map keys to result objects, `requestState` must be ours.
  Result<void> accept_inputs(const Scope& scope, std::string_view name, tools::CallContext& call) const {
    if (auto it = scope.params.find("inputResponses"); it != scope.params.end() && !it->is_null()) {
      if (!it->is_object()) return fail(ErrorCode::invalid_input, "inputResponses must be an object");
      for (const auto& [key, value] : it->items()) {
        if (!value.is_object()) {
          return fail(ErrorCode::invalid_input, fmt::format("inputResponses.{} must be a result object", key));
        }
      }
      call.input_responses = *it;
    }
    if (auto it = scope.params.find("requestState"); it != scope.params.end() && !it->is_null()) {
      std::optional<json> state;
      if (it->is_string()) state = sealer.open(scope.method, name, it->get<std::string>());
      if (!state) return fail(ErrorCode::invalid_input, "requestState integrity check failed");
      call.request_state = std::move(*state);
    }
    return {};
  }

  // Whatever the tool asks of the client must be something the client said it can do.
  static Result<void> check_input_capabilities(const Scope& scope, const tools::InputRequired& input) {
    for (const auto& [key, request] : input.requests.items()) {
      const auto capability = capability_for(request.value("method", ""));
      if (capability.empty()) continue;
      if (!scope.client_capabilities.is_object() || !scope.client_capabilities.contains(capability)) {
        return fail(ErrorCode::capability_missing,
                    fmt::format("this request needs the client capability '{}'", capability),
                    json{{"requiredCapabilities", {{capability, json::object()}}}});
      }
    }
    return {};
  }

  // 2025 era: asks the client over the SSE stream and waits for each answer (POSTed back as a JSON-RPC response).
  Result<json> ask_client(const Scope& scope, const tools::InputRequired& input) const {
    if (!scope.stream || !scope.session) {
      return fail(ErrorCode::invalid_input,
                  "this call needs to ask the client for input; send Accept: text/event-stream");
    }
    auto& session = *scope.session;
    std::vector<std::pair<std::string, std::pair<std::string, std::shared_ptr<PendingAnswer>>>> waits;
    for (const auto& [key, request] : input.requests.items()) {
      auto pending = std::make_shared<PendingAnswer>();
      std::string id;
      {
        std::lock_guard lock(session.mutex);
        if (session.ended) return fail(ErrorCode::resource_not_found, "session ended");
        id = fmt::format("pierre-{}", ++session.next_request);
        session.pending.emplace(id, pending);
      }
      scope.notify(json{{"jsonrpc", "2.0"},
                        {"id", id},
                        {"method", request.value("method", "")},
                        {"params", request.value("params", json::object())}});
      waits.emplace_back(key, std::make_pair(id, std::move(pending)));
    }
    json responses = json::object();
    Result<void> status;
    const auto deadline = std::chrono::steady_clock::now() + options.client_answer_timeout;
    for (auto& [key, wait] : waits) {
      auto& [id, pending] = wait;
      std::unique_lock lock(pending->mutex);
      while (status && !pending->message) {
        if (scope.cancelled->load() || scope.stream->client_gone()) {
          status = fail(ErrorCode::resource_unavailable, "the request was cancelled");
        } else if (std::chrono::steady_clock::now() > deadline) {
          status = fail(ErrorCode::request_timeout, "the client did not answer in time");
        } else {
          pending->ready.wait_for(lock, std::chrono::milliseconds(200));
        }
      }
      if (status && pending->message) {
        const auto& message = *pending->message;
        if (message.contains("result")) {
          responses[key] = message["result"];
        } else {
          status = fail(ErrorCode::external_service_error,
                        fmt::format("the client could not answer: {}",
                                    message.value("/error/message"_json_pointer, std::string("error"))));
        }
      }
      lock.unlock();
      std::lock_guard session_lock(session.mutex);
      session.pending.erase(id);
    }
    if (!status) return std::unexpected(status.error());
    return responses;
  }

  static bool client_has_tasks(const Scope& scope) {
    if (scope.legacy) return false;
    const auto ext = scope.client_capabilities.find("extensions");
    return ext != scope.client_capabilities.end() && ext->is_object() && ext->contains(kTasksExtension);
  }

  static Error tasks_capability_missing(std::string message) {
    return Error{ErrorCode::capability_missing, std::move(message),
                 json{{"requiredCapabilities", {{"extensions", {{kTasksExtension, json::object()}}}}}}};
  }

  static json tool_result(const tools::CallResult& outcome) {
    json result = {{"content", outcome.content_blocks()}, {"isError", outcome.is_error}};
    if (!outcome.is_error && !outcome.structured.is_null()) result["structuredContent"] = outcome.structured;
    return result;
  }

  Result<json> tools_call(const Scope& scope) {
    const auto& params = scope.params;
    if (!params.contains("name") || !params["name"].is_string()) {
      return fail(ErrorCode::invalid_input, "tools/call requires params.name (string)");
    }
    const auto name = params["name"].get<std::string>();
    const auto* tool = registry.find(name);
    if (tool == nullptr) return fail(ErrorCode::invalid_input, fmt::format("Tool {} not found", name));
    json arguments = params.value("arguments", json::object());
    if (arguments.is_null()) arguments = json::object();
    if (!arguments.is_object()) return fail(ErrorCode::invalid_input, "tools/call params.arguments must be an object");

    const bool as_task = client_has_tasks(scope) && tool->task_support != tools::TaskSupport::none;
    if (tool->task_support == tools::TaskSupport::required && !as_task) {
      return std::unexpected(tasks_capability_missing(
          fmt::format("tool {} runs as a task: declare the {} extension in clientCapabilities", name, kTasksExtension)));
    }
    auto call = call_context(scope);
    if (auto inputs = accept_inputs(scope, name, call); !inputs) return std::unexpected(inputs.error());
    if (as_task && !tool->task_after_input) return start_task(scope, name, std::move(arguments), std::move(call));

    for (int round = 0;; ++round) {
      auto outcome = registry.call(name, arguments, call);
      if (!outcome) return std::unexpected(outcome.error());
      if (outcome->continue_as_task) {
        if (as_task) return start_task(scope, name, std::move(arguments), std::move(call));
        if (call.in_task) return fail(ErrorCode::internal_error, "the tool failed unexpectedly");
        call.in_task = true;  // no task support on this client: finish within the request
        continue;
      }
      if (!outcome->input_required) return finish(scope, tool_result(*outcome));
      const auto& input = *outcome->input_required;
      if (auto allowed = check_input_capabilities(scope, input); !allowed) return std::unexpected(allowed.error());
      if (!scope.legacy) return input_required_result(scope, name, input);
      if (round + 1 >= kMaxInputRounds) {
        return json{{"content", json::array({{{"type", "text"}, {"text", "too many rounds of input"}}})},
                    {"isError", true}};
      }
      auto answers = ask_client(scope, input);
      if (!answers) {
        return json{{"content", json::array({{{"type", "text"}, {"text", answers.error().message}}})},
                    {"isError", true}};
      }
      call.input_responses = std::move(*answers);
      call.request_state = input.state;
    }
  }

  // ---- Tasks extension ----------------------------------------------------------------------------------------

  Result<json> start_task(const Scope& scope, const std::string& name, json arguments, tools::CallContext call) {
    auto task = tasks.create(scope.caller);
    if (!task) return fail(ErrorCode::resource_unavailable, "too many tasks in progress; try again later");
    call.in_task = true;
    call.cancelled = task->cancelled.get();
    call.progress = [](double, std::optional<double>, std::string_view) {};
    call.log = [](tools::LogLevel, const json&) {};
    json created = task_envelope(*task);
    created["resultType"] = "task";
    jobs.post([this, task, name, arguments = std::move(arguments), call = std::move(call),
               capabilities = scope.client_capabilities]() mutable {
      run_task(*task, name, arguments, call, capabilities);
    });
    return finish(scope, std::move(created));
  }

  json task_envelope(Task& task) const {
    std::lock_guard lock(task.mutex);
    return {{"taskId", task.id},
            {"status", status_name(task.status)},
            {"createdAt", iso8601(task.created)},
            {"lastUpdatedAt", iso8601(task.updated)},
            {"ttlMs", std::chrono::duration_cast<std::chrono::milliseconds>(tasks.ttl()).count()},
            {"pollIntervalMs", kTaskPollIntervalMs}};
  }

  // Runs on a job thread. Input the tool asks for parks the task in input_required until tasks/update answers it.
  void run_task(Task& task, const std::string& name, const json& arguments, tools::CallContext& call,
                const json& capabilities) {
    auto settle = [&task](Task::Status status, json result, json error) {
      std::lock_guard lock(task.mutex);
      if (task.terminal()) return;  // cancelled meanwhile: the cancellation stands
      task.status = status;
      task.result = std::move(result);
      task.error = std::move(error);
      task.pending_inputs = json::object();
      task.updated = std::chrono::system_clock::now();
      task.changed.notify_all();
    };
    Scope scope;  // only what the capability check needs
    scope.client_capabilities = capabilities;
    for (int round = 0; round < kMaxInputRounds; ++round) {
      auto outcome = registry.call(name, arguments, call);
      if (!outcome) {
        const auto rpc = to_rpc_error(outcome.error(), false);
        json error = {{"code", rpc.code}, {"message", rpc.message}};
        if (!rpc.data.is_null()) error["data"] = rpc.data;
        return settle(Task::Status::failed, nullptr, std::move(error));
      }
      if (!outcome->input_required) {
        if (outcome->continue_as_task) break;
        return settle(Task::Status::completed, tool_result(*outcome), nullptr);
      }
      const auto input = *outcome->input_required;
      if (auto allowed = check_input_capabilities(scope, input); !allowed) {
        const auto rpc = to_rpc_error(allowed.error(), false);
        return settle(Task::Status::failed, nullptr, {{"code", rpc.code}, {"message", rpc.message}, {"data", rpc.data}});
      }
      std::unique_lock lock(task.mutex);
      if (task.terminal()) return;
      task.status = Task::Status::input_required;
      task.pending_inputs = input.requests;
      task.answers = json::object();
      task.updated = std::chrono::system_clock::now();
      task.changed.wait(lock, [&] { return task.terminal() || task.cancelled->load() || task.pending_inputs.empty(); });
      if (task.terminal() || task.cancelled->load()) return;
      task.status = Task::Status::working;
      task.updated = std::chrono::system_clock::now();
      call.input_responses = std::move(task.answers);
      call.request_state = input.state;
    }
    settle(Task::Status::failed, nullptr, {{"code", rpc_code::internal_error}, {"message", "the tool did not finish"}});
  }

  Result<std::shared_ptr<Task>> task_for(const Scope& scope) {
    if (!client_has_tasks(scope)) {
      return std::unexpected(
          tasks_capability_missing(fmt::format("{} needs the {} extension in clientCapabilities", scope.method,
                                               kTasksExtension)));
    }
    const auto id = scope.params.value("taskId", json());
    if (!id.is_string()) return fail(ErrorCode::invalid_input, fmt::format("{} requires params.taskId", scope.method));
    auto task = tasks.find(id.get<std::string>(), scope.caller);
    if (!task) return fail(ErrorCode::invalid_input, "Unknown task", json{{"taskId", id}});
    return task;
  }

  std::optional<Result<json>> task_method(const Scope& scope) {
    const auto& m = scope.method;
    if (m != "tasks/get" && m != "tasks/update" && m != "tasks/cancel") return std::nullopt;
    auto found = task_for(scope);
    if (!found) return std::unexpected(found.error());
    auto& task = **found;
    if (m == "tasks/get") {
      json detail = task_envelope(task);
      std::lock_guard lock(task.mutex);
      if (task.status == Task::Status::completed) detail["result"] = task.result;
      if (task.status == Task::Status::failed) detail["error"] = task.error;
      if (task.status == Task::Status::input_required) detail["inputRequests"] = task.pending_inputs;
      return finish(scope, std::move(detail));
    }
    if (m == "tasks/update") {
      const auto responses = scope.params.value("inputResponses", json());
      if (!responses.is_object()) return fail(ErrorCode::invalid_input, "tasks/update requires params.inputResponses");
      std::lock_guard lock(task.mutex);
      for (const auto& [key, value] : responses.items()) {
        if (!value.is_object()) {
          return fail(ErrorCode::invalid_input, fmt::format("inputResponses.{} must be a result object", key));
        }
        if (task.pending_inputs.contains(key)) {
          task.answers[key] = value;
          task.pending_inputs.erase(key);
        }
      }
      task.updated = std::chrono::system_clock::now();
      task.changed.notify_all();
      return finish(scope, json::object());
    }
    // tasks/cancel: idempotent; a terminal task keeps its outcome.
    std::lock_guard lock(task.mutex);
    task.cancelled->store(true);
    if (!task.terminal()) {
      task.status = Task::Status::cancelled;
      task.pending_inputs = json::object();
      task.updated = std::chrono::system_clock::now();
    }
    task.changed.notify_all();
    return finish(scope, json::object());
  }

  json input_required_result(const Scope& scope, std::string_view name, const tools::InputRequired& input) const {
    json result = {{"resultType", "input_required"}, {"inputRequests", input.requests}};
    if (!input.state.is_null()) result["requestState"] = sealer.seal(scope.method, name, input.state);
    return finish(scope, std::move(result));
  }

  Result<json> prompts_get(const Scope& scope) const {
    const auto& params = scope.params;
    if (!params.contains("name") || !params["name"].is_string()) {
      return fail(ErrorCode::invalid_input, "prompts/get requires params.name (string)");
    }
    const auto name = params["name"].get<std::string>();
    auto call = call_context(scope);
    if (auto inputs = accept_inputs(scope, name, call); !inputs) return std::unexpected(inputs.error());
    auto output = catalog.get_prompt(name, params.value("arguments", json()), call);
    if (!output) {
      auto error = output.error();
      if (error.code == ErrorCode::resource_not_found) error.code = ErrorCode::invalid_input;  // -32602 in both eras
      return std::unexpected(std::move(error));
    }
    if (output->input_required) {
      if (auto allowed = check_input_capabilities(scope, *output->input_required); !allowed) {
        return std::unexpected(allowed.error());
      }
      if (scope.legacy) {
        return fail(ErrorCode::invalid_input, fmt::format("prompt {} needs client input, which the {} revision "
                                                          "cannot carry on prompts/get",
                                                          name, scope.version));
      }
      return input_required_result(scope, name, *output->input_required);
    }
    json result = {{"messages", output->messages}};
    if (!output->description.empty()) result["description"] = output->description;
    return finish(scope, std::move(result));
  }

  Result<json> resources_read(const Scope& scope) const {
    if (!scope.params.contains("uri") || !scope.params["uri"].is_string()) {
      return fail(ErrorCode::invalid_input, "resources/read requires params.uri (string)");
    }
    auto call = call_context(scope);
    auto contents = catalog.read(scope.params["uri"].get<std::string>(), call);
    if (!contents) return std::unexpected(contents.error());
    return finish(scope, {{"contents", std::move(*contents)}}, true);
  }

  Result<json> complete(const Scope& scope) const {
    const auto& params = scope.params;
    const auto ref = params.value("ref", json());
    const auto argument = params.value("argument", json());
    if (!ref.is_object() || !argument.is_object() || !argument.contains("name") || !argument["name"].is_string()) {
      return fail(ErrorCode::invalid_input, "completion/complete requires params.ref and params.argument.name");
    }
    const auto arg_name = argument["name"].get<std::string>();
    const auto prefix = argument.value("value", std::string());
    Result<std::vector<std::string>> values = fail(ErrorCode::invalid_input, "params.ref.type must be ref/prompt or "
                                                                             "ref/resource");
    const auto type = ref.value("type", std::string());
    if (type == "ref/prompt") {
      values = catalog.complete_prompt_argument(ref.value("name", std::string()), arg_name, prefix);
    } else if (type == "ref/resource") {
      values = catalog.complete_template_variable(ref.value("uri", std::string()), arg_name, prefix);
    }
    if (!values) return std::unexpected(values.error());
    const auto total = values->size();
    if (values->size() > kMaxCompletionValues) values->resize(kMaxCompletionValues);
    return finish(scope, {{"completion", {{"values", *values}, {"total", total}, {"hasMore", total > kMaxCompletionValues}}}});
  }

  // Methods both eras serve; nullopt when the method is not one of them.
  std::optional<Result<json>> common_method(const Scope& scope) {
    const auto& m = scope.method;
    const auto& p = scope.params;
    auto listed = [&](const std::vector<json>& all, const char* key) -> Result<json> {
      auto result = page(all, key, p);
      if (!result) return result;
      return finish(scope, std::move(*result), true);
    };
    if (m == "tools/list") return listed(registry.descriptors(), "tools");
    if (m == "tools/call") return tools_call(scope);
    if (m == "resources/list") return listed(catalog.resource_descriptors(), "resources");
    if (m == "resources/templates/list") return listed(catalog.template_descriptors(), "resourceTemplates");
    if (m == "resources/read") return resources_read(scope);
    if (m == "prompts/list") return listed(catalog.prompt_descriptors(), "prompts");
    if (m == "prompts/get") return prompts_get(scope);
    if (m == "completion/complete") return complete(scope);
    return std::nullopt;
  }

  // Runs a request whose envelope has been checked; may run on a job thread when it streams.
  Outcome execute(const Scope& scope) {
    if (!scope.legacy && scope.method == "server/discover") {
      json result = {{"supportedVersions", supported_versions()}, {"capabilities", capabilities(false)}};
      if (!options.instructions.empty()) result["instructions"] = options.instructions;
      return respond(scope, finish(scope, std::move(result), true));
    }
    if (scope.legacy) {
      if (auto legacy = legacy_method(scope)) return respond(scope, std::move(*legacy));
    } else if (auto task = task_method(scope)) {
      return respond(scope, std::move(*task));
    }
    if (auto common = common_method(scope)) return respond(scope, std::move(*common));
    // A modern client tells "unknown method" from "legacy server" by the 404 carrying -32601.
    return error_outcome(scope.legacy ? http::Status::ok : http::Status::not_found, scope.id,
                         {rpc_code::method_not_found, fmt::format("Method not found: {}", scope.method)});
  }

  std::optional<Result<json>> legacy_method(const Scope& scope) const {
    const auto& m = scope.method;
    if (m == "ping") return json::object();
    if (m == "logging/setLevel") {
      const auto level = tools::parse_log_level(scope.params.value("level", std::string()));
      if (!level) return fail(ErrorCode::invalid_input, "logging/setLevel: params.level must be a syslog level name");
      std::lock_guard lock(scope.session->mutex);
      scope.session->log_level = level;
      return json::object();
    }
    if (m == "resources/subscribe" || m == "resources/unsubscribe") {
      if (!scope.params.contains("uri") || !scope.params["uri"].is_string()) {
        return fail(ErrorCode::invalid_input, fmt::format("{} requires params.uri (string)", m));
      }
      // Resources do not change under a running session yet, so a subscription never fires; it is kept so that
      // updates can be sent once they do.
      std::lock_guard lock(scope.session->mutex);
      if (m == "resources/subscribe") {
        scope.session->subscriptions.insert(scope.params["uri"].get<std::string>());
      } else {
        scope.session->subscriptions.erase(scope.params["uri"].get<std::string>());
      }
      return json::object();
    }
    return std::nullopt;
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
      return bad(rpc_code::invalid_params,
                 fmt::format("Invalid _meta envelope for protocol revision {}: {}: missing", version, kMetaCapabilities));
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
      const auto key = scope.method == "resources/read" ? "uri" : (scope.method.starts_with("tasks/") ? "taskId" : "name");
      const auto body = scope.params.contains(key) && scope.params[key].is_string()
                            ? scope.params[key].get<std::string>()
                            : std::string();
      if (auto header = trim(req["Mcp-Name"]); header != body) return mismatch(scope, "Mcp-Name", header, body);
    }
    if (scope.method == "tools/call") {
      if (auto rejected = check_param_headers(req, scope)) return rejected;
    }
    scope.version = version;
    scope.client_capabilities = *caps;
    if (meta.contains("progressToken")) scope.progress_token = meta["progressToken"];
    if (auto level = meta.find(kMetaLogLevel); level != meta.end() && level->is_string()) {
      scope.log_level = tools::parse_log_level(level->get<std::string>());
    }
    if (std::ranges::find(kRemovedMethods, scope.method) != kRemovedMethods.end()) {
      return Outcome{http::Status::not_found,
                     make_error(scope.id, {rpc_code::method_not_found,
                                           fmt::format("Method not found: {} (removed in {})", scope.method,
                                                       kCurrentVersion)})};
    }
    return std::nullopt;
  }

  // SEP-2243: arguments a tool marks with "x-mcp-header" are mirrored in Mcp-Param-<Name> headers so intermediaries
  // can route on them; the header must agree with the body. Values that are not header-safe arrive as
  // =?base64?<standard base64 of the UTF-8 text>?=.
  std::optional<Outcome> check_param_headers(const http::Request& req, const Scope& scope) const {
    const auto name = scope.params.value("name", json());
    const auto* tool = name.is_string() ? registry.find(name.get<std::string>()) : nullptr;
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
      auto raw = trim(req[header]);
      std::string decoded(raw);
      if (raw.starts_with("=?base64?") && raw.ends_with("?=") && raw.size() >= 11) {
        crypto::Bytes bytes;
        if (!crypto::base64_decode(raw.substr(9, raw.size() - 11), bytes)) {
          return mismatch(scope, header, raw, expected);
        }
        decoded.assign(bytes.begin(), bytes.end());
      }
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
            make_error(scope.id, {rpc_code::header_mismatch,
                                  fmt::format("Header mismatch: {} is '{}' but the request body says '{}'", header, got,
                                              body),
                                  {{"mismatch", {{"header", header}, {"body", body}}}}})};
  }

  // ---- 2025 era: initialize + sessions -----------------------------------------------------------------------

  std::shared_ptr<Session> find_session(std::string_view id) {
    std::lock_guard lock(sessions_mutex);
    auto it = sessions.find(std::string(id));
    if (it == sessions.end()) return nullptr;
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
                           {rpc_code::invalid_params, "initialize requires params.protocolVersion (string)",
                            {{"supported", supported_versions()}}});
    }
    // 2026-07-28 is never negotiated through initialize; such clients get the latest session-era revision.
    const auto requested_version = requested.get<std::string>();
    const std::string version = is_session_version(requested_version) ? requested_version
                                                                      : std::string(kLatestSessionVersion);
    auto session = std::make_shared<Session>();
    session->protocol_version = version;
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
    json result = {{"protocolVersion", version}, {"capabilities", capabilities(true)}, {"serverInfo", server_info}};
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
    scope.session = find_session(session_id);
    if (!scope.session) {
      return error_outcome(http::Status::not_found, scope.id,
                           {rpc_code::server_error, "Session not found or expired; initialize again"});
    }
    scope.version = scope.session->protocol_version;
    if (auto header = req["MCP-Protocol-Version"]; !header.empty() && header != scope.version) {
      return error_outcome(http::Status::bad_request, scope.id,
                           {rpc_code::server_error,
                            fmt::format("Bad Request: MCP-Protocol-Version {} does not match the session's {}", header,
                                        scope.version),
                            {{"supported", supported_versions()}}});
    }
    scope.legacy = true;
    scope.client_capabilities = scope.session->client_capabilities;
    if (auto meta = scope.params.find("_meta"); meta != scope.params.end() && meta->is_object() &&
                                                meta->contains("progressToken")) {
      scope.progress_token = (*meta)["progressToken"];
    }
    std::lock_guard lock(scope.session->mutex);
    scope.log_level = scope.session->log_level;
    return std::nullopt;
  }

  // A client's answer to one of our requests, or a notification, in a 2025-era session.
  http::Response legacy_message(const http::Request& req, const Message& m) {
    auto session = find_session(req["Mcp-Session-Id"]);
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
                           ? registry.find(scope.params["name"].get<std::string>())
                           : nullptr;
    return tool != nullptr && tool->long_running;
  }

  http::Response post(const http::Request& req, http::RequestContext& ctx) {
    if (auto rejected = reject_foreign(req)) return *rejected;
    const auto caller = identify(req);
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
      if (!req["Mcp-Session-Id"].empty()) return legacy_message(req, m);
      return empty_reply(req, http::Status::accepted);
    }

    Scope scope;
    scope.id = m.id;
    scope.method = m.method;
    scope.request_id = ctx.request_id;
    scope.caller = caller->user_id;
    if (m.params.is_object()) scope.params = std::move(m.params);

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

    if (!should_stream(req, scope)) return json_reply(req, execute(scope));

    // Long-running tool: answer with an SSE stream now, run the tool on a job thread, and stream its progress,
    // log messages and (2025 era) requests for input before the response. A client that goes away cancels it.
    scope.stream = ctx.open_stream();
    std::string in_flight_key;
    if (scope.session) {
      in_flight_key = scope.id.dump();
      std::lock_guard lock(scope.session->mutex);
      scope.session->in_flight[in_flight_key] = scope.cancelled;
    }
    scope.stream->on_client_gone([flag = scope.cancelled] { flag->store(true); });
    jobs.post([this, scope = std::move(scope), in_flight_key]() mutable {
      auto outcome = execute(scope);
      if (scope.session) {
        std::lock_guard lock(scope.session->mutex);
        scope.session->in_flight.erase(in_flight_key);
      }
      // A cancelled request gets no response (the client has stopped waiting for it).
      if (!scope.cancelled->load()) scope.stream->send_event(dump(outcome.message));
      scope.stream->close();
    });
    http::Response head{http::Status::ok, req.version()};
    head.set(field::field::content_type, "text/event-stream");
    head.set(field::field::cache_control, "no-cache, no-transform");
    head.set("X-Accel-Buffering", "no");
    add_cors(req, head);
    return head;
  }

  http::Response method_not_allowed(const http::Request& req, std::string_view allow) const {
    auto res = json_reply(req, {http::Status::method_not_allowed,
                                make_error(nullptr, {rpc_code::server_error, "Method not allowed."})});
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
    if (auto rejected = reject_unauthenticated(req, ctx)) return *rejected;
    const auto session_id = req["Mcp-Session-Id"];
    if (session_id.empty()) return method_not_allowed(req, "POST");
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(sessions_mutex);
      if (auto it = sessions.find(std::string(session_id)); it != sessions.end()) {
        session = std::move(it->second);
        sessions.erase(it);
      }
    }
    if (!session) {
      return json_reply(req, {http::Status::not_found, make_error(nullptr, {rpc_code::server_error, "Session not found"})});
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
  router.add(http::Method::get, "/mcp", [impl](const http::Request& r, http::RequestContext& c) { return impl->get(r, c); });
  router.add(http::Method::delete_, "/mcp",
             [impl](const http::Request& r, http::RequestContext& c) { return impl->del(r, c); });
  router.add(http::Method::options, "/mcp",
             [impl](const http::Request& r, http::RequestContext&) { return impl->options_preflight(r); });
}

}  // namespace pierre::mcp
