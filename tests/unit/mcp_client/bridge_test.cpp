#include "pierre/mcp_client/bridge.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "fake_mcp_server.hpp"
#include "pierre/mcp_client/errors.hpp"

namespace pierre::mcp_client {
namespace {

using nlohmann::json;
using test_support::FakeMcpServer;
using test_support::FakeRequest;
using test_support::FakeResponse;
using namespace std::chrono_literals;

class CapturingSink final : public MessageSink {
 public:
  void send(const json& message) override {
    const std::lock_guard lock(mutex_);
    messages_.push_back(message);
    arrived_.notify_all();
  }
  json answer_to(const json& id) {
    std::unique_lock lock(mutex_);
    json found;
    arrived_.wait_for(lock, 10s, [&] {
      for (const auto& m : messages_) {
        if (m.value("id", json()) == id && (m.contains("result") || m.contains("error"))) found = m;
      }
      return !found.is_null();
    });
    return found;
  }
  std::vector<json> messages() {
    const std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<json> messages_;
};

FakeResponse json_answer(const json& body, std::map<std::string, std::string> headers = {}) {
  headers["Content-Type"] = "application/json";
  return {200, std::move(headers), body.dump()};
}

json result_for(const FakeRequest& request, json result) {
  return {{"jsonrpc", "2.0"}, {"id", json::parse(request.body)["id"]}, {"result", std::move(result)}};
}

std::string method_of(const FakeRequest& request) {
  return json::parse(request.body).value("method", "");
}

// One bridge with an API key against a fake server; members are destroyed bridge first, server last.
struct Harness {
  explicit Harness(FakeMcpServer::Handler handler, std::chrono::milliseconds retry_budget = 2000ms)
      : server(std::move(handler)),
        bridge({.mcp_url = server.url() + "/mcp", .retry_budget = retry_budget}, http, credentials, sink, diagnostics) {
  }

  FakeMcpServer server;
  HttpClient http;
  FixedCredentials credentials = FixedCredentials::api_key("pk_test_key");
  CapturingSink sink;
  Diagnostics diagnostics{false};
  Bridge bridge;
};

TEST(Bridge, MalformedAndInvalidLinesGetErrorsAndTheBridgeGoesOn) {
  Harness h([](const FakeRequest& r) { return json_answer(result_for(r, {{"tools", json::array()}})); });
  h.bridge.handle_line("{this is not json");
  h.bridge.handle_line("[1, 2]");
  h.bridge.handle_line(R"({"jsonrpc":"1.0","id":9,"method":"tools/list"})");
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}})");
  EXPECT_TRUE(h.sink.answer_to(3).contains("result"));
  h.bridge.finish(5s);
  const auto messages = h.sink.messages();
  ASSERT_EQ(messages.size(), 4U);
  EXPECT_EQ(messages[0]["error"]["code"], rpc_code::parse_error);
  EXPECT_TRUE(messages[0]["id"].is_null());
  EXPECT_EQ(messages[1]["error"]["code"], rpc_code::invalid_request);
  EXPECT_EQ(messages[2]["error"]["code"], rpc_code::invalid_request);
  EXPECT_EQ(messages[2]["id"], 9);
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].headers.at("x-api-key"), "pk_test_key");
  EXPECT_EQ(requests[0].headers.at("accept"), "application/json, text/event-stream");
}

TEST(Bridge, RetriesUnavailableAnswersWithBackoffThenRelays) {
  std::atomic<int> calls{0};
  Harness h([&](const FakeRequest& r) {
    if (++calls <= 2) return FakeResponse{503, {}, "<html>starting</html>"};
    return json_answer(result_for(r, {{"ok", true}}));
  });
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":"a","method":"ping"})");
  EXPECT_EQ(h.sink.answer_to("a")["result"]["ok"], true);
  EXPECT_EQ(calls.load(), 3);
}

// A connection that drops after the server received the request: re-sending a read is harmless, re-sending a tool
// call could make the tool act twice, so that one is answered with an error instead. The tool call goes first, on a
// fresh connection: on a reused keep-alive connection libcurl itself re-sends once when nothing at all came back
// (it cannot tell a server that died from one that had closed the idle connection).
TEST(Bridge, ARequestLostMidFlightIsResentUnlessItIsAToolCall) {
  std::atomic<int> lists{0};
  std::atomic<int> calls{0};
  Harness h([&](const FakeRequest& r) {
    const auto method = method_of(r);
    if (method == "tools/list" && ++lists == 1) return FakeResponse{0, {}, ""};
    if (method == "tools/call") {
      ++calls;
      return FakeResponse{0, {}, ""};
    }
    return json_answer(result_for(r, {{"tools", json::array()}}));
  });
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_stats"}})");
  const auto answer = h.sink.answer_to(2);
  EXPECT_EQ(answer["error"]["code"], rpc_code::server_unavailable) << answer.dump();
  EXPECT_EQ(calls.load(), 1);
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_TRUE(h.sink.answer_to(1).contains("result"));
  EXPECT_EQ(lists.load(), 2);
}

TEST(Bridge, AServerThatKeepsFailingGetsOneErrorWithTheRequestId) {
  Harness h([](const FakeRequest&) { return FakeResponse{500, {}, ""}; }, 300ms);
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":"x","method":"tools/list"})");
  const auto answer = h.sink.answer_to("x");
  EXPECT_EQ(answer["error"]["code"], rpc_code::server_unavailable);
  EXPECT_EQ(answer["error"]["data"]["reason"], "EXTERNAL_SERVICE_UNAVAILABLE");
  h.bridge.finish(5s);
  EXPECT_EQ(h.sink.messages().size(), 1U);
  EXPECT_GE(h.server.requests().size(), 2U);
}

TEST(Bridge, AJsonRpcErrorBodyIsRelayedWithTheRequestId) {
  Harness h([](const FakeRequest&) {
    return FakeResponse{404,
                        {{"Content-Type", "application/json"}},
                        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"Method not found"}})"};
  });
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":5,"method":"nope","params":{"_meta":{}}})");
  const auto answer = h.sink.answer_to(5);
  EXPECT_EQ(answer["error"]["code"], -32601);
}

TEST(Bridge, RefusedFixedCredentialsAreAnAuthorizationError) {
  Harness h([](const FakeRequest&) { return FakeResponse{401, {{"WWW-Authenticate", "Bearer"}}, ""}; });
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(h.sink.answer_to(1)["error"]["code"], rpc_code::unauthorized);
}

TEST(Bridge, StreamedEventsAreRelayedInOrderBeforeTheResponse) {
  Harness h([](const FakeRequest& r) {
    const auto id = json::parse(r.body)["id"];
    const json progress = {{"jsonrpc", "2.0"},
                           {"method", "notifications/progress"},
                           {"params", {{"progressToken", "p"}, {"progress", 1}}}};
    const json done = {{"jsonrpc", "2.0"}, {"id", id}, {"result", {{"content", json::array()}}}};
    return FakeResponse{
        200,
        {{"Content-Type", "text/event-stream"}},
        ": keep-alive\n\nevent: message\ndata: " + progress.dump() + "\n\ndata: " + done.dump() + "\n\n"};
  });
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"t"}})");
  ASSERT_TRUE(h.sink.answer_to(7).contains("result"));
  const auto messages = h.sink.messages();
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(messages[0]["method"], "notifications/progress");
}

TEST(Bridge, ModernRequestsCarryTheirOwnHeadersAndNoSession) {
  Harness h([](const FakeRequest& r) { return json_answer(result_for(r, json::object())); });
  h.bridge.handle_line(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_connection_status","arguments":{},)"
      R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})");
  ASSERT_TRUE(h.sink.answer_to(1).contains("result"));
  const auto request = h.server.requests().at(0);
  EXPECT_EQ(request.headers.at("mcp-protocol-version"), "2026-07-28");
  EXPECT_EQ(request.headers.at("mcp-method"), "tools/call");
  EXPECT_EQ(request.headers.at("mcp-name"), "get_connection_status");
  EXPECT_EQ(request.headers.count("mcp-session-id"), 0U);
}

TEST(Bridge, ReplaysInitializeWhenTheServerLostTheSession) {
  std::atomic<int> sessions{0};
  Harness h([&](const FakeRequest& r) {
    const auto method = method_of(r);
    if (method == "initialize") {
      const auto id = "s" + std::to_string(++sessions);
      return json_answer(result_for(r, {{"protocolVersion", "2025-11-25"}}), {{"Mcp-Session-Id", id}});
    }
    if (method == "notifications/initialized") return FakeResponse{202, {}, ""};
    const auto session = r.headers.count("mcp-session-id") ? r.headers.at("mcp-session-id") : "";
    if (session != "s" + std::to_string(sessions.load())) {
      return FakeResponse{404, {{"Content-Type", "application/json"}}, ""};
    }
    EXPECT_EQ(r.headers.at("mcp-protocol-version"), "2025-11-25");
    return json_answer(result_for(r, {{"session", session}}));
  });
  h.bridge.handle_line(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},)"
      R"("clientInfo":{"name":"t","version":"1"}}})");
  ASSERT_TRUE(h.sink.answer_to(1).contains("result"));
  h.bridge.handle_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  EXPECT_EQ(h.sink.answer_to(2)["result"]["session"], "s1");
  ++sessions;  // the server "restarts": s1 is gone, the next initialize mints s3
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})");
  EXPECT_EQ(h.sink.answer_to(3)["result"]["session"], "s3");
  h.bridge.finish(5s);
  EXPECT_EQ(h.sink.messages().size(), 3U) << "the replayed initialize answer must not reach the client";
}

TEST(Bridge, CancellationStopsTheRelayWithoutAnAnswer) {
  Harness h([](const FakeRequest& r) {
    if (method_of(r) == "notifications/cancelled") return FakeResponse{202, {}, ""};
    std::this_thread::sleep_for(1500ms);
    return json_answer(result_for(r, json::object()));
  });
  h.bridge.handle_line(R"({"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"t"}})");
  std::this_thread::sleep_for(200ms);
  h.bridge.handle_line(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"slow"}})");
  h.bridge.finish(10s);
  EXPECT_TRUE(h.sink.messages().empty());
}

}  // namespace
}  // namespace pierre::mcp_client
