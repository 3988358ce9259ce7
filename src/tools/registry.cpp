#include "pierre/tools/registry.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unordered_map>

namespace pierre::tools {
namespace {

constexpr std::string_view kSchemaDialect = "https://json-schema.org/draft/2020-12/schema";

std::unique_ptr<valijson::Schema> compile(const nlohmann::json& schema_json) {
  // valijson understands draft 7; the keywords our schemas use mean the same in 2020-12, which is the dialect we
  // publish. $schema itself is metadata for clients.
  nlohmann::json copy = schema_json;
  copy.erase("$schema");
  auto schema = std::make_unique<valijson::Schema>();
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(copy);
  parser.populateSchema(adapter, *schema);
  return schema;
}

// "/distance: Value must be >= 0" style messages (JSON Pointer paths), first few only. valijson reports the chain of
// enclosing failures too ("Failed to validate against schema associated with property..."); only the innermost
// says what is wrong.
std::string describe(valijson::ValidationResults& results) {
  std::string out;
  valijson::ValidationResults::Error error;
  int shown = 0;
  while (results.popError(error) && shown < 3) {
    if (error.description.starts_with("Failed to validate against schema associated with property") ||
        error.description.starts_with("Failed to validate item #")) {
      continue;
    }
    std::string path;
    for (const auto& part : error.context) {
      if (part == "<root>") continue;
      // "[name]" → "/name", "[0]" → "/0"
      path += "/" +
              (part.size() >= 2 && part.front() == '[' && part.back() == ']' ? part.substr(1, part.size() - 2) : part);
    }
    auto description = error.description;
    while (!description.empty() && description.back() == '.') description.pop_back();
    const std::string line = path.empty() ? description : fmt::format("{}: {}", path, description);
    if (out.find(line) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += line;
    ++shown;
  }
  return out.empty() ? "arguments do not match the tool's input schema" : out;
}

// Validates `value`; nullopt when validation itself failed (valijson throws, e.g. on a pattern it cannot compile).
std::optional<bool> conforms(const valijson::Schema& schema, const nlohmann::json& value,
                             valijson::ValidationResults& results) {
  try {
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter target(value);
    return validator.validate(schema, target, &results);
  } catch (const std::exception& e) {
    spdlog::error("schema validation failed: {}", e.what());
    return std::nullopt;
  }
}

struct CompiledTool {
  ToolDefinition definition;
  std::unique_ptr<valijson::Schema> input;
  std::unique_ptr<valijson::Schema> output;
  std::unique_ptr<std::atomic<std::uint64_t>> calls = std::make_unique<std::atomic<std::uint64_t>>(0);
};

nlohmann::json descriptor(const ToolDefinition& t) {
  nlohmann::json input = t.input_schema;
  if (!input.contains("$schema")) input["$schema"] = kSchemaDialect;
  nlohmann::json d = {{"name", t.name},
                      {"title", t.title},
                      {"description", t.description},
                      {"inputSchema", std::move(input)},
                      {"annotations",
                       {{"title", t.title},
                        {"readOnlyHint", t.annotations.read_only},
                        {"destructiveHint", t.annotations.destructive},
                        {"idempotentHint", t.annotations.idempotent},
                        {"openWorldHint", t.annotations.open_world}}}};
  if (!t.output_schema.is_null()) {
    nlohmann::json output = t.output_schema;
    if (!output.contains("$schema")) output["$schema"] = kSchemaDialect;
    d["outputSchema"] = std::move(output);
  }
  return d;
}

}  // namespace

std::string_view log_level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::notice: return "notice";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
    case LogLevel::critical: return "critical";
    case LogLevel::alert: return "alert";
    case LogLevel::emergency: return "emergency";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view name) noexcept {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::notice, LogLevel::warning, LogLevel::error,
                     LogLevel::critical, LogLevel::alert, LogLevel::emergency}) {
    if (log_level_name(level) == name) return level;
  }
  return std::nullopt;
}

nlohmann::json CallResult::content_blocks() const {
  if (content.is_array()) return content;
  return nlohmann::json::array({{{"type", "text"}, {"text", text}}});
}

bool is_valid_tool_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 128) return false;
  return std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

struct Registry::Impl {
  OutputCheck output_check = OutputCheck::every_call;
  std::vector<CompiledTool> tools;
  std::unordered_map<std::string, std::size_t> by_name;
  std::vector<nlohmann::json> descriptors;
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;
Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;

Result<void> Registry::add(ToolDefinition tool) {
  if (!is_valid_tool_name(tool.name))
    return fail(ErrorCode::config_error, fmt::format("invalid tool name '{}'", tool.name));
  if (impl_->by_name.contains(tool.name)) {
    return fail(ErrorCode::config_error, fmt::format("tool '{}' registered twice", tool.name));
  }
  const auto type = tool.input_schema.is_object() ? tool.input_schema.find("type") : tool.input_schema.end();
  if (!tool.input_schema.is_object() || type == tool.input_schema.end() || *type != "object") {
    return fail(ErrorCode::config_error, fmt::format("tool '{}': inputSchema must be an object schema", tool.name));
  }
  if (!tool.handler) return fail(ErrorCode::config_error, fmt::format("tool '{}' has no handler", tool.name));
  CompiledTool compiled;
  try {
    compiled.input = compile(tool.input_schema);
    if (!tool.output_schema.is_null()) compiled.output = compile(tool.output_schema);
  } catch (const std::exception& e) {
    return fail(ErrorCode::config_error, fmt::format("tool '{}': schema does not compile: {}", tool.name, e.what()));
  }
  impl_->descriptors.push_back(descriptor(tool));
  impl_->by_name.emplace(tool.name, impl_->tools.size());
  compiled.definition = std::move(tool);
  impl_->tools.push_back(std::move(compiled));
  return {};
}

void Registry::set_output_check(OutputCheck check) noexcept {
  impl_->output_check = check;
}

std::size_t Registry::size() const noexcept {
  return impl_->tools.size();
}
const std::vector<nlohmann::json>& Registry::descriptors() const noexcept {
  return impl_->descriptors;
}
bool Registry::contains(std::string_view name) const noexcept {
  return impl_->by_name.contains(std::string(name));
}

const ToolDefinition* Registry::find(std::string_view name) const noexcept {
  const auto it = impl_->by_name.find(std::string(name));
  return it == impl_->by_name.end() ? nullptr : &impl_->tools[it->second].definition;
}

Result<CallResult> Registry::call(std::string_view name, const nlohmann::json& arguments, CallContext& context) const {
  const auto it = impl_->by_name.find(std::string(name));
  if (it == impl_->by_name.end()) return fail(ErrorCode::resource_not_found, fmt::format("Tool {} not found", name));
  const auto& tool = impl_->tools[it->second];

  static const nlohmann::json empty_arguments = nlohmann::json::object();
  const nlohmann::json& args = arguments.is_null() ? empty_arguments : arguments;
  {
    valijson::ValidationResults results;
    const auto valid = conforms(*tool.input, args, results);
    if (!valid) return fail(ErrorCode::internal_error, "the tool's input schema could not be evaluated");
    if (!*valid) {
      CallResult invalid;
      invalid.is_error = true;
      invalid.text = "Input validation error: " + describe(results);
      invalid.error_code = ErrorCode::invalid_input;
      return invalid;
    }
  }

  Result<ToolOutput> output = [&]() -> Result<ToolOutput> {
    try {
      return tool.definition.handler(args, context);
    } catch (const std::exception& e) {
      spdlog::error("tool {} threw: {} request_id={}", name, e.what(), context.request_id);
      return fail(ErrorCode::internal_error, "the tool failed unexpectedly");
    } catch (...) {
      spdlog::error("tool {} threw a non-exception request_id={}", name, context.request_id);
      return fail(ErrorCode::internal_error, "the tool failed unexpectedly");
    }
  }();
  if (!output) {
    // A missing client capability (-32021) or a fault of the server itself is the protocol's business, not
    // something the model can fix by changing its arguments.
    switch (output.error().code) {
      case ErrorCode::capability_missing:
      case ErrorCode::internal_error:
      case ErrorCode::database_error:
      case ErrorCode::storage_error:
      case ErrorCode::serialization_error: return std::unexpected(output.error());
      default: break;
    }
    CallResult failed;
    failed.is_error = true;
    failed.text = output.error().message;
    failed.error_code = output.error().code;
    return failed;
  }
  if (output->continue_as_task) {
    CallResult later;
    later.continue_as_task = true;
    return later;
  }
  if (output->input_required) {
    CallResult pending;
    pending.input_required = std::move(output->input_required);
    return pending;
  }
  if (output->is_error) {
    CallResult failed;
    failed.is_error = true;
    failed.text = std::move(output->text);
    failed.content = std::move(output->content);
    return failed;
  }

  const auto call_number = tool.calls->fetch_add(1, std::memory_order_relaxed);
  const bool check_output =
      impl_->output_check == OutputCheck::every_call || call_number < 100 || call_number % 64 == 0;
  if (tool.output && check_output) {
    valijson::ValidationResults results;
    if (conforms(*tool.output, output->structured, results) != std::optional<bool>(true)) {
      spdlog::error("tool {} produced output that violates its outputSchema: {}", name, describe(results));
      CallResult failed;
      failed.is_error = true;
      failed.text = "the tool produced an invalid result";
      return failed;
    }
  }
  CallResult done;
  done.structured = std::move(output->structured);
  done.text = std::move(output->text);
  done.content = std::move(output->content);
  return done;
}

}  // namespace pierre::tools
