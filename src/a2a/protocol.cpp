#include "protocol.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::a2a {
namespace {

using json = nlohmann::json;

// The product's tool groups, in the order a person would explore them. A tool missing from the registry is left out;
// a registry tool in no group lands in "other", so the card always covers every tool.
struct GroupSpec {
  const char* id;
  const char* name;
  const char* description;
  std::vector<std::string> tags;
  std::vector<std::string> tools;
  std::vector<std::string> examples;
};

const std::vector<GroupSpec>& groups() {
  static const std::vector<GroupSpec> specs{
      {"fitness-data",
       "Fitness data",
       "The caller's activities, athlete profile and totals, and activity-file import.",
       {"fitness", "activities", "data"},
       {"get_activities", "get_athlete", "get_stats", "import_activity_file"},
       {R"({"tool": "get_activities", "arguments": {"limit": 5}})", R"({"tool": "get_stats", "arguments": {}})"}},
      {"providers",
       "Fitness providers",
       "Connection status, connecting and disconnecting Strava, Garmin and Fitbit.",
       {"providers", "strava", "garmin", "fitbit"},
       {"connect_provider", "get_connection_status", "disconnect_provider"},
       {R"({"tool": "get_connection_status", "arguments": {}})"}},
      {"activity-analysis",
       "Activity analysis",
       "One activity in depth: metrics, intelligence, comparison with similar sessions.",
       {"analysis", "activity", "metrics"},
       {"analyze_activity", "get_activity_intelligence", "calculate_metrics", "compare_activities"},
       {R"({"tool": "analyze_activity", "arguments": {"activity_id": "<id from get_activities>"}})"}},
      {"training-analytics",
       "Training analytics",
       "Training load (CTL/ATL/TSB, ACWR), trends, patterns, recommendations, fitness score, race predictions and "
       "daily nutrition.",
       {"training", "load", "analytics", "nutrition"},
       {"analyze_training_load", "analyze_performance_trends", "detect_patterns", "generate_recommendations",
        "calculate_fitness_score", "predict_performance", "calculate_daily_nutrition"},
       {R"({"tool": "analyze_training_load", "arguments": {}})", "analyze_training_load",
        R"({"tool": "calculate_fitness_score", "arguments": {}})"}},
      {"goals",
       "Goals",
       "Set goals, track progress, suggest goals and judge their feasibility.",
       {"goals", "planning"},
       {"set_goal", "track_progress", "suggest_goals", "analyze_goal_feasibility"},
       {R"({"tool": "suggest_goals", "arguments": {}})"}},
      {"configuration",
       "Configuration",
       "The athlete's physiological parameters, configuration profiles and personalised training zones.",
       {"configuration", "zones", "profile"},
       {"get_configuration_catalog", "get_configuration_profiles", "get_user_configuration",
        "update_user_configuration", "calculate_personalized_zones", "validate_configuration"},
       {R"({"tool": "calculate_personalized_zones", "arguments": {}})"}},
      {"weather",
       "Weather",
       "The best hours for an outdoor session from the weather forecast.",
       {"weather", "planning"},
       {"get_weather_forecast"},
       {R"({"tool": "get_weather_forecast", "arguments": {}})"}},
  };
  return specs;
}

json bad_request(std::string field, std::string description) {
  return json::array(
      {{{"@type", "type.googleapis.com/google.rpc.BadRequest"},
        {"fieldViolations", json::array({{{"field", std::move(field)}, {"description", std::move(description)}}})}}});
}

}  // namespace

RpcError invalid_params(std::string field, std::string description) {
  auto message = fmt::format("Invalid parameters: {}: {}", field, description);
  return {rpc_code::invalid_params, std::move(message), bad_request(std::move(field), std::move(description))};
}

RpcError to_rpc_error(const Error& error) {
  const json info = json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                  {"reason", std::string(code_name(error.code))},
                                  {"domain", "pierre"}}});
  switch (error.code) {
    case ErrorCode::invalid_input:
    case ErrorCode::missing_required_field:
    case ErrorCode::invalid_format:
    case ErrorCode::value_out_of_range:
    case ErrorCode::invalid_cursor: return {rpc_code::invalid_params, error.message, info};
    case ErrorCode::resource_not_found: return {rpc_code::task_not_found, error.message, info};
    case ErrorCode::internal_error:
    case ErrorCode::database_error:
    case ErrorCode::storage_error:
    case ErrorCode::serialization_error:
      // The message of these may name internals: the client gets the category only.
      return {rpc_code::internal_error, "Internal error", info};
    default: return {rpc_code::internal_error, error.message, info};
  }
}

std::string_view wire_name(TaskState state) noexcept {
  switch (state) {
    case TaskState::submitted: return "TASK_STATE_SUBMITTED";
    case TaskState::working: return "TASK_STATE_WORKING";
    case TaskState::input_required: return "TASK_STATE_INPUT_REQUIRED";
    case TaskState::completed: return "TASK_STATE_COMPLETED";
    case TaskState::failed: return "TASK_STATE_FAILED";
    case TaskState::canceled: return "TASK_STATE_CANCELED";
    case TaskState::rejected: return "TASK_STATE_REJECTED";
  }
  return "TASK_STATE_UNSPECIFIED";
}

std::string_view stored_name(TaskState state) noexcept {
  switch (state) {
    case TaskState::submitted: return "submitted";
    case TaskState::working: return "working";
    case TaskState::input_required: return "input_required";
    case TaskState::completed: return "completed";
    case TaskState::failed: return "failed";
    case TaskState::canceled: return "canceled";
    case TaskState::rejected: return "rejected";
  }
  return "failed";
}

std::optional<TaskState> state_from_stored(std::string_view name) noexcept {
  for (auto s : {TaskState::submitted, TaskState::working, TaskState::input_required, TaskState::completed,
                 TaskState::failed, TaskState::canceled, TaskState::rejected}) {
    if (stored_name(s) == name) return s;
  }
  return std::nullopt;
}

bool is_terminal(TaskState state) noexcept {
  return state == TaskState::completed || state == TaskState::failed || state == TaskState::canceled ||
         state == TaskState::rejected;
}

json status_json(const Task& task) {
  json status{{"state", wire_name(task.state)}, {"timestamp", iso8601_ms(task.updated_at_ms)}};
  if (!task.status_message.is_null()) status["message"] = task.status_message;
  return status;
}

json task_json(const Task& task, std::optional<std::size_t> history_length) {
  json out{{"id", task.id},
           {"contextId", task.context_id},
           {"status", status_json(task)},
           {"metadata", {{"tool", task.tool}}}};
  if (!task.artifacts.empty()) out["artifacts"] = task.artifacts;
  const std::size_t keep = std::min(history_length.value_or(task.history.size()), task.history.size());
  if (keep > 0) {
    json history = json::array();
    for (std::size_t i = task.history.size() - keep; i < task.history.size(); ++i) history.push_back(task.history[i]);
    out["history"] = std::move(history);
  }
  return out;
}

json status_update_json(const Task& task) {
  return {{"taskId", task.id}, {"contextId", task.context_id}, {"status", status_json(task)}};
}

json artifact_update_json(const Task& task, const json& artifact) {
  return {{"taskId", task.id}, {"contextId", task.context_id}, {"artifact", artifact}, {"lastChunk", true}};
}

json agent_message(std::string_view text, const std::string& context_id, const std::string& task_id) {
  json message{{"messageId", new_id("msg")}, {"role", "ROLE_AGENT"}, {"parts", json::array({{{"text", text}}})}};
  if (!context_id.empty()) message["contextId"] = context_id;
  if (!task_id.empty()) message["taskId"] = task_id;
  return message;
}

std::variant<Request, RpcError> parse_send_params(const json& params) {
  if (!params.is_object()) return invalid_params("params", "must be a SendMessageRequest object");
  if (!params.contains("message") || !params["message"].is_object()) {
    return invalid_params("message", "a Message object is required");
  }
  const auto& message = params["message"];
  Request request;
  request.message = message;
  auto optional_string = [&message](const char* name, std::string& into) -> std::optional<RpcError> {
    if (!message.contains(name) || message[name].is_null()) return std::nullopt;
    if (!message[name].is_string()) return invalid_params(fmt::format("message.{}", name), "must be a string");
    into = message[name].get<std::string>();
    return std::nullopt;
  };
  if (!message.contains("messageId") || !message["messageId"].is_string() ||
      message["messageId"].get_ref<const std::string&>().empty()) {
    return invalid_params("message.messageId", "a non-empty string is required");
  }
  request.message_id = message["messageId"].get<std::string>();
  if (auto e = optional_string("contextId", request.context_id)) return *e;
  if (auto e = optional_string("taskId", request.task_id)) return *e;
  // ROLE_USER (v1.0); "user" is the v0.3 spelling of the same role.
  if (!message.contains("role") || !message["role"].is_string() ||
      (message["role"] != "ROLE_USER" && message["role"] != "user")) {
    return invalid_params("message.role", "must be ROLE_USER");
  }
  if (!message.contains("parts") || !message["parts"].is_array() || message["parts"].empty()) {
    return invalid_params("message.parts", "at least one part is required");
  }
  std::size_t index = 0;
  for (const auto& part : message["parts"]) {
    const auto field = fmt::format("message.parts[{}]", index++);
    if (!part.is_object()) return invalid_params(field, "must be a Part object");
    const int kinds = static_cast<int>(part.contains("text")) + static_cast<int>(part.contains("data")) +
                      static_cast<int>(part.contains("url")) + static_cast<int>(part.contains("raw"));
    if (kinds != 1) return invalid_params(field, "must hold exactly one of text, data, url, raw");
    if (part.contains("text")) {
      if (!part["text"].is_string()) return invalid_params(field + ".text", "must be a string");
      if (!request.text.empty()) request.text += '\n';
      request.text += part["text"].get<std::string>();
      continue;
    }
    if (!part.contains("data")) continue;  // url/raw parts carry nothing a tool call can use; they are kept in history
    const auto& data = part["data"];
    if (!data.is_object()) continue;
    // {"tool": name} or {"skill": name}: the tool to run; "arguments" its input (an object).
    for (const char* key : {"tool", "skill"}) {
      if (!data.contains(key)) continue;
      if (!data[key].is_string()) return invalid_params(fmt::format("{}.data.{}", field, key), "must be a string");
      if (request.tool) return invalid_params(field + ".data", "name one tool per message");
      request.tool = data[key].get<std::string>();
    }
    if (data.contains("arguments")) {
      if (!data["arguments"].is_object()) {
        return invalid_params(field + ".data.arguments", "must be an object of tool arguments");
      }
      for (const auto& [k, v] : data["arguments"].items()) request.arguments[k] = v;
    }
  }
  return request;
}

std::vector<Skill> skills_of(const tools::Registry& registry) {
  std::vector<Skill> skills;
  std::vector<std::string> grouped;
  for (const auto& g : groups()) {
    Skill skill{g.id, g.name, g.description, g.tags, {}, {}};
    for (const auto& tool : g.tools) {
      if (registry.contains(tool)) skill.tools.push_back(tool);
      grouped.push_back(tool);
    }
    if (skill.tools.empty()) continue;
    for (const auto& example : g.examples) {
      const bool names_present_tool = std::ranges::any_of(
          skill.tools, [&example](const std::string& t) { return example.find(t) != std::string::npos; });
      if (names_present_tool) skill.examples.push_back(example);
    }
    skills.push_back(std::move(skill));
  }
  Skill other{"other", "Other tools", "Further tools of this server.", {"tools"}, {}, {}};
  for (const auto& descriptor : registry.descriptors()) {
    const auto name = descriptor.value("name", std::string());
    if (std::ranges::find(grouped, name) == grouped.end()) other.tools.push_back(name);
  }
  if (!other.tools.empty()) {
    other.examples.push_back(fmt::format(R"({{"tool": "{}", "arguments": {{}}}})", other.tools.front()));
    skills.push_back(std::move(other));
  }
  return skills;
}

json agent_card(const CardSettings& s, const std::vector<Skill>& skills) {
  json scopes = json::object();
  for (const auto& scope : s.oauth_scopes) scopes[scope] = fmt::format("Pierre scope {}", scope);
  json skill_list = json::array();
  for (const auto& skill : skills) {
    std::string description = skill.description + " Tools: ";
    for (std::size_t i = 0; i < skill.tools.size(); ++i) description += (i ? ", " : "") + skill.tools[i];
    description += ".";
    skill_list.push_back({{"id", skill.id},
                          {"name", skill.name},
                          {"description", description},
                          {"tags", skill.tags},
                          {"examples", skill.examples},
                          {"inputModes", {"application/json", "text/plain"}},
                          {"outputModes", {"application/json", "text/plain"}}});
  }
  // Spec §4.5: one scheme per way in. OAuth client credentials is the agent-to-agent credential (a client registered
  // for a user, see README); a user's JWT and API keys work as for every other endpoint.
  json schemes{
      {"oauth2",
       {{"oauth2SecurityScheme",
         {{"description", "OAuth 2.0 client credentials for a registered agent (acts as the user who owns it)"},
          {"flows", {{"clientCredentials", {{"tokenUrl", s.base_url + "/oauth2/token"}, {"scopes", scopes}}}}},
          {"oauth2MetadataUrl", s.base_url + "/.well-known/oauth-authorization-server"}}}}},
      {"bearer",
       {{"httpAuthSecurityScheme",
         {{"description", "A Pierre access token (JWT) from /auth/login or the OAuth server"},
          {"scheme", "Bearer"},
          {"bearerFormat", "JWT"}}}}},
      {"apiKey",
       {{"apiKeySecurityScheme",
         {{"description", "A Pierre API key (pk_…) created at /api/keys"},
          {"location", "header"},
          {"name", "X-API-Key"}}}}}};
  json requirements = json::array();
  for (const char* name : {"oauth2", "bearer", "apiKey"}) {
    requirements.push_back({{"schemes", {{name, {{"list", json::array()}}}}}});
  }
  json card{
      {"name", s.name},
      {"description", s.description},
      {"version", s.version},
      {"supportedInterfaces",
       json::array({{{"url", s.endpoint_url}, {"protocolBinding", "JSONRPC"}, {"protocolVersion", kProtocolVersion}}})},
      {"provider", {{"organization", "Pierre"}, {"url", s.base_url}}},
      {"capabilities", {{"streaming", true}, {"pushNotifications", false}, {"extendedAgentCard", false}}},
      {"securitySchemes", std::move(schemes)},
      {"securityRequirements", std::move(requirements)},
      {"defaultInputModes", {"text/plain", "application/json"}},
      {"defaultOutputModes", {"application/json", "text/plain"}},
      {"skills", std::move(skill_list)}};
  if (!s.documentation_url.empty()) card["documentationUrl"] = s.documentation_url;
  return card;
}

std::string help_text(const std::vector<Skill>& skills) {
  std::string text =
      "I am Pierre, a fitness-data agent. Send a message with a data part {\"tool\": \"<name>\", \"arguments\": {…}} "
      "to run one of my tools on your data (the text of a tool's name alone runs it without arguments). Skills:\n";
  for (const auto& skill : skills) {
    text += fmt::format("- {} ({}): {}\n  tools: ", skill.name, skill.id, skill.description);
    for (std::size_t i = 0; i < skill.tools.size(); ++i) text += (i ? ", " : "") + skill.tools[i];
    text += '\n';
  }
  text += "Example: {\"tool\": \"analyze_training_load\", \"arguments\": {}}";
  return text;
}

std::string new_id(std::string_view prefix) {
  return fmt::format("{}_{}", prefix, crypto::base64url_encode(crypto::random_bytes(16)));
}

}  // namespace pierre::a2a
