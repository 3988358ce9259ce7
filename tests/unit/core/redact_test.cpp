#include "pierre/core/redact.hpp"

#include <gtest/gtest.h>

namespace pierre::redact {
namespace {

struct Case {
  std::string input;
  std::vector<std::string> must_not_contain;
  std::vector<std::string> must_contain;
};

class RedactText : public testing::TestWithParam<Case> {};

TEST_P(RedactText, MasksSecretsAndKeepsContext) {
  const auto& c = GetParam();
  const auto out = text(c.input);
  for (const auto& secret : c.must_not_contain) EXPECT_EQ(out.find(secret), std::string::npos) << out;
  for (const auto& kept : c.must_contain) EXPECT_NE(out.find(kept), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(
    RealisticLines, RedactText,
    testing::Values(
        Case{
            "POST /auth/login 401 user=jane.doe+runs@example.co.uk", {"jane.doe", "example.co.uk"}, {"[email]", "401"}},
        Case{"login failed for JOHN_SMITH@Mail.Example.com from 10.0.0.7",
             {"JOHN_SMITH", "Mail.Example"},
             {"10.0.0.7", "login failed"}},
        Case{"Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
             {"eyJhbGciOiJSUzI1NiJ9", "c2lnbmF0dXJl"},
             {"Authorization"}},
        Case{
            "upstream call with header authorization=Basic dXNlcjpwYXNzd29yZA==", {"dXNlcjpwYXNzd29yZA"}, {"upstream"}},
        Case{"token refresh used Bearer 9f8e7d6c5b4a39281706abcdef", {"9f8e7d6c5b4a"}, {"Bearer [redacted]"}},
        Case{"GET /oauth/callback/strava?code=4f9a3b2c1d0e&state=xyz&scope=read 302",
             {"4f9a3b2c1d0e"},
             {"state=xyz", "scope=read", "302"}},
        Case{"POST /oauth2/token grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&client_secret=s3cr3t-v4lue",
             {"SplxlOBeZQQYbYS6WxSbIA", "s3cr3t-v4lue"},
             {"grant_type=authorization_code"}},
        Case{
            R"(strava token response: {"token_type":"Bearer","expires_at":1568775134,"refresh_token":"e5n567567abc","access_token":"a4b945687g","athlete":{"id":1234}})",
            {"e5n567567abc", "a4b945687g"},
            {"expires_at", "1568775134", "\"id\":1234"}},
        Case{R"({"email": "anna@example.org", "password": "hunter2!", "display_name": "Anna"})",
             {"anna@example.org", "hunter2!"},
             {"display_name", "Anna"}},
        Case{"X-API-Key: pk_live_8Hq2nR5tY7uI9oP1aS3dF5gH", {"8Hq2nR5tY7uI9oP1aS3dF5gH"}, {"X-API-Key"}},
        Case{"api key pk_test_abcdefghijkl revoked", {"abcdefghijkl"}, {"[api-key]", "revoked"}},
        Case{"trial key pk_trial_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe used",
             {"Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"},
             {"[api-key]", "used"}},
        Case{"jwt=eyJhbGciOiJFUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1MSJ9.MEUCIQDx", {"eyJzdWIiOiJ1MSJ9"}, {}},
        Case{"start point 45.523064, -122.676483 end 45.5301,-122.6801",
             {"45.523064", "122.676483", "45.5301"},
             {"[coordinates]", "start point"}},
        Case{R"(<trkpt lat="45.523064" lon="-122.676483"><ele>12.4</ele>)", {"45.523064", "122.676483"}, {"<ele>12.4"}},
        Case{"weather lookup lat=51.5074&lon=-0.1278&units=metric", {"51.5074", "0.1278"}, {"units=metric"}},
        Case{R"({"start_latlng":[37.77,-122.41],"distance":10000.5})", {"37.77", "122.41"}, {"10000.5"}},
        Case{R"({"latitude": 48.8566, "longitude": 2.3522})", {"48.8566", "2.3522"}, {"latitude"}},
        Case{"Cookie: session=abc123def456; theme=dark", {"abc123def456"}, {"Cookie"}},
        Case{"config PIERRE_MASTER_ENCRYPTION_KEY master_key=Zm9vYmFyYmF6cXV4", {"Zm9vYmFyYmF6cXV4"}, {}},
        Case{"db error for user_password=plaintext", {"plaintext"}, {}},
        Case{R"(provider said {"client_secret" : "c5e3f"})", {"c5e3f"}, {"client_secret"}}));

class RedactUnchanged : public testing::TestWithParam<std::string> {};

TEST_P(RedactUnchanged, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(text(GetParam()), GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    NegativeCases, RedactUnchanged,
    testing::Values("GET /health 200 0.123ms request_id=3f2a9c1b00000007 remote=127.0.0.1",
                    "2026-11-26T21:29:30.123Z started in 12.5 ms", "pierre-mcp-server 0.1.0 listening",
                    "activity 550e8400-e29b-41d4-a716-446655440000 imported (42.195 km, 3:05:12)",
                    R"({"error":{"code":"RESOURCE_NOT_FOUND","message":"activity not found"}})",
                    "ratio 0.51, 0.78 of nginx" /* 4+ decimal pairs are masked even when not GPS: privacy wins */,
                    "basic auth is not supported", "version 1.2.3.4 at 10.1.2.3", "no @ handle here: @someone said hi",
                    ""));

TEST(RedactText, HostileInputIsSafe) {
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>(i % 256);
  EXPECT_NO_THROW((void)text(binary));
  EXPECT_NO_THROW((void)text(std::string(100000, '@')));
  EXPECT_NO_THROW((void)text("password=\"unterminated"));
  EXPECT_EQ(text("password=\"unterminated").find("unterminated"), std::string::npos);
  EXPECT_NO_THROW((void)text("eyJ.eyJ."));
  EXPECT_NO_THROW((void)text("99999999999999999999.12345, 1.12345"));
  EXPECT_LT(text(std::string(10000, 'a') + "@b.cd").size(), 20000u);
}

TEST(RedactJson, MasksSensitiveKeysAtAnyDepth) {
  auto in = nlohmann::json::parse(R"({
    "user": {"email": "a@b.io", "Password": "x", "name": "Ann"},
    "tokens": [{"access_token": "at", "refresh_token": "rt", "expires_in": 3600}],
    "activity": {"start_latlng": [1.0, 2.0], "note": "ran with bob@example.com"},
    "error": {"code": "AUTH_INVALID"}, "empty_secret": null})");
  auto out = json(in);
  EXPECT_EQ(out["user"]["email"], "[redacted]");
  EXPECT_EQ(out["user"]["Password"], "[redacted]");
  EXPECT_EQ(out["user"]["name"], "Ann");
  EXPECT_EQ(out["tokens"][0]["access_token"], "[redacted]");
  EXPECT_EQ(out["tokens"][0]["refresh_token"], "[redacted]");
  EXPECT_EQ(out["tokens"][0]["expires_in"], 3600);
  EXPECT_EQ(out["activity"]["start_latlng"], "[redacted]");
  EXPECT_EQ(out["activity"]["note"], "ran with [email]");
  EXPECT_EQ(out["error"]["code"], "AUTH_INVALID");
  EXPECT_TRUE(out["empty_secret"].is_null());
  EXPECT_EQ(in["user"]["email"], "a@b.io");  // input untouched
}

}  // namespace
}  // namespace pierre::redact
