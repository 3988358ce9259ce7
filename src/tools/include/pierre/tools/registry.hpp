#pragma once
// The one tool registry that MCP, A2A and REST all serve. A tool declares its name, description, JSON Schemas and
// MCP annotations beside its handler; arguments are validated against inputSchema before the handler runs, and a
// structured result is validated against outputSchema before it leaves (a mismatch is our bug, reported as such).
// Registration happens at start-up; afterwards the registry is read-only, so lookups and listing take no lock.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"

namespace pierre::tools {

struct Annotations {
  bool read_only = true;
  bool destructive = false;
  bool idempotent = true;
  bool open_world = false;  // talks to systems outside this server (providers, weather)
};

// Input a tool needs from the person or the client's model before it can finish, asked the MCP way (SEP-2322
// "multi round-trip requests"): the tool returns these instead of a result; the client answers each key and calls
// again with the answers in `CallContext::input_responses` and the tool's `state` echoed back. The transport turns
// this into an InputRequiredResult (2026-07-28) or into real server→client requests (2025-era sessions), so a tool
// is written once for both.
struct InputRequired {
  nlohmann::json requests = nlohmann::json::object();  // key → {"method": "elicitation/create"|…, "params": {…}}
  nlohmann::json state;  // opaque to the client; integrity-protected by the transport; null for none
};

enum class LogLevel { debug, info, notice, warning, error, critical, alert, emergency };
std::string_view log_level_name(LogLevel level) noexcept;
std::optional<LogLevel> parse_log_level(std::string_view name) noexcept;

// What a handler may use besides its arguments. Identity and services arrive with the identity issue.
struct CallContext {
  std::string request_id;
  // The authenticated caller (both empty for an anonymous development caller): tools act on this user's data only.
  std::string user_id;
  std::string tenant_id;
  // The client's declared capabilities for this request ({} when it declared none).
  nlohmann::json client_capabilities = nlohmann::json::object();
  // Answers to the InputRequired this tool returned on an earlier round (object keyed like the requests), and the
  // state it attached (already verified); both null on the first round.
  nlohmann::json input_responses;
  nlohmann::json request_state;
  // Reports progress (0 ≤ progress ≤ total when total is known); a no-op when the caller did not ask for progress.
  std::function<void(double progress, std::optional<double> total, std::string_view message)> progress =
      [](double, std::optional<double>, std::string_view) {};
  // Sends a log message to the client (notifications/message) when it asked for that level or a more severe one.
  std::function<void(LogLevel level, const nlohmann::json& data)> log = [](LogLevel, const nlohmann::json&) {};
  // True when the call runs as a task (the client polls for its result) rather than within one request.
  bool in_task = false;
  // Set when the caller cancelled; long handlers check it between steps and stop early.
  const std::atomic<bool>* cancelled = nullptr;
  [[nodiscard]] bool is_cancelled() const noexcept { return cancelled != nullptr && cancelled->load(); }
  [[nodiscard]] bool client_supports(std::string_view capability) const {
    return client_capabilities.is_object() && client_capabilities.contains(capability);
  }
};

struct ToolOutput {
  nlohmann::json structured;  // conforms to the tool's outputSchema; null when the tool has none
  std::string text;           // short human-readable rendering for clients that show text only
  // MCP content blocks (text, image, audio, resource) when the tool returns more than one text block; replaces the
  // text rendering in `content` when set.
  nlohmann::json content;
  bool is_error = false;  // a tool-level failure reported with content (the model sees it and can adapt)
  std::optional<InputRequired> input_required;
  // The tool has gathered what it needs within the request and wants to finish as a task (see TaskSupport).
  bool continue_as_task = false;

  static ToolOutput of(nlohmann::json structured, std::string text) {
    ToolOutput out;
    out.structured = std::move(structured);
    out.text = std::move(text);
    return out;
  }
  static ToolOutput blocks(nlohmann::json content) {
    ToolOutput out;
    out.content = std::move(content);
    return out;
  }
  static ToolOutput as_task() {
    ToolOutput out;
    out.continue_as_task = true;
    return out;
  }
  static ToolOutput needs_input(InputRequired input) {
    ToolOutput out;
    out.input_required = std::move(input);
    return out;
  }
};

using Handler = std::function<Result<ToolOutput>(const nlohmann::json& arguments, CallContext& context)>;

enum class TaskSupport { none, optional, required };

struct ToolDefinition {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;
  nlohmann::json output_schema;  // null when the tool has no structured output
  Annotations annotations;
  Handler handler;
  // Runs for long enough to report progress or to ask for input: transports run it off the I/O threads and stream
  // its notifications. Quick tools run inline and answer with plain JSON.
  bool long_running = false;
  // Whether the call may (optional) or must (required) run as a task for clients that support tasks. With
  // task_after_input, the call first runs within the request (to ask for input) and becomes a task only when the
  // handler returns ToolOutput::as_task().
  TaskSupport task_support = TaskSupport::none;
  bool task_after_input = false;
};

// The result of tools/call as MCP shapes it: failures of the tool (bad arguments, unknown activity...) are results
// with is_error = true so the model can correct itself; only protocol errors (unknown tool, a client capability the
// tool needs but the client lacks, a fault of the server itself such as a database failure) are Errors.
struct CallResult {
  bool is_error = false;
  nlohmann::json structured;  // null on error or when the tool has no structured output
  std::string text;
  nlohmann::json content;                            // explicit content blocks, or null to use `text`
  ErrorCode error_code = ErrorCode::internal_error;  // meaningful when is_error
  std::optional<InputRequired> input_required;
  bool continue_as_task = false;

  // MCP `content`: the explicit blocks, else one text block.
  [[nodiscard]] nlohmann::json content_blocks() const;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(Registry&&) noexcept;
  Registry& operator=(Registry&&) noexcept;

  // Fails (config_error) on a duplicate or invalid name, or a schema that does not compile.
  Result<void> add(ToolDefinition tool);

  // How often structured results are checked against the tool's outputSchema. A mismatch is a bug of ours, found by
  // tests; production can sample (every call for the first 100 calls of a tool, then one in 64) to save the cost.
  enum class OutputCheck { every_call, sampled };
  void set_output_check(OutputCheck check) noexcept;

  [[nodiscard]] std::size_t size() const noexcept;
  // MCP Tool objects in registration order (deterministic, as the spec asks).
  [[nodiscard]] const std::vector<nlohmann::json>& descriptors() const noexcept;
  [[nodiscard]] bool contains(std::string_view name) const noexcept;
  // nullptr when no such tool.
  [[nodiscard]] const ToolDefinition* find(std::string_view name) const noexcept;

  // resource_not_found when no such tool; otherwise a CallResult.
  Result<CallResult> call(std::string_view name, const nlohmann::json& arguments, CallContext& context) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Valid MCP tool names: 1–128 of [A-Za-z0-9_.-].
bool is_valid_tool_name(std::string_view name) noexcept;

}  // namespace pierre::tools
