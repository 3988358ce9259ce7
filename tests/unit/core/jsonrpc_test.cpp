// JSON-RPC 2.0 parsing (strict, one message per body) and the message builders that MCP and A2A share.

#include "pierre/core/jsonrpc.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <string>

namespace pierre::jsonrpc {
namespace {

using nlohmann::json;

Message expect_message(std::string_view body) {
  auto parsed = parse_message(body);
  if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
    ADD_FAILURE() << "rejected " << body << ": " << failure->error.code << " " << failure->error.message;
    return {};
  }
  return std::get<Message>(parsed);
}

ParseFailure expect_failure(std::string_view body) {
  auto parsed = parse_message(body);
  if (auto* message = std::get_if<Message>(&parsed)) {
    ADD_FAILURE() << "accepted " << body << " as method '" << message->method << "'";
    return {};
  }
  return std::get<ParseFailure>(parsed);
}

// ---- parse failures ------------------------------------------------------------------------------------------------

TEST(core_JsonRpcParse, InvalidJsonIsParseError) {
  for (std::string_view body :
       {"", " ", "{", "{\"jsonrpc\":\"2.0\",", "not json", "{'jsonrpc':'2.0'}",
        R"({"jsonrpc":"2.0","id":1,"method":"x"} trailing)", R"({"a":1}{"b":2})", "\xFF\xFE{}",
        R"({"jsonrpc":"2.0","id":1,"method":"\ud800"})", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xC3\x28\"}"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::parse_error) << body;
    EXPECT_EQ(f.error.code, -32700);
    EXPECT_TRUE(f.id.is_null()) << body;
    EXPECT_FALSE(f.error.message.empty());
  }
}

TEST(core_JsonRpcParse, BatchesAreInvalidRequests) {
  for (std::string_view body : {R"([{"jsonrpc":"2.0","id":1,"method":"tools/list"}])", "[]",
                                R"([{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}])"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::invalid_request) << body;
    EXPECT_EQ(f.error.code, -32600);
    EXPECT_THAT(f.error.message, ::testing::HasSubstr("batch"));
    EXPECT_TRUE(f.id.is_null());
  }
}

TEST(core_JsonRpcParse, NonObjectValuesAreInvalidRequests) {
  for (std::string_view body : {"42", "\"tools/list\"", "null", "true", "1.5"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::invalid_request) << body;
    EXPECT_TRUE(f.id.is_null());
  }
}

TEST(core_JsonRpcParse, WrongOrMissingVersionIsInvalidRequestWithIdRecovered) {
  struct Case {
    std::string_view body;
    json id;
  };
  for (const auto& c :
       {Case{R"({"id":7,"method":"tools/list"})", 7},
        Case{R"({"jsonrpc":"1.0","id":"abc","method":"tools/list"})", "abc"},
        Case{R"({"jsonrpc":2.0,"id":8,"method":"tools/list"})", 8},
        Case{R"({"jsonrpc":"2.0 ","id":9,"method":"tools/list"})", 9},
        Case{R"({"jsonrpc":null,"id":10,"method":"tools/list"})", 10}, Case{R"({"jsonrpc":"2.0"})", nullptr},
        Case{R"({})", nullptr}, Case{R"({"method":"notifications/initialized"})", nullptr}}) {
    auto f = expect_failure(c.body);
    EXPECT_EQ(f.error.code, code::invalid_request) << c.body;
    EXPECT_EQ(f.id, c.id) << c.body;
  }
}

TEST(core_JsonRpcParse, BadIdTypesAreInvalidRequests) {
  for (std::string_view body :
       {R"({"jsonrpc":"2.0","id":1.5,"method":"tools/list"})", R"({"jsonrpc":"2.0","id":1.0,"method":"tools/list"})",
        R"({"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"})",
        R"({"jsonrpc":"2.0","id":[1],"method":"tools/list"})", R"({"jsonrpc":"2.0","id":true,"method":"tools/list"})",
        R"({"jsonrpc":"2.0","id":false,"method":"tools/list"})", R"({"jsonrpc":"2.0","id":null,"method":"tools/list"})",
        R"({"jsonrpc":"2.0","id":1e3,"method":"tools/list"})", R"({"jsonrpc":"2.0","id":{"a":1},"result":{}})"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::invalid_request) << body;
    // An id that is itself invalid cannot be echoed back.
    EXPECT_TRUE(f.id.is_null()) << body;
    EXPECT_THAT(f.error.message, ::testing::HasSubstr("id"));
  }
}

TEST(core_JsonRpcParse, BadMethodIsInvalidRequestWithIdRecovered) {
  for (std::string_view body : {R"({"jsonrpc":"2.0","id":3,"method":""})", R"({"jsonrpc":"2.0","id":3,"method":5})",
                                R"({"jsonrpc":"2.0","id":3,"method":null})",
                                R"({"jsonrpc":"2.0","id":3,"method":["x"]})", R"({"jsonrpc":"2.0","id":3})"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::invalid_request) << body;
    EXPECT_EQ(f.id, 3) << body;
  }
}

TEST(core_JsonRpcParse, ParamsMustBeObjectOrArray) {
  for (std::string_view body : {R"({"jsonrpc":"2.0","id":"p","method":"tools/list","params":"x"})",
                                R"({"jsonrpc":"2.0","id":"p","method":"tools/list","params":1})",
                                R"({"jsonrpc":"2.0","id":"p","method":"tools/list","params":true})",
                                R"({"jsonrpc":"2.0","id":"p","method":"tools/list","params":null})"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::invalid_request) << body;
    EXPECT_EQ(f.id, "p") << body;
    EXPECT_THAT(f.error.message, ::testing::HasSubstr("params"));
  }
  auto notification = expect_failure(R"({"jsonrpc":"2.0","method":"notifications/progress","params":"x"})");
  EXPECT_EQ(notification.error.code, code::invalid_request);
  EXPECT_TRUE(notification.id.is_null());
}

TEST(core_JsonRpcParse, ResponsesNeedExactlyOneOfResultAndError) {
  for (std::string_view body :
       {R"({"jsonrpc":"2.0","id":4,"result":{},"error":{"code":1,"message":"x"}})", R"({"jsonrpc":"2.0","id":4})"}) {
    auto f = expect_failure(body);
    EXPECT_EQ(f.error.code, code::invalid_request) << body;
    EXPECT_EQ(f.id, 4) << body;
  }
  auto no_id = expect_failure(R"({"jsonrpc":"2.0","result":{}})");
  EXPECT_EQ(no_id.error.code, code::invalid_request);
}

// ---- accepted messages ---------------------------------------------------------------------------------------------

TEST(core_JsonRpcParse, RequestWithObjectParams) {
  auto m =
      expect_message(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":{"n":1}}})");
  EXPECT_EQ(m.kind, Message::Kind::request);
  EXPECT_EQ(m.id, 1);
  EXPECT_TRUE(m.id.is_number_integer() || m.id.is_number_unsigned());
  EXPECT_EQ(m.method, "tools/call");
  EXPECT_EQ(m.params, (json{{"name", "greet"}, {"arguments", {{"n", 1}}}}));
}

TEST(core_JsonRpcParse, RequestIdsRoundTripExactly) {
  auto s = expect_message(R"({"jsonrpc":"2.0","id":"req-\u00e9-1","method":"ping"})");
  EXPECT_EQ(s.kind, Message::Kind::request);
  EXPECT_EQ(s.id, "req-\xC3\xA9-1");
  auto zero = expect_message(R"({"jsonrpc":"2.0","id":0,"method":"ping"})");
  EXPECT_EQ(zero.kind, Message::Kind::request) << "id 0 is a request, not a notification";
  EXPECT_EQ(zero.id, 0);
  auto empty = expect_message(R"({"jsonrpc":"2.0","id":"","method":"ping"})");
  EXPECT_EQ(empty.kind, Message::Kind::request);
  EXPECT_EQ(empty.id, "");
  auto negative = expect_message(R"({"jsonrpc":"2.0","id":-9007199254740993,"method":"ping"})");
  EXPECT_EQ(negative.id.get<std::int64_t>(), -9007199254740993LL);
  auto big = expect_message(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})");
  EXPECT_EQ(big.id.get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(make_result(big.id, json::object()).dump(), R"({"id":18446744073709551615,"jsonrpc":"2.0","result":{}})");
}

TEST(core_JsonRpcParse, RequestWithArrayOrNoParams) {
  auto array = expect_message(R"({"jsonrpc":"2.0","id":2,"method":"sum","params":[1,2]})");
  EXPECT_EQ(array.kind, Message::Kind::request);
  EXPECT_EQ(array.params, json::array({1, 2}));
  auto none = expect_message(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  EXPECT_EQ(none.kind, Message::Kind::request);
  EXPECT_TRUE(none.params.is_null());
  auto empty = expect_message(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}})");
  EXPECT_EQ(empty.params, json::object());
}

TEST(core_JsonRpcParse, NotificationHasNoId) {
  auto m = expect_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(m.kind, Message::Kind::notification);
  EXPECT_TRUE(m.id.is_null());
  EXPECT_EQ(m.method, "notifications/initialized");
  auto with_params = expect_message(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5,"reason":"user"}})");
  EXPECT_EQ(with_params.kind, Message::Kind::notification);
  EXPECT_EQ(with_params.params["requestId"], 5);
}

TEST(core_JsonRpcParse, ResponsesKeepTheWholeMessage) {
  auto result = expect_message(R"({"jsonrpc":"2.0","id":"pierre-1","result":{"action":"accept"}})");
  EXPECT_EQ(result.kind, Message::Kind::response);
  EXPECT_EQ(result.id, "pierre-1");
  EXPECT_TRUE(result.method.empty());
  EXPECT_EQ(result.raw["result"], (json{{"action", "accept"}}));
  auto error = expect_message(R"({"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"declined"}})");
  EXPECT_EQ(error.kind, Message::Kind::response);
  EXPECT_EQ(error.raw["error"]["message"], "declined");
  auto null_result = expect_message(R"({"jsonrpc":"2.0","id":3,"result":null})");
  EXPECT_EQ(null_result.kind, Message::Kind::response);
}

TEST(core_JsonRpcParse, WhitespaceAndKeyOrderDoNotMatter) {
  auto m = expect_message(" \n\t{ \"method\" : \"tools/list\" , \"id\" : 5 , \"jsonrpc\" : \"2.0\" }\r\n ");
  EXPECT_EQ(m.kind, Message::Kind::request);
  EXPECT_EQ(m.id, 5);
  EXPECT_EQ(m.method, "tools/list");
}

// Nested params must parse (or be refused) without exhausting the stack. Each case runs in a child process so that
// a stack overflow fails that test instead of killing the suite.
void expect_nesting_survives(std::size_t depth) {
  EXPECT_EXIT(
      {
        std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":)";
        deep += std::string(depth, '[') + std::string(depth, ']') + "}}";
        auto parsed = parse_message(deep);
        const bool sane = std::holds_alternative<Message>(parsed) ||
                          std::get<ParseFailure>(parsed).error.code == code::invalid_request ||
                          std::get<ParseFailure>(parsed).error.code == code::parse_error;
        std::exit(sane ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "")
      << "depth " << depth;
}

TEST(core_JsonRpcParse, NestedParamsDoNotOverflowTheStack) {
  // 5000 levels: a 10 KB body, far deeper than any real request.
  expect_nesting_survives(5000);
}

TEST(core_JsonRpcParse, HostileNestingDoesNotOverflowTheStack) {
  // 300 000 levels fit in a 1 MiB body (the server's default limit). Rejecting them as invalid is fine; crashing is
  // not.
  expect_nesting_survives(300000);
}

// ---- builders ------------------------------------------------------------------------------------------------------

TEST(core_JsonRpcBuild, MakeResultShape) {
  const auto r = make_result(7, {{"tools", json::array()}});
  EXPECT_EQ(r, (json{{"jsonrpc", "2.0"}, {"id", 7}, {"result", {{"tools", json::array()}}}}));
  EXPECT_EQ(r.size(), 3u);
  EXPECT_FALSE(r.contains("error"));
  EXPECT_EQ(make_result("s", json::object())["id"], "s");
}

TEST(core_JsonRpcBuild, MakeErrorShape) {
  const auto without_data = make_error(3, {code::method_not_found, "Method not found: x", nullptr});
  EXPECT_EQ(without_data,
            (json{{"jsonrpc", "2.0"}, {"id", 3}, {"error", {{"code", -32601}, {"message", "Method not found: x"}}}}));
  EXPECT_FALSE(without_data["error"].contains("data")) << "null data must be omitted, not sent as null";
  EXPECT_FALSE(without_data.contains("result"));

  const auto with_data = make_error(nullptr, {code::invalid_params, "bad", {{"uri", "test://x"}}});
  EXPECT_TRUE(with_data.contains("id"));
  EXPECT_TRUE(with_data["id"].is_null()) << "an unknown id is sent as null";
  EXPECT_EQ(with_data["error"]["data"], (json{{"uri", "test://x"}}));
  EXPECT_EQ(with_data["error"]["code"], -32602);
}

TEST(core_JsonRpcBuild, MakeNotificationShape) {
  const auto n = make_notification("notifications/progress", {{"progressToken", "t"}, {"progress", 50}});
  EXPECT_EQ(n, (json{{"jsonrpc", "2.0"},
                     {"method", "notifications/progress"},
                     {"params", {{"progressToken", "t"}, {"progress", 50}}}}));
  EXPECT_FALSE(n.contains("id"));
}

TEST(core_JsonRpcBuild, BuiltMessagesParseBackToTheirKind) {
  auto result = expect_message(make_result("abc", {{"ok", true}}).dump());
  EXPECT_EQ(result.kind, Message::Kind::response);
  EXPECT_EQ(result.id, "abc");
  auto error = expect_message(make_error(12, {code::internal_error, "oops", nullptr}).dump());
  EXPECT_EQ(error.kind, Message::Kind::response);
  EXPECT_EQ(error.id, 12);
  auto notification = expect_message(make_notification("notifications/message", {{"level", "info"}}).dump());
  EXPECT_EQ(notification.kind, Message::Kind::notification);
  EXPECT_EQ(notification.method, "notifications/message");
  EXPECT_EQ(notification.params["level"], "info");
}

}  // namespace
}  // namespace pierre::jsonrpc
