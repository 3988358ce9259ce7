// Black-box tests of the A2A v1.0 agent (src/a2a) against the real server binary over loopback:
//   - the agent card at /.well-known/agent-card.json (public),
//   - authentication: no or bad credentials → 401 with the structured error body,
//   - the JSON-RPC binding's errors: parse error, invalid request, unknown method, invalid params, unsupported
//     A2A-Version, unsupported optional features, unknown tool/skill,
//   - SendMessage: a plain-text message gets the help answer (a Message); a data part naming a tool runs it as a task
//     whose artifact is the tool's structured result; returnImmediately answers at once and the task can be polled,
//   - SendStreamingMessage: the SSE events (task, working, artifact, completed),
//   - GetTask / CancelTask: a finished task is not cancelable (-32002); another tenant's (or user's) task is not found,
//   - ListTasks: the caller's own tasks only (not another user's of the same tenant, not another tenant's), most
//     recently updated first, pageToken paging that visits every task once, status/contextId/time filters,
//     includeArtifacts and historyLength, and -32602 for every bad parameter (a garbage, tampered, foreign or
//     re-filtered pageToken included),
//   - SubscribeToTask: a running task's events until it completes (with the conformance fixtures' slow_compute tool);
//     a finished task → -32004; another user's or tenant's task → -32001; a task waiting for input → its Task, then
//     the stream ends,
//   - a finished task's a2a_message event on the caller's /notifications/sse stream, and on no other tenant's,
//   - Pierre's /a2a/* endpoints: status, tools, execute, monitoring, administrator-registered A2A clients whose
//     client-credentials tokens reach /a2a/client/*, tenant isolation of the registrations, deactivation, and
//     their rate-limit tier enforced (429 past the trial tier's 10 requests per minute).
// Runs on SQLite (file) and PostgreSQL (migration 009 on both). Suite names start with "a2a" (`ctest -R a2a`).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "backend_fixture.hpp"
#include "identity_support.hpp"
#include "server_backend_fixture.hpp"
#include "server_process.hpp"
#include "sse_client.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;

constexpr const char* kUserPassword = "another long password";

json tool_message(const std::string& tool, const json& arguments = json::object()) {
  static int next = 0;
  return {{"messageId", "it-" + std::to_string(++next)},
          {"role", "ROLE_USER"},
          {"parts", json::array({{{"data", {{"tool", tool}, {"arguments", arguments}}}}})}};
}

json text_message(const std::string& text) {
  return {{"messageId", "it-text"}, {"role", "ROLE_USER"}, {"parts", json::array({{{"text", text}}})}};
}

class A2aTest : public ServerBackendTest {
 protected:
  void SetUp() override {
    ServerBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto setup =
        post_json(c(), "/admin/setup", {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "A"}});
    ASSERT_EQ(setup.result_int(), 201) << setup.body();
    admin_ = token_of(login(c(), kAdminEmail, kAdminPassword));
  }

  // A signed-in user of a new tenant (super-admin creates both); returns the user's JWT.
  std::string user_in_new_tenant(const std::string& name, const std::string& email, const std::string& role = "user") {
    return user_in(new_tenant(name), email, role);
  }

  std::string new_tenant(const std::string& name) {
    auto tenant = authed(c(), verb::post, "/admin/tenants", admin_, json{{"name", name}}.dump());
    EXPECT_EQ(tenant.result_int(), 201) << tenant.body();
    return body_json(tenant).value("id", "");
  }

  // A signed-in user of an existing tenant; returns the user's JWT.
  std::string user_in(const std::string& tenant_id, const std::string& email, const std::string& role = "user") {
    auto user =
        authed(c(), verb::post, "/admin/tenants/" + tenant_id + "/users", admin_,
               json{{"email", email}, {"password", kUserPassword}, {"display_name", email}, {"role", role}}.dump());
    EXPECT_EQ(user.result_int(), 201) << user.body();
    return token_of(login(c(), email, kUserPassword));
  }

  HttpResponse rpc_raw(const std::string& body, const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}, {"A2A-Version", "1.0"}};
    if (!admin_.empty()) headers["Authorization"] = "Bearer " + admin_;
    for (const auto& [k, v] : extra) headers[k] = v;
    return c().request(verb::post, "/a2a/jsonrpc", body, headers);
  }

  // One JSON-RPC call as `token`; returns the response object (checks HTTP 200).
  json rpc(const std::string& method, const json& params, const std::string& token = {}) {
    auto res = rpc_raw(json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", params}}.dump(),
                       {{"Authorization", "Bearer " + (token.empty() ? admin_ : token)}});
    EXPECT_EQ(res.result_int(), 200) << res.body();
    auto body = body_json(res);
    EXPECT_EQ(body["jsonrpc"], "2.0");
    return body;
  }

  // An access token for a registered A2A client (the client-credentials grant with the secret shown at registration).
  std::string client_token(const json& client) {
    auto token = c().request(verb::post, "/oauth2/token",
                             "grant_type=client_credentials&client_id=" + client.value("client_id", "") +
                                 "&client_secret=" + client.value("client_secret", ""),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(token.result_int(), 200) << token.body();
    return body_json(token).value("access_token", "");
  }

  static int error_of(const json& response) {
    return response.contains("error") ? response["error"].value("code", 0) : 0;
  }

  // The JSON-RPC responses carried by an SSE body, in order.
  static std::vector<json> sse_events(const std::string& text) {
    std::vector<json> events;
    std::size_t at = 0;
    while ((at = text.find("data: ", at)) != std::string::npos) {
      const auto end = text.find('\n', at);
      events.push_back(json::parse(text.substr(at + 6, end - at - 6), nullptr, false));
      at = end;
    }
    return events;
  }

  // A task that finished inline (a quick read-only tool), optionally in a given context; returns the Task.
  json finished_task(const std::string& token, const std::string& context_id = {}) {
    return sent_task(token, "analyze_training_load", "TASK_STATE_COMPLETED", context_id);
  }

  // A task left waiting for a required argument (input_required); returns the Task.
  json waiting_task(const std::string& token, const std::string& context_id = {}) {
    return sent_task(token, "analyze_activity", "TASK_STATE_INPUT_REQUIRED", context_id);
  }

  // SendMessage naming `tool`, expected to leave its task in `state`; returns the Task.
  json sent_task(const std::string& token, const std::string& tool, const std::string& state,
                 const std::string& context_id) {
    auto message = tool_message(tool);
    if (!context_id.empty()) message["contextId"] = context_id;
    auto sent = rpc("SendMessage", {{"message", message}}, token);
    EXPECT_EQ(sent["result"]["task"]["status"].value("state", ""), state) << sent.dump();
    return sent["result"]["task"];
  }

  // Every id ListTasks returns for `params`, walking the pages; checks each page's shape on the way.
  std::vector<std::string> list_all(json params, const std::string& token) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 50; ++pages) {
      auto page = rpc("ListTasks", params, token);
      EXPECT_TRUE(page.contains("result")) << page.dump();
      if (!page.contains("result")) break;
      const auto& result = page["result"];
      EXPECT_TRUE(result.contains("totalSize") && result.contains("pageSize")) << result.dump();
      for (const auto& task : result["tasks"]) ids.push_back(task.value("id", ""));
      const auto next = result.value("nextPageToken", std::string("missing"));
      if (next.empty()) break;
      EXPECT_NE(next, "missing") << result.dump();
      params["pageToken"] = next;
    }
    return ids;
  }

  std::string admin_;
};

TEST_P(A2aTest, AgentCardIsPublicAndDescribesTheAgent) {
  auto res = c().get("/.well-known/agent-card.json");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(header(res, "Content-Type"), "application/json");
  const auto card = body_json(res);
  EXPECT_FALSE(card.value("name", "").empty());
  EXPECT_FALSE(card.value("version", "").empty());
  ASSERT_EQ(card["supportedInterfaces"].size(), 1U);
  EXPECT_EQ(card["supportedInterfaces"][0]["url"], server_->base_url() + "/a2a/jsonrpc");
  EXPECT_EQ(card["supportedInterfaces"][0]["protocolBinding"], "JSONRPC");
  EXPECT_EQ(card["supportedInterfaces"][0]["protocolVersion"], "1.0");
  EXPECT_EQ(card["capabilities"]["streaming"], true);
  EXPECT_EQ(card["securitySchemes"]["oauth2"]["oauth2SecurityScheme"]["flows"]["clientCredentials"]["tokenUrl"],
            server_->base_url() + "/oauth2/token");
  EXPECT_EQ(card["securitySchemes"]["apiKey"]["apiKeySecurityScheme"]["name"], "X-API-Key");
  bool training = false;
  for (const auto& skill : card["skills"]) {
    EXPECT_FALSE(skill.value("id", "").empty());
    EXPECT_FALSE(skill["tags"].empty());
    if (skill["id"] == "training-analytics") {
      training = true;
      EXPECT_NE(skill.value("description", "").find("analyze_training_load"), std::string::npos);
    }
  }
  EXPECT_TRUE(training) << card["skills"].dump();
}

TEST_P(A2aTest, CallersWithoutValidCredentialsGetA401) {
  const auto body = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "GetTask"}, {"params", {{"id", "x"}}}}.dump();
  auto none = c().request(verb::post, "/a2a/jsonrpc", body, {{"Content-Type", "application/json"}});
  EXPECT_EQ(none.result_int(), 401);
  EXPECT_EQ(error_code(none), "AUTH_REQUIRED");
  auto bad = c().request(verb::post, "/a2a/jsonrpc", body,
                         {{"Content-Type", "application/json"}, {"Authorization", "Bearer not-a-token"}});
  EXPECT_EQ(bad.result_int(), 401);
  EXPECT_FALSE(error_code(bad).empty());
  auto bad_key = c().request(verb::post, "/a2a/jsonrpc", body,
                             {{"Content-Type", "application/json"}, {"X-API-Key", "pk_live_made_up_key_0000000"}});
  EXPECT_EQ(bad_key.result_int(), 401);
}

TEST_P(A2aTest, MalformedJsonRpcGetsJsonRpcErrors) {
  auto parse = body_json(rpc_raw("{not json"));
  EXPECT_EQ(error_of(parse), -32700);
  EXPECT_TRUE(parse["id"].is_null());
  EXPECT_EQ(error_of(body_json(rpc_raw("[1,2]"))), -32600);
  EXPECT_EQ(error_of(body_json(rpc_raw(R"({"jsonrpc":"1.0","id":1,"method":"GetTask"})"))), -32600);
  EXPECT_EQ(error_of(body_json(rpc_raw(R"({"jsonrpc":"2.0","method":"GetTask"})"))), -32600);
  EXPECT_EQ(error_of(body_json(rpc_raw(R"({"jsonrpc":"2.0","id":1,"method":5})"))), -32600);
  EXPECT_EQ(error_of(body_json(rpc_raw(R"({"jsonrpc":"2.0","id":1,"method":"GetTask","params":[1]})"))), -32602);
  const auto unknown = rpc("tasks/teleport", json::object());
  EXPECT_EQ(error_of(unknown), -32601);
  EXPECT_EQ(unknown["id"], 7);
  EXPECT_EQ(error_of(rpc("GetTask", json::object())), -32602);
  EXPECT_EQ(error_of(rpc("SendMessage", json::object())), -32602);
  auto no_parts = tool_message("analyze_training_load");
  no_parts["parts"] = json::array();
  const auto invalid = rpc("SendMessage", {{"message", no_parts}});
  EXPECT_EQ(error_of(invalid), -32602);
  EXPECT_EQ(invalid["error"]["data"][0]["fieldViolations"][0]["field"], "message.parts");
  auto wrong_role = tool_message("analyze_training_load");
  wrong_role["role"] = "ROLE_AGENT";
  EXPECT_EQ(error_of(rpc("SendMessage", {{"message", wrong_role}})), -32602);
  EXPECT_EQ(error_of(rpc("CreateTaskPushNotificationConfig", json::object())), -32003);
  EXPECT_EQ(error_of(rpc("GetExtendedAgentCard", json::object())), -32007);
  auto old_version = body_json(
      rpc_raw(R"({"jsonrpc":"2.0","id":3,"method":"GetTask","params":{"id":"x"}})", {{"A2A-Version", "0.3"}}));
  EXPECT_EQ(error_of(old_version), -32009);
  auto text_plain = c().request(verb::post, "/a2a/jsonrpc", "{}",
                                {{"Content-Type", "text/plain"}, {"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(text_plain.result_int(), 415);
}

TEST_P(A2aTest, UnknownToolOrSkillIsInvalidParams) {
  const auto unknown = rpc("SendMessage", {{"message", tool_message("no_such_tool")}});
  EXPECT_EQ(error_of(unknown), -32602);
  EXPECT_NE(unknown["error"].value("message", "").find("no tool or skill named"), std::string::npos);
  // A skill id names a group: the answer lists its tools.
  const auto skill = rpc("SendMessage", {{"message", tool_message("training-analytics")}});
  EXPECT_EQ(error_of(skill), -32602);
  EXPECT_NE(skill["error"].value("message", "").find("analyze_training_load"), std::string::npos);
}

TEST_P(A2aTest, PlainTextGetsTheHelpAnswer) {
  const auto answer = rpc("SendMessage", {{"message", text_message("hello, what can you do?")}});
  ASSERT_TRUE(answer.contains("result")) << answer.dump();
  const auto& message = answer["result"]["message"];
  EXPECT_EQ(message["role"], "ROLE_AGENT");
  const auto text = message["parts"][0].value("text", "");
  EXPECT_NE(text.find("analyze_training_load"), std::string::npos);
  EXPECT_NE(text.find("Training analytics"), std::string::npos);
}

TEST_P(A2aTest, ToolRunsAsATaskAndAFinishedTaskIsNotCancelable) {
  const auto sent = rpc("SendMessage", {{"message", tool_message("analyze_training_load", {{"timeframe", "week"}})}});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const auto task = sent["result"]["task"];
  EXPECT_EQ(task["status"]["state"], "TASK_STATE_COMPLETED") << task.dump();
  ASSERT_EQ(task["artifacts"].size(), 1U);
  const auto& parts = task["artifacts"][0]["parts"];
  ASSERT_FALSE(parts.empty());
  EXPECT_TRUE(parts[0]["data"].contains("ctl")) << parts.dump();
  EXPECT_EQ(task["history"].size(), 1U);

  const auto got = rpc("GetTask", {{"id", task["id"]}, {"historyLength", 0}});
  ASSERT_TRUE(got.contains("result")) << got.dump();
  EXPECT_EQ(got["result"]["status"]["state"], "TASK_STATE_COMPLETED");
  EXPECT_FALSE(got["result"].contains("history"));
  EXPECT_EQ(got["result"]["artifacts"], task["artifacts"]);

  const auto cancel = rpc("CancelTask", {{"id", task["id"]}});
  EXPECT_EQ(error_of(cancel), -32002) << cancel.dump();
  EXPECT_EQ(error_of(rpc("CancelTask", {{"id", "tsk_made_up"}})), -32001);
}

TEST_P(A2aTest, AFinishedTaskReachesTheCallersNotificationStreamOnly) {
  const auto other = user_in_new_tenant("Other Club", "other@example.com");
  SseClient mine(server_->port(), "/notifications/sse", {{"Authorization", "Bearer " + admin_}});
  SseClient theirs(server_->port(), "/notifications/sse", {{"Authorization", "Bearer " + other}});
  ASSERT_EQ(mine.status(), 200) << mine.body();
  ASSERT_EQ(theirs.status(), 200) << theirs.body();

  const auto sent = rpc("SendMessage", {{"message", tool_message("analyze_training_load")}});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const auto task_id = sent["result"]["task"].value("id", "");
  ASSERT_FALSE(task_id.empty()) << sent.dump();

  std::optional<SseEvent> event;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    event = mine.next_event(std::chrono::milliseconds(500));
    if (event && event->type == "a2a_message") break;
  }
  ASSERT_TRUE(event && event->type == "a2a_message") << "no a2a_message on the caller's stream";
  const auto data = json::parse(event->data, nullptr, false);
  EXPECT_EQ(data.value("task_id", ""), task_id) << event->data;
  EXPECT_EQ(data.value("tool", ""), "analyze_training_load") << event->data;
  EXPECT_FALSE(data.value("state", "").empty()) << event->data;
  EXPECT_FALSE(event->id.empty());

  // The other tenant's user sees nothing of it.
  for (auto seen = theirs.next_event(std::chrono::milliseconds(300)); seen;
       seen = theirs.next_event(std::chrono::milliseconds(300))) {
    EXPECT_NE(seen->type, "a2a_message") << seen->data;
  }
}

TEST_P(A2aTest, ReturnImmediatelyAnswersAtOnceAndTheTaskCanBePolled) {
  const auto sent = rpc("SendMessage", {{"message", tool_message("analyze_training_load")},
                                        {"configuration", {{"returnImmediately", true}}}});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const auto id = sent["result"]["task"]["id"];
  std::string state;
  for (int i = 0; i < 200 && state != "TASK_STATE_COMPLETED"; ++i) {
    state = rpc("GetTask", {{"id", id}})["result"]["status"].value("state", "");
    if (state != "TASK_STATE_COMPLETED") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(state, "TASK_STATE_COMPLETED");
}

TEST_P(A2aTest, InputRequiredTaskCanBeCanceled) {
  const auto sent = rpc("SendMessage", {{"message", tool_message("analyze_activity")}});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const auto task = sent["result"]["task"];
  EXPECT_EQ(task["status"]["state"], "TASK_STATE_INPUT_REQUIRED");
  EXPECT_NE(task["status"]["message"]["parts"][0].value("text", "").find("activity_id"), std::string::npos);
  const auto canceled = rpc("CancelTask", {{"id", task["id"]}});
  ASSERT_TRUE(canceled.contains("result")) << canceled.dump();
  EXPECT_EQ(canceled["result"]["status"]["state"], "TASK_STATE_CANCELED");
  // A canceled task takes no more messages.
  auto follow_up = tool_message("analyze_activity", {{"activity_id", "x"}});
  follow_up["taskId"] = task["id"];
  EXPECT_EQ(error_of(rpc("SendMessage", {{"message", follow_up}})), -32004);
}

TEST_P(A2aTest, StreamingSendsTaskStatusAndArtifactEvents) {
  const auto body = json{{"jsonrpc", "2.0"},
                         {"id", "s1"},
                         {"method", "SendStreamingMessage"},
                         {"params", {{"message", tool_message("analyze_training_load")}}}}
                        .dump();
  auto res = rpc_raw(body, {{"Accept", "text/event-stream"}});
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(header(res, "Content-Type"), "text/event-stream");
  const auto& text = res.body();
  auto events = sse_events(text);
  ASSERT_EQ(events.size(), 4U) << text;
  for (const auto& e : events) EXPECT_EQ(e["id"], "s1");
  EXPECT_EQ(events[0]["result"]["task"]["status"]["state"], "TASK_STATE_SUBMITTED");
  EXPECT_EQ(events[1]["result"]["statusUpdate"]["status"]["state"], "TASK_STATE_WORKING");
  EXPECT_TRUE(events[2]["result"]["artifactUpdate"]["artifact"]["parts"][0]["data"].contains("ctl"));
  EXPECT_EQ(events[3]["result"]["statusUpdate"]["status"]["state"], "TASK_STATE_COMPLETED");
  // Persisted: pollable after the stream ended (a streamed response ends its connection: a new one polls).
  client_ = std::make_unique<HttpClient>(server_->port());
  const auto id = events[0]["result"]["task"]["id"];
  EXPECT_EQ(rpc("GetTask", {{"id", id}})["result"]["status"]["state"], "TASK_STATE_COMPLETED");
}

TEST_P(A2aTest, AnotherTenantsOrUsersTaskIsNotFound) {
  const auto alice = user_in_new_tenant("Tenant A", "alice@a.example");
  const auto bob = user_in_new_tenant("Tenant B", "bob@b.example");
  const auto sent = rpc("SendMessage", {{"message", tool_message("analyze_activity")}}, alice);
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const auto id = sent["result"]["task"]["id"];
  const auto mine = rpc("GetTask", {{"id", id}}, alice);
  EXPECT_TRUE(mine.contains("result")) << mine.dump();
  // Another tenant's user and the super-admin (of the default tenant): both see nothing, exactly like a made-up id.
  for (const auto& stranger : {bob, admin_}) {
    const auto foreign = rpc("GetTask", {{"id", id}}, stranger);
    EXPECT_EQ(error_of(foreign), -32001) << foreign.dump();
    EXPECT_EQ(error_of(rpc("CancelTask", {{"id", id}}, stranger)), -32001);
    auto follow_up = tool_message("analyze_activity", {{"activity_id", "x"}});
    follow_up["taskId"] = id;
    EXPECT_EQ(error_of(rpc("SendMessage", {{"message", follow_up}}, stranger)), -32001);
  }
  // Still waiting for alice.
  EXPECT_EQ(rpc("GetTask", {{"id", id}}, alice)["result"]["status"]["state"], "TASK_STATE_INPUT_REQUIRED");
}

TEST_P(A2aTest, PierreStatusToolsAndExecute) {
  auto status = c().get("/a2a/status");
  ASSERT_EQ(status.result_int(), 200) << status.body();
  EXPECT_EQ(body_json(status)["protocol_version"], "1.0");
  EXPECT_EQ(body_json(status)["jsonrpc_url"], server_->base_url() + "/a2a/jsonrpc");
  EXPECT_EQ(c().get("/a2a/tools").result_int(), 401);
  auto tools = authed(c(), verb::get, "/a2a/tools", admin_);
  ASSERT_EQ(tools.result_int(), 200) << tools.body();
  bool found = false;
  const auto listed_tools = body_json(tools);  // kept alive: a range-for over body_json(res)["tools"] would dangle
  for (const auto& t : listed_tools["tools"]) found = found || t["name"] == "analyze_training_load";
  EXPECT_TRUE(found);

  auto ran = authed(c(), verb::post, "/a2a/execute", admin_,
                    json{{"tool", "analyze_training_load"}, {"parameters", {{"timeframe", "week"}}}}.dump());
  ASSERT_EQ(ran.result_int(), 200) << ran.body();
  EXPECT_EQ(body_json(ran)["success"], true);
  EXPECT_TRUE(body_json(ran)["result"].contains("ctl"));
  // A tool failure is a result (success false), bad requests are structured errors.
  auto tool_error = authed(c(), verb::post, "/a2a/execute", admin_,
                           json{{"tool", "analyze_activity"}, {"parameters", {{"activity_id", "act_none"}}}}.dump());
  ASSERT_EQ(tool_error.result_int(), 200) << tool_error.body();
  EXPECT_EQ(body_json(tool_error)["success"], false);
  EXPECT_FALSE(body_json(tool_error)["error"].value("message", "").empty());
  auto unknown = authed(c(), verb::post, "/a2a/execute", admin_, json{{"tool", "nope"}}.dump());
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_EQ(error_code(unknown), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(authed(c(), verb::post, "/a2a/execute", admin_, json{{"parameters", {}}}.dump()).result_int(), 400);
  EXPECT_EQ(authed(c(), verb::post, "/a2a/execute", admin_, json{{"tool", "get_stats"}, {"parameters", 3}}.dump())
                .result_int(),
            400);
  EXPECT_EQ(authed(c(), verb::post, "/a2a/execute", admin_, "{oops").result_int(), 400);
  EXPECT_EQ(c().request(verb::post, "/a2a/execute", "{}", {{"Content-Type", "application/json"}}).result_int(), 401);
}

// A registered client's rate_limit_tier is enforced (the API-key tier table: trial = 10 requests per minute) on every
// A2A call its token makes, JSON-RPC and Pierre's REST alike; a user's own token is not counted.
TEST_P(A2aTest, RegisteredClientsAreHeldToTheirRateLimitTier) {
  auto created = authed(c(), verb::post, "/a2a/clients", admin_,
                        json{{"name", "busy-bot"}, {"scopes", {"mcp:read"}}, {"rate_limit_tier", "trial"}}.dump());
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto client = body_json(created);
  const auto access = client_token(client);
  ASSERT_FALSE(access.empty());

  for (int i = 0; i < 10; ++i) {
    auto res =
        i % 2 == 0
            ? authed(c(), verb::post, "/a2a/client/execute", access, json{{"tool", "get_stats"}}.dump())
            : rpc_raw(json{{"jsonrpc", "2.0"}, {"id", i}, {"method", "GetTask"}, {"params", {{"id", "x"}}}}.dump(),
                      {{"Authorization", "Bearer " + access}});
    ASSERT_EQ(res.result_int(), 200) << i << ": " << res.body();
    EXPECT_EQ(header(res, "X-RateLimit-Tier"), "trial");
    EXPECT_EQ(header(res, "X-RateLimit-Remaining"), std::to_string(9 - i));
  }
  auto refused = authed(c(), verb::post, "/a2a/client/execute", access, json{{"tool", "get_stats"}}.dump());
  EXPECT_EQ(refused.result_int(), 429) << refused.body();
  EXPECT_EQ(error_code(refused), "RATE_LIMIT_EXCEEDED");
  EXPECT_FALSE(header(refused, "Retry-After").empty());
  auto refused_rpc =
      rpc_raw(json{{"jsonrpc", "2.0"}, {"id", 11}, {"method", "GetTask"}, {"params", {{"id", "x"}}}}.dump(),
              {{"Authorization", "Bearer " + access}});
  EXPECT_EQ(refused_rpc.result_int(), 429) << refused_rpc.body();
  // The administrator's own calls are not the client's.
  auto own = authed(c(), verb::post, "/a2a/execute", admin_, json{{"tool", "get_stats"}}.dump());
  EXPECT_EQ(own.result_int(), 200) << own.body();
  EXPECT_TRUE(header(own, "X-RateLimit-Tier").empty());
}

TEST_P(A2aTest, AdminsRegisterA2aClientsWhoseTokensReachTheClientEndpoints) {
  const auto user = user_in_new_tenant("Tenant U", "user@u.example");
  EXPECT_EQ(authed(c(), verb::post, "/a2a/clients", user, json{{"name", "x"}}.dump()).result_int(), 403);
  EXPECT_EQ(authed(c(), verb::get, "/a2a/monitoring", user).result_int(), 403);
  EXPECT_EQ(authed(c(), verb::post, "/a2a/clients", admin_, json{{"name", ""}}.dump()).result_int(), 400);
  EXPECT_EQ(
      authed(c(), verb::post, "/a2a/clients", admin_, json{{"name", "x"}, {"scopes", {"root"}}}.dump()).result_int(),
      400);
  EXPECT_EQ(authed(c(), verb::post, "/a2a/clients", admin_, json{{"name", "x"}, {"rate_limit_tier", "gold"}}.dump())
                .result_int(),
            400);

  auto created =
      authed(c(), verb::post, "/a2a/clients", admin_,
             json{{"name", "coach-bot"}, {"scopes", {"mcp:read"}}, {"rate_limit_tier", "professional"}}.dump());
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto client = body_json(created);
  EXPECT_EQ(client["rate_limit_tier"], "professional");
  EXPECT_EQ(client["scopes"], json::array({"mcp:read"}));
  const auto id = client.value("id", "");
  auto listed = body_json(authed(c(), verb::get, "/a2a/clients", admin_));
  ASSERT_EQ(listed["clients"].size(), 1U);
  EXPECT_FALSE(listed["clients"][0].contains("client_secret"));

  const auto access = client_token(client);
  ASSERT_FALSE(access.empty());
  EXPECT_EQ(authed(c(), verb::get, "/a2a/client/tools", access).result_int(), 200);
  auto ran = authed(c(), verb::post, "/a2a/client/execute", access, json{{"tool", "get_stats"}}.dump());
  ASSERT_EQ(ran.result_int(), 200) << ran.body();
  EXPECT_EQ(body_json(ran)["success"], true);
  // Its scopes hold: mcp:read only, so a tool that writes is refused.
  EXPECT_EQ(authed(c(), verb::post, "/a2a/client/execute", access,
                   json{{"tool", "update_user_configuration"}, {"parameters", json::object()}}.dump())
                .result_int(),
            403);
  // A user's own session is not a registered client.
  EXPECT_EQ(authed(c(), verb::get, "/a2a/client/tools", admin_).result_int(), 403);

  auto monitoring = authed(c(), verb::get, "/a2a/monitoring", admin_);
  ASSERT_EQ(monitoring.result_int(), 200) << monitoring.body();
  bool seen = false;
  const auto counters = body_json(monitoring);
  for (const auto& agent : counters["agents"]) {
    if (agent["agent"] == "oauth_client:" + client.value("client_id", "")) {
      seen = true;
      EXPECT_EQ(agent["requests"], 2);
      EXPECT_EQ(agent["errors"], 1);
    }
  }
  EXPECT_TRUE(seen) << monitoring.body();

  // Another tenant's administrator sees nothing of it.
  const auto other_admin = user_in_new_tenant("Tenant O", "admin@o.example", "admin");
  EXPECT_EQ(authed(c(), verb::get, "/a2a/clients/" + id, other_admin).result_int(), 404);
  EXPECT_EQ(authed(c(), verb::delete_, "/a2a/clients/" + id, other_admin).result_int(), 404);
  EXPECT_TRUE(body_json(authed(c(), verb::get, "/a2a/clients", other_admin))["clients"].empty());

  // Deactivated: its token stops working at once.
  auto deleted = authed(c(), verb::delete_, "/a2a/clients/" + id, admin_);
  ASSERT_EQ(deleted.result_int(), 200) << deleted.body();
  EXPECT_EQ(body_json(authed(c(), verb::get, "/a2a/clients/" + id, admin_))["is_active"], false);
  EXPECT_EQ(authed(c(), verb::get, "/a2a/client/tools", access).result_int(), 401);
}

TEST_P(A2aTest, ListTasksShowsTheCallersOwnTasksNewestFirst) {
  const auto tenant = new_tenant("Tenant L");
  const auto alice = user_in(tenant, "alice@l.example");
  const auto carol = user_in(tenant, "carol@l.example");  // same tenant, another user
  const auto bob = user_in_new_tenant("Tenant M", "bob@m.example");
  std::vector<std::string> created;
  for (int i = 0; i < 3; ++i) {
    created.push_back(finished_task(alice).value("id", ""));
    // Distinct update times, so "newest first" has one right answer (equal times would order by id).
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  }
  created.push_back(waiting_task(alice).value("id", ""));
  const auto carols = finished_task(carol).value("id", "");
  const auto bobs = finished_task(bob).value("id", "");
  const auto admins = finished_task(admin_).value("id", "");

  auto listed = rpc("ListTasks", json::object(), alice);
  ASSERT_TRUE(listed.contains("result")) << listed.dump();
  const auto& result = listed["result"];
  EXPECT_EQ(result["totalSize"], 4);
  EXPECT_EQ(result["pageSize"], 50);  // the spec's default
  EXPECT_EQ(result["nextPageToken"], "");
  std::vector<std::string> ids;
  for (const auto& task : result["tasks"]) {
    ids.push_back(task.value("id", ""));
    EXPECT_FALSE(task.contains("artifacts")) << "artifacts are omitted unless includeArtifacts: " << task.dump();
    EXPECT_TRUE(task.contains("history"));
  }
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());
  EXPECT_EQ(ids, newest_first);
  for (const auto& foreign : {carols, bobs, admins}) {
    EXPECT_TRUE(std::ranges::find(ids, foreign) == ids.end()) << foreign << " is not alice's";
  }
  // Each of the others sees their own one task only.
  for (const auto& [token, own] : std::vector<std::pair<std::string, std::string>>{{carol, carols}, {bob, bobs}}) {
    EXPECT_EQ(list_all(json::object(), token), std::vector<std::string>{own});
  }

  // includeArtifacts brings them back (an empty array for a task that has none); historyLength 0 drops history.
  auto full = rpc("ListTasks", {{"includeArtifacts", true}, {"historyLength", 0}}, alice);
  ASSERT_EQ(full["result"]["tasks"].size(), 4U) << full.dump();
  EXPECT_EQ(full["result"]["tasks"][0]["artifacts"], json::array());  // the waiting task
  EXPECT_EQ(full["result"]["tasks"][1]["artifacts"].size(), 1U);
  for (const auto& task : full["result"]["tasks"]) EXPECT_FALSE(task.contains("history")) << task.dump();
}

TEST_P(A2aTest, ListTasksPagesVisitEveryTaskOnceAndFilters) {
  const auto alice = user_in_new_tenant("Tenant P", "alice@p.example");
  std::set<std::string> all;
  std::set<std::string> in_context;
  std::set<std::string> waiting;
  for (int i = 0; i < 5; ++i) all.insert(finished_task(alice).value("id", ""));
  for (int i = 0; i < 2; ++i) {
    const auto id = finished_task(alice, "ctx-paging").value("id", "");
    all.insert(id);
    in_context.insert(id);
  }
  const auto parked = waiting_task(alice, "ctx-paging").value("id", "");
  all.insert(parked);
  in_context.insert(parked);
  waiting.insert(parked);
  ASSERT_EQ(all.size(), 8U);

  for (const int size : {1, 3, 8, 100}) {
    const auto ids = list_all({{"pageSize", size}}, alice);
    EXPECT_EQ(ids.size(), all.size()) << "page size " << size;  // no task twice
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), all) << "page size " << size;
  }
  auto first = rpc("ListTasks", {{"pageSize", 3}}, alice)["result"];
  EXPECT_EQ(first["tasks"].size(), 3U);
  EXPECT_EQ(first["pageSize"], 3);
  EXPECT_EQ(first["totalSize"], 8);
  EXPECT_FALSE(first.value("nextPageToken", "").empty());

  auto as_set = [](const std::vector<std::string>& ids) { return std::set<std::string>(ids.begin(), ids.end()); };
  EXPECT_EQ(as_set(list_all({{"contextId", "ctx-paging"}, {"pageSize", 1}}, alice)), in_context);
  EXPECT_EQ(as_set(list_all({{"status", "TASK_STATE_INPUT_REQUIRED"}}, alice)), waiting);
  const auto completed = list_all({{"status", "TASK_STATE_COMPLETED"}, {"pageSize", 2}}, alice);
  EXPECT_EQ(completed.size(), 7U);
  EXPECT_EQ(
      rpc("ListTasks", {{"status", "TASK_STATE_COMPLETED"}, {"contextId", "ctx-paging"}}, alice)["result"]["totalSize"],
      2);
  EXPECT_TRUE(list_all({{"status", "TASK_STATE_FAILED"}}, alice).empty());
  EXPECT_TRUE(list_all({{"contextId", "ctx-none"}}, alice).empty());
  // statusTimestampAfter: everything since yesterday, nothing from the future.
  EXPECT_EQ(list_all({{"statusTimestampAfter", "2020-01-01T00:00:00Z"}}, alice).size(), 8U);
  EXPECT_TRUE(list_all({{"statusTimestampAfter", "2999-01-01T00:00:00Z"}}, alice).empty());
}

TEST_P(A2aTest, ListTasksRejectsBadParameters) {
  const auto tenant = new_tenant("Tenant R");
  const auto alice = user_in(tenant, "alice@r.example");
  const auto carol = user_in(tenant, "carol@r.example");
  for (int i = 0; i < 3; ++i) finished_task(alice);
  const auto token = rpc("ListTasks", {{"pageSize", 1}}, alice)["result"].value("nextPageToken", "");
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(rpc("ListTasks", {{"pageSize", 1}, {"pageToken", token}}, alice).contains("result"));

  auto invalid = [&](const json& params, const std::string& who, const std::string& field) {
    const auto answer = rpc("ListTasks", params, who);
    EXPECT_EQ(error_of(answer), -32602) << params.dump() << " → " << answer.dump();
    const auto violated =
        answer.value(json::json_pointer("/error/data/0/fieldViolations/0/field"), std::string("(none)"));
    EXPECT_EQ(violated, field) << answer.dump();
  };
  for (const auto& size : {json(0), json(101), json(-1), json("10"), json(2.5), json(true)}) {
    invalid({{"pageSize", size}}, alice, "pageSize");
  }
  invalid({{"pageToken", "garbage"}}, alice, "pageToken");
  invalid({{"pageToken", 42}}, alice, "pageToken");
  auto tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  invalid({{"pageSize", 1}, {"pageToken", tampered}}, alice, "pageToken");
  // A token continues only the walk it came from: not under other filters, not for another user.
  invalid({{"pageSize", 1}, {"pageToken", token}, {"status", "TASK_STATE_COMPLETED"}}, alice, "pageToken");
  invalid({{"pageSize", 1}, {"pageToken", token}}, carol, "pageToken");
  invalid({{"status", "TASK_STATE_RUNNING"}}, alice, "status");
  invalid({{"status", 3}}, alice, "status");
  invalid({{"contextId", 7}}, alice, "contextId");
  invalid({{"historyLength", -1}}, alice, "historyLength");
  invalid({{"includeArtifacts", "yes"}}, alice, "includeArtifacts");
  invalid({{"statusTimestampAfter", "yesterday"}}, alice, "statusTimestampAfter");
  // A valid state this agent never enters lists nothing.
  auto auth_required = rpc("ListTasks", {{"status", "TASK_STATE_AUTH_REQUIRED"}}, alice);
  ASSERT_TRUE(auth_required.contains("result")) << auth_required.dump();
  EXPECT_TRUE(auth_required["result"]["tasks"].empty());
  EXPECT_EQ(auth_required["result"]["totalSize"], 0);
}

TEST_P(A2aTest, SubscribeToTaskRefusesFinishedForeignAndUnknownTasks) {
  const auto tenant = new_tenant("Tenant S");
  const auto alice = user_in(tenant, "alice@s.example");
  const auto carol = user_in(tenant, "carol@s.example");
  const auto bob = user_in_new_tenant("Tenant T", "bob@t.example");
  const auto done = finished_task(alice).value("id", "");
  const auto finished = rpc("SubscribeToTask", {{"id", done}}, alice);
  EXPECT_EQ(error_of(finished), -32004) << finished.dump();
  EXPECT_EQ(error_of(rpc("SubscribeToTask", {{"id", "tsk_made_up"}}, alice)), -32001);
  EXPECT_EQ(error_of(rpc("SubscribeToTask", json::object(), alice)), -32602);
  const auto parked = waiting_task(alice).value("id", "");
  for (const auto& stranger : {carol, bob, admin_}) {
    EXPECT_EQ(error_of(rpc("SubscribeToTask", {{"id", parked}}, stranger)), -32001);
    EXPECT_EQ(error_of(rpc("SubscribeToTask", {{"id", done}}, stranger)), -32001);
  }

  // A task waiting for input: its current Task, then the stream ends (as SendStreamingMessage's does there).
  auto res = rpc_raw(
      json{{"jsonrpc", "2.0"}, {"id", "w1"}, {"method", "SubscribeToTask"}, {"params", {{"id", parked}}}}.dump(),
      {{"Authorization", "Bearer " + alice}, {"Accept", "text/event-stream"}});
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(header(res, "Content-Type"), "text/event-stream");
  auto events = sse_events(res.body());
  ASSERT_EQ(events.size(), 1U) << res.body();
  EXPECT_EQ(events[0]["id"], "w1");
  EXPECT_EQ(events[0]["result"]["task"].value("id", ""), parked);
  EXPECT_EQ(events[0]["result"]["task"]["status"]["state"], "TASK_STATE_INPUT_REQUIRED");
}

// The conformance fixtures add slow_compute (a tool that runs for the seconds it is given, reporting progress): a
// task that is still running when a client subscribes.
class A2aFixturesTest : public A2aTest {
 protected:
  LaunchOptions launch_options() override {
    auto options = A2aTest::launch_options();
    options.env["PIERRE_MCP_CONFORMANCE_FIXTURES"] = "1";
    return options;
  }
};

TEST_P(A2aFixturesTest, SubscribeToTaskFollowsARunningTaskToCompletion) {
  const auto other = user_in_new_tenant("Tenant F", "fred@f.example");  // before the clock starts
  auto sent = rpc("SendMessage", {{"message", tool_message("slow_compute", {{"seconds", 2}})},
                                  {"configuration", {{"returnImmediately", true}}}});
  ASSERT_TRUE(sent.contains("result")) << sent.dump();
  const auto id = sent["result"]["task"].value("id", "");
  ASSERT_FALSE(id.empty()) << sent.dump();
  EXPECT_EQ(error_of(rpc("SubscribeToTask", {{"id", id}}, other)), -32001);

  auto res =
      rpc_raw(json{{"jsonrpc", "2.0"}, {"id", "sub-1"}, {"method", "SubscribeToTask"}, {"params", {{"id", id}}}}.dump(),
              {{"Accept", "text/event-stream"}});
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(header(res, "Content-Type"), "text/event-stream");
  auto events = sse_events(res.body());
  ASSERT_GE(events.size(), 3U) << res.body();
  for (const auto& e : events) EXPECT_EQ(e["id"], "sub-1") << e.dump();
  // First the Task as it is, then updates (progress arrives as working status updates), the artifact, the end.
  ASSERT_TRUE(events.front()["result"].contains("task")) << events.front().dump();
  EXPECT_EQ(events.front()["result"]["task"].value("id", ""), id);
  const auto first_state = events.front()["result"]["task"]["status"].value("state", "");
  EXPECT_TRUE(first_state == "TASK_STATE_SUBMITTED" || first_state == "TASK_STATE_WORKING") << first_state;
  bool progress = false;
  bool artifact = false;
  for (std::size_t i = 1; i + 1 < events.size(); ++i) {
    const auto& r = events[i]["result"];
    if (r.contains("statusUpdate") && r["statusUpdate"]["status"]["state"] == "TASK_STATE_WORKING") progress = true;
    if (r.contains("artifactUpdate")) {
      artifact = true;
      EXPECT_EQ(r["artifactUpdate"].value("taskId", ""), id);
    }
  }
  EXPECT_TRUE(progress) << res.body();
  EXPECT_TRUE(artifact) << res.body();
  EXPECT_EQ(events.back()["result"]["statusUpdate"]["status"]["state"], "TASK_STATE_COMPLETED") << res.body();

  // Finished now: nothing more to subscribe to (a streamed response ends its connection: a new one asks).
  client_ = std::make_unique<HttpClient>(server_->port());
  EXPECT_EQ(error_of(rpc("SubscribeToTask", {{"id", id}})), -32004);
}

INSTANTIATE_TEST_SUITE_P(a2a, A2aTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(a2a, A2aFixturesTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::testing
