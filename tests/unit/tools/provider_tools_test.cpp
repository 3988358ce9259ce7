// The provider tools through the registry with the real Strava client against the fake Strava on loopback:
// connect_provider's link, get_connection_status after a sync, get_activities catching up, calculate_metrics fetching a
// synced activity's samples once (lazily), disconnect_provider revoking at the provider.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backend_fixture.hpp"
#include "fake_http_server.hpp"
#include "fake_strava.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
using pierre::testing::FakeStrava;
using ::testing::HasSubstr;

constexpr const char* kProviderToolsTenant = "tenant-tools";
constexpr const char* kUser = "user-tools";

class ProviderToolsTest : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    pierre::testing::add_tenant(db(), kProviderToolsTenant);
    fake_.set_read_rate_limits(100'000, 1'000'000);
    auto keys = auth::KeyStore::open(db(), crypto::Bytes(32, 4));
    ASSERT_TRUE(keys);
    keys_ = std::move(*keys);
    providers::Settings s;
    s.client_id = FakeStrava::kClientId;
    s.client_secret = FakeStrava::kClientSecret;
    s.redirect_uri = "http://127.0.0.1:1/oauth/callback/strava";
    s.api_base_url = fake_.api_base_url();
    s.oauth_base_url = fake_.oauth_base_url();
    s.policy.allowed_schemes = {"http"};
    s.policy.allow_private_addresses = true;
    set_.add(providers::make_strava(s));
    auto cursors = store::CursorCodec::create(crypto::Bytes(32, 6));
    ASSERT_TRUE(cursors);
    activities_ = std::make_unique<activity::Service>(db(), std::move(*cursors));
    profiles_ = std::make_unique<profile::Service>(db(), *activities_);
    goals_ = std::make_unique<goals::Service>(db(), *activities_, *profiles_);
    connections_ = std::make_unique<providers::Connections>(db(), *keys_, set_);
    sync_ = std::make_unique<providers::SyncEngine>(*connections_, *activities_, set_);
    auto r = register_product_tools(registry_, {*activities_, *profiles_, *goals_, nullptr, *connections_, *sync_});
    ASSERT_TRUE(r) << r.error().message;
  }
  void TearDown() override {
    sync_.reset();
    connections_.reset();
    goals_.reset();
    profiles_.reset();
    activities_.reset();
    keys_.reset();
    BackendTest::TearDown();
  }

  CallResult call(std::string_view tool, const json& args = json::object()) {
    CallContext ctx;
    ctx.user_id = kUser;
    ctx.tenant_id = kProviderToolsTenant;
    auto r = registry_.call(tool, args, ctx);
    EXPECT_TRUE(r) << tool << ": " << (r ? "" : r.error().message);
    return r ? *r : CallResult{};
  }

  // connect_provider's link, followed as a browser would: the fake approves, our callback completes.
  void connect_through_the_tool() {
    auto link = call("connect_provider", {{"provider", "strava"}});
    ASSERT_FALSE(link.is_error) << link.text;
    const auto url = link.structured["authorization_url"].get<std::string>();
    EXPECT_THAT(url, HasSubstr(fake_.oauth_base_url() + "/authorize?"));
    net::FetchPolicy p;
    p.allowed_schemes = {"http"};
    p.allow_private_addresses = true;
    auto approved = net::get(url, p);
    ASSERT_TRUE(approved);
    ASSERT_EQ(approved->status, 302);
    const auto query = pierre::testing::parse_form(approved->location.substr(approved->location.find('?') + 1));
    auto done = connections_->complete("strava", query.at("state"), query.at("code"), nullptr, query.at("scope"));
    ASSERT_TRUE(done) << done.error().message;
  }

  FakeStrava fake_;
  providers::ProviderSet set_;
  std::unique_ptr<auth::KeyStore> keys_;
  std::unique_ptr<activity::Service> activities_;
  std::unique_ptr<profile::Service> profiles_;
  std::unique_ptr<goals::Service> goals_;
  std::unique_ptr<providers::Connections> connections_;
  std::unique_ptr<providers::SyncEngine> sync_;
  Registry registry_;
};

TEST_P(ProviderToolsTest, ConnectSyncAnalyseAndDisconnectThroughTheTools) {
  fake_.seed_activities(FakeStrava::kKinds, now_epoch_ms() - 3'600'000);
  connect_through_the_tool();
  ASSERT_TRUE(sync_->sync({kProviderToolsTenant, kUser}, "strava"));

  auto status = call("get_connection_status", {{"provider", "strava"}});
  ASSERT_FALSE(status.is_error) << status.text;
  const auto& strava = status.structured["providers"][0];
  EXPECT_EQ(strava["status"], "connected");
  EXPECT_EQ(strava["activities_synced"], FakeStrava::kKinds);
  EXPECT_EQ(strava["backfill_complete"], true);
  EXPECT_THAT(status.text, HasSubstr("strava connected"));

  auto listed = call("get_activities", {{"provider", "strava"}, {"limit", 20}});
  ASSERT_FALSE(listed.is_error) << listed.text;
  ASSERT_EQ(listed.structured["activities"].size(), static_cast<std::size_t>(FakeStrava::kKinds));
  // The newest (index 0) is the run with heart rate: its samples are not stored until a tool needs them.
  const auto id = listed.structured["activities"][0]["id"].get<std::string>();
  EXPECT_FALSE(activities_->streams({kProviderToolsTenant, kUser}, id)->has_value());
  const auto detail_calls = fake_.stats().activity_detail_calls;
  auto metrics = call("calculate_metrics", {{"activity_id", id}});
  ASSERT_FALSE(metrics.is_error) << metrics.text;
  EXPECT_EQ(metrics.structured["has_streams"], true);
  EXPECT_GT(fake_.stats().activity_detail_calls, detail_calls);
  const auto after_first = fake_.stats().api_calls;
  auto again = call("analyze_activity", {{"activity_id", id}});
  ASSERT_FALSE(again.is_error) << again.text;
  EXPECT_EQ(fake_.stats().api_calls, after_first);  // stored now

  auto gone = call("disconnect_provider", {{"provider", "strava"}});
  ASSERT_FALSE(gone.is_error) << gone.text;
  EXPECT_EQ(gone.structured["was_connected"], true);
  EXPECT_EQ(gone.structured["revoked_at_provider"], true);
  EXPECT_EQ(fake_.stats().revocations, 1);
  EXPECT_EQ(call("get_activities", {{"provider", "strava"}, {"limit", 20}}).structured["activities"].size(),
            static_cast<std::size_t>(FakeStrava::kKinds));  // kept
}

TEST_P(ProviderToolsTest, ARevokedConnectionIsExplainedByTheTools) {
  fake_.seed_activities(3, now_epoch_ms() - 3'600'000);
  connect_through_the_tool();
  ASSERT_TRUE(sync_->sync({kProviderToolsTenant, kUser}, "strava"));
  const auto id = call("get_activities", {{"limit", 1}}).structured["activities"][0]["id"].get<std::string>();
  fake_.revoke_refresh_tokens();
  fake_.expire_access_tokens();
  auto metrics = call("calculate_metrics", {{"activity_id", id}});
  EXPECT_TRUE(metrics.is_error);
  EXPECT_THAT(metrics.text, HasSubstr("connect_provider"));
  auto status = call("get_connection_status", {{"provider", "strava"}});
  EXPECT_EQ(status.structured["providers"][0]["status"], "needs_reauth");
  EXPECT_THAT(status.text, HasSubstr("authorised again"));
}

TEST_P(ProviderToolsTest, GetActivitiesCatchesUpAStaleConnectionAndReportsProgress) {
  fake_.seed_activities(4, now_epoch_ms() - 3'600'000);
  connect_through_the_tool();
  ASSERT_TRUE(sync_->sync({kProviderToolsTenant, kUser}, "strava"));
  // A new upload, and the connection's data is now older than the staleness (the engine's default 15 minutes
  // is replaced by 0 s here: every read is stale).
  providers::SyncOptions eager;
  eager.staleness = std::chrono::seconds(0);
  sync_ = std::make_unique<providers::SyncEngine>(*connections_, *activities_, set_, eager);
  registry_ = Registry{};
  ASSERT_TRUE(register_product_tools(registry_, {*activities_, *profiles_, *goals_, nullptr, *connections_, *sync_}));
  fake_.add_activity(now_epoch_ms() - 60'000);
  std::vector<std::string> messages;
  CallContext ctx;
  ctx.user_id = kUser;
  ctx.tenant_id = kProviderToolsTenant;
  ctx.progress = [&](double, std::optional<double>, std::string_view message) { messages.emplace_back(message); };
  auto listed = registry_.call("get_activities", {{"limit", 50}}, ctx);
  ASSERT_TRUE(listed);
  ASSERT_FALSE(listed->is_error) << listed->text;
  EXPECT_EQ(listed->structured["activities"].size(), 5u);  // the new one is there without a separate sync call
  ASSERT_FALSE(messages.empty());
  EXPECT_THAT(messages.front(), HasSubstr("syncing strava"));
}

INSTANTIATE_TEST_SUITE_P(tools, ProviderToolsTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace pierre::tools
