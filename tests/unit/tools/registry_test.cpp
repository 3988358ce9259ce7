// Tool registry: registration rules, MCP descriptors, and how call() turns arguments, handler results, handler
// failures and schema violations into CallResults or protocol Errors.
//
// Suite names start with "tools_" so that `ctest -R tools` selects them.

#include "pierre/tools/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pierre::tools {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kDialect = "https://json-schema.org/draft/2020-12/schema";

json object_schema(json properties = json::object(), json required = json::array()) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

Handler returns_text(std::string text) {
  return [text = std::move(text)](const json&, CallContext&) -> Result<ToolOutput> {
    return ToolOutput::of(nullptr, text);
  };
}

ToolDefinition make_tool(std::string name, Handler handler = returns_text("ok"), json input = object_schema()) {
  ToolDefinition t;
  t.name = std::move(name);
  t.title = "Title of " + t.name;
  t.description = "Description of " + t.name;
  t.input_schema = std::move(input);
  t.handler = std::move(handler);
  return t;
}

Result<CallResult> call(const Registry& r, std::string_view name, const json& args) {
  CallContext context;
  context.request_id = "req-test";
  return r.call(name, args, context);
}

// ---- registration ----------------------------------------------------------------------------------------------

TEST(tools_Registry, AddsToolsAndFindsThemByName) {
  Registry r;
  EXPECT_EQ(r.size(), 0u);
  EXPECT_TRUE(r.descriptors().empty());
  ASSERT_TRUE(r.add(make_tool("alpha")));
  ASSERT_TRUE(r.add(make_tool("beta")));
  EXPECT_EQ(r.size(), 2u);
  EXPECT_TRUE(r.contains("alpha"));
  EXPECT_FALSE(r.contains("gamma"));
  ASSERT_NE(r.find("beta"), nullptr);
  EXPECT_EQ(r.find("beta")->name, "beta");
  EXPECT_EQ(r.find("gamma"), nullptr);
  EXPECT_EQ(r.find(""), nullptr);
}

TEST(tools_Registry, DuplicateNameIsRejectedAndTheFirstToolStays) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("dup", returns_text("first"))));
  auto again = r.add(make_tool("dup", returns_text("second")));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::config_error);
  EXPECT_THAT(again.error().message, HasSubstr("dup"));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(r.descriptors().size(), 1u);
  auto out = call(r, "dup", json::object());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->text, "first");
}

TEST(tools_Registry, InvalidNamesAreRejected) {
  for (const std::string& name :
       {std::string(""), std::string("has space"), std::string("slash/name"), std::string("emoji\xF0\x9F\x98\x80"),
        std::string("semi;colon"), std::string(129, 'a'), std::string("tab\tname"), std::string("nul\0byte", 8)}) {
    Registry r;
    auto added = r.add(make_tool(name));
    ASSERT_FALSE(added) << "accepted invalid name '" << name << "'";
    EXPECT_EQ(added.error().code, ErrorCode::config_error);
    EXPECT_EQ(r.size(), 0u);
    EXPECT_TRUE(r.descriptors().empty());
  }
}

TEST(tools_Registry, ValidNameEdgeCasesAreAccepted) {
  Registry r;
  EXPECT_TRUE(r.add(make_tool(std::string(128, 'z'))));
  EXPECT_TRUE(r.add(make_tool("a")));
  EXPECT_TRUE(r.add(make_tool("Mixed.Case-name_09")));
  EXPECT_EQ(r.size(), 3u);
}

TEST(tools_Registry, IsValidToolName) {
  EXPECT_TRUE(is_valid_tool_name("get_activities"));
  EXPECT_TRUE(is_valid_tool_name("a.b-c_D9"));
  EXPECT_TRUE(is_valid_tool_name(std::string(128, 'x')));
  EXPECT_FALSE(is_valid_tool_name(std::string(129, 'x')));
  EXPECT_FALSE(is_valid_tool_name(""));
  EXPECT_FALSE(is_valid_tool_name("a b"));
  EXPECT_FALSE(is_valid_tool_name("a,b"));
  EXPECT_FALSE(is_valid_tool_name("caf\xC3\xA9"));
}

TEST(tools_Registry, InputSchemaMustBeAnObjectSchema) {
  for (const json& schema : {json(nullptr), json::array(), json("object"), json(42), json{{"type", "string"}},
                             json{{"type", "array"}}, json{{"properties", json::object()}}}) {
    Registry r;
    auto added = r.add(make_tool("t", returns_text("x"), schema));
    ASSERT_FALSE(added) << "accepted inputSchema " << schema.dump();
    EXPECT_EQ(added.error().code, ErrorCode::config_error);
    EXPECT_EQ(r.size(), 0u);
  }
}

TEST(tools_Registry, NonStringTypeKeywordIsRejectedNotThrown) {
  // add() reports problems as config_error values; a malformed "type" keyword must not escape as an exception.
  for (const json& schema : {json{{"type", json::array({"object", "null"})}}, json{{"type", 5}}}) {
    Registry r;
    Result<void> added;
    ASSERT_NO_THROW(added = r.add(make_tool("t", returns_text("x"), schema))) << schema.dump();
    ASSERT_FALSE(added) << "accepted inputSchema " << schema.dump();
    EXPECT_EQ(added.error().code, ErrorCode::config_error);
  }
}

TEST(tools_Registry, ToolWithoutHandlerIsRejected) {
  Registry r;
  auto t = make_tool("no_handler");
  t.handler = nullptr;
  auto added = r.add(std::move(t));
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::config_error);
  EXPECT_FALSE(r.contains("no_handler"));
}

TEST(tools_Registry, SchemaThatDoesNotCompileIsRejected) {
  // A $ref to a definition that does not exist cannot be resolved. add() must answer config_error; it runs in a
  // child process so that a library abort() shows up as this test failing instead of killing the whole suite.
  EXPECT_EXIT(
      {
        Registry r;
        auto added =
            r.add(make_tool("bad_ref", returns_text("x"),
                            {{"type", "object"}, {"properties", {{"a", {{"$ref", "#/definitions/missing"}}}}}}));
        const bool rejected = !added && added.error().code == ErrorCode::config_error && !r.contains("bad_ref") &&
                              r.descriptors().empty();
        std::exit(rejected ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(tools_Registry, SchemaWithAnInvalidKeywordValueIsRejected) {
  // "minimum" must be a number; same expectations as above.
  EXPECT_EXIT(
      {
        Registry r;
        auto added =
            r.add(make_tool("bad_min", returns_text("x"),
                            {{"type", "object"}, {"properties", {{"a", {{"type", "integer"}, {"minimum", "zero"}}}}}}));
        std::exit(!added && added.error().code == ErrorCode::config_error ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// ---- descriptors -----------------------------------------------------------------------------------------------

TEST(tools_Registry, DescriptorsFollowRegistrationOrderAndAdvertise2020_12) {
  Registry r;
  const std::vector<std::string> names{"zeta", "alpha", "mid", "beta"};
  for (const auto& n : names) ASSERT_TRUE(r.add(make_tool(n)));
  const auto& d = r.descriptors();
  ASSERT_EQ(d.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(d[i]["name"], names[i]);
    EXPECT_EQ(d[i]["title"], "Title of " + names[i]);
    EXPECT_EQ(d[i]["description"], "Description of " + names[i]);
    EXPECT_EQ(d[i]["inputSchema"]["$schema"], kDialect);
    EXPECT_EQ(d[i]["inputSchema"]["type"], "object");
    EXPECT_FALSE(d[i].contains("outputSchema")) << "tool without output schema must not advertise one";
  }
}

TEST(tools_Registry, DescriptorKeepsAnExplicitSchemaDialectAndTheSchemaBody) {
  Registry r;
  json schema = object_schema({{"n", {{"type", "integer"}, {"minimum", 1}}}}, {"n"});
  schema["$schema"] = "http://json-schema.org/draft-07/schema#";
  ASSERT_TRUE(r.add(make_tool("explicit", returns_text("x"), schema)));
  const auto& input = r.descriptors().at(0)["inputSchema"];
  EXPECT_EQ(input["$schema"], "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(input["properties"]["n"]["minimum"], 1);
  EXPECT_EQ(input["required"], json::array({"n"}));
}

TEST(tools_Registry, DescriptorCarriesAnnotationsAndOutputSchema) {
  Registry r;
  auto t = make_tool("writer");
  t.annotations.read_only = false;
  t.annotations.destructive = true;
  t.annotations.idempotent = false;
  t.annotations.open_world = true;
  t.output_schema = object_schema({{"count", {{"type", "integer"}}}}, {"count"});
  ASSERT_TRUE(r.add(std::move(t)));
  ASSERT_TRUE(r.add(make_tool("reader")));

  const auto& writer = r.descriptors().at(0);
  EXPECT_EQ(writer["annotations"]["readOnlyHint"], false);
  EXPECT_EQ(writer["annotations"]["destructiveHint"], true);
  EXPECT_EQ(writer["annotations"]["idempotentHint"], false);
  EXPECT_EQ(writer["annotations"]["openWorldHint"], true);
  EXPECT_EQ(writer["annotations"]["title"], "Title of writer");
  ASSERT_TRUE(writer.contains("outputSchema"));
  EXPECT_EQ(writer["outputSchema"]["$schema"], kDialect);
  EXPECT_EQ(writer["outputSchema"]["required"], json::array({"count"}));

  // Defaults: a read-only, non-destructive, idempotent, closed-world tool.
  const auto& reader = r.descriptors().at(1);
  EXPECT_EQ(reader["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(reader["annotations"]["destructiveHint"], false);
  EXPECT_EQ(reader["annotations"]["idempotentHint"], true);
  EXPECT_EQ(reader["annotations"]["openWorldHint"], false);
}

TEST(tools_Registry, DescriptorsSurviveAMove) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("one", returns_text("1"))));
  Registry moved(std::move(r));
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved.descriptors().at(0)["name"], "one");
  auto out = call(moved, "one", json::object());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->text, "1");
}

// ---- call: lookup and input validation ---------------------------------------------------------------------------

TEST(tools_Registry, UnknownToolIsResourceNotFound) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("known")));
  auto out = call(r, "unknown_tool", json::object());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::resource_not_found);
  EXPECT_THAT(out.error().message, HasSubstr("unknown_tool"));
  // Names are exact: no case folding, no prefix matching.
  EXPECT_FALSE(call(r, "Known", json::object()));
  EXPECT_FALSE(call(r, "know", json::object()));
}

struct Counted {
  int calls = 0;
  json last_args;
  Handler handler() {
    return [this](const json& args, CallContext&) -> Result<ToolOutput> {
      ++calls;
      last_args = args;
      return ToolOutput::of(nullptr, "ran");
    };
  }
};

TEST(tools_Registry, ArgumentsViolatingTheSchemaAreAToolErrorNamingThePath) {
  Registry r;
  Counted counted;
  ASSERT_TRUE(r.add(make_tool("distance", counted.handler(),
                              object_schema({{"distance", {{"type", "number"}, {"minimum", 0}}},
                                             {"unit", {{"type", "string"}, {"enum", {"km", "mi"}}}}},
                                            {"distance"}))));

  auto negative = call(r, "distance", {{"distance", -5}});
  ASSERT_TRUE(negative) << "schema violations are results, not protocol errors";
  EXPECT_TRUE(negative->is_error);
  EXPECT_EQ(negative->error_code, ErrorCode::invalid_input);
  EXPECT_THAT(negative->text, ::testing::StartsWith("Input validation error"));
  EXPECT_THAT(negative->text, HasSubstr("/distance")) << negative->text;
  EXPECT_TRUE(negative->structured.is_null());
  EXPECT_FALSE(negative->input_required.has_value());
  // The content the model sees carries the same message.
  const auto blocks = negative->content_blocks();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0]["type"], "text");
  EXPECT_EQ(blocks[0]["text"], negative->text);

  auto wrong_type = call(r, "distance", {{"distance", "far"}});
  ASSERT_TRUE(wrong_type);
  EXPECT_TRUE(wrong_type->is_error);
  EXPECT_THAT(wrong_type->text, HasSubstr("distance"));

  auto bad_enum = call(r, "distance", {{"distance", 1}, {"unit", "parsec"}});
  ASSERT_TRUE(bad_enum);
  EXPECT_TRUE(bad_enum->is_error);
  EXPECT_THAT(bad_enum->text, HasSubstr("unit"));

  auto missing = call(r, "distance", json::object());
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->is_error);
  EXPECT_THAT(missing->text, HasSubstr("distance")) << "a missing required property must be named";

  auto not_object = call(r, "distance", json::array({1, 2}));
  ASSERT_TRUE(not_object);
  EXPECT_TRUE(not_object->is_error);

  EXPECT_EQ(counted.calls, 0) << "the handler must not run on invalid arguments";

  auto ok = call(r, "distance", {{"distance", 0}, {"unit", "km"}});
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->is_error) << ok->text;
  EXPECT_EQ(ok->text, "ran");
  EXPECT_EQ(counted.calls, 1);
  EXPECT_EQ(counted.last_args, (json{{"distance", 0}, {"unit", "km"}}));
}

TEST(tools_Registry, NestedViolationNamesTheNestedPath) {
  Registry r;
  ASSERT_TRUE(r.add(
      make_tool("nested", returns_text("x"),
                object_schema({{"filter", object_schema({{"limit", {{"type", "integer"}, {"maximum", 10}}}})}}))));
  auto out = call(r, "nested", {{"filter", {{"limit", 99}}}});
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->is_error);
  // JSON Pointer path of the offending value (registry.cpp: "/distance: Value must be >= 0" style).
  EXPECT_THAT(out->text, HasSubstr("/filter/limit")) << out->text;
}

TEST(tools_Registry, NullArgumentsMeanAnEmptyObject) {
  Registry r;
  Counted counted;
  ASSERT_TRUE(r.add(make_tool("noargs", counted.handler())));
  auto out = call(r, "noargs", nullptr);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->is_error) << out->text;
  EXPECT_EQ(counted.calls, 1);
  EXPECT_EQ(counted.last_args, json::object());

  // ... but an empty object still has to satisfy `required`.
  Registry strict;
  ASSERT_TRUE(strict.add(make_tool("needs", returns_text("x"), object_schema({{"a", {{"type", "string"}}}}, {"a"}))));
  auto rejected = call(strict, "needs", nullptr);
  ASSERT_TRUE(rejected);
  EXPECT_TRUE(rejected->is_error);
}

TEST(tools_Registry, AdditionalPropertiesFalseIsEnforced) {
  Registry r;
  json schema = object_schema({{"a", {{"type", "string"}}}});
  schema["additionalProperties"] = false;
  ASSERT_TRUE(r.add(make_tool("closed", returns_text("x"), schema)));
  auto out = call(r, "closed", {{"a", "x"}, {"sneaky", 1}});
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->is_error);
  EXPECT_THAT(out->text, ::testing::StartsWith("Input validation error"));
}

// ---- call: handler outcomes ------------------------------------------------------------------------------------

TEST(tools_Registry, HandlerErrorBecomesAToolErrorWithItsMessage) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("fails", [](const json&, CallContext&) -> Result<ToolOutput> {
    return fail(ErrorCode::resource_not_found, "Activity 42 not found");
  })));
  auto out = call(r, "fails", json::object());
  ASSERT_TRUE(out) << "a handler's own failure is a result the model can see";
  EXPECT_TRUE(out->is_error);
  EXPECT_EQ(out->text, "Activity 42 not found");
  EXPECT_EQ(out->error_code, ErrorCode::resource_not_found);
  EXPECT_TRUE(out->structured.is_null());
  EXPECT_EQ(out->content_blocks(), json::array({{{"type", "text"}, {"text", "Activity 42 not found"}}}));
}

// A handler that throws is a fault of the server, not something the model can fix by changing its arguments: per
// registry.hpp ("a fault of the server itself ... are Errors") it comes back as an internal_error Error carrying a
// fixed message, never the exception text, and never as an exception.
void expect_contained_failure(const Registry& r, std::string_view name) {
  bool escaped = false;
  Result<CallResult> out = CallResult{};
  try {
    out = call(r, name, json::object());
  } catch (...) {
    escaped = true;
  }
  ASSERT_FALSE(escaped) << "an exception escaped Registry::call for " << name;
  ASSERT_FALSE(out) << name << ": expected an internal_error Error, got a result: " << out->text;
  EXPECT_EQ(out.error().code, ErrorCode::internal_error);
  EXPECT_EQ(out.error().message, "the tool failed unexpectedly");
  EXPECT_TRUE(out.error().details.is_null()) << out.error().details.dump();
}

TEST(tools_Registry, HandlerThrowingIsContainedAndLeaksNothing) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("throws", [](const json&, CallContext&) -> Result<ToolOutput> {
    throw std::runtime_error("connection to postgresql://admin:hunter2@db failed");
  })));
  expect_contained_failure(r, "throws");
  // The registry stays usable.
  ASSERT_TRUE(r.add(make_tool("after", returns_text("fine"))));
  auto after = call(r, "after", json::object());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->text, "fine");
}

TEST(tools_Registry, HandlerThrowingJsonExceptionIsContained) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("bad_access", [](const json& args, CallContext&) -> Result<ToolOutput> {
    // A typical handler bug: reading a field that is not there throws nlohmann::json::out_of_range.
    return ToolOutput::of(nullptr, args.at("missing").get<std::string>());
  })));
  expect_contained_failure(r, "bad_access");
}

TEST(tools_Registry, HandlerThrowingANonStandardExceptionIsContained) {
  // "A handler bug costs one request, not the process": an exception that does not derive from std::exception
  // must not escape call() either (on a job thread it would terminate the server).
  Registry r;
  ASSERT_TRUE(r.add(make_tool("throws_int", [](const json&, CallContext&) -> Result<ToolOutput> { throw 42; })));
  expect_contained_failure(r, "throws_int");
}

TEST(tools_Registry, HandlerServerFaultsAreProtocolErrors) {
  for (auto code : {ErrorCode::internal_error, ErrorCode::database_error, ErrorCode::storage_error}) {
    Registry r;
    ASSERT_TRUE(r.add(make_tool("faulty", [code](const json&, CallContext&) -> Result<ToolOutput> {
      return fail(code, "store unavailable");
    })));
    auto out = call(r, "faulty", json::object());
    ASSERT_FALSE(out) << code_name(code) << " became a tool result";
    EXPECT_EQ(out.error().code, code);
    EXPECT_EQ(out.error().message, "store unavailable");
  }
}

TEST(tools_Registry, CapabilityMissingIsAProtocolErrorWithDetails) {
  Registry r;
  const json details = {{"requiredCapabilities", {{"sampling", json::object()}}}};
  ASSERT_TRUE(r.add(make_tool("needs_sampling", [details](const json&, CallContext& ctx) -> Result<ToolOutput> {
    if (!ctx.client_supports("sampling")) return fail(ErrorCode::capability_missing, "needs sampling", details);
    return ToolOutput::of(nullptr, "sampled");
  })));
  auto out = call(r, "needs_sampling", json::object());
  ASSERT_FALSE(out) << "capability_missing must not be flattened into an isError result";
  EXPECT_EQ(out.error().code, ErrorCode::capability_missing);
  EXPECT_EQ(out.error().message, "needs sampling");
  EXPECT_EQ(out.error().details, details);

  CallContext capable;
  capable.client_capabilities = {{"sampling", json::object()}};
  auto ok = r.call("needs_sampling", json::object(), capable);
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->is_error);
  EXPECT_EQ(ok->text, "sampled");
}

TEST(tools_Registry, StructuredOutputIsValidatedAgainstOutputSchema) {
  Registry r;
  json next = {{"count", "not a number"}};
  auto t = make_tool(
      "counter", [&next](const json&, CallContext&) -> Result<ToolOutput> { return ToolOutput::of(next, "counted"); });
  t.output_schema = object_schema({{"count", {{"type", "integer"}, {"minimum", 0}}}}, {"count"});
  ASSERT_TRUE(r.add(std::move(t)));

  auto bad = call(r, "counter", json::object());
  ASSERT_TRUE(bad);
  EXPECT_TRUE(bad->is_error);
  EXPECT_EQ(bad->text, "the tool produced an invalid result");
  EXPECT_TRUE(bad->structured.is_null()) << "invalid structured output must not leave the registry";
  EXPECT_THAT(bad->text, Not(HasSubstr("not a number")));

  next = json::object();  // missing required
  auto missing = call(r, "counter", json::object());
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->is_error);

  next = nullptr;  // no structured output at all although the tool declared a schema
  auto none = call(r, "counter", json::object());
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->is_error);

  next = {{"count", 7}};
  auto good = call(r, "counter", json::object());
  ASSERT_TRUE(good);
  EXPECT_FALSE(good->is_error) << good->text;
  EXPECT_EQ(good->structured, (json{{"count", 7}}));
  EXPECT_EQ(good->text, "counted");
}

TEST(tools_Registry, ToolLevelErrorOutputSkipsOutputValidation) {
  Registry r;
  auto t = make_tool("soft_fail", [](const json&, CallContext&) -> Result<ToolOutput> {
    auto out = ToolOutput::blocks(json::array({{{"type", "text"}, {"text", "provider is down"}}}));
    out.is_error = true;
    return out;
  });
  t.output_schema = object_schema({{"count", {{"type", "integer"}}}}, {"count"});
  ASSERT_TRUE(r.add(std::move(t)));
  auto out = call(r, "soft_fail", json::object());
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->is_error);
  EXPECT_EQ(out->content_blocks(), json::array({{{"type", "text"}, {"text", "provider is down"}}}));
}

TEST(tools_Registry, InputRequiredPassesThroughUntouched) {
  Registry r;
  const json requests = {{"confirm", {{"method", "elicitation/create"}, {"params", {{"message", "Sure?"}}}}}};
  const json state = {{"step", 1}, {"nested", {{"a", json::array({1, 2})}}}};
  ASSERT_TRUE(r.add(make_tool("asks", [&](const json&, CallContext& ctx) -> Result<ToolOutput> {
    if (ctx.input_responses.is_object() && ctx.input_responses.contains("confirm")) {
      return ToolOutput::of(nullptr, "confirmed with state " + ctx.request_state.dump());
    }
    return ToolOutput::needs_input({requests, state});
  })));
  auto first = call(r, "asks", json::object());
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->is_error);
  ASSERT_TRUE(first->input_required.has_value());
  EXPECT_EQ(first->input_required->requests, requests);
  EXPECT_EQ(first->input_required->state, state);

  CallContext retry;
  retry.input_responses = {{"confirm", {{"action", "accept"}}}};
  retry.request_state = state;
  auto second = r.call("asks", json::object(), retry);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->input_required.has_value());
  EXPECT_FALSE(second->is_error);
  EXPECT_EQ(second->text, "confirmed with state " + state.dump());
}

TEST(tools_Registry, ContentBlocksAreReturnedAsGiven) {
  Registry r;
  const json blocks = json::array({{{"type", "text"}, {"text", "one"}},
                                   {{"type", "image"}, {"data", "iVBORw0KGgo="}, {"mimeType", "image/png"}},
                                   {{"type", "resource"}, {"resource", {{"uri", "test://x"}, {"text", "embedded"}}}}});
  ASSERT_TRUE(r.add(
      make_tool("multi", [&](const json&, CallContext&) -> Result<ToolOutput> { return ToolOutput::blocks(blocks); })));
  auto out = call(r, "multi", json::object());
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->is_error);
  EXPECT_EQ(out->content_blocks(), blocks);
  EXPECT_EQ(out->content_blocks().size(), 3u);
}

TEST(tools_Registry, TextOnlyOutputBecomesOneTextBlock) {
  Registry r;
  ASSERT_TRUE(r.add(make_tool("plain", returns_text("hello \xE2\x9C\x93"))));
  auto out = call(r, "plain", json::object());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->content_blocks(), json::array({{{"type", "text"}, {"text", "hello \xE2\x9C\x93"}}}));
}

TEST(tools_Registry, HandlerSeesTheCallContext) {
  Registry r;
  std::string seen_id;
  bool seen_cancel = false;
  ASSERT_TRUE(r.add(make_tool("ctx", [&](const json&, CallContext& ctx) -> Result<ToolOutput> {
    seen_id = ctx.request_id;
    seen_cancel = ctx.is_cancelled();
    return ToolOutput::of(nullptr, "x");
  })));
  std::atomic<bool> cancelled{true};
  CallContext context;
  context.request_id = "abc-123";
  context.cancelled = &cancelled;
  ASSERT_TRUE(r.call("ctx", json::object(), context));
  EXPECT_EQ(seen_id, "abc-123");
  EXPECT_TRUE(seen_cancel);
}

TEST(tools_Registry, LogLevelNamesRoundTrip) {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::notice, LogLevel::warning, LogLevel::error,
                     LogLevel::critical, LogLevel::alert, LogLevel::emergency}) {
    auto parsed = parse_log_level(log_level_name(level));
    ASSERT_TRUE(parsed.has_value()) << log_level_name(level);
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_FALSE(parse_log_level("INFO").has_value());
  EXPECT_FALSE(parse_log_level("warn").has_value());
  EXPECT_FALSE(parse_log_level("").has_value());
  EXPECT_LT(LogLevel::debug, LogLevel::emergency);
}

}  // namespace
}  // namespace pierre::tools
