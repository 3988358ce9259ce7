// Conformance fixtures. Names, arguments and answers follow the scenario sources of @modelcontextprotocol/conformance
// 0.2.0-alpha.12 (src/scenarios/server/*.ts); the content is ours.
#include "pierre/mcp/fixtures.hpp"

#include <fmt/format.h>
#include <thread>

namespace pierre::mcp {
namespace {

using nlohmann::json;
using tools::CallContext;
using tools::InputRequired;
using tools::ToolOutput;

// A 1×1 PNG and a minimal WAV header, base64.
constexpr std::string_view kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr std::string_view kWav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

json text_block(std::string_view text) {
  return {{"type", "text"}, {"text", text}};
}
json image_block() {
  return {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}};
}

json empty_object_schema() {
  return {{"type", "object"}, {"properties", json::object()}};
}

json string_args_schema(std::initializer_list<std::string_view> names) {
  json schema = {{"type", "object"}, {"properties", json::object()}, {"required", json::array()}};
  for (auto n : names) {
    schema["properties"][std::string(n)] = {{"type", "string"}};
    schema["required"].push_back(n);
  }
  return schema;
}

tools::ToolDefinition tool(std::string name, std::string description, json input, tools::Handler handler,
                           bool long_running = false) {
  tools::ToolDefinition t;
  t.name = std::move(name);
  t.title = t.name;
  t.description = std::move(description);
  t.input_schema = std::move(input);
  t.handler = std::move(handler);
  t.long_running = long_running;
  return t;
}

tools::Handler blocks(json content) {
  return [content = std::move(content)](const json&, CallContext&) -> Result<ToolOutput> {
    return ToolOutput::blocks(content);
  };
}

json elicit(std::string_view message, json schema) {
  return {{"method", "elicitation/create"}, {"params", {{"message", message}, {"requestedSchema", std::move(schema)}}}};
}

json sample(std::string_view prompt) {
  return {{"method", "sampling/createMessage"},
          {"params",
           {{"messages", json::array({{{"role", "user"}, {"content", text_block(prompt)}}})}, {"maxTokens", 100}}}};
}

json list_roots() {
  return {{"method", "roots/list"}, {"params", json::object()}};
}

// The answer the client gave for `key`, when it gave one (an object, as MRTR requires).
const json* answer(const CallContext& context, std::string_view key) {
  if (!context.input_responses.is_object()) return nullptr;
  const auto it = context.input_responses.find(key);
  return it != context.input_responses.end() && it->is_object() ? &*it : nullptr;
}

// A field of the state this tool attached on an earlier round (null on the first round).
json state_field(const CallContext& context, std::string_view key) {
  if (!context.request_state.is_object()) return nullptr;
  const auto it = context.request_state.find(key);
  return it == context.request_state.end() ? json() : *it;
}

std::string accepted_field(const json& elicit_result, std::string_view field) {
  if (elicit_result.value("action", "") != "accept") return {};
  const auto content = elicit_result.value("content", json::object());
  const auto value = content.value(field, json());
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string sampled_text(const json& sampling_result) {
  const auto content = sampling_result.value("content", json::object());
  return content.value("text", std::string());
}

Result<ToolOutput> require_capability(std::string_view capability) {
  return fail(ErrorCode::capability_missing, fmt::format("this tool needs the client capability '{}'", capability),
              json{{"requiredCapabilities", {{capability, json::object()}}}});
}

// ---- tools both eras call --------------------------------------------------------------------------------------

Result<void> add_content_tools(tools::Registry& r) {
  const std::vector<tools::ToolDefinition> defs{
      tool("test_simple_text", "Returns one text block", empty_object_schema(),
           blocks(json::array({text_block("This is a simple text response for testing.")}))),
      tool("test_image_content", "Returns an image block", empty_object_schema(), blocks(json::array({image_block()}))),
      tool("test_audio_content", "Returns an audio block", empty_object_schema(),
           blocks(json::array({{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}}))),
      tool("test_embedded_resource", "Returns an embedded resource", empty_object_schema(),
           blocks(json::array({{{"type", "resource"},
                                {"resource",
                                 {{"uri", "test://embedded-resource"},
                                  {"mimeType", "text/plain"},
                                  {"text", "This is an embedded resource content."}}}}}))),
      tool("test_multiple_content_types", "Returns text, image and resource blocks", empty_object_schema(),
           blocks(json::array({text_block("Multiple content types test:"),
                               image_block(),
                               {{"type", "resource"},
                                {"resource",
                                 {{"uri", "test://mixed-content-resource"},
                                  {"mimeType", "application/json"},
                                  {"text", R"({"test":"data","value":123})"}}}}}))),
      tool("test_error_handling", "Always fails as a tool (isError), never as a protocol error", empty_object_schema(),
           [](const json&, CallContext&) -> Result<ToolOutput> {
             auto out =
                 ToolOutput::blocks(json::array({text_block("This tool intentionally returns an error for testing")}));
             out.is_error = true;
             return out;
           }),
      tool(
          "test_tool_with_progress", "Reports progress three times", empty_object_schema(),
          [](const json&, CallContext& context) -> Result<ToolOutput> {
            for (int step = 0; step <= 2; ++step) {
              if (context.is_cancelled()) return fail(ErrorCode::resource_unavailable, "cancelled");
              context.progress(step * 50.0, 100.0, fmt::format("Completed step {} of 3", step + 1));
              if (step < 2) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            return ToolOutput::blocks(json::array({text_block("progress reported")}));
          },
          true),
      tool(
          "test_tool_with_logging", "Sends three log messages", empty_object_schema(),
          [](const json&, CallContext& context) -> Result<ToolOutput> {
            for (auto message : {"Tool execution started", "Tool processing data", "Tool execution completed"}) {
              context.log(tools::LogLevel::info, message);
              std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            return ToolOutput::blocks(json::array({text_block("Tool with logging executed successfully")}));
          },
          true),
      tool(
          "test_logging_tool", "Logs only when the request asked for a log level", empty_object_schema(),
          [](const json&, CallContext& context) -> Result<ToolOutput> {
            context.log(tools::LogLevel::info, "test_logging_tool ran");
            return ToolOutput::blocks(json::array({text_block("logging tool done")}));
          },
          true),
      tool(
          "test_streaming_elicitation", "Streams its answer without sending requests to the client",
          empty_object_schema(),
          [](const json&, CallContext& context) -> Result<ToolOutput> {
            context.progress(1, 1, "done");
            return ToolOutput::blocks(json::array({text_block("streamed without server-initiated requests")}));
          },
          true),
      tool("test_missing_capability", "Needs the client's sampling capability", empty_object_schema(),
           [](const json&, CallContext& context) -> Result<ToolOutput> {
             if (!context.client_supports("sampling")) return require_capability("sampling");
             return ToolOutput::blocks(json::array({text_block("the client can sample")}));
           }),
      tool(
          "slow_compute", "Waits the given number of seconds (checking for cancellation), then answers",
          {{"type", "object"},
           {"properties",
            {{"seconds", {{"type", "number"}, {"minimum", 0}, {"maximum", 60}}}, {"label", {{"type", "string"}}}}},
           {"required", {"seconds"}}},
          [](const json& args, CallContext& context) -> Result<ToolOutput> {
            const auto seconds = args.value("seconds", 0.0);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
            int tick = 0;
            while (std::chrono::steady_clock::now() < deadline) {
              if (context.is_cancelled()) return fail(ErrorCode::resource_unavailable, "cancelled");
              context.progress(++tick, std::nullopt, "working");
              std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            return ToolOutput::blocks(
                json::array({text_block(fmt::format("{} done after {}s", args.value("label", "job"), seconds))}));
          },
          true),
      tool("test_custom_header", "Echoes an argument that is mirrored in the Mcp-Param-Region header",
           {{"type", "object"},
            {"properties", {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}}}},
            {"required", {"region"}}},
           [](const json& args, CallContext&) -> Result<ToolOutput> {
             return ToolOutput::blocks(json::array({text_block("region: " + args.value("region", ""))}));
           }),
      tool("greet", "Greets someone", string_args_schema({"name"}),
           [](const json& args, CallContext&) -> Result<ToolOutput> {
             return ToolOutput::blocks(json::array({text_block(fmt::format("Hello, {}!", args.value("name", "")))}));
           }),
  };
  for (auto d : defs) {
    if (d.name == "slow_compute") d.task_support = tools::TaskSupport::optional;
    if (auto added = r.add(std::move(d)); !added) return added;
  }
  return {};
}

// ---- Tasks extension fixtures (SEP-2663 scenarios) -------------------------------------------------------------

json confirm_schema() {
  return {{"type", "object"}, {"properties", {{"confirm", {{"type", "boolean"}}}}}, {"required", {"confirm"}}};
}

Result<void> add_task_tools(tools::Registry& r) {
  auto task_tool = [](tools::ToolDefinition t, tools::TaskSupport support, bool after_input = false) {
    t.task_support = support;
    t.task_after_input = after_input;
    return t;
  };
  std::vector<tools::ToolDefinition> defs{
      task_tool(tool("failing_job", "Runs for about a second, then reports a tool error", empty_object_schema(),
                     [](const json&, CallContext& context) -> Result<ToolOutput> {
                       for (int i = 0; i < 10 && !context.is_cancelled(); ++i) {
                         std::this_thread::sleep_for(std::chrono::milliseconds(100));
                       }
                       auto out = ToolOutput::blocks(json::array({text_block("failing_job failed as designed")}));
                       out.is_error = true;
                       return out;
                     }),
                tools::TaskSupport::required),
      task_tool(tool("protocol_error_job", "Fails with an internal (protocol-level) error", empty_object_schema(),
                     [](const json&, CallContext&) -> Result<ToolOutput> {
                       return fail(ErrorCode::internal_error, "protocol_error_job: simulated internal failure");
                     }),
                tools::TaskSupport::optional),
      task_tool(tool("confirm_delete", "Asks for confirmation before (pretending to) delete a file",
                     string_args_schema({"filename"}),
                     [](const json& args, CallContext& context) -> Result<ToolOutput> {
                       if (const auto* reply = answer(context, "confirm")) {
                         const bool yes = reply->value("action", "") == "accept" &&
                                          reply->value("content", json::object()).value("confirm", false);
                         return ToolOutput::blocks(json::array(
                             {text_block(fmt::format("{} {}", yes ? "Deleted" : "Kept", args.value("filename", "")))}));
                       }
                       InputRequired input;
                       input.requests["confirm"] =
                           elicit(fmt::format("Delete {}?", args.value("filename", "")), confirm_schema());
                       return ToolOutput::needs_input(std::move(input));
                     }),
                tools::TaskSupport::optional),
      task_tool(tool("multi_input", "Asks two questions at once", empty_object_schema(),
                     [](const json&, CallContext& context) -> Result<ToolOutput> {
                       const auto* first = answer(context, "first");
                       const auto* second = answer(context, "second");
                       if (first != nullptr && second != nullptr) {
                         return ToolOutput::blocks(json::array({text_block(fmt::format(
                             "got {} and {}", accepted_field(*first, "name"), accepted_field(*second, "name")))}));
                       }
                       const json schema = {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}};
                       InputRequired input;
                       input.requests["first"] = elicit("First question", schema);
                       input.requests["second"] = elicit("Second question", schema);
                       return ToolOutput::needs_input(std::move(input));
                     }),
                tools::TaskSupport::optional),
      task_tool(tool("test_tool_with_task", "Asks for a name within the request, then finishes as a task",
                     empty_object_schema(),
                     [](const json&, CallContext& context) -> Result<ToolOutput> {
                       const auto* reply = answer(context, "user_name");
                       if (reply == nullptr) {
                         InputRequired input;
                         input.requests["user_name"] =
                             elicit("What is your name?", {{"type", "object"},
                                                           {"properties", {{"name", {{"type", "string"}}}}},
                                                           {"required", {"name"}}});
                         return ToolOutput::needs_input(std::move(input));
                       }
                       if (!context.in_task) return ToolOutput::as_task();
                       std::this_thread::sleep_for(std::chrono::milliseconds(200));
                       return ToolOutput::blocks(
                           json::array({text_block(fmt::format("Hello, {}!", accepted_field(*reply, "name")))}));
                     }),
                tools::TaskSupport::required, true),
  };
  for (auto& d : defs) {
    if (auto added = r.add(std::move(d)); !added) return added;
  }
  return {};
}

// ---- tools that ask the client for input ---------------------------------------------------------------------

json elicitation_sep1034_schema() {
  return {{"type", "object"},
          {"properties",
           {{"name", {{"type", "string"}, {"description", "Your name"}, {"default", "John Doe"}}},
            {"age", {{"type", "integer"}, {"description", "Your age"}, {"default", 30}}},
            {"score", {{"type", "number"}, {"description", "Your score"}, {"default", 95.5}}},
            {"status",
             {{"type", "string"},
              {"description", "Your status"},
              {"enum", {"active", "inactive", "pending"}},
              {"default", "active"}}},
            {"verified", {{"type", "boolean"}, {"description", "Verified"}, {"default", true}}}}},
          {"required", json::array()}};
}

json elicitation_sep1330_schema() {
  auto titled = [](std::initializer_list<std::pair<const char*, const char*>> options) {
    json out = json::array();
    for (const auto& [value, title] : options) out.push_back({{"const", value}, {"title", title}});
    return out;
  };
  return {
      {"type", "object"},
      {"properties",
       {{"untitledSingle", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
        {"titledSingle",
         {{"type", "string"},
          {"oneOf", titled({{"value1", "First Option"}, {"value2", "Second Option"}, {"value3", "Third Option"}})}}},
        {"legacyEnum",
         {{"type", "string"},
          {"enum", {"opt1", "opt2", "opt3"}},
          {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
        {"untitledMulti",
         {{"type", "array"},
          {"minItems", 1},
          {"maxItems", 3},
          {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
        {"titledMulti",
         {{"type", "array"},
          {"minItems", 1},
          {"maxItems", 3},
          {"items",
           {{"anyOf",
             titled({{"value1", "First Choice"}, {"value2", "Second Choice"}, {"value3", "Third Choice"}})}}}}}}},
      {"required", json::array()}};
}

// One elicitation, then a text answer built from the client's reply.
tools::Handler elicit_once(std::function<json(const json& args)> request, std::string_view key,
                           std::function<std::string(const json& reply)> render) {
  return [request = std::move(request), key = std::string(key), render = std::move(render)](
             const json& args, CallContext& context) -> Result<ToolOutput> {
    const auto method = request(args).value("method", "");
    const auto capability = method == "sampling/createMessage" ? "sampling" : "elicitation";
    if (!context.client_supports(capability)) return require_capability(capability);
    if (const auto* reply = answer(context, key)) {
      return ToolOutput::blocks(json::array({text_block(render(*reply))}));
    }
    InputRequired input;
    input.requests[key] = request(args);
    return ToolOutput::needs_input(std::move(input));
  };
}

std::string describe_elicitation(const json& reply) {
  return fmt::format("User response: action={}, content={}", reply.value("action", ""),
                     reply.value("content", json::object()).dump());
}

Result<void> add_input_tools(tools::Registry& r) {
  const json name_schema = {
      {"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}, {"required", {"name"}}};
  std::vector<tools::ToolDefinition> defs{
      tool("test_sampling", "Asks the client's model to complete a prompt", string_args_schema({"prompt"}),
           elicit_once([](const json& args) { return sample(args.value("prompt", "")); }, "completion",
                       [](const json& reply) { return "LLM response: " + sampled_text(reply); }),
           true),
      tool("test_elicitation", "Asks the person for a username and email", string_args_schema({"message"}),
           elicit_once(
               [](const json& args) {
                 return elicit(args.value("message", "Please provide your information"),
                               {{"type", "object"},
                                {"properties",
                                 {{"username", {{"type", "string"}, {"description", "Your username"}}},
                                  {"email", {{"type", "string"}, {"description", "Your email address"}}}}},
                                {"required", {"username", "email"}}});
               },
               "user_info", describe_elicitation),
           true),
      tool("test_elicitation_sep1034_defaults", "Elicitation whose fields carry defaults (SEP-1034)",
           empty_object_schema(),
           elicit_once(
               [](const json&) {
                 return elicit("Please review and update the form fields with defaults", elicitation_sep1034_schema());
               },
               "form", describe_elicitation),
           true),
      tool("test_elicitation_sep1330_enums", "Elicitation with every enum style (SEP-1330)", empty_object_schema(),
           elicit_once(
               [](const json&) {
                 return elicit("Please select options from the enum fields", elicitation_sep1330_schema());
               },
               "form", describe_elicitation),
           true),
      tool("test_input_required_result_elicitation", "Asks for a name, then greets", empty_object_schema(),
           elicit_once([name_schema](const json&) { return elicit("What is your name?", name_schema); }, "user_name",
                       [](const json& reply) { return fmt::format("Hello, {}!", accepted_field(reply, "name")); })),
      tool("test_input_required_result_sampling", "Asks the client's model a question", empty_object_schema(),
           elicit_once([](const json&) { return sample("What is the capital of France?"); }, "sample_request",
                       [](const json& reply) { return "The model said: " + sampled_text(reply); })),
      tool("test_input_required_result_list_roots", "Asks the client for its roots", empty_object_schema(),
           [](const json&, CallContext& context) -> Result<ToolOutput> {
             if (const auto* reply = answer(context, "client_roots")) {
               return ToolOutput::blocks(
                   json::array({text_block(fmt::format("{} root(s)", reply->value("roots", json::array()).size()))}));
             }
             InputRequired input;
             input.requests["client_roots"] = list_roots();
             return ToolOutput::needs_input(std::move(input));
           }),
      tool("test_input_required_result_request_state", "Asks for confirmation and carries state across the round",
           empty_object_schema(),
           [](const json&, CallContext& context) -> Result<ToolOutput> {
             const auto* reply = answer(context, "confirm");
             if (reply != nullptr && state_field(context, "step") == "confirm") {
               return ToolOutput::blocks(json::array({text_block("state-ok")}));
             }
             InputRequired input;
             input.requests["confirm"] =
                 elicit("Please confirm",
                        {{"type", "object"}, {"properties", {{"ok", {{"type", "boolean"}}}}}, {"required", {"ok"}}});
             input.state = {{"step", "confirm"}};
             return ToolOutput::needs_input(std::move(input));
           }),
      tool("test_input_required_result_multiple_inputs", "Asks for three inputs at once", empty_object_schema(),
           [name_schema](const json&, CallContext& context) -> Result<ToolOutput> {
             const auto* name = answer(context, "user_name");
             const auto* greeting = answer(context, "greeting");
             const auto* roots = answer(context, "client_roots");
             if (name != nullptr && greeting != nullptr && roots != nullptr) {
               return ToolOutput::blocks(json::array(
                   {text_block(fmt::format("{} — {} ({} roots)", accepted_field(*name, "name"), sampled_text(*greeting),
                                           roots->value("roots", json::array()).size()))}));
             }
             InputRequired input;
             input.requests["user_name"] = elicit("What is your name?", name_schema);
             input.requests["greeting"] = sample("Say hello");
             input.requests["client_roots"] = list_roots();
             input.state = {{"asked", 3}};
             return ToolOutput::needs_input(std::move(input));
           }),
      tool("test_input_required_result_multi_round", "Asks two questions, one round each", empty_object_schema(),
           [](const json&, CallContext& context) -> Result<ToolOutput> {
             const auto round = state_field(context, "round");
             if (round == 2) {
               if (const auto* color = answer(context, "step2")) {
                 return ToolOutput::blocks(
                     json::array({text_block(fmt::format("{} likes {}", state_field(context, "name").get<std::string>(),
                                                         accepted_field(*color, "color")))}));
               }
             }
             InputRequired input;
             if (round == 1) {
               if (const auto* name = answer(context, "step1")) {
                 input.requests["step2"] = elicit(
                     "Step 2: What is your favorite color?",
                     {{"type", "object"}, {"properties", {{"color", {{"type", "string"}}}}}, {"required", {"color"}}});
                 input.state = {{"round", 2}, {"name", accepted_field(*name, "name")}};
                 return ToolOutput::needs_input(std::move(input));
               }
             }
             input.requests["step1"] =
                 elicit("Step 1: What is your name?",
                        {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}, {"required", {"name"}}});
             input.state = {{"round", 1}};
             return ToolOutput::needs_input(std::move(input));
           }),
      tool("test_input_required_result_tampered_state", "Carries integrity-protected state", empty_object_schema(),
           [](const json&, CallContext& context) -> Result<ToolOutput> {
             if (answer(context, "confirm") != nullptr && state_field(context, "tool") == "tampered") {
               return ToolOutput::blocks(json::array({text_block("state verified")}));
             }
             InputRequired input;
             input.requests["confirm"] =
                 elicit("Please confirm",
                        {{"type", "object"}, {"properties", {{"ok", {{"type", "boolean"}}}}}, {"required", {"ok"}}});
             input.state = {{"tool", "tampered"}};
             return ToolOutput::needs_input(std::move(input));
           }),
      tool("test_input_required_result_capabilities", "Asks only for what the client declared", empty_object_schema(),
           [name_schema](const json&, CallContext& context) -> Result<ToolOutput> {
             if (context.input_responses.is_object() && !context.input_responses.empty()) {
               return ToolOutput::blocks(json::array({text_block("thanks")}));
             }
             InputRequired input;
             if (context.client_supports("elicitation"))
               input.requests["user_name"] = elicit("What is your name?", name_schema);
             if (context.client_supports("sampling")) input.requests["sample_request"] = sample("Say hello");
             if (context.client_supports("roots")) input.requests["client_roots"] = list_roots();
             if (input.requests.empty()) {
               return ToolOutput::blocks(json::array({text_block("the client declared no input capability")}));
             }
             return ToolOutput::needs_input(std::move(input));
           }),
  };
  defs.push_back(tool("json_schema_2020_12_tool", "Declares a JSON Schema 2020-12 input schema",
                      json::parse(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
        "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
        "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},
        "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
        "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
        "then":{"required":["phone"]},"else":{"required":["email"]},
        "additionalProperties":false})"),
                      [](const json& args, CallContext&) -> Result<ToolOutput> {
                        return ToolOutput::blocks(json::array({text_block("valid: " + args.dump())}));
                      }));
  for (auto& d : defs) {
    if (auto added = r.add(std::move(d)); !added) return added;
  }
  return {};
}

// ---- resources and prompts ------------------------------------------------------------------------------------

Result<void> add_resources(tools::Catalog& c) {
  auto text_resource = [](std::string uri, std::string name, std::string mime, std::string text) {
    tools::ResourceDefinition d;
    d.uri = std::move(uri);
    d.name = std::move(name);
    d.description = "Conformance fixture";
    d.mime_type = mime;
    d.read = [mime, text](const std::string& u, CallContext&) -> Result<json> {
      return json::array({{{"uri", u}, {"mimeType", mime}, {"text", text}}});
    };
    return d;
  };
  if (auto r = c.add_resource(text_resource("test://static-text", "static-text", "text/plain",
                                            "This is the content of the static text resource."));
      !r) {
    return r;
  }
  tools::ResourceDefinition binary;
  binary.uri = "test://static-binary";
  binary.name = "static-binary";
  binary.description = "Conformance fixture (PNG)";
  binary.mime_type = "image/png";
  binary.read = [](const std::string& u, CallContext&) -> Result<json> {
    return json::array({{{"uri", u}, {"mimeType", "image/png"}, {"blob", kPng}}});
  };
  if (auto r = c.add_resource(std::move(binary)); !r) return r;
  if (auto r = c.add_resource(
          text_resource("test://watched-resource", "watched-resource", "text/plain", "Watched resource content"));
      !r) {
    return r;
  }
  tools::ResourceTemplateDefinition data;
  data.uri_template = "test://template/{id}/data";
  data.name = "template";
  data.description = "Conformance fixture template";
  data.mime_type = "application/json";
  data.read = [](const std::string& u, const tools::UriVariables& vars, CallContext&) -> Result<json> {
    const auto& id = vars.at("id");
    const json body = {{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
    return json::array({{{"uri", u}, {"mimeType", "application/json"}, {"text", body.dump()}}});
  };
  data.complete = [](std::string_view, std::string_view prefix) {
    std::vector<std::string> out;
    for (const char* v : {"1", "2", "3", "123"}) {
      if (std::string_view(v).starts_with(prefix)) out.emplace_back(v);
    }
    return out;
  };
  return c.add_template(std::move(data));
}

tools::PromptDefinition prompt(std::string name, std::string description, std::vector<tools::PromptArgument> args,
                               decltype(tools::PromptDefinition::get) get) {
  tools::PromptDefinition p;
  p.name = std::move(name);
  p.title = p.name;
  p.description = std::move(description);
  p.arguments = std::move(args);
  p.get = std::move(get);
  return p;
}

json user(json content) {
  return {{"role", "user"}, {"content", std::move(content)}};
}

Result<void> add_prompts(tools::Catalog& c) {
  using Args = std::map<std::string, std::string, std::less<>>;
  std::vector<tools::PromptDefinition> defs{
      prompt(
          "test_simple_prompt", "A prompt without arguments", {},
          [](const Args&, CallContext&) -> Result<tools::PromptOutput> {
            return tools::PromptOutput{"", json::array({user(text_block("This is a simple prompt for testing."))}), {}};
          }),
      prompt("test_prompt_with_arguments", "A prompt with two arguments",
             {{"arg1", "First argument", true, {"test", "testValue1", "other"}},
              {"arg2", "Second argument", true, {"testValue2"}}},
             [](const Args& a, CallContext&) -> Result<tools::PromptOutput> {
               return tools::PromptOutput{
                   "",
                   json::array({user(text_block(
                       fmt::format("Prompt with arguments: arg1='{}', arg2='{}'", a.at("arg1"), a.at("arg2"))))}),
                   {}};
             }),
      prompt("test_prompt_with_embedded_resource", "A prompt that embeds a resource",
             {{"resourceUri", "URI of the resource to embed", true, {}}},
             [](const Args& a, CallContext&) -> Result<tools::PromptOutput> {
               return tools::PromptOutput{
                   "",
                   json::array({user({{"type", "resource"},
                                      {"resource",
                                       {{"uri", a.at("resourceUri")},
                                        {"mimeType", "text/plain"},
                                        {"text", "Embedded resource content for testing."}}}}),
                                user(text_block("Please process the embedded resource above."))}),
                   {}};
             }),
      prompt("test_prompt_with_image", "A prompt with an image", {},
             [](const Args&, CallContext&) -> Result<tools::PromptOutput> {
               return tools::PromptOutput{
                   "", json::array({user(image_block()), user(text_block("Please analyze the image above."))}), {}};
             }),
      prompt("test_input_required_result_prompt", "A prompt that first asks the person for context", {},
             [](const Args&, CallContext& context) -> Result<tools::PromptOutput> {
               if (const auto* reply = answer(context, "user_context")) {
                 return tools::PromptOutput{
                     "", json::array({user(text_block("Context: " + accepted_field(*reply, "context")))}), {}};
               }
               InputRequired input;
               input.requests["user_context"] =
                   elicit("What context should the prompt use?", {{"type", "object"},
                                                                  {"properties", {{"context", {{"type", "string"}}}}},
                                                                  {"required", {"context"}}});
               tools::PromptOutput out;
               out.input_required = std::move(input);
               return out;
             }),
  };
  for (auto& d : defs) {
    if (auto added = c.add_prompt(std::move(d)); !added) return added;
  }
  return {};
}

}  // namespace

Result<void> register_conformance_fixtures(tools::Registry& registry, tools::Catalog& catalog) {
  if (auto r = add_content_tools(registry); !r) return r;
  if (auto r = add_input_tools(registry); !r) return r;
  if (auto r = add_task_tools(registry); !r) return r;
  if (auto r = add_resources(catalog); !r) return r;
  return add_prompts(catalog);
}

}  // namespace pierre::mcp
