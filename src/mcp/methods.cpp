#include "methods.hpp"

#include "pierre/core/time.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/crypto/primitives.hpp"
#include "request_state.hpp"
#include "tasks.hpp"

namespace pierre::mcp {
namespace {

constexpr int kMaxInputRounds = 8;
constexpr std::chrono::hours kTaskTtl{1};
constexpr std::size_t kMaxTasks = 10000;
constexpr int kTaskPollIntervalMs = 250;
constexpr std::size_t kMaxCompletionValues = 100;

// The capability a server→client input request needs the client to have declared.
std::string_view capability_for(std::string_view method) {
  if (method == "elicitation/create") return "elicitation";
  if (method == "sampling/createMessage") return "sampling";
  if (method == "roots/list") return "roots";
  return {};
}

}  // namespace

struct Methods::Impl {
  const tools::Registry& registry;
  const tools::Catalog& catalog;
  EndpointOptions options;
  JobPool& jobs;
  RequestStateSealer sealer;
  json server_info;
  TaskStore tasks{kTaskTtl, kMaxTasks};

  Impl(const tools::Registry& r, const tools::Catalog& c, const EndpointOptions& o, JobPool& j)
      : registry(r),
        catalog(c),
        options(o),
        jobs(j),
        sealer(o.request_state_key.empty() ? crypto::random_bytes(32) : o.request_state_key) {
    server_info = {{"name", options.server_name}, {"version", options.server_version}};
    cache_tool_pages();
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
    return {{"tools", json::object()},       {"resources", json::object()},
            {"prompts", json::object()},     {"logging", json::object()},
            {"completions", json::object()}, {"extensions", {{kTasksExtension, json::object()}}}};
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
    const auto status =
        !scope.legacy && error.code == ErrorCode::capability_missing ? http::Status::bad_request : http::Status::ok;
    return {status, make_error(scope.id, rpc)};
  }

  // ---- lists ------------------------------------------------------------------------------------------------

  // Offset cursors: opaque to clients, and a list is fixed for the life of the process.
  // The offset a list request starts at: 0, or what a cursor we minted says.
  static Result<std::size_t> page_offset(const json& params, std::size_t total) {
    if (!params.is_object() || !params.contains("cursor") || params["cursor"].is_null()) return 0;
    crypto::Bytes raw;
    const auto& cursor = params["cursor"];
    if (!cursor.is_string() || !crypto::base64url_decode(cursor.get<std::string>(), raw) || raw.size() != 4) {
      return fail(ErrorCode::invalid_cursor, "Invalid cursor");
    }
    const auto offset = (std::size_t{raw[0]} << 24) | (std::size_t{raw[1]} << 16) | (std::size_t{raw[2]} << 8) | raw[3];
    if (offset == 0 || offset >= total) return fail(ErrorCode::invalid_cursor, "Invalid cursor");
    return offset;
  }

  static std::string cursor_for(std::size_t offset) {
    const crypto::Bytes next{static_cast<std::uint8_t>(offset >> 24), static_cast<std::uint8_t>(offset >> 16),
                             static_cast<std::uint8_t>(offset >> 8), static_cast<std::uint8_t>(offset)};
    return crypto::base64url_encode(next);
  }

  Result<json> page(const std::vector<json>& all, const char* key, const json& params) const {
    const auto offset = page_offset(params, all.size());
    if (!offset) return std::unexpected(offset.error());
    const auto end = std::min(all.size(), *offset + options.page_size);
    json result = {{key, json(std::vector<json>(all.begin() + static_cast<std::ptrdiff_t>(*offset),
                                                all.begin() + static_cast<std::ptrdiff_t>(end)))}};
    if (end < all.size()) result["nextCursor"] = cursor_for(end);
    return result;
  }

  // tools/list is the hottest call there is and its pages never change while the process runs: they are
  // serialised once, and a response is assembled around the cached text.
  std::vector<std::string> tool_pages;  // by page number
  std::string server_info_json;

  void cache_tool_pages() {
    const auto& all = registry.descriptors();
    server_info_json = dump(server_info);
    for (std::size_t offset = 0; offset == 0 || offset < all.size(); offset += options.page_size) {
      const auto end = std::min(all.size(), offset + options.page_size);
      std::string page = R"({"tools":)" + dump(json(std::vector<json>(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                                                      all.begin() + static_cast<std::ptrdiff_t>(end))));
      if (end < all.size()) page += R"(,"nextCursor":")" + cursor_for(end) + '"';
      tool_pages.push_back(std::move(page));
    }
  }

  std::optional<Outcome> cached_tools_list(const Scope& scope) const {
    const auto offset = page_offset(scope.params, registry.size());
    if (!offset || options.page_size == 0 || *offset % options.page_size != 0)
      return std::nullopt;  // slow path says why
    const auto& page = tool_pages.at(*offset / options.page_size);
    std::string body;
    body.reserve(page.size() + server_info_json.size() + 160);
    body += R"({"jsonrpc":"2.0","id":)";
    body += dump(scope.id);
    body += R"(,"result":)";
    body += page;
    if (!scope.legacy) {
      body += fmt::format(R"(,"resultType":"complete","ttlMs":{},"cacheScope":"private","_meta":{{"{}":{}}})",
                          std::chrono::duration_cast<std::chrono::milliseconds>(options.list_ttl).count(),
                          kMetaServerInfo, server_info_json);
    }
    body += "}}";
    Outcome out;
    out.serialized = std::move(body);
    return out;
  }

  // ---- tools, prompts, resources ------------------------------------------------------------------------------

  tools::CallContext call_context(const Scope& scope) const {
    tools::CallContext call;
    call.request_id = scope.request_id;
    call.user_id = scope.caller;
    call.tenant_id = scope.tenant;
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
        scope.notify(
            make_notification("notifications/message", {{"level", tools::log_level_name(level)}, {"data", data}}));
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
      if (it->is_string()) state = sealer.open(scope.caller, scope.method, name, it->get<std::string>());
      if (!state) return fail(ErrorCode::invalid_input, "requestState integrity check failed");
      call.request_state = std::move(*state);
    }
    return {};
  }

  // Whatever the tool asks of the client must be something the client said it can do.
  static Result<void> check_input_capabilities(const Scope& scope, const tools::InputRequired& input) {
    for (const auto& [key, request] : input.requests.items()) {
      const auto capability = capability_for(string_field(request, "method"));
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
                        {"method", string_field(request, "method")},
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
                                    string_field(message.value("error", json::object()), "message")));
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

  static json tool_result(tools::CallResult&& outcome) {
    json result = json::object();
    result["content"] = outcome.content.is_array() ? std::move(outcome.content) : outcome.content_blocks();
    result["isError"] = outcome.is_error;
    if (!outcome.is_error && !outcome.structured.is_null()) result["structuredContent"] = std::move(outcome.structured);
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
      return std::unexpected(tasks_capability_missing(fmt::format(
          "tool {} runs as a task: declare the {} extension in clientCapabilities", name, kTasksExtension)));
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
      if (!outcome->input_required) return finish(scope, tool_result(std::move(*outcome)));
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
      try {
        run_task(*task, name, arguments, call, capabilities);
      } catch (const std::exception& e) {
        // A bug must cost one task, not the process (an exception leaving a job thread would end it).
        spdlog::error("task {} ({}) failed: {}", task->id, name, e.what());
        std::lock_guard lock(task->mutex);
        if (!task->terminal()) {
          task->status = Task::Status::failed;
          task->error = {{"code", rpc_code::internal_error}, {"message", "internal error"}};
          task->updated = std::chrono::system_clock::now();
        }
      }
    });
    return finish(scope, std::move(created));
  }

  json task_envelope(Task& task) const {
    std::lock_guard lock(task.mutex);
    return {{"taskId", task.id},
            {"status", status_name(task.status)},
            {"createdAt", iso8601_millis(task.created)},
            {"lastUpdatedAt", iso8601_millis(task.updated)},
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
        return settle(Task::Status::completed, tool_result(std::move(*outcome)), nullptr);
      }
      const auto input = *outcome->input_required;
      if (auto allowed = check_input_capabilities(scope, input); !allowed) {
        const auto rpc = to_rpc_error(allowed.error(), false);
        return settle(Task::Status::failed, nullptr,
                      {{"code", rpc.code}, {"message", rpc.message}, {"data", rpc.data}});
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
      return std::unexpected(tasks_capability_missing(
          fmt::format("{} needs the {} extension in clientCapabilities", scope.method, kTasksExtension)));
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
      if (task.status == Task::Status::failed) {
        detail["error"] = task.error;
        detail["statusMessage"] = string_field(task.error, "message");
      }
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
    if (!input.state.is_null()) result["requestState"] = sealer.seal(scope.caller, scope.method, name, input.state);
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
    const auto prefix = string_field(argument, "value");
    Result<std::vector<std::string>> values = fail(ErrorCode::invalid_input,
                                                   "params.ref.type must be ref/prompt or "
                                                   "ref/resource");
    const auto type = string_field(ref, "type");
    if (type == "ref/prompt") {
      values = catalog.complete_prompt_argument(string_field(ref, "name"), arg_name, prefix);
    } else if (type == "ref/resource") {
      values = catalog.complete_template_variable(string_field(ref, "uri"), arg_name, prefix);
    }
    if (!values) return std::unexpected(values.error());
    const auto total = values->size();
    if (values->size() > kMaxCompletionValues) values->resize(kMaxCompletionValues);
    return finish(scope,
                  {{"completion", {{"values", *values}, {"total", total}, {"hasMore", total > kMaxCompletionValues}}}});
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
    if (scope.method == "tools/list") {
      if (auto cached = cached_tools_list(scope)) return std::move(*cached);
    }
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
      const auto level = tools::parse_log_level(string_field(scope.params, "level"));
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
};

Methods::Methods(const tools::Registry& registry, const tools::Catalog& catalog, const EndpointOptions& options,
                 JobPool& jobs)
    : impl_(std::make_unique<Impl>(registry, catalog, options, jobs)) {}
Methods::~Methods() = default;
Outcome Methods::execute(const Scope& scope) {
  return impl_->execute(scope);
}
json Methods::capabilities(bool legacy) const {
  return impl_->capabilities(legacy);
}
const json& Methods::server_info() const {
  return impl_->server_info;
}
const tools::ToolDefinition* Methods::find_tool(std::string_view name) const {
  return impl_->registry.find(name);
}
void Methods::cancel_all() {
  impl_->tasks.cancel_all();
}

}  // namespace pierre::mcp
