// The provider clients' shared wire layer (src/providers/wire.cpp): error classification of provider.hpp against a
// real loopback server, token responses, encodings. Private header: the test compiles against the module's sources.
#include "wire.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "fake_http_server.hpp"
#include "loopback_policy.hpp"

namespace pierre::providers::wire {
namespace {

using pierre::testing::loopback_policy;

using pierre::testing::FakeHttpServer;
using pierre::testing::FakeRequest;
using pierre::testing::FakeResponse;

struct Scripted {
  std::atomic<int> status{200};
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};
  FakeHttpServer server{[this](const FakeRequest&) {
    auto r = FakeResponse::json(status.load(), body);
    r.headers = headers;
    r.delay = delay;
    return r;
  }};
  Result<net::Response> get(Endpoint endpoint = Endpoint::api) {
    net::Request request;
    request.url = server.base_url() + "/x";
    return call(request, loopback_policy(std::chrono::milliseconds(1500)), "Test call", endpoint);
  }
};

TEST(WireCall, ClassifiesEveryStatusAndNeverQuotesTheBody) {
  Scripted s;
  s.body = R"({"message":"secret-token-abc in body"})";
  const std::vector<std::pair<int, ErrorCode>> cases = {
      {401, ErrorCode::external_auth_failed},         {403, ErrorCode::external_auth_failed},
      {404, ErrorCode::resource_not_found},           {429, ErrorCode::external_rate_limited},
      {500, ErrorCode::external_service_unavailable}, {503, ErrorCode::external_service_unavailable},
      {400, ErrorCode::external_service_error},       {422, ErrorCode::external_service_error}};
  for (const auto& [status, code] : cases) {
    s.status = status;
    auto r = s.get();
    ASSERT_FALSE(r) << status;
    EXPECT_EQ(r.error().code, code) << status;
    EXPECT_EQ(r.error().message.find("secret-token-abc"), std::string::npos);
    EXPECT_NE(r.error().message.find("Test call"), std::string::npos);
  }
  s.status = 200;
  auto ok = s.get();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, s.body);
}

TEST(WireCall, TokenEndpointTreatsBadRequestAsARefusedGrant) {
  Scripted s;
  s.status = 400;
  s.body = R"({"error":"invalid_grant"})";
  auto r = s.get(Endpoint::token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::external_auth_failed);
}

TEST(WireCall, RateLimitCarriesRetryAfter) {
  Scripted s;
  s.status = 429;
  s.headers = {{"Retry-After", "120"}};
  auto r = s.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details.value("retry_after_s", -1), 120);
}

TEST(WireCall, SlowServiceTimesOutAsUnavailable) {
  Scripted s;
  s.delay = std::chrono::milliseconds(3000);
  auto r = s.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::external_service_unavailable);
}

TEST(WireJson, MalformedBodyIsAServiceError) {
  net::Response response;
  response.body = "<html>not json";
  auto r = json_body(response, "Strava list");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::external_service_error);
  response.body = R"({"a":1})";
  ASSERT_TRUE(json_body(response, "x"));
}

TEST(WireTokens, ReadsExpiresInOrExpiresAtAndKeepsTheOldRefreshToken) {
  auto a = token_set(nlohmann::json{{"access_token", "A"}, {"expires_in", 3600}, {"scope", "read"}}, 1'000'000,
                     "old-refresh", "t");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->access_token, "A");
  EXPECT_EQ(a->refresh_token, "old-refresh");
  EXPECT_EQ(a->expires_at_ms, 1'000'000 + 3'600'000);
  EXPECT_EQ(a->scope, "read");
  auto b = token_set(nlohmann::json{{"access_token", "B"}, {"refresh_token", "R2"}, {"expires_at", 1700000000}}, 0,
                     "old", "t");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->refresh_token, "R2");
  EXPECT_EQ(b->expires_at_ms, 1'700'000'000'000);
  auto none = token_set(nlohmann::json{{"token_type", "bearer"}}, 0, "", "t");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::external_service_error);
}

TEST(WireEncoding, FormAndRetryAfter) {
  EXPECT_EQ(form_encode({{"code", "a b&c=d/é"}, {"x", "-._~"}}), "code=a%20b%26c%3Dd%2F%C3%A9&x=-._~");
  EXPECT_EQ(retry_after_seconds("30", 0), 30);
  EXPECT_EQ(retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000 - 10'000), 10);
  EXPECT_FALSE(retry_after_seconds("soon", 0));
  EXPECT_FALSE(retry_after_seconds("", 0));
}

}  // namespace
}  // namespace pierre::providers::wire
