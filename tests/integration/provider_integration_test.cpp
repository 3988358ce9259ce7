// Black-box tests of the fitness-provider connections (Strava, Garmin, Google Health as "fitbit") against the real
// server binary, with the fake providers of tests/support running in this process on loopback:
//   - the whole connect flow per provider: POST /api/providers/{p}/connect → the provider's authorize URL (the fake
//     approves at once with a 302) → our /oauth/callback/{p} → background backfill → GET /api/providers, GET
//     /api/activities?provider=p and the MCP tools get_activities / get_connection_status all agree;
//   - attacks on the connect state (tampered, replayed, another provider's callback, another user's) store nothing;
//   - faults during a sync (5xx retried, 429 recorded and resumable without duplicates, malformed JSON recorded,
//     revoked grant → needs_reauth and "connect again");
//   - disconnect with and without the data, revoked at the provider; Strava webhooks (validation and one event →
//     one activity);
//   - no provider token in the server's log, in any response body, or in the SQLite file's bytes.
// The connect state's expiry is not covered here: its TTL (ConnectionsOptions::state_ttl, 10 min) has no setting on
// the server, so the unit tests of Connections cover it with an injected clock.
// Suite names start with "provider_" so that `ctest -R provider` selects them.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "fake_fitbit.hpp"
#include "fake_garmin.hpp"
#include "fake_provider.hpp"
#include "fake_strava.hpp"
#include "identity_support.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using Headers = std::map<std::string, std::string>;
using namespace std::chrono_literals;

constexpr const char* kUserPassword = "another long password";
constexpr const char* kWebhookVerifyToken = "strava-webhook-verify-7c1e";
constexpr const char* kStravaSubscriptionId = "1";
constexpr const char* kGoogleHealthWebhookSecret = "Bearer google-health-webhook-5d21c0";
constexpr int kSeeded = 30;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "http://127.0.0.1:PORT/path?query" → (PORT, "/path?query"); the fakes and our server both live on loopback.
struct LoopbackUrl {
  std::uint16_t port = 0;
  std::string target;
};

LoopbackUrl parse_loopback(const std::string& url) {
  constexpr std::string_view kPrefix = "http://127.0.0.1:";
  EXPECT_TRUE(url.starts_with(kPrefix)) << url;
  if (!url.starts_with(kPrefix)) return {};
  const auto rest = url.substr(kPrefix.size());
  const auto slash = rest.find('/');
  return {static_cast<std::uint16_t>(std::stoi(rest.substr(0, slash))),
          slash == std::string::npos ? "/" : rest.substr(slash)};
}

// The raw (still percent-encoded) value of `key` in a target's query, "" when absent.
std::string query_value(const std::string& target, const std::string& key) {
  const auto q = target.find('?');
  if (q == std::string::npos) return {};
  std::size_t at = q + 1;
  while (at < target.size()) {
    const auto end = std::min(target.find('&', at), target.size());
    const auto pair = target.substr(at, end - at);
    if (pair.starts_with(key + "=")) return pair.substr(key.size() + 1);
    at = end + 1;
  }
  return {};
}

std::string replace_query_value(const std::string& target, const std::string& key, const std::string& value) {
  const auto old = query_value(target, key);
  auto at = target.find(key + "=" + old);
  EXPECT_NE(at, std::string::npos) << target;
  if (at == std::string::npos) return target;
  std::string out = target;
  out.replace(at + key.size() + 1, old.size(), value);
  return out;
}

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One server with all three providers configured against fakes; a SQLite file database in its own directory, so a
// test can restart the server on the same data.
class ProviderServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto strava = std::make_unique<FakeStrava>();
    strava_ = strava.get();
    fakes_["strava"] = std::move(strava);
    fakes_["garmin"] = FakeGarmin::start();
    fakes_["fitbit"] = make_fake_google_health();
    start_server();
    admin_token_ = setup_and_login();
  }

  void TearDown() override {
    if (server_) stderr_seen_ += server_->stderr_text();
    server_.reset();
  }

  FakeProvider& fake(const std::string& name) { return *fakes_.at(name); }

  LaunchOptions options() {
    auto o = identity_server(dir_, "sqlite:" + db_path().string());
    o.env["LOG_LEVEL"] = log_level_;
    o.env["STRAVA_WEBHOOK_VERIFY_TOKEN"] = kWebhookVerifyToken;
    o.env["STRAVA_WEBHOOK_SUBSCRIPTION_ID"] = kStravaSubscriptionId;
    o.env["FITBIT_WEBHOOK_SECRET"] = kGoogleHealthWebhookSecret;
    // No scheduler round or staleness-driven sync during a test: every provider call is one the test caused.
    o.env["SYNC_STALENESS_SECS"] = "86400";
    o.env["SYNC_INTERVAL_SECS"] = "86400";
    for (const auto& [name, f] : fakes_) {
      std::string prefix = name == "strava" ? "STRAVA" : name == "garmin" ? "GARMIN" : "FITBIT";
      o.env[prefix + "_CLIENT_ID"] = FakeProvider::kClientId;
      o.env[prefix + "_CLIENT_SECRET"] = FakeProvider::kClientSecret;
      o.env[prefix + "_API_BASE_URL"] = name == "strava" ? strava_->api_base_url() : f->base_url();
      o.env[prefix + "_OAUTH_BASE_URL"] = name == "strava" ? strava_->oauth_base_url() : f->base_url();
    }
    return o;
  }

  std::filesystem::path db_path() const { return std::filesystem::path(dir_.path()) / "pierre.db"; }

  // (Re)starts the server on the same directory and database; the previous process's log is kept for the scans.
  void start_server() {
    if (server_) {
      stderr_seen_ += server_->stderr_text();
      server_->signal(SIGTERM);
      server_->wait(10s);
      client_.reset();
      server_.reset();
    }
    server_ = std::make_unique<ServerProcess>(options());
    client_ = std::make_unique<HttpClient>(server_->port());
    // Our tokens name the server's base URL (with its port) as issuer: a restarted server needs a new sign-in.
    if (!admin_token_.empty()) admin_token_ = token_of(login(*client_, kAdminEmail, kAdminPassword));
  }

  std::string setup_and_login() {
    auto s = post_json(*client_, "/admin/setup",
                       {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "A"}});
    EXPECT_EQ(s.result_int(), 201) << s.body();
    return token_of(login(*client_, kAdminEmail, kAdminPassword));
  }

  // A second, approved user of the admin's tenant; returns its token.
  std::string second_user(const std::string& email) {
    auto r =
        post_json(*client_, "/auth/register", {{"email", email}, {"password", kUserPassword}, {"display_name", "B"}});
    EXPECT_EQ(r.result_int(), 201) << r.body();
    const auto id = body_json(r).value("user_id", "");
    auto approved = authed(*client_, verb::post, "/admin/users/" + id + "/approve", admin_token_);
    EXPECT_EQ(approved.result_int(), 200) << approved.body();
    return token_of(login(*client_, email, kUserPassword));
  }

  // A request on our server with the caller's bearer token; every answer is kept for the secrets scan.
  HttpResponse call(verb method, const std::string& target, const std::string& token, const std::string& body = {}) {
    auto res = authed(*client_, method, target, token, body);
    bodies_.push_back(res.body());
    return res;
  }

  json providers(const std::string& token) {
    auto res = call(verb::get, "/api/providers", token);
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return body_json(res);
  }

  json entry(const std::string& token, const std::string& provider) {
    const auto all = providers(token);
    if (all.contains("providers") && all["providers"].is_array()) {
      for (const auto& p : all["providers"]) {
        if (p.value("provider", "") == provider) return p;
      }
    }
    ADD_FAILURE() << provider << " is not listed: " << all.dump().substr(0, 500);
    return json::object();
  }

  // Polls GET /api/providers until `done(entry)` or the timeout; returns the last entry seen. Generous: a Garmin
  // backfill walks 24 h windows, and under the sanitizers with other tests beside it that took over 20 s once.
  json wait_for(const std::string& token, const std::string& provider, const std::function<bool(const json&)>& done,
                std::chrono::milliseconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = entry(token, provider);
      if (last.empty() || done(last)) return last;
      std::this_thread::sleep_for(50ms);
    }
    std::string requests;
    for (const auto& t : fake(provider).targets()) requests += t.substr(0, 120) + "\n";
    const auto log = server_->stderr_text();
    ADD_FAILURE() << "timed out waiting on " << provider << "; last: " << last.dump() << "\nrequests to the fake:\n"
                  << requests << "server log (end):\n"
                  << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    return last;
  }

  // A run finished: the backfill is done and the run's end recorded.
  static bool synced(const json& e) {
    return e.value("status", "") == "connected" && e.value("backfill_complete", false) && e.contains("last_sync_at") &&
           e["last_sync_at"].is_string();
  }

  // POST connect, then the browser's visit to the provider: returns our callback target from the fake's 302.
  std::string authorize(const std::string& token, const std::string& provider) {
    auto res = call(verb::post, "/api/providers/" + provider + "/connect", token);
    EXPECT_EQ(res.result_int(), 200) << res.body();
    const auto body = body_json(res);
    EXPECT_EQ(body.value("provider", ""), provider);
    EXPECT_TRUE(body.contains("expires_at")) << res.body();
    const auto url = body.value("authorization_url", "");
    EXPECT_TRUE(url.starts_with(fake(provider).base_url())) << url;
    const auto at = parse_loopback(url);
    HttpClient browser(at.port);  // the fakes answer one request per connection
    auto redirect = browser.get(at.target);
    EXPECT_EQ(redirect.result_int(), 302) << redirect.body();
    const auto location = header(redirect, "Location");
    const auto back = parse_loopback(location);
    EXPECT_EQ(back.port, server_->port()) << location;
    EXPECT_TRUE(back.target.starts_with("/oauth/callback/" + provider + "?")) << location;
    EXPECT_FALSE(query_value(back.target, "state").empty()) << location;
    EXPECT_FALSE(query_value(back.target, "code").empty()) << location;
    return back.target;
  }

  // The browser's return to our callback (with a bearer token when `token` is not empty).
  HttpResponse callback(const std::string& target, const std::string& token = {}) {
    HttpClient browser(server_->port());
    auto res = authed(browser, verb::get, target, token);
    bodies_.push_back(res.body());
    return res;
  }

  // The whole flow for `provider`; returns the connection once its first run has finished.
  json connect(const std::string& token, const std::string& provider) {
    auto page = callback(authorize(token, provider));
    EXPECT_EQ(page.result_int(), 200) << page.body();
    EXPECT_TRUE(header(page, "Content-Type").starts_with("text/html")) << header(page, "Content-Type");
    EXPECT_NE(page.body().find("connected"), std::string::npos) << page.body();
    wait_for(token, provider, synced);
    settle(provider);
    return entry(token, provider);
  }

  // Waits until the server has made no request to the fake for 300 ms: the run in the background is over (the
  // status has no "running" flag to poll).
  void settle(const std::string& provider) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    auto seen = fake(provider).targets().size();
    auto quiet_since = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(25ms);
      const auto now = fake(provider).targets().size();
      if (now != seen) {
        seen = now;
        quiet_since = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - quiet_since >= 300ms) {
        return;
      }
    }
    ADD_FAILURE() << provider << " is still being called";
  }

  // Every activity of `provider` through GET /api/activities, page by page.
  json activities(const std::string& token, const std::string& provider) {
    json all = json::array();
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
      auto res =
          call(verb::get,
               "/api/activities?limit=200&provider=" + provider + (cursor.empty() ? "" : "&cursor=" + cursor), token);
      EXPECT_EQ(res.result_int(), 200) << res.body();
      const auto body = body_json(res);
      for (const auto& a : body["activities"]) all.push_back(a);
      if (!body.contains("next_cursor") || body["next_cursor"].is_null()) break;
      cursor = body["next_cursor"].get<std::string>();
    }
    return all;
  }

  // tools/call on /mcp as a 2026-07-28 client, on its own connection; returns the JSON-RPC result.
  json tool(const std::string& token, const std::string& name, const json& arguments) {
    HttpClient c(server_->port());
    auto res = mcp_tool_call(c, token, name, arguments);
    bodies_.push_back(res.body());
    EXPECT_EQ(res.result_int(), 200) << res.body();
    const auto rpc = mcp_response(res);
    EXPECT_TRUE(rpc.contains("result")) << res.body().substr(0, 500);
    return rpc.contains("result") ? rpc["result"] : json::object();
  }

  // get_connection_status's entry for `provider`.
  json tool_status(const std::string& token, const std::string& provider) {
    const auto result = tool(token, "get_connection_status", {{"provider", provider}});
    EXPECT_NE(result.value("isError", false), true) << result.dump();
    const auto& list = result["structuredContent"]["providers"];
    EXPECT_EQ(list.size(), 1U) << result.dump();
    return list.empty() ? json::object() : list[0];
  }

  TempDir dir_;
  std::map<std::string, std::unique_ptr<FakeProvider>> fakes_;
  FakeStrava* strava_ = nullptr;
  std::string log_level_ = "info";
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::string admin_token_;
  std::vector<std::string> bodies_;  // every response body the test saw
  std::string stderr_seen_;          // logs of servers already stopped
};

// ---- 1. The connect flow, per provider ----

class provider_ConnectFlow : public ProviderServer, public ::testing::WithParamInterface<std::string> {};

TEST_P(provider_ConnectFlow, ConnectsBackfillsAndServesTheActivitiesOverRestAndMcp) {
  const auto& p = GetParam();
  fake(p).seed_activities(kSeeded, now_ms() - 2 * 3'600'000);

  // Not connected yet: listed, configured, not connected.
  const auto before = entry(admin_token_, p);
  EXPECT_EQ(before.value("configured", false), true) << before.dump();
  EXPECT_EQ(before.value("status", ""), "not_connected") << before.dump();

  const auto connection = connect(admin_token_, p);
  EXPECT_EQ(connection.value("connected", false), true) << connection.dump();
  EXPECT_EQ(connection.value("activities_synced", -1), kSeeded) << connection.dump();
  EXPECT_TRUE(connection["last_sync_error"].is_null()) << connection.dump();
  EXPECT_EQ(fake(p).stats().code_exchanges, 1);
  EXPECT_EQ(providers(admin_token_).value("connected_count", 0), 1);

  const auto listed = activities(admin_token_, p);
  ASSERT_EQ(listed.size(), static_cast<std::size_t>(kSeeded));
  std::set<std::string> external_ids;
  for (const auto& a : listed) {
    EXPECT_EQ(a.value("source", ""), p) << a.dump();
    external_ids.insert(a.value("external_id", ""));
  }
  EXPECT_EQ(external_ids.size(), listed.size()) << "duplicate provider ids";
  if (p == "strava") {
    for (int i = 0; i < kSeeded; ++i) EXPECT_TRUE(external_ids.contains(strava_->activity_id(i))) << i;
  }

  // The same activities through MCP.
  const auto result = tool(admin_token_, "get_activities", {{"provider", p}, {"limit", 200}});
  ASSERT_NE(result.value("isError", false), true) << result.dump().substr(0, 500);
  const auto& items = result["structuredContent"]["activities"];
  ASSERT_EQ(items.size(), static_cast<std::size_t>(kSeeded)) << result.dump().substr(0, 500);
  std::set<std::string> rest_ids, mcp_ids;
  for (const auto& a : listed) rest_ids.insert(a.value("id", ""));
  for (const auto& a : items) {
    EXPECT_EQ(a.value("source", ""), p);
    mcp_ids.insert(a.value("id", ""));
  }
  EXPECT_EQ(mcp_ids, rest_ids);

  const auto status = tool_status(admin_token_, p);
  EXPECT_EQ(status.value("status", ""), "connected") << status.dump();
  EXPECT_EQ(status.value("connected", false), true);
  EXPECT_EQ(status.value("activities_synced", -1), kSeeded);
  EXPECT_NE(status.value("message", "").find("connected"), std::string::npos) << status.dump();
}

INSTANTIATE_TEST_SUITE_P(providers, provider_ConnectFlow, ::testing::Values("strava", "garmin", "fitbit"),
                         [](const auto& param_info) { return param_info.param; });

// ---- 2. Attacks on the connect state ----

using provider_State = ProviderServer;

TEST_F(provider_State, TamperedReplayedAndCrossProviderStatesStoreNothing) {
  fake("strava").seed_activities(5, now_ms() - 3'600'000);
  fake("garmin").seed_activities(5, now_ms() - 3'600'000);
  const auto refused = [&](const HttpResponse& res, const std::string& what) {
    EXPECT_EQ(res.result_int(), 400) << what << ": " << res.body();
    EXPECT_TRUE(header(res, "Content-Type").starts_with("text/html")) << what;
    EXPECT_NE(res.body().find("was not connected"), std::string::npos) << what << ": " << res.body();
  };
  const auto nothing_stored = [&](const std::string& what) {
    const auto all = providers(admin_token_);  // named: a range-for over a temporary's member would dangle
    for (const auto& p : all["providers"]) {
      EXPECT_EQ(p.value("status", ""), "not_connected") << what << ": " << p.dump();
    }
  };

  // Tampered: one character of the state changed.
  {
    const auto target = authorize(admin_token_, "strava");
    auto state = query_value(target, "state");
    state[state.size() / 2] = state[state.size() / 2] == 'A' ? 'B' : 'A';
    refused(callback(replace_query_value(target, "state", state)), "tampered state");
    nothing_stored("tampered state");
    refused(callback(replace_query_value(target, "state", "")), "empty state");
    refused(callback(replace_query_value(target, "state", std::string(600, 'A'))), "oversized state");
  }
  // Another provider's callback path: refused, and the state is spent (the right path no longer works either).
  {
    const auto target = authorize(admin_token_, "strava");
    const auto foreign = "/oauth/callback/garmin" + target.substr(target.find('?'));
    refused(callback(foreign), "strava state on garmin's callback");
    nothing_stored("cross-provider state");
    refused(callback(target), "the spent state on its own path");
    nothing_stored("cross-provider state, then its own path");
  }
  // Replayed: the first use connects, the second is refused and changes nothing.
  {
    const auto target = authorize(admin_token_, "garmin");
    const auto first = callback(target);
    EXPECT_EQ(first.result_int(), 200) << first.body();
    const auto connected = wait_for(admin_token_, "garmin", synced);
    const auto exchanges = fake("garmin").stats().code_exchanges;
    refused(callback(target), "replayed state");
    EXPECT_EQ(fake("garmin").stats().code_exchanges, exchanges) << "a replay reached the token endpoint";
    const auto after = entry(admin_token_, "garmin");
    EXPECT_EQ(after.value("status", ""), "connected");
    EXPECT_EQ(after.value("connected_at", ""), connected.value("connected_at", ""));
    EXPECT_EQ(entry(admin_token_, "strava").value("status", ""), "not_connected");
  }
  // The user refused at the provider: a 400 page, the state spent.
  {
    const auto target = authorize(admin_token_, "strava");
    const auto denied = "/oauth/callback/strava?state=" + query_value(target, "state") + "&error=access_denied";
    refused(callback(denied), "access denied");
    refused(callback(target), "the state after a denial");
    EXPECT_EQ(entry(admin_token_, "strava").value("status", ""), "not_connected");
  }
  // No state, no code.
  refused(callback("/oauth/callback/strava?code=abc"), "no state");
  refused(callback("/oauth/callback/strava"), "nothing");
  EXPECT_EQ(fake("strava").stats().code_exchanges, 0);
  // Unknown provider in the path.
  EXPECT_EQ(call(verb::post, "/api/providers/polar/connect", admin_token_).result_int(), 404);
}

// ---- 3. Faults during a sync (Strava) ----

using provider_SyncFaults = ProviderServer;

TEST_F(provider_SyncFaults, TransientServerErrorsAreRetriedAndTheBackfillCompletes) {
  fake("strava").seed_activities(kSeeded, now_ms() - 3'600'000);
  fake("strava").fail_next(FakeFault::server_error, 2);  // the first list request and its first retry
  const auto connection = connect(admin_token_, "strava");
  EXPECT_EQ(connection.value("activities_synced", -1), kSeeded) << connection.dump();
  EXPECT_TRUE(connection["last_sync_error"].is_null()) << connection.dump();
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kSeeded));
  // Two failed list requests, then the backfill page and the incremental check.
  EXPECT_GE(fake("strava").stats().activity_list_calls, 4);
}

TEST_F(provider_SyncFaults, RateLimitIsRecordedAndTheResumedSyncAddsNoDuplicates) {
  constexpr int kMany = 250;  // two backfill pages of 200 and 50
  fake("strava").seed_activities(kMany, now_ms() - 3'600'000);
  fake("strava").fail_next(FakeFault::none, 1);          // the first page passes
  fake("strava").fail_next(FakeFault::rate_limited, 1);  // the second answers 429
  auto page = callback(authorize(admin_token_, "strava"));
  ASSERT_EQ(page.result_int(), 200) << page.body();
  const auto stopped = wait_for(admin_token_, "strava", [](const json& e) { return e["last_sync_error"].is_string(); });
  const auto error = stopped.value("last_sync_error", "");
  EXPECT_NE(error.find("rate limit"), std::string::npos) << stopped.dump();
  EXPECT_EQ(stopped.value("status", ""), "connected") << stopped.dump();
  EXPECT_EQ(stopped.value("backfill_complete", true), false) << stopped.dump();
  EXPECT_EQ(stopped.value("activities_synced", -1), 200) << stopped.dump();
  EXPECT_TRUE(stopped["rate_limit"].contains("paused_until")) << stopped.dump();
  EXPECT_EQ(activities(admin_token_, "strava").size(), 200U);
  // The tool tells the user.
  const auto status = tool_status(admin_token_, "strava");
  EXPECT_NE(status.value("message", "").find("rate limit"), std::string::npos) << status.dump();

  // Strava sends no Retry-After: the pause lasts until its 15-minute window ends, so another run in this process
  // stops at once without calling Strava.
  const auto calls = fake("strava").stats().api_calls;
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake("strava").stats().api_calls, calls) << "a paused provider was called";

  // The pause is this process's memory; a restarted server resumes the backfill from the saved cursor.
  start_server();
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  const auto done =
      wait_for(admin_token_, "strava", [](const json& e) { return synced(e) && e["last_sync_error"].is_null(); });
  EXPECT_EQ(done.value("activities_synced", -1), kMany) << done.dump();
  const auto listed = activities(admin_token_, "strava");
  std::set<std::string> external_ids;
  for (const auto& a : listed) external_ids.insert(a.value("external_id", ""));
  EXPECT_EQ(listed.size(), static_cast<std::size_t>(kMany));
  EXPECT_EQ(external_ids.size(), static_cast<std::size_t>(kMany)) << "duplicates after the resumed backfill";
  // And once more: nothing new, nothing doubled.
  const auto lists = fake("strava").stats().activity_list_calls;
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  settle("strava");
  EXPECT_GT(fake("strava").stats().activity_list_calls, lists);
  EXPECT_TRUE(entry(admin_token_, "strava")["last_sync_error"].is_null());
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kMany));
}

TEST_F(provider_SyncFaults, MalformedJsonIsRecordedAndTheServerCarriesOn) {
  fake("strava").seed_activities(kSeeded, now_ms() - 3'600'000);
  const auto connection = connect(admin_token_, "strava");
  const auto last = connection.value("last_sync_at", "");
  fake("strava").fail_next(FakeFault::malformed_json, 1);
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  const auto failed = wait_for(admin_token_, "strava", [](const json& e) { return e["last_sync_error"].is_string(); });
  EXPECT_EQ(failed.value("status", ""), "connected") << failed.dump();
  EXPECT_FALSE(failed.value("last_sync_error", "").empty());
  EXPECT_EQ(failed.value("last_sync_at", ""), last) << "a failed run is not a sync";
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kSeeded));
  EXPECT_EQ(client_->get("/health").result_int(), 200);

  // The next run succeeds and clears the error.
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  const auto ok = wait_for(admin_token_, "strava", [](const json& e) { return e["last_sync_error"].is_null(); });
  EXPECT_EQ(ok.value("activities_synced", -1), kSeeded);
  EXPECT_EQ(ok.value("status", ""), "connected");
}

TEST_F(provider_SyncFaults, RevokedGrantMarksNeedsReauthAndTheToolSaysToConnectAgain) {
  fake("strava").seed_activities(kSeeded, now_ms() - 3'600'000);
  connect(admin_token_, "strava");
  fake("strava").revoke_refresh_tokens();
  fake("strava").expire_access_tokens();
  const auto refreshes = fake("strava").stats().refreshes;
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  const auto reauth =
      wait_for(admin_token_, "strava", [](const json& e) { return e.value("status", "") == "needs_reauth"; });
  EXPECT_EQ(reauth.value("connected", true), false) << reauth.dump();
  EXPECT_GT(fake("strava").stats().refreshes, refreshes) << "no refresh was attempted";
  const auto status = tool_status(admin_token_, "strava");
  EXPECT_EQ(status.value("status", ""), "needs_reauth") << status.dump();
  EXPECT_NE(status.value("message", "").find("connect_provider"), std::string::npos) << status.dump();
  // The data stays; connecting again heals the connection.
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kSeeded));
  const auto healed = connect(admin_token_, "strava");
  EXPECT_EQ(healed.value("status", ""), "connected") << healed.dump();
}

// ---- 4. Disconnect ----

using provider_Disconnect = ProviderServer;

TEST_F(provider_Disconnect, KeepsActivitiesByDefaultDeletesThemOnRequestAndRevokesAtTheProvider) {
  fake("strava").seed_activities(kSeeded, now_ms() - 3'600'000);
  connect(admin_token_, "strava");

  auto kept = call(verb::delete_, "/api/providers/strava", admin_token_);
  ASSERT_EQ(kept.result_int(), 200) << kept.body();
  const auto kept_body = body_json(kept);
  EXPECT_EQ(kept_body.value("disconnected", false), true);
  EXPECT_EQ(kept_body.value("revoked_at_provider", false), true) << kept.body();
  EXPECT_EQ(kept_body.value("activities_deleted", -1), 0);
  EXPECT_EQ(fake("strava").stats().revocations, 1);
  EXPECT_EQ(entry(admin_token_, "strava").value("status", ""), "not_connected");
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kSeeded));
  // Twice: nothing to disconnect.
  EXPECT_EQ(call(verb::delete_, "/api/providers/strava", admin_token_).result_int(), 404);
  EXPECT_EQ(call(verb::delete_, "/api/providers/strava?delete_data=maybe", admin_token_).result_int(), 400);

  // Connect again (the activities are recognised, not doubled), then disconnect with the data.
  connect(admin_token_, "strava");
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kSeeded));
  auto deleted = call(verb::delete_, "/api/providers/strava?delete_data=true", admin_token_);
  ASSERT_EQ(deleted.result_int(), 200) << deleted.body();
  EXPECT_EQ(body_json(deleted).value("activities_deleted", -1), kSeeded) << deleted.body();
  EXPECT_EQ(fake("strava").stats().revocations, 2);
  EXPECT_TRUE(activities(admin_token_, "strava").empty());
  EXPECT_EQ(entry(admin_token_, "strava").value("status", ""), "not_connected");
  bool deauthorized = false;
  for (const auto& t : fake("strava").targets())
    deauthorized = deauthorized || t.find("/oauth/deauthorize") != std::string::npos;
  EXPECT_TRUE(deauthorized);
}

// ---- 5. Strava webhooks ----

using provider_Webhook = ProviderServer;

TEST_F(provider_Webhook, ValidationEchoesTheChallengeOnlyForTheConfiguredToken) {
  HttpClient c(server_->port());
  auto ok = c.get(std::string("/api/webhooks/strava?hub.mode=subscribe&hub.challenge=abc&hub.verify_token=") +
                  kWebhookVerifyToken);
  ASSERT_EQ(ok.result_int(), 200) << ok.body();
  EXPECT_EQ(body_json(ok), json({{"hub.challenge", "abc"}}));
  EXPECT_EQ(c.get("/api/webhooks/strava?hub.mode=subscribe&hub.challenge=abc&hub.verify_token=wrong").result_int(),
            403);
  EXPECT_EQ(c.get("/api/webhooks/strava?hub.mode=subscribe&hub.challenge=abc").result_int(), 403);
  EXPECT_EQ(c.get(std::string("/api/webhooks/strava?hub.mode=unsubscribe&hub.challenge=abc&hub.verify_token=") +
                  kWebhookVerifyToken)
                .result_int(),
            403);
}

TEST_F(provider_Webhook, AnActivityCreatedEventSyncsThatOneActivity) {
  fake("strava").seed_activities(kSeeded, now_ms() - 3'600'000);
  connect(admin_token_, "strava");
  const auto id = fake("strava").add_activity(now_ms() - 600'000);
  const auto before = fake("strava").stats();
  const auto targets_before = fake("strava").targets().size();

  const json event{{"object_type", "activity"},          {"aspect_type", "create"}, {"object_id", std::stoll(id)},
                   {"owner_id", FakeStrava::kAthleteId}, {"subscription_id", 1},    {"event_time", now_ms() / 1000},
                   {"updates", json::object()}};
  HttpClient strava_push(server_->port());
  auto res = post_json(strava_push, "/api/webhooks/strava", event);  // public: no token
  ASSERT_EQ(res.result_int(), 200) << res.body();

  const auto deadline = std::chrono::steady_clock::now() + 5s;
  json listed;
  while (std::chrono::steady_clock::now() < deadline) {
    listed = activities(admin_token_, "strava");
    if (listed.size() == static_cast<std::size_t>(kSeeded + 1)) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(listed.size(), static_cast<std::size_t>(kSeeded + 1));
  bool found = false;
  for (const auto& a : listed) found = found || a.value("external_id", "") == id;
  EXPECT_TRUE(found) << id;
  std::this_thread::sleep_for(300ms);  // anything else the event set off would have happened by now

  const auto after = fake("strava").stats();
  const auto targets = fake("strava").targets();
  std::string seen;
  for (auto i = targets_before; i < targets.size(); ++i) seen += targets[i] + "\n";
  EXPECT_EQ(after.activity_list_calls, before.activity_list_calls) << "the event set off a list walk:\n" << seen;
  // The one new activity with its samples: Strava's detail (summary + laps) and its streams, nothing else — the
  // least the API allows for an activity a tool can analyse at once.
  EXPECT_EQ(after.api_calls - before.api_calls, 2) << "requests after the event:\n" << seen;
  EXPECT_EQ(after.activity_detail_calls - before.activity_detail_calls, 2) << seen;
  EXPECT_EQ(entry(admin_token_, "strava").value("activities_synced", -1), kSeeded + 1);

  // An event for an account nobody here connected: 200, nothing happens.
  auto stranger = post_json(strava_push, "/api/webhooks/strava",
                            {{"object_type", "activity"},
                             {"aspect_type", "create"},
                             {"object_id", 1},
                             {"owner_id", 99},
                             {"subscription_id", 1},
                             {"event_time", 0}});
  EXPECT_EQ(stranger.result_int(), 200);
  EXPECT_EQ(post_body(strava_push, "/api/webhooks/strava", "not json").result_int(), 400);
}

TEST_F(provider_Webhook, StravaEventsOfAnotherSubscriptionAreRefused) {
  fake("strava").seed_activities(4, now_ms() - 3'600'000);
  connect(admin_token_, "strava");
  const auto id = fake("strava").add_activity(now_ms() - 600'000);
  const auto calls_before = fake("strava").stats().api_calls;
  HttpClient push(server_->port());
  for (const json& subscription : {json(2), json("1x"), json()}) {
    json event{{"object_type", "activity"},
               {"aspect_type", "create"},
               {"object_id", std::stoll(id)},
               {"owner_id", FakeStrava::kAthleteId},
               {"event_time", now_ms() / 1000}};
    if (!subscription.is_null()) event["subscription_id"] = subscription;
    auto res = post_json(push, "/api/webhooks/strava", event);
    EXPECT_EQ(res.result_int(), 403) << subscription.dump() << " " << res.body();
    EXPECT_EQ(body_json(res)["error"].value("code", ""), "PERMISSION_DENIED") << res.body();
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(fake("strava").stats().api_calls, calls_before);
  EXPECT_EQ(activities(admin_token_, "strava").size(), 4U);
}

TEST_F(provider_Webhook, StravaDeauthorizationIsCheckedWithStravaBeforeItCounts) {
  fake("strava").seed_activities(3, now_ms() - 3'600'000);
  connect(admin_token_, "strava");
  const json notice{{"object_type", "athlete"},
                    {"aspect_type", "update"},
                    {"object_id", FakeStrava::kAthleteId},
                    {"owner_id", FakeStrava::kAthleteId},
                    {"subscription_id", 1},
                    {"event_time", now_ms() / 1000},
                    {"updates", {{"authorized", "false"}}}};
  HttpClient push(server_->port());
  ASSERT_EQ(post_json(push, "/api/webhooks/strava", notice).result_int(), 200);
  settle("strava");
  EXPECT_EQ(entry(admin_token_, "strava").value("status", ""), "connected") << "a notice Strava's tokens contradict";

  fake("strava").expire_access_tokens();
  fake("strava").revoke_refresh_tokens();
  ASSERT_EQ(post_json(push, "/api/webhooks/strava", notice).result_int(), 200);
  const auto e =
      wait_for(admin_token_, "strava", [](const json& now) { return now.value("status", "") == "needs_reauth"; });
  EXPECT_EQ(e.value("status", ""), "needs_reauth");
  EXPECT_EQ(activities(admin_token_, "strava").size(), 3U);
}

// ---- 5b. Garmin notifications ----

// Polls until `provider` lists `count` activities for the admin; returns the last list.
json wait_for_count(const std::function<json()>& list, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  json listed;
  while (std::chrono::steady_clock::now() < deadline) {
    listed = list();
    if (listed.size() == count) break;
    std::this_thread::sleep_for(50ms);
  }
  return listed;
}

TEST_F(provider_Webhook, GarminActivityFilePingStoresTheActivityWithItsSamplesInOneCall) {
  auto& garmin = dynamic_cast<FakeGarmin&>(fake("garmin"));
  garmin.seed_activities(3, now_ms() - 3'600'000);
  connect(admin_token_, "garmin");
  const auto id = garmin.add_activity(now_ms() - 7'200'000);
  const auto ping = garmin.activity_files_ping(id);
  ASSERT_TRUE(ping.is_object());
  const auto before = garmin.stats();

  HttpClient push(server_->port());
  auto res = post_json(push, "/api/webhooks/garmin", ping);  // public, as Garmin calls it
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto listed = wait_for_count([&] { return activities(admin_token_, "garmin"); }, 4);
  ASSERT_EQ(listed.size(), 4U);
  std::string stored_id;
  for (const auto& a : listed) {
    if (a.value("external_id", "") == id) stored_id = a.value("id", "");
  }
  ASSERT_FALSE(stored_id.empty()) << listed.dump().substr(0, 500);
  settle("garmin");
  EXPECT_EQ(garmin.stats().api_calls - before.api_calls, 1) << "one download through the callbackURL, nothing else";

  auto detail = call(verb::get, "/api/activities/" + stored_id + "?streams=true", admin_token_);
  ASSERT_EQ(detail.result_int(), 200) << detail.body().substr(0, 300);
  const auto streams = body_json(detail)["streams"];
  ASSERT_TRUE(streams.is_object()) << detail.body().substr(0, 300);
  ASSERT_TRUE(streams.contains("time_s") && streams["time_s"].is_array()) << streams.dump().substr(0, 300);
  // The FIT file's own records (the shortest sample file has 19), with heart rate at each.
  EXPECT_GE(streams["time_s"].size(), 19U) << garmin.file_name(id);
  ASSERT_TRUE(streams.contains("heart_rate_bpm")) << streams.dump().substr(0, 300);
  EXPECT_EQ(streams["heart_rate_bpm"].size(), streams["time_s"].size());

  // The same ping again (Garmin retries): its one-time URL is spent, nothing is duplicated and the process lives.
  EXPECT_EQ(post_json(push, "/api/webhooks/garmin", ping).result_int(), 200);
  settle("garmin");
  EXPECT_EQ(activities(admin_token_, "garmin").size(), 4U);
  EXPECT_EQ(push.get("/health").result_int(), 200);
}

TEST_F(provider_Webhook, GarminPingsCannotPointTheServerAnywhereElse) {
  auto& garmin = dynamic_cast<FakeGarmin&>(fake("garmin"));
  garmin.seed_activities(2, now_ms() - 3'600'000);
  connect(admin_token_, "garmin");
  const auto id = garmin.add_activity(now_ms() - 7'200'000);
  const auto strava_calls = fake("strava").targets().size();
  const auto garmin_calls = garmin.targets().size();
  const auto other = fake("strava").base_url();  // a host the server can reach, but not the Garmin API
  const auto good = garmin.activity_files_ping(id)["activityFiles"][0]["callbackURL"].get<std::string>();
  const auto query = good.substr(good.find('?'));
  HttpClient push(server_->port());
  for (const auto& url : {other + "/wellness-api/rest/activityFile" + query,
                          garmin.base_url() + "/wellness-api/rest/user/registration" + query,
                          garmin.base_url() + "/wellness-api/rest/activityFile" + query + "#frag",
                          garmin.base_url() + "/wellness-api/rest/activityFile?id=1@" + other.substr(7),
                          garmin.base_url() + ".evil.example/wellness-api/rest/activityFile" + query}) {
    json ping = garmin.activity_files_ping(id);
    ping["activityFiles"][0]["callbackURL"] = url;
    EXPECT_EQ(post_json(push, "/api/webhooks/garmin", ping).result_int(), 200) << url;
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake("strava").targets().size(), strava_calls);
  EXPECT_EQ(garmin.targets().size(), garmin_calls);
  EXPECT_EQ(activities(admin_token_, "garmin").size(), 2U);
  EXPECT_EQ(post_body(push, "/api/webhooks/garmin", "[1,2]").result_int(), 400);
}

TEST_F(provider_Webhook, GarminDeregistrationIsCheckedWithGarminBeforeItCounts) {
  auto& garmin = dynamic_cast<FakeGarmin&>(fake("garmin"));
  garmin.seed_activities(2, now_ms() - 3'600'000);
  connect(admin_token_, "garmin");
  HttpClient push(server_->port());
  // Someone else's user id changes nothing and costs nothing.
  const auto calls = garmin.stats().api_calls;
  EXPECT_EQ(
      post_json(push, "/api/webhooks/garmin", {{"deregistrations", {{{"userId", "somebody-else"}}}}}).result_int(),
      200);
  // A forged notice for our user (Garmin signs nothing): the grant still works at Garmin, so nothing changes.
  const json notice{{"deregistrations", {{{"userId", garmin.user_id()}}}}};
  EXPECT_EQ(post_json(push, "/api/webhooks/garmin", notice).result_int(), 200);
  settle("garmin");
  EXPECT_GT(garmin.stats().api_calls, calls) << "the notice was checked with Garmin";
  EXPECT_EQ(entry(admin_token_, "garmin").value("status", ""), "connected");

  // The user really withdrew consent at Garmin: tokens and refresh are refused → needs_reauth, data kept.
  garmin.expire_access_tokens();
  garmin.revoke_refresh_tokens();
  ASSERT_EQ(post_json(push, "/api/webhooks/garmin", notice).result_int(), 200);
  const auto e =
      wait_for(admin_token_, "garmin", [](const json& now) { return now.value("status", "") == "needs_reauth"; });
  EXPECT_EQ(e.value("status", ""), "needs_reauth");
  EXPECT_EQ(activities(admin_token_, "garmin").size(), 2U);
}

// ---- 5c. Google Health webhooks ----

TEST_F(provider_Webhook, GoogleHealthVerificationAndAnExerciseNotificationSyncTheUser) {
  auto& fitbit = fake("fitbit");
  fitbit.seed_activities(3, now_ms() - 3'600'000);
  connect(admin_token_, "fitbit");
  HttpClient hook(server_->port());
  const json verification{{"type", "verification"}};
  const auto post = [&](const json& body, const std::string& authorization) {
    Headers headers{{"Content-Type", "application/json"}};
    if (!authorization.empty()) headers["Authorization"] = authorization;
    return hook.request(verb::post, "/api/webhooks/fitbit", body.dump(), headers);
  };
  // Google's two verification requests: with the secret → 201, without → 401; a wrong secret is refused too.
  EXPECT_EQ(post(verification, kGoogleHealthWebhookSecret).result_int(), 201);
  EXPECT_EQ(post(verification, "").result_int(), 401);
  EXPECT_EQ(post(verification, "Bearer google-health-webhook-5d21c1").result_int(), 401);

  const auto added = fitbit.add_activity(now_ms() - 1'800'000);
  const auto calls_before = fitbit.stats().api_calls;
  const json notification{{"data",
                           {{"healthUserId", FakeFitbit::kHealthUserId},
                            {"dataType", "exercise"},
                            {"operation", "UPSERT"},
                            {"civilIso8601TimeInterval", "2026-11-27T10:00:00/2026-11-27T11:00:00"}}}};
  // Unauthenticated notifications do nothing.
  EXPECT_EQ(post(notification, "").result_int(), 401);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(fitbit.stats().api_calls, calls_before);

  // Another data type is acknowledged and ignored; the exercise change syncs the user.
  EXPECT_EQ(
      post({{"data", {{"healthUserId", FakeFitbit::kHealthUserId}, {"dataType", "steps"}}}}, kGoogleHealthWebhookSecret)
          .result_int(),
      204);
  auto res = post(json::array({notification}), kGoogleHealthWebhookSecret);
  EXPECT_EQ(res.result_int(), 204) << res.body();
  const auto listed = wait_for_count([&] { return activities(admin_token_, "fitbit"); }, 4);
  ASSERT_EQ(listed.size(), 4U);
  bool found = false;
  for (const auto& a : listed) found = found || a.value("external_id", "") == added;
  EXPECT_TRUE(found) << added;
  EXPECT_EQ(post(json("not a notification"), kGoogleHealthWebhookSecret).result_int(), 400);
}

// ---- 6. Secrets ----

using provider_Secrets = ProviderServer;

TEST_F(provider_Secrets, ProviderTokensAppearInNoLogResponseOrDatabaseByte) {
  // Debug logging: the most the server ever writes. Restart so the setting applies.
  log_level_ = "debug";
  start_server();
  for (const auto* p : {"strava", "garmin", "fitbit"}) {
    fake(p).seed_activities(8, now_ms() - 3'600'000);
    connect(admin_token_, p);
  }
  // Tokens refreshed (a 401 → refresh), a failed callback, a webhook, tools, a disconnect: each path that handles
  // tokens.
  fake("strava").expire_access_tokens();
  ASSERT_EQ(call(verb::post, "/api/providers/strava/sync", admin_token_).result_int(), 202);
  settle("strava");
  EXPECT_GE(fake("strava").stats().refreshes, 1);
  callback("/oauth/callback/strava?state=bogus&code=strava-code-999");
  const auto id = fake("strava").add_activity(now_ms() - 600'000);
  HttpClient push(server_->port());
  post_json(push, "/api/webhooks/strava",
            {{"object_type", "activity"},
             {"aspect_type", "create"},
             {"object_id", std::stoll(id)},
             {"owner_id", FakeStrava::kAthleteId},
             {"subscription_id", 1},
             {"event_time", now_ms() / 1000}});
  tool(admin_token_, "get_connection_status", json::object());
  tool(admin_token_, "get_activities", {{"limit", 5}});
  call(verb::delete_, "/api/providers/garmin", admin_token_);
  std::this_thread::sleep_for(500ms);

  // What the fakes issued: "<name>-at-N" / "<name>-rt-N". Search for the prefixes, so no issued token is missed.
  std::vector<std::string> needles = {FakeProvider::kClientSecret};
  for (const auto* p : {"strava", "garmin", "fitbit"}) {
    needles.push_back(std::string(p) + "-at-");
    needles.push_back(std::string(p) + "-rt-");
    EXPECT_GE(fake(p).stats().code_exchanges, 1) << p;
  }
  const auto logs = stderr_seen_ + server_->stderr_text();
  ASSERT_FALSE(logs.empty()) << "the server logged nothing at debug level";
  std::string database;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
    if (f.path().filename().string().starts_with("pierre.db")) database += read_file_bytes(f.path());
  }
  ASSERT_GT(database.size(), 4096U);
  for (const auto& needle : needles) {
    EXPECT_EQ(logs.find(needle), std::string::npos) << needle << " in the server log";
    EXPECT_EQ(database.find(needle), std::string::npos) << needle << " in the SQLite file";
    for (const auto& body : bodies_) {
      EXPECT_EQ(body.find(needle), std::string::npos) << needle << " in a response: " << body.substr(0, 300);
    }
  }
}

// ---- 7. Isolation between users of one tenant ----

using provider_Isolation = ProviderServer;

TEST_F(provider_Isolation, AnotherUserSeesNoConnectionAndCannotUseTheFirstUsersState) {
  fake("strava").seed_activities(kSeeded, now_ms() - 3'600'000);
  connect(admin_token_, "strava");
  const auto bob = second_user("bob@example.com");

  EXPECT_EQ(entry(bob, "strava").value("status", ""), "not_connected");
  EXPECT_EQ(providers(bob).value("connected_count", -1), 0);
  EXPECT_TRUE(activities(bob, "strava").empty());
  EXPECT_EQ(tool_status(bob, "strava").value("status", ""), "not_connected");
  EXPECT_EQ(call(verb::delete_, "/api/providers/strava", bob).result_int(), 404);
  EXPECT_EQ(call(verb::post, "/api/providers/strava/sync", bob).result_int(), 404);

  // The admin's state, brought back by Bob's signed-in browser: refused, nothing stored for Bob.
  const auto exchanges = fake("strava").stats().code_exchanges;
  const auto target = authorize(admin_token_, "strava");
  auto res = callback(target, bob);
  EXPECT_EQ(res.result_int(), 400) << res.body();
  EXPECT_NE(res.body().find("another user"), std::string::npos) << res.body();
  EXPECT_EQ(fake("strava").stats().code_exchanges, exchanges);
  EXPECT_EQ(entry(bob, "strava").value("status", ""), "not_connected");
  // The admin's connection is untouched.
  EXPECT_EQ(entry(admin_token_, "strava").value("status", ""), "connected");
  EXPECT_EQ(activities(admin_token_, "strava").size(), static_cast<std::size_t>(kSeeded));
}

}  // namespace
}  // namespace pierre::testing
