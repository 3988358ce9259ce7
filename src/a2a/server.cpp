#include "pierre/a2a/server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "clients.hpp"
#include "compat_routes.hpp"
#include "monitor.hpp"
#include "pierre/core/job_pool.hpp"
#include "pierre/core/text.hpp"
#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "protocol.hpp"
#include "task_store.hpp"

namespace pierre::a2a {
namespace {

using json = nlohmann::json;
namespace field = boost::beast::http;

using text::lower;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

using jsonrpc::make_error;
using jsonrpc::make_result;

RpcError task_not_found(std::string_view id) {
  return {rpc_code::task_not_found, fmt::format("Task not found: {}", id), nullptr};
}

// JSON-RPC methods of v1.0 (§9.4) this agent does not offer, with the error the spec names for each.
std::optional<RpcError> unsupported_method(std::string_view method) {
  if (method == "CreateTaskPushNotificationConfig" || method == "GetTaskPushNotificationConfig" ||
      method == "ListTaskPushNotificationConfigs" || method == "DeleteTaskPushNotificationConfig") {
    return RpcError{rpc_code::push_notification_not_supported, "Push notifications are not supported", nullptr};
  }
  if (method == "GetExtendedAgentCard") {
    return RpcError{rpc_code::extended_agent_card_not_configured, "This agent has no extended agent card", nullptr};
  }
  return std::nullopt;
}

// Who is calling, as monitoring names agents: the OAuth client, the API key, or the user's own session.
std::string agent_key(const Authentication& auth) {
  if (!auth.client_id.empty()) return "oauth_client:" + auth.client_id;
  if (auth.method == Authentication::Method::api_key) return "api_key:" + auth.api_key_id;
  return "user:" + auth.identity.user_id;
}

// One task being worked on in this process: its cancel flag (read by the tool between steps) and the streams its
// events go to — the SendStreamingMessage that started it, and any SubscribeToTask (§3.1.6) that joined later.
struct Run {
  struct Listener {
    std::shared_ptr<http::EventStream> stream;
    json rpc_id;  // the streaming request's id: every event of the stream is a response to it (§9.4.2)
  };

  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::vector<Listener> listeners;
  bool closed = false;  // the task's last event went out: a late subscriber must not wait for more

  void listen(Listener listener) {
    std::lock_guard lock(mutex);
    listeners.push_back(std::move(listener));
  }
  // Adds `listener` unless the run already closed. `first` (the listener's whole first JSON-RPC response) is made
  // under the lock, so an event emitted meanwhile lands either in that snapshot or after it — never lost between a
  // subscriber's read of the task and its joining.
  template <class First>
  bool join(Listener listener, First&& first) {
    std::lock_guard lock(mutex);
    if (closed) return false;
    listener.stream->send_event(first().dump(), "");
    listeners.push_back(std::move(listener));
    return true;
  }
  void emit(const json& stream_response) {
    std::lock_guard lock(mutex);
    // A subscriber that went away stops costing a serialisation; the task itself runs on (§3.5.2).
    std::erase_if(listeners, [&](const Listener& l) {
      return !l.stream->send_event(make_result(l.rpc_id, stream_response).dump(), "");
    });
  }
  void close() {
    std::lock_guard lock(mutex);
    closed = true;
    for (const auto& l : listeners) l.stream->close();
    listeners.clear();
  }
};

// ListTasks' page size (ListTasksRequest.page_size): 50 when unspecified, at most 100.
constexpr std::int64_t kDefaultListPageSize = 50;
constexpr std::int64_t kMaxListPageSize = 100;

// One answer for every token we cannot continue (garbage, tampered, another caller's, other filters): telling them
// apart would only help someone probing the tokens.
RpcError bad_page_token() {
  return invalid_params("pageToken", "is not a nextPageToken this agent issued to this caller for the same filters");
}

std::optional<TaskState> state_from_wire(std::string_view name) {
  for (const auto state : {TaskState::submitted, TaskState::working, TaskState::input_required, TaskState::completed,
                           TaskState::failed, TaskState::canceled, TaskState::rejected}) {
    if (wire_name(state) == name) return state;
  }
  return std::nullopt;
}

struct Call {
  json id;  // the JSON-RPC request id (string or number)
  std::string method;
  json params;
  Owner owner;
  std::vector<std::string> scopes;  // what the caller's credential grants
};

// The scopes a tool call needs, as on /mcp: mcp:read for every tool, mcp:write too for one that is not read-only.
std::optional<RpcError> missing_scope(const tools::ToolDefinition& tool, const std::vector<std::string>& held) {
  std::vector<std::string> needed{"mcp:read"};
  if (!tool.annotations.read_only) needed.emplace_back("mcp:write");
  for (const auto& scope : needed) {
    if (std::ranges::find(held, scope) != held.end()) continue;
    return RpcError{rpc_code::server_error,
                    fmt::format("insufficient scope: {} needs {}", tool.name, fmt::join(needed, " ")),
                    json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                  {"reason", "INSUFFICIENT_SCOPE"},
                                  {"domain", "pierre"}}})};
  }
  return std::nullopt;
}

}  // namespace

struct Server::Impl {
  store::Database& db;
  const tools::Registry& registry;
  auth::UserService& users;
  ServerOptions options;
  TaskStore tasks;
  ClientRegistry clients;
  ClientQuotas quotas;
  std::vector<Skill> skills;
  std::string card_text;
  Monitor monitor;
  std::mutex runs_mutex;
  std::map<std::string, std::shared_ptr<Run>, std::less<>> runs;
  // Last: destroyed first, so queued tasks finish while everything they use still exists.
  JobPool jobs;

  Impl(store::Database& d, const tools::Registry& r, auth::UserService& u, oauth2::AuthorizationServer& oauth,
       store::CursorCodec task_cursors, ServerOptions o)
      : db(d),
        registry(r),
        users(u),
        options(std::move(o)),
        tasks(d, std::move(task_cursors)),
        clients(d, oauth),
        quotas(clients, options.quotas),
        skills(skills_of(r)),
        jobs(options.job_threads) {
    card_text = agent_card({.name = options.agent_name,
                            .description = options.agent_description,
                            .version = options.version,
                            .base_url = options.base_url,
                            .endpoint_url = options.base_url + "/a2a/jsonrpc",
                            .documentation_url = {},
                            .oauth_scopes = options.oauth_scopes},
                           skills)
                    .dump();
  }

  // ---- HTTP entry points -----------------------------------------------------------------------------------------

  http::Response get_card(const http::Request& req) const {
    http::Response res{http::Status::ok, req.version()};
    res.set(field::field::content_type, "application/json");
    // §8.6: cards may be cached; they change only with a deployment.
    res.set(field::field::cache_control, "public, max-age=300");
    res.set(field::field::access_control_allow_origin, "*");
    res.body() = card_text;
    res.prepare_payload();
    return res;
  }

  http::Response post_rpc(const http::Request& req, http::RequestContext& ctx) {
    const auto identity = rest::caller(ctx);
    if (!identity) return http::error_response(identity.error(), req, ctx);
    const auto admission = quotas.admit(req, ctx);
    if (admission.refused) return *admission.refused;
    if (!lower(req[field::field::content_type]).starts_with("application/json")) {
      return http::error_response(
          Error{ErrorCode::unsupported_media_type, "POST /a2a/jsonrpc needs Content-Type: application/json"}, req, ctx);
    }
    const auto started = std::chrono::steady_clock::now();
    const auto agent = agent_key(*ctx.auth);
    bool failed = false;
    auto reply = [&](json body) {
      failed = body.contains("error");
      return http::json_response(http::Status::ok, body, req);
    };
    auto response = [&]() -> http::Response {
      auto envelope = parse_envelope(req.body());
      if (auto* error = std::get_if<json>(&envelope)) return reply(std::move(*error));
      auto& call = std::get<Call>(envelope);
      call.owner = {identity->tenant_id, identity->user_id};
      call.scopes = identity->scopes;
      // §3.6.2: requests name the version they speak; we speak 1.0. A request without the header is served as 1.0
      // too (clients built for 1.0 that omit it, and curl), rather than as 0.3 which we do not speak.
      const auto version = trim(req["A2A-Version"]);
      if (!version.empty() && version != "1.0" && version != "1") {
        return reply(make_error(
            call.id, {rpc_code::version_not_supported,
                      fmt::format("A2A version {} is not supported; this agent speaks 1.0", version.substr(0, 16)),
                      json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                    {"reason", "VERSION_NOT_SUPPORTED"},
                                    {"domain", "a2a-protocol.org"},
                                    {"metadata", {{"supportedVersions", "1.0"}}}}})}));
      }
      if (call.method == "SendStreamingMessage" || call.method == "SubscribeToTask") {
        auto streamed = call.method == "SubscribeToTask" ? subscribe_to_task(call, ctx) : send_message(call, &ctx);
        if (auto* head = std::get_if<http::Response>(&streamed)) {
          (*head).version(req.version());
          return std::move(*head);
        }
        return reply(std::move(std::get<json>(streamed)));
      }
      return reply(dispatch(call));
    }();
    const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    monitor.record(identity->tenant_id, agent, failed, elapsed.count());
    admission.annotate(response);
    return response;
  }

  // The JSON-RPC 2.0 envelope (core's strict parser: one object, depth-limited), or the error response for it.
  static std::variant<Call, json> parse_envelope(std::string_view body) {
    auto parsed = jsonrpc::parse_message(body);
    if (auto* failure = std::get_if<jsonrpc::ParseFailure>(&parsed)) return make_error(failure->id, failure->error);
    auto& message = std::get<jsonrpc::Message>(parsed);
    // Every A2A method answers, so a notification (no id) or a response is not one of ours.
    if (message.kind != jsonrpc::Message::Kind::request) {
      return make_error(message.id,
                        {rpc_code::invalid_request, "Invalid Request: an A2A call is a request with an id"});
    }
    Call call;
    call.id = message.id;
    call.method = std::move(message.method);
    if (message.params.is_null()) {
      call.params = json::object();
    } else if (!message.params.is_object()) {
      return make_error(call.id, invalid_params("params", "must be an object"));
    } else {
      call.params = std::move(message.params);
    }
    return call;
  }

  json dispatch(const Call& call) {
    try {
      if (call.method == "SendMessage") return std::get<json>(send_message(call, nullptr));
      if (call.method == "GetTask") return get_task(call);
      if (call.method == "ListTasks") return list_tasks(call);
      if (call.method == "CancelTask") return cancel_task(call);
      if (auto unsupported = unsupported_method(call.method)) return make_error(call.id, *unsupported);
      return make_error(call.id,
                        {rpc_code::method_not_found, fmt::format("Method not found: {}", call.method.substr(0, 64))});
    } catch (const std::exception& e) {
      spdlog::error("a2a {} failed: {}", call.method, e.what());
      return make_error(call.id, {rpc_code::internal_error, "Internal error"});
    }
  }

  // ---- methods ---------------------------------------------------------------------------------------------------

  // SendMessage / SendStreamingMessage (§3.1.1, §3.1.2). With `ctx` (streaming) the answer is the SSE response head
  // and the events follow on the stream; otherwise a JSON-RPC response body.
  std::variant<json, http::Response> send_message(const Call& call, http::RequestContext* ctx) {
    auto parsed = parse_send_params(call.params);
    if (auto* error = std::get_if<RpcError>(&parsed)) return make_error(call.id, *error);
    auto& request = std::get<Request>(parsed);
    std::optional<std::size_t> history_length;
    bool return_immediately = false;
    if (call.params.contains("configuration") && !call.params["configuration"].is_null()) {
      const auto& configuration = call.params["configuration"];
      if (!configuration.is_object()) {
        return make_error(call.id, invalid_params("configuration", "must be an object"));
      }
      if (configuration.contains("historyLength")) {
        const auto& n = configuration["historyLength"];
        if (!n.is_number_integer() || n.get<std::int64_t>() < 0) {
          return make_error(call.id, invalid_params("configuration.historyLength", "must be a non-negative integer"));
        }
        history_length = n.get<std::size_t>();
      }
      if (configuration.contains("returnImmediately")) {
        if (!configuration["returnImmediately"].is_boolean()) {
          return make_error(call.id, invalid_params("configuration.returnImmediately", "must be a boolean"));
        }
        return_immediately = configuration["returnImmediately"].get<bool>();
      }
    }

    // A text that is exactly a tool's name runs that tool without arguments.
    if (!request.tool && request.task_id.empty()) {
      const auto text = trim(request.text);
      if (registry.contains(text)) request.tool = text;
    }
    if (request.tool && !registry.contains(*request.tool)) {
      return make_error(call.id, unknown_tool(*request.tool));
    }

    Task task;
    if (!request.task_id.empty()) {
      // §3.4.2: a message with a taskId continues that task — here, one waiting for arguments.
      auto stored = tasks.get(call.owner, request.task_id);
      if (!stored) return make_error(call.id, to_rpc_error(stored.error()));
      if (!*stored) return make_error(call.id, task_not_found(request.task_id));
      task = std::move(**stored);
      if (task.state != TaskState::input_required) {
        return make_error(
            call.id,
            {rpc_code::unsupported_operation,
             fmt::format("Task {} is {} and takes no further messages", task.id, wire_name(task.state)), nullptr});
      }
      if (request.tool && *request.tool != task.tool) {
        return make_error(call.id, invalid_params("message.parts", fmt::format("task {} runs {}, not {}", task.id,
                                                                               task.tool, *request.tool)));
      }
      if (!request.context_id.empty() && request.context_id != task.context_id) {
        return make_error(call.id, invalid_params("message.contextId", "does not match the task's context"));
      }
      for (const auto& [k, v] : request.arguments.items()) task.arguments[k] = v;
    } else if (!request.tool) {
      // Nothing to run: answer with what this agent can do, as a Message (no task: §3.1.1 allows either).
      const auto answer = agent_message(help_text(skills), request.context_id, {});
      if (ctx == nullptr) return make_result(call.id, {{"message", answer}});
      auto run = std::make_shared<Run>();
      auto head = open_stream(*ctx, run, call.id);
      run->emit({{"message", answer}});
      run->close();
      return head;
    } else {
      task.id = new_id("tsk");
      task.context_id = request.context_id.empty() ? new_id("ctx") : request.context_id;
      task.user_id = call.owner.user_id;
      task.tool = *request.tool;
      task.arguments = request.arguments;
      task.created_at_ms = now_epoch_ms();
    }
    auto message = request.message;
    message["taskId"] = task.id;
    message["contextId"] = task.context_id;
    task.history.push_back(std::move(message));
    task.updated_at_ms = now_epoch_ms();

    const auto* tool = registry.find(task.tool);
    if (auto refused = missing_scope(*tool, call.scopes)) return make_error(call.id, *refused);
    const auto missing = missing_arguments(*tool, task.arguments);
    const bool is_new = task.state != TaskState::input_required;
    if (!missing.empty()) {
      // §6.3 multi-turn: ask for the missing arguments and wait (input_required is interrupted, not terminal).
      task.state = TaskState::input_required;
      task.status_message = agent_message(missing, task.context_id, task.id);
    } else {
      task.state = TaskState::submitted;
      task.status_message = nullptr;
    }
    if (is_new) {
      if (auto created = tasks.create(call.owner, task); !created)
        return make_error(call.id, to_rpc_error(created.error()));
    } else {
      auto updated = tasks.update(call.owner, task);
      if (!updated) return make_error(call.id, to_rpc_error(updated.error()));
      if (!*updated) {
        return make_error(call.id,
                          {rpc_code::unsupported_operation,
                           fmt::format("Task {} ended meanwhile and takes no further messages", task.id), nullptr});
      }
    }

    auto run = std::make_shared<Run>();
    std::optional<http::Response> head;
    if (ctx != nullptr) {
      head = open_stream(*ctx, run, call.id);
      run->emit({{"task", task_json(task, history_length)}});
    }
    if (task.state == TaskState::input_required) {
      run->close();
      if (head) return std::move(*head);
      return make_result(call.id, {{"task", task_json(task, history_length)}});
    }
    {
      std::lock_guard lock(runs_mutex);
      runs[task.id] = run;
    }
    // Quick tools answer a blocking SendMessage inline, as MCP answers quick tools/call (no thread hop); streams,
    // long-running tools and returnImmediately run on the job pool so the I/O thread is free at once.
    if (ctx == nullptr && !return_immediately && !tool->long_running) {
      execute(call.owner, task, run);
      auto final_task = tasks.get(call.owner, task.id);
      if (!final_task) return make_error(call.id, to_rpc_error(final_task.error()));
      if (!*final_task) return make_error(call.id, task_not_found(task.id));
      return make_result(call.id, {{"task", task_json(**final_task, history_length)}});
    }
    jobs.post([this, owner = call.owner, task, run]() mutable { execute(owner, std::move(task), run); });
    if (head) return std::move(*head);
    return make_result(call.id, {{"task", task_json(task, history_length)}});
  }

  // The task `params.id` names, when the caller owns it; else the JSON-RPC error to answer with: -32602 without an
  // id, -32001 for an unknown task and for anyone else's (the two look the same).
  std::expected<Task, json> owned_task(const Call& call) {
    if (!call.params.contains("id") || !call.params["id"].is_string()) {
      return std::unexpected(make_error(call.id, invalid_params("id", "the task id (a string) is required")));
    }
    const auto id = call.params["id"].get<std::string>();
    auto stored = tasks.get(call.owner, id);
    if (!stored) return std::unexpected(make_error(call.id, to_rpc_error(stored.error())));
    if (!*stored) return std::unexpected(make_error(call.id, task_not_found(id)));
    return std::move(**stored);
  }

  json get_task(const Call& call) {
    if (!call.params.contains("id") || !call.params["id"].is_string()) {
      return make_error(call.id, invalid_params("id", "the task id (a string) is required"));
    }
    std::optional<std::size_t> history_length;
    if (call.params.contains("historyLength") && !call.params["historyLength"].is_null()) {
      const auto& n = call.params["historyLength"];
      if (!n.is_number_integer() || n.get<std::int64_t>() < 0) {
        return make_error(call.id, invalid_params("historyLength", "must be a non-negative integer"));
      }
      history_length = n.get<std::size_t>();
    }
    auto task = owned_task(call);
    if (!task) return task.error();
    return make_result(call.id, task_json(*task, history_length));
  }

  // ListTasks (§3.1.4; ListTasksRequest / ListTasksResponse in a2a.proto): the caller's own tasks — tenant and user
  // come from the credential, never from params — most recently updated first, keyset-paged with signed tokens.
  json list_tasks(const Call& call) {
    const auto& p = call.params;
    const auto given = [&](const char* name) { return p.contains(name) && !p[name].is_null(); };
    TaskFilter filter;
    // `tenant` (a routing value of the AgentInterface) is accepted and ignored: the credential decides the tenant.
    if (given("tenant") && !p["tenant"].is_string()) {
      return make_error(call.id, invalid_params("tenant", "must be a string"));
    }
    if (given("contextId")) {
      if (!p["contextId"].is_string()) return make_error(call.id, invalid_params("contextId", "must be a string"));
      // ProtoJSON: an empty string is the field's default, i.e. no filter.
      if (auto context = p["contextId"].get<std::string>(); !context.empty()) filter.context_id = std::move(context);
    }
    bool matches_nothing = false;
    if (given("status")) {
      if (!p["status"].is_string()) {
        return make_error(call.id, invalid_params("status", "must be a TaskState name such as TASK_STATE_WORKING"));
      }
      const auto name = p["status"].get<std::string>();
      if (name == "TASK_STATE_AUTH_REQUIRED") {
        matches_nothing = true;  // a valid state this agent never enters
      } else if (!name.empty() && name != "TASK_STATE_UNSPECIFIED") {
        filter.state = state_from_wire(name);
        if (!filter.state) {
          return make_error(call.id,
                            invalid_params("status", fmt::format("'{}' is not a TaskState; use one of "
                                                                 "TASK_STATE_SUBMITTED, TASK_STATE_WORKING, "
                                                                 "TASK_STATE_INPUT_REQUIRED, TASK_STATE_COMPLETED, "
                                                                 "TASK_STATE_FAILED, TASK_STATE_CANCELED, "
                                                                 "TASK_STATE_REJECTED, TASK_STATE_AUTH_REQUIRED",
                                                                 name.substr(0, 64))));
        }
      }
    }
    std::int64_t page_size = kDefaultListPageSize;
    if (given("pageSize")) {
      const auto& n = p["pageSize"];
      if (!n.is_number_integer() || n.get<std::int64_t>() < 1 || n.get<std::int64_t>() > kMaxListPageSize) {
        return make_error(call.id, invalid_params("pageSize", fmt::format("must be an integer from 1 to {}, got {}",
                                                                          kMaxListPageSize, n.dump().substr(0, 32))));
      }
      page_size = n.get<std::int64_t>();
    }
    std::string page_token;
    if (given("pageToken")) {
      if (!p["pageToken"].is_string()) return make_error(call.id, invalid_params("pageToken", "must be a string"));
      page_token = p["pageToken"].get<std::string>();
    }
    std::optional<std::size_t> history_length;
    if (given("historyLength")) {
      const auto& n = p["historyLength"];
      if (!n.is_number_integer() || n.get<std::int64_t>() < 0) {
        return make_error(call.id, invalid_params("historyLength", "must be a non-negative integer"));
      }
      history_length = n.get<std::size_t>();
    }
    if (given("statusTimestampAfter")) {
      const auto& t = p["statusTimestampAfter"];
      const auto ms = t.is_string() ? parse_rfc3339_ms(t.get<std::string>()) : std::nullopt;
      if (!ms) {
        return make_error(call.id, invalid_params("statusTimestampAfter",
                                                  "must be an RFC 3339 timestamp such as 2026-11-27T08:00:00Z"));
      }
      filter.updated_since_ms = *ms;
    }
    bool include_artifacts = false;
    if (given("includeArtifacts")) {
      if (!p["includeArtifacts"].is_boolean()) {
        return make_error(call.id, invalid_params("includeArtifacts", "must be a boolean"));
      }
      include_artifacts = p["includeArtifacts"].get<bool>();
    }

    TaskPage page;
    if (!matches_nothing) {
      auto listed = tasks.list(call.owner, filter, static_cast<std::size_t>(page_size), page_token);
      if (!listed) {
        if (listed.error().code == ErrorCode::invalid_cursor) {
          return make_error(call.id, bad_page_token());
        }
        return make_error(call.id, to_rpc_error(listed.error()));
      }
      page = std::move(*listed);
    } else if (!page_token.empty()) {
      // No page of an empty list was ever issued, so no token can continue one.
      return make_error(call.id, bad_page_token());
    }
    json listed = json::array();
    for (const auto& task : page.tasks) {
      auto out = task_json(task, history_length);
      // §3.1.4: without includeArtifacts the field is omitted entirely; with it, present even when empty.
      if (include_artifacts) {
        out["artifacts"] = task.artifacts;
      } else {
        out.erase("artifacts");
      }
      listed.push_back(std::move(out));
    }
    return make_result(call.id, {{"tasks", std::move(listed)},
                                 {"nextPageToken", page.next_page_token},
                                 {"pageSize", page_size},
                                 {"totalSize", page.total_size}});
  }

  // SubscribeToTask (§3.1.6, §9.4.6): the Task as it is now as the first event, then its status and artifact updates
  // on the same SSE machinery SendStreamingMessage uses, until it ends. A finished task has nothing to follow:
  // UnsupportedOperationError, as the spec names for a terminal task.
  std::variant<json, http::Response> subscribe_to_task(const Call& call, http::RequestContext& ctx) {
    auto stored = owned_task(call);
    if (!stored) return stored.error();
    const auto id = stored->id;
    if (is_terminal(stored->state)) {
      return make_error(call.id, {rpc_code::unsupported_operation,
                                  fmt::format("Task {} is {} and sends no more updates; read it with GetTask", id,
                                              wire_name(stored->state)),
                                  nullptr});
    }
    std::shared_ptr<Run> run;
    {
      std::lock_guard lock(runs_mutex);
      if (auto it = runs.find(id); it != runs.end()) run = it->second;
    }
    Run::Listener listener{ctx.open_stream(), call.id};
    // Read again when joining: the task may have moved on since the check above.
    auto snapshot = [&]() -> json {
      auto now = tasks.get(call.owner, id);
      if (!now) return make_error(call.id, to_rpc_error(now.error()));
      if (!*now) return make_error(call.id, task_not_found(id));
      return make_result(call.id, {{"task", task_json(**now)}});
    };
    if (!run || !run->join(listener, snapshot)) {
      // Nothing runs it here: it waits for input (the stream ends at that interruption, as SendStreamingMessage's
      // does — the client answers with a message), it ended a moment ago, or another instance runs it. The current
      // Task is all this stream can tell.
      listener.stream->send_event(snapshot().dump(), "");
      listener.stream->close();
    }
    return sse_head();
  }

  // §3.1.5: a task that is not terminal becomes canceled; the tool, if it runs, sees its cancel flag and stops.
  json cancel_task(const Call& call) {
    auto stored = owned_task(call);
    if (!stored) return stored.error();
    auto task = std::move(*stored);
    const auto id = task.id;
    auto not_cancelable = [&](const Task& t) {
      return make_error(call.id,
                        {rpc_code::task_not_cancelable,
                         fmt::format("Task {} is {} and cannot be canceled", t.id, wire_name(t.state)), nullptr});
    };
    if (is_terminal(task.state)) return not_cancelable(task);
    task.state = TaskState::canceled;
    task.status_message = agent_message("Canceled at the client's request.", task.context_id, task.id);
    task.updated_at_ms = now_epoch_ms();
    auto updated = tasks.update(call.owner, task);
    if (!updated) return make_error(call.id, to_rpc_error(updated.error()));
    if (!*updated) {
      // It ended meanwhile: report the state it reached.
      auto now = tasks.get(call.owner, id);
      if (now && *now) return not_cancelable(**now);
      return make_error(call.id, task_not_found(id));
    }
    std::shared_ptr<Run> run;
    {
      std::lock_guard lock(runs_mutex);
      if (auto it = runs.find(id); it != runs.end()) run = it->second;
    }
    if (run) {
      run->cancelled.store(true);
      run->emit({{"statusUpdate", status_update_json(task)}});
      run->close();
    }
    finished(call.owner, task);
    return make_result(call.id, task_json(task));
  }

  // ---- running a task --------------------------------------------------------------------------------------------

  // Runs the task's tool for its owner, records each transition and streams it when a client listens.
  void execute(const Owner& owner, Task task, const std::shared_ptr<Run>& run) {
    auto forget = [&] {
      run->close();
      std::lock_guard lock(runs_mutex);
      runs.erase(task.id);
    };
    try {
      task.state = TaskState::working;
      task.updated_at_ms = now_epoch_ms();
      auto started = tasks.update(owner, task);
      if (!started || !*started) {  // canceled before it started, or the store failed
        if (!started) spdlog::error("a2a task {}: {}", task.id, started.error().message);
        return forget();
      }
      run->emit({{"statusUpdate", status_update_json(task)}});

      tools::CallContext context;
      context.request_id = task.id;
      context.user_id = owner.user_id;
      context.tenant_id = owner.tenant_id;
      context.cancelled = &run->cancelled;
      context.progress = [&](double progress, std::optional<double> total, std::string_view text) {
        // Progress travels as working status updates with a message (§4.2.1).
        Task snapshot = task;
        snapshot.status_message =
            agent_message(text.empty() ? (total ? fmt::format("{}/{}", progress, *total) : fmt::format("{}", progress))
                                       : std::string(text),
                          task.context_id, task.id);
        run->emit({{"statusUpdate", status_update_json(snapshot)}});
      };
      auto result = registry.call(task.tool, task.arguments, context);
      if (run->cancelled.load()) return forget();  // CancelTask recorded and announced the end
      json artifact;
      if (!result) {
        task.state = TaskState::failed;
        task.status_message = agent_message(to_rpc_error(result.error()).message, task.context_id, task.id);
      } else if (result->input_required || result->continue_as_task) {
        // Interactive input (elicitation) and MCP tasks are MCP features; over A2A the tool cannot finish.
        task.state = TaskState::failed;
        task.status_message =
            agent_message(fmt::format("{} needs interactive input, which it asks for over MCP only", task.tool),
                          task.context_id, task.id);
      } else if (result->is_error) {
        task.state = TaskState::failed;
        task.status_message = agent_message(result->text, task.context_id, task.id);
      } else {
        task.state = TaskState::completed;
        json parts = json::array();
        if (!result->structured.is_null())
          parts.push_back({{"data", result->structured}, {"mediaType", "application/json"}});
        if (!result->text.empty()) parts.push_back({{"text", result->text}});
        if (parts.empty()) parts.push_back({{"data", result->content_blocks()}});
        artifact = {{"artifactId", new_id("art")}, {"name", task.tool}, {"parts", std::move(parts)}};
        task.artifacts.push_back(artifact);
        task.status_message = nullptr;
      }
      task.updated_at_ms = now_epoch_ms();
      auto ended = tasks.update(owner, task);
      if (!ended) spdlog::error("a2a task {}: {}", task.id, ended.error().message);
      if (ended && *ended) {
        if (!artifact.is_null()) run->emit({{"artifactUpdate", artifact_update_json(task, artifact)}});
        run->emit({{"statusUpdate", status_update_json(task)}});
        finished(owner, task);
      }
    } catch (const std::exception& e) {
      // A bug must cost one task, not the process (an exception leaving a job thread would end it).
      spdlog::error("a2a task {} failed: {}", task.id, e.what());
      task.state = TaskState::failed;
      task.status_message = agent_message("Internal error", task.context_id, task.id);
      task.updated_at_ms = now_epoch_ms();
      if (auto ended = tasks.update(owner, task); ended && *ended) {
        run->emit({{"statusUpdate", status_update_json(task)}});
      }
    }
    forget();
  }

  // The user's event stream hears that one of their tasks ended.
  void finished(const Owner& owner, const Task& task) const {
    if (options.events == nullptr) return;
    options.events->publish(
        {owner.tenant_id,
         owner.user_id,
         "a2a_message",
         {{"task_id", task.id}, {"context_id", task.context_id}, {"tool", task.tool}, {"state", wire_name(task.state)}},
         0,
         0});
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  static http::Response open_stream(http::RequestContext& ctx, const std::shared_ptr<Run>& run, const json& rpc_id) {
    run->listen({ctx.open_stream(), rpc_id});
    return sse_head();
  }

  // A client that goes away does not cancel the task (§3.5.2): it runs on and can be polled with GetTask.
  static http::Response sse_head() {
    http::Response head{http::Status::ok, 11};
    head.set(field::field::content_type, "text/event-stream");
    head.set(field::field::cache_control, "no-cache, no-transform");
    head.set("X-Accel-Buffering", "no");
    return head;
  }

  RpcError unknown_tool(const std::string& name) const {
    for (const auto& skill : skills) {
      if (skill.id != name) continue;
      std::string tools;
      for (const auto& t : skill.tools) tools += (tools.empty() ? "" : ", ") + t;
      return invalid_params("message.parts.data.tool",
                            fmt::format("'{}' is a skill; name one of its tools: {}", skill.id, tools));
    }
    return invalid_params(
        "message.parts.data.tool",
        fmt::format("no tool or skill named '{}'; the agent card lists the skills", name.substr(0, 128)));
  }

  // The required arguments (inputSchema.required) the caller has not given, as a request for them; empty when none.
  static std::string missing_arguments(const tools::ToolDefinition& tool, const json& arguments) {
    const auto& schema = tool.input_schema;
    if (!schema.is_object() || !schema.contains("required") || !schema["required"].is_array()) return {};
    std::string missing;
    for (const auto& name : schema["required"]) {
      if (!name.is_string() || arguments.contains(name.get<std::string>())) continue;
      const auto key = name.get<std::string>();
      std::string description;
      if (schema.contains("properties") && schema["properties"].contains(key)) {
        description = schema["properties"][key].value("description", std::string());
      }
      missing += fmt::format("\n- {}{}{}", key, description.empty() ? "" : ": ", description);
    }
    if (missing.empty()) return {};
    return fmt::format(
        "{} needs these arguments:{}\nReply in this task (taskId) with a data part {{\"arguments\": {{…}}}}.",
        tool.name, missing);
  }
};

Server::Server(store::Database& db, const tools::Registry& registry, auth::UserService& users,
               oauth2::AuthorizationServer& oauth, store::CursorCodec task_cursors, ServerOptions options)
    : impl_(std::make_unique<Impl>(db, registry, users, oauth, std::move(task_cursors), std::move(options))) {}

Server::~Server() = default;

void Server::register_routes(http::Router& router) {
  router.add(
      http::Method::get, "/.well-known/agent-card.json",
      [this](const http::Request& req, http::RequestContext&) { return impl_->get_card(req); }, "A2A agent card");
  router.add(
      http::Method::post, "/a2a/jsonrpc",
      [this](const http::Request& req, http::RequestContext& ctx) { return impl_->post_rpc(req, ctx); },
      "A2A JSON-RPC (SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask, SubscribeToTask)");
  register_compat_routes(
      router, {impl_->registry, impl_->monitor, impl_->clients, impl_->quotas, impl_->users, impl_->options.base_url});
}

}  // namespace pierre::a2a
