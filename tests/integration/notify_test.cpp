// Black-box tests of the live notification stream (GET /notifications/sse) against the real server binary, with the
// fake Strava of tests/support on loopback: a provider connection's oauth_complete and sync events arrive in order,
// Last-Event-ID replays exactly what a disconnected client missed, another user's stream stays silent, `?user_id=`
// never opens someone else's feed, stream tokens work once, heartbeats arrive, and shutdown ends open streams.
// Suite names start with "notify_" so that `ctest -R notify` selects them.

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "fake_strava.hpp"
#include "identity_support.hpp"
#include "provider_flow.hpp"
#include "server_process.hpp"
#include "sse_client.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kUserPassword = "another long password";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Account {
  std::string id;
  std::string token;
};

class NotifyServer : public ::testing::Test {
 protected:
  void SetUp() override {
    strava_.seed_activities(5, now_ms() - 3600'000);
    auto o = identity_server(dir_);
    o.env["PIERRE_SSE_HEARTBEAT_SECS"] = "1";
    // No scheduler round during a test: every sync is one the test caused.
    o.env["SYNC_STALENESS_SECS"] = "86400";
    o.env["SYNC_INTERVAL_SECS"] = "86400";
    o.env["STRAVA_CLIENT_ID"] = FakeProvider::kClientId;
    o.env["STRAVA_CLIENT_SECRET"] = FakeProvider::kClientSecret;
    o.env["STRAVA_API_BASE_URL"] = strava_.api_base_url();
    o.env["STRAVA_OAUTH_BASE_URL"] = strava_.oauth_base_url();
    server_ = std::make_unique<ServerProcess>(o);
    client_ = std::make_unique<HttpClient>(server_->port());
    auto s = post_json(*client_, "/admin/setup",
                       {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "A"}});
    ASSERT_EQ(s.result_int(), 201) << s.body();
    alice_ = sign_in(kAdminEmail, kAdminPassword);
  }

  Account sign_in(const std::string& email, const std::string& password) {
    auto res = login(*client_, email, password);
    EXPECT_EQ(res.result_int(), 200) << res.body();
    const auto body = body_json(res);
    return {body["user"].value("id", ""), body.value("jwt_token", "")};
  }

  // A second approved user of the same tenant.
  Account another_user(const std::string& email) {
    auto r =
        post_json(*client_, "/auth/register", {{"email", email}, {"password", kUserPassword}, {"display_name", "B"}});
    EXPECT_EQ(r.result_int(), 201) << r.body();
    auto approved =
        authed(*client_, verb::post, "/admin/users/" + body_json(r).value("user_id", "") + "/approve", alice_.token);
    EXPECT_EQ(approved.result_int(), 200) << approved.body();
    return sign_in(email, kUserPassword);
  }

  std::unique_ptr<SseClient> stream(const std::string& target, std::map<std::string, std::string> headers = {}) {
    return std::make_unique<SseClient>(server_->port(), target, headers);
  }
  std::unique_ptr<SseClient> stream_as(const Account& who, std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + who.token;
    return stream("/notifications/sse", headers);
  }

  // Events until (and including) the first of type `last`, or until nothing arrives for `timeout`.
  static std::vector<SseEvent> events_until(SseClient& s, const std::string& last,
                                            std::chrono::milliseconds timeout = 20s) {
    std::vector<SseEvent> out;
    while (auto e = s.next_event(timeout)) {
      out.push_back(*e);
      if (e->type == last) break;
    }
    return out;
  }

  static std::string types(const std::vector<SseEvent>& events) {
    std::string out;
    for (const auto& e : events) out += e.type + "#" + e.id + " ";
    return out;
  }

  TempDir dir_;
  FakeStrava strava_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  Account alice_;
};

TEST_F(NotifyServer, ProviderConnectionEventsArriveInOrderAndReplayAfterReconnect) {
  const auto bob = another_user("bob@example.com");
  auto bob_stream = stream_as(bob);
  auto first = stream_as(alice_);
  ASSERT_EQ(first->status(), 200);
  EXPECT_TRUE(first->header("content-type").starts_with("text/event-stream")) << first->header("content-type");
  EXPECT_EQ(first->header("cache-control"), "no-cache, no-transform");

  auto page = connect_provider(server_->port(), alice_.token, "strava");
  ASSERT_EQ(page.result_int(), 200) << page.body();

  const auto connected = events_until(*first, "sync_complete");
  ASSERT_GE(connected.size(), 3U) << types(connected);
  EXPECT_EQ(first->retry_ms(), 3000);
  EXPECT_EQ(connected.front().type, "oauth_complete") << types(connected);
  EXPECT_EQ(json::parse(connected.front().data).value("provider", ""), "strava");
  EXPECT_EQ(connected[1].type, "sync_progress") << types(connected);
  EXPECT_EQ(connected.back().type, "sync_complete") << types(connected);
  std::uint64_t previous = 0;
  for (const auto& e : connected) {
    ASSERT_FALSE(e.id.empty()) << types(connected);
    EXPECT_GT(std::stoull(e.id), previous) << types(connected);
    previous = std::stoull(e.id);
  }
  const auto last_seen = connected.back().id;

  // The first client goes away; an observer (alice's second tab) sees what happens meanwhile.
  first.reset();
  auto observer = stream_as(alice_);
  strava_.add_activity(now_ms() - 60'000);
  auto sync = authed(*client_, verb::post, "/api/providers/strava/sync", alice_.token);
  ASSERT_EQ(sync.result_int(), 202) << sync.body();
  const auto missed = events_until(*observer, "sync_complete");
  ASSERT_FALSE(missed.empty());
  ASSERT_EQ(missed.back().type, "sync_complete") << types(missed);

  auto resumed = stream_as(alice_, {{"Last-Event-ID", last_seen}});
  ASSERT_EQ(resumed->status(), 200);
  std::vector<SseEvent> replayed;
  while (replayed.size() < missed.size()) {
    auto e = resumed->next_event(5s);
    if (!e) break;
    replayed.push_back(*e);
  }
  EXPECT_EQ(types(replayed), types(missed));
  for (std::size_t i = 0; i < std::min(replayed.size(), missed.size()); ++i) {
    EXPECT_EQ(replayed[i].data, missed[i].data);
  }
  // Exactly the missed ones: nothing more follows (heartbeats are comments, not events).
  EXPECT_FALSE(resumed->next_event(1500ms).has_value());

  // Bob's stream, open the whole time, carried none of it.
  EXPECT_FALSE(bob_stream->next_event(500ms).has_value());
  EXPECT_GE(bob_stream->comments_seen(), 1);  // it was alive: it got heartbeats
}

TEST_F(NotifyServer, AnotherUsersFeedIsNeverOpened) {
  const auto bob = another_user("bob@example.com");
  auto foreign = stream("/notifications/sse?user_id=" + bob.id, {{"Authorization", "Bearer " + alice_.token}});
  EXPECT_EQ(foreign->status(), 403);
  EXPECT_NE(foreign->body().find("PERMISSION_DENIED"), std::string::npos) << foreign->body();
  EXPECT_EQ(foreign->header("content-type").find("text/event-stream"), std::string::npos);

  auto own = stream("/notifications/sse?user_id=" + alice_.id, {{"Authorization", "Bearer " + alice_.token}});
  EXPECT_EQ(own->status(), 200);

  // A user_id alone is no credential.
  auto anonymous = stream("/notifications/sse?user_id=" + alice_.id);
  EXPECT_EQ(anonymous->status(), 401);
  EXPECT_NE(anonymous->body().find("AUTH_REQUIRED"), std::string::npos) << anonymous->body();

  auto bad_token = stream("/notifications/sse", {{"Authorization", "Bearer not-a-jwt"}});
  EXPECT_EQ(bad_token->status(), 401);
}

TEST_F(NotifyServer, StreamTokenOpensOneStreamOfItsOwnersEventsOnce) {
  auto refused = client_->request(verb::post, "/api/notifications/stream-token");
  EXPECT_EQ(refused.result_int(), 401);

  auto issued = authed(*client_, verb::post, "/api/notifications/stream-token", alice_.token);
  ASSERT_EQ(issued.result_int(), 200) << issued.body();
  const auto body = body_json(issued);
  const auto token = body.value("token", "");
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(body["expires_at"].is_string());
  EXPECT_LE(body.value("expires_in", 0), 60);
  EXPECT_GT(body.value("expires_in", 0), 50);
  EXPECT_EQ(header(issued, "Cache-Control"), "no-store");

  // The token names alice: a user_id of someone else is still refused (and does not open anything).
  const auto bob = another_user("bob@example.com");
  auto mismatched = authed(*client_, verb::post, "/api/notifications/stream-token", alice_.token);
  auto wrong = stream("/notifications/sse?user_id=" + bob.id + "&token=" + body_json(mismatched).value("token", ""));
  EXPECT_EQ(wrong->status(), 403);

  auto browser = stream("/notifications/sse?user_id=" + alice_.id + "&token=" + token);
  ASSERT_EQ(browser->status(), 200) << browser->body();
  auto page = connect_provider(server_->port(), alice_.token, "strava");
  ASSERT_EQ(page.result_int(), 200);
  auto event = browser->next_event(10s);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, "oauth_complete");

  auto replay = stream("/notifications/sse?token=" + token);
  EXPECT_EQ(replay->status(), 401);
  EXPECT_NE(replay->body().find("AUTH_INVALID"), std::string::npos) << replay->body();

  auto tampered = stream("/notifications/sse?token=" + token.substr(0, token.size() - 2) + "AA");
  EXPECT_EQ(tampered->status(), 401);
  // Expiry (60 s) is covered with an injected clock in tests/unit/notify/stream_tokens_test.cpp.
}

TEST_F(NotifyServer, IdleStreamsCarryHeartbeatComments) {
  auto s = stream_as(alice_);
  ASSERT_EQ(s->status(), 200);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(s->wait_for_comments(2, 5s));  // PIERRE_SSE_HEARTBEAT_SECS=1
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_FALSE(s->ended());
}

TEST_F(NotifyServer, StreamsPerUserAreLimited) {
  std::vector<std::unique_ptr<SseClient>> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(stream_as(alice_));
    ASSERT_EQ(open.back()->status(), 200) << i;
  }
  auto ninth = stream_as(alice_);
  EXPECT_EQ(ninth->status(), 429);
  EXPECT_NE(ninth->body().find("RATE_LIMIT_EXCEEDED"), std::string::npos) << ninth->body();
  // A closed one frees its place once the server notices.
  open.pop_back();
  bool reopened = false;
  for (int attempt = 0; attempt < 40 && !reopened; ++attempt) {
    auto again = stream_as(alice_);
    reopened = again->status() == 200;
    if (!reopened) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(reopened);
}

TEST_F(NotifyServer, ShutdownEndsOpenStreamsWithASystemStatus) {
  auto s = stream_as(alice_);
  ASSERT_EQ(s->status(), 200);
  const auto started = std::chrono::steady_clock::now();
  server_->signal(SIGTERM);
  auto event = s->next_event(5s);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, "system_status");
  EXPECT_EQ(json::parse(event->data).value("status", ""), "shutting_down");
  EXPECT_TRUE(s->wait_for_end(5s));
  const auto exit = server_->wait(8s);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(*exit, 0);
  // Well within the 10 s shutdown grace an open stream used to hold.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace pierre::testing
