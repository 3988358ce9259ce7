// Resources, resource templates and prompts: URI template parsing and matching, registration rules, reads by URI
// and through templates, prompt argument checking, and completion.
//
// Suite names start with "tools_" so that `ctest -R tools` selects them.

#include "pierre/tools/catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace pierre::tools {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Args = std::map<std::string, std::string, std::less<>>;

// ---- UriTemplate -------------------------------------------------------------------------------------------------

UriTemplate parsed(std::string_view text) {
  auto t = UriTemplate::parse(text);
  EXPECT_TRUE(t) << text << ": " << (t ? "" : t.error().message);
  return t ? *t : *UriTemplate::parse("x:");
}

TEST(tools_UriTemplate, ParsesLiteralAndVariableParts) {
  auto t = parsed("test://template/{id}/data");
  EXPECT_THAT(t.variables(), ElementsAre("id"));
  auto two = parsed("pierre://athletes/{athlete_id}/activities/{activityId}");
  EXPECT_THAT(two.variables(), ElementsAre("athlete_id", "activityId"));
  EXPECT_THAT(parsed("pierre://static/no-vars").variables(), IsEmpty());
}

TEST(tools_UriTemplate, RejectsMalformedTemplates) {
  for (std::string_view bad :
       {"test://x/{id", "test://x/{", "{", "test://x/id}", "}", "test://{}/x", "test://{a}{b}", "test://x/{a}{b}/y",
        "test://{a-b}", "test://{a b}", "test://{+path}", "test://{?query}", "test://{a,b}", "test://{{a}}"}) {
    auto t = UriTemplate::parse(bad);
    ASSERT_FALSE(t) << "accepted template " << bad;
    EXPECT_EQ(t.error().code, ErrorCode::config_error);
  }
}

TEST(tools_UriTemplate, MatchCapturesVariables) {
  auto t = parsed("test://template/{id}/data");
  auto m = t.match("test://template/42/data");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->size(), 1u);
  EXPECT_EQ(m->at("id"), "42");

  auto two = parsed("x://{a}/y/{b}");
  auto m2 = two.match("x://first/y/second");
  ASSERT_TRUE(m2.has_value());
  EXPECT_EQ(m2->at("a"), "first");
  EXPECT_EQ(m2->at("b"), "second");

  auto tail = parsed("pierre://activities/{id}");
  auto m3 = tail.match("pierre://activities/abc-123_x.y");
  ASSERT_TRUE(m3.has_value());
  EXPECT_EQ(m3->at("id"), "abc-123_x.y");
}

TEST(tools_UriTemplate, MatchRequiresTheWholeUri) {
  auto t = parsed("test://template/{id}/data");
  EXPECT_FALSE(t.match("test://template/42/data/extra"));
  EXPECT_FALSE(t.match("test://template/42/dat"));
  EXPECT_FALSE(t.match("test://template/42/data?x=1"));
  EXPECT_FALSE(t.match("xtest://template/42/data"));
  EXPECT_FALSE(t.match("test://template/42"));
  EXPECT_FALSE(t.match(""));

  auto literal = parsed("test://static");
  EXPECT_TRUE(literal.match("test://static"));
  EXPECT_FALSE(literal.match("test://static/"));
  EXPECT_FALSE(literal.match("test://stati"));

  auto tail = parsed("pierre://activities/{id}");
  EXPECT_FALSE(tail.match("pierre://activities/"));
  EXPECT_FALSE(tail.match("pierre://activitiesX/1"));
}

TEST(tools_UriTemplate, VariablesDoNotCrossSegmentsOrCaptureNothing) {
  auto t = parsed("test://template/{id}/data");
  EXPECT_FALSE(t.match("test://template/4/2/data")) << "a variable must not span '/'";
  EXPECT_FALSE(t.match("test://template//data")) << "a variable must not be empty";
  EXPECT_FALSE(t.match("test://template/a?b/data"));
  EXPECT_FALSE(t.match("test://template/a#b/data"));

  auto tail = parsed("pierre://activities/{id}");
  EXPECT_FALSE(tail.match("pierre://activities/1/2"));
  EXPECT_FALSE(tail.match("pierre://activities/1?x=y"));
  EXPECT_FALSE(tail.match("pierre://activities/1#frag"));
}

// ---- Catalog registration ------------------------------------------------------------------------------------------

ResourceDefinition text_resource(std::string uri, std::string text = "body") {
  ResourceDefinition r;
  r.uri = std::move(uri);
  r.name = "res";
  r.mime_type = "text/plain";
  r.read = [text = std::move(text)](const std::string& u, CallContext&) -> Result<json> {
    return json::array({{{"uri", u}, {"mimeType", "text/plain"}, {"text", text}}});
  };
  return r;
}

ResourceTemplateDefinition template_def(std::string uri_template) {
  ResourceTemplateDefinition t;
  t.uri_template = std::move(uri_template);
  t.name = "tmpl";
  t.read = [](const std::string& u, const UriVariables& vars, CallContext&) -> Result<json> {
    json v = json::object();
    for (const auto& [k, val] : vars) v[k] = val;
    return json::array({{{"uri", u}, {"text", v.dump()}}});
  };
  return t;
}

PromptDefinition prompt_def(std::string name, std::vector<PromptArgument> args = {}) {
  PromptDefinition p;
  p.name = std::move(name);
  p.description = "a prompt";
  p.arguments = std::move(args);
  p.get = [](const Args& a, CallContext&) -> Result<PromptOutput> {
    json seen = json::object();
    for (const auto& [k, v] : a) seen[k] = v;
    return PromptOutput{"desc",
                        json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", seen.dump()}}}}}),
                        std::nullopt};
  };
  return p;
}

TEST(tools_Catalog, AddResourceValidatesItsDefinition) {
  Catalog c;
  auto no_scheme = text_resource("relative/path");
  auto empty_uri = text_resource("");
  auto no_name = text_resource("test://a");
  no_name.name.clear();
  auto no_reader = text_resource("test://b");
  no_reader.read = nullptr;
  for (auto* def : {&no_scheme, &empty_uri, &no_name, &no_reader}) {
    auto added = c.add_resource(*def);
    ASSERT_FALSE(added) << "accepted resource '" << def->uri << "'";
    EXPECT_EQ(added.error().code, ErrorCode::config_error);
  }
  EXPECT_TRUE(c.resource_descriptors().empty());

  ASSERT_TRUE(c.add_resource(text_resource("test://ok")));
  auto dup = c.add_resource(text_resource("test://ok"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::config_error);
  EXPECT_EQ(c.resource_descriptors().size(), 1u);
}

TEST(tools_Catalog, ResourceDescriptorsInOrderWithOnlyTheFieldsSet) {
  Catalog c;
  auto full = text_resource("test://z-first");
  full.title = "First";
  full.description = "The first one";
  auto bare = text_resource("test://a-second");
  bare.mime_type.clear();
  ASSERT_TRUE(c.add_resource(full));
  ASSERT_TRUE(c.add_resource(bare));
  const auto& d = c.resource_descriptors();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], (json{{"uri", "test://z-first"},
                        {"name", "res"},
                        {"title", "First"},
                        {"description", "The first one"},
                        {"mimeType", "text/plain"}}));
  EXPECT_EQ(d[1], (json{{"uri", "test://a-second"}, {"name", "res"}}));
}

TEST(tools_Catalog, AddTemplateValidatesItsDefinition) {
  Catalog c;
  auto bad = c.add_template(template_def("test://{a}{b}"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::config_error);
  auto unnamed = template_def("test://{a}");
  unnamed.name.clear();
  EXPECT_FALSE(c.add_template(unnamed));
  auto no_reader = template_def("test://{a}");
  no_reader.read = nullptr;
  EXPECT_FALSE(c.add_template(no_reader));
  EXPECT_TRUE(c.template_descriptors().empty());

  auto good = template_def("test://items/{id}");
  good.description = "Items";
  ASSERT_TRUE(c.add_template(good));
  ASSERT_EQ(c.template_descriptors().size(), 1u);
  EXPECT_EQ(c.template_descriptors()[0],
            (json{{"uriTemplate", "test://items/{id}"}, {"name", "tmpl"}, {"description", "Items"}}));
}

TEST(tools_Catalog, AddPromptValidatesItsDefinition) {
  Catalog c;
  auto bad_name = prompt_def("bad name");
  auto no_description = prompt_def("p1");
  no_description.description.clear();
  auto no_handler = prompt_def("p2");
  no_handler.get = nullptr;
  for (auto* def : {&bad_name, &no_description, &no_handler}) {
    auto added = c.add_prompt(*def);
    ASSERT_FALSE(added) << def->name;
    EXPECT_EQ(added.error().code, ErrorCode::config_error);
  }
  ASSERT_TRUE(c.add_prompt(prompt_def("p", {{"topic", "What about", true, {}}, {"tone", "", false, {}}})));
  EXPECT_FALSE(c.add_prompt(prompt_def("p")));
  ASSERT_EQ(c.prompt_descriptors().size(), 1u);
  EXPECT_EQ(c.prompt_descriptors()[0],
            (json{{"name", "p"},
                  {"description", "a prompt"},
                  {"arguments", json::array({{{"name", "topic"}, {"required", true}, {"description", "What about"}},
                                             {{"name", "tone"}, {"required", false}}})}}));
  ASSERT_TRUE(c.add_prompt(prompt_def("no_args")));
  EXPECT_FALSE(c.prompt_descriptors()[1].contains("arguments"));
}

// ---- reads ---------------------------------------------------------------------------------------------------------

TEST(tools_Catalog, ReadsByExactUri) {
  Catalog c;
  ASSERT_TRUE(c.add_resource(text_resource("test://static-text", "hello")));
  ASSERT_TRUE(c.add_resource(text_resource("test://other", "other")));
  CallContext ctx;
  auto contents = c.read("test://static-text", ctx);
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(*contents, json::array({{{"uri", "test://static-text"}, {"mimeType", "text/plain"}, {"text", "hello"}}}));
  auto other = c.read("test://other", ctx);
  ASSERT_TRUE(other);
  EXPECT_EQ((*other)[0]["text"], "other");
}

TEST(tools_Catalog, ReadsThroughATemplateWithCapturedVariables) {
  Catalog c;
  std::string seen_uri;
  UriVariables seen_vars;
  auto t = template_def("test://athletes/{athlete}/activities/{id}");
  t.read = [&](const std::string& u, const UriVariables& vars, CallContext&) -> Result<json> {
    seen_uri = u;
    seen_vars = vars;
    return json::array({{{"uri", u}, {"text", "activity"}}});
  };
  ASSERT_TRUE(c.add_template(std::move(t)));
  CallContext ctx;
  auto contents = c.read("test://athletes/ann/activities/77", ctx);
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(seen_uri, "test://athletes/ann/activities/77");
  EXPECT_EQ(seen_vars, (UriVariables{{"athlete", "ann"}, {"id", "77"}}));
  EXPECT_EQ((*contents)[0]["uri"], "test://athletes/ann/activities/77");

  auto crossing = c.read("test://athletes/ann/activities/77/laps", ctx);
  ASSERT_FALSE(crossing);
  EXPECT_EQ(crossing.error().code, ErrorCode::resource_not_found);
}

TEST(tools_Catalog, ExactResourceWinsOverAMatchingTemplate) {
  Catalog c;
  ASSERT_TRUE(c.add_template(template_def("test://items/{id}")));
  ASSERT_TRUE(c.add_resource(text_resource("test://items/special", "exact")));
  CallContext ctx;
  auto exact = c.read("test://items/special", ctx);
  ASSERT_TRUE(exact);
  EXPECT_EQ((*exact)[0]["text"], "exact");
  auto templated = c.read("test://items/9", ctx);
  ASSERT_TRUE(templated);
  EXPECT_EQ((*templated)[0]["text"], R"({"id":"9"})");
}

TEST(tools_Catalog, UnknownUriIsResourceNotFoundWithTheUri) {
  Catalog c;
  ASSERT_TRUE(c.add_resource(text_resource("test://known")));
  ASSERT_TRUE(c.add_template(template_def("test://items/{id}")));
  CallContext ctx;
  for (const std::string uri : {"test://unknown", "test://known/", "test://items/", "", "test://items/1/2"}) {
    auto out = c.read(uri, ctx);
    ASSERT_FALSE(out) << uri;
    EXPECT_EQ(out.error().code, ErrorCode::resource_not_found);
    EXPECT_EQ(out.error().details, (json{{"uri", uri}}));
  }
}

TEST(tools_Catalog, EmptyOrNonArrayReadIsResourceNotFound) {
  Catalog c;
  auto empty = text_resource("test://empty");
  empty.read = [](const std::string&, CallContext&) -> Result<json> { return json::array(); };
  auto object = text_resource("test://object");
  object.read = [](const std::string& u, CallContext&) -> Result<json> { return json{{"uri", u}, {"text", "x"}}; };
  ASSERT_TRUE(c.add_resource(empty));
  ASSERT_TRUE(c.add_resource(object));
  auto tmpl = template_def("test://none/{id}");
  tmpl.read = [](const std::string&, const UriVariables&, CallContext&) -> Result<json> { return json::array(); };
  ASSERT_TRUE(c.add_template(tmpl));
  CallContext ctx;
  for (const std::string uri : {"test://empty", "test://object", "test://none/5"}) {
    auto out = c.read(uri, ctx);
    ASSERT_FALSE(out) << uri;
    EXPECT_EQ(out.error().code, ErrorCode::resource_not_found) << uri;
    EXPECT_EQ(out.error().details, (json{{"uri", uri}})) << uri;
  }
}

TEST(tools_Catalog, ReaderErrorsPassThroughAndThrowsAreContained) {
  Catalog c;
  auto locked = text_resource("test://locked");
  locked.read = [](const std::string&, CallContext&) -> Result<json> {
    return fail(ErrorCode::permission_denied, "not yours");
  };
  auto throws = text_resource("test://throws");
  throws.read = [](const std::string&, CallContext&) -> Result<json> {
    throw std::runtime_error("/var/lib/secret/path exploded");
  };
  ASSERT_TRUE(c.add_resource(locked));
  ASSERT_TRUE(c.add_resource(throws));
  CallContext ctx;
  auto denied = c.read("test://locked", ctx);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(denied.error().message, "not yours");

  Result<json> thrown = json();
  ASSERT_NO_THROW(thrown = c.read("test://throws", ctx));
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().code, ErrorCode::internal_error);
  EXPECT_THAT(thrown.error().message, ::testing::Not(HasSubstr("secret")));
}

// ---- prompts -------------------------------------------------------------------------------------------------------

Catalog prompt_catalog() {
  Catalog c;
  EXPECT_TRUE(c.add_prompt(prompt_def("plan", {{"goal", "Training goal", true, {"marathon", "marathon_sub3", "5k"}},
                                               {"weeks", "How many weeks", false, {"8", "12", "16"}}})));
  return c;
}

std::string prompt_text(const PromptOutput& out) {
  return out.messages.at(0)["content"]["text"].get<std::string>();
}

TEST(tools_Catalog, GetPromptPassesStringArguments) {
  auto c = prompt_catalog();
  CallContext ctx;
  auto out = c.get_prompt("plan", {{"goal", "5k"}, {"weeks", "8"}}, ctx);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(prompt_text(*out), R"({"goal":"5k","weeks":"8"})");
  EXPECT_EQ(out->description, "desc");
  auto optional_left_out = c.get_prompt("plan", {{"goal", "5k"}}, ctx);
  ASSERT_TRUE(optional_left_out);
  EXPECT_EQ(prompt_text(*optional_left_out), R"({"goal":"5k"})");
}

TEST(tools_Catalog, GetUnknownPromptIsResourceNotFound) {
  auto c = prompt_catalog();
  CallContext ctx;
  auto out = c.get_prompt("nope", json::object(), ctx);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::resource_not_found);
  EXPECT_EQ(out.error().details, (json{{"name", "nope"}}));
  EXPECT_FALSE(c.get_prompt("Plan", json::object(), ctx)) << "prompt names are exact";
}

TEST(tools_Catalog, MissingRequiredPromptArgument) {
  auto c = prompt_catalog();
  CallContext ctx;
  for (const json& args : {json::object(), json(nullptr), json{{"weeks", "8"}}}) {
    auto out = c.get_prompt("plan", args, ctx);
    ASSERT_FALSE(out) << args.dump();
    EXPECT_EQ(out.error().code, ErrorCode::missing_required_field) << args.dump();
    EXPECT_EQ(out.error().details, (json{{"field", "goal"}}));
    EXPECT_THAT(out.error().message, HasSubstr("goal"));
  }
}

TEST(tools_Catalog, UnknownOrNonStringPromptArgumentsAreInvalidInput) {
  auto c = prompt_catalog();
  CallContext ctx;
  auto unknown = c.get_prompt("plan", {{"goal", "5k"}, {"pace", "fast"}}, ctx);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::invalid_input);
  EXPECT_THAT(unknown.error().message, HasSubstr("pace"));

  for (const json& value : {json(12), json(true), json(nullptr), json::array({"5k"}), json{{"k", "v"}}, json(1.5)}) {
    auto out = c.get_prompt("plan", {{"goal", value}}, ctx);
    ASSERT_FALSE(out) << value.dump();
    EXPECT_EQ(out.error().code, ErrorCode::invalid_input) << value.dump();
    EXPECT_THAT(out.error().message, HasSubstr("goal"));
  }

  for (const json& args : {json::array({"5k"}), json("goal=5k"), json(3)}) {
    auto out = c.get_prompt("plan", args, ctx);
    ASSERT_FALSE(out) << args.dump();
    EXPECT_EQ(out.error().code, ErrorCode::invalid_input) << args.dump();
  }
}

TEST(tools_Catalog, PromptHandlerThrowIsContained) {
  Catalog c;
  auto p = prompt_def("boom");
  p.get = [](const Args&, CallContext&) -> Result<PromptOutput> { throw std::logic_error("boom"); };
  ASSERT_TRUE(c.add_prompt(std::move(p)));
  CallContext ctx;
  Result<PromptOutput> out = PromptOutput{};
  ASSERT_NO_THROW(out = c.get_prompt("boom", json::object(), ctx));
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::internal_error);
}

// ---- completion ----------------------------------------------------------------------------------------------------

TEST(tools_Catalog, CompletesPromptArgumentsByPrefix) {
  auto c = prompt_catalog();
  auto marathon = c.complete_prompt_argument("plan", "goal", "mara");
  ASSERT_TRUE(marathon);
  EXPECT_THAT(*marathon, ElementsAre("marathon", "marathon_sub3"));
  auto all = c.complete_prompt_argument("plan", "goal", "");
  ASSERT_TRUE(all);
  EXPECT_THAT(*all, ElementsAre("marathon", "marathon_sub3", "5k"));
  auto none = c.complete_prompt_argument("plan", "goal", "zzz");
  ASSERT_TRUE(none);
  EXPECT_THAT(*none, IsEmpty());
  auto weeks = c.complete_prompt_argument("plan", "weeks", "1");
  ASSERT_TRUE(weeks);
  EXPECT_THAT(*weeks, ElementsAre("12", "16"));
  auto exact_case = c.complete_prompt_argument("plan", "goal", "Mara");
  ASSERT_TRUE(exact_case);
  EXPECT_THAT(*exact_case, IsEmpty());
}

TEST(tools_Catalog, CompletionOfUnknownPromptOrArgumentFails) {
  auto c = prompt_catalog();
  auto prompt = c.complete_prompt_argument("nope", "goal", "");
  ASSERT_FALSE(prompt);
  EXPECT_EQ(prompt.error().code, ErrorCode::invalid_input);
  auto argument = c.complete_prompt_argument("plan", "nope", "");
  ASSERT_FALSE(argument);
  EXPECT_EQ(argument.error().code, ErrorCode::invalid_input);
}

TEST(tools_Catalog, CompletesTemplateVariablesThroughTheTemplateCompleter) {
  Catalog c;
  std::vector<std::pair<std::string, std::string>> asked;
  auto t = template_def("test://athletes/{athlete}/activities/{id}");
  t.complete = [&](std::string_view variable, std::string_view prefix) {
    asked.emplace_back(variable, prefix);
    std::vector<std::string> out;
    for (const char* v : {"1", "12", "123", "2"}) {
      if (std::string_view(v).starts_with(prefix)) out.emplace_back(v);
    }
    return out;
  };
  ASSERT_TRUE(c.add_template(std::move(t)));
  ASSERT_TRUE(c.add_template(template_def("test://plain/{x}")));  // no completer

  auto values = c.complete_template_variable("test://athletes/{athlete}/activities/{id}", "id", "12");
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_THAT(*values, ElementsAre("12", "123"));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], (std::pair<std::string, std::string>{"id", "12"}));

  auto no_completer = c.complete_template_variable("test://plain/{x}", "x", "a");
  ASSERT_TRUE(no_completer);
  EXPECT_THAT(*no_completer, IsEmpty());

  auto unknown_variable = c.complete_template_variable("test://athletes/{athlete}/activities/{id}", "lap", "");
  ASSERT_FALSE(unknown_variable);
  EXPECT_EQ(unknown_variable.error().code, ErrorCode::invalid_input);
  auto unknown_template = c.complete_template_variable("test://athletes/{a}/activities/{id}", "id", "");
  ASSERT_FALSE(unknown_template);
  EXPECT_EQ(unknown_template.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(asked.size(), 1u) << "the completer must not run for an unknown variable or template";
}

}  // namespace
}  // namespace pierre::tools
