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

// What a handler may use besides its arguments. Identity and services arrive with the identity issue.
struct CallContext {
  std::string request_id;
  // Reports progress (0 ≤ progress ≤ total when total is known); a no-op when the caller did not ask for progress.
  std::function<void(double progress, std::optional<double> total, std::string_view message)> progress =
      [](double, std::optional<double>, std::string_view) {};
  // Set when the caller cancelled; long handlers check it between steps and stop early.
  const std::atomic<bool>* cancelled = nullptr;
  [[nodiscard]] bool is_cancelled() const noexcept { return cancelled != nullptr && cancelled->load(); }
};

struct ToolOutput {
  nlohmann::json structured;  // conforms to the tool's outputSchema
  std::string text;           // short human-readable rendering for clients that show text only
};

using Handler = std::function<Result<ToolOutput>(const nlohmann::json& arguments, CallContext& context)>;

struct ToolDefinition {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;
  nlohmann::json output_schema;  // null when the tool has no structured output
  Annotations annotations;
  Handler handler;
};

// The result of tools/call as MCP shapes it: failures of the tool (bad arguments, unknown activity...) are results
// with is_error = true so the model can correct itself; only protocol errors (unknown tool) are Errors.
struct CallResult {
  bool is_error = false;
  nlohmann::json structured;  // null on error
  std::string text;
  ErrorCode error_code = ErrorCode::internal_error;  // meaningful when is_error
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(Registry&&) noexcept;
  Registry& operator=(Registry&&) noexcept;

  // Fails (config_error) on a duplicate or invalid name, or a schema that does not compile.
  Result<void> add(ToolDefinition tool);

  [[nodiscard]] std::size_t size() const noexcept;
  // MCP Tool objects in registration order (deterministic, as the spec asks).
  [[nodiscard]] const std::vector<nlohmann::json>& descriptors() const noexcept;
  [[nodiscard]] bool contains(std::string_view name) const noexcept;

  // resource_not_found when no such tool; otherwise a CallResult.
  Result<CallResult> call(std::string_view name, const nlohmann::json& arguments, CallContext& context) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Valid MCP tool names: 1–128 of [A-Za-z0-9_.-].
bool is_valid_tool_name(std::string_view name) noexcept;

}  // namespace pierre::tools
