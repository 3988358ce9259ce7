#include "pierre/mcp_client/credentials.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "temporary_directory.hpp"

namespace pierre::mcp_client {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'800'000'000;

// A token endpoint nobody listens on: every refresh fails as "unreachable".
class UnreachableServerTest : public ::testing::Test {
 protected:
  OAuthCredentials credentials_expiring_at(std::int64_t expires_at) {
    StoredCredentials stored;
    stored.server_url = "http://127.0.0.1:9";
    stored.token_endpoint = "http://127.0.0.1:9/oauth2/token";  // discard port: refused at once
    stored.client_id = "client";
    stored.access_token = "still-good";
    stored.refresh_token = "refresh";
    stored.expires_at = expires_at;
    EXPECT_TRUE(TokenStore(root_).save(stored));
    return OAuthCredentials(
        TokenStore(root_), oauth_, stored.server_url, stored.server_url + "/mcp", [] { return kNow; }, diagnostics_);
  }

  test_support::TemporaryDirectory directory_;
  const fs::path& root_ = directory_.path();
  HttpClient http_;
  Diagnostics diagnostics_{false};
  OAuthClient oauth_{
      http_,
      {.browser = "none", .callback_port = 0, .timeout = std::chrono::seconds(1), .client_metadata_url = {}},
      diagnostics_};
};

TEST_F(UnreachableServerTest, ATokenNotYetExpiredIsUsedWhenTheEarlyRefreshCannotReachTheServer) {
  auto credentials = credentials_expiring_at(kNow + 20);  // inside the refresh margin, not expired
  auto header = credentials.current();
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->value, "Bearer still-good");
}

TEST_F(UnreachableServerTest, AnExpiredTokenIsAnUnavailableErrorNotABrowserLogin) {
  auto credentials = credentials_expiring_at(kNow - 30);
  ::testing::internal::CaptureStderr();
  auto header = credentials.current();
  const auto stderr_text = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::external_service_unavailable);
  EXPECT_EQ(stderr_text.find("authoriz"), std::string::npos) << stderr_text;
}

TEST_F(UnreachableServerTest, TokensAnotherProcessRenewedAreAdoptedInsteadOfRefreshingAgain) {
  auto credentials = credentials_expiring_at(kNow + 20);  // loaded now, due for an early refresh
  ASSERT_TRUE(credentials.current());                     // (the refresh cannot reach the server: old token)
  StoredCredentials renewed = *TokenStore(root_).load("http://127.0.0.1:9").value();
  renewed.access_token = "renewed-elsewhere";
  renewed.refresh_token = "rotated";
  renewed.expires_at = kNow + 3600;
  ASSERT_TRUE(TokenStore(root_).save(renewed));
  auto header = credentials.current();
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->value, "Bearer renewed-elsewhere");
}

TEST(FixedCredentials, HeadersAndFinalRefusal) {
  auto key = FixedCredentials::api_key("pk_x");
  EXPECT_EQ(*key.current(), (AuthHeader{"X-API-Key", "pk_x"}));
  auto bearer = FixedCredentials::bearer("jwt");
  EXPECT_EQ(*bearer.current(), (AuthHeader{"Authorization", "Bearer jwt"}));
  auto refused = bearer.rejected(*bearer.current(), "Bearer error=\"invalid_token\"");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::auth_invalid);
}

}  // namespace
}  // namespace pierre::mcp_client
