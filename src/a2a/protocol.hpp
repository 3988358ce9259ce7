#pragma once
// The A2A v1.0 data model as this agent uses it (a2a.proto; ProtoJSON on the wire: camelCase fields, enums by name),
// independent of HTTP and of the store. Module-internal.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/core/jsonrpc.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::a2a {

inline constexpr std::string_view kProtocolVersion = "1.0";

// JSON-RPC error codes: JSON-RPC 2.0's (pierre/core/jsonrpc.hpp) and the A2A-specific ones (spec §5.4 "Error Code
// Mappings"). An RpcError's `data` is, per spec §9.5, an array of typed detail objects (google.rpc.ErrorInfo /
// BadRequest), or null for none.
namespace rpc_code {
using namespace pierre::jsonrpc::code;
inline constexpr int task_not_found = -32001;
inline constexpr int task_not_cancelable = -32002;
inline constexpr int push_notification_not_supported = -32003;
inline constexpr int unsupported_operation = -32004;
inline constexpr int content_type_not_supported = -32005;
inline constexpr int extended_agent_card_not_configured = -32007;
inline constexpr int version_not_supported = -32009;
}  // namespace rpc_code
using jsonrpc::RpcError;

RpcError invalid_params(std::string field, std::string description);
// Our Error (from the registry or the store) as a JSON-RPC error without internal detail.
RpcError to_rpc_error(const Error& error);

// Spec §4.1.3. Terminal: completed, failed, canceled, rejected; input_required is interrupted (not terminal).
enum class TaskState { submitted, working, input_required, completed, failed, canceled, rejected };
std::string_view wire_name(TaskState state) noexcept;    // "TASK_STATE_COMPLETED"
std::string_view stored_name(TaskState state) noexcept;  // "completed"
std::optional<TaskState> state_from_stored(std::string_view name) noexcept;
bool is_terminal(TaskState state) noexcept;

struct Task {
  std::string id;
  std::string context_id;
  std::string user_id;
  std::string tool;
  TaskState state = TaskState::submitted;
  nlohmann::json status_message;                        // Message or null
  nlohmann::json history = nlohmann::json::array();     // Messages, oldest first
  nlohmann::json artifacts = nlohmann::json::array();   // Artifacts
  nlohmann::json arguments = nlohmann::json::object();  // tool arguments gathered so far
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

// Task (spec §4.1.1). `history_length`: none = all messages, n = the last n (0 = none), per §3.2.4.
nlohmann::json task_json(const Task& task, std::optional<std::size_t> history_length = std::nullopt);
nlohmann::json status_json(const Task& task);
nlohmann::json status_update_json(const Task& task);
nlohmann::json artifact_update_json(const Task& task, const nlohmann::json& artifact);

// A Message from the agent with one text part.
nlohmann::json agent_message(std::string_view text, const std::string& context_id, const std::string& task_id);

// What a user message asks for: a tool (named by a data part {"tool"|"skill": name, "arguments": {…}} or by a text
// that is exactly a tool name), or nothing recognisable (the agent answers with help).
struct Request {
  nlohmann::json message;  // the validated Message, as received
  std::string message_id;
  std::string context_id;  // may be empty
  std::string task_id;     // a follow-up to an existing task; may be empty
  std::optional<std::string> tool;
  nlohmann::json arguments = nlohmann::json::object();
  std::string text;  // the text parts, joined
};
// Validates SendMessageRequest params (§3.2.1): a Message with messageId, role ROLE_USER, at least one part, each
// part exactly one of text/data/url/raw. Errors are invalid_params with the field.
std::variant<Request, RpcError> parse_send_params(const nlohmann::json& params);

// Skills (spec §4.4.5) are the product's tool groups; `registry` decides which tools exist.
struct Skill {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> tools;
  std::vector<std::string> examples;
};
std::vector<Skill> skills_of(const tools::Registry& registry);

struct CardSettings {
  std::string name;
  std::string description;
  std::string version;
  std::string base_url;      // https://pierre.example.com
  std::string endpoint_url;  // the JSON-RPC endpoint
  std::string documentation_url;
  // OAuth 2.0 scopes the token endpoint grants (scope → description), for the client-credentials scheme.
  std::vector<std::string> oauth_scopes;
};
nlohmann::json agent_card(const CardSettings& settings, const std::vector<Skill>& skills);

// The plain-text answer to a message that names no tool: what the agent can do and how to ask for it.
std::string help_text(const std::vector<Skill>& skills);

// "tsk_…" / "ctx_…" / "art_…" / "msg_…": 128 random bits.
std::string new_id(std::string_view prefix);

}  // namespace pierre::a2a
