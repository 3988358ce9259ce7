#include "pierre/mcp_client/oauth_client.hpp"

#include <gtest/gtest.h>

#include "pierre/mcp_client/http_exchange.hpp"

namespace pierre::mcp_client {
namespace {

TEST(ResourceMetadataFromChallenge, QuotedAndBare) {
  EXPECT_EQ(
      resource_metadata_from_challenge(
          R"(Bearer error="invalid_token", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp")"),
      "http://h/.well-known/oauth-protected-resource/mcp");
  EXPECT_EQ(resource_metadata_from_challenge("Bearer resource_metadata=http://h/prm, scope=x"), "http://h/prm");
  EXPECT_EQ(resource_metadata_from_challenge("Bearer realm=\"x\""), "");
}

TEST(ProtectedResourceMetadataUrls, PathSpecificThenRoot) {
  auto urls = protected_resource_metadata_urls("http://localhost:8081/mcp");
  ASSERT_TRUE(urls);
  ASSERT_EQ(urls->size(), 2U);
  EXPECT_EQ((*urls)[0], "http://localhost:8081/.well-known/oauth-protected-resource/mcp");
  EXPECT_EQ((*urls)[1], "http://localhost:8081/.well-known/oauth-protected-resource");
  auto root = protected_resource_metadata_urls("https://pierre.example");
  ASSERT_TRUE(root);
  ASSERT_EQ(root->size(), 1U);
  EXPECT_EQ((*root)[0], "https://pierre.example/.well-known/oauth-protected-resource");
}

HttpResponse token_answer(long status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(CredentialsFromTokenResponse, TakesTokensAndComputesExpiry) {
  StoredCredentials base;
  base.server_url = "http://h";
  base.client_id = "c";
  base.refresh_token = "old-refresh";
  auto fresh = credentials_from_token_response(
      base, token_answer(200, R"({"access_token":"a1","refresh_token":"r1","expires_in":3600,"token_type":"Bearer"})"),
      1000);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->access_token, "a1");
  EXPECT_EQ(fresh->refresh_token, "r1");
  EXPECT_EQ(fresh->expires_at, 4600);
  EXPECT_EQ(fresh->client_id, "c");

  auto no_rotation = credentials_from_token_response(base, token_answer(200, R"({"access_token":"a2"})"), 1000);
  ASSERT_TRUE(no_rotation);
  EXPECT_EQ(no_rotation->refresh_token, "old-refresh");
  EXPECT_EQ(no_rotation->expires_at, 0);
}

TEST(CredentialsFromTokenResponse, RefusalsAreClassified) {
  const StoredCredentials base;
  auto spent = credentials_from_token_response(base, token_answer(400, R"({"error":"invalid_grant"})"), 0);
  ASSERT_FALSE(spent);
  EXPECT_EQ(spent.error().code, ErrorCode::auth_expired);
  auto other = credentials_from_token_response(base, token_answer(401, R"({"error":"invalid_client"})"), 0);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::external_auth_failed);
  auto garbage = credentials_from_token_response(base, token_answer(200, "<html>"), 0);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::external_auth_failed);
}

TEST(FormEncoding, RoundTripsThroughTheQueryParser) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"redirect_uri", "http://127.0.0.1:5555/callback"}, {"scope", "mcp:read mcp:write"}, {"state", "a+b&c=d"}};
  const auto encoded = form_encode(fields);
  EXPECT_EQ(encoded.find(' '), std::string::npos);
  EXPECT_EQ(parse_query(encoded), fields);
  EXPECT_EQ(parse_query("code=x+y&state=1&state=2&&empty"),
            (std::vector<std::pair<std::string, std::string>>{{"code", "x y"}, {"state", "2"}, {"empty", ""}}));
}

}  // namespace
}  // namespace pierre::mcp_client
