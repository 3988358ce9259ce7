// OAuthClient::discover against a scripted server: where it looks, what it accepts.
#include <gtest/gtest.h>

#include <string>

#include "fake_mcp_server.hpp"
#include "pierre/mcp_client/oauth_client.hpp"

namespace pierre::mcp_client {
namespace {

using nlohmann::json;
using test_support::FakeMcpServer;
using test_support::FakeRequest;
using test_support::FakeResponse;

struct AuthorizationServerDocs {
  bool path_specific_resource_metadata = true;
  json metadata_overrides = json::object();
};

FakeResponse serve(const FakeRequest& request, const std::string& origin, const AuthorizationServerDocs& docs) {
  const auto json_reply = [](const json& body) {
    return FakeResponse{200, {{"Content-Type", "application/json"}}, body.dump()};
  };
  if ((request.target == "/.well-known/oauth-protected-resource/mcp" && docs.path_specific_resource_metadata) ||
      (request.target == "/.well-known/oauth-protected-resource" && !docs.path_specific_resource_metadata)) {
    return json_reply({{"resource", origin + "/mcp"}, {"authorization_servers", {origin}}});
  }
  if (request.target == "/.well-known/oauth-authorization-server") {
    json metadata = {{"issuer", origin},
                     {"authorization_endpoint", origin + "/oauth2/authorize"},
                     {"token_endpoint", origin + "/oauth2/token"},
                     {"registration_endpoint", origin + "/oauth2/register"},
                     {"revocation_endpoint", origin + "/oauth2/revoke"},
                     {"code_challenge_methods_supported", {"S256"}},
                     {"authorization_response_iss_parameter_supported", true}};
    metadata.update(docs.metadata_overrides);
    return json_reply(metadata);
  }
  return {404, {}, ""};
}

Result<AuthorizationServer> discover_with(const AuthorizationServerDocs& docs) {
  std::string origin;
  FakeMcpServer server([&](const FakeRequest& r) { return serve(r, origin, docs); });
  origin = server.url();
  HttpClient http;
  const Diagnostics diagnostics(false);
  OAuthClient oauth(http, {}, diagnostics);
  return oauth.discover(origin + "/mcp", "");
}

TEST(Discover, FindsTheEndpointsThroughBothMetadataDocuments) {
  auto found = discover_with({});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(found->resource.ends_with("/mcp"));
  EXPECT_TRUE(found->token_endpoint.ends_with("/oauth2/token"));
  EXPECT_TRUE(found->registration_endpoint.ends_with("/oauth2/register"));
  EXPECT_TRUE(found->iss_parameter_supported);
}

TEST(Discover, FallsBackToTheRootResourceMetadata) {
  auto found = discover_with({.path_specific_resource_metadata = false, .metadata_overrides = json::object()});
  ASSERT_TRUE(found) << found.error().message;
}

TEST(Discover, RefusesMetadataOfAnotherIssuer) {
  auto found = discover_with(
      {.path_specific_resource_metadata = true, .metadata_overrides = {{"issuer", "https://elsewhere.example"}}});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ErrorCode::external_auth_failed);
}

TEST(Discover, RefusesAnAuthorizationServerWithoutPkceS256) {
  auto found = discover_with({.path_specific_resource_metadata = true,
                              .metadata_overrides = {{"code_challenge_methods_supported", {"plain"}}}});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ErrorCode::external_auth_failed);
}

}  // namespace
}  // namespace pierre::mcp_client
